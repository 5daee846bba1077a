package auth_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	waooaw "github.com/waooaw/waooaw-go"
	"github.com/waooaw/waooaw-go/auth"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
)

// mockServer is a mock server on loopback (in a test, use
// mockserver.Start(t) instead).
type mockServer struct {
	*mockserver.Server
	URL string
}

func startMock() (*mockServer, func()) {
	hs := httptest.NewUnstartedServer(nil)
	hs.Start()
	srv := mockserver.New(mockserver.WithIssuer(hs.URL))
	hs.Config.Handler = srv
	return &mockServer{srv, hs.URL}, hs.Close
}

// A person signs in with the browser. Here the "browser" follows the
// redirects of the mock server's sign-in with an HTTP client; leave
// WithBrowser out to open the system browser instead.
func ExampleLoginWithBrowser() {
	ts, stop := startMock()
	defer stop()
	ctx := context.Background()

	p, err := auth.Discover(ctx, ts.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	browser := func(ctx context.Context, url string) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	}
	src, err := auth.LoginWithBrowser(ctx, p,
		auth.WithBrowser(browser),
		auth.WithLoginHint(mockserver.OperatorEmail),
		auth.WithClock(ts)) // the mock server's clock decides expiry
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := waooaw.New(platform.WithBaseURL(ts.URL), platform.WithTokenSource(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	me, err := auth.Me(ctx, c.Platform)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("signed in as", me.Email, "role", me.Role)

	if err := auth.Logout(ctx, c.Platform); err != nil {
		fmt.Println(err)
		return
	}
	_, err = auth.Me(ctx, c.Platform)
	fmt.Println("after logout, sign-in required:", errors.Is(err, auth.ErrReauthRequired))
	// Output:
	// signed in as ops@waooaw.ai role operator
	// after logout, sign-in required: true
}

// A service checks the platform's tokens it receives.
func ExampleVerifier() {
	ts, stop := startMock()
	defer stop()
	ctx := context.Background()

	token, err := ts.Token(mockserver.ViewerEmail, "viewer", 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := auth.NewProvider(ts.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	v, err := auth.NewVerifier(p, auth.WithClock(ts))
	if err != nil {
		fmt.Println(err)
		return
	}
	claims, err := v.Verify(ctx, token)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(claims.Email, claims.Role)

	_, err = v.Verify(ctx, token+"x")
	fmt.Println("tampered:", errors.Is(err, auth.ErrInvalidToken))
	// Output:
	// viewer@example.com viewer
	// tampered: true
}

// A script or CI job signs in as a service account.
func ExampleNewClientCredentialsSource() {
	ts, stop := startMock()
	defer stop()
	ctx := context.Background()

	p, err := auth.NewProvider(ts.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	src, err := auth.NewClientCredentialsSource(p, mockserver.CIClientID, mockserver.CIClientSecret,
		auth.WithClock(ts))
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := waooaw.New(platform.WithBaseURL(ts.URL), platform.WithTokenSource(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	me, err := auth.Me(ctx, c.Platform)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(me.Email, me.Role)
	// Output:
	// waooaw-ci@service.waooaw.ai operator
}

// A program a person runs again and again signs in once: Login resumes the
// sign-in saved in the cache, and opens the browser only when there is
// none (or the platform has ended it).
func ExampleLogin() {
	ts, stop := startMock()
	defer stop()
	ctx := context.Background()

	dir, err := os.MkdirTemp("", "waooaw-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	// A real tool would use auth.DefaultCachePath("my-tool").
	cache, err := auth.NewFileCache(filepath.Join(dir, "token.json"))
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := auth.NewProvider(ts.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	signIns := 0
	browser := func(ctx context.Context, url string) error {
		signIns++
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req) // plays the person at the browser
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	}
	for run := 1; run <= 2; run++ {
		src, err := auth.Login(ctx, p, cache, auth.WithBrowser(browser), auth.WithLoginHint(mockserver.AdminEmail), auth.WithClock(ts))
		if err != nil {
			fmt.Println(err)
			return
		}
		c, err := waooaw.New(platform.WithBaseURL(ts.URL), platform.WithTokenSource(src))
		if err != nil {
			fmt.Println(err)
			return
		}
		me, err := auth.Me(ctx, c.Platform)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("run %d: %s (%d browser sign-in)\n", run, me.Email, signIns)
	}
	// Output:
	// run 1: admin@waooaw.ai (1 browser sign-in)
	// run 2: admin@waooaw.ai (1 browser sign-in)
}
