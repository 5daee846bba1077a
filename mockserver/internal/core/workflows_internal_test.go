package core

import (
	"encoding/binary"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waooaw/waooaw-go/workflows"
)

// fuzzWorkflow builds a running workflow from data: up to 8 tasks, each
// depending on some of the tasks before it (so there is no cycle), with
// estimates of 0-10 minutes. It returns the rest of data.
func fuzzWorkflow(data []byte, now time.Time) (workflows.Workflow, []byte) {
	next := func() byte {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return b
	}
	w := workflows.Workflow{WorkflowID: "wf-f", WorkflowName: "Fuzz", Status: workflows.StatusRunning,
		CreatedAt: now, StartedAt: tp(now)}
	n := int(next()%8) + 1
	for i := range n {
		t := workflows.Task{TaskID: fmt.Sprintf("t%d", i), TaskName: "task", AgentID: "wow-memory",
			Status: workflows.TaskPending, EstimatedDurationMS: int64(next()%11) * 60_000}
		deps := next()
		for j := range i {
			if deps&(1<<j) != 0 {
				t.Dependencies = append(t.Dependencies, fmt.Sprintf("t%d", j))
			}
		}
		w.Tasks = append(w.Tasks, t)
	}
	return w, data
}

// checkInvariants fails the test when w breaks a rule of the state machine
// at now.
func checkInvariants(t *testing.T, w workflows.Workflow, now time.Time) {
	t.Helper()
	done, failed, running := 0, 0, 0
	for _, k := range w.Tasks {
		switch k.Status {
		case workflows.TaskCompleted:
			done++
			if k.DurationMS == nil || *k.DurationMS != k.EstimatedDurationMS {
				t.Errorf("%s completed after %v ms, estimate %d", k.TaskID, k.DurationMS, k.EstimatedDurationMS)
			}
		case workflows.TaskFailed:
			failed++
		case workflows.TaskRunning:
			running++
			if *k.DurationMS > k.EstimatedDurationMS {
				t.Errorf("%s still running after %d ms, estimate %d", k.TaskID, *k.DurationMS, k.EstimatedDurationMS)
			}
		}
		if (k.StartedAt == nil) != (k.DurationMS == nil) {
			t.Errorf("%s: started_at %v but duration_ms %v", k.TaskID, k.StartedAt, k.DurationMS)
		}
		if k.CompletedAt != nil && (k.CompletedAt.After(now) || k.StartedAt == nil || k.CompletedAt.Before(*k.StartedAt)) {
			t.Errorf("%s: started %v, ended %v, now %v", k.TaskID, k.StartedAt, k.CompletedAt, now)
		}
		if k.StartedAt == nil {
			continue
		}
		for _, d := range k.Dependencies {
			dep, _ := w.Task(d)
			if dep.Status != workflows.TaskCompleted || k.StartedAt.Before(*dep.CompletedAt) {
				t.Errorf("%s started at %v, but its dependency %s is %s (ended %v)", k.TaskID, k.StartedAt, d, dep.Status, dep.CompletedAt)
			}
		}
	}
	n := len(w.Tasks)
	if w.TotalTasks != n || w.CompletedTasks != done || w.FailedTasks != failed || w.Progress != done*100/max(n, 1) {
		t.Errorf("counts %d/%d/%d progress %d, tasks say %d/%d/%d", w.TotalTasks, w.CompletedTasks, w.FailedTasks, w.Progress, n, done, failed)
	}
	switch w.Status {
	case workflows.StatusRunning:
		if running == 0 {
			t.Errorf("running with no task running: %+v", w.Tasks)
		}
	case workflows.StatusCompleted:
		if done != n {
			t.Errorf("completed with %d of %d tasks done", done, n)
		}
	case workflows.StatusFailed:
		if failed == 0 || running > 0 {
			t.Errorf("failed with %d failed and %d running tasks", failed, running)
		}
	}
	if w.Status.Terminal() != (w.CompletedAt != nil) {
		t.Errorf("%s with completed_at %v", w.Status, w.CompletedAt)
	}
}

// FuzzWorkflowStateMachine runs random workflows through random clock moves,
// pauses, resumes, cancels, task failures and retries, checking the
// invariants after every step: it never panics, counts follow the tasks,
// tasks start only after their dependencies, and paused or ended
// workflows do not move.
func FuzzWorkflowStateMachine(f *testing.F) {
	f.Add([]byte{4, 5, 0, 3, 1, 7, 3, 2, 2, 0, 40, 1, 2, 9, 3, 0, 200})
	f.Add([]byte{7, 1, 0, 2, 1, 3, 3, 4, 7, 5, 15, 6, 31, 10, 63, 2, 127, 4, 1, 5, 0, 4, 2, 5, 1, 0, 255})
	f.Add([]byte{0, 0, 0, 0, 5})
	f.Fuzz(func(t *testing.T, data []byte) {
		now := Epoch()
		w, ops := fuzzWorkflow(data, now)
		st := &workflowStore{mu: new(sync.Mutex), byID: map[string]*wfState{}}
		state, err := newWFState(w, now)
		if err != nil {
			t.Fatal(err)
		}
		st.put(state)
		for len(ops) >= 2 {
			op, arg := ops[0], ops[1]
			ops = ops[2:]
			before, _ := st.Get("wf-f", now)
			switch op % 6 {
			case 0: // advance
				now = now.Add(time.Duration(binary.BigEndian.Uint16([]byte{arg, op})) * time.Second)
				after, _ := st.Get("wf-f", now)
				if (before.Status == workflows.StatusPaused || before.Status.Terminal()) && !cmp.Equal(before, after) {
					t.Fatalf("a %s workflow moved: %s", before.Status, cmp.Diff(before, after))
				}
			case 1:
				st.act("wf-f", WorkflowPause, now)
			case 2:
				st.act("wf-f", WorkflowResume, now)
			case 3:
				if arg%4 == 0 { // cancel less often, it ends everything
					st.act("wf-f", WorkflowCancel, now)
				}
			case 4: // a running task fails
				st.mu.Lock()
				ws := st.byID["wf-f"]
				ws.settle(now)
				if k := ws.tasks[int(arg)%len(ws.tasks)]; k.Status == workflows.TaskRunning && ws.w.Status == workflows.StatusRunning {
					k.Status, k.CompletedAt, k.Error = workflows.TaskFailed, tp(now), "boom"
				}
				st.mu.Unlock()
			case 5:
				id := fmt.Sprintf("t%d", int(arg)%len(w.Tasks))
				got, e := st.retry("wf-f", id, now)
				if e == nil && (got.Status != workflows.StatusRunning || before.Status != workflows.StatusFailed) {
					t.Fatalf("retry %s of a %s workflow gave %s", id, before.Status, got.Status)
				}
			}
			after, _ := st.Get("wf-f", now)
			checkInvariants(t, after, now)
			if t.Failed() {
				t.FailNow()
			}
		}
		// Whatever happened, a day later nothing is running unless paused.
		now = now.Add(24 * time.Hour)
		end, _ := st.Get("wf-f", now)
		checkInvariants(t, end, now)
		if end.Status == workflows.StatusRunning || end.Status == workflows.StatusPending {
			t.Fatalf("still %s a day later", end.Status)
		}
	})
}

func TestWorkflowEdgeCases(t *testing.T) {
	t.Parallel()
	now := Epoch()
	for _, tc := range []struct {
		name  string
		tasks []workflows.Task
		want  workflows.Status
	}{
		{"no tasks", nil, workflows.StatusCompleted},
		{"zero-length tasks", []workflows.Task{
			{TaskID: "a", Status: workflows.TaskPending},
			{TaskID: "b", Status: workflows.TaskPending, Dependencies: []string{"a"}},
		}, workflows.StatusCompleted},
		{"a failed task stops its dependents, not the rest", []workflows.Task{
			{TaskID: "a", Status: workflows.TaskFailed, StartedAt: tp(now), CompletedAt: tp(now), Error: "boom"},
			{TaskID: "b", Status: workflows.TaskPending, Dependencies: []string{"a"}, EstimatedDurationMS: 60_000},
			{TaskID: "c", Status: workflows.TaskPending, EstimatedDurationMS: 60_000},
		}, workflows.StatusFailed},
	} {
		st := &workflowStore{mu: new(sync.Mutex), byID: map[string]*wfState{}}
		ws, err := newWFState(workflows.Workflow{WorkflowID: "w", Status: workflows.StatusRunning, CreatedAt: now, StartedAt: tp(now), Tasks: tc.tasks}, now)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		st.put(ws)
		got, _ := st.Get("w", now.Add(time.Hour))
		if got.Status != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got.Status, tc.want)
		}
		checkInvariants(t, got, now.Add(time.Hour))
		if c, ok := got.Task("c"); ok && c.Status != workflows.TaskCompleted {
			t.Errorf("%s: the independent task is %s", tc.name, c.Status)
		}
	}

	// A failed task in a workflow that runs on (another task was retried)
	// cannot be retried until the workflow has failed again.
	st := &workflowStore{mu: new(sync.Mutex), byID: map[string]*wfState{}}
	ws, _ := newWFState(workflows.Workflow{WorkflowID: "w", Status: workflows.StatusFailed, CreatedAt: now, StartedAt: tp(now), CompletedAt: tp(now),
		Tasks: []workflows.Task{
			{TaskID: "a", Status: workflows.TaskFailed, StartedAt: tp(now), CompletedAt: tp(now), Error: "boom", EstimatedDurationMS: 60_000},
			{TaskID: "b", Status: workflows.TaskFailed, StartedAt: tp(now), CompletedAt: tp(now), Error: "boom", EstimatedDurationMS: 60_000},
		}}, now)
	st.put(ws)
	if _, e := st.retry("w", "a", now); e != nil {
		t.Fatal(e)
	}
	if _, e := st.retry("w", "b", now); e == nil || e.Status != 409 {
		t.Errorf("retry in a running workflow: %v, want 409", e)
	}
	if got, _ := st.Get("w", now.Add(time.Minute)); got.Status != workflows.StatusFailed || got.CompletedTasks != 1 {
		t.Errorf("after a's retry ran: %s with %d completed", got.Status, got.CompletedTasks)
	}
	if _, e := st.retry("w", "b", now.Add(time.Minute)); e != nil {
		t.Errorf("retry b once the workflow failed again: %v", e)
	}

	// Bad graphs are refused, naming the problem.
	for name, tasks := range map[string][]workflows.Task{
		"cycle":        {{TaskID: "a", Dependencies: []string{"b"}}, {TaskID: "b", Dependencies: []string{"a"}}},
		"unknown":      {{TaskID: "a", Dependencies: []string{"zz"}}},
		"duplicate id": {{TaskID: "a"}, {TaskID: "a"}},
	} {
		if _, err := newWFState(workflows.Workflow{WorkflowID: "w", Tasks: tasks}, now); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
