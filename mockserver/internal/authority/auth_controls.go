package authority

import (
	"net/http"
	"slices"
	"unicode/utf8"

	"github.com/waooaw/waooaw-go/mockserver/internal/core"
	"github.com/waooaw/waooaw-go/mockserver/internal/httpapi"
)

func (a *Authority) sessionExists(rc *httpapi.Request) *core.Error {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.sessions[rc.Param("sid")] == nil {
		return core.NotFound("session %q not found", rc.Param("sid"))
	}
	return nil
}

func (a *Authority) keyExists(rc *httpapi.Request) *core.Error {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.keyByID(rc.Param("kid")) == nil {
		return core.NotFound("key %q not found", rc.Param("kid"))
	}
	return nil
}

// authControlRoutes are the sign-in test controls (api/mock.yaml).
func (a *Authority) ControlRoutes() []*httpapi.Route {
	return []*httpapi.Route{
		{Method: "POST", Pattern: "/_mock/users", Handle: a.addUserControl},
		{Method: "POST", Pattern: "/_mock/logins", Handle: a.queueLoginControl},
		{Method: "POST", Pattern: "/_mock/sessions/{sid}/revoke", Handle: a.revokeSessionControl, Lookup: a.sessionExists},
		{Method: "POST", Pattern: "/_mock/keys/rotate", Handle: a.rotateKeyControl},
		{Method: "POST", Pattern: "/_mock/keys/{kid}/retire", Handle: a.retireKeyControl, Lookup: a.keyExists},
		{Method: "POST", Pattern: "/_mock/oauth/fail-next", Handle: a.failNextControl},
		{Method: "POST", Pattern: "/_mock/oauth/id-token-alg", Handle: a.idTokenAlgControl},
	}
}

func (a *Authority) addUserControl(rc *httpapi.Request) (int, any, *core.Error) {
	var req struct {
		Email string `json:"email"`
		Name  string `json:"name"`
		Role  string `json:"role"`
	}
	if e := rc.Decode(&req); e != nil {
		return 0, nil, e
	}
	if !core.ValidEmail(req.Email) {
		return 0, nil, core.InvalidField("email", "must be an email address")
	}
	if req.Name == "" || utf8.RuneCountInString(req.Name) > 200 {
		return 0, nil, core.InvalidField("name", "is required (at most 200 characters)")
	}
	if _, ok := core.ParseRole(req.Role); !ok {
		return 0, nil, core.InvalidField("role", "must be viewer, operator or admin")
	}
	return http.StatusCreated, a.AddUser(req.Email, req.Name, req.Role), nil
}

// AddUser adds (or replaces) a user who can sign in.
func (a *Authority) AddUser(email, name, role string) core.User {
	return *a.addUser(email, name, role)
}

// QueueLogin makes the next browser login without a login_hint sign in as
// email (a known user, or a new one).
func (a *Authority) QueueLogin(email string) {
	a.mu.Lock()
	a.oauth.queued = append(a.oauth.queued, email)
	a.mu.Unlock()
}

func (a *Authority) queueLoginControl(rc *httpapi.Request) (int, any, *core.Error) {
	var req struct {
		Email string `json:"email"`
	}
	if e := rc.Decode(&req); e != nil {
		return 0, nil, e
	}
	if !core.ValidEmail(req.Email) {
		return 0, nil, core.InvalidField("email", "must be an email address")
	}
	a.QueueLogin(req.Email)
	return http.StatusNoContent, nil, nil
}

// RevokeSession revokes a session (the sid claim): its access and refresh
// tokens stop working at once. It reports whether the session exists.
func (a *Authority) RevokeSession(sid string) bool {
	return a.revoke(sid)
}

func (a *Authority) revokeSessionControl(rc *httpapi.Request) (int, any, *core.Error) {
	if e := rc.DecodeOptional(&struct{}{}); e != nil {
		return 0, nil, e
	}
	if !a.RevokeSession(rc.Param("sid")) {
		return 0, nil, core.NotFound("session %q not found", rc.Param("sid"))
	}
	return http.StatusNoContent, nil, nil
}

// RotateKey makes a new key generation current (an Ed25519 and an RSA
// key) and returns the Ed25519 key's id, the kid of new access tokens. The
// old public keys stay published while tokens they signed can live.
func (a *Authority) RotateKey() string {
	k := newKey()
	now := a.clock.Now()
	a.mu.Lock()
	a.keys[len(a.keys)-1].rotatedAt = now
	a.keys = append(a.keys, k)
	a.mu.Unlock()
	return k.kid
}

func (a *Authority) rotateKeyControl(rc *httpapi.Request) (int, any, *core.Error) {
	if e := rc.DecodeOptional(&struct{}{}); e != nil {
		return 0, nil, e
	}
	kid := a.RotateKey()
	a.mu.RLock()
	rsaKid := a.keyByID(kid).rsaKid
	a.mu.RUnlock()
	return http.StatusOK, map[string]string{"kid": kid, "rsa_kid": rsaKid}, nil
}

// SetIDTokenAlg chooses how new ID tokens are signed: "RS256" (the
// default, with the RSA key of the JWKS) or "EdDSA" (with the Ed25519 key,
// as access tokens are). POST /_mock/reset goes back to RS256.
func (a *Authority) SetIDTokenAlg(alg string) error {
	if alg != "RS256" && alg != "EdDSA" {
		return core.InvalidField("alg", "must be RS256 or EdDSA")
	}
	a.mu.Lock()
	a.idAlg = alg
	a.mu.Unlock()
	return nil
}

func (a *Authority) idTokenAlgControl(rc *httpapi.Request) (int, any, *core.Error) {
	var req struct {
		Alg string `json:"alg"`
	}
	if e := rc.Decode(&req); e != nil {
		return 0, nil, e
	}
	if err := a.SetIDTokenAlg(req.Alg); err != nil {
		return 0, nil, err.(*core.Error)
	}
	return http.StatusNoContent, nil, nil
}

// RetireKey drops a key generation at once, named by either of its key
// ids: tokens its keys signed are refused from now on. The current one
// cannot be retired; rotate first.
func (a *Authority) RetireKey(kid string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	i := slices.IndexFunc(a.keys, func(k *signingKey) bool { return k.has(kid) })
	switch {
	case i < 0:
		return core.NotFound("key %q not found", kid)
	case i == len(a.keys)-1:
		return core.Conflict("key %q signs new tokens: rotate first (POST /_mock/keys/rotate)", kid)
	}
	a.keys[i].retired.Store(true)
	return nil
}

func (a *Authority) retireKeyControl(rc *httpapi.Request) (int, any, *core.Error) {
	if e := rc.DecodeOptional(&struct{}{}); e != nil {
		return 0, nil, e
	}
	if err := a.RetireKey(rc.Param("kid")); err != nil {
		return 0, nil, err.(*core.Error)
	}
	return http.StatusNoContent, nil, nil
}

// oauthErrorCodes are the errors fail-next can inject, with their status.
var oauthErrorCodes = map[string]int{
	"invalid_request": 400, "invalid_client": 401, "invalid_grant": 400, "unauthorized_client": 400,
	"unsupported_grant_type": 400, "invalid_scope": 400, "access_denied": 403,
	"server_error": 500, "temporarily_unavailable": 503,
}

// FailNextOAuth makes the next OAuth step (GET /auth/google or
// POST /auth/token) fail with the RFC 6749 error code and status (0 for
// the code's usual status).
func (a *Authority) FailNextOAuth(code string, status int) error {
	def, ok := oauthErrorCodes[code]
	if !ok {
		return core.InvalidField("error", "must be an RFC 6749 error code such as invalid_grant or temporarily_unavailable")
	}
	if status == 0 {
		status = def
	}
	if status < 400 || status > 599 {
		return core.InvalidField("status", "must be from 400 to 599")
	}
	a.mu.Lock()
	a.oauth.failNext = &oauthFailure{code: code, status: status}
	a.mu.Unlock()
	return nil
}

func (a *Authority) failNextControl(rc *httpapi.Request) (int, any, *core.Error) {
	var req struct {
		Error  string `json:"error"`
		Status int    `json:"status,omitempty"`
	}
	if e := rc.Decode(&req); e != nil {
		return 0, nil, e
	}
	if err := a.FailNextOAuth(req.Error, req.Status); err != nil {
		return 0, nil, err.(*core.Error)
	}
	return http.StatusNoContent, nil, nil
}
