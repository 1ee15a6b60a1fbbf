package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

// TestWeb_PasswordChangeNeedsRecentSignIn: more than ten minutes after
// signing in, the password page sends the person through the BC Services
// Card again and back; a fresh sign-in shows the form and changes the
// password.
func TestWeb_PasswordChangeNeedsRecentSignIn(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		c := inst.Confirmed(t, "Gregory", "NINETEEN", "greg@example.ca", "greg19")
		inst.Clock.Advance(10 * time.Minute)
		if p := c.Get("/account/password"); p.Status != http.StatusOK || len(p.Find("#password")) != 1 {
			t.Fatalf("ten minutes after signing in: %d %q", p.Status, p.Location)
		}
		csrf := c.CSRF

		inst.Clock.Advance(time.Minute)
		again := "/signin?reauth=1&return_to=%2Faccount%2Fpassword"
		if p := c.Get("/account/password"); p.Status != http.StatusSeeOther || p.Location != again {
			t.Fatalf("eleven minutes after signing in: %d %q, want a redirect to %s", p.Status, p.Location, again)
		}
		form := url.Values{
			"password":         {"Granite-Kettle-93"},
			"confirm_password": {"Granite-Kettle-93"},
			"csrf_token":       {csrf},
		}
		if p := c.Post("/account/password", form); p.Status != http.StatusSeeOther || p.Location != again {
			t.Fatalf("change after an old sign-in: %d %q", p.Status, p.Location)
		}
		if es := inst.Emails(t, "", "password_changed"); len(es) != 0 {
			t.Fatal("the password was changed without a fresh sign-in")
		}

		// Signing in again: the provider is asked for a fresh sign-in, and
		// the person comes back to the password page.
		login := c.Follow(c.Get(again))
		if !strings.Contains(login.URL, "/dev/oidc/authorize") || !strings.Contains(login.URL, "prompt=login") {
			t.Fatalf("sign-in again went to %s", login.URL)
		}
		p := c.Post(login.URL[:strings.Index(login.URL, "/authorize")]+"/login", url.Values{
			"request": {login.Attr(`input[name="request"]`, "value")}, "action": {"new"},
			"given_names": {
				"Gregory",
			}, "surname": {"NINETEEN"}, "birth_date": {"1980-04-18"}, "email": {"greg@example.ca"},
		})
		p = c.Follow(p)
		if !strings.HasSuffix(p.URL, "/account/password") || p.Status != http.StatusOK ||
			len(p.Find("#password")) != 1 {
			t.Fatalf("after signing in again: %d at %s", p.Status, p.URL)
		}
		p = c.Post(
			"/account/password",
			url.Values{"password": {"Granite-Kettle-93"}, "confirm_password": {"Granite-Kettle-93"}},
		)
		if p.Status != http.StatusSeeOther || p.Location != "/account" {
			t.Fatalf("change after a fresh sign-in: %d %q %s", p.Status, p.Location, p.Text(".error-summary"))
		}
		if es := inst.Emails(t, "", "password_changed"); len(es) != 1 {
			t.Fatalf("%d password emails, want 1", len(es))
		}
	})
}

// TestWeb_SignInWhileSignedIn: /signin goes to the menu for someone signed
// in, unless they are asked to sign in again.
func TestWeb_SignInWhileSignedIn(t *testing.T) {
	t.Parallel()
	inst := portaltest.Start(t, storetest.DSNs(t)["sqlite"])
	c := inst.Confirmed(t, "Gregory", "NINETEEN", "greg@example.ca", "greg19")
	if p := c.Get("/signin"); p.Status != http.StatusSeeOther || p.Location != "/menu" {
		t.Fatalf("sign-in while signed in: %d %q", p.Status, p.Location)
	}
	if p := c.Get("/signin?reauth=1&return_to=%2Faccount%2Fpassword"); p.Status != http.StatusSeeOther ||
		!strings.Contains(p.Location, "prompt=login") {
		t.Fatalf("sign in again: %d %q", p.Status, p.Location)
	}
}
