package plugintest_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/waooaw/waooaw-go/factory/plugin/plugintest"
	"github.com/waooaw/waooaw-go/factory/template"
)

// secretive requires a field without a default ("token", writeOnly) and
// validates with its schema.
type secretive struct{ schema *template.ConfigSchema }

const secretiveSchema = `{"type": "object", "additionalProperties": false, "required": ["token", "endpoint"],
	"properties": {"token": {"type": "string", "minLength": 12, "writeOnly": true},
	"endpoint": {"type": "string", "format": "uri", "pattern": "^https://"}, "level": {"type": "integer"}}}`

func (s secretive) Describe(context.Context) (template.Description, error) {
	return template.Description{
		TemplateID: "tmpl-secretive", Name: "Secretive", Description: "Requires a secret.", Category: "test",
		Complexity: "low", Version: "1.0.0",
		ConfigSchema: json.RawMessage(secretiveSchema), DefaultConfig: json.RawMessage(`{"level": 1}`),
		ResourceDefaults: template.Resources{CPUCores: 1, MemoryGB: 1, StorageGB: 1},
		ResourceLimits: template.ResourceLimits{
			Min: template.Resources{CPUCores: 0.5, MemoryGB: 0.5, StorageGB: 1},
			Max: template.Resources{CPUCores: 2, MemoryGB: 2, StorageGB: 10},
		},
		RequiredCapabilities: []string{}, OptionalCapabilities: []string{},
	}, nil
}

func (s secretive) Validate(_ context.Context, config json.RawMessage) ([]template.Issue, error) {
	return s.schema.Validate(config), nil
}

func (s secretive) Render(_ context.Context, req template.RenderRequest) (template.Spec, error) {
	var steps []template.Step
	for _, n := range template.StepNames() {
		steps = append(steps, template.Step{Name: n, DurationMS: 120000})
	}
	return template.Spec{TemplateID: "tmpl-secretive", AgentName: req.AgentName, Steps: steps,
		Resources: req.Resources, Plan: req.Plan, Config: req.Config}, nil
}

// TestConformanceAcceptsRequiredWithoutDefault: a template whose defaults
// omit its required fields conforms, in-process and over gRPC.
func TestConformanceAcceptsRequiredWithoutDefault(t *testing.T) {
	t.Parallel()
	s, err := template.CompileConfigSchema(json.RawMessage(secretiveSchema))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := secretive{s}
	if got := template.RequiredWithoutDefault(json.RawMessage(secretiveSchema), json.RawMessage(`{"level": 1}`)); len(got) != 2 {
		t.Fatalf("RequiredWithoutDefault = %v, want endpoint and token", got)
	}
	t.Run("in-process", func(t *testing.T) { plugintest.Conformance(t, tmpl) })
	t.Run("grpc", func(t *testing.T) { plugintest.Conformance(t, plugintest.Serve(t, tmpl)) })
}
