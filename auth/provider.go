package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
)

// Provider is where the platform's identity provider answers: its OpenID
// Connect discovery document. Build one with NewProvider (no I/O, the
// platform's standard paths) or Discover (reads the document).
type Provider struct {
	// Issuer is the iss of the tokens, the platform's base URL.
	Issuer                string `json:"issuer"`
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
	RevocationEndpoint    string `json:"revocation_endpoint,omitempty"`
	UserinfoEndpoint      string `json:"userinfo_endpoint,omitempty"`
	JWKSURI               string `json:"jwks_uri"`

	ResponseTypesSupported            []string `json:"response_types_supported,omitempty"`
	GrantTypesSupported               []string `json:"grant_types_supported,omitempty"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported,omitempty"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported,omitempty"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported,omitempty"`
	ScopesSupported                   []string `json:"scopes_supported,omitempty"`
	SubjectTypesSupported             []string `json:"subject_types_supported,omitempty"`
}

// NewProvider returns the platform's endpoints under issuer (its base URL,
// e.g. "https://api.waooaw.com"): /auth/google, /auth/token, /auth/revoke,
// /auth/me and /.well-known/jwks.json. It does no I/O.
func NewProvider(issuer string) (*Provider, error) {
	iss, err := cleanIssuer(issuer)
	if err != nil {
		return nil, err
	}
	return &Provider{
		Issuer:                        iss,
		AuthorizationEndpoint:         iss + "/auth/google",
		TokenEndpoint:                 iss + "/auth/token",
		RevocationEndpoint:            iss + "/auth/revoke",
		UserinfoEndpoint:              iss + "/auth/me",
		JWKSURI:                       iss + "/.well-known/jwks.json",
		CodeChallengeMethodsSupported: []string{"S256"},
	}, nil
}

// Discover reads issuer's /.well-known/openid-configuration and checks it:
// its issuer must equal issuer, and its authorization, token and JWKS
// endpoints must be absolute URLs. Options: WithHTTPClient, WithTimeout.
func Discover(ctx context.Context, issuer string, opts ...Option) (*Provider, error) {
	cfg, err := newConfig(forDiscover, opts)
	if err != nil {
		return nil, err
	}
	iss, err := cleanIssuer(issuer)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	raw, _, err := getJSON(ctx, cfg.http, iss+"/.well-known/openid-configuration")
	if err != nil {
		return nil, fmt.Errorf("auth: discovery: %w", err)
	}
	var p Provider
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("auth: discovery: the document is not valid JSON: %w", err)
	}
	if strings.TrimRight(p.Issuer, "/") != iss {
		return nil, fmt.Errorf("auth: discovery: the document's issuer %q is not %q", p.Issuer, iss)
	}
	for _, f := range []struct{ name, v string }{
		{"authorization_endpoint", p.AuthorizationEndpoint},
		{"token_endpoint", p.TokenEndpoint},
		{"jwks_uri", p.JWKSURI},
	} {
		if u, err := url.Parse(f.v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("auth: discovery: %s %q is not an absolute http(s) URL", f.name, f.v)
		}
	}
	return &p, nil
}

// endpoint is p as golang.org/x/oauth2 wants it. Credentials go in the
// form: the public client has no secret to put in a Basic header.
func (p *Provider) endpoint() oauth2.Endpoint {
	return oauth2.Endpoint{
		AuthURL:   p.AuthorizationEndpoint,
		TokenURL:  p.TokenEndpoint,
		AuthStyle: oauth2.AuthStyleInParams,
	}
}

// check reports a Provider a source cannot work with.
func (p *Provider) check(what string, needAuth bool) error {
	if p == nil {
		return fmt.Errorf("auth: %s: nil Provider; use NewProvider or Discover", what)
	}
	if p.TokenEndpoint == "" {
		return fmt.Errorf("auth: %s: the Provider has no token endpoint", what)
	}
	if needAuth && p.AuthorizationEndpoint == "" {
		return fmt.Errorf("auth: %s: the Provider has no authorization endpoint", what)
	}
	return nil
}

func cleanIssuer(issuer string) (string, error) {
	u, err := url.Parse(issuer)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("auth: issuer %q: want an absolute http or https URL with no query, fragment or user info", issuer)
	}
	return strings.TrimRight(issuer, "/"), nil
}

// maxDocument caps the discovery document and the JWKS.
const maxDocument = 1 << 20

// getJSON GETs a JSON document (at most maxDocument bytes) and returns it
// with the response headers. Any status but 200 is an error.
func getJSON(ctx context.Context, hc *http.Client, u string) ([]byte, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("GET %s: %w", u, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxDocument+1))
	if err != nil {
		return nil, nil, fmt.Errorf("GET %s: reading the answer: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("GET %s: status %d", u, resp.StatusCode)
	}
	if len(raw) > maxDocument {
		return nil, nil, fmt.Errorf("GET %s: the answer is larger than %d bytes", u, maxDocument)
	}
	return raw, resp.Header, nil
}
