// Integration-test is a small application, agent-reviver, and the
// integration tests a team would write for it against the mock server
// (reviver_test.go). The application restarts every agent in the error
// state and reports what it did.
//
//	go run ./examples/integration-test          # against an embedded mock server
//	go test ./examples/integration-test         # its integration tests
//
// Set WAOOAW_API_URL and WAOOAW_TOKEN to run it against a platform.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	waooaw "github.com/waooaw/waooaw-go"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
)

// Report is what a revival did.
type Report struct {
	Restarted []string         // agents restarted
	Failed    map[string]error // agents that could not be restarted, and why
}

// Revive restarts every agent in the error state. It goes on past an agent
// it cannot restart and reports it.
func Revive(ctx context.Context, c *waooaw.Client) (Report, error) {
	r := Report{Failed: map[string]error{}}
	var broken []string
	for a, err := range c.Agents.List(ctx, platform.AgentListOptions{Status: platform.AgentError}) {
		if err != nil {
			return r, fmt.Errorf("listing agents: %w", err)
		}
		broken = append(broken, a.AgentID)
	}
	for _, id := range broken {
		if _, err := c.Agents.Restart(ctx, id); err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return r, err
			}
			r.Failed[id] = err
			continue
		}
		r.Restarted = append(r.Restarted, id)
	}
	return r, nil
}

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "agent-reviver:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	var opts []platform.Option
	if os.Getenv("WAOOAW_API_URL") == "" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		url := "http://" + ln.Addr().String()
		srv := mockserver.New(mockserver.WithIssuer(url))
		hs := &http.Server{Handler: srv, ReadHeaderTimeout: 5 * time.Second}
		go hs.Serve(ln)
		defer hs.Close()
		fmt.Fprintf(out, "using an embedded mock server at %s\n", url)
		opts = append(opts, platform.WithBaseURL(url), platform.WithoutEnvironment(),
			platform.WithTokenSource(srv.TokenSource(mockserver.OperatorEmail)))
	}
	c, err := waooaw.New(append(opts, platform.WithUserAgent("agent-reviver/1.0"))...)
	if err != nil {
		return err
	}
	r, err := Revive(ctx, c)
	if err != nil {
		return err
	}
	for _, id := range r.Restarted {
		fmt.Fprintf(out, "restarted %s\n", id)
	}
	for id, err := range r.Failed {
		fmt.Fprintf(out, "could not restart %s: %v\n", id, err)
	}
	if len(r.Restarted)+len(r.Failed) == 0 {
		fmt.Fprintln(out, "no agent in the error state")
	}
	return nil
}
