package core

import (
	"fmt"
	"net/http"

	"github.com/waooaw/waooaw-go/platform"
)

// Error is a refusal: an answer outside 2xx with the platform error body
// (httpapi writes it). The World and the areas refuse with it.
type Error struct {
	Status  int
	Code    string
	Msg     string
	Details []platform.FieldIssue
	Header  http.Header // headers of the answer (Allow, Retry-After, …)
}

// Error is the status, code and message.
func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Msg) }

// Errorf is an error answer with status and code.
func Errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Msg: fmt.Sprintf(format, args...)}
}

// Invalid is a 400 invalid_argument.
func Invalid(format string, args ...any) *Error {
	return Errorf(http.StatusBadRequest, "invalid_argument", format, args...)
}

// InvalidField is a 400 invalid_argument naming the field at fault.
func InvalidField(field, issue string) *Error {
	e := Invalid("%s: %s", field, issue)
	e.Details = []platform.FieldIssue{{Field: field, Issue: issue}}
	return e
}

// NotFound is a 404 not_found.
func NotFound(format string, args ...any) *Error {
	return Errorf(http.StatusNotFound, "not_found", format, args...)
}

// Conflict is a 409 conflict.
func Conflict(format string, args ...any) *Error {
	return Errorf(http.StatusConflict, "conflict", format, args...)
}
