package auth_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/waooaw/waooaw-go/auth"
	"github.com/waooaw/waooaw-go/mockserver"
)

func verifier(t *testing.T, ts *mockserver.TestServer, cnt *counting, opts ...auth.Option) *auth.Verifier {
	t.Helper()
	p, err := auth.Discover(context.Background(), ts.URL, auth.WithHTTPClient(ts.HTTPClient()))
	if err != nil {
		t.Fatal(err)
	}
	base := []auth.Option{auth.WithClock(ts), auth.WithHTTPClient(cnt.client())}
	v, err := auth.NewVerifier(p, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func mockToken(t *testing.T, ts *mockserver.TestServer, body map[string]any) string {
	t.Helper()
	return mockPost(t, ts, "/_mock/tokens", body)["access_token"].(string)
}

const jwksRoute = "GET /.well-known/jwks.json"

func TestVerifierAcceptsPlatformTokens(t *testing.T) {
	t.Parallel()
	ts := start(t)
	cnt := newCounting(ts.HTTPClient().Transport)
	v := verifier(t, ts, cnt)
	ctx := context.Background()
	tok := mockToken(t, ts, map[string]any{"email": mockserver.AdminEmail, "role": "admin"})
	c, err := v.Verify(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if c.Email != mockserver.AdminEmail || c.Role != auth.RoleAdmin || c.Issuer != ts.URL ||
		c.SessionID == "" || c.Subject == "" || c.ID == "" || !c.ExpiresAt.Equal(ts.Now().Add(15*time.Minute)) ||
		!c.IssuedAt.Equal(ts.Now()) || len(c.Audience) != 1 || c.Audience[0] != "waooaw-api" {
		t.Errorf("claims %+v", c)
	}
	for range 5 {
		if _, err := v.Verify(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	if n := cnt.count(jwksRoute); n != 1 {
		t.Errorf("%d JWKS fetches, want 1 (cached)", n)
	}
	ts.Advance(5*time.Minute + time.Second) // max-age=300: stale
	if _, err := v.Verify(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if n := cnt.count(jwksRoute); n != 2 {
		t.Errorf("%d JWKS fetches, want 2 (refetched when stale)", n)
	}
}

func TestVerifierAcrossKeyRotationAndRetirement(t *testing.T) {
	t.Parallel()
	ts := start(t)
	cnt := newCounting(ts.HTTPClient().Transport)
	v := verifier(t, ts, cnt)
	ctx := context.Background()
	old := mockToken(t, ts, map[string]any{"email": mockserver.OperatorEmail, "role": "operator"})
	if _, err := v.Verify(ctx, old); err != nil {
		t.Fatal(err)
	}
	oldKid := kidOf(t, old)

	newKid := mockPost(t, ts, "/_mock/keys/rotate", nil)["kid"].(string)
	fresh := mockToken(t, ts, map[string]any{"email": mockserver.OperatorEmail, "role": "operator"})
	if kidOf(t, fresh) != newKid {
		t.Fatal("the new token is not signed by the new key")
	}
	if _, err := v.Verify(ctx, fresh); err != nil {
		t.Fatalf("a token of the new key: %v", err)
	}
	if n := cnt.count(jwksRoute); n != 2 {
		t.Errorf("%d JWKS fetches, want 2 (an unknown kid refetches)", n)
	}
	if _, err := v.Verify(ctx, old); err != nil {
		t.Fatalf("a token of the rotated-out key while it can live: %v", err)
	}

	// Retiring the old key: the server refuses its tokens at once ...
	mockPost(t, ts, "/_mock/keys/"+oldKid+"/retire", nil)
	if st := rawGet(t, ts, "/auth/me", old); st != http.StatusUnauthorized {
		t.Fatalf("the server answered %d to a token of a retired key", st)
	}
	// ... the Verifier while its JWKS is fresh still accepts them ...
	if _, err := v.Verify(ctx, old); err != nil {
		t.Fatalf("within max-age: %v", err)
	}
	// ... and refuses them once the cache is stale (the token has not expired).
	ts.Advance(5*time.Minute + time.Second)
	_, err := v.Verify(ctx, old)
	if !errors.Is(err, auth.ErrInvalidToken) || !strings.Contains(err.Error(), oldKid) {
		t.Fatalf("a retired key's token once stale: %v", err)
	}
	if n := cnt.count(jwksRoute); n != 3 {
		t.Errorf("%d JWKS fetches, want 3 (stale refetch, no second one for the unknown kid)", n)
	}
	if _, err := v.Verify(ctx, fresh); err != nil {
		t.Fatalf("the new key's token: %v", err)
	}
}

func kidOf(t *testing.T, tok string) string {
	t.Helper()
	pt, _, err := jwt.NewParser().ParseUnverified(tok, jwt.MapClaims{})
	if err != nil {
		t.Fatal(err)
	}
	return pt.Header["kid"].(string)
}

func TestVerifierRefusals(t *testing.T) {
	t.Parallel()
	ts := start(t)
	good := mockToken(t, ts, map[string]any{"email": mockserver.ViewerEmail, "role": "viewer"})
	kid := kidOf(t, good)
	parts := strings.Split(good, ".")
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	sign := func(m jwt.SigningMethod, key any, kid string, mod func(jwt.MapClaims)) string {
		c := jwt.MapClaims{}
		jwt.NewParser().ParseUnverified(good, c)
		if mod != nil {
			mod(c)
		}
		tok := jwt.NewWithClaims(m, c)
		if kid != "" {
			tok.Header["kid"] = kid
		}
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	noneTok := sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, kid, nil)
	// HS256 keyed with the public key's bytes: the classic confusion attack.
	hsTok := sign(jwt.SigningMethodHS256, []byte(jwksX(t, ts, kid)), kid, nil)
	tests := []struct {
		name    string
		token   string
		opts    []auth.Option
		advance time.Duration
		want    string
		expired bool
	}{
		{"alg none", noneTok, nil, 0, "algorithm not allowed", false},
		{"HS256", hsTok, nil, 0, "algorithm not allowed", false},
		{"forged signature", sign(jwt.SigningMethodEdDSA, otherKey, kid, nil), nil, 0, "bad signature", false},
		{"tampered payload", parts[0] + "." + b64([]byte(`{"role":"admin"}`)) + "." + parts[2], nil, 0, "bad signature", false},
		{"unknown kid", sign(jwt.SigningMethodEdDSA, otherKey, "nope", nil), nil, 0, `key "nope" is not in`, false},
		{"no kid", sign(jwt.SigningMethodEdDSA, otherKey, "", nil), nil, 0, "names no key", false},
		{"wrong audience", mockToken(t, ts, map[string]any{"email": mockserver.ViewerEmail, "role": "viewer", "audience": "other"}), nil, 0, `not for "waooaw-api"`, false},
		{"other audience wanted", good, []auth.Option{auth.WithAudience("billing")}, 0, `not for "billing"`, false},
		{"wrong issuer", sign(jwt.SigningMethodEdDSA, otherKey, kid, func(c jwt.MapClaims) { c["iss"] = "https://evil.example" }), nil, 0, "bad signature", false},
		{"no exp", sign(jwt.SigningMethodEdDSA, otherKey, kid, func(c jwt.MapClaims) { delete(c, "exp") }), nil, 0, "bad signature", false},
		{"malformed", "not-a-jwt", nil, 0, "malformed", false},
		{"empty", " ", nil, 0, "empty token", false},
		{"EdDSA not allowed", good, []auth.Option{auth.WithAlgorithms("ES256")}, 0, "algorithm not allowed", false},
		// Last: these move the shared server's clock, which only goes forward.
		{"expired", good, nil, 15 * time.Minute, "expired at", true},
		{"expired beyond the leeway", good, []auth.Option{auth.WithLeeway(time.Minute)}, 16*time.Minute + time.Second, "expired", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Not parallel: some cases move the shared server's clock.
			v := verifier(t, ts, newCounting(ts.HTTPClient().Transport), tt.opts...)
			ts.Advance(tt.advance)
			_, err := v.Verify(context.Background(), tt.token)
			if !errors.Is(err, auth.ErrInvalidToken) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want ErrInvalidToken containing %q", err, tt.want)
			}
			if errors.Is(err, auth.ErrTokenExpired) != tt.expired {
				t.Errorf("ErrTokenExpired = %v, want %v", !tt.expired, tt.expired)
			}
			if strings.Contains(err.Error(), tt.token) && len(tt.token) > 20 {
				t.Error("the error quotes the token")
			}
		})
	}
}

// jwksX is the x of a key of ts's JWKS.
func jwksX(t *testing.T, ts *mockserver.TestServer, kid string) string {
	t.Helper()
	resp, err := ts.HTTPClient().Get(ts.URL + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct {
		Keys []struct{ Kid, X string }
	}
	jsonDecode(resp, &set)
	for _, k := range set.Keys {
		if k.Kid == kid {
			return k.X
		}
	}
	t.Fatalf("kid %s not in the JWKS", kid)
	return ""
}

func TestVerifierLeeway(t *testing.T) {
	t.Parallel()
	ts := start(t)
	tok := mockToken(t, ts, map[string]any{"email": mockserver.ViewerEmail, "role": "viewer"})
	v := verifier(t, ts, newCounting(ts.HTTPClient().Transport), auth.WithLeeway(30*time.Second))
	ts.Advance(15*time.Minute + 29*time.Second)
	if _, err := v.Verify(context.Background(), tok); err != nil {
		t.Fatalf("within the leeway: %v", err)
	}
	for _, d := range []time.Duration{-time.Second, auth.MaxLeeway + time.Second} {
		if _, err := auth.NewVerifier(&auth.Provider{Issuer: "x", JWKSURI: "y"}, auth.WithLeeway(d)); err == nil {
			t.Errorf("WithLeeway(%v) accepted", d)
		}
	}
	for _, algs := range [][]string{{"none"}, {"HS256"}, {"EdDSA", "HS512"}, {}} {
		if _, err := auth.NewVerifier(&auth.Provider{Issuer: "x", JWKSURI: "y"}, auth.WithAlgorithms(algs...)); err == nil {
			t.Errorf("WithAlgorithms(%v) accepted", algs)
		}
	}
	if _, err := auth.NewVerifier(&auth.Provider{Issuer: "x"}); err == nil {
		t.Error("a Provider without jwks_uri accepted")
	}
	if _, err := auth.NewVerifier(nil); err == nil {
		t.Error("a nil Provider accepted")
	}
}

func TestVerifierSharesOneJWKSFetch(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p := newIDP(newClock())
		gate := make(chan struct{})
		var mu sync.Mutex
		fetches := 0
		p.override = func(w http.ResponseWriter, r *http.Request) bool {
			if r.URL.Path == "/.well-known/jwks.json" {
				mu.Lock()
				fetches++
				mu.Unlock()
				<-gate
			}
			return false
		}
		v, err := auth.NewVerifier(p.provider(t), auth.WithClock(p.clock), auth.WithHTTPClient(handlerClient(p)))
		if err != nil {
			t.Fatal(err)
		}
		tok := p.mint(time.Minute)
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				if _, err := v.Verify(context.Background(), tok); err != nil {
					t.Error(err)
				}
			})
		}
		synctest.Wait()
		close(gate)
		wg.Wait()
		if fetches != 1 {
			t.Errorf("%d JWKS fetches, want 1", fetches)
		}
	})
}

func TestVerifierJWKSProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		header string
		body   string
		want   string // "" for a successful verification
		fetch2 bool   // a second Verify fetches again
	}{
		{"server error", 503, "", `{}`, "status 503", true},
		{"not JSON", 200, "", `<html>`, "not valid JSON", true},
		{"no usable keys", 200, "", `{"keys":[{"kty":"oct","k":"c2VjcmV0","kid":"k1"},{"kty":"weird","kid":"k1"}]}`, `key "k1" is not in`, true},
		{"encryption key", 200, "", `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"%s","kid":"k1","use":"enc"}]}`, `key "k1" is not in`, true},
		{"key for another alg", 200, "", `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"%s","kid":"k1","alg":"ES256"}]}`, "is for ES256", false},
		{"no-store", 200, "no-store", `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"%s","kid":"k1"}]}`, "", true},
		{"max-age=0", 200, "max-age=0", `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"%s","kid":"k1"}]}`, "", true},
		{"no Cache-Control", 200, "", `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"%s","kid":"k1"}]}`, "", false},
		{"bad max-age", 200, "max-age=soon", `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"%s","kid":"k1"}]}`, "", false},
		{"huge max-age", 200, "public, max-age=99999999999999999", `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"%s","kid":"k1"}]}`, "", false},
		{"too big", 200, "", `{"keys":[],"pad":"` + strings.Repeat("x", 1<<20) + `"}`, "larger than", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newIDP(newClock())
			x := b64(p.key.Public().(ed25519.PublicKey))
			fetches := 0
			var mu sync.Mutex
			p.override = func(w http.ResponseWriter, r *http.Request) bool {
				mu.Lock()
				fetches++
				mu.Unlock()
				if tt.header != "" {
					w.Header().Set("Cache-Control", tt.header)
				}
				w.WriteHeader(tt.status)
				body := tt.body
				if strings.Contains(body, "%s") {
					body = fmt.Sprintf(body, x)
				}
				w.Write([]byte(body))
				return true
			}
			v, _ := auth.NewVerifier(p.provider(t), auth.WithClock(p.clock), auth.WithHTTPClient(handlerClient(p)))
			tok := p.mint(time.Hour)
			_, err := v.Verify(context.Background(), tok)
			if tt.want == "" && err != nil {
				t.Fatal(err)
			}
			if tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			mu.Lock()
			before := fetches
			mu.Unlock()
			p.clock.Advance(time.Second)
			v.Verify(context.Background(), tok)
			mu.Lock()
			defer mu.Unlock()
			if again := fetches > before; again != tt.fetch2 {
				t.Errorf("fetched again = %v, want %v", again, tt.fetch2)
			}
		})
	}
}

func TestVerifierHonoursTheContext(t *testing.T) {
	t.Parallel()
	p := newIDP(newClock())
	v, _ := auth.NewVerifier(p.provider(t), auth.WithClock(p.clock), auth.WithHTTPClient(handlerClient(p)))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := v.Verify(ctx, p.mint(time.Minute)); !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}

func FuzzVerify(f *testing.F) {
	clock := newClock()
	p := newIDP(clock)
	f.Add(p.mint(time.Minute))
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, tok string) {
		v, _ := auth.NewVerifier(p.provider(t), auth.WithClock(clock), auth.WithHTTPClient(handlerClient(p)))
		c, err := v.Verify(context.Background(), tok)
		if err == nil && c.Issuer != testIssuer {
			t.Fatalf("accepted a token of issuer %q", c.Issuer)
		}
	})
}
