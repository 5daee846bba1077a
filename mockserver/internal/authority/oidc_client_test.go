package authority_test

import (
	"context"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/waooaw/waooaw-go/auth"
	"github.com/waooaw/waooaw-go/mockserver"
)

// An OpenID Connect client that is not ours (github.com/coreos/go-oidc)
// discovers the mock, signs in with a nonce and verifies the ID token,
// over RS256 (the default) and EdDSA; so does auth.Verifier.
func TestIndependentOIDCClient(t *testing.T) {
	t.Parallel()
	for _, alg := range []string{oidc.RS256, oidc.EdDSA} {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			ts := mockserver.Start(t)
			if alg != oidc.RS256 {
				if err := ts.SetIDTokenAlg(alg); err != nil {
					t.Fatal(err)
				}
			}
			ctx := oidc.ClientContext(t.Context(), ts.HTTPClient())
			prov, err := oidc.NewProvider(ctx, ts.URL) // checks the discovered issuer is ts.URL
			if err != nil {
				t.Fatal(err)
			}
			var disc struct {
				Algs []string `json:"id_token_signing_alg_values_supported"`
			}
			if err := prov.Claims(&disc); err != nil || !strings.Contains(strings.Join(disc.Algs, " "), "RS256") {
				t.Errorf("discovered ID token algorithms %v (%v), want RS256 among them", disc.Algs, err)
			}

			const nonce = "n-" + "7f3c9a"
			verifier := oauth2.GenerateVerifier()
			redirect := "http://127.0.0.1:49152/callback"
			code, _ := pkceLogin(t, ts, mockserver.ViewerEmail, redirect, verifier, oidc.Nonce(nonce))
			tok, err := oauthConfig(ts, redirect).Exchange(context.WithValue(ctx, oauth2.HTTPClient, ts.HTTPClient()),
				code, oauth2.VerifierOption(verifier))
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := tok.Extra("id_token").(string)
			if raw == "" {
				t.Fatal("no id_token")
			}

			// The discovered algorithms (nil SupportedSigningAlgs) accept it.
			// The mock's clock is frozen in 2026-01; the verifier reads it.
			idt, err := prov.Verifier(&oidc.Config{ClientID: mockserver.SDKClientID, Now: ts.Now}).Verify(ctx, raw)
			if err != nil {
				t.Fatalf("go-oidc Verify: %v", err)
			}
			var c struct {
				Email string `json:"email"`
			}
			if err := idt.Claims(&c); err != nil || idt.Nonce != nonce || c.Email != mockserver.ViewerEmail {
				t.Errorf("ID token nonce %q email %q (%v), want %q and %s", idt.Nonce, c.Email, err, nonce, mockserver.ViewerEmail)
			}

			// Checks that can fail: the other algorithm only, another
			// audience, a changed signature.
			other := oidc.EdDSA
			if alg == oidc.EdDSA {
				other = oidc.RS256
			}
			for name, cfg := range map[string]*oidc.Config{
				"only " + other:  {ClientID: mockserver.SDKClientID, Now: ts.Now, SupportedSigningAlgs: []string{other}},
				"other audience": {ClientID: "someone-else", Now: ts.Now},
				"local clock":    {ClientID: mockserver.SDKClientID}, // expired by the real clock
			} {
				if _, err := prov.Verifier(cfg).Verify(ctx, raw); err == nil {
					t.Errorf("%s: the ID token verified", name)
				}
			}
			if _, err := prov.Verifier(&oidc.Config{ClientID: mockserver.SDKClientID, Now: ts.Now}).Verify(ctx, tamper(raw)); err == nil {
				t.Error("a token with a changed signature verified")
			}

			// auth.Verifier, by default, accepts the ID token for its audience.
			p, err := auth.Discover(t.Context(), ts.URL, auth.WithHTTPClient(ts.HTTPClient()))
			if err != nil {
				t.Fatal(err)
			}
			v, err := auth.NewVerifier(p, auth.WithAudience(mockserver.SDKClientID),
				auth.WithHTTPClient(ts.HTTPClient()), auth.WithClock(ts))
			if err != nil {
				t.Fatal(err)
			}
			if cl, err := v.Verify(t.Context(), raw); err != nil || cl.Email != mockserver.ViewerEmail {
				t.Errorf("auth.Verifier: %+v, %v", cl, err)
			}
		})
	}
}

// tamper changes the last character of a JWT's signature.
func tamper(jwt string) string {
	last := jwt[len(jwt)-2]
	repl := byte('A')
	if last == 'A' {
		repl = 'B'
	}
	return jwt[:len(jwt)-2] + string(repl) + jwt[len(jwt)-1:]
}
