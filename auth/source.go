package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// Source is an oauth2.TokenSource that renews its own token: a signed-in
// person's (refresh grant, NewRefreshingSource and LoginWithBrowser) or a
// service account's (NewClientCredentialsSource). Give it to
// platform.WithTokenSource.
//
// The token's expiry is the token endpoint's expires_in counted from when
// the answer came, on the configured clock (a duration, so a machine whose
// clock is skewed from the server's, or a mock server on a frozen clock,
// still gets the token's whole life); the JWT's exp is read only when the
// answer gave no expires_in. The token is renewed RefreshMargin before its
// expiry. Callers asking while a renewal runs wait for it:
// twenty concurrent callers cause one request to the token endpoint. The
// renewal runs on its own context bounded by WithTimeout, never on a
// request's, so a cancelled request cannot spoil the token others wait for.
//
// Once the server refuses the refresh token (invalid_grant) the Source
// fails every call with an error matching ErrReauthRequired, without asking
// the server again. A Source is safe for concurrent use.
type Source struct {
	cfg   *config
	what  string // what a renewal is, for messages
	fetch func(ctx context.Context, cur *oauth2.Token) (*oauth2.Token, error)

	mu      sync.Mutex
	tok     *oauth2.Token // nil before the first token
	exp     time.Time     // tok's expiry; zero when it has none
	stale   bool          // Invalidate was called: renew before the next use
	dead    error         // sticky: ErrReauthRequired
	flight  *flight       // the renewal in progress
	saveErr error         // why the last renewed token could not be cached
}

// CacheErr reports why the last renewed token could not be saved to the
// cache (WithCache), nil when it was. The token is used all the same; other
// programs sharing the cache will have to sign in again.
func (s *Source) CacheErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.saveErr
}

// flight is one renewal; its waiters read tok and err after done closes.
type flight struct {
	done chan struct{}
	tok  *oauth2.Token
	err  error
}

// NewRefreshingSource returns a Source that starts from tok (from a login,
// with a refresh token) and renews it with the refresh grant at p's token
// endpoint. With WithCache, tok may be nil: the source starts from the
// cached sign-in, and fails with ErrReauthRequired when there is none; a
// tok that is given is saved to the cache.
//
// Options: WithClientID, WithCache, WithClock, WithHTTPClient, WithTimeout.
func NewRefreshingSource(p *Provider, tok *oauth2.Token, opts ...Option) (*Source, error) {
	cfg, err := newConfig(forRefresh, opts)
	if err != nil {
		return nil, err
	}
	if err := p.check("NewRefreshingSource", false); err != nil {
		return nil, err
	}
	s := &Source{cfg: cfg, what: "refreshing the sign-in"}
	s.fetch = func(ctx context.Context, cur *oauth2.Token) (*oauth2.Token, error) {
		if cur == nil || cur.RefreshToken == "" {
			return nil, fmt.Errorf("auth: the token has expired and there is no refresh token; sign in again: %w", ErrReauthRequired)
		}
		oc := &oauth2.Config{ClientID: cfg.clientID, ClientSecret: cfg.secret, Endpoint: p.endpoint()}
		nt, err := oc.TokenSource(ctx, &oauth2.Token{RefreshToken: cur.RefreshToken}).Token()
		if err != nil {
			return nil, tokenEndpointError(s.what, err)
		}
		if nt.RefreshToken == "" {
			nt.RefreshToken = cur.RefreshToken // the server did not rotate it
		}
		return withLifetime(nt), nil
	}
	switch {
	case tok != nil:
		if tok.AccessToken == "" && tok.RefreshToken == "" {
			return nil, errors.New("auth: NewRefreshingSource: the token has neither an access token nor a refresh token")
		}
		t, exp, err := s.adopt(tok)
		if err != nil {
			return nil, err
		}
		if cfg.cache != nil {
			if err := saveLocked(cfg, t); err != nil {
				return nil, err
			}
		}
		s.tok, s.exp = t, exp
	case cfg.cache != nil:
		saved, err := cfg.cache.Load()
		if err != nil {
			return nil, err
		}
		if saved == nil {
			return nil, fmt.Errorf("auth: no saved sign-in in the token cache; sign in first: %w", ErrReauthRequired)
		}
		t, exp, err := s.adopt(saved)
		if err != nil {
			return nil, fmt.Errorf("auth: the token cache holds a bad token (%v); sign in again: %w", err, ErrReauthRequired)
		}
		s.tok, s.exp = t, exp
	default:
		return nil, errors.New("auth: NewRefreshingSource: no token and no cache; pass the token of a login, or WithCache")
	}
	return s, nil
}

// NewClientCredentialsSource returns a Source for a service account: it
// gets a token with the client_credentials grant (the id and secret in a
// Basic header) whenever it has none that is fresh.
//
// Options: WithScopes, WithClock, WithHTTPClient, WithTimeout.
func NewClientCredentialsSource(p *Provider, clientID, clientSecret string, opts ...Option) (*Source, error) {
	cfg, err := newConfig(forClientCredentials, opts)
	if err != nil {
		return nil, err
	}
	if err := p.check("NewClientCredentialsSource", false); err != nil {
		return nil, err
	}
	if strings.TrimSpace(clientID) == "" || clientSecret == "" {
		return nil, errors.New("auth: NewClientCredentialsSource: the client id and the secret are both required")
	}
	cc := &clientcredentials.Config{
		ClientID:     clientID,
		ClientSecret: clientSecret,
		TokenURL:     p.TokenEndpoint,
		Scopes:       cfg.scopes,
		AuthStyle:    oauth2.AuthStyleInHeader,
	}
	s := &Source{cfg: cfg, what: "client credentials"}
	s.fetch = func(ctx context.Context, _ *oauth2.Token) (*oauth2.Token, error) {
		nt, err := cc.Token(ctx)
		if err != nil {
			return nil, tokenEndpointError(s.what, err)
		}
		return withLifetime(nt), nil
	}
	return s, nil
}

// Token returns a token that is good for at least RefreshMargin more,
// renewing it first when needed.
func (s *Source) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	if s.dead != nil {
		err := s.dead
		s.mu.Unlock()
		return nil, err
	}
	if s.tok != nil && !s.stale && s.fresh(s.exp) {
		t := s.tok
		s.mu.Unlock()
		return t, nil
	}
	f, leader := s.flight, false
	if f == nil {
		f, leader = &flight{done: make(chan struct{})}, true
		s.flight = f
	}
	cur := s.tok
	s.mu.Unlock()

	if leader {
		s.renew(f, cur)
	} else {
		<-f.done
	}
	return f.tok, f.err
}

// Invalidate drops the current token, so the next Token renews it. The
// platform client calls it once after a 401. Calls while a renewal runs
// are ignored: the renewal brings a new token anyway.
func (s *Source) Invalidate() {
	s.mu.Lock()
	if s.flight == nil && s.tok != nil {
		s.stale = true
	}
	s.mu.Unlock()
}

// signOut ends the Source after a logout: every later Token fails with
// ErrReauthRequired, and the cached sign-in is forgotten.
func (s *Source) signOut() error {
	s.mu.Lock()
	s.dead = fmt.Errorf("auth: signed out; sign in again: %w", ErrReauthRequired)
	s.tok = nil
	s.mu.Unlock()
	if s.cfg.cache == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.timeout)
	defer cancel()
	unlock, err := s.cfg.cache.Lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	return s.cfg.cache.Clear()
}

// fresh reports whether a token expiring at exp may still be handed out.
func (s *Source) fresh(exp time.Time) bool {
	return exp.IsZero() || s.cfg.clock.Now().Before(exp.Add(-RefreshMargin))
}

// renew gets a new token for the flight f, which it ends.
func (s *Source) renew(f *flight, cur *oauth2.Token) {
	ctx, cancel := s.cfg.httpCtx(context.Background())
	defer cancel()
	tok, exp, saveErr, err := s.obtain(ctx, cur)

	s.mu.Lock()
	switch {
	case err == nil:
		// A token that could not be saved still works: hand it out, and
		// keep the failure for CacheErr rather than fail the caller's call.
		s.tok, s.exp, s.stale, s.saveErr = tok, exp, false, saveErr
		f.tok = tok
	case errors.Is(err, ErrReauthRequired):
		s.dead, s.tok = err, nil
		f.err = err
	case s.tok != nil && !s.stale && (s.exp.IsZero() || s.cfg.clock.Now().Before(s.exp)):
		// Renewing early failed, but the token still works: use it, and
		// try again on the next call.
		f.tok = s.tok
	default:
		f.err = err
	}
	s.flight = nil
	s.mu.Unlock()
	close(f.done)
}

// obtain gets the next token: with a cache, under its lock, from the
// cache if another process has renewed it meanwhile, else from the server
// (saved to the cache). saveErr reports a token that could not be saved.
func (s *Source) obtain(ctx context.Context, cur *oauth2.Token) (tok *oauth2.Token, exp time.Time, saveErr, err error) {
	cache := s.cfg.cache
	if cache != nil {
		unlock, err := cache.Lock(ctx)
		if err != nil {
			return nil, time.Time{}, nil, err
		}
		defer unlock()
		saved, err := cache.Load()
		if err != nil {
			return nil, time.Time{}, nil, err
		}
		if saved != nil && (cur == nil || saved.AccessToken != cur.AccessToken) {
			if t, exp, err := s.adopt(saved); err == nil {
				if s.fresh(exp) {
					return t, exp, nil, nil
				}
				if t.RefreshToken != "" {
					cur = t // another process rotated the refresh token
				}
			}
		}
	}
	nt, err := s.fetch(ctx, cur)
	if err != nil {
		return nil, time.Time{}, nil, err
	}
	t, exp, err := s.adopt(nt)
	if err != nil {
		return nil, time.Time{}, nil, fmt.Errorf("auth: %s: %w", s.what, err)
	}
	if cache != nil {
		if err := cache.Save(t); err != nil {
			saveErr = fmt.Errorf("auth: %s: the new token could not be saved, so other programs sharing the cache will have to sign in again: %w", s.what, err)
		}
	}
	return t, exp, saveErr, nil
}

// adopt copies tok with its Expiry set from expires_in on the clock (a
// fresh answer), else kept as given (a saved token), else from the JWT's
// exp, and returns that expiry.
func (s *Source) adopt(tok *oauth2.Token) (*oauth2.Token, time.Time, error) {
	t := *tok
	jwtExp, ok, err := jwtExpiry(t.AccessToken)
	if err != nil {
		return nil, time.Time{}, err
	}
	var exp time.Time
	switch {
	case t.ExpiresIn > 0:
		exp = s.cfg.clock.Now().Add(time.Duration(t.ExpiresIn) * time.Second)
		t.ExpiresIn = 0 // counted: a saved copy keeps Expiry
	case !t.Expiry.IsZero():
		exp = t.Expiry
	case ok:
		exp = jwtExp
	}
	if t.AccessToken == "" {
		exp = time.Unix(0, 0) // a refresh token alone: renew at once
	}
	if t.TokenType == "" {
		t.TokenType = "Bearer"
	}
	t.Expiry = exp
	return &t, exp, nil
}

// withLifetime makes sure a token fresh from the token endpoint carries its
// expires_in: golang.org/x/oauth2 keeps it only as Expiry on the local
// clock in some flows, and adopt counts it on the configured clock.
func withLifetime(t *oauth2.Token) *oauth2.Token {
	if t.ExpiresIn == 0 && !t.Expiry.IsZero() {
		t.ExpiresIn = max(int64(time.Until(t.Expiry).Round(time.Second)/time.Second), 1)
	}
	return t
}

// saveLocked saves tok to the cache under its lock.
func saveLocked(cfg *config, tok *oauth2.Token) error {
	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	defer cancel()
	unlock, err := cfg.cache.Lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	return cfg.cache.Save(tok)
}
