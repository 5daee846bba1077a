package platform_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waooaw/waooaw-go/platform"
)

// asError returns err as a *platform.Error, failing the test if it is not.
func asError(t testing.TB, err error) *platform.Error {
	t.Helper()
	var pe *platform.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error = %v (%T), want a *platform.Error", err, err)
	}
	return pe
}

var sentinels = []struct {
	name string
	err  error
}{
	{"ErrInvalidArgument", platform.ErrInvalidArgument},
	{"ErrUnauthenticated", platform.ErrUnauthenticated},
	{"ErrPermissionDenied", platform.ErrPermissionDenied},
	{"ErrNotFound", platform.ErrNotFound},
	{"ErrConflict", platform.ErrConflict},
	{"ErrRateLimited", platform.ErrRateLimited},
	{"ErrUnavailable", platform.ErrUnavailable},
	{"ErrInternal", platform.ErrInternal},
}

// testSentinels checks that err matches want and no other sentinel.
func testSentinels(t testing.TB, err, want error) {
	t.Helper()
	for _, s := range sentinels {
		if got := errors.Is(err, s.err); got != (s.err == want) {
			t.Errorf("errors.Is(%v, %s) = %v, want %v", err, s.name, got, !got)
		}
	}
}

func TestErrorBody(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /api/platform/agents/nope", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, `{"error":{"code":"not_found","message":"agent nope not found",`+
			`"details":[{"field":"agent_id","issue":"unknown"},{"field":"tier","issue":"ignored"}],`+
			`"request_id":"req-body","added_later":true},"also_later":1}`)
	})
	_, err := c.Agents.Get(context.Background(), "nope")
	pe := asError(t, err)
	want := &platform.Error{
		StatusCode: 404,
		Code:       "not_found",
		Message:    "agent nope not found",
		Details:    []platform.FieldIssue{{Field: "agent_id", Issue: "unknown"}, {Field: "tier", Issue: "ignored"}},
		RequestID:  "req-body",
		Attempts:   1,
		Method:     "GET",
		Path:       "/api/platform/agents/nope",
	}
	if diff := cmp.Diff(want, pe); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
	testSentinels(t, err, platform.ErrNotFound)
	for _, part := range []string{"GET", "/api/platform/agents/nope", "404", "not_found",
		"agent nope not found", "agent_id: unknown", "tier: ignored", "req-body"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("Error() = %q, want it to contain %q", err, part)
		}
	}
	if strings.Contains(err.Error(), "attempts") {
		t.Errorf("Error() = %q mentions attempts after a single one", err)
	}
}

func TestErrorRequestIDHeaderWins(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /api/platform/agents/a", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "req-header")
		writeJSON(w, 409, `{"error":{"code":"conflict","message":"busy","request_id":"req-body"}}`)
	})
	_, err := c.Agents.Get(context.Background(), "a")
	if pe := asError(t, err); pe.RequestID != "req-header" {
		t.Errorf("RequestID = %q, want the X-Request-Id header's req-header", pe.RequestID)
	}
}

func TestStatusSentinels(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status int
		code   string
		want   error // nil: no sentinel
	}{
		{400, "invalid_argument", platform.ErrInvalidArgument},
		{401, "unauthenticated", platform.ErrUnauthenticated},
		{403, "permission_denied", platform.ErrPermissionDenied},
		{404, "not_found", platform.ErrNotFound},
		{405, "method_not_allowed", nil},
		{409, "conflict", platform.ErrConflict},
		{409, "already_exists", platform.ErrConflict},
		{413, "payload_too_large", platform.ErrInvalidArgument},
		{415, "unsupported_media_type", platform.ErrInvalidArgument},
		{422, "idempotency_key_reused", platform.ErrConflict},
		{429, "rate_limited", platform.ErrRateLimited},
		{500, "internal", platform.ErrInternal},
		{501, "unimplemented", platform.ErrInternal},
		{502, "unavailable", platform.ErrUnavailable},
		{503, "unavailable", platform.ErrUnavailable},
		{504, "deadline_exceeded", platform.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d %s", tt.status, tt.code), func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t, platform.WithRetries(0))
			mux.HandleFunc("GET /api/platform/metrics", func(w http.ResponseWriter, r *http.Request) {
				writeError(w, tt.status, tt.code, "scripted")
			})
			_, err := c.Metrics(context.Background())
			pe := asError(t, err)
			if pe.StatusCode != tt.status || pe.Code != tt.code {
				t.Errorf("error = %d %s, want %d %s", pe.StatusCode, pe.Code, tt.status, tt.code)
			}
			testSentinels(t, err, tt.want)
			// Wrapping keeps the match.
			testSentinels(t, fmt.Errorf("dashboard: %w", err), tt.want)
		})
	}
}

func TestErrorBodyNotJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status      int
		contentType string
		body        string
		wantMessage string
	}{
		{502, "text/html", "<html><body>Bad Gateway</body></html>", "bad gateway"},
		{404, "text/plain", "404 page not found\n", "not found"},
		{500, "application/json", "", "internal server error"},
		{400, "application/json", `{"error":{"code":5}}`, "bad request"},
		{400, "application/json", `{"error":null}`, "bad request"},
		{409, "application/json", `[1,2,3]`, "conflict"},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.status)+" "+tt.body, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t, platform.WithRetries(0))
			mux.HandleFunc("GET /api/platform/metrics", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			})
			_, err := c.Metrics(context.Background())
			pe := asError(t, err)
			want := &platform.Error{StatusCode: tt.status, Message: tt.wantMessage, Attempts: 1,
				Method: "GET", Path: "/api/platform/metrics"}
			if diff := cmp.Diff(want, pe); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

// RFC 6749 §5.2 bodies, which the OAuth endpoints answer with.
func TestErrorBodyOAuth(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("POST /auth/token", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 400, `{"error":"invalid_grant","error_description":"refresh token revoked"}`)
	})
	err := c.Do(context.Background(), "POST", "/auth/token", nil, nil, nil)
	pe := asError(t, err)
	if pe.Code != "invalid_grant" || pe.Message != "refresh token revoked" {
		t.Errorf("error = %q %q, want invalid_grant, refresh token revoked", pe.Code, pe.Message)
	}
	testSentinels(t, err, platform.ErrInvalidArgument)
}

// countingBody is a response body of left bytes that counts what is read
// from it.
type countingBody struct {
	left   int64
	read   atomic.Int64
	closed atomic.Bool
}

func (b *countingBody) Read(p []byte) (int, error) {
	if b.left == 0 {
		return 0, io.EOF
	}
	n := min(int64(len(p)), b.left)
	for i := range n {
		p[i] = 'x'
	}
	b.left -= n
	b.read.Add(n)
	return int(n), nil
}

func (b *countingBody) Close() error { b.closed.Store(true); return nil }

func TestErrorBodyReadWithACap(t *testing.T) {
	t.Parallel()
	const limit = 64 << 10
	for _, size := range []int64{1 << 20, 16 << 20} {
		t.Run(strconv.FormatInt(size, 10), func(t *testing.T) {
			t.Parallel()
			c, _, mt := setup(t, platform.WithRetries(0))
			body := &countingBody{left: size}
			mt.RegisterResponder("GET", testHost+baseURLPath+"/api/platform/metrics",
				func(r *http.Request) (*http.Response, error) {
					return &http.Response{StatusCode: 500, Header: http.Header{"Content-Type": {"text/plain"}},
						Body: body, ContentLength: size, Request: r}, nil
				})
			_, err := c.Metrics(context.Background())
			pe := asError(t, err)
			if pe.StatusCode != 500 || pe.Message != "internal server error" {
				t.Errorf("error = %d %q, want 500 and the status text", pe.StatusCode, pe.Message)
			}
			if n := body.read.Load(); n > limit {
				t.Errorf("read %d bytes of the error body, want at most %d", n, limit)
			}
			if !body.closed.Load() {
				t.Error("the error body was not closed")
			}
		})
	}
}

// A long but legal error body (under the cap) is read whole.
func TestErrorBodyUnderTheCap(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	msg := strings.Repeat("m", 60<<10)
	mux.HandleFunc("GET /api/platform/metrics", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, 403, "permission_denied", msg)
	})
	_, err := c.Metrics(context.Background())
	if pe := asError(t, err); pe.Message != msg || pe.Code != "permission_denied" {
		t.Errorf("error = %q with a %d-byte message, want permission_denied with %d bytes",
			pe.Code, len(pe.Message), len(msg))
	}
}

// A JSON error body past the cap cannot be decoded; the status still decides.
func TestErrorBodyOverTheCap(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /api/platform/metrics", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, 404, "not_found", strings.Repeat("m", 100<<10))
	})
	_, err := c.Metrics(context.Background())
	pe := asError(t, err)
	if pe.Message != "not found" {
		t.Errorf("Message has %d bytes, want the status text", len(pe.Message))
	}
	testSentinels(t, err, platform.ErrNotFound)
}

func TestErrorRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		header string
		want   time.Duration
	}{
		{"7", 7 * time.Second},
		{now.Add(10 * time.Second).Format(http.TimeFormat), 10 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"soon", 0},
		{"-3", 0},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t, platform.WithRetries(0), platform.WithClock(fixedClock{now}))
			mux.HandleFunc("GET /api/platform/metrics", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", tt.header)
				writeError(w, 429, "rate_limited", "slow down")
			})
			_, err := c.Metrics(context.Background())
			if pe := asError(t, err); pe.RetryAfter != tt.want {
				t.Errorf("RetryAfter = %v, want %v", pe.RetryAfter, tt.want)
			}
			testSentinels(t, err, platform.ErrRateLimited)
		})
	}
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

func TestErrorString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  *platform.Error
		want string
	}{
		{&platform.Error{StatusCode: 404, Code: "not_found", Message: "agent x not found", Attempts: 1,
			Method: "GET", Path: "/api/platform/agents/x", RequestID: "r-1"},
			"waooaw: GET /api/platform/agents/x: 404 not_found: agent x not found [request r-1]"},
		{&platform.Error{StatusCode: 400, Code: "invalid_argument", Message: "bad config", Attempts: 1,
			Details: []platform.FieldIssue{{Field: "resources.cpu_cores", Issue: "above 8"}, {Field: "name", Issue: "required"}},
			Method:  "POST", Path: "/api/platform/factory/agents"},
			"waooaw: POST /api/platform/factory/agents: 400 invalid_argument: bad config (resources.cpu_cores: above 8; name: required)"},
		{&platform.Error{StatusCode: 400, Code: "invalid_argument", Message: "the request is not valid: name: required (and 1 more problems, see details)", Attempts: 1,
			Details: []platform.FieldIssue{{Field: "name", Issue: "required"}, {Field: "plan", Issue: "unknown"}},
			Method:  "POST", Path: "/api/platform/factory/agents"},
			"waooaw: POST /api/platform/factory/agents: 400 invalid_argument: the request is not valid: name: required (and 1 more problems, see details) (plan: unknown)"},
		{&platform.Error{StatusCode: 400, Code: "invalid_argument", Message: "name: required", Attempts: 1,
			Details: []platform.FieldIssue{{Field: "name", Issue: "required"}},
			Method:  "POST", Path: "/x"},
			"waooaw: POST /x: 400 invalid_argument: name: required"},
		{&platform.Error{StatusCode: 503, Message: "service unavailable", Attempts: 4,
			Method: "GET", Path: "/api/platform/metrics"},
			"waooaw: GET /api/platform/metrics: 503: service unavailable after 4 attempts"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q\nwant      %q", got, tt.want)
		}
	}
}

func TestErrorNotRetriedBodyIsClosed(t *testing.T) {
	t.Parallel()
	c, _, mt := setup(t)
	var bodies []*countingBody
	mt.RegisterResponder("GET", testHost+baseURLPath+"/api/platform/metrics",
		func(r *http.Request) (*http.Response, error) {
			b := &countingBody{left: 10}
			bodies = append(bodies, b)
			return &http.Response{StatusCode: 503, Body: b, Header: http.Header{}, Request: r}, nil
		})
	if _, err := c.Metrics(context.Background()); err == nil {
		t.Fatal("Metrics succeeded")
	}
	if len(bodies) != 4 {
		t.Fatalf("%d attempt(s), want 4", len(bodies))
	}
	for i, b := range bodies {
		if !b.closed.Load() {
			t.Errorf("the body of attempt %d was not closed", i+1)
		}
	}
}
