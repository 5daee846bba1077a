package auth

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"

	"github.com/waooaw/waooaw-go/platform"
)

// NewStaticSource returns a source that hands out token (an access token
// you were given, e.g. from $WAOOAW_TOKEN) until the platform refuses it.
//
// A static token's exp is judged by the platform, not by this machine's
// clock, which may be skewed (or, against a mock server, on another clock
// altogether): the token is handed out until a call is answered 401 (the
// platform client then calls Invalidate). From then on Token fails: with an
// error matching ErrTokenExpired and ErrReauthRequired, saying when, when
// the JWT's exp has passed on the clock, else with one matching
// ErrReauthRequired (the platform refused the token). With WithClock (a
// clock you trust, such as the mock server's), a token whose exp has
// passed on that clock fails at once, without asking the platform.
//
// Options: WithClock.
func NewStaticSource(token string, opts ...Option) (oauth2.TokenSource, error) {
	cfg, err := newConfig(forStatic, opts)
	if err != nil {
		return nil, err
	}
	token = strings.TrimSpace(token)
	token = strings.TrimPrefix(token, "Bearer ")
	if token == "" {
		return nil, errors.New("auth: NewStaticSource: empty token")
	}
	if strings.ContainsAny(token, " \t\r\n") {
		return nil, errors.New("auth: NewStaticSource: the token contains white space; pass the token alone")
	}
	exp, _, err := jwtExpiry(token)
	if err != nil {
		return nil, err
	}
	s := &staticSource{tok: &oauth2.Token{AccessToken: token, TokenType: "Bearer", Expiry: exp}, clock: cfg.clock, trusted: cfg.clockSet}
	if err := s.check(); err != nil {
		return nil, err
	}
	return s, nil
}

type staticSource struct {
	tok     *oauth2.Token
	clock   platform.Clock
	trusted bool        // the clock was given: judge exp by it at once
	refused atomic.Bool // the platform answered 401 to the token
}

func (s *staticSource) Token() (*oauth2.Token, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return s.tok, nil
}

// Invalidate records that the platform refused the token: a static token
// cannot be renewed, so every later Token fails.
func (s *staticSource) Invalidate() { s.refused.Store(true) }

func (s *staticSource) check() error {
	exp := s.tok.Expiry
	now := s.clock.Now()
	expired := !exp.IsZero() && !now.Before(exp)
	switch {
	case expired && (s.trusted || s.refused.Load()):
		return fmt.Errorf("auth: the static token expired at %s (%s ago); get a new token: %w (%w)",
			exp.UTC().Format(time.RFC3339), now.Sub(exp).Round(time.Second), ErrTokenExpired, ErrReauthRequired)
	case s.refused.Load():
		return fmt.Errorf("auth: the platform refused the static token (revoked, or for another issuer); get a new token: %w", ErrReauthRequired)
	}
	return nil
}
