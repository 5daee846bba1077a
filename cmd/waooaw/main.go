// Command waooaw is the WAOOAW platform from the terminal: sign in, watch
// agents, clear dead letters, follow workflows as a Gantt chart, create and
// upgrade agents, help customers, tail the log, and scaffold and check
// template plugins. It is built on the public SDK (package waooaw and
// package auth) only.
//
//	waooaw login                 # browser sign-in (PKCE over loopback)
//	waooaw agents list --status online
//	waooaw workflows gantt wf-001 --follow
//	waooaw factory create --template tmpl-memory --name my-agent
//	waooaw -o json queues | jq .
//	waooaw help exit-codes
//
// The API is --api, else $WAOOAW_API_URL, else https://api.waooaw.com.
// Credentials: --client-credentials ($WAOOAW_CLIENT_ID and
// $WAOOAW_CLIENT_SECRET, for CI), else $WAOOAW_TOKEN, else the session
// `waooaw login` saved under the user's config directory (waooaw/, or
// $WAOOAW_CONFIG_DIR).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	a := &app{
		stdin:  os.Stdin,
		stdout: os.Stdout,
		stderr: os.Stderr,
		getenv: os.Getenv,
		tty:    term.IsTerminal(int(os.Stdout.Fd())),
	}
	if a.tty {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
			a.width = w
		}
	}
	code := a.run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
