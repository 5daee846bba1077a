package apitest_test

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/waooaw/waooaw-go/internal/apitest"
	"github.com/waooaw/waooaw-go/mockserver"
)

// reports is a testing.TB that keeps what the validator reports instead of
// failing the test.
type reports struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *reports) Helper() {}

func (r *reports) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *reports) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.errs)
}

// intercept answers requests matching method and path itself (status,
// body, and headers to set or, with value "", delete) and passes the rest
// to the server.
func intercept(method, path string, status int, body string, hdr map[string]string) mockserver.Option {
	return mockserver.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != method || r.URL.Path != path {
				next.ServeHTTP(w, r)
				return
			}
			w.Header().Set("X-Request-Id", "req-intercepted")
			w.Header().Set("Content-Type", "application/json")
			for k, v := range hdr {
				if v == "" {
					w.Header().Del(k)
				} else {
					w.Header().Set(k, v)
				}
			}
			w.WriteHeader(status)
			io.WriteString(w, body)
		})
	})
}

const validList = `{"agents":[],"next_page_token":"","total":0}`

func TestValidatorReports(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name         string
		opt          mockserver.Option // nil: the server as it is
		method, path string
		want         []string // substrings of the one report; none for no report
	}{
		{name: "a valid exchange", method: "GET", path: "/api/platform/agents?status=online"},
		{name: "an error the contract documents", method: "GET", path: "/api/platform/agents/no-such-agent"},
		{name: "an unknown route", method: "GET", path: "/api/nowhere"},
		{name: "an unknown method", method: "PATCH", path: "/api/platform/agents"},
		{
			name:   "a required field missing",
			opt:    intercept("GET", "/api/platform/metrics", 200, `{"active_agents":1}`, nil),
			method: "GET", path: "/api/platform/metrics",
			want: []string{"GET /api/platform/metrics → 200", "does not match openapi.yaml", "total_agents"},
		},
		{
			name: "an undocumented field",
			opt: intercept("GET", "/api/platform/agents", 200,
				`{"agents":[],"next_page_token":"","total":0,"count":0}`, nil),
			method: "GET", path: "/api/platform/agents",
			want: []string{"count"},
		},
		{
			name:   "no X-Request-Id",
			opt:    intercept("GET", "/api/platform/agents", 200, validList, map[string]string{"X-Request-Id": ""}),
			method: "GET", path: "/api/platform/agents",
			want: []string{`"X-Request-Id" missing`},
		},
		{
			name: "an undocumented status",
			opt: intercept("GET", "/api/platform/health", http.StatusTeapot,
				`{"error":{"code":"internal","message":"teapot","request_id":"r"}}`, nil),
			method: "GET", path: "/api/platform/health",
			want: []string{"→ 418", "status is not supported"},
		},
		{
			name: "the wrong code for the status",
			opt: intercept("GET", "/api/platform/agents/x", 404,
				`{"error":{"code":"conflict","message":"no","request_id":"r"}}`, nil),
			method: "GET", path: "/api/platform/agents/x",
			want: []string{"→ 404", "not_found"},
		},
		{
			name: "a 401 without a challenge",
			opt: intercept("GET", "/api/platform/metrics", 401,
				`{"error":{"code":"unauthenticated","message":"no","request_id":"r"}}`, nil),
			method: "GET", path: "/api/platform/metrics",
			want: []string{`"WWW-Authenticate" missing`},
		},
		{
			name:   "an undocumented route served",
			opt:    intercept("GET", "/api/platform/secret", 200, `{}`, nil),
			method: "GET", path: "/api/platform/secret",
			want: []string{"not documented in openapi.yaml", "answered 200"},
		},
		{
			name:   "an undocumented control served",
			opt:    intercept("POST", "/_mock/explode", 204, ``, nil),
			method: "POST", path: "/_mock/explode",
			want: []string{"not documented in mock.yaml"},
		},
		{
			name:   "an invalid request answered 200",
			opt:    intercept("GET", "/api/platform/agents", 200, validList, nil),
			method: "GET", path: "/api/platform/agents?status=bogus",
			want: []string{"answered 200 to a request that does not match openapi.yaml", `"status"`},
		},
		{
			name: "a 405 without Allow",
			opt: intercept("DELETE", "/api/platform/agents", 405,
				`{"error":{"code":"method_not_allowed","message":"no","request_id":"r"}}`, nil),
			method: "DELETE", path: "/api/platform/agents",
			want: []string{`"Allow" missing`},
		},
		{
			name: "a plain-text 404",
			opt: mockserver.WithMiddleware(func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path != "/api/missing" {
						next.ServeHTTP(w, r)
						return
					}
					http.NotFound(w, r)
				})
			}),
			method: "GET", path: "/api/missing",
			want: []string{"→ 404"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rep := &reports{TB: t}
			var opts []mockserver.Option
			if c.opt != nil {
				opts = append(opts, c.opt)
			}
			ts := apitest.Start(rep, opts...)
			tok, err := ts.Token(mockserver.ViewerEmail, "", 0)
			if err != nil {
				t.Fatal(err)
			}
			req, err := http.NewRequest(c.method, ts.URL+c.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := ts.HTTPClient().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()

			got := rep.all()
			if len(c.want) == 0 {
				if len(got) > 0 {
					t.Errorf("reports %q, want none", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("reports %q, want one", got)
			}
			for _, w := range append([]string{c.method + " "}, c.want...) {
				if !strings.Contains(got[0], w) {
					t.Errorf("report %q does not say %q", got[0], w)
				}
			}
		})
	}
}

// TestValidatorSeesTheTransport: the in-process transport is validated too.
func TestValidatorSeesTheTransport(t *testing.T) {
	t.Parallel()
	rep := &reports{TB: t}
	ts := apitest.Start(rep, intercept("GET", "/healthz", 200, `{"status":"fine"}`, nil))
	resp, err := (&http.Client{Transport: ts.Transport()}).Get("http://mock.invalid/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := rep.all(); len(got) != 1 || !strings.Contains(got[0], "does not match mock.yaml") {
		t.Errorf("reports %q, want one about mock.yaml", got)
	}
}

func TestDocumentedRoutes(t *testing.T) {
	t.Parallel()
	got := apitest.DocumentedRoutes(t)
	if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
		t.Errorf("DocumentedRoutes = %q, want sorted and without duplicates", got)
	}
	for _, want := range []string{"GET /healthz", "POST /_mock/tokens", "GET /api/platform/agents/{id}", "POST /api/platform/agents/{id}/restart"} {
		if !slices.Contains(got, want) {
			t.Errorf("DocumentedRoutes has no %q", want)
		}
	}
}

func TestCoverage(t *testing.T) {
	t.Parallel()
	cov := apitest.NewCoverage()
	ts := apitest.Start(t, cov.Option())
	get := func(path string) {
		t.Helper()
		resp, err := ts.HTTPClient().Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}

	routes := []string{"GET /healthz", "GET /_mock/clock", "GET /api/platform/agents/{id}", apitest.UnknownRoute}
	want := []string{
		"(unknown route) 404",
		"GET /_mock/clock 200",
		"GET /api/platform/agents/{id} 200",
		"GET /api/platform/agents/{id} 400",
		"GET /api/platform/agents/{id} 401",
		"GET /api/platform/agents/{id} 404",
		"GET /api/platform/agents/{id} 429",
		"GET /api/platform/agents/{id} 5XX",
		"GET /healthz 200",
	}
	if got := cov.Missing(t, routes...); !slices.Equal(got, want) {
		t.Errorf("before any request, Missing = %q\nwant %q", got, want)
	}
	get("/healthz")
	get("/_mock/clock")
	get("/api/platform/agents/wow-memory") // 401: no token
	get("/nowhere")
	want = []string{
		"GET /api/platform/agents/{id} 200",
		"GET /api/platform/agents/{id} 400",
		"GET /api/platform/agents/{id} 404",
		"GET /api/platform/agents/{id} 429",
		"GET /api/platform/agents/{id} 5XX",
	}
	if got := cov.Missing(t, routes...); !slices.Equal(got, want) {
		t.Errorf("after the requests, Missing = %q\nwant %q", got, want)
	}
	if all := cov.Missing(t); !slices.Contains(all, "(unknown method) 405") || !slices.Contains(all, "POST /_mock/reset 204") {
		t.Errorf("Missing() = %q, want every documented answer not seen", all)
	}
}
