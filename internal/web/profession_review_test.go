package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

// registeredOther registers a person whose profession is "Other".
func registeredOther(
	t *testing.T,
	inst *portaltest.Instance,
	given, surname, username, described string,
) (*portaltest.Client, *portal.Account) {
	t.Helper()
	email := username + "@example.ca"
	c := inst.Registered(t, given, surname, email, username, func(f url.Values) {
		f.Set("profession", "other")
		f.Set("other_profession", described)
	})
	acct := inst.Account(t, email)
	return c, acct
}

// lastAudit returns the newest audit row about an account with action.
func lastAudit(t *testing.T, inst *portaltest.Instance, id portal.AccountID, action string) *portal.AuditEvent {
	t.Helper()
	evs := inst.Audit(t, portaltest.About("account", strconv.FormatInt(int64(id), 10)))
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Action == action {
			return &evs[i]
		}
	}
	return nil
}

func TestWeb_OtherProfessionPlacedByTheTeam(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		person, acct := registeredOther(t, inst, "Rhea", "RESIDENT", "rhea.resident", "Family medicine resident (UBC)")
		officer := inst.StaffClient(t, "officer")

		list := officer.Get("/staff/professions")
		if list.Status != http.StatusOK ||
			!strings.Contains(list.Text(fmt.Sprintf("#person-%d", acct.ID)), "Family medicine resident (UBC)") {
			t.Fatalf("queue: %d %q", list.Status, list.Text("main"))
		}
		page := officer.Get(fmt.Sprintf("/staff/professions/%d", acct.ID))
		if page.Status != http.StatusOK || page.Text("#described") != "Family medicine resident (UBC)" {
			t.Fatalf("case: %d %q", page.Status, page.Text("#described"))
		}
		if n := len(page.Find(`#profession option[value="physiotherapist"]`)) + len(page.Find(`#profession option[value="other"]`)); n != 0 {
			t.Fatalf("the team can place people under an ineligible profession or Other again")
		}

		// Invalid: a resident physician without the identifiers or a route; all typed kept.
		bad := url.Values{
			"profession":         {"physician"},
			"resident":           {"yes"},
			"msp_billing_number": {"A1234"},
			"note":               {"Checked with UBC."},
		}
		p := officer.Post(fmt.Sprintf("/staff/professions/%d/place", acct.ID), bad)
		if p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("invalid placement: %d", p.Status)
		}
		if got := p.Text("#cpsid-error"); !strings.Contains(got, "Enter your CPSID.") {
			t.Errorf("cpsid error %q", got)
		}
		if got := p.Text("#resident_route-error"); !strings.Contains(
			got,
			"Choose whether the resident is sponsored by an authorizer or works on their own.",
		) {
			t.Errorf("route error %q", got)
		}
		if p.Attr("#msp_billing_number", "value") != "A1234" || p.Text("#note") != "Checked with UBC." {
			t.Errorf("the form did not keep what was typed")
		}
		if a, _ := inst.DB.Read().FindAccountByID(t.Context(), acct.ID); a.Profession != portal.ProfOther {
			t.Fatalf("profession changed to %s by an invalid placement", a.Profession)
		}

		good := url.Values{"profession": {"physician"}, "resident": {"yes"}, "resident_route": {"independent"},
			"msp_billing_number": {"A1234"}, "cpsid": {"12345"}, "note": {"Checked with UBC."}}
		p = officer.Post(fmt.Sprintf("/staff/professions/%d/place", acct.ID), good)
		if p.Status != http.StatusSeeOther || p.Location != "/staff/professions" {
			t.Fatalf("place: %d %q %s", p.Status, p.Location, p.Text("main"))
		}
		if got, want := officer.Follow(p).Text(".flash"), "You recorded Rhea RESIDENT's profession as Physician (Independent user). We have emailed them."; got != want {
			t.Errorf("flash %q, want %q", got, want)
		}
		a, _ := inst.DB.Read().FindAccountByID(t.Context(), acct.ID)
		if a.Profession != portal.ProfPhysician || !a.IsResident || a.ResidentRoute != portal.ResidentIndependent ||
			a.CPSID != "12345" || a.OtherProfession != "" || a.UserType() != portal.UserIndependent {
			t.Fatalf("account after placement: %+v", a)
		}
		ev := lastAudit(t, inst, acct.ID, "account.profession_placed")
		if ev == nil || ev.ActorKind != portal.ActorStaff ||
			!strings.Contains(ev.Details, `"user_type":"independent"`) ||
			!strings.Contains(ev.Details, `"described":"Family medicine resident (UBC)"`) {
			t.Fatalf("audit row: %+v", ev)
		}
		emails := inst.Emails(t, "rhea.resident@example.ca", "profession_reviewed")
		if len(emails) != 1 || !strings.Contains(emails[0].Text, "recorded your profession as Physician") ||
			!strings.Contains(
				emails[0].Text,
				"Independent user",
			) || !strings.Contains(emails[0].Text, "Checked with UBC.") {
			t.Fatalf("emails: %+v", emails)
		}
		// The person leaves "Under review": the menu now shows the journey.
		menu := person.Get("/menu")
		if len(menu.Find("#step-eligibility")) != 0 || len(menu.Find("#step-worksite")) != 1 {
			t.Errorf("menu after placement: %q", menu.Text("main"))
		}
		// Deciding again is refused, and the queue is empty.
		p = officer.Post(fmt.Sprintf("/staff/professions/%d/decline", acct.ID), url.Values{"reason": {"Too late."}})
		if p.Status != http.StatusNotFound && p.Status != http.StatusConflict {
			t.Fatalf("second decision: %d", p.Status)
		}
		if got := officer.Get("/staff/professions").Text("#review-count"); got != "Nobody is waiting for a profession review." {
			t.Errorf("queue after the decision: %q", got)
		}
	})
}

func TestWeb_OtherProfessionDeclinedByTheTeam(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		person, acct := registeredOther(t, inst, "Dora", "DOULA", "dora.doula", "Doula")
		officer := inst.StaffClient(t, "officer")
		path := fmt.Sprintf("/staff/professions/%d/decline", acct.ID)

		p := officer.Post(path, url.Values{"reason": {"   "}})
		if p.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(p.Text("#reason-error"), "Give a reason, so the person knows what to do next.") {
			t.Fatalf("decline without a reason: %d %q", p.Status, p.Text("#reason-error"))
		}
		if lastAudit(t, inst, acct.ID, "account.profession_declined") != nil {
			t.Fatal("a refused decline was audited")
		}
		reason := "Doulas are not regulated health professionals in B.C."
		p = officer.Post(path, url.Values{"reason": {reason}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("decline: %d %s", p.Status, p.Text("main"))
		}
		ev := lastAudit(t, inst, acct.ID, "account.profession_declined")
		if ev == nil || ev.ActorKind != portal.ActorStaff || !strings.Contains(ev.Details, reason) {
			t.Fatalf("audit row: %+v", ev)
		}
		emails := inst.Emails(t, "dora.doula@example.ca", "profession_reviewed")
		if len(emails) != 1 || emails[0].Subject != "Your profession cannot be granted CareConnect access" ||
			!strings.Contains(emails[0].Text, reason) {
			t.Fatalf("emails: %+v", emails)
		}
		if others := inst.Emails(t, "", "profession_reviewed"); len(others) != 1 {
			t.Fatalf("%d decision emails, want only the person's", len(others))
		}
		menu := person.Get("/menu")
		if got := menu.Text("#step-eligibility .tile-reason"); !strings.Contains(got, "Their reason: "+reason) {
			t.Errorf("menu after decline: %q", got)
		}
		if strings.Contains(menu.Text("main"), "Under review") || len(menu.Find("#step-worksite")) != 0 {
			t.Errorf("the menu still says under review or offers worksites: %q", menu.Text("main"))
		}
	})
}

func TestWeb_ProfessionReviewOnlyForOfficers(t *testing.T) {
	t.Parallel()
	inst := portaltest.Start(t, storetest.DSNs(t)["sqlite"])
	person, acct := registeredOther(t, inst, "Ada", "OTHER", "ada.other", "Doula")
	auditor := inst.StaffClient(t, "auditor")
	for _, path := range []string{"/staff/professions", fmt.Sprintf("/staff/professions/%d", acct.ID)} {
		if p := auditor.Get(path); p.Status != http.StatusForbidden {
			t.Errorf("auditor GET %s: %d, want 403", path, p.Status)
		}
	}
	place := fmt.Sprintf("/staff/professions/%d/place", acct.ID)
	if p := auditor.Post(place, url.Values{"profession": {"medical_office_assistant"}}); p.Status != http.StatusForbidden {
		t.Errorf("auditor place: %d, want 403", p.Status)
	}
	if p := auditor.Post(fmt.Sprintf("/staff/professions/%d/decline", acct.ID), url.Values{"reason": {"No."}}); p.Status != http.StatusForbidden {
		t.Errorf("auditor decline: %d, want 403", p.Status)
	}
	// A person may not either.
	if p := person.Post(place, url.Values{"profession": {"medical_office_assistant"}}); p.Status != http.StatusForbidden {
		t.Errorf("person place: %d, want 403", p.Status)
	}
	// An officer without the CSRF token is refused.
	officer := inst.StaffClient(t, "officer")
	if p := officer.Post(place, url.Values{"profession": {"medical_office_assistant"}, "csrf_token": {""}}); p.Status != http.StatusForbidden {
		t.Errorf("place without CSRF: %d, want 403", p.Status)
	}
	if a, _ := inst.DB.Read().FindAccountByID(t.Context(), acct.ID); a.Profession != portal.ProfOther {
		t.Fatalf("profession changed to %s", a.Profession)
	}
	if emails := inst.Emails(t, "ada.other@example.ca", "profession_reviewed"); len(emails) != 0 {
		t.Fatalf("emails: %+v", emails)
	}
}
