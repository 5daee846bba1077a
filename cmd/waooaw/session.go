package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/waooaw/waooaw-go/auth"
	"github.com/waooaw/waooaw-go/platform"
)

func (a *app) loginCmd() *cobra.Command {
	var noBrowser bool
	var hint string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Sign in with the browser and keep the session",
		Long: `Sign in with the browser (authorization code with PKCE over a loopback
redirect) and save the session in the user's config directory, where every
later waooaw command, in any process, finds and renews it.

With --no-browser the URL to open is printed instead. A saved session that
still works is reused: "waooaw logout" first to sign in as someone else.
With --client-credentials, login checks the service account in
$WAOOAW_CLIENT_ID and $WAOOAW_CLIENT_SECRET and saves nothing.`,
		Example: "  waooaw login\n  waooaw login --no-browser --as ops@waooaw.ai",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			base, err := a.baseURL()
			if err != nil {
				return err
			}
			if a.clientCreds || a.getenv("WAOOAW_TOKEN") != "" {
				c, err := a.sdk()
				if err != nil {
					return err
				}
				me, err := auth.Me(ctx, c.Platform)
				if err != nil {
					return err
				}
				return a.printMe(me, "Using the credentials from the environment: nothing saved.")
			}
			p, err := auth.NewProvider(base)
			if err != nil {
				return err
			}
			cache, err := a.sessionCache(base)
			if err != nil {
				return err
			}
			open := a.browser
			switch {
			case open != nil:
			case noBrowser:
				open = func(_ context.Context, u string) error {
					fmt.Fprintf(a.stderr, "Open this URL in a browser to sign in:\n  %s\nWaiting for the sign-in...\n", u)
					return nil
				}
			default:
				open = auth.SystemBrowser
			}
			opts := []auth.Option{auth.WithBrowser(open)}
			if hint != "" {
				opts = append(opts, auth.WithLoginHint(hint))
			}
			lctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			src, err := auth.Login(lctx, p, cache, opts...)
			if err == nil {
				// A saved sign-in the platform has since revoked: forget
				// it and sign in afresh.
				if err = a.useSource(src); err == nil {
					if _, err = auth.Me(ctx, a.client.Platform); err != nil &&
						(errors.Is(err, platform.ErrUnauthenticated) || errors.Is(err, auth.ErrReauthRequired)) {
						if err = cache.Clear(); err == nil {
							src, err = auth.Login(lctx, p, cache, opts...)
						}
					} else if err != nil {
						return err
					}
				}
			}
			if err != nil {
				if errors.Is(err, context.DeadlineExceeded) {
					return &cliError{code: exitAuth, msg: "the sign-in did not finish within " + timeout.String(), err: err,
						hint: "run `waooaw login` again and finish in the browser (or use --no-browser and open the URL)"}
				}
				return &cliError{code: exitAuth, msg: "sign-in failed", err: err, hint: "run `waooaw login` again"}
			}
			if err := a.useSource(src); err != nil {
				return err
			}
			me, err := auth.Me(ctx, a.client.Platform)
			if err != nil {
				return err
			}
			return a.printMe(me, "Signed in to "+base+"; the session is saved in "+cache.Path()+".")
		},
	}
	cmd.Flags().BoolVar(&noBrowser, "no-browser", false, "print the URL to open instead of opening a browser")
	cmd.Flags().StringVar(&hint, "as", "", "who signs in (an `email`, the identity provider's login hint)")
	cmd.Flags().DurationVar(&timeout, "timeout", 5*time.Minute, "how long to wait for the sign-in in the browser")
	return cmd
}

// useSource builds the client on src (after a login).
func (a *app) useSource(src *auth.Source) error {
	a.client, a.pinned = nil, src
	_, err := a.sdk()
	return err
}

func (a *app) printMe(me *auth.UserInfo, note string) error {
	if a.output == "json" {
		return a.printJSON(me)
	}
	if a.quiet {
		fmt.Fprintln(a.stdout, me.Email)
		return nil
	}
	if note != "" {
		fmt.Fprintln(a.stdout, note)
	}
	return a.printOne(me, me.Email, [][2]string{
		{"email", me.Email}, {"name", me.Name}, {"role", string(me.Role)},
		{"session", dash(me.SessionID)}, {"token expires", a.when(me.ExpiresAt)},
	})
}

func (a *app) logoutCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "logout",
		Short: "Sign out: the platform revokes the session and the saved one is removed",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			base, err := a.baseURL()
			if err != nil {
				return err
			}
			cache, err := a.sessionCache(base)
			if err != nil {
				return err
			}
			if a.clientCreds || a.getenv("WAOOAW_TOKEN") != "" {
				return &cliError{code: exitUsage, msg: "the credentials come from the environment: there is no saved session to sign out of",
					hint: "unset $WAOOAW_TOKEN (or drop --client-credentials) to sign out of the saved session"}
			}
			tok, err := cache.Load()
			if err != nil {
				return err
			}
			if tok == nil {
				a.say("Not signed in to %s: nothing to do.", base)
				return nil
			}
			c, err := a.sdk()
			if err != nil {
				return err
			}
			err = auth.Logout(cmd.Context(), c.Platform)
			if cerr := cache.Clear(); cerr != nil && err == nil {
				err = cerr
			}
			if err != nil && !errors.Is(err, auth.ErrReauthRequired) {
				return err
			}
			a.say("Signed out of %s.", base)
			return nil
		},
	}
}

func (a *app) whoamiCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "whoami",
		Short: "Who you are signed in as, and your role",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.sdk()
			if err != nil {
				return err
			}
			me, err := auth.Me(cmd.Context(), c.Platform)
			if err != nil {
				return err
			}
			return a.printMe(me, "")
		},
	}
}
