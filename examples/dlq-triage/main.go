// Dlq-triage clears the platform's dead-letter queues the way an operator
// would: it lists the queues, retries each dead letter whose error looks
// transient (timeouts, 429 and 5xx answers, dropped connections), deletes
// the rest, and prints a summary.
//
//	go run ./examples/dlq-triage            # act
//	go run ./examples/dlq-triage -dry-run   # only say what it would do
//	go run ./examples/dlq-triage -v         # one line per message
//
// With no configuration it runs an embedded mock server in-process and
// signs in as its demo operator. Set WAOOAW_API_URL (and WAOOAW_TOKEN, or
// WAOOAW_CLIENT_ID and WAOOAW_CLIENT_SECRET) to run it against a real
// platform or a mock server started with `go run ./cmd/waooaw-mock`; it
// needs the operator role to act.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	waooaw "github.com/waooaw/waooaw-go"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/queues"
)

func main() {
	var opts options
	flag.BoolVar(&opts.dryRun, "dry-run", false, "say what would be retried and deleted, change nothing")
	flag.BoolVar(&opts.verbose, "v", false, "print one line per dead letter")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c, stop, err := connect(os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dlq-triage:", err)
		os.Exit(1)
	}
	defer stop()
	if err := run(ctx, os.Stdout, c.Queues, opts); err != nil {
		fmt.Fprintln(os.Stderr, "dlq-triage:", err)
		stop()
		os.Exit(1)
	}
}

type options struct {
	dryRun  bool
	verbose bool
}

// tally is what triage did to one queue.
type tally struct {
	queue            string
	retried, deleted int
	// gone counts messages that left the DLQ before we acted (another
	// operator got there first): not an error.
	gone int
}

func run(ctx context.Context, out io.Writer, qc *queues.Client, opts options) error {
	fmt.Fprintln(out, "\nQueues")
	names, err := printQueues(ctx, out, qc)
	if err != nil {
		return err
	}

	if opts.verbose {
		fmt.Fprintln(out, "\nDead letters")
	}
	var tallies []tally
	for _, name := range names {
		t, err := triage(ctx, out, qc, name, opts)
		if err != nil {
			return err
		}
		tallies = append(tallies, t)
	}

	title := "Summary"
	if opts.dryRun {
		title = "Summary (dry run: nothing changed)"
	}
	fmt.Fprintln(out, "\n"+title)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  QUEUE\tRETRIED\tDELETED\tGONE")
	var total tally
	for _, t := range tallies {
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\n", t.queue, t.retried, t.deleted, t.gone)
		total.retried += t.retried
		total.deleted += t.deleted
		total.gone += t.gone
	}
	fmt.Fprintf(tw, "  total\t%d\t%d\t%d\n", total.retried, total.deleted, total.gone)
	if err := tw.Flush(); err != nil || opts.dryRun {
		return err
	}

	fmt.Fprintln(out, "\nQueues after triage (retried messages wait their turn on the queue)")
	_, err = printQueues(ctx, out, qc)
	return err
}

// printQueues prints the queues' health and returns the names of those
// with dead letters.
func printQueues(ctx context.Context, out io.Writer, qc *queues.Client) ([]string, error) {
	var names []string
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  QUEUE\tSTATUS\tPENDING\tLAG\tERRORS\tDEAD LETTERS")
	for q, err := range qc.List(ctx, queues.ListOptions{}) {
		if err != nil {
			return nil, fmt.Errorf("listing queues: %w", err)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%d\t%.2f%%\t%d\n", q.QueueName, q.Status, q.MessagesPending,
			q.ConsumerLag, q.ErrorRate*100, q.DLQMessages)
		if q.DLQMessages > 0 {
			names = append(names, q.QueueName)
		}
	}
	return names, tw.Flush()
}

// triage retries or deletes every dead letter of one queue. Acting while
// iterating is safe: the DLQ's pages never skip a message.
func triage(ctx context.Context, out io.Writer, qc *queues.Client, name string, opts options) (tally, error) {
	t := tally{queue: name}
	for m, err := range qc.DLQ(ctx, name, queues.DLQOptions{}) {
		if err != nil {
			return t, fmt.Errorf("listing the dead letters of %s: %w", name, err)
		}
		retry := looksTransient(m.Error)
		action := "delete"
		if retry {
			action = "retry"
		}
		if opts.verbose {
			fmt.Fprintf(out, "  %-6s %s: %s\n", action, m.MessageID, m.Error)
		}
		if !opts.dryRun {
			if retry {
				_, err = qc.Retry(ctx, name, m.MessageID)
			} else {
				err = qc.Delete(ctx, name, m.MessageID)
			}
		}
		switch {
		case errors.Is(err, platform.ErrNotFound):
			t.gone++
		case err != nil:
			return t, err
		case retry:
			t.retried++
		default:
			t.deleted++
		}
	}
	return t, nil
}

// transientMarks are bits of error text that mean "try again later".
var transientMarks = []string{
	"timeout", "timed out", "deadline exceeded",
	"connection reset", "connection refused", "broken pipe",
	"429", "too many requests", "502", "bad gateway", "503", "service unavailable", "504", "gateway timeout",
	"try again", "temporarily",
}

// looksTransient reports whether a delivery that failed with this error
// may succeed if tried again.
func looksTransient(msg string) bool {
	msg = strings.ToLower(msg)
	for _, m := range transientMarks {
		if strings.Contains(msg, m) {
			return true
		}
	}
	return false
}

// connect uses the platform named by WAOOAW_API_URL, or starts an embedded
// mock server and signs in as its demo operator.
func connect(out io.Writer) (c *waooaw.Client, stop func(), err error) {
	if os.Getenv("WAOOAW_API_URL") != "" {
		c, err = waooaw.New(platform.WithUserAgent("waooaw-dlq-triage"))
		return c, func() {}, err
	}
	srv := mockserver.New()
	fmt.Fprintf(out, "Using an embedded mock server (in-process); signed in as %s.\n", mockserver.OperatorEmail)
	c, err = waooaw.New(append(srv.ClientOptions(mockserver.OperatorEmail), platform.WithUserAgent("waooaw-dlq-triage"))...)
	if err != nil {
		return nil, nil, err
	}
	return c, func() {}, nil
}
