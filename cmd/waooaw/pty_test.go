//go:build unix

package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/workflows"
)

// ptyTerm is the waooaw binary running in a pseudo-terminal.
type ptyTerm struct {
	t      *testing.T
	cmd    *exec.Cmd
	f      *os.File
	mu     sync.Mutex
	out    strings.Builder
	done   chan error
	exited atomic.Bool
}

// frames counts the screen clears: one per redraw.
func (tm *ptyTerm) frames() int { return strings.Count(tm.text(), "\x1b[H\x1b[2J") }

func startPTY(t *testing.T, env []string, args ...string) *ptyTerm {
	t.Helper()
	cmd := exec.Command(filepath.Join(bin, "waooaw"), args...)
	cmd.Env = append(os.Environ(), env...)
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 140})
	if err != nil {
		t.Fatal(err)
	}
	tm := &ptyTerm{t: t, cmd: cmd, f: f, done: make(chan error, 1)}
	read := make(chan struct{})
	go func() {
		defer close(read)
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			tm.mu.Lock()
			tm.out.Write(buf[:n])
			tm.mu.Unlock()
			if err != nil {
				return // EIO once the process has exited
			}
		}
	}()
	go func() {
		err := cmd.Wait()
		<-read
		tm.exited.Store(true)
		tm.done <- err
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		f.Close()
	})
	return tm
}

func (tm *ptyTerm) text() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.out.String()
}

// waitFor waits until the terminal shows a match of re (output, not time:
// the deadline only bounds a broken run).
func (tm *ptyTerm) waitFor(re string) []string {
	tm.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := rx.FindStringSubmatch(tm.text()); m != nil {
			return m
		}
		time.Sleep(5 * time.Millisecond)
	}
	tm.t.Fatalf("the terminal never showed %q; it shows:\n%s", re, tm.text())
	return nil
}

// exit waits for the process and returns its exit code.
func (tm *ptyTerm) exit() int {
	tm.t.Helper()
	select {
	case err := <-tm.done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			tm.t.Fatal(err)
		}
		return 0
	case <-time.After(60 * time.Second):
		tm.t.Fatalf("still running; the terminal shows:\n%s", tm.text())
		return -1
	}
}

// TestPTY drives an interactive session in a pseudo-terminal: login
// against the mock through its consent page (played by an HTTP client),
// then factory create with its progress bar, then workflows gantt --follow
// redrawing as the test moves the mock's clock.
func TestPTY(t *testing.T) {
	t.Parallel()
	ts, step := steppingServer(t, time.Minute)
	env := []string{"WAOOAW_API_URL=" + ts.URL, "WAOOAW_CONFIG_DIR=" + t.TempDir(),
		"WAOOAW_POLL_INTERVAL=20ms", "WAOOAW_TOKEN=", "WAOOAW_CLIENT_ID=", "WAOOAW_CLIENT_SECRET=", "NO_COLOR=", "TERM=xterm"}

	// 1. login --no-browser prints the URL; the "browser" follows it.
	login := startPTY(t, env, "login", "--no-browser", "--as", mockserver.AdminEmail)
	u := login.waitFor(`Open this URL in a browser to sign in:\r?\n\s+(\S+)`)[1]
	resp, err := http.Get(u) // /auth/google → the consent page → the CLI's loopback callback
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the sign-in page ended with %s", resp.Status)
	}
	login.waitFor(`Signed in to .*\r?\n`)
	if code := login.exit(); code != 0 {
		t.Fatalf("login: exit %d\n%s", code, login.text())
	}
	if !strings.Contains(login.text(), "admin@waooaw.ai") || !strings.Contains(login.text(), "role:           admin") {
		t.Errorf("login did not say who signed in:\n%s", login.text())
	}

	// 2. factory create draws a progress bar in place until the agent is online.
	create := startPTY(t, env, "factory", "create", "--template", "tmpl-memory", "--name", "pty-agent")
	if code := create.exit(); code != 0 {
		t.Fatalf("factory create: exit %d\n%s", code, create.text())
	}
	out := create.text()
	bars := regexp.MustCompile(`\r\x1b\[2KDeploying agent-101 \[[#.]{30}\] +(\d+)%  (\w+)`).FindAllStringSubmatch(out, -1)
	if len(bars) < 3 {
		t.Fatalf("want a progress bar redrawn in place at least 3 times, got %d:\n%q", len(bars), out)
	}
	if first, last := bars[0][1], bars[len(bars)-1][1]; first == last || last != "100" {
		t.Errorf("the bar went from %s%% to %s%%, want it to grow to 100%%", first, last)
	}
	if !strings.Contains(out, "Created agent-101 (pty-agent): \x1b[32monline\x1b[0m") { // coloured: a terminal
		t.Errorf("no success line:\n%q", out)
	}

	// 3. gantt --follow redraws (clearing the screen) as the clock moves.
	// The deployment moved the clock past wf-001's end: retrying wf-003's
	// failed task sets a workflow running again.
	step.Store(0) // from now on the clock moves only when the test moves it
	if _, err := workflows.New(ts.Client(mockserver.OperatorEmail)).RetryTask(context.Background(), "wf-003", "task-101"); err != nil {
		t.Fatal(err)
	}
	gantt := startPTY(t, env, "workflows", "gantt", "wf-003", "--follow")
	gantt.waitFor(`Sync CRM Records .*running`)
	var shown []string // what the running tasks show, frame by frame
	for i := 0; i < 60 && !gantt.exited.Load(); i++ {
		n := gantt.frames()
		ts.Advance(time.Minute)
		deadline := time.Now().Add(30 * time.Second)
		for gantt.frames() == n && !gantt.exited.Load() && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond) // waiting for the redraw, not for time to pass
		}
		if gantt.frames() == n && !gantt.exited.Load() {
			t.Fatalf("no redraw after the clock moved a minute:\n%s", gantt.text())
		}
		text := gantt.text()
		frame := text[strings.LastIndex(text, "\x1b[H\x1b[2J"):]
		if m := regexp.MustCompile(`(\w[\w ]+?) +\* \|[^|]*\| running\s+(\S+)`).FindStringSubmatch(frame); m != nil {
			shown = append(shown, m[1]+" "+m[2])
		}
	}
	if code := gantt.exit(); code != 0 {
		t.Fatalf("gantt --follow: exit %d\n%s", code, gantt.text())
	}
	if len(shown) < 4 {
		t.Errorf("want at least 4 redraws with a running task, got %q", shown)
	}
	text := gantt.text()
	last := text[strings.LastIndex(text, "\x1b[H\x1b[2J"):]
	if !strings.Contains(last, "wf-003  completed  100%") || strings.Contains(last, "| running") {
		t.Errorf("the last frame is not the completed workflow:\n%s", last)
	}
	t.Logf("running tasks frame by frame: %q", shown)
}
