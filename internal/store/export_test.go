package store

import (
	"fmt"
	"os"
	"regexp"
	"sync"
	"testing"
)

// inlinedNumber matches a LIMIT or OFFSET followed by a literal number
// rather than a placeholder. A constant "LIMIT 1" (the one newest row) is a
// single shape and allowed; any other number is a page size or position
// that belongs in a parameter.
var inlinedNumber = regexp.MustCompile(`(?i)\bOFFSET\s+[0-9]|\bLIMIT\s+([02-9]|1[0-9])`)

// InlinedNumber reports whether a statement text carries a LIMIT or OFFSET
// number in its text.
func InlinedNumber(query string) bool { return inlinedNumber.MatchString(query) }

var seen struct {
	sync.Mutex
	all     map[string]bool
	inlined []string
}

// SeenStatements returns every distinct statement text run so far.
func SeenStatements() []string {
	seen.Lock()
	defer seen.Unlock()
	out := make([]string, 0, len(seen.all))
	for q := range seen.all {
		out = append(out, q)
	}
	return out
}

// TestMain records every statement the store's tests run and fails the
// package when any of them had a LIMIT or OFFSET number formatted into it.
func TestMain(m *testing.M) {
	seen.all = map[string]bool{}
	seeStatement = func(query string) {
		seen.Lock()
		defer seen.Unlock()
		if !seen.all[query] {
			seen.all[query] = true
			if inlinedNumber.MatchString(query) {
				seen.inlined = append(seen.inlined, query)
			}
		}
	}
	code := m.Run()
	if len(seen.inlined) > 0 {
		fmt.Fprintln(
			os.Stderr,
			"FAIL: statements with a LIMIT or OFFSET number in their text (bind it as a parameter):",
		)
		for _, q := range seen.inlined {
			fmt.Fprintln(os.Stderr, "  "+q)
		}
		code = 1
	}
	os.Exit(code)
}

// SetBeforeCommit makes every transaction of db that writes change-feed
// events call fn between writing them and COMMIT.
func SetBeforeCommit(db *DB, fn func()) { db.beforeCommit = fn }
