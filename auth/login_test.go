package auth_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/auth"
	"github.com/waooaw/waooaw-go/mockserver"
)

// followingBrowser plays the browser: it follows the sign-in's redirects
// with an HTTP client, counting the sign-ins it was asked for.
func followingBrowser(n *atomic.Int32) func(context.Context, string) error {
	return func(ctx context.Context, u string) error {
		n.Add(1)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil
	}
}

func TestLoginResumesFromTheCache(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	p, err := auth.NewProvider(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	cache, err := auth.NewFileCache(filepath.Join(t.TempDir(), "token.json"))
	if err != nil {
		t.Fatal(err)
	}
	var browsed atomic.Int32
	opts := []auth.Option{auth.WithBrowser(followingBrowser(&browsed)), auth.WithLoginHint(mockserver.OperatorEmail), auth.WithClock(ts)}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	first, err := auth.Login(ctx, p, cache, opts...)
	if err != nil {
		t.Fatalf("first Login: %v", err)
	}
	if n := browsed.Load(); n != 1 {
		t.Fatalf("the first Login opened the browser %d time(s), want 1", n)
	}
	tok, err := first.Token()
	if err != nil {
		t.Fatal(err)
	}

	second, err := auth.Login(ctx, p, cache, opts...)
	if err != nil {
		t.Fatalf("second Login: %v", err)
	}
	if n := browsed.Load(); n != 1 {
		t.Errorf("the second Login opened the browser again (%d sign-ins); it should resume from the cache", n)
	}
	if again, err := second.Token(); err != nil || again.AccessToken != tok.AccessToken {
		t.Errorf("the resumed sign-in has another token (%v)", err)
	}

	// A sign-in the platform has ended sends the person to the browser again.
	if err := cache.Clear(); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.Login(ctx, p, cache, opts...); err != nil {
		t.Fatalf("Login after the cache was cleared: %v", err)
	}
	if n := browsed.Load(); n != 2 {
		t.Errorf("%d sign-ins, want 2 (the cache was empty)", n)
	}
}

func TestLoginRefusesBadArguments(t *testing.T) {
	t.Parallel()
	p, _ := auth.NewProvider("http://127.0.0.1:1")
	if _, err := auth.Login(context.Background(), p, nil); err == nil {
		t.Error("Login accepted a nil cache")
	}
	cache, _ := auth.NewFileCache(filepath.Join(t.TempDir(), "t.json"))
	if _, err := auth.Login(context.Background(), p, cache, auth.WithCache(cache)); err == nil {
		t.Error("Login accepted WithCache")
	}
	if _, err := auth.Login(context.Background(), p, cache, auth.WithAudience("x")); err == nil {
		t.Error("Login accepted a Verifier option")
	}
}

func TestStaticSourceJudgedByThePlatform(t *testing.T) {
	t.Parallel()
	p := newIDP(newClock())
	expired := p.mint(-time.Hour) // an hour past on the IdP's clock, years past on this machine's
	src, err := auth.NewStaticSource(expired)
	if err != nil {
		t.Fatalf("NewStaticSource without a clock refused the token before the platform did: %v", err)
	}
	if _, err := src.Token(); err != nil {
		t.Fatalf("Token before any refusal: %v", err)
	}
	inv, ok := src.(interface{ Invalidate() })
	if !ok {
		t.Fatal("the static source cannot be invalidated, so a 401 cannot end it")
	}
	inv.Invalidate() // what the platform client does on a 401
	if _, err := src.Token(); !errors.Is(err, auth.ErrTokenExpired) || !errors.Is(err, auth.ErrReauthRequired) {
		t.Errorf("Token after a 401 = %v, want ErrTokenExpired and ErrReauthRequired", err)
	}

	live, err := auth.NewStaticSource("opaque-token")
	if err != nil {
		t.Fatal(err)
	}
	live.(interface{ Invalidate() }).Invalidate()
	if _, err := live.Token(); !errors.Is(err, auth.ErrReauthRequired) || errors.Is(err, auth.ErrTokenExpired) {
		t.Errorf("Token of a refused unexpired token = %v, want ErrReauthRequired only", err)
	}
}
