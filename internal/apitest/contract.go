// Package apitest checks mock server traffic against the API contract
// (api/openapi.yaml and api/mock.yaml) in tests.
//
// Start is mockserver.Start with a validator in front of the server: every
// response must be documented (route, status, headers, body) and every
// request the server answered 2xx must match its operation (path and query
// parameters, headers, body). Problems are reported with t.Errorf, so a
// suite that uses Start checks the contract as a side effect of its own
// assertions. DocumentedRoutes lists the routes of both files, for the
// served-versus-documented comparison, and Coverage records which documented
// answers a walk has seen.
//
// Only tests import this package; it is where kin-openapi is used.
package apitest

import (
	"context"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/waooaw/waooaw-go/api"
)

// document is one loaded and validated contract file.
type document struct {
	name   string // "openapi.yaml" or "mock.yaml"
	doc    *openapi3.T
	router routers.Router
}

// contract is both files, loaded once per process.
type contract struct {
	openapi *document // /api/, /auth/, /.well-known/ and anything unknown
	mock    *document // /_mock/ and /healthz
}

// loadContract parses, resolves and validates both files once. The result
// is read-only afterwards; it is a cache of the embedded files, not state.
var loadContract = sync.OnceValues(func() (*contract, error) {
	oa, err := loadDocument("openapi.yaml")
	if err != nil {
		return nil, err
	}
	mk, err := loadDocument("mock.yaml")
	if err != nil {
		return nil, err
	}
	c := &contract{openapi: oa, mock: mk}
	// The validator picks the file by path prefix: a path in the wrong file
	// would never be checked.
	for _, d := range []*document{oa, mk} {
		for _, p := range d.doc.Paths.InMatchingOrder() {
			if got := c.pick(p); got != d {
				return nil, fmt.Errorf("apitest: %s documents %s, which belongs in %s", d.name, p, got.name)
			}
		}
	}
	for _, name := range []string{"NotFound", "MethodNotAllowed"} {
		if oa.doc.Components.Responses[name] == nil {
			return nil, fmt.Errorf("apitest: openapi.yaml has no components/responses/%s (the answer to unknown routes and methods)", name)
		}
	}
	return c, nil
})

// loadDocument loads one file of package api, resolving references to the
// other file from the same embedded FS.
func loadDocument(name string) (*document, error) {
	files := api.FS()
	data, err := fs.ReadFile(files, name)
	if err != nil {
		return nil, fmt.Errorf("apitest: %w", err)
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
		return nil, fmt.Errorf("apitest: loading api/%s: %w", name, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("apitest: api/%s is not valid OpenAPI: %w", name, err)
	}
	// Match any host and port (httptest listens on a random one) while
	// keeping the documented servers out of the way.
	doc.Servers = openapi3.Servers{{URL: "/"}}
	for _, item := range doc.Paths.Map() {
		item.Servers = nil
	}
	r, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("apitest: routing api/%s: %w", name, err)
	}
	return &document{name: name, doc: doc, router: r}, nil
}

// pick is the file that documents path p.
func (c *contract) pick(p string) *document {
	if p == "/healthz" || p == "/_mock" || strings.HasPrefix(p, "/_mock/") {
		return c.mock
	}
	return c.openapi
}

// mustLoad is the contract, or a fatal test error.
func mustLoad(tb testing.TB) *contract {
	tb.Helper()
	c, err := loadContract()
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// DocumentedRoutes lists every operation of api/openapi.yaml and
// api/mock.yaml as "METHOD /pattern" (path parameters as {name}, like
// mockserver.Server.Routes), sorted.
func DocumentedRoutes(tb testing.TB) []string {
	tb.Helper()
	c := mustLoad(tb)
	var out []string
	for _, d := range []*document{c.openapi, c.mock} {
		out = append(out, d.routes()...)
	}
	slices.Sort(out)
	return out
}

func (d *document) routes() []string {
	var out []string
	for p, item := range d.doc.Paths.Map() {
		for method := range item.Operations() {
			out = append(out, method+" "+p)
		}
	}
	return out
}
