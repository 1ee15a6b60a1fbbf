package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"portal"
	"portal/internal/wire"

	"github.com/prometheus/client_golang/prometheus"
)

const prerequisitesUsage = "usage: portal prerequisites record-training --email ADDRESS --on YYYY-MM-DD --by STAFFNAME [flags]"

// runPrerequisites is the CareConnect team's command for prerequisites
// completed outside the portal:
//
//	portal prerequisites record-training --email ADDRESS --on YYYY-MM-DD --by NAME
//
// records that the person using ADDRESS completed the Privacy & Security
// training on that date (B.C. date), through the external course.
func runPrerequisites(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] != "record-training" {
		return errors.New(prerequisitesUsage)
	}
	args = args[1:]
	var email, on, by string
	rest := args[:0:0]
	for i := 0; i < len(args); i++ {
		switch {
		case args[i] == "--email" && i+1 < len(args):
			email, i = args[i+1], i+1
		case args[i] == "--on" && i+1 < len(args):
			on, i = args[i+1], i+1
		case args[i] == "--by" && i+1 < len(args):
			by, i = args[i+1], i+1
		default:
			rest = append(rest, args[i])
		}
	}
	if email == "" || on == "" || by == "" {
		return errors.New(prerequisitesUsage)
	}
	cfg, logFormat, err := parseConfig("prerequisites", rest, stderr, getenv)
	if err != nil {
		return err
	}
	// A one-off command serves no metrics: keep its collectors to itself.
	cfg.Registerer = prometheus.NewRegistry()
	p, err := wire.Build(ctx, cfg, newLogger(stderr, logFormat, cfg.Dev).With("command", "prerequisites"))
	if err != nil {
		return err
	}
	defer p.Close()
	meta := portal.RequestMeta{IP: "command line", UserAgent: "portal prerequisites", RequestID: "cli"}
	acct, c, err := p.App.RecordExternalTraining(ctx, meta, by, email, on)
	if err != nil {
		if portal.ErrorCode(err) != portal.EINTERNAL {
			return errors.New(portal.ErrorMessage(err))
		}
		return err
	}
	fmt.Fprintf(stdout, "recorded: %s (%s, %s) completed the %s, version %s, on %s; recorded by %s\n",
		acct.LegalName(), acct.QualifiedUsername(), acct.Email, portal.TrainingTitle, c.Version, on, by)
	return nil
}
