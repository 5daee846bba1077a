package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestSeedFlag(t *testing.T) {
	m := start(t, "-seed", filepath.Join("..", "..", "mockserver", "testdata", "seeding", "helpdesk.json"))
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
