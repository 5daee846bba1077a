// Command waooaw-mock runs the mock WAOOAW platform API as a process, for
// tests in any language and for trying the SDK without an account.
//
//	go run ./cmd/waooaw-mock -addr 127.0.0.1:8000
//
// Its first line on stdout, once it listens, is
// "waooaw-mock listening on http://HOST:PORT"; then it lists the demo users
// and how to get a token, and the CI service account (client id and secret
// for the client_credentials grant). SIGINT or SIGTERM shut it down cleanly;
// -h prints the flags and exits 0.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/waooaw/waooaw-go/internal/mockcmd"
)

func main() {
	os.Exit(exitCode(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr), os.Stderr))
}

// exitCode is the process's status for run's error: 0 for none and for
// -h (help asked for is not a failure), else 1 after printing it.
func exitCode(err error, stderr io.Writer) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	}
	fmt.Fprintln(stderr, "waooaw-mock:", err)
	return 1
}

// run is the command: package mockcmd, which `waooaw mock` runs too.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return mockcmd.Run(ctx, "waooaw-mock", args, stdout, stderr)
}
