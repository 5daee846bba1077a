// Quickstart is the first program to run: it prints the platform's
// dashboard, metric cards then agents.
//
//	go run ./examples/quickstart
//
// With no configuration it starts an embedded mock server on loopback and
// signs in as its demo operator. Set WAOOAW_API_URL (and WAOOAW_TOKEN, or
// WAOOAW_CLIENT_ID and WAOOAW_CLIENT_SECRET) to run it against a real
// platform or a mock server started with `go run ./cmd/waooaw-mock`.
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

	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
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
	pc, stop, err := connect(out)
	if err != nil {
		return err
	}
	defer stop()

	m, err := pc.Metrics(ctx)
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
	tw.Flush()

	fmt.Fprintln(out, "\nAgents")
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  \tNAME\tTIER\tSTATUS\tLAST ACTIVE")
	for a, err := range pc.Agents.List(ctx, platform.AgentListOptions{}) {
		if err != nil {
			return fmt.Errorf("agents: %w", err)
		}
		last := "never"
		if a.LastActive != nil {
			last = a.LastActive.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", mark(a.Status), a.Name, a.Tier, a.Status, last)
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
// mock server and signs in as its demo operator.
func connect(out io.Writer) (*platform.Client, func(), error) {
	if os.Getenv("WAOOAW_API_URL") != "" {
		pc, err := platform.New(platform.WithUserAgent("waooaw-quickstart"))
		return pc, func() {}, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	url := "http://" + ln.Addr().String()
	srv := mockserver.New(mockserver.WithIssuer(url))
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	stop := func() { hs.Close() }
	fmt.Fprintf(out, "Started an embedded mock server at %s; signed in as %s.\n", url, mockserver.OperatorEmail)
	pc, err := platform.New(
		platform.WithBaseURL(url),
		platform.WithTokenSource(srv.TokenSource(mockserver.OperatorEmail)),
		platform.WithUserAgent("waooaw-quickstart"),
		platform.WithoutEnvironment(),
	)
	if err != nil {
		stop()
		return nil, nil, err
	}
	return pc, stop, nil
}
