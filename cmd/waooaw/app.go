package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/oauth2"

	waooaw "github.com/waooaw/waooaw-go"
	"github.com/waooaw/waooaw-go/auth"
	"github.com/waooaw/waooaw-go/platform"
)

// app is one run of the command: its streams, its environment and the
// global flags. Tests build one with their own streams and environment.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// tty reports whether stdout is a terminal: colour and progress only then.
	tty bool
	// width is the terminal's width in columns; 0 when unknown.
	width int
	// clock is what relative times count from; nil is the system clock.
	clock platform.Clock
	// browser opens the sign-in page; nil is auth.SystemBrowser.
	browser func(ctx context.Context, url string) error
	// streaming, when set, is called once an event stream is open (tests
	// wait for it before they make the changes the stream should show).
	streaming func()

	// global flags
	api         string
	output      string
	quiet       bool
	noColor     bool
	clientCreds bool

	ran    bool // a command's RunE started: later errors are not usage errors
	client *waooaw.Client
	src    oauth2.TokenSource
	pinned oauth2.TokenSource // the source of a login just made
}

// run executes args and returns the process's exit status.
func (a *app) run(ctx context.Context, args []string) int {
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	if !a.ran {
		var ce *cliError
		if !errors.As(err, &ce) {
			err = usageErr(cmd, "%v", err)
		}
	}
	ce := a.classify(ctx, cmd, err)
	fmt.Fprintf(a.stderr, "%s: %s\n", cmd.CommandPath(), ce.msg)
	if ce.hint != "" {
		fmt.Fprintf(a.stderr, "  %s\n", ce.hint)
	}
	return ce.code
}

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "waooaw",
		Short: "The WAOOAW agent platform from the terminal",
		Long: `waooaw runs the WAOOAW agent platform from the terminal and from scripts.

The API is --api, else $WAOOAW_API_URL, else ` + platform.DefaultBaseURL + `.
Credentials, first found wins: --client-credentials ($WAOOAW_CLIENT_ID and
$WAOOAW_CLIENT_SECRET, for CI), $WAOOAW_TOKEN, the session saved by
"waooaw login" (in the user's config directory, waooaw/, or $WAOOAW_CONFIG_DIR).

Output is a table for people, -o json (the API's shapes) for scripts, -q for
ids only. Colour and progress bars appear only on a terminal; NO_COLOR turns
colour off. Exit codes: see "waooaw help exit-codes".`,
		Version:       platform.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          noArgs,
		RunE:          showHelp,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			switch a.output {
			case "table", "json":
			default:
				return usageErr(cmd, "-o %q: want table or json", a.output)
			}
			if a.quiet && a.output == "json" {
				return usageErr(cmd, "-q and -o json exclude each other: pick one")
			}
			a.ran = true
			return nil
		},
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return usageErr(cmd, "%v", err) })
	pf := root.PersistentFlags()
	pf.StringVar(&a.api, "api", "", "the platform's base `URL` (default $WAOOAW_API_URL, else "+platform.DefaultBaseURL+")")
	pf.StringVarP(&a.output, "output", "o", "table", "output `format`: table or json")
	pf.BoolVarP(&a.quiet, "quiet", "q", false, "print ids only, one a line")
	pf.BoolVar(&a.noColor, "no-color", false, "no colour (also when $NO_COLOR is set)")
	pf.BoolVar(&a.clientCreds, "client-credentials", false, "sign in as the service account in $WAOOAW_CLIENT_ID and $WAOOAW_CLIENT_SECRET (CI)")
	root.RegisterFlagCompletionFunc("output", func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return []cobra.Completion{"table", "json"}, cobra.ShellCompDirectiveNoFileComp
	})

	root.AddGroup(&cobra.Group{ID: "session", Title: "Session:"},
		&cobra.Group{ID: "platform", Title: "The platform:"},
		&cobra.Group{ID: "dev", Title: "Development:"})
	for _, c := range []*cobra.Command{a.loginCmd(), a.logoutCmd(), a.whoamiCmd()} {
		c.GroupID = "session"
		root.AddCommand(c)
	}
	for _, c := range []*cobra.Command{a.metricsCmd(), a.agentsCmd(), a.queuesCmd(), a.dlqCmd(), a.workflowsCmd(),
		a.factoryCmd(), a.servicingCmd(), a.helpdeskCmd(), a.logsCmd(), a.alertsCmd(), a.eventsCmd()} {
		c.GroupID = "platform"
		root.AddCommand(c)
	}
	for _, c := range []*cobra.Command{a.mockCmd(), a.templateCmd()} {
		c.GroupID = "dev"
		root.AddCommand(c)
	}
	root.AddCommand(exitCodesTopic())
	return root
}

// noArgs refuses arguments with a usage error naming them.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		if cmd.HasSubCommands() {
			return usageErr(cmd, "unknown command %q for %q", args[0], cmd.CommandPath())
		}
		return usageErr(cmd, "takes no arguments, got %q", args)
	}
	return nil
}

// exactArgs wants the named arguments, in order.
func exactArgs(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != len(names) {
			return usageErr(cmd, "wants %s, got %d argument(s)", strings.Join(names, " "), len(args))
		}
		for i, v := range args {
			if strings.TrimSpace(v) == "" {
				return usageErr(cmd, "%s is empty", names[i])
			}
		}
		return nil
	}
}

func showHelp(cmd *cobra.Command, _ []string) error { return cmd.Help() }

// baseURL is --api, else $WAOOAW_API_URL, else the default.
func (a *app) baseURL() (string, error) {
	raw := a.api
	if raw == "" {
		raw = a.getenv("WAOOAW_API_URL")
	}
	if raw == "" {
		raw = platform.DefaultBaseURL
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", &cliError{code: exitUsage, msg: fmt.Sprintf("API URL %q is not an http or https URL", raw),
			hint: "give it with --api https://api.example.com or $WAOOAW_API_URL"}
	}
	return strings.TrimRight(raw, "/"), nil
}

// configDir is $WAOOAW_CONFIG_DIR, else waooaw under the user's config
// directory.
func (a *app) configDir() (string, error) {
	if d := a.getenv("WAOOAW_CONFIG_DIR"); d != "" {
		return d, nil
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no config directory for the session (%v): set $WAOOAW_CONFIG_DIR", err)
	}
	return filepath.Join(d, "waooaw"), nil
}

// sessionCache is the file that keeps the sign-in to base: one per API, so a
// token is never sent to a platform it was not issued by.
func (a *app) sessionCache(base string) (*auth.FileCache, error) {
	dir, err := a.configDir()
	if err != nil {
		return nil, err
	}
	u, _ := url.Parse(base)
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '_'
	}, strings.ToLower(u.Scheme+"_"+u.Host))
	return auth.NewFileCache(filepath.Join(dir, "session-"+name+".json"))
}

// pollInterval is how often progress and --follow read the platform:
// $WAOOAW_POLL_INTERVAL (a Go duration) or the SDK's default.
func (a *app) pollInterval() (time.Duration, error) {
	v := a.getenv("WAOOAW_POLL_INTERVAL")
	if v == "" {
		return platform.DefaultPollInterval, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, &cliError{code: exitUsage, msg: fmt.Sprintf("$WAOOAW_POLL_INTERVAL %q is not a positive duration", v), hint: "use e.g. 2s or 500ms"}
	}
	return d, nil
}

// tokenSource finds the credentials, in the order the help gives.
func (a *app) tokenSource(base string) (oauth2.TokenSource, error) {
	if a.pinned != nil {
		return a.pinned, nil
	}
	p, err := auth.NewProvider(base)
	if err != nil {
		return nil, err
	}
	if a.clientCreds {
		id, secret := a.getenv("WAOOAW_CLIENT_ID"), a.getenv("WAOOAW_CLIENT_SECRET")
		if id == "" || secret == "" {
			return nil, &cliError{code: exitUsage, msg: "--client-credentials needs $WAOOAW_CLIENT_ID and $WAOOAW_CLIENT_SECRET",
				hint: "set both to the service account's client id and secret"}
		}
		return auth.NewClientCredentialsSource(p, id, secret)
	}
	if tok := a.getenv("WAOOAW_TOKEN"); tok != "" {
		return auth.NewStaticSource(tok)
	}
	cache, err := a.sessionCache(base)
	if err != nil {
		return nil, err
	}
	tok, err := cache.Load()
	if err != nil {
		return nil, fmt.Errorf("reading the saved session: %w", err)
	}
	if tok == nil {
		return nil, &cliError{code: exitAuth, msg: "not signed in to " + base,
			hint: "run `waooaw login` (or set $WAOOAW_TOKEN, or use --client-credentials in CI)"}
	}
	return auth.NewRefreshingSource(p, nil, auth.WithCache(cache))
}

// sdk is the client for the command, built once.
func (a *app) sdk() (*waooaw.Client, error) {
	if a.client != nil {
		return a.client, nil
	}
	base, err := a.baseURL()
	if err != nil {
		return nil, err
	}
	src, err := a.tokenSource(base)
	if err != nil {
		return nil, err
	}
	poll, err := a.pollInterval()
	if err != nil {
		return nil, err
	}
	opts := []platform.Option{platform.WithoutEnvironment(), platform.WithBaseURL(base),
		platform.WithTokenSource(src), platform.WithPollInterval(poll),
		platform.WithUserAgent("waooaw-cli/" + platform.Version)}
	c, err := waooaw.New(opts...)
	if err != nil {
		return nil, err
	}
	a.client, a.src = c, src
	return c, nil
}

// now is the clock relative times count from.
func (a *app) now() time.Time {
	if a.clock != nil {
		return a.clock.Now()
	}
	return time.Now()
}

// colour reports whether output may be coloured.
func (a *app) colour() bool {
	return a.tty && !a.noColor && a.getenv("NO_COLOR") == "" && a.getenv("TERM") != "dumb"
}

// streamOpen reports that an event stream is open.
func (a *app) streamOpen() {
	if a.streaming != nil {
		a.streaming()
	}
}
