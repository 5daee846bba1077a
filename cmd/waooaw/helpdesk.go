package main

import (
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/waooaw/waooaw-go/helpdesk"
)

func (a *app) helpdeskCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "helpdesk", Short: "Help customers: search, overview, diagnose, action", Args: noArgs, RunE: showHelp}
	custAnn := map[string]string{annList: "waooaw helpdesk search TEXT"}
	search := &cobra.Command{
		Use: "search [TEXT]", Short: "Find customers by company name, email or id",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageErr(cmd, "wants at most one TEXT (quote it if it has spaces), got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.sdk()
			if err != nil {
				return err
			}
			q := ""
			if len(args) == 1 {
				q = args[0]
			}
			var items []helpdesk.Customer
			l := list{key: "customers", headers: []string{"ID", "COMPANY", "EMAIL", "AGENTS", "STATUS", "SINCE"}}
			for cu, err := range c.Helpdesk.SearchCustomers(cmd.Context(), helpdesk.SearchOptions{Q: q}) {
				if err != nil {
					return err
				}
				items = append(items, cu)
				l.ids = append(l.ids, cu.CustomerID)
				l.rows = append(l.rows, []string{cu.CustomerID, cu.CompanyName, dash(cu.Email), strconv.Itoa(cu.AgentsCount), string(cu.Status), a.when(cu.CreatedAt)})
			}
			l.items = nonNil(items)
			return a.printList(l)
		},
	}
	overview := &cobra.Command{
		Use: "overview CUSTOMER", Short: "A customer with its agents, workflows and recent issues", Args: exactArgs("CUSTOMER"),
		Annotations: custAnn,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.sdk()
			if err != nil {
				return err
			}
			o, err := c.Helpdesk.Overview(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if a.output == "json" || a.quiet {
				return a.printOne(o, o.Customer.CustomerID, nil)
			}
			cu := o.Customer
			a.say("%s (%s), %s, %s, customer %s", cu.CompanyName, cu.CustomerID, dash(cu.Email), cu.Status, a.when(cu.CreatedAt))
			a.say("\nAgents:")
			rows := [][]string{}
			for _, ag := range o.Agents {
				rows = append(rows, []string{ag.AgentID, ag.Name, string(ag.Status), string(ag.Health), a.whenp(ag.LastActive, "never")})
			}
			if len(rows) == 0 {
				a.say("  none")
			} else {
				a.table([]string{"ID", "NAME", "STATUS", "HEALTH", "LAST ACTIVE"}, rows)
			}
			a.say("\nWorkflows:")
			rows = [][]string{}
			for _, w := range o.Workflows {
				rows = append(rows, []string{w.WorkflowID, w.WorkflowName, string(w.Status), strconv.Itoa(w.Progress) + "%"})
			}
			if len(rows) == 0 {
				a.say("  none")
			} else {
				a.table([]string{"ID", "NAME", "STATUS", "PROGRESS"}, rows)
			}
			a.say("\nRecent issues:")
			rows = [][]string{}
			for _, i := range o.RecentIssues {
				rows = append(rows, []string{i.IncidentID, string(i.Severity), string(i.Status), string(i.SLAStatus), i.Title, a.when(i.CreatedAt)})
			}
			if len(rows) == 0 {
				a.say("  none")
			} else {
				a.table([]string{"ID", "SEVERITY", "STATUS", "SLA", "TITLE", "OPENED"}, rows)
			}
			return nil
		},
	}
	diagnose := &cobra.Command{
		Use: "diagnose CUSTOMER", Short: "Check a customer's agents, workflows, dead letters and SLAs; the root cause and what to run",
		Args: exactArgs("CUSTOMER"), Annotations: map[string]string{annRole: "operator", annList: "waooaw helpdesk search TEXT"},
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.sdk()
			if err != nil {
				return err
			}
			d, err := c.Helpdesk.Diagnose(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if a.output == "json" || a.quiet {
				return a.printOne(d, d.CustomerID, nil)
			}
			rows := [][]string{}
			for _, ch := range d.Checks {
				rows = append(rows, []string{ch.CheckName, string(ch.Status), ch.Message})
			}
			a.table([]string{"CHECK", "RESULT", "FOUND"}, rows)
			if d.RootCause == "" {
				a.say("\nEvery check passed.")
				return nil
			}
			a.say("\nRoot cause: %s", d.RootCause)
			if len(d.Recommendations) > 0 {
				a.say("Recommended:")
				for _, r := range d.Recommendations {
					line := "waooaw helpdesk action " + string(r.Action) + " " + r.TargetID
					if r.TaskID != "" {
						line += " --task " + r.TaskID
					}
					a.say("  %s    # %s", line, r.Reason)
				}
			}
			return nil
		},
	}
	var task string
	actions := []string{string(helpdesk.ActionRestartAgent), string(helpdesk.ActionClearCache), string(helpdesk.ActionRetryWorkflow)}
	action := &cobra.Command{
		Use:   "action ACTION TARGET",
		Short: "Run a quick action: restart-agent AGENT, clear-cache AGENT, retry-workflow WORKFLOW [--task TASK]",
		Example: "  waooaw helpdesk action restart-agent agent-acme-support\n" +
			"  waooaw helpdesk action retry-workflow wf-003 --task task-2",
		Args: exactArgs("ACTION", "TARGET"), Annotations: map[string]string{annRole: "operator"},
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) == 0 {
				return actions, cobra.ShellCompDirectiveNoFileComp
			}
			return nil, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := enumFlag(cmd, "ACTION", args[0], actions...); err != nil {
				return usageErr(cmd, "unknown action %q: want %s", args[0], strings.Join(actions, ", "))
			}
			if task != "" && args[0] != string(helpdesk.ActionRetryWorkflow) {
				return usageErr(cmd, "--task goes with retry-workflow only")
			}
			c, err := a.sdk()
			if err != nil {
				return err
			}
			r, err := c.Helpdesk.Run(cmd.Context(), helpdesk.Recommendation{Action: helpdesk.Action(args[0]), TargetID: args[1], TaskID: task})
			if err != nil {
				return err
			}
			if a.output == "json" || a.quiet {
				return a.printOne(r, r.TargetID, nil)
			}
			a.say("%s %s: %s. %s", r.Action, r.TargetID, r.Status, r.Message)
			if r.Agent != nil {
				a.say("%s is %s.", r.Agent.AgentID, a.paintIf(string(r.Agent.Status)))
			}
			if r.Workflow != nil {
				a.say("%s is %s, %d%% done.", r.Workflow.WorkflowID, a.paintIf(string(r.Workflow.Status)), r.Workflow.Progress)
			}
			return nil
		},
	}
	action.Flags().StringVar(&task, "task", "", "with retry-workflow: the failed `task` to retry (default: the only failed one)")
	cmd.AddCommand(search, overview, diagnose, action)
	return cmd
}
