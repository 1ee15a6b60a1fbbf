package app

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// storeInAPIAllowed names the exported parts of the app that may mention a
// store type: the wiring that builds the App on a database.
var storeInAPIAllowed = map[string]bool{
	"App.DB":          true, // the database the use cases run on
	"New":             true, // built on it
	"MinAddressQuery": true, // an untyped constant
}

// TestLayers_APIReturnsDomainTypes keeps the app's public API, which the web
// layer and its templates see, free of store rows and filters: its
// exported functions, methods and types name domain types (package portal)
// or the app's own.
func TestLayers_APIReturnsDomainTypes(t *testing.T) {
	t.Parallel()
	fset, parsed := parseAppSources(t)
	var found []string
	checked := 0
	for _, f := range parsed {
		checked++
		storeName := ""
		for _, imp := range f.Imports {
			if path, _ := strconv.Unquote(imp.Path.Value); path == "github.com/bcgov-example/careconnect-portal/internal/store" {
				storeName = "store"
				if imp.Name != nil {
					storeName = imp.Name.Name
				}
			}
		}
		if storeName == "" {
			continue
		}
		report := func(what string, n ast.Node) {
			if n == nil || storeInAPIAllowed[what] || !mentions(n, storeName) {
				return
			}
			found = append(found, fset.Position(n.Pos()).String()+": "+what)
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() {
					continue
				}
				what := d.Name.Name
				if d.Recv != nil {
					recv := receiverName(d.Recv.List[0].Type)
					if !ast.IsExported(recv) {
						continue
					}
					what = recv + "." + what
				}
				report(what, d.Type)
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.TypeSpec:
						if !s.Name.IsExported() {
							continue
						}
						st, ok := s.Type.(*ast.StructType)
						if !ok {
							report(s.Name.Name, s.Type)
							continue
						}
						for _, field := range st.Fields.List {
							if len(field.Names) == 0 {
								report(s.Name.Name+" (embedded)", field.Type)
							}
							for _, n := range field.Names {
								if n.IsExported() {
									report(s.Name.Name+"."+n.Name, field.Type)
								}
							}
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() {
								report(n.Name, s.Type)
							}
						}
					}
				}
			}
		}
	}
	if checked < 10 {
		t.Fatalf("checked %d files, want the whole package", checked)
	}
	sort.Strings(found)
	for _, f := range found {
		t.Errorf(
			"%s names a store type: define it in package portal (or as the app's own) and convert at the app's edge",
			f,
		)
	}
}

// mentions reports whether n refers to the package imported as pkg.
func mentions(n ast.Node, pkg string) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == pkg {
				found = true
			}
		}
		return !found
	})
	return found
}

// receiverName is the type name of a method's receiver: App for (a *App).
func receiverName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.StarExpr:
		return receiverName(x.X)
	case *ast.IndexExpr:
		return receiverName(x.X)
	case *ast.Ident:
		return x.Name
	}
	return ""
}

// parseAppSources parses the package's non-test files, for the guards that
// read its source.
func parseAppSources(t *testing.T) (*token.FileSet, []*ast.File) {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var out []*ast.File
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
	return fset, out
}
