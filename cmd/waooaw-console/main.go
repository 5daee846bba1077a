// Command waooaw-console runs the WAOOAW operator console in a browser.
//
//	go run ./cmd/waooaw-console                    # on an embedded mock server
//	go run ./cmd/waooaw-console -api https://api.waooaw.com -public-url https://ops.example.com/
//
// Its first line on stdout, once it listens, is the console's URL. With no
// -api it starts an embedded mock server on loopback (real time, so agents
// restart and workflows move) and says so, then lists the demo users to
// sign in as: type one in the sign-in page's Account field, or leave it
// empty for the admin. With -api it signs people in at that platform as
// the OAuth client -client-id, whose secret is $WAOOAW_CONSOLE_CLIENT_SECRET
// (or -client-secret). SIGINT or SIGTERM shut it down cleanly.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/waooaw/waooaw-go/console"
	"github.com/waooaw/waooaw-go/mockserver"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	default:
		fmt.Fprintln(os.Stderr, "waooaw-console:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("waooaw-console", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:3000", "listen address (`host:port`; :0 picks a free port)")
	api := fs.String("api", "", "the platform's `URL`; default: an embedded mock server on loopback")
	public := fs.String("public-url", "", "the console's `URL` as browsers reach it (for the sign-in's callback); default: http://ADDR/")
	clientID := fs.String("client-id", console.DefaultClientID, "the console's OAuth client `id` at the platform")
	clientSecret := fs.String("client-secret", "", "the OAuth client's `secret`; default $WAOOAW_CONSOLE_CLIENT_SECRET")
	logLevel := fs.String("log-level", "warn", "log level: debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("-log-level %q: want debug, info, warn or error", *logLevel)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	self := "http://" + ln.Addr().String() + "/"
	if *public != "" {
		self = *public
	}

	var servers []*http.Server
	secret := *clientSecret
	if secret == "" {
		secret = getenv("WAOOAW_CONSOLE_CLIENT_SECRET")
	}
	platformURL := *api
	if platformURL == "" {
		mln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		platformURL = "http://" + mln.Addr().String()
		mock := mockserver.New(mockserver.WithIssuer(platformURL), mockserver.WithRealClock(), mockserver.WithLogger(logger))
		ms := &http.Server{Handler: mock, ReadHeaderTimeout: 10 * time.Second}
		servers = append(servers, ms)
		go ms.Serve(mln)
		*clientID, secret = mockserver.ConsoleClientID, mockserver.ConsoleClientSecret
	} else if secret == "" {
		return errors.New("-api needs the console's client secret: set $WAOOAW_CONSOLE_CLIENT_SECRET or -client-secret")
	}

	h, err := console.New(
		console.WithAPI(platformURL),
		console.WithPublicURL(self),
		console.WithClient(*clientID, secret),
		console.WithLogger(logger),
	)
	if err != nil {
		return err
	}
	cs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	servers = append(servers, cs)
	go cs.Serve(ln)

	fmt.Fprintf(stdout, "waooaw-console on %s\n", self)
	if *api == "" {
		fmt.Fprintf(stdout, "platform: an embedded mock server at %s (in this process; real time)\n", platformURL)
		fmt.Fprintf(stdout, "demo users (type one in the sign-in page's Account field; empty is the admin):\n")
		fmt.Fprintf(stdout, "  %s (admin), %s (operator), %s (viewer)\n", mockserver.AdminEmail, mockserver.OperatorEmail, mockserver.ViewerEmail)
	} else {
		fmt.Fprintf(stdout, "platform: %s (client %s)\n", platformURL, *clientID)
	}

	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, s := range servers {
		s.Shutdown(sctx)
	}
	return nil
}
