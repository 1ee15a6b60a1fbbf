package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
)

// TestWeb_DailyLimitsShownOnTheForm: a refusal past a daily limit is shown
// on the form that asked, at the field it concerns, with what was typed kept.
func TestWeb_DailyLimitsShownOnTheForm(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		admin := inst.Confirmed(t, "Lena", "MOA", "lena@example.ca", "lena.moa")
		id, _ := registerWorksite(t, inst, admin, "Harbour Clinic", "101")
		signerLimit := "The portal has already emailed busy.signer@example.org 3 times today, " +
			"the most it sends to one address in a day; you can send more tomorrow."

		signerForm := func(name, unit string) url.Values {
			f := portaltest.WorksiteForm(name, unit, portaltest.SignedBy("Dr Busy Signer", "busy.signer@example.org"))
			return f
		}
		for _, unit := range []string{"102", "103", "104"} {
			if p := admin.Post("/worksites/new", signerForm("Clinic "+unit, unit)); p.Status != http.StatusSeeOther {
				t.Fatalf("register: %d %s", p.Status, p.Text(".error-summary"))
			}
		}
		p := admin.Post("/worksites/new", signerForm("Fourth Clinic", "105"))
		if p.Status != http.StatusTooManyRequests || p.Text("#signer_email-error") != "Error: "+signerLimit {
			t.Fatalf("registration past the limit: %d %q", p.Status, p.Text("#signer_email-error"))
		}
		if p.Attr("#name", "value") != "Fourth Clinic" ||
			p.Attr("#signer_email", "value") != "busy.signer@example.org" ||
			p.Attr("#unit", "value") != "105" {
			t.Fatal("the registration form lost what was typed")
		}
		if !strings.Contains(p.Text(".error-summary"), signerLimit) {
			t.Fatalf("error summary %q", p.Text(".error-summary"))
		}

		p = admin.Post("/worksites/"+id+"/invitations", url.Values{"email": {"busy.signer@example.org"}})
		if p.Status != http.StatusTooManyRequests || p.Text("#email-error") != "Error: "+signerLimit {
			t.Fatalf("invitation past the limit: %d %q", p.Status, p.Text("#email-error"))
		}
		if p.Attr("#email", "value") != "busy.signer@example.org" {
			t.Fatal("the invitation form lost the address")
		}

		admin.Invite(id, "resent@example.org")
		// Each press sends with the count its page showed, as the browser does.
		sendAgain := func() *portaltest.Page {
			page := admin.Get("/worksites/" + id)
			return admin.Post(page.Attr(`form[action$="/resend"]`, "action"),
				url.Values{"sent": {page.Attr(`form[action$="/resend"] input[name="sent"]`, "value")}})
		}
		for range 2 {
			if p := sendAgain(); p.Status != http.StatusSeeOther {
				t.Fatalf("send again: %d %s", p.Status, p.Text(".flash-error"))
			}
		}
		p = sendAgain()
		want := "The portal has already emailed resent@example.org 3 times today, " +
			"the most it sends to one address in a day; you can send more tomorrow."
		if p.Status != http.StatusTooManyRequests || p.Text(".flash-error") != want {
			t.Fatalf("send again past the limit: %d %q", p.Status, p.Text(".flash-error"))
		}
	})
}

// TestWeb_DeclinedWorksiteOffersNoInvitations: a declined worksite's page
// has no invitation form and no Send again, for an administrator of its
// organization (who keeps administering it); its registrant without one
// sees it only as a record, with the team's reason, on My Worksites.
func TestWeb_DeclinedWorksiteOffersNoInvitations(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		admin := inst.Confirmed(t, "Lena", "MOA", "lena@example.ca", "lena.moa")
		form := portaltest.WorksiteForm("Harbour Clinic", "101")
		form.Set("group", "new")
		form.Set("group_name", "Harbour Health")
		id, _ := admin.RegisterWorksite(form)
		admin.Invite(id, "invitee@example.org")
		page := admin.Get("/worksites/" + id)
		resend := page.Attr(`form[action$="/resend"]`, "action")
		if resend == "" || page.Text("#invite-closed") != "" || page.Text("#worksite-declined") != "" {
			t.Fatal("an open worksite should offer invitations")
		}
		code := page.Text("#worksite-code")
		if _, err := inst.Portal.App.DecideWorksite(t.Context(), portal.RequestMeta{RequestID: "test"}, "officer.one",
			portal.WorksiteCode(code), false, "The clinic could not be verified."); err != nil {
			t.Fatal(err)
		}
		page = admin.Get("/worksites/" + id)
		if len(page.Find(`form[action$="/invitations"]`)) != 0 || len(page.Find(`form[action$="/resend"]`)) != 0 {
			t.Fatal("a declined worksite still offers to invite")
		}
		if got := page.Text("#invite-closed"); got != "Harbour Clinic was declined by the CareConnect team, so it cannot invite anyone." {
			t.Fatalf("closed notice %q", got)
		}
		p := admin.Post(resend, url.Values{"sent": {"1"}})
		if p.Status != http.StatusConflict ||
			!strings.Contains(p.Text(".flash-error"), "was declined by the CareConnect team") {
			t.Fatalf("send again at a declined worksite: %d %q", p.Status, p.Text(".flash-error"))
		}
	})
}

// TestWeb_DeclinedWorksiteRecord: the registrant of a worksite the team
// declined no longer belongs to it, but finds it on My Worksites with the
// reason, and its page as a record without anything to administer.
func TestWeb_DeclinedWorksiteRecord(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		admin := inst.Confirmed(t, "Lena", "MOA", "lena@example.ca", "lena.moa")
		id, _ := admin.RegisterWorksite(portaltest.WorksiteForm("Harbour Clinic", "101"))
		admin.Invite(id, "invitee@example.org")
		page := admin.Get("/worksites/" + id)
		resend := page.Attr(`form[action$="/resend"]`, "action")
		if _, err := inst.Portal.App.DecideWorksite(t.Context(), portal.RequestMeta{RequestID: "test"}, "officer.one",
			portal.WorksiteCode(page.Text("#worksite-code")), false, "The clinic could not be verified."); err != nil {
			t.Fatal(err)
		}
		mine := admin.Get("/worksites")
		if got := mine.Text("#declined-worksites li"); !strings.HasPrefix(got, "Harbour Clinic (") ||
			!strings.HasSuffix(got, ": The clinic could not be verified.") {
			t.Fatalf("My Worksites lists %q", got)
		}
		if mine.Attr("#declined-worksites a", "href") != "/worksites/"+id {
			t.Fatal("the record does not link to the worksite")
		}
		if len(mine.Find(`a[href="/worksites/`+id+`"]`)) != 1 {
			t.Fatal("the declined worksite is listed twice")
		}
		page = admin.Get("/worksites/" + id)
		if page.Status != http.StatusOK ||
			!strings.Contains(page.Text("#worksite-declined"), "The reason given: The clinic could not be verified.") {
			t.Fatalf("record page %d %q", page.Status, page.Text("#worksite-declined"))
		}
		if len(page.Find("form")) != 1 { // sign out only
			t.Fatalf("the record page offers %d forms", len(page.Find("form")))
		}
		if p := admin.Post(resend, nil); p.Status != http.StatusNotFound {
			t.Fatalf("send again from the record: %d", p.Status)
		}
	})
}

// TestWeb_AddressSearchPageTooLong: the search page without JavaScript
// shows a query too long to be an address as an error at its field, with
// the query kept.
func TestWeb_AddressSearchPageTooLong(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		c := inst.Confirmed(t, "Lena", "MOA", "lena@example.ca", "lena.moa")
		q := strings.TrimSpace(strings.Repeat("Broadway ", 13))
		p := c.Get("/worksites/join/address?q=" + url.QueryEscape(q))
		if p.Status != http.StatusUnprocessableEntity ||
			p.Text(
				"#q-error",
			) != "Error: Your search has too many words. Type at most 12 words of the address, for example 370 Broadway E." {
			t.Fatalf("status %d, error %q", p.Status, p.Text("#q-error"))
		}
		if p.Attr("#q", "value") != q || p.Attr("#q", "aria-invalid") != "true" ||
			p.Attr("#q", "aria-describedby") != "q-hint q-error" {
			t.Fatalf("input value %q, aria-invalid %q", p.Attr("#q", "value"), p.Attr("#q", "aria-invalid"))
		}
		if len(p.Find("#address-results li")) != 0 {
			t.Fatal("a refused search shows results or an empty state")
		}
	})
}
