package workflows

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits of WriteText's bar area, in columns.
const (
	MinTextWidth = 10
	MaxTextWidth = 10000
)

// textLegend explains WriteText's marks; it is the chart's last line.
const textLegend = "legend: █ completed ▓ running ░ pending ✗ failed · cancelled ? other; * critical path, ~ estimated, + so far"

// WriteText draws tl as a Gantt chart for terminals, with a bar area of width
// columns (MinTextWidth to MaxTextWidth) spanning tl.Start to tl.End.
//
// Each task gets one line: its name (padded or cut to fit), a "*" when it is
// on the critical path, its bar, its status and its duration. A task that has
// started is drawn over its actual times; one that has not over its planned
// times. The bar's mark says the status:
//
//	█ completed  ▓ running  ░ pending (planned)  ✗ failed  · cancelled  ? unknown
//
// Durations are actual for started tasks ("+" while running: so far) and
// estimated for the others ("~"). The last line is a legend. Times are
// printed in UTC and nothing depends on the wall clock, so the same timeline
// always gives the same text.
func (tl Timeline) WriteText(w io.Writer, width int) error {
	if width < MinTextWidth || width > MaxTextWidth {
		return fmt.Errorf("workflows: text gantt: width %d out of range, use %d to %d columns", width, MinTextWidth, MaxTextWidth)
	}
	var b strings.Builder
	if t := printable(tl.Title); t != "" {
		b.WriteString(t + "\n")
	}
	fmt.Fprintf(&b, "%s → %s (%s)\n\n", tl.Start.UTC().Format(time.RFC3339), tl.End.UTC().Format(time.RFC3339), formatDuration(tl.End.Sub(tl.Start)))

	nameWidth := 4
	for _, r := range tl.Rows {
		nameWidth = max(nameWidth, min(utf8.RuneCountInString(printable(r.TaskName)), maxNameWidth))
	}
	sc := newScale(tl, float64(width))
	bar := make([]rune, width)
	for _, r := range tl.Rows {
		for i := range bar {
			bar[i] = ' '
		}
		from, to := r.span()
		c0 := int(math.Floor(sc.x(from) + 1e-9))
		c1 := int(math.Ceil(sc.x(to) - 1e-9))
		c0 = min(max(c0, 0), width-1)
		c1 = min(max(c1, c0+1), width)
		m := textMark(r.Status)
		for i := c0; i < c1; i++ {
			bar[i] = m
		}
		crit := " "
		if r.Critical {
			crit = "*"
		}
		fmt.Fprintf(&b, "%s %s |%s| %-9s %s\n", pad(truncate(printable(r.TaskName), nameWidth), nameWidth), crit, string(bar), printable(string(r.Status)), r.durationText())
	}
	if len(tl.Rows) == 0 {
		b.WriteString("(no tasks)\n")
	}
	b.WriteString("\n" + textLegend + "\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("workflows: text gantt: %w", err)
	}
	return nil
}

// SVG layout, in pixels.
const (
	svgMargin   = 16
	svgLabelW   = 220
	svgChartW   = 720
	svgRowH     = 24
	svgTop      = 76 // title, subtitle and axis
	svgMaxLabel = 32 // runes of a task name shown left of its bar
	svgMaxTicks = 8
)

// svgStyle colours the chart; classes name what each element is, so a report
// can restyle it.
const svgStyle = `.title{font-size:16px;font-weight:bold}
.subtitle{fill:#495057}
.axis line{stroke:#adb5bd}
.axis text{fill:#495057;font-size:11px}
.planned{fill:none;stroke:#868e96;stroke-dasharray:3 2}
.bar{fill:#adb5bd}
.status-completed{fill:#2f9e44}
.status-running{fill:#1c7ed6}
.status-pending{fill:#dee2e6}
.status-failed{fill:#e03131}
.status-cancelled{fill:#868e96}
.critical{stroke:#f08c00;stroke-width:2}
.now{stroke:#e8590c;stroke-dasharray:4 3}`

// WriteSVG draws tl as a standalone SVG Gantt chart for reports.
//
// The chart has a title, a time axis with tick labels, and one row per task:
// its name, its planned times as a dashed outline, and over them exactly one
// bar, <rect class="bar status-STATUS"> with data-task-id, over the task's
// actual times (its planned times if it has not started). Bars of
// critical-path tasks also have the class "critical". When a task is running,
// a line marks tl.Now. Every name is XML-escaped, so the output parses as XML
// whatever the tasks are called.
func (tl Timeline) WriteSVG(w io.Writer) error {
	chartX := float64(svgMargin + svgLabelW)
	totalW := svgMargin + svgLabelW + svgChartW + svgMargin
	totalH := svgTop + len(tl.Rows)*svgRowH + svgMargin
	sc := newScale(tl, svgChartW)

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", totalW, totalH, totalW, totalH)
	fmt.Fprintf(&b, "<title>%s</title>\n<style>\n%s\n</style>\n", escape(tl.Title), svgStyle)
	fmt.Fprintf(&b, `<text class="title" x="%d" y="22">%s</text>`+"\n", svgMargin, escape(tl.Title))
	fmt.Fprintf(&b, `<text class="subtitle" x="%d" y="40">%s → %s (%s)</text>`+"\n", svgMargin,
		tl.Start.UTC().Format(time.RFC3339), tl.End.UTC().Format(time.RFC3339), formatDuration(tl.End.Sub(tl.Start)))

	axisY := float64(svgTop - 6)
	bottom := float64(svgTop + len(tl.Rows)*svgRowH)
	b.WriteString(`<g class="axis">` + "\n")
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`+"\n", chartX, axisY, chartX+svgChartW, axisY)
	step, layout := tickStep(tl.End.Sub(tl.Start))
	for _, t := range ticks(tl.Start, tl.End, step) {
		x := chartX + sc.x(t)
		fmt.Fprintf(&b, `<g class="tick"><line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/><text x="%.1f" y="%.1f" text-anchor="middle">%s</text></g>`+"\n",
			x, axisY-4, x, bottom, x, axisY-8, t.UTC().Format(layout))
	}
	b.WriteString("</g>\n")

	running := false
	for i, r := range tl.Rows {
		y := float64(svgTop + i*svgRowH)
		b.WriteString(`<g class="task">` + "\n")
		fmt.Fprintf(&b, `<text x="%d" y="%.1f">%s</text>`+"\n", svgMargin, y+16, escape(truncate(r.TaskName, svgMaxLabel)))
		px0, px1 := sc.x(r.PlannedStart), sc.x(r.PlannedEnd)
		fmt.Fprintf(&b, `<rect class="planned" x="%.1f" y="%.1f" width="%.1f" height="%d"/>`+"\n", chartX+px0, y+2, max(px1-px0, 1), svgRowH-4)
		from, to := r.span()
		x0, x1 := sc.x(from), sc.x(to)
		class := "bar " + statusClass(r.Status)
		if r.Critical {
			class += " critical"
		}
		fmt.Fprintf(&b, `<rect class="%s" data-task-id="%s" x="%.1f" y="%.1f" width="%.1f" height="%d"><title>%s: %s, %s</title></rect>`+"\n",
			class, escape(r.TaskID), chartX+x0, y+5, max(x1-x0, 1), svgRowH-10, escape(r.TaskName), escape(string(r.Status)), r.durationText())
		b.WriteString("</g>\n")
		running = running || r.Status == TaskRunning
	}
	if running {
		x := chartX + sc.x(tl.Now)
		fmt.Fprintf(&b, `<line class="now" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"><title>now %s</title></line>`+"\n",
			x, axisY, x, bottom, tl.Now.UTC().Format(time.RFC3339))
	}
	b.WriteString("</svg>\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("workflows: svg gantt: %w", err)
	}
	return nil
}

// maxNameWidth caps WriteText's name column, in runes.
const maxNameWidth = 30

// span is the interval a row's bar covers: actual if started, else planned.
func (r Row) span() (from, to time.Time) {
	if r.Started() {
		return *r.ActualStart, r.actualEnd()
	}
	return r.PlannedStart, r.PlannedEnd
}

// durationText is the actual duration of a started task ("+" while it runs)
// or the estimate ("~") of one that has not started.
func (r Row) durationText() string {
	if !r.Started() {
		return "~" + formatDuration(r.PlannedDuration())
	}
	s := formatDuration(r.ActualDuration())
	if r.Status == TaskRunning {
		s += "+"
	}
	return s
}

// scale maps times in [tl.Start, tl.End] onto [0, width].
type scale struct {
	start time.Time
	span  time.Duration
	width float64
}

func newScale(tl Timeline, width float64) scale {
	return scale{start: tl.Start, span: tl.End.Sub(tl.Start), width: width}
}

func (s scale) x(t time.Time) float64 {
	if s.span <= 0 {
		return 0
	}
	f := float64(t.Sub(s.start)) / float64(s.span)
	return min(max(f, 0), 1) * s.width
}

// tickStep picks a round axis step giving at most svgMaxTicks intervals over
// span, and the time layout that labels it.
func tickStep(span time.Duration) (time.Duration, string) {
	steps := []time.Duration{
		time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
		time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
		time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	}
	for _, s := range steps {
		if span/s <= svgMaxTicks {
			if s < time.Minute {
				return s, "15:04:05"
			}
			return s, "15:04"
		}
	}
	const day = 24 * time.Hour
	days := (span/day + svgMaxTicks - 1) / svgMaxTicks // ceiling; span/day ≤ 106752
	return max(days, 1) * day, "Jan 2"
}

// ticks returns the multiples of step from start to end, at most
// svgMaxTicks+1 of them; just start when there are none.
func ticks(start, end time.Time, step time.Duration) []time.Time {
	t := start.Truncate(step)
	if t.Before(start) {
		t = t.Add(step)
	}
	var out []time.Time
	for ; !t.After(end) && len(out) <= svgMaxTicks; t = t.Add(step) {
		out = append(out, t)
	}
	if len(out) == 0 {
		out = append(out, start)
	}
	return out
}

func textMark(s TaskStatus) rune {
	switch s {
	case TaskCompleted:
		return '█'
	case TaskRunning:
		return '▓'
	case TaskPending:
		return '░'
	case TaskFailed:
		return '✗'
	case TaskCancelled:
		return '·'
	}
	return '?'
}

// statusClass turns a status, which may be one this package does not know,
// into a safe CSS class name.
func statusClass(s TaskStatus) string {
	if s == "" {
		return "status-unknown"
	}
	return "status-" + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, strings.ToLower(string(s)))
}

// formatDuration prints d compactly and with fixed widths per unit: 500ms,
// 45s, 4m05s, 2h07m.
func formatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0s"
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	}
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", d/time.Second)
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", d/time.Minute, d%time.Minute/time.Second)
	}
	d = d.Round(time.Minute)
	return fmt.Sprintf("%dh%02dm", d/time.Hour, d%time.Hour/time.Minute)
}

// truncate cuts s to at most n runes, ending it with "…" when cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// pad fills s with spaces to n runes.
func pad(s string, n int) string {
	return s + strings.Repeat(" ", max(n-utf8.RuneCountInString(s), 0))
}

// printable replaces control characters, which could break lines or drive
// the terminal, with spaces.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// escape makes s safe as XML character data or an attribute value.
func escape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder never fails
	return b.String()
}
