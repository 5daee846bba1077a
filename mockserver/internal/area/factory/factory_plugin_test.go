package factory_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/waooaw/waooaw-go/factory"
	"github.com/waooaw/waooaw-go/factory/template"
	"github.com/waooaw/waooaw-go/internal/apitest"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/mockserver/internal/mocktest"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/servicing"
)

// fakeTemplate is tmpl-fake: a valid template whose Validate and Render
// can be replaced, and which counts its calls.
type fakeTemplate struct {
	validate func(json.RawMessage) ([]template.Issue, error)
	render   func(template.RenderRequest) (template.Spec, error)
	calls    atomic.Int32
}

func (f *fakeTemplate) Describe(context.Context) (template.Description, error) {
	return template.Description{
		TemplateID: "tmpl-fake", Name: "Fake", Description: "For tests.", Category: "test", Complexity: "low", Version: "1.0.0",
		ConfigSchema: json.RawMessage(`{"type":"object","additionalProperties":false,"properties":{
			"api_key":{"type":"string","writeOnly":true},"nested":{"type":"object","properties":{"pw":{"type":"string","x-sensitive":true}}},"level":{"type":"integer"}}}`),
		DefaultConfig:    json.RawMessage(`{"level":1}`),
		ResourceDefaults: template.Resources{CPUCores: 1, MemoryGB: 1, StorageGB: 1},
		ResourceLimits: template.ResourceLimits{
			Min: template.Resources{CPUCores: 0.5, MemoryGB: 0.5, StorageGB: 1},
			Max: template.Resources{CPUCores: 2, MemoryGB: 2, StorageGB: 10},
		},
		RequiredCapabilities: []string{}, OptionalCapabilities: []string{},
	}, nil
}

func (f *fakeTemplate) Validate(_ context.Context, c json.RawMessage) ([]template.Issue, error) {
	f.calls.Add(1)
	if f.validate != nil {
		return f.validate(c)
	}
	return nil, nil
}

func (f *fakeTemplate) Render(_ context.Context, req template.RenderRequest) (template.Spec, error) {
	f.calls.Add(1)
	if f.render != nil {
		return f.render(req)
	}
	return goodSpec(req), nil
}

func goodSpec(req template.RenderRequest) template.Spec {
	var steps []template.Step
	for _, n := range template.StepNames() {
		steps = append(steps, template.Step{Name: n, DurationMS: 60000})
	}
	return template.Spec{TemplateID: "tmpl-fake", AgentName: req.AgentName, Steps: steps, Resources: req.Resources, Plan: req.Plan, Config: req.Config}
}

type fakeSource struct{ t *fakeTemplate }

func (s fakeSource) List(ctx context.Context) ([]template.Description, error) {
	d, _ := s.t.Describe(ctx)
	return []template.Description{d}, nil
}

func (s fakeSource) Get(_ context.Context, id string) (template.Template, error) {
	if id != "tmpl-fake" {
		return nil, template.ErrNotFound
	}
	return s.t, nil
}

func startFake(t *testing.T, f *fakeTemplate) *mockserver.TestServer {
	t.Helper()
	return apitest.Start(t, mockserver.WithTemplates(template.Combine(template.Builtins(), fakeSource{f})))
}

// TestFactoryTemplateFailedIsNotRetried: a template's own error (a panic
// in a plugin) is 500 template_failed naming the template, and the SDK
// makes one attempt.
func TestFactoryTemplateFailedIsNotRetried(t *testing.T) {
	t.Parallel()
	f := &fakeTemplate{validate: func(json.RawMessage) ([]template.Issue, error) {
		return nil, fmt.Errorf("template tmpl-fake panicked in Validate: boom: %w", template.ErrFailed)
	}}
	ts := startFake(t, f)
	fc := factory.New(ts.Client(mockserver.AdminEmail))
	req := factory.Request{TemplateID: "tmpl-fake", AgentName: "fake-agent"}
	for _, call := range []struct {
		name string
		fn   func() error
	}{
		{"validate", func() error { _, err := fc.Validate(t.Context(), req); return err }},
		{"create", func() error { _, err := fc.Create(t.Context(), req); return err }},
	} {
		before := f.calls.Load()
		err := call.fn()
		var pe *platform.Error
		if !errors.As(err, &pe) || pe.StatusCode != http.StatusInternalServerError || pe.Code != "template_failed" ||
			!strings.Contains(pe.Message, `template "tmpl-fake"`) || !strings.Contains(pe.Message, "boom") {
			t.Fatalf("%s: %v, want 500 template_failed naming the template and the panic", call.name, err)
		}
		if errors.Is(err, platform.ErrUnavailable) {
			t.Errorf("%s: %v matches ErrUnavailable (retryable)", call.name, err)
		}
		if n := f.calls.Load() - before; n != 1 {
			t.Errorf("%s: the template was called %d times, want 1 (no retry)", call.name, n)
		}
	}
}

// TestFactoryRefusesLyingRender: a spec that breaks the rules is a 502
// template_refused naming the rule, and nothing is created.
func TestFactoryRefusesLyingRender(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		lie  func(*template.Spec)
		rule string
	}{
		{"other template", func(s *template.Spec) { s.TemplateID = "tmpl-memory" }, "the spec is for template"},
		{"unknown step", func(s *template.Spec) { s.Steps[2].Name = "rm -rf" }, "steps"},
		{"negative duration", func(s *template.Spec) { s.Steps[0].DurationMS = -5 }, "outside 60000-600000 ms"},
		{"too long", func(s *template.Spec) { s.Steps[5].DurationMS = 3_600_000 }, "outside 60000-600000 ms"},
		{"bad plan", func(s *template.Spec) { s.Plan = "free" }, "plan"},
		{"64 cores", func(s *template.Spec) { s.Resources.CPUCores = 64 }, "resources.cpu_cores = 64"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeTemplate{render: func(req template.RenderRequest) (template.Spec, error) {
				s := goodSpec(req)
				tt.lie(&s)
				return s, nil
			}}
			ts := startFake(t, f)
			before := agentCount(t, ts)
			a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: factoryAgents, Token: mocktest.Token(t, ts, mockserver.AdminEmail, "admin"),
				Body: `{"template_id":"tmpl-fake","agent_name":"liar-agent"}`})
			if a.Status != http.StatusBadGateway || a.ErrCode(t) != "template_refused" || !strings.Contains(string(a.Raw), tt.rule) {
				t.Errorf("create with a lying Render: %d %s; want 502 template_refused naming %q", a.Status, a.Raw, tt.rule)
			}
			if n := agentCount(t, ts); n != before {
				t.Errorf("a refused create made an agent: %d agents, want %d", n, before)
			}
		})
	}
}

// TestFactoryTemplateTimeout: a template that hangs is 504
// template_timeout.
func TestFactoryTemplateTimeout(t *testing.T) {
	t.Parallel()
	f := &fakeTemplate{validate: func(json.RawMessage) ([]template.Issue, error) {
		return nil, fmt.Errorf("plugin x: validate: %w", context.DeadlineExceeded)
	}}
	ts := startFake(t, f)
	a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: factoryValidate, Token: mocktest.Token(t, ts, mockserver.AdminEmail, "admin"),
		Body: `{"template_id":"tmpl-fake","agent_name":"slow-agent"}`})
	if a.Status != http.StatusGatewayTimeout || a.ErrCode(t) != "template_timeout" || !strings.Contains(string(a.Raw), "tmpl-fake") {
		t.Errorf("validate of a hung template: %d %s; want 504 template_timeout naming it", a.Status, a.Raw)
	}
}

// TestFactoryMasksSensitiveConfig: writeOnly and x-sensitive fields are
// accepted and never shown again.
func TestFactoryMasksSensitiveConfig(t *testing.T) {
	t.Parallel()
	var validated atomic.Value // the last config the template validated
	ts := startFake(t, &fakeTemplate{validate: func(c json.RawMessage) ([]template.Issue, error) {
		validated.Store(string(c))
		return nil, nil
	}})
	fc := factory.New(ts.Client(mockserver.AdminEmail))
	op, err := fc.Create(t.Context(), factory.Request{TemplateID: "tmpl-fake", AgentName: "secret-agent",
		Config: json.RawMessage(`{"api_key":"sk-live-123456","nested":{"pw":"hunter22"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := servicing.New(ts.Client(mockserver.AdminEmail)).Config(t.Context(), op.Last().AgentID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(cfg.Config)
	if strings.Contains(string(b), "sk-live-123456") || strings.Contains(string(b), "hunter22") {
		t.Errorf("the agent's config shows a secret: %s", b)
	}
	if want := `{"api_key":"********","level":1,"nested":{"pw":"********"}}`; string(b) != want {
		t.Errorf("the agent's config is %s, want %s", b, want)
	}
	// A patch: its answer masks too; sending the mask back keeps the secret.
	sc := servicing.New(ts.Client(mockserver.AdminEmail))
	upd, err := sc.PatchConfig(t.Context(), op.Last().AgentID, map[string]any{"api_key": "********", "nested": map[string]any{"pw": "new-secret-99"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(upd.Config); strings.Contains(string(b), "new-secret-99") || !strings.Contains(string(b), `"api_key":"********"`) {
		t.Errorf("the patch answer shows %s", b)
	}
	// The journal keeps the bodies with the secrets masked.
	for _, e := range ts.Journal(mockserver.JournalFilter{}) {
		if strings.Contains(e.Body, "sk-live-123456") || strings.Contains(e.Body, "hunter22") || strings.Contains(e.Body, "new-secret-99") {
			t.Errorf("the journal shows a secret: %s %s %s", e.Method, e.Path, e.Body)
		}
	}
	if n := len(ts.Journal(mockserver.JournalFilter{Method: "POST", Path: "/api/platform/factory/agents",
		Body: map[string]any{"config": map[string]any{"api_key": "********"}}})); n != 1 {
		t.Errorf("the create is journaled with its masked config %d times, want 1", n)
	}
	// The stored secrets are the ones sent: the template validated the
	// patched config with the kept api_key and the new pw.
	if got, _ := validated.Load().(string); !strings.Contains(got, `"api_key":"sk-live-123456"`) || !strings.Contains(got, `"pw":"new-secret-99"`) {
		t.Errorf("the template validated %s: the mask was stored over the secret", got)
	}
}
