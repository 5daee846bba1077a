// Package mocktest holds the helpers of the mock server's behaviour
// tests: the tests of mockserver/internal/... that drive a
// mockserver.TestServer over HTTP, as its users do. It is for tests
// only; no package of the mock server imports it.
package mocktest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/queues"
)

// Call is one raw HTTP request to a test server.
type Call struct {
	Method, Path, Token, Body string
	Header                    map[string]string
}

// Answer is what came back.
type Answer struct {
	Status int
	Header http.Header
	Raw    []byte
}

// JSON decodes the answer into a generic value.
func (a Answer) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.Raw, &m); err != nil {
		t.Fatalf("answer is not a JSON object: %v\n%s", err, a.Raw)
	}
	return m
}

// ErrCode is error.code of a platform error body.
func (a Answer) ErrCode(t *testing.T) string {
	t.Helper()
	e, ok := a.JSON(t)["error"].(map[string]any)
	if !ok {
		t.Fatalf("answer has no error body: %s", a.Raw)
	}
	return e["code"].(string)
}

// Want checks the answer's status and, for errors, its error.code.
func (a Answer) Want(t *testing.T, status int, code string) {
	t.Helper()
	if a.Status != status {
		t.Fatalf("status %d, want %d: %s", a.Status, status, a.Raw)
	}
	if code != "" && a.ErrCode(t) != code {
		t.Fatalf("error.code %q, want %q: %s", a.ErrCode(t), code, a.Raw)
	}
}

// Decode decodes the answer's body into v.
func (a Answer) Decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(a.Raw, v); err != nil {
		t.Fatalf("decoding %T: %v\n%s", v, err, a.Raw)
	}
}

// Do sends c to ts (a JSON body, a bearer token and c.Header when given)
// and returns the answer. It fails the test when the request cannot be
// sent, and reports an answer without X-Request-Id and an error status
// without an error body.
func Do(t *testing.T, ts *mockserver.TestServer, c Call) Answer {
	t.Helper()
	var body io.Reader
	if c.Body != "" {
		body = strings.NewReader(c.Body)
	}
	req, err := http.NewRequest(c.Method, ts.URL+c.Path, body)
	if err != nil {
		t.Fatal(err)
	}
	if c.Body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	for k, v := range c.Header {
		req.Header.Set(k, v)
	}
	resp, err := ts.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.Header.Get("X-Request-Id") == "" {
		t.Errorf("%s %s: no X-Request-Id", c.Method, c.Path)
	}
	if resp.StatusCode >= 400 && !bytes.Contains(raw, []byte(`"error"`)) {
		t.Errorf("%s %s: %d without an error body: %s", c.Method, c.Path, resp.StatusCode, raw)
	}
	return Answer{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
}

// Token mints an access token for email with role ("" for the user's
// own), living the server's default 15 minutes; it fails the test if
// the server refuses.
func Token(t *testing.T, ts *mockserver.TestServer, email, role string) string {
	t.Helper()
	tok, err := ts.Token(email, role, 0)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// BigBody is a JSON body just over the 1 MiB limit.
var BigBody = "{" + strings.Repeat(" ", 1<<20) + "}"

// Expect sends c and checks the status and, for errors, error.code.
func Expect(t *testing.T, ts *mockserver.TestServer, c Call, status int, code string) Answer {
	t.Helper()
	a := Do(t, ts, c)
	if a.Status != status {
		t.Fatalf("%s %s: status %d, want %d: %s", c.Method, c.Path, a.Status, status, a.Raw)
	}
	if code != "" {
		if got := a.ErrCode(t); got != code {
			t.Errorf("%s %s: error.code %q, want %q", c.Method, c.Path, got, code)
		}
	}
	return a
}

// Refuse sends each body to path and wants 400 invalid_argument; then a
// non-JSON body (415) and one over 1 MiB (413).
func Refuse(t *testing.T, ts *mockserver.TestServer, method, path string, bodies ...string) {
	t.Helper()
	for _, body := range bodies {
		Expect(t, ts, Call{Method: method, Path: path, Body: body}, 400, "invalid_argument")
	}
	Expect(t, ts, Call{Method: method, Path: path, Body: "x=1",
		Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}, 415, "unsupported_media_type")
	Expect(t, ts, Call{Method: method, Path: path, Body: BigBody}, 413, "payload_too_large")
}

// CheckConserved fails the test unless every accepted message is pending,
// in the DLQ, processed or deleted, and the figures agree with each other.
func CheckConserved(t *testing.T, d queues.QueueDetail) {
	t.Helper()
	sum := int64(d.MessagesPending) + int64(d.DLQMessages) + d.MessagesProcessed + d.MessagesDeleted
	if d.MessagesAccepted != sum {
		t.Errorf("%s: accepted %d ≠ pending %d + dlq %d + processed %d + deleted %d = %d",
			d.QueueName, d.MessagesAccepted, d.MessagesPending, d.DLQMessages, d.MessagesProcessed, d.MessagesDeleted, sum)
	}
	if d.ConsumerLag < 0 || d.ConsumerLag > d.MessagesPending || d.ErrorRate < 0 || d.ErrorRate > 1 ||
		d.ThroughputPerSec <= 0 || d.OldestMessageAgeSec < 0 {
		t.Errorf("%s: figures out of range: %+v", d.QueueName, d.Queue)
	}
}
