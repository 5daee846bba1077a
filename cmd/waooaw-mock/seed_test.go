package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSeedFlag(t *testing.T) {
	m := start(t, "-seed", filepath.Join("..", "..", "mockserver", "internal", "server", "testdata", "seeding", "helpdesk.json"))
	m.do("GET", "/api/platform/agents/hooli-support", m.tok, "", 200, nil)
	m.do("POST", "/_mock/seed", "", `{"agents": [{"agent_id": "later", "name": "Later"}]}`, 200, nil)
	m.do("GET", "/api/platform/agents/later", m.tok, "", 200, nil)

	// A reset goes back to the start: the defaults and the file, not what
	// was seeded over HTTP.
	m.do("POST", "/_mock/reset", "", "", 204, nil)
	tok := m.mint("lead@hooli.example", "operator") // the file's user
	m.do("GET", "/api/platform/agents/hooli-support", tok, "", 200, nil)
	m.do("GET", "/api/platform/agents/wow-memory", tok, "", 200, nil)
	m.do("GET", "/api/platform/agents/later", tok, "", 404, nil)
	m.do("POST", "/api/platform/queues/support-tickets/dlq/ticket-7781/retry", tok, "", 200, nil)
}

func TestBadSeedFile(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, body, want string
	}{
		{"acme.json", `{"agents": [{"name": "A"}, {"name": "B"}, {"name": "C", "capabilities": 1}]}`,
			"agents[2].capabilities: want an array of strings, got a number"},
		// Checked against the server: the seed conflicts with the defaults.
		{"taken.json", `{"agents": [{"agent_id": "wow-memory", "name": "Another Memory"}]}`,
			`agents[0].agent_id: agent "wow-memory" exists already`},
	} {
		path := filepath.Join(dir, c.name)
		if err := os.WriteFile(path, []byte(c.body), 0o600); err != nil {
			t.Fatal(err)
		}
		var stdout bytes.Buffer
		err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-clock", "frozen", "-seed", path}, &stdout, &bytes.Buffer{})
		if want := "-seed: " + path + ": " + c.want; err == nil || err.Error() != want {
			t.Errorf("-seed %s: %v\nwant %s", c.name, err, want)
		}
		if stdout.Len() > 0 {
			t.Errorf("-seed %s: the mock announced itself: %s", c.name, stdout.String())
		}
	}
	if err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-seed", filepath.Join(dir, "missing.json")}, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
		t.Error("-seed with a missing file: no error")
	}
}

// TestLimitsAndValidationFlags: the bounds and -validate-requests reach
// the server, and a bound below 1 is a usage error.
func TestLimitsAndValidationFlags(t *testing.T) {
	m := start(t, "-validate-requests", "-journal-entries", "2", "-sandboxes", "1")
	for range 3 {
		m.do("GET", "/api/platform/metrics", m.tok, "", 200, nil)
	}
	var j struct{ Count int }
	m.do("GET", "/_mock/journal", "", "", 200, &j)
	if j.Count != 2 {
		t.Errorf("-journal-entries 2: the journal holds %d", j.Count)
	}
	body := m.do("POST", "/api/platform/factory/estimate-cost", m.tok,
		`{"template_id":"tmpl-memory","agent_name":"flag-agent","resources":{"cpu_cores":"two"}}`, 400, nil)
	if !strings.Contains(string(body), "does not match api/openapi.yaml") {
		t.Errorf("-validate-requests: %s", body)
	}
	m.do("POST", "/_mock/sandboxes", "", "", 201, nil)
	m.do("POST", "/_mock/sandboxes", "", "", 409, nil)

	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-log-lines", "0"}, io.Discard, &stderr); err == nil ||
		!strings.Contains(err.Error(), "-log-lines 0: want at least 1") {
		t.Errorf("-log-lines 0: %v", err)
	}
}
