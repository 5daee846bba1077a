package api_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/waooaw/waooaw-go/api"
)

func TestFilesAreCopies(t *testing.T) {
	t.Parallel()
	for name, get := range map[string]func() []byte{"openapi.yaml": api.OpenAPI, "mock.yaml": api.Mock} {
		b := get()
		if !bytes.HasPrefix(b, []byte("#")) || !bytes.Contains(b, []byte("\nopenapi: 3.0.3\n")) {
			t.Errorf("%s does not look like an OpenAPI 3.0.3 document", name)
		}
		clear(b)
		if again := get(); !bytes.Contains(again, []byte("\nopenapi: 3.0.3\n")) {
			t.Errorf("changing what %s returned changed the embedded file", name)
		}
	}
}

// TestAnchors keeps the anchor comments under which each area adds its
// paths and schemas, so that areas never edit the same lines.
func TestAnchors(t *testing.T) {
	t.Parallel()
	check := func(name string, doc []byte, anchors []string) {
		for _, a := range anchors {
			if n := strings.Count(string(doc), "\n  "+a+"\n") + strings.Count(string(doc), "\n    "+a+"\n"); n == 0 {
				t.Errorf("%s has lost the anchor %q", name, a)
			}
		}
	}
	var anchors []string
	for _, area := range []string{"platform", "auth", "queues", "workflows", "factory", "servicing", "helpdesk"} {
		anchors = append(anchors, "# --- "+area+" paths ---", "# --- "+area+" schemas ---")
	}
	check("openapi.yaml", api.OpenAPI(), anchors)
	check("mock.yaml", api.Mock(), []string{"# --- auth controls ---", "# --- faults/journal/seed controls ---"})
}
