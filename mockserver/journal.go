package mockserver

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// JournalEntry is one request the server answered. In JSON,
// idempotency_key is always present: null when the request had none.
type JournalEntry struct {
	Method         string    `json:"method"`
	Path           string    `json:"path"`
	Query          string    `json:"query"`
	Status         int       `json:"status"`
	IdempotencyKey string    `json:"idempotency_key"` // "" when none (null in JSON)
	RequestID      string    `json:"request_id"`
	At             time.Time `json:"at"` // on the server's clock
}

// journalWire is JournalEntry on the wire: the key is null when absent.
type journalWire struct {
	Method         string    `json:"method"`
	Path           string    `json:"path"`
	Query          string    `json:"query"`
	Status         int       `json:"status"`
	IdempotencyKey *string   `json:"idempotency_key"`
	RequestID      string    `json:"request_id"`
	At             time.Time `json:"at"`
}

// MarshalJSON writes idempotency_key as null when the request had none.
func (e JournalEntry) MarshalJSON() ([]byte, error) {
	w := journalWire{Method: e.Method, Path: e.Path, Query: e.Query, Status: e.Status,
		RequestID: e.RequestID, At: e.At}
	if e.IdempotencyKey != "" {
		w.IdempotencyKey = &e.IdempotencyKey
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads what MarshalJSON writes (null → "").
func (e *JournalEntry) UnmarshalJSON(b []byte) error {
	var w journalWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*e = JournalEntry{Method: w.Method, Path: w.Path, Query: w.Query, Status: w.Status,
		RequestID: w.RequestID, At: w.At}
	if w.IdempotencyKey != nil {
		e.IdempotencyKey = *w.IdempotencyKey
	}
	return nil
}

// journal keeps the last requests (the /_mock/ controls and /healthz
// excluded) within its bounds of entries and bytes. Appending is one short
// critical section, O(1) amortized.
type journal struct {
	max, maxBytes, field int
	mu                   sync.Mutex
	live                 []JournalEntry // live[head:] are kept, oldest first
	head                 int
	bytes                int // the size of live[head:]
}

func newJournal(l Limits) *journal {
	return &journal{max: l.JournalEntries, maxBytes: l.JournalBytes, field: l.JournalFieldBytes}
}

// size is what an entry costs the journal, roughly: its strings and a
// fixed part for the rest.
func (e *JournalEntry) size() int {
	return len(e.Method) + len(e.Path) + len(e.Query) + len(e.IdempotencyKey) + len(e.RequestID) + 96
}

// cut keeps at most n bytes of v (whole UTF-8 characters) and marks a cut
// with "…".
func cut(v string, n int) string {
	if len(v) <= n {
		return v
	}
	for n > 0 && !utf8.RuneStart(v[n]) {
		n--
	}
	return v[:n] + "…"
}

// add appends e, cutting its long fields and dropping the oldest entries
// past the bounds.
func (j *journal) add(e JournalEntry) {
	e.Path, e.Query, e.IdempotencyKey = cut(e.Path, j.field), cut(e.Query, j.field), cut(e.IdempotencyKey, j.field)
	n := e.size()
	j.mu.Lock()
	defer j.mu.Unlock()
	j.live = append(j.live, e)
	j.bytes += n
	for len(j.live)-j.head > j.max || j.bytes > j.maxBytes && len(j.live)-j.head > 1 {
		j.bytes -= j.live[j.head].size()
		j.live[j.head] = JournalEntry{}
		j.head++
	}
	if j.head > 0 && j.head >= len(j.live)/2 {
		j.live = append(j.live[:0], j.live[j.head:]...)
		j.head = 0
	}
}

func (j *journal) clear() {
	j.mu.Lock()
	j.live, j.head, j.bytes = nil, 0, 0
	j.mu.Unlock()
}

// JournalFilter selects journal entries; empty fields match all.
type JournalFilter struct {
	Method string
	// Path matches the request path; "*" matches one segment.
	Path string
}

// entries returns the matching entries, oldest first.
func (j *journal) entries(f JournalFilter) []JournalEntry {
	j.mu.Lock()
	all := slices.Clone(j.live[j.head:])
	j.mu.Unlock()
	var pat []string
	if f.Path != "" {
		pat = strings.Split(strings.TrimPrefix(f.Path, "/"), "/")
	}
	out := all[:0]
	for _, e := range all {
		if f.Method != "" && !strings.EqualFold(f.Method, e.Method) {
			continue
		}
		if pat != nil && !globMatch(pat, strings.Split(strings.TrimPrefix(e.Path, "/"), "/")) {
			continue
		}
		out = append(out, e)
	}
	return out
}

// Journal returns the requests the server answered that match f, oldest
// first (at most Limits.JournalEntries of the last).
func (s *Server) Journal(f JournalFilter) []JournalEntry { return s.journal.entries(f) }

// Calls counts the journaled requests matching method and path ("*" for a
// segment).
func (s *Server) Calls(method, path string) int {
	return len(s.journal.entries(JournalFilter{Method: method, Path: path}))
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush lets event streams flush through the journal's writer.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func journaled(u *url.URL) bool {
	return !strings.HasPrefix(u.Path, "/_mock/") && u.Path != "/healthz"
}
