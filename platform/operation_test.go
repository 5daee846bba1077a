package platform_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/waooaw/waooaw-go/platform"
)

// job is a reading of some long work, with a slice so Clone matters.
type job struct {
	ID     string
	Status string // pending, running, done, failed
	Pct    int
	Notes  []string
}

func (j job) Clone() job { j.Notes = slices.Clone(j.Notes); return j }

var errJobFailed = errors.New("the job failed")

func judgeJob(j job) platform.OperationState {
	st := platform.OperationState{Done: j.Status == "done" || j.Status == "failed", Progress: j.Pct}
	if j.Status == "failed" {
		st.Err = fmt.Errorf("job %s: %w", j.ID, errJobFailed)
	}
	return st
}

// script is a read function that answers readings in turn (the last one
// repeats, a nil one is a failed read) and records when it was called.
type script struct {
	mu    sync.Mutex
	steps []*job
	at    []time.Duration
	start time.Time
}

var errRead = errors.New("read failed")

func (s *script) read(ctx context.Context, id string) (*job, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.at = append(s.at, time.Since(s.start))
	j := s.steps[min(len(s.at), len(s.steps))-1]
	if j == nil {
		return nil, errRead
	}
	c := j.Clone()
	c.ID = id
	return &c, nil
}

func (s *script) reads() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.at)
}

func newJobOp(t *testing.T, poll time.Duration, steps ...*job) (*platform.Operation[job], *script) {
	t.Helper()
	pc, err := platform.New(platform.WithBaseURL("http://op.invalid"), platform.WithoutEnvironment(), platform.WithPollInterval(poll))
	if err != nil {
		t.Fatal(err)
	}
	s := &script{steps: steps, start: time.Now()}
	first := job{ID: "job-1", Status: "pending"}
	return platform.NewOperation(pc, "test: job", "job-1", first, s.read, judgeJob), s
}

func TestOperationWait(t *testing.T) {
	t.Parallel()
	running := &job{Status: "running", Pct: 40}
	for _, tc := range []struct {
		name      string
		steps     []*job
		timeout   time.Duration
		want      string // the returned reading's status, "" for none
		wantErr   error
		wantReads []time.Duration
	}{
		{"done", []*job{running, {Status: "running", Pct: 80}, {Status: "done", Pct: 100}}, 0,
			"done", nil, []time.Duration{0, time.Second, 2 * time.Second}},
		{"failed", []*job{running, {Status: "failed", Pct: 40}}, 0,
			"failed", errJobFailed, []time.Duration{0, time.Second}},
		{"a read fails", []*job{running, nil}, 0,
			"running", errRead, []time.Duration{0, time.Second}},
		{"the first read fails", []*job{nil}, 0,
			"", errRead, []time.Duration{0}},
		{"deadline", []*job{running}, 2500 * time.Millisecond,
			"running", context.DeadlineExceeded, []time.Duration{0, time.Second, 2 * time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				op, s := newJobOp(t, time.Second, tc.steps...)
				ctx := context.Background()
				if tc.timeout > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tc.timeout)
					defer cancel()
				}
				j, err := op.Wait(ctx)
				if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
					t.Errorf("Wait: %v, want %v", err, tc.wantErr)
				}
				if errors.Is(err, context.DeadlineExceeded) && !strings.Contains(err.Error(), "test: job job-1") {
					t.Errorf("the deadline's error %q does not name the work", err)
				}
				switch {
				case tc.want == "" && j != nil:
					t.Errorf("Wait returned %+v, want no reading", j)
				case tc.want != "" && (j == nil || j.Status != tc.want):
					t.Errorf("Wait returned %+v, want a %s reading", j, tc.want)
				}
				if got := s.reads(); !slices.Equal(got, tc.wantReads) {
					t.Errorf("reads at %v, want %v", got, tc.wantReads)
				}
				if tc.want != "" && op.Last().Status != tc.want {
					t.Errorf("Last() is %s after Wait, want %s", op.Last().Status, tc.want)
				}
			})
		})
	}
}

func TestOperationStateAndLast(t *testing.T) {
	t.Parallel()
	op, _ := newJobOp(t, time.Millisecond, &job{Status: "running", Pct: 55, Notes: []string{"a"}}, &job{Status: "done", Pct: 100})
	if op.ID() != "job-1" || op.Done() || op.Progress() != 0 || op.Last().Status != "pending" {
		t.Errorf("before any read: id %q done %v progress %d last %+v", op.ID(), op.Done(), op.Progress(), op.Last())
	}
	j, err := op.Refresh(t.Context())
	if err != nil || j.Status != "running" {
		t.Fatalf("Refresh: %+v %v", j, err)
	}
	if op.Done() || op.Progress() != 55 {
		t.Errorf("after a running reading: done %v progress %d", op.Done(), op.Progress())
	}
	last := op.Last()
	last.Notes[0] = "changed"
	if op.Last().Notes[0] != "a" {
		t.Error("Last() shares its slices with the caller although T has Clone")
	}
	if _, err := op.Refresh(t.Context()); err != nil || !op.Done() || op.Progress() != 100 {
		t.Errorf("after a done reading: done %v progress %d (%v)", op.Done(), op.Progress(), err)
	}
}

func TestOperationWatch(t *testing.T) {
	t.Parallel()
	t.Run("yields each reading until done", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			op, _ := newJobOp(t, time.Second, &job{Status: "running", Pct: 10}, &job{Status: "running", Pct: 10},
				&job{Status: "done", Pct: 100}, &job{Status: "running"})
			var got []string
			for j, err := range op.Watch(context.Background()) {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, fmt.Sprintf("%s %d", j.Status, j.Pct))
			}
			want := []string{"running 10", "running 10", "done 100"}
			if !slices.Equal(got, want) {
				t.Errorf("Watch yielded %v, want %v (unchanged readings too, nothing after done)", got, want)
			}
		})
	})
	t.Run("breaking out stops reading", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			op, s := newJobOp(t, time.Second, &job{Status: "running"})
			for range op.Watch(context.Background()) {
				break
			}
			time.Sleep(time.Minute)
			if n := len(s.reads()); n != 1 {
				t.Errorf("%d reads after the loop stopped at the first, want 1", n)
			}
		})
	})
	t.Run("cancelled while waiting", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			op, _ := newJobOp(t, time.Hour, &job{Status: "running"})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			start := time.Now()
			var errs []error
			for _, err := range op.Watch(ctx) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				time.AfterFunc(time.Minute, cancel)
			}
			if len(errs) != 1 || !errors.Is(errs[0], context.Canceled) || time.Since(start) != time.Minute {
				t.Errorf("errors %v after %v, want one context.Canceled when cancelled (1m)", errs, time.Since(start))
			}
		})
	})
	t.Run("Last while watching", func(t *testing.T) {
		t.Parallel()
		op, _ := newJobOp(t, time.Millisecond, &job{Status: "running", Notes: []string{"x"}}, &job{Status: "running", Notes: []string{"y"}},
			&job{Status: "done", Notes: []string{"z"}})
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for !op.Done() {
					_ = op.Last().Notes
					_ = op.Progress()
				}
			})
		}
		if _, err := op.Wait(t.Context()); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
	})
}

func TestNilOperation(t *testing.T) {
	t.Parallel()
	var op *platform.Operation[job]
	if op.ID() != "" || op.Done() || op.Progress() != 0 || op.Last().Status != "" {
		t.Error("a nil Operation reports state")
	}
	if _, err := op.Refresh(t.Context()); err == nil {
		t.Error("Refresh of a nil Operation: no error")
	}
	if j, err := op.Wait(t.Context()); err == nil || j != nil {
		t.Errorf("Wait of a nil Operation: %+v, %v", j, err)
	}
	n := 0
	for _, err := range op.Watch(t.Context()) {
		if n++; err == nil {
			t.Error("Watch of a nil Operation yielded no error")
		}
	}
	if n != 1 {
		t.Errorf("Watch of a nil Operation yielded %d times, want once", n)
	}
}
