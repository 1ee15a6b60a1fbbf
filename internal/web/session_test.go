package web_test

import (
	"database/sql"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
	"github.com/bcgov-example/careconnect-portal/internal/wire"

	_ "github.com/jackc/pgx/v5/stdlib"
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

func TestWeb_SignOutEndsSession(t *testing.T) {
	t.Parallel()
	inst := portaltest.Start(t, storetest.DSNs(t)["sqlite"])
	c := inst.Confirmed(t, "Otto", "OUT", "otto@example.ca", "otto.out")
	p := c.Post("/signout", nil)
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "/dev/oidc/end_session") {
		t.Fatalf("sign out: %d %q", p.Status, p.Location)
	}
	if p := c.Follow(p); !strings.HasSuffix(p.URL, "/signed-out") {
		t.Fatalf("ended at %s", p.URL)
	}
	if p := c.Get("/menu"); p.Status != http.StatusSeeOther {
		t.Fatalf("menu after sign-out: %d, want a redirect to sign in", p.Status)
	}
}

func TestWeb_SessionRotatedAtSignIn(t *testing.T) {
	t.Parallel()
	inst := portaltest.Start(t, storetest.DSNs(t)["sqlite"])
	c := inst.Client(t)
	c.Get("/signin")
	u, _ := url.Parse(inst.URL)
	before := c.HTTP.Jar.Cookies(u)
	c.SignIn("Rita", "ROTATE", "1980-01-01", "")
	after := c.HTTP.Jar.Cookies(u)
	if len(before) != 1 || len(after) != 1 || before[0].Value == after[0].Value {
		t.Fatalf("session cookie not rotated: before %v after %v", before, after)
	}
	// The pre-sign-in token no longer works.
	old := inst.Client(t)
	old.HTTP.Jar.SetCookies(u, before)
	if p := old.Get("/register"); p.Status != http.StatusSeeOther {
		t.Fatalf("old session still valid: %d", p.Status)
	}
}

func TestWeb_SessionTimeouts(t *testing.T) {
	t.Parallel()
	inst := portaltest.Start(t, storetest.DSNs(t)["sqlite"])
	t.Run("Idle", func(t *testing.T) {
		c := inst.Confirmed(t, "Ida", "IDLE", "ida@example.ca", "ida.idle")
		inst.Clock.Advance(29 * time.Minute)
		if p := c.Get("/menu"); p.Status != http.StatusOK {
			t.Fatalf("after 29 idle minutes: %d", p.Status)
		}
		inst.Clock.Advance(31 * time.Minute)
		if p := c.Get("/menu"); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/signin") {
			t.Fatalf("after 31 idle minutes: %d %q", p.Status, p.Location)
		}
	})
	t.Run("Absolute", func(t *testing.T) {
		c := inst.Confirmed(t, "Abe", "ABSOLUTE", "abe@example.ca", "abe.abs")
		for i := 0; i < 35; i++ { // active every 20 minutes for 11h40m
			inst.Clock.Advance(20 * time.Minute)
			if p := c.Get("/menu"); p.Status != http.StatusOK {
				t.Fatalf("active session ended after %d minutes", (i+1)*20)
			}
		}
		inst.Clock.Advance(21 * time.Minute)
		if p := c.Get("/menu"); p.Status != http.StatusSeeOther {
			t.Fatalf("session older than 12 hours still valid: %d", p.Status)
		}
	})
}

// A signed-in person whose account cannot be read, because the database
// is too slow (here: the accounts table locked past the statement
// timeout), reads the 503 page: they are not sent to sign in or to
// register again, and a form they post is not taken for a signed-out one.
func TestWeb_SignedInWhileAccountsStall(t *testing.T) {
	dsn := storetest.CreatePostgresDB(t)
	if dsn == "" {
		t.Skip(storetest.EnvPostgres + " not set: the stall is a PostgreSQL lock")
	}
	inst := portaltest.Start(t, dsn, func(c *wire.Config) { c.DBOptions.StatementTimeout = 500 * time.Millisecond })
	c := inst.Client(t)
	if p := c.SignIn("Stella", "STALL", "1980-04-18", "stella@example.ca"); !strings.HasSuffix(p.URL, "/register") {
		t.Fatalf("signed in to %s", p.URL)
	}
	reg := c.Post("/register", url.Values{"profession": {"medical_office_assistant"}, "email": {"stella@example.ca"},
		"phone": {"(778) 888-9999"}, "health_authority_account": {"no"}, "username": {"stella.stall"},
		"password": {"Harbour-Lantern-47"}, "confirm_password": {"Harbour-Lantern-47"}})
	if reg.Status != http.StatusSeeOther || reg.Location != "/menu" {
		t.Fatalf("register: %d %q", reg.Status, reg.Location)
	}
	if p := c.Get("/menu"); p.Status != http.StatusOK {
		t.Fatalf("menu: %d", p.Status)
	}

	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*portaltest.Page{c.Get("/menu"), c.Post("/account/contact", url.Values{"phone": {"(604) 555-0199"}})} {
		if p.Status != http.StatusServiceUnavailable || p.Header.Get("Retry-After") != "60" ||
			!strings.Contains(p.Body, "Please try again in a minute.") {
			t.Errorf(
				"%s while the accounts are locked: %d (Location %q), want the 503 page",
				p.URL,
				p.Status,
				p.Location,
			)
		}
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if p := c.Get("/menu"); p.Status != http.StatusOK || !strings.Contains(p.Body, "Stella") {
		t.Errorf("menu once the lock is gone: %d", p.Status)
	}
}
