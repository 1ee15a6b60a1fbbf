package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

func TestWeb_IneligibleProfessionStoppedBeforeAccount(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		c := inst.Client(t)
		form := c.SignIn("Pia", "THERAPIST", "1980-04-18", "pia@example.ca")
		if n := len(form.Find(`#profession option[value="physiotherapist"][data-ineligible]`)); n != 1 {
			t.Fatalf("the physiotherapist option is not marked ineligible for the form's notice")
		}
		if n := len(form.Find(`#profession option[value="pharmacist"][data-ineligible]`)); n != 0 {
			t.Fatalf("the pharmacist option is marked ineligible")
		}
		if n := len(form.Find(`#profession-ineligible[hidden]`)); n != 1 {
			t.Fatalf("the ineligible profession notice is missing or shown before any choice")
		}

		in := portaltest.RegistrationForm("pia@example.ca", "pia.therapist")
		in.Set("profession", "physiotherapist")
		in.Set("college_id", "PT-2041")
		// Stopped at the profession: the other fields, even wrong ones, do not matter.
		in.Set("password", "short")
		p := c.Post("/register", in)
		if p.Status != http.StatusOK || p.Text("h1") != "Your profession is not eligible for CareConnect" {
			t.Fatalf("got %d %q, want the not-eligible page", p.Status, p.Text("h1"))
		}
		want := "CareConnect access is not open to your profession (Physiotherapist) at present, so we have not created an HxBC account for you."
		if got := p.Text("#not-eligible-message"); got != want {
			t.Fatalf("message %q, want %q", got, want)
		}
		if got := p.Text("#eligible-professions"); !strings.Contains(got, "Pharmacist") ||
			strings.Contains(got, "Physiotherapist") {
			t.Errorf("eligible professions listed: %q", got)
		}
		if !strings.Contains(p.Text("main"), "careconnect-support@portal.test") {
			t.Errorf("the page does not say whom to contact")
		}
		if _, err := inst.DB.Read().FindAccountByEmail(t.Context(), "pia@example.ca"); !store.IsNotFound(err) {
			t.Fatalf("an account was created: %v", err)
		}
		var accounts int
		if err := inst.DB.Read().QueryRow(t.Context(), "SELECT COUNT(*) FROM accounts").Scan(&accounts); err != nil ||
			accounts != 0 {
			t.Fatalf("%d accounts (%v), want none", accounts, err)
		}
		if emails := inst.Emails(t, "pia@example.ca", ""); len(emails) != 0 {
			t.Fatalf("emails sent: %+v", emails)
		}
		// Still not registered: the form is there to choose again.
		if p := c.Get("/register"); p.Status != http.StatusOK || p.Text("h1") != "Account Registration" {
			t.Fatalf("back to the form: %d %q", p.Status, p.Text("h1"))
		}
		// Choosing an eligible profession then registers.
		in = portaltest.RegistrationForm("pia@example.ca", "pia.therapist")
		if p := c.Post("/register", in); p.Status != http.StatusSeeOther || p.Location != "/menu" {
			t.Fatalf("register as physician: %d %q %s", p.Status, p.Location, p.Text(".error-summary"))
		}
	})
}

func TestWeb_IneligibleAccountMenuOffersNoSteps(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		c, acct := inst.ConfirmedAccount(t, "Olga", "OSTEOPATH", "olga@example.ca", "olga.osteopath")
		// An account made before registration stopped ineligible professions.
		if _, err := inst.DB.Read().Exec(t.Context(), `UPDATE accounts SET profession = 'osteopath', msp_billing_number = '',
			cpsid = '', is_resident = ?, college_id = 'DO-17' WHERE id = ?`, false, int64(acct.ID)); err != nil {
			t.Fatal(err)
		}
		menu := c.Get("/menu")
		for _, sel := range []string{"#step-worksite", "#step-privacy_security_training", "#step-hpcaa", "#step-application",
			`a[href="/worksites/join"]`, `a[href="/training"]`} {
			if len(menu.Find(sel)) != 0 {
				t.Errorf("the menu of an ineligible account offers %s", sel)
			}
		}
		want := "Your profession (Osteopath) cannot be granted CareConnect access at present, so there is no worksite to join " +
			"or training to take for it. If you chose the wrong profession, or think this is a mistake, contact the CareConnect team."
		if got := menu.Text("#step-eligibility .tile-reason"); got != want {
			t.Errorf("eligibility tile %q, want %q", got, want)
		}

		// "Other" waits for the CareConnect team, with no steps either.
		o := inst.Client(t)
		o.SignIn("Dora", "DOULA", "1980-04-18", "dora@example.ca")
		in := portaltest.RegistrationForm("dora@example.ca", "dora.doula")
		in.Set("profession", "other")
		in.Set("other_profession", "Doula")
		if p := o.Post("/register", in); p.Status != http.StatusSeeOther {
			t.Fatalf("register as Other: %d %s", p.Status, p.Text(".error-summary"))
		}
		menu = o.Get("/menu")
		if len(menu.Find("#step-worksite")) != 0 || len(menu.Find("#step-privacy_security_training")) != 0 {
			t.Errorf("the menu of an account under review offers worksite or training steps")
		}
		if got := menu.Text("#step-eligibility"); !strings.Contains(got, "Under review.") ||
			!strings.Contains(got, "(Other: Doula)") {
			t.Errorf("eligibility tile %q", got)
		}
	})
}
