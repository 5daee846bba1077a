package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// JWKS cache lifetimes when the server's Cache-Control says nothing usable,
// and the most a server can ask for.
const (
	defaultJWKSMaxAge = 5 * time.Minute
	maxJWKSMaxAge     = 24 * time.Hour
)

// Claims are what a verified access token says.
type Claims struct {
	Issuer    string
	Subject   string // the user's stable id
	Audience  []string
	ExpiresAt time.Time
	IssuedAt  time.Time
	ID        string // jti
	SessionID string // sid: the sign-in this token belongs to
	Email     string
	Name      string
	Role      Role
}

// Verifier checks the platform's access tokens where they arrive (a
// service that the platform calls, a proxy): signature by a key of the
// issuer's JWKS, algorithm in the allowlist (never none or HMAC), issuer,
// audience, exp (required), iat and nbf, with at most MaxLeeway of skew.
//
// The JWKS is cached for as long as its Cache-Control max-age says (5
// minutes when it says nothing), fetched again when stale or when a token
// names a key id the cache lacks; concurrent verifications share one
// fetch. A key the issuer retires keeps verifying until the cache is stale.
// A Verifier is safe for concurrent use.
type Verifier struct {
	cfg     *config
	issuer  string
	jwksURI string
	parser  *jwt.Parser

	mu      sync.Mutex
	keys    map[string]jose.JSONWebKey // by kid; nil before the first fetch
	expires time.Time                  // when keys go stale, on the clock
	flight  *jwksFlight
	forced  time.Time // the last fetch forced by an unknown kid, on the clock
}

// forceEvery bounds fetches forced by unknown key ids: tokens naming made-up
// kids must not make the Verifier hammer the issuer.
const forceEvery = 30 * time.Second

type jwksFlight struct {
	done chan struct{}
	keys map[string]jose.JSONWebKey
	err  error
}

// NewVerifier returns a Verifier for p's tokens (p.Issuer, p.JWKSURI). It
// does no I/O: the JWKS is fetched on the first Verify.
//
// Options: WithAudience, WithLeeway, WithAlgorithms, WithClock,
// WithHTTPClient, WithTimeout.
func NewVerifier(p *Provider, opts ...Option) (*Verifier, error) {
	cfg, err := newConfig(forVerifier, opts)
	if err != nil {
		return nil, err
	}
	if p == nil || p.Issuer == "" || p.JWKSURI == "" {
		return nil, errors.New("auth: NewVerifier: the Provider needs an issuer and a jwks_uri; use NewProvider or Discover")
	}
	v := &Verifier{cfg: cfg, issuer: p.Issuer, jwksURI: p.JWKSURI}
	v.parser = jwt.NewParser(
		jwt.WithValidMethods(cfg.algs),
		jwt.WithIssuer(p.Issuer),
		jwt.WithAudience(cfg.audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(cfg.leeway),
		jwt.WithTimeFunc(cfg.clock.Now),
	)
	return v, nil
}

// tokenClaims is the wire form of the claims.
type tokenClaims struct {
	Email string `json:"email"`
	Name  string `json:"name"`
	Role  string `json:"role"`
	SID   string `json:"sid"`
	jwt.RegisteredClaims
}

// Verify checks token and returns its claims. A refused token gives an
// error matching ErrInvalidToken (and ErrTokenExpired when it is too old);
// a JWKS that cannot be fetched gives an error matching neither.
func (v *Verifier) Verify(ctx context.Context, token string) (*Claims, error) {
	token = strings.TrimSpace(token)
	if token == "" {
		return nil, fmt.Errorf("auth: verify: empty token: %w", ErrInvalidToken)
	}
	var keyErr error
	var c tokenClaims
	_, err := v.parser.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		k, err := v.key(ctx, t)
		keyErr = err
		return k, err
	})
	switch {
	case keyErr != nil:
		return nil, keyErr
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, fmt.Errorf("auth: verify: the token expired at %s: %w (%w)",
			c.ExpiresAt.Time.UTC().Format(time.RFC3339), ErrTokenExpired, ErrInvalidToken)
	case errors.Is(err, jwt.ErrTokenSignatureInvalid) && strings.Contains(err.Error(), "signing method"):
		return nil, fmt.Errorf("auth: verify: signature algorithm not allowed (allowed: %s): %w", strings.Join(v.cfg.algs, ", "), ErrInvalidToken)
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return nil, fmt.Errorf("auth: verify: the token is not for %q: %w", v.cfg.audience, ErrInvalidToken)
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return nil, fmt.Errorf("auth: verify: the token's issuer %q is not %q: %w", c.Issuer, v.issuer, ErrInvalidToken)
	case err != nil:
		return nil, fmt.Errorf("auth: verify: %s: %w", shortJWTError(err), ErrInvalidToken)
	}
	out := &Claims{
		Issuer:    c.Issuer,
		Subject:   c.Subject,
		Audience:  []string(c.Audience),
		ExpiresAt: c.ExpiresAt.Time,
		ID:        c.ID,
		SessionID: c.SID,
		Email:     c.Email,
		Name:      c.Name,
		Role:      Role(c.Role),
	}
	if c.IssuedAt != nil {
		out.IssuedAt = c.IssuedAt.Time
	}
	return out, nil
}

// key finds the public key for t's kid, fetching the JWKS when the cache
// is stale or lacks the kid.
func (v *Verifier) key(ctx context.Context, t *jwt.Token) (any, error) {
	kid, _ := t.Header["kid"].(string)
	if kid == "" {
		return nil, fmt.Errorf("auth: verify: the token names no key (kid): %w", ErrInvalidToken)
	}
	keys, fetched, err := v.jwks(ctx, false)
	if err != nil {
		return nil, err
	}
	k, ok := keys[kid]
	if !ok && !fetched && v.mayForce() {
		if keys, _, err = v.jwks(ctx, true); err != nil {
			return nil, err
		}
		k, ok = keys[kid]
	}
	if !ok {
		return nil, fmt.Errorf("auth: verify: key %q is not in the issuer's JWKS (unknown or retired): %w", kid, ErrInvalidToken)
	}
	if alg := t.Method.Alg(); k.Algorithm != "" && k.Algorithm != alg {
		return nil, fmt.Errorf("auth: verify: key %q is for %s, the token says %s: %w", kid, k.Algorithm, alg, ErrInvalidToken)
	}
	return k.Key, nil
}

// mayForce reports whether an unknown kid may force a fetch now, and
// takes that turn.
func (v *Verifier) mayForce() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	now := v.cfg.clock.Now()
	if !v.forced.IsZero() && now.Before(v.forced.Add(forceEvery)) {
		return false
	}
	v.forced = now
	return true
}

// jwks returns the cached keys, fetching them first when stale (or when
// force); fetched reports a fetch that ended after this call began.
func (v *Verifier) jwks(ctx context.Context, force bool) (map[string]jose.JSONWebKey, bool, error) {
	v.mu.Lock()
	if !force && v.keys != nil && v.cfg.clock.Now().Before(v.expires) {
		keys := v.keys
		v.mu.Unlock()
		return keys, false, nil
	}
	f := v.flight
	if f == nil {
		f = &jwksFlight{done: make(chan struct{})}
		v.flight = f
		// The fetch is shared, so it runs on its own context: one caller
		// giving up must not fail the others.
		go v.fetch(f)
	}
	v.mu.Unlock()
	select {
	case <-f.done:
		return f.keys, true, f.err
	case <-ctx.Done():
		return nil, false, fmt.Errorf("auth: verify: waiting for the JWKS: %w", ctx.Err())
	}
}

// fetch reads the JWKS for the flight f and ends it.
func (v *Verifier) fetch(f *jwksFlight) {
	ctx, cancel := context.WithTimeout(context.Background(), v.cfg.timeout)
	defer cancel()
	keys, maxAge, err := v.get(ctx)
	v.mu.Lock()
	if err == nil {
		v.keys, v.expires = keys, v.cfg.clock.Now().Add(maxAge)
	}
	f.keys, f.err = v.keys, err
	v.flight = nil
	v.mu.Unlock()
	close(f.done)
}

// get fetches and parses the JWKS. Keys that cannot be used (private or
// symmetric keys, keys for encryption, keys without a kid, kinds this
// library does not know) are skipped.
func (v *Verifier) get(ctx context.Context) (map[string]jose.JSONWebKey, time.Duration, error) {
	raw, header, err := getJSON(ctx, v.cfg.http, v.jwksURI)
	if err != nil {
		return nil, 0, fmt.Errorf("auth: verify: fetching the JWKS: %w", err)
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(raw, &set); err != nil {
		return nil, 0, fmt.Errorf("auth: verify: the JWKS at %s is not valid JSON: %w", v.jwksURI, err)
	}
	keys := make(map[string]jose.JSONWebKey, len(set.Keys))
	for _, r := range set.Keys {
		var k jose.JSONWebKey
		if json.Unmarshal(r, &k) != nil || k.KeyID == "" || !k.IsPublic() || (k.Use != "" && k.Use != "sig") {
			continue
		}
		keys[k.KeyID] = k
	}
	return keys, maxAge(header.Get("Cache-Control")), nil
}

// maxAge reads Cache-Control's max-age: 0 for no-store or no-cache, the
// default when absent or unreadable, at most maxJWKSMaxAge.
func maxAge(cc string) time.Duration {
	age := defaultJWKSMaxAge
	for _, d := range strings.Split(cc, ",") {
		name, val, _ := strings.Cut(strings.TrimSpace(d), "=")
		switch strings.ToLower(name) {
		case "no-store", "no-cache":
			return 0
		case "max-age":
			n, err := strconv.Atoi(strings.Trim(val, `"`))
			if err != nil || n < 0 {
				continue
			}
			age = maxJWKSMaxAge
			if n < int(maxJWKSMaxAge/time.Second) {
				age = time.Duration(n) * time.Second
			}
		}
	}
	return age
}
