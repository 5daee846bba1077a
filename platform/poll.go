package platform

import (
	"context"
	"iter"
	"time"
)

// Poll reads something at once and then every interval, yielding each
// reading, until done accepts one (it is yielded, then Poll ends), a read
// fails (its error is yielded), or ctx is done (ctx's error is yielded: the
// wait ends at once). Breaking out of the loop stops it too. Area packages
// build their Watch and Wait methods for long work (deployments, upgrades,
// workflows) on it.
func Poll[T any](ctx context.Context, interval time.Duration, read func(context.Context) (T, error), done func(T) bool) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		for {
			v, err := read(ctx)
			if err != nil {
				yield(zero, err)
				return
			}
			if !yield(v, nil) || done(v) {
				return
			}
			if err := Sleep(ctx, interval); err != nil {
				yield(zero, err)
				return
			}
		}
	}
}

// Sleep waits d, or until ctx is done and then returns ctx's error.
func Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
