package core

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/workflows"
)

// wfTask is one task of a workflow and the time it has run.
type wfTask struct {
	workflows.Task // DurationMS is derived from run when read
	// run is how long the task has run (paused time excluded): so far, as
	// of the workflow's settled time, while running; final once it ended.
	run  time.Duration
	deps []int // indexes of the tasks in Dependencies
}

// wfState is a workflow as the mock keeps it. Progress, the task counts and
// the tasks' durations are derived when read, never stored.
type wfState struct {
	w     workflows.Workflow // Tasks is unused: see tasks
	tasks []*wfTask
	// settled is the clock time the state is correct for; settle moves it.
	settled time.Time
	// startAt is when a pending workflow starts on its own (zero: never).
	startAt time.Time
}

func tp(t time.Time) *time.Time { return &t }

// settle brings the workflow up to now. A running workflow runs its tasks
// over the time since it was last settled; a paused one does not move, so
// its paused time never counts.
func (w *wfState) settle(now time.Time) {
	if now.Before(w.settled) {
		return // the clock never goes back; only a reset, which rebuilds the stores, does
	}
	if w.w.Status == workflows.StatusPending && !w.startAt.IsZero() && !now.Before(w.startAt) {
		w.w.Status, w.w.StartedAt = workflows.StatusRunning, tp(w.startAt)
		w.settled = w.startAt
	}
	if w.w.Status == workflows.StatusRunning {
		w.runUntil(now)
	}
	w.settled = now
}

// runUntil runs a running workflow from its settled time to now: a task
// starts the moment all its dependencies have completed and completes once
// it has run its estimated duration. When nothing runs and nothing can
// start, the workflow has ended: completed if every task completed, else
// failed.
func (w *wfState) runUntil(now time.Time) {
	t := w.settled
	for {
		w.startReady(t)
		var next time.Time
		running := false
		for _, k := range w.tasks {
			if k.Status != workflows.TaskRunning {
				continue
			}
			if end := t.Add(k.left()); !running || end.Before(next) {
				next, running = end, true
			}
		}
		if !running {
			w.end(t)
			return
		}
		if next.After(now) {
			w.accrue(now.Sub(t))
			return
		}
		w.accrue(next.Sub(t))
		t = next
		for _, k := range w.tasks {
			if k.Status == workflows.TaskRunning && k.left() <= 0 {
				k.Status, k.CompletedAt = workflows.TaskCompleted, tp(t)
			}
		}
	}
}

// due is when the workflow, settled, next changes on its own (zero:
// never, until something is done to it): a pending one starts, a running
// one's next task completes.
func (w *wfState) due() time.Time {
	var next time.Time
	switch w.w.Status {
	case workflows.StatusPending:
		next = w.startAt
	case workflows.StatusRunning:
		for _, k := range w.tasks {
			if k.Status != workflows.TaskRunning {
				continue
			}
			if end := w.settled.Add(k.left()); next.IsZero() || end.Before(next) {
				next = end
			}
		}
	}
	return next
}

// left is how long a running task has still to run.
func (k *wfTask) left() time.Duration {
	return max(time.Duration(k.EstimatedDurationMS)*time.Millisecond-k.run, 0)
}

// startReady starts, at t, every pending task whose dependencies have all
// completed.
func (w *wfState) startReady(t time.Time) {
	for _, k := range w.tasks {
		if k.Status != workflows.TaskPending {
			continue
		}
		ready := true
		for _, d := range k.deps {
			if w.tasks[d].Status != workflows.TaskCompleted {
				ready = false
				break
			}
		}
		if ready {
			k.Status, k.StartedAt, k.CompletedAt, k.run = workflows.TaskRunning, tp(t), nil, 0
		}
	}
}

func (w *wfState) accrue(d time.Duration) {
	for _, k := range w.tasks {
		if k.Status == workflows.TaskRunning {
			k.run += d
		}
	}
}

// end finishes a workflow in which nothing runs or can start any more.
func (w *wfState) end(t time.Time) {
	w.w.Status = workflows.StatusCompleted
	for _, k := range w.tasks {
		if k.Status != workflows.TaskCompleted {
			w.w.Status = workflows.StatusFailed
			break
		}
	}
	w.w.CompletedAt = tp(t)
}

// view is the wire form of the workflow, with progress and counts derived
// from its tasks.
func (w *wfState) view() workflows.Workflow {
	out := w.w
	out.Tasks = make([]workflows.Task, len(w.tasks))
	out.TotalTasks, out.CompletedTasks, out.FailedTasks = len(w.tasks), 0, 0
	for i, k := range w.tasks {
		t := k.Task
		t.Dependencies = append([]string{}, k.Dependencies...)
		if t.StartedAt != nil {
			ms := k.run.Milliseconds()
			t.DurationMS = &ms
		} else {
			t.DurationMS = nil
		}
		switch t.Status {
		case workflows.TaskCompleted:
			out.CompletedTasks++
		case workflows.TaskFailed:
			out.FailedTasks++
		}
		out.Tasks[i] = t
	}
	out.Progress = 0
	if out.TotalTasks > 0 {
		out.Progress = out.CompletedTasks * 100 / out.TotalTasks
	}
	return out
}

// workflowStore holds the workflows, in seed order.
type workflowStore struct {
	mu    *sync.Mutex // the World's one lock (World.share)
	order []string
	byID  map[string]*wfState
}

func newWorkflowStore(now time.Time) *workflowStore {
	st := &workflowStore{mu: new(sync.Mutex), byID: map[string]*wfState{}}
	for _, sw := range seedWorkflows(now) {
		w, err := newWFState(sw.w, now)
		if err != nil {
			panic("mockserver: bad seed workflow: " + err.Error()) // a bug in the seed, caught by its tests
		}
		w.startAt = sw.startAt
		st.put(w)
	}
	return st
}

// put adds or replaces a workflow; st.mu must be held or st unshared.
func (st *workflowStore) put(w *wfState) {
	if _, ok := st.byID[w.w.WorkflowID]; !ok {
		st.order = append(st.order, w.w.WorkflowID)
	}
	st.byID[w.w.WorkflowID] = w
}

// List returns every workflow settled to now, in order.
func (st *workflowStore) List(now time.Time) []workflows.Workflow {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]workflows.Workflow, 0, len(st.order))
	for _, id := range st.order {
		w := st.byID[id]
		w.settle(now)
		out = append(out, w.view())
	}
	return out
}

// Get returns one workflow settled to now.
func (st *workflowStore) Get(id string, now time.Time) (workflows.Workflow, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	w, ok := st.byID[id]
	if !ok {
		return workflows.Workflow{}, false
	}
	w.settle(now)
	return w.view(), true
}

// Has reports whether workflow id exists and, when taskID is not empty,
// whether it has that task. Neither depends on the clock: workflows and
// their tasks are never removed.
func (st *workflowStore) Has(id, taskID string) (workflow, task bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	w, ok := st.byID[id]
	if !ok {
		return false, false
	}
	return true, taskID != "" && slices.ContainsFunc(w.tasks, func(k *wfTask) bool { return k.TaskID == taskID })
}

// statusCounts counts the workflows in each status at now, for the
// dashboard.
func (st *workflowStore) statusCounts(now time.Time) map[workflows.Status]int {
	st.mu.Lock()
	defer st.mu.Unlock()
	n := map[workflows.Status]int{}
	for _, id := range st.order {
		w := st.byID[id]
		w.settle(now)
		n[w.w.Status]++
	}
	return n
}

// WorkflowAction is pause, resume or cancel.
type WorkflowAction string

const (
	WorkflowPause  WorkflowAction = "pause"
	WorkflowResume WorkflowAction = "resume"
	WorkflowCancel WorkflowAction = "cancel"
)

// Act applies an action under the workflow state machine:
//
//	pause:  running                   → paused
//	resume: paused                    → running
//	cancel: pending, running, paused  → cancelled (unfinished tasks too)
//
// Anything else is a conflict naming the current status.
//
// st.mu is held (World.ActWorkflow).
func (st *workflowStore) act(id string, act WorkflowAction, now time.Time) (workflows.Workflow, *Error) {
	w, ok := st.byID[id]
	if !ok {
		return workflows.Workflow{}, NotFound("workflow %q not found", id)
	}
	w.settle(now)
	from := w.w.Status
	switch {
	case act == WorkflowPause && from == workflows.StatusRunning:
		w.w.Status = workflows.StatusPaused
	case act == WorkflowResume && from == workflows.StatusPaused:
		w.w.Status = workflows.StatusRunning
	case act == WorkflowCancel && (from == workflows.StatusPending || from == workflows.StatusRunning || from == workflows.StatusPaused):
		w.w.Status, w.w.CompletedAt = workflows.StatusCancelled, tp(now)
		for _, k := range w.tasks {
			switch k.Status {
			case workflows.TaskRunning:
				k.Status, k.CompletedAt = workflows.TaskCancelled, tp(now)
			case workflows.TaskPending:
				k.Status = workflows.TaskCancelled
			}
		}
	default:
		return workflows.Workflow{}, Conflict("cannot %s workflow %q: it is %s (%s)", act, id, from, wfActionRule[act])
	}
	return w.view(), nil
}

var wfActionRule = map[WorkflowAction]string{
	WorkflowPause:  "only a running workflow can be paused",
	WorkflowResume: "only a paused workflow can be resumed",
	WorkflowCancel: "only a pending, running or paused workflow can be cancelled",
}

// retry runs the failed task of a failed workflow again: the task restarts
// at now with its retry count one higher, the workflow is running, and the
// task's dependents follow once it completes. st.mu is held
// (World.RetryTask).
func (st *workflowStore) retry(id, taskID string, now time.Time) (workflows.Workflow, *Error) {
	w, ok := st.byID[id]
	if !ok {
		return workflows.Workflow{}, NotFound("workflow %q not found", id)
	}
	i := slices.IndexFunc(w.tasks, func(k *wfTask) bool { return k.TaskID == taskID })
	if i < 0 {
		return workflows.Workflow{}, NotFound("task %q not found in workflow %q", taskID, id)
	}
	w.settle(now)
	k := w.tasks[i]
	if k.Status != workflows.TaskFailed {
		return workflows.Workflow{}, Conflict("cannot retry task %q of workflow %q: the task is %s (only a failed task can be retried)", taskID, id, k.Status)
	}
	if w.w.Status != workflows.StatusFailed {
		return workflows.Workflow{}, Conflict("cannot retry task %q: workflow %q is %s (tasks are retried only in a failed workflow)", taskID, id, w.w.Status)
	}
	k.Status, k.StartedAt, k.CompletedAt, k.Error, k.run = workflows.TaskRunning, tp(now), nil, "", 0
	k.RetryCount++
	w.w.Status, w.w.CompletedAt = workflows.StatusRunning, nil
	return w.view(), nil
}

// workflowHealth is the "workflows" component of the platform's health:
// degraded while any workflow has failed (it waits for an operator to retry
// it or give up), healthy otherwise.
func workflowHealth(counts map[workflows.Status]int) platform.HealthStatus {
	if counts[workflows.StatusFailed] > 0 {
		return platform.HealthDegraded
	}
	return platform.HealthHealthy
}

// newWFState builds a workflow's state from its wire form, resolving task
// dependencies; settled is the time its state is correct for. Task ids must
// be unique, dependencies known and acyclic. Counts, progress and task
// durations are not read: they are derived (a started task's duration_ms is
// taken as the time it has run).
func newWFState(w workflows.Workflow, settled time.Time) (*wfState, error) {
	if _, err := workflows.NewTimeline(w, settled); err != nil {
		return nil, fmt.Errorf("workflow %q: %s", w.WorkflowID, strings.TrimPrefix(err.Error(), "workflows: timeline: "))
	}
	st := &wfState{settled: settled}
	index := make(map[string]int, len(w.Tasks))
	for i, t := range w.Tasks {
		index[t.TaskID] = i
	}
	for _, t := range w.Tasks {
		k := &wfTask{Task: t}
		k.Dependencies = slices.Clone(t.Dependencies)
		for _, d := range t.Dependencies {
			k.deps = append(k.deps, index[d])
		}
		if t.DurationMS != nil && t.StartedAt != nil {
			k.run = time.Duration(*t.DurationMS) * time.Millisecond
		}
		k.DurationMS = nil
		st.tasks = append(st.tasks, k)
	}
	w.Tasks = nil
	w.Progress, w.TotalTasks, w.CompletedTasks, w.FailedTasks = 0, 0, 0, 0
	st.w = w
	return st, nil
}

// ActWorkflow pauses, resumes or cancels workflow id for by (the workflow
// state machine: workflowStore.act) and tells of it.
func (w *World) ActWorkflow(id string, act WorkflowAction, by Actor, now time.Time) (workflows.Workflow, *Error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	wf, e := w.Workflows.act(id, act, now)
	if e != nil {
		return wf, e
	}
	w.requested(now, by, "", fmt.Sprintf("Workflow %s: %s requested by %s", id, act, by.name()),
		map[string]any{"workflow_id": id, "action": string(act), "by": by.name()})
	w.tell(now, subject{kindWorkflow, id})
	return wf, nil
}

// RetryTask runs the failed task taskID of workflow id again for by
// (workflowStore.retry) and tells of it.
func (w *World) RetryTask(id, taskID string, by Actor, now time.Time) (workflows.Workflow, *Error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	wf, e := w.Workflows.retry(id, taskID, now)
	if e != nil {
		return wf, e
	}
	w.requested(now, by, "", fmt.Sprintf("Task %s of workflow %s retried by %s", taskID, id, by.name()),
		map[string]any{"workflow_id": id, "task_id": taskID, "action": "retry", "by": by.name()})
	w.tell(now, subject{kindWorkflow, id})
	return wf, nil
}
