package auth_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/auth"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
)

const webCallback = "http://console.test:3000/auth/callback"

// browse follows the sign-in's redirects from authURL like a browser, up
// to the web application's callback, and returns the callback's query.
func browse(t *testing.T, ts *mockserver.TestServer, authURL string) url.Values {
	t.Helper()
	c := *ts.HTTPClient()
	var back url.Values
	c.CheckRedirect = func(r *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(r.URL.String(), webCallback) {
			back = r.URL.Query()
			return http.ErrUseLastResponse
		}
		return nil
	}
	resp, err := c.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if back == nil {
		t.Fatalf("the sign-in never came back to the callback (ended %d at %s)", resp.StatusCode, resp.Request.URL)
	}
	return back
}

func webLogin(t *testing.T, ts *mockserver.TestServer, secret string) *auth.WebLogin {
	t.Helper()
	p, err := auth.NewProvider(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	w, err := auth.NewWebLogin(p, mockserver.ConsoleClientID, secret, webCallback,
		auth.WithHTTPClient(ts.HTTPClient()), auth.WithClock(ts))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestWebLogin(t *testing.T) {
	t.Parallel()
	ts := start(t)
	w := webLogin(t, ts, mockserver.ConsoleClientSecret)
	authURL, pending := w.Start(mockserver.ViewerEmail)
	if pending.State == "" || len(pending.Verifier) < 43 || strings.Contains(authURL, pending.Verifier) {
		t.Fatalf("pending %+v, url %s", pending, authURL)
	}
	src, err := w.Finish(t.Context(), pending, browse(t, ts, authURL))
	if err != nil {
		t.Fatal(err)
	}
	pc, err := platform.New(platform.WithBaseURL(ts.URL), platform.WithHTTPClient(ts.HTTPClient()),
		platform.WithTokenSource(src), platform.WithoutEnvironment())
	if err != nil {
		t.Fatal(err)
	}
	me, err := auth.Me(t.Context(), pc)
	if err != nil || me.Email != mockserver.ViewerEmail {
		t.Fatalf("Me: %+v %v", me, err)
	}
	// The access token expires; the refresh grant (with the client
	// secret) renews it.
	first, _ := src.Token()
	ts.Advance(20 * time.Minute)
	if _, err := auth.Me(t.Context(), pc); err != nil {
		t.Fatalf("after the access token's life: %v", err)
	}
	if now, _ := src.Token(); now.AccessToken == first.AccessToken {
		t.Error("the token was not renewed")
	}
}

func TestWebLoginRefusals(t *testing.T) {
	t.Parallel()
	ts := start(t)
	w := webLogin(t, ts, mockserver.ConsoleClientSecret)

	authURL, pending := w.Start("")
	back := browse(t, ts, authURL)
	forged := url.Values{"state": {"someone-elses"}, "code": {back.Get("code")}}
	if _, err := w.Finish(t.Context(), pending, forged); err == nil || !strings.Contains(err.Error(), "state") {
		t.Errorf("a forged state: %v", err)
	}
	if _, err := w.Finish(t.Context(), auth.PendingLogin{}, back); err == nil {
		t.Error("an empty pending login accepted a callback")
	}
	refused := url.Values{"state": {pending.State}, "error": {"access_denied"}}
	if _, err := w.Finish(t.Context(), pending, refused); err == nil || !strings.HasSuffix(err.Error(), "refused: access_denied") {
		t.Errorf("a refusal: %v", err)
	}
	// The code is good, the secret is not.
	bad := webLogin(t, ts, "wrong")
	if _, err := bad.Finish(t.Context(), pending, back); err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Errorf("a wrong secret: %v", err)
	}
	// The code was spent by nobody yet: the right client can still use it once.
	if _, err := w.Finish(t.Context(), pending, back); err != nil {
		t.Errorf("the code after a refused exchange: %v", err)
	}
	if _, err := w.Finish(t.Context(), pending, back); err == nil || !errors.Is(err, auth.ErrReauthRequired) && !strings.Contains(err.Error(), "invalid_grant") {
		t.Errorf("a code used twice: %v", err)
	}
}

func TestNewWebLoginChecks(t *testing.T) {
	t.Parallel()
	p, _ := auth.NewProvider("https://api.waooaw.test")
	for name, tc := range map[string]struct {
		p                  *auth.Provider
		id, secret, target string
		opts               []auth.Option
	}{
		"nil provider":        {nil, "c", "s", webCallback, nil},
		"no id":               {p, " ", "s", webCallback, nil},
		"no secret":           {p, "c", "", webCallback, nil},
		"relative redirect":   {p, "c", "s", "/auth/callback", nil},
		"ftp redirect":        {p, "c", "s", "ftp://x/cb", nil},
		"fragment":            {p, "c", "s", webCallback + "#x", nil},
		"an option elsewhere": {p, "c", "s", webCallback, []auth.Option{auth.WithLoginHint("a@b.c")}},
	} {
		if _, err := auth.NewWebLogin(tc.p, tc.id, tc.secret, tc.target, tc.opts...); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
