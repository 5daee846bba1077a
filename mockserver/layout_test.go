package mockserver_test

import (
	"go/parser"
	gotoken "go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const internalPath = "github.com/waooaw/waooaw-go/mockserver/internal/"

// mayImport is the house's layout (README, "Layout"): which packages of
// mockserver/internal each one may import. The areas meet only through
// the core: no area imports another, and the core imports none of the
// house. mocktest holds the helpers of the behaviour tests (the _test.go
// files, which this does not read): it may import anything, and no
// package of the house may import it (see testOnly).
var mayImport = map[string][]string{
	"core":      nil,
	"httpapi":   {"core"},
	"authority": {"core", "httpapi"},
	"area":      {"core", "httpapi"},
	"area/*":    {"core", "httpapi", "area"},
	"server":    {"*"},
	".":         {"core", "server"}, // mockserver itself
	"mocktest":  {"*"},
}

// testOnly are the packages only tests may import, whatever mayImport says.
var testOnly = []string{"mocktest"}

// layoutProblems lists the imports of mockserver/internal packages that
// the layout does not allow; imports maps a package ("core", "area/queues",
// "." for mockserver) to the internal packages it imports.
func layoutProblems(imports map[string][]string) []string {
	var out []string
	for pkg, deps := range imports {
		rule, ok := mayImport[pkg]
		if !ok && strings.HasPrefix(pkg, "area/") {
			rule, ok = mayImport["area/*"]
		}
		if !ok {
			out = append(out, pkg+": a package the layout does not know")
			continue
		}
		for _, d := range deps {
			if slices.Contains(testOnly, d) {
				out = append(out, pkg+" imports "+d+", a helper of the tests")
			} else if !slices.Contains(rule, d) && !slices.Contains(rule, "*") {
				out = append(out, pkg+" imports "+d)
			}
		}
	}
	slices.Sort(out)
	return out
}

// internalImports reads the non-test imports of mockserver and of every
// package under mockserver/internal.
func internalImports(t *testing.T) map[string][]string {
	t.Helper()
	dirs := []string{"."}
	err := filepath.WalkDir("internal", func(path string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() && path != "internal" && d.Name() != "testdata" {
			dirs = append(dirs, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	imports := map[string][]string{}
	for _, dir := range dirs {
		pkgs, err := parser.ParseDir(gotoken.NewFileSet(), dir, func(fi os.FileInfo) bool {
			return !strings.HasSuffix(fi.Name(), "_test.go")
		}, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pkgs {
			deps := []string{}
			for _, f := range p.Files {
				for _, im := range f.Imports {
					ip, _ := strconv.Unquote(im.Path.Value)
					if dep, ok := strings.CutPrefix(ip, internalPath); ok && !slices.Contains(deps, dep) {
						deps = append(deps, dep)
					}
				}
			}
			imports[strings.TrimPrefix(filepath.ToSlash(dir), "internal/")] = deps
		}
	}
	return imports
}

func TestLayoutAreasMeetOnlyThroughTheCore(t *testing.T) {
	imports := internalImports(t)
	for _, want := range []string{".", "core", "httpapi", "authority", "area", "area/queues", "server", "mocktest"} {
		if _, ok := imports[want]; !ok {
			t.Fatalf("package %q not found; found %v", want, imports)
		}
	}
	if p := layoutProblems(imports); len(p) > 0 {
		t.Errorf("imports the layout does not allow:\n  %s", strings.Join(p, "\n  "))
	}
	// The check itself: an area importing another, the core importing the
	// HTTP side, and the server (which may import the whole house)
	// importing the tests' helpers, are refused.
	bad := map[string][]string{"area/helpdesk": {"core", "area/agents"}, "core": {"httpapi"}, "server": {"core", "mocktest"}}
	if got, want := layoutProblems(bad), []string{"area/helpdesk imports area/agents", "core imports httpapi", "server imports mocktest, a helper of the tests"}; !slices.Equal(got, want) {
		t.Errorf("layoutProblems(%v) = %q, want %q", bad, got, want)
	}
}
