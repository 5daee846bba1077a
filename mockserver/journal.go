package mockserver

import (
	"time"

	"github.com/waooaw/waooaw-go/mockserver/internal/server"
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

// MarshalJSON writes absent values as null.
func (e JournalEntry) MarshalJSON() ([]byte, error) { return e.inner().MarshalJSON() }

// UnmarshalJSON reads what MarshalJSON writes (null → "").
func (e *JournalEntry) UnmarshalJSON(b []byte) error {
	var in server.JournalEntry
	if err := in.UnmarshalJSON(b); err != nil {
		return err
	}
	*e = outerEntry(in)
	return nil
}

// String is the filter as a reader would write it.
func (f JournalFilter) String() string { return server.JournalFilter(f).String() }

func (e JournalEntry) inner() server.JournalEntry {
	return server.JournalEntry{Method: e.Method, Path: e.Path, Query: e.Query, Status: e.Status, Code: e.Code,
		IdempotencyKey: e.IdempotencyKey, RequestID: e.RequestID, At: e.At, Body: e.Body, Headers: e.Headers,
		Caller: (*server.JournalCaller)(e.Caller), Fault: e.Fault, Violation: e.Violation}
}

func outerEntry(in server.JournalEntry) JournalEntry {
	return JournalEntry{Method: in.Method, Path: in.Path, Query: in.Query, Status: in.Status, Code: in.Code,
		IdempotencyKey: in.IdempotencyKey, RequestID: in.RequestID, At: in.At, Body: in.Body, Headers: in.Headers,
		Caller: (*JournalCaller)(in.Caller), Fault: in.Fault, Violation: in.Violation}
}
