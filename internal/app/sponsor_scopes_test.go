package app_test

import (
	"slices"
	"strings"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

// twoSponsors is an oboFix whose MOA is sponsored by a second physician
// too, granted other scopes than the first: the MOA's access, approved with
// everything allowed, holds demographics and laboratory results through
// the first and clinical documents through the second.
func twoSponsors(t *testing.T, a *app.App, officer *portal.Staff, key, unit string) (*oboFix, *portal.Account) {
	t.Helper()
	f := &oboFix{}
	f.admin = enrol(t, a, key+".admin", "Lena", "ADMIN", asMOA)
	f.clinic = approvedWorksite(t, a, f.admin, worksiteAt("Clinic "+key, unit))
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
// scopes: the history note, the audit row, the change feed's user.updated
// and the email naming what she no longer sees.
func wantNarrowed(t *testing.T, db *store.DB, obo *portal.Account, r *portal.AccessRequest, cause string) {
	t.Helper()
	evs, err := db.Read().FindAccessRequestEvents(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	var note string
	for _, e := range evs {
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
	audit, err := db.Read().
		FindAuditEvents(ctx, store.AuditFilter{SubjectKind: "access_request", SubjectID: itoa(int64(r.ID))})
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, e := range audit {
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
	feed, err := db.Read().FindProvisioningEvents(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	found = false
	for _, e := range feed {
		if e.AccountID == obo.ID && e.Type == app.ProvUserUpdated && strings.Contains(e.Data, `"changed":"scopes"`) {
			found = true
			if !strings.Contains(e.Data, `"scopes":["demographics","clinical_documents"]`) {
				t.Fatalf("change feed %+v", e)
			}
		}
	}
	if !found {
		t.Fatal("no user.updated event for the scopes")
	}
	es := mustEmails(t, db, obo.Email, "access_scopes_narrowed", 1)
	for _, want := range []string{"You keep your CareConnect access", cause, "no longer see",
		"- Laboratory results: Results of laboratory tests.", "You still see:", "- Demographics:", "- Clinical documents:",
		"https://portal.test/sponsorships"} {
		if !strings.Contains(es[0].Text, want) {
			t.Fatalf("email lacks %q:\n%s", want, es[0].Text)
		}
	}
}

// An on-behalf-of user sees no more than the sponsors who qualify were
// granted: when one of two sponsors stops qualifying she keeps her access
// with the other's scopes only, and neither the team's reinstatement nor
// her annual review gives her more.
func TestApp_SponsorScopesNarrow(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, clock := rvApp(t, db)
		start := clock.Now()
		officer := boStaff(t, a, "olivia", "Olivia", "OFFICER", portal.RoleOfficer)

		t.Run("LapseOfOneSponsor", func(t *testing.T) {
			f, _ := twoSponsors(t, a, officer, "narr", "301")
			boChangeAccess(t, a, officer, f.doc.ID, portal.AccessSuspend, "Licence under review.")
			wantStatus(t, db, f.moaReq, portal.ARApproved)
			wantScopes(t, db, f.moaReq, portal.ScopeDemographics, portal.ScopeClinicalDocuments)
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
			wantStatus(t, db, f.moaReq, portal.ARApproved)
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
			admin := enrol(t, a, "narap.admin", "Lena", "ADMIN", asMOA)
			clinic := approvedWorksite(t, a, admin, worksiteAt("Clinic narap", "304"))
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
			wantStatus(t, db, f.moaReq, portal.ARApproved)
			wantScopes(t, db, f.moaReq, portal.ScopeDemographics, portal.ScopeClinicalDocuments)
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
			wantStatus(t, db, f.moaReq, portal.ARApproved)
			wantScopes(t, db, f.moaReq, portal.ScopeDemographics, portal.ScopeClinicalDocuments)
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
