package app

import (
	"go/ast"
	"sort"
	"testing"
)

// restoreRules are the access rules every way back to approved access must
// check, in the same function as the change: a licence the registry has not
// reported lapsed or suspended, an approved worksite, and for an
// on-behalf-of user a sponsor who qualifies.
var restoreRules = []string{"requireLicence", "requireApprovedWorksite", "requireQualifyingSponsor"}

// TestRestoreGuard_EveryWayBackChecksTheRules finds every function that
// moves an access request to approved from another status
// (store.AccessRequestChange{To: portal.ARApproved}) and fails when it
// does not call each of restoreRules. A licence that lapsed while access
// was suspended as unused, or paused for a leave, came back with the
// person's own confirmation or return date because two such functions
// checked the worksite and the sponsor but not the licence. The team's
// decisions go through decide, whose callers check the rules (their tests
// cover each refusal).
func TestRestoreGuard_EveryWayBackChecksTheRules(t *testing.T) {
	t.Parallel()
	fset, parsed := parseAppSources(t)
	var missing []string
	found := 0
	for _, f := range parsed {
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil || !restoresAccess(fn.Body) {
				continue
			}
			found++
			called := map[string]bool{}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				if c, ok := n.(*ast.CallExpr); ok {
					if sel, ok := c.Fun.(*ast.SelectorExpr); ok {
						called[sel.Sel.Name] = true
					}
				}
				return true
			})
			for _, rule := range restoreRules {
				if !called[rule] {
					missing = append(missing, fset.Position(fn.Pos()).String()+" "+fn.Name.Name+" does not call "+rule)
				}
			}
		}
	}
	if found < 3 {
		t.Fatalf("found %d functions that restore access, want at least 3 (dormancy, leave, review): the guard "+
			"no longer recognises them", found)
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Error(m)
	}
}

// restoresAccess reports whether body builds a store.AccessRequestChange
// to approved from a status other than approved (an approved request
// narrowed to its sponsors' scopes stays approved and restores nothing).
func restoresAccess(body *ast.BlockStmt) bool {
	restores := false
	ast.Inspect(body, func(n ast.Node) bool {
		lit, ok := n.(*ast.CompositeLit)
		if !ok || !isSelector(lit.Type, "store", "AccessRequestChange") {
			return true
		}
		var to, from ast.Expr
		for _, e := range lit.Elts {
			if kv, ok := e.(*ast.KeyValueExpr); ok {
				switch key, _ := kv.Key.(*ast.Ident); {
				case key == nil:
				case key.Name == "To":
					to = kv.Value
				case key.Name == "From":
					from = kv.Value
				}
			}
		}
		if to == nil || !isSelector(to, "portal", "ARApproved") {
			return true
		}
		if fl, ok := from.(*ast.CompositeLit); ok && len(fl.Elts) == 1 && isSelector(fl.Elts[0], "portal", "ARApproved") {
			return true
		}
		restores = true
		return true
	})
	return restores
}

func isSelector(e ast.Expr, pkg, name string) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != name {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == pkg
}
