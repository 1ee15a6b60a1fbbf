package e2e

// Eligibility before effort in a real browser: a profession that cannot be
// granted CareConnect access is told so before any account exists, and an
// "Other" profession is placed by the CareConnect team.

import (
	"net/http"
	"strings"
	"testing"

	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store"

	"github.com/chromedp/chromedp"
)

func TestE2E_IneligibleProfessionStoppedBeforeAccount(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		ctx := browserAs(t, inst, person{"Pia", "THERAPIST", "1980-04-18", "pia@example.ca"}, "Account Registration")

		// Choosing the profession warns at once, and hides its identifier fields.
		mustRun(t, ctx, chromedp.WaitNotVisible(chromedp.CSS("#profession-ineligible")))
		mustRun(
			t,
			ctx,
			chromedp.SetValue(chromedp.CSS("#profession"), "physiotherapist"),
			chromedp.Evaluate[chromedp.Void](
				`document.querySelector('#profession').dispatchEvent(new Event('change'))`,
			),
		)
		mustRun(
			t,
			ctx,
			chromedp.WaitVisible(chromedp.CSS("#profession-ineligible")),
			chromedp.WaitNotVisible(chromedp.CSS("#college_id")),
		)
		wantTextOf(t, ctx, "#profession-ineligible", "CareConnect access is not open to this profession")
		checkAxe(t, ctx, "registration form with an ineligible profession")

		// Registering anyway stops before any account is made.
		click(t, ctx, byText("button", "Register"), http.StatusOK, "Your profession is not eligible for CareConnect")
		checkAxe(t, ctx, "not eligible page")
		want := "CareConnect access is not open to your profession (Physiotherapist) at present, so we have not created an HxBC account for you."
		if got := strings.TrimSpace(textOf(t, ctx, "#not-eligible-message")); got != want {
			t.Errorf("message %q, want %q", got, want)
		}
		if _, err := inst.DB.Read().FindAccountByEmail(t.Context(), "pia@example.ca"); !store.IsNotFound(err) {
			t.Fatalf("an account was created: %v", err)
		}
		click(t, ctx, byText("a", "Back to the registration form"), http.StatusOK, "Account Registration")
	})
}

func TestE2E_OtherProfessionPlacedByTheTeam(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		ctx := browserAs(t, inst, person{"Dora", "OTHER", "1980-04-18", "dora@example.ca"}, "Account Registration")
		mustRun(
			t,
			ctx,
			chromedp.SetValue(chromedp.CSS("#profession"), "other"),
			chromedp.Evaluate[chromedp.Void](
				`document.querySelector('#profession').dispatchEvent(new Event('change'))`,
			),
			chromedp.WaitVisible(chromedp.CSS("#other_profession")),
			chromedp.SendKeys(chromedp.CSS("#other_profession"), "Clinic pharmacist"),
			chromedp.SendKeys(chromedp.CSS("#phone"), "(778) 888-9999"),
			chromedp.Click(chromedp.CSS(`input[name="health_authority_account"][value="no"]`)),
			chromedp.SendKeys(chromedp.CSS("#password"), "Harbour-Lantern-47"),
			chromedp.SendKeys(chromedp.CSS("#confirm_password"), "Harbour-Lantern-47"),
		)
		click(t, ctx, byText("button", "Register"), http.StatusOK, "Main Menu")
		if got := textOf(t, ctx, "#step-eligibility"); !strings.Contains(got, "Under review.") {
			t.Fatalf("eligibility tile %q", got)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#step-worksite, #step-privacy_security_training').length`); n != 0 {
			t.Fatalf("the menu offers %d worksite or training steps while under review", n)
		}

		officer := staffBrowser(t, inst, "Olivia OFFICER")
		click(t, officer, byText("a", "Professions to review"), http.StatusOK, "Professions to review")
		checkAxe(t, officer, "professions to review")
		click(t, officer, chromedp.CSS("#profession-reviews tbody a"), http.StatusOK, "Dora OTHER")
		checkAxe(t, officer, "profession review")
		mustRun(t, officer, chromedp.SetValue(chromedp.CSS("#profession"), "pharmacist"),
			chromedp.SendKeys(chromedp.CSS("#college_id"), "PH-7781"))
		click(t, officer, byText("button", "Set the profession"), http.StatusOK, "Professions to review")
		wantTextOf(t, officer, ".flash", "as Pharmacist (Independent user)")

		// The person's menu now shows the journey.
		navigate(t, ctx, inst.URL+"/menu")
		expectPage(t, ctx, "Main Menu")
		if n := eval[int](t, ctx, `document.querySelectorAll('#step-eligibility').length`); n != 0 {
			t.Errorf("still under review after the team placed the profession")
		}
		mustRun(t, ctx, chromedp.WaitVisible(chromedp.CSS("#step-worksite")))
	})
}
