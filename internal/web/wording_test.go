package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
)

// The words a practitioner reads in the first hour: each status said once,
// in a sentence, and pages named as the menu names them.
func TestWeb_Wording(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		c, _, req := boSubmitted(t, inst, "Dalia", "EIGHTEEN", "dalia18", "301", nil)

		// The menu tile says what the request waits for.
		if got := c.Get("/menu").Text("#step-application"); !strings.Contains(
			got,
			"Your CareConnect request is pending approval.",
		) {
			t.Errorf("application tile %q", got)
		}
		// The history rows read as sentences, with the status only where it changed.
		p := c.Get("/application/status")
		rows := p.Find("#history li")
		if len(rows) != 1 {
			t.Fatalf("%d history rows, want 1: %q", len(rows), p.Text("#history"))
		}
		row := portaltest.NodeText(rows[0])
		if statusFirst(row) ||
			!strings.HasSuffix(row, "\u2014 Submitted the CareConnect Enrolment Form. Status: Pending approval.") {
			t.Errorf("history row %q", row)
		}

		// The team asks for more information: the tile says so in words.
		officer := inst.StaffClient(t, "officer")
		reqPath := fmt.Sprintf("/staff/requests/%d", req.ID)
		officer.Get(reqPath)
		if p := officer.Post(reqPath+"/claim", nil); p.Status != http.StatusSeeOther {
			t.Fatalf("claim: %d", p.Status)
		}
		officer.Get(reqPath)
		if p := officer.Post(reqPath+"/info", url.Values{"question": {"Which days do you work?"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("info: %d %s", p.Status, p.Text("main"))
		}
		tile := c.Get("/menu").Text("#step-application")
		if strings.Contains(tile, "is more information needed") ||
			!strings.Contains(tile, "The CareConnect team needs more information about your request") {
			t.Errorf("application tile %q", tile)
		}
		p = c.Get("/application/status")
		for _, li := range p.Find("#history li") {
			if r := portaltest.NodeText(li); statusFirst(r) ||
				strings.Contains(r, "Taken for review") && strings.Contains(r, "Status:") {
				t.Errorf("history row %q", r)
			}
		}
		if got := p.Text("#history"); !strings.Contains(got, "Status: More information needed.") {
			t.Errorf("history %q lacks the new status", got)
		}

		// The worksite's status is said once: a badge, then what it means.
		list := c.Get("/worksites")
		link := list.Attr(`main table a[href^="/worksites/"]`, "href")
		if got := list.Text("main table tbody tr .badge"); got != "Approved" {
			t.Errorf("worksites badge %q", got)
		}
		if got := c.Get(link).Text("#worksite-status"); got != "Approved" {
			t.Errorf("worksite status %q, want Approved once", got)
		}

		// The Notification Centre shows the person's own requests, not the system's.
		nc := c.Get("/notifications")
		if lead := nc.Text(".lead"); strings.Contains(lead, "all requests in the system") ||
			lead != "The requests that wait for you to act on them, and the requests you have made." {
			t.Errorf("notification centre lead %q", lead)
		}
	})
}

// The on-behalf-of user's page is named as its tile on the menu; the
// authorizer's, for the people who work on their behalf.
func TestWeb_SponsorshipPageTitles(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		doc, wsID, moa := doctorAndMOA(t, inst)
		joinDirectly(t, inst, wsID, "mona@example.ca")
		tile := moa.Get("/menu").Text("#tile-sponsor")
		p := moa.Get("/sponsorships")
		if h1 := p.Text("main h1"); h1 != tile || h1 != "Authorizer" ||
			strings.Contains(p.Text("title"), "Sponsorship") {
			t.Errorf("MOA's page %q (title %q), tile %q", h1, p.Text("title"), tile)
		}
		if h1 := doc.Get("/sponsorships").Text("main h1"); h1 != "On-behalf-of users" {
			t.Errorf("authorizer's page %q", h1)
		}
	})
}

// statusFirst reports whether a history row puts a status straight after
// its time ("4 Dec 2026, 9:27 PM: Pending approval") instead of a sentence.
func statusFirst(row string) bool {
	when, _, ok := strings.Cut(row, "\u2014")
	return !ok || strings.Contains(when, ": ")
}

// The signature field says before any typing what it must match, and
// shows that name; a signature differing only in accents and case is taken.
func TestWeb_AgreementSignatureHint(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		c := inst.Confirmed(t, "Zoë", "DUPONT", "zoe@example.ca", "zoe.dupont")
		registerWorksite(t, inst, c, "Dupont Clinic", "301")
		p := c.Get("/agreement")
		want := "It must match the legal name on your BC Services Card: Zoë DUPONT. Capitals, spacing and accents do not matter."
		if got := p.Text("#full_name-hint"); got != want {
			t.Fatalf("signature hint %q, want %q", got, want)
		}
		p = c.Post("/agreement", url.Values{"agree": {"yes"}, "full_name": {"zoe  dupont"}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("signing as zoe dupont: %d %q", p.Status, p.Text(".error-summary"))
		}
	})
}
