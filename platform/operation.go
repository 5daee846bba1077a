package platform

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"
	"time"
)

// Operation follows one piece of long work on the platform, such as a
// deployment (factory) or an upgrade (servicing), through readings of type
// T: Refresh reads it once, Watch yields each reading until it is done,
// Wait returns the last reading once it is done. It is safe for concurrent
// use. Area packages make them with NewOperation.
type Operation[T any] struct {
	what  string // e.g. "factory: deployment", for messages
	id    string
	read  func(ctx context.Context, id string) (*T, error)
	judge func(T) OperationState
	pc    *Client // paces Watch (PollInterval)

	mu   sync.Mutex
	last T
}

// OperationState is what an area says about one reading of an Operation.
type OperationState struct {
	Done     bool  // the work has ended and will not change any more
	Progress int   // 0-100
	Err      error // why it ended badly (Wait returns it), nil otherwise
}

// NewOperation returns the Operation that follows the work id through pc
// (whose PollInterval paces Watch and Wait). first is what is known before
// any read (the answer of the call that started the work), read fetches
// one reading, and judge says what a reading means. what names the work
// in messages, e.g. "factory: deployment".
func NewOperation[T any](pc *Client, what, id string, first T, read func(ctx context.Context, id string) (*T, error), judge func(T) OperationState) *Operation[T] {
	return &Operation[T]{what: what, id: id, read: read, judge: judge, pc: pc, last: first}
}

var errNilOperation = errors.New("platform: nil Operation")

// ID is the id of the work (a deployment id, an upgrade id).
func (o *Operation[T]) ID() string {
	if o == nil {
		return ""
	}
	return o.id
}

// Last is the latest reading: the answer of the call that started the work
// until Refresh, Watch or Wait read again. When T has a Clone method (as
// factory.Deployment and servicing.Upgrade do), Last returns a clone, so
// changing it changes no other caller's copy.
func (o *Operation[T]) Last() T {
	var zero T
	if o == nil {
		return zero
	}
	o.mu.Lock()
	last := o.last
	o.mu.Unlock()
	if c, ok := any(last).(interface{ Clone() T }); ok {
		return c.Clone()
	}
	return last
}

// Progress is the latest reading's progress, 0-100.
func (o *Operation[T]) Progress() int {
	if o == nil {
		return 0
	}
	return o.judge(o.Last()).Progress
}

// Done reports whether the latest reading shows the work ended, well or
// badly.
func (o *Operation[T]) Done() bool {
	if o == nil {
		return false
	}
	return o.judge(o.Last()).Done
}

// Refresh reads the work now and keeps the reading (see Last).
func (o *Operation[T]) Refresh(ctx context.Context) (*T, error) {
	if o == nil || o.read == nil {
		return nil, errNilOperation
	}
	v, err := o.read(ctx, o.id)
	if err != nil {
		return nil, err
	}
	o.mu.Lock()
	o.last = *v
	o.mu.Unlock()
	return v, nil
}

// Watch reads the work at once and then every poll interval
// (WithPollInterval), yielding each reading, until it yields one that is
// done. It ends after yielding an error too: a failed read, or ctx's error
// once ctx is done (waits end at once). Breaking out of the loop stops it.
// Use it to show progress:
//
//	for d, err := range op.Watch(ctx) {
//		if err != nil {
//			return err
//		}
//		fmt.Printf("%3d%%\n", op.Progress())
//	}
func (o *Operation[T]) Watch(ctx context.Context) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if o == nil || o.read == nil {
			yield(zero, errNilOperation)
			return
		}
		read := func(ctx context.Context) (T, error) {
			v, err := o.Refresh(ctx)
			if err != nil {
				return zero, err
			}
			return *v, nil
		}
		done := func(v T) bool { return o.judge(v).Done }
		for v, err := range Poll(ctx, o.interval(), read, done) {
			if err != nil && errors.Is(err, ctx.Err()) { // the wait ended: say which
				err = fmt.Errorf("%s %s: watch: %w", o.what, o.id, err)
			}
			if !yield(v, err) {
				return
			}
		}
	}
}

func (o *Operation[T]) interval() time.Duration {
	if o.pc == nil {
		return DefaultPollInterval
	}
	return o.pc.PollInterval()
}

// Wait reads the work until it is done and returns the last reading, with
// the error the area gives for work that ended badly (a failed deployment,
// a rolled-back upgrade: see the area's sentinels). It gives up with ctx's
// error when ctx is done and with the read's error when a read fails,
// returning the last good reading too (nil when there was none).
func (o *Operation[T]) Wait(ctx context.Context) (*T, error) {
	var last *T
	for v, err := range o.Watch(ctx) {
		if err != nil {
			return last, err
		}
		last = &v
	}
	if last == nil {
		return nil, fmt.Errorf("%s %s: wait: stopped before any reading", o.what, o.id)
	}
	return last, o.judge(*last).Err
}
