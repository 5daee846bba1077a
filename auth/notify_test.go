package auth_test

import (
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/waooaw/waooaw-go/auth"
	"github.com/waooaw/waooaw-go/platform"
)

func TestNotifyingSource(t *testing.T) {
	t.Parallel()
	p := newIDP(newClock())
	src := refreshing(t, p, p.login())
	var seen []string
	n, err := auth.NewNotifyingSource(src, func(tok *oauth2.Token) { seen = append(seen, tok.AccessToken) })
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := n.Token(); err != nil {
			t.Fatal(err)
		}
	}
	if len(seen) != 1 {
		t.Fatalf("%d reports for one token, want 1", len(seen))
	}
	p.clock.Advance(time.Hour)
	n.Token()
	n.Invalidate() // passed through: the next Token renews
	n.Token()
	if len(seen) != 3 || seen[0] == seen[1] || seen[1] == seen[2] {
		t.Fatalf("reports %d, want 3 distinct", len(seen))
	}
	var _ platform.Invalidator = n

	if _, err := auth.NewNotifyingSource(nil, func(*oauth2.Token) {}); err == nil {
		t.Error("nil source accepted")
	}
	if _, err := auth.NewNotifyingSource(src, nil); err == nil {
		t.Error("nil function accepted")
	}
}

func TestNotifyingSourceSkipsOlderTokens(t *testing.T) {
	t.Parallel()
	clock := newClock()
	older := &oauth2.Token{AccessToken: "old", Expiry: clock.Now().Add(time.Minute)}
	newer := &oauth2.Token{AccessToken: "new", Expiry: clock.Now().Add(time.Hour)}
	seq := []*oauth2.Token{newer, older, newer}
	i := 0
	src := tokenSourceFunc(func() (*oauth2.Token, error) { t := seq[i]; i++; return t, nil })
	var seen []string
	n, _ := auth.NewNotifyingSource(src, func(tok *oauth2.Token) { seen = append(seen, tok.AccessToken) })
	for range seq {
		n.Token()
	}
	if len(seen) != 1 || seen[0] != "new" {
		t.Fatalf("reported %v, want [new]", seen)
	}
	n.Invalidate() // the wrapped source cannot be invalidated: no panic
}

type tokenSourceFunc func() (*oauth2.Token, error)

func (f tokenSourceFunc) Token() (*oauth2.Token, error) { return f() }
