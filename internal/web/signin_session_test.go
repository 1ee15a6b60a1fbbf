package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

// A link from another site to a sign-in page must not sign anyone out:
// the session ends only when the new one is made, at the callback.
func TestWeb_StartingSignInKeepsTheSession(t *testing.T) {
	t.Parallel()
	inst := portaltest.Start(t, storetest.DSNs(t)["sqlite"])

	person := inst.Confirmed(t, "Kim", "KEEP", "kim@example.ca", "kim.k")
	if p := person.Get("/staff/signin"); p.Status != http.StatusSeeOther ||
		!strings.Contains(p.Location, "/dev/staff-oidc/authorize") {
		t.Fatalf("staff sign-in: %d %q", p.Status, p.Location)
	}
	if p := person.Get("/menu"); p.Status != http.StatusOK {
		t.Fatalf("after a link to staff sign-in the person is signed out: %d %q", p.Status, p.Location)
	}

	// Half-way through registration (card read, no account yet).
	newcomer := inst.Client(t)
	if p := newcomer.SignIn("Nell", "NEW", "1980-04-18", "nell@example.ca"); !strings.HasSuffix(p.URL, "/register") {
		t.Fatalf("newcomer landed on %s", p.URL)
	}
	newcomer.Get("/signin")
	if p := newcomer.Get("/register"); p.Status != http.StatusOK || p.Attr("#legal_first_name", "value") != "Nell" {
		t.Fatalf("after a link to sign-in the registration is lost: %d %q", p.Status, p.Location)
	}

	staff := inst.StaffClient(t, "officer")
	staff.Get("/signin")
	if p := staff.Get("/staff"); p.Status != http.StatusOK {
		t.Fatalf("after a link to sign-in the staff member is signed out: %d %q", p.Status, p.Location)
	}

	// Finishing the new sign-in still rotates the session: the person's
	// old cookie no longer opens the menu as them.
	old := person.HTTP.Jar.Cookies(mustURL(t, inst.URL))
	login := person.Follow(person.Get("/staff/signin"))
	p := person.Post(login.URL[:strings.Index(login.URL, "/authorize")]+"/login", url.Values{
		"request": {login.Attr(`input[name="request"]`, "value")}, "person": {"dev-staff-officer"}})
	if home := person.Follow(p); !strings.HasSuffix(home.URL, "/staff") {
		t.Fatalf("staff sign-in from a person's browser landed on %s", home.URL)
	}
	replay := inst.Client(t)
	replay.HTTP.Jar.SetCookies(mustURL(t, inst.URL), old)
	if p := replay.Get("/menu"); p.Status != http.StatusSeeOther {
		t.Fatalf("the session before sign-in still works after it: %d", p.Status)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Session cookies end with the browser; the server keeps its idle and
// absolute limits.
func TestWeb_SessionCookieEndsWithTheBrowser(t *testing.T) {
	t.Parallel()
	inst := portaltest.Start(t, storetest.DSNs(t)["sqlite"])
	c := inst.Client(t)
	p := c.Get("/signin")
	cookies := p.Header.Values("Set-Cookie")
	if len(cookies) != 1 || !strings.HasPrefix(cookies[0], "portal_session=") {
		t.Fatalf("Set-Cookie %q", cookies)
	}
	for _, attr := range []string{"Max-Age", "Expires"} {
		if strings.Contains(cookies[0], attr) {
			t.Errorf("session cookie has %s: %q", attr, cookies[0])
		}
	}
}
