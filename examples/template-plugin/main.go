// Command waooaw-template-slack-notifier is a third-party template plugin
// for the waooaw factory: a Slack notifier agent that posts platform alerts
// to a channel.
//
// Build it into a plugin directory and point a host at it:
//
//	go build -o plugins/waooaw-template-slack-notifier ./examples/template-plugin
//	plugins/waooaw-template-slack-notifier describe
//	go run ./cmd/waooaw-mock -plugin-dir plugins
//
// It uses only the public plugin API: a template.Template and plugin.Serve.
package main

import (
	"fmt"
	"os"

	"github.com/waooaw/waooaw-go/factory/plugin"
)

func main() {
	t, err := newNotifier()
	if err != nil {
		fmt.Fprintln(os.Stderr, "waooaw-template-slack-notifier:", err)
		os.Exit(1)
	}
	plugin.Serve(t)
}
