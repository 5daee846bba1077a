// Command rawplugin is a template plugin for the host's tests written with
// go-plugin alone, as a third-party author might: goplugin.Serve, no
// plugin.Serve, so it neither watches its stdin nor its parent. Every run
// appends its pid to ran.<file name> next to the executable.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	goplugin "github.com/hashicorp/go-plugin"

	"github.com/waooaw/waooaw-go/factory/plugin/internal/wire"
	"github.com/waooaw/waooaw-go/factory/template"
)

type raw struct{}

func (raw) Describe(context.Context) (template.Description, error) {
	return template.Description{
		TemplateID: "tmpl-raw", Name: "Raw", Description: "Served by go-plugin alone.", Category: "test",
		Complexity: "low", Version: "1.0.0",
		ConfigSchema: json.RawMessage(`{"type":"object"}`), DefaultConfig: json.RawMessage(`{}`),
		ResourceDefaults: template.Resources{CPUCores: 1, MemoryGB: 1, StorageGB: 1},
		ResourceLimits: template.ResourceLimits{
			Min: template.Resources{CPUCores: 1, MemoryGB: 1, StorageGB: 1},
			Max: template.Resources{CPUCores: 1, MemoryGB: 1, StorageGB: 1},
		},
	}, nil
}

func (raw) Validate(context.Context, json.RawMessage) ([]template.Issue, error) { return nil, nil }

func (raw) Render(context.Context, template.RenderRequest) (template.Spec, error) {
	return template.Spec{}, nil
}

func main() {
	file := filepath.Base(os.Args[0])
	if m, err := os.OpenFile(filepath.Join(filepath.Dir(os.Args[0]), "ran."+file), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
		fmt.Fprintln(m, os.Getpid())
		m.Close()
	}
	goplugin.Serve(&goplugin.ServeConfig{
		HandshakeConfig: wire.Handshake(),
		VersionedPlugins: map[int]goplugin.PluginSet{
			wire.ProtocolVersion: {wire.PluginName: &wire.Plugin{ID: "tmpl-raw", Impl: raw{}}},
		},
		GRPCServer: goplugin.DefaultGRPCServer,
	})
}
