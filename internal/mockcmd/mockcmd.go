// Package mockcmd is the mock server as a command: its flags, its start
// banner and its life until a signal. cmd/waooaw-mock and the CLI's
// `waooaw mock` both run it, so the two never drift apart.
package mockcmd

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
	"strings"
	"syscall"
	"time"

	"github.com/waooaw/waooaw-go/factory/plugin"
	"github.com/waooaw/waooaw-go/factory/template"
	"github.com/waooaw/waooaw-go/mockserver"
)

// Run parses args as the mock server's flags (-addr, -issuer, -clock,
// -log-level, -plugin-dir, -plugin-timeout, -empty, -seed, -fault,
// -validate-requests and the bounds of mockserver.Limits), starts
// the server and serves until ctx ends or SIGINT or SIGTERM arrive. name is
// the command's name in usage messages. Its first line on stdout, once it
// listens, is "waooaw-mock listening on http://HOST:PORT". -h prints the
// flags to stderr and returns flag.ErrHelp.
func Run(ctx context.Context, name string, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8000", "listen address (`host:port`; 127.0.0.1:0 picks a free port on loopback; :0 listens on every interface)")
	issuer := fs.String("issuer", "", "token issuer (`URL`); default: the listen URL")
	clockMode := fs.String("clock", "real", "clock: real (real time plus advances) or frozen (at 2026-01-02T10:00:00Z)")
	logLevel := fs.String("log-level", "warn", "log level: debug, info, warn or error")
	pluginDir := fs.String("plugin-dir", "", "load template plugins (waooaw-template-*) from `dir`; default $WAOOAW_PLUGIN_DIR, none when unset")
	pluginTimeout := fs.Duration("plugin-timeout", plugin.DefaultCallTimeout, "deadline of each call to a template plugin (over it: 504)")
	empty := fs.Bool("empty", false, "start with no seed data (no agents, queues, workflows or customers; the demo users stay), e.g. with -seed")
	seedFile := fs.String("seed", "", "add the seed data in `file` (JSON, the body of POST /_mock/seed) at the start and after every reset")
	var pluginEnv []string
	fs.Func("plugin-env", "pass the environment variable `KEY` on to template plugins, repeatable (beyond these they get only PATH, TMPDIR, TZ and the locale)", func(v string) error {
		if v == "" || strings.ContainsAny(v, "= ") {
			return fmt.Errorf("want a variable name, e.g. -plugin-env HTTPS_PROXY")
		}
		pluginEnv = append(pluginEnv, v)
		return nil
	})
	requirePins := fs.Bool("plugin-require-pins", false, "load only plugins whose sha256 is pinned in the plugin directory's SHA256SUMS")
	pluginWatch := fs.Duration("plugin-watch", time.Second, "look for rebuilt plugins this often and reload them without a restart (0: never)")
	validate := fs.Bool("validate-requests", false, "check every request to the platform API against api/openapi.yaml: one that breaks it gets a 400 naming the field (and its journal entry says the violation)")
	lim := mockserver.DefaultLimits()
	fs.IntVar(&lim.IdempotencyKeys, "idempotency-keys", lim.IdempotencyKeys, "Idempotency-Keys remembered (past it, the oldest finished one is forgotten)")
	fs.IntVar(&lim.IdempotencyKeyBytes, "idempotency-key-bytes", lim.IdempotencyKeyBytes, "the longest Idempotency-Key accepted (longer: 400)")
	fs.IntVar(&lim.JournalEntries, "journal-entries", lim.JournalEntries, "journal entries kept (the oldest go first)")
	fs.IntVar(&lim.JournalBytes, "journal-bytes", lim.JournalBytes, "journal size kept, in bytes")
	fs.IntVar(&lim.JournalFieldBytes, "journal-field-bytes", lim.JournalFieldBytes, "bytes of a request's path, query and key a journal entry keeps")
	fs.IntVar(&lim.JournalBodyBytes, "journal-body-bytes", lim.JournalBodyBytes, "bytes of a request's body a journal entry keeps")
	fs.IntVar(&lim.LogLines, "log-lines", lim.LogLines, "platform log lines kept (a ring)")
	fs.IntVar(&lim.Events, "events", lim.Events, "events kept for event streams that resume")
	fs.IntVar(&lim.Sessions, "sessions", lim.Sessions, "sign-in sessions kept (every minted token has one; past it the oldest goes)")
	fs.IntVar(&lim.Sandboxes, "sandboxes", lim.Sandboxes, "sandboxes (POST /_mock/sandboxes) that can live at once")
	fs.DurationVar(&lim.SandboxIdle, "sandbox-idle", lim.SandboxIdle, "how long an unused sandbox lives")
	var faults []mockserver.Fault
	fs.Func("fault", "inject a fault, repeatable: `[METHOD ]PATH=ACTION[,KEY=VALUE...]`, e.g.\n'POST /api/platform/agents/*/restart=503x2,retry_after=1' (ACTION: STATUS[xN], drop[xN], malformed[xN], latency; KEY: retry_after, latency_ms, percent, count)", func(v string) error {
		f, err := mockserver.ParseFault(v)
		if err != nil {
			return err
		}
		faults = append(faults, f)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	for name, v := range map[string]int{"idempotency-keys": lim.IdempotencyKeys, "idempotency-key-bytes": lim.IdempotencyKeyBytes,
		"journal-entries": lim.JournalEntries, "journal-bytes": lim.JournalBytes, "journal-field-bytes": lim.JournalFieldBytes,
		"journal-body-bytes": lim.JournalBodyBytes, "log-lines": lim.LogLines, "events": lim.Events, "sessions": lim.Sessions, "sandboxes": lim.Sandboxes} {
		if v < 1 {
			return fmt.Errorf("-%s %d: want at least 1", name, v)
		}
	}
	if *pluginWatch < 0 {
		return fmt.Errorf("-plugin-watch %v: want 0 (never) or more", *pluginWatch)
	}
	if lim.SandboxIdle < time.Second {
		return fmt.Errorf("-sandbox-idle %v: want at least 1s", lim.SandboxIdle)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("-log-level %q: want debug, info, warn or error", *logLevel)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	opts := []mockserver.Option{mockserver.WithLimits(lim)}
	if *validate {
		opts = append(opts, mockserver.WithRequestValidation())
	}
	switch *clockMode {
	case "real":
		opts = append(opts, mockserver.WithRealClock())
	case "frozen":
	default:
		return fmt.Errorf("-clock %q: want real or frozen", *clockMode)
	}
	if *empty {
		opts = append(opts, mockserver.WithEmptyStart())
	}
	if *seedFile != "" {
		seed, err := mockserver.LoadSeedFile(*seedFile)
		if err != nil {
			return fmt.Errorf("-seed: %w", err)
		}
		opts = append(opts, mockserver.WithSeed(seed))
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String()
	if *issuer == "" {
		*issuer = url
	}
	opts = append(opts, mockserver.WithIssuer(*issuer), mockserver.WithLogger(logger))
	if *pluginDir == "" {
		*pluginDir = os.Getenv(plugin.DirEnv)
	}
	if *pluginDir != "" {
		hopts := []plugin.HostOption{plugin.WithDir(*pluginDir), plugin.WithBuiltins(template.Builtins()),
			plugin.WithStderr(stderr), plugin.WithCallTimeout(*pluginTimeout), plugin.WithLogger(logger),
			plugin.WithEnv(pluginEnv...)}
		if *requirePins {
			hopts = append(hopts, plugin.WithRequirePins())
		}
		if *pluginWatch > 0 {
			hopts = append(hopts, plugin.WithWatch(*pluginWatch))
		}
		host, err := plugin.NewHost(ctx, hopts...)
		if err != nil {
			ln.Close()
			return fmt.Errorf("-plugin-dir: %w", err)
		}
		defer host.Close() // kills every plugin process and removes its sockets
		for _, err := range host.LoadErrors() {
			logger.Warn("plugin not loaded", "error", err)
		}
		opts = append(opts, mockserver.WithTemplates(template.Combine(template.Builtins(), host)))
	}
	opts = append(opts, mockserver.WithFaults(faults...)) // kept across POST /_mock/reset
	srv := mockserver.New(opts...)
	if err := srv.SeedErr(); err != nil {
		ln.Close()
		return fmt.Errorf("-seed: %w", err) // -fault values were checked by ParseFault
	}

	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		// OPTIONS * gets the platform's error body, not net/http's plain 200.
		DisableGeneralOptionsHandler: true,
		ReadTimeout:                  60 * time.Second,
		IdleTimeout:                  120 * time.Second,
		ErrorLog:                     slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(stdout, "waooaw-mock listening on %s\n", url)
	fmt.Fprintf(stdout, "demo users: %s (admin), %s (operator), %s (viewer)\n",
		mockserver.AdminEmail, mockserver.OperatorEmail, mockserver.ViewerEmail)
	fmt.Fprintf(stdout, "get a token:\n  curl -s -X POST %s/_mock/tokens -H 'Content-Type: application/json' -d '{\"email\":\"%s\",\"role\":\"operator\"}'\n",
		url, mockserver.OperatorEmail)
	fmt.Fprintf(stdout, "then: curl -H \"Authorization: Bearer $TOKEN\" %s/api/platform/agents\n", url)
	fmt.Fprintf(stdout, "CI service account (client_credentials, role operator): client_id %s, client_secret %s\n  curl -s -u %s:%s -d grant_type=client_credentials %s/auth/token\n",
		mockserver.CIClientID, mockserver.CIClientSecret, mockserver.CIClientID, mockserver.CIClientSecret, url)

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
