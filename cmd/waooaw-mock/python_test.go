package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestPythonSuitesInParallelSandboxes builds waooaw-mock, runs it as a
// process, and runs the two stdlib-only Python suites of
// examples/python-sandboxes against it at the same time, each in its own
// sandbox. Both must pass. Without python3 the test is skipped, except
// in CI (CI=1), where it fails.
func TestPythonSuitesInParallelSandboxes(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("python3 is needed in CI (.ci/run installs it)")
		}
		t.Skip("no python3 on PATH")
	}
	bin := filepath.Join(t.TempDir(), "waooaw-mock")
	if b, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	srv := exec.Command(bin, "-addr", "127.0.0.1:0")
	out, err := srv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var srvErr bytes.Buffer
	srv.Stderr = &srvErr
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { srv.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			srv.Process.Kill()
			t.Error("waooaw-mock did not stop on SIGINT")
		}
	})
	sc := bufio.NewScanner(out)
	if !sc.Scan() {
		t.Fatalf("no first line; stderr: %s", srvErr.String())
	}
	url, ok := strings.CutPrefix(sc.Text(), "waooaw-mock listening on ")
	if !ok {
		t.Fatalf("first line %q", sc.Text())
	}
	go func() {
		for sc.Scan() { // keep the pipe drained
		}
	}()

	dir, err := filepath.Abs("../../examples/python-sandboxes")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, suite := range []string{"test_agents.py", "test_queues.py"} {
		wg.Go(func() {
			cmd := exec.Command(py, "-m", "unittest", "-v", suite)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "WAOOAW_MOCK_URL="+url, "PYTHONDONTWRITEBYTECODE=1")
			b, err := cmd.CombinedOutput()
			if err != nil {
				t.Errorf("%s: %v\n%s", suite, err, b)
				return
			}
			t.Logf("%s:\n%s", suite, b)
		})
	}
	wg.Wait()
}
