package workflows

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Timeline is a workflow laid out in time: for each task when it was planned
// to run and when it actually ran, and the chain of tasks that decides how long
// the workflow takes. Build one with NewTimeline and draw it with WriteText or
// WriteSVG.
type Timeline struct {
	// Title names the chart: the workflow name, and the customer in
	// parentheses when known. Change it before rendering to relabel.
	Title string
	// Start and End bound every planned and actual time in Rows.
	Start, End time.Time
	// Now is the clock reading the timeline was built at; running tasks'
	// actual bars end here.
	Now time.Time
	// Rows has one row per task, in the workflow's task order.
	Rows []Row
	// CriticalPath lists the task ids of the longest planned chain, first
	// task first. It is empty only when there are no tasks.
	CriticalPath []string
}

// Row is one task on a Timeline.
//
// The planned times are a baseline: every task starts when the last of its
// dependencies is planned to end (a task without dependencies at the
// workflow's start) and takes its estimated duration. The actual times come
// from the task's started_at, completed_at and duration_ms.
type Row struct {
	TaskID   string
	TaskName string
	Status   TaskStatus
	// PlannedStart and PlannedEnd are the baseline times; PlannedEnd minus
	// PlannedStart is the estimated duration.
	PlannedStart, PlannedEnd time.Time
	// ActualStart is when the task started, nil if it has not.
	ActualStart *time.Time
	// ActualEnd is nil exactly when ActualStart is. For a running task it is
	// the timeline's Now (the bar is still open); for an ended task without
	// completed_at it is the start plus duration_ms. It is never before
	// ActualStart.
	ActualEnd *time.Time
	// Critical reports whether the task is on the critical path.
	Critical bool
}

// Started reports whether the task has actual times.
func (r Row) Started() bool { return r.ActualStart != nil }

// ActualDuration is how long the task has run: up to Now for a running task,
// zero if it has not started.
func (r Row) ActualDuration() time.Duration {
	if r.ActualStart == nil {
		return 0
	}
	return r.actualEnd().Sub(*r.ActualStart)
}

// actualEnd is ActualEnd, or ActualStart for a row built by hand without one.
func (r Row) actualEnd() time.Time {
	if r.ActualEnd == nil {
		return *r.ActualStart
	}
	return *r.ActualEnd
}

// PlannedDuration is the task's estimated duration.
func (r Row) PlannedDuration() time.Duration { return r.PlannedEnd.Sub(r.PlannedStart) }

// NewTimeline lays out w's tasks in time.
//
// Planned times are anchored at w.StartedAt, or w.CreatedAt for a workflow
// that has not started. now is the time to draw running tasks up to; pass the
// platform's clock reading (the mock server's clock when testing against it).
// Negative estimates count as zero.
//
// The critical path is the chain of dependencies with the latest planned end;
// where chains tie, the one whose tasks come first in w.Tasks wins, so the
// result is deterministic.
//
// NewTimeline returns an error, naming the tasks involved, when two tasks
// share an id, a task depends on an id the workflow does not have, or the
// dependencies form a cycle.
func NewTimeline(w Workflow, now time.Time) (Timeline, error) {
	n := len(w.Tasks)
	index := make(map[string]int, n)
	for i, t := range w.Tasks {
		if _, dup := index[t.TaskID]; dup {
			return Timeline{}, fmt.Errorf("workflows: timeline: duplicate task id %q", t.TaskID)
		}
		index[t.TaskID] = i
	}
	deps := make([][]int, n) // deps[i]: indexes of the tasks task i depends on
	for i, t := range w.Tasks {
		for _, d := range t.Dependencies {
			j, ok := index[d]
			if !ok {
				return Timeline{}, fmt.Errorf("workflows: timeline: task %q depends on unknown task %q", t.TaskID, d)
			}
			deps[i] = append(deps[i], j)
		}
	}
	order, err := topoOrder(w.Tasks, deps)
	if err != nil {
		return Timeline{}, err
	}

	anchor := w.CreatedAt
	if w.StartedAt != nil {
		anchor = *w.StartedAt
	}
	tl := Timeline{Title: title(w), Start: anchor, End: anchor, Now: now}
	if n == 0 {
		return tl, nil
	}
	tl.Rows = make([]Row, n)
	for _, i := range order {
		start := anchor
		for _, j := range deps[i] {
			if end := tl.Rows[j].PlannedEnd; end.After(start) {
				start = end
			}
		}
		t := w.Tasks[i]
		r := Row{
			TaskID:       t.TaskID,
			TaskName:     t.TaskName,
			Status:       t.Status,
			PlannedStart: start,
			PlannedEnd:   start.Add(millis(t.EstimatedDurationMS)),
		}
		r.ActualStart, r.ActualEnd = actual(t, now)
		tl.Rows[i] = r
	}

	for _, r := range tl.Rows {
		tl.Start = earliest(tl.Start, r.PlannedStart)
		tl.End = latest(tl.End, r.PlannedEnd)
		if r.ActualStart != nil {
			tl.Start = earliest(tl.Start, *r.ActualStart)
			tl.End = latest(tl.End, *r.ActualEnd)
		}
	}
	tl.CriticalPath = criticalPath(tl.Rows, deps)
	for _, id := range tl.CriticalPath {
		tl.Rows[index[id]].Critical = true
	}
	return tl, nil
}

// topoOrder returns the task indexes with every task after its dependencies,
// or an error naming the tasks of one dependency cycle.
func topoOrder(tasks []Task, deps [][]int) ([]int, error) {
	n := len(tasks)
	pending := make([]int, n) // unmet dependencies per task
	dependents := make([][]int, n)
	for i, ds := range deps {
		pending[i] = len(ds)
		for _, j := range ds {
			dependents[j] = append(dependents[j], i)
		}
	}
	order := make([]int, 0, n)
	for i := range n {
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
	if len(order) == n {
		return order, nil
	}
	// Every task left has an unmet dependency that is also left, so
	// following those from any of them must come back round: a cycle.
	first := -1
	for i := range n {
		if pending[i] > 0 {
			first = i
			break
		}
	}
	seen := make(map[int]int) // task index → position in path
	var path []int
	for i := first; ; {
		if at, ok := seen[i]; ok {
			path = append(path[at:], i)
			break
		}
		seen[i] = len(path)
		path = append(path, i)
		for _, j := range deps[i] {
			if pending[j] > 0 {
				i = j
				break
			}
		}
	}
	// path runs from dependents to dependencies; print it in run order.
	ids := make([]string, len(path))
	for k, i := range path {
		ids[len(path)-1-k] = fmt.Sprintf("%q", tasks[i].TaskID)
	}
	return nil, fmt.Errorf("workflows: timeline: dependency cycle: %s", strings.Join(ids, " → "))
}

// criticalPath walks back from the task with the latest planned end through
// the dependency that set each task's planned start.
func criticalPath(rows []Row, deps [][]int) []string {
	end := rows[0].PlannedEnd
	for _, r := range rows[1:] {
		end = latest(end, r.PlannedEnd)
	}
	// A task ending last is a better end than any of its dependencies that
	// end at the same time (zero-length tasks extend the chain).
	extended := make([]bool, len(rows))
	for i, r := range rows {
		if r.PlannedEnd.Equal(end) {
			for _, j := range deps[i] {
				extended[j] = true
			}
		}
	}
	last := -1
	for i, r := range rows {
		if r.PlannedEnd.Equal(end) && !extended[i] {
			last = i
			break
		}
	}
	var path []string
	for i := last; i >= 0; {
		path = append(path, rows[i].TaskID)
		next := -1
		for _, j := range deps[i] {
			if rows[j].PlannedEnd.Equal(rows[i].PlannedStart) && (next < 0 || j < next) {
				next = j
			}
		}
		i = next
	}
	for a, b := 0, len(path)-1; a < b; a, b = a+1, b-1 {
		path[a], path[b] = path[b], path[a]
	}
	return path
}

// actual returns a task's actual start and end, both nil if it has not
// started.
func actual(t Task, now time.Time) (start, end *time.Time) {
	if t.StartedAt == nil {
		return nil, nil
	}
	s := *t.StartedAt
	var e time.Time
	switch {
	case t.CompletedAt != nil:
		e = *t.CompletedAt
	case t.Status == TaskRunning:
		e = now
	case t.DurationMS != nil:
		e = s.Add(millis(*t.DurationMS))
	default:
		e = s
	}
	e = latest(s, e)
	return &s, &e
}

// millis converts milliseconds to a Duration, saturating instead of
// overflowing and counting negative values as zero.
func millis(ms int64) time.Duration {
	switch {
	case ms <= 0:
		return 0
	case ms > math.MaxInt64/int64(time.Millisecond):
		return math.MaxInt64
	}
	return time.Duration(ms) * time.Millisecond
}

func title(w Workflow) string {
	if w.CustomerName == "" {
		return w.WorkflowName
	}
	return w.WorkflowName + " (" + w.CustomerName + ")"
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
