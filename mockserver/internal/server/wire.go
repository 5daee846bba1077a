package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/waooaw/waooaw-go/platform"
)

// maxBody is the largest request body accepted (413 above).
const maxBody = 1 << 20

// apiError is an answer outside 2xx with the platform error body.
type apiError struct {
	status  int
	code    string
	msg     string
	details []platform.FieldIssue
	header  http.Header
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.msg) }

func errf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, msg: fmt.Sprintf(format, args...)}
}

func invalid(format string, args ...any) *apiError {
	return errf(http.StatusBadRequest, "invalid_argument", format, args...)
}

func invalidField(field, issue string) *apiError {
	e := invalid("%s: %s", field, issue)
	e.details = []platform.FieldIssue{{Field: field, Issue: issue}}
	return e
}

func notFound(format string, args ...any) *apiError {
	return errf(http.StatusNotFound, "not_found", format, args...)
}

func conflict(format string, args ...any) *apiError {
	return errf(http.StatusConflict, "conflict", format, args...)
}

// encode encodes an answer as JSON with a trailing newline.
func encode(v any) []byte {
	b, err := encodeChecked(v)
	if err != nil {
		// Only the server's own types are encoded: a failure is a bug here.
		b, _ = json.Marshal(platform.ErrorBody{Error: platform.ErrorDetail{
			Code: "internal", Message: "encoding the answer: " + err.Error()}})
	}
	return append(b, '\n')
}

// encodeChecked encodes v, reporting a failure (a time past year 9999, a
// NaN) so the caller can answer 500 instead of its success status.
func encodeChecked(v any) ([]byte, error) { return json.Marshal(v) }

// encodeError encodes the platform error body of e.
func encodeError(requestID string, e *apiError) []byte {
	return encode(platform.ErrorBody{Error: platform.ErrorDetail{
		Code: e.code, Message: e.msg, Details: e.details, RequestID: requestID,
	}})
}

// writeAnswer writes status, the extra headers and a JSON body (none when
// body is nil).
func writeAnswer(w http.ResponseWriter, status int, hdr http.Header, body []byte) {
	h := w.Header()
	for k, vs := range hdr {
		h[k] = vs
	}
	if body != nil {
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(status)
	if body != nil {
		w.Write(body)
	}
}

// writeJSON answers v as JSON with status (500 if v cannot be encoded).
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := encodeChecked(v)
	if err != nil {
		writeError(w, w.Header().Get("X-Request-Id"), errf(http.StatusInternalServerError, "internal", "encoding the answer: %v", err))
		return
	}
	writeAnswer(w, status, nil, append(b, '\n'))
}

// writeError answers e with the platform error body.
func writeError(w http.ResponseWriter, requestID string, e *apiError) {
	writeAnswer(w, e.status, e.header, encodeError(requestID, e))
}

// readBody reads a request body under the wire rules: JSON or no content
// type (else 415), at most 1 MiB (else 413). A PATCH may also say
// application/merge-patch+json (RFC 7386), which is JSON too.
func readBody(r *http.Request) ([]byte, *apiError) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, invalid("reading the body: %v", err)
	}
	if len(b) > maxBody {
		return nil, errf(http.StatusRequestEntityTooLarge, "payload_too_large", "the body is over 1 MiB")
	}
	if len(b) == 0 {
		return nil, nil
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		mergePatch := mt == "application/merge-patch+json" && r.Method == http.MethodPatch
		if err != nil || mt != "application/json" && !mergePatch {
			return nil, errf(http.StatusUnsupportedMediaType, "unsupported_media_type",
				"Content-Type %q is not supported: send application/json", ct)
		}
	}
	return b, nil
}

// decodeStrict decodes body into v: one JSON value, no unknown fields.
func decodeStrict(body []byte, v any) *apiError {
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return invalid("malformed body: want a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return invalid("malformed body: %s", jsonProblem(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return invalid("malformed body: data after the JSON value")
	}
	return nil
}

// jsonProblem words a decoding error for the caller.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			field = "body"
		}
		return fmt.Sprintf("%s: want %s, got JSON %s", field, te.Type, te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("invalid JSON at byte %d: %v", se.Offset, err)
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return "unknown field " + f
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "unexpected end of JSON"
	}
	return strings.TrimPrefix(msg, "json: ")
}
