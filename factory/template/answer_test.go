package template_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/waooaw/waooaw-go/factory/template"
)

// TestBuiltinsMeetTheHostRules: the rules the host applies to plugins are
// the built-ins' own: every built-in's description and rendered spec pass.
func TestBuiltinsMeetTheHostRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := template.Builtins()
	ds, err := src.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if err := template.CheckDescription(d, d.TemplateID); err != nil {
			t.Errorf("%s: %v", d.TemplateID, err)
		}
		tmpl, _ := src.Get(ctx, d.TemplateID)
		for _, res := range []template.Resources{d.ResourceDefaults, d.ResourceLimits.Min, d.ResourceLimits.Max} {
			req := template.RenderRequest{AgentName: "agent-1", Config: d.DefaultConfig, Resources: res, Plan: template.PlanEnterprise}
			spec, err := tmpl.Render(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if err := template.CheckSpec(d, req, spec); err != nil {
				t.Errorf("%s with %+v: %v", d.TemplateID, res, err)
			}
		}
	}
}

func TestCheckSpecRefuses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tmpl, _ := template.Builtins().Get(ctx, "tmpl-memory")
	d, _ := tmpl.Describe(ctx)
	req := template.RenderRequest{AgentName: "agent-1", Config: d.DefaultConfig, Resources: d.ResourceDefaults, Plan: template.PlanStarter}
	good, err := tmpl.Render(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		lie  func(*template.Spec)
		rule string
	}{
		{"id", func(s *template.Spec) { s.TemplateID = "tmpl-api" }, `the spec is for template "tmpl-api", not "tmpl-memory"`},
		{"agent", func(s *template.Spec) { s.AgentName = "other" }, `agent "other"`},
		{"plan", func(s *template.Spec) { s.Plan = "free" }, `plan is "free"`},
		{"step name", func(s *template.Spec) { s.Steps[0].Name = "rm -rf" }, "want exactly"},
		{"missing step", func(s *template.Spec) { s.Steps = s.Steps[1:] }, "want exactly"},
		{"order", func(s *template.Spec) { s.Steps[0], s.Steps[1] = s.Steps[1], s.Steps[0] }, "in that order"},
		{"short", func(s *template.Spec) { s.Steps[3].DurationMS = 59999 }, "lasts 59999 ms"},
		{"long", func(s *template.Spec) { s.Steps[3].DurationMS = 600001 }, "lasts 600001 ms"},
		{"cores", func(s *template.Spec) { s.Resources.CPUCores = 64 }, "resources.cpu_cores = 64"},
		{"config", func(s *template.Spec) { s.Config = json.RawMessage(`{`) }, "not JSON"},
	} {
		s := good
		s.Steps = append([]template.Step(nil), good.Steps...)
		tt.lie(&s)
		err := template.CheckSpec(d, req, s)
		if !errors.Is(err, template.ErrRefused) || !strings.Contains(err.Error(), tt.rule) {
			t.Errorf("%s: %v; want ErrRefused naming %q", tt.name, err, tt.rule)
		}
	}
	if err := template.CheckSpec(d, req, good); err != nil {
		t.Errorf("the built-in's own spec: %v", err)
	}
}

func TestMaskConfig(t *testing.T) {
	t.Parallel()
	schema := json.RawMessage(`{"type":"object","properties":{
		"token":{"type":"string","writeOnly":true},
		"db":{"type":"object","properties":{"password":{"x-sensitive":true},"host":{"type":"string"}}},
		"name":{"type":"string"}}}`)
	if got := strings.Join(template.SensitiveFields(schema), ","); got != "db.password,token" {
		t.Errorf("SensitiveFields = %s, want db.password,token", got)
	}
	for _, tt := range []struct{ in, want string }{
		{`{"token":"abc","name":"n","db":{"password":"pw","host":"h"}}`, `{"db":{"host":"h","password":"********"},"name":"n","token":"********"}`},
		{`{"name":"n"}`, `{"name":"n"}`},
		{`{"token":null}`, `{"token":null}`},
		{`{"db":"not an object","token":1}`, `{"db":"not an object","token":"********"}`},
		{`[1,2]`, `[1,2]`},
		{`not json`, `not json`},
	} {
		if got := string(template.MaskConfig(schema, json.RawMessage(tt.in))); got != tt.want {
			t.Errorf("MaskConfig(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
	if got := template.RequiredWithoutDefault(json.RawMessage(`{"required":["a","b"]}`), json.RawMessage(`{"a":1}`)); strings.Join(got, ",") != "b" {
		t.Errorf("RequiredWithoutDefault = %v, want [b]", got)
	}
}

// FuzzMaskConfig: whatever the config, masking never panics, and no value
// of a sensitive field survives it.
func FuzzMaskConfig(f *testing.F) {
	schema := json.RawMessage(`{"type":"object","properties":{"token":{"writeOnly":true},"db":{"properties":{"pw":{"x-sensitive":true}}}}}`)
	for _, s := range []string{`{"token":"s3cret"}`, `{"db":{"pw":"s3cret"}}`, `{"token":{"a":"s3cret"}}`, `null`, `{}`, `[]`, `"x"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, config string) {
		out := template.MaskConfig(schema, json.RawMessage(config))
		var obj map[string]any
		if json.Unmarshal(out, &obj) != nil || obj == nil {
			return
		}
		if v, ok := obj["token"]; ok && v != nil && v != template.Masked {
			t.Fatalf("MaskConfig(%s) = %s: token not masked", config, out)
		}
		if db, ok := obj["db"].(map[string]any); ok {
			if v, ok := db["pw"]; ok && v != nil && v != template.Masked {
				t.Fatalf("MaskConfig(%s) = %s: db.pw not masked", config, out)
			}
		}
	})
}
