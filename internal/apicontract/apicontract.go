// Package apicontract loads the API contract (api/openapi.yaml and
// api/mock.yaml) for checking traffic against it: internal/apitest checks
// the mock server's answers in tests, and the mock server checks its
// clients' requests when asked (mockserver.WithRequestValidation). It is
// where kin-openapi is used.
package apicontract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/waooaw/waooaw-go/api"
)

// Document is one loaded and validated contract file.
type Document struct {
	Name   string // "openapi.yaml" or "mock.yaml"
	Doc    *openapi3.T
	Router routers.Router
}

// Contract is both files.
type Contract struct {
	OpenAPI *Document // /api/, /auth/, /.well-known/ and anything unknown
	Mock    *Document // /_mock/ and /healthz
}

// Load parses, resolves and validates both files, once per process. The
// result is read-only: a cache of the embedded files, not state.
var Load = sync.OnceValues(func() (*Contract, error) {
	oa, err := loadDocument("openapi.yaml")
	if err != nil {
		return nil, err
	}
	mk, err := loadDocument("mock.yaml")
	if err != nil {
		return nil, err
	}
	c := &Contract{OpenAPI: oa, Mock: mk}
	// Traffic is checked against the file its path prefix picks: a path in
	// the wrong file would never be checked.
	for _, d := range []*Document{oa, mk} {
		for _, p := range d.Doc.Paths.InMatchingOrder() {
			if got := c.Pick(p); got != d {
				return nil, fmt.Errorf("apicontract: %s documents %s, which belongs in %s", d.Name, p, got.Name)
			}
		}
	}
	for _, name := range []string{"NotFound", "MethodNotAllowed"} {
		if oa.Doc.Components.Responses[name] == nil {
			return nil, fmt.Errorf("apicontract: openapi.yaml has no components/responses/%s (the answer to unknown routes and methods)", name)
		}
	}
	return c, nil
})

// loadDocument loads one file of package api, resolving references to the
// other file from the same embedded FS.
func loadDocument(name string) (*Document, error) {
	files := api.FS()
	data, err := fs.ReadFile(files, name)
	if err != nil {
		return nil, fmt.Errorf("apicontract: %w", err)
	}
	l := openapi3.NewLoader()
	l.IsExternalRefsAllowed = true
	l.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
		// Only the two embedded files: never the disk or the network.
		if u.Scheme != "" || u.Host != "" {
			return nil, fmt.Errorf("reference to %s: only openapi.yaml and mock.yaml may be referenced", u)
		}
		return fs.ReadFile(files, path.Clean(strings.TrimPrefix(u.Path, "/")))
	}
	doc, err := l.LoadFromDataWithPath(data, &url.URL{Path: name})
	if err != nil {
		return nil, fmt.Errorf("apicontract: loading api/%s: %w", name, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("apicontract: api/%s is not valid OpenAPI: %w", name, err)
	}
	// Match any host and port (httptest listens on a random one) while
	// keeping the documented servers out of the way.
	doc.Servers = openapi3.Servers{{URL: "/"}}
	for _, item := range doc.Paths.Map() {
		item.Servers = nil
	}
	r, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("apicontract: routing api/%s: %w", name, err)
	}
	return &Document{Name: name, Doc: doc, Router: r}, nil
}

// Pick is the file that documents path p.
func (c *Contract) Pick(p string) *Document {
	if p == "/healthz" || p == "/_mock" || strings.HasPrefix(p, "/_mock/") {
		return c.Mock
	}
	return c.OpenAPI
}

// Routes lists the document's operations as "METHOD /pattern".
func (d *Document) Routes() []string {
	var out []string
	for p, item := range d.Doc.Paths.Map() {
		for method := range item.Operations() {
			out = append(out, method+" "+p)
		}
	}
	return out
}

// RequestOptions are the options requests are validated with: a body the
// operation does not take is refused, defaults are not filled in, and a
// bearer scheme asks only that a bearer token is there (the server checks
// it).
func RequestOptions() *openapi3filter.Options {
	return &openapi3filter.Options{
		RejectWhenRequestBodyNotSpecified: true,
		SkipSettingDefaults:               true,
		AuthenticationFunc: func(_ context.Context, ai *openapi3filter.AuthenticationInput) error {
			s := ai.SecurityScheme
			if s == nil || s.Type != "http" || !strings.EqualFold(s.Scheme, "bearer") {
				return fmt.Errorf("apicontract: security scheme %q is not supported by the validator", ai.SecuritySchemeName)
			}
			scheme, tok, _ := strings.Cut(ai.RequestValidationInput.Request.Header.Get("Authorization"), " ")
			if !strings.EqualFold(scheme, "Bearer") || tok == "" {
				return errors.New("no bearer token in Authorization")
			}
			return nil
		},
	}
}

// Violation is a request that the contract does not allow.
type Violation struct {
	// Field names what is wrong as the platform's error details do:
	// "body.agent_name", "query.page_size", "header.Idempotency-Key".
	Field string
	// Issue says what is wrong with it.
	Issue string
}

func (v *Violation) Error() string { return v.Field + ": " + v.Issue }

// CheckRequest checks r, whose body is body, against the operation of
// openapi.yaml that it is for. It returns nil when the contract allows it
// or documents no such route (the server answers those 404 or 405
// itself).
func (c *Contract) CheckRequest(r *http.Request, body []byte) *Violation {
	d := c.OpenAPI
	ctx := context.Background()
	rr := r.Clone(ctx)
	rr.Body = io.NopCloser(bytes.NewReader(body))
	rr.ContentLength = int64(len(body))
	if r.Method == http.MethodHead {
		rr.Method = http.MethodGet
	}
	if len(body) > 0 && rr.Header.Get("Content-Type") == "" {
		rr.Header.Set("Content-Type", "application/json") // the wire's rule
	}
	route, params, err := d.Router.FindRoute(rr)
	if err != nil {
		return nil
	}
	err = openapi3filter.ValidateRequest(ctx, &openapi3filter.RequestValidationInput{
		Request: rr, PathParams: params, Route: route, Options: RequestOptions(),
	})
	if err == nil {
		return nil
	}
	return violation(err)
}

// violation turns kin-openapi's error into a field and an issue.
func violation(err error) *Violation {
	var re *openapi3filter.RequestError
	var se *openapi3.SchemaError
	var sec *openapi3filter.SecurityRequirementsError
	v := &Violation{Field: "request", Issue: err.Error()}
	switch {
	case errors.As(err, &sec):
		v.Field, v.Issue = "header.Authorization", "a bearer token is required"
		return v
	case errors.As(err, &re):
		switch {
		case re.Parameter != nil:
			v.Field = re.Parameter.In + "." + re.Parameter.Name
		case re.RequestBody != nil:
			v.Field = "body"
		}
		v.Issue = re.Reason
		if v.Issue == "" && re.Err != nil {
			v.Issue = re.Err.Error()
		}
	}
	if errors.As(err, &se) {
		if ptr := se.JSONPointer(); len(ptr) > 0 && v.Field == "body" {
			v.Field = "body." + strings.Join(ptr, ".")
		}
		v.Issue = se.Reason
	}
	if len(v.Issue) > 300 {
		v.Issue = v.Issue[:300] + "…"
	}
	return v
}
