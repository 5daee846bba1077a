// Package authority is the mock platform's sign-in: the signing keys (an
// Ed25519 and an RSA key per generation, rotated and retired), users
// (demo users, seeded ones and those made up on first sign-in), sessions,
// the verified-token cache, the OAuth 2.0 / OpenID Connect endpoints of
// the mock identity provider (authorization code with PKCE, refresh,
// client credentials, revocation, discovery, JWKS) and the /_mock/ auth
// controls. The server authenticates each request through Authenticate.
package authority
