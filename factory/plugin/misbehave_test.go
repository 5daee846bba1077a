//go:build unix

package plugin

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/factory"
	"github.com/waooaw/waooaw-go/factory/template"
	"github.com/waooaw/waooaw-go/internal/testkit"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
)

// syncBuffer is testkit.SyncBuffer.
type syncBuffer = testkit.SyncBuffer

func renderReq(a string) template.RenderRequest {
	return template.RenderRequest{AgentName: "agent-1", Config: action(a),
		Resources: template.Resources{CPUCores: 1, MemoryGB: 1, StorageGB: 1}, Plan: template.PlanProfessional}
}

// TestLyingRenderRefused: the host checks every spec a plugin renders
// against the built-ins' rules, and names the plugin and the rule.
func TestLyingRenderRefused(t *testing.T) {
	t.Parallel()
	h := newHost(t, pluginDir(t, map[string]string{"waooaw-template-faulty": "faulty"}))
	faulty := get(t, h, "tmpl-faulty")
	if _, err := faulty.Render(t.Context(), renderReq("none")); err != nil {
		t.Fatalf("an honest Render: %v", err)
	}
	for lie, rule := range map[string]string{
		"lie-id":       `the spec is for template "tmpl-memory", not "tmpl-faulty"`,
		"lie-step":     `steps ["validate" "allocate" "rm -rf" "configure" "health_check" "online"]`,
		"lie-duration": `step "allocate" lasts -60000 ms, outside 60000-600000 ms`,
		"lie-plan":     `the spec's plan is "free", not the request's "professional"`,
		"lie-cores":    `resources.cpu_cores = 64 is outside the template's limits 0.5-4`,
	} {
		_, err := faulty.Render(t.Context(), renderReq(lie))
		if !errors.Is(err, ErrRefused) || errors.Is(err, ErrUnavailable) || errors.Is(err, ErrFailed) {
			t.Errorf("Render %s: %v; want ErrRefused", lie, err)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "plugin waooaw-template-faulty (template tmpl-faulty): ") || !strings.Contains(msg, rule) {
			t.Errorf("Render %s: %q; want it to name the plugin and the rule %q", lie, msg, rule)
		}
	}
}

// TestOutOfSchemaConfigRefused: a config the published schema refuses is
// reported even though the plugin's Validate accepts it; an issue path
// that is not relative to config is refused.
func TestOutOfSchemaConfigRefused(t *testing.T) {
	t.Parallel()
	h := newHost(t, pluginDir(t, map[string]string{"waooaw-template-faulty": "faulty"}))
	faulty := get(t, h, "tmpl-faulty")
	issues, err := faulty.Validate(t.Context(), json.RawMessage(`{"level": 99}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := []template.Issue{{Field: "level", Issue: "must be at most 5"}}; fmt.Sprint(issues) != fmt.Sprint(want) {
		t.Errorf("Validate of a config out of the schema: %v, want %v", issues, want)
	}
	// Through the factory's check too: the request is invalid.
	_, res, err := template.Check(t.Context(), h, template.Request{TemplateID: "tmpl-faulty", AgentName: "agent-1", Config: json.RawMessage(`{"level": 99}`)})
	if err != nil || res.Valid || len(res.Errors) != 1 || res.Errors[0].Field != "config.level" {
		t.Errorf("template.Check of a config out of the schema: %+v, %v; want invalid on config.level", res, err)
	}
	_, err = faulty.Validate(t.Context(), action("bad-path"))
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), `issue field "config.x" is not a dotted path relative to config`) {
		t.Errorf("Validate with an issue on config.x: %v; want ErrRefused naming the rule", err)
	}
}

// TestDeterministicPanic: a panic is ErrFailed (not retryable); over HTTP
// it is one call, one attempt: a 500 template_failed naming the template.
func TestDeterministicPanic(t *testing.T) {
	t.Parallel()
	dir := pluginDir(t, map[string]string{"waooaw-template-faulty": "faulty"})
	h := newHost(t, dir)
	attempts := func() int {
		b, _ := os.ReadFile(filepath.Join(dir, "calls.waooaw-template-faulty"))
		return strings.Count(string(b), "\n")
	}
	_, err := get(t, h, "tmpl-faulty").Validate(t.Context(), action("panic"))
	if !errors.Is(err, ErrFailed) || errors.Is(err, ErrUnavailable) || errors.Is(err, ErrDeadline) {
		t.Fatalf("Validate that panics: %v; want ErrFailed only", err)
	}
	if n := attempts(); n != 1 {
		t.Fatalf("the plugin ran Validate %d times, want 1", n)
	}

	ts := mockserver.Start(t, mockserver.WithTemplates(template.Combine(template.Builtins(), h)))
	fc := factory.New(ts.Client(mockserver.AdminEmail))
	_, err = fc.Validate(t.Context(), factory.Request{TemplateID: "tmpl-faulty", AgentName: "agent-1", Config: action("panic")})
	var pe *platform.Error
	if !errors.As(err, &pe) || pe.StatusCode != 500 || pe.Code != "template_failed" ||
		!strings.Contains(pe.Message, `template "tmpl-faulty"`) || !strings.Contains(pe.Message, "panicked in Validate: boom") {
		t.Fatalf("SDK Validate of a panicking plugin: %v; want 500 template_failed naming the template and the panic", err)
	}
	if n := attempts(); n != 2 {
		t.Errorf("the plugin ran Validate %d times for one SDK call, want 1 (no retry)", n-1)
	}
}

// TestDescribeHangSkipped: a plugin whose Describe hangs is skipped within
// the call timeout, its load error says that Describe hung, and the other
// plugins load.
func TestDescribeHangSkipped(t *testing.T) {
	t.Parallel()
	dir := pluginDir(t, map[string]string{"waooaw-template-hang": "faulty", "waooaw-template-ok": "faulty"})
	if err := os.WriteFile(filepath.Join(dir, "hangdescribe.waooaw-template-hang"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	h := newHost(t, dir, WithCallTimeout(300*time.Millisecond))
	if d := time.Since(start); d > 8*time.Second {
		t.Errorf("NewHost took %s with a plugin hanging in Describe", d)
	}
	errs := h.LoadErrors()
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "plugin waooaw-template-hang: skipped") ||
		!strings.Contains(errs[0].Error(), "Describe hung: no answer in 300ms") || !errors.Is(errs[0], ErrDeadline) {
		t.Fatalf("load errors:\n%s want one saying waooaw-template-hang was skipped because Describe hung", loadErrors(h))
	}
	get(t, h, "tmpl-ok")
	if _, err := h.Get(t.Context(), "tmpl-hang"); !errors.Is(err, template.ErrNotFound) {
		t.Errorf("Get(tmpl-hang): %v, want not found", err)
	}
}

// TestCrashLoopBacksOff: a plugin that keeps crashing is not restarted at
// once forever: after a few crashes in a row calls fail at once, without a
// start, until the back-off has passed.
func TestCrashLoopBacksOff(t *testing.T) {
	t.Parallel()
	dir := pluginDir(t, map[string]string{"waooaw-template-faulty": "faulty"})
	h := newHost(t, dir)
	faulty := get(t, h, "tmpl-faulty")
	for i := range crashFree + 1 {
		if _, err := faulty.Validate(t.Context(), action("exit")); !errors.Is(err, ErrUnavailable) {
			t.Fatalf("crash %d: %v, want ErrUnavailable", i+1, err)
		}
	}
	ran := len(runs(t, dir, "waooaw-template-faulty"))
	_, err := faulty.Validate(t.Context(), action("pid"))
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "crashed 3 times in a row") || !strings.Contains(err.Error(), "back-off") {
		t.Fatalf("call during the back-off: %v; want ErrUnavailable saying it backs off", err)
	}
	if n := len(runs(t, dir, "waooaw-template-faulty")); n != ran {
		t.Errorf("a call during the back-off started a process (%d runs, then %d)", ran, n)
	}
	// After the back-off a call starts a fresh process, and success resets the count.
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := faulty.Validate(t.Context(), action("pid"))
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no call succeeded 10s after the back-off began: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := faulty.Validate(t.Context(), action("exit")); !errors.Is(err, ErrUnavailable) || strings.Contains(err.Error(), "back-off") {
		t.Fatalf("a crash after a success: %v; want ErrUnavailable, no back-off", err)
	}
	pidOf(t, faulty) // restarted at once
}

// TestPreviousProtocolLoads: the host accepts the previous protocol
// version as well as the current one.
func TestPreviousProtocolLoads(t *testing.T) {
	t.Parallel()
	h := newHost(t, pluginDir(t, map[string]string{"waooaw-template-old": "oldproto", "waooaw-template-faulty": "faulty"}))
	if errs := h.LoadErrors(); len(errs) > 0 {
		t.Fatalf("load errors:\n%s", loadErrors(h))
	}
	if _, err := get(t, h, "tmpl-old").Validate(t.Context(), json.RawMessage(`{}`)); err != nil {
		t.Errorf("Validate of a protocol %d plugin: %v", PreviousProtocolVersion, err)
	}
}

// rebuild replaces a plugin file with a new build of the same program: the
// same bytes and some more, so its hash differs (an executable runs the
// same with trailing bytes).
func rebuild(t *testing.T, dir, file, built, extra string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(bin, built))
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, ".tmp-"+file)
	if err := os.WriteFile(tmp, append(b, extra...), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, file)); err != nil {
		t.Fatal(err)
	}
}

func versionOf(t *testing.T, h *Host, id string) string {
	t.Helper()
	ds, err := h.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.TemplateID == id {
			return d.Version
		}
	}
	return ""
}

// TestReload: Reload keeps unchanged plugins (same process), loads changed
// and new ones and drops removed ones.
func TestReload(t *testing.T) {
	t.Parallel()
	dir := pluginDir(t, map[string]string{"waooaw-template-faulty": "faulty", "waooaw-template-keep": "faulty"})
	h := newHost(t, dir)
	faulty, keep := get(t, h, "tmpl-faulty"), get(t, h, "tmpl-keep")
	oldPid, keepPid := pidOf(t, faulty), pidOf(t, keep)
	if err := os.WriteFile(filepath.Join(dir, "version.waooaw-template-faulty"), []byte("0.0.2"), 0o644); err != nil {
		t.Fatal(err)
	}
	rebuild(t, dir, "waooaw-template-faulty", "faulty", "rebuilt")
	place(t, filepath.Join(bin, "faulty"), filepath.Join(dir, "waooaw-template-new"))
	if err := h.Reload(t.Context()); err != nil {
		t.Fatal(err)
	}
	if v := versionOf(t, h, "tmpl-faulty"); v != "0.0.2" {
		t.Errorf("version after the rebuild: %q, want 0.0.2", v)
	}
	if pid := pidOf(t, get(t, h, "tmpl-faulty")); pid == oldPid {
		t.Errorf("the rebuilt plugin is served by its old process %d", pid)
	}
	waitGone(t, 5*time.Second, oldPid)
	if pid := pidOf(t, get(t, h, "tmpl-keep")); pid != keepPid {
		t.Errorf("an unchanged plugin was restarted by Reload (pid %d, then %d)", keepPid, pid)
	}
	get(t, h, "tmpl-new")
	if err := os.Remove(filepath.Join(dir, "waooaw-template-new")); err != nil {
		t.Fatal(err)
	}
	if err := h.Reload(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Get(t.Context(), "tmpl-new"); !errors.Is(err, template.ErrNotFound) {
		t.Errorf("a removed plugin after Reload: %v, want not found", err)
	}
}

// TestWatchReloadsRebuiltPlugin: with WithWatch a rebuilt plugin serves
// without anything else done.
func TestWatchReloadsRebuiltPlugin(t *testing.T) {
	t.Parallel()
	dir := pluginDir(t, map[string]string{"waooaw-template-faulty": "faulty"})
	var logs syncBuffer
	h := newHost(t, dir, WithWatch(20*time.Millisecond), WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if err := os.WriteFile(filepath.Join(dir, "version.waooaw-template-faulty"), []byte("0.0.3"), 0o644); err != nil {
		t.Fatal(err)
	}
	rebuild(t, dir, "waooaw-template-faulty", "faulty", "rebuilt")
	deadline := time.Now().Add(10 * time.Second)
	for versionOf(t, h, "tmpl-faulty") != "0.0.3" || !strings.Contains(logs.String(), "plugin directory reloaded") {
		if time.Now().After(deadline) {
			t.Fatalf("the rebuilt plugin was not reloaded in 10s; logs:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestLogs: a line per plugin loaded (id, version, path, sha256), plugin
// stderr prefixed with its file name, go-plugin's debug lines only at
// debug level.
func TestLogs(t *testing.T) {
	t.Parallel()
	for _, level := range []slog.Level{slog.LevelDebug, slog.LevelInfo} {
		t.Run(level.String(), func(t *testing.T) {
			t.Parallel()
			dir := pluginDir(t, map[string]string{"waooaw-template-faulty": "faulty"})
			var logs, stderr syncBuffer
			h := newHost(t, dir, WithStderr(&stderr),
				WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: level}))))
			if _, err := get(t, h, "tmpl-faulty").Render(t.Context(), renderReq("none")); err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf("msg=\"plugin loaded\" template_id=tmpl-faulty version=0.0.1 path=%s sha256=%s",
				filepath.Join(dir, "waooaw-template-faulty"), sumOf(t, filepath.Join(bin, "faulty")))
			if !strings.Contains(logs.String(), want) {
				t.Errorf("logs:\n%s\nwant a line with %s", logs.String(), want)
			}
			deadline := time.Now().Add(5 * time.Second)
			for !strings.Contains(stderr.String(), "waooaw-template-faulty: a line for stderr\n") {
				if time.Now().After(deadline) {
					t.Fatalf("plugin stderr:\n%s\nwant its lines prefixed with the plugin's file name", stderr.String())
				}
				time.Sleep(10 * time.Millisecond)
			}
			debug := strings.Contains(logs.String(), "level=DEBUG msg=\"go-plugin: ")
			if debug != (level == slog.LevelDebug) {
				t.Errorf("at level %s go-plugin's debug lines shown: %v; logs:\n%s", level, debug, logs.String())
			}
		})
	}
}

// TestRawPluginGoneWhenHostKilled: a plugin served by go-plugin alone,
// which watches neither its stdin nor its parent, is gone within a second
// of a kill -9 of its host.
func TestRawPluginGoneWhenHostKilled(t *testing.T) {
	t.Parallel()
	if os.Getenv(hostChildEnv) != "" {
		t.Skip("in the child")
	}
	dir := pluginDir(t, map[string]string{"waooaw-template-raw": "rawplugin"})
	cmd, line, sockDir := startHostChild(t, dir)
	t.Cleanup(func() { os.RemoveAll(sockDir) }) // the raw plugin cannot remove it
	pid, err := strconv.Atoi(strings.TrimPrefix(line, "pids="))
	if err != nil {
		t.Fatalf("child said %q", line)
	}
	if got := runs(t, dir, "waooaw-template-raw"); len(got) != 1 || got[0] != pid {
		t.Fatalf("the raw plugin ran as %v, the child reports %d", got, pid)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	waitGone(t, time.Second, pid)
}
