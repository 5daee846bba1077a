package mocktest

import (
	"strings"
	"testing"

	"github.com/waooaw/waooaw-go/mockserver"
)

// UnknownPath is a mutation naming a path resource that does not exist.
type UnknownPath struct {
	Name, Method, Path string
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

// CheckUnknownBeforeBody sends every bad body to every case as tok and
// wants 404 not_found each time, the message naming the missing resource
// (want[i] is a part of case i's message).
func CheckUnknownBeforeBody(t *testing.T, ts *mockserver.TestServer, tok string, cases []UnknownPath, want []string) {
	t.Helper()
	for i, c := range cases {
		for _, b := range badBodies {
			t.Run(c.Name+"/"+b.name, func(t *testing.T) {
				t.Parallel()
				a := Do(t, ts, Call{Method: c.Method, Path: c.Path, Token: tok, Body: b.body, Header: b.header})
				if a.Status != 404 {
					t.Fatalf("%s %s: %d %s, want 404 before the body is read", c.Method, c.Path, a.Status, a.Raw)
				}
				if code := a.ErrCode(t); code != "not_found" {
					t.Errorf("error.code %q, want not_found", code)
				}
				if msg, _ := a.JSON(t)["error"].(map[string]any)["message"].(string); !strings.Contains(msg, want[i]) {
					t.Errorf("message %q does not name %q", msg, want[i])
				}
			})
		}
	}
}
