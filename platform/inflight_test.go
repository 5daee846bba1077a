package platform_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/waooaw/waooaw-go/platform"
)

// A 409 that carries Retry-After means an earlier attempt of the same keyed
// call is still running on the server: the client waits and tries again.
// A plain 409 is a state conflict and final.
func TestInFlightConflictIsRetried(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		retryAfter string
		noKey      bool
		wantCalls  int32
		wantErr    bool
	}{
		{name: "in flight", retryAfter: "1", wantCalls: 2},
		{name: "state conflict", wantCalls: 1, wantErr: true},
		{name: "no key", retryAfter: "1", noKey: true, wantCalls: 1, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) == 1 {
					if tc.retryAfter != "" {
						w.Header().Set("Retry-After", tc.retryAfter)
					}
					w.WriteHeader(http.StatusConflict)
					w.Write([]byte(`{"error":{"code":"conflict","message":"in flight"}}`))
					return
				}
				w.Write([]byte(`{}`))
			}))
			defer srv.Close()
			pc, err := platform.New(platform.WithBaseURL(srv.URL), platform.WithoutEnvironment(),
				platform.WithRetryAfterCap(time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if tc.noKey {
				ctx = platform.WithIdempotencyKey(ctx, "")
			}
			err = pc.Do(ctx, "POST", "/x", nil, nil, nil)
			if (err != nil) != tc.wantErr || calls.Load() != tc.wantCalls {
				t.Errorf("err %v after %d calls", err, calls.Load())
			}
			if tc.wantErr && !errors.Is(err, platform.ErrConflict) {
				t.Errorf("err %v, want a conflict", err)
			}
		})
	}
}

func TestHugeRetryAfterIsClamped(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "99999999999999")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	pc, _ := platform.New(platform.WithBaseURL(srv.URL), platform.WithoutEnvironment(), platform.WithRetries(0))
	err := pc.Do(context.Background(), "GET", "/x", nil, nil, nil)
	var pe *platform.Error
	if !errors.As(err, &pe) || pe.RetryAfter <= 0 || pe.RetryAfter > 366*24*time.Hour {
		t.Errorf("RetryAfter = %v (%v)", pe.RetryAfter, err)
	}
}

// slowSource takes its time, as a token endpoint under load would.
type slowSource struct{ d time.Duration }

func (s slowSource) Token() (*oauth2.Token, error) {
	time.Sleep(s.d) // the source's own wait, outside the client's control
	return &oauth2.Token{AccessToken: "t"}, nil
}

func TestSlowTokenSourceDoesNotOutliveTheDeadline(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{}`)) }))
	defer srv.Close()
	pc, _ := platform.New(platform.WithBaseURL(srv.URL), platform.WithoutEnvironment(),
		platform.WithTokenSource(slowSource{300 * time.Millisecond}))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := pc.Do(ctx, "GET", "/x", nil, nil, nil)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 250*time.Millisecond {
		t.Errorf("err %v after %v, want the deadline at once", err, time.Since(start))
	}
}
