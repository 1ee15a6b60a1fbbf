package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// The reproduction over HTTP: an MOA chose as authorizer a
// physician whose own CareConnect request was still pending, and the team
// approved the MOA. Now the physician is not offered (shown greyed, with
// why), asking them anyway is refused, and the team's approval of an MOA
// whose only sponsor is not provisioned is refused with a red check.
func TestWeb_SponsorMustHaveAccess(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		ctx := t.Context()
		doc := inst.Confirmed(t, "Dalia", "DOCTOR", "dalia@example.ca", "dalia.doctor")
		wsID, _ := registerWorksite(t, inst, doc, "Kingsgate Mall Clinic", "101")
		moa := inst.Registered(t, "Mona", "FRONTDESK", "mona@example.ca", "mona.frontdesk", portaltest.AsMOA)
		joinDirectly(t, inst, wsID, "mona@example.ca")
		docAcct, moaAcct := inst.Account(t, "dalia@example.ca"), inst.Account(t, "mona@example.ca")
		ws, _ := strconv.ParseInt(wsID, 10, 64)
		// The physician's own request is pending.
		docReq := &portal.AccessRequest{AccountID: docAcct.ID, Status: portal.ARSubmitted, UserType: docAcct.UserType(),
			Profession: docAcct.Profession, FirstName: "Dalia", LastName: "DOCTOR", Job: "Family physician", AttestCorrect: true,
			AttestDirectCare: true, AttestAnnualReview: true, ReasonPatientCare: true, CreatedAt: inst.Clock.Now(),
			UpdatedAt: inst.Clock.Now(), WorksiteIDs: []portal.WorksiteID{portal.WorksiteID(ws)}}
		if err := inst.DB.InTx(ctx, func(tx *store.Tx) error { return tx.CreateAccessRequest(ctx, docReq) }); err != nil {
			t.Fatal(err)
		}
		choice := formatInt(int64(docAcct.ID)) + ":" + wsID

		// The MOA's authorizer list: the pending physician is not offered.
		p := moa.Get("/sponsorships")
		if len(p.Find(`#candidates input[type="radio"]`)) != 0 {
			t.Fatalf("the pending physician is offered: %q", p.Text("#candidates"))
		}
		if got := p.Text("#not-yet"); !strings.Contains(got, "Dalia DOCTOR, Physician, at Kingsgate Mall Clinic") ||
			!strings.Contains(got, "Their own CareConnect access is not approved and active.") {
			t.Fatalf("not-yet list %q", got)
		}
		if !strings.Contains(p.Text("#ask-rule"), "whose own CareConnect access is approved and active") {
			t.Fatalf("the page does not say the rule: %q", p.Text("#ask-rule"))
		}
		if !strings.Contains(p.Text("#no-candidates"), "can sponsor you yet") {
			t.Fatalf("empty state %q", p.Text("#no-candidates"))
		}
		// Asking them anyway is refused.
		p = moa.Post("/sponsorships", url.Values{"authorizer": {choice}, "message": {"Front desk."}})
		if p.Status != http.StatusConflict || p.Text("#authorizer-error") != "Dalia DOCTOR cannot sponsor you yet: "+
			"their own CareConnect access is not approved and active. Ask an authorizer who has CareConnect access." {
			t.Fatalf("asking the pending physician: %d %q", p.Status, p.Text("#authorizer-error"))
		}
		if es := inst.Emails(t, "dalia@example.ca", "sponsorship_requested"); len(es) != 0 {
			t.Fatalf("the physician was asked: %d emails", len(es))
		}

		// The state the portal allowed before: an active sponsorship by the
		// pending physician and the MOA's request in the queue.
		var req *portal.AccessRequest
		err := inst.DB.InTx(ctx, func(tx *store.Tx) error {
			sp := &portal.Sponsorship{
				OBOAccountID:        moaAcct.ID,
				AuthorizerAccountID: docAcct.ID,
				WorksiteID:          portal.WorksiteID(ws),
				CreatedAt:           inst.Clock.Now(),
			}
			if err := tx.CreateSponsorship(ctx, sp); err != nil {
				return err
			}
			if _, err := tx.DecideSponsorship(ctx, sp.ID, true, "", inst.Clock.Now()); err != nil {
				return err
			}
			req = &portal.AccessRequest{AccountID: moaAcct.ID, Status: portal.ARSubmitted, UserType: moaAcct.UserType(),
				Profession: moaAcct.Profession, FirstName: "Mona", LastName: "FRONTDESK", Job: "Medical office assistant",
				AttestCorrect: true, AttestDirectCare: true, AttestAnnualReview: true, ReasonJobDuties: true,
				CreatedAt: inst.Clock.Now(), UpdatedAt: inst.Clock.Now(), WorksiteIDs: []portal.WorksiteID{portal.WorksiteID(ws)},
				SponsorshipIDs: []portal.SponsorshipID{sp.ID}}
			return tx.CreateAccessRequest(ctx, req)
		})
		if err != nil {
			t.Fatal(err)
		}

		officer := inst.StaffClient(t, "officer")
		reqPath := "/staff/requests/" + formatInt(int64(req.ID))
		p = officer.Follow(officer.Post(reqPath+"/claim", nil))
		if p.Status != http.StatusOK {
			t.Fatalf("claim: %d", p.Status)
		}
		if got := p.Text("#checks li.check-flag"); !strings.Contains(got, "No authorizer qualifies as a sponsor") {
			t.Fatalf("red checks %q", got)
		}
		row := p.Text("#sponsors tbody tr")
		for _, want := range []string{"Dalia DOCTOR", "Kingsgate Mall Clinic", "active", "Pending approval", "Yes", "No",
			"Their own CareConnect access is not approved and active."} {
			if !strings.Contains(row, want) {
				t.Fatalf("sponsor row %q lacks %q", row, want)
			}
		}
		p = officer.Post(reqPath+"/approve", url.Values{"scopes": {"demographics"}})
		if p.Status != http.StatusConflict ||
			!strings.HasPrefix(p.Text("#action-message"), "No authorizer qualifies as Mona FRONTDESK's sponsor") {
			t.Fatalf("approve: %d %q", p.Status, p.Text("#action-message"))
		}
		if got := inst.AccessRequest(t, req.ID); got.Status != portal.ARSubmitted {
			t.Fatalf("status %s", got.Status)
		}
		if es := inst.Emails(t, "mona@example.ca", "access_approved"); len(es) != 0 {
			t.Fatal("the MOA was told she is approved")
		}
	})
}
