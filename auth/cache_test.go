package auth_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/waooaw/waooaw-go/auth"
	"github.com/waooaw/waooaw-go/mockserver"
)

func newCache(t *testing.T) *auth.FileCache {
	t.Helper()
	c, err := auth.NewFileCache(filepath.Join(t.TempDir(), "sub", "token.json"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestFileCacheRoundTrip(t *testing.T) {
	t.Parallel()
	c := newCache(t)
	if tok, err := c.Load(); tok != nil || err != nil {
		t.Fatalf("empty cache: %v, %v", tok, err)
	}
	exp := time.Date(2026, 1, 2, 10, 15, 0, 0, time.UTC)
	in := (&oauth2.Token{AccessToken: "at", TokenType: "Bearer", RefreshToken: "rt", Expiry: exp}).
		WithExtra(map[string]any{"id_token": "idt"})
	if err := c.Save(in); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(c.Path())
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	if dst, _ := os.Stat(filepath.Dir(c.Path())); dst.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v, want 0700", dst.Mode().Perm())
	}
	out, err := c.Load()
	if err != nil {
		t.Fatal(err)
	}
	if out.AccessToken != "at" || out.RefreshToken != "rt" || !out.Expiry.Equal(exp) || out.Extra("id_token") != "idt" {
		t.Errorf("loaded %+v", out)
	}
	entries, _ := os.ReadDir(filepath.Dir(c.Path()))
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
	if err := c.Clear(); err != nil {
		t.Fatal(err)
	}
	if tok, err := c.Load(); tok != nil || err != nil {
		t.Fatalf("after Clear: %v, %v", tok, err)
	}
	if err := c.Clear(); err != nil {
		t.Errorf("clearing an empty cache: %v", err)
	}
	if err := c.Save(nil); err == nil {
		t.Error("Save(nil) did not fail")
	}
}

func TestFileCacheRefusesBadFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		content string
		mode    os.FileMode
		want    string
	}{
		{"readable by others", `{"access_token":"a"}`, 0o644, "chmod 600"},
		{"damaged", `{"access_token":`, 0o600, "damaged"},
		{"not an object", `[1,2]`, 0o600, "damaged"},
		{"huge", `{"access_token":"` + strings.Repeat("a", 2<<20) + `"}`, 0o600, "damaged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newCache(t)
			os.MkdirAll(filepath.Dir(c.Path()), 0o700)
			if err := os.WriteFile(c.Path(), []byte(tt.content), tt.mode); err != nil {
				t.Fatal(err)
			}
			os.Chmod(c.Path(), tt.mode)
			_, err := c.Load()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := auth.NewFileCache(""); err == nil {
		t.Error("NewFileCache(\"\") did not fail")
	}
}

func TestFileCacheLock(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "token.json")
	a, _ := auth.NewFileCache(path)
	b, _ := auth.NewFileCache(path) // another holder, as another process would be
	unlock, err := a.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.Lock(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("second Lock while held: %v, want it to wait until cancelled", err)
	}
	got := make(chan error, 1)
	go func() {
		u, err := b.Lock(context.Background())
		if err == nil {
			u()
		}
		got <- err
	}()
	unlock()
	if err := <-got; err != nil {
		t.Fatalf("Lock after unlock: %v", err)
	}
}

func TestDefaultCachePath(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"", ".", "..", "a/b", "../x"} {
		if _, err := auth.DefaultCachePath(bad); err == nil {
			t.Errorf("DefaultCachePath(%q) did not fail", bad)
		}
	}
	if p, err := auth.DefaultCachePath("cli"); err == nil && !strings.HasSuffix(p, filepath.Join("waooaw", "cli.json")) {
		t.Errorf("DefaultCachePath(cli) = %s", p)
	}
}

func TestCacheSurvivesRestart(t *testing.T) {
	t.Parallel()
	ts := start(t)
	path := filepath.Join(t.TempDir(), "waooaw.json")
	fc, _ := auth.NewFileCache(path)
	_, pc, _ := login(t, ts, mockserver.OperatorEmail, auth.WithCache(fc))
	ctx := context.Background()
	me, err := auth.Me(ctx, pc)
	if err != nil {
		t.Fatal(err)
	}

	// A new program: a new cache value over the same file, no login.
	restart := func() *auth.Source {
		t.Helper()
		fc, _ := auth.NewFileCache(path)
		p, _ := auth.NewProvider(ts.URL)
		src, err := auth.NewRefreshingSource(p, nil, auth.WithCache(fc), auth.WithClock(ts),
			auth.WithHTTPClient(ts.HTTPClient()))
		if err != nil {
			t.Fatal(err)
		}
		return src
	}
	again, err := auth.Me(ctx, client(t, ts, restart()))
	if err != nil {
		t.Fatal(err)
	}
	if again.SessionID != me.SessionID {
		t.Errorf("the restarted program is in another session")
	}
	// It refreshes, and the program after it starts from the rotated token.
	ts.Advance(20 * time.Minute)
	if _, err := auth.Me(ctx, client(t, ts, restart())); err != nil {
		t.Fatal(err)
	}
	ts.Advance(20 * time.Minute)
	third, err := auth.Me(ctx, client(t, ts, restart()))
	if err != nil {
		t.Fatalf("after two restarts and refreshes: %v", err)
	}
	if third.SessionID != me.SessionID {
		t.Errorf("the session changed")
	}
}

func TestTwoProcessesShareOneRefreshToken(t *testing.T) {
	t.Parallel()
	ts := start(t)
	path := filepath.Join(t.TempDir(), "waooaw.json")
	fc, _ := auth.NewFileCache(path)
	login(t, ts, mockserver.OperatorEmail, auth.WithCache(fc))

	// Two programs start from the same cached sign-in.
	p, _ := auth.NewProvider(ts.URL)
	cnt := newCounting(ts.HTTPClient().Transport)
	open := func() *auth.Source {
		fc, _ := auth.NewFileCache(path)
		src, err := auth.NewRefreshingSource(p, nil, auth.WithCache(fc), auth.WithClock(ts), auth.WithHTTPClient(cnt.client()))
		if err != nil {
			t.Fatal(err)
		}
		return src
	}
	a, b := open(), open()
	ts.Advance(20 * time.Minute)
	ta, err := a.Token()
	if err != nil {
		t.Fatal(err)
	}
	// b still holds the refresh token a has spent; reusing it would revoke
	// the session. It must take a's token from the cache instead.
	tb, err := b.Token()
	if err != nil {
		t.Fatalf("the second program: %v", err)
	}
	if tb.AccessToken != ta.AccessToken {
		t.Error("the second program did not take the first one's token")
	}
	if n := cnt.count("POST /auth/token"); n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}
	if _, err := auth.Me(context.Background(), client(t, ts, a)); err != nil {
		t.Errorf("the session did not survive: %v", err)
	}
	// Later the second program refreshes with the rotated token.
	ts.Advance(20 * time.Minute)
	if _, err := b.Token(); err != nil {
		t.Fatalf("refresh by the second program: %v", err)
	}
	if _, err := a.Token(); err != nil {
		t.Fatalf("the first program after the second refreshed: %v", err)
	}
	if n := cnt.count("POST /auth/token"); n != 2 {
		t.Errorf("%d refreshes, want 2", n)
	}
}

func TestRefreshingSourceEmptyCache(t *testing.T) {
	t.Parallel()
	p := newIDP(newClock())
	_, err := auth.NewRefreshingSource(p.provider(t), nil, auth.WithCache(newCache(t)))
	if !errors.Is(err, auth.ErrReauthRequired) {
		t.Fatalf("empty cache: %v, want ErrReauthRequired", err)
	}
}
