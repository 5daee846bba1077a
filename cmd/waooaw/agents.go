package main

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/waooaw/waooaw-go"
	"github.com/waooaw/waooaw-go/platform"
)

func (a *app) metricsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "metrics",
		Short: "The dashboard's metric cards",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.sdk()
			if err != nil {
				return err
			}
			m, err := c.Platform.Metrics(cmd.Context())
			if err != nil {
				return err
			}
			return a.printOne(m, "", [][2]string{
				{"active agents", fmt.Sprintf("%d of %d online", m.ActiveAgents, m.TotalAgents)},
				{"requests/min", strconv.Itoa(m.RequestsPerMinute)},
				{"tasks/min", strconv.Itoa(m.TasksPerMinute)},
				{"error rate", pct(m.ErrorRate)},
				{"p95 latency", ms(m.P95LatencyMS)},
				{"messages pending", strconv.Itoa(m.MessagesPending)},
				{"running workflows", strconv.Itoa(m.RunningWorkflows)},
				{"as of", a.when(m.GeneratedAt)},
			})
		},
	}
}

// enumFlag checks a flag's value against the values it may take.
func enumFlag(cmd *cobra.Command, name, v string, allowed ...string) error {
	if v == "" || slices.Contains(allowed, v) {
		return nil
	}
	return usageErr(cmd, "--%s %q: want one of %s", name, v, strings.Join(allowed, ", "))
}

func complete(values ...string) func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

var agentStatuses = []string{"online", "offline", "starting", "stopping", "error", "provisioning"}

func (a *app) agentsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "agents", Short: "List, inspect, restart, start, stop and watch agents", Args: noArgs, RunE: showHelp}
	var opts platform.AgentListOptions
	var status, tier string
	ls := &cobra.Command{
		Use:   "list",
		Short: "List agents (filters: --status, --tier, --search)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := enumFlag(cmd, "status", status, agentStatuses...); err != nil {
				return err
			}
			if err := enumFlag(cmd, "tier", tier, string(platform.TierPlatformCoE), string(platform.TierBusiness)); err != nil {
				return err
			}
			opts.Status, opts.Tier = platform.AgentStatus(status), platform.Tier(tier)
			c, err := a.sdk()
			if err != nil {
				return err
			}
			var items []platform.Agent
			l := list{key: "agents", headers: []string{"ID", "NAME", "STATUS", "HEALTH", "TIER", "VERSION", "LAST ACTIVE"}}
			for ag, err := range c.Agents.List(cmd.Context(), opts) {
				if err != nil {
					return err
				}
				items = append(items, ag)
				l.ids = append(l.ids, ag.AgentID)
				l.rows = append(l.rows, []string{ag.AgentID, ag.Name, string(ag.Status), string(ag.Health), string(ag.Tier), dash(ag.Version), a.whenp(ag.LastActive, "never")})
			}
			l.items = nonNil(items)
			return a.printList(l)
		},
	}
	ls.Flags().StringVar(&status, "status", "", "only agents with this `status` ("+strings.Join(agentStatuses, ", ")+")")
	ls.Flags().StringVar(&tier, "tier", "", "only agents of this `tier` (\"Platform CoE\" or Business)")
	ls.Flags().StringVar(&opts.Q, "search", "", "only agents whose name or id contains `text`")
	ls.RegisterFlagCompletionFunc("status", complete(agentStatuses...))
	ls.RegisterFlagCompletionFunc("tier", complete("Platform CoE", "Business"))

	get := &cobra.Command{
		Use: "get AGENT", Short: "Show one agent", Args: exactArgs("AGENT"),
		Annotations:       map[string]string{annList: "waooaw agents list"},
		ValidArgsFunction: a.completeAgents,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.sdk()
			if err != nil {
				return err
			}
			ag, err := c.Agents.Get(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return a.printAgent(ag)
		},
	}
	action := func(name, short string, do func(s *platform.AgentService, ctx context.Context, id string) (*platform.Agent, error)) *cobra.Command {
		return &cobra.Command{
			Use: name + " AGENT", Short: short, Args: exactArgs("AGENT"),
			Annotations:       map[string]string{annRole: "operator", annList: "waooaw agents list"},
			ValidArgsFunction: a.completeAgents,
			RunE: func(cmd *cobra.Command, args []string) error {
				c, err := a.sdk()
				if err != nil {
					return err
				}
				ag, err := do(c.Agents, cmd.Context(), args[0])
				if err != nil {
					return err
				}
				if a.output == "json" || a.quiet {
					return a.printAgent(ag)
				}
				a.say("%s (%s) is %s.", ag.AgentID, ag.Name, a.paintIf(string(ag.Status)))
				return nil
			},
		}
	}
	var until string
	watch := &cobra.Command{
		Use:   "watch AGENT",
		Short: "Follow an agent, a line each time its status or health changes",
		Long:  "Follow an agent, printing a line each time its status or health changes, until interrupted or, with --until, until it reaches a status.",
		Args:  exactArgs("AGENT"), ValidArgsFunction: a.completeAgents,
		Annotations: map[string]string{annList: "waooaw agents list"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := enumFlag(cmd, "until", until, agentStatuses...); err != nil {
				return err
			}
			c, err := a.sdk()
			if err != nil {
				return err
			}
			last := ""
			for ag, err := range c.Agents.Watch(cmd.Context(), args[0]) {
				if err != nil {
					return err
				}
				now := string(ag.Status) + "/" + string(ag.Health)
				if now != last {
					last = now
					if a.output == "json" {
						if err := a.printJSON(ag); err != nil {
							return err
						}
					} else {
						fmt.Fprintf(a.stdout, "%s  %s  %s  %s\n", a.now().UTC().Format("15:04:05"), ag.AgentID, a.paintIf(string(ag.Status)), ag.Health)
					}
				}
				if until != "" && string(ag.Status) == until {
					return nil
				}
			}
			return nil
		},
	}
	watch.Flags().StringVar(&until, "until", "", "stop once the agent has this `status`")
	cmd.AddCommand(ls, get,
		action("restart", "Restart an agent (starting at once, online 30 s later)", (*platform.AgentService).Restart),
		action("start", "Start an offline agent", (*platform.AgentService).Start),
		action("stop", "Stop an agent", (*platform.AgentService).Stop),
		watch)
	return cmd
}

func (a *app) paintIf(s string) string {
	if a.colour() {
		return a.paint(s)
	}
	return s
}

func (a *app) printAgent(ag *platform.Agent) error {
	return a.printOne(ag, ag.AgentID, [][2]string{
		{"id", ag.AgentID}, {"name", ag.Name}, {"description", dash(ag.Description)},
		{"status", a.paintIf(string(ag.Status))}, {"health", a.paintIf(string(ag.Health))},
		{"tier", string(ag.Tier)}, {"version", dash(ag.Version)},
		{"capabilities", dash(strings.Join(ag.Capabilities, ", "))},
		{"customer", dash(ag.CustomerID)}, {"template", dash(ag.TemplateID)},
		{"last active", a.whenp(ag.LastActive, "never")}, {"created", a.when(ag.CreatedAt)},
	})
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// completeAgents completes agent ids, when signed in.
func (a *app) completeAgents(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return completeFirst(a, cmd, args, func(c *waooaw.Client) iter.Seq2[platform.Agent, error] {
		return c.Agents.List(cmd.Context(), platform.AgentListOptions{})
	}, func(ag platform.Agent) (string, string) { return ag.AgentID, ag.Name })
}

// completeFirst completes a command's first argument with the ids (and
// descriptions) of a list of the platform's, when signed in.
func completeFirst[T any](a *app, cmd *cobra.Command, args []string, list func(*waooaw.Client) iter.Seq2[T, error],
	idOf func(T) (id, desc string)) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	c, err := a.sdk()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []cobra.Completion
	for it, err := range list(c) {
		if err != nil {
			break
		}
		out = append(out, cobra.CompletionWithDesc(idOf(it)))
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
