package store_test

import (
	"reflect"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

func TestStore_LoadPolicySnapshot(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		doc := mustSponsorAccount(t, db, "doc", portal.ProfPhysician, "", false)
		moa := mustSponsorAccount(t, db, "moa", portal.ProfMOA, "", false)
		rn := mustSponsorAccount(t, db, "rn", portal.ProfNurse, portal.LicenceRN, false)
		approved := mustSponsorWorksite(t, db, "Clinic", "101", portal.WorksiteApproved, doc, moa)
		declined := mustSponsorWorksite(t, db, "Elsewhere", "102", portal.WorksiteDeclined, rn)
		// The physician was provisioned, suspended and reinstated; an update
		// since then is not an access event.
		r := fixture.Provision(t, db, doc, sponsorNow, "demographics,encounters", approved)
		sp := &portal.Sponsorship{
			OBOAccountID:        moa.ID,
			AuthorizerAccountID: doc.ID,
			WorksiteID:          approved.ID,
			CreatedAt:           sponsorNow,
		}
		inv := &portal.Invitation{
			WorksiteID: approved.ID,
			Email:      "RN@example.ca",
			InvitedBy:  doc.ID,
			CreatedAt:  sponsorNow,
			ExpiresAt:  sponsorNow.Add(portal.InvitationLifetime),
		}
		open := &portal.Invitation{
			WorksiteID: declined.ID,
			Email:      "someone@example.ca",
			InvitedBy:  rn.ID,
			CreatedAt:  sponsorNow,
			ExpiresAt:  sponsorNow.Add(portal.InvitationLifetime),
		}
		j := &portal.JoinRequest{WorksiteID: declined.ID, AccountID: moa.ID, Via: "code", CreatedAt: sponsorNow}
		err := db.InTx(ctx, func(tx *store.Tx) error {
			for _, typ := range []string{portal.FeedUserSuspended, portal.FeedUserReinstated, "user.updated"} {
				if err := tx.AppendProvisioningEvent(ctx, doc.ID, typ, "{}", sponsorNow); err != nil {
					return err
				}
			}
			if err := tx.CreateSponsorship(ctx, sp); err != nil {
				return err
			}
			if _, err := tx.DecideSponsorship(ctx, sp.ID, true, "", sponsorNow); err != nil {
				return err
			}
			if err := tx.SetMemberRole(ctx, approved.ID, doc.ID, portal.RoleSiteAdmin); err != nil {
				return err
			}
			if err := tx.CreateInvitation(ctx, inv, "hash-1"); err != nil {
				return err
			}
			if _, err := tx.DecideInvitation(ctx, inv.ID, portal.RequestApproved, rn.ID, portal.GrantViaLink, sponsorNow); err != nil {
				return err
			}
			if err := tx.CreateInvitation(ctx, open, "hash-2"); err != nil {
				return err
			}
			if err := tx.CreateJoinRequest(ctx, j); err != nil {
				return err
			}
			if err := tx.SignDeclaration(ctx, approved.ID, doc.ID, portal.DeclarationVersion, "", sponsorNow); err != nil {
				return err
			}
			if _, err := tx.CreateGroup(ctx, "Group", rn.ID, sponsorNow); err != nil {
				return err
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []*store.Completion{
			{AccountID: doc.ID, Kind: store.CompletionTraining, Version: "2026.1", CompletedAt: sponsorNow, Source: store.SourceExternal, RecordedBy: "x",
				CreditedVia: portal.GrantViaConfirmedAddress},
			{AccountID: doc.ID, Kind: store.CompletionHPCAA, Version: "2026.1", CompletedAt: sponsorNow, Source: store.SourcePortal},
		} {
			mustRecordCompletion(t, db, c)
		}

		s, err := db.LoadPolicySnapshot(ctx, sponsorNow, "2026-11-26")
		if err != nil {
			t.Fatal(err)
		}
		if s.Today != "2026-11-26" || !s.Now.Equal(sponsorNow) || len(s.Accounts) != 3 || s.Accounts[0].ID != doc.ID ||
			s.Accounts[1].Profession != portal.ProfMOA || s.Accounts[2].NurseLicence != portal.LicenceRN || s.Accounts[2].Email != "rn@example.ca" {
			t.Fatalf("accounts %+v", s.Accounts)
		}
		if len(s.Requests) != 1 || s.Requests[0].ID != r.ID || s.Requests[0].Status != portal.ARApproved ||
			!s.Requests[0].CreatedAt.Equal(sponsorNow) ||
			!reflect.DeepEqual(s.Requests[0].GrantedScopes, []portal.DataScope{portal.ScopeDemographics, portal.ScopeEncounters}) {
			t.Fatalf("requests %+v", s.Requests[0])
		}
		if want := []portal.PrerequisiteCompletion{
			{AccountID: doc.ID, Prerequisite: portal.PrereqTraining, Version: "2026.1"},
			{AccountID: doc.ID, Prerequisite: portal.PrereqHPCAA, Version: "2026.1"},
		}; !reflect.DeepEqual(s.Completions, want) {
			t.Fatalf("completions %+v", s.Completions)
		}
		if len(s.Worksites) != 2 || s.Worksites[0].Status != portal.WorksiteApproved ||
			s.Worksites[1].Status != portal.WorksiteDeclined ||
			s.Worksites[0].Code != approved.Code {
			t.Fatalf("worksites %+v %+v", s.Worksites[0], s.Worksites[1])
		}
		var members []string
		for _, m := range s.Memberships {
			members = append(members, ref(int64(m.WorksiteID))+":"+ref(int64(m.AccountID))+":"+m.Role+":"+m.Status)
		}
		if want := []string{
			ref(int64(approved.ID)) + ":" + ref(int64(doc.ID)) + ":site_admin:active",
			ref(int64(approved.ID)) + ":" + ref(int64(moa.ID)) + ":member:active",
			ref(int64(declined.ID)) + ":" + ref(int64(rn.ID)) + ":member:active",
		}; !reflect.DeepEqual(members, want) {
			t.Fatalf("memberships %v, want %v", members, want)
		}
		if len(s.GroupAdmins) != 1 || s.GroupAdmins[0].AccountID != rn.ID {
			t.Fatalf("group admins %+v", s.GroupAdmins)
		}
		if len(s.Sponsorships) != 1 || s.Sponsorships[0].Status != portal.SponsorActive ||
			s.Sponsorships[0].AuthorizerAccountID != doc.ID {
			t.Fatalf("sponsorships %+v", s.Sponsorships)
		}
		if len(s.Invitations) != 2 || s.Invitations[1].Status != portal.RequestPending ||
			!s.Invitations[1].ExpiresAt.Equal(open.ExpiresAt) {
			t.Fatalf("invitations %+v", s.Invitations)
		}
		if len(s.JoinRequests) != 1 || s.JoinRequests[0].AccountID != moa.ID ||
			s.JoinRequests[0].Status != portal.RequestPending {
			t.Fatalf("join requests %+v", s.JoinRequests)
		}
		if len(s.Feed) != 1 || s.Feed[0].AccountID != doc.ID || s.Feed[0].Event != portal.FeedUserReinstated {
			t.Fatalf("feed %+v", s.Feed)
		}
		// Each grant as recorded: the training credited to a confirmed
		// address, the invitation taken up through its link, and the
		// declaration signed without saying how.
		if want := []portal.AddressGrant{
			{Kind: portal.GrantTraining, ID: 1, AccountID: doc.ID, Address: "doc@example.ca", Via: portal.GrantViaConfirmedAddress, Confirmed: true},
			{Kind: portal.GrantDeclaration, ID: int64(approved.ID), AccountID: doc.ID, Address: approved.SignerEmail},
			{Kind: portal.GrantInvitation, ID: int64(inv.ID), AccountID: rn.ID, Address: "RN@example.ca", Via: portal.GrantViaLink, Confirmed: true},
		}; !reflect.DeepEqual(s.Grants, want) {
			t.Fatalf("grants\n%+v\nwant\n%+v", s.Grants, want)
		}
		// The invariants see what was built: at the declined worksite, a
		// member without an administrator, an open invitation and a request
		// to join; the declaration signed without a record of how; the
		// provisioned physician breaks nothing.
		var got []string
		for _, v := range portal.CheckPolicy(s) {
			got = append(got, v.Invariant)
		}
		want := []string{portal.InvNoMemberOfDeclinedWorksite, portal.InvWorksiteHasAdministrator,
			portal.InvDeclinedWorksiteClosed, portal.InvDeclinedWorksiteClosed, portal.InvGrantsToConfirmedAddresses}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("violations %v, want %v", got, want)
		}
	})
}

// The address grants migration marks the grants made before it, whose way
// of confirmation nobody recorded, as unrecorded: the invariant does not
// judge them, and leaves everything else alone.
func TestStore_MigrationMarksGrantsUnrecorded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		doc := mustSponsorAccount(t, db, "doc", portal.ProfPhysician, "", false)
		rn := mustSponsorAccount(t, db, "rn", portal.ProfNurse, portal.LicenceRN, false)
		signed := mustSponsorWorksite(t, db, "Clinic", "101", portal.WorksiteApproved, doc)
		unsigned := mustSponsorWorksite(t, db, "Elsewhere", "102", portal.WorksitePending, doc)
		accepted := &portal.Invitation{
			WorksiteID: signed.ID,
			Email:      "rn@example.ca",
			InvitedBy:  doc.ID,
			CreatedAt:  sponsorNow,
			ExpiresAt:  sponsorNow.Add(portal.InvitationLifetime),
		}
		open := &portal.Invitation{
			WorksiteID: signed.ID,
			Email:      "x@example.ca",
			InvitedBy:  doc.ID,
			CreatedAt:  sponsorNow,
			ExpiresAt:  sponsorNow.Add(portal.InvitationLifetime),
		}
		// As the portal wrote them before the migration: nothing said how.
		err := db.InTx(ctx, func(tx *store.Tx) error {
			for i, inv := range []*portal.Invitation{accepted, open} {
				if err := tx.CreateInvitation(ctx, inv, "hash-"+ref(int64(i))); err != nil {
					return err
				}
			}
			if _, err := tx.DecideInvitation(ctx, accepted.ID, portal.RequestApproved, rn.ID, "", sponsorNow); err != nil {
				return err
			}
			if err := tx.SignDeclaration(ctx, signed.ID, doc.ID, portal.DeclarationVersion, "", sponsorNow); err != nil {
				return err
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []*store.Completion{
			{AccountID: doc.ID, Kind: store.CompletionTraining, Version: "2026.1", CompletedAt: sponsorNow, Source: store.SourceExternal, RecordedBy: "x"},
			{AccountID: rn.ID, Kind: store.CompletionTraining, Version: "2026.1", CompletedAt: sponsorNow, Source: store.SourcePortal},
		} {
			mustRecordCompletion(t, db, c)
		}
		before, err := db.LoadPolicySnapshot(ctx, sponsorNow, "2026-11-26")
		if err != nil {
			t.Fatal(err)
		}
		if n := portal.CountViolations(portal.CheckPolicy(before))[portal.InvGrantsToConfirmedAddresses]; n != 3 {
			t.Fatalf("%d grants without a record, want 3", n)
		}
		rerunMigration(t, db, "address_grants", "UPDATE")
		s, err := db.LoadPolicySnapshot(ctx, sponsorNow, "2026-11-26")
		if err != nil {
			t.Fatal(err)
		}
		if want := []portal.AddressGrant{
			{Kind: portal.GrantTraining, ID: 1, AccountID: doc.ID, Address: "doc@example.ca", Via: portal.GrantViaUnrecorded},
			{Kind: portal.GrantDeclaration, ID: int64(signed.ID), AccountID: doc.ID, Address: signed.SignerEmail, Via: portal.GrantViaUnrecorded},
			{Kind: portal.GrantInvitation, ID: int64(accepted.ID), AccountID: rn.ID, Address: "rn@example.ca", Via: portal.GrantViaUnrecorded},
		}; !reflect.DeepEqual(s.Grants, want) {
			t.Fatalf("grants\n%+v\nwant\n%+v", s.Grants, want)
		}
		if n := portal.CountViolations(portal.CheckPolicy(s))[portal.InvGrantsToConfirmedAddresses]; n != 0 {
			t.Fatalf("%d unrecorded grants judged", n)
		}
		var openVia, unsignedVia, portalVia string
		if err := db.Read().QueryRow(ctx, "SELECT accepted_via FROM invitations WHERE id = ?", int64(open.ID)).Scan(&openVia); err != nil {
			t.Fatal(err)
		}
		if err := db.Read().QueryRow(ctx, "SELECT signed_via FROM worksites WHERE id = ?", int64(unsigned.ID)).Scan(&unsignedVia); err != nil {
			t.Fatal(err)
		}
		if err := db.Read().QueryRow(ctx, "SELECT credited_via FROM prerequisite_completions WHERE source = 'portal'").Scan(&portalVia); err != nil {
			t.Fatal(err)
		}
		if openVia != "" || unsignedVia != "" || portalVia != "" {
			t.Fatalf("marked what granted nothing: %q %q %q", openVia, unsignedVia, portalVia)
		}
	})
}
