package server_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/waooaw/waooaw-go/internal/apitest"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/mockserver/internal/mocktest"
)

// controlsWalkRoutes are the test controls of api/mock.yaml's "auth
// controls" and "faults/journal/seed controls" that
// TestControlsContractWalk drives through every documented answer.
var controlsWalkRoutes = []string{
	"POST /_mock/users",
	"POST /_mock/logins",
	"GET /_mock/google/consent",
	"POST /_mock/sessions/{sid}/revoke",
	"POST /_mock/keys/rotate",
	"POST /_mock/keys/{kid}/retire",
	"POST /_mock/oauth/fail-next",
	"POST /_mock/faults",
	"DELETE /_mock/faults",
	"GET /_mock/journal",
}

// controlsServerBugs are documented answers the server does not give yet,
// with the reason. The walk probes each one and drives it as soon as the
// server gives it; then take the entry out.
var controlsServerBugs = map[string]string{}

// TestControlsContractWalk drives the sign-in, fault and journal controls
// through their success and failure answers with plain HTTP, on servers
// whose every answer is validated against the contract (apitest.Start),
// checks that each control does what api/mock.yaml says, and then checks
// that the walk has seen every documented answer of those routes.
func TestControlsContractWalk(t *testing.T) {
	t.Parallel()
	cov := apitest.NewCoverage()
	steps := []struct {
		name string
		walk func(t *testing.T, ts *mockserver.TestServer)
	}{
		{"users", ctlWalkUsers},
		{"logins", ctlWalkLogins},
		{"consent", ctlWalkConsent},
		{"sessions", ctlWalkSessions},
		{"keys", ctlWalkKeys},
		{"fail-next", ctlWalkFailNext},
		{"faults", ctlWalkFaults},
		{"journal", ctlWalkJournal},
	}
	t.Run("steps", func(t *testing.T) {
		for _, s := range steps {
			t.Run(s.name, func(t *testing.T) {
				t.Parallel()
				s.walk(t, apitest.Start(t, cov.Option()))
			})
		}
	})

	var missing []string
	for _, m := range cov.Missing(t, controlsWalkRoutes...) {
		if controlsServerBugs[m] == "" {
			missing = append(missing, m)
		}
	}
	if len(missing) > 0 {
		t.Errorf("documented answers the walk never saw (provoke them, or list them in controlsServerBugs with the reason):\n  %s",
			strings.Join(missing, "\n  "))
	}
}

// ctlNoFollow GETs path and stops at a redirect.
func ctlNoFollow(t *testing.T, ts *mockserver.TestServer, path string) mocktest.Answer {
	t.Helper()
	c := *ts.HTTPClient()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Header.Get("X-Request-Id") == "" {
		t.Errorf("GET %s: no X-Request-Id", path)
	}
	return mocktest.Answer{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
}

// ctlRedirect GETs path, wants 302 and returns its Location.
func ctlRedirect(t *testing.T, ts *mockserver.TestServer, path string) string {
	t.Helper()
	a := ctlNoFollow(t, ts, path)
	if a.Status != http.StatusFound {
		t.Fatalf("GET %s: status %d, want 302: %s", path, a.Status, a.Raw)
	}
	return a.Header.Get("Location")
}

// ctlUser is the user of a portal sign-in.
type ctlUser struct {
	Email string `json:"email"`
	Name  string `json:"name"`
	Role  string `json:"role"`
}

// ctlLogin signs in through the portal's flow (GET /auth/google without a
// redirect URI, the mock Google's consent, GET /auth/callback), every step
// validated, with login_hint when hint is not empty, and returns the user.
func ctlLogin(t *testing.T, ts *mockserver.TestServer, hint string) ctlUser {
	t.Helper()
	q := url.Values{"state": {"st-walk"}}
	if hint != "" {
		q.Set("login_hint", hint)
	}
	consent := ctlRedirect(t, ts, "/auth/google?"+q.Encode())
	if !strings.HasPrefix(consent, "/_mock/google/consent?login=") {
		t.Fatalf("GET /auth/google went to %q, want the consent page", consent)
	}
	callback := ctlRedirect(t, ts, consent)
	if !strings.HasPrefix(callback, "/auth/callback?") {
		t.Fatalf("the consent page went to %q, want /auth/callback", callback)
	}
	var s struct {
		State string  `json:"state"`
		User  ctlUser `json:"user"`
	}
	mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: callback}, 200, "").Decode(t, &s)
	if s.State != "st-walk" {
		t.Errorf("session state %q, want st-walk", s.State)
	}
	return s.User
}

func ctlWalkUsers(t *testing.T, ts *mockserver.TestServer) {
	var u mockserver.User
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/users",
		Body: `{"email":"Dana@Example.com","name":"Dana Dev","role":"admin"}`}, 201, "").Decode(t,
		&u)

	if u.Email != "dana@example.com" || u.Name != "Dana Dev" || u.Role != "admin" || u.Sub == "" {
		t.Errorf("added user = %+v, want dana@example.com, Dana Dev, admin and a sub", u)
	}
	if got, want := ctlLogin(t, ts, "dana@example.com"), (ctlUser{"dana@example.com", "Dana Dev", "admin"}); got != want {
		t.Errorf("sign-in as the added user = %+v, want %+v", got, want)
	}

	// The same email replaces the user, keeping its sub.
	var again mockserver.User
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/users",
		Body: `{"email":"dana@example.com","name":"Dana D.","role":"viewer"}`}, 201, "").Decode(t,
		&again)

	if again.Sub != u.Sub {
		t.Errorf("replaced user's sub %q, want the first one's %q", again.Sub, u.Sub)
	}
	want := ctlUser{"dana@example.com", "Dana D.", "viewer"}
	if got := ctlLogin(t, ts, "DANA@example.com"); got != want {
		t.Errorf("sign-in after the replacement = %+v, want %+v", got, want)
	}

	mocktest.Refuse(t, ts, "POST", "/_mock/users",
		"", `{}`, `[]`, `{`, `null`,
		`{"name":"Dana D.","role":"admin"}`,
		`{"email":"dana@example.com","role":"admin"}`,
		`{"email":"dana@example.com","name":"Dana D."}`,
		`{"email":"dana@example.com","name":"Dana D.","role":"root"}`,
		`{"email":"dana","name":"Dana D.","role":"admin"}`,
		`{"email":"da na@example.com","name":"Dana D.","role":"admin"}`,
		`{"email":"dänä@example.com","name":"Dana D.","role":"admin"}`,
		`{"email":"a@b@example.com","name":"Dana D.","role":"admin"}`,
		`{"email":"dana@example.com","name":"","role":"admin"}`,
		`{"email":"dana@example.com","name":"`+strings.Repeat("n", 201)+`","role":"admin"}`,
		`{"email":"dana@example.com","name":7,"role":"admin"}`,
		`{"email":"dana@example.com","name":"Dana D.","role":"admin","team":"ops"}`,
	)
	if got := ctlLogin(t, ts, "dana@example.com"); got != want {
		t.Errorf("refused bodies changed the user to %+v, want %+v", got, want)
	}
}

func ctlWalkLogins(t *testing.T, ts *mockserver.TestServer) {
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/logins", Body: `{"email":"queued@example.com"}`}, 204, "")
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/logins", Body: `{"email":"Second@WAOOAW.ai"}`}, 204, "")

	// A login with a hint leaves the queue alone; the others take it in
	// order, then sign in the default admin.
	for _, c := range []struct {
		hint string
		want ctlUser
	}{
		{mockserver.ViewerEmail, ctlUser{mockserver.ViewerEmail, "Vera Viewer", "viewer"}},
		{"", ctlUser{"queued@example.com", "queued", "viewer"}},
		{"", ctlUser{"second@waooaw.ai", "second", "operator"}},
		{"", ctlUser{mockserver.AdminEmail, "Ada Admin", "admin"}},
	} {
		if got := ctlLogin(t, ts, c.hint); got != c.want {
			t.Errorf("sign-in with hint %q = %+v, want %+v", c.hint, got, c.want)
		}
	}

	mocktest.Refuse(t, ts, "POST", "/_mock/logins",
		"", `{}`, `[]`, `{`, `{"email":""}`, `{"email":"nobody"}`, `{"email":"@example.com"}`,
		`{"email":"nobody@"}`, `{"email":7}`, `{"email":"queued@example.com","role":"admin"}`)
	if got := ctlLogin(t, ts, ""); got.Email != mockserver.AdminEmail {
		t.Errorf("refused bodies queued a login: signed in as %s, want %s", got.Email, mockserver.AdminEmail)
	}
}

func ctlWalkConsent(t *testing.T, ts *mockserver.TestServer) {
	for _, q := range []string{"", "?login=", "?login=login-nope"} {
		mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/_mock/google/consent" + q}, 400, "invalid_argument")
	}

	// Approved at once: back to the callback with a code and the login id.
	consent := ctlRedirect(t, ts, "/auth/google?state=st-once")
	cu, err := url.Parse(consent)
	if err != nil {
		t.Fatal(err)
	}
	callback := ctlRedirect(t, ts, consent)
	u, err := url.Parse(callback)
	if err != nil {
		t.Fatal(err)
	}
	if u.Path != "/auth/callback" || u.Query().Get("code") == "" || u.Query().Get("state") != cu.Query().Get("login") {
		t.Errorf("consent went to %q, want /auth/callback with a code and state=%s", callback, cu.Query().Get("login"))
	}
	mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: callback}, 200, "")
	// The callback ended the login.
	mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: consent}, 400, "invalid_argument")

	// A login lives 10 minutes on the server's clock.
	consent = ctlRedirect(t, ts, "/auth/google?state=st-late")
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/clock/advance", Body: `{"seconds":600}`}, 200, "")
	mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: consent}, 400, "invalid_argument")
}

// ctlSessionID is the session (sid) of an access token, from GET /auth/me.
func ctlSessionID(t *testing.T, ts *mockserver.TestServer, tok string) string {
	t.Helper()
	var me struct {
		SessionID string `json:"session_id"`
	}
	mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/auth/me", Token: tok}, 200, "").Decode(t, &me)
	if me.SessionID == "" {
		t.Fatal("GET /auth/me: no session_id")
	}
	return me.SessionID
}

// ctlRefused wants tok refused with an invalid_token challenge.
func ctlRefused(t *testing.T, ts *mockserver.TestServer, tok, why string) {
	t.Helper()
	a := mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents/wow-memory", Token: tok}, 401, "unauthenticated")
	if ch := a.Header.Get("WWW-Authenticate"); !strings.Contains(ch, `error="invalid_token"`) {
		t.Errorf("%s: WWW-Authenticate %q, want an invalid_token challenge", why, ch)
	}
}

func ctlWalkSessions(t *testing.T, ts *mockserver.TestServer) {
	var tok mockserver.TokenResponse
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/tokens",
		Body: `{"email":"ops@waooaw.ai","role":"operator"}`}, 200, "").Decode(t,
		&tok)

	other := mocktest.Token(t, ts, mockserver.OperatorEmail, "operator") // another session of the same user
	sid, otherSID := ctlSessionID(t, ts, tok.AccessToken), ctlSessionID(t, ts, other)
	if sid == otherSID {
		t.Fatalf("two tokens share the session %s", sid)
	}

	revoke := func(sid string) string { return "/_mock/sessions/" + url.PathEscape(sid) + "/revoke" }
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: revoke(sid)}, 204, "")
	ctlRefused(t, ts, tok.AccessToken, "a token of a revoked session")
	mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents/wow-memory", Token: other}, 200, "")
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: revoke(sid), Body: `{}`}, 204, "")

	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: revoke("ses-nope")}, 404, "not_found")
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/sessions/bad%20id/revoke"}, 400, "invalid_argument")
	mocktest.Refuse(t, ts, "POST", revoke(otherSID), `{"now":true}`, `{`, `[]`, `null`)
	mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents/wow-memory", Token: other}, 200, "")

	// A reset forgets every session.
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/reset"}, 204, "")
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: revoke(otherSID)}, 404, "not_found")
}

// ctlKids are the kids of GET /.well-known/jwks.json, sorted.
func ctlKids(t *testing.T, ts *mockserver.TestServer) []string {
	t.Helper()
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
			Kty string `json:"kty"`
		} `json:"keys"`
	}
	mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/.well-known/jwks.json"}, 200, "").Decode(t, &set)
	var kids []string
	for _, k := range set.Keys {
		// The Ed25519 keys, which sign access tokens; each generation's RSA
		// key (ID tokens) is checked in internal/authority/keys_rsa_test.go.
		if k.Kty == "OKP" {
			kids = append(kids, k.Kid)
		}
	}
	slices.Sort(kids)
	return kids
}

// ctlKidOf is the kid of a JWT's header.
func ctlKidOf(t *testing.T, tok string) string {
	t.Helper()
	head, _, _ := strings.Cut(tok, ".")
	raw, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		t.Fatalf("token header: %v", err)
	}
	var h struct {
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatalf("token header: %v", err)
	}
	return h.Kid
}

func ctlWalkKeys(t *testing.T, ts *mockserver.TestServer) {
	retire := func(kid string) string { return "/_mock/keys/" + url.PathEscape(kid) + "/retire" }
	get := func(tok string) mocktest.Call {
		return mocktest.Call{Method: "GET", Path: "/api/platform/agents/wow-memory", Token: tok}
	}

	start := ctlKids(t, ts)
	if len(start) != 1 {
		t.Fatalf("a new server publishes %v, want one key", start)
	}
	first := start[0]
	tokFirst := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	if kid := ctlKidOf(t, tokFirst); kid != first {
		t.Fatalf("a token signed with %q, want the published %q", kid, first)
	}

	// The current key cannot be retired.
	c := mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: retire(first)}, 409, "conflict")
	if !strings.Contains(string(c.Raw), "rotate") {
		t.Errorf("retiring the current key: %s; want the message to say rotate first", c.Raw)
	}

	var rk struct {
		Kid string `json:"kid"`
	}
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/keys/rotate"}, 200, "").Decode(t, &rk)
	second := rk.Kid
	if second == "" || second == first {
		t.Fatalf("rotate answered kid %q after %q", second, first)
	}
	if got, want := ctlKids(t, ts), slices.Sorted(slices.Values([]string{first, second})); !slices.Equal(got, want) {
		t.Errorf("after a rotation JWKS has %v, want %v", got, want)
	}
	tokSecond := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	if kid := ctlKidOf(t, tokSecond); kid != second {
		t.Errorf("a token after the rotation is signed with %q, want %q", kid, second)
	}
	mocktest.Expect(t, ts, get(tokFirst), 200, "") // the old key still verifies its tokens

	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: retire(first)}, 204, "")
	ctlRefused(t, ts, tokFirst, "a token of a retired key")
	mocktest.Expect(t, ts, get(tokSecond), 200, "")
	if got := ctlKids(t, ts); !slices.Equal(got, []string{second}) {
		t.Errorf("after retiring %s JWKS has %v, want only %s", first, got, second)
	}
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: retire(first), Body: `{}`}, 204, "")
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: retire(second)}, 409, "conflict")

	var rk3 struct {
		Kid string `json:"kid"`
	}
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/keys/rotate", Body: `{}`}, 200, "").Decode(t, &rk3)
	third := rk3.Kid
	if third == "" || third == second || third == first {
		t.Fatalf("the second rotation answered kid %q", third)
	}

	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: retire("key-000000000000")}, 404, "not_found")
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/keys/bad%20id/retire"}, 400, "invalid_argument")
	// Refused bodies neither rotate nor retire.
	mocktest.Refuse(t, ts, "POST", "/_mock/keys/rotate", `{"alg":"RS256"}`, `{`, `[]`)
	mocktest.Refuse(t, ts, "POST", retire(second), `{"now":true}`, `{`, `[]`)
	if got, want := ctlKids(t, ts), slices.Sorted(slices.Values([]string{second, third})); !slices.Equal(got, want) {
		t.Errorf("after refused rotations and retirements JWKS has %v, want %v", got, want)
	}
	mocktest.Expect(t, ts, get(tokSecond), 200, "")
}

// ctlOAuthError is the error of an RFC 6749 §5.2 body.
func ctlOAuthError(t *testing.T, a mocktest.Answer) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	a.Decode(t, &e)
	return e.Error
}

func ctlWalkFailNext(t *testing.T, ts *mockserver.TestServer) {
	failNext := func(body string) {
		t.Helper()
		mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/oauth/fail-next", Body: body}, 204, "")
	}

	// Without a redirect URI the failure is answered with the code's usual
	// status; the next login works again.
	failNext(`{"error":"temporarily_unavailable"}`)
	a := ctlNoFollow(t, ts, "/auth/google?state=st-1")
	if a.Status != 503 || ctlOAuthError(t, a) != "temporarily_unavailable" {
		t.Errorf("GET /auth/google after fail-next: %d %s, want 503 temporarily_unavailable", a.Status, a.Raw)
	}
	ctlRedirect(t, ts, "/auth/google?state=st-2")

	// A second fail-next replaces the first; status overrides the usual one.
	failNext(`{"error":"server_error"}`)
	failNext(`{"error":"invalid_grant","status":401}`)
	a = ctlNoFollow(t, ts, "/auth/google?state=st-3")
	if a.Status != 401 || ctlOAuthError(t, a) != "invalid_grant" {
		t.Errorf("GET /auth/google after two fail-nexts: %d %s, want 401 invalid_grant", a.Status, a.Raw)
	}
	ctlRedirect(t, ts, "/auth/google?state=st-4")

	// With a redirect URI the browser goes back to the client with error
	// and state.
	failNext(`{"error":"access_denied","status":403}`)
	loc := ctlRedirect(t, ts, "/auth/google?"+url.Values{
		"client_id":             {mockserver.SDKClientID},
		"redirect_uri":          {"http://127.0.0.1:9/cb"},
		"state":                 {"st-5"},
		"code_challenge":        {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"},
		"code_challenge_method": {"S256"},
	}.Encode())
	if u, err := url.Parse(loc); err != nil || u.Host != "127.0.0.1:9" || u.Path != "/cb" ||
		u.Query().Get("error") != "access_denied" || u.Query().Get("state") != "st-5" {
		t.Errorf("GET /auth/google with a redirect URI after fail-next went to %q, want http://127.0.0.1:9/cb?error=access_denied&state=st-5", loc)
	}

	// POST /auth/token takes it too.
	form := mocktest.Call{Method: "POST", Path: "/auth/token",
		Body:   url.Values{"grant_type": {"client_credentials"}, "client_id": {mockserver.CIClientID}, "client_secret": {mockserver.CIClientSecret}}.Encode(),
		Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}
	failNext(`{"error":"invalid_client"}`)
	if a := mocktest.Expect(t, ts, form, 401, ""); ctlOAuthError(t, a) != "invalid_client" {
		t.Errorf("POST /auth/token after fail-next: %s, want invalid_client", a.Raw)
	}
	mocktest.Expect(t, ts, form, 200, "")

	mocktest.Refuse(t, ts, "POST", "/_mock/oauth/fail-next",
		"", `{}`, `[]`, `{`, `{"error":"nope"}`, `{"error":7}`,
		`{"error":"invalid_grant","status":399}`, `{"error":"invalid_grant","status":600}`,
		`{"error":"invalid_grant","status":-1}`, `{"error":"invalid_grant","status":"500"}`,
		`{"error":"invalid_grant","after":2}`)
	ctlRedirect(t, ts, "/auth/google?state=st-6") // refused bodies left no failure behind
}

// ctlFault adds a fault over HTTP and returns its id.
func ctlFault(t *testing.T, ts *mockserver.TestServer, body string) string {
	t.Helper()
	var f struct {
		ID string `json:"id"`
	}
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/faults", Body: body}, 201, "").Decode(t, &f)
	if f.ID == "" {
		t.Fatalf("POST /_mock/faults %s: no id", body)
	}
	return f.ID
}

func ctlWalkFaults(t *testing.T, ts *mockserver.TestServer) {
	viewer := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	get := func(path string) mocktest.Call { return mocktest.Call{Method: "GET", Path: path, Token: viewer} }

	// Two firings, on one path segment of any value, GET only; before
	// authentication.
	id1 := ctlFault(t, ts, `{"method":"get","path":"/api/platform/agents/*","status":503,"retry_after":2,"count":2}`)
	mocktest.Expect(t, ts, get("/api/platform/agents"), 200, "")                                                                                 // fewer segments
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/api/platform/agents/wow-memory/stop", Token: viewer}, 403, "permission_denied") // more segments
	for _, c := range []mocktest.Call{{Method: "GET", Path: "/api/platform/agents/wow-memory"}, get("/api/platform/agents/wow-cache")} {
		a := mocktest.Expect(t, ts, c, 503, "unavailable")
		if ra := a.Header.Get("Retry-After"); ra != "2" {
			t.Errorf("faulted answer: Retry-After %q, want 2", ra)
		}
	}
	mocktest.Expect(t, ts, get("/api/platform/agents/wow-memory"), 200, "")

	// count absent: until cleared.
	if id2 := ctlFault(t, ts, `{"path":"/api/platform/metrics","status":502}`); id2 == id1 {
		t.Errorf("two faults share the id %s", id1)
	}
	for range 3 {
		mocktest.Expect(t, ts, get("/api/platform/metrics"), 502, "unavailable")
	}
	mocktest.Expect(t, ts, mocktest.Call{Method: "DELETE", Path: "/_mock/faults"}, 204, "")
	mocktest.Expect(t, ts, get("/api/platform/metrics"), 200, "")

	// percent: a share of the matching requests.
	ctlFault(t, ts, `{"path":"/api/platform/health","status":500,"percent":50}`)
	fired := 0
	for range 40 {
		switch a := mocktest.Do(t, ts, get("/api/platform/health")); a.Status {
		case 500:
			fired++
		case 200:
		default:
			t.Errorf("GET /api/platform/health with a 50 %% fault: %d %s", a.Status, a.Raw)
		}
	}
	if fired == 0 || fired == 40 {
		t.Errorf("a 50 %% fault fired on %d of 40 requests", fired)
	}
	mocktest.Expect(t, ts, mocktest.Call{Method: "DELETE", Path: "/_mock/faults", Body: `{}`}, 204, "")

	ctlFault(t, ts, `{"method":"GET","path":"/api/platform/metrics","status":429,"retry_after":1,"count":1}`)
	if a := mocktest.Expect(t, ts, get("/api/platform/metrics"), 429, "rate_limited"); a.Header.Get("Retry-After") != "1" {
		t.Errorf("429 fault: Retry-After %q, want 1", a.Header.Get("Retry-After"))
	}

	// latency_ms alone: served normally after the wait (real time).
	ctlFault(t, ts, `{"path":"/api/platform/metrics","latency_ms":20,"count":1}`)
	began := time.Now()
	mocktest.Expect(t, ts, get("/api/platform/metrics"), 200, "")
	if took := time.Since(began); took < 20*time.Millisecond {
		t.Errorf("a 20 ms latency fault answered in %v", took)
	}

	// malformed: 200 with a truncated body. Checked on the bare server, as
	// a validated one would rightly report the body.
	ctlFault(t, ts, `{"path":"/api/platform/health","malformed":true,"count":1}`)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/api/platform/health", nil)
	req.Header.Set("Authorization", "Bearer "+viewer)
	ts.Server.ServeHTTP(rec, req)
	if rec.Code != 200 || json.Valid(rec.Body.Bytes()) {
		t.Errorf("malformed fault: %d %s, want 200 and a body that is not JSON", rec.Code, rec.Body)
	}
	mocktest.Expect(t, ts, get("/api/platform/health"), 200, "")

	// Never the controls or /healthz.
	mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/healthz"}, 200, "")
	mocktest.Refuse(t, ts, "POST", "/_mock/faults",
		"", `{}`, `[]`, `{`, `null`,
		`{"path":"/healthz","status":500}`,
		`{"method":"G E T","path":"/x","status":500}`,
		`{"path":"/_mock/clock","status":500}`,
		`{"path":"/_mock/*/advance","status":500}`,
		`{"path":"api/platform/metrics","status":500}`,
		`{"path":"","status":500}`,
		`{"method":"GET","status":500}`,
		`{"path":"/api/platform/metrics"}`,
		`{"path":"/api/platform/metrics","count":3}`,
		`{"path":"/api/platform/metrics","status":399}`,
		`{"path":"/api/platform/metrics","status":600}`,
		`{"path":"/api/platform/metrics","status":"503"}`,
		`{"path":"/api/platform/metrics","status":503,"drop":true}`,
		`{"path":"/api/platform/metrics","drop":true,"malformed":true}`,
		`{"path":"/api/platform/metrics","status":503,"retry_after":-1}`,
		`{"path":"/api/platform/metrics","status":503,"retry_after":3601}`,
		`{"path":"/api/platform/metrics","latency_ms":60001}`,
		`{"path":"/api/platform/metrics","latency_ms":-1}`,
		`{"path":"/api/platform/metrics","status":503,"count":-1}`,
		`{"path":"/api/platform/metrics","status":503,"percent":101}`,
		`{"path":"/api/platform/metrics","status":503,"percent":-1}`,
		`{"path":"/api/platform/metrics","drop":"yes"}`,
		`{"path":"/api/platform/metrics","status":503,"reason":"test"}`,
	)
	mocktest.Expect(t, ts, get("/api/platform/metrics"), 200, "") // refused faults were not added

	// DELETE takes no body or {}. The server ignores any other body for now
	// (controlsServerBugs): probe the bare server, and walk the refusal once
	// it is given.
	mocktest.Refuse(t, ts, "DELETE", "/_mock/faults")
	probe := httptest.NewRequest("DELETE", "/_mock/faults", strings.NewReader(`{"x":1}`))
	probe.Header.Set("Content-Type", "application/json")
	rec = httptest.NewRecorder()
	ts.Server.ServeHTTP(rec, probe)
	if rec.Code == http.StatusBadRequest {
		mocktest.Expect(t, ts, mocktest.Call{Method: "DELETE", Path: "/_mock/faults", Body: `{"x":1}`}, 400, "invalid_argument")
	}
}

// ctlEntry is one request of GET /_mock/journal.
type ctlEntry struct {
	Method         string    `json:"method"`
	Path           string    `json:"path"`
	Query          string    `json:"query"`
	Status         int       `json:"status"`
	IdempotencyKey string    `json:"idempotency_key"`
	RequestID      string    `json:"request_id"`
	At             time.Time `json:"at"`
}

// ctlJournal is GET /_mock/journal with query q.
func ctlJournal(t *testing.T, ts *mockserver.TestServer, q string) []ctlEntry {
	t.Helper()
	a := mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/_mock/journal" + q}, 200, "")
	var j struct {
		Requests []ctlEntry `json:"requests"`
	}
	a.Decode(t, &j)
	if j.Requests == nil {
		t.Errorf("GET /_mock/journal%s: requests is %s, want a list", q, a.Raw)
	}
	return j.Requests
}

func ctlWalkJournal(t *testing.T, ts *mockserver.TestServer) {
	if got := ctlJournal(t, ts, ""); len(got) != 0 {
		t.Fatalf("a new server's journal has %d requests", len(got))
	}
	viewer := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	operator := mocktest.Token(t, ts, mockserver.OperatorEmail, "operator")

	// Not journaled: the controls and /healthz.
	mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/healthz"}, 200, "")
	mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/_mock/clock"}, 200, "")

	mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents/wow-memory", Token: viewer,
		Header: map[string]string{"X-Request-Id": "walk-j1"}}, 200, "")
	mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents?status=online&page_size=2", Token: viewer}, 200, "")
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/api/platform/agents/wow-memory/stop", Token: operator,
		Header: map[string]string{"Idempotency-Key": "jk-1"}}, 200, "")
	mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/nope", Token: viewer}, 404, "not_found")
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/clock/advance", Body: `{"seconds":60}`}, 200, "")
	mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents/wow-memory"}, 401, "unauthenticated")

	e := mockserver.Epoch()
	all := []ctlEntry{
		{Method: "GET", Path: "/api/platform/agents/wow-memory", Status: 200, At: e},
		{Method: "GET", Path: "/api/platform/agents", Query: "status=online&page_size=2", Status: 200, At: e},
		{Method: "POST", Path: "/api/platform/agents/wow-memory/stop", Status: 200, IdempotencyKey: "jk-1", At: e},
		{Method: "GET", Path: "/api/platform/nope", Status: 404, At: e},
		{Method: "GET", Path: "/api/platform/agents/wow-memory", Status: 401, At: e.Add(time.Minute)},
	}
	pick := func(is ...int) []ctlEntry {
		var out []ctlEntry
		for _, i := range is {
			out = append(out, all[i])
		}
		return out
	}
	got := ctlJournal(t, ts, "")
	if len(got) > 0 && got[0].RequestID != "walk-j1" {
		t.Errorf("first entry's request_id %q, want the client's walk-j1", got[0].RequestID)
	}
	for _, g := range got {
		if g.RequestID == "" {
			t.Errorf("journal entry %+v has no request_id", g)
		}
	}
	noIDs := cmpopts.IgnoreFields(ctlEntry{}, "RequestID")
	if d := cmp.Diff(all, got, noIDs); d != "" {
		t.Errorf("journal (-want +got):\n%s", d)
	}
	for _, c := range []struct {
		q    string
		want []ctlEntry
	}{
		{"?method=post", pick(2)},
		{"?path=/api/platform/agents/*", pick(0, 4)},
		{"?method=GET&path=/api/platform/agents", pick(1)},
		{"?path=" + url.QueryEscape("/api/*/agents/*/stop"), pick(2)},
		{"?method=PUT", nil},
	} {
		got := ctlJournal(t, ts, c.q)
		if len(got) == 0 {
			got = nil
		}
		if d := cmp.Diff(c.want, got, noIDs); d != "" {
			t.Errorf("journal%s (-want +got):\n%s", c.q, d)
		}
	}

	// A dropped connection is journaled with status 0. A fresh connection:
	// the transport would retry a GET on a reused one.
	ctlFault(t, ts, `{"method":"GET","path":"/api/platform/health","drop":true,"count":1}`)
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	req, _ := http.NewRequest("GET", ts.URL+"/api/platform/health", nil)
	req.Header.Set("Authorization", "Bearer "+viewer)
	if resp, err := fresh.Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("GET through a drop fault answered %d, want a connection error", resp.StatusCode)
	}
	if got := ctlJournal(t, ts, "?path=/api/platform/health"); len(got) != 1 || got[0].Status != 0 {
		t.Errorf("journal of the dropped request = %+v, want one entry with status 0", got)
	}

	// A reset empties the journal and clears the faults.
	ctlFault(t, ts, `{"path":"/api/platform/metrics","status":503}`)
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/reset"}, 204, "")
	if got := ctlJournal(t, ts, ""); len(got) != 0 {
		t.Errorf("after a reset the journal has %d requests", len(got))
	}
	mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/metrics", Token: mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")}, 200, "")
	if got := ctlJournal(t, ts, ""); len(got) != 1 || got[0].Status != 200 {
		t.Errorf("journal after a reset and one request = %+v, want that request, answered 200", got)
	}
}
