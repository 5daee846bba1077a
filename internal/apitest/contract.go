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
// Only tests import this package; the contract is loaded by
// internal/apicontract.
package apitest

import (
	"slices"
	"testing"

	"github.com/waooaw/waooaw-go/internal/apicontract"
)

// contract is the loaded contract, with the checks of this package.
type contract struct{ *apicontract.Contract }

// mustLoad is the contract, or a fatal test error.
func mustLoad(tb testing.TB) *contract {
	tb.Helper()
	c, err := apicontract.Load()
	if err != nil {
		tb.Fatal(err)
	}
	return &contract{c}
}

// DocumentedRoutes lists every operation of api/openapi.yaml and
// api/mock.yaml as "METHOD /pattern" (path parameters as {name}, like
// mockserver.Server.Routes), sorted.
func DocumentedRoutes(tb testing.TB) []string {
	tb.Helper()
	c := mustLoad(tb)
	var out []string
	for _, d := range []*apicontract.Document{c.OpenAPI, c.Mock} {
		out = append(out, d.Routes()...)
	}
	slices.Sort(out)
	return out
}
