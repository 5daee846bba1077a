package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/waooaw/waooaw-go/factory"
	"github.com/waooaw/waooaw-go/platform"
)

// requestFlags build a factory request from flags.
type requestFlags struct {
	template, name, description, plan string
	capabilities                      []string
	cpu, memory, storage              float64
	configFile                        string
	set                               []string
}

func (r *requestFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&r.template, "template", "", "the template `id` (see `waooaw factory templates`); required")
	f.StringVar(&r.name, "name", "", "the agent's `name`: 3-63 letters, digits, '-' and '_'; required")
	f.StringVar(&r.description, "description", "", "what the agent is for (at most 200 characters)")
	f.StringVar(&r.plan, "plan", "", "billing `plan`: starter, professional (default) or enterprise")
	f.StringSliceVar(&r.capabilities, "capability", nil, "a `capability`, repeatable (default: the template's required ones)")
	f.Float64Var(&r.cpu, "cpu", 0, "CPU `cores` (default: the template's)")
	f.Float64Var(&r.memory, "memory", 0, "memory in `GB` (default: the template's)")
	f.Float64Var(&r.storage, "storage", 0, "storage in `GB` (default: the template's)")
	f.StringVar(&r.configFile, "config", "", "the template config from a JSON `file` (- for stdin); fields not given keep their defaults")
	f.StringArrayVar(&r.set, "set", nil, "set one config field, repeatable: `key=value` (value as JSON, else as a string)")
	cmd.RegisterFlagCompletionFunc("plan", complete("starter", "professional", "enterprise"))
}

func (r *requestFlags) request(a *app, cmd *cobra.Command) (factory.Request, error) {
	if r.template == "" || r.name == "" {
		return factory.Request{}, usageErr(cmd, "--template and --name are required")
	}
	if err := enumFlag(cmd, "plan", r.plan, "starter", "professional", "enterprise"); err != nil {
		return factory.Request{}, err
	}
	if r.cpu < 0 || r.memory < 0 || r.storage < 0 {
		return factory.Request{}, usageErr(cmd, "--cpu, --memory and --storage must be positive")
	}
	req := factory.Request{TemplateID: r.template, AgentName: r.name, Description: r.description,
		Plan: factory.Plan(r.plan), Capabilities: r.capabilities}
	if r.cpu != 0 || r.memory != 0 || r.storage != 0 {
		req.Resources = &factory.Resources{CPUCores: r.cpu, MemoryGB: r.memory, StorageGB: r.storage}
	}
	cfg, err := a.configObject(cmd, r.configFile, r.set)
	if err != nil {
		return req, err
	}
	if cfg != nil {
		b, err := json.Marshal(cfg)
		if err != nil {
			return req, err
		}
		req.Config = b
	}
	return req, nil
}

// configObject reads a JSON object from file (- for stdin) and applies
// key=value settings over it; nil when neither is given.
func (a *app) configObject(cmd *cobra.Command, file string, set []string) (map[string]any, error) {
	if file == "" && len(set) == 0 {
		return nil, nil
	}
	cfg := map[string]any{}
	if file != "" {
		var b []byte
		var err error
		if file == "-" {
			b, err = readAll(a.stdin)
		} else {
			b, err = os.ReadFile(file)
		}
		if err != nil {
			return nil, &cliError{code: exitUsage, msg: "reading the config: " + err.Error(), hint: "give a readable JSON file"}
		}
		if err := json.Unmarshal(b, &cfg); err != nil || cfg == nil {
			return nil, usageErr(cmd, "%s is not a JSON object (%v)", file, err)
		}
	}
	for _, kv := range set {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, usageErr(cmd, "--set %q: want key=value", kv)
		}
		var val any
		if err := json.Unmarshal([]byte(v), &val); err != nil {
			val = v
		}
		cfg[k] = val
	}
	return cfg, nil
}

func (a *app) factoryCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "factory", Short: "The agent factory: templates, validate, estimate, create", Args: noArgs, RunE: showHelp}
	templates := &cobra.Command{
		Use: "templates [TEMPLATE]", Short: "List the templates; with an id, show one with its config and limits",
		Annotations: map[string]string{annList: "waooaw factory templates"},
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageErr(cmd, "wants at most one TEMPLATE, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.sdk()
			if err != nil {
				return err
			}
			if len(args) == 1 {
				d, err := c.Factory.Template(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				lim, def := d.ResourceLimits, d.ResourceDefaults
				return a.printOne(d, d.TemplateID, [][2]string{
					{"id", d.TemplateID}, {"name", d.Name}, {"description", d.Description},
					{"category", d.Category}, {"complexity", d.Complexity}, {"version", d.Version},
					{"cpu cores", fmt.Sprintf("%g (%g-%g)", def.CPUCores, lim.Min.CPUCores, lim.Max.CPUCores)},
					{"memory GB", fmt.Sprintf("%g (%g-%g)", def.MemoryGB, lim.Min.MemoryGB, lim.Max.MemoryGB)},
					{"storage GB", fmt.Sprintf("%g (%g-%g)", def.StorageGB, lim.Min.StorageGB, lim.Max.StorageGB)},
					{"required capabilities", dash(strings.Join(d.RequiredCapabilities, ", "))},
					{"optional capabilities", dash(strings.Join(d.OptionalCapabilities, ", "))},
					{"default config", string(d.DefaultConfig)},
				})
			}
			var items []factory.Description
			l := list{key: "templates", headers: []string{"ID", "NAME", "CATEGORY", "COMPLEXITY", "VERSION", "DEFAULTS"}}
			for d, err := range c.Factory.Templates(cmd.Context(), platform.ListOptions{}) {
				if err != nil {
					return err
				}
				items = append(items, d)
				l.ids = append(l.ids, d.TemplateID)
				r := d.ResourceDefaults
				l.rows = append(l.rows, []string{d.TemplateID, d.Name, d.Category, d.Complexity, d.Version,
					fmt.Sprintf("%g cpu, %g GB, %g GB disk", r.CPUCores, r.MemoryGB, r.StorageGB)})
			}
			l.items = nonNil(items)
			return a.printList(l)
		},
	}
	var vf, ef, cf requestFlags
	validate := &cobra.Command{
		Use: "validate --template ID --name NAME [flags]", Short: "Check an agent request on the platform (exit 2 when invalid)",
		Args: noArgs, Annotations: map[string]string{annList: "waooaw factory templates"},
		RunE: func(cmd *cobra.Command, _ []string) error {
			req, err := vf.request(a, cmd)
			if err != nil {
				return err
			}
			c, err := a.sdk()
			if err != nil {
				return err
			}
			res, err := c.Factory.Validate(cmd.Context(), req)
			if err != nil {
				return err
			}
			if a.output == "json" {
				if err := a.printJSON(res); err != nil {
					return err
				}
			} else {
				a.printResult(res)
			}
			if !res.Valid {
				return &cliError{code: exitUsage, msg: fmt.Sprintf("the request has %d problem(s)", len(res.Errors)), hint: "fix the fields named above"}
			}
			return nil
		},
	}
	vf.add(validate)
	estimate := &cobra.Command{
		Use: "estimate --template ID --name NAME [flags]", Short: "The monthly cost of an agent request",
		Args: noArgs, Annotations: map[string]string{annList: "waooaw factory templates"},
		RunE: func(cmd *cobra.Command, _ []string) error {
			req, err := ef.request(a, cmd)
			if err != nil {
				return err
			}
			c, err := a.sdk()
			if err != nil {
				return err
			}
			cost, err := c.Factory.EstimateCost(cmd.Context(), req)
			if err != nil {
				return err
			}
			b := cost.Breakdown
			pairs := [][2]string{{"total", fmt.Sprintf("$%.2f %s/%s", cost.Total, cost.Currency, cost.Period)},
				{"cpu", fmt.Sprintf("$%.2f", b.CPU)}, {"memory", fmt.Sprintf("$%.2f", b.Memory)},
				{"storage", fmt.Sprintf("$%.2f", b.Storage)}, {"network", fmt.Sprintf("$%.2f", b.Network)}}
			return a.printOne(cost, fmt.Sprintf("%.2f", cost.Total), pairs)
		},
	}
	ef.add(estimate)
	var noWait bool
	create := &cobra.Command{
		Use:   "create --template ID --name NAME [flags]",
		Short: "Create an agent, with a progress bar until it is online",
		Long: `Create an agent from a template. The request is checked first (locally, with
the platform's rules) and nothing is sent when it has problems. Then the
command follows the deployment, with a progress bar on a terminal, until the
agent is online; --no-wait returns once the platform has accepted it.
Needs the admin role.`,
		Example:     "  waooaw factory create --template tmpl-memory --name test-agent --cpu 2 --memory 4",
		Args:        noArgs,
		Annotations: map[string]string{annRole: "admin", annList: "waooaw factory templates"},
		RunE: func(cmd *cobra.Command, _ []string) error {
			req, err := cf.request(a, cmd)
			if err != nil {
				return err
			}
			c, err := a.sdk()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			res, err := c.Factory.ValidateLocal(ctx, req)
			if err != nil {
				return err
			}
			if !res.Valid {
				if a.output == "json" {
					_ = a.printJSON(res)
				} else {
					a.printResult(res)
				}
				return &cliError{code: exitUsage, msg: fmt.Sprintf("the request has %d problem(s): nothing was created", len(res.Errors)), hint: "fix the fields named above"}
			}
			op, err := c.Factory.Create(ctx, req)
			if err != nil {
				return err
			}
			d := op.Last()
			if noWait {
				if a.output == "json" || a.quiet {
					return a.printOne(d, d.AgentID, nil)
				}
				a.say("Creating %s: deployment %s accepted. Follow it with `waooaw agents watch %s --until online`.", d.AgentID, d.DeploymentID, d.AgentID)
				return nil
			}
			pl := &progressLine{w: a.stdout}
			for dep, err := range op.Watch(ctx) {
				if err != nil {
					pl.done()
					return fmt.Errorf("following deployment %s (the agent %s may still come online): %w", d.DeploymentID, d.AgentID, err)
				}
				d = dep
				if a.tty && a.output != "json" && !a.quiet {
					step := string(dep.Status)
					if s := dep.CurrentStep(); s != nil {
						step = s.Name
					}
					pl.show(fmt.Sprintf("Deploying %s %s %3d%%  %s", dep.AgentID, bar(dep.Progress, 30), dep.Progress, step))
				}
			}
			pl.done()
			if d.Status == factory.DeploymentFailed {
				if a.output == "json" {
					_ = a.printJSON(d)
				}
				return &cliError{code: exitFailure, msg: fmt.Sprintf("deployment %s failed: %s", d.DeploymentID, dash(d.Error)),
					hint: "see `waooaw logs --agent " + d.AgentID + "`, fix the request and create it again"}
			}
			ag, err := c.Agents.Get(ctx, d.AgentID)
			if err != nil {
				return err
			}
			if a.output == "json" || a.quiet {
				return a.printOne(d, d.AgentID, nil)
			}
			a.say("Created %s (%s): %s, deployment %s completed.", ag.AgentID, ag.Name, a.paintIf(string(ag.Status)), d.DeploymentID)
			return nil
		},
	}
	cf.add(create)
	create.Flags().BoolVar(&noWait, "no-wait", false, "return once the platform has accepted the request")
	cmd.AddCommand(templates, validate, estimate, create)
	return cmd
}

func (a *app) printResult(res *factory.Result) {
	if res.Valid {
		a.say("valid")
	} else {
		a.say("invalid")
	}
	for _, is := range res.Errors {
		a.say("  error    %s: %s", is.Field, is.Issue)
	}
	for _, is := range res.Warnings {
		a.say("  warning  %s: %s", is.Field, is.Issue)
	}
}

// readAll reads r, at most 1 MiB.
func readAll(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, 1<<20+1))
	if err == nil && len(b) > 1<<20 {
		err = errors.New("more than 1 MiB")
	}
	return b, err
}
