package auth_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/waooaw/waooaw-go/auth"
	"github.com/waooaw/waooaw-go/mockserver"
)

// Tokens naming made-up key ids must not make the Verifier fetch the JWKS
// for each of them: at most one forced fetch per 30 s of its clock.
func TestUnknownKeyIDsDoNotHammerTheIssuer(t *testing.T) {
	t.Parallel()
	ts := start(t)
	good := mockToken(t, ts, map[string]any{"email": mockserver.ViewerEmail, "role": "viewer"})
	cnt := newCounting(ts.HTTPClient().Transport)
	v := verifier(t, ts, cnt)
	if _, err := v.Verify(context.Background(), good); err != nil {
		t.Fatal(err)
	}
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	claims := jwt.MapClaims{}
	jwt.NewParser().ParseUnverified(good, claims)
	for i := range 50 {
		tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims)
		tok.Header["kid"] = fmt.Sprintf("made-up-%d", i)
		s, _ := tok.SignedString(key)
		if _, err := v.Verify(context.Background(), s); !errors.Is(err, auth.ErrInvalidToken) {
			t.Fatalf("made-up kid: %v", err)
		}
	}
	if n := cnt.count("GET /.well-known/jwks.json"); n != 2 {
		t.Errorf("%d JWKS fetches, want 2 (the first, one forced)", n)
	}
	// A key rotated in later is still found once the window has passed.
	kid := ts.RotateKey()
	ts.Advance(31 * time.Second)
	fresh := mockToken(t, ts, map[string]any{"email": mockserver.ViewerEmail, "role": "viewer"})
	if kidOf(t, fresh) != kid {
		t.Fatalf("the fresh token is not signed by the new key")
	}
	if _, err := v.Verify(context.Background(), fresh); err != nil {
		t.Errorf("token of a rotated key: %v", err)
	}
}
