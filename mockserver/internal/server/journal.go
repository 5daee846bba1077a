package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/waooaw/waooaw-go/mockserver/internal/httpapi"
)

// JournalEntry is one request the server answered. In JSON, the fields
// that can be absent (idempotency_key, code, body, caller, fault) are
// always present: null when absent.
type JournalEntry struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Query  string `json:"query"`
	// Status is the answer's status; 0 when there was none (a fault dropped
	// the connection, or the client gave up during a latency fault).
	Status int `json:"status"`
	// Code is the error code of an error answer ("" for a success).
	Code           string    `json:"code"`
	IdempotencyKey string    `json:"idempotency_key"` // "" when none
	RequestID      string    `json:"request_id"`
	At             time.Time `json:"at"` // on the server's clock
	// Body is the request's body as sent, at most Limits.JournalBodyBytes of
	// it (a longer one is cut and ends in "…"); "" when none. Bodies of the
	// OAuth endpoints are never kept.
	Body string `json:"body"`
	// Headers are the request's headers of journaledHeaders (never
	// Authorization or Cookie: Caller says who called).
	Headers map[string]string `json:"headers"`
	// Caller is who the token said the caller was; nil when the request
	// had no valid token or the route checks none.
	Caller *JournalCaller `json:"caller"`
	// Fault is the id of the fault that fired on the request ("" for none).
	Fault string `json:"fault"`
	// Violation is how the request broke api/openapi.yaml, when the server
	// checks requests (WithRequestValidation): "field: issue"; "" when it
	// did not.
	Violation string `json:"violation"`
}

// JournalCaller is the signed-in user a journaled request came from.
type JournalCaller struct {
	Email string `json:"email"`
	Role  string `json:"role"`
}

// journaledHeaders are the request headers a journal entry keeps.
var journaledHeaders = []string{"Accept", "Content-Type", "Idempotency-Key", "If-Match", "Last-Event-Id", "User-Agent", "X-Request-Id"}

// journalWire is JournalEntry on the wire: absent values are null.
type journalWire struct {
	Method         string            `json:"method"`
	Path           string            `json:"path"`
	Query          string            `json:"query"`
	Status         int               `json:"status"`
	Code           *string           `json:"code"`
	IdempotencyKey *string           `json:"idempotency_key"`
	RequestID      string            `json:"request_id"`
	At             time.Time         `json:"at"`
	Body           *string           `json:"body"`
	Headers        map[string]string `json:"headers"`
	Caller         *JournalCaller    `json:"caller"`
	Fault          *string           `json:"fault"`
	Violation      *string           `json:"violation"`
}

func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func emptyIfNull(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// MarshalJSON writes absent values as null.
func (e JournalEntry) MarshalJSON() ([]byte, error) {
	h := e.Headers
	if h == nil {
		h = map[string]string{}
	}
	return json.Marshal(journalWire{Method: e.Method, Path: e.Path, Query: e.Query, Status: e.Status,
		Code: nullIfEmpty(e.Code), IdempotencyKey: nullIfEmpty(e.IdempotencyKey), RequestID: e.RequestID,
		At: e.At, Body: nullIfEmpty(e.Body), Headers: h, Caller: e.Caller, Fault: nullIfEmpty(e.Fault), Violation: nullIfEmpty(e.Violation)})
}

// UnmarshalJSON reads what MarshalJSON writes (null → "").
func (e *JournalEntry) UnmarshalJSON(b []byte) error {
	var w journalWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*e = JournalEntry{Method: w.Method, Path: w.Path, Query: w.Query, Status: w.Status,
		Code: emptyIfNull(w.Code), IdempotencyKey: emptyIfNull(w.IdempotencyKey), RequestID: w.RequestID,
		At: w.At, Body: emptyIfNull(w.Body), Headers: w.Headers, Caller: w.Caller, Fault: emptyIfNull(w.Fault), Violation: emptyIfNull(w.Violation)}
	return nil
}

// journalRecord is what ServeHTTP learns of a request for its entry.
type journalRecord struct {
	body      []byte
	who       *httpapi.Caller
	fault     string
	violation string
}

// journalEntry makes the entry of a request answered through sw.
func (s *Server) journalEntry(r *http.Request, rid string, sw *statusWriter, rec *journalRecord) JournalEntry {
	e := JournalEntry{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Status: sw.status, Code: sw.code,
		IdempotencyKey: r.Header.Get("Idempotency-Key"), RequestID: rid, At: s.clock.Now(),
		Body:  cut(string(rec.body[:min(len(rec.body), s.limits.JournalBodyBytes+utf8.UTFMax)]), s.limits.JournalBodyBytes),
		Fault: rec.fault, Violation: rec.violation}
	for _, k := range journaledHeaders {
		if v := r.Header.Get(k); v != "" {
			if e.Headers == nil {
				e.Headers = make(map[string]string, 4)
			}
			e.Headers[k] = cut(v, s.limits.JournalFieldBytes)
		}
	}
	if p := rec.who; p != nil {
		e.Caller = &JournalCaller{Email: p.Email, Role: p.Role.String()}
	}
	return e
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
	n := len(e.Method) + len(e.Path) + len(e.Query) + len(e.Code) + len(e.IdempotencyKey) + len(e.RequestID) + len(e.Body) + len(e.Fault) + len(e.Violation) + 128
	for k, v := range e.Headers {
		n += len(k) + len(v) + 16
	}
	if e.Caller != nil {
		n += len(e.Caller.Email) + len(e.Caller.Role) + 32
	}
	return n
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
	// Status matches the answer's status (0 matches all; use Code for
	// errors by kind).
	Status int
	// Code matches the error code of the answer.
	Code string
	// Caller matches the caller's email, case-insensitively.
	Caller string
	// Fault matches the entries the fault with this id fired on; "any"
	// matches those any fault fired on.
	Fault string
	// Body matches the entries whose JSON body contains it: a Go value
	// (a map, a slice, a struct with JSON tags, …) or JSON text as
	// json.RawMessage or []byte. An object matches when each of its keys is
	// in the body with a matching value (objects again by subset, arrays
	// element by element and of the same length, other values equal).
	Body any
}

// matcher is a JournalFilter ready to match.
type matcher struct {
	f    JournalFilter
	pat  []string
	body any // the decoded Body, nil for none
}

func (f JournalFilter) matcher() (*matcher, error) {
	m := &matcher{f: f}
	if f.Path != "" {
		m.pat = strings.Split(strings.TrimPrefix(f.Path, "/"), "/")
	}
	if f.Body != nil {
		var raw []byte
		switch b := f.Body.(type) {
		case json.RawMessage:
			raw = b
		case []byte:
			raw = b
		default:
			var err error
			if raw, err = json.Marshal(b); err != nil {
				return nil, fmt.Errorf("mockserver: JournalFilter.Body: %v", err)
			}
		}
		if err := json.Unmarshal(raw, &m.body); err != nil {
			return nil, fmt.Errorf("mockserver: JournalFilter.Body is not JSON: %v", err)
		}
	}
	return m, nil
}

// matchBut reports whether e matches every field of the filter but its
// body.
func (m *matcher) matchBut(e *JournalEntry) bool {
	f := m.f
	return (f.Method == "" || strings.EqualFold(f.Method, e.Method)) &&
		(m.pat == nil || globMatch(m.pat, strings.Split(strings.TrimPrefix(e.Path, "/"), "/"))) &&
		(f.Status == 0 || f.Status == e.Status) &&
		(f.Code == "" || f.Code == e.Code) &&
		(f.Caller == "" || e.Caller != nil && strings.EqualFold(f.Caller, e.Caller.Email)) &&
		(f.Fault == "" || f.Fault == e.Fault || f.Fault == "any" && e.Fault != "")
}

func (m *matcher) match(e *JournalEntry) bool {
	if !m.matchBut(e) {
		return false
	}
	if m.body == nil {
		return true
	}
	var got any
	return json.Unmarshal([]byte(e.Body), &got) == nil && containsJSON(got, m.body)
}

// containsJSON reports whether got contains want: objects by subset,
// arrays element by element, other values equal.
func containsJSON(got, want any) bool {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return false
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok || !containsJSON(gv, wv) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !containsJSON(g[i], w[i]) {
				return false
			}
		}
		return true
	default:
		return got == want
	}
}

// entries returns the entries m matches, oldest first.
func (j *journal) entries(m *matcher) []JournalEntry {
	j.mu.Lock()
	all := slices.Clone(j.live[j.head:])
	j.mu.Unlock()
	out := all[:0]
	for i := range all {
		if m.match(&all[i]) {
			out = append(out, all[i])
		}
	}
	return out
}

// Journal returns the requests the server answered that match f, oldest
// first (within Limits.JournalEntries and JournalBytes of the last). A
// Body that is not JSON matches nothing.
func (s *Server) Journal(f JournalFilter) []JournalEntry {
	m, err := f.matcher()
	if err != nil {
		return nil
	}
	return s.journal.entries(m)
}

// Calls counts the journaled requests matching method and path ("*" for a
// segment).
func (s *Server) Calls(method, path string) int {
	return len(s.Journal(JournalFilter{Method: method, Path: path}))
}

// statusWriter remembers the status written and, of an error answer, its
// code.
type statusWriter struct {
	http.ResponseWriter
	status int
	code   string
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
	if w.status >= 400 && w.code == "" {
		w.code = errorCode(b)
	}
	return w.ResponseWriter.Write(b)
}

// errorCode is the code of an error body: the platform's
// {"error": {"code": …}} or OAuth's {"error": "…"}.
func errorCode(b []byte) string {
	var body struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(b, &body) != nil || len(body.Error) == 0 {
		return ""
	}
	var code string
	if json.Unmarshal(body.Error, &code) == nil {
		return code
	}
	var obj struct {
		Code string `json:"code"`
	}
	json.Unmarshal(body.Error, &obj)
	return obj.Code
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
