package auth_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	josejwt "github.com/go-jose/go-jose/v4/jwt"

	"github.com/waooaw/waooaw-go/auth"
	"github.com/waooaw/waooaw-go/mockserver"
)

func TestLoginWithBrowserPKCE(t *testing.T) {
	t.Parallel()
	ts := start(t)
	p, _ := auth.NewProvider(ts.URL)
	var authURL *url.URL
	browser := func(ctx context.Context, u string) error {
		authURL, _ = url.Parse(u)
		return follow(ts.HTTPClient())(ctx, u)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	src, err := auth.LoginWithBrowser(ctx, p, auth.WithBrowser(browser), auth.WithLoginHint(mockserver.OperatorEmail),
		auth.WithClock(ts), auth.WithHTTPClient(ts.HTTPClient()))
	if err != nil {
		t.Fatal(err)
	}

	q := authURL.Query()
	redirect, _ := url.Parse(q.Get("redirect_uri"))
	for k, want := range map[string]string{"client_id": "waooaw-sdk", "response_type": "code",
		"code_challenge_method": "S256", "scope": "openid email profile", "login_hint": mockserver.OperatorEmail} {
		if q.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, q.Get(k), want)
		}
	}
	if len(q.Get("state")) < 32 || len(q.Get("code_challenge")) != 43 {
		t.Errorf("weak state %q or bad challenge %q", q.Get("state"), q.Get("code_challenge"))
	}
	if redirect.Scheme != "http" || redirect.Hostname() != "127.0.0.1" || redirect.Port() == "" || redirect.Path != "/callback" {
		t.Errorf("redirect_uri %s is not a loopback one", redirect)
	}

	tok, err := src.Token()
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == "" || tok.Extra("id_token") == nil {
		t.Errorf("no refresh token or id_token in %+v", tok)
	}
	me, err := auth.Me(ctx, client(t, ts, src))
	if err != nil {
		t.Fatal(err)
	}
	if me.Email != mockserver.OperatorEmail || me.Role != auth.RoleOperator {
		t.Errorf("me = %+v", me)
	}

	// The access token verifies with an independent library against the
	// discovered jwks_uri.
	disc, err := auth.Discover(ctx, ts.URL, auth.WithHTTPClient(ts.HTTPClient()))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := ts.HTTPClient().Get(disc.JWKSURI)
	if err != nil {
		t.Fatal(err)
	}
	var set jose.JSONWebKeySet
	if err := jsonDecode(resp, &set); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	jt, err := josejwt.ParseSigned(tok.AccessToken, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		t.Fatal(err)
	}
	keys := set.Key(jt.Headers[0].KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %q: %d keys in the JWKS", jt.Headers[0].KeyID, len(keys))
	}
	var c josejwt.Claims
	var extra struct {
		Email string `json:"email"`
		Role  string `json:"role"`
	}
	if err := jt.Claims(keys[0].Key, &c, &extra); err != nil {
		t.Fatalf("go-jose: %v", err)
	}
	if err := c.ValidateWithLeeway(josejwt.Expected{Issuer: disc.Issuer, AnyAudience: []string{"waooaw-api"}, Time: ts.Now()}, 0); err != nil {
		t.Fatalf("go-jose: %v", err)
	}
	if extra.Email != mockserver.OperatorEmail || extra.Role != "operator" || c.Subject != me.Subject {
		t.Errorf("claims %+v %+v", c, extra)
	}
}

// loopback is a browser that does not follow the redirects: it hands the
// loopback redirect_uri of the authorization URL to visit.
func loopback(visit func(ctx context.Context, redirect, state string) error) func(context.Context, string) error {
	return func(ctx context.Context, u string) error {
		pu, _ := url.Parse(u)
		return visit(ctx, pu.Query().Get("redirect_uri"), pu.Query().Get("state"))
	}
}

func get(ctx context.Context, u string) (int, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

func TestLoginWithBrowserRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		visit  func(ctx context.Context, redirect, state string) error
		status int // of the loopback page, 0 for no visit
		want   string
	}{
		{"wrong state", func(ctx context.Context, r, s string) error {
			return visitStatus(ctx, r+"?code=c&state=forged", http.StatusBadRequest)
		}, 0, "state does not match"},
		{"no state", func(ctx context.Context, r, s string) error {
			return visitStatus(ctx, r+"?code=c", http.StatusBadRequest)
		}, 0, "state does not match"},
		{"provider error", func(ctx context.Context, r, s string) error {
			return visitStatus(ctx, r+"?error=access_denied&error_description=nope&state="+s, http.StatusForbidden)
		}, 0, "refused: access_denied nope"},
		{"no code", func(ctx context.Context, r, s string) error {
			return visitStatus(ctx, r+"?state="+s, http.StatusBadRequest)
		}, 0, "no code"},
		{"unknown code", func(ctx context.Context, r, s string) error {
			return visitStatus(ctx, r+"?code=nope&state="+s, http.StatusOK)
		}, 0, "invalid_grant"},
		{"browser fails", func(ctx context.Context, r, s string) error {
			return errors.New("no display")
		}, 0, "opening the browser: no display"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := start(t)
			p, _ := auth.NewProvider(ts.URL)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, err := auth.LoginWithBrowser(ctx, p, auth.WithBrowser(loopback(tt.visit)), auth.WithHTTPClient(ts.HTTPClient()))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// visitStatus GETs u and wants status.
func visitStatus(ctx context.Context, u string, status int) error {
	got, err := get(ctx, u)
	if err != nil {
		return err
	}
	if got != status {
		return errors.New("the loopback page answered " + http.StatusText(got))
	}
	return nil
}

func TestLoginWithBrowserLoopbackPage(t *testing.T) {
	t.Parallel()
	ts := start(t)
	p, _ := auth.NewProvider(ts.URL)
	visit := func(ctx context.Context, r, s string) error {
		base, _ := url.Parse(r)
		base.Path = "/favicon.ico"
		if err := visitStatus(ctx, base.String(), http.StatusNotFound); err != nil {
			return err
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, r, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			return errors.New("POST to the callback was not refused")
		}
		// The real sign-in, then a second answer, which is refused.
		if err := follow(ts.HTTPClient())(ctx, ts.URL+"/auth/google?"+url.Values{
			"client_id": {"waooaw-sdk"}, "redirect_uri": {r}, "response_type": {"code"}, "state": {s},
			"code_challenge": {"x"}, "code_challenge_method": {"S256"}}.Encode()); err != nil {
			return err
		}
		return visitStatus(ctx, r+"?code=again&state="+s, http.StatusConflict)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// The challenge above is not the login's: the exchange fails, but only
	// after the loopback page did what it should.
	_, err := auth.LoginWithBrowser(ctx, p, auth.WithBrowser(loopback(visit)), auth.WithHTTPClient(ts.HTTPClient()))
	if err == nil || !strings.Contains(err.Error(), "code_verifier does not match") {
		t.Fatalf("error %v", err)
	}
}

func TestLoginWithBrowserGivesUpWithTheContext(t *testing.T) {
	t.Parallel()
	ts := start(t)
	p, _ := auth.NewProvider(ts.URL)
	ctx, cancel := context.WithCancel(context.Background())
	browser := func(context.Context, string) error {
		cancel() // the person never comes back
		return nil
	}
	_, err := auth.LoginWithBrowser(ctx, p, auth.WithBrowser(browser))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}

func TestLoginWithBrowserInjectedFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		before bool // inject before the login starts (at /auth/google), else before the exchange
		err    string
		want   string
		reauth bool
	}{
		{"consent denied", true, "access_denied", "refused: access_denied", false},
		{"exchange refused", false, "invalid_grant", "invalid_grant", true},
		{"exchange unavailable", false, "temporarily_unavailable", "temporarily_unavailable", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := start(t)
			p, _ := auth.NewProvider(ts.URL)
			if tt.before {
				mockPost(t, ts, "/_mock/oauth/fail-next", map[string]any{"error": tt.err})
			}
			browser := func(ctx context.Context, u string) error {
				// Follow the redirects up to the loopback one, inject, then land.
				hc := *ts.HTTPClient()
				var landing string
				hc.CheckRedirect = func(r *http.Request, _ []*http.Request) error {
					if r.URL.Hostname() == "127.0.0.1" && r.URL.Path == "/callback" {
						landing = r.URL.String()
						return http.ErrUseLastResponse
					}
					return nil
				}
				resp, err := hc.Get(u)
				if err != nil {
					return err
				}
				resp.Body.Close()
				if !tt.before {
					mockPost(t, ts, "/_mock/oauth/fail-next", map[string]any{"error": tt.err})
				}
				_, err = get(ctx, landing)
				return err
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, err := auth.LoginWithBrowser(ctx, p, auth.WithBrowser(browser), auth.WithHTTPClient(ts.HTTPClient()))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			if errors.Is(err, auth.ErrReauthRequired) != tt.reauth {
				t.Errorf("ErrReauthRequired = %v, want %v", !tt.reauth, tt.reauth)
			}
		})
	}
}

func TestLoginWithBrowserOptions(t *testing.T) {
	t.Parallel()
	p, _ := auth.NewProvider("http://127.0.0.1:1")
	tests := []struct {
		name string
		p    *auth.Provider
		opts []auth.Option
		want string
	}{
		{"verifier option", p, []auth.Option{auth.WithAudience("x")}, "WithAudience does not apply to LoginWithBrowser"},
		{"nil browser", p, []auth.Option{auth.WithBrowser(nil)}, "nil function"},
		{"bad hint", p, []auth.Option{auth.WithLoginHint("a\nb")}, "line breaks"},
		{"bad scope", p, []auth.Option{auth.WithScopes("")}, "not a valid scope"},
		{"no authorization endpoint", &auth.Provider{TokenEndpoint: "http://x/t"}, nil, "no authorization endpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := auth.LoginWithBrowser(context.Background(), tt.p, tt.opts...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}
