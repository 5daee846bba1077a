// Command oldproto is a template plugin for the host's tests that speaks
// the previous template protocol only (wire.PreviousProtocolVersion), as a
// plugin built by the previous release does: the host still loads it.
package main

import (
	"context"
	"encoding/json"
	"os"

	"github.com/waooaw/waooaw-go/factory/plugin/internal/wire"
	"github.com/waooaw/waooaw-go/factory/template"
)

type old struct{}

func (old) Describe(context.Context) (template.Description, error) {
	return template.Description{
		TemplateID: "tmpl-old", Name: "Old", Description: "Speaks the previous protocol.", Category: "test",
		Complexity: "low", Version: "1.0.0",
		ConfigSchema: json.RawMessage(`{"type":"object"}`), DefaultConfig: json.RawMessage(`{}`),
		ResourceDefaults: template.Resources{CPUCores: 1, MemoryGB: 1, StorageGB: 1},
		ResourceLimits: template.ResourceLimits{
			Min: template.Resources{CPUCores: 1, MemoryGB: 1, StorageGB: 1},
			Max: template.Resources{CPUCores: 1, MemoryGB: 1, StorageGB: 1},
		},
	}, nil
}

func (old) Validate(context.Context, json.RawMessage) ([]template.Issue, error) { return nil, nil }

func (old) Render(context.Context, template.RenderRequest) (template.Spec, error) {
	return template.Spec{}, nil
}

func main() {
	os.Exit(wire.Main(old{}, wire.PreviousProtocolVersion))
}
