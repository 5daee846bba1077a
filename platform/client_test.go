package platform_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"golang.org/x/oauth2"

	"github.com/waooaw/waooaw-go/platform"
)

func TestNewOptionErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opt  platform.Option
	}{
		{"unparsable base URL", platform.WithBaseURL("http://[::1")},
		{"relative base URL", platform.WithBaseURL("/api")},
		{"base URL without scheme", platform.WithBaseURL("api.waooaw.com")},
		{"base URL ftp scheme", platform.WithBaseURL("ftp://api.waooaw.com")},
		{"base URL without host", platform.WithBaseURL("http://")},
		{"base URL with query", platform.WithBaseURL("https://api.waooaw.com?x=1")},
		{"base URL with fragment", platform.WithBaseURL("https://api.waooaw.com#top")},
		{"base URL with user info", platform.WithBaseURL("https://u:p@api.waooaw.com")},
		{"empty base URL", platform.WithBaseURL("")},
		{"nil token source", platform.WithTokenSource(nil)},
		{"nil HTTP client", platform.WithHTTPClient(nil)},
		{"zero timeout", platform.WithTimeout(0)},
		{"negative timeout", platform.WithTimeout(-time.Second)},
		{"negative retries", platform.WithRetries(-1)},
		{"too many retries", platform.WithRetries(21)},
		{"backoff max below min", platform.WithBackoff(2*time.Second, time.Second)},
		{"negative backoff min", platform.WithBackoff(-time.Second, time.Second)},
		{"negative Retry-After cap", platform.WithRetryAfterCap(-time.Second)},
		{"nil logger", platform.WithLogger(nil)},
		{"nil clock", platform.WithClock(nil)},
		{"user agent with newline", platform.WithUserAgent("acme/1.0\nX-Evil: 1")},
		{"user agent with carriage return", platform.WithUserAgent("acme/1.0\r")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := platform.New(platform.WithoutEnvironment(), tt.opt)
			if err == nil {
				t.Fatalf("New succeeded (%v), want an error", c.BaseURL())
			}
			if c != nil {
				t.Errorf("New returned a client with its error %v", err)
			}
			if !strings.HasPrefix(err.Error(), "platform: ") {
				t.Errorf("error %q does not name the package", err)
			}
		})
	}
}

func TestNewValidOptionEdges(t *testing.T) {
	t.Parallel()
	for _, opt := range []platform.Option{
		platform.WithRetries(0),
		platform.WithRetries(20),
		platform.WithBackoff(0, 0),
		platform.WithBackoff(time.Second, time.Second),
		platform.WithRetryAfterCap(0),
		platform.WithUserAgent(""),
		platform.WithTimeout(time.Nanosecond),
	} {
		if _, err := platform.New(platform.WithoutEnvironment(), opt); err != nil {
			t.Errorf("New: %v", err)
		}
	}
}

func TestNewDefaults(t *testing.T) {
	t.Parallel()
	c, err := platform.New(platform.WithoutEnvironment())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if got := c.BaseURL().String(); got != platform.DefaultBaseURL {
		t.Errorf("BaseURL = %q, want %q", got, platform.DefaultBaseURL)
	}
	if platform.DefaultBaseURL != "https://api.waooaw.com" {
		t.Errorf("DefaultBaseURL = %q, want https://api.waooaw.com", platform.DefaultBaseURL)
	}
	if ts := c.TokenSource(); ts != nil {
		t.Errorf("TokenSource = %T, want nil without environment or option", ts)
	}
	if _, ok := c.Clock().(platform.SystemClock); !ok {
		t.Errorf("Clock = %T, want platform.SystemClock", c.Clock())
	}
	if c.Agents == nil {
		t.Error("Agents is nil")
	}
}

func TestNewBaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"http://127.0.0.1:8000", "http://127.0.0.1:8000"},
		{"http://127.0.0.1:8000/", "http://127.0.0.1:8000"},
		{"https://gw.example.com/waooaw/", "https://gw.example.com/waooaw"},
		{"https://gw.example.com/waooaw///", "https://gw.example.com/waooaw"},
	}
	for _, tt := range tests {
		c, err := platform.New(platform.WithoutEnvironment(), platform.WithBaseURL(tt.in))
		if err != nil {
			t.Errorf("New(WithBaseURL(%q)): %v", tt.in, err)
			continue
		}
		if got := c.BaseURL().String(); got != tt.want {
			t.Errorf("WithBaseURL(%q): BaseURL = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestBaseURLIsACopy(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /api/platform/health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"status":"healthy"}`)
	})
	u := c.BaseURL()
	u.Host = "evil.example"
	u.Path = "/elsewhere"
	if got := c.BaseURL().String(); got != testHost+baseURLPath {
		t.Errorf("BaseURL after changing a returned copy = %q, want %q", got, testHost+baseURLPath)
	}
	if _, err := c.Health(context.Background()); err != nil {
		t.Errorf("Health: %v", err)
	}
}

// failTransport fails the test if anything is sent through it.
type failTransport struct{ t testing.TB }

func (f failTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.t.Errorf("unexpected request %s %s", r.Method, r.URL)
	return nil, http.ErrHandlerTimeout
}

func TestNewDoesNoIO(t *testing.T) {
	t.Parallel()
	src := &countingSource{}
	_, err := platform.New(
		platform.WithoutEnvironment(),
		platform.WithBaseURL("https://api.waooaw.test"),
		platform.WithHTTPClient(&http.Client{Transport: failTransport{t}}),
		platform.WithTokenSource(src),
		platform.WithTimeout(time.Second),
		platform.WithRetries(5),
		platform.WithBackoff(time.Millisecond, time.Second),
		platform.WithRetryAfterCap(time.Second),
		platform.WithLogger(slog.New(slog.DiscardHandler)),
		platform.WithUserAgent("acme/1"),
		platform.WithClock(platform.SystemClock{}),
	)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if n := src.calls(); n != 0 {
		t.Errorf("New asked the token source %d time(s), want 0", n)
	}
}

func TestWithHTTPClientIsNotModified(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	hc := &http.Client{Transport: mt, Timeout: 7 * time.Second}
	c, _, _ := setup(t, platform.WithHTTPClient(hc))
	mt.RegisterResponder("GET", testHost+baseURLPath+"/api/platform/health",
		httpmock.NewStringResponder(200, `{"status":"healthy"}`))
	if _, err := c.Health(context.Background()); err != nil {
		t.Fatalf("Health: %v", err)
	}
	if hc.Transport != mt || hc.Timeout != 7*time.Second || hc.CheckRedirect != nil {
		t.Errorf("the caller's http.Client was modified: %+v", hc)
	}
	if n := mt.GetTotalCallCount(); n != 1 {
		t.Errorf("the caller's transport carried %d request(s), want 1", n)
	}
}

func TestUserAgent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []platform.Option
		want string
	}{
		{"default", nil, wantUserAgent()},
		{"prepended", []platform.Option{platform.WithUserAgent("acme-ops/1.2")}, "acme-ops/1.2 " + wantUserAgent()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t, tt.opts...)
			mux.HandleFunc("GET /api/platform/health", func(w http.ResponseWriter, r *http.Request) {
				testHeader(t, r, "User-Agent", tt.want)
				ua := strings.TrimPrefix(r.Header.Get("User-Agent"), "acme-ops/1.2 ")
				if !userAgentForm.MatchString(ua) {
					t.Errorf("User-Agent %q is not of the form waooaw-go/<v> go/<ver>", ua)
				}
				writeJSON(w, 200, `{"status":"healthy"}`)
			})
			if _, err := c.Health(context.Background()); err != nil {
				t.Fatalf("Health: %v", err)
			}
		})
	}
}

func TestNoTokenSourceSendsNoAuthorization(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	c, err := platform.New(platform.WithoutEnvironment(), platform.WithBaseURL(testHost),
		platform.WithHTTPClient(&http.Client{Transport: mt}))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	mt.RegisterResponder("GET", testHost+"/api/platform/health", func(r *http.Request) (*http.Response, error) {
		testNoHeader(t, r, "Authorization")
		return httpmock.NewStringResponse(200, `{"status":"healthy"}`), nil
	})
	if _, err := c.Health(context.Background()); err != nil {
		t.Fatalf("Health: %v", err)
	}
	if n := mt.GetTotalCallCount(); n != 1 {
		t.Errorf("%d request(s), want 1", n)
	}
}

// A redirect would carry the token to another host: it is not followed.
func TestRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	c, mux, mt := setup(t)
	mux.HandleFunc("GET /api/platform/health", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://evil.example/steal", http.StatusFound)
	})
	_, err := c.Health(context.Background())
	pe := asError(t, err)
	if pe.StatusCode != http.StatusFound {
		t.Errorf("StatusCode = %d, want 302", pe.StatusCode)
	}
	if n := mt.GetTotalCallCount(); n != 1 {
		t.Errorf("%d request(s), want 1 (the redirect must not be followed)", n)
	}
}

func TestClientIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	// Each call's first attempt fails, so retries run concurrently too.
	var attempts sync.Map // path → *atomic.Int32
	first := func(r *http.Request) bool {
		n, _ := attempts.LoadOrStore(r.URL.Path, new(atomic.Int32))
		return n.(*atomic.Int32).Add(1) == 1
	}
	mux.HandleFunc("GET /api/platform/agents/{id}", func(w http.ResponseWriter, r *http.Request) {
		if first(r) {
			writeError(w, 503, "unavailable", "flaky")
			return
		}
		writeJSON(w, 200, `{"agent_id":"`+r.PathValue("id")+`"}`)
	})
	mux.HandleFunc("POST /api/platform/agents/{id}/restart", func(w http.ResponseWriter, r *http.Request) {
		if first(r) {
			writeError(w, 502, "unavailable", "flaky")
			return
		}
		writeJSON(w, 200, `{"agent_id":"`+r.PathValue("id")+`","status":"starting"}`)
	})
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			id := "agent-" + strings.Repeat("x", i)
			a, err := c.Agents.Get(context.Background(), id)
			if err != nil {
				t.Errorf("Get(%q): %v", id, err)
			} else if a.AgentID != id {
				t.Errorf("Get(%q) = %q", id, a.AgentID)
			}
			if _, err := c.Agents.Restart(context.Background(), id); err != nil {
				t.Errorf("Restart(%q): %v", id, err)
			}
		})
	}
	wg.Wait()
}

func TestLoggerGetsRetriesNeverTokens(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	var mu sync.Mutex
	h := slog.NewTextHandler(&lockedWriter{w: &buf, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug})
	c, mux, _ := setup(t, platform.WithLogger(slog.New(h)))
	mux.HandleFunc("GET /api/platform/health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "req-7")
		writeError(w, 503, "unavailable", "down")
	})
	if _, err := c.Health(context.Background()); err == nil {
		t.Fatal("Health succeeded against a 503")
	}
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	if !strings.Contains(out, "retrying") {
		t.Errorf("debug log has no retry:\n%s", out)
	}
	for _, want := range []string{"method=GET", "path=/api/platform/health", "attempt=1", "wait=", "status=503", "request_id=req-7"} {
		if !strings.Contains(out, want) {
			t.Errorf("the retry line has no %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "error=<nil>") {
		t.Errorf("the log has error=<nil>:\n%s", out)
	}
	if strings.Contains(out, testToken) {
		t.Errorf("the token appears in the log:\n%s", out)
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// The environment tests use t.Setenv, so they cannot run in parallel; they
// are kept few.

func TestNewFromEnvironment(t *testing.T) {
	t.Setenv("WAOOAW_API_URL", "http://env.waooaw.test:8000/")
	t.Setenv("WAOOAW_TOKEN", "env-token")
	t.Setenv("WAOOAW_CLIENT_ID", "")
	t.Setenv("WAOOAW_CLIENT_SECRET", "")

	newClient := func(t *testing.T, opts ...platform.Option) (*platform.Client, *http.Request) {
		t.Helper()
		var got *http.Request
		mt := httpmock.NewMockTransport()
		mt.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
			got = r
			return httpmock.NewStringResponse(200, `{"status":"healthy"}`), nil
		})
		c, err := platform.New(append([]platform.Option{platform.WithHTTPClient(&http.Client{Transport: mt})}, opts...)...)
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		if _, err := c.Health(context.Background()); err != nil {
			t.Fatalf("Health: %v", err)
		}
		return c, got
	}

	t.Run("variables used", func(t *testing.T) {
		var gotBase string
		c, r := newClient(t, platform.WithCredentials(func(getenv func(string) string, base *url.URL, hc *http.Client) (oauth2.TokenSource, error) {
			gotBase = base.String()
			if hc == nil {
				t.Error("WithCredentials got no HTTP client for the token endpoint")
			}
			return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: getenv("WAOOAW_TOKEN")}), nil
		}))
		if got, want := c.BaseURL().String(), "http://env.waooaw.test:8000"; got != want {
			t.Errorf("BaseURL = %q, want %q", got, want)
		}
		if gotBase != "http://env.waooaw.test:8000" {
			t.Errorf("the credentials function got base %q", gotBase)
		}
		if got, want := r.URL.String(), "http://env.waooaw.test:8000/api/platform/health"; got != want {
			t.Errorf("request URL = %q, want %q", got, want)
		}
		testHeader(t, r, "Authorization", "Bearer env-token")
	})
	t.Run("credentials nothing reads are refused", func(t *testing.T) {
		_, err := platform.New()
		if err == nil || !strings.Contains(err.Error(), "$WAOOAW_TOKEN is set") {
			t.Errorf("New with $WAOOAW_TOKEN and no WithCredentials: %v, want an error naming $WAOOAW_TOKEN", err)
		}
	})
	t.Run("a credentials error fails New", func(t *testing.T) {
		_, err := platform.New(platform.WithCredentials(func(func(string) string, *url.URL, *http.Client) (oauth2.TokenSource, error) {
			return nil, errors.New("half-set")
		}))
		if err == nil || !strings.Contains(err.Error(), "half-set") {
			t.Errorf("New = %v, want the credentials error", err)
		}
	})
	t.Run("options win", func(t *testing.T) {
		c, r := newClient(t, platform.WithBaseURL(testHost),
			platform.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "opt-token"})))
		if got := c.BaseURL().String(); got != testHost {
			t.Errorf("BaseURL = %q, want %q", got, testHost)
		}
		testHeader(t, r, "Authorization", "Bearer opt-token")
	})
	t.Run("WithoutEnvironment", func(t *testing.T) {
		c, r := newClient(t, platform.WithoutEnvironment())
		if got := c.BaseURL().String(); got != platform.DefaultBaseURL {
			t.Errorf("BaseURL = %q, want %q", got, platform.DefaultBaseURL)
		}
		if c.TokenSource() != nil {
			t.Errorf("TokenSource = %T, want nil", c.TokenSource())
		}
		testNoHeader(t, r, "Authorization")
	})
	t.Run("bad URL refused", func(t *testing.T) {
		t.Setenv("WAOOAW_API_URL", "not a url")
		if _, err := platform.New(); err == nil {
			t.Error("New accepted $WAOOAW_API_URL=\"not a url\"")
		}
	})
}
