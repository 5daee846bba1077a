package mockserver

import (
	"strconv"
	"testing"
)

func TestJournalWrapsKeepingTheNewestInOrder(t *testing.T) {
	t.Parallel()
	j := newJournal()
	for i := range journalSize + 5 {
		j.add(JournalEntry{Method: "GET", Path: "/p/" + strconv.Itoa(i)})
	}
	all := j.entries(JournalFilter{})
	if len(all) != journalSize {
		t.Fatalf("%d entries, want %d", len(all), journalSize)
	}
	if all[0].Path != "/p/5" || all[len(all)-1].Path != "/p/"+strconv.Itoa(journalSize+4) {
		t.Errorf("oldest %s, newest %s", all[0].Path, all[len(all)-1].Path)
	}
	if got := j.entries(JournalFilter{Path: "/p/*", Method: "get"}); len(got) != journalSize {
		t.Errorf("filter: %d", len(got))
	}
	j.clear()
	if got := j.entries(JournalFilter{}); len(got) != 0 {
		t.Errorf("after clear: %d", len(got))
	}
}
