package workflows

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// t0 is when the test workflows start: the mock server's initial clock.
var t0 = time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)

// at is t0 plus m minutes.
func at(m float64) time.Time { return t0.Add(time.Duration(m * float64(time.Minute))) }

// task is a pending task estimated at est minutes.
func task(id string, est float64, deps ...string) Task {
	return Task{
		TaskID: id, TaskName: "Task " + id, Status: TaskPending, AgentID: "agent-" + id,
		Dependencies: deps, EstimatedDurationMS: int64(est * 60000),
	}
}

// ran marks t as having started at minute from and, unless status is
// running, ended at minute to.
func ran(t Task, status TaskStatus, from, to float64) Task {
	t.Status = status
	t.StartedAt = ptr(at(from))
	ms := int64((to - from) * 60000)
	t.DurationMS = &ms
	if status != TaskRunning {
		t.CompletedAt = ptr(at(to))
	}
	return t
}

// row is the expected Row of task id, planned from minute ps to pe.
func row(id string, status TaskStatus, ps, pe float64) Row {
	return Row{TaskID: id, TaskName: "Task " + id, Status: status, PlannedStart: at(ps), PlannedEnd: at(pe)}
}

// actually sets r's actual times to minutes from and to.
func actually(r Row, from, to float64) Row {
	r.ActualStart, r.ActualEnd = ptr(at(from)), ptr(at(to))
	return r
}

func critical(r Row) Row { r.Critical = true; return r }

func TestNewTimeline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		started *time.Time // the workflow's started_at; created_at is t0
		tasks   []Task
		now     time.Time
		want    Timeline
	}{
		{
			name:  "linear chain",
			tasks: []Task{task("a", 5), task("b", 10, "a"), task("c", 3, "b")},
			want: Timeline{
				Start: at(0), End: at(18),
				Rows: []Row{
					critical(row("a", TaskPending, 0, 5)),
					critical(row("b", TaskPending, 5, 15)),
					critical(row("c", TaskPending, 15, 18)),
				},
				CriticalPath: []string{"a", "b", "c"},
			},
		},
		{
			name: "diamond",
			tasks: []Task{
				task("a", 2), task("b", 5, "a"), task("c", 3, "a"), task("d", 4, "c", "b"),
			},
			want: Timeline{
				Start: at(0), End: at(11),
				Rows: []Row{
					critical(row("a", TaskPending, 0, 2)),
					critical(row("b", TaskPending, 2, 7)),
					row("c", TaskPending, 2, 5),
					critical(row("d", TaskPending, 7, 11)),
				},
				CriticalPath: []string{"a", "b", "d"},
			},
		},
		{
			name: "tasks listed after their dependents",
			tasks: []Task{
				task("d", 4, "c", "b"), task("c", 6, "a"), task("b", 5, "a"), task("a", 2),
			},
			want: Timeline{
				Start: at(0), End: at(12),
				Rows: []Row{
					critical(row("d", TaskPending, 8, 12)),
					critical(row("c", TaskPending, 2, 8)),
					row("b", TaskPending, 2, 7),
					critical(row("a", TaskPending, 0, 2)),
				},
				CriticalPath: []string{"a", "c", "d"},
			},
		},
		{
			name:  "parallel branches",
			tasks: []Task{task("a", 5), task("b", 5, "a"), task("c", 3), task("d", 10, "c")},
			want: Timeline{
				Start: at(0), End: at(13),
				Rows: []Row{
					row("a", TaskPending, 0, 5),
					row("b", TaskPending, 5, 10),
					critical(row("c", TaskPending, 0, 3)),
					critical(row("d", TaskPending, 3, 13)),
				},
				CriticalPath: []string{"c", "d"},
			},
		},
		{
			name:  "equal branches: first in task order wins",
			tasks: []Task{task("a", 5), task("b", 5, "a"), task("c", 5), task("d", 5, "c"), task("e", 10)},
			want: Timeline{
				Start: at(0), End: at(10),
				Rows: []Row{
					critical(row("a", TaskPending, 0, 5)),
					critical(row("b", TaskPending, 5, 10)),
					row("c", TaskPending, 0, 5),
					row("d", TaskPending, 5, 10),
					row("e", TaskPending, 0, 10),
				},
				CriticalPath: []string{"a", "b"},
			},
		},
		{
			name:  "zero-length milestone ends the critical path",
			tasks: []Task{task("a", 5), task("go-live", 0, "a")},
			want: Timeline{
				Start: at(0), End: at(5),
				Rows: []Row{
					critical(row("a", TaskPending, 0, 5)),
					critical(row("go-live", TaskPending, 5, 5)),
				},
				CriticalPath: []string{"a", "go-live"},
			},
		},
		{
			name:    "running task is open until now; plan anchored at started_at",
			started: ptr(at(2)),
			tasks: []Task{
				ran(task("a", 5), TaskCompleted, 2, 6),
				ran(task("b", 10, "a"), TaskRunning, 6, 8),
				task("c", 3, "b"),
			},
			now: at(9.5),
			want: Timeline{
				Start: at(2), End: at(20), Now: at(9.5),
				Rows: []Row{
					critical(actually(row("a", TaskCompleted, 2, 7), 2, 6)),
					critical(actually(row("b", TaskRunning, 7, 17), 6, 9.5)),
					critical(row("c", TaskPending, 17, 20)),
				},
				CriticalPath: []string{"a", "b", "c"},
			},
		},
		{
			name:    "running task with now before its start has no length",
			started: ptr(at(0)),
			tasks:   []Task{ran(task("a", 5), TaskRunning, 1, 1)},
			now:     at(0.5),
			want: Timeline{
				Start: at(0), End: at(5), Now: at(0.5),
				Rows:         []Row{critical(actually(row("a", TaskRunning, 0, 5), 1, 1))},
				CriticalPath: []string{"a"},
			},
		},
		{
			name:    "failed task and the tasks it holds up",
			started: ptr(at(0)),
			tasks: []Task{
				ran(task("a", 5), TaskFailed, 0, 2),
				task("b", 4, "a"),
				func() Task { // ended without completed_at: start plus duration_ms
					t := ran(task("c", 5), TaskFailed, 0, 7)
					t.CompletedAt = nil
					return t
				}(),
			},
			now: at(30),
			want: Timeline{
				Start: at(0), End: at(9), Now: at(30),
				Rows: []Row{
					critical(actually(row("a", TaskFailed, 0, 5), 0, 2)),
					critical(row("b", TaskPending, 5, 9)),
					actually(row("c", TaskFailed, 0, 5), 0, 7),
				},
				CriticalPath: []string{"a", "b"},
			},
		},
		{
			name:    "cancelled tasks, started or not",
			started: ptr(at(0)),
			tasks: []Task{
				ran(task("a", 5), TaskCancelled, 0, 3),
				func() Task { t := task("b", 5, "a"); t.Status = TaskCancelled; return t }(),
			},
			now: at(4),
			want: Timeline{
				Start: at(0), End: at(10), Now: at(4),
				Rows: []Row{
					critical(actually(row("a", TaskCancelled, 0, 5), 0, 3)),
					critical(row("b", TaskCancelled, 5, 10)),
				},
				CriticalPath: []string{"a", "b"},
			},
		},
		{
			name:    "actual times outside the plan widen the timeline",
			started: ptr(at(1)),
			tasks:   []Task{ran(task("a", 2), TaskCompleted, 0, 30)},
			want: Timeline{
				Start: at(0), End: at(30),
				Rows:         []Row{critical(actually(row("a", TaskCompleted, 1, 3), 0, 30))},
				CriticalPath: []string{"a"},
			},
		},
		{
			name:  "negative estimate counts as zero",
			tasks: []Task{task("a", -5), task("b", 1, "a")},
			want: Timeline{
				Start: at(0), End: at(1),
				Rows:         []Row{critical(row("a", TaskPending, 0, 0)), critical(row("b", TaskPending, 0, 1))},
				CriticalPath: []string{"a", "b"},
			},
		},
		{
			name: "empty workflow",
			want: Timeline{Start: at(0), End: at(0)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := Workflow{WorkflowName: "Onboarding", CustomerName: "Acme Corp", CreatedAt: t0, StartedAt: tt.started, Tasks: tt.tasks}
			got, err := NewTimeline(w, tt.now)
			if err != nil {
				t.Fatalf("NewTimeline: %v", err)
			}
			tt.want.Title = "Onboarding (Acme Corp)"
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("NewTimeline mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewTimelineErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		tasks []Task
		want  []string // the error mentions each
	}{
		{
			name:  "cycle",
			tasks: []Task{task("start", 1), task("a", 1, "c", "start"), task("b", 1, "a"), task("c", 1, "b"), task("after", 1, "c")},
			want:  []string{"dependency cycle", `"a" → "b" → "c" → "a"`},
		},
		{
			name:  "task depends on itself",
			tasks: []Task{task("a", 1), task("b", 1, "a", "b")},
			want:  []string{"dependency cycle", `"b" → "b"`},
		},
		{
			name:  "unknown dependency",
			tasks: []Task{task("a", 1), task("b", 1, "a", "task-9")},
			want:  []string{`task "b" depends on unknown task "task-9"`},
		},
		{
			name:  "duplicate task id",
			tasks: []Task{task("a", 1), task("b", 1), task("a", 2)},
			want:  []string{`duplicate task id "a"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewTimeline(Workflow{CreatedAt: t0, Tasks: tt.tasks}, t0)
			if err == nil {
				t.Fatal("NewTimeline succeeded, want an error")
			}
			for _, s := range append([]string{"workflows: timeline: "}, tt.want...) {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
}

// FuzzNewTimeline builds workflows with arbitrary dependency graphs, statuses
// and times: NewTimeline must never panic, must reject exactly the graphs it
// cannot lay out, and what it returns must be consistent and renderable.
func FuzzNewTimeline(f *testing.F) {
	f.Add([]byte{5, 0, 10, 0, 0, 1, 5, 1, 0, 2, 7, 2, 0}, t0.Unix(), int64(600))
	f.Add([]byte{3, 1, 1, 2, 4, 1, 4, 0, 1, 1}, int64(0), int64(-5))
	f.Add([]byte{8, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255}, int64(-62135596800), int64(1<<62))
	f.Add([]byte{2, 0, 128, 1, 0, 0, 3}, int64(253402300799), int64(0))
	f.Fuzz(func(t *testing.T, data []byte, anchorUnix, nowOffset int64) {
		if len(data) == 0 {
			return
		}
		n := int(data[0] % 9)
		data = data[1:]
		next := func() byte {
			if len(data) == 0 {
				return 0
			}
			b := data[0]
			data = data[1:]
			return b
		}
		anchor := time.Unix(anchorUnix, 0).UTC()
		statuses := []TaskStatus{TaskPending, TaskRunning, TaskCompleted, TaskFailed, TaskCancelled, "mystery"}
		ids := []string{"t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8"}
		w := Workflow{WorkflowName: "fuzz <&>", CreatedAt: anchor}
		acyclic := true // every dependency names an earlier task
		for i := range n {
			deps, info, est := next(), next(), next()
			tk := Task{
				TaskID: ids[i], TaskName: "Task <" + ids[i] + ">",
				Status:              statuses[int(info)%len(statuses)],
				EstimatedDurationMS: int64(int8(est)) * 1_000_000_000_000 / int64(1+info%7),
			}
			for j := range 8 {
				if deps&(1<<j) != 0 {
					tk.Dependencies = append(tk.Dependencies, ids[j])
					acyclic = acyclic && j < i
				}
			}
			if info&0x40 != 0 {
				tk.Dependencies = append(tk.Dependencies, tk.TaskID) // cycle of one
				acyclic = false
			}
			if info&0x80 != 0 {
				s := anchor.Add(time.Duration(int8(est)) * time.Hour)
				tk.StartedAt = &s
				if info&0x20 != 0 {
					e := s.Add(time.Duration(int8(deps)) * time.Minute)
					tk.CompletedAt = &e
				}
				if info&0x10 != 0 {
					ms := int64(int8(deps)) << 40
					tk.DurationMS = &ms
				}
			}
			w.Tasks = append(w.Tasks, tk)
		}
		if n > 0 && next()&1 == 1 {
			w.Tasks[n-1].Dependencies = append(w.Tasks[n-1].Dependencies, "nope")
			acyclic = false
		}
		tl, err := NewTimeline(w, anchor.Add(time.Duration(nowOffset)))
		if err != nil {
			if acyclic {
				t.Fatalf("NewTimeline rejected an acyclic graph: %v", err)
			}
			if !strings.HasPrefix(err.Error(), "workflows: timeline: ") {
				t.Fatalf("error %q lacks the package prefix", err)
			}
			return
		}
		if len(tl.Rows) != n {
			t.Fatalf("%d rows for %d tasks", len(tl.Rows), n)
		}
		if n > 0 && len(tl.CriticalPath) == 0 {
			t.Fatal("empty critical path")
		}
		byID := make(map[string]Row, n)
		for _, r := range tl.Rows {
			byID[r.TaskID] = r
		}
		for i, r := range tl.Rows {
			for _, d := range w.Tasks[i].Dependencies {
				if r.PlannedStart.Before(byID[d].PlannedEnd) {
					t.Errorf("task %s planned to start at %v, before its dependency %s ends at %v", r.TaskID, r.PlannedStart, d, byID[d].PlannedEnd)
				}
			}
			if r.PlannedEnd.Before(r.PlannedStart) || r.PlannedStart.Before(tl.Start) || r.PlannedEnd.After(tl.End) {
				t.Errorf("task %s planned %v-%v outside the timeline %v-%v", r.TaskID, r.PlannedStart, r.PlannedEnd, tl.Start, tl.End)
			}
			if (r.ActualStart == nil) != (r.ActualEnd == nil) {
				t.Errorf("task %s: actual start %v, end %v: want both or neither", r.TaskID, r.ActualStart, r.ActualEnd)
			}
			if r.ActualStart != nil && r.ActualEnd.Before(*r.ActualStart) {
				t.Errorf("task %s ends before it starts", r.TaskID)
			}
		}
		for k := 1; k < len(tl.CriticalPath); k++ {
			prev, cur := tl.CriticalPath[k-1], tl.CriticalPath[k]
			task, _ := w.Task(cur)
			if !contains(task.Dependencies, prev) {
				t.Errorf("critical path %v: %s does not depend on %s", tl.CriticalPath, cur, prev)
			}
		}
		if err := tl.WriteText(io.Discard, 40); err != nil {
			t.Errorf("WriteText: %v", err)
		}
		var svg bytes.Buffer
		if err := tl.WriteSVG(&svg); err != nil {
			t.Fatalf("WriteSVG: %v", err)
		}
		if bars, err := svgBars(svg.Bytes()); err != nil || len(bars) != n {
			t.Errorf("SVG: %d bars, error %v; want %d bars", len(bars), err, n)
		}
	})
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// svgBars parses an SVG document and returns the data-task-id of each bar
// rect, in document order.
func svgBars(doc []byte) ([]string, error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	var bars []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return bars, nil
		}
		if err != nil {
			return bars, err
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "rect" && hasClass(se, "bar") {
			bars = append(bars, attr(se, "data-task-id"))
		}
	}
}

func hasClass(se xml.StartElement, class string) bool {
	return contains(strings.Fields(attr(se, "class")), class)
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}
