package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/mail"
	"github.com/bcgov-example/careconnect-portal/internal/passwd"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

func TestPrerequisites_RecordTraining(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, dsn := range storetest.DSNs(t) {
		t.Run(name, func(t *testing.T) {
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			tmpl, err := mail.LoadTemplates()
			if err != nil {
				t.Fatal(err)
			}
			a := app.New(db, passwd.NewTestHasher(), tmpl, app.Config{BaseURL: "https://portal.test"}, nil)
			acct := fixture.Register(t, a, "ezra", "Ezra", "EXTERNAL")
			getenv := func(k string) string {
				switch k {
				case "PORTAL_DB":
					return dsn
				case "PORTAL_DEV":
					return "true"
				}
				return ""
			}
			run := func(args ...string) (string, error) {
				var out, errOut bytes.Buffer
				err := runPrerequisites(ctx, args, &out, &errOut, getenv)
				return out.String(), err
			}

			if _, err := run("record-training", "--email", "ezra@example.ca", "--on", "2026-03-15"); err == nil ||
				!strings.Contains(err.Error(), "usage") {
				t.Fatalf("without --by: %v", err)
			}
			// An address its account has not confirmed credits nobody yet.
			zed := fixture.Register(t, a, "zed", "Zed", "UNCONFIRMED", fixture.AsPharmacist)
			out, err := run("record-training", "--email", "zed@example.ca", "--on", "2026-03-14", "--by", "officer.one")
			if err != nil ||
				!strings.HasPrefix(
					out,
					"pending: zed@example.ca is not confirmed by its HxBC account yet, so nobody is credited",
				) {
				t.Fatalf("unconfirmed address: %q %v", out, err)
			}
			if c, err := db.Read().LatestCompletion(ctx, zed.ID, store.CompletionTraining); !store.IsNotFound(err) {
				t.Fatalf("credited an unconfirmed address: %+v %v", c, err)
			}
			if _, err := run("record-training", "--email", "zed@example.ca", "--on", "2026-03-15", "--by", "officer.two"); err == nil ||
				!strings.Contains(err.Error(), "is already waiting for zed@example.ca to be confirmed") {
				t.Fatalf("twice while pending: %v", err)
			}
			if _, err := a.MarkEmailVerified(ctx, portal.RequestMeta{}, "test", acct.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := run("record-training", "--email", "nobody@example.ca", "--on", "2026-03-15", "--by", "officer.one"); err == nil ||
				err.Error() != "No HxBC account uses the email address nobody@example.ca." {
				t.Fatalf("unknown email: %v", err)
			}
			if _, err := run("record-training", "--email", "ezra@example.ca", "--on", "15/03/2026", "--by", "officer.one"); err == nil ||
				!strings.Contains(err.Error(), "YYYY-MM-DD") {
				t.Fatalf("bad date: %v", err)
			}
			out, err = run(
				"record-training",
				"--email",
				"Ezra@Example.ca",
				"--on",
				"2026-03-15",
				"--by",
				"officer.one",
				"-db",
				dsn,
			)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, "Ezra EXTERNAL") || !strings.Contains(out, portal.TrainingVersion) ||
				!strings.Contains(out, "2026-03-15") {
				t.Fatalf("output %q", out)
			}
			c, err := db.Read().LatestCompletion(ctx, acct.ID, store.CompletionTraining)
			if err != nil {
				t.Fatal(err)
			}
			vancouver, _ := time.LoadLocation("America/Vancouver")
			if c.Source != store.SourceExternal || c.RecordedBy != "officer.one" ||
				c.Version != portal.TrainingVersion ||
				c.CompletedAt.In(vancouver).Format("2006-01-02") != "2026-03-15" {
				t.Fatalf("recorded %+v", c)
			}
			evs, err := db.Read().
				FindAuditEvents(ctx, store.AuditFilter{ActorKind: portal.ActorStaff, ActorID: "officer.one"})
			if err != nil || len(evs) != 2 || evs[0].Action != "prerequisite.training_pending" ||
				evs[1].Action != "prerequisite.training_recorded" ||
				evs[1].IP != "command line" {
				t.Fatalf("audit %+v %v", evs, err)
			}
			if _, err := run("record-training", "--email", "ezra@example.ca", "--on", "2026-03-16", "--by", "officer.two"); err == nil ||
				!strings.Contains(err.Error(), "already completed") {
				t.Fatalf("twice: %v", err)
			}
			if _, err := run("something-else"); err == nil || !strings.Contains(err.Error(), "usage") {
				t.Fatalf("unknown subcommand: %v", err)
			}
		})
	}
}
