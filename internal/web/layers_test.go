package web

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// storeImportAllowed names the web files that may import the store: the
// wiring, if ever it needs to. Handlers and templates see domain types
// (package portal) and the app's own types only.
var storeImportAllowed = map[string]bool{}

// TestLayers_WebDoesNotImportStore keeps the store's rows out of the web
// layer: every database call goes through the app.
func TestLayers_WebDoesNotImportStore(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if path == "github.com/bcgov-example/careconnect-portal/internal/store" && !storeImportAllowed[name] {
				t.Errorf("%s imports %s: reach the database through the app, with domain types", name, path)
			}
		}
	}
	if checked < 10 {
		t.Fatalf("checked %d files, want the whole package", checked)
	}
}
