package platform_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jarcoal/httpmock"
	"go.uber.org/goleak"
	"golang.org/x/oauth2"

	"github.com/waooaw/waooaw-go/platform"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const (
	// testHost is the host of the in-memory API.
	testHost = "https://api.waooaw.test"
	// baseURLPath is a non-empty base URL path, so that a method that builds
	// an absolute URL instead of one relative to the base URL reaches the
	// catch-all handler and fails the test (go-github's trick).
	baseURLPath = "/api-base"
	// testToken is what setup's token source hands out.
	testToken = "s3cr3t-test-token"
)

// setup returns a client whose requests reach mux through an in-memory
// httpmock transport (no socket: safe inside a synctest bubble), and the
// transport, for call counts and per-test responders. The client reads no
// environment, has a static token and waits at most a millisecond between
// attempts; opts come last and override all that.
func setup(t testing.TB, opts ...platform.Option) (*platform.Client, *http.ServeMux, *httpmock.MockTransport) {
	t.Helper()
	mux := http.NewServeMux()
	api := apiHandler(t, mux)
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		return rec.Result(), nil
	})
	c, err := platform.New(append(testOptions(testHost+baseURLPath, &http.Client{Transport: mt}), opts...)...)
	if err != nil {
		t.Fatalf("platform.New: %v", err)
	}
	return c, mux, mt
}

// setupServer is setup over a real loopback server, for the few tests where
// what reaches a server's socket matters.
func setupServer(t *testing.T, opts ...platform.Option) (*platform.Client, *http.ServeMux) {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(apiHandler(t, mux))
	t.Cleanup(srv.Close)
	c, err := platform.New(append(testOptions(srv.URL+baseURLPath, srv.Client()), opts...)...)
	if err != nil {
		t.Fatalf("platform.New: %v", err)
	}
	return c, mux
}

func testOptions(base string, hc *http.Client) []platform.Option {
	return []platform.Option{
		platform.WithBaseURL(base),
		platform.WithHTTPClient(hc),
		platform.WithoutEnvironment(),
		platform.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testToken})),
		platform.WithBackoff(time.Microsecond, time.Millisecond),
		platform.WithRetryAfterCap(time.Millisecond),
	}
}

// apiHandler serves mux under baseURLPath and fails the test for anything
// outside it.
func apiHandler(t testing.TB, mux *http.ServeMux) http.Handler {
	h := http.NewServeMux()
	h.Handle(baseURLPath+"/", http.StripPrefix(baseURLPath, mux))
	h.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request %s %s is outside the base URL path %q: build paths relative to the base URL",
			r.Method, r.URL, baseURLPath)
		http.Error(w, "outside the base URL path", http.StatusBadRequest)
	})
	return h
}

func testMethod(t testing.TB, r *http.Request, want string) {
	t.Helper()
	if r.Method != want {
		t.Errorf("request method = %s, want %s", r.Method, want)
	}
}

func testHeader(t testing.TB, r *http.Request, name, want string) {
	t.Helper()
	if got := r.Header.Get(name); got != want {
		t.Errorf("header %s = %q, want %q", name, got, want)
	}
}

func testNoHeader(t testing.TB, r *http.Request, name string) {
	t.Helper()
	if got, ok := r.Header[http.CanonicalHeaderKey(name)]; ok {
		t.Errorf("header %s = %q, want none", name, got)
	}
}

func testQuery(t testing.TB, r *http.Request, want url.Values) {
	t.Helper()
	got := r.URL.Query()
	if want == nil {
		want = url.Values{}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("query mismatch (-want +got):\n%s", diff)
	}
}

func testBody(t testing.TB, r *http.Request, want string) {
	t.Helper()
	if r.Body == nil {
		if want != "" {
			t.Errorf("request body = none, want %q", want)
		}
		return
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatalf("reading the request body: %v", err)
	}
	if got := string(b); got != want {
		t.Errorf("request body = %q, want %q", got, want)
	}
}

// wantUserAgent is the SDK's own User-Agent: waooaw-go/<version> go/<ver>.
func wantUserAgent() string {
	return "waooaw-go/" + platform.Version + " go/" + strings.TrimPrefix(runtime.Version(), "go")
}

var userAgentForm = regexp.MustCompile(`^waooaw-go/[0-9]+\.[0-9]+\.[0-9]+\S* go/[0-9]+\.[0-9]+\S*$`)

// testCommonHeaders checks what every request of the SDK carries.
func testCommonHeaders(t testing.TB, r *http.Request) {
	t.Helper()
	testHeader(t, r, "User-Agent", wantUserAgent())
	testHeader(t, r, "Accept", "application/json")
	testHeader(t, r, "Authorization", "Bearer "+testToken)
}

// writeJSON answers status with body (raw JSON).
func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// writeError answers status with the platform's error body.
func writeError(w http.ResponseWriter, status int, code, message string) {
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"code": code, "message": message}})
	writeJSON(w, status, string(b))
}

// countingSource hands out a new token on each call ("tok-1", "tok-2", …)
// and fails the calls listed in fail with err.
type countingSource struct {
	mu   sync.Mutex
	n    int
	fail map[int]bool
	err  error
}

func (s *countingSource) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	if s.fail[s.n] {
		return nil, s.err
	}
	return &oauth2.Token{AccessToken: fmt.Sprintf("tok-%d", s.n), TokenType: "Bearer"}, nil
}

func (s *countingSource) calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// invalidatingSource is a countingSource that can drop its cached token.
type invalidatingSource struct {
	countingSource
	invalidations atomic.Int32
}

func (s *invalidatingSource) Invalidate() { s.invalidations.Add(1) }

var _ platform.Invalidator = (*invalidatingSource)(nil)

// recorder keeps what a handler saw, one entry per attempt.
type recorder struct {
	mu   sync.Mutex
	reqs []seen
}

type seen struct {
	at      time.Time
	auth    string
	idemKey []string
}

func (rc *recorder) add(r *http.Request) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.reqs = append(rc.reqs, seen{
		at:      time.Now(),
		auth:    r.Header.Get("Authorization"),
		idemKey: r.Header.Values("Idempotency-Key"),
	})
	return len(rc.reqs)
}

func (rc *recorder) all() []seen {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]seen(nil), rc.reqs...)
}

func (rc *recorder) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.reqs)
}
