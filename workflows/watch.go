package workflows

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/waooaw/waooaw-go/platform"
)

// ErrEnded is returned by WaitFor when the workflow reached a terminal status
// (completed, failed or cancelled) that its condition does not accept: it
// will not change on its own, so waiting longer is pointless. Check with
// errors.Is.
var ErrEnded = errors.New("workflows: the workflow ended without meeting the condition")

// Watch follows a workflow: it reads it at once and then every poll
// interval of the platform client (platform.WithPollInterval), yielding
// each reading. It ends after yielding a workflow in a terminal status (see
// Status.Terminal), after yielding an error (from Get, or ctx's error once
// ctx is done: waits end at once), or when the loop stops early.
//
// Readings are yielded whether or not anything changed, so a caller can
// redraw running tasks as their durations grow; draw them with
// NewTimeline(w, w.AsOf()) to use the platform's clock rather than the local
// one.
func (c *Client) Watch(ctx context.Context, id string) iter.Seq2[Workflow, error] {
	return func(yield func(Workflow, error) bool) {
		if c == nil || c.pc == nil {
			yield(Workflow{}, errNoClient)
			return
		}
		read := func(ctx context.Context) (Workflow, error) {
			w, err := c.Get(ctx, id)
			if err != nil {
				return Workflow{}, err
			}
			return *w, nil
		}
		done := func(w Workflow) bool { return w.Status.Terminal() }
		for w, err := range platform.Poll(ctx, c.pc.PollInterval(), read, done) {
			if err != nil && errors.Is(err, ctx.Err()) { // the wait ended: say which
				err = fmt.Errorf("workflows: watch %s: %w", id, err)
			}
			if !yield(w, err) {
				return
			}
		}
	}
}

// WaitFor reads a workflow as Watch does until cond accepts a reading, and
// returns that reading. For example, to wait until it has ended:
//
//	w, err := wf.WaitFor(ctx, "wf-001", func(w workflows.Workflow) bool { return w.Status.Terminal() })
//
// It gives up with ErrEnded, returning the last reading too, when the
// workflow reaches a terminal status that cond does not accept; with ctx's
// error when ctx is done (waits end at once); and with Get's error when a
// read fails. A nil cond is an error.
func (c *Client) WaitFor(ctx context.Context, id string, cond func(Workflow) bool) (*Workflow, error) {
	if cond == nil {
		return nil, fmt.Errorf("workflows: wait for %s: nil condition", id)
	}
	var last *Workflow
	for w, err := range c.Watch(ctx, id) {
		if err != nil {
			return last, err
		}
		last = &w
		if cond(w) {
			return last, nil
		}
		if w.Status.Terminal() {
			return last, fmt.Errorf("workflows: wait for %s: it is %s: %w", id, w.Status, ErrEnded)
		}
	}
	// Watch ends only after an error or a terminal status, both handled.
	return last, fmt.Errorf("workflows: wait for %s: stopped", id)
}

// AsOf is the latest time w's own fields show the platform had reached
// when it sent w: the latest of the workflow's times, its tasks' start and
// end times and, for running tasks, the start plus the duration so far.
// Pass it to NewTimeline as now when the local clock may not be the
// platform's (a mock server with a frozen or advanced clock), so running
// bars end where the platform says they do. It is exact while no task has
// been paused; after a pause it trails the platform's clock by the paused
// time, as running tasks' durations do.
func (w Workflow) AsOf() time.Time {
	at := w.CreatedAt
	later := func(t *time.Time) {
		if t != nil && t.After(at) {
			at = *t
		}
	}
	later(w.StartedAt)
	later(w.CompletedAt)
	for _, t := range w.Tasks {
		later(t.StartedAt)
		later(t.CompletedAt)
		if t.Status == TaskRunning && t.StartedAt != nil && t.DurationMS != nil {
			end := t.StartedAt.Add(millis(*t.DurationMS))
			later(&end)
		}
	}
	return at
}
