package auth

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
)

// WebLogin signs people in to a web application that has a callback URL of
// its own, such as the operator console: a confidential client of the
// platform, with the authorization-code flow, PKCE (S256) and the client
// secret at the token endpoint.
//
// Start gives the URL to send the browser to and a PendingLogin to keep on
// the server (never in the browser: it holds the PKCE verifier); the
// callback's query goes to Finish with it, which checks the state,
// exchanges the code and returns a Source that keeps the sign-in fresh.
// A WebLogin holds no per-login state and is safe for concurrent use.
type WebLogin struct {
	p        *Provider
	cfg      *config
	redirect string
}

// PendingLogin is one sign-in Start began, for Finish: keep it server-side,
// keyed by the browser's session, and use it once.
type PendingLogin struct {
	State    string // the state parameter the callback must carry back
	Verifier string // the PKCE code verifier
}

// NewWebLogin returns a WebLogin for the confidential client clientID with
// clientSecret, whose callback (the redirect URI) is redirectURL, an
// absolute http or https URL. It does no I/O.
//
// Options: WithScopes, WithClock, WithHTTPClient, WithTimeout.
func NewWebLogin(p *Provider, clientID, clientSecret, redirectURL string, opts ...Option) (*WebLogin, error) {
	cfg, err := newConfig(forWeb, opts)
	if err != nil {
		return nil, err
	}
	if err := p.check("NewWebLogin", true); err != nil {
		return nil, err
	}
	if strings.TrimSpace(clientID) == "" || clientSecret == "" {
		return nil, errors.New("auth: NewWebLogin: a confidential client needs an id and a secret")
	}
	u, err := url.Parse(redirectURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
		return nil, fmt.Errorf("auth: NewWebLogin: redirect URL %q must be an absolute http or https URL with no fragment", redirectURL)
	}
	if !cfg.scopesSet {
		cfg.scopes = []string{"openid", "email", "profile"}
	}
	cfg.clientID, cfg.secret = clientID, clientSecret
	return &WebLogin{p: p, cfg: cfg, redirect: redirectURL}, nil
}

func (w *WebLogin) oauth() *oauth2.Config {
	return &oauth2.Config{
		ClientID:     w.cfg.clientID,
		ClientSecret: w.cfg.secret,
		Endpoint:     w.p.endpoint(),
		RedirectURL:  w.redirect,
		Scopes:       w.cfg.scopes,
	}
}

// Start begins a sign-in: it returns the authorization URL to redirect the
// browser to and the PendingLogin that Finish needs. loginHint, when not
// empty, tells the identity provider who is signing in.
func (w *WebLogin) Start(loginHint string) (authURL string, pending PendingLogin) {
	pending = PendingLogin{State: randomState(), Verifier: oauth2.GenerateVerifier()}
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(pending.Verifier)}
	if loginHint = strings.TrimSpace(loginHint); loginHint != "" && !strings.ContainsAny(loginHint, "\r\n") {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", loginHint))
	}
	return w.oauth().AuthCodeURL(pending.State, opts...), pending
}

// Finish ends the sign-in pending began, from the query of the request
// that came back to the callback URL: it checks the state (a mismatch is a
// stale or forged callback), reports the identity provider's refusal in
// its words, exchanges the code and returns a Source for the person's
// tokens. A pending used once must not be used again.
func (w *WebLogin) Finish(ctx context.Context, pending PendingLogin, callback url.Values) (*Source, error) {
	code, _, err := redirectResult(callback, pending.State)
	if err != nil {
		return nil, err
	}
	xctx, cancel := w.cfg.httpCtx(ctx)
	defer cancel()
	tok, err := w.oauth().Exchange(xctx, code, oauth2.VerifierOption(pending.Verifier))
	if err != nil {
		return nil, tokenEndpointError("login: exchanging the code", err)
	}
	opts := append(refreshOptions(w.cfg), Option{"client secret", forRefresh, func(c *config) error {
		c.secret = w.cfg.secret
		return nil
	}})
	return NewRefreshingSource(w.p, withLifetime(tok), opts...)
}
