// Package api holds the WAOOAW API contract: openapi.yaml (OpenAPI 3.0.3,
// the platform API the SDK speaks and the mock server serves) and mock.yaml
// (the mock server's test controls under /_mock/ and GET /healthz), embedded
// so that tests and tools can read them without knowing where the module
// sits on disk.
//
// mock.yaml refers to openapi.yaml's shared components (the error body,
// X-Request-Id, …) as "openapi.yaml#/components/…", so load both from one
// place (FS) or resolve that file name to OpenAPI.
//
// The contract test (mockserver/internal/server/contract_test.go, with
// the validator of internal/apitest) checks that every route the mock
// server serves is documented in one of the two files and the reverse,
// and validates the traffic of the test suites against them.
package api

import (
	"embed"
	"io/fs"
)

//go:embed openapi.yaml mock.yaml
var files embed.FS

// OpenAPI returns api/openapi.yaml, the platform API. Each call returns a
// fresh copy that the caller may change.
func OpenAPI() []byte { return read("openapi.yaml") }

// Mock returns api/mock.yaml, the mock server's controls. Each call returns
// a fresh copy that the caller may change.
func Mock() []byte { return read("mock.yaml") }

// FS holds openapi.yaml and mock.yaml at its root, read-only.
func FS() fs.FS { return files }

func read(name string) []byte {
	b, err := files.ReadFile(name)
	if err != nil {
		panic("api: " + err.Error()) // embedded at build time: cannot fail
	}
	return b
}
