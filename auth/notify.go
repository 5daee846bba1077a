package auth

import (
	"errors"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/waooaw/waooaw-go/platform"
)

// NotifyingSource wraps a token source and reports each new token it
// hands out, for example to save it or to log who is signed in until
// when. It passes Invalidate (and Logout's sign-out) through to the
// source it wraps.
type NotifyingSource struct {
	src oauth2.TokenSource
	fn  func(*oauth2.Token)

	mu      sync.Mutex
	last    string    // the last access token reported
	lastExp time.Time // its expiry
}

// NewNotifyingSource returns src reporting each new token to fn: one whose
// access token differs from the last reported one and does not expire
// before it (so a caller still holding an older token does not report it
// again). fn is called in order, one call at a
// time, before Token returns; it must not call Token itself.
func NewNotifyingSource(src oauth2.TokenSource, fn func(*oauth2.Token)) (*NotifyingSource, error) {
	if src == nil || fn == nil {
		return nil, errors.New("auth: NewNotifyingSource: nil source or function")
	}
	return &NotifyingSource{src: src, fn: fn}, nil
}

// Token returns the wrapped source's token, reporting it when it is new.
func (n *NotifyingSource) Token() (*oauth2.Token, error) {
	tok, err := n.src.Token()
	if err != nil {
		return nil, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if tok.AccessToken != n.last && (tok.Expiry.IsZero() || !tok.Expiry.Before(n.lastExp)) {
		n.last, n.lastExp = tok.AccessToken, tok.Expiry
		n.fn(tok)
	}
	return tok, nil
}

// Invalidate invalidates the wrapped source, when it can be.
func (n *NotifyingSource) Invalidate() {
	if inv, ok := n.src.(platform.Invalidator); ok {
		inv.Invalidate()
	}
}

func (n *NotifyingSource) signOut() error {
	if so, ok := n.src.(signOuter); ok {
		return so.signOut()
	}
	return nil
}

// signOuter is a source that Logout ends.
type signOuter interface{ signOut() error }

var (
	_ platform.Invalidator = (*Source)(nil)
	_ platform.Invalidator = (*NotifyingSource)(nil)
	_ signOuter            = (*Source)(nil)
	_ signOuter            = (*NotifyingSource)(nil)
)
