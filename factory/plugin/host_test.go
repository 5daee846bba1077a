//go:build unix

package plugin

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/waooaw/waooaw-go/factory/plugin/internal/wire"
	"github.com/waooaw/waooaw-go/factory/plugin/plugintest"
	"github.com/waooaw/waooaw-go/factory/template"
)

const example = "waooaw-template-slack-notifier"

// newHost makes a host on dir that is closed when the test ends.
func newHost(t *testing.T, dir string, opts ...HostOption) *Host {
	t.Helper()
	h, err := NewHost(t.Context(), append([]HostOption{WithDir(dir), WithBuiltins(template.Builtins())}, opts...)...)
	if err != nil {
		t.Fatalf("NewHost: %v", err)
	}
	t.Cleanup(func() {
		if err := h.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return h
}

func get(t *testing.T, h *Host, id string) template.Template {
	t.Helper()
	tmpl, err := h.Get(t.Context(), id)
	if err != nil {
		t.Fatalf("Get(%q): %v; load errors:\n%s", id, err, loadErrors(h))
	}
	return tmpl
}

// action asks the faulty plugin to do something in Validate.
func action(a string) json.RawMessage { return json.RawMessage(`{"action":"` + a + `"}`) }

// pidOf asks the faulty plugin for the pid of the process serving it.
func pidOf(t *testing.T, tmpl template.Template) int {
	t.Helper()
	issues, err := tmpl.Validate(t.Context(), action("pid"))
	if err != nil || len(issues) != 1 {
		t.Fatalf("Validate(pid) = %v, %v", issues, err)
	}
	pid, err := strconv.Atoi(issues[0].Issue)
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

func loadErrors(h *Host) string {
	var b strings.Builder
	for _, err := range h.LoadErrors() {
		b.WriteString(err.Error() + "\n")
	}
	return b.String()
}

func TestExamplePluginLoads(t *testing.T) {
	t.Parallel()
	dir := pluginDir(t, map[string]string{example: "template-plugin"})
	pins := sumOf(t, filepath.Join(dir, example)) + "  " + example + "\n"
	writePins(t, dir, pins)
	h := newHost(t, dir, WithRequirePins())
	if errs := h.LoadErrors(); len(errs) > 0 {
		t.Fatalf("LoadErrors: %v", errs)
	}

	ds, err := template.Combine(template.Builtins(), h).List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range ds {
		ids = append(ids, d.TemplateID)
	}
	want := []string{"tmpl-api", "tmpl-blank", "tmpl-data", "tmpl-memory", "tmpl-monitoring", "tmpl-orchestration", "tmpl-slack-notifier"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("combined template ids (-want +got):\n%s", diff)
	}

	tmpl := get(t, h, "tmpl-slack-notifier")
	issues, err := tmpl.Validate(t.Context(), json.RawMessage(`{"webhook_url": "http://x.example", "channel": "ops"}`))
	if err != nil {
		t.Fatal(err)
	}
	wantIssues := []template.Issue{
		{Field: "channel", Issue: "must match the pattern ^#[a-z0-9_-]+$"},
		{Field: "webhook_url", Issue: "must be an https URL (https://hooks.slack.com/services/…)"},
	}
	if diff := cmp.Diff(wantIssues, issues); diff != "" {
		t.Errorf("Validate issues (-want +got):\n%s", diff)
	}

	// The factory's own check, over the combined source, prefixes config.
	_, res, err := template.Check(t.Context(), template.Combine(template.Builtins(), h), template.Request{
		TemplateID: "tmpl-slack-notifier",
		AgentName:  "ops-alerts",
		Config:     json.RawMessage(`{"channel": "#Ops"}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Valid || len(res.Errors) != 1 || res.Errors[0].Field != "config.channel" {
		t.Errorf("Check with a bad channel: %+v, want one error on config.channel", res)
	}

	plugintest.Conformance(t, tmpl)
}

func TestDescribeCommand(t *testing.T) {
	t.Parallel()
	out, err := exec.CommandContext(t.Context(), filepath.Join(bin, "template-plugin"), "describe").Output()
	if err != nil {
		t.Fatalf("describe: %v", err)
	}
	var d template.Description
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatalf("describe printed %s: %v", out, err)
	}
	if d.TemplateID != "tmpl-slack-notifier" || d.Name != "Slack Notifier" || len(d.ConfigSchema) == 0 {
		t.Errorf("describe printed %+v", d)
	}

	// Run by hand without a host, it explains itself and fails.
	cmd := exec.CommandContext(t.Context(), filepath.Join(bin, "template-plugin"))
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	out, err = cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), "template-plugin describe") {
		t.Errorf("run without a host: %v, output %q; want exit status 1 and the usage", err, out)
	}
}

func TestPinMismatchRefusedBeforeRunning(t *testing.T) {
	t.Parallel()
	dir := pluginDir(t, map[string]string{
		"waooaw-template-pinned":   "faulty",
		"waooaw-template-unpinned": "faulty",
	})
	real := sumOf(t, filepath.Join(dir, "waooaw-template-pinned"))
	wrong := strings.Repeat("ab", 32)
	pins := wrong + "  waooaw-template-pinned\n"
	writePins(t, dir, pins)
	h := newHost(t, dir)

	errs := h.LoadErrors()
	if len(errs) != 1 {
		t.Fatalf("LoadErrors:\n%s want one, for the pinned plugin", loadErrors(h))
	}
	msg := errs[0].Error()
	for _, want := range []string{"waooaw-template-pinned", real, wrong} {
		if !strings.Contains(msg, want) {
			t.Errorf("load error %q lacks %q", msg, want)
		}
	}
	if pids := runs(t, dir, "waooaw-template-pinned"); len(pids) > 0 {
		t.Errorf("the refused plugin ran (pids %v)", pids)
	}
	// The marker works: the unpinned copy of the same executable ran.
	if pids := runs(t, dir, "waooaw-template-unpinned"); len(pids) != 1 {
		t.Errorf("the unpinned plugin ran %d times, want 1", len(pids))
	}
	if _, err := h.Get(t.Context(), "tmpl-pinned"); !errors.Is(err, template.ErrNotFound) {
		t.Errorf("Get of the refused plugin's template: %v, want ErrNotFound", err)
	}
}

func TestRequirePins(t *testing.T) {
	t.Parallel()
	dir := pluginDir(t, map[string]string{
		"waooaw-template-listed":   "faulty",
		"waooaw-template-unlisted": "faulty",
	})
	pins := sumOf(t, filepath.Join(dir, "waooaw-template-listed")) + " *./waooaw-template-listed\n"
	writePins(t, dir, pins)
	h := newHost(t, dir, WithRequirePins())
	errs := h.LoadErrors()
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "waooaw-template-unlisted: refused: it is not listed in SHA256SUMS") {
		t.Fatalf("LoadErrors:\n%s want the unlisted plugin refused", loadErrors(h))
	}
	if pids := runs(t, dir, "waooaw-template-unlisted"); len(pids) > 0 {
		t.Errorf("the unlisted plugin ran")
	}
	get(t, h, "tmpl-listed")
}

func TestIDClashes(t *testing.T) {
	t.Parallel()
	dir := pluginDir(t, map[string]string{
		"waooaw-template-memory": "faulty", // tmpl-memory, a built-in's id
		"waooaw-template-dup.1":  "faulty", // tmpl-dup
		"waooaw-template-dup.2":  "faulty", // tmpl-dup again
	})
	h := newHost(t, dir)
	errs := h.LoadErrors()
	if len(errs) != 2 {
		t.Fatalf("LoadErrors:\n%s want two", loadErrors(h))
	}
	for i, want := range []string{
		`plugin waooaw-template-dup.2: not loaded: its template id "tmpl-dup" is already the id of plugin waooaw-template-dup.1`,
		`plugin waooaw-template-memory: not loaded: its template id "tmpl-memory" is the id of the built-in template "tmpl-memory" (Memory Agent)`,
	} {
		if !strings.Contains(errs[i].Error(), want) {
			t.Errorf("load error %d: %q, want it to contain %q", i, errs[i], want)
		}
	}
	ds, err := h.List(t.Context())
	if err != nil || len(ds) != 1 || ds[0].TemplateID != "tmpl-dup" {
		t.Errorf("List = %v, %v; want tmpl-dup only", ds, err)
	}
	// The clashing plugins' processes were stopped.
	waitGone(t, 5*time.Second, append(runs(t, dir, "waooaw-template-memory"), runs(t, dir, "waooaw-template-dup.2")...)...)
}

func TestPanicFailsOnlyThatCall(t *testing.T) {
	t.Parallel()
	dir := pluginDir(t, map[string]string{
		"waooaw-template-faulty": "faulty",
		example:                  "template-plugin",
	})
	h := newHost(t, dir)
	faulty, slack := get(t, h, "tmpl-faulty"), get(t, h, "tmpl-slack-notifier")
	pid := pidOf(t, faulty)

	_, err := faulty.Validate(t.Context(), action("panic"))
	if !errors.Is(err, ErrFailed) || errors.Is(err, ErrUnavailable) || errors.Is(err, ErrDeadline) {
		t.Fatalf("Validate that panics: %v; want ErrFailed (not retryable), not ErrUnavailable", err)
	}
	if !strings.Contains(err.Error(), "template tmpl-faulty panicked in Validate: boom") {
		t.Errorf("error %q does not name the template and the panic", err)
	}
	if issues, err := slack.Validate(t.Context(), json.RawMessage(defaultSlackConfig)); err != nil || len(issues) > 0 {
		t.Errorf("another plugin after the panic: %v, %v", issues, err)
	}
	if got := pidOf(t, faulty); got != pid {
		t.Errorf("the plugin was restarted after a panic (pid %d, then %d); it should keep serving", pid, got)
	}
}

const defaultSlackConfig = `{"webhook_url": "https://hooks.slack.com/services/T1/B2/C3", "channel": "#ops"}`

func TestCrashFailsCallAndRestarts(t *testing.T) {
	t.Parallel()
	h := newHost(t, pluginDir(t, map[string]string{"waooaw-template-faulty": "faulty"}))
	faulty := get(t, h, "tmpl-faulty")

	t.Run("exit", func(t *testing.T) {
		pid := pidOf(t, faulty)
		_, err := faulty.Validate(t.Context(), action("exit"))
		if !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrDeadline) {
			t.Fatalf("Validate that exits: %v; want ErrUnavailable", err)
		}
		if !strings.Contains(err.Error(), "the next call starts a fresh one") {
			t.Errorf("error %q does not say what happens next", err)
		}
		waitGone(t, 5*time.Second, pid)
		if next := pidOf(t, faulty); next == pid {
			t.Errorf("the next call was served by the old process %d", pid)
		}
	})

	t.Run("killed", func(t *testing.T) {
		pid := pidOf(t, faulty)
		done := make(chan error, 1)
		go func() {
			_, err := faulty.Validate(context.Background(), action("hang"))
			done <- err
		}()
		// Kill it while the call hangs in it; the call must fail at once,
		// not at its deadline.
		time.Sleep(100 * time.Millisecond)
		start := time.Now()
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		err := <-done
		if !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrDeadline) {
			t.Fatalf("call in flight when the plugin was killed: %v; want ErrUnavailable", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("the call failed %s after the kill", d)
		}
		if next := pidOf(t, faulty); next == pid {
			t.Errorf("the next call was served by the killed process %d", pid)
		}
	})
}

func TestHungCallDeadline(t *testing.T) {
	t.Parallel()
	h := newHost(t, pluginDir(t, map[string]string{"waooaw-template-faulty": "faulty"}), WithCallTimeout(300*time.Millisecond))
	faulty := get(t, h, "tmpl-faulty")
	start := time.Now()
	_, err := faulty.Validate(t.Context(), action("hang"))
	if !errors.Is(err, ErrDeadline) || !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrUnavailable) {
		t.Fatalf("hung Validate: %v; want ErrDeadline", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the hung call failed after %s, the deadline is 300ms", d)
	}
	// A shorter deadline of the caller's wins.
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := faulty.Validate(ctx, action("hang")); !errors.Is(err, ErrDeadline) {
		t.Errorf("hung Validate with the caller's deadline: %v", err)
	}
	// The plugin still answers other calls.
	if _, err := faulty.Validate(t.Context(), json.RawMessage(`{}`)); err != nil {
		t.Errorf("Validate after a hung call: %v", err)
	}
}

func TestProtocolMismatch(t *testing.T) {
	t.Parallel()
	h := newHost(t, pluginDir(t, map[string]string{"waooaw-template-future": "futureproto"}))
	errs := h.LoadErrors()
	if len(errs) != 1 {
		t.Fatalf("LoadErrors:\n%s want one", loadErrors(h))
	}
	msg := errs[0].Error()
	if !strings.HasPrefix(msg, "plugin waooaw-template-future: not loaded: ") ||
		!strings.Contains(msg, "plugin speaks template protocol 3, host speaks 1-2") {
		t.Errorf("load error %q, want it to name the plugin and both protocol versions", msg)
	}
}

func TestEnvironmentAllowlist(t *testing.T) {
	t.Parallel()
	if os.Getenv("HOME") == "" {
		t.Skip("needs HOME set in the test's environment")
	}
	dir := pluginDir(t, map[string]string{"waooaw-template-faulty": "faulty"})
	envOf := func(opts ...HostOption) []string {
		t.Helper()
		issues, err := get(t, newHost(t, dir, opts...), "tmpl-faulty").Validate(t.Context(), action("env"))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, is := range issues {
			names = append(names, is.Issue)
		}
		return names
	}
	names := envOf()
	allowed := append(slices.Clone(defaultEnv),
		MagicCookieKey, "WAOOAW_TEMPLATE_PLUGIN_WATCH", "PLUGIN_CLIENT_CERT", "PLUGIN_MIN_PORT",
		"PLUGIN_MAX_PORT", "PLUGIN_PROTOCOL_VERSIONS", "PLUGIN_UNIX_SOCKET_DIR")
	for _, n := range names {
		if !slices.Contains(allowed, n) {
			t.Errorf("the plugin sees %s, which is not allowlisted", n)
		}
	}
	if !slices.Contains(names, "PLUGIN_CLIENT_CERT") {
		t.Errorf("the plugin did not get a client certificate (mutual TLS): %v", names)
	}
	if names := envOf(WithEnv("HOME")); !slices.Contains(names, "HOME") {
		t.Errorf("WithEnv(HOME): the plugin does not see HOME: %v", names)
	}
}

func TestCloseKillsPluginsAndRemovesSockets(t *testing.T) {
	t.Parallel()
	dir := pluginDir(t, map[string]string{
		"waooaw-template-faulty": "faulty",
		example:                  "template-plugin",
	})
	h, err := NewHost(t.Context(), WithDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	faulty := get(t, h, "tmpl-faulty")
	pids := h.pids()
	if len(pids) != 2 {
		t.Fatalf("%d plugin processes, want 2", len(pids))
	}
	if _, err := os.Stat(h.privDir); err != nil {
		t.Fatalf("socket directory: %v", err)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	waitGone(t, time.Second, pids...)
	if _, err := os.Stat(h.privDir); !os.IsNotExist(err) {
		t.Errorf("socket directory after Close: %v, want it removed", err)
	}
	if _, err := faulty.Validate(t.Context(), json.RawMessage(`{}`)); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Validate after Close: %v, want ErrUnavailable", err)
	}
	if _, err := h.Get(t.Context(), "tmpl-faulty"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Get after Close: %v, want ErrUnavailable", err)
	}
	if err := h.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// hostChildEnv holds the plugin directory of the host that TestHostKilled
// runs in a child process.
const hostChildEnv = "WAOOAW_PLUGIN_TEST_HOST_CHILD"

// startHostChild runs TestHostChild in a child process with a host on dir
// and returns it with the first line it prints: "pids=…" of its plugins
// and its socket directory.
func startHostChild(t *testing.T, dir string) (cmd *exec.Cmd, pids, sockDir string) {
	t.Helper()
	cmd = exec.Command(os.Args[0], "-test.run=^TestHostChild$")
	cmd.Env = append(os.Environ(), hostChildEnv+"="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	if _, err := fmt.Fscanln(stdout, &pids, &sockDir); err != nil {
		t.Fatalf("read the child's pids: %v", err)
	}
	return cmd, pids, sockDir
}

func TestHostKilled(t *testing.T) {
	t.Parallel()
	if os.Getenv(hostChildEnv) != "" {
		t.Skip("in the child")
	}
	dir := pluginDir(t, map[string]string{
		"waooaw-template-faulty": "faulty",
		example:                  "template-plugin",
	})
	cmd, line, sockDir := startHostChild(t, dir)
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	var pids []int
	for _, f := range strings.Split(strings.TrimPrefix(line, "pids="), ",") {
		pid, err := strconv.Atoi(f)
		if err != nil {
			t.Fatalf("child said %q", line)
		}
		pids = append(pids, pid)
	}
	if len(pids) != 2 {
		t.Fatalf("child runs %d plugins, want 2", len(pids))
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	waitGone(t, time.Second, pids...)
	// The plugins removed their sockets, which the dead host could not.
	if _, err := os.Stat(sockDir); !os.IsNotExist(err) {
		t.Errorf("the dead host's socket directory %s: %v, want it removed", sockDir, err)
	}
}

// TestHostChild is the host that TestHostKilled kills.
func TestHostChild(t *testing.T) {
	dir := os.Getenv(hostChildEnv)
	if dir == "" {
		t.Skip("run by TestHostKilled")
	}
	h, err := NewHost(context.Background(), WithDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, pid := range h.pids() {
		s = append(s, strconv.Itoa(pid))
	}
	fmt.Printf("pids=%s %s\n", strings.Join(s, ","), h.privDir)
	select {} // until killed
}

func TestDiscovery(t *testing.T) {
	t.Parallel()
	dir := pluginDir(t, map[string]string{
		"waooaw-template-ok":   "faulty",
		"faulty":               "faulty", // not a candidate: wrong name
		"my-waooaw-template-x": "faulty",
	})
	if err := os.WriteFile(filepath.Join(dir, "waooaw-template-notes.txt"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "waooaw-template-dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	h := newHost(t, dir)
	errs := h.LoadErrors()
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "waooaw-template-notes.txt: not loaded: not executable") {
		t.Errorf("LoadErrors:\n%s want the non-executable file reported", loadErrors(h))
	}
	ds, err := h.List(t.Context())
	if err != nil || len(ds) != 1 || ds[0].TemplateID != "tmpl-ok" {
		t.Errorf("List = %v, %v; want tmpl-ok only", ds, err)
	}
	for _, f := range []string{"faulty", "my-waooaw-template-x"} {
		if pids := runs(t, dir, f); len(pids) > 0 {
			t.Errorf("%s ran: only waooaw-template-* files are plugins", f)
		}
	}
}

// onDisk keeps the private copies of executables on disk, as on systems
// without /proc.
func onDisk(c *hostConfig) error {
	c.copyOnDisk = true
	return nil
}

// TestReplacedPluginRunsVerifiedCopy replaces a pinned plugin on disk, and
// retargets a pinned link, after NewHost: restarts still run the bytes that
// were verified.
func TestReplacedPluginRunsVerifiedCopy(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		onDisk bool
	}{{"unlinked copy", false}, {"copy on disk", true}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			file := "waooaw-template-faulty"
			path := filepath.Join(dir, file)
			copyFile(t, filepath.Join(bin, "faulty"), path)
			// A link to a file in the directory, retargeted later.
			copyFile(t, filepath.Join(bin, "faulty"), filepath.Join(dir, "faulty-1"))
			copyFile(t, filepath.Join(bin, "template-plugin"), filepath.Join(dir, "faulty-2"))
			if err := os.Symlink("faulty-1", filepath.Join(dir, "waooaw-template-linked")); err != nil {
				t.Fatal(err)
			}
			sum := sumOf(t, path)
			writePins(t, dir, sum+"  "+file+"\n"+sum+"  waooaw-template-linked\n")
			opts := []HostOption{WithDir(dir), WithRequirePins()}
			if tc.onDisk {
				opts = append(opts, onDisk)
			}
			h, err := NewHost(t.Context(), opts...)
			if err != nil {
				t.Fatal(err)
			}
			defer h.Close()
			if errs := h.LoadErrors(); len(errs) > 0 {
				t.Fatalf("LoadErrors:\n%s", loadErrors(h))
			}

			// Replace the file with another plugin, retarget the link to
			// another plugin.
			copyFile(t, filepath.Join(bin, "template-plugin"), path+".new")
			if err := os.Rename(path+".new", path); err != nil {
				t.Fatal(err)
			}
			link := filepath.Join(dir, "waooaw-template-linked")
			if err := os.Remove(link); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("faulty-2", link); err != nil {
				t.Fatal(err)
			}

			for _, id := range []string{"tmpl-faulty", "tmpl-linked"} {
				tmpl := get(t, h, id)
				pid := pidOf(t, tmpl)
				if _, err := tmpl.Validate(t.Context(), action("exit")); !errors.Is(err, ErrUnavailable) {
					t.Fatalf("%s: Validate that exits: %v", id, err)
				}
				waitGone(t, 5*time.Second, pid)
				// The restart answers as the faulty plugin does, so it is
				// the verified program, not what is on disk now.
				next := pidOf(t, tmpl)
				if next == pid {
					t.Errorf("%s: served by the old process %d after it exited", id, pid)
				}
				if d, err := tmpl.Describe(t.Context()); err != nil || d.Name != "Faulty "+id {
					t.Errorf("%s: Describe = %q, %v", id, d.Name, err)
				}
			}

			p := h.procs["tmpl-faulty"]
			if runtime.GOOS == "linux" && !tc.onDisk {
				// Linux: the copy is unlinked at once and runs through
				// /proc/self/fd; the process is that copy.
				if p.exe.file == nil || p.exe.path != procSelfFD3 {
					t.Fatalf("executable %+v, want an open, unlinked copy", p.exe)
				}
				for _, e := range mustReadDir(t, h.privDir) {
					if strings.HasPrefix(e.Name(), FilePrefix) {
						t.Errorf("%s in the private directory; the copies should be unlinked", e.Name())
					}
				}
				target, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", h.pids()[0]))
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(target, h.privDir+"/") || !strings.HasSuffix(target, " (deleted)") {
					t.Errorf("a plugin process runs %s, want a deleted copy in %s", target, h.privDir)
				}
			} else if _, err := os.Stat(p.exe.path); err != nil || filepath.Dir(p.exe.path) != h.privDir {
				t.Errorf("the copy %s: %v, want it in %s", p.exe.path, err, h.privDir)
			}

			if err := h.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(h.privDir); !os.IsNotExist(err) {
				t.Errorf("private directory after Close: %v, want it removed", err)
			}
			if p.exe.file != nil {
				if _, err := p.exe.file.Stat(); !errors.Is(err, os.ErrClosed) {
					t.Errorf("the unlinked copy after Close: %v, want it closed", err)
				}
			}
		})
	}
}

func mustReadDir(t *testing.T, dir string) []os.DirEntry {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func TestSymlinks(t *testing.T) {
	t.Parallel()
	dir := pluginDir(t, map[string]string{"faulty-1.0": "faulty"})
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, filepath.Join(bin, "faulty"), filepath.Join(dir, "sub", "faulty"))
	for name, target := range map[string]string{
		"waooaw-template-in":  "faulty-1.0",
		"waooaw-template-sub": "sub/faulty",
		"waooaw-template-out": filepath.Join(bin, "faulty"),
		"waooaw-template-up":  "../outside",
	} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	copyFile(t, filepath.Join(bin, "faulty"), filepath.Join(filepath.Dir(dir), "outside"))
	h := newHost(t, dir)
	errs := h.LoadErrors()
	if len(errs) != 2 {
		t.Fatalf("LoadErrors:\n%s want two", loadErrors(h))
	}
	for i, f := range []string{"waooaw-template-out", "waooaw-template-up"} {
		if want := "plugin " + f + ": refused: it is a symbolic link to "; !strings.HasPrefix(errs[i].Error(), want) ||
			!strings.Contains(errs[i].Error(), "outside the plugin directory") {
			t.Errorf("load error %d: %q, want it to start %q and say the target is outside", i, errs[i], want)
		}
		if pids := runs(t, filepath.Dir(dir), "outside"); len(pids) > 0 {
			t.Errorf("a link's target outside the directory ran")
		}
	}
	get(t, h, "tmpl-in")
	get(t, h, "tmpl-sub")
}

func TestWritableRefusedWhenPinsRequired(t *testing.T) {
	t.Parallel()
	setup := func(t *testing.T) string {
		dir := pluginDir(t, map[string]string{
			"waooaw-template-tight": "faulty",
			"waooaw-template-loose": "faulty",
		})
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		sum := sumOf(t, filepath.Join(dir, "waooaw-template-tight"))
		writePins(t, dir, sum+"  waooaw-template-tight\n"+sum+"  waooaw-template-loose\n")
		return dir
	}
	t.Run("file", func(t *testing.T) {
		t.Parallel()
		dir := setup(t)
		loose := filepath.Join(dir, "waooaw-template-loose")
		if err := os.Remove(loose); err != nil { // a hard link to the built plugin
			t.Fatal(err)
		}
		copyFile(t, filepath.Join(bin, "faulty"), loose)
		if err := os.Chmod(loose, 0o775); err != nil {
			t.Fatal(err)
		}
		h := newHost(t, dir, WithRequirePins())
		errs := h.LoadErrors()
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), "plugin waooaw-template-loose: refused: it is writable by group or others (mode -rwxrwxr-x)") {
			t.Fatalf("LoadErrors:\n%s want the group-writable plugin refused", loadErrors(h))
		}
		if pids := runs(t, dir, "waooaw-template-loose"); len(pids) > 0 {
			t.Errorf("the refused plugin ran")
		}
		get(t, h, "tmpl-tight")
		// Without required pins it loads: it matches its pin.
		get(t, newHost(t, dir), "tmpl-loose")
	})
	for _, tc := range []struct {
		name, path string
		mode       os.FileMode
	}{{"directory", "", 0o775}, {"pins", PinsFile, 0o666}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := setup(t)
			if err := os.Chmod(filepath.Join(dir, tc.path), tc.mode); err != nil {
				t.Fatal(err)
			}
			h, err := NewHost(t.Context(), WithDir(dir), WithRequirePins())
			if err == nil {
				h.Close()
				t.Fatal("NewHost: no error")
			}
			if !strings.Contains(err.Error(), "is writable by group or others") {
				t.Errorf("NewHost: %v, want it to say what others may write", err)
			}
			if pids := runs(t, dir, "waooaw-template-tight"); len(pids) > 0 {
				t.Errorf("a plugin ran")
			}
			newHost(t, dir) // without required pins it loads
		})
	}
}

// TestSlowStartDoesNotHoldCalls restarts a plugin that is slow to start: a
// call with a short deadline fails at its deadline, not when the start ends,
// and the one start serves the call that waits for it.
func TestSlowStartDoesNotHoldCalls(t *testing.T) {
	t.Parallel()
	const file = "waooaw-template-faulty"
	dir := pluginDir(t, map[string]string{file: "faulty"})
	h := newHost(t, dir)
	faulty := get(t, h, "tmpl-faulty")
	first := pidOf(t, faulty)
	if err := os.WriteFile(filepath.Join(dir, "slow."+file), []byte("2s"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := faulty.Validate(t.Context(), action("exit")); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Validate that exits: %v", err)
	}
	waitGone(t, 5*time.Second, first)

	patient := make(chan int, 1)
	go func() {
		issues, err := faulty.Validate(context.Background(), action("pid"))
		if err != nil || len(issues) != 1 {
			t.Errorf("the call that waits for the start: %v, %v", issues, err)
			patient <- 0
			return
		}
		pid, _ := strconv.Atoi(issues[0].Issue)
		patient <- pid
	}()
	started := waitRuns(t, dir, file, 2)[1] // it sleeps before it serves

	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	begin := time.Now()
	_, err := faulty.Validate(ctx, json.RawMessage(`{}`))
	elapsed := time.Since(begin)
	if !errors.Is(err, ErrDeadline) || errors.Is(err, ErrUnavailable) {
		t.Errorf("call with a 200ms deadline during a slow start: %v; want ErrDeadline", err)
	} else if !strings.Contains(err.Error(), "still starting") {
		t.Errorf("error %q does not say the plugin is starting", err)
	}
	if elapsed > time.Second {
		t.Errorf("the call with a 200ms deadline returned after %s", elapsed)
	}

	if pid := <-patient; pid != started {
		t.Errorf("the waiting call was served by pid %d, want %d, the process being started", pid, started)
	}
	if pids := runs(t, dir, file); len(pids) != 2 {
		t.Errorf("the plugin ran %d times, want 2 (one start for all the calls)", len(pids))
	}
}

// TestCloseDuringSlowStart closes a host while a plugin is starting: Close
// returns at once, kills the process and fails the call waiting for it.
func TestCloseDuringSlowStart(t *testing.T) {
	t.Parallel()
	const file = "waooaw-template-faulty"
	dir := pluginDir(t, map[string]string{file: "faulty"})
	h, err := NewHost(t.Context(), WithDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	faulty := get(t, h, "tmpl-faulty")
	first := pidOf(t, faulty)
	if err := os.WriteFile(filepath.Join(dir, "slow."+file), []byte("1m"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := faulty.Validate(t.Context(), action("exit")); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Validate that exits: %v", err)
	}
	waitGone(t, 5*time.Second, first)

	done := make(chan error, 1)
	go func() {
		_, err := faulty.Validate(context.Background(), json.RawMessage(`{}`))
		done <- err
	}()
	starting := waitRuns(t, dir, file, 2)[1]

	begin := time.Now()
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(begin); d > time.Second {
		t.Errorf("Close took %s during a start", d)
	}
	select {
	case err := <-done:
		if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "the host is closed") {
			t.Errorf("the call waiting for the start: %v; want ErrUnavailable, the host is closed", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the call waiting for the start did not end 2s after Close")
	}
	waitGone(t, 5*time.Second, starting)
	if _, err := os.Stat(h.privDir); !os.IsNotExist(err) {
		t.Errorf("private directory after Close: %v, want it removed", err)
	}
}

func TestNoDirectory(t *testing.T) {
	// Not parallel: it sets the environment.
	t.Setenv(DirEnv, "")
	h, err := NewHost(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if ds, err := h.List(t.Context()); err != nil || len(ds) != 0 {
		t.Errorf("List with no plugin directory = %v, %v; want nothing", ds, err)
	}

	dir := pluginDir(t, map[string]string{"waooaw-template-env": "faulty"})
	t.Setenv(DirEnv, dir)
	h2, err := NewHost(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer h2.Close()
	if _, err := h2.Get(t.Context(), "tmpl-env"); err != nil {
		t.Errorf("plugin from $%s: %v", DirEnv, err)
	}

	if _, err := NewHost(t.Context(), WithDir(filepath.Join(dir, "missing"))); err == nil {
		t.Error("NewHost with a missing directory: no error")
	}
}

func TestBadOptions(t *testing.T) {
	t.Parallel()
	for _, o := range []HostOption{WithCallTimeout(0), WithEnv("A=B"), WithEnv(""), WithBuiltins(nil)} {
		if _, err := NewHost(t.Context(), o); err == nil {
			t.Errorf("NewHost with a bad option: no error")
		}
	}
}

func TestMutualTLS(t *testing.T) {
	t.Parallel()
	h := newHost(t, pluginDir(t, map[string]string{"waooaw-template-faulty": "faulty"}))
	p := h.procs["tmpl-faulty"]
	p.mu.Lock()
	addr := p.cur.client.ReattachConfig().Addr
	p.mu.Unlock()
	if addr.Network() != "unix" || !strings.HasPrefix(addr.String(), h.privDir) {
		t.Errorf("the plugin listens on %s %s, want a unix socket in %s", addr.Network(), addr, h.privDir)
	}

	// Another certificate than the host's, and none at all, are refused.
	_, other, err := clientTLS()
	if err != nil {
		t.Fatal(err)
	}
	other.InsecureSkipVerify = true
	noCert := &tls.Config{InsecureSkipVerify: true}
	for name, creds := range map[string]credentials.TransportCredentials{
		"plain":      insecure.NewCredentials(),
		"other cert": credentials.NewTLS(other),
		"no cert":    credentials.NewTLS(noCert),
	} {
		conn, err := grpc.NewClient("unix://"+addr.String(), grpc.WithTransportCredentials(creds))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		_, err = wire.NewClient(conn).Describe(ctx)
		cancel()
		conn.Close()
		if err == nil {
			t.Errorf("%s: a client without the host's certificate called the plugin", name)
		}
		t.Logf("%s: %v", name, err)
	}
}

func TestConcurrentCallsAcrossACrash(t *testing.T) {
	t.Parallel()
	h := newHost(t, pluginDir(t, map[string]string{"waooaw-template-faulty": "faulty"}))
	faulty := get(t, h, "tmpl-faulty")
	errs := make(chan error, 41)
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			_, err := faulty.Validate(t.Context(), json.RawMessage(`{}`))
			errs <- err
		})
		if i == 20 {
			wg.Go(func() {
				_, err := faulty.Validate(t.Context(), action("exit"))
				if err == nil {
					err = errors.New("Validate that exits: no error")
				}
				errs <- err
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil && !errors.Is(err, ErrUnavailable) {
			t.Errorf("call during a crash: %v; want success or ErrUnavailable", err)
		}
	}
	if _, err := faulty.Validate(t.Context(), json.RawMessage(`{}`)); err != nil {
		t.Errorf("call after the crash: %v", err)
	}
}
