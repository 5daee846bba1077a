package platform_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jarcoal/httpmock"

	"github.com/waooaw/waooaw-go/platform"
)

// scripted answers the n-th attempt with statuses[n-1] (the last one
// repeats): 200 with body, anything else with the error body and, when
// retryAfter is set, a Retry-After header.
func scripted(rc *recorder, body, retryAfter string, statuses ...int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n := rc.add(r)
		status := statuses[min(n, len(statuses))-1]
		if status == http.StatusOK {
			writeJSON(w, status, body)
			return
		}
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		writeError(w, status, "attempt_"+strconv.Itoa(n), "scripted failure")
	}
}

const healthBody = `{"status":"healthy","components":{"db":"healthy"},"checked_at":"2026-01-02T10:00:00Z"}`

func TestGetRetriedAfterRetryAfterThenSucceeds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		status     int
		retryAfter func(now time.Time) string
		cap        time.Duration
		wantWait   time.Duration
	}{
		{"503 seconds", 503, func(time.Time) string { return "2" }, time.Minute, 2 * time.Second},
		{"429 seconds", 429, func(time.Time) string { return "7" }, time.Minute, 7 * time.Second},
		{"502 seconds", 502, func(time.Time) string { return "1" }, time.Minute, time.Second},
		{"504 seconds", 504, func(time.Time) string { return "3" }, time.Minute, 3 * time.Second},
		{"503 HTTP date", 503, func(now time.Time) string {
			return now.Add(3 * time.Second).UTC().Format(http.TimeFormat)
		}, time.Minute, 3 * time.Second},
		{"503 zero", 503, func(time.Time) string { return "0" }, time.Minute, 0},
		{"capped", 503, func(time.Time) string { return "3600" }, 5 * time.Second, 5 * time.Second},
		{"capped HTTP date", 503, func(now time.Time) string {
			return now.Add(time.Hour).UTC().Format(http.TimeFormat)
		}, 10 * time.Second, 10 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				// Without Retry-After the client would wait an hour.
				c, mux, _ := setup(t, platform.WithBackoff(time.Hour, time.Hour), platform.WithRetryAfterCap(tt.cap))
				var rc recorder
				mux.HandleFunc("GET /api/platform/health", func(w http.ResponseWriter, r *http.Request) {
					if rc.add(r) == 1 {
						w.Header().Set("Retry-After", tt.retryAfter(time.Now()))
						writeError(w, tt.status, "unavailable", "come back later")
						return
					}
					testCommonHeaders(t, r)
					writeJSON(w, 200, healthBody)
				})
				start := time.Now()
				h, err := c.Health(context.Background())
				if err != nil {
					t.Fatalf("Health: %v", err)
				}
				if got := time.Since(start); got != tt.wantWait {
					t.Errorf("the call took %v, want exactly %v", got, tt.wantWait)
				}
				if n := rc.count(); n != 2 {
					t.Errorf("%d attempt(s), want 2", n)
				}
				want := &platform.Health{
					Status:     platform.HealthHealthy,
					Components: map[string]platform.HealthStatus{"db": platform.HealthHealthy},
					CheckedAt:  time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC),
				}
				if diff := cmp.Diff(want, h); diff != "" {
					t.Errorf("Health (-want +got):\n%s", diff)
				}
			})
		})
	}
}

func TestBackoffExponentialWithJitter(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c, mux, _ := setup(t, platform.WithBackoff(100*time.Millisecond, 300*time.Millisecond), platform.WithRetries(4))
		var rc recorder
		mux.HandleFunc("GET /api/platform/health", scripted(&rc, "", "", 503))
		_, err := c.Health(context.Background())
		if !errors.Is(err, platform.ErrUnavailable) {
			t.Fatalf("Health = %v, want ErrUnavailable", err)
		}
		got := rc.all()
		if len(got) != 5 {
			t.Fatalf("%d attempt(s), want 5", len(got))
		}
		// Each wait is the doubling step capped at max, with equal jitter:
		// within [step/2, step].
		steps := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond, 300 * time.Millisecond}
		for i, step := range steps {
			wait := got[i+1].at.Sub(got[i].at)
			if wait < step/2 || wait > step {
				t.Errorf("wait %d = %v, want within [%v, %v]", i+1, wait, step/2, step)
			}
		}

		// Jitter: the first wait varies from call to call.
		waits := map[time.Duration]bool{}
		for range 10 {
			var rc recorder
			c, mux, _ := setup(t, platform.WithBackoff(100*time.Millisecond, 100*time.Millisecond), platform.WithRetries(1))
			mux.HandleFunc("GET /api/platform/health", scripted(&rc, "", "", 503))
			c.Health(context.Background())
			if got := rc.all(); len(got) == 2 {
				waits[got[1].at.Sub(got[0].at)] = true
			}
		}
		if len(waits) < 2 {
			t.Errorf("10 calls all waited %v: no jitter", waits)
		}
	})
}

func TestCancelDuringBackoffReturnsAtOnce(t *testing.T) {
	t.Parallel()
	for _, method := range []string{"GET", "POST"} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				c, mux, _ := setup(t, platform.WithBackoff(time.Hour, time.Hour))
				var rc recorder
				mux.HandleFunc("/api/platform/agents/a", scripted(&rc, "", "", 503))
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan error, 1)
				start := time.Now()
				go func() { done <- c.Do(ctx, method, "/api/platform/agents/a", nil, nil, nil) }()
				synctest.Wait() // the call is now waiting out its backoff
				select {
				case err := <-done:
					t.Fatalf("the call returned before the backoff ended: %v", err)
				default:
				}
				if n := rc.count(); n != 1 {
					t.Fatalf("%d attempt(s) before cancelling, want 1", n)
				}
				cancel()
				err := <-done
				if !errors.Is(err, context.Canceled) {
					t.Errorf("error = %v, want context.Canceled", err)
				}
				// The answer that was being retried is kept.
				var pe *platform.Error
				if !errors.As(err, &pe) || pe.StatusCode != 503 {
					t.Errorf("error %v does not carry the last answer (a 503 *platform.Error)", err)
				}
				if d := time.Since(start); d != 0 {
					t.Errorf("returned after %v, want at once", d)
				}
				if n := rc.count(); n != 1 {
					t.Errorf("%d attempt(s), want 1", n)
				}
			})
		})
	}
}

func TestDeadlineDuringRetryAfter(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c, mux, _ := setup(t, platform.WithRetryAfterCap(time.Hour))
		var rc recorder
		mux.HandleFunc("GET /api/platform/health", scripted(&rc, "", "600", 429))
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		start := time.Now()
		_, err := c.Health(ctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error = %v, want context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d != 10*time.Second {
			t.Errorf("returned after %v, want 10s (the deadline)", d)
		}
		if n := rc.count(); n != 1 {
			t.Errorf("%d attempt(s), want 1", n)
		}
	})
}

func TestDeadlineDuringRetriesKeepsTheLastAnswer(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c, mux, _ := setup(t, platform.WithBackoff(time.Second, time.Second), platform.WithRetries(10))
		var rc recorder
		mux.HandleFunc("GET /api/platform/health", scripted(&rc, "", "", 503, 503, 503, 503, 503, 503, 503, 503, 503, 503, 503))
		ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
		defer cancel()
		_, err := c.Health(ctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error = %v, want it to match context.DeadlineExceeded", err)
		}
		var pe *platform.Error
		if !errors.As(err, &pe) {
			t.Fatalf("error %v carries no *platform.Error", err)
		}
		if pe.StatusCode != 503 || pe.Code != "attempt_"+strconv.Itoa(rc.count()) {
			t.Errorf("the kept answer is %d %s, want the last 503 (attempt %d)", pe.StatusCode, pe.Code, rc.count())
		}
		if !errors.Is(err, platform.ErrUnavailable) {
			t.Errorf("error %v does not match ErrUnavailable through the kept answer", err)
		}
	})
}

func TestInternalErrorIsNotRetried(t *testing.T) {
	t.Parallel()
	for _, status := range []int{500, 501, 505} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			var rc recorder
			mux.HandleFunc("GET /api/platform/health", scripted(&rc, "", "", status))
			_, err := c.Health(context.Background())
			if !errors.Is(err, platform.ErrInternal) {
				t.Errorf("error = %v, want it to match ErrInternal", err)
			}
			if errors.Is(err, platform.ErrUnavailable) {
				t.Errorf("a %d matches ErrUnavailable; it is not retryable", status)
			}
			if n := rc.count(); n != 1 {
				t.Errorf("%d attempt(s), want 1", n)
			}
		})
	}
}

func TestWithResponse(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var rc recorder
	mux.HandleFunc("GET /api/platform/health", func(w http.ResponseWriter, r *http.Request) {
		if rc.add(r) == 1 {
			writeError(w, 503, "unavailable", "busy")
			return
		}
		w.Header().Set("X-Request-Id", "req-42")
		w.Header().Set("X-Extra", "yes")
		writeJSON(w, 200, healthBody)
	})
	var r platform.Response
	if _, err := c.Health(platform.WithResponse(context.Background(), &r)); err != nil {
		t.Fatalf("Health: %v", err)
	}
	if r.StatusCode != 200 || r.RequestID != "req-42" || r.Header.Get("X-Extra") != "yes" || r.Attempts != 2 {
		t.Errorf("Response = %+v, want 200, req-42, X-Extra and 2 attempts", r)
	}

	mux.HandleFunc("GET /api/platform/agents/x", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Request-Id", "req-404")
		writeError(w, 404, "not_found", "no agent x")
	})
	var r2 platform.Response
	if _, err := c.Agents.Get(platform.WithResponse(context.Background(), &r2), "x"); err == nil {
		t.Fatal("Get of a missing agent succeeded")
	}
	if r2.StatusCode != 404 || r2.RequestID != "req-404" || r2.Attempts != 1 {
		t.Errorf("Response after a failure = %+v, want 404, req-404, 1 attempt", r2)
	}
}

func TestPerAttemptTimeout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		opts     func(hc *http.Client) []platform.Option
		wantWait time.Duration
	}{
		{"WithTimeout", func(*http.Client) []platform.Option {
			return []platform.Option{platform.WithTimeout(5 * time.Second)}
		}, 5 * time.Second},
		{"default", func(*http.Client) []platform.Option { return nil }, 30 * time.Second},
		{"http.Client Timeout wins", func(hc *http.Client) []platform.Option {
			hc.Timeout = 2 * time.Second
			return []platform.Option{platform.WithTimeout(5 * time.Second), platform.WithHTTPClient(hc)}
		}, 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				_, _, mt := setup(t)
				c, err := platform.New(append(testOptions(testHost+baseURLPath, &http.Client{Transport: mt}),
					append(tt.opts(&http.Client{Transport: mt}), platform.WithBackoff(0, 0))...)...)
				if err != nil {
					t.Fatal(err)
				}
				var rc recorder
				mt.RegisterResponder("GET", testHost+baseURLPath+"/api/platform/health",
					func(r *http.Request) (*http.Response, error) {
						if rc.add(r) == 1 {
							<-r.Context().Done() // hang until the attempt times out
							return nil, r.Context().Err()
						}
						return httpmock.NewStringResponse(200, healthBody), nil
					})
				start := time.Now()
				if _, err := c.Health(context.Background()); err != nil {
					t.Fatalf("Health: %v (a timed-out GET is retried)", err)
				}
				if d := time.Since(start); d != tt.wantWait {
					t.Errorf("the call took %v, want %v (one attempt timing out)", d, tt.wantWait)
				}
				if n := rc.count(); n != 2 {
					t.Errorf("%d attempt(s), want 2", n)
				}

				// Without retries the timeout surfaces as a network timeout.
				c0, err := platform.New(append(testOptions(testHost+baseURLPath, &http.Client{Transport: mt}),
					append(tt.opts(&http.Client{Transport: mt}), platform.WithRetries(0))...)...)
				if err != nil {
					t.Fatal(err)
				}
				mt.RegisterResponder("GET", testHost+baseURLPath+"/api/platform/metrics",
					func(r *http.Request) (*http.Response, error) {
						<-r.Context().Done()
						return nil, r.Context().Err()
					})
				_, err = c0.Metrics(context.Background())
				var ne net.Error
				if !errors.As(err, &ne) || !ne.Timeout() {
					t.Errorf("error = %v, want a timeout", err)
				}
			})
		})
	}
}

func TestPostWithoutKeyNotRetried(t *testing.T) {
	t.Parallel()
	t.Run("503", func(t *testing.T) {
		t.Parallel()
		c, mux, _ := setup(t)
		var rc recorder
		mux.HandleFunc("POST /api/platform/agents/a/restart", scripted(&rc, `{"agent_id":"a"}`, "", 503, 200))
		ctx := platform.WithIdempotencyKey(context.Background(), "")
		_, err := c.Agents.Restart(ctx, "a")
		if !errors.Is(err, platform.ErrUnavailable) {
			t.Errorf("Restart = %v, want ErrUnavailable", err)
		}
		if pe := asError(t, err); pe.Attempts != 1 {
			t.Errorf("Attempts = %d, want 1", pe.Attempts)
		}
		got := rc.all()
		if len(got) != 1 {
			t.Fatalf("%d attempt(s), want 1", len(got))
		}
		if got[0].idemKey != nil {
			t.Errorf("Idempotency-Key = %q, want none", got[0].idemKey)
		}
	})
	t.Run("network error", func(t *testing.T) {
		t.Parallel()
		c, _, mt := setup(t)
		errReset := errors.New("connection reset by peer")
		mt.RegisterResponder("POST", testHost+baseURLPath+"/api/platform/agents/a/restart",
			httpmock.NewErrorResponder(errReset))
		_, err := c.Agents.Restart(platform.WithIdempotencyKey(context.Background(), ""), "a")
		if !errors.Is(err, errReset) {
			t.Errorf("Restart = %v, want it to wrap %v", err, errReset)
		}
		if n := mt.GetTotalCallCount(); n != 1 {
			t.Errorf("%d attempt(s), want 1", n)
		}
	})
}

func TestPostRetriedWithTheSameKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		ctx     context.Context
		wantKey string // "" for the SDK's own
	}{
		{"SDK key", context.Background(), ""},
		{"caller key", platform.WithIdempotencyKey(context.Background(), "restart-a-2026-01-02"), "restart-a-2026-01-02"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			var rc recorder
			mux.HandleFunc("POST /api/platform/agents/a/restart",
				scripted(&rc, `{"agent_id":"a","status":"starting"}`, "", 503, 502, 200))
			a, err := c.Agents.Restart(tt.ctx, "a")
			if err != nil {
				t.Fatalf("Restart: %v", err)
			}
			if a.Status != platform.AgentStarting {
				t.Errorf("Status = %q, want starting", a.Status)
			}
			got := rc.all()
			if len(got) != 3 {
				t.Fatalf("%d attempt(s), want 3", len(got))
			}
			key := got[0].idemKey
			if len(key) != 1 {
				t.Fatalf("first attempt Idempotency-Key = %q, want one", key)
			}
			if tt.wantKey != "" && key[0] != tt.wantKey {
				t.Errorf("Idempotency-Key = %q, want the caller's %q", key[0], tt.wantKey)
			}
			if tt.wantKey == "" && !sdkKey.MatchString(key[0]) {
				t.Errorf("Idempotency-Key = %q, want 32 hex digits", key[0])
			}
			for i, s := range got[1:] {
				if !cmp.Equal(s.idemKey, key) {
					t.Errorf("attempt %d Idempotency-Key = %q, want the first attempt's %q", i+2, s.idemKey, key)
				}
			}
		})
	}
}

func TestGetNotRetried(t *testing.T) {
	t.Parallel()
	for _, status := range []int{400, 401, 403, 404, 405, 409, 413, 415, 422, 500, 501} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			var rc recorder
			mux.HandleFunc("GET /api/platform/health", scripted(&rc, healthBody, "1", status, 200))
			_, err := c.Health(context.Background())
			if pe := asError(t, err); pe.StatusCode != status || pe.Attempts != 1 {
				t.Errorf("error = %d after %d attempt(s), want %d after 1", pe.StatusCode, pe.Attempts, status)
			}
			if n := rc.count(); n != 1 {
				t.Errorf("%d attempt(s), want 1", n)
			}
		})
	}
}

func TestGetRetriedUntilExhausted(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status int
		want   error
	}{
		{429, platform.ErrRateLimited},
		{502, platform.ErrUnavailable},
		{503, platform.ErrUnavailable},
		{504, platform.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.status), func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t, platform.WithRetries(3))
			var rc recorder
			mux.HandleFunc("GET /api/platform/health", func(w http.ResponseWriter, r *http.Request) {
				n := rc.add(r)
				w.Header().Set("X-Request-Id", "req-"+strconv.Itoa(n))
				writeError(w, tt.status, "unavailable", "attempt "+strconv.Itoa(n))
			})
			_, err := c.Health(context.Background())
			if !errors.Is(err, tt.want) {
				t.Errorf("error = %v, want %v", err, tt.want)
			}
			pe := asError(t, err)
			want := &platform.Error{
				StatusCode: tt.status, Code: "unavailable", Message: "attempt 4", RequestID: "req-4",
				Attempts: 4, Method: "GET", Path: "/api/platform/health",
			}
			if diff := cmp.Diff(want, pe); diff != "" {
				t.Errorf("the last answer's error (-want +got):\n%s", diff)
			}
			if !strings.Contains(err.Error(), "after 4 attempts") {
				t.Errorf("Error() = %q, want it to say \"after 4 attempts\"", err)
			}
			if n := rc.count(); n != 4 {
				t.Errorf("%d attempt(s), want 4", n)
			}
		})
	}
}

func TestWithRetries(t *testing.T) {
	t.Parallel()
	for _, retries := range []int{0, 1, 5} {
		t.Run(strconv.Itoa(retries), func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t, platform.WithRetries(retries))
			var rc recorder
			mux.HandleFunc("GET /api/platform/health", scripted(&rc, "", "", 503))
			_, err := c.Health(context.Background())
			if pe := asError(t, err); pe.Attempts != retries+1 {
				t.Errorf("Attempts = %d, want %d", pe.Attempts, retries+1)
			}
			if n := rc.count(); n != retries+1 {
				t.Errorf("%d attempt(s), want %d", n, retries+1)
			}
		})
	}
}

func TestGetRetriedOnNetworkErrors(t *testing.T) {
	t.Parallel()
	const url = testHost + baseURLPath + "/api/platform/health"
	errReset := errors.New("connection reset by peer")
	t.Run("until exhausted", func(t *testing.T) {
		t.Parallel()
		c, _, mt := setup(t, platform.WithRetries(3))
		mt.RegisterResponder("GET", url, httpmock.NewErrorResponder(errReset))
		_, err := c.Health(context.Background())
		if !errors.Is(err, errReset) {
			t.Errorf("error = %v, want it to wrap %v", err, errReset)
		}
		if err != nil && !strings.Contains(err.Error(), "4 attempt") {
			t.Errorf("error %q does not give the attempt count 4", err)
		}
		if !errors.Is(err, platform.ErrUnavailable) {
			t.Errorf("error = %v, want it to match ErrUnavailable", err)
		}
		if n := mt.GetTotalCallCount(); n != 4 {
			t.Errorf("%d attempt(s), want 4", n)
		}
	})
	t.Run("then success", func(t *testing.T) {
		t.Parallel()
		c, _, mt := setup(t)
		var calls atomic.Int32
		mt.RegisterResponder("GET", url, func(r *http.Request) (*http.Response, error) {
			if calls.Add(1) <= 2 {
				return nil, errReset
			}
			return httpmock.NewStringResponse(200, healthBody), nil
		})
		h, err := c.Health(context.Background())
		if err != nil {
			t.Fatalf("Health: %v", err)
		}
		if h.Status != platform.HealthHealthy {
			t.Errorf("Status = %q", h.Status)
		}
		if n := mt.GetTotalCallCount(); n != 3 {
			t.Errorf("%d attempt(s), want 3", n)
		}
	})
}

func TestFreshTokenOnEveryAttempt(t *testing.T) {
	t.Parallel()
	src := &countingSource{}
	c, mux, _ := setup(t, platform.WithTokenSource(src))
	var rc recorder
	mux.HandleFunc("POST /api/platform/agents/a/stop", scripted(&rc, `{"agent_id":"a","status":"offline"}`, "", 503, 429, 200))
	if _, err := c.Agents.Stop(context.Background(), "a"); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	var got []string
	for _, s := range rc.all() {
		got = append(got, s.auth)
	}
	want := []string{"Bearer tok-1", "Bearer tok-2", "Bearer tok-3"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Authorization per attempt (-want +got):\n%s", diff)
	}
	if n := src.calls(); n != 3 {
		t.Errorf("the token source was asked %d time(s), want 3", n)
	}
}

func TestTokenSourceErrorWrappedNeverRetried(t *testing.T) {
	t.Parallel()
	errReauth := errors.New("reauthentication required")
	tests := []struct {
		name      string
		failCall  int // the token source call that fails
		statuses  []int
		wantHits  int
		wantCalls int
	}{
		// A retry would ask again, get tok-2 and succeed.
		{"first attempt", 1, []int{200}, 0, 1},
		{"during retries", 2, []int{503, 200}, 1, 2},
	}
	for _, tt := range tests {
		for _, method := range []string{"GET", "POST"} {
			t.Run(tt.name+"/"+method, func(t *testing.T) {
				t.Parallel()
				src := &countingSource{fail: map[int]bool{tt.failCall: true}, err: fmt.Errorf("refresh: %w", errReauth)}
				c, mux, _ := setup(t, platform.WithTokenSource(src))
				var rc recorder
				mux.HandleFunc("/api/platform/agents/a", scripted(&rc, `{"agent_id":"a"}`, "", tt.statuses...))
				err := c.Do(context.Background(), method, "/api/platform/agents/a", nil, nil, nil)
				if !errors.Is(err, errReauth) {
					t.Fatalf("error = %v, want it to wrap %v", err, errReauth)
				}
				var pe *platform.Error
				if errors.As(err, &pe) {
					t.Errorf("a token source error became a *platform.Error: %v", pe)
				}
				if n := rc.count(); n != tt.wantHits {
					t.Errorf("the server saw %d request(s), want %d", n, tt.wantHits)
				}
				if n := src.calls(); n != tt.wantCalls {
					t.Errorf("the token source was asked %d time(s), want %d (never retried)", n, tt.wantCalls)
				}
			})
		}
	}
}

func TestTokenNeverInErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		handler http.HandlerFunc
		mock    httpmock.Responder
	}{
		{"401", func(w http.ResponseWriter, r *http.Request) {
			writeError(w, 401, "unauthenticated", "token expired")
		}, nil},
		{"503 exhausted", func(w http.ResponseWriter, r *http.Request) {
			writeError(w, 503, "unavailable", "down")
		}, nil},
		{"network error", nil, httpmock.NewErrorResponder(errors.New("dial tcp: connection refused"))},
		{"timeout", nil, func(r *http.Request) (*http.Response, error) {
			<-r.Context().Done()
			return nil, r.Context().Err()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				c, mux, mt := setup(t, platform.WithTimeout(time.Second))
				if tt.handler != nil {
					mux.HandleFunc("GET /api/platform/agents/a", tt.handler)
				} else {
					mt.RegisterResponder("GET", testHost+baseURLPath+"/api/platform/agents/a", tt.mock)
				}
				_, err := c.Agents.Get(context.Background(), "a")
				if err == nil {
					t.Fatal("Get succeeded")
				}
				for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
					if strings.Contains(s, testToken) {
						t.Errorf("the token appears in the error: %s", s)
					}
				}
			})
		})
	}
}

func TestUnauthorizedInvalidatesOnceAndRetries(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		src := &invalidatingSource{}
		// A backoff wait would take an hour: the retry after a 401 has none.
		c, mux, _ := setup(t, platform.WithTokenSource(src), platform.WithBackoff(time.Hour, time.Hour))
		var rc recorder
		mux.HandleFunc("GET /api/platform/agents/a", scripted(&rc, `{"agent_id":"a"}`, "", 401, 200))
		start := time.Now()
		a, err := c.Agents.Get(context.Background(), "a")
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if a.AgentID != "a" {
			t.Errorf("AgentID = %q", a.AgentID)
		}
		if n := src.invalidations.Load(); n != 1 {
			t.Errorf("Invalidate called %d time(s), want 1", n)
		}
		var auth []string
		for _, s := range rc.all() {
			auth = append(auth, s.auth)
		}
		if diff := cmp.Diff([]string{"Bearer tok-1", "Bearer tok-2"}, auth); diff != "" {
			t.Errorf("Authorization per attempt (-want +got):\n%s", diff)
		}
		if d := time.Since(start); d != 0 {
			t.Errorf("the retry after a 401 waited %v, want no wait", d)
		}
	})
}

func TestSecondUnauthorizedSurfaces(t *testing.T) {
	t.Parallel()
	for _, method := range []string{"GET", "POST"} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			src := &invalidatingSource{}
			c, mux, _ := setup(t, platform.WithTokenSource(src))
			var rc recorder
			mux.HandleFunc("/api/platform/agents/a", scripted(&rc, "", "", 401))
			err := c.Do(context.Background(), method, "/api/platform/agents/a", nil, nil, nil)
			if !errors.Is(err, platform.ErrUnauthenticated) {
				t.Errorf("error = %v, want ErrUnauthenticated", err)
			}
			if pe := asError(t, err); pe.Attempts != 2 {
				t.Errorf("Attempts = %d, want 2", pe.Attempts)
			}
			if n := src.invalidations.Load(); n != 1 {
				t.Errorf("Invalidate called %d time(s), want 1", n)
			}
			if n := rc.count(); n != 2 {
				t.Errorf("%d attempt(s), want 2", n)
			}
		})
	}
}

func TestUnauthorizedWithoutInvalidatorNotRetried(t *testing.T) {
	t.Parallel()
	src := &countingSource{}
	c, mux, _ := setup(t, platform.WithTokenSource(src))
	var rc recorder
	mux.HandleFunc("GET /api/platform/agents/a", scripted(&rc, `{"agent_id":"a"}`, "", 401, 200))
	_, err := c.Agents.Get(context.Background(), "a")
	if !errors.Is(err, platform.ErrUnauthenticated) {
		t.Errorf("error = %v, want ErrUnauthenticated", err)
	}
	if n := rc.count(); n != 1 {
		t.Errorf("%d attempt(s), want 1", n)
	}
	if n := src.calls(); n != 1 {
		t.Errorf("the token source was asked %d time(s), want 1", n)
	}
}

// The retry after a 401 does not use up the retries of the policy.
func TestUnauthorizedRetryNotCounted(t *testing.T) {
	t.Parallel()
	src := &invalidatingSource{}
	c, mux, _ := setup(t, platform.WithTokenSource(src), platform.WithRetries(3))
	var rc recorder
	mux.HandleFunc("GET /api/platform/agents/a", scripted(&rc, `{"agent_id":"a"}`, "", 503, 401, 503, 503, 200))
	if _, err := c.Agents.Get(context.Background(), "a"); err != nil {
		t.Fatalf("Get: %v", err)
	}
	if n := rc.count(); n != 5 {
		t.Errorf("%d attempt(s), want 5", n)
	}
	if n := src.invalidations.Load(); n != 1 {
		t.Errorf("Invalidate called %d time(s), want 1", n)
	}
}

func TestRefusedTokenThatCannotBeReplaced(t *testing.T) {
	t.Parallel()
	errGone := errors.New("sign-in over")
	src := &invalidatingSource{countingSource: countingSource{fail: map[int]bool{2: true}, err: errGone}}
	c, mux, _ := setup(t, platform.WithTokenSource(src))
	mux.HandleFunc("GET /api/platform/health", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, 401, "unauthenticated", "token revoked")
	})
	_, err := c.Health(context.Background())
	if !errors.Is(err, errGone) || !errors.Is(err, platform.ErrUnauthenticated) {
		t.Errorf("error = %v, want both the source's error and ErrUnauthenticated", err)
	}
	if n := src.invalidations.Load(); n != 1 {
		t.Errorf("%d invalidation(s), want 1", n)
	}
}
