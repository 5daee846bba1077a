package httpapi

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

	"github.com/waooaw/waooaw-go/mockserver/internal/core"
	"github.com/waooaw/waooaw-go/platform"
)

// MaxBody is the largest request body accepted (413 above).
const MaxBody = 1 << 20

// Encode encodes an answer as JSON with a trailing newline.
func Encode(v any) []byte {
	b, err := EncodeChecked(v)
	if err != nil {
		// Only the server's own types are encoded: a failure is a bug here.
		b, _ = json.Marshal(platform.ErrorBody{Error: platform.ErrorDetail{
			Code: "internal", Message: "encoding the answer: " + err.Error()}})
	}
	return append(b, '\n')
}

// EncodeChecked encodes v, reporting a failure (a time past year 9999, a
// NaN) so the caller can answer 500 instead of its success status.
func EncodeChecked(v any) ([]byte, error) { return json.Marshal(v) }

// EncodeError encodes the platform error body of e.
func EncodeError(requestID string, e *core.Error) []byte {
	return Encode(platform.ErrorBody{Error: platform.ErrorDetail{
		Code: e.Code, Message: e.Msg, Details: e.Details, RequestID: requestID,
	}})
}

// WriteAnswer writes status, the extra headers and a JSON body (none when
// body is nil).
func WriteAnswer(w http.ResponseWriter, status int, hdr http.Header, body []byte) {
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

// WriteJSON answers v as JSON with status (500 if v cannot be encoded).
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := EncodeChecked(v)
	if err != nil {
		WriteError(w, w.Header().Get("X-Request-Id"), core.Errorf(http.StatusInternalServerError, "internal", "encoding the answer: %v", err))
		return
	}
	WriteAnswer(w, status, nil, append(b, '\n'))
}

// WriteError answers e with the platform error body.
func WriteError(w http.ResponseWriter, requestID string, e *core.Error) {
	WriteAnswer(w, e.Status, e.Header, EncodeError(requestID, e))
}

// ReadBody reads a request body under the wire rules: JSON or no content
// type (else 415), at most 1 MiB (else 413). A PATCH may also say
// application/merge-patch+json (RFC 7386), which is JSON too.
func ReadBody(r *http.Request) ([]byte, *core.Error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		return nil, core.Invalid("reading the body: %v", err)
	}
	if len(b) > MaxBody {
		return nil, core.Errorf(http.StatusRequestEntityTooLarge, "payload_too_large", "the body is over 1 MiB")
	}
	if len(b) == 0 {
		return nil, nil
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		mergePatch := mt == "application/merge-patch+json" && r.Method == http.MethodPatch
		if err != nil || mt != "application/json" && !mergePatch {
			return nil, core.Errorf(http.StatusUnsupportedMediaType, "unsupported_media_type",
				"Content-Type %q is not supported: send application/json", ct)
		}
	}
	return b, nil
}

// DecodeStrict decodes body into v: one JSON value, no unknown fields.
func DecodeStrict(body []byte, v any) *core.Error {
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return core.Invalid("malformed body: want a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return core.Invalid("malformed body: %s", JSONProblem(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return core.Invalid("malformed body: data after the JSON value")
	}
	return nil
}

// JSONProblem words a decoding error for the caller.
func JSONProblem(err error) string {
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
