package platform

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"time"
)

type retryPolicy struct {
	maxRetries    int
	minWait       time.Duration
	maxWait       time.Duration
	retryAfterCap time.Duration
}

// Invalidator is implemented by token sources that can drop a cached token.
// After a 401 the client calls Invalidate once and tries again.
type Invalidator interface {
	Invalidate()
}

// next is what the request loop does after an attempt.
type next int

const (
	stop    next = iota // hand the answer (or error) to the caller
	retry               // wait, then try again; counts against maxRetries
	refresh             // the token was refused: invalidate it, try again at once (not counted)
)

// decide is the whole retry decision, in the order it is checked:
//
//	context done                          → stop (with the context's error)
//	token source failed                   → stop (never retried)
//	401, source can invalidate, first 401 → refresh
//	not retriable (a mutation, no key)    → stop
//	no retries left                       → stop
//	504 template_timeout on a mutation    → stop (the template may still
//	                                        be working on the first attempt)
//	network error, 429, 502, 503, 504     → retry
//	409 with Retry-After and a key        → retry (an earlier attempt of this
//	                                        very call is still in flight)
//	anything else                         → stop
func (c *Client) decide(ctx context.Context, st *call, resp *http.Response, err error) next {
	var te *tokenError
	switch {
	case ctx.Err() != nil, errors.As(err, &te):
		return stop
	case err == nil && resp.StatusCode == http.StatusUnauthorized:
		if _, ok := c.tokens.(Invalidator); ok && !st.refreshed {
			return refresh
		}
		return stop
	case !st.retriable || st.retries >= c.policy.maxRetries:
		return stop
	case err != nil:
		return retry
	}
	switch resp.StatusCode {
	case http.StatusGatewayTimeout:
		if isMutation(st.method) && errorCode(resp) == codeTemplateTimeout {
			return stop
		}
		return retry
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable:
		return retry
	case http.StatusConflict:
		if resp.Header.Get("Retry-After") != "" && st.idempotencyKey != "" {
			return retry
		}
	}
	return stop
}

// wait is how long to wait before retry number n (1 for the first): the
// server's Retry-After (capped) when given, else exponential backoff.
func (c *Client) wait(n int, resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := retryAfter(resp.Header.Get("Retry-After"), c.clock.Now()); ok {
			return min(d, c.policy.retryAfterCap)
		}
	}
	return backoff(c.policy.minWait, c.policy.maxWait, n-1)
}

// backoff is lo doubled the given number of times, at most hi, with equal
// jitter (half fixed, half random, so waits never collapse to 0).
func backoff(lo, hi time.Duration, doublings int) time.Duration {
	d := lo
	for i := 0; i < doublings && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d/2+1)
}

// codeTemplateTimeout is the error code of a 504 for a factory template
// that did not answer in time. The template may still be working on the
// request, so a mutation is not sent again: a retry would pile another
// call onto a template that hangs.
const codeTemplateTimeout = "template_timeout"

// errorCode is the error.code of an error answer, read without consuming
// the body (what was read is put back in front of the rest); "" when the
// body is not a platform error.
func errorCode(resp *http.Response) string {
	const peek = 64 << 10
	b, err := io.ReadAll(io.LimitReader(resp.Body, peek))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(b), resp.Body), resp.Body}
	if err != nil {
		return ""
	}
	var body struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if json.Unmarshal(b, &body) != nil {
		return ""
	}
	return body.Error.Code
}
