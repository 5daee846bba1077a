package auth_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"

	"github.com/waooaw/waooaw-go/auth"
	"github.com/waooaw/waooaw-go/internal/apitest"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *fakeClock { return &fakeClock{now: time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// handlerClient is an *http.Client that serves requests with h in
// process: no socket (usable inside a synctest bubble).
func handlerClient(h http.Handler) *http.Client {
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		if r.Body == nil {
			r.Body = http.NoBody
		}
		h.ServeHTTP(rec, r)
		resp := rec.Result()
		resp.Request = r
		return resp, nil
	})}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// counting wraps a transport and counts requests by "METHOD /path".
type counting struct {
	next http.RoundTripper
	mu   sync.Mutex
	n    map[string]int
	// gate, when set, holds requests to gatePath until it is closed.
	gate     chan struct{}
	gatePath string
}

func newCounting(next http.RoundTripper) *counting {
	if next == nil {
		next = http.DefaultTransport
	}
	return &counting{next: next, n: map[string]int{}}
}

func (c *counting) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.n[r.Method+" "+r.URL.Path]++
	gate := c.gate
	c.mu.Unlock()
	if gate != nil && r.URL.Path == c.gatePath {
		<-gate
	}
	return c.next.RoundTrip(r)
}

func (c *counting) count(route string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[route]
}

func (c *counting) client() *http.Client { return &http.Client{Transport: c} }

// idp is a fake identity provider: a token endpoint with the refresh and
// client_credentials grants, rotating refresh tokens, and a JWKS.
type idp struct {
	clock  *fakeClock
	issuer string
	key    ed25519.PrivateKey
	kid    string
	ttl    time.Duration

	jti atomic.Int64

	mu       sync.Mutex
	live     map[string]bool // refresh tokens that work
	seq      int
	grants   map[string]int // by grant_type
	override func(w http.ResponseWriter, r *http.Request) bool
}

const testIssuer = "https://idp.test"

func newIDP(clock *fakeClock) *idp {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	return &idp{clock: clock, issuer: testIssuer, key: priv, kid: "k1", ttl: 15 * time.Minute,
		live: map[string]bool{}, grants: map[string]int{}}
}

func (p *idp) provider(t *testing.T) *auth.Provider {
	t.Helper()
	pr, err := auth.NewProvider(p.issuer)
	if err != nil {
		t.Fatal(err)
	}
	return pr
}

// mint signs an access token living ttl from the clock's now.
func (p *idp) mint(ttl time.Duration, mod ...func(jwt.MapClaims)) string {
	now := p.clock.Now()
	c := jwt.MapClaims{"iss": p.issuer, "sub": "usr-1", "aud": "waooaw-api", "exp": now.Add(ttl).Unix(),
		"iat": now.Unix(), "jti": fmt.Sprint(p.jti.Add(1)), "sid": "ses-1", "email": "ops@waooaw.ai",
		"name": "Oscar Ops", "role": "operator"}
	for _, m := range mod {
		m(c)
	}
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	t.Header["kid"] = p.kid
	s, err := t.SignedString(p.key)
	if err != nil {
		panic(err)
	}
	return s
}

// login makes a first token with a working refresh token.
func (p *idp) login() *oauth2.Token {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seq++
	rt := fmt.Sprintf("rt-%d", p.seq)
	p.live[rt] = true
	return &oauth2.Token{AccessToken: p.mint(p.ttl), TokenType: "Bearer", RefreshToken: rt}
}

func (p *idp) grantCount(gt string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.grants[gt]
}

func (p *idp) revokeAll() {
	p.mu.Lock()
	clear(p.live)
	p.mu.Unlock()
}

func (p *idp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	ov := p.override
	p.mu.Unlock()
	if r.URL.Path == "/auth/token" && r.ParseForm() == nil {
		p.mu.Lock()
		p.grants[r.PostForm.Get("grant_type")]++
		p.mu.Unlock()
	}
	if ov != nil && ov(w, r) {
		return
	}
	switch r.URL.Path {
	case "/auth/token":
		p.token(w, r)
	case "/.well-known/jwks.json":
		pub := p.key.Public().(ed25519.PublicKey)
		w.Header().Set("Cache-Control", "max-age=300")
		writeJSONTest(w, 200, map[string]any{"keys": []map[string]string{{"kty": "OKP", "crv": "Ed25519",
			"x": b64(pub), "kid": p.kid, "use": "sig", "alg": "EdDSA"}}})
	default:
		http.NotFound(w, r)
	}
}

func (p *idp) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthErr(w, 400, "invalid_request")
		return
	}
	switch r.PostForm.Get("grant_type") {
	case "refresh_token":
		if r.PostForm.Get("client_id") != "waooaw-sdk" {
			oauthErr(w, 401, "invalid_client")
			return
		}
		p.mu.Lock()
		rt := r.PostForm.Get("refresh_token")
		if !p.live[rt] {
			p.mu.Unlock()
			oauthErr(w, 400, "invalid_grant")
			return
		}
		delete(p.live, rt)
		p.seq++
		next := fmt.Sprintf("rt-%d", p.seq)
		p.live[next] = true
		p.mu.Unlock()
		writeJSONTest(w, 200, map[string]any{"access_token": p.mint(p.ttl), "token_type": "Bearer",
			"expires_in": int(p.ttl / time.Second), "refresh_token": next})
	case "client_credentials":
		id, secret, ok := r.BasicAuth()
		if !ok || id != "ci" || secret != "s3cret" {
			w.Header().Set("WWW-Authenticate", "Basic")
			oauthErr(w, 401, "invalid_client")
			return
		}
		writeJSONTest(w, 200, map[string]any{"access_token": p.mint(p.ttl), "token_type": "Bearer",
			"expires_in": int(p.ttl / time.Second), "scope": r.PostForm.Get("scope")})
	default:
		oauthErr(w, 400, "unsupported_grant_type")
	}
}

func oauthErr(w http.ResponseWriter, status int, code string) {
	writeJSONTest(w, status, map[string]string{"error": code, "error_description": "test: " + code})
}

func writeJSONTest(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// mockPost POSTs a JSON body to the mock server's controls.
func mockPost(t *testing.T, ts *mockserver.TestServer, path string, body any) map[string]any {
	t.Helper()
	var rd io.Reader = http.NoBody
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	resp, err := ts.HTTPClient().Post(ts.URL+path, "application/json", rd)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("POST %s: %d %s", path, resp.StatusCode, raw)
	}
	var out map[string]any
	json.Unmarshal(raw, &out)
	return out
}

// follow is a browser for LoginWithBrowser: it follows the redirects
// with hc and wants the loopback listener's page at the end.
func follow(hc *http.Client) func(ctx context.Context, u string) error {
	return func(ctx context.Context, u string) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		io.Copy(io.Discard, resp.Body)
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("the sign-in page ended with %d", resp.StatusCode)
		}
		return nil
	}
}

// login signs in to ts with the browser flow as email and returns the
// source, the platform client using it, and a counter of the requests
// the auth package made.
func login(t *testing.T, ts *mockserver.TestServer, email string, opts ...auth.Option) (*auth.Source, *platform.Client, *counting) {
	t.Helper()
	p, err := auth.NewProvider(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	cnt := newCounting(ts.HTTPClient().Transport)
	base := []auth.Option{auth.WithBrowser(follow(ts.HTTPClient())), auth.WithLoginHint(email),
		auth.WithHTTPClient(cnt.client()), auth.WithClock(ts)}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	src, err := auth.LoginWithBrowser(ctx, p, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return src, client(t, ts, src), cnt
}

// client is a platform client of ts using src.
func client(t *testing.T, ts *mockserver.TestServer, src oauth2.TokenSource) *platform.Client {
	t.Helper()
	pc, err := platform.New(platform.WithBaseURL(ts.URL), platform.WithHTTPClient(ts.HTTPClient()),
		platform.WithTokenSource(src), platform.WithoutEnvironment(), platform.WithClock(ts),
		platform.WithBackoff(time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	return pc
}

// rawGet GETs path with a bearer token and returns the status.
func rawGet(t *testing.T, ts *mockserver.TestServer, path, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := ts.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func jsonDecode(resp *http.Response, v any) error {
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// start starts a mock server for one test, every answer of which is
// checked against the API contract.
func start(t *testing.T) *mockserver.TestServer {
	t.Helper()
	return apitest.Start(t)
}
