package app_test

import (
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// wantNoWorksite checks the whole effect of suspending someone's access
// because they no longer belong to an approved worksite: the request
// suspended with its history note, the audit row with the reason code, the
// change feed and the email saying how to get it back.
func wantNoWorksite(t *testing.T, db *store.DB, acct *portal.Account, r *portal.AccessRequest, w *portal.Worksite) {
	t.Helper()
	wantStatus(t, db, r, portal.ARSuspended)
	last := lastHistory(t, db, r.ID)
	if want := "Access suspended: this person no longer belongs to an approved worksite (their membership of " + w.Name +
		" ended). The CareConnect team reinstates it once they belong to one again."; last.ToStatus != portal.ARSuspended ||
		last.ActorKind != portal.ActorSystem || last.ActorID != "worksites" ||
		last.Note != want {
		t.Fatalf("history %+v", last)
	}
	la := lastRequestAudit(t, db, r.ID)
	if la.Action != "access.suspended" || la.ActorKind != portal.ActorSystem || la.ActorID != "worksites" ||
		!strings.Contains(la.Details, `"reason":"`+app.SuspendNoWorksite+`"`) || la.WorksiteID != int64(w.ID) {
		t.Fatalf("audit %+v", la)
	}
	feed := boProvisioning(t, db, acct.ID)
	if feed[len(feed)-1] != app.ProvUserSuspended {
		t.Fatalf("change feed %v", feed)
	}
	var data string
	for _, e := range accountFeed(t, db, acct.ID) {
		if e.Type == app.ProvUserSuspended {
			data = e.Data
		}
	}
	if !strings.Contains(data, `"reason":"no_worksite"`) {
		t.Fatalf("change feed data %s", data)
	}
	wantOneEmail(t, db, acct.Email, "access_no_worksite", "Your membership of "+w.Name+" has ended",
		"no longer belong to any approved worksite", "https://portal.test/worksites/join", "help@portal.test",
		"reinstate your access")
}

// wantKept checks that access is still approved and nobody was told
// otherwise.
func wantKept(t *testing.T, db *store.DB, acct *portal.Account, r *portal.AccessRequest) {
	t.Helper()
	wantStatus(t, db, r, portal.ARApproved)
	mustEmails(t, db, acct.Email, "access_no_worksite", 0)
}

var worksiteInvariants = []string{
	portal.InvProvisionedApprovedWorksite,
	portal.InvOBOQualifyingSponsor,
	portal.InvProvisionedScopes,
}

// Access lives through an approved worksite: however a person's last
// approved membership ends, their approved access is suspended in the same
// transaction, and neither the team nor the annual review restores it
// until they belong to one again.
func TestApp_LastWorksiteEnds(t *testing.T) {
	eachClockApp(t, func(t *testing.T, db *store.DB, a *app.App, clock *fixture.Clock) {
		start := clock.Now()
		officer := oliviaOfficer(t, a)
		admin, clinic := adminClinic(t, a, "lw", "401")
		second := approvedWorksite(t, a, admin, worksiteAt("Clinic lw two", "402"))
		pending, err := a.RegisterWorksite(ctx, meta, admin, worksiteAt("Clinic lw pending", "403"))
		if err != nil {
			t.Fatal(err)
		}

		// pharmacist enrols an independent user with access at the clinic.
		pharmacist := func(key string, ws ...*portal.Worksite) (*portal.Account, *portal.AccessRequest) {
			t.Helper()
			p := enrol(t, a, key, "Phil", "PHARMACIST", asPharmacist)
			for _, w := range ws {
				addMembers(t, a, w, p)
			}
			return p, provision(t, a, p, "demographics,laboratory_results", clinic)
		}

		t.Run("SiteAdminDecommissions", func(t *testing.T) {
			p, r := pharmacist("lw.one", clinic)
			if err := a.Decommission(ctx, meta, admin, clinic.ID, p.ID, ""); err != nil {
				t.Fatal(err)
			}
			wantNoWorksite(t, db, p, r, clinic)
			mustEmails(t, db, p.Email, "membership_ended", 1)
			wantPolicyHolds(t, a, worksiteInvariants...)
		})

		t.Run("AnotherWorksiteKeepsAccess", func(t *testing.T) {
			p, r := pharmacist("lw.two", clinic, second)
			if err := a.Decommission(ctx, meta, admin, clinic.ID, p.ID, ""); err != nil {
				t.Fatal(err)
			}
			wantKept(t, db, p, r)
			if got := boProvisioning(t, db, p.ID); got[len(got)-1] != app.ProvUserUpdated {
				t.Fatalf("feed %v: downstream learns that the worksites changed", got)
			}
		})

		t.Run("PendingWorksiteDoesNotCount", func(t *testing.T) {
			p, r := pharmacist("lw.three", clinic, pending)
			if err := a.Decommission(ctx, meta, admin, clinic.ID, p.ID, ""); err != nil {
				t.Fatal(err)
			}
			wantNoWorksite(t, db, p, r, clinic)
		})

		t.Run("ScheduledDecommission", func(t *testing.T) {
			p, r := pharmacist("lw.four", clinic)
			if err := a.Decommission(ctx, meta, admin, clinic.ID, p.ID, "2026-11-30"); err != nil {
				t.Fatal(err)
			}
			wantKept(t, db, p, r)
			clock.Set(start.Add(5 * 24 * time.Hour))
			defer clock.Set(start)
			if n, err := a.ApplyScheduledDecommissions(ctx); n != 1 || err != nil {
				t.Fatalf("decommissioned %d %v", n, err)
			}
			wantNoWorksite(t, db, p, r, clinic)
		})

		t.Run("MemberReview", func(t *testing.T) {
			p, r := pharmacist("lw.five", second)
			if _, err := a.ConfirmMembers(ctx, meta, admin, second.ID, app.MembersReviewInput{Remove: []portal.AccountID{p.ID},
				Confirm: true}); err != nil {
				t.Fatal(err)
			}
			wantNoWorksite(t, db, p, r, second)
		})

		t.Run("SiteAdminLeaves", func(t *testing.T) {
			lead := enrol(t, a, "lw.lead", "Lou", "LEAD", asPharmacist)
			own := approvedWorksite(t, a, lead, worksiteAt("Clinic lw lead", "404"))
			addMembers(t, a, own, admin)
			if err := a.SetSiteAdmin(ctx, meta, lead, own.ID, admin.ID, true); err != nil {
				t.Fatal(err)
			}
			r := provision(t, a, lead, "demographics", own)
			if err := a.Decommission(ctx, meta, lead, own.ID, lead.ID, ""); err != nil {
				t.Fatal(err)
			}
			wantNoWorksite(t, db, lead, r, own)
		})

		t.Run("SponsorLosesLastWorksite", func(t *testing.T) {
			f := sponsoredMOA(t, a, officer, "lwsp", "405")
			if err := a.Decommission(ctx, meta, f.admin, f.clinic.ID, f.doc.ID, ""); err != nil {
				t.Fatal(err)
			}
			wantNoWorksite(t, db, f.doc, f.docReq, f.clinic)
			wantLapsed(t, db, f.moa, f.moaReq, app.LapseDecommissioned, "Dalia DOCTOR no longer belongs to Clinic lwsp")
			wantPolicyHolds(t, a, worksiteInvariants...)
		})

		t.Run("OnBehalfOfUserLosesLastWorksite", func(t *testing.T) {
			f := sponsoredMOA(t, a, officer, "lwmoa", "406")
			if err := a.Decommission(ctx, meta, f.admin, f.clinic.ID, f.moa.ID, ""); err != nil {
				t.Fatal(err)
			}
			wantNoWorksite(t, db, f.moa, f.moaReq, f.clinic)
			mustEmails(t, db, f.moa.Email, "access_lapsed", 0)
			es := mustEmails(t, db, f.moa.Email, "access_no_worksite", 1)
			if !strings.Contains(es[0].Text, "ask one who works there to sponsor you") {
				t.Fatalf("email:\n%s", es[0].Text)
			}
			wantStatus(t, db, f.docReq, portal.ARApproved)
		})

		t.Run("TeamReinstatesOnlyWithAWorksite", func(t *testing.T) {
			p, r := pharmacist("lw.six", clinic)
			if err := a.Decommission(ctx, meta, admin, clinic.ID, p.ID, ""); err != nil {
				t.Fatal(err)
			}
			_, err := a.ChangeAccess(ctx, meta, officer, p.ID, portal.AccessReinstate, "Asked by the clinic.")
			wantMessage(
				t,
				err,
				portal.ECONFLICT,
				"Phil PHARMACIST does not belong to an approved worksite, so their access cannot "+
					"be reinstated. They must join one first (its site administrator approves them).",
			)
			wantStatus(t, db, r, portal.ARSuspended)
			// A pending worksite is not enough.
			addMembers(t, a, pending, p)
			_, err = a.ChangeAccess(ctx, meta, officer, p.ID, portal.AccessReinstate, "Asked by the clinic.")
			wantCode(t, err, portal.ECONFLICT)
			addMembers(t, a, second, p)
			boChangeAccess(t, a, officer, p.ID, portal.AccessReinstate, "Joined Clinic lw two.")
			wantStatus(t, db, r, portal.ARApproved)
			wantPolicyHolds(t, a, worksiteInvariants...)
		})

		t.Run("ReviewCannotRestoreWithoutAWorksite", func(t *testing.T) {
			p := enrol(t, a, "lw.seven", "Phil", "PHARMACIST", asPharmacist)
			addMembers(t, a, clinic, p)
			r := rvApproved(t, a, p, clinic)
			clock.Set(start.AddDate(1, 1, 5))
			defer clock.Set(start)
			rvRun(t, a)
			wantStatus(t, db, r, portal.ARSuspended)
			// Suspended already: losing the worksite changes nothing more.
			if err := a.Decommission(ctx, meta, admin, clinic.ID, p.ID, ""); err != nil {
				t.Fatal(err)
			}
			mustEmails(t, db, p.Email, "access_no_worksite", 0)
			_, err := confirmReview(a, p)
			wantMessage(
				t,
				err,
				portal.ECONFLICT,
				"You do not belong to an approved worksite, so confirming your review cannot restore "+
					"your access. Join the worksite you work at under My Worksites, then confirm your review again.",
			)
			wantStatus(t, db, r, portal.ARSuspended)
		})

		t.Run("ApprovalNeedsAWorksite", func(t *testing.T) {
			p := enrol(t, a, "lw.eight", "Phil", "PHARMACIST", asPharmacist)
			addMembers(t, a, clinic, p)
			passTraining(t, a, p)
			signHPCAA(t, a, p)
			r, err := a.SubmitAccessRequest(ctx, meta, p, enrolment(clinic))
			if err != nil {
				t.Fatal(err)
			}
			if err := a.Decommission(ctx, meta, admin, clinic.ID, p.ID, ""); err != nil {
				t.Fatal(err)
			}
			boClaim(t, a, officer, r.ID)
			_, err = a.ApproveAccessRequest(ctx, meta, officer, r.ID, r.AllowedScopes)
			wantMessage(
				t,
				err,
				portal.ECONFLICT,
				"Phil PHARMACIST does not belong to an approved worksite, so the request cannot be "+
					"approved: ask for more information, or decline it. They must join one first (its site administrator approves them).",
			)
			wantStatus(t, db, r, portal.ARSubmitted)
		})
	})
}
