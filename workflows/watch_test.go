package workflows_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waooaw/waooaw-go/internal/sdktest"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/workflows"
)

// scriptedWorkflow answers GET wf-001 with statuses in turn (the last one
// repeats) and records when each request came, on the bubble's clock. After
// 100 reads it fails the test and answers 404, so a poller that never stops
// ends.
func scriptedWorkflow(t *testing.T, mux *http.ServeMux, at *[]time.Time, statuses ...workflows.Status) {
	mux.HandleFunc("GET "+listURL+"/wf-001", func(w http.ResponseWriter, r *http.Request) {
		*at = append(*at, time.Now())
		if len(*at) > 100 {
			t.Errorf("read %d times: the poller does not stop", len(*at))
			writeError(w, 404, "not_found", "enough")
			return
		}
		sdktest.WriteJSON(w, 200, wfJSON("wf-001", statuses[min(len(*at), len(statuses))-1]))
	})
}

func TestWatchPollsUntilTerminal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		interval time.Duration
		wantGap  time.Duration
	}{
		{"given interval", 3 * time.Second, 3 * time.Second},
		{"default interval", 0, platform.DefaultPollInterval},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				var opts []platform.Option
				if tc.interval > 0 {
					opts = append(opts, platform.WithPollInterval(tc.interval))
				}
				c, mux := setup(t, opts...)
				var at []time.Time
				scriptedWorkflow(t, mux, &at, "pending", "running", "paused", "running", "completed", "running")
				start := time.Now()
				var got []workflows.Status
				for w, err := range c.Watch(context.Background(), "wf-001") {
					if err != nil {
						t.Fatalf("Watch: %v", err)
					}
					got = append(got, w.Status)
				}
				want := []workflows.Status{"pending", "running", "paused", "running", "completed"}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("statuses (-want +got):\n%s", diff)
				}
				for i, a := range at {
					if gap := a.Sub(start); gap != time.Duration(i)*tc.wantGap {
						t.Errorf("read %d came %v after the start, want %v", i+1, gap, time.Duration(i)*tc.wantGap)
					}
				}
			})
		})
	}
}

func TestWatchEndsEachWayOnce(t *testing.T) {
	t.Parallel()
	t.Run("context cancelled while waiting", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			c, mux := setup(t, platform.WithPollInterval(time.Hour))
			var at []time.Time
			scriptedWorkflow(t, mux, &at, "running")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var errs []error
			start := time.Now()
			for _, err := range c.Watch(ctx, "wf-001") {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				time.AfterFunc(time.Minute, cancel)
			}
			if len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
				t.Errorf("errors %v, want one context.Canceled", errs)
			}
			if len(at) != 1 || time.Since(start) != time.Minute {
				t.Errorf("%d reads, ended after %v; want 1 read, ended when cancelled (1m)", len(at), time.Since(start))
			}
		})
	})
	t.Run("read fails", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			c, mux := setup(t)
			n := 0
			mux.HandleFunc("GET "+listURL+"/wf-001", func(w http.ResponseWriter, r *http.Request) {
				if n++; n == 1 {
					sdktest.WriteJSON(w, 200, wfJSON("wf-001", "running"))
					return
				}
				writeError(w, 404, "not_found", "workflow \"wf-001\" not found")
			})
			var results []error
			for _, err := range c.Watch(context.Background(), "wf-001") {
				results = append(results, err)
			}
			if len(results) != 2 || results[0] != nil || !errors.Is(results[1], platform.ErrNotFound) || n != 2 {
				t.Errorf("results %v after %d reads, want a workflow then not found", results, n)
			}
		})
	})
	t.Run("loop stops early", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			c, mux := setup(t)
			var at []time.Time
			scriptedWorkflow(t, mux, &at, "running")
			for range c.Watch(context.Background(), "wf-001") {
				break
			}
			time.Sleep(time.Minute) // no read happens once the loop has stopped
			if len(at) != 1 {
				t.Errorf("%d reads, want 1", len(at))
			}
		})
	})
}

func TestWaitFor(t *testing.T) {
	t.Parallel()
	isRunning := func(w workflows.Workflow) bool { return w.Status == workflows.StatusRunning }
	for _, tc := range []struct {
		name       string
		statuses   []workflows.Status
		cond       func(workflows.Workflow) bool
		timeout    time.Duration
		wantStatus workflows.Status // of the returned workflow; "" for none
		wantErr    error
		wantReads  int
	}{
		{"met at once", []workflows.Status{"running"}, isRunning, 0, "running", nil, 1},
		{"met later", []workflows.Status{"pending", "paused", "running"}, isRunning, 0, "running", nil, 3},
		{"ended otherwise", []workflows.Status{"paused", "cancelled"}, isRunning, 0, "cancelled", workflows.ErrEnded, 2},
		{"terminal wanted", []workflows.Status{"running", "failed"}, func(w workflows.Workflow) bool { return w.Status.Terminal() }, 0, "failed", nil, 2},
		{"deadline", []workflows.Status{"paused"}, isRunning, 9 * time.Second, "paused", context.DeadlineExceeded, 5},
		{"nil condition", []workflows.Status{"running"}, nil, 0, "", nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				c, mux := setup(t, platform.WithPollInterval(2*time.Second))
				var at []time.Time
				scriptedWorkflow(t, mux, &at, tc.statuses...)
				ctx := context.Background()
				if tc.timeout > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tc.timeout)
					defer cancel()
				}
				w, err := c.WaitFor(ctx, "wf-001", tc.cond)
				switch {
				case tc.cond == nil:
					if err == nil || w != nil {
						t.Errorf("nil condition: %v %v, want an error", w, err)
					}
				case tc.wantErr == nil && err != nil, tc.wantErr != nil && !errors.Is(err, tc.wantErr):
					t.Errorf("err %v, want %v", err, tc.wantErr)
				}
				if got := workflows.Status(""); w != nil {
					got = w.Status
					if got != tc.wantStatus {
						t.Errorf("returned a %s workflow, want %s", got, tc.wantStatus)
					}
				} else if tc.wantStatus != "" {
					t.Errorf("returned no workflow, want a %s one", tc.wantStatus)
				}
				if len(at) != tc.wantReads {
					t.Errorf("%d reads, want %d", len(at), tc.wantReads)
				}
			})
		})
	}
}

func TestAsOf(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	at := func(m int) *time.Time { x := t0.Add(time.Duration(m) * time.Minute); return &x }
	ms := func(m int) *int64 { x := int64(m) * 60000; return &x }
	for _, tc := range []struct {
		name string
		w    workflows.Workflow
		want time.Time
	}{
		{"pending", workflows.Workflow{CreatedAt: t0, Tasks: []workflows.Task{{TaskID: "a"}}}, t0},
		{"running task: start plus duration so far", workflows.Workflow{CreatedAt: t0, StartedAt: at(1), Tasks: []workflows.Task{
			{TaskID: "a", Status: workflows.TaskCompleted, StartedAt: at(1), CompletedAt: at(4), DurationMS: ms(3)},
			{TaskID: "b", Status: workflows.TaskRunning, StartedAt: at(4), DurationMS: ms(7)},
		}}, *at(11)},
		{"ended", workflows.Workflow{CreatedAt: t0, StartedAt: at(1), CompletedAt: at(9), Tasks: []workflows.Task{
			{TaskID: "a", Status: workflows.TaskCancelled, StartedAt: at(1), CompletedAt: at(9), DurationMS: ms(8)},
		}}, *at(9)},
		{"running task without a duration", workflows.Workflow{CreatedAt: t0, Tasks: []workflows.Task{
			{TaskID: "a", Status: workflows.TaskRunning, StartedAt: at(2)},
		}}, *at(2)},
	} {
		if got := tc.w.AsOf(); !got.Equal(tc.want) {
			t.Errorf("%s: AsOf = %v, want %v", tc.name, got, tc.want)
		}
	}
}
