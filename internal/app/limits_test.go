package app_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// settableClock makes a's clock a variable the test moves.
func settableClock(a *app.App) *time.Time {
	now := a.Now()
	a.Now = func() time.Time { return now }
	return &now
}

// wantLimit checks that err is a daily-limit refusal at field with msg.
func wantLimit(t *testing.T, err error, field, msg string) {
	t.Helper()
	var le *app.LimitError
	if !errors.As(err, &le) || portal.ErrorCode(err) != portal.ERATELIMIT || portal.ErrorMessage(err) != msg ||
		le.Field != field {
		t.Fatalf("got %v, want a %q limit at field %q", err, msg, field)
	}
}

// addAdmin makes an account a site administrator of a worksite.
func addAdmin(t *testing.T, a *app.App, db *store.DB, ws portal.WorksiteID, acct *portal.Account) {
	t.Helper()
	if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.AddMember(ctx, ws, acct.ID, portal.RoleSiteAdmin, a.Now()) }); err != nil {
		t.Fatal(err)
	}
}

func countAudit(t *testing.T, db *store.DB, ws portal.WorksiteID, action string) int {
	t.Helper()
	evs, err := db.Read().FindAuditEvents(ctx, store.AuditFilter{WorksiteID: int64(ws)})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range evs {
		if e.Action == action {
			n++
		}
	}
	return n
}

func TestApp_InvitationLimits(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		now := settableClock(a)
		lead := person(t, a, "lead.moa", "Lena", "MOA")
		w := approvedWorksite(t, a, lead, worksiteInput("Harbour Clinic"))

		t.Run("PerRecipient", func(t *testing.T) {
			inv, err := a.Invite(ctx, meta, lead, w.ID, "often@example.org")
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if err := a.ResendInvitation(ctx, meta, lead, w.ID, inv.ID, 0); err != nil {
					t.Fatal(err)
				}
			}
			err = a.ResendInvitation(ctx, meta, lead, w.ID, inv.ID, 0)
			wantLimit(t, err, "", "The portal has already emailed often@example.org 3 times today, "+
				"the most it sends to one address in a day; you can send more tomorrow.")
			mustEmails(t, db, "often@example.org", "worksite_invitation", 3)
			if n := countAudit(t, db, w.ID, "worksite.invitation_resent"); n != 2 {
				t.Fatalf("%d resends audited, want 2: the refused one is not", n)
			}

			*now = now.Add(24 * time.Hour) // the next day
			if err := a.ResendInvitation(ctx, meta, lead, w.ID, inv.ID, 0); err != nil {
				t.Fatalf("the next day: %v", err)
			}
			mustEmails(t, db, "often@example.org", "worksite_invitation", 4)
		})

		t.Run("PerPersonAndPerWorksite", func(t *testing.T) {
			*now = now.Add(24 * time.Hour) // a fresh day
			second, third := person(t, a, "second.admin", "Sam", "SECOND"), person(t, a, "third.admin", "Tia", "THIRD")
			addAdmin(t, a, db, w.ID, second)
			addAdmin(t, a, db, w.ID, third)
			invite := func(by *portal.Account, i int) error {
				_, err := a.Invite(ctx, meta, by, w.ID, fmt.Sprintf("%s.%d@example.org", by.Username, i))
				return err
			}
			for i := range app.InvitationsPerPersonPerDay {
				if err := invite(lead, i); err != nil {
					t.Fatalf("invitation %d: %v", i+1, err)
				}
			}
			err := invite(lead, app.InvitationsPerPersonPerDay)
			wantLimit(t, err, "email", "You have sent 50 invitations today; you can send more tomorrow.")
			if got := emailsTo(t, db, "lead.moa.50@example.org"); len(got) != 0 {
				t.Fatalf("%d emails past the limit", len(got))
			}
			// Resends count too.
			invs, err := db.Read().FindWorksiteInvitations(ctx, w.ID)
			if err != nil {
				t.Fatal(err)
			}
			wantLimit(t, a.ResendInvitation(ctx, meta, lead, w.ID, invs[0].ID, 0), "email",
				"You have sent 50 invitations today; you can send more tomorrow.")

			for i := range app.InvitationsPerWorksitePerDay - app.InvitationsPerPersonPerDay {
				if err := invite(second, i); err != nil {
					t.Fatalf("second administrator's invitation %d: %v", i+1, err)
				}
			}
			err = invite(third, 0)
			wantLimit(
				t,
				err,
				"email",
				"100 invitations have been sent for Harbour Clinic today; you can send more tomorrow.",
			)
			if n := countAudit(t, db, w.ID, "worksite.invitation_sent"); n != 1+app.InvitationsPerWorksitePerDay {
				t.Fatalf("%d invitations audited, want %d", n, 1+app.InvitationsPerWorksitePerDay)
			}

			// Another worksite of the third administrator is not held back.
			in := worksiteInput("Other Clinic")
			in.Manual.Unit = "102"
			other := approvedWorksite(t, a, third, in)
			if _, err := a.Invite(ctx, meta, third, other.ID, "fresh@example.org"); err != nil {
				t.Fatal(err)
			}
			// The day ends at midnight in British Columbia, not in UTC.
			pt := portal.Pacific()
			y, m, d := now.In(pt).Date()
			*now = time.Date(y, m, d, 23, 59, 0, 0, pt).UTC()
			wantCode(t, invite(third, 1), portal.ERATELIMIT)
			*now = now.Add(2 * time.Minute)
			if err := invite(third, 1); err != nil {
				t.Fatalf("after midnight in British Columbia: %v", err)
			}
		})
	})
}

func TestApp_RegistrationLimits(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		lead := person(t, a, "lead.moa", "Lena", "MOA")
		at := func(name string, civic int) portal.WorksiteInput {
			in := worksiteInput(name)
			in.Manual.Unit, in.Manual.CivicNumber = "", fmt.Sprint(civic)
			return in
		}

		t.Run("DeclarationRequestsPerRecipient", func(t *testing.T) {
			signed := func(in portal.WorksiteInput) portal.WorksiteInput {
				return signedBy(in, "Dr Sign", "Signer@Example.org")
			}
			others := []*portal.Account{
				lead,
				person(t, a, "other.one", "Olu", "ONE"),
				person(t, a, "other.two", "Oma", "TWO"),
			}
			for i, by := range others {
				if _, err := a.RegisterWorksite(ctx, meta, by, signed(at(fmt.Sprintf("Clinic %d", i), 100+i))); err != nil {
					t.Fatal(err)
				}
			}
			_, err := a.RegisterWorksite(ctx, meta, lead, signed(at("One Too Many", 200)))
			wantLimit(t, err, "", "The portal has already emailed Signer@Example.org 3 times today, "+
				"the most it sends to one address in a day; you can send more tomorrow.")
			mustEmails(t, db, "signer@example.org", "declaration_requested", 3)
			if ws, _ := db.Read().FindWorksites(ctx, store.WorksiteFilter{}); len(ws) != 3 {
				t.Fatalf("%d worksites, want 3: the refused one is not registered", len(ws))
			}
			// The same address cannot be invited either: one limit per address.
			w := approvedWorksite(t, a, lead, at("Signing Clinic", 300))
			_, err = a.Invite(ctx, meta, lead, w.ID, "signer@example.org")
			wantCode(t, err, portal.ERATELIMIT)
		})

		t.Run("PerPerson", func(t *testing.T) {
			p := person(t, a, "busy.moa", "Bea", "BUSY")
			for i := range app.RegistrationsPerPersonPerDay {
				if _, err := a.RegisterWorksite(ctx, meta, p, at(fmt.Sprintf("Busy Clinic %d", i), 400+i)); err != nil {
					t.Fatalf("registration %d: %v", i+1, err)
				}
			}
			_, err := a.RegisterWorksite(ctx, meta, p, at("Busy Clinic Eleven", 500))
			wantLimit(t, err, "name", "You have registered 10 worksites today; you can register more tomorrow.")
			mustEmails(t, db, p.Email, "worksite_registered", app.RegistrationsPerPersonPerDay)
		})
	})
}

// TestApp_DeclinedWorksiteSendsNothing: once the CareConnect team declines a
// worksite, nothing goes out in its name, even from an administrator of its
// organization (who keeps administering it when its memberships end).
func TestApp_DeclinedWorksiteSendsNothing(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		lead := person(t, a, "lead.moa", "Lena", "MOA")
		asker := person(t, a, "asker", "Ari", "ASKER")
		other := person(t, a, "other", "Oz", "OTHER")
		in := worksiteInput("Harbour Clinic")
		in.GroupChoice, in.GroupName = "new", "Harbour Health"
		w, err := a.RegisterWorksite(ctx, meta, lead, in)
		if err != nil {
			t.Fatal(err)
		}
		inv, err := a.Invite(ctx, meta, lead, w.ID, "invitee@example.org")
		if err != nil {
			t.Fatal(err)
		}
		j, err := a.RequestToJoin(ctx, meta, asker, w, "code", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.DecideWorksite(ctx, meta, "officer.one", w.Code, false, "The clinic could not be verified."); err != nil {
			t.Fatal(err)
		}
		closed := "Harbour Clinic was declined by the CareConnect team, so it cannot invite anyone or take in new members."
		before, err := db.Read().FindEmails(ctx, store.EmailFilter{})
		if err != nil {
			t.Fatal(err)
		}

		t.Run("NoInvitation", func(t *testing.T) {
			_, err := a.Invite(ctx, meta, lead, w.ID, "new@example.org")
			wantMessage(t, err, portal.EINVALID, closed)
			mustEmails(t, db, "new@example.org", "worksite_invitation", 0)
		})
		t.Run("NoResend", func(t *testing.T) {
			wantMessage(t, a.ResendInvitation(ctx, meta, lead, w.ID, inv.ID, 0), portal.EINVALID, closed)
			mustEmails(t, db, "invitee@example.org", "worksite_invitation", 1)
		})
		t.Run("NoJoinRequest", func(t *testing.T) {
			_, err := a.RequestToJoin(ctx, meta, other, w, "code", "")
			wantMessage(t, err, portal.EINVALID, closed)
		})
		t.Run("NoJoinApproval", func(t *testing.T) {
			_, err := a.DecideJoinRequest(ctx, meta, lead, j.ID, true, "")
			wantCode(t, err, portal.ECONFLICT)
			if !strings.HasPrefix(
				portal.ErrorMessage(err),
				"This request was already rejected by the CareConnect team on ",
			) {
				t.Fatalf("message %q", portal.ErrorMessage(err))
			}
			if m, err := db.Read().FindMember(ctx, w.ID, asker.ID); err == nil {
				t.Fatalf("membership %+v added at a declined worksite", m)
			}
		})
		after, err := db.Read().FindEmails(ctx, store.EmailFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != len(before) {
			t.Fatalf("%d emails after the decline, want none", len(after)-len(before))
		}
	})
}
