package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/mockserver"
)

// httpBrowser plays the browser: it follows the sign-in's redirects (the
// mock's consent page approves at once) back to the CLI's loopback listener.
func httpBrowser(ctx context.Context, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the sign-in page ended with %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}

func TestLoginSession(t *testing.T) {
	t.Parallel()
	ts := server(t, 0)
	c := newCLI(t, ts, "", "")
	c.prep = func(a *app) { a.browser = httpBrowser }
	got := transcript(c,
		args("whoami"),
		args("login --as admin@waooaw.ai"),
		args("whoami"),
		args("login"), // the saved session is reused
		args("agents restart wow-memory"),
	)
	golden(t, "login", got)

	// The session is one private file per API.
	dir := c.env["WAOOAW_CONFIG_DIR"]
	files, err := filepath.Glob(filepath.Join(dir, "session-*.json"))
	if err != nil || len(files) != 1 {
		t.Fatalf("session files %v (%v), want one", files, err)
	}
	fi, err := os.Stat(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("session file mode %v, want 0600", fi.Mode().Perm())
	}
	if b, _ := os.ReadFile(files[0]); !strings.Contains(string(b), "refresh_token") {
		t.Errorf("the session file holds no refresh token: %.100s", b)
	}

	// Several processes share it: concurrent runs each sign in from it, and
	// when its access token has expired exactly one of them renews it (under
	// the cache's lock; the others read the renewed one), so no run spends
	// a refresh token another has already rotated.
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	expired := regexp.MustCompile(`"expiry": "[^"]*"`).ReplaceAll(b, []byte(`"expiry": "2000-01-01T00:00:00Z"`))
	if bytes.Equal(expired, b) {
		t.Fatalf("no expiry in the session file: %s", b)
	}
	if err := os.WriteFile(files[0], expired, 0o600); err != nil {
		t.Fatal(err)
	}
	refreshes := ts.Calls("POST", "/auth/token")
	var wg sync.WaitGroup
	results := make([]result, 6)
	for i := range results {
		wg.Go(func() { results[i] = c.run("-q", "whoami") })
	}
	wg.Wait()
	for i, r := range results {
		if r.code != 0 || r.stdout != "admin@waooaw.ai\n" {
			t.Errorf("concurrent whoami %d: exit %d, %q, %q", i, r.code, r.stdout, r.stderr)
		}
	}
	if n := ts.Calls("POST", "/auth/token") - refreshes; n != 1 {
		t.Errorf("%d token requests for 6 concurrent runs with an expired token, want 1", n)
	}

	// A session the platform revoked asks for a new sign-in.
	sid := sessionID(t, c)
	if !ts.RevokeSession(sid) {
		t.Fatalf("no session %s to revoke", sid)
	}
	r := c.run("whoami")
	if r.code != exitAuth || !strings.Contains(r.stderr, "waooaw login") {
		t.Errorf("whoami after the session was revoked: exit %d, %q; want 3 and a hint to log in", r.code, r.stderr)
	}

	// Sign in again, then out: the platform revokes it and the file goes.
	if r := c.run("login"); r.code != 0 {
		t.Fatalf("login again: exit %d: %s", r.code, r.stderr)
	}
	saved, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "logout", transcript(c, args("logout"), args("whoami"), args("logout")))
	if files, _ := filepath.Glob(filepath.Join(dir, "session-*.json")); len(files) != 0 {
		t.Errorf("session files after logout: %v", files)
	}
	// The platform revoked it: the old tokens, put back, are refused.
	if err := os.WriteFile(files[0], saved, 0o600); err != nil {
		t.Fatal(err)
	}
	if r := c.run("whoami"); r.code != exitAuth {
		t.Errorf("whoami with the session logged out: exit %d, %q, %q; want 3", r.code, r.stdout, r.stderr)
	}
}

func sessionID(t *testing.T, c *cli) string {
	t.Helper()
	r := c.run("-o", "json", "whoami")
	_, after, ok := strings.Cut(r.stdout, `"session_id": "`)
	if !ok {
		t.Fatalf("whoami: exit %d, %q, %q", r.code, r.stdout, r.stderr)
	}
	sid, _, _ := strings.Cut(after, `"`)
	return sid
}

func TestLoginRefused(t *testing.T) {
	t.Parallel()
	ts := server(t, 0)
	c := newCLI(t, ts, "", "")
	c.prep = func(a *app) { a.browser = httpBrowser }
	if err := ts.FailNextOAuth("access_denied", 0); err != nil {
		t.Fatal(err)
	}
	r := c.run("login")
	if r.code != exitAuth || !strings.Contains(r.stderr, "access_denied") || !strings.Contains(r.stderr, "waooaw login") {
		t.Errorf("refused login: exit %d, %q; want 3, the refusal and what to do", r.code, r.stderr)
	}
}

func TestClientCredentials(t *testing.T) {
	t.Parallel()
	ts := server(t, 0)
	c := newCLI(t, ts, "", "")
	got := transcript(c, args("--client-credentials whoami"))
	c.env["WAOOAW_CLIENT_ID"], c.env["WAOOAW_CLIENT_SECRET"] = mockserver.CIClientID, mockserver.CIClientSecret
	got += transcript(c, args("--client-credentials -q whoami"), args("--client-credentials agents restart wow-memory"))
	c.env["WAOOAW_CLIENT_SECRET"] = "wrong"
	got += transcript(c, args("--client-credentials metrics"))
	golden(t, "client_credentials", got)
}

func TestEvents(t *testing.T) {
	t.Parallel()
	ts := server(t, 0)
	c := newCLI(t, ts, operator, "operator")
	open := make(chan struct{})
	c.prep = func(a *app) { a.streaming = func() { close(open) } }
	done := make(chan result, 1)
	go func() { done <- c.run("events", "--topic", "agents", "--max", "2") }()
	select {
	case <-open:
	case r := <-done:
		t.Fatalf("events ended before the stream opened: exit %d: %s", r.code, r.stderr)
	}
	pc := ts.Client(operator)
	if _, err := pc.Agents.Stop(context.Background(), "agent-001"); err != nil {
		t.Fatal(err)
	}
	if _, err := pc.Agents.Start(context.Background(), "agent-001"); err != nil {
		t.Fatal(err)
	}
	r := <-done
	golden(t, "events", scrub(fmt.Sprintf("$ waooaw events --topic agents --max 2\n%s[stderr]\n%s[exit %d]\n", r.stdout, r.stderr, r.code), c))
}

func TestLogsFollow(t *testing.T) {
	t.Parallel()
	ts := server(t, 0)
	c := newCLI(t, ts, operator, "operator")
	open := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out lockedBuffer
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &out,
		getenv: func(k string) string { return c.env[k] }, clock: ts, streaming: func() { close(open) }}
	done := make(chan int, 1)
	go func() { done <- a.run(ctx, []string{"logs", "-f", "--agent", "agent-001", "--limit", "2"}) }()
	<-open
	deadline := time.Now().Add(20 * time.Second)
	for strings.Count(out.String(), "\n") < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond) // waiting for the listing, not for time to pass
	}
	before := out.String()
	if _, err := ts.Client(operator).Agents.Stop(context.Background(), "agent-001"); err != nil {
		t.Fatal(err)
	}
	for !strings.Contains(out.String(), "now offline") && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond) // waiting for output, not for time to pass
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("logs -f ended with exit %d: %s", code, out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if strings.Count(before, "\n") != 2 || !strings.HasPrefix(out.String(), before) || len(lines) < 4 {
		t.Errorf("logs -f printed %q; want the 2 latest lines of agent-001, then the new ones as they come", lines)
	}
	seen := make(map[string]bool)
	for _, l := range lines {
		if !strings.Contains(l, "agent-001") || seen[l] {
			t.Errorf("line %q: another agent's, or twice", l)
		}
		seen[l] = true
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestUnavailable(t *testing.T) {
	t.Parallel()
	ts := server(t, 0)
	c := newCLI(t, ts, viewer, "")
	if _, err := ts.AddFault(mockserver.Fault{Method: "GET", Path: "/api/platform/metrics", Status: 503}); err != nil {
		t.Fatal(err)
	}
	c.env["WAOOAW_API_URL"] = ts.URL
	r := c.run("metrics")
	if r.code != exitUnavailable || !strings.Contains(r.stderr, "try again later") {
		t.Errorf("metrics with the platform down: exit %d, %q; want 7 and what to do", r.code, r.stderr)
	}
	c.env["WAOOAW_API_URL"] = "http://127.0.0.1:1"
	if r := c.run("metrics"); r.code != exitUnavailable {
		t.Errorf("metrics with nothing listening: exit %d, %q; want 7", r.code, r.stderr)
	}
}

func TestCompletion(t *testing.T) {
	t.Parallel()
	ts := server(t, 0)
	c := newCLI(t, ts, viewer, "")
	for shell, want := range map[string]string{"bash": "complete -o default", "zsh": "#compdef waooaw", "fish": "complete -c waooaw"} {
		r := c.run("completion", shell)
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("completion %s: exit %d, no %q in %.200q (%s)", shell, r.code, want, r.stdout, r.stderr)
		}
	}
	// The shell asks for candidates through the hidden __complete command.
	r := c.run("__complete", "agents", "get", "")
	if r.code != 0 || !strings.Contains(r.stdout, "wow-memory\tWowMemory") {
		t.Errorf("completing agents get: exit %d, %.300q", r.code, r.stdout)
	}
	r = c.run("__complete", "agents", "list", "--status", "")
	if !strings.Contains(r.stdout, "online\n") {
		t.Errorf("completing --status: %.300q", r.stdout)
	}
}

// TestNoColourOffTerminal: colour only on a terminal, and never with NO_COLOR.
func TestColour(t *testing.T) {
	t.Parallel()
	ts := server(t, 0)
	c := newCLI(t, ts, viewer, "")
	c.prep = func(a *app) { a.tty = true }
	if r := c.run("agents", "list", "--status", "error"); !strings.Contains(r.stdout, "\x1b[31merror\x1b[0m") {
		t.Errorf("on a terminal the status is not coloured: %q", r.stdout)
	}
	c.env["NO_COLOR"] = "1"
	if r := c.run("agents", "list", "--status", "error"); strings.Contains(r.stdout, "\x1b[") {
		t.Errorf("NO_COLOR: colour in %q", r.stdout)
	}
	delete(c.env, "NO_COLOR")
	if r := c.run("--no-color", "agents", "list"); strings.Contains(r.stdout, "\x1b[") {
		t.Errorf("--no-color: colour in %q", r.stdout)
	}
	c.prep = nil
	if r := c.run("agents", "list"); strings.Contains(r.stdout, "\x1b[") {
		t.Errorf("off a terminal: colour in %q", r.stdout)
	}
}

// TestProgressOnTerminal: upgrade and create redraw one line in place on a
// terminal, and print no progress at all elsewhere.
func TestProgressOnTerminal(t *testing.T) {
	t.Parallel()
	ts := server(t, time.Minute)
	c := newCLI(t, ts, admin, "admin")
	c.prep = func(a *app) { a.tty = true }
	r := c.run("servicing", "upgrade", "wow-memory", "--strategy", "canary")
	if r.code != 0 || strings.Count(r.stdout, "\r\x1b[2Kwow-memory 0.4.2→0.4.3 [") < 3 || !strings.Contains(r.stdout, "▶ canary_50") {
		t.Errorf("upgrade on a terminal: exit %d, %q; want its phases redrawn in place", r.code, r.stdout)
	}
	r = c.run("factory", "create", "--template", "tmpl-data", "--name", "tty-agent")
	if r.code != 0 || strings.Count(r.stdout, "\r\x1b[2KDeploying agent-101 [") < 3 {
		t.Errorf("create on a terminal: exit %d, %q", r.code, r.stdout)
	}
	c.prep = nil
	r = c.run("servicing", "upgrade", "wow-cache", "--strategy", "rolling")
	if r.code != 0 || strings.Contains(r.stdout, "\r") || strings.Contains(r.stdout, "\x1b") {
		t.Errorf("upgrade off a terminal: exit %d, %q; want no progress and no colour", r.code, r.stdout)
	}
}
