// Command rawplugin is a template plugin for the host's tests written with
// go-plugin alone, as a third-party author might: goplugin.Serve, no
// plugin.Serve, so it neither watches its stdin nor its parent. Every run
// appends its pid to ran.<file name> next to the executable.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	goplugin "github.com/hashicorp/go-plugin"

	"github.com/waooaw/waooaw-go/factory/plugin/internal/testplugins/stub"
	"github.com/waooaw/waooaw-go/factory/plugin/internal/wire"
)

func main() {
	file := filepath.Base(os.Args[0])
	if m, err := os.OpenFile(filepath.Join(filepath.Dir(os.Args[0]), "ran."+file), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
		fmt.Fprintln(m, os.Getpid())
		m.Close()
	}
	goplugin.Serve(&goplugin.ServeConfig{
		HandshakeConfig: wire.Handshake(),
		VersionedPlugins: map[int]goplugin.PluginSet{
			wire.ProtocolVersion: {wire.PluginName: &wire.Plugin{ID: "tmpl-raw", Impl: stub.Template{ID: "tmpl-raw", Name: "Raw", Description: "Served by go-plugin alone."}}},
		},
		GRPCServer: goplugin.DefaultGRPCServer,
	})
}
