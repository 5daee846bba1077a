package server

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/go-cmp/cmp"
)

// CheckCalls reports whether exactly n journaled requests match f, and
// returns those that do; when not, problem says what did come: the
// requests that match all of f but its Body, each with a diff of its body
// against f.Body (- want, + got, only the keys f.Body names), or when there
// are none the last requests the server answered.
func (s *Server) CheckCalls(f JournalFilter, n int) (got []JournalEntry, problem string) {
	m, err := f.matcher()
	if err != nil {
		return nil, err.Error()
	}
	all := s.journal.entries(&matcher{}) // every entry, oldest first
	var near []JournalEntry
	for i := range all {
		switch {
		case m.match(&all[i]):
			got = append(got, all[i])
		case m.body != nil && m.matchBut(&all[i]):
			near = append(near, all[i])
		}
	}
	if len(got) == n {
		return got, ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "mockserver: %d requests match %s, want %d", len(got), f, n)
	switch {
	case len(near) > 0:
		fmt.Fprintf(&b, "; %d match but for the body:", len(near))
		for _, e := range near[max(0, len(near)-3):] {
			fmt.Fprintf(&b, "\n  %s %s (%s), body (-want +got):\n%s", e.Method, e.Path, e.RequestID, bodyDiff(m.body, e.Body))
		}
	case len(got) == 0:
		b.WriteString("; the last requests were:")
		for _, e := range all[max(0, len(all)-5):] {
			fmt.Fprintf(&b, "\n  %s %s → %d %s", e.Method, e.Path, e.Status, cut(e.Body, 200))
		}
		if len(all) == 0 {
			b.WriteString(" none")
		}
	}
	return got, b.String()
}

// String is the filter as a reader would write it.
func (f JournalFilter) String() string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	add("method", f.Method)
	add("path", f.Path)
	if f.Status != 0 {
		add("status", fmt.Sprint(f.Status))
	}
	add("code", f.Code)
	add("caller", f.Caller)
	add("fault", f.Fault)
	if f.Body != nil {
		b, _ := json.Marshal(f.Body)
		if raw, ok := f.Body.(json.RawMessage); ok {
			b = raw
		}
		add("body", string(b))
	}
	if len(parts) == 0 {
		return "{}"
	}
	return "{" + strings.Join(parts, " ") + "}"
}

// bodyDiff is want against the body got, pruned to the keys want names.
func bodyDiff(want any, got string) string {
	var g any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		return fmt.Sprintf("    (the body is not JSON: %.200q)", got)
	}
	return cmp.Diff(want, prune(g, want))
}

// prune keeps of got what want names: the keys of want's objects, the
// elements of its arrays of the same length.
func prune(got, want any) any {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return got
		}
		out := make(map[string]any, len(w))
		for k, wv := range w {
			if gv, ok := g[k]; ok {
				out[k] = prune(gv, wv)
			}
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return got
		}
		out := make([]any, len(g))
		for i := range g {
			out[i] = prune(g[i], w[i])
		}
		return out
	}
	return got
}
