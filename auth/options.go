package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/waooaw/waooaw-go/platform"
)

// DefaultClientID is the platform's public client for people signing in from
// a program on their machine (authorization code with PKCE).
const DefaultClientID = "waooaw-sdk"

// DefaultAudience is the aud claim of the platform's access tokens.
const DefaultAudience = "waooaw-api"

// RefreshMargin is how long before its expiry a token is renewed, so a
// request never leaves with a token about to die on the way.
const RefreshMargin = 60 * time.Second

// MaxLeeway is the largest clock skew a Verifier may be told to allow.
const MaxLeeway = 60 * time.Second

// defaultTimeout bounds each request of this package to the identity provider.
const defaultTimeout = 30 * time.Second

// use says which constructors an Option applies to.
type use uint16

const (
	forLogin use = 1 << iota
	forRefresh
	forClientCredentials
	forStatic
	forVerifier
	forDiscover
	forWeb

	forNetwork = forLogin | forRefresh | forClientCredentials | forVerifier | forDiscover | forWeb
	forAll     = forNetwork | forStatic
)

func (u use) String() string {
	var names []string
	for _, n := range []struct {
		u    use
		name string
	}{
		{forLogin, "LoginWithBrowser"},
		{forRefresh, "NewRefreshingSource"},
		{forClientCredentials, "NewClientCredentialsSource"},
		{forStatic, "NewStaticSource"},
		{forVerifier, "NewVerifier"},
		{forDiscover, "Discover"},
		{forWeb, "NewWebLogin"},
	} {
		if u&n.u != 0 {
			names = append(names, n.name)
		}
	}
	return strings.Join(names, ", ")
}

// Option configures a token source, a login, a Verifier or Discover. Each
// option's documentation says where it applies; giving it elsewhere is an
// error, so a misplaced option is never silently ignored.
type Option struct {
	name  string
	uses  use
	apply func(*config) error
}

// config is every setting an Option can make.
type config struct {
	clock     platform.Clock
	clockSet  bool // WithClock was given
	http      *http.Client
	timeout   time.Duration
	clientID  string
	secret    string // a confidential client's (NewWebLogin), for the refresh grant
	scopes    []string
	scopesSet bool
	loginHint string
	browser   func(ctx context.Context, url string) error
	cache     TokenCache
	audience  string
	leeway    time.Duration
	algs      []string
}

// newConfig applies opts for the constructor u (one bit), refusing options
// that belong to other constructors.
func newConfig(u use, opts []Option) (*config, error) {
	c := &config{
		clock:    platform.SystemClock{},
		timeout:  defaultTimeout,
		clientID: DefaultClientID,
		audience: DefaultAudience,
		algs:     []string{"EdDSA", "RS256"},
	}
	for _, o := range opts {
		if o.apply == nil {
			return nil, errors.New("auth: a zero Option was given; use the With... functions")
		}
		if o.uses&u == 0 {
			return nil, fmt.Errorf("auth: %s does not apply to %s (it applies to %s)", o.name, u, o.uses)
		}
		if err := o.apply(c); err != nil {
			return nil, err
		}
	}
	if c.http == nil {
		c.http = &http.Client{}
	}
	return c, nil
}

// httpCtx is a context carrying the configured HTTP client for
// golang.org/x/oauth2, bounded by the configured timeout.
func (c *config) httpCtx(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(parent, c.timeout)
	return context.WithValue(ctx, oauth2.HTTPClient, c.http), cancel
}

// WithClock sets the clock that decides when tokens expire. Default: the
// system clock. Use the mock server's clock (a *mockserver.TestServer is a
// platform.Clock) in tests. Applies everywhere.
func WithClock(c platform.Clock) Option {
	return Option{"WithClock", forAll, func(cfg *config) error {
		if c == nil {
			return errors.New("auth: WithClock: nil clock")
		}
		cfg.clock, cfg.clockSet = c, true
		return nil
	}}
}

// WithHTTPClient sets the HTTP client for the requests to the identity
// provider (token, JWKS and discovery endpoints). Default: a plain client,
// bounded by WithTimeout. Applies everywhere except NewStaticSource.
func WithHTTPClient(hc *http.Client) Option {
	return Option{"WithHTTPClient", forNetwork, func(cfg *config) error {
		if hc == nil {
			return errors.New("auth: WithHTTPClient: nil client")
		}
		cfg.http = hc
		return nil
	}}
}

// WithTimeout bounds each request to the identity provider (a refresh, a
// JWKS fetch, a code exchange). Default 30s. It does not bound how long a
// person takes to sign in: LoginWithBrowser's context does that. Applies
// everywhere except NewStaticSource.
func WithTimeout(d time.Duration) Option {
	return Option{"WithTimeout", forNetwork, func(cfg *config) error {
		if d <= 0 {
			return fmt.Errorf("auth: WithTimeout: %v is not positive", d)
		}
		cfg.timeout = d
		return nil
	}}
}

// WithClientID sets the public OAuth2 client that signs people in. Default
// DefaultClientID. Applies to LoginWithBrowser and NewRefreshingSource (the
// refresh grant names the client that got the token).
func WithClientID(id string) Option {
	return Option{"WithClientID", forLogin | forRefresh, func(cfg *config) error {
		if strings.TrimSpace(id) == "" {
			return errors.New("auth: WithClientID: empty client id")
		}
		cfg.clientID = id
		return nil
	}}
}

// WithScopes sets the scopes asked for. Default for LoginWithBrowser and
// NewWebLogin: openid, email and profile; for NewClientCredentialsSource: none.
func WithScopes(scopes ...string) Option {
	return Option{"WithScopes", forLogin | forClientCredentials | forWeb, func(cfg *config) error {
		for _, s := range scopes {
			if s == "" || strings.ContainsAny(s, " \t\r\n\"\\") {
				return fmt.Errorf("auth: WithScopes: %q is not a valid scope", s)
			}
		}
		cfg.scopes, cfg.scopesSet = slices.Clone(scopes), true
		return nil
	}}
}

// WithLoginHint tells the identity provider who is signing in (an email),
// so the person need not pick an account. Applies to LoginWithBrowser.
func WithLoginHint(email string) Option {
	return Option{"WithLoginHint", forLogin, func(cfg *config) error {
		if strings.ContainsAny(email, "\r\n") {
			return errors.New("auth: WithLoginHint: line breaks are not allowed")
		}
		cfg.loginHint = email
		return nil
	}}
}

// WithBrowser sets how LoginWithBrowser shows the sign-in page: open is
// called once with the authorization URL and should return once the page
// is opened (or, in tests, once it has followed the redirects itself).
// Default: SystemBrowser. Applies to LoginWithBrowser.
func WithBrowser(open func(ctx context.Context, url string) error) Option {
	return Option{"WithBrowser", forLogin, func(cfg *config) error {
		if open == nil {
			return errors.New("auth: WithBrowser: nil function")
		}
		cfg.browser = open
		return nil
	}}
}

// WithCache keeps the sign-in in c (see FileCache), so it survives the
// program: LoginWithBrowser saves the token it gets; NewRefreshingSource
// loads it when given no token, saves every new one, and takes c's lock
// and re-reads it before refreshing, so two processes sharing c never
// spend each other's refresh token. Applies to LoginWithBrowser and
// NewRefreshingSource.
func WithCache(c TokenCache) Option {
	return Option{"WithCache", forLogin | forRefresh, func(cfg *config) error {
		if c == nil {
			return errors.New("auth: WithCache: nil cache")
		}
		cfg.cache = c
		return nil
	}}
}

// WithAudience sets the aud a Verifier requires. Default DefaultAudience.
// Applies to NewVerifier.
func WithAudience(aud string) Option {
	return Option{"WithAudience", forVerifier, func(cfg *config) error {
		if aud == "" {
			return errors.New("auth: WithAudience: empty audience")
		}
		cfg.audience = aud
		return nil
	}}
}

// WithLeeway lets a Verifier accept tokens up to d past their exp (and d
// before their iat or nbf), for clocks that disagree. 0 ≤ d ≤ MaxLeeway;
// default 0. Applies to NewVerifier.
func WithLeeway(d time.Duration) Option {
	return Option{"WithLeeway", forVerifier, func(cfg *config) error {
		if d < 0 || d > MaxLeeway {
			return fmt.Errorf("auth: WithLeeway: %v is outside 0-%v", d, MaxLeeway)
		}
		cfg.leeway = d
		return nil
	}}
}

// allowedAlgs are the signature algorithms a Verifier may accept: never
// "none", and never the HMAC ones, whose key would be the public JWKS.
var allowedAlgs = []string{
	"EdDSA", "ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
}

// WithAlgorithms sets the signature algorithms a Verifier accepts. Default:
// EdDSA and RS256, the platform's (access tokens are EdDSA; ID tokens RS256
// unless the issuer was asked for EdDSA). Asymmetric algorithms only: "none" and HS256 (or
// any HMAC) are refused. Applies to NewVerifier.
func WithAlgorithms(algs ...string) Option {
	return Option{"WithAlgorithms", forVerifier, func(cfg *config) error {
		if len(algs) == 0 {
			return errors.New("auth: WithAlgorithms: no algorithm given")
		}
		for _, a := range algs {
			if !slices.Contains(allowedAlgs, a) {
				return fmt.Errorf("auth: WithAlgorithms: %q is not allowed (allowed: %s)", a, strings.Join(allowedAlgs, ", "))
			}
		}
		cfg.algs = slices.Clone(algs)
		return nil
	}}
}
