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

	"github.com/hashicorp/go-retryablehttp"
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

// send makes the request (with the extra headers hdr) and returns a 2xx
// response whose body the caller closes; anything else becomes an error.
// A stream asks for text/event-stream and has no per-attempt timeout.
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
	st := &call{retriable: method == http.MethodGet || method == http.MethodHead}
	ctx = context.WithValue(ctx, callKey{}, st)
	req, err := retryablehttp.NewRequestWithContext(ctx, method, u.String(), bytesOrNil(body))
	if err != nil {
		return nil, fmt.Errorf("platform: %s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", "application/json")
	if stream {
		req.Header.Set("Accept", "text/event-stream")
	}
	for k, vs := range hdr {
		req.Header[http.CanonicalHeaderKey(k)] = vs
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if isMutation(method) {
		key := newKey()
		if v, ok := ctx.Value(idemKey{}).(idemValue); ok {
			key = v.key
		}
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
			st.retriable = true
		}
	}
	var resp *http.Response
	if stream {
		resp, err = c.stream.Do(req.Request)
	} else {
		resp, err = c.retry.Do(req)
	}
	attempts := int(st.attempts.Load())
	if err != nil {
		var te *tokenError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("platform: %s %s: %w", method, path, te.err)
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("platform: %s %s: %w", method, path, ctx.Err())
		}
		return nil, fmt.Errorf("platform: %s %s: giving up after %d attempt(s): %w", method, path, attempts, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		if ctx.Err() != nil {
			// Cancelled while the last attempt was answered: the caller
			// asked to stop, so that is the answer.
			return nil, fmt.Errorf("platform: %s %s: %w", method, path, ctx.Err())
		}
		return nil, newError(resp, method, path, attempts, c.clock.Now())
	}
	return resp, nil
}

func bytesOrNil(b []byte) any {
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
