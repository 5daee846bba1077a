package mockserver

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// journalSize bounds the journal: older entries are dropped.
const journalSize = 10000

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

// journal is a ring of the last journalSize requests (the /_mock/ controls
// and /healthz excluded). Appending is one short critical section.
type journal struct {
	mu   sync.Mutex
	ring []JournalEntry
	next int
	full bool
}

func newJournal() *journal { return &journal{} }

// add appends e; the ring grows to journalSize, then wraps.
func (j *journal) add(e JournalEntry) {
	j.mu.Lock()
	if !j.full {
		j.ring = append(j.ring, e)
		if len(j.ring) == journalSize {
			j.full = true
		}
	} else {
		j.ring[j.next] = e
		j.next = (j.next + 1) % journalSize
	}
	j.mu.Unlock()
}

func (j *journal) clear() {
	j.mu.Lock()
	j.ring, j.next, j.full = nil, 0, false
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
	all := make([]JournalEntry, 0, len(j.ring))
	all = append(all, j.ring[j.next:]...)
	all = append(all, j.ring[:j.next]...)
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
// first (at most the last 10000).
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
