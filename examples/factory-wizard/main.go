// Factory-wizard creates a Memory agent through the agent factory's wizard
// (template, configure, resources, review, deploy) and shows its
// deployment's progress until the agent is online.
//
//	go run ./examples/factory-wizard [-name support-memory]
//
// With no configuration it runs an embedded mock server in-process,
// signs in as its demo admin and moves the mock's clock on a minute at each
// reading, so the deployment's quarter of an hour passes in seconds. Set
// WAOOAW_API_URL (and WAOOAW_TOKEN, or WAOOAW_CLIENT_ID and
// WAOOAW_CLIENT_SECRET, for an admin) to run it against a real platform or a
// mock server started with `go run ./cmd/waooaw-mock`; it then waits in
// real time.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/waooaw/waooaw-go"
	"github.com/waooaw/waooaw-go/factory"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
)

func main() {
	name := flag.String("name", "support-memory", "the new agent's name (3-63 letters, digits, '-' and '_')")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout, *name, 200*time.Millisecond); err != nil {
		fmt.Fprintln(os.Stderr, "factory-wizard:", err)
		os.Exit(1)
	}
}

// run walks the wizard and follows the deployment, reading it every poll
// (on the embedded mock server; every 10 s on a real platform).
func run(ctx context.Context, out io.Writer, name string, poll time.Duration) error {
	c, advance, err := connect(out, poll)
	if err != nil {
		return err
	}
	w := c.Factory.NewWizard()

	// 1. Template.
	res, err := w.ChooseTemplate(ctx, "tmpl-memory")
	if err := stepDone(out, "1. Template", res, err); err != nil {
		return err
	}
	t, _ := w.Template()
	fmt.Fprintf(out, "   %s (%s, %s complexity): %s\n", t.Name, t.TemplateID, t.Complexity, t.Description)
	fmt.Fprintf(out, "   default config %s\n", t.DefaultConfig)

	// 2. Configure: keep memories 90 days and add semantic search.
	res, err = w.Configure(ctx, factory.Configuration{
		AgentName:    name,
		Description:  "Remembers support conversations",
		Capabilities: append(t.RequiredCapabilities, "semantic_search"),
		Config:       json.RawMessage(`{"retention_days": 90}`),
	})
	if err := stepDone(out, "2. Configure", res, err); err != nil {
		return err
	}

	// 3. Resources: the defaults with more storage.
	res, err = w.SetResources(ctx, factory.Resources{StorageGB: 20}, factory.PlanProfessional)
	if err := stepDone(out, "3. Resources", res, err); err != nil {
		return err
	}

	// 4. Review.
	rv, err := w.Review(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "4. Review")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	r := rv.Resolved
	fmt.Fprintf(tw, "   Agent\t%s (%s)\n", r.AgentName, r.TemplateID)
	fmt.Fprintf(tw, "   Capabilities\t%s\n", strings.Join(r.Capabilities, ", "))
	fmt.Fprintf(tw, "   Config\t%s\n", r.Config)
	fmt.Fprintf(tw, "   Resources\t%g cores, %g GB memory, %g GB storage\n", r.Resources.CPUCores, r.Resources.MemoryGB, r.Resources.StorageGB)
	fmt.Fprintf(tw, "   Cost\t$%.2f a %s on %s (cpu %.2f, memory %.2f, storage %.2f, network %.2f)\n",
		rv.Cost.Total, rv.Cost.Period, r.Plan, rv.Cost.Breakdown.CPU, rv.Cost.Breakdown.Memory,
		rv.Cost.Breakdown.Storage, rv.Cost.Breakdown.Network)
	tw.Flush()

	// 5. Deploy, and follow the deployment.
	op, err := w.Deploy(ctx)
	if err != nil {
		return fmt.Errorf("deploy: %w", err)
	}
	fmt.Fprintf(out, "5. Deploy: agent %s, deployment %s\n", op.Last().AgentID, op.ID())
	for d, err := range op.Watch(ctx) {
		if err != nil {
			return fmt.Errorf("deployment: %w", err)
		}
		step := string(d.Status)
		if s := d.CurrentStep(); s != nil {
			step = s.Name
		}
		fmt.Fprintf(out, "   [%-20s] %3d%%  %s\n", strings.Repeat("#", d.Progress/5), d.Progress, step)
		if d.Status == factory.DeploymentFailed {
			return fmt.Errorf("the deployment failed: %s", d.Error)
		}
		if advance != nil {
			advance(time.Minute)
		}
	}

	a, err := c.Agents.Get(ctx, op.Last().AgentID)
	if err != nil {
		return fmt.Errorf("agent: %w", err)
	}
	fmt.Fprintf(out, "Agent %s (%s) is %s.\n", a.Name, a.AgentID, a.Status)
	return nil
}

// stepDone prints a wizard step's outcome and fails on its errors.
func stepDone(out io.Writer, step string, res factory.Result, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", step, err)
	}
	fmt.Fprintf(out, "%s: ok\n", step)
	for _, w := range res.Warnings {
		fmt.Fprintf(out, "   warning %s: %s\n", w.Field, w.Issue)
	}
	if !res.Valid {
		var b strings.Builder
		for _, e := range res.Errors {
			fmt.Fprintf(&b, "\n   %s: %s", e.Field, e.Issue)
		}
		return fmt.Errorf("%s is not valid:%s", step, b.String())
	}
	return nil
}

// connect uses the platform named by WAOOAW_API_URL, reading long work
// every 10 s (advance is then nil), or starts an embedded mock server, signs
// in as its demo admin, reads every poll and returns a function that moves
// the mock's clock.
func connect(out io.Writer, poll time.Duration) (c *waooaw.Client, advance func(time.Duration), err error) {
	if os.Getenv("WAOOAW_API_URL") != "" {
		c, err = waooaw.New(platform.WithUserAgent("waooaw-factory-wizard"), platform.WithPollInterval(10*time.Second))
		return c, nil, err
	}
	srv := mockserver.New()
	fmt.Fprintf(out, "Using an embedded mock server (in-process); signed in as %s.\n", mockserver.AdminEmail)
	c, err = waooaw.New(append(srv.ClientOptions(mockserver.AdminEmail),
		platform.WithUserAgent("waooaw-factory-wizard"), platform.WithPollInterval(poll))...)
	if err != nil {
		return nil, nil, err
	}
	return c, func(d time.Duration) { srv.Advance(d) }, nil
}
