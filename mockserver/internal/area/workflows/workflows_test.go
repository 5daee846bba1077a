package workflows_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waooaw/waooaw-go/internal/apitest"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/mockserver/internal/mocktest"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/workflows"
)

const wfPath = "/api/platform/orchestration/workflows"

// wfClients are workflow clients signed in as the demo operator and viewer.
func wfClients(ts *mockserver.TestServer) (ops, viewer *workflows.Client) {
	return workflows.New(ts.Client(mockserver.OperatorEmail)), workflows.New(ts.Client(mockserver.ViewerEmail))
}

func mustGet(t *testing.T, c *workflows.Client, id string) workflows.Workflow {
	t.Helper()
	w, err := c.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("get %s: %v", id, err)
	}
	return *w
}

// checkDerived fails the test when a workflow's progress and counts do not
// follow from its tasks.
func checkDerived(t *testing.T, w workflows.Workflow) {
	t.Helper()
	var done, failed int
	for _, k := range w.Tasks {
		switch k.Status {
		case workflows.TaskCompleted:
			done++
		case workflows.TaskFailed:
			failed++
		}
	}
	if w.TotalTasks != len(w.Tasks) || w.CompletedTasks != done || w.FailedTasks != failed ||
		w.Progress != done*100/max(len(w.Tasks), 1) {
		t.Errorf("%s: total %d completed %d failed %d progress %d, but tasks say %d/%d/%d",
			w.WorkflowID, w.TotalTasks, w.CompletedTasks, w.FailedTasks, w.Progress, len(w.Tasks), done, failed)
	}
}

// checkOrder fails the test when a task started before all its
// dependencies completed, or a started task lacks its times.
func checkOrder(t *testing.T, w workflows.Workflow) {
	t.Helper()
	for _, k := range w.Tasks {
		if k.StartedAt == nil {
			if k.DurationMS != nil || k.CompletedAt != nil {
				t.Errorf("%s/%s: not started but has duration %v or end %v", w.WorkflowID, k.TaskID, k.DurationMS, k.CompletedAt)
			}
			continue
		}
		if k.DurationMS == nil {
			t.Errorf("%s/%s: started without duration_ms", w.WorkflowID, k.TaskID)
		}
		for _, d := range k.Dependencies {
			dep, ok := w.Task(d)
			if !ok || dep.Status != workflows.TaskCompleted || dep.CompletedAt == nil || k.StartedAt.Before(*dep.CompletedAt) {
				t.Errorf("%s/%s started at %v before its dependency %s completed (%+v)", w.WorkflowID, k.TaskID, k.StartedAt, d, dep)
			}
		}
	}
}

func TestWorkflowWireFields(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	tok := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	raw := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: wfPath + "/wf-001", Token: tok}).JSON(t)
	for _, f := range []string{"workflow_id", "workflow_name", "customer_id", "customer_name", "status", "progress",
		"total_tasks", "completed_tasks", "failed_tasks", "created_at", "started_at", "completed_at", "tasks"} {
		if _, ok := raw[f]; !ok {
			t.Errorf("workflow has no %q: %v", f, raw)
		}
	}
	want := map[string]any{"workflow_id": "wf-001", "workflow_name": "Customer Onboarding", "customer_id": "cust-001",
		"customer_name": "Acme Corp", "status": "running", "progress": 60.0, "total_tasks": 5.0, "completed_tasks": 3.0,
		"failed_tasks": 0.0, "completed_at": nil}
	for k, v := range want {
		if raw[k] != v {
			t.Errorf("%s = %v, want %v", k, raw[k], v)
		}
	}
	tasks := raw["tasks"].([]any)
	for i, x := range tasks {
		task := x.(map[string]any)
		for _, f := range []string{"task_id", "task_name", "status", "dependencies", "agent_id", "estimated_duration_ms", "started_at", "completed_at"} {
			if _, ok := task[f]; !ok {
				t.Errorf("task %d has no %q: %v", i, f, task)
			}
		}
		if _, ok := task["dependencies"].([]any); !ok {
			t.Errorf("task %d: dependencies = %v, want an array", i, task["dependencies"])
		}
		_, hasDur := task["duration_ms"]
		if started := task["started_at"] != nil; hasDur != started {
			t.Errorf("task %d: duration_ms present %v, started %v", i, hasDur, started)
		}
		for _, f := range []string{"error", "retry_count"} {
			if _, ok := task[f]; ok {
				t.Errorf("task %d of a healthy workflow has %q: %v", i, f, task)
			}
		}
	}

	// The failed workflow's failed task says why, and how often it was retried.
	failed := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: wfPath + "/wf-003", Token: tok}).JSON(t)
	if failed["status"] != "failed" || failed["failed_tasks"] != 1.0 {
		t.Errorf("wf-003: %v", failed)
	}
	var found bool
	for _, x := range failed["tasks"].([]any) {
		task := x.(map[string]any)
		if task["status"] == "failed" {
			found = true
			if task["error"] != "API timeout after 30s" || task["retry_count"] != 3.0 || task["completed_at"] == nil {
				t.Errorf("failed task: %v", task)
			}
		}
	}
	if !found {
		t.Error("wf-003 has no failed task")
	}
}

func TestSeededWorkflows(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	ctx := context.Background()
	_, viewer := wfClients(ts)
	pc := ts.Client(mockserver.ViewerEmail)
	seen := map[workflows.Status]int{}
	for w, err := range viewer.List(ctx, workflows.ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		seen[w.Status]++
		checkDerived(t, w)
		checkOrder(t, w)
		if _, err := workflows.NewTimeline(w, ts.Now()); err != nil {
			t.Errorf("%s: %v", w.WorkflowID, err)
		}
		for _, k := range w.Tasks {
			if k.EstimatedDurationMS < 60_000 || k.EstimatedDurationMS > 600_000 {
				t.Errorf("%s/%s: estimate %d ms, want 1-10 minutes", w.WorkflowID, k.TaskID, k.EstimatedDurationMS)
			}
			if _, err := pc.Agents.Get(ctx, k.AgentID); err != nil {
				t.Errorf("%s/%s: agent %q: %v", w.WorkflowID, k.TaskID, k.AgentID, err)
			}
		}
	}
	for _, s := range []workflows.Status{workflows.StatusRunning, workflows.StatusCompleted, workflows.StatusFailed, workflows.StatusPending} {
		if seen[s] == 0 {
			t.Errorf("no seeded %s workflow: %v", s, seen)
		}
	}
}

func TestWorkflowListFilters(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	ctx := context.Background()
	_, viewer := wfClients(ts)
	ids := func(opts workflows.ListOptions) []string {
		t.Helper()
		var out []string
		for w, err := range viewer.List(ctx, opts) {
			if err != nil {
				t.Fatalf("list %+v: %v", opts, err)
			}
			out = append(out, w.WorkflowID)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		opts workflows.ListOptions
		want []string
	}{
		{"all", workflows.ListOptions{}, []string{"wf-001", "wf-002", "wf-003", "wf-004"}},
		{"all, a page at a time", workflows.ListOptions{ListOptions: platform.ListOptions{PageSize: 1}}, []string{"wf-001", "wf-002", "wf-003", "wf-004"}},
		{"running", workflows.ListOptions{Status: workflows.StatusRunning}, []string{"wf-001"}},
		{"failed", workflows.ListOptions{Status: workflows.StatusFailed}, []string{"wf-003"}},
		{"paused", workflows.ListOptions{Status: workflows.StatusPaused}, nil},
		{"Acme", workflows.ListOptions{CustomerID: "cust-001"}, []string{"wf-001", "wf-004"}},
		{"Acme, pending", workflows.ListOptions{CustomerID: "cust-001", Status: workflows.StatusPending}, []string{"wf-004"}},
		{"Acme, paged", workflows.ListOptions{CustomerID: "cust-001", ListOptions: platform.ListOptions{PageSize: 1}}, []string{"wf-001", "wf-004"}},
		{"unknown customer", workflows.ListOptions{CustomerID: "cust-999"}, nil},
	} {
		if diff := cmp.Diff(tc.want, ids(tc.opts)); diff != "" {
			t.Errorf("%s: (-want +got)\n%s", tc.name, diff)
		}
	}
	p, err := viewer.ListPage(ctx, workflows.ListOptions{CustomerID: "cust-001", ListOptions: platform.ListOptions{PageSize: 1}})
	if err != nil || p.Total != 2 || len(p.Items) != 1 || p.NextPageToken == "" {
		t.Fatalf("first page: %+v %v", p, err)
	}
	_, err = viewer.ListPage(ctx, workflows.ListOptions{Status: workflows.StatusRunning, ListOptions: platform.ListOptions{PageToken: p.NextPageToken}})
	if !errors.Is(err, platform.ErrInvalidArgument) {
		t.Errorf("token with other filters: %v, want invalid argument", err)
	}

	tok := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	for _, q := range []string{"status=bogus", "status=RUNNING", "page_size=501", "page_token=nope"} {
		a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: wfPath + "?" + q, Token: tok})
		if a.Status != 400 || a.ErrCode(t) != "invalid_argument" {
			t.Errorf("?%s: %d %s, want 400", q, a.Status, a.Raw)
		}
	}
	a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: wfPath + "?status=bogus", Token: tok})
	if !strings.Contains(string(a.Raw), `"field":"status"`) {
		t.Errorf("?status=bogus does not name the field: %s", a.Raw)
	}
}

func TestWorkflowAccess(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	viewer, ops := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer"), mocktest.Token(t, ts, mockserver.OperatorEmail, "operator")
	for _, tc := range []struct {
		name      string
		c         mocktest.Call
		status    int
		errorCode string
	}{
		{"list without a token", mocktest.Call{Method: "GET", Path: wfPath}, 401, "unauthenticated"},
		{"get without a token", mocktest.Call{Method: "GET", Path: wfPath + "/wf-001"}, 401, "unauthenticated"},
		{"viewer lists", mocktest.Call{Method: "GET", Path: wfPath, Token: viewer}, 200, ""},
		{"viewer gets", mocktest.Call{Method: "GET", Path: wfPath + "/wf-001", Token: viewer}, 200, ""},
		{"viewer pauses", mocktest.Call{Method: "POST", Path: wfPath + "/wf-001/pause", Token: viewer}, 403, "permission_denied"},
		{"viewer resumes", mocktest.Call{Method: "POST", Path: wfPath + "/wf-001/resume", Token: viewer}, 403, "permission_denied"},
		{"viewer cancels", mocktest.Call{Method: "POST", Path: wfPath + "/wf-001/cancel", Token: viewer}, 403, "permission_denied"},
		{"viewer retries", mocktest.Call{Method: "POST", Path: wfPath + "/wf-003/tasks/task-101/retry", Token: viewer}, 403, "permission_denied"},
		{"viewer pauses an unknown workflow", mocktest.Call{Method: "POST", Path: wfPath + "/wf-999/pause", Token: viewer}, 403, "permission_denied"},
		{"unknown workflow", mocktest.Call{Method: "GET", Path: wfPath + "/wf-999", Token: viewer}, 404, "not_found"},
		{"pause unknown", mocktest.Call{Method: "POST", Path: wfPath + "/wf-999/pause", Token: ops}, 404, "not_found"},
		{"pause unknown with a bad body", mocktest.Call{Method: "POST", Path: wfPath + "/wf-999/pause", Token: ops, Body: `{"x":1}`}, 404, "not_found"},
		{"retry in unknown workflow", mocktest.Call{Method: "POST", Path: wfPath + "/wf-999/tasks/task-101/retry", Token: ops}, 404, "not_found"},
		{"retry unknown task", mocktest.Call{Method: "POST", Path: wfPath + "/wf-003/tasks/task-999/retry", Token: ops}, 404, "not_found"},
		{"retry unknown task with a bad body", mocktest.Call{Method: "POST", Path: wfPath + "/wf-003/tasks/task-999/retry", Token: ops, Body: `[]`}, 404, "not_found"},
		{"pause with an unknown field", mocktest.Call{Method: "POST", Path: wfPath + "/wf-001/pause", Token: ops, Body: `{"reason":"x"}`}, 400, "invalid_argument"},
		{"cancel with malformed JSON", mocktest.Call{Method: "POST", Path: wfPath + "/wf-001/cancel", Token: ops, Body: `{`}, 400, "invalid_argument"},
		{"retry with an unknown field", mocktest.Call{Method: "POST", Path: wfPath + "/wf-003/tasks/task-101/retry", Token: ops, Body: `{"from_step":1}`}, 400, "invalid_argument"},
		{"bad workflow id", mocktest.Call{Method: "GET", Path: wfPath + "/wf%20001", Token: viewer}, 400, "invalid_argument"},
		{"delete is not allowed", mocktest.Call{Method: "DELETE", Path: wfPath + "/wf-001", Token: ops}, 405, "method_not_allowed"},
		{"empty body object is fine", mocktest.Call{Method: "POST", Path: wfPath + "/wf-001/pause", Token: ops, Body: `{}`}, 200, ""},
	} {
		a := mocktest.Do(t, ts, tc.c)
		if a.Status != tc.status || (tc.errorCode != "" && a.ErrCode(t) != tc.errorCode) {
			t.Errorf("%s: %d %s, want %d %s", tc.name, a.Status, a.Raw, tc.status, tc.errorCode)
		}
	}
	// None of the refused calls changed anything: only the last one paused.
	got := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: wfPath, Token: viewer}).JSON(t)["workflows"].([]any)
	var statuses []string
	for _, w := range got {
		statuses = append(statuses, w.(map[string]any)["status"].(string))
	}
	if diff := cmp.Diff([]string{"paused", "completed", "failed", "pending"}, statuses); diff != "" {
		t.Errorf("statuses after the calls (-want +got):\n%s", diff)
	}
}

func TestWorkflowTransitions(t *testing.T) {
	t.Parallel()
	type step struct {
		act string // pause, resume, cancel
		id  string
	}
	for _, tc := range []struct {
		name   string
		before []step
		do     step
		want   workflows.Status // "" for a conflict
		state  string           // the current state a conflict must name
	}{
		{"pause running", nil, step{"pause", "wf-001"}, workflows.StatusPaused, ""},
		{"resume paused", []step{{"pause", "wf-001"}}, step{"resume", "wf-001"}, workflows.StatusRunning, ""},
		{"cancel running", nil, step{"cancel", "wf-001"}, workflows.StatusCancelled, ""},
		{"cancel paused", []step{{"pause", "wf-001"}}, step{"cancel", "wf-001"}, workflows.StatusCancelled, ""},
		{"cancel pending", nil, step{"cancel", "wf-004"}, workflows.StatusCancelled, ""},
		{"resume completed", nil, step{"resume", "wf-002"}, "", "completed"},
		{"pause cancelled", []step{{"cancel", "wf-001"}}, step{"pause", "wf-001"}, "", "cancelled"},
		{"pause paused", []step{{"pause", "wf-001"}}, step{"pause", "wf-001"}, "", "paused"},
		{"pause completed", nil, step{"pause", "wf-002"}, "", "completed"},
		{"pause failed", nil, step{"pause", "wf-003"}, "", "failed"},
		{"pause pending", nil, step{"pause", "wf-004"}, "", "pending"},
		{"resume running", nil, step{"resume", "wf-001"}, "", "running"},
		{"resume failed", nil, step{"resume", "wf-003"}, "", "failed"},
		{"resume cancelled", []step{{"cancel", "wf-001"}}, step{"resume", "wf-001"}, "", "cancelled"},
		{"cancel completed", nil, step{"cancel", "wf-002"}, "", "completed"},
		{"cancel failed", nil, step{"cancel", "wf-003"}, "", "failed"},
		{"cancel cancelled", []step{{"cancel", "wf-004"}}, step{"cancel", "wf-004"}, "", "cancelled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := apitest.Start(t)
			ops, _ := wfClients(ts)
			ctx := context.Background()
			act := func(s step) (*workflows.Workflow, error) {
				switch s.act {
				case "pause":
					return ops.Pause(ctx, s.id)
				case "resume":
					return ops.Resume(ctx, s.id)
				}
				return ops.Cancel(ctx, s.id)
			}
			for _, s := range tc.before {
				if _, err := act(s); err != nil {
					t.Fatalf("%s %s: %v", s.act, s.id, err)
				}
			}
			before := mustGet(t, ops, tc.do.id)
			w, err := act(tc.do)
			if tc.want != "" {
				if err != nil || w.Status != tc.want {
					t.Fatalf("%s %s: %+v %v, want %s", tc.do.act, tc.do.id, w, err, tc.want)
				}
				if got := mustGet(t, ops, tc.do.id); !cmp.Equal(*w, got) {
					t.Errorf("the answer differs from a later read: %s", cmp.Diff(*w, got))
				}
				return
			}
			var pe *platform.Error
			if !errors.As(err, &pe) || pe.StatusCode != 409 || pe.Code != "conflict" || !strings.Contains(pe.Message, "it is "+tc.state) {
				t.Fatalf("%s %s: %v, want 409 naming %q", tc.do.act, tc.do.id, err, tc.state)
			}
			if after := mustGet(t, ops, tc.do.id); !cmp.Equal(before, after) {
				t.Errorf("a refused %s changed the workflow: %s", tc.do.act, cmp.Diff(before, after))
			}
		})
	}
}

// advance moves the test server's clock through /_mock/clock/advance.
func advance(t *testing.T, ts *mockserver.TestServer, d time.Duration) {
	t.Helper()
	a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/clock/advance", Body: fmt.Sprintf(`{"seconds":%d}`, int64(d/time.Second))})
	if a.Status != 200 {
		t.Fatalf("advance: %d %s", a.Status, a.Raw)
	}
}

func TestPausedWorkflowDoesNotMove(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	ops, _ := wfClients(ts)
	ctx := context.Background()
	advance(t, ts, time.Minute)
	paused, err := ops.Pause(ctx, "wf-001")
	if err != nil || paused.Status != workflows.StatusPaused {
		t.Fatalf("pause: %+v %v", paused, err)
	}
	task4, _ := paused.Task("task-004")
	if task4.Status != workflows.TaskRunning || *task4.DurationMS != (4*time.Minute).Milliseconds() {
		t.Fatalf("task-004 when paused: %+v", task4)
	}
	advance(t, ts, 24*time.Hour)
	if got := mustGet(t, ops, "wf-001"); !cmp.Equal(*paused, got) {
		t.Fatalf("a paused workflow moved in 24 h (-paused +now):\n%s", cmp.Diff(*paused, got))
	}

	resumed, err := ops.Resume(ctx, "wf-001")
	if err != nil || resumed.Status != workflows.StatusRunning {
		t.Fatalf("resume: %+v %v", resumed, err)
	}
	resumedAt := ts.Now()
	// task-004 had run 4 of its 10 minutes: paused time does not count.
	advance(t, ts, 6*time.Minute-time.Second)
	w := mustGet(t, ops, "wf-001")
	if k, _ := w.Task("task-004"); k.Status != workflows.TaskRunning || *k.DurationMS != (10*time.Minute-time.Second).Milliseconds() {
		t.Errorf("a second before its end, task-004 is %+v", k)
	}
	advance(t, ts, time.Second)
	w = mustGet(t, ops, "wf-001")
	k4, _ := w.Task("task-004")
	k5, _ := w.Task("task-005")
	end := resumedAt.Add(6 * time.Minute)
	if k4.Status != workflows.TaskCompleted || !k4.CompletedAt.Equal(end) || *k4.DurationMS != (10*time.Minute).Milliseconds() {
		t.Errorf("task-004 after its 10 minutes: %+v", k4)
	}
	if k5.Status != workflows.TaskRunning || !k5.StartedAt.Equal(end) {
		t.Errorf("task-005 did not start when task-004 ended: %+v", k5)
	}
	checkDerived(t, w)
	checkOrder(t, w)
}

func TestCancelledWorkflowCancelsUnfinishedTasks(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	ops, _ := wfClients(ts)
	before := mustGet(t, ops, "wf-001")
	w, err := ops.Cancel(context.Background(), "wf-001")
	if err != nil || w.Status != workflows.StatusCancelled || w.CompletedAt == nil || !w.CompletedAt.Equal(ts.Now()) {
		t.Fatalf("cancel: %+v %v", w, err)
	}
	for i, k := range w.Tasks {
		was := before.Tasks[i]
		switch was.Status {
		case workflows.TaskCompleted:
			if !cmp.Equal(was, k) {
				t.Errorf("a completed task changed: %s", cmp.Diff(was, k))
			}
		case workflows.TaskRunning:
			if k.Status != workflows.TaskCancelled || k.CompletedAt == nil || !k.CompletedAt.Equal(ts.Now()) || *k.DurationMS != *was.DurationMS {
				t.Errorf("running task after cancel: %+v", k)
			}
		case workflows.TaskPending:
			if k.Status != workflows.TaskCancelled || k.StartedAt != nil || k.CompletedAt != nil {
				t.Errorf("pending task after cancel: %+v", k)
			}
		}
	}
	if w.Progress != before.Progress || w.CompletedTasks != 3 {
		t.Errorf("cancel changed progress: %d → %d", before.Progress, w.Progress)
	}
	advance(t, ts, 24*time.Hour)
	if got := mustGet(t, ops, "wf-001"); !cmp.Equal(*w, got) {
		t.Errorf("a cancelled workflow moved: %s", cmp.Diff(*w, got))
	}
}

func TestRunningWorkflowsRunToCompletionOnTheClock(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	ops, _ := wfClients(ts)
	pc := ts.Client(mockserver.ViewerEmail)
	ctx := context.Background()
	if m, err := pc.Metrics(ctx); err != nil || m.RunningWorkflows != 1 {
		t.Fatalf("running_workflows at the start: %+v %v", m, err)
	}
	progress := []int{mustGet(t, ops, "wf-001").Progress}
	for range 30 {
		advance(t, ts, time.Minute)
		w := mustGet(t, ops, "wf-001")
		checkDerived(t, w)
		checkOrder(t, w)
		if w.Progress < progress[len(progress)-1] {
			t.Fatalf("progress fell: %v then %d", progress, w.Progress)
		}
		progress = append(progress, w.Progress)
		if w.Status == workflows.StatusCompleted {
			break
		}
		if w.Status != workflows.StatusRunning {
			t.Fatalf("wf-001 is %s", w.Status)
		}
	}
	w := mustGet(t, ops, "wf-001")
	if w.Status != workflows.StatusCompleted || w.Progress != 100 || w.CompletedAt == nil {
		t.Fatalf("wf-001 after 30 minutes: %s %d%% (progress %v)", w.Status, w.Progress, progress)
	}
	if !slices.Contains(progress, 80) {
		t.Errorf("progress never showed 4 of 5 tasks: %v", progress)
	}
	// The last task ends the workflow, and took its estimate.
	last, _ := w.Task("task-005")
	if !w.CompletedAt.Equal(*last.CompletedAt) || *last.DurationMS != last.EstimatedDurationMS {
		t.Errorf("last task %+v, workflow completed at %v", last, w.CompletedAt)
	}

	// A day on, every seeded workflow has ended; the pending one ran too.
	advance(t, ts, 24*time.Hour)
	for w, err := range ops.List(ctx, workflows.ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		if !w.Status.Terminal() {
			t.Errorf("%s is still %s after a day", w.WorkflowID, w.Status)
		}
		checkDerived(t, w)
		checkOrder(t, w)
	}
	if w := mustGet(t, ops, "wf-004"); w.Status != workflows.StatusCompleted || w.StartedAt == nil {
		t.Errorf("the pending workflow did not run: %+v", w)
	}
	if m, err := pc.Metrics(ctx); err != nil || m.RunningWorkflows != 0 {
		t.Errorf("running_workflows after a day: %+v %v", m, err)
	}
}

func TestRetryingTheFailedTaskCompletesTheWorkflow(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	ops, viewer := wfClients(ts)
	ctx := context.Background()
	pc := ts.Client(mockserver.ViewerEmail)
	if h, err := pc.Health(ctx); err != nil || h.Components["workflows"] != platform.HealthDegraded {
		t.Errorf("health with a failed workflow: %+v %v", h, err)
	}

	if _, err := viewer.RetryTask(ctx, "wf-003", "task-101"); !errors.Is(err, platform.ErrPermissionDenied) {
		t.Errorf("viewer retry: %v", err)
	}
	for _, task := range []string{"task-100", "task-103"} { // completed, pending
		if _, err := ops.RetryTask(ctx, "wf-003", task); !errors.Is(err, platform.ErrConflict) {
			t.Errorf("retry %s: %v, want a conflict", task, err)
		}
	}
	if _, err := ops.RetryTask(ctx, "wf-001", "task-001"); !errors.Is(err, platform.ErrConflict) {
		t.Errorf("retry a completed task of a running workflow: %v", err)
	}
	if _, err := ops.RetryTask(ctx, "wf-003", "task-999"); !errors.Is(err, platform.ErrNotFound) {
		t.Errorf("retry an unknown task: %v", err)
	}

	w, err := ops.RetryTask(ctx, "wf-003", "task-101")
	if err != nil || w.Status != workflows.StatusRunning || w.CompletedAt != nil || w.FailedTasks != 0 {
		t.Fatalf("retry: %+v %v", w, err)
	}
	k, _ := w.Task("task-101")
	if k.Status != workflows.TaskRunning || k.RetryCount != 4 || k.Error != "" || !k.StartedAt.Equal(ts.Now()) ||
		k.CompletedAt != nil || *k.DurationMS != 0 {
		t.Errorf("retried task: %+v", k)
	}
	if _, err := ops.RetryTask(ctx, "wf-003", "task-101"); !errors.Is(err, platform.ErrConflict) ||
		!strings.Contains(err.Error(), "running") {
		t.Errorf("retry a running task: %v, want a conflict naming its state", err)
	}
	if m, _ := pc.Metrics(ctx); m.RunningWorkflows != 2 {
		t.Errorf("running_workflows after the retry: %d, want 2", m.RunningWorkflows)
	}

	advance(t, ts, 30*time.Minute)
	done := mustGet(t, ops, "wf-003")
	w = &done
	if w.Status != workflows.StatusCompleted || w.Progress != 100 {
		t.Fatalf("after the retry and 30 minutes: %+v", w)
	}
	checkOrder(t, done)
	checkDerived(t, done)
	if h, _ := pc.Health(ctx); h.Components["workflows"] != platform.HealthHealthy {
		t.Errorf("health once nothing has failed: %v", h.Components)
	}
	if _, err := ops.RetryTask(ctx, "wf-003", "task-101"); !errors.Is(err, platform.ErrConflict) {
		t.Errorf("retry a completed task: %v", err)
	}
}

// Reading often and reading once give the same workflows: state depends on
// the clock alone.
func TestWorkflowStateDependsOnTheClockNotOnReads(t *testing.T) {
	t.Parallel()
	often, once := apitest.Start(t), apitest.Start(t)
	a, _ := wfClients(often)
	b, _ := wfClients(once)
	ctx := context.Background()
	for _, c := range []*workflows.Client{a, b} {
		if _, err := c.RetryTask(ctx, "wf-003", "task-101"); err != nil {
			t.Fatal(err)
		}
	}
	for range 90 {
		often.Advance(37 * time.Second)
		for range a.List(ctx, workflows.ListOptions{}) {
		}
	}
	once.Advance(90 * 37 * time.Second)
	list := func(c *workflows.Client) []workflows.Workflow {
		var out []workflows.Workflow
		for w, err := range c.List(ctx, workflows.ListOptions{}) {
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, w)
		}
		return out
	}
	if diff := cmp.Diff(list(b), list(a)); diff != "" {
		t.Errorf("(-read once +read often):\n%s", diff)
	}
}

func TestWorkflowsConcurrentUse(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	ops, _ := wfClients(ts)
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	paused := 0
	for range 8 {
		wg.Go(func() {
			ts.Advance(10 * time.Second)
			if _, err := ops.Get(ctx, "wf-001"); err != nil {
				t.Error(err)
			}
			if _, err := ops.Pause(ctx, "wf-001"); err == nil {
				mu.Lock()
				paused++
				mu.Unlock()
			} else if !errors.Is(err, platform.ErrConflict) {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if paused != 1 {
		t.Errorf("%d concurrent pauses succeeded, want 1", paused)
	}
}

func TestWorkflowResetRestoresTheSeed(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	ops, _ := wfClients(ts)
	seed := mustGet(t, ops, "wf-001")
	if _, err := ops.Cancel(context.Background(), "wf-001"); err != nil {
		t.Fatal(err)
	}
	ts.Advance(time.Hour)
	ts.Reset()
	if got := mustGet(t, ops, "wf-001"); !cmp.Equal(seed, got) {
		t.Errorf("after reset: %s", cmp.Diff(seed, got))
	}
}

// The wire never has a null tasks or dependencies array, and the seeded
// JSON round-trips through the SDK's types.
func TestWorkflowJSONRoundTrip(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	tok := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: wfPath + "/wf-004", Token: tok})
	if strings.Contains(string(a.Raw), "null,\"estimated") || strings.Contains(string(a.Raw), `"dependencies":null`) {
		t.Errorf("null arrays: %s", a.Raw)
	}
	var w workflows.Workflow
	if err := json.Unmarshal(a.Raw, &w); err != nil {
		t.Fatal(err)
	}
	again, _ := json.Marshal(w)
	var x, y any
	json.Unmarshal(a.Raw, &x)
	json.Unmarshal(again, &y)
	if diff := cmp.Diff(x, y); diff != "" {
		t.Errorf("round trip (-wire +sdk):\n%s", diff)
	}
}

// workflowRoutes are the routes of the workflows section of openapi.yaml.
var workflowRoutes = []string{
	"GET /api/platform/orchestration/workflows",
	"GET /api/platform/orchestration/workflows/{id}",
	"POST /api/platform/orchestration/workflows/{id}/pause",
	"POST /api/platform/orchestration/workflows/{id}/resume",
	"POST /api/platform/orchestration/workflows/{id}/cancel",
	"POST /api/platform/orchestration/workflows/{id}/tasks/{task_id}/retry",
}

// TestWorkflowContractWalk provokes every documented answer of the workflow
// routes on a server whose traffic is validated against the contract.
func TestWorkflowContractWalk(t *testing.T) {
	t.Parallel()
	cov := apitest.NewCoverage()
	ts := apitest.Start(t, cov.Option())
	viewer := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	operator := mocktest.Token(t, ts, mockserver.OperatorEmail, "operator")
	textPlain := map[string]string{"Content-Type": "text/plain"}
	big := "{" + strings.Repeat(" ", 1<<20) + "}"
	// Each route's ids: one the call succeeds on (in this order), one it
	// conflicts with.
	ids := map[string][2][2]string{
		workflowRoutes[0]: {{"", ""}, {"", ""}},
		workflowRoutes[1]: {{"wf-001", ""}, {"wf-002", ""}},
		workflowRoutes[2]: {{"wf-001", ""}, {"wf-002", ""}},
		workflowRoutes[3]: {{"wf-001", ""}, {"wf-002", ""}},
		workflowRoutes[4]: {{"wf-004", ""}, {"wf-002", ""}},
		workflowRoutes[5]: {{"wf-003", "task-101"}, {"wf-003", "task-100"}},
	}
	for _, r := range workflowRoutes {
		method, pattern, _ := strings.Cut(r, " ")
		at := func(id [2]string) string {
			return strings.NewReplacer("{id}", id[0], "{task_id}", id[1]).Replace(pattern)
		}
		ok, busy := ids[r][0], ids[r][1]
		expect := func(c mocktest.Call, status int) {
			t.Helper()
			if a := mocktest.Do(t, ts, c); a.Status != status {
				t.Errorf("%s %s: %d %s, want %d", c.Method, c.Path, a.Status, a.Raw, status)
			}
		}
		expect(mocktest.Call{Method: method, Path: at(ok)}, 401)
		if method == "GET" {
			expect(mocktest.Call{Method: method, Path: at(ok), Token: viewer}, 200)
			if ok[0] == "" {
				expect(mocktest.Call{Method: method, Path: at(ok) + "?status=bogus", Token: viewer}, 400)
				continue
			}
			expect(mocktest.Call{Method: method, Path: at([2]string{"wf-999"}), Token: viewer}, 404)
			expect(mocktest.Call{Method: method, Path: at([2]string{"a%20b"}), Token: viewer}, 400)
			continue
		}
		expect(mocktest.Call{Method: method, Path: at(ok), Token: viewer, Body: "{}"}, 403)
		expect(mocktest.Call{Method: method, Path: at([2]string{"wf-999", ok[1]}), Token: operator}, 404)
		expect(mocktest.Call{Method: method, Path: at(ok), Token: operator, Body: `{"reason":"x"}`}, 400)
		expect(mocktest.Call{Method: method, Path: at(ok), Token: operator, Body: "x", Header: textPlain}, 415)
		expect(mocktest.Call{Method: method, Path: at(ok), Token: operator, Body: big}, 413)
		expect(mocktest.Call{Method: method, Path: at(ok), Token: operator, Body: "{}"}, 200)
		expect(mocktest.Call{Method: method, Path: at(busy), Token: operator}, 409)
		key := map[string]string{"Idempotency-Key": "walk " + r}
		expect(mocktest.Call{Method: method, Path: at(busy), Token: operator, Header: key}, 409)
		expect(mocktest.Call{Method: method, Path: at(busy), Token: operator, Body: "{}", Header: key}, 422)
	}
	var missing []string
	for _, m := range cov.Missing(t, workflowRoutes...) {
		// 429 and 5XX need injected faults.
		if strings.HasSuffix(m, " 429") || strings.HasSuffix(m, " 5XX") {
			continue
		}
		missing = append(missing, m)
	}
	if len(missing) > 0 {
		t.Errorf("documented answers the walk never saw:\n  %s", strings.Join(missing, "\n  "))
	}
}

// An unknown workflow or task is 404 before the body is read: a
// text/plain, oversized or malformed body does not turn it into a 415, 413
// or 400.
func TestWorkflowUnknownPathBeforeBody(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	operator := mocktest.Token(t, ts, mockserver.OperatorEmail, "operator")
	const base = "/api/platform/orchestration/workflows"
	mocktest.CheckUnknownBeforeBody(t, ts, operator, []mocktest.UnknownPath{
		{Name: "pause", Method: "POST", Path: base + "/nope/pause"},
		{Name: "resume", Method: "POST", Path: base + "/nope/resume"},
		{Name: "cancel", Method: "POST", Path: base + "/nope/cancel"},
		{Name: "retry, unknown workflow", Method: "POST", Path: base + "/nope/tasks/task-101/retry"},
		{Name: "retry, unknown task", Method: "POST", Path: base + "/wf-003/tasks/task-nope/retry"},
	}, []string{`workflow "nope"`, `workflow "nope"`, `workflow "nope"`, `workflow "nope"`, `task "task-nope"`})
}
