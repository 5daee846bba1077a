package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// pluginBin holds the plugins built once for the package's tests.
var pluginBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "waooaw-mock-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	pluginBin = dir
	cmd := exec.Command("go", "build", "-o", dir+string(filepath.Separator),
		"../../examples/template-plugin", "../../factory/plugin/internal/testplugins/faulty")
	if b, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the plugins: %v\n%s", err, b)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// mock is a running waooaw-mock (the run function, in-process).
type mock struct {
	t      *testing.T
	url    string
	tok    string
	stop   func()
	stderr *syncBuffer // what run wrote to stderr (its logs)
}

// start runs the binary's run with args and waits for its first line.
func start(t *testing.T, args ...string) *mock {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	stderr := new(syncBuffer)
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0", "-clock", "frozen"}, args...), pw, stderr)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("no first line: %v (stderr: %s)", err, stderr.String())
	}
	go io.Copy(io.Discard, pr)
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "waooaw-mock listening on ")
	if !ok {
		t.Fatalf("first line %q", line)
	}
	m := &mock{t: t, url: url, stderr: stderr}
	stopped := false
	m.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("the mock did not shut down")
		}
	}
	t.Cleanup(m.stop)
	m.tok = m.mint("admin@waooaw.ai", "admin")
	return m
}

func (m *mock) mint(email, role string) string {
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	m.do("POST", "/_mock/tokens", "", fmt.Sprintf(`{"email":%q,"role":%q}`, email, role), 200, &tr)
	return tr.AccessToken
}

// do sends a request and checks its status; out, when not nil, gets the body.
func (m *mock) do(method, path, tok, body string, want int, out any) []byte {
	m.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, m.url+path, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		m.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		m.t.Errorf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			m.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return b
}

// pluginDir places the built plugins under the given names.
func pluginDir(t *testing.T, names map[string]string) string {
	dir := t.TempDir()
	for name, built := range names {
		b, err := os.ReadFile(filepath.Join(pluginBin, built))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// processesIn lists the pids of running plugin processes started from dir
// (the host runs a private copy, but argv[0] names the plugin's file).
func processesIn(dir string) []string {
	var pids []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		argv0, _, _ := strings.Cut(string(cmdline), "\x00")
		if err == nil && strings.HasPrefix(argv0, dir+string(filepath.Separator)) {
			pids = append(pids, e.Name())
		}
	}
	return pids
}

func TestFirstLineHealthzAndShutdown(t *testing.T) {
	m := start(t)
	m.do("GET", "/healthz", "", "", 200, nil)
	m.do("GET", "/api/platform/agents", "", "", 401, nil)
	m.do("GET", "/api/platform/agents?status=online", m.tok, "", 200, nil)
	m.stop()
}

func TestEmptyStart(t *testing.T) {
	m := start(t, "-empty")
	var list struct {
		Total int `json:"total"`
	}
	m.do("GET", "/api/platform/agents", m.tok, "", 200, &list)
	if list.Total != 0 {
		t.Errorf("-empty: %d agents", list.Total)
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-clock", "sideways"}, {"-log-level", "loud"}, {"-fault", "/x=abc"}, {"extra"},
		{"-plugin-dir", filepath.Join(t.TempDir(), "missing")}} {
		err := run(context.Background(), append([]string{"-addr", "127.0.0.1:0"}, args...), io.Discard, io.Discard)
		if err == nil {
			t.Errorf("run %q: no error", args)
		}
	}
}

func TestPluginTemplateEndToEnd(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("checks processes through /proc")
	}
	dir := pluginDir(t, map[string]string{"waooaw-template-slack-notifier": "template-plugin"})
	m := start(t, "-plugin-dir", dir)

	var list struct {
		Templates []struct {
			TemplateID string `json:"template_id"`
		} `json:"templates"`
		Total int `json:"total"`
	}
	m.do("GET", "/api/platform/factory/templates", m.tok, "", 200, &list)
	ids := map[string]bool{}
	for _, tp := range list.Templates {
		ids[tp.TemplateID] = true
	}
	for _, id := range []string{"tmpl-memory", "tmpl-orchestration", "tmpl-api", "tmpl-data", "tmpl-monitoring", "tmpl-blank", "tmpl-slack-notifier"} {
		if !ids[id] {
			t.Errorf("templates lack %s: %v", id, ids)
		}
	}
	var detail struct {
		DefaultConfig json.RawMessage `json:"default_config"`
	}
	m.do("GET", "/api/platform/factory/templates/tmpl-slack-notifier", m.tok, "", 200, &detail)

	var res struct {
		Valid  bool `json:"valid"`
		Errors []struct {
			Field string `json:"field"`
		} `json:"errors"`
	}
	good := fmt.Sprintf(`{"template_id":"tmpl-slack-notifier","agent_name":"ops-alerts","config":%s}`, detail.DefaultConfig)
	m.do("POST", "/api/platform/factory/validate", m.tok, good, 200, &res)
	if !res.Valid {
		t.Errorf("default config of the plugin: %+v", res)
	}
	m.do("POST", "/api/platform/factory/validate", m.tok,
		`{"template_id":"tmpl-slack-notifier","agent_name":"ops-alerts","config":{"webhook_url":"http://insecure.example.com","channel":"no hash"}}`, 200, &res)
	if res.Valid || len(res.Errors) == 0 || !strings.HasPrefix(res.Errors[0].Field, "config.") {
		t.Errorf("bad config: %+v", res)
	}
	var cost struct {
		Total float64 `json:"total"`
	}
	m.do("POST", "/api/platform/factory/estimate-cost", m.tok, good, 200, &cost)
	if cost.Total <= 0 {
		t.Errorf("estimate: %+v", cost)
	}
	var created struct {
		AgentID      string `json:"agent_id"`
		DeploymentID string `json:"deployment_id"`
	}
	m.do("POST", "/api/platform/factory/agents", m.tok, good, 202, &created)
	m.do("POST", "/_mock/clock/advance", "", `{"seconds":86400}`, 200, nil)
	m.tok = m.mint("admin@waooaw.ai", "admin") // the old one expired on the clock
	var dep struct {
		Status string `json:"status"`
	}
	m.do("GET", "/api/platform/factory/deployments/"+created.DeploymentID, m.tok, "", 200, &dep)
	var agent struct {
		Status string `json:"status"`
	}
	m.do("GET", "/api/platform/agents/"+created.AgentID, m.tok, "", 200, &agent)
	if dep.Status != "completed" || agent.Status != "online" {
		t.Errorf("deployment %s, agent %s", dep.Status, agent.Status)
	}
	if len(processesIn(dir)) == 0 {
		t.Error("no plugin process while the mock runs")
	}
	m.stop()
	deadline := time.Now().Add(5 * time.Second)
	for len(processesIn(dir)) > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // polling a real process's exit
	}
	if left := processesIn(dir); len(left) > 0 {
		t.Errorf("plugin processes left after shutdown: %v", left)
	}
}

func TestPluginFaultsOverHTTP(t *testing.T) {
	dir := pluginDir(t, map[string]string{"waooaw-template-faulty": "faulty"})
	m := start(t, "-plugin-dir", dir, "-plugin-timeout", "500ms")
	req := func(action string) string {
		return fmt.Sprintf(`{"template_id":"tmpl-faulty","agent_name":"faulty-one","config":{"action":%q}}`, action)
	}
	memory := `{"template_id":"tmpl-memory","agent_name":"mem-one"}`
	m.do("POST", "/api/platform/factory/validate", m.tok, req("panic"), 500, nil) // template_failed: not retryable
	m.do("POST", "/api/platform/factory/validate", m.tok, memory, 200, nil)
	m.do("POST", "/api/platform/factory/validate", m.tok, req("ok"), 200, nil)
	m.do("POST", "/api/platform/factory/validate", m.tok, req("hang"), 504, nil)
	m.do("POST", "/api/platform/factory/validate", m.tok, memory, 200, nil)
	m.do("POST", "/api/platform/factory/validate", m.tok, req("exit"), 503, nil)
	m.do("POST", "/api/platform/factory/validate", m.tok, req("ok"), 200, nil) // a fresh process
}
