// Package stub is the least template the test plugins serve when what they
// test is how they are served, not what the template does.
package stub

import (
	"context"
	"encoding/json"

	"github.com/waooaw/waooaw-go/factory/template"
)

// Template describes itself with id, name and description, accepts every
// config and renders an empty spec.
type Template struct{ ID, Name, Description string }

// Describe is a minimal valid description.
func (s Template) Describe(context.Context) (template.Description, error) {
	one := template.Resources{CPUCores: 1, MemoryGB: 1, StorageGB: 1}
	return template.Description{
		TemplateID: s.ID, Name: s.Name, Description: s.Description, Category: "test",
		Complexity: "low", Version: "1.0.0",
		ConfigSchema: json.RawMessage(`{"type":"object"}`), DefaultConfig: json.RawMessage(`{}`),
		ResourceDefaults: one, ResourceLimits: template.ResourceLimits{Min: one, Max: one},
	}, nil
}

// Validate accepts every config.
func (Template) Validate(context.Context, json.RawMessage) ([]template.Issue, error) { return nil, nil }

// Render gives an empty spec.
func (Template) Render(context.Context, template.RenderRequest) (template.Spec, error) {
	return template.Spec{}, nil
}
