package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// callbackPath is where the loopback listener takes the redirect.
const callbackPath = "/callback"

// LoginWithBrowser signs a person in with the authorization-code flow and
// PKCE (S256) over a loopback redirect (RFC 8252): it listens on
// 127.0.0.1 on a free port, has the browser open p's authorization
// endpoint (see WithBrowser), checks the state of the redirect it gets
// back, exchanges the code, and returns a Source that keeps the sign-in
// fresh. ctx bounds the whole sign-in, the person's part included: give it
// a deadline (a few minutes). With WithCache the sign-in is saved.
//
// Options: WithBrowser, WithLoginHint, WithScopes, WithClientID,
// WithCache, WithClock, WithHTTPClient, WithTimeout.
func LoginWithBrowser(ctx context.Context, p *Provider, opts ...Option) (*Source, error) {
	cfg, err := newConfig(forLogin, opts)
	if err != nil {
		return nil, err
	}
	if err := p.check("LoginWithBrowser", true); err != nil {
		return nil, err
	}
	if !cfg.scopesSet {
		cfg.scopes = []string{"openid", "email", "profile"}
	}
	open := cfg.browser
	if open == nil {
		open = SystemBrowser
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("auth: login: listening on loopback for the redirect: %w", err)
	}
	state, verifier := randomState(), oauth2.GenerateVerifier()
	oc := &oauth2.Config{
		ClientID:    cfg.clientID,
		Endpoint:    p.endpoint(),
		RedirectURL: "http://" + ln.Addr().String() + callbackPath,
		Scopes:      cfg.scopes,
	}
	authOpts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}
	if cfg.loginHint != "" {
		authOpts = append(authOpts, oauth2.SetAuthURLParam("login_hint", cfg.loginHint))
	}
	authURL := oc.AuthCodeURL(state, authOpts...)

	cb := &callback{state: state, result: make(chan callbackResult, 1)}
	srv := &http.Server{Handler: cb, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan struct{})
	go func() {
		defer close(served)
		srv.Serve(ln)
	}()
	defer func() {
		srv.Close()
		<-served
	}()

	if err := open(ctx, authURL); err != nil {
		return nil, fmt.Errorf("auth: login: opening the browser: %w", err)
	}
	var code string
	select {
	case <-ctx.Done():
		return nil, fmt.Errorf("auth: login: no sign-in came back: %w", ctx.Err())
	case r := <-cb.result:
		if r.err != nil {
			return nil, r.err
		}
		code = r.code
	}

	xctx, cancel := cfg.httpCtx(ctx)
	defer cancel()
	tok, err := oc.Exchange(xctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, tokenEndpointError("login: exchanging the code", err)
	}
	return NewRefreshingSource(p, withLifetime(tok), refreshOptions(cfg)...)
}

// refreshOptions carries a login's settings to its Source.
func refreshOptions(cfg *config) []Option {
	opts := []Option{
		WithClientID(cfg.clientID),
		WithClock(cfg.clock),
		WithHTTPClient(cfg.http),
		WithTimeout(cfg.timeout),
	}
	if cfg.cache != nil {
		opts = append(opts, WithCache(cfg.cache))
	}
	return opts
}

// SystemBrowser is LoginWithBrowser's default WithBrowser: it prints the
// URL on standard error (to open by hand when no browser comes up) and
// asks the operating system to open it (open, xdg-open or rundll32).
func SystemBrowser(ctx context.Context, url string) error {
	fmt.Fprintf(os.Stderr, "Opening your browser to sign in. If it does not open, visit:\n\n  %s\n\n", url)
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.CommandContext(ctx, "open", url)
	case "windows":
		cmd = exec.CommandContext(ctx, "rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.CommandContext(ctx, "xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return nil // the URL is printed: the person can open it
	}
	go cmd.Wait() // reap it; the opener exits at once
	return nil
}

func randomState() string {
	var b [24]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// callback takes the redirect on the loopback listener.
type callback struct {
	state  string
	once   sync.Once
	result chan callbackResult
}

type callbackResult struct {
	code string
	err  error
}

func (c *callback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != callbackPath {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	var res callbackResult
	var status int
	res.code, status, res.err = redirectResult(r.URL.Query(), c.state)
	delivered := false
	c.once.Do(func() {
		c.result <- res
		delivered = true
	})
	if !delivered {
		status = http.StatusConflict
		res.err = errors.New("this sign-in has already been answered")
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	msg := "Signed in. You can close this window and go back to your terminal."
	if res.err != nil {
		msg = "Sign-in failed: " + res.err.Error()
	}
	fmt.Fprintf(w, "<!doctype html><title>WAOOAW sign-in</title><p>%s</p>\n", html.EscapeString(msg))
}

// redirectResult reads the redirect back from the authorization endpoint:
// the code, or why there is none, with the HTTP status to answer it with.
func redirectResult(q url.Values, state string) (code string, status int, err error) {
	switch {
	case state == "" || subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1:
		// A redirect this login did not start: possibly forged. End the
		// login rather than wait for one that may never come.
		return "", http.StatusBadRequest, errors.New("auth: login: the redirect's state does not match the login's (a stale or forged sign-in page); sign in again")
	case q.Get("error") != "":
		why := q.Get("error")
		if d := q.Get("error_description"); d != "" {
			why += " " + d
		}
		return "", http.StatusForbidden, fmt.Errorf("auth: login: the identity provider refused: %s", why)
	case q.Get("code") == "":
		return "", http.StatusBadRequest, errors.New("auth: login: the redirect has no code")
	}
	return q.Get("code"), http.StatusOK, nil
}
