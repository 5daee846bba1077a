package platform

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

type idemKey struct{}

type idemValue struct{ key string }

// WithIdempotencyKey returns a context whose mutations (POST, PATCH, DELETE)
// carry key as their Idempotency-Key instead of a fresh one. An empty key
// sends none: such a mutation is never retried. Use one key per logical
// operation: the server replays the first answer to a repeated key on the
// same route, and refuses it (422, ErrConflict) with another body. So derive
// the context for that one call, not for a whole batch of calls:
//
//	ctx := platform.WithIdempotencyKey(ctx, "restart-"+ticketID)
//	_, err := pc.Agents.Restart(ctx, id) // safe to repeat after a crash
func WithIdempotencyKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, idemKey{}, idemValue{key})
}

// Path builds an escaped request path from a pattern whose "{}" holes take
// the ids in order, e.g. Path("/api/platform/agents/{}/restart", id).
// Empty ids and the dot segments "." and ".." are refused.
func Path(pattern string, ids ...string) (string, error) {
	var b strings.Builder
	rest := pattern
	for _, id := range ids {
		i := strings.Index(rest, "{}")
		if i < 0 {
			return "", fmt.Errorf("platform: path %q has fewer holes than ids", pattern)
		}
		if id == "" || id == "." || id == ".." {
			return "", fmt.Errorf("platform: %q is not a valid id: %w", id, ErrInvalidArgument)
		}
		b.WriteString(rest[:i])
		b.WriteString(url.PathEscape(id))
		rest = rest[i+2:]
	}
	if strings.Contains(rest, "{}") {
		return "", fmt.Errorf("platform: path %q has more holes than ids", pattern)
	}
	b.WriteString(rest)
	return b.String(), nil
}

// Do performs one logical call: method on path (escaped, from the base URL;
// see Path) with query, sending in as JSON when not nil and decoding a JSON
// answer into out when not nil. Answers outside 2xx become a *Error. Area
// packages build their methods on Do; it is exported for them and for calls
// this SDK does not wrap yet.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	resp, err := c.send(ctx, method, path, query, in, nil, false)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil || resp.StatusCode == http.StatusNoContent {
		io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("platform: %s %s: decoding the answer: %w", method, path, err)
	}
	return nil
}

// call is the state of one logical call, shared by its attempts.
type call struct {
	method, path   string
	retriable      bool   // GET, or a mutation with an Idempotency-Key
	idempotencyKey string // "" when none is sent
	retries        int    // retries made, the one after a refresh excluded
	refreshed      bool   // the token source was invalidated after a 401
	attempts       int
	last           *Error // the last answer that was retried, kept for a deadline
}

// send makes the request (with the extra headers hdr) and returns a 2xx
// response whose body the caller closes; anything else becomes an error.
// It is the one request loop: attempts, the retry decision (see decide),
// waits that end with ctx. A stream asks for text/event-stream, has no
// per-attempt timeout and is tried once (Events reconnects by itself).
func (c *Client) send(ctx context.Context, method, path string, query url.Values, in any, hdr http.Header, stream bool) (*http.Response, error) {
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("platform: path %q must start with /", path)
	}
	u, err := url.Parse(c.base.String() + path)
	if err != nil {
		return nil, fmt.Errorf("platform: path %q: %w", path, err)
	}
	if len(query) > 0 {
		u.RawQuery = query.Encode()
	}
	var body []byte
	if in != nil {
		if body, err = json.Marshal(in); err != nil {
			return nil, fmt.Errorf("platform: %s %s: encoding the request: %w", method, path, err)
		}
	}
	st := &call{method: method, path: path, retriable: method == http.MethodGet || method == http.MethodHead}
	header := http.Header{"Accept": {"application/json"}}
	if stream {
		header.Set("Accept", "text/event-stream")
	}
	for k, vs := range hdr {
		header[http.CanonicalHeaderKey(k)] = vs
	}
	if body != nil {
		header.Set("Content-Type", "application/json")
	}
	if isMutation(method) {
		key := newKey()
		if v, ok := ctx.Value(idemKey{}).(idemValue); ok {
			key = v.key
		}
		if key != "" {
			header.Set("Idempotency-Key", key)
			st.retriable, st.idempotencyKey = true, key
		}
	}
	hc := c.hc
	if stream {
		hc, st.retriable = c.stream, false
	}
	for {
		req, err := http.NewRequestWithContext(ctx, method, u.String(), bytesOrNil(body))
		if err != nil {
			return nil, fmt.Errorf("platform: %s %s: %w", method, path, err)
		}
		req.Header = header.Clone()
		st.attempts++
		resp, err := hc.Do(req)
		switch c.decide(ctx, st, resp, err) {
		case refresh:
			st.refreshed = true
			st.last = newError(resp, method, path, st.attempts, c.clock.Now())
			resp.Body.Close()
			c.tokens.(Invalidator).Invalidate()
			c.logger.Debug("waooaw: token refused, refreshing it", st.logAttrs(resp, nil, 0)...)
			continue
		case retry:
			st.retries++
			wait := c.wait(st.retries, resp)
			if resp != nil {
				st.last = newError(resp, method, path, st.attempts, c.clock.Now())
				resp.Body.Close()
			}
			c.logger.Debug("waooaw: retrying", st.logAttrs(resp, err, wait)...)
			if err := Sleep(ctx, wait); err != nil {
				return nil, st.ctxError(err)
			}
			continue
		}
		return c.finish(ctx, st, resp, err)
	}
}

// finish turns the last attempt into the call's answer: a 2xx response, or
// an error (a *Error for an answer outside 2xx).
func (c *Client) finish(ctx context.Context, st *call, resp *http.Response, err error) (*http.Response, error) {
	if r, ok := ctx.Value(respKey{}).(*Response); ok && r != nil {
		*r = Response{Attempts: st.attempts}
		if resp != nil {
			r.StatusCode, r.Header, r.RequestID = resp.StatusCode, resp.Header, resp.Header.Get("X-Request-Id")
		}
	}
	if err != nil {
		var te *tokenError
		switch {
		case errors.As(err, &te) && st.refreshed && st.last != nil:
			// The source could not replace the token the platform refused:
			// both are the answer (ErrUnauthenticated and the source's error).
			return nil, fmt.Errorf("platform: %s %s: %w; the token was refused: %w", st.method, st.path, te.err, st.last)
		case errors.As(err, &te):
			return nil, fmt.Errorf("platform: %s %s: %w", st.method, st.path, te.err)
		case ctx.Err() != nil:
			return nil, st.ctxError(ctx.Err())
		}
		return nil, fmt.Errorf("platform: %s %s: giving up after %d attempt(s): %w", st.method, st.path, st.attempts, &networkError{err})
	}
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return resp, nil
	}
	defer resp.Body.Close()
	e := newError(resp, st.method, st.path, st.attempts, c.clock.Now())
	if ctx.Err() != nil {
		// Cancelled while the last attempt was answered: the caller asked
		// to stop, so that is the answer, with the server's.
		st.last = e
		return nil, st.ctxError(ctx.Err())
	}
	return nil, e
}

// ctxError is the error of a call whose context ended: it matches the
// context's error and, when an answer was retried, carries it (errors.As
// finds the *Error).
func (st *call) ctxError(err error) error {
	if st.last == nil {
		return fmt.Errorf("platform: %s %s: %w", st.method, st.path, err)
	}
	return fmt.Errorf("platform: %s %s: %w after %d attempt(s); the last answer: %w", st.method, st.path, err, st.attempts, st.last)
}

// logAttrs are the attributes of a debug line about an attempt (never the
// token).
func (st *call) logAttrs(resp *http.Response, err error, wait time.Duration) []any {
	attrs := []any{"method", st.method, "path", st.path, "attempt", st.attempts}
	if resp != nil {
		attrs = append(attrs, "status", resp.StatusCode)
		if id := resp.Header.Get("X-Request-Id"); id != "" {
			attrs = append(attrs, "request_id", id)
		}
	}
	if err != nil {
		attrs = append(attrs, "error", err)
	}
	if wait > 0 {
		attrs = append(attrs, "wait", wait)
	}
	return attrs
}

// networkError is a failure to get any answer: it matches ErrUnavailable.
type networkError struct{ err error }

func (e *networkError) Error() string        { return e.err.Error() }
func (e *networkError) Unwrap() error        { return e.err }
func (e *networkError) Is(target error) bool { return target == ErrUnavailable }

type respKey struct{}

// Response describes the platform's answer to one call: its status,
// headers and request id, and how many attempts the call made.
type Response struct {
	StatusCode int
	Header     http.Header
	RequestID  string // X-Request-Id, to quote when reporting a problem
	Attempts   int
}

// WithResponse returns a context whose call fills r with the platform's
// last answer, on success and on failure alike (StatusCode is 0 when no
// answer came). Scope the context to one call:
//
//	var r platform.Response
//	m, err := c.Platform.Metrics(platform.WithResponse(ctx, &r))
//	fmt.Println(r.RequestID, r.Header.Get("Date"))
func WithResponse(ctx context.Context, r *Response) context.Context {
	return context.WithValue(ctx, respKey{}, r)
}

func bytesOrNil(b []byte) io.Reader {
	if b == nil {
		return nil
	}
	return bytes.NewReader(b)
}

func isMutation(method string) bool {
	return method == http.MethodPost || method == http.MethodPatch ||
		method == http.MethodDelete || method == http.MethodPut
}

// newKey makes a random Idempotency-Key.
func newKey() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
