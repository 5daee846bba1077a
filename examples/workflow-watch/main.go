// Workflow-watch follows a running workflow to its end, redrawing its text
// Gantt chart at each reading.
//
//	go run ./examples/workflow-watch [-id wf-001] [-interval 2s] [-width 60]
//
// With no configuration it starts an embedded mock server, signs in as its
// demo operator, and follows the seeded "Customer Onboarding" workflow of
// Acme Corp. The mock's clock only moves when told to, so after each reading
// the program moves it forward by -step itself: a workflow that takes
// minutes ends in a second or two.
//
// Set WAOOAW_API_URL (and WAOOAW_TOKEN, or WAOOAW_CLIENT_ID and
// WAOOAW_CLIENT_SECRET) to follow a workflow of a real platform, or of a
// mock server started with `go run ./cmd/waooaw-mock`: the program then
// only polls, every -interval, and the workflow moves on the server's own
// clock. Charts are drawn at the platform's time as the workflow shows it
// (Workflow.AsOf), never the local clock's.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/waooaw/waooaw-go"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/workflows"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "workflow-watch:", err)
		os.Exit(1)
	}
}

// config is what the flags say.
type config struct {
	id       string
	interval time.Duration
	step     time.Duration
	width    int
	redraw   bool
}

func parseFlags(args []string, out io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("workflow-watch", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&c.id, "id", "", "the workflow to follow (default: the first running one)")
	fs.DurationVar(&c.interval, "interval", 0, "time between readings (default 2s, or 100ms against the embedded mock server)")
	fs.DurationVar(&c.step, "step", time.Minute, "how far to move the embedded mock server's clock after each reading")
	fs.IntVar(&c.width, "width", 60, fmt.Sprintf("columns of the chart's bars (%d-%d)", workflows.MinTextWidth, workflows.MaxTextWidth))
	fs.BoolVar(&c.redraw, "redraw", isTerminal(out), "clear the screen before each chart (default: when writing to a terminal)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("unexpected arguments %q: use -id to name the workflow", fs.Args())
	case c.interval < 0:
		return c, fmt.Errorf("-interval %v is negative", c.interval)
	case c.step <= 0:
		return c, fmt.Errorf("-step %v must be positive", c.step)
	case c.width < workflows.MinTextWidth || c.width > workflows.MaxTextWidth:
		return c, fmt.Errorf("-width %d: use %d to %d columns", c.width, workflows.MinTextWidth, workflows.MaxTextWidth)
	}
	return c, nil
}

func run(ctx context.Context, args []string, out io.Writer, getenv func(string) string) error {
	cfg, err := parseFlags(args, out)
	if err != nil {
		return err
	}
	c, advance, err := connect(out, getenv, cfg.interval)
	if err != nil {
		return err
	}
	wf := c.Workflows
	if cfg.id == "" {
		if cfg.id, err = firstRunning(ctx, wf); err != nil {
			return err
		}
	}

	var last workflows.Workflow
	readings := 0
	for w, err := range wf.Watch(ctx, cfg.id) {
		if err != nil {
			return fmt.Errorf("following %s: %w", cfg.id, err)
		}
		readings++
		last = w
		if err := draw(out, w, readings, cfg); err != nil {
			return err
		}
		if advance != nil && !w.Status.Terminal() {
			advance(cfg.step)
		}
	}
	return summary(out, last)
}

// firstRunning is the id of the first running workflow.
func firstRunning(ctx context.Context, wf *workflows.Client) (string, error) {
	for w, err := range wf.List(ctx, workflows.ListOptions{Status: workflows.StatusRunning}) {
		if err != nil {
			return "", fmt.Errorf("listing running workflows: %w", err)
		}
		return w.WorkflowID, nil
	}
	return "", errors.New("no workflow is running: name one with -id")
}

// draw writes one reading: a header and the Gantt chart at the platform's
// time as the workflow shows it.
func draw(out io.Writer, w workflows.Workflow, reading int, cfg config) error {
	tl, err := workflows.NewTimeline(w, w.AsOf())
	if err != nil {
		return fmt.Errorf("timeline of %s: %w", w.WorkflowID, err)
	}
	if cfg.redraw {
		fmt.Fprint(out, "\x1b[H\x1b[2J") // home, clear screen
	} else if reading > 1 {
		fmt.Fprintln(out)
	}
	fmt.Fprintf(out, "── %s · reading %d · %s · %s · %d%% (%d of %d tasks done",
		w.WorkflowID, reading, w.AsOf().Format(time.TimeOnly), w.Status, w.Progress, w.CompletedTasks, w.TotalTasks)
	if w.FailedTasks > 0 {
		fmt.Fprintf(out, ", %d failed", w.FailedTasks)
	}
	fmt.Fprintln(out, ")")
	return tl.WriteText(out, cfg.width)
}

// summary says how the workflow ended, and what to do about a failure.
func summary(out io.Writer, w workflows.Workflow) error {
	if w.WorkflowID == "" {
		return nil
	}
	took := ""
	if w.StartedAt != nil && w.CompletedAt != nil {
		took = " after " + w.CompletedAt.Sub(*w.StartedAt).String()
	}
	fmt.Fprintf(out, "\n%s %q for %s ended %s%s.\n", w.WorkflowID, w.WorkflowName, w.CustomerName, w.Status, took)
	for _, t := range w.Tasks {
		if t.Status == workflows.TaskFailed {
			fmt.Fprintf(out, "  %s (%s) failed: %s — retry it with workflows.Client.RetryTask(ctx, %q, %q)\n",
				t.TaskName, t.TaskID, t.Error, w.WorkflowID, t.TaskID)
		}
	}
	return nil
}

// connect uses the platform named by WAOOAW_API_URL (advance is nil: the
// platform's clock moves by itself), or builds an embedded mock server,
// signed in as its demo operator, whose clock advance moves.
func connect(out io.Writer, getenv func(string) string, interval time.Duration) (c *waooaw.Client, advance func(time.Duration), err error) {
	opts := []platform.Option{platform.WithUserAgent("waooaw-workflow-watch")}
	if getenv("WAOOAW_API_URL") != "" {
		if interval > 0 {
			opts = append(opts, platform.WithPollInterval(interval))
		}
		c, err = waooaw.New(opts...)
		return c, nil, err
	}
	if interval == 0 {
		interval = 100 * time.Millisecond
	}
	srv := mockserver.New()
	fmt.Fprintf(out, "Using an embedded mock server, signed in as %s. Its clock (%s) moves only when\nthis program moves it: by -step after each reading.\n",
		mockserver.OperatorEmail, srv.Now().Format(time.RFC3339))
	c, err = waooaw.New(append(srv.ClientOptions(mockserver.OperatorEmail), append(opts, platform.WithPollInterval(interval))...)...)
	if err != nil {
		return nil, nil, err
	}
	return c, func(d time.Duration) { srv.Advance(d) }, nil
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
