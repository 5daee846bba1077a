package apitest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/waooaw/waooaw-go/internal/apicontract"
	"github.com/waooaw/waooaw-go/mockserver"
)

// maxCapture is how much of a response body the validator keeps; a longer
// body is passed through whole but only its status and headers are checked.
const maxCapture = 8 << 20

// maxMessage caps one reported problem (kin-openapi quotes whole values).
const maxMessage = 4000

// Start is mockserver.Start with the contract validator in front of the
// server (outermost, after opts' own middleware): every answer of the
// server, through its listener or its Transport, is checked against
// api/openapi.yaml or api/mock.yaml, and so is every request it answered
// 2xx. Each problem is reported with tb.Errorf naming the method, path,
// status and request id, with kin-openapi's message.
func Start(tb testing.TB, opts ...mockserver.Option) *mockserver.TestServer {
	tb.Helper()
	c := mustLoad(tb)
	opts = append(opts[:len(opts):len(opts)], mockserver.WithMiddleware(c.validator(tb)))
	return mockserver.Start(tb, opts...)
}

// validator is the middleware that checks each exchange after the server
// has answered it. It never stops the test from the handler's goroutine.
func (c *contract) validator(tb testing.TB) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var body []byte
			if r.Body != nil && r.Body != http.NoBody {
				var err error
				body, err = io.ReadAll(r.Body)
				r.Body.Close()
				if err != nil {
					tb.Errorf("apitest: %s %s: reading the request body: %v", r.Method, r.URL.RequestURI(), err)
				}
				if len(body) == 0 {
					r.Body = http.NoBody
				} else {
					r.Body = io.NopCloser(bytes.NewReader(body))
				}
			}
			cw := &captureWriter{ResponseWriter: w}
			next.ServeHTTP(cw, r)
			cw.finish()
			rid := cw.header.Get("X-Request-Id")
			if rid == "" {
				rid = "without an id"
			}
			for _, p := range c.check(r, body, cw) {
				if len(p) > maxMessage {
					p = p[:maxMessage] + " …"
				}
				tb.Errorf("apitest: %s %s → %d (request %s): %s", r.Method, r.URL.RequestURI(), cw.status, rid, p)
			}
		})
	}
}

// check validates one exchange and returns its problems.
func (c *contract) check(r *http.Request, reqBody []byte, res *captureWriter) []string {
	d := c.Pick(r.URL.Path)
	ctx := context.Background()

	// The request as the validator sees it: HEAD is a GET without a body,
	// and a body without Content-Type is JSON (the wire's rule).
	rr := r.Clone(ctx)
	rr.Body = io.NopCloser(bytes.NewReader(reqBody))
	rr.ContentLength = int64(len(reqBody))
	head := r.Method == http.MethodHead
	if head {
		rr.Method = http.MethodGet
	}
	if len(reqBody) > 0 && rr.Header.Get("Content-Type") == "" {
		rr.Header.Set("Content-Type", "application/json")
	}

	route, params, err := d.Router.FindRoute(rr)
	routed := err == nil
	switch {
	case err == routers.ErrPathNotFound:
		if res.status != http.StatusNotFound {
			return []string{fmt.Sprintf("the route is not documented in %s (the server answered %d, not 404)", d.Name, res.status)}
		}
		route = c.answerRoute(rr, http.StatusNotFound, "NotFound")
	case err == routers.ErrMethodNotAllowed:
		if res.status != http.StatusMethodNotAllowed {
			return []string{fmt.Sprintf("the method is not documented on this path in %s (the server answered %d, not 405)", d.Name, res.status)}
		}
		route = c.answerRoute(rr, http.StatusMethodNotAllowed, "MethodNotAllowed")
	case err != nil:
		return []string{fmt.Sprintf("routing in %s: %v", d.Name, err)}
	}

	var problems []string
	in := &openapi3filter.RequestValidationInput{
		Request:    rr,
		PathParams: params,
		Route:      route,
		Options:    apicontract.RequestOptions(),
	}
	respOpts := &openapi3filter.Options{IncludeResponseStatus: true}
	if head || res.overflow || isStream(res.header) {
		respOpts.ExcludeResponseBody = true
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 res.status,
		Header:                 res.header,
		Options:                respOpts,
	}
	out.SetBodyBytes(res.body.Bytes())
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		problems = append(problems, fmt.Sprintf("the response does not match %s: %v", d.Name, err))
	} else if doc := route.Operation.Responses.Status(res.status); doc != nil && doc.Value != nil &&
		len(doc.Value.Content) == 0 && res.body.Len() > 0 {
		problems = append(problems, fmt.Sprintf("the response has a body but %s documents none for %d", d.Name, res.status))
	}

	if routed && res.status >= 200 && res.status < 300 {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			problems = append(problems, fmt.Sprintf("the server answered %d to a request that does not match %s: %v", res.status, d.Name, err))
		}
	}
	return problems
}

// answerRoute is a stand-in operation for a request no operation matches:
// its only documented answer is the shared response name of openapi.yaml.
func (c *contract) answerRoute(r *http.Request, status int, name string) *routers.Route {
	doc := c.OpenAPI.Doc
	return &routers.Route{
		Spec:      doc,
		Path:      r.URL.Path,
		PathItem:  &openapi3.PathItem{},
		Method:    r.Method,
		Operation: &openapi3.Operation{Responses: openapi3.NewResponses(openapi3.WithStatus(status, doc.Components.Responses[name]))},
	}
}

func isStream(h http.Header) bool {
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	return mt == "text/event-stream"
}

// captureWriter passes a response through and keeps its status, its
// headers as sent and (up to maxCapture) its body. Streams keep flushing.
type captureWriter struct {
	http.ResponseWriter
	status   int
	header   http.Header
	body     bytes.Buffer
	overflow bool
}

func (w *captureWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
		w.header = w.ResponseWriter.Header().Clone()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *captureWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if !w.overflow {
		if w.body.Len()+len(b) > maxCapture {
			w.overflow = true
		} else {
			w.body.Write(b)
		}
	}
	return w.ResponseWriter.Write(b)
}

func (w *captureWriter) Flush() {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *captureWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// finish records an answer the handler never wrote (net/http sends 200).
func (w *captureWriter) finish() {
	if w.status == 0 {
		w.status = http.StatusOK
		w.header = w.ResponseWriter.Header().Clone()
	}
}
