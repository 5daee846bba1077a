// Quickstart is the first program to run: it signs in and tours the
// platform: the dashboard's metric cards, agents and active alerts, queue
// health, workflows and the factory's templates.
//
//	go run ./examples/quickstart
//
// With no configuration it starts an embedded mock server on loopback and
// signs in as its demo operator through the real browser flow (authorization
// code with PKCE; the mock's "Google" approves at once and an HTTP client
// follows the redirects in place of a browser). Set WAOOAW_API_URL (and
// WAOOAW_TOKEN, or WAOOAW_CLIENT_ID and WAOOAW_CLIENT_SECRET) to run it
// against a real platform or a mock server started with
// `go run ./cmd/waooaw-mock`.
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"text/tabwriter"
	"time"

	waooaw "github.com/waooaw/waooaw-go"
	"github.com/waooaw/waooaw-go/auth"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/queues"
	"github.com/waooaw/waooaw-go/workflows"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	c, stop, err := connect(ctx, out)
	if err != nil {
		return err
	}
	defer stop()
	for _, section := range []func(context.Context, io.Writer, *waooaw.Client) error{
		dashboard, agents, alertList, queueHealth, workflowList, templates,
	} {
		if err := section(ctx, out, c); err != nil {
			return err
		}
	}
	return nil
}

func dashboard(ctx context.Context, out io.Writer, c *waooaw.Client) error {
	m, err := c.Platform.Metrics(ctx)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	fmt.Fprintln(out, "\nDashboard")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  Active agents\t%d of %d\n", m.ActiveAgents, m.TotalAgents)
	fmt.Fprintf(tw, "  Requests/min\t%d\n", m.RequestsPerMinute)
	fmt.Fprintf(tw, "  Tasks/min\t%d\n", m.TasksPerMinute)
	fmt.Fprintf(tw, "  Error rate\t%.2f%%\n", m.ErrorRate*100)
	fmt.Fprintf(tw, "  P95 latency\t%d ms\n", m.P95LatencyMS)
	fmt.Fprintf(tw, "  Messages pending\t%d\n", m.MessagesPending)
	fmt.Fprintf(tw, "  Running workflows\t%d\n", m.RunningWorkflows)
	return tw.Flush()
}

func agents(ctx context.Context, out io.Writer, c *waooaw.Client) error {
	fmt.Fprintln(out, "\nAgents")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  \tNAME\tTIER\tSTATUS\tLAST ACTIVE")
	for a, err := range c.Agents.List(ctx, platform.AgentListOptions{}) {
		if err != nil {
			return fmt.Errorf("agents: %w", err)
		}
		last := "never"
		if a.LastActive != nil {
			last = a.LastActive.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", mark(a.Status), a.Name, a.Tier, a.Status, last)
	}
	return tw.Flush()
}

func alertList(ctx context.Context, out io.Writer, c *waooaw.Client) error {
	fmt.Fprintln(out, "\nActive alerts")
	for a, err := range c.Alerts.List(ctx, platform.AlertListOptions{Status: platform.AlertActive}) {
		if err != nil {
			return fmt.Errorf("alerts: %w", err)
		}
		fmt.Fprintf(out, "  %-8s %s\n", a.Severity, a.Title)
	}
	return nil
}

func queueHealth(ctx context.Context, out io.Writer, c *waooaw.Client) error {
	fmt.Fprintln(out, "\nQueues")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  QUEUE\tSTATUS\tPENDING\tLAG\tDEAD LETTERS")
	for q, err := range c.Queues.List(ctx, queues.ListOptions{}) {
		if err != nil {
			return fmt.Errorf("queues: %w", err)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%d\t%d\n", q.QueueName, q.Status, q.MessagesPending, q.ConsumerLag, q.DLQMessages)
	}
	return tw.Flush()
}

func workflowList(ctx context.Context, out io.Writer, c *waooaw.Client) error {
	fmt.Fprintln(out, "\nWorkflows")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  WORKFLOW\tCUSTOMER\tSTATUS\tPROGRESS\tTASKS")
	for w, err := range c.Workflows.List(ctx, workflows.ListOptions{}) {
		if err != nil {
			return fmt.Errorf("workflows: %w", err)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%d%%\t%d/%d done\n", w.WorkflowName, w.CustomerName, w.Status,
			w.Progress, w.CompletedTasks, w.TotalTasks)
	}
	return tw.Flush()
}

func templates(ctx context.Context, out io.Writer, c *waooaw.Client) error {
	fmt.Fprintln(out, "\nFactory templates")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for t, err := range c.Factory.Templates(ctx, platform.ListOptions{}) {
		if err != nil {
			return fmt.Errorf("templates: %w", err)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", t.TemplateID, t.Name, t.Complexity)
	}
	return tw.Flush()
}

// mark is a status light for terminals.
func mark(s platform.AgentStatus) string {
	switch s {
	case platform.AgentOnline:
		return "●"
	case platform.AgentStarting, platform.AgentProvisioning, platform.AgentStopping:
		return "◐"
	case platform.AgentError:
		return "✖"
	}
	return "○"
}

// connect uses the platform named by WAOOAW_API_URL, or starts an embedded
// mock server and signs in to it as its demo operator.
func connect(ctx context.Context, out io.Writer) (*waooaw.Client, func(), error) {
	if os.Getenv("WAOOAW_API_URL") != "" {
		c, err := waooaw.New(platform.WithUserAgent("waooaw-quickstart"))
		return c, func() {}, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	url := "http://" + ln.Addr().String()
	// The real clock: the sign-in's tokens expire as they would for real.
	srv := mockserver.New(mockserver.WithIssuer(url), mockserver.WithRealClock())
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	stop := func() { hs.Close() }
	fmt.Fprintf(out, "Started an embedded mock server at %s.\n", url)

	p, err := auth.NewProvider(url)
	if err != nil {
		stop()
		return nil, nil, err
	}
	src, err := auth.LoginWithBrowser(ctx, p, auth.WithLoginHint(mockserver.OperatorEmail), auth.WithBrowser(followRedirects))
	if err != nil {
		stop()
		return nil, nil, fmt.Errorf("signing in: %w", err)
	}
	c, err := waooaw.New(platform.WithBaseURL(url), platform.WithTokenSource(src),
		platform.WithUserAgent("waooaw-quickstart"), platform.WithoutEnvironment())
	if err != nil {
		stop()
		return nil, nil, err
	}
	me, err := auth.Me(ctx, c.Platform)
	if err != nil {
		stop()
		return nil, nil, err
	}
	fmt.Fprintf(out, "Signed in with the browser flow as %s <%s>, role %s.\n", me.Name, me.Email, me.Role)
	return c, stop, nil
}

// followRedirects plays the browser: the mock's sign-in page approves at
// once and redirects back to the SDK's loopback listener.
func followRedirects(ctx context.Context, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the sign-in ended with %s", resp.Status)
	}
	return nil
}
