package app_test

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// enrol registers a person; edit sets their profession.
func enrol(
	t *testing.T,
	a *app.App,
	key, given, surname string,
	edit func(in *portal.RegistrationInput),
) *portal.Account {
	t.Helper()
	return fixture.Register(t, a, key, given, surname, edit)
}

func asMOA(in *portal.RegistrationInput)      { in.Profession = string(portal.ProfMOA) }
func asResident(in *portal.RegistrationInput) { in.Resident = "yes" }
func asPharmacist(in *portal.RegistrationInput) {
	in.Profession, in.CollegeID = string(portal.ProfPharmacist), "P-20417"
}
func asRN(in *portal.RegistrationInput) {
	in.Profession, in.NurseLicence, in.CollegeID = string(portal.ProfNurse), string(portal.LicenceRN), "1234567"
}

// addMembers makes people active members of a worksite.
func addMembers(t *testing.T, a *app.App, w *portal.Worksite, people ...*portal.Account) {
	t.Helper()
	err := a.DB.InTx(ctx, func(tx *store.Tx) error {
		for _, p := range people {
			if err := tx.AddMember(ctx, w.ID, p.ID, portal.RoleMember, a.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func worksiteAt(name, unit string) portal.WorksiteInput {
	in := worksiteInput(name)
	in.Manual.Unit = unit
	return in
}

func sponsorInput(auth *portal.Account, w *portal.Worksite) portal.SponsorshipInput {
	return portal.SponsorshipInput{AuthorizerID: itoa(int64(auth.ID)), WorksiteID: itoa(int64(w.ID))}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// enrolled gives an authorizer approved CareConnect access at the
// worksites, so they may sponsor people.
func enrolled(t *testing.T, a *app.App, auth *portal.Account, ws ...*portal.Worksite) *portal.AccessRequest {
	t.Helper()
	return provision(t, a, auth, "demographics,laboratory_results", ws...)
}

func sponsorAudit(t *testing.T, db *store.DB, id portal.SponsorshipID) []string {
	t.Helper()
	var out []string
	for _, e := range auditWhere(t, db, store.AuditFilter{SubjectKind: "sponsorship", SubjectID: itoa(int64(id))}) {
		out = append(out, e.ActorKind+":"+e.Action)
	}
	return out
}

func TestApp_SponsorshipCandidates(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		doc := enrol(t, a, "dr.dalia", "Dalia", "DOCTOR", nil)
		moa := enrol(t, a, "mo.assistant", "Mona", "ASSISTANT", asMOA)
		rn := enrol(t, a, "rita.nurse", "Rita", "NURSE", asRN)
		pharm := enrol(t, a, "phil.pharm", "Phil", "PHARMACIST", asPharmacist)
		moa2 := enrol(t, a, "other.moa", "Otto", "OFFICE", asMOA)
		res := enrol(t, a, "rae.resident", "Rae", "RESIDENT", asResident)
		far := enrol(t, a, "dr.far", "Farah", "AWAY", nil)
		pendDoc := enrol(t, a, "dr.pending", "Pat", "PENDING", nil)

		clinic := approvedWorksite(t, a, doc, worksiteAt("Kingsgate Mall Clinic", "101"))
		addMembers(t, a, clinic, moa, rn, pharm, moa2, res)
		approvedWorksite(t, a, far, worksiteAt("Faraway Clinic", "102"))
		pending, err := a.RegisterWorksite(ctx, meta, pendDoc, worksiteAt("Pending Clinic", "103"))
		if err != nil {
			t.Fatal(err)
		}
		addMembers(t, a, pending, moa)

		enrolled(t, a, doc, clinic)
		got, err := a.SponsorshipCandidates(ctx, moa, "")
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, c := range got {
			names = append(
				names,
				fmt.Sprintf("%s@%s:%v%s", c.Account.DisplayName(), c.WorksiteName, c.Eligible, c.Reason),
			)
		}
		// The registered nurse works there too but has no CareConnect access of her own yet.
		if strings.Join(
			names,
			", ",
		) != "Dalia DOCTOR@Kingsgate Mall Clinic:true, Rita NURSE@Kingsgate Mall Clinic:false"+portal.SponsorAccessNotApproved {
			t.Fatalf("candidates %v: only the physician and the registered nurse who share an approved worksite", names)
		}
		if got, _ := a.SponsorshipCandidates(ctx, moa, "rita"); len(got) != 1 || got[0].Account.ID != rn.ID {
			t.Fatalf("search: %+v", got)
		}

		t.Run("ErrNotOnBehalfOf", func(t *testing.T) {
			for _, who := range []*portal.Account{doc, rn, pharm} {
				_, err := a.SponsorshipCandidates(ctx, who, "")
				wantCode(t, err, portal.EFORBIDDEN)
				if !strings.Contains(portal.ErrorMessage(err), "does not work on behalf of an authorizer") {
					t.Errorf("message %q", portal.ErrorMessage(err))
				}
			}
		})
		t.Run("ResidentChoosesFirst", func(t *testing.T) {
			_, err := a.SponsorshipCandidates(ctx, res, "")
			wantCode(t, err, portal.EFORBIDDEN)
			if !strings.Contains(portal.ErrorMessage(err), "first choose") {
				t.Fatalf("message %q", portal.ErrorMessage(err))
			}
			wantCode(t, a.ChooseResidentRoute(ctx, meta, res, "maybe"), portal.EINVALID)
			wantCode(t, a.ChooseResidentRoute(ctx, meta, doc, portal.ResidentSponsored), portal.EFORBIDDEN)
			if err := a.ChooseResidentRoute(ctx, meta, res, portal.ResidentSponsored); err != nil {
				t.Fatal(err)
			}
			stored, _ := db.Read().FindAccountByID(ctx, res.ID)
			if stored.ResidentRoute != portal.ResidentSponsored || stored.UserType() != portal.UserOnBehalfOf {
				t.Fatalf("route %q type %q", stored.ResidentRoute, stored.UserType())
			}
			if acts := auditActions(t, db, itoa(int64(res.ID))); !strings.Contains(
				strings.Join(acts, " "),
				"account.resident_route_chosen",
			) {
				t.Fatalf("audit %v", acts)
			}
			got, err := a.SponsorshipCandidates(ctx, stored, "")
			if err != nil || len(got) != 2 || !got[0].Eligible || got[1].Eligible ||
				got[1].Reason != portal.SponsorNotPhysician {
				t.Fatalf(
					"resident's candidates %+v %v: the enrolled physician, and the nurse who cannot sponsor a resident",
					got,
					err,
				)
			}
			// The resident is never a candidate for the MOA, whatever their route.
			if got, _ := a.SponsorshipCandidates(ctx, moa, "rae"); len(got) != 0 {
				t.Fatalf("a resident offered as an authorizer: %+v", got)
			}
		})
	})
}

func TestApp_SponsorshipRequest(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		doc := enrol(t, a, "dr.dalia", "Dalia", "DOCTOR", nil)
		moa := enrol(t, a, "mo.assistant", "Mona", "ASSISTANT", asMOA)
		far := enrol(t, a, "dr.far", "Farah", "AWAY", nil)
		outsider := enrol(t, a, "dr.outsider", "Otto", "SIDER", nil)
		clinic := approvedWorksite(t, a, doc, worksiteAt("Kingsgate Mall Clinic", "101"))
		farSite := approvedWorksite(t, a, far, worksiteAt("Faraway Clinic", "102"))
		addMembers(t, a, clinic, moa)
		enrolled(t, a, doc, clinic)
		enrolled(t, a, far, farSite)

		t.Run("ErrFields", func(t *testing.T) {
			_, err := a.RequestSponsorship(ctx, meta, moa, portal.SponsorshipInput{Message: strings.Repeat("x", 1001)})
			fe, _ := portal.AsFieldErrors(err)
			if fe["authorizer"] == "" || fe["message"] == "" {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("ErrOutsideReach", func(t *testing.T) {
			for _, in := range []portal.SponsorshipInput{sponsorInput(far, farSite), sponsorInput(far, clinic), sponsorInput(doc, farSite)} {
				_, err := a.RequestSponsorship(ctx, meta, moa, in)
				wantCode(t, err, portal.ENOTFOUND)
			}
			_, err := a.RequestSponsorship(ctx, meta, doc, sponsorInput(doc, clinic))
			wantCode(t, err, portal.EFORBIDDEN)
		})

		in := sponsorInput(doc, clinic)
		in.Message = "  I run the front desk.  "
		s, err := a.RequestSponsorship(ctx, meta, moa, in)
		if err != nil {
			t.Fatal(err)
		}
		if s.Status != portal.SponsorPending || s.Message != "I run the front desk." || s.WorksiteID != clinic.ID {
			t.Fatalf("got %+v", s)
		}
		es := mustEmails(t, db, doc.Email, "sponsorship_requested", 1)
		if !strings.Contains(es[0].Text, "https://portal.test/sponsorships/"+itoa(int64(s.ID))) ||
			!strings.Contains(es[0].Text, "I run the front desk.") ||
			!strings.Contains(
				es[0].Subject,
				"Mona ASSISTANT would like to work on your behalf at Kingsgate Mall Clinic",
			) {
			t.Fatalf("request email %q:\n%s", es[0].Subject, es[0].Text)
		}
		if _, err := a.RequestSponsorship(ctx, meta, moa, sponsorInput(doc, clinic)); portal.ErrorCode(
			err,
		) != portal.ECONFLICT ||
			!strings.Contains(portal.ErrorMessage(err), "already asked Dalia DOCTOR") {
			t.Fatalf("second request: %v", err)
		}

		t.Run("NotificationCentre", func(t *testing.T) {
			items, err := a.ActionItems(ctx, doc)
			if err != nil {
				t.Fatal(err)
			}
			var found *portal.ActionItem
			for i := range items {
				if items[i].Kind == "sponsorship" {
					found = &items[i]
				}
			}
			if found == nil || found.Description != "Mona ASSISTANT would like to work on your behalf at Kingsgate Mall Clinic." ||
				found.AcceptURL != "/sponsorships/"+itoa(int64(s.ID))+"/approve" ||
				found.ViewURL != "/sponsorships/"+itoa(int64(s.ID)) ||
				found.RejectURL != "" {
				t.Fatalf("action items %+v", items)
			}
			if items, _ := a.ActionItems(ctx, outsider); len(items) != 0 {
				t.Fatalf("outsider sees %+v", items)
			}
			mine, err := a.YourRequests(ctx, moa)
			if err != nil || len(mine) != 1 || mine[0].Kind != "sponsorship" || mine[0].Status != "pending" ||
				!strings.Contains(mine[0].Description, "Dalia DOCTOR") {
				t.Fatalf("your requests %+v %v", mine, err)
			}
		})
		t.Run("ErrOutsider", func(t *testing.T) {
			_, err := a.Sponsorship(ctx, outsider, s.ID)
			wantCode(t, err, portal.ENOTFOUND)
			_, err = a.DecideSponsorship(ctx, meta, outsider, s.ID, true, "")
			wantCode(t, err, portal.ENOTFOUND)
			_, err = a.RevokeSponsorship(ctx, meta, outsider, s.ID, "")
			wantCode(t, err, portal.ENOTFOUND)
			_, err = a.Sponsorship(ctx, outsider, 99999)
			wantCode(t, err, portal.ENOTFOUND)
			// The person who asked sees the request but cannot decide it.
			if got, err := a.Sponsorship(ctx, moa, s.ID); err != nil || got.AuthorizerName != "Dalia DOCTOR" {
				t.Fatalf("requester view %+v %v", got, err)
			}
			_, err = a.DecideSponsorship(ctx, meta, moa, s.ID, true, "")
			wantCode(t, err, portal.EFORBIDDEN)
			if got, _ := db.Read().FindSponsorshipByID(ctx, s.ID); got.Status != portal.SponsorPending {
				t.Fatalf("status %s", got.Status)
			}
		})
		t.Run("ErrDeclineNeedsReason", func(t *testing.T) {
			_, err := a.DecideSponsorship(ctx, meta, doc, s.ID, false, "  ")
			if fe, _ := portal.AsFieldErrors(err); fe["reason"] == "" {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("ConcurrentDecisionsOneStands", func(t *testing.T) {
			oneDecisionStands(t, func(i int) error {
				_, err := a.DecideSponsorship(ctx, meta, doc, s.ID, i == 0, "You work for Dr. Chan.")
				return err
			})
			mustEmails(t, db, moa.Email, "sponsorship_decided", 1)
		})
		if got, _ := db.Read().FindSponsorshipByID(ctx, s.ID); got.Status == portal.SponsorDeclined {
			// The decline won: the pair is free again; ask and approve once more.
			if s, err = a.RequestSponsorship(ctx, meta, moa, sponsorInput(doc, clinic)); err != nil {
				t.Fatal(err)
			}
			if _, err := a.DecideSponsorship(ctx, meta, doc, s.ID, true, ""); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := a.ActiveSponsorCount(ctx, moa); n != 1 || err != nil {
			t.Fatalf("active count %d %v", n, err)
		}
		if sp, _ := a.ActiveSponsors(ctx, moa); len(sp) != 1 || sp[0].AuthorizerAccountID != doc.ID {
			t.Fatalf("active sponsors %+v", sp)
		}
		if _, err := a.RequestSponsorship(ctx, meta, moa, sponsorInput(doc, clinic)); portal.ErrorCode(
			err,
		) != portal.ECONFLICT ||
			!strings.Contains(portal.ErrorMessage(err), "already sponsors you") {
			t.Fatalf("asking an active sponsor again: %v", err)
		}
		if items, _ := a.ActionItems(ctx, doc); len(items) != 0 {
			t.Fatalf("a decided request still waits: %+v", items)
		}

		t.Run("Revoke", func(t *testing.T) {
			got, err := a.RevokeSponsorship(ctx, meta, doc, s.ID, "Left the clinic.")
			if err != nil || got.Status != portal.SponsorRevoked {
				t.Fatalf("revoke %+v %v", got, err)
			}
			es := mustEmails(t, db, moa.Email, "sponsorship_ended", 1)
			if !strings.Contains(es[0].Text, "Left the clinic.") ||
				!strings.Contains(es[0].Text, "No other authorizer who can sponsor you remains") {
				t.Fatalf("ended email:\n%s", es[0].Text)
			}
			if n, _ := a.ActiveSponsorCount(ctx, moa); n != 0 {
				t.Fatalf("active count %d after revoking, want 0", n)
			}
			_, err = a.RevokeSponsorship(ctx, meta, doc, s.ID, "")
			wantCode(t, err, portal.ECONFLICT)
			acts := strings.Join(sponsorAudit(t, db, s.ID), " ")
			for _, want := range []string{"account:sponsorship.requested", "account:sponsorship.approved", "account:sponsorship.revoked"} {
				if !strings.Contains(acts, want) {
					t.Errorf("audit %s lacks %s", acts, want)
				}
			}
			mine, _ := a.YourRequests(ctx, moa)
			if mine[0].Status != portal.RequestRevoked || !strings.Contains(mine[0].Detail, "Left the clinic.") {
				t.Fatalf("your requests %+v", mine[0])
			}
		})
	})
}

func TestApp_SponsorshipResidencyEnds(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		doc := enrol(t, a, "dr.dalia", "Dalia", "DOCTOR", nil)
		doc2 := enrol(t, a, "dr.ravi", "Ravi", "PHYSICIAN", nil)
		res := enrol(t, a, "rae.resident", "Rae", "RESIDENT", asResident)
		clinic := approvedWorksite(t, a, doc, worksiteAt("Kingsgate Mall Clinic", "101"))
		addMembers(t, a, clinic, doc2, res)
		enrolled(t, a, doc, clinic)
		enrolled(t, a, doc2, clinic)
		if err := a.ChooseResidentRoute(ctx, meta, res, portal.ResidentSponsored); err != nil {
			t.Fatal(err)
		}

		_, err := a.RequestSponsorship(ctx, meta, res, sponsorInput(doc, clinic))
		if fe, _ := portal.AsFieldErrors(err); fe["residency_start"] == "" || fe["residency_end"] == "" {
			t.Fatalf("a resident without dates: %v", err)
		}
		in := sponsorInput(doc, clinic)
		in.ResidencyStart, in.ResidencyEnd = "2026-07-01", "2026-12-31"
		first, err := a.RequestSponsorship(ctx, meta, res, in)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(mustEmails(t, db, doc.Email, "sponsorship_requested", 1)[0].Text, "31 Dec 2026") {
			t.Fatal("the request email lacks the residency end")
		}
		in = sponsorInput(doc2, clinic)
		in.ResidencyStart, in.ResidencyEnd = "2026-07-01", "2027-06-30"
		second, err := a.RequestSponsorship(ctx, meta, res, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.DecideSponsorship(ctx, meta, doc, first.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := a.DecideSponsorship(ctx, meta, doc2, second.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		wantCode(t, a.ChooseResidentRoute(ctx, meta, res, portal.ResidentIndependent), portal.ECONFLICT)
		if n, _ := a.ActiveSponsorCount(ctx, res); n != 2 {
			t.Fatalf("active count %d, want 2", n)
		}
		// Before the residency starts, an approved sponsorship grants nothing yet.
		now := a.Now
		a.Now = func() time.Time { return time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC) }
		if n, _ := a.ActiveSponsorCount(ctx, res); n != 0 {
			t.Fatalf("active count %d before the residency, want 0", n)
		}
		if sp, _ := a.ActiveSponsors(ctx, res); len(sp) != 0 {
			t.Fatalf("active sponsors %+v before the residency", sp)
		}
		a.Now = now

		// The last minute of December 31 in British Columbia: nothing ends.
		a.Now = func() time.Time { return time.Date(2027, 1, 1, 7, 59, 0, 0, time.UTC) }
		if n, err := a.EndResidencies(ctx); n != 0 || err != nil {
			t.Fatalf("ended %d %v on the last day", n, err)
		}
		// Midnight in Vancouver: the first residency ends, once, even on two instances.
		a.Now = func() time.Time { return time.Date(2027, 1, 1, 8, 0, 0, 0, time.UTC) }
		var wg sync.WaitGroup
		counts := make([]int, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var err error
				if counts[i], err = a.EndResidencies(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if counts[0]+counts[1] != 1 {
			t.Fatalf("ended %v, want exactly one", counts)
		}
		if n, _ := a.EndResidencies(ctx); n != 0 {
			t.Fatalf("ended %d more on a second run", n)
		}
		es := mustEmails(t, db, res.Email, "sponsorship_ended", 1)
		if !strings.Contains(es[0].Text, "31 Dec 2026") || !strings.Contains(es[0].Text, "another authorizer") {
			t.Fatalf("ended email:\n%s", es[0].Text)
		}
		if got, _ := db.Read().FindSponsorshipByID(ctx, first.ID); got.Status != portal.SponsorEnded {
			t.Fatalf("status %s", got.Status)
		}
		if acts := sponsorAudit(t, db, first.ID); acts[len(acts)-1] != "system:sponsorship.ended" {
			t.Fatalf("audit %v", acts)
		}
		if n, _ := a.ActiveSponsorCount(ctx, res); n != 1 {
			t.Fatalf("active count %d, want the second physician's sponsorship", n)
		}

		// After 30 Jun 2027 the second lapses at once, before the job runs.
		a.Now = func() time.Time { return time.Date(2027, 7, 1, 9, 0, 0, 0, time.UTC) }
		if n, _ := a.ActiveSponsorCount(ctx, res); n != 0 {
			t.Fatalf("active count %d after the residency, want 0", n)
		}
		if sp, _ := a.ActiveSponsors(ctx, res); len(sp) != 0 {
			t.Fatalf("active sponsors %+v after the residency", sp)
		}
		if n, err := a.EndResidencies(ctx); n != 1 || err != nil {
			t.Fatalf("ended %d %v", n, err)
		}
		es = mustEmails(t, db, res.Email, "sponsorship_ended", 2)
		if !strings.Contains(es[0].Text, "No other authorizer who can sponsor you remains") {
			t.Fatalf("last ended email:\n%s", es[0].Text)
		}
		mine, _ := a.YourRequests(ctx, res)
		if len(mine) != 2 || mine[0].Status != portal.SponsorEnded || !strings.Contains(mine[0].Detail, "30 Jun 2027") {
			t.Fatalf("your requests %+v", mine)
		}
		// With nothing open, the resident may now work independently.
		if err := a.ChooseResidentRoute(ctx, meta, res, portal.ResidentIndependent); err != nil {
			t.Fatal(err)
		}
		_, err = a.SponsorshipCandidates(ctx, res, "")
		wantCode(t, err, portal.EFORBIDDEN)
	})
}

// A resident who requested or holds access in their own name cannot turn
// into an on-behalf-of user with no sponsor: the sponsored route waits
// until that access, or the request for it, is settled.
func TestApp_ResidentRouteKeepsAccessInOwnName(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		olivia := oliviaOfficer(t, a)
		res := enrol(t, a, "rae.resident", "Rae", "RESIDENT", asResident)
		if err := a.ChooseResidentRoute(ctx, meta, res, portal.ResidentIndependent); err != nil {
			t.Fatal(err)
		}
		clinic := approvedWorksite(t, a, res, worksiteAt("Kingsgate Mall Clinic", "101"))
		passTraining(t, a, res)
		signHPCAA(t, a, res)
		r, err := a.SubmitAccessRequest(ctx, meta, res, enrolment(clinic))
		if err != nil {
			t.Fatal(err)
		}
		wantMessage(
			t,
			a.ChooseResidentRoute(ctx, meta, res, portal.ResidentSponsored),
			portal.ECONFLICT,
			"Your CareConnect access request, made as an independent user, is waiting for the CareConnect team. You can choose sponsorship once it is decided and you hold no access in your own name.",
		)

		boClaim(t, a, olivia, r.ID)
		if _, err := a.ApproveAccessRequest(ctx, meta, olivia, r.ID, portal.ScopesFor(portal.ProfPhysician, "")); err != nil {
			t.Fatal(err)
		}
		for _, status := range []string{"approved", "suspended"} {
			wantMessage(
				t,
				a.ChooseResidentRoute(ctx, meta, res, portal.ResidentSponsored),
				portal.ECONFLICT,
				"You hold CareConnect access as an independent user ("+status+"). To be sponsored by an authorizer instead, ask the CareConnect team to remove that access first.",
			)
			if status == "approved" {
				boChangeAccess(t, a, olivia, res.ID, portal.AccessSuspend, "Checking.")
			}
		}
		if stored, _ := a.Account(ctx, res.ID); stored.UserType() != portal.UserIndependent {
			t.Fatalf("user type %s after refusals", stored.UserType())
		}
		if vs, err := a.CheckInvariants(ctx); err != nil || len(vs) != 0 {
			t.Fatalf("policy: %v %v", violationStrings(vs), err)
		}

		// Once the access is removed, the resident may be sponsored.
		boChangeAccess(t, a, olivia, res.ID, portal.AccessDeprovision, "Moving to a sponsored residency.")
		if err := a.ChooseResidentRoute(ctx, meta, res, portal.ResidentSponsored); err != nil {
			t.Fatal(err)
		}
		if stored, _ := a.Account(ctx, res.ID); stored.UserType() != portal.UserOnBehalfOf {
			t.Fatalf("user type %s", stored.UserType())
		}
	})
}
