//go:build unix

package plugin

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// bin holds the plugin executables TestMain builds once for the package:
// template-plugin (the example), faulty, futureproto, oldproto and
// rawplugin (test plugins).
var bin string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if dir := os.Getenv(hostChildEnv); dir != "" {
		return m.Run() // the child of TestHostKilled: plugins are in place, no leak checks
	}
	dir, err := os.MkdirTemp("", "waooaw-plugin-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	bin = dir
	// One go build for all: executables are named after the package
	// directories (template-plugin, faulty, futureproto).
	cmd := exec.Command("go", "build", "-o", dir+string(filepath.Separator),
		"../../examples/template-plugin", "./internal/testplugins/faulty", "./internal/testplugins/futureproto",
		"./internal/testplugins/oldproto", "./internal/testplugins/rawplugin")
	if b, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build the test plugins: %v\n%s", err, b)
		return 1
	}
	// Whatever the umask: hosts that require pins refuse plugins that group
	// or others may write.
	for _, f := range []string{"template-plugin", "faulty", "futureproto", "oldproto", "rawplugin"} {
		if err := os.Chmod(filepath.Join(dir, f), 0o755); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			return 1
		}
	}
	return code
}

// pluginDir makes a plugin directory holding the built executables under
// the given names (name → built executable), hard-linked where possible.
func pluginDir(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, built := range files {
		place(t, filepath.Join(bin, built), filepath.Join(dir, name))
	}
	return dir
}

func place(t testing.TB, src, dst string) {
	t.Helper()
	if err := os.Link(src, dst); err == nil {
		return
	}
	copyFile(t, src, dst)
}

func copyFile(t testing.TB, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dst, 0o755); err != nil { // whatever the umask
		t.Fatal(err)
	}
}

// writePins writes a plugin directory's SHA256SUMS, writable by its owner
// only (whatever the umask), as hosts that require pins want it.
func writePins(t testing.TB, dir, pins string) {
	t.Helper()
	path := filepath.Join(dir, PinsFile)
	if err := os.WriteFile(path, []byte(pins), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitRuns waits, boundedly, until the faulty plugin file has been run n
// times, and returns the pids of its runs.
func waitRuns(t testing.TB, dir, file string, n int) []int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		pids := runs(t, dir, file)
		if len(pids) >= n {
			return pids
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s ran %d times in 10s, want %d", file, len(pids), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// sumOf is the hex sha256 of a file.
func sumOf(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", sha256.Sum256(b))
}

// runs are the pids the faulty plugin recorded in its marker file.
func runs(t testing.TB, dir, file string) []int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "ran."+file))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		pid, err := strconv.Atoi(strings.TrimSpace(sc.Text()))
		if err != nil {
			t.Fatalf("marker of %s: %v", file, err)
		}
		pids = append(pids, pid)
	}
	return pids
}

// alive reports whether a process runs (a zombie does not).
func alive(pid int) bool {
	if runtime.GOOS == "linux" {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return false
		}
		// pid (comm) state ...; comm may hold spaces and parentheses.
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
	}
	return syscall.Kill(pid, 0) == nil
}

// waitGone waits, boundedly, for the processes to end; it polls because the
// processes are not this test's children.
func waitGone(t testing.TB, within time.Duration, pids ...int) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		var left []int
		for _, pid := range pids {
			if alive(pid) {
				left = append(left, pid)
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("plugin processes %v still run %s later", left, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// pids are the plugin processes a host runs now.
func (h *Host) pids() []int {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []int
	for _, p := range h.procs {
		p.mu.Lock()
		if p.cur != nil {
			if r := p.cur.runner(); r != nil {
				if pid, err := strconv.Atoi(r.ID()); err == nil {
					out = append(out, pid)
				}
			}
		}
		p.mu.Unlock()
	}
	return out
}
