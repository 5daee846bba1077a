package httpapi

import (
	"net/http"

	"github.com/waooaw/waooaw-go/mockserver/internal/core"
)

// Answer is a response made inside a transaction, written after it, so
// that a slow reader never holds the state.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte
	Who    *Caller // the caller, when the token was checked
	// Violation is how the request broke the contract (WithRequestValidation).
	Violation string
	// JournalBody replaces the request body in the journal (reqCtx).
	JournalBody []byte
}

// ErrAnswer is the answer of refusal e to request rid.
func ErrAnswer(rid string, e *core.Error) Answer {
	return Answer{Status: e.Status, Header: e.Header, Body: EncodeError(rid, e)}
}
