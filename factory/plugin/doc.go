// Package plugin runs factory templates as separate programs: template
// plugins served with hashicorp/go-plugin over gRPC (never net/rpc).
//
// # Writing a plugin
//
// A plugin is a main package that implements template.Template and calls
// Serve:
//
//	func main() { plugin.Serve(mytemplate.New()) }
//
// Build it as waooaw-template-<name> and put it in the host's plugin
// directory. "waooaw-template-<name> describe" prints the template's
// description as JSON without starting a host. Test the template with
// package plugintest: plugintest.Serve runs it over real gRPC inside the
// test, and plugintest.Conformance checks what every template must do.
// examples/template-plugin is a complete plugin.
//
// # The protocol
//
// One gRPC service, waooaw.template.v1.TemplateService, published at
// factory/plugin/proto/waooaw/template/v1/template.proto, so that plugins
// can be written in other languages with go-plugin's handshake
// (docs/plugin-protocol.md has all of it; examples/template-plugin-python is
// a complete Python plugin). Its go-plugin handshake: the host sets the
// environment variable WAOOAW_TEMPLATE_PLUGIN (MagicCookieKey) to
// "8f0c5b7e-waooaw-template" (MagicCookieValue), and host and plugin must
// agree on the application protocol version: Serve speaks ProtocolVersion
// (2), a host accepts it and PreviousProtocolVersion (1). Descriptions, config, render
// requests and specs travel as JSON, so the proto stays stable as those
// shapes grow. Messages up to 16 MiB pass either way. Mutual TLS is always
// on (go-plugin's automatic mutual TLS: each side makes a one-time
// certificate when a plugin process starts and accepts only the other's).
//
// Regenerate the Go code of the proto (it needs only Go and the module
// proxy) with:
//
//	go generate ./factory/plugin
//
// # The host
//
// NewHost finds plugins in a directory, checks their pins, starts them and
// serves their templates as a template.Source, to be combined with the
// built-ins:
//
//	host, err := plugin.NewHost(ctx, plugin.WithDir(dir), plugin.WithBuiltins(template.Builtins()))
//	if err != nil { ... }
//	defer host.Close()
//	for _, err := range host.LoadErrors() { log.Print(err) } // plugins that were not loaded
//	src := template.Combine(template.Builtins(), host)
//
// The host executes only what it verified: at load it opens each plugin
// once and copies it into its private directory (mode 0700, under the
// temporary directory, which must allow executing files), hashing the
// bytes as it copies them, checks that hash against SHA256SUMS and runs the
// copy, then and on every restart. A plugin file replaced or changed on
// disk, or a link retargeted, takes effect at the next NewHost or Reload only. A
// plugin may be a symbolic link to a file inside the plugin directory; a
// link to a file outside it is refused. WithRequirePins also refuses a
// plugin directory, SHA256SUMS or plugin file that group or others may
// write. Close kills every plugin process, those still starting included,
// and removes the sockets and copies.
//
// A plugin whose process exits is started again by the next call that
// needs it (after a back-off when it keeps crashing); one start runs at a
// time, and each call waits for it no longer than its own deadline. A
// plugin whose Describe does not answer within the call timeout at load is
// skipped (LoadErrors says Describe hung). Reload, or WithWatch, loads a
// rebuilt plugin without restarting the host.
//
// The host checks every answer against the rules the built-ins meet
// (template.CheckDescription, CheckIssues, CheckSpec) and validates config
// against the plugin's published schema before its Validate. Calls to a
// plugin's template fail with an error matching ErrFailed when the
// template failed the call itself (its error or a panic; over HTTP: 500
// template_failed, not retried), ErrRefused when its answer broke a rule
// (502 template_refused), ErrUnavailable when the plugin cannot serve them
// (its process exited or could not start, it is backing off, the host is
// closed; 503) and ErrDeadline when the call ran out of time (504
// template_timeout).
package plugin

//go:generate sh proto/generate.sh
