package mockserver_test

import (
	"strings"
	"testing"

	"github.com/waooaw/waooaw-go/mockserver"
)

// unknownPath is a mutation naming a path resource that does not exist.
type unknownPath struct {
	name, method, path string
}

// badBodies are bodies that fail the wire's body checks (415, 413, 400):
// on an unknown path resource each must be answered 404, because the path
// is checked before the body is read (401, 403, 404, 400/413/415/422, 409).
var badBodies = []struct {
	name   string
	body   string
	header map[string]string
}{
	{"no body", "", nil},
	{"text/plain", "x", map[string]string{"Content-Type": "text/plain"}},
	{"over 1 MiB", "{" + strings.Repeat(" ", 1<<20) + "}", nil},
	{"malformed JSON", `{"`, nil},
	{"unknown field", `{"no_such_field":1}`, nil},
	{"trailing data", `{} {}`, nil},
	{"idempotency key", `{"x":1}`, map[string]string{"Idempotency-Key": "unknown-path-1"}},
}

// checkUnknownBeforeBody sends every bad body to every case as tok and
// wants 404 not_found each time, the message naming the missing resource
// (want[i] is a part of case i's message).
func checkUnknownBeforeBody(t *testing.T, ts *mockserver.TestServer, tok string, cases []unknownPath, want []string) {
	t.Helper()
	for i, c := range cases {
		for _, b := range badBodies {
			t.Run(c.name+"/"+b.name, func(t *testing.T) {
				t.Parallel()
				a := do(t, ts, call{method: c.method, path: c.path, token: tok, body: b.body, header: b.header})
				if a.status != 404 {
					t.Fatalf("%s %s: %d %s, want 404 before the body is read", c.method, c.path, a.status, a.raw)
				}
				if code := a.errCode(t); code != "not_found" {
					t.Errorf("error.code %q, want not_found", code)
				}
				if msg, _ := a.json(t)["error"].(map[string]any)["message"].(string); !strings.Contains(msg, want[i]) {
					t.Errorf("message %q does not name %q", msg, want[i])
				}
			})
		}
	}
}
