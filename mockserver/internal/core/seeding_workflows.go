package core

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/waooaw/waooaw-go/workflows"
)

// planWorkflows checks seeded workflows and builds their states.
func (p *seedPlan) planWorkflows(ws []workflows.Workflow) {
	ids := dup{}
	taken := map[string]bool{}
	if p.live != nil {
		for id := range p.live.Workflows.byID {
			taken[id] = true
		}
	}
	for _, w := range ws {
		if w.WorkflowID != "" {
			taken[w.WorkflowID] = true
		}
	}
	var planned []*wfState
	for i, w := range ws {
		path := fmt.Sprintf("workflows[%d]", i)
		if w.WorkflowID != "" {
			switch first, twice := ids.seen(w.WorkflowID, path); {
			case !ValidPathID(w.WorkflowID):
				p.problem(path+".workflow_id", IDRule)
			case twice:
				p.problem(path+".workflow_id", "%q is given twice (also at %s)", w.WorkflowID, first)
			case p.live != nil && p.live.Workflows.byID[w.WorkflowID] != nil:
				p.problem(path+".workflow_id", "workflow %q exists already", w.WorkflowID)
			}
		}
		if st := p.planWorkflow(path, w); st != nil {
			planned = append(planned, st)
		}
	}
	k := len(taken)
	for _, st := range planned {
		if st.w.WorkflowID == "" {
			st.w.WorkflowID = nextID("wf-%03d", &k, func(id string) bool { return taken[id] })
			taken[st.w.WorkflowID] = true
		}
		p.workflows = append(p.workflows, st)
		p.res.Workflows = append(p.res.Workflows, st.w.WorkflowID)
	}
}

// planWorkflow checks one workflow, fills in what it leaves out and builds
// its state; nil when it has problems.
func (p *seedPlan) planWorkflow(path string, w workflows.Workflow) *wfState {
	before := len(p.probs)
	bad := func(field, format string, args ...any) { p.problem(path+"."+field, format, args...) }

	p.checkText(path+".workflow_name", w.WorkflowName, true, maxSeedName)
	p.checkText(path+".customer_name", w.CustomerName, false, maxSeedName)
	if w.CustomerID == "" {
		bad("customer_id", "is required")
	} else {
		p.checkCustomer(path+".customer_id", w.CustomerID)
		if name, ok := p.customerIDs[w.CustomerID]; ok {
			switch {
			case w.CustomerName == "":
				w.CustomerName = name
			case w.CustomerName != name:
				bad("customer_name", "is %q, but customer %s is %q: leave it out", w.CustomerName, w.CustomerID, name)
			}
		}
	}
	switch {
	case w.Status == "":
		w.Status = workflows.StatusPending
	case !w.Status.Valid():
		bad("status", "must be one of pending, running, paused, completed, failed, cancelled, not %q", w.Status)
	}

	tasks := slices.Clone(w.Tasks)
	index := make(map[string]int, len(tasks))
	taskPath := func(j int) string { return fmt.Sprintf("%s.tasks[%d]", path, j) }
	for j := range tasks {
		t, tp := &tasks[j], taskPath(j)
		switch _, twice := index[t.TaskID]; {
		case t.TaskID == "":
			p.problem(tp+".task_id", "is required")
		case !ValidPathID(t.TaskID):
			p.problem(tp+".task_id", IDRule)
		case twice:
			p.problem(tp+".task_id", "%q is given twice (also at %s)", t.TaskID, taskPath(index[t.TaskID]))
		default:
			index[t.TaskID] = j
		}
		p.checkText(tp+".task_name", t.TaskName, true, maxSeedName)
		switch {
		case t.AgentID == "":
			p.problem(tp+".agent_id", "is required")
		case !ValidPathID(t.AgentID):
			p.problem(tp+".agent_id", IDRule)
		case p.live != nil && !p.agentIDs[t.AgentID]:
			p.problem(tp+".agent_id", "unknown agent %q: seed it in agents", t.AgentID)
		}
		switch {
		case t.Status == "":
			t.Status = workflows.TaskPending
		case !t.Status.Valid():
			p.problem(tp+".status", "must be one of pending, running, completed, failed, cancelled, not %q", t.Status)
		}
		if t.EstimatedDurationMS == 0 {
			p.problem(tp+".estimated_duration_ms", "is required (milliseconds, from 1 to %d)", maxTaskEstimate.Milliseconds())
		} else if t.EstimatedDurationMS < 1 || t.EstimatedDurationMS > maxTaskEstimate.Milliseconds() {
			p.problem(tp+".estimated_duration_ms", "must be from 1 to %d milliseconds, not %d", maxTaskEstimate.Milliseconds(), t.EstimatedDurationMS)
		}
		if t.RetryCount < 0 {
			p.problem(tp+".retry_count", "must not be negative")
		}
		if t.DurationMS != nil && *t.DurationMS < 0 {
			p.problem(tp+".duration_ms", "must not be negative")
		}
		p.checkText(tp+".error", t.Error, false, maxSeedText)
		if t.Error != "" && t.Status != workflows.TaskFailed {
			p.problem(tp+".error", "only a failed task has an error")
		}
	}
	for j, t := range tasks {
		for k, d := range t.Dependencies {
			switch _, ok := index[d]; {
			case d == t.TaskID:
				p.problem(fmt.Sprintf("%s.dependencies[%d]", taskPath(j), k), "a task cannot depend on itself")
			case !ok:
				p.problem(fmt.Sprintf("%s.dependencies[%d]", taskPath(j), k), "unknown task %q: name a task_id of this workflow", d)
			}
		}
	}
	if len(p.probs) > before {
		return nil
	}
	w.Tasks = tasks
	if _, err := workflows.NewTimeline(w, p.now); err != nil {
		bad("tasks", "%s", strings.TrimPrefix(err.Error(), "workflows: timeline: "))
		return nil
	}

	p.checkWorkflowStatuses(path, w, index)
	if len(p.probs) > before {
		return nil
	}
	p.settleWorkflowTimes(path, &w, index)
	if len(p.probs) > before {
		return nil
	}
	st, err := newWFState(w, p.now)
	if err != nil {
		bad("tasks", "%v", err)
		return nil
	}
	v := st.view()
	for _, c := range []struct {
		field     string
		got, want int
	}{
		{"progress", w.Progress, v.Progress},
		{"total_tasks", w.TotalTasks, v.TotalTasks},
		{"completed_tasks", w.CompletedTasks, v.CompletedTasks},
		{"failed_tasks", w.FailedTasks, v.FailedTasks},
	} {
		if c.got != 0 && c.got != c.want {
			bad(c.field, "is %d, but the tasks make it %d: leave it out (it is derived from the tasks)", c.got, c.want)
		}
	}
	if len(p.probs) > before {
		return nil
	}
	return st
}

// checkWorkflowStatuses checks that the tasks' statuses fit the
// workflow's and their dependencies, as the state machine leaves them.
func (p *seedPlan) checkWorkflowStatuses(path string, w workflows.Workflow, index map[string]int) {
	bad := func(field, format string, args ...any) { p.problem(path+"."+field, format, args...) }
	depsDone := func(t workflows.Task) (string, workflows.TaskStatus, bool) {
		for _, d := range t.Dependencies {
			if s := w.Tasks[index[d]].Status; s != workflows.TaskCompleted {
				return d, s, false
			}
		}
		return "", "", true
	}
	live := false // a task running or ready to start
	failed := false
	for j, t := range w.Tasks {
		tp := fmt.Sprintf("tasks[%d].status", j)
		switch t.Status {
		case workflows.TaskRunning, workflows.TaskCompleted, workflows.TaskFailed:
			if d, s, ok := depsDone(t); !ok {
				bad(tp, "cannot be %s: it depends on task %q, which is %s (a task starts once its dependencies completed)", t.Status, d, s)
			}
		}
		_, _, ready := depsDone(t)
		live = live || t.Status == workflows.TaskRunning || t.Status == workflows.TaskPending && ready
		failed = failed || t.Status == workflows.TaskFailed
		switch {
		case w.Status == workflows.StatusPending && t.Status != workflows.TaskPending:
			bad(tp, "must be pending in a pending workflow, not %s", t.Status)
		case w.Status == workflows.StatusCompleted && t.Status != workflows.TaskCompleted:
			bad(tp, "must be completed in a completed workflow, not %s", t.Status)
		case w.Status == workflows.StatusFailed && t.Status == workflows.TaskRunning:
			bad(tp, "cannot be running in a failed workflow")
		case w.Status == workflows.StatusCancelled && (t.Status == workflows.TaskRunning || t.Status == workflows.TaskPending):
			bad(tp, "cannot be %s in a cancelled workflow (cancelling cancels unfinished tasks)", t.Status)
		case w.Status != workflows.StatusCancelled && t.Status == workflows.TaskCancelled:
			bad(tp, "only a cancelled workflow has cancelled tasks")
		}
	}
	switch w.Status {
	case workflows.StatusFailed:
		if !failed {
			bad("status", "a failed workflow needs a failed task")
		}
	case workflows.StatusRunning, workflows.StatusPaused:
		if !live {
			bad("status", "a %s workflow needs a task that is running or ready to start (pending, its dependencies completed): with none it would have ended", w.Status)
		}
	}
}

// settleWorkflowTimes fills in the times a workflow leaves out and checks
// them: against the clock, and in the order things happen. Times left out
// are placed back from the clock: a task that ended without completed_at
// ended when the first task depending on it started (else now), having
// run its duration_ms (else its estimate); one that runs without
// started_at started its duration_ms ago (else now); the workflow started
// with its first task and was created when it started.
func (p *seedPlan) settleWorkflowTimes(path string, w *workflows.Workflow, index map[string]int) {
	bad := func(field, format string, args ...any) { p.problem(path+"."+field, format, args...) }
	utc := func(t *time.Time) *time.Time {
		if t == nil {
			return nil
		}
		u := t.UTC()
		return &u
	}
	at := func(t time.Time) *time.Time { return &t }
	stamp := func(t time.Time) string { return t.Format(time.RFC3339Nano) }
	tasks := w.Tasks

	w.StartedAt, w.CompletedAt = utc(w.StartedAt), utc(w.CompletedAt)
	dependents := make([][]int, len(tasks))
	for j := range tasks {
		t := &tasks[j]
		t.StartedAt, t.CompletedAt = utc(t.StartedAt), utc(t.CompletedAt)
		for _, d := range t.Dependencies {
			dependents[index[d]] = append(dependents[index[d]], j)
		}
	}
	ran := func(t *workflows.Task) time.Duration {
		if t.DurationMS != nil {
			return time.Duration(*t.DurationMS) * time.Millisecond
		}
		return time.Duration(t.EstimatedDurationMS) * time.Millisecond
	}

	order := taskOrder(tasks, index)
	for k := len(order) - 1; k >= 0; k-- { // dependents first
		j := order[k]
		t := &tasks[j]
		tp := fmt.Sprintf("tasks[%d]", j)
		switch t.Status {
		case workflows.TaskPending:
			if t.StartedAt != nil {
				bad(tp+".started_at", "must be null for a pending task")
			}
			if t.CompletedAt != nil {
				bad(tp+".completed_at", "must be null for a pending task")
			}
			if t.DurationMS != nil {
				bad(tp+".duration_ms", "must be absent for a pending task")
			}
		case workflows.TaskRunning:
			if t.CompletedAt != nil {
				bad(tp+".completed_at", "must be null for a running task")
			}
			if t.StartedAt == nil {
				d := time.Duration(0)
				if t.DurationMS != nil {
					d = ran(t)
				}
				t.StartedAt = at(p.now.Add(-d))
			}
		case workflows.TaskCompleted, workflows.TaskFailed:
			if t.CompletedAt == nil {
				end := p.now
				for _, i := range dependents[j] {
					if s := tasks[i].StartedAt; s != nil && s.Before(end) {
						end = *s
					}
				}
				if t.StartedAt != nil && t.StartedAt.Add(ran(t)).Before(end) {
					end = t.StartedAt.Add(ran(t))
				}
				t.CompletedAt = at(end)
			}
			if t.StartedAt == nil {
				t.StartedAt = at(t.CompletedAt.Add(-ran(t)))
			}
		case workflows.TaskCancelled:
			if t.StartedAt == nil && t.CompletedAt != nil {
				bad(tp+".completed_at", "must be null for a task that never started (no started_at)")
			}
			if t.StartedAt != nil && t.CompletedAt == nil {
				t.CompletedAt = at(p.now)
			}
		}
		if t.StartedAt != nil && t.DurationMS == nil {
			end := p.now
			if t.CompletedAt != nil {
				end = *t.CompletedAt
			}
			ms := max(end.Sub(*t.StartedAt).Milliseconds(), 0)
			t.DurationMS = &ms
		}
	}

	var first *time.Time // the first task's start
	for _, t := range tasks {
		if t.StartedAt != nil && (first == nil || t.StartedAt.Before(*first)) {
			first = t.StartedAt
		}
	}
	switch {
	case w.Status == workflows.StatusPending && w.StartedAt != nil:
		bad("started_at", "must be null for a pending workflow")
	case w.Status == workflows.StatusPending || w.StartedAt != nil:
	case first != nil:
		w.StartedAt = at(*first)
	case w.Status != workflows.StatusCancelled:
		w.StartedAt = at(p.now)
	}
	if w.CreatedAt.IsZero() {
		w.CreatedAt = p.now
		if w.StartedAt != nil && w.StartedAt.Before(w.CreatedAt) {
			w.CreatedAt = *w.StartedAt
		}
		if first != nil && first.Before(w.CreatedAt) {
			w.CreatedAt = *first
		}
	}
	w.CreatedAt = w.CreatedAt.UTC()

	last := w.CreatedAt
	if w.StartedAt != nil && w.StartedAt.After(last) {
		last = *w.StartedAt
	}
	for _, t := range tasks {
		if t.CompletedAt != nil && t.CompletedAt.After(last) {
			last = *t.CompletedAt
		}
	}
	switch w.Status {
	case workflows.StatusCompleted, workflows.StatusFailed:
		if w.CompletedAt == nil {
			w.CompletedAt = at(last)
		}
	case workflows.StatusCancelled:
		if w.CompletedAt == nil {
			w.CompletedAt = at(p.now)
		}
	default:
		if w.CompletedAt != nil {
			bad("completed_at", "must be null for a %s workflow", w.Status)
		}
	}

	// The order things happen in, and the clock.
	p.checkTime(path+".created_at", w.CreatedAt)
	if w.StartedAt != nil {
		p.checkTime(path+".started_at", *w.StartedAt)
		if w.StartedAt.Before(w.CreatedAt) {
			bad("started_at", "is before created_at (%s)", stamp(w.CreatedAt))
		}
	}
	if w.CompletedAt != nil {
		p.checkTime(path+".completed_at", *w.CompletedAt)
		if w.CompletedAt.Before(last) {
			bad("completed_at", "is before the workflow started or a task ended (%s)", stamp(last))
		}
	}
	for j, t := range tasks {
		tp := fmt.Sprintf("tasks[%d]", j)
		if t.StartedAt != nil {
			p.checkTime(path+"."+tp+".started_at", *t.StartedAt)
			if w.StartedAt != nil && t.StartedAt.Before(*w.StartedAt) {
				bad(tp+".started_at", "is before the workflow's started_at (%s)", stamp(*w.StartedAt))
			}
			for _, d := range t.Dependencies {
				if end := tasks[index[d]].CompletedAt; end != nil && t.StartedAt.Before(*end) {
					bad(tp+".started_at", "is before task %q completed (%s)", d, stamp(*end))
				}
			}
		}
		if t.CompletedAt != nil {
			p.checkTime(path+"."+tp+".completed_at", *t.CompletedAt)
			if t.StartedAt != nil && t.CompletedAt.Before(*t.StartedAt) {
				bad(tp+".completed_at", "is before its started_at (%s)", stamp(*t.StartedAt))
			}
		}
		if t.StartedAt != nil && t.DurationMS != nil {
			end := p.now
			if t.CompletedAt != nil {
				end = *t.CompletedAt
			}
			if span := end.Sub(*t.StartedAt).Milliseconds(); *t.DurationMS > span {
				bad(tp+".duration_ms", "is %d, more than the %d ms from started_at to %s", *t.DurationMS, span, stamp(end))
			}
		}
	}
}

// taskOrder orders tasks so that each comes after its dependencies; the
// dependencies are known to be acyclic.
func taskOrder(tasks []workflows.Task, index map[string]int) []int {
	pending := make([]int, len(tasks))
	dependents := make([][]int, len(tasks))
	var order []int
	for i, t := range tasks {
		pending[i] = len(t.Dependencies)
		for _, d := range t.Dependencies {
			dependents[index[d]] = append(dependents[index[d]], i)
		}
		if pending[i] == 0 {
			order = append(order, i)
		}
	}
	for k := 0; k < len(order); k++ {
		for _, i := range dependents[order[k]] {
			if pending[i]--; pending[i] == 0 {
				order = append(order, i)
			}
		}
	}
	return order
}
