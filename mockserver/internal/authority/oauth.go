package authority

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/waooaw/waooaw-go/auth"
	"github.com/waooaw/waooaw-go/mockserver/internal/core"
	"github.com/waooaw/waooaw-go/mockserver/internal/httpapi"
)

// OAuth clients of the mock identity provider.
const (
	// SDKClientID is the public client of the SDK: authorization code with
	// PKCE (S256), loopback redirect URIs only.
	SDKClientID = "waooaw-sdk"
	// CIClientID and CIClientSecret are the confidential service account
	// for the client_credentials grant; it acts as an operator.
	CIClientID     = "waooaw-ci"
	CIClientSecret = "waooaw-ci-secret"
	// ConsoleClientID and ConsoleClientSecret are the confidential client
	// of a web application such as the operator console: authorization
	// code with PKCE and the secret at the token endpoint. The mock keeps
	// no list of its redirect URIs: any absolute http or https URL is
	// accepted (a real platform registers them).
	ConsoleClientID     = "waooaw-console"
	ConsoleClientSecret = "waooaw-console-secret"
	// ciEmail is the service account's identity.
	ciEmail = "waooaw-ci@service.waooaw.ai"
)

// maxNonce bounds the nonce kept with a login.
const maxNonce = 512

const (
	loginTTL   = 10 * time.Minute
	codeTTL    = 60 * time.Second
	refreshTTL = 30 * 24 * time.Hour
)

// oauthState is the identity provider's memory; it lives under
// authority.mu.
type oauthState struct {
	logins   map[string]*login  // by the provider's login id
	codes    map[string]*code   // authorization codes
	refresh  map[string]*refTok // refresh tokens, rotated ones kept to catch reuse
	queued   []string           // emails of queued logins (POST /_mock/logins)
	failNext *oauthFailure
}

func newOAuthState() oauthState {
	return oauthState{logins: map[string]*login{}, codes: map[string]*code{}, refresh: map[string]*refTok{}}
}

// login is a sign-in in progress, between /auth/google and /auth/callback.
type login struct {
	clientID, redirectURI, state, challenge, scope, nonce string
	user                                                  *core.User
	googleCode                                            string
	expires                                               time.Time
}

type code struct {
	clientID, redirectURI, challenge, scope, nonce string
	user                                           *core.User
	expires                                        time.Time
	used                                           bool
	sess                                           *session // what the code was exchanged for
}

type refTok struct {
	sess     *session
	user     *core.User
	clientID string
	scope    string
	expires  time.Time
	used     bool
}

type oauthFailure struct {
	code   string
	status int
}

// oauthError is an RFC 6749 §5.2 error.
type oauthError struct {
	status int
	code   string
	desc   string
}

func writeOAuthError(w http.ResponseWriter, e oauthError) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	if e.code == "invalid_client" && e.status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Basic realm="waooaw"`)
	}
	httpapi.WriteJSON(w, e.status, map[string]string{"error": e.code, "error_description": e.desc})
}

// Routes are the identity provider's routes: OAuth, OpenID Connect and the session endpoints.
func (a *Authority) Routes() []*httpapi.Route {
	return []*httpapi.Route{
		{Method: "GET", Pattern: "/.well-known/openid-configuration", Handle: a.discovery},
		{Method: "GET", Pattern: "/.well-known/jwks.json", Handle: a.jwks},
		{Method: "GET", Pattern: "/auth/google", Raw: a.authorize},
		{Method: "GET", Pattern: "/_mock/google/consent", Raw: a.consent},
		{Method: "GET", Pattern: "/auth/callback", Raw: a.callback},
		{Method: "POST", Pattern: "/auth/token", Raw: a.tokenEndpoint},
		{Method: "POST", Pattern: "/auth/revoke", Raw: a.revokeEndpoint},
		{Method: "POST", Pattern: "/auth/logout", Role: core.RoleViewer, Handle: a.logout},
		{Method: "GET", Pattern: "/auth/me", Role: core.RoleViewer, Handle: a.me},
	}
}

func (a *Authority) discovery(rc *httpapi.Request) (int, any, *core.Error) {
	iss := a.issuer
	return http.StatusOK, auth.Provider{
		Issuer:                            iss,
		AuthorizationEndpoint:             iss + "/auth/google",
		TokenEndpoint:                     iss + "/auth/token",
		RevocationEndpoint:                iss + "/auth/revoke",
		UserinfoEndpoint:                  iss + "/auth/me",
		JWKSURI:                           iss + "/.well-known/jwks.json",
		ResponseTypesSupported:            []string{"code"},
		GrantTypesSupported:               []string{"authorization_code", "refresh_token", "client_credentials"},
		CodeChallengeMethodsSupported:     []string{"S256"},
		IDTokenSigningAlgValuesSupported:  []string{"RS256", "EdDSA"},
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic", "client_secret_post", "none"},
		ScopesSupported:                   supportedScopes,
		SubjectTypesSupported:             []string{"public"},
	}, nil
}

// supportedScopes are the scopes the identity provider knows; any other
// is refused with invalid_scope.
var supportedScopes = []string{"openid", "email", "profile"}

// unknownScope returns the first scope of a space-separated list that the
// provider does not know, or "".
func unknownScope(scope string) string {
	for _, sc := range strings.Fields(scope) {
		if !slices.Contains(supportedScopes, sc) {
			return sc
		}
	}
	return ""
}

func scopeRefusal(sc string) oauthError {
	return oauthError{http.StatusBadRequest, "invalid_scope",
		"unknown scope " + strconv.Quote(sc) + ": use " + strings.Join(supportedScopes, ", ")}
}

// JWK is one public key of GET /.well-known/jwks.json: an Ed25519 key
// (kty OKP, crv and x; RFC 8037) or an RSA key (kty RSA, n and e; RFC 7518).
type JWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv,omitempty"`
	X   string `json:"x,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
}

func (a *Authority) jwks(rc *httpapi.Request) (int, any, *core.Error) {
	keys := []JWK{}
	b64 := base64.RawURLEncoding.EncodeToString
	for _, k := range a.publishedKeys(rc.Now) {
		pub := k.rsaKey().PublicKey
		keys = append(keys,
			JWK{Kty: "OKP", Crv: "Ed25519", X: b64(k.pub), Kid: k.kid, Use: "sig", Alg: "EdDSA"},
			JWK{Kty: "RSA", N: b64(pub.N.Bytes()), E: b64(big.NewInt(int64(pub.E)).Bytes()), Kid: k.rsaKid, Use: "sig", Alg: "RS256"})
	}
	rc.Header = http.Header{"Cache-Control": {"public, max-age=300"}}
	return http.StatusOK, map[string]any{"keys": keys}, nil
}

// publishedKeys are the keys whose tokens can still be alive: the current
// one and those rotated out less than a token's life ago, never retired ones.
func (a *Authority) publishedKeys(now time.Time) []*signingKey {
	a.mu.RLock()
	defer a.mu.RUnlock()
	var out []*signingKey
	for _, k := range a.keys {
		if k.retired.Load() || (!k.rotatedAt.IsZero() && !now.Before(k.rotatedAt.Add(AccessTokenTTL))) {
			continue
		}
		out = append(out, k)
	}
	return out
}

// sweepOAuth forgets expired logins, codes and refresh tokens once there
// are many, so a long-running mock server does not grow without bound;
// a.mu must be held.
func (a *Authority) sweepOAuth(now time.Time) {
	o := &a.oauth
	if len(o.logins)+len(o.codes)+len(o.refresh) < 4096 {
		return
	}
	for k, l := range o.logins {
		if !now.Before(l.expires) {
			delete(o.logins, k)
		}
	}
	for k, c := range o.codes {
		if !now.Before(c.expires) {
			delete(o.codes, k)
		}
	}
	for k, r := range o.refresh {
		if !now.Before(r.expires) || r.sess.revoked.Load() {
			delete(o.refresh, k)
		}
	}
}

// webRedirect reports whether raw is a redirect URI a web client may use:
// absolute http or https, with a host and no fragment (RFC 6749 §3.1.2).
func webRedirect(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.Fragment == "" && u.User == nil
}

// loopbackRedirect reports whether raw is an http redirect URI on a
// loopback host (RFC 8252 §7.3): exactly 127.0.0.1, [::1] or localhost.
func loopbackRedirect(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.User != nil || u.Fragment != "" || u.Opaque != "" {
		return false
	}
	host := u.Hostname()
	if host != "127.0.0.1" && host != "::1" && host != "localhost" {
		return false
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return false
		}
	}
	return u.Host == host || u.Host == net.JoinHostPort(host, u.Port()) || u.Host == "["+host+"]"
}

// authorize is GET /auth/google: checks the request, picks the user and
// sends the browser to the (mock) identity provider.
func (a *Authority) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	clientID, redirect, state := q.Get("client_id"), q.Get("redirect_uri"), q.Get("state")
	refuse := func(desc string) {
		writeOAuthError(w, oauthError{http.StatusBadRequest, "invalid_request", desc})
	}
	known := clientID == SDKClientID || clientID == ConsoleClientID
	switch {
	case redirect != "" && !known:
		if clientID == "" {
			refuse("client_id is required with a redirect_uri")
		} else {
			writeOAuthError(w, oauthError{http.StatusBadRequest, "unauthorized_client",
				"unknown client " + strconv.Quote(clientID) + ": use " + SDKClientID + " or " + ConsoleClientID})
		}
		return
	case redirect == "" && clientID != "" && clientID != SDKClientID:
		writeOAuthError(w, oauthError{http.StatusBadRequest, "unauthorized_client", "unknown client " + strconv.Quote(clientID)})
		return
	case redirect != "" && clientID == SDKClientID && !loopbackRedirect(redirect):
		refuse("redirect_uri must be http on 127.0.0.1, [::1] or localhost (RFC 8252)")
		return
	case redirect != "" && clientID == ConsoleClientID && !webRedirect(redirect):
		refuse("redirect_uri must be an absolute http or https URL with no fragment")
		return
	case state == "" && redirect != "":
		refuse("state is required")
		return
	case q.Get("response_type") != "" && q.Get("response_type") != "code":
		refuse("response_type must be code")
		return
	case redirect != "" && q.Get("code_challenge") == "":
		refuse("code_challenge is required (PKCE, S256)")
		return
	case q.Get("code_challenge") != "" && q.Get("code_challenge_method") != "S256":
		refuse("code_challenge_method must be S256")
		return
	case len(q.Get("nonce")) > maxNonce:
		refuse("nonce is longer than " + strconv.Itoa(maxNonce) + " bytes")
		return
	}
	if sc := unknownScope(q.Get("scope")); sc != "" {
		// RFC 6749 §4.1.2.1: a valid redirect URI hears the refusal.
		e := scopeRefusal(sc)
		if redirect != "" {
			http.Redirect(w, r, withQuery(redirect, "error", e.code, "error_description", e.desc, "state", state), http.StatusFound)
			return
		}
		writeOAuthError(w, e)
		return
	}
	if state == "" {
		// The platform's own browser flow (no client redirect URI): the
		// server makes the state, and /auth/callback answers the session.
		state = core.RandomID("st-")
	}
	now := a.clock.Now()
	a.mu.Lock()
	if f := a.oauth.failNext; f != nil {
		a.oauth.failNext = nil
		a.mu.Unlock()
		if redirect != "" {
			http.Redirect(w, r, withQuery(redirect, "error", f.code, "state", state), http.StatusFound)
			return
		}
		writeOAuthError(w, oauthError{f.status, f.code, "failure injected by POST /_mock/oauth/fail-next"})
		return
	}
	email := q.Get("login_hint")
	if email == "" && len(a.oauth.queued) > 0 {
		email, a.oauth.queued = a.oauth.queued[0], a.oauth.queued[1:]
	}
	a.mu.Unlock()
	if email == "" {
		email = core.AdminEmail
	}
	if !core.ValidEmail(email) {
		refuse("login_hint must be an email address")
		return
	}
	u := a.User(email)
	id := core.RandomID("login-")
	a.mu.Lock()
	a.sweepOAuth(now)
	a.oauth.logins[id] = &login{clientID: clientID, redirectURI: redirect, state: state,
		challenge: q.Get("code_challenge"), scope: q.Get("scope"), nonce: q.Get("nonce"), user: u, expires: now.Add(loginTTL)}
	a.mu.Unlock()
	http.Redirect(w, r, "/_mock/google/consent?login="+url.QueryEscape(id), http.StatusFound)
}

// consent plays Google: it approves at once and sends the browser back to
// the platform's callback with a code of its own.
func (a *Authority) consent(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("login")
	now := a.clock.Now()
	a.mu.Lock()
	l := a.oauth.logins[id]
	if l == nil || !now.Before(l.expires) {
		a.mu.Unlock()
		httpapi.WriteError(w, w.Header().Get("X-Request-Id"), core.Invalid("unknown or expired login: start again at /auth/google"))
		return
	}
	l.googleCode = core.RandomID("g-")
	gc := l.googleCode
	a.mu.Unlock()
	http.Redirect(w, r, "/auth/callback?"+url.Values{"code": {gc}, "state": {id}}.Encode(), http.StatusFound)
}

// callback is GET /auth/callback: the identity provider's answer. With the
// client's redirect URI it issues a code and redirects there; without one
// (the portal's own flow) it answers the session as JSON.
func (a *Authority) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	now := a.clock.Now()
	a.mu.Lock()
	l := a.oauth.logins[q.Get("state")]
	if l == nil || !now.Before(l.expires) || l.googleCode == "" ||
		subtle.ConstantTimeCompare([]byte(l.googleCode), []byte(q.Get("code"))) != 1 {
		a.mu.Unlock()
		httpapi.WriteError(w, w.Header().Get("X-Request-Id"), core.Invalid("unknown, used or expired login: start again at /auth/google"))
		return
	}
	delete(a.oauth.logins, q.Get("state"))
	if l.redirectURI != "" {
		c := core.RandomID("code-")
		a.oauth.codes[c] = &code{clientID: l.clientID, redirectURI: l.redirectURI, challenge: l.challenge,
			scope: l.scope, nonce: l.nonce, user: l.user, expires: now.Add(codeTTL)}
		a.mu.Unlock()
		http.Redirect(w, r, withQuery(l.redirectURI, "code", c, "state", l.state), http.StatusFound)
		return
	}
	a.mu.Unlock()
	tr, err := a.issue(l.user, l.user.Role, SDKClientID, l.scope, true)
	if err != nil {
		httpapi.WriteError(w, w.Header().Get("X-Request-Id"), core.Errorf(500, "internal", "issuing tokens: %v", err))
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, SessionResponse{
		AccessToken: tr.AccessToken, RefreshToken: tr.RefreshToken, TokenType: tr.TokenType,
		ExpiresIn: tr.ExpiresIn, State: l.state,
		User: SessionUser{Email: l.user.Email, Name: l.user.Name, Role: l.user.Role},
	})
}

// SessionResponse ends the portal's login flow (GET /auth/callback with no
// redirect URI).
type SessionResponse struct {
	AccessToken  string      `json:"access_token"`
	RefreshToken string      `json:"refresh_token"`
	TokenType    string      `json:"token_type"`
	ExpiresIn    int         `json:"expires_in"`
	State        string      `json:"state"`
	User         SessionUser `json:"user"`
}

// SessionUser is who signed in.
type SessionUser struct {
	Email string `json:"email"`
	Name  string `json:"name"`
	Role  string `json:"role"`
}

// OAuthToken is the answer of POST /auth/token.
type OAuthToken struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
	Scope        string `json:"scope,omitempty"`
}

// issue starts a session for u and answers its tokens.
func (a *Authority) issue(u *core.User, r, clientID, scope string, withRefresh bool) (OAuthToken, error) {
	sess := a.newSession(u.Sub)
	return a.issueIn(sess, u, r, clientID, scope, "", withRefresh)
}

// issueIn answers tokens of session sess; nonce, when set, goes into the
// ID token (OIDC Core 3.1.2.1).
func (a *Authority) issueIn(sess *session, u *core.User, r, clientID, scope, nonce string, withRefresh bool) (OAuthToken, error) {
	tok, _, err := a.mint(u, r, AccessTokenTTL, Audience, sess)
	if err != nil {
		return OAuthToken{}, err
	}
	out := OAuthToken{AccessToken: tok, TokenType: "Bearer", ExpiresIn: int(AccessTokenTTL / time.Second), Scope: scope}
	if withRefresh {
		rt := core.RandomID("rt-")
		a.mu.Lock()
		a.oauth.refresh[rt] = &refTok{sess: sess, user: u, clientID: clientID, scope: scope,
			expires: a.clock.Now().Add(refreshTTL)}
		a.mu.Unlock()
		out.RefreshToken = rt
	}
	if slices.Contains(strings.Fields(scope), "openid") {
		if out.IDToken, err = a.idToken(u, clientID, sess, nonce); err != nil {
			return OAuthToken{}, err
		}
	}
	return out, nil
}

// idToken signs an OpenID Connect ID token for u, audience the client:
// RS256 with the current RSA key, or EdDSA when a test asked for it.
func (a *Authority) idToken(u *core.User, clientID string, sess *session, nonce string) (string, error) {
	now := a.clock.Now()
	a.mu.RLock()
	k, alg := a.keys[len(a.keys)-1], a.idAlg
	a.mu.RUnlock()
	c := claims{Email: u.Email, Name: u.Name, Role: u.Role, SID: sess.id, Nonce: nonce, RegisteredClaims: jwt.RegisteredClaims{
		Issuer: a.issuer, Subject: u.Sub, Audience: jwt.ClaimStrings{clientID},
		ExpiresAt: jwt.NewNumericDate(now.Add(AccessTokenTTL)), IssuedAt: jwt.NewNumericDate(now),
	}}
	if alg == "EdDSA" {
		t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
		t.Header["kid"] = k.kid
		return t.SignedString(k.priv)
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	t.Header["kid"] = k.rsaKid
	return t.SignedString(k.rsaKey())
}

// tokenEndpoint is POST /auth/token.
func (a *Authority) tokenEndpoint(w http.ResponseWriter, r *http.Request) {
	if e, ok := a.parseForm(r); !ok {
		writeOAuthError(w, e)
		return
	}
	a.mu.Lock()
	f := a.oauth.failNext
	a.oauth.failNext = nil
	a.mu.Unlock()
	if f != nil {
		writeOAuthError(w, oauthError{f.status, f.code, "failure injected by POST /_mock/oauth/fail-next"})
		return
	}
	clientID, secret, basic := r.BasicAuth()
	if !basic {
		clientID, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	switch {
	case clientID == CIClientID:
		if subtle.ConstantTimeCompare([]byte(secret), []byte(CIClientSecret)) != 1 {
			writeOAuthError(w, oauthError{http.StatusUnauthorized, "invalid_client", "client authentication failed"})
			return
		}
	case clientID == ConsoleClientID:
		if subtle.ConstantTimeCompare([]byte(secret), []byte(ConsoleClientSecret)) != 1 {
			writeOAuthError(w, oauthError{http.StatusUnauthorized, "invalid_client", "client authentication failed"})
			return
		}
	case clientID == SDKClientID:
		if secret != "" {
			writeOAuthError(w, oauthError{http.StatusUnauthorized, "invalid_client", SDKClientID + " is a public client: send no secret"})
			return
		}
	default:
		writeOAuthError(w, oauthError{http.StatusUnauthorized, "invalid_client", "unknown client " + strconv.Quote(clientID)})
		return
	}
	var (
		out OAuthToken
		e   *oauthError
	)
	switch gt := r.PostForm.Get("grant_type"); gt {
	case "authorization_code":
		out, e = a.grantCode(r, clientID)
	case "refresh_token":
		out, e = a.grantRefresh(r, clientID)
	case "client_credentials":
		if clientID != CIClientID {
			e = &oauthError{http.StatusBadRequest, "unauthorized_client", "client_credentials is for confidential clients such as " + CIClientID}
			break
		}
		if sc := unknownScope(r.PostForm.Get("scope")); sc != "" {
			e = new(scopeRefusal(sc))
			break
		}
		u := a.User(ciEmail)
		var err error
		if out, err = a.issue(u, "operator", clientID, r.PostForm.Get("scope"), false); err != nil {
			e = &oauthError{500, "server_error", err.Error()}
		}
	case "":
		e = &oauthError{http.StatusBadRequest, "invalid_request", "grant_type is required"}
	default:
		e = &oauthError{http.StatusBadRequest, "unsupported_grant_type", "unsupported grant_type " + strconv.Quote(gt)}
	}
	if e != nil {
		writeOAuthError(w, *e)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpapi.WriteJSON(w, http.StatusOK, out)
}

// parseForm reads an application/x-www-form-urlencoded body (at most 1 MiB).
func (a *Authority) parseForm(r *http.Request) (oauthError, bool) {
	ct := r.Header.Get("Content-Type")
	if !strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
		return oauthError{http.StatusBadRequest, "invalid_request", "send the parameters as application/x-www-form-urlencoded"}, false
	}
	r.Body = http.MaxBytesReader(nil, r.Body, httpapi.MaxBody)
	if err := r.ParseForm(); err != nil {
		return oauthError{http.StatusBadRequest, "invalid_request", "malformed form body"}, false
	}
	for k, vs := range r.PostForm {
		if len(vs) > 1 {
			return oauthError{http.StatusBadRequest, "invalid_request", "parameter " + k + " is repeated"}, false
		}
	}
	return oauthError{}, true
}

func (a *Authority) grantCode(r *http.Request, clientID string) (OAuthToken, *oauthError) {
	f := r.PostForm
	if f.Get("code") == "" {
		return OAuthToken{}, &oauthError{http.StatusBadRequest, "invalid_request", "code is required with grant_type authorization_code"}
	}
	now := a.clock.Now()
	a.mu.Lock()
	c := a.oauth.codes[f.Get("code")]
	bad := func(desc string) (OAuthToken, *oauthError) {
		a.mu.Unlock()
		return OAuthToken{}, &oauthError{http.StatusBadRequest, "invalid_grant", desc}
	}
	switch {
	case c == nil:
		return bad("unknown authorization code")
	case c.used:
		// RFC 6749 §4.1.2: someone else has the code; what it bought goes.
		c.sess.revoked.Store(true)
		return bad("the authorization code was already used: the tokens it was exchanged for are revoked")
	case !now.Before(c.expires):
		return bad("the authorization code has expired")
	case c.clientID != clientID:
		return bad("the authorization code was issued to another client")
	case c.redirectURI != f.Get("redirect_uri"):
		return bad("redirect_uri does not match the authorization request")
	case c.challenge != "" && !pkceMatches(c.challenge, f.Get("code_verifier")):
		return bad("code_verifier does not match the code_challenge")
	}
	c.used = true
	// The session exists before the lock is let go, so a replay racing
	// this exchange still revokes it.
	c.sess = &session{id: core.RandomID("ses-"), sub: c.user.Sub}
	a.addSession(c.sess)
	a.mu.Unlock()
	out, err := a.issueIn(c.sess, c.user, c.user.Role, clientID, c.scope, c.nonce, true)
	if err != nil {
		return OAuthToken{}, &oauthError{500, "server_error", err.Error()}
	}
	return out, nil
}

// pkceMatches checks an S256 code verifier against its challenge.
func pkceMatches(challenge, verifier string) bool {
	if len(verifier) < 43 || len(verifier) > 128 {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	return subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(challenge)) == 1
}

// grantRefresh rotates a refresh token. Reusing a rotated token revokes
// the whole session: someone has a copy.
func (a *Authority) grantRefresh(r *http.Request, clientID string) (OAuthToken, *oauthError) {
	now := a.clock.Now()
	a.mu.Lock()
	rt := a.oauth.refresh[r.PostForm.Get("refresh_token")]
	bad := func(desc string) (OAuthToken, *oauthError) {
		a.mu.Unlock()
		return OAuthToken{}, &oauthError{http.StatusBadRequest, "invalid_grant", desc}
	}
	switch {
	case rt == nil:
		return bad("unknown refresh token")
	case rt.used:
		rt.sess.revoked.Store(true)
		return bad("the refresh token was already used: the session is revoked, sign in again")
	case rt.sess.revoked.Load():
		return bad("the session was revoked: sign in again")
	case !now.Before(rt.expires):
		return bad("the refresh token has expired: sign in again")
	case rt.clientID != clientID:
		return bad("the refresh token was issued to another client")
	}
	rt.used = true
	a.mu.Unlock()
	u := a.User(rt.user.Email) // the role may have changed since
	out, err := a.issueIn(rt.sess, u, u.Role, clientID, rt.scope, "", true)
	if err != nil {
		return OAuthToken{}, &oauthError{500, "server_error", err.Error()}
	}
	return out, nil
}

// revokeEndpoint is POST /auth/revoke (RFC 7009): it revokes the session of
// a refresh or access token and answers 200 whatever the token.
func (a *Authority) revokeEndpoint(w http.ResponseWriter, r *http.Request) {
	if e, ok := a.parseForm(r); !ok {
		writeOAuthError(w, e)
		return
	}
	tok := r.PostForm.Get("token")
	if tok == "" {
		writeOAuthError(w, oauthError{http.StatusBadRequest, "invalid_request", "token is required"})
		return
	}
	a.mu.Lock()
	if rt := a.oauth.refresh[tok]; rt != nil {
		rt.sess.revoked.Store(true)
	}
	a.mu.Unlock()
	if p, err := a.verify(tok); err == nil {
		p.sess.revoked.Store(true)
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

func (a *Authority) logout(rc *httpapi.Request) (int, any, *core.Error) {
	if len(rc.Body) > 0 {
		if e := rc.DecodeOptional(&struct{}{}); e != nil {
			return 0, nil, e
		}
	}
	a.revoke(rc.Who.Session)
	return http.StatusNoContent, nil, nil
}

func (a *Authority) me(rc *httpapi.Request) (int, any, *core.Error) {
	p := rc.Who
	return http.StatusOK, auth.UserInfo{Subject: p.Sub, Email: p.Email, Name: p.Name, Role: auth.Role(p.Role.String()),
		SessionID: p.Session, ExpiresAt: p.Expires.UTC()}, nil
}

// withQuery adds parameters to a URL (which may have a query already).
func withQuery(raw string, kv ...string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	u.RawQuery = q.Encode()
	return u.String()
}
