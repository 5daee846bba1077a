// Command futureproto is a template plugin for the host's tests that speaks
// template protocol 2 only, as a plugin built by a newer release would.
package main

import (
	"context"
	"encoding/json"
	"os"

	"github.com/waooaw/waooaw-go/factory/plugin/internal/wire"
	"github.com/waooaw/waooaw-go/factory/template"
)

type future struct{}

func (future) Describe(context.Context) (template.Description, error) {
	return template.Description{TemplateID: "tmpl-future", Name: "Future", Version: "2.0.0"}, nil
}

func (future) Validate(context.Context, json.RawMessage) ([]template.Issue, error) { return nil, nil }

func (future) Render(context.Context, template.RenderRequest) (template.Spec, error) {
	return template.Spec{}, nil
}

func main() {
	os.Exit(wire.Main(future{}, wire.ProtocolVersion+1))
}
