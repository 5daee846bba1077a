package servicing

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"
	"time"

	"github.com/waooaw/waooaw-go/platform"
)

// ErrRolledBack is matched (errors.Is) by the error of Wait when the
// upgrade broke its auto-rollback thresholds and was rolled back: the agent
// kept its version. The Upgrade Wait returns says why (RollbackReason).
var ErrRolledBack = errors.New("servicing: the upgrade was rolled back")

// ErrFailed is matched (errors.Is) by the error of Wait when the upgrade
// failed.
var ErrFailed = errors.New("servicing: the upgrade failed")

// Operation follows one upgrade or rollback: Refresh reads it, Watch yields
// each reading until it ends, Wait returns once it has ended. It is safe for
// concurrent use.
type Operation struct {
	c       *Client
	id      string
	agentID string
	mu      sync.Mutex
	last    Upgrade
}

func (c *Client) newOperation(u *Upgrade) (*Operation, error) {
	if u.UpgradeID == "" {
		return nil, fmt.Errorf("servicing: the platform answered no upgrade_id for agent %s", u.AgentID)
	}
	return &Operation{c: c, id: u.UpgradeID, agentID: u.AgentID, last: *u}, nil
}

// ID is the upgrade's id.
func (o *Operation) ID() string { return o.id }

// AgentID is the id of the agent being upgraded.
func (o *Operation) AgentID() string { return o.agentID }

// Last is the latest reading of the upgrade (the platform's answer to the
// call that started it, until Refresh reads again).
func (o *Operation) Last() Upgrade {
	o.mu.Lock()
	defer o.mu.Unlock()
	u := o.last
	u.Phases = append([]Phase(nil), u.Phases...)
	return u
}

// Progress is the latest reading's progress, 0-100.
func (o *Operation) Progress() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.last.Progress
}

// Done reports whether the latest reading shows the upgrade ended
// (completed, failed or rolled_back).
func (o *Operation) Done() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.last.Status.Terminal()
}

// Refresh reads the upgrade now and keeps the reading (see Last).
func (o *Operation) Refresh(ctx context.Context) (*Upgrade, error) {
	if o == nil || o.c == nil {
		return nil, errNoClient
	}
	u, err := o.c.GetUpgrade(ctx, o.id)
	if err != nil {
		return nil, err
	}
	o.mu.Lock()
	o.last = *u
	o.mu.Unlock()
	return u, nil
}

// Watch reads the upgrade at once and then every poll interval (see
// WithPollInterval), yielding each reading, until it yields one that has
// ended. It also ends after yielding an error (from Refresh, or ctx's error
// once ctx is done: waits end at once) or when the loop stops early. Use it
// to show progress:
//
//	for u, err := range op.Watch(ctx) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(u) // upg-0007 wow-memory 0.4.2→0.4.3 canary in_progress 40% canary_50
//	}
func (o *Operation) Watch(ctx context.Context) iter.Seq2[Upgrade, error] {
	return func(yield func(Upgrade, error) bool) {
		read := func(ctx context.Context) (Upgrade, error) {
			u, err := o.Refresh(ctx)
			if err != nil {
				return Upgrade{}, err
			}
			return *u, nil
		}
		done := func(u Upgrade) bool { return u.Status.Terminal() }
		for u, err := range platform.Poll(ctx, o.interval(), read, done) {
			if err != nil && errors.Is(err, ctx.Err()) { // the wait ended: say which
				err = fmt.Errorf("servicing: watch upgrade %s: %w", o.id, err)
			}
			if !yield(u, err) {
				return
			}
		}
	}
}

// interval is how long Watch waits between two readings; a nil Operation
// (whose Refresh fails at once) never waits.
func (o *Operation) interval() time.Duration {
	if o == nil || o.c == nil {
		return 0
	}
	return o.c.poll
}

// Wait reads the upgrade until it has ended and returns the last reading:
// with a nil error when it completed (the agent runs ToVersion), with an
// error matching ErrRolledBack when it was rolled back (the agent kept
// FromVersion; RollbackReason says why) and ErrFailed when it failed. It
// gives up with ctx's error when ctx is done (waits end at once) and with
// Refresh's error when a read fails.
func (o *Operation) Wait(ctx context.Context) (*Upgrade, error) {
	var last *Upgrade
	for u, err := range o.Watch(ctx) {
		if err != nil {
			return last, err
		}
		last = &u
	}
	if last == nil {
		return nil, fmt.Errorf("servicing: wait for upgrade %s: stopped", o.id)
	}
	switch last.Status {
	case UpgradeRolledBack:
		why := last.RollbackReason
		if why == "" {
			why = "no reason given"
		}
		return last, fmt.Errorf("servicing: upgrade %s of agent %s to %s: %s: %w", o.id, last.AgentID, last.ToVersion, why, ErrRolledBack)
	case UpgradeFailed:
		return last, fmt.Errorf("servicing: upgrade %s of agent %s to %s: %w", o.id, last.AgentID, last.ToVersion, ErrFailed)
	}
	return last, nil
}
