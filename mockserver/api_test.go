package mockserver_test

import (
	"bytes"
	"flag"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/printer"
	gotoken "go/token"
	"os"
	"strings"
	"testing"
)

var updateAPI = flag.Bool("update-api", false, "rewrite testdata/api.golden from the package's exported API")

// TestPublicAPIUnchanged: the package's exported API (every exported
// constant, variable, function, type with its fields, and method, as
// declared, without comments) is testdata/api.golden. The house moved
// the server into internal packages without changing it; a change to it
// is a change to what users import, made on purpose with -update-api.
func TestPublicAPIUnchanged(t *testing.T) {
	got := exportedAPI(t)
	if *updateAPI {
		if err := os.WriteFile("testdata/api.golden", got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile("testdata/api.golden")
	if err != nil {
		t.Fatalf("%v (go test ./mockserver -run TestPublicAPIUnchanged -update-api writes it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < max(len(gl), len(wl)); i++ {
			g, w := at(gl, i), at(wl, i)
			if g != w {
				t.Fatalf("the exported API changed at line %d:\n  got:  %s\n  want: %s\n(-update-api if on purpose)", i+1, g, w)
			}
		}
	}
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(end)"
}

// exportedAPI prints the exported declarations of the package in this
// directory, in go/doc's order.
func exportedAPI(t *testing.T) []byte {
	t.Helper()
	fset := gotoken.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi os.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, f := range pkgs["mockserver"].Files {
		files = append(files, f)
	}
	p, err := doc.NewFromFiles(fset, files, "github.com/waooaw/waooaw-go/mockserver")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	cfg := printer.Config{Mode: printer.UseSpaces, Tabwidth: 4}
	decl := func(n ast.Node) {
		// Comments (docs included) are not the API: strip them.
		switch d := n.(type) {
		case *ast.GenDecl:
			d.Doc = nil
			for _, s := range d.Specs {
				if ts, ok := s.(*ast.TypeSpec); ok {
					ts.Doc, ts.Comment = nil, nil
					if st, ok := ts.Type.(*ast.StructType); ok {
						for _, f := range st.Fields.List {
							f.Doc, f.Comment = nil, nil
						}
					}
				}
				if vs, ok := s.(*ast.ValueSpec); ok {
					vs.Doc, vs.Comment = nil, nil
				}
			}
		case *ast.FuncDecl:
			d.Doc, d.Body = nil, nil
		}
		cfg.Fprint(&b, fset, n)
		b.WriteString("\n")
	}
	for _, v := range append(p.Consts, p.Vars...) {
		decl(v.Decl)
	}
	for _, f := range p.Funcs {
		decl(f.Decl)
	}
	for _, ty := range p.Types {
		decl(ty.Decl)
		for _, v := range append(ty.Consts, ty.Vars...) {
			decl(v.Decl)
		}
		for _, f := range append(ty.Funcs, ty.Methods...) {
			decl(f.Decl)
		}
	}
	return b.Bytes()
}
