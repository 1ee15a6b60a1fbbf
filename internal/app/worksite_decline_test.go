package app_test

import (
	"strings"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// When the CareConnect team declines a new worksite it closes in the same
// transaction: pending requests to join are rejected (and their senders
// told why), open invitations revoked and every membership ended, with the
// access rules applied to each member. Its registrant keeps it, with the
// reason, as a record under My Worksites.
func TestApp_WorksiteDeclineClosesIt(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		lead := person(t, a, "lead.moa", "Lena", "MOA")
		mia := person(t, a, "mia", "Mia", "MEMBER")
		asker := person(t, a, "asker", "Ari", "ASKER")
		elsewhere := approvedWorksite(
			t,
			a,
			person(t, a, "other.admin", "Oli", "ADMIN"),
			worksiteAt("Other Clinic", "501"),
		)
		kept := enrol(t, a, "kept", "Kim", "KEPT", asPharmacist)
		lost := enrol(t, a, "lost", "Lou", "LOST", asPharmacist)
		w, err := a.RegisterWorksite(ctx, meta, lead, worksiteAt("Harbour Clinic", "502"))
		if err != nil {
			t.Fatal(err)
		}
		jm, err := a.RequestToJoin(ctx, meta, mia, w, "code", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.DecideJoinRequest(ctx, meta, lead, jm.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		j, err := a.RequestToJoin(ctx, meta, asker, w, "code", "I start on Monday.")
		if err != nil {
			t.Fatal(err)
		}
		inv, err := a.Invite(ctx, meta, lead, w.ID, "invitee@example.org")
		if err != nil {
			t.Fatal(err)
		}
		// Kim has access through another clinic; Lou's access (as older data
		// may have it) rests on this pending worksite alone.
		addMembers(t, a, w, kept, lost)
		addMembers(t, a, elsewhere, kept)
		keptReq := provision(t, a, kept, "demographics", elsewhere)
		lostReq := provision(t, a, lost, "demographics", w)

		const reason = "The clinic could not be verified."
		if _, err := a.DecideWorksite(ctx, meta, "officer.one", w.Code, false, reason); err != nil {
			t.Fatal(err)
		}

		t.Run("MembershipsEnded", func(t *testing.T) {
			ms, err := db.Read().FindWorksiteMembers(ctx, w.ID)
			if err != nil || len(ms) != 4 {
				t.Fatalf("members %v %v", ms, err)
			}
			for _, m := range ms {
				if m.Status != portal.MemberDecommissioned {
					t.Fatalf("%s is still %s", m.Name, m.Status)
				}
			}
			audit, err := db.Read().
				FindAuditEvents(ctx, store.AuditFilter{SubjectKind: "account", SubjectID: itoa(int64(mia.ID))})
			if err != nil {
				t.Fatal(err)
			}
			la := audit[len(audit)-1]
			if la.Action != "worksite.member_decommissioned" || la.ActorKind != portal.ActorStaff ||
				la.ActorID != "officer.one" ||
				!strings.Contains(la.Details, `"because":"worksite_declined"`) {
				t.Fatalf("audit %+v", la)
			}
			es := mustEmails(t, db, mia.Email, "membership_ended", 1)
			if !strings.Contains(es[0].Text, "The CareConnect team did not approve Harbour Clinic as a worksite") ||
				!strings.Contains(es[0].Text, reason) {
				t.Fatalf("email to a member:\n%s", es[0].Text)
			}
			// The registrant is told once, by the decision itself.
			mustEmails(t, db, lead.Email, "membership_ended", 0)
			es = mustEmails(t, db, lead.Email, "worksite_decided", 1)
			if !strings.Contains(es[0].Text, "every membership of the worksite (yours included) has ended") ||
				!strings.Contains(es[0].Text, "See My Worksites: https://portal.test/worksites\n") {
				t.Fatalf("decision email:\n%s", es[0].Text)
			}
		})

		t.Run("JoinRequestRejected", func(t *testing.T) {
			got, err := db.Read().FindJoinRequestByID(ctx, j.ID)
			if err != nil || got.Status != portal.RequestRejected || got.DecidedBy != 0 ||
				got.Reason != "Harbour Clinic was not approved by the CareConnect team, so it cannot take in members." {
				t.Fatalf("join request %+v %v", got, err)
			}
			es := mustEmails(t, db, asker.Email, "worksite_join_decided", 1)
			if !strings.Contains(es[0].Subject, "declined") ||
				!strings.Contains(es[0].Text, "the CareConnect team did not approve Harbour Clinic as a worksite") ||
				!strings.Contains(
					es[0].Text,
					reason,
				) || !strings.Contains(es[0].Text, "https://portal.test/worksites/join") {
				t.Fatalf("email to the asker: %s\n%s", es[0].Subject, es[0].Text)
			}
			audit, err := db.Read().
				FindAuditEvents(ctx, store.AuditFilter{SubjectKind: "join_request", SubjectID: itoa(int64(j.ID))})
			if err != nil || audit[len(audit)-1].Action != "worksite.join_rejected" ||
				audit[len(audit)-1].ActorKind != portal.ActorStaff {
				t.Fatalf("audit %+v %v", audit, err)
			}
		})

		t.Run("InvitationRevoked", func(t *testing.T) {
			got, err := db.Read().FindInvitationByID(ctx, inv.ID)
			if err != nil || got.Status != portal.RequestRevoked {
				t.Fatalf("invitation %+v %v", got, err)
			}
			audit, err := db.Read().
				FindAuditEvents(ctx, store.AuditFilter{SubjectKind: "invitation", SubjectID: itoa(int64(inv.ID))})
			if err != nil || audit[len(audit)-1].Action != "worksite.invitation_revoked" {
				t.Fatalf("audit %+v %v", audit, err)
			}
		})

		t.Run("AccessFollowsTheWorksiteRule", func(t *testing.T) {
			wantKept(t, db, kept, keptReq)
			wantNoWorksite(t, db, lost, lostReq, w)
		})

		t.Run("Invariants", func(t *testing.T) {
			wantPolicyHolds(t, a, portal.InvNoMemberOfDeclinedWorksite, portal.InvDeclinedWorksiteClosed,
				portal.InvProvisionedApprovedWorksite)
		})

		t.Run("TheRegistrantKeepsARecord", func(t *testing.T) {
			mine, err := a.Worksites(ctx, lead)
			if err != nil {
				t.Fatal(err)
			}
			if len(mine.Declined) != 1 || mine.Declined[0].ID != w.ID || mine.Declined[0].DeclinedReason != reason {
				t.Fatalf("declined %+v", mine.Declined)
			}
			if len(mine.Memberships) != 0 || mine.ActiveAny() != 0 {
				t.Fatalf("memberships %+v", mine.Memberships)
			}
			d, err := a.Worksite(ctx, lead, w.ID)
			if err != nil || d.IsAdmin || d.Worksite.Status != portal.WorksiteDeclined || len(d.Members) != 0 {
				t.Fatalf("record %+v %v", d, err)
			}
			// Others who belonged to it see it no more.
			_, err = a.Worksite(ctx, mia, w.ID)
			wantCode(t, err, portal.ENOTFOUND)
			mine, err = a.Worksites(ctx, mia)
			if err != nil || len(mine.Declined) != 0 {
				t.Fatalf("mia's worksites %+v %v", mine, err)
			}
		})

		t.Run("NothingMoreTakesPlace", func(t *testing.T) {
			_, err := a.Invite(ctx, meta, lead, w.ID, "new@example.org")
			wantCode(t, err, portal.ENOTFOUND)
			_, err = a.DecideJoinRequest(ctx, meta, lead, j.ID, true, "")
			wantCode(t, err, portal.ENOTFOUND)
			// The emailed link no longer works.
			token := emailedToken(t, db, "invitee@example.org", "worksite_invitation", "/invitations/")
			_, err = a.RespondToInvitation(ctx, meta, person(t, a, "invitee", "Ina", "INVITEE"), inv.ID, token, true)
			wantMessage(t, err, portal.ECONFLICT, "This invitation is no longer open (revoked).")
		})
	})
}
