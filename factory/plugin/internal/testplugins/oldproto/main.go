// Command oldproto is a template plugin for the host's tests that speaks
// the previous template protocol only (wire.PreviousProtocolVersion), as a
// plugin built by the previous release does: the host still loads it.
package main

import (
	"os"

	"github.com/waooaw/waooaw-go/factory/plugin/internal/testplugins/stub"
	"github.com/waooaw/waooaw-go/factory/plugin/internal/wire"
)

func main() {
	os.Exit(wire.Main(stub.Template{ID: "tmpl-old", Name: "Old", Description: "Speaks the previous protocol."}, wire.PreviousProtocolVersion))
}
