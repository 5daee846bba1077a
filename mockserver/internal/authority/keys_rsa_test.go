package authority_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"slices"
	"testing"

	"github.com/go-jose/go-jose/v4"
	josejwt "github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"

	"github.com/waooaw/waooaw-go/internal/apitest"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/mockserver/internal/mocktest"
)

// codeTokens signs in with the authorization code flow and PKCE.
func codeTokens(t *testing.T, ts *mockserver.TestServer) *oauth2.Token {
	t.Helper()
	verifier := oauth2.GenerateVerifier()
	redirect := "http://127.0.0.1:49152/callback"
	code, _ := pkceLogin(t, ts, mockserver.OperatorEmail, redirect, verifier)
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, ts.HTTPClient())
	tok, err := oauthConfig(ts, redirect).Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func jwksOf(t *testing.T, ts *mockserver.TestServer) jose.JSONWebKeySet {
	t.Helper()
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/.well-known/jwks.json"}).Raw, &set); err != nil {
		t.Fatal(err)
	}
	return set
}

// verifyJWT checks raw's signature with the JWKS key its kid names and
// returns its algorithm and kid.
func verifyJWT(t *testing.T, ts *mockserver.TestServer, raw string) (alg, kid string) {
	t.Helper()
	jt, err := josejwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256, jose.EdDSA})
	if err != nil {
		t.Fatal(err)
	}
	h := jt.Headers[0]
	set := jwksOf(t, ts)
	keys := set.Key(h.KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %q is not in the JWKS", h.KeyID)
	}
	if keys[0].Algorithm != h.Algorithm {
		t.Errorf("kid %q is published for %s, the token says %s", h.KeyID, keys[0].Algorithm, h.Algorithm)
	}
	var c map[string]any
	if err := jt.Claims(keys[0].Key, &c); err != nil {
		t.Fatalf("signature: %v", err)
	}
	return h.Algorithm, h.KeyID
}

func TestIDTokensRS256ByDefaultEdDSAOnRequest(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	disc := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/.well-known/openid-configuration"}).JSON(t)
	algs, _ := disc["id_token_signing_alg_values_supported"].([]any)
	if !slices.Contains(algs, any("RS256")) || !slices.Contains(algs, any("EdDSA")) {
		t.Errorf("id_token_signing_alg_values_supported %v, want RS256 and EdDSA", algs)
	}
	set := jwksOf(t, ts)
	var types []string
	for _, k := range set.Keys {
		switch k.Key.(type) {
		case *rsa.PublicKey:
			types = append(types, "RSA/"+k.Algorithm)
		case ed25519.PublicKey:
			types = append(types, "OKP/"+k.Algorithm)
		}
	}
	slices.Sort(types)
	if !slices.Equal(types, []string{"OKP/EdDSA", "RSA/RS256"}) {
		t.Errorf("JWKS keys %v, want an Ed25519 and an RSA key", types)
	}

	tok := codeTokens(t, ts)
	if alg, _ := verifyJWT(t, ts, tok.Extra("id_token").(string)); alg != "RS256" {
		t.Errorf("default ID token alg %s, want RS256", alg)
	}
	if alg, _ := verifyJWT(t, ts, tok.AccessToken); alg != "EdDSA" {
		t.Errorf("access token alg %s, want EdDSA", alg)
	}

	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/oauth/id-token-alg", Body: `{"alg":"EdDSA"}`}, 204, "")
	tok = codeTokens(t, ts)
	if alg, _ := verifyJWT(t, ts, tok.Extra("id_token").(string)); alg != "EdDSA" {
		t.Errorf("ID token alg after asking for EdDSA: %s", alg)
	}
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/reset"}, 204, "")
	tok = codeTokens(t, ts)
	if alg, _ := verifyJWT(t, ts, tok.Extra("id_token").(string)); alg != "RS256" {
		t.Errorf("ID token alg after a reset: %s, want RS256", alg)
	}
}

func TestRotationAndRetirementCoverTheRSAKey(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	oldTok := codeTokens(t, ts)
	_, oldRSA := verifyJWT(t, ts, oldTok.Extra("id_token").(string))
	var rk struct {
		Kid    string `json:"kid"`
		RSAKid string `json:"rsa_kid"`
	}
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/keys/rotate"}, 200, "").Decode(t, &rk)
	if rk.RSAKid == "" || rk.RSAKid == oldRSA {
		t.Fatalf("rotate answered %+v after RSA key %s", rk, oldRSA)
	}
	newTok := codeTokens(t, ts)
	if _, kid := verifyJWT(t, ts, newTok.Extra("id_token").(string)); kid != rk.RSAKid {
		t.Errorf("ID token after the rotation signed by %s, want %s", kid, rk.RSAKid)
	}
	verifyJWT(t, ts, oldTok.Extra("id_token").(string)) // the old RSA key stays published
	if n := len(jwksOf(t, ts).Keys); n != 4 {
		t.Errorf("after a rotation the JWKS has %d keys, want 4", n)
	}
	// Retiring by the RSA id retires the generation: both keys, and its tokens.
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/keys/" + oldRSA + "/retire"}, 204, "")
	set := jwksOf(t, ts)
	if len(set.Keys) != 2 || len(set.Key(oldRSA)) != 0 {
		t.Errorf("after retiring %s the JWKS has %d keys", oldRSA, len(set.Keys))
	}
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/auth/me", Token: oldTok.AccessToken}); a.Status != 401 {
		t.Errorf("access token of the retired generation: %d", a.Status)
	}
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/auth/me", Token: newTok.AccessToken}); a.Status != 200 {
		t.Errorf("access token of the current generation: %d", a.Status)
	}
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/keys/" + rk.RSAKid + "/retire"}, 409, "conflict")
	// An ID token is not an access token, even signed by a live key.
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/auth/me", Token: newTok.Extra("id_token").(string)}); a.Status != 401 {
		t.Errorf("an ID token as a bearer token: %d", a.Status)
	}
}

// The control's every documented answer, checked against api/mock.yaml.
func TestIDTokenAlgControlContract(t *testing.T) {
	t.Parallel()
	cov := apitest.NewCoverage()
	t.Run("walk", func(t *testing.T) {
		ts := apitest.Start(t, cov.Option())
		mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/oauth/id-token-alg", Body: `{"alg":"EdDSA"}`}, 204, "")
		mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/oauth/id-token-alg", Body: `{"alg":"RS256"}`}, 204, "")
		mocktest.Refuse(t, ts, "POST", "/_mock/oauth/id-token-alg", `{"alg":"HS256"}`, `{"alg":"none"}`, `{}`, `{"alg":"EdDSA","x":1}`, `[]`)
		if err := ts.SetIDTokenAlg("ES256"); err == nil {
			t.Error("SetIDTokenAlg(ES256) accepted")
		}
	})
	if m := cov.Missing(t, "POST /_mock/oauth/id-token-alg"); len(m) > 0 {
		t.Errorf("answers never seen: %v", m)
	}
}
