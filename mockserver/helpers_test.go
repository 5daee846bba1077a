package mockserver_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/waooaw/waooaw-go/mockserver"
)

// call is one raw HTTP request to a test server.
type call struct {
	method, path, token, body string
	header                    map[string]string
}

// answer is what came back.
type answer struct {
	status int
	header http.Header
	raw    []byte
}

// json decodes the answer into a generic value.
func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.raw, &m); err != nil {
		t.Fatalf("answer is not a JSON object: %v\n%s", err, a.raw)
	}
	return m
}

// errCode is error.code of a platform error body.
func (a answer) errCode(t *testing.T) string {
	t.Helper()
	e, ok := a.json(t)["error"].(map[string]any)
	if !ok {
		t.Fatalf("answer has no error body: %s", a.raw)
	}
	return e["code"].(string)
}

func do(t *testing.T, ts *mockserver.TestServer, c call) answer {
	t.Helper()
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequest(c.method, ts.URL+c.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if c.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	resp, err := ts.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.Header.Get("X-Request-Id") == "" {
		t.Errorf("%s %s: no X-Request-Id", c.method, c.path)
	}
	if resp.StatusCode >= 400 && !bytes.Contains(raw, []byte(`"error"`)) {
		t.Errorf("%s %s: %d without an error body: %s", c.method, c.path, resp.StatusCode, raw)
	}
	return answer{resp.StatusCode, resp.Header, raw}
}

func token(t *testing.T, ts *mockserver.TestServer, email, role string) string {
	t.Helper()
	tok, err := ts.Token(email, role, 0)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
