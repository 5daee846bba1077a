package auth_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"testing"

	"golang.org/x/oauth2"

	"github.com/waooaw/waooaw-go/auth"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
)

func TestLogout(t *testing.T) {
	t.Parallel()
	ts := start(t)
	fc, _ := auth.NewFileCache(filepath.Join(t.TempDir(), "t.json"))
	src, _, cnt := login(t, ts, mockserver.ViewerEmail, auth.WithCache(fc))
	var reported int
	wrapped, _ := auth.NewNotifyingSource(src, func(*oauth2.Token) { reported++ })
	pc := client(t, ts, wrapped)
	ctx := context.Background()
	me, err := auth.Me(ctx, pc)
	if err != nil {
		t.Fatal(err)
	}
	if me.Email != mockserver.ViewerEmail || me.Role != auth.RoleViewer || me.Name != "Vera Viewer" ||
		!me.ExpiresAt.Equal(ts.Now().Add(mockserver.AccessTokenTTL)) {
		t.Errorf("me = %+v", me)
	}
	old, _ := src.Token()
	before := cnt.count("POST /auth/token")

	if err := auth.Logout(ctx, pc); err != nil {
		t.Fatal(err)
	}
	// The server refuses the old tokens ...
	if st := rawGet(t, ts, "/auth/me", old.AccessToken); st != http.StatusUnauthorized {
		t.Errorf("the old access token got %d", st)
	}
	p, _ := auth.NewProvider(ts.URL)
	stale, err := auth.NewRefreshingSource(p, &oauth2.Token{RefreshToken: old.RefreshToken},
		auth.WithClock(ts), auth.WithHTTPClient(ts.HTTPClient()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stale.Token(); !errors.Is(err, auth.ErrReauthRequired) {
		t.Errorf("the old refresh token: %v, want ErrReauthRequired", err)
	}
	// ... the source is over without asking the server ...
	if _, err := auth.Me(ctx, pc); !errors.Is(err, auth.ErrReauthRequired) {
		t.Errorf("after logout: %v, want ErrReauthRequired", err)
	}
	if n := cnt.count("POST /auth/token"); n != before {
		t.Errorf("the ended source asked the server %d time(s)", n-before)
	}
	// ... and the cached sign-in is gone.
	if _, err := auth.NewRefreshingSource(p, nil, auth.WithCache(fc)); !errors.Is(err, auth.ErrReauthRequired) {
		t.Errorf("the cache after logout: %v", err)
	}
}

func TestMeAndLogoutErrors(t *testing.T) {
	t.Parallel()
	ts := start(t)
	pc, err := platform.New(platform.WithBaseURL(ts.URL), platform.WithHTTPClient(ts.HTTPClient()),
		platform.WithoutEnvironment())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := auth.Me(ctx, pc); !errors.Is(err, platform.ErrUnauthenticated) {
		t.Errorf("Me without a token: %v", err)
	}
	if err := auth.Logout(ctx, pc); !errors.Is(err, platform.ErrUnauthenticated) {
		t.Errorf("Logout without a token: %v", err)
	}
	// Logout through a client whose source is not this package's.
	ops := ts.Client(mockserver.OperatorEmail)
	if err := auth.Logout(ctx, ops); err != nil {
		t.Errorf("Logout with another source: %v", err)
	}
}
