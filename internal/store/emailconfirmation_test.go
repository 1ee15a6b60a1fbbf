package store_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

// An email that carries a link's token or a code keeps it until it is
// sent (or given up); then only the redacted copy stays stored, unless the
// outbox is the development mailbox.
func TestStore_OutboxForgetsSecretsOnceSent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
		enqueue := func(to string) {
			t.Helper()
			err := db.InTx(ctx, func(tx *store.Tx) error {
				return tx.EnqueueEmail(ctx, &store.Email{MessageID: "<" + to + ">", Kind: "test", To: to, Subject: "s",
					Text: "open /x/SECRET or type 123456", HTML: "<a href=\"/x/SECRET\">123456</a>",
					RedactedText: "open /x/[gone] or type [gone]", RedactedHTML: "<a href=\"/x/[gone]\">[gone]</a>", CreatedAt: now})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		for _, to := range []string{"sent@example.ca", "failed@example.ca", "dev@example.ca", "retry@example.ca"} {
			enqueue(to)
		}
		ob := store.Outbox{DB: db}
		claimed, err := ob.ClaimEmails(ctx, "w1", now, now.Add(time.Minute), 10)
		if err != nil || len(claimed) != 4 || !strings.Contains(claimed[0].Text, "SECRET") {
			t.Fatalf("claimed %+v %v: the worker must send the real email", claimed, err)
		}
		byTo := map[string]int64{}
		for _, m := range claimed {
			byTo[m.To] = m.ID
		}
		if err := ob.MarkEmailSent(ctx, byTo["sent@example.ca"], "w1", now); err != nil {
			t.Fatal(err)
		}
		if err := ob.MarkEmailFailed(ctx, byTo["failed@example.ca"], "w1", now, now, "550 no such user", true); err != nil {
			t.Fatal(err)
		}
		if err := ob.MarkEmailFailed(ctx, byTo["retry@example.ca"], "w1", now, now, "451 later", false); err != nil {
			t.Fatal(err)
		}
		if err := (store.Outbox{DB: db, KeepSecrets: true}).MarkEmailSent(ctx, byTo["dev@example.ca"], "w1", now); err != nil {
			t.Fatal(err)
		}
		for to, secret := range map[string]bool{"sent@example.ca": false, "failed@example.ca": false, "retry@example.ca": true, "dev@example.ca": true} {
			e, err := db.Read().FindEmailByID(ctx, byTo[to])
			if err != nil {
				t.Fatal(err)
			}
			has := strings.Contains(e.Text+e.HTML, "SECRET") || strings.Contains(e.Text+e.HTML, "123456")
			if has != secret {
				t.Errorf("%s (%s): secret kept %v, want %v:\n%s\n%s", to, e.Status, has, secret, e.Text, e.HTML)
			}
			if !secret && (e.Text != "open /x/[gone] or type [gone]" || e.HTML != `<a href="/x/[gone]">[gone]</a>`) {
				t.Errorf("%s: bodies %q %q", to, e.Text, e.HTML)
			}
		}
	})
}

// The email confirmation migration removes the invitation and declaration tokens from emails
// sent before it (the token columns always held hashes).
func TestStore_MigrationScrubsSentTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		tok := strings.Repeat("0123456789abcdef", 4)
		other := strings.Repeat("fedcba9876543210", 4)
		now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
		rows := []struct{ kind, status, text, html string }{
			{"worksite_invitation", "sent", "Open https://p.example/invitations/" + tok + "\nexpires soon",
				`<a href="https://p.example/invitations/` + tok + `">Accept</a> https://p.example/invitations/` + tok},
			{
				"declaration_requested",
				"failed",
				"Sign at https://p.example/declarations/" + tok + " today",
				`<a href="https://p.example/declarations/` + tok + `">Sign</a>`,
			},
			{
				"worksite_invitation",
				"pending",
				"Open https://p.example/invitations/" + other,
				`<a href="https://p.example/invitations/` + other + `">Accept</a>`,
			},
			{"account_created", "sent", "no link " + tok, "<p>no link</p>"},
		}
		var ids []int64
		for i, r := range rows {
			e := &store.Email{
				MessageID: "<m" + strconv.Itoa(i) + ">",
				Kind:      r.kind,
				To:        "x@example.ca",
				Subject:   "s",
				Text:      r.text,
				HTML:      r.html,
				Status:    r.status,
				CreatedAt: now,
			}
			if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.EnqueueEmail(ctx, e) }); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, e.ID)
		}
		rerunMigration(t, db, "email_confirmation", "UPDATE emails")
		want := []struct{ text, html string }{
			{"Open https://p.example/invitations/[removed after sending]\nexpires soon",
				`<a href="https://p.example/invitations/[removed after sending]">Accept</a> https://p.example/invitations/[removed after sending]`},
			{
				"Sign at https://p.example/declarations/[removed after sending] today",
				`<a href="https://p.example/declarations/[removed after sending]">Sign</a>`,
			},
			{rows[2].text, rows[2].html}, // not sent yet: it still needs its link
			{rows[3].text, rows[3].html}, // another kind of email
		}
		for i, id := range ids {
			e, _ := db.Read().FindEmailByID(ctx, id)
			if e.Text != want[i].text || e.HTML != want[i].html {
				t.Errorf("row %d: got\n%q\n%q\nwant\n%q\n%q", i, e.Text, e.HTML, want[i].text, want[i].html)
			}
		}
	})
}

func TestStore_EmailConfirmations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
		a := &portal.Account{
			Issuer:            "i",
			Subject:           "s",
			GivenNames:        "Dalia",
			Surname:           "EIGHTEEN",
			Profession:        portal.ProfPhysician,
			Email:             "Dalia@Example.ca",
			Phone:             "+17788889999",
			Username:          "dalia",
			PasswordHash:      "x",
			Status:            portal.AccountActive,
			PasswordChangedAt: now,
			CreatedAt:         now,
			UpdatedAt:         now,
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.CreateAccount(ctx, a) }); err != nil {
			t.Fatal(err)
		}
		mk := func(hash string) *portal.EmailConfirmation {
			c := &portal.EmailConfirmation{
				AccountID: a.ID,
				Email:     a.Email,
				TokenHash: hash,
				CodeHash:  "c" + hash,
				CreatedAt: now,
				ExpiresAt: now.Add(time.Hour),
			}
			if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.CreateEmailConfirmation(ctx, c) }); err != nil {
				t.Fatal(err)
			}
			return c
		}
		first := mk("h1")
		second := mk("h2")
		if _, err := db.Read().FindEmailConfirmationByToken(ctx, "h1"); !store.IsNotFound(err) {
			t.Fatalf("a newer confirmation did not replace the older: %v", err)
		}
		got, err := db.Read().LatestEmailConfirmation(ctx, a.ID)
		if err != nil || got.ID != second.ID || got.ID == first.ID || got.CodeHash != "ch2" ||
			!got.ExpiresAt.Equal(now.Add(time.Hour)) {
			t.Fatalf("latest %+v %v", got, err)
		}
		err = db.InTx(ctx, func(tx *store.Tx) error {
			if ok, err := tx.UseEmailConfirmation(ctx, second.ID, now); err != nil || !ok {
				t.Fatalf("use: %v %v", ok, err)
			}
			if ok, _ := tx.UseEmailConfirmation(ctx, second.ID, now); ok {
				t.Fatal("used twice")
			}
			if ok, err := tx.SetEmailVerified(ctx, a.ID, "dalia@example.CA", now); err != nil || !ok {
				t.Fatalf("verify: %v %v", ok, err)
			}
			if ok, _ := tx.SetEmailVerified(ctx, a.ID, "someone@example.ca", now); ok {
				t.Fatal("verified another address")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		acct, _ := db.Read().FindAccountByID(ctx, a.ID)
		if !acct.EmailVerifiedAt.Equal(now) {
			t.Fatalf("verified at %v", acct.EmailVerifiedAt)
		}
		// Another case of the address keeps the confirmation; another address loses it.
		for _, tc := range []struct {
			email string
			want  bool
		}{{"DALIA@example.ca", true}, {"dalia@new.example", false}} {
			acct.Email = tc.email
			if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.UpdateAccountContact(ctx, acct) }); err != nil {
				t.Fatal(err)
			}
			got, _ := db.Read().FindAccountByID(ctx, a.ID)
			if got.EmailConfirmed() != tc.want {
				t.Fatalf("after changing to %s: confirmed %v, want %v", tc.email, got.EmailConfirmed(), tc.want)
			}
		}
	})
}
