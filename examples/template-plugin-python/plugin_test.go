// Package templatepluginpython_test builds the Python template plugin and
// runs it through a real host: the conformance suite over gRPC, then the
// mock server listing and deploying it over HTTP. It skips without a
// python3 that has grpc, grpc_tools and cryptography, except in CI (CI set):
// there it fails.
package templatepluginpython_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/factory"
	"github.com/waooaw/waooaw-go/factory/plugin"
	"github.com/waooaw/waooaw-go/factory/plugin/plugintest"
	"github.com/waooaw/waooaw-go/factory/template"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/servicing"
)

const templateID = "tmpl-py-webhook"

// python finds a python3 with what the plugin needs: Debian's
// /usr/bin/python3 first (a pyenv python3 on PATH usually lacks grpc).
func python(t *testing.T) string {
	t.Helper()
	var tried []string
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		path, err := exec.LookPath(p)
		if err != nil {
			continue
		}
		tried = append(tried, path)
		if exec.Command(path, "-c", "import grpc, grpc_tools, cryptography").Run() == nil {
			return path
		}
	}
	msg := "no python3 with grpc, grpc_tools and cryptography (tried " + strings.Join(tried, ", ") +
		"); apt-get install python3-grpcio python3-grpc-tools python3-cryptography"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// build builds the plugin into a fresh plugin directory with build.sh.
func build(t *testing.T) string {
	t.Helper()
	py := python(t)
	dir := t.TempDir()
	cmd := exec.Command("sh", "build.sh", dir)
	cmd.Env = append(os.Environ(), "PYTHON="+py)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build.sh: %v\n%s", err, out)
	}
	return dir
}

func host(t *testing.T, dir string) *plugin.Host {
	t.Helper()
	var stderr strings.Builder
	h, err := plugin.NewHost(t.Context(), plugin.WithDir(dir), plugin.WithBuiltins(template.Builtins()),
		plugin.WithStderr(&lockedBuilder{b: &stderr}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := h.Close(); err != nil {
			t.Error(err)
		}
	})
	if errs := h.LoadErrors(); len(errs) > 0 {
		t.Fatalf("the Python plugin did not load: %v\nits stderr:\n%s", errors.Join(errs...), stderr.String())
	}
	return h
}

func TestPythonPluginConformance(t *testing.T) {
	t.Parallel()
	h := host(t, build(t))
	tmpl, err := h.Get(t.Context(), templateID)
	if err != nil {
		t.Fatal(err)
	}
	plugintest.Conformance(t, tmpl)

	// The schema's required field without a default is enforced.
	issues, err := tmpl.Validate(t.Context(), json.RawMessage(`{"retries": 3}`))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(issues, template.Issue{Field: "url", Issue: "is required"}) {
		t.Errorf("Validate without url: %v, want url: is required", issues)
	}
}

func TestPythonPluginDescribeCommand(t *testing.T) {
	t.Parallel()
	dir := build(t)
	out, err := exec.Command(filepath.Join(dir, "waooaw-template-py-webhook"), "describe").Output()
	if err != nil {
		t.Fatal(err)
	}
	var d template.Description
	if err := json.Unmarshal(out, &d); err != nil || d.TemplateID != templateID {
		t.Fatalf("describe printed %s (%v), want the description of %s", out, err, templateID)
	}
}

// TestMockDeploysPythonPlugin: the mock server, on loopback, lists the
// Python template, deploys an agent made from it and never shows its
// secret.
func TestMockDeploysPythonPlugin(t *testing.T) {
	t.Parallel()
	h := host(t, build(t))
	ts := mockserver.Start(t, mockserver.WithTemplates(template.Combine(template.Builtins(), h)))
	fc := factory.New(ts.Client(mockserver.AdminEmail))
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()

	var ids []string
	for d, err := range fc.Templates(ctx, platform.ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.TemplateID)
	}
	if !slices.Contains(ids, templateID) || !slices.Contains(ids, "tmpl-memory") {
		t.Fatalf("templates %v, want the built-ins and %s", ids, templateID)
	}

	// url is required and has no default: a request without it is refused.
	_, err := fc.Create(ctx, factory.Request{TemplateID: templateID, AgentName: "hook-bad"})
	var pe *platform.Error
	if !errors.As(err, &pe) || pe.StatusCode != 400 || !strings.Contains(err.Error(), "config.url") {
		t.Fatalf("create without url: %v, want a 400 naming config.url", err)
	}

	const secret = "s3cr3t-token-value"
	op, err := fc.Create(ctx, factory.Request{
		TemplateID: templateID,
		AgentName:  "hook-agent",
		Config:     json.RawMessage(`{"url": "https://hooks.example.com/waooaw", "secret_token": "` + secret + `"}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	agentID := op.Last().AgentID
	ts.Advance(2 * time.Hour)
	dep, err := fc.Deployment(ctx, op.Last().DeploymentID)
	if err != nil {
		t.Fatal(err)
	}
	if got := dep.Last(); got.Status != factory.DeploymentCompleted || len(got.Steps) != 6 {
		t.Fatalf("deployment %+v, want completed with 6 steps", got)
	}
	cfg, err := servicing.New(ts.Client(mockserver.AdminEmail)).Config(ctx, agentID)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Config["secret_token"] != template.Masked || cfg.Config["url"] != "https://hooks.example.com/waooaw" {
		t.Errorf("the agent's config %v: want secret_token masked (%q) and url as given", cfg.Config, template.Masked)
	}
	b, _ := json.Marshal(cfg)
	if strings.Contains(string(b), secret) {
		t.Errorf("the secret comes back from the API: %s", b)
	}
}

type lockedBuilder struct {
	b *strings.Builder
}

func (l *lockedBuilder) Write(p []byte) (int, error) { return l.b.Write(p) } // the host serializes writes
