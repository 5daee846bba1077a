package apitest

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/routers"

	"github.com/waooaw/waooaw-go/internal/apicontract"
	"github.com/waooaw/waooaw-go/mockserver"
)

// Stand-in routes for requests that no documented operation matches, for
// Coverage.Missing: their one documented answer is 404 (openapi.yaml's
// components/responses/NotFound), respectively 405 (MethodNotAllowed).
const (
	UnknownRoute  = "(unknown route)"
	UnknownMethod = "(unknown method)"
)

// Coverage records the answers of one or more servers, to check that a
// walk through the API has seen every documented answer. Safe for
// concurrent use.
type Coverage struct {
	mu   sync.Mutex
	seen map[exchange]bool
}

type exchange struct {
	method, path string
	status       int
}

// NewCoverage returns an empty Coverage.
func NewCoverage() *Coverage { return &Coverage{seen: map[exchange]bool{}} }

// Option records every answer of the server it is given to (pass it to
// Start, or to mockserver.Start).
func (c *Coverage) Option() mockserver.Option {
	return mockserver.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sw := &statusWriter{ResponseWriter: w}
			next.ServeHTTP(sw, r)
			if sw.status == 0 {
				sw.status = http.StatusOK
			}
			method := r.Method
			if method == http.MethodHead {
				method = http.MethodGet
			}
			c.mu.Lock()
			c.seen[exchange{method, r.URL.EscapedPath(), sw.status}] = true
			c.mu.Unlock()
		})
	})
}

// Missing lists the documented answers not seen yet, as
// "METHOD /pattern STATUS" (STATUS as documented: "200", "404", "5XX"),
// sorted, for the given routes ("METHOD /pattern", UnknownRoute or
// UnknownMethod), or for all of them when none is given.
func (c *Coverage) Missing(tb testing.TB, routes ...string) []string {
	tb.Helper()
	ct := mustLoad(tb)

	seen := map[string]bool{}
	c.mu.Lock()
	for ex := range c.seen {
		seen[ct.answerName(ex)] = true
	}
	c.mu.Unlock()

	want := map[string]bool{}
	for _, rt := range routes {
		want[rt] = true
	}
	var missing []string
	for rt, status := range map[string]string{UnknownRoute: "404", UnknownMethod: "405"} {
		if len(routes) > 0 && !want[rt] {
			continue
		}
		delete(want, rt)
		if name := rt + " " + status; !seen[name] {
			missing = append(missing, name)
		}
	}
	for _, d := range []*apicontract.Document{ct.OpenAPI, ct.Mock} {
		for p, item := range d.Doc.Paths.Map() {
			for method, op := range item.Operations() {
				rt := method + " " + p
				if len(routes) > 0 && !want[rt] {
					continue
				}
				delete(want, rt)
				for status := range op.Responses.Map() {
					if name := rt + " " + status; !seen[name] {
						missing = append(missing, name)
					}
				}
			}
		}
	}
	for rt := range want {
		tb.Errorf("apitest: Coverage.Missing: %s is not documented", rt)
	}
	slices.Sort(missing)
	return missing
}

// answerName names a recorded exchange the way Missing does.
func (ct *contract) answerName(ex exchange) string {
	u := &url.URL{Path: ex.path, RawPath: ex.path}
	if p, err := url.PathUnescape(ex.path); err == nil {
		u.Path = p
	}
	r := &http.Request{Method: ex.method, URL: u, Header: http.Header{}}
	route, _, err := ct.Pick(u.Path).Router.FindRoute(r)
	switch {
	case err == routers.ErrPathNotFound:
		return UnknownRoute + " " + strconv.Itoa(ex.status)
	case err == routers.ErrMethodNotAllowed:
		return UnknownMethod + " " + strconv.Itoa(ex.status)
	case err != nil:
		return "(unroutable) " + strconv.Itoa(ex.status)
	}
	status := strconv.Itoa(ex.status)
	if route.Operation.Responses.Value(status) == nil {
		if rng := status[:1] + "XX"; route.Operation.Responses.Value(rng) != nil {
			status = rng
		}
	}
	return route.Method + " " + route.Path + " " + status
}

// statusWriter keeps the status of a response it passes through.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
