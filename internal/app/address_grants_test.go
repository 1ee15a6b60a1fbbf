package app_test

import (
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

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
		in := worksiteAt("Harbour Clinic", "601")
		in.HasAuthority, in.SignerName, in.SignerEmail = "no", "Lou LINK", "owner@example.net"
		other, err := a.RegisterWorksite(ctx, meta, lead, in)
		if err != nil {
			t.Fatal(err)
		}
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
