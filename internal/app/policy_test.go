package app_test

import (
	"reflect"
	"strconv"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

func violationStrings(vs []portal.Violation) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.String())
	}
	return out
}

func TestApp_CheckInvariants(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, olivia, p, r := boClaimed(t, db)
		if _, err := a.ApproveAccessRequest(ctx, meta, olivia, r.ID, portal.ScopesFor(portal.ProfPhysician, "")); err != nil {
			t.Fatal(err)
		}
		exec := func(query string, args ...any) {
			t.Helper()
			if _, err := db.SQL().Exec(store.Rebind(db.Dialect(), query), args...); err != nil {
				t.Fatal(err)
			}
		}
		acct, req := "account "+strconv.FormatInt(int64(p.ID), 10), "access request "+strconv.FormatInt(int64(r.ID), 10)

		t.Run("Lawful", func(t *testing.T) {
			if vs, err := a.CheckInvariants(ctx); err != nil || len(vs) != 0 {
				t.Fatalf("got %v, %v; want no violations", violationStrings(vs), err)
			}
		})
		check := a.NewPolicyCheck()
		s, _, err := check.Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rows := s.AuditRows
		if rows == 0 || len(s.Accounts) != 1 || s.Today != "2026-11-26" {
			t.Fatalf("snapshot: %d audit rows, %d accounts, today %s", rows, len(s.Accounts), s.Today)
		}

		t.Run("EditedByHand", func(t *testing.T) {
			// The physician's membership ends behind the portal's back.
			exec("UPDATE worksite_members SET status = 'decommissioned' WHERE account_id = ?", int64(p.ID))
			vs, err := a.CheckInvariants(ctx)
			want := []string{portal.InvProvisionedApprovedWorksite + ": " + acct + ", " + req +
				": provisioned but an active member of no approved worksite (0 active memberships)"}
			if err != nil || !reflect.DeepEqual(violationStrings(vs), want) {
				t.Fatalf("got %v, %v; want %v", violationStrings(vs), err, want)
			}
			exec("UPDATE worksite_members SET status = 'active' WHERE account_id = ?", int64(p.ID))
		})

		t.Run("IncrementalAudit", func(t *testing.T) {
			// Later runs verify only the rows added since.
			if _, err := a.Person(ctx, meta, olivia, p.ID); err != nil { // audits the view
				t.Fatal(err)
			}
			s, vs, err := check.Run(ctx)
			if err != nil || len(vs) != 0 || s.AuditRows != rows+1 {
				t.Fatalf(
					"second run: %d rows verified (want %d), %v, %v",
					s.AuditRows,
					rows+1,
					violationStrings(vs),
					err,
				)
			}
		})

		t.Run("AuditEdited", func(t *testing.T) {
			exec("UPDATE audit_log SET actor_id = 'someone-else' WHERE seq = 2")
			// The running check verified row 2 already; a full check finds it.
			if _, vs, err := check.Run(ctx); err != nil || len(vs) != 0 {
				t.Fatalf("incremental run: %v, %v", violationStrings(vs), err)
			}
			vs, err := a.CheckInvariants(ctx)
			want := []string{portal.InvAuditChainWhole + ": audit row 2: content does not match its hash (edited)"}
			if err != nil || !reflect.DeepEqual(violationStrings(vs), want) {
				t.Fatalf("got %v, %v; want %v", violationStrings(vs), err, want)
			}
		})

		t.Run("AuditCutShort", func(t *testing.T) {
			var head int64
			if err := db.SQL().QueryRow("SELECT seq FROM audit_head").Scan(&head); err != nil {
				t.Fatal(err)
			}
			exec("DELETE FROM audit_log WHERE seq = ?", head)
			vs, err := a.CheckInvariants(ctx)
			n := strconv.FormatInt(head, 10)
			want := []string{portal.InvAuditChainWhole + ": audit row 2: content does not match its hash (edited)",
				portal.InvAuditChainWhole + ": audit row " + n + ": the trail ends at row " +
					strconv.FormatInt(
						head-1,
						10,
					) + " but its head records row " + n + ": rows were deleted from the end"}
			if err != nil || !reflect.DeepEqual(violationStrings(vs), want) {
				t.Fatalf("got %v, %v; want %v", violationStrings(vs), err, want)
			}
		})
	})
}

// Every grant made on the strength of an email address records how the
// person showed the address was theirs, and the policy snapshot reads it:
// an invitation or a declaration through the emailed link, or to the
// person's own confirmed address; training credit only ever to a
// confirmed address, at once or when its owner confirms it.
func TestApp_GrantsRecordHowTheAddressWasShown(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		lead := person(t, a, "lead.moa", "Lena", "MOA")
		w := approvedWorksite(t, a, lead, worksiteInput("Kingsgate Mall Clinic"))
		lead = confirmed(t, a, lead)
		byLink := person(t, a, "by.link", "Lou", "LINK")
		byAddress := confirmed(t, a, person(t, a, "by.address", "Ada", "ADDRESS"))
		late := person(t, a, "late", "Lee", "LATE")

		// Invitations: one through its link (to an address nobody confirmed),
		// one in the Notification Centre by its confirmed owner.
		toLink, err := a.Invite(ctx, meta, lead, w.ID, "someone.else@example.org")
		if err != nil {
			t.Fatal(err)
		}
		token := emailedToken(t, db, "someone.else@example.org", "worksite_invitation", "/invitations/")
		if _, err := a.RespondToInvitation(ctx, meta, byLink, toLink.ID, token, true); err != nil {
			t.Fatal(err)
		}
		toAddress, err := a.Invite(ctx, meta, lead, w.ID, byAddress.Email)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.RespondToInvitation(ctx, meta, byAddress, toAddress.ID, "", true); err != nil {
			t.Fatal(err)
		}
		// Declarations: the registrant's own (approvedWorksite signs it),
		// and one signed through the link by the person named.
		other := registerWorksite(t, a, lead, signedBy(worksiteAt("Harbour Clinic", "601"), "Lou LINK", "owner@example.net"))
		token = declarationToken(t, db, "owner@example.net")
		if _, err := a.SignDeclaration(ctx, meta, byLink, token, 0, portal.DeclarationInput{FullName: byLink.LegalName(), Agree: true}); err != nil {
			t.Fatal(err)
		}
		// Training: recorded for a confirmed address, and for one confirmed
		// afterwards.
		if _, err := a.RecordExternalTraining(ctx, meta, "Olivia OFFICER", byAddress.Email, "2026-11-20"); err != nil {
			t.Fatal(err)
		}
		if _, err := a.RecordExternalTraining(ctx, meta, "Olivia OFFICER", late.Email, "2026-11-20"); err != nil {
			t.Fatal(err)
		}
		confirmed(t, a, late)

		s, err := db.LoadPolicySnapshot(ctx, a.Now(), "2026-11-26")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, g := range s.Grants {
			if !g.Confirmed {
				t.Errorf("grant %+v is not confirmed", g)
			}
			got[g.Kind+" "+itoa(g.ID)] = g.Via
		}
		trainings := 0
		for _, g := range s.Grants {
			if g.Kind == portal.GrantTraining {
				trainings++
				if g.Via != portal.GrantViaConfirmedAddress || (g.AccountID != byAddress.ID && g.AccountID != late.ID) {
					t.Errorf("training grant %+v", g)
				}
			}
		}
		for key, want := range map[string]string{
			"invitation " + itoa(int64(toLink.ID)):    portal.GrantViaLink,
			"invitation " + itoa(int64(toAddress.ID)): portal.GrantViaConfirmedAddress,
			"declaration " + itoa(int64(w.ID)):        portal.GrantViaConfirmedAddress,
			"declaration " + itoa(int64(other.ID)):    portal.GrantViaLink,
		} {
			if got[key] != want {
				t.Errorf("%s was granted via %q, want %q", key, got[key], want)
			}
		}
		if trainings != 2 || len(s.Grants) != 6 {
			t.Fatalf("grants %+v", s.Grants)
		}
		wantPolicyHolds(t, a, portal.InvGrantsToConfirmedAddresses)
	})
}
