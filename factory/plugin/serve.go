package plugin

import (
	"os"

	"github.com/waooaw/waooaw-go/factory/plugin/internal/wire"
	"github.com/waooaw/waooaw-go/factory/template"
)

// The go-plugin handshake of template plugins, for plugins written without
// this package. The cookie only tells a binary that a template host started
// it; it is not a secret.
const (
	// MagicCookieKey is the environment variable the host sets:
	// WAOOAW_TEMPLATE_PLUGIN.
	MagicCookieKey = wire.MagicCookieKey
	// MagicCookieValue is its value: 8f0c5b7e-waooaw-template.
	MagicCookieValue = wire.MagicCookieValue
	// ProtocolVersion is the template protocol version Serve speaks (2):
	// the go-plugin application protocol version of the handshake. A host
	// accepts it and PreviousProtocolVersion.
	ProtocolVersion = wire.ProtocolVersion
	// PreviousProtocolVersion (1) is the oldest protocol version a host of
	// this release accepts: plugins built by the previous release load.
	// See docs/plugin-protocol.md for what each version means.
	PreviousProtocolVersion = wire.PreviousProtocolVersion
)

// Serve runs t as a template plugin and does not return; call it from a
// plugin's main.
//
// With the argument "describe" the program prints t's description as JSON
// and exits 0, no host needed. Started by a host, it serves t over
// go-plugin gRPC until the host closes it, or until the host dies: the
// plugin watches the stdin pipe the host holds open and its parent process,
// so it never outlives its host. A panic in t's methods fails that call
// with an error naming the template (the stack goes to stderr, which the
// host captures) and the plugin keeps serving. Started any other way, it
// prints a short usage and exits 1.
func Serve(t template.Template) {
	os.Exit(wire.Main(t, wire.ProtocolVersion))
}
