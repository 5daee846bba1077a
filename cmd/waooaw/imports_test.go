package main

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestImports: the CLI is built on the public SDK. Of this module it
// imports the root package, the area packages, auth, the plugin host and
// its test kit (template check) and internal/mockcmd (waooaw mock), never
// the mock server itself or another internal package.
func TestImports(t *testing.T) {
	t.Parallel()
	const mod = "github.com/waooaw/waooaw-go"
	allowed := map[string]bool{
		mod: true, mod + "/auth": true, mod + "/platform": true, mod + "/queues": true,
		mod + "/workflows": true, mod + "/factory": true, mod + "/servicing": true, mod + "/helpdesk": true,
		mod + "/factory/plugin": true, mod + "/factory/plugin/plugintest": true, mod + "/internal/mockcmd": true,
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			if strings.HasPrefix(p, mod) && !allowed[p] {
				t.Errorf("%s imports %s: the CLI uses the public SDK (and internal/mockcmd for waooaw mock) only", f, p)
			}
		}
	}
}
