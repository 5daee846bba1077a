package main

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runBin runs the built waooaw binary in dir.
func runBin(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(filepath.Join(bin, "waooaw"), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{out.String(), errb.String(), code}
}

// TestTemplateInit: `waooaw template init x && cd x && go test ./...`
// passes, and the plugin it builds passes `waooaw template check`. The
// scaffold uses this checkout of the SDK (--sdk), since the module proxy
// does not serve it; everything else comes from the module proxy.
func TestTemplateInit(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and tests a module: not with -short")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	r := runBin(t, dir, nil, "template", "init", "x", "--sdk", root)
	if r.code != 0 {
		t.Fatalf("template init: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, f := range []string{"go.mod", "go.sum", "main.go", "template.go", "template_test.go", "README.md"} {
		if _, err := os.Stat(filepath.Join(dir, "x", f)); err != nil {
			t.Errorf("the scaffold has no %s: %v", f, err)
		}
	}
	mod := filepath.Join(dir, "x")
	test := exec.Command("go", "test", "./...")
	test.Dir = mod
	if out, err := test.CombinedOutput(); err != nil {
		t.Fatalf("go test ./... in the scaffold: %v\n%s", err, out)
	}
	build := exec.Command("go", "build", "-o", filepath.Join(mod, "plugins", "waooaw-template-x"), ".")
	build.Dir = mod
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build in the scaffold: %v\n%s", err, out)
	}
	r = runBin(t, mod, nil, "template", "check", "plugins/waooaw-template-x")
	if r.code != 0 || !strings.Contains(r.stdout, "ok  tmpl-x passes all 8 checks") {
		t.Errorf("template check of the scaffold's plugin: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// A second init in the same place is refused, not overwritten.
	if r := runBin(t, dir, nil, "template", "init", "x", "--sdk", root); r.code != exitConflict {
		t.Errorf("template init over an existing directory: exit %d, %s", r.code, r.stderr)
	}
}

// Inside a checkout of the SDK, init uses it without --sdk; elsewhere the
// scaffold requires the published module.
func TestTemplateInitInACheckoutUsesIt(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	gomod := "// A checkout.\nmodule github.com/waooaw/waooaw-go // the SDK\n\ngo 1.26.0\n"
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(root, "examples")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	noEnv := []string{"WAOOAW_SDK_DIR="}
	for _, c := range []struct {
		dir, replace string
	}{
		{sub, "replace github.com/waooaw/waooaw-go => " + root + "\n"},
		{t.TempDir(), ""},
	} {
		r := runBin(t, c.dir, noEnv, "template", "init", "y", "--no-tidy")
		if r.code != 0 {
			t.Fatalf("template init in %s: exit %d\n%s%s", c.dir, r.code, r.stdout, r.stderr)
		}
		b, err := os.ReadFile(filepath.Join(c.dir, "y", "go.mod"))
		if err != nil {
			t.Fatal(err)
		}
		switch got := string(b); {
		case c.replace != "" && !strings.Contains(got, c.replace):
			t.Errorf("init inside the checkout %s: go.mod has no %q:\n%s", root, c.replace, got)
		case c.replace == "" && strings.Contains(got, "replace"):
			t.Errorf("init outside a checkout: go.mod replaces the SDK:\n%s", got)
		}
		if c.replace != "" && !strings.Contains(r.stdout+r.stderr, "using the SDK in the checkout at "+root) {
			t.Errorf("init inside the checkout does not say it uses it:\n%s%s", r.stdout, r.stderr)
		}
	}
}

func TestTemplateCheck(t *testing.T) {
	t.Parallel()
	checks := []string{"describe", "schema", "defaults", "issue_paths", "unknown_field", "large_config", "render", "concurrent"}
	t.Run("example plugin passes", func(t *testing.T) {
		t.Parallel()
		r := runBin(t, bin, nil, "template", "check", "template-plugin")
		if r.code != 0 {
			t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		for _, c := range checks {
			if !strings.Contains(r.stdout, "PASS  "+c+"\n") {
				t.Errorf("no PASS line for %s in\n%s", c, r.stdout)
			}
		}
		if !strings.Contains(r.stdout, "ok  tmpl-slack-notifier passes all 8 checks") {
			t.Errorf("no summary in\n%s", r.stdout)
		}
	})
	t.Run("faulty plugin fails naming the check", func(t *testing.T) {
		t.Parallel()
		r := runBin(t, bin, nil, "template", "check", "faulty")
		if r.code != exitFailure {
			t.Fatalf("exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
		}
		if !strings.Contains(r.stdout, "FAIL  unknown_field\n      Validate({\"x_conformance_unknown\":true}) = [], want an issue on field") {
			t.Errorf("the failing check and why are not shown:\n%s", r.stdout)
		}
		if !strings.Contains(r.stderr, "tmpl-faulty fails 1 of 8 checks: unknown_field") {
			t.Errorf("the error does not name the check: %s", r.stderr)
		}
	})
	t.Run("plugin of another protocol fails to load", func(t *testing.T) {
		t.Parallel()
		r := runBin(t, bin, nil, "template", "check", "futureproto")
		if r.code != exitFailure || !strings.Contains(r.stdout, "FAIL  load") || !strings.Contains(r.stderr, "protocol 3, host speaks 1-2") {
			t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
	})
	t.Run("not a plugin", func(t *testing.T) {
		t.Parallel()
		script := filepath.Join(t.TempDir(), "not-a-plugin")
		if err := os.WriteFile(script, []byte("#!/bin/sh\necho hello\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		r := runBin(t, bin, nil, "template", "check", script)
		if r.code != exitFailure || !strings.Contains(r.stdout, "FAIL  load") || !strings.Contains(r.stderr, "did not load") {
			t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		r = runBin(t, bin, nil, "template", "check", t.TempDir())
		if r.code != exitUsage {
			t.Errorf("a directory: exit %d, %s", r.code, r.stderr)
		}
	})
}

// TestMockCommand: `waooaw mock` is the mock server with waooaw-mock's
// flags.
func TestMockCommand(t *testing.T) {
	t.Parallel()
	if r := runBin(t, bin, nil, "mock", "-h"); r.code != 0 || !strings.Contains(r.stderr, "-clock") {
		t.Errorf("mock -h: exit %d, %s", r.code, r.stderr)
	}
	if r := runBin(t, bin, nil, "mock", "-clock", "sideways"); r.code != exitUsage || !strings.Contains(r.stderr, "want real or frozen") {
		t.Errorf("mock -clock sideways: exit %d, %s", r.code, r.stderr)
	}
	if r := runBin(t, bin, nil, "mock", "-nope"); r.code != exitUsage {
		t.Errorf("mock -nope: exit %d, %s", r.code, r.stderr)
	}

	// It serves until SIGINT, then ends cleanly.
	cmd := exec.Command(filepath.Join(bin, "waooaw"), "mock", "-addr", "127.0.0.1:0", "-clock", "frozen")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "waooaw-mock listening on ")
	if !ok {
		t.Fatalf("first line %q", line)
	}
	go io.Copy(io.Discard, out)
	resp, err := http.Get(url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz: %s", resp.Status)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("waooaw mock after SIGINT: %v, want exit 0", err)
	}
}
