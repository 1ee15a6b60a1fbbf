package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// Exit codes of `portal check`.
const (
	checkClean      = 0 // every invariant holds
	checkViolations = 1 // at least one violation, each printed
	checkFailed     = 2 // the check could not run
)

// exitError ends the command with a given exit code.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// runCheck checks the access policy's invariants (portal.Invariants)
// against the database, the whole audit chain included:
//
//	portal check [flags]
//
// It prints each violation, with the ids involved and a one-line reason,
// and exits 1 when there is any, 0 when there is none and 2 when the check
// could not run. It only reads.
func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	failed := func(err error) error { return &exitError{code: checkFailed, err: err} }
	cfg, logFormat, err := parseConfig("check", args, stderr, getenv)
	if err != nil {
		return failed(err)
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return failed(err)
	}
	defer db.Close()
	a := app.New(db, nil, nil, app.Config{BaseURL: cfg.BaseURL, SupportEmail: cfg.SupportEmail},
		newLogger(stderr, logFormat, cfg.Dev).With("command", "check"))
	s, vs, err := a.NewPolicyCheck().Run(ctx)
	if err != nil {
		return failed(err)
	}
	for _, v := range vs {
		fmt.Fprintln(stdout, v)
	}
	if len(vs) > 0 {
		var broken []string
		counts := portal.CountViolations(vs)
		for _, inv := range portal.Invariants {
			if n := counts[inv.Name]; n > 0 {
				broken = append(broken, fmt.Sprintf("%s (%d)", inv.Name, n))
			}
		}
		return &exitError{code: checkViolations,
			err: fmt.Errorf("policy check FAILED: %d violation(s) of %d invariant(s): %s",
				len(vs), len(broken), strings.Join(broken, ", "))}
	}
	fmt.Fprintf(
		stdout,
		"policy holds: %d invariants checked over %d account(s), %d worksite(s), %d access request(s) and %d audit row(s)\n",
		len(portal.Invariants),
		len(s.Accounts),
		len(s.Worksites),
		len(s.Requests),
		s.AuditRows,
	)
	return nil
}
