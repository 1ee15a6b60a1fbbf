package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	portal "github.com/bcgov-example/careconnect-portal"
)

const prerequisitesUsage = "usage: portal prerequisites record-training --email ADDRESS --on YYYY-MM-DD --by STAFFNAME [flags]"

// runPrerequisites is the CareConnect team's command for prerequisites
// completed outside the portal:
//
//	portal prerequisites record-training --email ADDRESS --on YYYY-MM-DD --by NAME
//
// records that the person using ADDRESS completed the Privacy & Security
// training on that date (B.C. date), through the external course. Only an
// account that confirmed ADDRESS is credited; otherwise the completion waits
// until the owner of the address confirms it.
func runPrerequisites(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] != "record-training" {
		return errors.New(prerequisitesUsage)
	}
	args = args[1:]
	opts, rest, err := commandOptions(args, "email", "on", "by")
	if err != nil {
		return err
	}
	email, on, by := opts["email"], opts["on"], opts["by"]
	if email == "" || on == "" || by == "" {
		return errors.New(prerequisitesUsage)
	}
	p, err := openPortal(ctx, "prerequisites", rest, stderr, getenv)
	if err != nil {
		return err
	}
	defer p.Close()
	rec, err := p.App.RecordExternalTraining(ctx, commandMeta("prerequisites"), by, email, on)
	if err != nil {
		return userError(err)
	}
	if rec.Pending != nil {
		fmt.Fprintf(stdout, "pending: %s is not confirmed by its HxBC account yet, so nobody is credited; "+
			"the %s, version %s, completed on %s, will be credited to whoever confirms the address; recorded by %s\n",
			rec.Pending.Email, portal.TrainingTitle, rec.Pending.Version, on, by)
		return nil
	}
	acct := rec.Account
	fmt.Fprintf(stdout, "recorded: %s (%s, %s) completed the %s, version %s, on %s; recorded by %s\n",
		acct.LegalName(), acct.QualifiedUsername(), acct.Email, portal.TrainingTitle, rec.Completion.Version, on, by)
	return nil
}
