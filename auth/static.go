package auth

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/waooaw/waooaw-go/platform"
)

// NewStaticSource returns a source that always hands out token (an access
// token you were given, e.g. from $WAOOAW_TOKEN). It reads the JWT's exp
// without verifying anything and fails, at once and on every Token call
// after that time on the clock, with an error matching ErrTokenExpired and
// ErrReauthRequired that says when the token expired. A token that is not
// a JWT, or has no exp, never expires here.
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
	s := &staticSource{tok: &oauth2.Token{AccessToken: token, TokenType: "Bearer", Expiry: exp}, clock: cfg.clock}
	if err := s.check(); err != nil {
		return nil, err
	}
	return s, nil
}

type staticSource struct {
	tok   *oauth2.Token
	clock platform.Clock
}

func (s *staticSource) Token() (*oauth2.Token, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return s.tok, nil
}

func (s *staticSource) check() error {
	exp := s.tok.Expiry
	if now := s.clock.Now(); !exp.IsZero() && !now.Before(exp) {
		return fmt.Errorf("auth: the static token expired at %s (%s ago); get a new token: %w (%w)",
			exp.UTC().Format(time.RFC3339), now.Sub(exp).Round(time.Second), ErrTokenExpired, ErrReauthRequired)
	}
	return nil
}
