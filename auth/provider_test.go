package auth_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/waooaw/waooaw-go/auth"
)

func TestNewProvider(t *testing.T) {
	t.Parallel()
	p, err := auth.NewProvider("https://api.waooaw.com/")
	if err != nil {
		t.Fatal(err)
	}
	want := &auth.Provider{
		Issuer:                        "https://api.waooaw.com",
		AuthorizationEndpoint:         "https://api.waooaw.com/auth/google",
		TokenEndpoint:                 "https://api.waooaw.com/auth/token",
		RevocationEndpoint:            "https://api.waooaw.com/auth/revoke",
		UserinfoEndpoint:              "https://api.waooaw.com/auth/me",
		JWKSURI:                       "https://api.waooaw.com/.well-known/jwks.json",
		CodeChallengeMethodsSupported: []string{"S256"},
	}
	if d := cmp.Diff(want, p); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
	for _, bad := range []string{"", "api.waooaw.com", "ftp://x", "https://", "https://x?q=1", "https://u:p@x", "https://x#f", "://"} {
		if _, err := auth.NewProvider(bad); err == nil {
			t.Errorf("NewProvider(%q) accepted", bad)
		}
	}
}

func TestDiscoverMockServer(t *testing.T) {
	t.Parallel()
	ts := start(t)
	got, err := auth.Discover(context.Background(), ts.URL, auth.WithHTTPClient(ts.HTTPClient()))
	if err != nil {
		t.Fatal(err)
	}
	std, _ := auth.NewProvider(ts.URL)
	for name, pair := range map[string][2]string{
		"issuer":   {got.Issuer, std.Issuer},
		"auth":     {got.AuthorizationEndpoint, std.AuthorizationEndpoint},
		"token":    {got.TokenEndpoint, std.TokenEndpoint},
		"revoke":   {got.RevocationEndpoint, std.RevocationEndpoint},
		"userinfo": {got.UserinfoEndpoint, std.UserinfoEndpoint},
		"jwks":     {got.JWKSURI, std.JWKSURI},
	} {
		if pair[0] != pair[1] {
			t.Errorf("%s: discovered %q, NewProvider says %q", name, pair[0], pair[1])
		}
	}
	if d := cmp.Diff([]string{"S256"}, got.CodeChallengeMethodsSupported); d != "" {
		t.Errorf("code_challenge_methods_supported (-want +got)\n%s", d)
	}
	if !strings.Contains(strings.Join(got.GrantTypesSupported, " "), "refresh_token") {
		t.Errorf("grant types %v", got.GrantTypesSupported)
	}
}

func TestDiscoverRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"not found", 404, `{}`, "status 404"},
		{"not JSON", 200, `nope`, "not valid JSON"},
		{"other issuer", 200, `{"issuer":"https://evil.example","authorization_endpoint":"https://idp.test/a","token_endpoint":"https://idp.test/t","jwks_uri":"https://idp.test/j"}`, "is not"},
		{"relative endpoint", 200, `{"issuer":"https://idp.test","authorization_endpoint":"/a","token_endpoint":"https://idp.test/t","jwks_uri":"https://idp.test/j"}`, "authorization_endpoint"},
		{"no jwks_uri", 200, `{"issuer":"https://idp.test","authorization_endpoint":"https://idp.test/a","token_endpoint":"https://idp.test/t"}`, "jwks_uri"},
		{"too big", 200, `{"issuer":"` + strings.Repeat("x", 1<<20) + `"}`, "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/.well-known/openid-configuration" {
					t.Errorf("GET %s", r.URL.Path)
				}
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			})
			_, err := auth.Discover(context.Background(), testIssuer, auth.WithHTTPClient(handlerClient(h)))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := auth.Discover(context.Background(), "nope"); err == nil {
		t.Error("a bad issuer was accepted")
	}
	if _, err := auth.Discover(context.Background(), testIssuer, auth.WithCache(newCache(t))); err == nil {
		t.Error("WithCache was accepted by Discover")
	}
}
