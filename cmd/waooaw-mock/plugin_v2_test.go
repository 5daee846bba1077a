package main

import (
	"github.com/waooaw/waooaw-go/internal/testkit"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// syncBuffer is testkit.SyncBuffer.
type syncBuffer = testkit.SyncBuffer

// TestPluginDescribeHangServerStarts: a plugin that hangs in Describe does
// not hold up the server's start; it is skipped, and the log says that its
// Describe hung.
func TestPluginDescribeHangServerStarts(t *testing.T) {
	dir := pluginDir(t, map[string]string{"waooaw-template-hang": "faulty", "waooaw-template-faulty": "faulty"})
	if err := os.WriteFile(filepath.Join(dir, "hangdescribe.waooaw-template-hang"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	m := start(t, "-plugin-dir", dir, "-plugin-timeout", "300ms")
	if d := time.Since(began); d > 8*time.Second {
		t.Errorf("the server took %s to start", d)
	}
	body := string(m.do("GET", "/api/platform/factory/templates", m.tok, "", 200, nil))
	if !strings.Contains(body, `"tmpl-faulty"`) || strings.Contains(body, `"tmpl-hang"`) {
		t.Errorf("templates: %s; want tmpl-faulty and not tmpl-hang", body)
	}
	if logs := m.stderr.String(); !strings.Contains(logs, "waooaw-template-hang: skipped") || !strings.Contains(logs, "Describe hung") {
		t.Errorf("logs:\n%s\nwant a line saying waooaw-template-hang was skipped because Describe hung", logs)
	}
}

// TestPluginDevLoopFlags: the load line names each plugin with its id,
// version, path and hash; a rebuilt plugin is reloaded without a restart
// (-plugin-watch); -plugin-require-pins refuses an unpinned plugin; bad
// values are usage errors.
func TestPluginDevLoopFlags(t *testing.T) {
	dir := pluginDir(t, map[string]string{"waooaw-template-faulty": "faulty"})
	m := start(t, "-plugin-dir", dir, "-log-level", "info", "-plugin-watch", "50ms")
	logs := m.stderr.String()
	for _, want := range []string{"tmpl-faulty", "sha256", filepath.Join(dir, "waooaw-template-faulty")} {
		if !strings.Contains(logs, want) {
			t.Errorf("the load line lacks %q:\n%s", want, logs)
		}
	}
	// A second plugin dropped in is picked up by the watch.
	b, err := os.ReadFile(filepath.Join(pluginBin, "template-plugin"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "waooaw-template-new"), b, 0o755); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(string(m.do("GET", "/api/platform/factory/templates", m.tok, "", 200, nil)), `"tmpl-slack-notifier"`) {
		if time.Now().After(deadline) {
			t.Fatalf("the new plugin was not loaded within 10 s:\n%s", m.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	m.stop()

	pinned := start(t, "-plugin-dir", dir, "-plugin-require-pins", "-plugin-watch", "0")
	if body := string(pinned.do("GET", "/api/platform/factory/templates", pinned.tok, "", 200, nil)); strings.Contains(body, "tmpl-faulty") {
		t.Errorf("an unpinned plugin was loaded with -plugin-require-pins: %s", body)
	}

	for _, bad := range [][]string{{"-plugin-env", "A=B"}, {"-plugin-watch", "-1s"}} {
		if err := run(t.Context(), append([]string{"-addr", "127.0.0.1:0"}, bad...), io.Discard, io.Discard); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}
