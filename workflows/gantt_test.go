package workflows

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.golden files from the current output")

// onboarding is the seeded "Customer Onboarding" workflow for Acme Corp,
// read at t0: three tasks done, one running, one pending.
func onboarding() Workflow {
	start := at(-30)
	return Workflow{
		WorkflowID: "wf-001", WorkflowName: "Customer Onboarding", CustomerID: "cust-acme", CustomerName: "Acme Corp",
		Status: StatusRunning, Progress: 60, TotalTasks: 5, CompletedTasks: 3,
		CreatedAt: start, StartedAt: &start,
		Tasks: []Task{
			named(ran(task("task-1", 5), TaskCompleted, -30, -26), "Provision Agent"),
			named(ran(task("task-2", 8, "task-1"), TaskCompleted, -26, -17), "Configure Memory"),
			named(ran(task("task-3", 10, "task-2"), TaskCompleted, -17, -7.5), "Import Customer Data"),
			named(ran(task("task-4", 10, "task-3"), TaskRunning, -7.5, 0), "Train Models"),
			named(task("task-5", 3, "task-4"), "Go-Live Check"),
		},
	}
}

func named(t Task, name string) Task { t.TaskName = name; return t }

func TestWriteTextGolden(t *testing.T) {
	t.Parallel()
	failed := Workflow{
		WorkflowName: "Data Migration", CustomerName: "Globex", Status: StatusFailed, CreatedAt: at(0), StartedAt: ptr(at(0)),
		Tasks: []Task{
			named(ran(task("m1", 2), TaskCompleted, 0, 1.5), "Snapshot"),
			named(ran(task("m2", 20, "m1"), TaskFailed, 1.5, 12), "Transform a very long list of customer records\n\x1b[31mred"),
			named(task("m3", 5, "m2"), "Verify"),
			named(ran(task("m4", 4, "m1"), "throttled", 1.5, 3), "Notify\tteam\x1b[0m"),
			named(func() Task { t := task("m5", 1); t.Status = TaskCancelled; return t }(), "Cleanup"),
		},
	}
	tests := []struct {
		name  string
		w     Workflow
		now   time.Time
		width int
	}{
		{"onboarding", onboarding(), at(0), 36},
		{"onboarding-narrow", onboarding(), at(0), 10},
		{"failed", failed, at(12), 50},
		{"diamond", Workflow{WorkflowName: "Diamond", CreatedAt: at(0), Tasks: []Task{
			task("a", 2), task("b", 5, "a"), task("c", 3, "a"), task("d", 0.5, "c", "b"),
		}}, at(0), 30},
		{"empty", Workflow{WorkflowName: "Nothing Yet", CustomerName: "Acme Corp", CreatedAt: at(0)}, at(0), 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tl, err := NewTimeline(tt.w, tt.now)
			if err != nil {
				t.Fatalf("NewTimeline: %v", err)
			}
			var buf bytes.Buffer
			if err := tl.WriteText(&buf, tt.width); err != nil {
				t.Fatalf("WriteText: %v", err)
			}
			golden := filepath.Join("testdata", tt.name+".golden")
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), buf.String()); diff != "" {
				t.Errorf("WriteText mismatch with %s (-want +got):\n%s", golden, diff)
			}
			for i, line := range strings.Split(buf.String(), "\n") {
				if strings.ContainsFunc(line, func(r rune) bool { return r < ' ' }) {
					t.Errorf("line %d has a control character: %q", i+1, line)
				}
			}
		})
	}
}

func TestWriteTextWidth(t *testing.T) {
	t.Parallel()
	tl, err := NewTimeline(onboarding(), at(0))
	if err != nil {
		t.Fatalf("NewTimeline: %v", err)
	}
	for _, width := range []int{-1, 0, MinTextWidth - 1, MaxTextWidth + 1} {
		if err := tl.WriteText(&bytes.Buffer{}, width); err == nil || !strings.Contains(err.Error(), "width") {
			t.Errorf("WriteText(width %d) = %v, want a width error", width, err)
		}
	}
	for _, width := range []int{MinTextWidth, 80, MaxTextWidth} {
		var buf bytes.Buffer
		if err := tl.WriteText(&buf, width); err != nil {
			t.Fatalf("WriteText(width %d): %v", width, err)
		}
		for _, line := range strings.Split(buf.String(), "\n") {
			if _, bar, ok := strings.Cut(line, "|"); ok {
				bar, _, _ = strings.Cut(bar, "|")
				if n := len([]rune(bar)); n != width {
					t.Errorf("width %d: bar area of %d columns in %q", width, n, line)
				}
			}
		}
	}
}

type failWriter struct{}

var errDiskFull = errors.New("disk full")

func (failWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestWriteErrors(t *testing.T) {
	t.Parallel()
	tl, err := NewTimeline(onboarding(), at(0))
	if err != nil {
		t.Fatalf("NewTimeline: %v", err)
	}
	if err := tl.WriteText(failWriter{}, 40); !errors.Is(err, errDiskFull) {
		t.Errorf("WriteText = %v, want it to wrap %v", err, errDiskFull)
	}
	if err := tl.WriteSVG(failWriter{}); !errors.Is(err, errDiskFull) {
		t.Errorf("WriteSVG = %v, want it to wrap %v", err, errDiskFull)
	}
}

func TestWriteSVG(t *testing.T) {
	t.Parallel()
	w := onboarding()
	const nasty = `<Acme & "Co">`
	w.CustomerName = nasty
	w.Tasks[1].TaskName = nasty
	w.Tasks[2].TaskID = `task-3&'x'`
	w.Tasks[3].Dependencies = []string{`task-3&'x'`}
	w.Tasks[4].TaskName = "bad\x00byte \xff]]>"
	w.Tasks = append(w.Tasks, named(ran(task("task-6", 2), "weird status!", -30, -29), "Extra"))
	tl, err := NewTimeline(w, at(0))
	if err != nil {
		t.Fatalf("NewTimeline: %v", err)
	}
	var buf bytes.Buffer
	if err := tl.WriteSVG(&buf); err != nil {
		t.Fatalf("WriteSVG: %v", err)
	}
	doc := buf.String()
	if strings.Contains(doc, "<Acme") {
		t.Errorf("task name not escaped:\n%s", doc)
	}

	type element struct {
		name, class, text string
		attrs             map[string]string
	}
	var elems []element
	d := xml.NewDecoder(strings.NewReader(doc))
	var stack []int
	for {
		tok, err := d.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("SVG does not parse as XML: %v\n%s", err, doc)
			}
			break
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			e := element{name: tok.Name.Local, class: attr(tok, "class"), attrs: map[string]string{}}
			for _, a := range tok.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			if len(stack) == 0 && (tok.Name.Local != "svg" || tok.Name.Space != "http://www.w3.org/2000/svg") {
				t.Errorf("root element %v, want svg in the SVG namespace", tok.Name)
			}
			elems = append(elems, e)
			stack = append(stack, len(elems)-1)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				elems[stack[len(stack)-1]].text += string(tok)
			}
		}
	}

	var bars, planned []string
	texts := map[string]bool{}
	ticks := 0
	for _, e := range elems {
		classes := strings.Fields(e.class)
		switch {
		case e.name == "rect" && contains(classes, "bar"):
			bars = append(bars, e.attrs["data-task-id"]+" "+e.class)
		case e.name == "rect" && contains(classes, "planned"):
			planned = append(planned, e.attrs["x"])
		case e.name == "g" && e.class == "tick":
			ticks++
		case e.name == "text":
			texts[e.text] = true
		}
	}
	wantBars := []string{
		"task-1 bar status-completed critical",
		"task-2 bar status-completed critical",
		"task-3&'x' bar status-completed critical",
		"task-4 bar status-running critical",
		"task-5 bar status-pending critical",
		"task-6 bar status-weird-status-",
	}
	if diff := cmp.Diff(wantBars, bars); diff != "" {
		t.Errorf("bars (-want +got):\n%s", diff)
	}
	if len(planned) != len(w.Tasks) {
		t.Errorf("%d planned outlines, want %d", len(planned), len(w.Tasks))
	}
	for _, want := range []string{
		"Customer Onboarding (" + nasty + ")", // the title
		nasty,                                 // a task label
		"09:30", "10:00",                      // axis ticks
	} {
		if !texts[want] {
			t.Errorf("no <text> reading %q; texts: %v", want, texts)
		}
	}
	if ticks < 2 {
		t.Errorf("%d axis ticks, want at least 2", ticks)
	}
	if !strings.Contains(doc, `class="now"`) {
		t.Error("no line marking now, though a task is running")
	}
}

func TestTickStep(t *testing.T) {
	t.Parallel()
	tests := []struct {
		span   time.Duration
		step   time.Duration
		layout string
	}{
		{0, time.Second, "15:04:05"},
		{8 * time.Second, time.Second, "15:04:05"},
		{36 * time.Minute, 5 * time.Minute, "15:04"},
		{12 * time.Hour, 2 * time.Hour, "15:04"},
		{5 * 24 * time.Hour, 24 * time.Hour, "Jan 2"},
		{time.Duration(1<<63 - 1), 13344 * 24 * time.Hour, "Jan 2"},
	}
	for _, tt := range tests {
		step, layout := tickStep(tt.span)
		if step != tt.step || layout != tt.layout {
			t.Errorf("tickStep(%v) = %v, %q; want %v, %q", tt.span, step, layout, tt.step, tt.layout)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	t.Parallel()
	tests := map[time.Duration]string{
		-time.Second:                       "0s",
		0:                                  "0s",
		1500 * time.Microsecond:            "2ms",
		999 * time.Millisecond:             "999ms",
		45 * time.Second:                   "45s",
		59600 * time.Millisecond:           "1m00s",
		4*time.Minute + 5*time.Second:      "4m05s",
		2*time.Hour + 7*time.Minute + 31e9: "2h08m",
		time.Duration(1<<63 - 1):           "2562047h47m",
	}
	for d, want := range tests {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
