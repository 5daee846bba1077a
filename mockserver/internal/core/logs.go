package core

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/waooaw/waooaw-go/platform"
)

// logStore is the platform's log, oldest line first. The seeded lines are
// made at first use (most per-test servers never read the log), at times
// before the store's start, so they are the same whenever they are made.
//
// It is a ring of at most max lines (Limits.LogLines): past that the
// oldest line goes first.
type logStore struct {
	mu     *sync.Mutex // the World's one lock (World.share)
	start  time.Time   // the seed clock: seeded lines are before it
	max    int
	seeded bool                // the seed lines are made (or cleared away)
	lines  []platform.LogEntry // lines[head:] are kept, oldest first
	head   int
	seq    int
}

func newLogStore(now time.Time, max int) *logStore {
	return &logStore{mu: new(sync.Mutex), start: now, max: max}
}

// clear empties the log (an empty start).
func (st *logStore) clear() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.seeded, st.lines, st.head, st.seq = true, nil, 0, 0
}

// ensure makes the seed lines; st.mu must be held.
func (st *logStore) ensure() {
	if st.seeded {
		return
	}
	st.seeded = true
	for _, l := range seedLogs(st.start) {
		st.seq++
		l.LogID = logID(st.seq)
		st.lines = append(st.lines, l)
	}
	st.bound()
}

// bound drops the oldest lines past max, copying the kept ones down once
// the dropped ones are as many: O(1) amortized; st.mu must be held.
func (st *logStore) bound() {
	if n := len(st.lines) - st.head; n > st.max {
		clear(st.lines[st.head : st.head+n-st.max])
		st.head += n - st.max
	}
	if st.head > 0 && st.head >= len(st.lines)-st.head {
		st.lines = append(st.lines[:0], st.lines[st.head:]...)
		st.head = 0
	}
}

func logID(n int) string { return fmt.Sprintf("log-%06d", n) }

// append adds a line at its time (after the lines of the same time) and
// returns it with its id; st.mu is held.
func (st *logStore) append(l platform.LogEntry) platform.LogEntry {
	st.ensure()
	st.seq++
	l.LogID = logID(st.seq)
	if l.Metadata == nil {
		l.Metadata = map[string]any{}
	}
	i := len(st.lines)
	for i > st.head && st.lines[i-1].Timestamp.After(l.Timestamp) {
		i--
	}
	st.lines = slices.Insert(st.lines, i, l)
	st.bound()
	return l
}

// LogFilter is a parsed log query.
type LogFilter struct {
	Level        platform.LogLevel
	Agent        string
	Text         string // lower case
	Since, Until time.Time
}

func (f LogFilter) match(l *platform.LogEntry) bool {
	return (f.Level == "" || l.Level == f.Level) &&
		(f.Agent == "" || l.AgentID == f.Agent) &&
		(f.Text == "" || strings.Contains(strings.ToLower(l.Message), f.Text)) &&
		(f.Since.IsZero() || !l.Timestamp.Before(f.Since)) &&
		(f.Until.IsZero() || l.Timestamp.Before(f.Until))
}

// List returns the lines matching f, newest first.
func (st *logStore) List(f LogFilter) []platform.LogEntry {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.ensure()
	var out []platform.LogEntry
	for i := len(st.lines) - 1; i >= st.head; i-- {
		if f.match(&st.lines[i]) {
			out = append(out, st.lines[i])
		}
	}
	return out
}

// log appends a line to the platform's log at the time at and publishes
// it on the logs topic: what a transition did ("restart requested by …")
// and what happened (an agent came online). meta may be nil. The World's
// lock is held.
func (w *World) log(at time.Time, level platform.LogLevel, agentID, msg string, meta map[string]any) {
	l := w.Logs.append(platform.LogEntry{Timestamp: at.UTC(), Level: level, AgentID: agentID, Message: msg, Metadata: meta})
	w.publish(at, "logs.appended", l)
}
