package mockserver

import (
	"time"

	"github.com/waooaw/waooaw-go/mockserver/internal/core"
)

// SandboxHeader routes a request at the server's root URL to a sandbox.
const SandboxHeader = "X-Mock-Sandbox"

// DefaultIssuer is the issuer of tokens when none is set (WithIssuer); Start
// and cmd/waooaw-mock set it to the server's URL.
const DefaultIssuer = "http://waooaw-mock.local"

// Audience is the aud claim of the platform's access tokens.
const Audience = "waooaw-api"

// AccessTokenTTL is how long an access token lives on the server's clock.
const AccessTokenTTL = 15 * time.Minute

const (
	// DefaultHeartbeat is how often an open stream sends a heartbeat
	// comment (real time).
	DefaultHeartbeat = 15 * time.Second
)

// Demo users, seeded in every server.
const (
	AdminEmail    = "admin@waooaw.ai"
	OperatorEmail = "ops@waooaw.ai"
	ViewerEmail   = "viewer@example.com"
)

// Customer statuses.
const (
	CustomerActive    = "active"
	CustomerSuspended = "suspended"
)

// Epoch is where a frozen mock clock starts: 2026-01-02T10:00:00Z. It is a
// function so that no test can move every server's start.
func Epoch() time.Time { return core.Epoch() }

// TokenRequest asks POST /_mock/tokens for an access token.
type TokenRequest struct {
	Email string `json:"email"`
	Role  string `json:"role"`
	// ExpiresIn is the token's life in seconds (default 900, at most a year).
	ExpiresIn int `json:"expires_in,omitempty"`
	// Audience replaces the aud claim, to test refusals of other audiences.
	Audience string `json:"audience,omitempty"`
}

// TokenResponse is the answer of POST /_mock/tokens.
type TokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
}

// ClockResponse is the answer of the clock controls.
type ClockResponse struct {
	Now time.Time `json:"now"`
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

// SandboxInfo describes a sandbox (POST and GET /_mock/sandboxes).
type SandboxInfo struct {
	ID string `json:"id"`
	// BaseURL is the sandbox's base URL: the server's issuer (its URL)
	// and /sandboxes/{id}.
	BaseURL string `json:"base_url"`
	// IdleTimeoutSeconds is how long the sandbox lives unused.
	IdleTimeoutSeconds int64 `json:"idle_timeout_seconds"`
	// LastUsed is when it was last used, in real time.
	LastUsed time.Time `json:"last_used"`
}

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
)
