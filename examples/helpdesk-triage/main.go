// Helpdesk-triage is what a support engineer does when a customer calls:
// find the customer, see their agents, incidents and workflows at a glance,
// let the platform diagnose them, read the root cause and the recommended
// quick actions, run those actions, and diagnose again to see what got
// better (and which playbook covers what is left).
//
//	go run ./examples/helpdesk-triage                 # Acme Corp
//	go run ./examples/helpdesk-triage -q globex       # a failed workflow
//	go run ./examples/helpdesk-triage -q initech      # a degraded agent
//
// With no configuration it starts an embedded mock server, signs in as its
// demo operator and runs the recommended actions; the mock's clock moves
// only when told, so the program moves it 30 s (a restarted agent's start)
// before diagnosing again.
//
// Set WAOOAW_API_URL (and WAOOAW_TOKEN, or WAOOAW_CLIENT_ID and
// WAOOAW_CLIENT_SECRET) to triage a customer of a real platform, or of a
// mock server started with `go run ./cmd/waooaw-mock`. It then only reads
// and diagnoses (diagnosing changes nothing), unless -fix is given: then it
// runs the recommended actions and diagnoses again every -interval, for up
// to -wait, until their checks pass. Diagnosing and the actions need the
// operator role.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"

	waooaw "github.com/waooaw/waooaw-go"
	"github.com/waooaw/waooaw-go/helpdesk"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := main1(ctx, os.Args[1:], os.Stdout, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "helpdesk-triage:", err)
		os.Exit(1)
	}
}

func main1(ctx context.Context, args []string, out io.Writer, getenv func(string) string) error {
	cfg, err := parseFlags(args, out)
	if err != nil {
		return err
	}
	c, advance, err := connect(out, getenv)
	if err != nil {
		return err
	}
	return run(ctx, out, c.Helpdesk, advance, cfg)
}

// config is what the flags say.
type config struct {
	q        string
	fix      bool
	interval time.Duration
	wait     time.Duration
}

func parseFlags(args []string, out io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("helpdesk-triage", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&c.q, "q", "acme", "find the customer by company name, email or id (the first match is triaged)")
	fs.BoolVar(&c.fix, "fix", false, "run the recommended quick actions (always on with the embedded mock server)")
	fs.DurationVar(&c.interval, "interval", 5*time.Second, "with -fix on a platform: time between diagnoses while waiting")
	fs.DurationVar(&c.wait, "wait", 2*time.Minute, "with -fix on a platform: how long to wait for the fixed checks to pass")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("unexpected arguments %q: use -q to name the customer", fs.Args())
	case c.interval <= 0:
		return c, fmt.Errorf("-interval %v must be positive", c.interval)
	case c.wait <= 0:
		return c, fmt.Errorf("-wait %v must be positive", c.wait)
	}
	return c, nil
}

// run triages the first customer matching cfg.q. advance moves the embedded
// mock server's clock; nil against a platform, whose clock moves by itself.
func run(ctx context.Context, out io.Writer, hd *helpdesk.Client, advance func(time.Duration), cfg config) error {
	cust, err := find(ctx, out, hd, cfg.q)
	if err != nil {
		return err
	}
	if err := overview(ctx, out, hd, cust); err != nil {
		return err
	}
	before, err := diagnose(ctx, out, hd, cust.CustomerID)
	if err != nil {
		return err
	}
	if len(before.Recommendations) == 0 {
		fmt.Fprintln(out, "\nNo quick action applies.")
		return playbook(ctx, out, hd, before)
	}
	if advance == nil && !cfg.fix {
		fmt.Fprintln(out, "\nNothing was changed: run again with -fix to run the recommended actions.")
		return playbook(ctx, out, hd, before)
	}

	fmt.Fprintln(out, "\nRunning the recommended actions")
	restarted := false
	for _, rec := range before.Recommendations {
		res, err := hd.Run(ctx, rec)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "  %s %s: %s: %s\n", rec.Action, rec.TargetID, res.Status, res.Message)
		restarted = restarted || rec.Action == helpdesk.ActionRestartAgent
	}

	var after *helpdesk.Diagnosis
	if advance != nil {
		if restarted {
			advance(30 * time.Second)
			fmt.Fprintln(out, "Moved the mock server's clock 30s on: a restarted agent is online 30 s after its restart.")
		}
		if after, err = diagnose(ctx, out, hd, cust.CustomerID); err != nil {
			return err
		}
	} else if after, err = waitFixed(ctx, out, hd, before, cfg); err != nil {
		return err
	}
	improvements(out, before, after)
	return playbook(ctx, out, hd, after)
}

// find prints the customers matching q and returns the first.
func find(ctx context.Context, out io.Writer, hd *helpdesk.Client, q string) (helpdesk.Customer, error) {
	fmt.Fprintf(out, "\nCustomers matching %q\n", q)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  ID\tCOMPANY\tEMAIL\tAGENTS\tSTATUS")
	var first helpdesk.Customer
	for c, err := range hd.SearchCustomers(ctx, helpdesk.SearchOptions{Q: q}) {
		if err != nil {
			return first, err
		}
		if first.CustomerID == "" {
			first = c
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\t%s\n", c.CustomerID, c.CompanyName, c.Email, c.AgentsCount, c.Status)
	}
	if err := tw.Flush(); err != nil {
		return first, err
	}
	if first.CustomerID == "" {
		return first, fmt.Errorf("no customer matches %q", q)
	}
	return first, nil
}

func overview(ctx context.Context, out io.Writer, hd *helpdesk.Client, c helpdesk.Customer) error {
	o, err := hd.Overview(ctx, c.CustomerID)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\n%s (%s)\n", o.Customer.CompanyName, o.Customer.CustomerID)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  Agents")
	for _, a := range o.Agents {
		fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\n", a.AgentID, a.Name, a.Status, a.Health)
	}
	fmt.Fprintln(tw, "  Recent issues")
	for _, i := range o.RecentIssues {
		fmt.Fprintf(tw, "    %s\t%s\t%s\tSLA %s\t%s\n", i.IncidentID, i.Severity, i.Status, i.SLAStatus, i.Title)
	}
	fmt.Fprintln(tw, "  Workflows")
	for _, w := range o.Workflows {
		fmt.Fprintf(tw, "    %s\t%s\t%s\t%d%%\n", w.WorkflowID, w.WorkflowName, w.Status, w.Progress)
	}
	return tw.Flush()
}

// diagnose runs and prints a diagnosis.
func diagnose(ctx context.Context, out io.Writer, hd *helpdesk.Client, id string) (*helpdesk.Diagnosis, error) {
	d, err := hd.Diagnose(ctx, id)
	if err != nil {
		return nil, err
	}
	printDiagnosis(out, d)
	return d, nil
}

func printDiagnosis(out io.Writer, d *helpdesk.Diagnosis) {
	fmt.Fprintf(out, "\nDiagnosis of %s at %s\n", d.CustomerID, d.CheckedAt.Format(time.RFC3339))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, c := range d.Checks {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", strings.ToUpper(string(c.Status)), c.CheckName, c.Message)
	}
	tw.Flush()
	if d.RootCause == "" {
		fmt.Fprintln(out, "Root cause: none, every check passed.")
	} else {
		fmt.Fprintln(out, "Root cause:", d.RootCause)
	}
	for i, r := range d.Recommendations {
		if i == 0 {
			fmt.Fprintln(out, "Recommended:")
		}
		target := r.TargetID
		if r.TaskID != "" {
			target += " (task " + r.TaskID + ")"
		}
		fmt.Fprintf(out, "  %d. %s %s: %s\n", i+1, r.Action, target, r.Reason)
	}
}

// waitFixed diagnoses every cfg.interval until the checks that recommended
// an action pass, for up to cfg.wait, and prints the last diagnosis.
func waitFixed(ctx context.Context, out io.Writer, hd *helpdesk.Client, before *helpdesk.Diagnosis, cfg config) (*helpdesk.Diagnosis, error) {
	fixed := func(d *helpdesk.Diagnosis) bool {
		for _, c := range before.Checks {
			if c.Recommendation == nil {
				continue
			}
			if now, ok := d.Check(c.CheckName); ok && now.Status != helpdesk.CheckPass {
				return false
			}
		}
		return true
	}
	fmt.Fprintf(out, "Waiting up to %s for the fixed checks to pass.\n", cfg.wait)
	wctx, cancel := context.WithTimeout(ctx, cfg.wait)
	defer cancel()
	read := func(ctx context.Context) (*helpdesk.Diagnosis, error) { return hd.Diagnose(ctx, before.CustomerID) }
	var last *helpdesk.Diagnosis
	for d, err := range platform.Poll(wctx, cfg.interval, read, fixed) {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil && last != nil {
			fmt.Fprintf(out, "Some fixed checks still fail after %s.\n", cfg.wait)
			break
		}
		if err != nil {
			return nil, err
		}
		last = d
	}
	printDiagnosis(out, last)
	return last, nil
}

// improvements prints the checks whose status changed.
func improvements(out io.Writer, before, after *helpdesk.Diagnosis) {
	fmt.Fprintln(out, "\nWhat changed")
	changed := false
	for _, b := range before.Checks {
		a, ok := after.Check(b.CheckName)
		if !ok || a.Status == b.Status {
			continue
		}
		changed = true
		fmt.Fprintf(out, "  %s: %s → %s\n", b.CheckName, b.Status, a.Status)
	}
	if !changed {
		fmt.Fprintln(out, "  nothing yet")
	}
}

// playbook prints the playbook of the root cause's check, if it has one.
func playbook(ctx context.Context, out io.Writer, hd *helpdesk.Client, d *helpdesk.Diagnosis) error {
	for _, c := range d.Checks {
		if c.Message != d.RootCause || c.PlaybookID == "" || d.RootCause == "" {
			continue
		}
		p, err := hd.Playbook(ctx, c.PlaybookID)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "\nPlaybook for the root cause: %s (%s)\n  %s\n", p.Title, p.PlaybookID, p.Summary)
		for _, s := range p.Steps {
			action := ""
			if s.Action != "" {
				action = " [" + string(s.Action) + "]"
			}
			fmt.Fprintf(out, "  %d. %s%s: %s\n", s.Order, s.Title, action, s.Detail)
		}
		return nil
	}
	return nil
}

// connect uses the platform named by WAOOAW_API_URL (advance is nil: the
// platform's clock moves by itself), or builds an embedded mock server,
// signed in as its demo operator, whose clock advance moves.
func connect(out io.Writer, getenv func(string) string) (c *waooaw.Client, advance func(time.Duration), err error) {
	if getenv("WAOOAW_API_URL") != "" {
		c, err = waooaw.New(platform.WithUserAgent("waooaw-helpdesk-triage"))
		return c, nil, err
	}
	srv := mockserver.New()
	fmt.Fprintf(out, "Using an embedded mock server, signed in as %s (its clock reads %s).\n",
		mockserver.OperatorEmail, srv.Now().Format(time.RFC3339))
	c, err = waooaw.New(append(srv.ClientOptions(mockserver.OperatorEmail), platform.WithUserAgent("waooaw-helpdesk-triage"))...)
	if err != nil {
		return nil, nil, err
	}
	return c, func(d time.Duration) { srv.Advance(d) }, nil
}
