package web_test

import (
	"testing"

	"portal"
	"portal/internal/portaltest"
)

// The main menu offers each page once: the account's page only under
// Manage My Account / Preferences, a locked step no button, and an open
// Application Access the enrolment form itself.
func TestWeb_MenuTiles(t *testing.T) {
	eachPortal(t, func(t *testing.T, inst *portaltest.Instance) {
		doc := registered(t, inst, "Mia", "MENU", "mia@example.ca", "mia.menu")
		p := doc.Get("/menu")
		if n := len(p.Find(`main a[href="/account"]`)); n != 1 {
			t.Errorf("the menu links to Manage My Account %d times, want 1", n)
		}
		if got := p.Attr(`#tile-manage ~ .tile-actions a`, "href"); got != "/account" {
			t.Errorf("Manage My Account / Preferences leads to %q", got)
		}
		if n := len(p.Find(`#step-account a`)); n != 0 {
			t.Errorf("the HxBC Account tile has %d links, want none", n)
		}
		// Locked: the reason in words, no button.
		if got := p.Text("#step-application .tile-reason"); got != "Application Access opens once you belong to an approved worksite." {
			t.Errorf("locked reason %q", got)
		}
		if n := len(p.Find(`#step-application a`)); n != 0 {
			t.Errorf("the locked Application Access tile has %d links", n)
		}
		registerWorksite(t, inst, doc, "Menu Family Practice", "301")
		acct := accountOf(t, inst, doc)
		// Still locked by the training and the agreement: an ordinary link
		// to the application page, not a primary button.
		p = doc.Get("/menu")
		if got := p.Text("#step-application .tile-reason"); got != "Complete the "+portal.TrainingTitle+". (and 1 more step)" {
			t.Errorf("locked reason %q", got)
		}
		if n := len(p.Find(`main .is-locked .btn`)); n != 0 {
			t.Errorf("locked tiles show %d buttons", n)
		}
		if got := p.Attr(`#step-application .tile-link a`, "href"); got != "/application" {
			t.Errorf("locked tile's link %q, want /application", got)
		}
		a := inst.Portal.App
		meta := portal.RequestMeta{RequestID: "test"}
		if _, err := a.SubmitQuiz(t.Context(), meta, acct, quizAnswers()); err != nil {
			t.Fatal(err)
		}
		if _, err := a.SignHPCAA(t.Context(), meta, acct, portal.HPCAASignature{FullName: acct.LegalName(), Agree: true}); err != nil {
			t.Fatal(err)
		}
		p = doc.Get("/menu")
		link := p.Find(`#step-application a.btn-primary`)
		if len(link) != 1 || p.Attr(`#step-application a.btn-primary`, "href") != "/application/request" ||
			portaltest.NodeText(link[0]) != "Request CareConnect Access" {
			t.Fatalf("open Application Access tile: %q", p.Text("#step-application"))
		}
		if form := doc.Get("/application/request"); form.Status != 200 || form.Text("h1") != "CareConnect Enrolment Form" {
			t.Fatalf("the tile's link: %d %q", form.Status, form.Text("h1"))
		}
	})
}
