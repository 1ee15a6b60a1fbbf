package app_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// oboFix is a clinic with its site administrator, an enrolled physician
// (access approved, without an annual review) and an MOA whose CareConnect
// access the team approved through the physician's sponsorship.
type oboFix struct {
	admin, doc, moa *portal.Account
	clinic          *portal.Worksite
	docReq, moaReq  *portal.AccessRequest
	sp              *portal.Sponsorship
}

// adminClinic has Lena ADMIN, an enrolled MOA, register "Clinic "+key at
// unit, approved, as its site administrator.
func adminClinic(t *testing.T, a *app.App, key, unit string) (*portal.Account, *portal.Worksite) {
	t.Helper()
	admin := enrol(t, a, key+".admin", "Lena", "ADMIN", asMOA)
	return admin, approvedWorksite(t, a, admin, worksiteAt("Clinic "+key, unit))
}

// sponsoredMOA builds an oboFix; key keeps its people apart from other
// fixtures' and unit its clinic's address.
func sponsoredMOA(t *testing.T, a *app.App, officer *portal.Staff, key, unit string) *oboFix {
	t.Helper()
	f := &oboFix{}
	f.admin, f.clinic = adminClinic(t, a, key, unit)
	f.doc = enrol(t, a, key+".doc", "Dalia", "DOCTOR", nil)
	f.moa = enrol(t, a, key+".moa", "Mona", "ASSISTANT", asMOA)
	addMembers(t, a, f.clinic, f.doc, f.moa)
	f.docReq = enrolled(t, a, f.doc, f.clinic)
	f.sp = sponsor(t, a, f.moa, f.doc, f.clinic)
	f.moaReq = approveOBO(t, a, officer, f.moa, f.clinic)
	return f
}

// sponsor asks the authorizer for the person and approves it.
func sponsor(t *testing.T, a *app.App, obo, auth *portal.Account, w *portal.Worksite) *portal.Sponsorship {
	t.Helper()
	return sponsorAs(t, a, obo, auth, sponsorInput(auth, w))
}

// sponsorAs asks the authorizer for the person as in says and approves it.
func sponsorAs(t *testing.T, a *app.App, obo, auth *portal.Account, in portal.SponsorshipInput) *portal.Sponsorship {
	t.Helper()
	sp, err := a.RequestSponsorship(ctx, meta, obo, in)
	if err != nil {
		t.Fatal(err)
	}
	if sp, err = a.DecideSponsorship(ctx, meta, auth, sp.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	return sp
}

// revoke has the authorizer end a sponsorship, giving a reason (or none).
func revoke(t *testing.T, a *app.App, auth *portal.Account, id portal.SponsorshipID, reason string) {
	t.Helper()
	if _, err := a.RevokeSponsorship(ctx, meta, auth, id, reason); err != nil {
		t.Fatal(err)
	}
}

// approveOBO has the person pass the training, submit the CareConnect
// Enrolment Form, and the officer approve it with every allowed scope.
func approveOBO(
	t *testing.T,
	a *app.App,
	officer *portal.Staff,
	obo *portal.Account,
	w *portal.Worksite,
) *portal.AccessRequest {
	t.Helper()
	passTraining(t, a, obo)
	r, err := a.SubmitAccessRequest(ctx, meta, obo, enrolment(w))
	if err != nil {
		t.Fatal(err)
	}
	boClaim(t, a, officer, r.ID)
	if r, err = a.ApproveAccessRequest(ctx, meta, officer, r.ID, r.AllowedScopes); err != nil {
		t.Fatal(err)
	}
	return r
}

// wantLapsed checks the whole effect of a lapse on the on-behalf-of user:
// the request suspended with its history note, the audit row with the
// reason code, the email saying why and what to do, and the change feed.
func wantLapsed(t *testing.T, db *store.DB, obo *portal.Account, r *portal.AccessRequest, code, cause string) {
	t.Helper()
	if got := boRequest(t, db, r.ID); got.Status != portal.ARSuspended {
		t.Fatalf("the on-behalf-of user's access is %s, want suspended", got.Status)
	}
	last := lastHistory(t, db, r.ID)
	if last.ToStatus != portal.ARSuspended || last.ActorKind != portal.ActorSystem ||
		!strings.Contains(last.Note, "Access lapsed") ||
		!strings.Contains(last.Note, cause) {
		t.Fatalf("history %+v", last)
	}
	la := lastRequestAudit(t, db, r.ID)
	if la.Action != "access.lapsed" || la.ActorKind != portal.ActorSystem ||
		!strings.Contains(la.Details, `"reason":"`+code+`"`) {
		t.Fatalf("audit %+v", la)
	}
	wantOneEmail(t, db, obo.Email, "access_lapsed", cause, "Ask an authorizer you work for to sponsor you",
		"CareConnect access of their own", "https://portal.test/sponsorships", "reinstate your access")
	mine := accountFeed(t, db, obo.ID)
	if e := mine[len(mine)-1]; e.Type != app.ProvUserSuspended || !strings.Contains(e.Data, `"reason":"`+code+`"`) {
		t.Fatalf("change feed %+v", mine)
	}
}

// wantStatus checks a request's status.
func wantStatus(t *testing.T, db *store.DB, r *portal.AccessRequest, status string) {
	t.Helper()
	if got := boRequest(t, db, r.ID); got.Status != status {
		t.Fatalf("status %s, want %s", got.Status, status)
	}
}

// An on-behalf-of user's access lives only through a sponsor who
// qualifies: each way a sponsor can stop qualifying lets her access lapse
// in the same transaction, and nothing brings it back by itself.
func TestApp_SponsorLapse(t *testing.T) {
	eachClockApp(t, func(t *testing.T, db *store.DB, a *app.App, clock *fixture.Clock) {
		start := clock.Now()
		officer := oliviaOfficer(t, a)

		t.Run("TeamSuspendsSponsor", func(t *testing.T) {
			f := sponsoredMOA(t, a, officer, "susp", "201")
			boChangeAccess(t, a, officer, f.doc.ID, portal.AccessSuspend, "Licence under review.")
			wantLapsed(t, db, f.moa, f.moaReq, app.LapseSponsorSuspended,
				"Dalia DOCTOR's own CareConnect access was suspended")
			if n, _ := a.ActiveSponsorCount(ctx, f.moa); n != 0 {
				t.Fatalf("%d sponsors still count", n)
			}
			// The team cannot reinstate her while no sponsor qualifies.
			_, err := a.ChangeAccess(ctx, meta, officer, f.moa.ID, portal.AccessReinstate, "Asked by the clinic.")
			wantCode(t, err, portal.ECONFLICT)
			if !strings.Contains(portal.ErrorMessage(err), "No authorizer qualifies as Mona ASSISTANT's sponsor") {
				t.Fatalf("message %q", portal.ErrorMessage(err))
			}
			// The sponsor comes back: she does not.
			boChangeAccess(t, a, officer, f.doc.ID, portal.AccessReinstate, "Licence confirmed.")
			wantStatus(t, db, f.moaReq, portal.ARSuspended)
			if got := boProvisioning(t, db, f.moa.ID); got[len(got)-1] == app.ProvUserReinstated {
				t.Fatalf("reinstated silently: %v", got)
			}
			// Her access returns only through the team.
			boChangeAccess(t, a, officer, f.moa.ID, portal.AccessReinstate, "Sponsor back.")
			wantStatus(t, db, f.moaReq, portal.ARApproved)
		})

		t.Run("TeamRemovesSponsor", func(t *testing.T) {
			f := sponsoredMOA(t, a, officer, "depr", "202")
			boChangeAccess(t, a, officer, f.doc.ID, portal.AccessDeprovision, "Retired.")
			wantLapsed(t, db, f.moa, f.moaReq, app.LapseSponsorDeprovisioned,
				"Dalia DOCTOR's own CareConnect access was removed")
		})

		t.Run("AnotherSponsorKeepsAccess", func(t *testing.T) {
			f := sponsoredMOA(t, a, officer, "two", "203")
			doc2 := enrol(t, a, "two.doc2", "Ravi", "PHYSICIAN", nil)
			addMembers(t, a, f.clinic, doc2)
			enrolled(t, a, doc2, f.clinic)
			sponsor(t, a, f.moa, doc2, f.clinic)
			boChangeAccess(t, a, officer, f.doc.ID, portal.AccessSuspend, "Licence under review.")
			wantStatus(t, db, f.moaReq, portal.ARApproved)
			mustEmails(t, db, f.moa.Email, "access_lapsed", 0)
			if got := boProvisioning(t, db, f.moa.ID); got[len(got)-1] != app.ProvUserUpdated {
				t.Fatalf("feed %v: downstream must learn that her sponsors changed", got)
			}
			_, tok := mustToken(t, a, "viewer-two", app.TokenScopeSCIM)
			u, err := a.ProvisionedUserByID(ctx, meta, tok, accountID(f.moa))
			if err != nil || len(u.Sponsors) != 1 || u.Sponsors[0].AuthorizerID != doc2.ID {
				t.Fatalf("provisioned %+v %v: only the sponsor who qualifies is listed", u, err)
			}
		})

		t.Run("SiteAdminDecommissionsSponsor", func(t *testing.T) {
			f := sponsoredMOA(t, a, officer, "deco", "204")
			if err := a.Decommission(ctx, meta, f.admin, f.clinic.ID, f.doc.ID, ""); err != nil {
				t.Fatal(err)
			}
			wantLapsed(t, db, f.moa, f.moaReq, app.LapseDecommissioned, "Dalia DOCTOR no longer belongs to Clinic deco")
		})

		t.Run("ScheduledDecommissionOfSponsor", func(t *testing.T) {
			f := sponsoredMOA(t, a, officer, "sched", "205")
			if err := a.Decommission(ctx, meta, f.admin, f.clinic.ID, f.doc.ID, "2026-11-30"); err != nil {
				t.Fatal(err)
			}
			wantStatus(t, db, f.moaReq, portal.ARApproved)
			clock.Set(start.Add(5 * 24 * time.Hour))
			defer clock.Set(start)
			if n, err := a.ApplyScheduledDecommissions(ctx); n != 1 || err != nil {
				t.Fatalf("decommissioned %d %v", n, err)
			}
			wantLapsed(t, db, f.moa, f.moaReq, app.LapseDecommissioned,
				"Dalia DOCTOR no longer belongs to Clinic sched")
		})

		t.Run("MOADecommissioned", func(t *testing.T) {
			f := sponsoredMOA(t, a, officer, "self", "206")
			// She works at a second clinic too, where nobody sponsors her: she
			// keeps a worksite but loses her sponsor.
			other := approvedWorksite(t, a, f.admin, worksiteAt("Clinic self two", "216"))
			addMembers(t, a, other, f.moa)
			if err := a.Decommission(ctx, meta, f.admin, f.clinic.ID, f.moa.ID, ""); err != nil {
				t.Fatal(err)
			}
			wantLapsed(t, db, f.moa, f.moaReq, app.LapseDecommissioned, "You no longer belong to Clinic self")
		})

		t.Run("SponsorRevokes", func(t *testing.T) {
			f := sponsoredMOA(t, a, officer, "revo", "207")
			revoke(t, a, f.doc, f.sp.ID, "Left the clinic.")
			wantLapsed(t, db, f.moa, f.moaReq, app.LapseSponsorshipRevoked,
				"Dalia DOCTOR ended your sponsorship at Clinic revo.")
			mustEmails(t, db, f.moa.Email, "sponsorship_ended", 1)
		})

		t.Run("MOAEndsSponsorship", func(t *testing.T) {
			f := sponsoredMOA(t, a, officer, "withd", "208")
			got, err := a.RevokeSponsorship(ctx, meta, f.moa, f.sp.ID, "I moved to another clinic.")
			if err != nil || got.Status != portal.SponsorWithdrawn {
				t.Fatalf("withdraw %+v %v", got, err)
			}
			wantLapsed(t, db, f.moa, f.moaReq, app.LapseSponsorshipWithdrawn,
				"You ended your sponsorship by Dalia DOCTOR")
			es := mustEmails(t, db, f.doc.Email, "sponsorship_withdrawn", 1)
			if !strings.Contains(es[0].Text, "Mona ASSISTANT has ended their sponsorship") ||
				!strings.Contains(es[0].Text, "I moved to another clinic.") {
				t.Fatalf("email to the authorizer:\n%s", es[0].Text)
			}
			mustEmails(t, db, f.moa.Email, "sponsorship_ended", 0)
			if acts := sponsorAudit(t, db, f.sp.ID); acts[len(acts)-1] != "account:sponsorship.withdrawn" {
				t.Fatalf("audit %v", acts)
			}
			_, err = a.RevokeSponsorship(ctx, meta, f.doc, f.sp.ID, "")
			wantCode(t, err, portal.ECONFLICT)
		})

		t.Run("ResidencyEnds", func(t *testing.T) {
			_, clinic := adminClinic(t, a, "resi", "211")
			doc := enrol(t, a, "resi.doc", "Dalia", "DOCTOR", nil)
			res := enrol(t, a, "resi.res", "Rae", "RESIDENT", asResident)
			addMembers(t, a, clinic, doc, res)
			enrolled(t, a, doc, clinic)
			if err := a.ChooseResidentRoute(ctx, meta, res, portal.ResidentSponsored); err != nil {
				t.Fatal(err)
			}
			res, _ = a.Account(ctx, res.ID)
			in := sponsorInput(doc, clinic)
			in.ResidencyStart, in.ResidencyEnd = "2026-07-01", "2026-12-31"
			sponsorAs(t, a, res, doc, in)
			signHPCAA(t, a, res)
			resReq := approveOBO(t, a, officer, res, clinic)
			clock.Set(rvPT(t, 2027, 1, 1, 9, 0))
			defer clock.Set(start)
			if n, err := a.EndResidencies(ctx); n != 1 || err != nil {
				t.Fatalf("ended %d %v", n, err)
			}
			wantLapsed(t, db, res, resReq, app.LapseResidencyEnded, "Your residency ended on 31 Dec 2026")
		})
	})
}

// The annual review suspends the sponsor: the MOA's access lapses with it,
// and when the sponsor confirms the review she stays suspended.
func TestApp_SponsorLapseAnnualReview(t *testing.T) {
	eachClockApp(t, func(t *testing.T, db *store.DB, a *app.App, clock *fixture.Clock) {
		start := clock.Now()
		officer := oliviaOfficer(t, a)
		// The physician is approved now, the MOA six months later, so
		// only the physician's review is overdue a year and a month on.
		_, clinic := adminClinic(t, a, "rev", "209")
		doc := enrol(t, a, "rev.doc", "Dalia", "DOCTOR", nil)
		moa := enrol(t, a, "rev.moa", "Mona", "ASSISTANT", asMOA)
		addMembers(t, a, clinic, doc, moa)
		docReq := rvApproved(t, a, doc, clinic)
		sponsor(t, a, moa, doc, clinic)
		clock.Set(start.AddDate(0, 6, 0))
		moaReq := approveOBO(t, a, officer, moa, clinic)
		clock.Set(start.AddDate(1, 1, 5))
		if run := rvRun(t, a); run.Suspended != 1 {
			t.Fatalf("review run %+v, want the physician suspended", run)
		}
		wantStatus(t, db, docReq, portal.ARSuspended)
		wantLapsed(t, db, moa, moaReq, app.LapseSponsorReview, "annual review was not completed")
		// The physician confirms and is reinstated; the MOA is not.
		if _, err := confirmReview(a, doc); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, db, docReq, portal.ARApproved)
		wantStatus(t, db, moaReq, portal.ARSuspended)
	})
}

// Confirming her own overdue review does not restore an MOA's access while
// no sponsor qualifies.
func TestApp_SponsorLapseReviewCannotRestore(t *testing.T) {
	eachClockApp(t, func(t *testing.T, db *store.DB, a *app.App, clock *fixture.Clock) {
		start := clock.Now()
		officer := oliviaOfficer(t, a)
		f := sponsoredMOA(t, a, officer, "rvs", "210")
		// Her review falls overdue and suspends her access.
		clock.Set(start.AddDate(1, 1, 5))
		rvRun(t, a)
		wantStatus(t, db, f.moaReq, portal.ARSuspended)
		revoke(t, a, f.doc, f.sp.ID, "")
		_, err := confirmReview(a, f.moa)
		wantMessage(
			t,
			err,
			portal.ECONFLICT,
			"No authorizer who has CareConnect access sponsors you at a worksite you share, "+
				"so confirming your review cannot restore your access. Ask an authorizer who has CareConnect access to sponsor you "+
				"under Authorizer on the Main Menu, then confirm your review again.",
		)
		wantStatus(t, db, f.moaReq, portal.ARSuspended)
	})
}

// The reproduction of the issue: an MOA chose as authorizer a physician
// whose own request was still pending. She cannot ask them, they cannot
// approve her, and an MOA sponsored only by such a physician (as the data
// of the time allowed) is not approved by the team.
func TestApp_SponsorMustHaveAccess(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		officer := oliviaOfficer(t, a)
		admin := enrol(t, a, "lead.admin", "Lena", "ADMIN", asMOA)
		clinic := approvedWorksite(t, a, admin, worksiteAt("Kingsgate Mall Clinic", "101"))
		doc := enrol(t, a, "dr.pending", "Pat", "PENDING", nil)
		rn := enrol(t, a, "rita.nurse", "Rita", "NURSE", asRN)
		moa := enrol(t, a, "mo.assistant", "Mona", "ASSISTANT", asMOA)
		res := enrol(t, a, "rae.resident", "Rae", "RESIDENT", asResident)
		addMembers(t, a, clinic, doc, rn, moa, res)
		enrolled(t, a, rn, clinic)
		// The physician has asked for CareConnect access; it is pending.
		passTraining(t, a, doc)
		signHPCAA(t, a, doc)
		docReq, err := a.SubmitAccessRequest(ctx, meta, doc, enrolment(clinic))
		if err != nil {
			t.Fatal(err)
		}

		t.Run("NotOffered", func(t *testing.T) {
			cs, err := a.SponsorshipCandidates(ctx, moa, "pending")
			if err != nil || len(cs) != 1 || cs[0].Eligible || cs[0].Reason != portal.SponsorAccessNotApproved {
				t.Fatalf("candidates %+v %v: the pending physician is listed as not eligible", cs, err)
			}
			_, err = a.RequestSponsorship(ctx, meta, moa, sponsorInput(doc, clinic))
			wantMessage(
				t,
				err,
				portal.ECONFLICT,
				"Pat PENDING cannot sponsor you yet: their own CareConnect access is not approved and active. "+
					"Ask an authorizer who has CareConnect access.",
			)
			mustEmails(t, db, doc.Email, "sponsorship_requested", 0)
		})

		t.Run("ResidentNeedsEnrolledPhysician", func(t *testing.T) {
			if err := a.ChooseResidentRoute(ctx, meta, res, portal.ResidentSponsored); err != nil {
				t.Fatal(err)
			}
			res, _ := a.Account(ctx, res.ID)
			in := sponsorInput(rn, clinic)
			in.ResidencyStart, in.ResidencyEnd = "2026-07-01", "2027-06-30"
			_, err := a.RequestSponsorship(ctx, meta, res, in)
			wantCode(t, err, portal.ECONFLICT)
			if !strings.Contains(portal.ErrorMessage(err), "must be an enrolled physician") {
				t.Fatalf("message %q", portal.ErrorMessage(err))
			}
			// The MOA may ask the enrolled nurse.
			cs, err := a.SponsorshipCandidates(ctx, moa, "rita")
			if err != nil || len(cs) != 1 || !cs[0].Eligible {
				t.Fatalf("candidates %+v %v", cs, err)
			}
		})

		// A sponsorship with the pending physician, as the portal allowed
		// before: asked and approved while the physician had no access.
		var sp *portal.Sponsorship
		err = db.InTx(ctx, func(tx *store.Tx) error {
			sp = &portal.Sponsorship{
				OBOAccountID:        moa.ID,
				AuthorizerAccountID: doc.ID,
				WorksiteID:          clinic.ID,
				CreatedAt:           a.Now(),
			}
			if err := tx.CreateSponsorship(ctx, sp); err != nil {
				return err
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}

		t.Run("PendingPhysicianCannotApprove", func(t *testing.T) {
			_, err := a.DecideSponsorship(ctx, meta, doc, sp.ID, true, "")
			wantMessage(
				t,
				err,
				portal.ECONFLICT,
				"Your own CareConnect access is not approved and active, so you cannot sponsor anyone now. "+
					"You can approve this request once your access is approved, or decline it.",
			)
		})

		if err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.DecideSponsorship(ctx, sp.ID, true, "", a.Now())
			return err
		}); err != nil {
			t.Fatal(err)
		}
		t.Run("TeamRefusesApproval", func(t *testing.T) {
			passTraining(t, a, moa)
			if n, _ := a.ActiveSponsorCount(ctx, moa); n != 0 {
				t.Fatalf("the pending physician counts as a sponsor (%d)", n)
			}
			// The MOA cannot even submit without a sponsor who qualifies.
			_, err := a.SubmitAccessRequest(ctx, meta, moa, enrolment(clinic))
			wantMissing(t, err, "sponsor")
			// A request submitted while the sponsor still qualified.
			r := &portal.AccessRequest{
				AccountID:          moa.ID,
				Status:             portal.ARSubmitted,
				UserType:           moa.UserType(),
				Profession:         moa.Profession,
				FirstName:          "Mona",
				LastName:           "ASSISTANT",
				Job:                "MOA",
				AttestCorrect:      true,
				AttestDirectCare:   true,
				AttestAnnualReview: true,
				ReasonJobDuties:    true,
				CreatedAt:          a.Now(),
				UpdatedAt:          a.Now(),
				WorksiteIDs:        []portal.WorksiteID{clinic.ID},
				SponsorshipIDs:     []portal.SponsorshipID{sp.ID},
			}
			if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.CreateAccessRequest(ctx, r) }); err != nil {
				t.Fatal(err)
			}
			boClaim(t, a, officer, r.ID)
			rv, err := a.ReviewAccessRequest(ctx, meta, officer, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			var check *portal.Check
			for i, c := range rv.Checks {
				if strings.Contains(c.Text, "qualifies as a sponsor") {
					check = &rv.Checks[i]
				}
			}
			if check == nil || !check.Flagged() {
				t.Fatalf("checks %+v: want the red sponsor check", rv.Checks)
			}
			if len(rv.Sponsors) != 1 || rv.Sponsors[0].Access != portal.ARSubmitted || !rv.Sponsors[0].SharesWorksite {
				t.Fatalf("sponsors %+v", rv.Sponsors)
			}
			_, err = a.ApproveAccessRequest(ctx, meta, officer, r.ID, []portal.DataScope{"demographics"})
			wantCode(t, err, portal.ECONFLICT)
			if !strings.Contains(portal.ErrorMessage(err), "No authorizer qualifies as Mona ASSISTANT's sponsor") ||
				!strings.Contains(portal.ErrorMessage(err), "cannot be approved until one does") {
				t.Fatalf("message %q", portal.ErrorMessage(err))
			}
			wantStatus(t, db, r, portal.ARSubmitted)
			if got := boProvisioning(t, db, moa.ID); len(got) != 0 {
				t.Fatalf("feed %v", got)
			}
			// Once the physician's own access is approved, the team may approve her.
			boClaim(t, a, officer, docReq.ID)
			if _, err := a.ApproveAccessRequest(ctx, meta, officer, docReq.ID, docReq.AllowedScopes); err != nil {
				t.Fatal(err)
			}
			rv, err = a.ReviewAccessRequest(ctx, meta, officer, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.ApproveAccessRequest(ctx, meta, officer, r.ID, rv.AllowedScopes); err != nil {
				t.Fatal(err)
			}
			_, tok := mustToken(t, a, "viewer", app.TokenScopeSCIM)
			u, err := a.ProvisionedUserByID(ctx, meta, tok, accountID(moa))
			if err != nil || len(u.Sponsors) != 1 || u.Sponsors[0].AuthorizerID != doc.ID {
				t.Fatalf("provisioned %+v %v", u, err)
			}
		})
	})
}

// twoSponsors is an oboFix whose MOA is sponsored by a second physician
// too, granted other scopes than the first: the MOA's access, approved with
// everything allowed, holds demographics and laboratory results through
// the first and clinical documents through the second.
func twoSponsors(t *testing.T, a *app.App, officer *portal.Staff, key, unit string) (*oboFix, *portal.Account) {
	t.Helper()
	f := &oboFix{}
	f.admin, f.clinic = adminClinic(t, a, key, unit)
	f.doc = enrol(t, a, key+".doc", "Dalia", "DOCTOR", nil)
	doc2 := enrol(t, a, key+".doc2", "Ravi", "PHYSICIAN", nil)
	f.moa = enrol(t, a, key+".moa", "Mona", "ASSISTANT", asMOA)
	addMembers(t, a, f.clinic, f.doc, doc2, f.moa)
	f.docReq = enrolled(t, a, f.doc, f.clinic)
	provision(t, a, doc2, "demographics,clinical_documents", f.clinic)
	f.sp = sponsor(t, a, f.moa, f.doc, f.clinic)
	sponsor(t, a, f.moa, doc2, f.clinic)
	f.moaReq = approveOBO(t, a, officer, f.moa, f.clinic)
	wantScopes(t, a.DB, f.moaReq, portal.ScopeDemographics, portal.ScopeLabResults, portal.ScopeClinicalDocuments)
	return f, doc2
}

// grantOnly sets the scopes an approved request holds straight in the
// store, as if the team had granted only those.
func grantOnly(t *testing.T, a *app.App, r *portal.AccessRequest, scopes string) {
	t.Helper()
	if err := a.DB.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.ChangeAccessRequest(ctx, store.AccessRequestChange{ID: r.ID, From: []string{portal.ARApproved},
			To: portal.ARApproved, At: a.Now(), ActorKind: portal.ActorStaff, ActorID: "officer.one",
			Set: map[string]any{"granted_scopes": scopes}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func wantScopes(t *testing.T, db *store.DB, r *portal.AccessRequest, want ...portal.DataScope) {
	t.Helper()
	if got := boRequest(t, db, r.ID).GrantedScopes; !slices.Equal(got, want) {
		t.Fatalf("granted scopes %v, want %v", got, want)
	}
}

// wantPolicyHolds checks the named invariants against the database (the
// fixtures provision people without their prerequisites, so not all).
func wantPolicyHolds(t *testing.T, a *app.App, invariants ...string) {
	t.Helper()
	vs, err := a.CheckInvariants(ctx)
	if err != nil {
		t.Fatal(err)
	}
	vs = slices.DeleteFunc(vs, func(v portal.Violation) bool { return !slices.Contains(invariants, v.Invariant) })
	if len(vs) > 0 {
		t.Fatalf("policy: %v", vs)
	}
}

var sponsorInvariants = []string{portal.InvProvisionedScopes, portal.InvOBOQualifyingSponsor}

// wantNarrowed checks the whole effect of narrowing an on-behalf-of user's
// scopes from all three to demographics and clinical documents: the request
// still approved with those scopes, the history note, the audit row, the
// change feed's user.updated and the email naming what she no longer sees.
func wantNarrowed(t *testing.T, db *store.DB, obo *portal.Account, r *portal.AccessRequest, cause string) {
	t.Helper()
	wantStatus(t, db, r, portal.ARApproved)
	wantScopes(t, db, r, portal.ScopeDemographics, portal.ScopeClinicalDocuments)
	var note string
	for _, e := range requestHistory(t, db, r.ID) {
		if strings.HasPrefix(e.Note, "Data scopes narrowed") {
			note = e.Note
			if e.ActorKind != portal.ActorSystem || e.FromStatus != portal.ARApproved ||
				e.ToStatus != portal.ARApproved {
				t.Fatalf("history %+v", e)
			}
		}
	}
	if want := "Data scopes narrowed to what the authorizers who sponsor this person were granted: no longer Laboratory results; " +
		"still Demographics, Clinical documents. " + cause; note != want {
		t.Fatalf("history note %q, want %q", note, want)
	}
	var found bool
	for _, e := range requestAudit(t, db, r.ID) {
		if e.Action == "access.scopes_narrowed" {
			found = true
			if e.ActorKind != portal.ActorSystem || !strings.Contains(e.Details, `"removed":["laboratory_results"]`) ||
				!strings.Contains(e.Details, `"granted_scopes":["demographics","clinical_documents"]`) {
				t.Fatalf("audit %+v", e)
			}
		}
	}
	if !found {
		t.Fatal("no access.scopes_narrowed audit row")
	}
	found = false
	for _, e := range accountFeed(t, db, obo.ID) {
		if e.Type == app.ProvUserUpdated && strings.Contains(e.Data, `"changed":"scopes"`) {
			found = true
			if !strings.Contains(e.Data, `"scopes":["demographics","clinical_documents"]`) {
				t.Fatalf("change feed %+v", e)
			}
		}
	}
	if !found {
		t.Fatal("no user.updated event for the scopes")
	}
	wantOneEmail(t, db, obo.Email, "access_scopes_narrowed", "You keep your CareConnect access", cause, "no longer see",
		"- Laboratory results: Results of laboratory tests.", "You still see:", "- Demographics:", "- Clinical documents:",
		"https://portal.test/sponsorships")
}

// An on-behalf-of user sees no more than the sponsors who qualify were
// granted: when one of two sponsors stops qualifying she keeps her access
// with the other's scopes only, and neither the team's reinstatement nor
// her annual review gives her more.
func TestApp_SponsorScopesNarrow(t *testing.T) {
	eachClockApp(t, func(t *testing.T, db *store.DB, a *app.App, clock *fixture.Clock) {
		start := clock.Now()
		officer := oliviaOfficer(t, a)

		t.Run("LapseOfOneSponsor", func(t *testing.T) {
			f, _ := twoSponsors(t, a, officer, "narr", "301")
			boChangeAccess(t, a, officer, f.doc.ID, portal.AccessSuspend, "Licence under review.")
			wantNarrowed(t, db, f.moa, f.moaReq,
				"Dalia DOCTOR's own CareConnect access was suspended by the CareConnect team.")
			mustEmails(t, db, f.moa.Email, "access_lapsed", 0)
			wantPolicyHolds(t, a, sponsorInvariants...)
			// The sponsor comes back: her scopes do not.
			boChangeAccess(t, a, officer, f.doc.ID, portal.AccessReinstate, "Licence confirmed.")
			wantScopes(t, db, f.moaReq, portal.ScopeDemographics, portal.ScopeClinicalDocuments)
		})

		t.Run("SponsorLeavesTheWorksite", func(t *testing.T) {
			f, _ := twoSponsors(t, a, officer, "nardec", "302")
			if err := a.Decommission(ctx, meta, f.admin, f.clinic.ID, f.doc.ID, ""); err != nil {
				t.Fatal(err)
			}
			wantNarrowed(t, db, f.moa, f.moaReq,
				"Dalia DOCTOR no longer belongs to Clinic nardec, the worksite you shared.")
			wantPolicyHolds(t, a, sponsorInvariants...)
		})

		t.Run("NothingInCommonLapses", func(t *testing.T) {
			f, _ := twoSponsors(t, a, officer, "narnone", "303")
			// The team granted her laboratory results only: the second sponsor
			// was never granted them.
			grantOnly(t, a, f.moaReq, "laboratory_results")
			revoke(t, a, f.doc, f.sp.ID, "Left the clinic.")
			wantLapsed(t, db, f.moa, f.moaReq, app.LapseSponsorshipRevoked,
				"The authorizers who still sponsor you were not granted any of the information you were granted")
			mustEmails(t, db, f.moa.Email, "access_scopes_narrowed", 0)
			wantScopes(t, db, f.moaReq, portal.ScopeLabResults)
			wantPolicyHolds(t, a, sponsorInvariants...)
		})

		t.Run("ApprovalOffersOnlyQualifyingSponsors", func(t *testing.T) {
			_, clinic := adminClinic(t, a, "narap", "304")
			doc := enrol(t, a, "narap.doc", "Dalia", "DOCTOR", nil)
			doc2 := enrol(t, a, "narap.doc2", "Ravi", "PHYSICIAN", nil)
			moa := enrol(t, a, "narap.moa", "Mona", "ASSISTANT", asMOA)
			addMembers(t, a, clinic, doc, doc2, moa)
			enrolled(t, a, doc, clinic)
			provision(t, a, doc2, "demographics,clinical_documents", clinic)
			sponsor(t, a, moa, doc, clinic)
			sponsor(t, a, moa, doc2, clinic)
			passTraining(t, a, moa)
			r, err := a.SubmitAccessRequest(ctx, meta, moa, enrolment(clinic))
			if err != nil {
				t.Fatal(err)
			}
			// The first sponsor stops qualifying while the request waits.
			boChangeAccess(t, a, officer, doc.ID, portal.AccessSuspend, "Licence under review.")
			allowed, _, err := a.AllowedScopes(ctx, moa)
			if err != nil ||
				!slices.Equal(allowed, []portal.DataScope{portal.ScopeDemographics, portal.ScopeClinicalDocuments}) {
				t.Fatalf("allowed %v %v: only the sponsor who qualifies counts", allowed, err)
			}
			boClaim(t, a, officer, r.ID)
			_, err = a.ApproveAccessRequest(
				ctx,
				meta,
				officer,
				r.ID,
				[]portal.DataScope{portal.ScopeDemographics, portal.ScopeLabResults},
			)
			wantCode(t, err, portal.EINVALID)
			if _, err := a.ApproveAccessRequest(ctx, meta, officer, r.ID, allowed); err != nil {
				t.Fatal(err)
			}
			wantScopes(t, db, r, portal.ScopeDemographics, portal.ScopeClinicalDocuments)
			wantPolicyHolds(t, a, sponsorInvariants...)
		})

		t.Run("TeamReinstates", func(t *testing.T) {
			f, _ := twoSponsors(t, a, officer, "narre", "305")
			boChangeAccess(t, a, officer, f.moa.ID, portal.AccessSuspend, "Checking her clinic.")
			// While she is suspended, the first sponsor stops qualifying.
			boChangeAccess(t, a, officer, f.doc.ID, portal.AccessSuspend, "Licence under review.")
			wantScopes(t, db, f.moaReq, portal.ScopeDemographics, portal.ScopeLabResults, portal.ScopeClinicalDocuments)
			boChangeAccess(t, a, officer, f.moa.ID, portal.AccessReinstate, "Clinic confirmed.")
			wantNarrowed(t, db, f.moa, f.moaReq,
				"The CareConnect team reinstated your access through the authorizers who sponsor you now.")
			mustEmails(t, db, f.moa.Email, "access_reinstated", 1)
			wantPolicyHolds(t, a, sponsorInvariants...)
		})

		t.Run("TeamCannotReinstateWithNothingInCommon", func(t *testing.T) {
			f, _ := twoSponsors(t, a, officer, "narrx", "306")
			grantOnly(t, a, f.moaReq, "laboratory_results")
			boChangeAccess(t, a, officer, f.moa.ID, portal.AccessSuspend, "Checking her clinic.")
			boChangeAccess(t, a, officer, f.doc.ID, portal.AccessSuspend, "Licence under review.")
			_, err := a.ChangeAccess(ctx, meta, officer, f.moa.ID, portal.AccessReinstate, "Clinic confirmed.")
			wantMessage(
				t,
				err,
				portal.ECONFLICT,
				"Mona ASSISTANT's access cannot be reinstated: the authorizers who qualify as their "+
					"sponsors now were granted none of the data scopes their access holds. Decline to reinstate it, or have them ask an "+
					"authorizer who sees that information to sponsor them.",
			)
			wantStatus(t, db, f.moaReq, portal.ARSuspended)
		})

		t.Run("AnnualReviewReinstates", func(t *testing.T) {
			f, _ := twoSponsors(t, a, officer, "narrv", "307")
			// Her review falls overdue and suspends her access (her sponsors'
			// access was approved without a review date).
			clock.Set(start.AddDate(1, 1, 5))
			defer clock.Set(start)
			rvRun(t, a)
			wantStatus(t, db, f.moaReq, portal.ARSuspended)
			// The first sponsor ends the sponsorship meanwhile.
			revoke(t, a, f.doc, f.sp.ID, "")
			v, err := confirmReview(a, f.moa)
			if err != nil || !v.Reinstated {
				t.Fatalf("review %+v %v", v, err)
			}
			wantNarrowed(
				t,
				db,
				f.moa,
				f.moaReq,
				"You confirmed your annual review, and your access continues through the authorizers who sponsor you now.",
			)
			wantPolicyHolds(t, a, sponsorInvariants...)
		})
	})
}
