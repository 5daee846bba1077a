// Login signs a person in with the browser flow (authorization code with
// PKCE over a loopback redirect), prints who they are, refreshes the
// sign-in, signs out, and shows that the old token is refused.
//
//	go run ./examples/login
//
// With no configuration it starts an embedded mock server on loopback: its
// "Google" approves at once, so the browser's part is played by an HTTP
// client that follows the redirects. Set WAOOAW_API_URL to sign in to a
// real platform (or to `go run ./cmd/waooaw-mock`): the system browser
// opens, and the URL is printed in case it does not.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"golang.org/x/oauth2"

	waooaw "github.com/waooaw/waooaw-go"
	"github.com/waooaw/waooaw-go/auth"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
)

func main() {
	as := flag.String("as", mockserver.OperatorEmail, "who signs in (the login hint)")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute) // the person's time to sign in
	defer cancel()
	if err := run(ctx, os.Stdout, *as); err != nil {
		fmt.Fprintln(os.Stderr, "login:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer, email string) error {
	issuer, browser, stop, err := platformOrMock(out)
	if err != nil {
		return err
	}
	defer stop()

	// 1. Sign in.
	p, err := auth.Discover(ctx, issuer)
	if err != nil {
		return err
	}
	src, err := auth.LoginWithBrowser(ctx, p, auth.WithBrowser(browser), auth.WithLoginHint(email))
	if err != nil {
		return err
	}
	// Report every new token (a program could save or log it here).
	reported, err := auth.NewNotifyingSource(src, func(t *oauth2.Token) {
		fmt.Fprintf(out, "  new access token, good until %s\n", t.Expiry.UTC().Format(time.RFC3339))
	})
	if err != nil {
		return err
	}
	c, err := waooaw.New(platform.WithBaseURL(issuer), platform.WithTokenSource(reported),
		platform.WithUserAgent("waooaw-login-example"))
	if err != nil {
		return err
	}

	// 2. Who am I?
	me, err := auth.Me(ctx, c.Platform)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Signed in as %s <%s>, role %s, session %s.\n", me.Name, me.Email, me.Role, me.SessionID)

	// 3. Refresh. The source renews by itself a minute before expiry; a 401
	// makes the platform client invalidate it. Here we invalidate it by hand.
	old, err := src.Token()
	if err != nil {
		return err
	}
	src.Invalidate()
	if _, err := auth.Me(ctx, c.Platform); err != nil {
		return err
	}
	renewed, err := src.Token()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Refreshed: new access token %t, new refresh token %t.\n",
		renewed.AccessToken != old.AccessToken, renewed.RefreshToken != old.RefreshToken)

	// 4. Sign out: the server revokes the session; the source is over.
	if err := auth.Logout(ctx, c.Platform); err != nil {
		return err
	}
	fmt.Fprintln(out, "Signed out.")
	_, err = auth.Me(ctx, c.Platform)
	fmt.Fprintf(out, "The client now needs a new sign-in: %t.\n", errors.Is(err, auth.ErrReauthRequired))

	// 5. The old access token, sent as is, is refused by the server.
	static, err := auth.NewStaticSource(renewed.AccessToken)
	if err != nil {
		return err
	}
	oldClient, err := waooaw.New(platform.WithBaseURL(issuer), platform.WithTokenSource(static))
	if err != nil {
		return err
	}
	_, err = auth.Me(ctx, oldClient.Platform)
	if !errors.Is(err, platform.ErrUnauthenticated) {
		return fmt.Errorf("the old token was not refused: %v", err)
	}
	fmt.Fprintln(out, "The old access token is refused: 401 unauthenticated.")
	return nil
}

// platformOrMock returns the platform named by WAOOAW_API_URL with the
// system browser, or starts an embedded mock server whose sign-in an HTTP
// client follows in place of a browser.
func platformOrMock(out io.Writer) (issuer string, browser func(context.Context, string) error, stop func(), err error) {
	if u := os.Getenv("WAOOAW_API_URL"); u != "" {
		return u, auth.SystemBrowser, func() {}, nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, nil, err
	}
	issuer = "http://" + ln.Addr().String()
	// The real clock, so tokens expire as they would on a real platform.
	srv := mockserver.New(mockserver.WithIssuer(issuer), mockserver.WithRealClock())
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	fmt.Fprintf(out, "Started an embedded mock server at %s.\n", issuer)
	browser = func(ctx context.Context, u string) error {
		fmt.Fprintf(out, "Open this URL to sign in (no browser here: following it with an HTTP client):\n  %s\n", u)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req) // follows the redirects to our loopback listener
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("the sign-in page ended with %s", resp.Status)
		}
		return nil
	}
	return issuer, browser, func() { hs.Close() }, nil
}
