package plugintest_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/waooaw/waooaw-go/factory/plugin"
	"github.com/waooaw/waooaw-go/factory/plugin/plugintest"
	"github.com/waooaw/waooaw-go/factory/template"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func builtins(t *testing.T) map[string]template.Template {
	t.Helper()
	src := template.Builtins()
	ds, err := src.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]template.Template)
	for _, d := range ds {
		tmpl, err := src.Get(t.Context(), d.TemplateID)
		if err != nil {
			t.Fatal(err)
		}
		out[d.TemplateID] = tmpl
	}
	if len(out) != 6 {
		t.Fatalf("template.Builtins() has %d templates, want 6", len(out))
	}
	return out
}

func TestConformanceBuiltinsInProcess(t *testing.T) {
	t.Parallel()
	for id, tmpl := range builtins(t) {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			plugintest.Conformance(t, tmpl)
		})
	}
}

func TestConformanceBuiltinsOverGRPC(t *testing.T) {
	t.Parallel()
	for id, tmpl := range builtins(t) {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			plugintest.Conformance(t, plugintest.Serve(t, tmpl))
		})
	}
}

// faulty wraps a template and misbehaves on request.
type faulty struct {
	template.Template
	validate func(ctx context.Context, config json.RawMessage) ([]template.Issue, error)
}

func (f faulty) Validate(ctx context.Context, config json.RawMessage) ([]template.Issue, error) {
	return f.validate(ctx, config)
}

func memory(t *testing.T) template.Template {
	t.Helper()
	tmpl, err := template.Builtins().Get(t.Context(), "tmpl-memory")
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

func TestServeRecoversPanics(t *testing.T) {
	t.Parallel()
	tmpl := plugintest.Serve(t, faulty{memory(t), func(context.Context, json.RawMessage) ([]template.Issue, error) {
		panic("boom")
	}})
	_, err := tmpl.Validate(t.Context(), json.RawMessage(`{}`))
	if !errors.Is(err, plugin.ErrFailed) || errors.Is(err, plugin.ErrUnavailable) || !strings.Contains(err.Error(), "tmpl-memory panicked in Validate: boom") {
		t.Fatalf("Validate of a panicking template: %v; want ErrFailed naming the template and the panic", err)
	}
	// The server survives: the next call works.
	if _, err := tmpl.Render(t.Context(), template.RenderRequest{AgentName: "a-1", Config: json.RawMessage(`{}`)}); err != nil {
		t.Fatalf("Render after a panic: %v", err)
	}
}

func TestServeMapsErrors(t *testing.T) {
	t.Parallel()
	tmpl := plugintest.Serve(t, faulty{memory(t), func(ctx context.Context, config json.RawMessage) ([]template.Issue, error) {
		switch string(config) {
		case `"hang"`:
			<-ctx.Done()
			return nil, ctx.Err()
		default:
			return nil, errors.New("cannot reach the schema registry")
		}
	}})

	_, err := tmpl.Validate(t.Context(), json.RawMessage(`{}`))
	if !errors.Is(err, plugin.ErrFailed) || errors.Is(err, plugin.ErrUnavailable) || errors.Is(err, plugin.ErrDeadline) ||
		err.Error() != "template tmpl-memory: validate: template failed: cannot reach the schema registry" {
		t.Errorf("template error: %v; want the template's own message, as ErrFailed", err)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err = tmpl.Validate(ctx, json.RawMessage(`"hang"`))
	if !errors.Is(err, plugin.ErrDeadline) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("hung call: %v; want ErrDeadline and context.DeadlineExceeded", err)
	}
}

// The suite must fail a template that breaks the rules. The broken
// template runs in a child test process, whose failures are read back.
func TestConformanceCatchesBrokenTemplates(t *testing.T) {
	t.Parallel()
	if os.Getenv("PLUGINTEST_BROKEN") == "1" {
		t.Skip("run as the child")
	}
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestBrokenTemplateChild$", "-test.v")
	cmd.Env = append(os.Environ(), "PLUGINTEST_BROKEN=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("Conformance passed a broken template:\n%s", out)
	}
	for _, want := range []string{
		`--- FAIL: TestBrokenTemplateChild/describe`,
		`complexity "trivial"`,
		`--- FAIL: TestBrokenTemplateChild/issue_paths`,
		`the field must be a dotted path relative to config`,
		`--- FAIL: TestBrokenTemplateChild/unknown_field`,
		`--- FAIL: TestBrokenTemplateChild/render`,
		`Render is not deterministic`,
		`the same request {"agent_name":"conformance-agent","config":{`, // configs quoted as JSON
		`Validate({"max_context_size":"x-conformance-wrong-type",`,
		`--- PASS: TestBrokenTemplateChild/schema`,
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("child output lacks %q:\n%s", want, out)
		}
	}
}

// broken breaks several rules: a complexity outside the list, issue paths
// prefixed with "config.", unknown fields accepted, a Render that is not
// deterministic.
type broken struct {
	template.Template
	renders *int
}

func (b broken) Describe(ctx context.Context) (template.Description, error) {
	d, err := b.Template.Describe(ctx)
	d.Complexity = "trivial"
	return d, err
}

func (b broken) Validate(ctx context.Context, config json.RawMessage) ([]template.Issue, error) {
	issues, err := b.Template.Validate(ctx, config)
	var out []template.Issue
	for _, is := range issues {
		if is.Issue == "unknown field" {
			continue
		}
		out = append(out, template.Issue{Field: "config." + is.Field, Issue: is.Issue})
	}
	return out, err
}

func (b broken) Render(ctx context.Context, req template.RenderRequest) (template.Spec, error) {
	spec, err := b.Template.Render(ctx, req)
	*b.renders++
	spec.Steps[0].DurationMS += int64(*b.renders)
	return spec, err
}

func TestBrokenTemplateChild(t *testing.T) {
	if os.Getenv("PLUGINTEST_BROKEN") != "1" {
		t.Skip("run by TestConformanceCatchesBrokenTemplates")
	}
	plugintest.Conformance(t, broken{memory(t), new(int)})
}
