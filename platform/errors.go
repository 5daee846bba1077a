package platform

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Sentinels to compare a *Error against with errors.Is. Each matches a set
// of HTTP statuses, per the table in the package documentation of the API.
var (
	// ErrInvalidArgument: 400, 413 and 415; the request itself is wrong.
	ErrInvalidArgument = errors.New("waooaw: invalid argument")
	// ErrUnauthenticated: 401; the token is missing, expired or revoked.
	ErrUnauthenticated = errors.New("waooaw: unauthenticated")
	// ErrPermissionDenied: 403; the caller's role is too low.
	ErrPermissionDenied = errors.New("waooaw: permission denied")
	// ErrNotFound: 404; the resource or route does not exist.
	ErrNotFound = errors.New("waooaw: not found")
	// ErrConflict: 409 and 422; the resource is not in a state that allows
	// the change, the name is taken, or an idempotency key was reused.
	ErrConflict = errors.New("waooaw: conflict")
	// ErrRateLimited: 429; slow down (see Error.RetryAfter).
	ErrRateLimited = errors.New("waooaw: rate limited")
	// ErrUnavailable: 502, 503 and 504, and no answer at all (a network
	// failure); the platform could not answer, trying later may help. GETs
	// and keyed mutations were already retried.
	ErrUnavailable = errors.New("waooaw: unavailable")
	// ErrInternal: every other 5xx (500, 501, …); the platform failed and
	// says trying again will not help, so it was not retried.
	ErrInternal = errors.New("waooaw: internal error")
)

// FieldIssue names one problem with one field of a request.
type FieldIssue struct {
	Field string `json:"field"`
	Issue string `json:"issue"`
}

// Error is an answer of the API outside 2xx.
type Error struct {
	StatusCode int          // HTTP status
	Code       string       // error.code of the body, e.g. "not_found"
	Message    string       // error.message of the body
	Details    []FieldIssue // error.details: field problems, if any
	RequestID  string       // X-Request-Id of the response (or of the body)
	Attempts   int          // how many attempts the call made
	RetryAfter time.Duration
	Method     string
	Path       string
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "waooaw: %s %s: %d", e.Method, e.Path, e.StatusCode)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	// Details the message already quotes are not repeated.
	sep := " ("
	for _, d := range e.Details {
		issue := d.Field + ": " + d.Issue
		if strings.Contains(e.Message, issue) {
			continue
		}
		b.WriteString(sep + issue)
		sep = "; "
	}
	if sep == "; " {
		b.WriteString(")")
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request %s]", e.RequestID)
	}
	return b.String()
}

// Is reports whether target is the sentinel matching e's status.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrInvalidArgument:
		return e.StatusCode == 400 || e.StatusCode == 413 || e.StatusCode == 415
	case ErrUnauthenticated:
		return e.StatusCode == 401
	case ErrPermissionDenied:
		return e.StatusCode == 403
	case ErrNotFound:
		return e.StatusCode == 404
	case ErrConflict:
		return e.StatusCode == 409 || e.StatusCode == 422
	case ErrRateLimited:
		return e.StatusCode == 429
	case ErrUnavailable:
		return e.StatusCode == 502 || e.StatusCode == 503 || e.StatusCode == 504
	case ErrInternal:
		return e.StatusCode >= 500 && e.StatusCode <= 599 && !e.Is(ErrUnavailable)
	}
	return false
}

// maxErrorBody caps how much of an error body is read.
const maxErrorBody = 64 << 10

// ErrorBody is the platform's error body, {"error": {...}}. Servers (the mock
// server among them) encode it; the client decodes it.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inside of ErrorBody.
type ErrorDetail struct {
	Code      string       `json:"code"`
	Message   string       `json:"message"`
	Details   []FieldIssue `json:"details,omitempty"`
	RequestID string       `json:"request_id,omitempty"`
}

// newError reads resp (with a size cap) into an *Error.
func newError(resp *http.Response, method, path string, attempts int, now time.Time) *Error {
	e := &Error{
		StatusCode: resp.StatusCode,
		RequestID:  resp.Header.Get("X-Request-Id"),
		Attempts:   attempts,
		Method:     method,
		Path:       path,
	}
	if d, ok := retryAfter(resp.Header.Get("Retry-After"), now); ok {
		e.RetryAfter = d
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var body struct {
		Error json.RawMessage `json:"error"`
		// RFC 6749 §5.2 bodies carry a string "error" and a description.
		Description string `json:"error_description"`
	}
	if json.Unmarshal(raw, &body) == nil && len(body.Error) > 0 {
		var d ErrorDetail
		var code string
		switch {
		case json.Unmarshal(body.Error, &d) == nil:
			e.Code, e.Message, e.Details = d.Code, d.Message, d.Details
			if e.RequestID == "" {
				e.RequestID = d.RequestID
			}
		case json.Unmarshal(body.Error, &code) == nil:
			e.Code, e.Message = code, body.Description
		}
	}
	if e.Message == "" {
		e.Message = strings.ToLower(http.StatusText(resp.StatusCode))
	}
	return e
}

// retryAfter parses a Retry-After value: delay-seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
		if s < 0 {
			return 0, false
		}
		// Clamp before multiplying: a huge value must not overflow.
		return time.Duration(min(s, 365*24*3600)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
