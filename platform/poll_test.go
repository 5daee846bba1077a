package platform_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/waooaw/waooaw-go/platform"
)

func TestPollUntilDone(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		n := 0
		read := func(context.Context) (int, error) { n++; return n, nil }
		var got []int
		for v, err := range platform.Poll(context.Background(), time.Second, read, func(v int) bool { return v == 3 }) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, v)
		}
		if len(got) != 3 || got[2] != 3 {
			t.Errorf("readings %v", got)
		}
		if d := time.Since(start); d != 2*time.Second {
			t.Errorf("waited %v, want 2s (two intervals)", d)
		}
	})
}

func TestPollStopsOnErrorsBreakAndCancel(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	never := func(int) bool { return false }
	synctest.Test(t, func(t *testing.T) {
		// A failed read is yielded once and ends the loop.
		calls := 0
		failing := func(context.Context) (int, error) { calls++; return 0, boom }
		for _, err := range platform.Poll(context.Background(), time.Second, failing, never) {
			if !errors.Is(err, boom) {
				t.Errorf("err %v", err)
			}
		}
		if calls != 1 {
			t.Errorf("%d reads after a failure", calls)
		}
		// Breaking out reads no more.
		calls = 0
		counting := func(context.Context) (int, error) { calls++; return calls, nil }
		for range platform.Poll(context.Background(), time.Second, counting, never) {
			break
		}
		if calls != 1 {
			t.Errorf("%d reads after break", calls)
		}
		// Cancelling during a wait ends it at once with ctx's error.
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(1500*time.Millisecond, cancel)
		start := time.Now()
		var last error
		for _, err := range platform.Poll(ctx, time.Hour, counting, never) {
			last = err
		}
		if !errors.Is(last, context.Canceled) || time.Since(start) != 1500*time.Millisecond {
			t.Errorf("cancel: %v after %v", last, time.Since(start))
		}
	})
}
