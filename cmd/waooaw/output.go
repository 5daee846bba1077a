package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// printJSON writes v as indented JSON: the API's shapes.
func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// list is what a list command shows: the API's list object for -o json,
// ids for -q, a table for people.
type list struct {
	key     string // the API's key of the items, e.g. "agents"
	items   any    // the items, a slice
	ids     []string
	headers []string
	rows    [][]string
}

func (a *app) printList(l list) error {
	switch {
	case a.output == "json":
		return a.printJSON(map[string]any{l.key: l.items, "next_page_token": "", "total": len(l.ids)})
	case a.quiet:
		for _, id := range l.ids {
			fmt.Fprintln(a.stdout, id)
		}
		return nil
	}
	if len(l.rows) == 0 {
		fmt.Fprintf(a.stdout, "no %s\n", strings.ReplaceAll(l.key, "_", " "))
		return nil
	}
	a.table(l.headers, l.rows)
	return nil
}

// printOne shows one resource: v as JSON, id for -q, else the key-value
// pairs people read.
func (a *app) printOne(v any, id string, pairs [][2]string) error {
	switch {
	case a.output == "json":
		return a.printJSON(v)
	case a.quiet:
		if id != "" {
			fmt.Fprintln(a.stdout, id)
		}
		return nil
	}
	w := 0
	for _, p := range pairs {
		w = max(w, utf8.RuneCountInString(p[0]))
	}
	for _, p := range pairs {
		fmt.Fprintf(a.stdout, "%s%s  %s\n", p[0]+":", strings.Repeat(" ", w-utf8.RuneCountInString(p[0])), p[1])
	}
	return nil
}

// say prints a line for people (not with -o json or -q).
func (a *app) say(format string, args ...any) {
	if a.output == "json" || a.quiet {
		return
	}
	fmt.Fprintf(a.stdout, format+"\n", args...)
}

// table writes rows aligned under headers, two spaces apart, with status
// words coloured on a terminal.
func (a *app) table(headers []string, rows [][]string) {
	widths := make([]int, len(headers))
	for i, h := range headers {
		widths[i] = utf8.RuneCountInString(h)
	}
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	line := func(cells []string, colour bool) {
		var b strings.Builder
		for i, c := range cells {
			last := i == len(cells)-1
			pad := ""
			if !last {
				pad = strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2)
			}
			if colour {
				c = a.paint(c)
			}
			b.WriteString(c + pad)
		}
		fmt.Fprintln(a.stdout, strings.TrimRight(b.String(), " "))
	}
	line(headers, false)
	for _, r := range rows {
		line(r, a.colour())
	}
}

// ANSI colours of status words.
var statusColours = map[string]string{
	"online": "32", "healthy": "32", "completed": "32", "pass": "32", "active": "32", "resolved": "32", "done": "32", "on_track": "32",
	"starting": "33", "degraded": "33", "paused": "33", "pending": "33", "warn": "33", "warning": "33", "in_progress": "33",
	"running": "36", "provisioning": "36", "acknowledged": "36", "at_risk": "33", "rolling_back": "33",
	"offline": "90", "cancelled": "90", "info": "90",
	"error": "31", "failed": "31", "critical": "31", "unhealthy": "31", "fail": "31", "breached": "31", "rolled_back": "31", "ERROR": "31", "WARN": "33",
}

// paint colours a status word.
func (a *app) paint(s string) string {
	if c, ok := statusColours[s]; ok {
		return "\x1b[" + c + "m" + s + "\x1b[0m"
	}
	return s
}

// when is a time for people: relative to now.
func (a *app) when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := a.now().Sub(t)
	future := d < 0
	if future {
		d = -d
	}
	var s string
	switch {
	case d < 45*time.Second:
		return "just now"
	case d < 90*time.Minute:
		s = fmt.Sprintf("%dm", int(math.Round(d.Minutes())))
	case d < 36*time.Hour:
		s = fmt.Sprintf("%dh", int(math.Round(d.Hours())))
	case d < 60*24*time.Hour:
		s = fmt.Sprintf("%dd", int(math.Round(d.Hours()/24)))
	default:
		s = fmt.Sprintf("%dmo", int(math.Round(d.Hours()/24/30)))
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

// whenp is when for a time that may be unset.
func (a *app) whenp(t *time.Time, unset string) string {
	if t == nil {
		return unset
	}
	return a.when(*t)
}

// bar is a progress bar of width cells, e.g. [#####.....].
func bar(progress, width int) string {
	progress = min(max(progress, 0), 100)
	n := progress * width / 100
	return "[" + strings.Repeat("#", n) + strings.Repeat(".", width-n) + "]"
}

// progressLine redraws one line in place on a terminal.
type progressLine struct {
	w    io.Writer
	last string
}

func (p *progressLine) show(s string) {
	if s == p.last {
		return
	}
	p.last = s
	fmt.Fprintf(p.w, "\r\x1b[2K%s", s)
}

func (p *progressLine) done() {
	if p.last != "" {
		fmt.Fprintln(p.w)
	}
}

func pct(f float64) string { return fmt.Sprintf("%.1f%%", f*100) }

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func ms(v int64) string { return (time.Duration(v) * time.Millisecond).String() }
