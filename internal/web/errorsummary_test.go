package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
)

// A refused form lists its problems in the order of the fields on the page,
// each linking to its field, and the summary is what takes the focus.
func TestWeb_ErrorSummaryPageOrderAndFocus(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		c := inst.Client(t)
		c.SignIn("Dalia", "EIGHTEEN", "1980-04-18", "dalia@example.ca")
		bad := portaltest.RegistrationForm("not-an-email", "dalia.eighteen")
		bad.Set("cpsid", "XYZ")
		bad.Set("phone", "123")
		bad.Set("password", "short")
		p := c.Post("/register", bad)
		if p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422", p.Status)
		}
		var got []string
		for _, a := range p.Find(".error-summary li a") {
			for _, at := range a.Attr {
				if at.Key == "href" {
					got = append(got, at.Val)
				}
			}
		}
		// Alphabetical order would put #password before #phone.
		want := []string{"#cpsid", "#email", "#phone", "#password", "#confirm_password"}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("summary links %v, want %v (page order)", got, want)
		}
		for _, href := range got {
			if len(p.Find(href)) != 1 {
				t.Errorf("summary link %s has no field on the page", href)
			}
		}
		s := ".error-summary"
		if p.Attr(s, "role") != "alert" || p.Attr(s, "tabindex") != "-1" || len(p.Find(s+"[autofocus]")) != 1 {
			t.Fatalf("summary is not focused on load: role %q tabindex %q autofocus %d",
				p.Attr(s, "role"), p.Attr(s, "tabindex"), len(p.Find(s+"[autofocus]")))
		}
		if n := len(p.Find("[autofocus]")); n != 1 {
			t.Fatalf("%d elements ask for the focus, want only the summary", n)
		}
	})
}
