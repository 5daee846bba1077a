package authority_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	josejwt "github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"

	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/mockserver/internal/mocktest"
)

// noRedirect is a client that stops at the first redirect.
func noRedirect(ts *mockserver.TestServer) *http.Client {
	c := *ts.HTTPClient()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// pkceLogin runs the authorization-code flow with PKCE up to the redirect
// back to the client and returns the code and state it carried.
func pkceLogin(t *testing.T, ts *mockserver.TestServer, hint, redirect, verifier string, extra ...oauth2.AuthCodeOption) (code, state string) {
	t.Helper()
	cfg := oauthConfig(ts, redirect)
	opts := append([]oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("login_hint", hint)}, extra...)
	start := cfg.AuthCodeURL("st-1", opts...)
	c := noRedirect(ts)
	next := start
	for range 5 {
		resp, err := c.Get(next)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("GET %s: %d", next, resp.StatusCode)
		}
		loc, _ := resp.Location()
		if strings.HasPrefix(loc.String(), redirect) {
			return loc.Query().Get("code"), loc.Query().Get("state")
		}
		next = loc.String()
	}
	t.Fatal("the login never came back to the client")
	return "", ""
}

func oauthConfig(ts *mockserver.TestServer, redirect string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:    mockserver.SDKClientID,
		RedirectURL: redirect,
		Scopes:      []string{"openid", "email", "profile"},
		Endpoint: oauth2.Endpoint{AuthURL: ts.URL + "/auth/google", TokenURL: ts.URL + "/auth/token",
			AuthStyle: oauth2.AuthStyleInParams},
	}
}

func TestPKCELoginOverPlainHTTP(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	disc := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/.well-known/openid-configuration"}).JSON(t)
	if disc["issuer"] != ts.URL || disc["token_endpoint"] != ts.URL+"/auth/token" {
		t.Fatalf("discovery: %v", disc)
	}
	verifier := oauth2.GenerateVerifier()
	redirect := "http://127.0.0.1:49152/callback"
	code, state := pkceLogin(t, ts, mockserver.OperatorEmail, redirect, verifier)
	if code == "" || state != "st-1" {
		t.Fatalf("code %q state %q", code, state)
	}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, ts.HTTPClient())
	tok, err := oauthConfig(ts, redirect).Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == "" || tok.Extra("id_token") == nil {
		t.Errorf("no refresh or id token: %+v", tok)
	}

	// Verify with go-jose against jwks_uri, independently of the server's code.
	resp, err := ts.HTTPClient().Get(disc["jwks_uri"].(string))
	if err != nil {
		t.Fatal(err)
	}
	var set jose.JSONWebKeySet
	json.NewDecoder(resp.Body).Decode(&set)
	resp.Body.Close()
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=300") {
		t.Errorf("jwks Cache-Control %q", cc)
	}
	parsed, err := josejwt.ParseSigned(tok.AccessToken, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		t.Fatal(err)
	}
	keys := set.Key(parsed.Headers[0].KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %q not in jwks", parsed.Headers[0].KeyID)
	}
	if _, ok := keys[0].Key.(ed25519.PublicKey); !ok {
		t.Fatalf("key type %T", keys[0].Key)
	}
	var std josejwt.Claims
	var extra struct {
		Email string `json:"email"`
		Role  string `json:"role"`
		SID   string `json:"sid"`
	}
	if err := parsed.Claims(keys[0].Key, &std, &extra); err != nil {
		t.Fatalf("signature: %v", err)
	}
	if err := std.ValidateWithLeeway(josejwt.Expected{Issuer: ts.URL, AnyAudience: []string{"waooaw-api"}, Time: ts.Now()}, 0); err != nil {
		t.Errorf("claims: %v", err)
	}
	if extra.Email != mockserver.OperatorEmail || extra.Role != "operator" || extra.SID == "" || std.ID == "" || std.Subject == "" {
		t.Errorf("claims: %+v %+v", std, extra)
	}
	me := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/auth/me", Token: tok.AccessToken}).JSON(t)
	if me["email"] != mockserver.OperatorEmail || me["role"] != "operator" || me["session_id"] != extra.SID {
		t.Errorf("me: %v", me)
	}
	// The code is single-use; a wrong verifier fails too.
	if _, err := oauthConfig(ts, redirect).Exchange(ctx, code, oauth2.VerifierOption(verifier)); !isOAuth(err, "invalid_grant") {
		t.Errorf("reused code: %v", err)
	}
	code2, _ := pkceLogin(t, ts, mockserver.OperatorEmail, redirect, verifier)
	if _, err := oauthConfig(ts, redirect).Exchange(ctx, code2, oauth2.VerifierOption(oauth2.GenerateVerifier())); !isOAuth(err, "invalid_grant") {
		t.Errorf("wrong verifier: %v", err)
	}
	code3, _ := pkceLogin(t, ts, mockserver.OperatorEmail, redirect, verifier)
	ts.Advance(61 * time.Second)
	if _, err := oauthConfig(ts, redirect).Exchange(ctx, code3, oauth2.VerifierOption(verifier)); !isOAuth(err, "invalid_grant") {
		t.Errorf("expired code: %v", err)
	}
}

func isOAuth(err error, code string) bool {
	re, ok := err.(*oauth2.RetrieveError)
	return ok && re.ErrorCode == code
}

func TestPortalFlowWithCurlL(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	// Following redirects like curl -L ends with the session as JSON.
	a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/auth/google?login_hint=viewer@example.com&state=abc"})
	m := a.JSON(t)
	user, _ := m["user"].(map[string]any)
	if a.Status != 200 || user["email"] != mockserver.ViewerEmail || user["role"] != "viewer" ||
		m["access_token"] == nil || m["refresh_token"] == nil || m["expires_in"] != float64(900) {
		t.Fatalf("session: %d %s", a.Status, a.Raw)
	}
	// A queued login signs in the next login without a hint; new users get a
	// role for their domain.
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/logins", Body: `{"email":"new@waooaw.ai"}`}); a.Status != 204 {
		t.Fatalf("queue login: %d", a.Status)
	}
	m = mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/auth/google?state=q"}).JSON(t)
	if u := m["user"].(map[string]any); u["email"] != "new@waooaw.ai" || u["role"] != "operator" {
		t.Errorf("queued login: %v", u)
	}
	m = mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/auth/google?state=d"}).JSON(t)
	if u := m["user"].(map[string]any); u["email"] != mockserver.AdminEmail {
		t.Errorf("default login: %v", u)
	}
}

func TestAuthorizeRefusals(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	c := noRedirect(ts)
	ch := "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
	for name, q := range map[string]string{
		"https redirect":   "client_id=waooaw-sdk&redirect_uri=https://127.0.0.1/cb",
		"evil host":        "client_id=waooaw-sdk&redirect_uri=http://127.0.0.1.evil.example.com/cb",
		"other host":       "client_id=waooaw-sdk&redirect_uri=http://example.com/cb",
		"user info":        "client_id=waooaw-sdk&redirect_uri=http://evil@127.0.0.1/cb",
		"unknown client":   "client_id=nobody&redirect_uri=http://127.0.0.1/cb",
		"no state":         "client_id=waooaw-sdk&redirect_uri=http://127.0.0.1/cb&code_challenge_method=S256&code_challenge=" + ch + "&nostate=",
		"plain pkce":       "client_id=waooaw-sdk&redirect_uri=http://127.0.0.1/cb&code_challenge_method=plain&code_challenge=" + ch,
		"no pkce":          "client_id=waooaw-sdk&redirect_uri=http://127.0.0.1/cb",
		"bad login_hint":   "state=s&login_hint=not-an-email",
		"unknown client 2": "client_id=nobody&state=s",
	} {
		if !strings.Contains(q, "nostate") && !strings.Contains(q, "state=") {
			q += "&state=s"
		}
		resp, err := c.Get(ts.URL + "/auth/google?" + q)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("%s: %d, want 400 and no redirect", name, resp.StatusCode)
		}
	}
}

func TestTokenEndpoint(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	post := func(form url.Values, user, pass string) (int, map[string]any, http.Header) {
		req, _ := http.NewRequest("POST", ts.URL+"/auth/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := ts.HTTPClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m, resp.Header
	}
	cc := url.Values{"grant_type": {"client_credentials"}}
	if st, m, _ := post(cc, mockserver.CIClientID, mockserver.CIClientSecret); st != 200 || m["access_token"] == nil || m["refresh_token"] != nil {
		t.Errorf("client credentials (basic): %d %v", st, m)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {mockserver.CIClientID}, "client_secret": {mockserver.CIClientSecret}}
	st, m, _ := post(form, "", "")
	if st != 200 {
		t.Fatalf("client credentials (form): %d %v", st, m)
	}
	me := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/auth/me", Token: m["access_token"].(string)}).JSON(t)
	if me["role"] != "operator" {
		t.Errorf("service account role: %v", me)
	}
	if st, m, h := post(cc, mockserver.CIClientID, "wrong"); st != 401 || m["error"] != "invalid_client" || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Basic") {
		t.Errorf("wrong secret: %d %v %v", st, m, h)
	}
	if st, m, _ := post(cc, "nobody", "x"); st != 401 || m["error"] != "invalid_client" {
		t.Errorf("unknown client: %d %v", st, m)
	}
	if st, m, _ := post(url.Values{"grant_type": {"password"}, "client_id": {"waooaw-sdk"}}, "", ""); st != 400 || m["error"] != "unsupported_grant_type" {
		t.Errorf("password grant: %d %v", st, m)
	}

	// Refresh tokens rotate; reusing a rotated one revokes the session.
	sess := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/auth/google?login_hint=ops@waooaw.ai&state=s"}).JSON(t)
	rt1 := sess["refresh_token"].(string)
	refresh := func(rt string) (int, map[string]any) {
		st, m, _ := post(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {"waooaw-sdk"}}, "", "")
		return st, m
	}
	st, m = refresh(rt1)
	rt2, _ := m["refresh_token"].(string)
	if st != 200 || rt2 == "" || rt2 == rt1 {
		t.Fatalf("refresh: %d %v", st, m)
	}
	if st, m := refresh(rt1); st != 400 || m["error"] != "invalid_grant" {
		t.Errorf("reuse of a rotated token: %d %v", st, m)
	}
	if st, m := refresh(rt2); st != 400 || m["error"] != "invalid_grant" {
		t.Errorf("the newer token after reuse: %d %v", st, m)
	}
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/auth/me", Token: sess["access_token"].(string)}); a.Status != 401 {
		t.Errorf("access token after reuse detection: %d", a.Status)
	}

	// Logout revokes the session's access and refresh tokens.
	sess = mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/auth/google?login_hint=ops@waooaw.ai&state=s"}).JSON(t)
	at := sess["access_token"].(string)
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/auth/logout", Token: at}); a.Status != 204 {
		t.Fatalf("logout: %d %s", a.Status, a.Raw)
	}
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents", Token: at}); a.Status != 401 {
		t.Errorf("access token after logout: %d", a.Status)
	}
	if st, m := refresh(sess["refresh_token"].(string)); st != 400 || m["error"] != "invalid_grant" {
		t.Errorf("refresh after logout: %d %v", st, m)
	}

	// fail-next injects one OAuth error.
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/oauth/fail-next", Body: `{"error":"temporarily_unavailable"}`}); a.Status != 204 {
		t.Fatalf("fail-next: %d %s", a.Status, a.Raw)
	}
	if st, m, _ := post(cc, mockserver.CIClientID, mockserver.CIClientSecret); st != 503 || m["error"] != "temporarily_unavailable" {
		t.Errorf("injected failure: %d %v", st, m)
	}
	if st, _, _ := post(cc, mockserver.CIClientID, mockserver.CIClientSecret); st != 200 {
		t.Errorf("after the injected failure: %d", st)
	}
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/oauth/fail-next", Body: `{"error":"nope"}`}); a.Status != 400 {
		t.Errorf("bad fail-next: %d", a.Status)
	}
}

func TestKeyRotationAndRetirement(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	old := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	oldKid := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/.well-known/jwks.json"}).JSON(t)["keys"].([]any)[0].(map[string]any)["kid"].(string)
	newKid := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/keys/rotate"}).JSON(t)["kid"].(string)
	fresh := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	if keys := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/.well-known/jwks.json"}).JSON(t)["keys"].([]any); len(keys) != 4 {
		t.Errorf("after rotation jwks has %d keys, want both generations' Ed25519 and RSA keys", len(keys))
	}
	for _, tok := range []string{old, fresh} {
		if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/metrics", Token: tok}); a.Status != 200 {
			t.Errorf("token across rotation: %d", a.Status)
		}
	}
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/keys/" + newKid + "/retire"}); a.Status != 409 {
		t.Errorf("retire the current key: %d", a.Status)
	}
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/keys/" + oldKid + "/retire"}); a.Status != 204 {
		t.Fatalf("retire: %d %s", a.Status, a.Raw)
	}
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/metrics", Token: old}); a.Status != 401 {
		t.Errorf("token of a retired key: %d, want 401 at once", a.Status)
	}
	if keys := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/.well-known/jwks.json"}).JSON(t)["keys"].([]any); len(keys) != 2 {
		t.Errorf("retired key still published (want the current Ed25519 and RSA keys only): %v", keys)
	}
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/keys/nokey/retire"}); a.Status != 404 {
		t.Errorf("unknown key: %d", a.Status)
	}
}

func TestSessionRevokeControl(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	tok := mocktest.Token(t, ts, mockserver.OperatorEmail, "operator")
	sid := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/auth/me", Token: tok}).JSON(t)["session_id"].(string)
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/sessions/" + sid + "/revoke"}); a.Status != 204 {
		t.Fatalf("revoke: %d", a.Status)
	}
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/auth/me", Token: tok}); a.Status != 401 {
		t.Errorf("after revoke: %d", a.Status)
	}
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/sessions/nope/revoke"}); a.Status != 404 {
		t.Errorf("unknown session: %d", a.Status)
	}
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/users", Body: `{"email":"eve@example.com","name":"Eve","role":"admin"}`}); a.Status != 201 {
		t.Errorf("add user: %d %s", a.Status, a.Raw)
	}
	m := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/auth/google?login_hint=eve@example.com&state=s"}).JSON(t)
	if m["user"].(map[string]any)["role"] != "admin" {
		t.Errorf("added user signs in as %v", m["user"])
	}
}

// The platform's own browser flow needs no state: curl -L on /auth/google
// alone ends with the session JSON, carrying a server-made state.
func TestPortalFlowWithoutState(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/auth/google?login_hint=viewer@example.com"})
	if a.Status != 200 {
		t.Fatalf("GET /auth/google with no state: %d %s", a.Status, a.Raw)
	}
	m := a.JSON(t)
	user, _ := m["user"].(map[string]any)
	if user["email"] != mockserver.ViewerEmail || m["access_token"] == nil || m["state"] == "" || m["state"] == nil {
		t.Fatalf("session: %s", a.Raw)
	}
	if me := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/auth/me", Token: m["access_token"].(string)}); me.Status != 200 {
		t.Errorf("the session's token: %d", me.Status)
	}
	// A client with its own redirect URI still has to send one.
	resp, err := noRedirect(ts).Get(ts.URL + "/auth/google?client_id=waooaw-sdk&redirect_uri=http://127.0.0.1/cb&code_challenge_method=S256&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("SDK flow without state: %d, want 400", resp.StatusCode)
	}
}

// postForm posts an OAuth form to /auth/token and decodes the answer.
func postForm(t *testing.T, ts *mockserver.TestServer, form url.Values, user, pass string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", ts.URL+"/auth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := ts.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// RFC 6749 §5.2: a missing parameter is invalid_request; an unknown scope
// is invalid_scope, at the authorization endpoint and for client_credentials.
func TestOAuthRequestAndScopeErrors(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	st, m := postForm(t, ts, url.Values{"grant_type": {"authorization_code"}, "client_id": {mockserver.SDKClientID},
		"redirect_uri": {"http://127.0.0.1/cb"}, "code_verifier": {oauth2.GenerateVerifier()}}, "", "")
	if st != 400 || m["error"] != "invalid_request" {
		t.Errorf("authorization_code with no code: %d %v, want 400 invalid_request", st, m)
	}
	st, m = postForm(t, ts, url.Values{"grant_type": {"client_credentials"}, "scope": {"openid agents.write"}},
		mockserver.CIClientID, mockserver.CIClientSecret)
	if st != 400 || m["error"] != "invalid_scope" || !strings.Contains(m["error_description"].(string), "agents.write") {
		t.Errorf("client_credentials with an unknown scope: %d %v, want 400 invalid_scope", st, m)
	}
	if st, m := postForm(t, ts, url.Values{"grant_type": {"client_credentials"}, "scope": {"openid email"}},
		mockserver.CIClientID, mockserver.CIClientSecret); st != 200 {
		t.Errorf("client_credentials with known scopes: %d %v", st, m)
	}

	// Without a redirect URI the refusal is the answer ...
	a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/auth/google?state=s&scope=openid+admin"})
	if a.Status != 400 || a.JSON(t)["error"] != "invalid_scope" {
		t.Errorf("/auth/google with an unknown scope: %d %s", a.Status, a.Raw)
	}
	// ... with one, the client hears it at its redirect URI (RFC 6749 §4.1.2.1).
	redirect := "http://127.0.0.1:49152/callback"
	cfg := oauthConfig(ts, redirect)
	cfg.Scopes = []string{"openid", "admin"}
	resp, err := noRedirect(ts).Get(cfg.AuthCodeURL("st-9", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := resp.Location()
	if resp.StatusCode != 302 || loc == nil || !strings.HasPrefix(loc.String(), redirect) ||
		loc.Query().Get("error") != "invalid_scope" || loc.Query().Get("state") != "st-9" {
		t.Errorf("/auth/google with an unknown scope and a redirect URI: %d %v", resp.StatusCode, loc)
	}
}

// RFC 6749 §4.1.2: a replayed code is refused and revokes the tokens the
// first exchange got.
func TestCodeReplayRevokesItsTokens(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	verifier := oauth2.GenerateVerifier()
	redirect := "http://127.0.0.1:49152/callback"
	code, _ := pkceLogin(t, ts, mockserver.OperatorEmail, redirect, verifier)
	exchange := func() (int, map[string]any) {
		return postForm(t, ts, url.Values{"grant_type": {"authorization_code"}, "code": {code},
			"redirect_uri": {redirect}, "client_id": {mockserver.SDKClientID}, "code_verifier": {verifier}}, "", "")
	}
	st, first := exchange()
	if st != 200 {
		t.Fatalf("first exchange: %d %v", st, first)
	}
	at, rt := first["access_token"].(string), first["refresh_token"].(string)
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/auth/me", Token: at}); a.Status != 200 {
		t.Fatalf("access token before the replay: %d", a.Status)
	}
	if st, m := exchange(); st != 400 || m["error"] != "invalid_grant" {
		t.Errorf("replayed code: %d %v, want 400 invalid_grant", st, m)
	}
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/auth/me", Token: at}); a.Status != 401 {
		t.Errorf("first exchange's access token after the replay: %d, want 401", a.Status)
	}
	if st, m := postForm(t, ts, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt},
		"client_id": {mockserver.SDKClientID}}, "", ""); st != 400 || m["error"] != "invalid_grant" {
		t.Errorf("first exchange's refresh token after the replay: %d %v, want invalid_grant", st, m)
	}
}

// OIDC Core 3.1.2.1: the ID token carries the authorization request's nonce.
func TestIDTokenCarriesNonce(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	verifier := oauth2.GenerateVerifier()
	redirect := "http://127.0.0.1:49152/callback"
	cfg := oauthConfig(ts, redirect)
	c := noRedirect(ts)
	next := cfg.AuthCodeURL("st-n", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("nonce", "n-0S6_WzA2Mj"))
	var code string
	for range 5 {
		resp, err := c.Get(next)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := resp.Location()
		if loc == nil {
			t.Fatalf("GET %s: %d, no redirect", next, resp.StatusCode)
		}
		if strings.HasPrefix(loc.String(), redirect) {
			code = loc.Query().Get("code")
			break
		}
		next = loc.String()
	}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, ts.HTTPClient())
	tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := josejwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.EdDSA, jose.RS256})
	if err != nil {
		t.Fatalf("id_token: %v", err)
	}
	var set jose.JSONWebKeySet
	resp, err := ts.HTTPClient().Get(ts.URL + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&set)
	resp.Body.Close()
	keys := set.Key(idt.Headers[0].KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %q not in jwks", idt.Headers[0].KeyID)
	}
	var got struct {
		Nonce string `json:"nonce"`
	}
	if err := idt.Claims(keys[0].Key, &got); err != nil {
		t.Fatal(err)
	}
	if got.Nonce != "n-0S6_WzA2Mj" {
		t.Errorf("id_token nonce %q, want the request's", got.Nonce)
	}
	// The access token carries none.
	at, _ := josejwt.ParseSigned(tok.AccessToken, []jose.SignatureAlgorithm{jose.EdDSA, jose.RS256})
	var atc map[string]any
	at.UnsafeClaimsWithoutVerification(&atc)
	if _, ok := atc["nonce"]; ok {
		t.Errorf("access token has a nonce: %v", atc)
	}
}
