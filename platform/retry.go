package platform

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"sync/atomic"
	"time"
)

type retryPolicy struct {
	maxRetries    int
	minWait       time.Duration
	maxWait       time.Duration
	retryAfterCap time.Duration
}

// call is the state of one logical call, shared by its attempts.
type call struct {
	retriable   bool // GET, or a mutation with an Idempotency-Key
	retries     int  // retries granted so far, 401 retry excluded
	invalidated bool // the token source was invalidated after a 401
	attempts    atomic.Int32
}

type callKey struct{}

func callFrom(ctx context.Context) *call {
	st, _ := ctx.Value(callKey{}).(*call)
	return st
}

// Invalidator is implemented by token sources that can drop a cached token.
// After a 401 the client calls Invalidate once and tries again.
type Invalidator interface {
	Invalidate()
}

// checkRetry is the whole retry decision:
//
//	context done                       → stop with the context's error
//	token source failed                → stop (never retried)
//	401, source can invalidate, first  → invalidate, retry at once
//	not retriable (mutation, no key)   → stop
//	network error, 429, 502, 503, 504  → retry while retries remain
//	409 with Retry-After               → retry while retries remain (the
//	                                     same key is still in flight)
//	anything else                      → stop
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	st := callFrom(ctx)
	if st == nil {
		return false, nil
	}
	var te *tokenError
	if errors.As(err, &te) {
		return false, nil
	}
	if err == nil && resp.StatusCode == http.StatusUnauthorized && !st.invalidated {
		if inv, ok := c.tokens.(Invalidator); ok {
			st.invalidated = true
			inv.Invalidate()
			return true, nil
		}
		return false, nil
	}
	if !st.retriable || st.retries >= c.policy.maxRetries {
		return false, nil
	}
	if err == nil {
		switch resp.StatusCode {
		case http.StatusTooManyRequests, http.StatusBadGateway,
			http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		case http.StatusConflict:
			// A state conflict is final; an earlier attempt of this very
			// call still running on the server says so with Retry-After.
			if resp.Header.Get("Retry-After") == "" || resp.Request == nil || resp.Request.Header.Get("Idempotency-Key") == "" {
				return false, nil
			}
		default:
			return false, nil
		}
	}
	st.retries++
	c.logger.Debug("waooaw: retrying", "attempt", st.retries+1, "status", statusOf(resp), "error", err)
	return true, nil
}

// backoff is the wait before the next attempt: none after a 401, the
// server's Retry-After (capped) when given, else exponential with jitter.
func (c *Client) backoff(min, max time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if resp.StatusCode == http.StatusUnauthorized {
			return 0
		}
		if d, ok := retryAfter(resp.Header.Get("Retry-After"), c.clock.Now()); ok {
			return min2(d, c.policy.retryAfterCap)
		}
	}
	d := min
	for i := 0; i < attempt && d < max; i++ {
		d *= 2
	}
	d = min2(d, max)
	if d <= 0 {
		return 0
	}
	// Equal jitter: half fixed, half random, so waits never collapse to 0.
	return d/2 + rand.N(d/2+1)
}

func min2(a, b time.Duration) time.Duration {
	if a < b {
		return a
	}
	return b
}

// passLastResponse hands the last response (or error) to Do, which turns it
// into a typed error with the attempt count.
func passLastResponse(resp *http.Response, err error, _ int) (*http.Response, error) {
	if resp != nil {
		return resp, nil
	}
	return nil, err
}

func statusOf(resp *http.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}
