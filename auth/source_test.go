package auth_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/oauth2"

	"github.com/waooaw/waooaw-go/auth"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
)

// refreshing builds a refreshing source over a fake identity provider.
func refreshing(t *testing.T, p *idp, tok *oauth2.Token, opts ...auth.Option) *auth.Source {
	t.Helper()
	base := []auth.Option{auth.WithClock(p.clock), auth.WithHTTPClient(handlerClient(p))}
	src, err := auth.NewRefreshingSource(p.provider(t), tok, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func TestRefreshingSourceRenewsOnTheClock(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		advance     time.Duration
		wantRefresh int
	}{
		{"fresh", 0, 0},
		{"just before the margin", 15*time.Minute - auth.RefreshMargin - time.Second, 0},
		{"at the margin", 15*time.Minute - auth.RefreshMargin, 1},
		{"expired", 20 * time.Minute, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newIDP(newClock())
			first := p.login()
			src := refreshing(t, p, first)
			p.clock.Advance(tt.advance)
			tok, err := src.Token()
			if err != nil {
				t.Fatal(err)
			}
			if n := p.grantCount("refresh_token"); n != tt.wantRefresh {
				t.Fatalf("%d refreshes, want %d", n, tt.wantRefresh)
			}
			if renewed := tok.AccessToken != first.AccessToken; renewed != (tt.wantRefresh > 0) {
				t.Fatalf("renewed = %v, want %v", renewed, tt.wantRefresh > 0)
			}
			if tt.wantRefresh > 0 && tok.RefreshToken == first.RefreshToken {
				t.Error("the rotated refresh token was not kept")
			}
			// The expiry comes from the JWT's exp, on the test's clock.
			if want := p.clock.Now().Add(15 * time.Minute); tt.wantRefresh > 0 && !tok.Expiry.Equal(want.Truncate(time.Second)) {
				t.Errorf("Expiry %v, want %v", tok.Expiry, want)
			}
		})
	}
}

func TestRefreshingSourceSharesOneRefresh(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p := newIDP(newClock())
		gate := make(chan struct{})
		p.override = func(w http.ResponseWriter, r *http.Request) bool {
			<-gate // hold the refresh until every caller is waiting
			return false
		}
		src := refreshing(t, p, p.login())
		p.clock.Advance(time.Hour)

		const callers = 20
		toks := make([]string, callers)
		var wg sync.WaitGroup
		for i := range callers {
			wg.Go(func() {
				tok, err := src.Token()
				if err != nil {
					t.Error(err)
					return
				}
				toks[i] = tok.AccessToken
			})
		}
		synctest.Wait() // all 20 blocked: one in the token endpoint, 19 waiting for it
		if n := p.grantCount("refresh_token"); n != 1 {
			t.Errorf("%d refreshes in flight, want 1", n)
		}
		close(gate)
		wg.Wait()
		if n := p.grantCount("refresh_token"); n != 1 {
			t.Errorf("%d refreshes, want 1", n)
		}
		for i, tok := range toks {
			if tok != toks[0] {
				t.Fatalf("caller %d got another token", i)
			}
		}
	})
}

func TestRefreshingSourceInvalidGrant(t *testing.T) {
	t.Parallel()
	p := newIDP(newClock())
	src := refreshing(t, p, p.login())
	p.revokeAll()
	src.Invalidate()
	for i := range 3 {
		_, err := src.Token()
		if !errors.Is(err, auth.ErrReauthRequired) {
			t.Fatalf("call %d: %v, want ErrReauthRequired", i, err)
		}
	}
	if n := p.grantCount("refresh_token"); n != 1 {
		t.Errorf("%d refresh attempts, want 1 (the failure is remembered)", n)
	}
}

func TestRefreshingSourceErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		status     int
		body       string
		advance    time.Duration
		wantOld    bool // the old token is still handed out
		wantErr    string
		wantReauth bool
	}{
		{"server error in the margin keeps the old token", 503, `{"error":"temporarily_unavailable"}`, 14*time.Minute + 30*time.Second, true, "", false},
		{"server error after expiry", 503, `{"error":"temporarily_unavailable","error_description":"down"}`, time.Hour, false, "temporarily_unavailable", false},
		{"plain 500 after expiry", 500, `oops`, time.Hour, false, "answered 500: oops", false},
		{"invalid_client", 401, `{"error":"invalid_client","error_description":"no such client"}`, time.Hour, false, "check the client id", false},
		{"invalid_grant in the margin", 400, `{"error":"invalid_grant"}`, 14*time.Minute + 30*time.Second, false, "sign in again", true},
		{"not JSON", 200, `<html>`, time.Hour, false, "refreshing the sign-in", false},
		{"no access token", 200, `{"token_type":"Bearer"}`, time.Hour, false, "refreshing the sign-in", false},
		{"garbled JWT", 200, `{"access_token":"a.b.c","token_type":"Bearer"}`, time.Hour, false, "cannot be read", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newIDP(newClock())
			first := p.login()
			p.override = func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path != "/auth/token" {
					return false
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
				return true
			}
			src := refreshing(t, p, first)
			p.clock.Advance(tt.advance)
			tok, err := src.Token()
			if tt.wantOld {
				if err != nil || tok.AccessToken != first.AccessToken {
					t.Fatalf("got %v, %v; want the old token", tok, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
			if errors.Is(err, auth.ErrReauthRequired) != tt.wantReauth {
				t.Errorf("errors.Is(err, ErrReauthRequired) = %v, want %v", !tt.wantReauth, tt.wantReauth)
			}
			if strings.Contains(err.Error(), first.RefreshToken) || strings.Contains(err.Error(), first.AccessToken) {
				t.Errorf("the error shows a token: %v", err)
			}
		})
	}
}

func TestRefreshingSourceInvalidate(t *testing.T) {
	t.Parallel()
	p := newIDP(newClock())
	first := p.login()
	src := refreshing(t, p, first)
	src.Invalidate()
	tok, err := src.Token()
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == first.AccessToken {
		t.Error("Invalidate did not renew the token")
	}
	if again, _ := src.Token(); again.AccessToken != tok.AccessToken || p.grantCount("refresh_token") != 1 {
		t.Error("the renewed token is not reused")
	}
}

func TestRefreshingSourceWithoutRefreshToken(t *testing.T) {
	t.Parallel()
	p := newIDP(newClock())
	src := refreshing(t, p, &oauth2.Token{AccessToken: p.mint(15 * time.Minute)})
	if _, err := src.Token(); err != nil {
		t.Fatalf("a fresh token without a refresh token: %v", err)
	}
	p.clock.Advance(15 * time.Minute)
	if _, err := src.Token(); !errors.Is(err, auth.ErrReauthRequired) {
		t.Fatalf("expired, no refresh token: %v, want ErrReauthRequired", err)
	}
	if p.grantCount("refresh_token") != 0 {
		t.Error("asked the server with no refresh token")
	}
}

func TestRefreshingSourceOpaqueToken(t *testing.T) {
	t.Parallel()
	p := newIDP(newClock())
	src := refreshing(t, p, &oauth2.Token{AccessToken: "opaque", RefreshToken: p.login().RefreshToken, ExpiresIn: 600})
	if tok, err := src.Token(); err != nil || tok.AccessToken != "opaque" {
		t.Fatalf("got %v, %v", tok, err)
	}
	p.clock.Advance(10 * time.Minute)
	if tok, err := src.Token(); err != nil || tok.AccessToken == "opaque" {
		t.Fatalf("expires_in was not honoured: %v, %v", tok, err)
	}
}

func TestNewRefreshingSourceRefusals(t *testing.T) {
	t.Parallel()
	p := newIDP(newClock())
	pr := p.provider(t)
	tests := []struct {
		name string
		p    *auth.Provider
		tok  *oauth2.Token
		opts []auth.Option
		want string
	}{
		{"nil provider", nil, p.login(), nil, "nil Provider"},
		{"no token endpoint", &auth.Provider{Issuer: testIssuer}, p.login(), nil, "no token endpoint"},
		{"no token, no cache", pr, nil, nil, "no token and no cache"},
		{"empty token", pr, &oauth2.Token{}, nil, "neither"},
		{"bad JWT", pr, &oauth2.Token{AccessToken: "x.y.z"}, nil, "cannot be read"},
		{"option of another constructor", pr, p.login(), []auth.Option{auth.WithLeeway(time.Second)}, "WithLeeway does not apply to NewRefreshingSource"},
		{"zero option", pr, p.login(), []auth.Option{{}}, "zero Option"},
		{"nil clock", pr, p.login(), []auth.Option{auth.WithClock(nil)}, "nil clock"},
		{"empty client id", pr, p.login(), []auth.Option{auth.WithClientID(" ")}, "empty client id"},
		{"bad timeout", pr, p.login(), []auth.Option{auth.WithTimeout(0)}, "not positive"},
		{"nil cache", pr, p.login(), []auth.Option{auth.WithCache(nil)}, "nil cache"},
		{"nil http client", pr, p.login(), []auth.Option{auth.WithHTTPClient(nil)}, "nil client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := auth.NewRefreshingSource(tt.p, tt.tok, tt.opts...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestClientCredentialsSource(t *testing.T) {
	t.Parallel()
	p := newIDP(newClock())
	pr := p.provider(t)
	src, err := auth.NewClientCredentialsSource(pr, "ci", "s3cret", auth.WithClock(p.clock),
		auth.WithHTTPClient(handlerClient(p)), auth.WithScopes("agents.read"))
	if err != nil {
		t.Fatal(err)
	}
	first, err := src.Token()
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := src.Token(); again.AccessToken != first.AccessToken {
		t.Error("a fresh token was not reused")
	}
	p.clock.Advance(15*time.Minute - auth.RefreshMargin)
	if next, err := src.Token(); err != nil || next.AccessToken == first.AccessToken {
		t.Errorf("not renewed before expiry: %v", err)
	}
	if n := p.grantCount("client_credentials"); n != 2 {
		t.Errorf("%d grants, want 2", n)
	}

	bad, err := auth.NewClientCredentialsSource(pr, "ci", "wrong", auth.WithClock(p.clock), auth.WithHTTPClient(handlerClient(p)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.Token()
	if err == nil || !strings.Contains(err.Error(), "invalid_client") || errors.Is(err, auth.ErrReauthRequired) {
		t.Fatalf("wrong secret: %v", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("the error shows the secret: %v", err)
	}

	for _, args := range [][2]string{{"", "x"}, {"ci", ""}} {
		if _, err := auth.NewClientCredentialsSource(pr, args[0], args[1]); err == nil {
			t.Errorf("NewClientCredentialsSource(%q, %q) did not fail", args[0], args[1])
		}
	}
	if _, err := auth.NewClientCredentialsSource(pr, "ci", "s", auth.WithScopes("a b")); err == nil {
		t.Error("a scope with a space was accepted")
	}
}

// Against the mock server.

func TestRefreshingSourceAgainstMockServer(t *testing.T) {
	t.Parallel()
	ts := start(t)
	src, pc, cnt := login(t, ts, mockserver.OperatorEmail)
	ctx := context.Background()
	me, err := auth.Me(ctx, pc)
	if err != nil {
		t.Fatal(err)
	}
	if me.Email != mockserver.OperatorEmail || me.Role != auth.RoleOperator {
		t.Fatalf("me = %+v", me)
	}
	first, _ := src.Token()

	ts.Advance(15*time.Minute - auth.RefreshMargin) // into the margin, before expiry
	me2, err := auth.Me(ctx, pc)
	if err != nil {
		t.Fatal(err)
	}
	if n := cnt.count("POST /auth/token"); n != 2 { // the code exchange, then one refresh
		t.Errorf("%d token requests, want 2", n)
	}
	second, _ := src.Token()
	if second.AccessToken == first.AccessToken || second.RefreshToken == first.RefreshToken {
		t.Error("the token or the refresh token was not renewed")
	}
	if me2.SessionID != me.SessionID {
		t.Errorf("the refresh changed the session: %s → %s", me.SessionID, me2.SessionID)
	}
	if !me2.ExpiresAt.After(me.ExpiresAt) {
		t.Errorf("expires_at did not move: %v → %v", me.ExpiresAt, me2.ExpiresAt)
	}
}

func TestRefreshingSourceConcurrentAgainstMockServer(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		// No sockets in a bubble: the mock server's in-process transport.
		srv := mockserver.New(mockserver.WithIssuer("http://waooaw.test"))
		cnt := newCounting(srv.Transport())
		tok := portalLogin(t, cnt.client(), "http://waooaw.test", mockserver.OperatorEmail)
		p, _ := auth.NewProvider("http://waooaw.test")
		src, err := auth.NewRefreshingSource(p, tok, auth.WithClock(srv), auth.WithHTTPClient(cnt.client()))
		if err != nil {
			t.Fatal(err)
		}
		srv.Advance(15 * time.Minute)
		gate := make(chan struct{})
		cnt.mu.Lock()
		cnt.gate, cnt.gatePath = gate, "/auth/token"
		cnt.mu.Unlock()

		var wg sync.WaitGroup
		got := make([]string, 20)
		for i := range got {
			wg.Go(func() {
				tok, err := src.Token()
				if err != nil {
					t.Error(err)
					return
				}
				got[i] = tok.AccessToken
			})
		}
		synctest.Wait()
		if n := cnt.count("POST /auth/token"); n != 1 {
			t.Errorf("%d refreshes under way, want 1", n)
		}
		close(gate)
		wg.Wait()
		if n := cnt.count("POST /auth/token"); n != 1 {
			t.Errorf("%d refreshes, want 1", n)
		}
		for _, a := range got {
			if a != got[0] || a == tok.AccessToken {
				t.Fatal("the callers did not all get the one new token")
			}
		}
	})
}

// portalLogin signs in through /auth/google without a redirect URI (the
// portal's flow), whose last answer is the session as JSON.
func portalLogin(t *testing.T, hc *http.Client, base, email string) *oauth2.Token {
	t.Helper()
	resp, err := hc.Get(base + "/auth/google?state=s1&login_hint=" + email)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	if err := jsonDecode(resp, &s); err != nil || s.RefreshToken == "" {
		t.Fatalf("portal login: %d, %v", resp.StatusCode, err)
	}
	return &oauth2.Token{AccessToken: s.AccessToken, RefreshToken: s.RefreshToken}
}

func TestRevokedSessionNeedsSignIn(t *testing.T) {
	t.Parallel()
	ts := start(t)
	_, pc, cnt := login(t, ts, mockserver.ViewerEmail)
	ctx := context.Background()
	me, err := auth.Me(ctx, pc)
	if err != nil {
		t.Fatal(err)
	}
	mockPost(t, ts, "/_mock/sessions/"+me.SessionID+"/revoke", nil)
	before := cnt.count("POST /auth/token")

	_, err = auth.Me(ctx, pc)
	if !errors.Is(err, auth.ErrReauthRequired) {
		t.Fatalf("after revocation: %v, want ErrReauthRequired", err)
	}
	if n := cnt.count("POST /auth/token") - before; n != 1 {
		t.Errorf("%d refresh attempts, want 1", n)
	}
	_, err = auth.Me(ctx, pc)
	if !errors.Is(err, auth.ErrReauthRequired) {
		t.Fatalf("second call: %v, want ErrReauthRequired", err)
	}
	if n := cnt.count("POST /auth/token") - before; n != 1 {
		t.Errorf("the second call asked the server again (%d attempts)", n)
	}
	var pe *platform.Error
	if errors.As(err, &pe) {
		t.Errorf("a token source failure came back as an API error: %v", pe)
	}
}

func TestClientCredentialsAgainstMockServer(t *testing.T) {
	t.Parallel()
	ts := start(t)
	p, _ := auth.NewProvider(ts.URL)
	src, err := auth.NewClientCredentialsSource(p, mockserver.CIClientID, mockserver.CIClientSecret,
		auth.WithClock(ts), auth.WithHTTPClient(ts.HTTPClient()))
	if err != nil {
		t.Fatal(err)
	}
	me, err := auth.Me(context.Background(), client(t, ts, src))
	if err != nil {
		t.Fatal(err)
	}
	if me.Role != auth.RoleOperator {
		t.Errorf("role %q, want operator", me.Role)
	}
	bad, _ := auth.NewClientCredentialsSource(p, mockserver.CIClientID, "nope",
		auth.WithClock(ts), auth.WithHTTPClient(ts.HTTPClient()))
	if _, err := auth.Me(context.Background(), client(t, ts, bad)); err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Errorf("wrong secret: %v", err)
	}
}
