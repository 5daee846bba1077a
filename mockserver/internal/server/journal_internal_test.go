package server

import (
	"strconv"
	"strings"
	"testing"
)

func TestJournalWrapsKeepingTheNewestInOrder(t *testing.T) {
	t.Parallel()
	l := DefaultLimits()
	j := newJournal(l)
	for i := range l.JournalEntries + 5 {
		j.add(JournalEntry{Method: "GET", Path: "/p/" + strconv.Itoa(i)})
	}
	all := j.entries(&matcher{})
	if len(all) != l.JournalEntries {
		t.Fatalf("%d entries, want %d", len(all), l.JournalEntries)
	}
	if all[0].Path != "/p/5" || all[len(all)-1].Path != "/p/"+strconv.Itoa(l.JournalEntries+4) {
		t.Errorf("oldest %s, newest %s", all[0].Path, all[len(all)-1].Path)
	}
	if got := j.entries(mustMatcher(t, JournalFilter{Path: "/p/*", Method: "get"})); len(got) != l.JournalEntries {
		t.Errorf("filter: %d", len(got))
	}
	j.clear()
	if got := j.entries(&matcher{}); len(got) != 0 {
		t.Errorf("after clear: %d", len(got))
	}
}

// TestJournalBytesBound: long fields are cut in the entry, and past the
// byte bound the oldest entries go, however few entries that leaves.
func TestJournalBytesBound(t *testing.T) {
	t.Parallel()
	j := newJournal(Limits{JournalEntries: 1000, JournalBytes: 10 << 10, JournalFieldBytes: 1000}.orDefaults())
	long := strings.Repeat("q=é", 1000) // 4 bytes a repeat: cut inside a rune
	for i := range 100 {
		j.add(JournalEntry{Method: "GET", Path: "/p/" + strconv.Itoa(i), Query: long, IdempotencyKey: long})
	}
	all := j.entries(&matcher{})
	if len(all) == 0 || len(all) > 10 {
		t.Fatalf("%d entries of ~2 KiB under a 10 KiB bound", len(all))
	}
	if all[len(all)-1].Path != "/p/99" {
		t.Errorf("newest %s", all[len(all)-1].Path)
	}
	q := all[0].Query
	if !strings.HasSuffix(q, "…") || len(q) > 1000+len("…") || !strings.HasPrefix(long, strings.TrimSuffix(q, "…")) {
		t.Errorf("query kept as %d bytes %q…", len(q), q[:20])
	}
	if j.bytes > 10<<10 {
		t.Errorf("journal holds %d bytes, over its 10 KiB bound", j.bytes)
	}
}

func mustMatcher(t *testing.T, f JournalFilter) *matcher {
	t.Helper()
	m, err := f.matcher()
	if err != nil {
		t.Fatal(err)
	}
	return m
}
