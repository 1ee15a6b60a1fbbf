package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oauth2-proxy/mockoidc"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/identity"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
	"github.com/bcgov-example/careconnect-portal/internal/wire"
)

// httpsPortal runs the portal as it is deployed (see productionPortal)
// behind an https base URL, with mockoidc as the people's identity provider.
func httpsPortal(t *testing.T) *portaltest.Instance {
	t.Helper()
	people, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = people.Shutdown() })
	return productionPortal(t, func(cfg *wire.Config) {
		cfg.BaseURL = "https://portal.test"
		cfg.OIDC = identity.Config{
			Issuer:       people.Issuer(),
			ClientID:     people.ClientID,
			ClientSecret: people.ClientSecret,
		}
	})
}

// TestWeb_SessionCookieAttributes checks every attribute of the one cookie
// the portal sets, as deployed (ASVS 3.3).
func TestWeb_SessionCookieAttributes(t *testing.T) {
	t.Parallel()
	inst := httpsPortal(t)
	p := inst.Client(t).Get("/signin")
	if p.Status != http.StatusSeeOther {
		t.Fatalf("start sign-in: %d", p.Status)
	}
	cookies := p.Header.Values("Set-Cookie")
	if len(cookies) != 1 {
		t.Fatalf("Set-Cookie %q, want one cookie", cookies)
	}
	c, err := http.ParseSetCookie(cookies[0])
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "__Host-portal_session" || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode ||
		c.Path != "/" || c.Domain != "" || c.MaxAge != 0 || !c.Expires.IsZero() {
		t.Fatalf(
			"session cookie %q: want __Host-portal_session, HttpOnly, Secure, SameSite=Lax, Path=/, no Domain, no expiry",
			cookies[0],
		)
	}
	if len(c.Value) < 32 {
		t.Fatalf("session token of %d characters", len(c.Value))
	}
}

// TestWeb_SecurityHeadersAsDeployed checks the headers a browser is sent on
// every page, as deployed over https (ASVS 3.4).
func TestWeb_SecurityHeadersAsDeployed(t *testing.T) {
	t.Parallel()
	inst := httpsPortal(t)
	c := inst.Client(t)
	for _, path := range []string{"/", "/help", "/no/such/page"} {
		p := c.Get(path)
		for h, want := range map[string]string{
			"Strict-Transport-Security":  "max-age=31536000; includeSubDomains",
			"X-Frame-Options":            "DENY",
			"Cross-Origin-Opener-Policy": "same-origin",
			"Permissions-Policy":         "camera=(), microphone=(), geolocation=(), payment=()",
			"X-Content-Type-Options":     "nosniff",
			"Referrer-Policy":            "same-origin",
			"Cache-Control":              "no-store",
		} {
			if got := p.Header.Get(h); got != want {
				t.Errorf("%s: %s = %q, want %q", path, h, got, want)
			}
		}
		csp := p.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP %q allows inline or evaluated code", path, csp)
		}
	}
	// Over plain http (development), no HSTS: it would pin a browser to
	// https on a machine that has none.
	dev := portaltest.Start(t, storetest.DSNs(t)["sqlite"]).Client(t).Get("/help")
	if got := dev.Header.Get("Strict-Transport-Security"); got != "" {
		t.Errorf("HSTS over http: %q", got)
	}
}

// TestWeb_MarkupIsShownAsText saves markup in fields a person types and
// that other people read, and checks that every page shows it as text
// (ASVS 1.2, 3.2).
func TestWeb_MarkupIsShownAsText(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		const attack = `<script>alert(1)</script>`
		lead := inst.Confirmed(t, "Lena", "MOA", "lena@example.ca", "lena.moa")
		// Names are letters only: markup is refused where it is typed.
		p := lead.Post("/account/contact", url.Values{"preferred_first_name": {attack}, "preferred_last_name": {"Lee"},
			"email": {"lena@example.ca"}, "phone": {"604-555-0101"}})
		if p.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(p.Text(".error-summary"), "Preferred first name may contain only letters") {
			t.Fatalf("markup in a preferred name: %d %s", p.Status, p.Text(".error-summary"))
		}
		_, code := boPendingWorksite(t, lead, "Clinic "+attack, "101")
		officer := inst.StaffClient(t, "officer")
		pages := map[string]*portaltest.Page{
			"menu":           lead.Get("/menu"),
			"my worksites":   lead.Get("/worksites"),
			"staff worksite": officer.Get("/staff/worksites"),
		}
		for name, p := range pages {
			if p.Status != http.StatusOK {
				t.Fatalf("%s: %d", name, p.Status)
			}
			for _, raw := range []string{"<script>alert(1)"} {
				if strings.Contains(p.Body, raw) {
					t.Errorf("%s page carries the markup unescaped (%q)", name, raw)
				}
			}
		}
		if !strings.Contains(pages["my worksites"].Body, "Clinic &lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Error("My Worksites does not show the worksite's name as text")
		}
		if !strings.Contains(pages["staff worksite"].Text("#worksite-"+code), "Clinic <script>alert(1)</script>") {
			t.Errorf(
				"the team's card does not show the worksite's name as typed: %q",
				pages["staff worksite"].Text("#worksite-"+code),
			)
		}
	})
}

// sessionAudit returns the audit rows about sign-ins and sessions, in order.
func sessionAudit(t *testing.T, inst *portaltest.Instance) []portal.AuditEvent {
	t.Helper()
	var out []portal.AuditEvent
	for _, e := range inst.Audit(t, store.AuditFilter{}) {
		if strings.HasPrefix(e.Action, "session.") {
			out = append(out, e)
		}
	}
	return out
}

// TestWeb_RefusedSignInsAreAudited checks that an answer to a sign-in this
// browser started, refused for a wrong nonce or state, leaves an audit row
// with its reason; that a callback no sign-in started leaves none; and that
// a completed sign-in is audited too (ASVS 16.3).
func TestWeb_RefusedSignInsAreAudited(t *testing.T) {
	t.Parallel()
	inst, _ := mockPortal(t, nil)
	c := inst.Client(t)

	// A callback nobody started: refused, logged, not audited.
	wantSignInRefused(t, c.Get("/auth/callback?state=forged&code=forged"), identity.ErrState)
	if evs := sessionAudit(t, inst); len(evs) != 0 {
		t.Fatalf("a callback without a pending sign-in was audited: %+v", evs)
	}

	// A started sign-in answered with the wrong nonce.
	wantSignInRefused(t, signInWithWrongNonce(c), identity.ErrNonce)

	// A started sign-in answered with another state.
	c.Get("/signin")
	wantSignInRefused(t, c.Get("/auth/callback?state=not-the-one&code=x"), identity.ErrState)

	evs := sessionAudit(t, inst)
	var got []string
	for _, e := range evs {
		got = append(got, e.Action+" "+string(e.Details))
	}
	if len(evs) != 2 || evs[0].Action != "session.sign_in_refused" ||
		!strings.Contains(string(evs[0].Details), `"reason":"nonce"`) ||
		evs[1].Action != "session.sign_in_refused" ||
		!strings.Contains(string(evs[1].Details), `"reason":"state"`) {
		t.Fatalf("audit rows %q, want two session.sign_in_refused, for the nonce then the state", got)
	}

	// A sign-in that completes is audited as such.
	if p := c.Follow(c.Get("/signin")); !strings.HasSuffix(p.URL, "/register") {
		t.Fatalf("sign-in landed on %s", p.URL)
	}
	evs = sessionAudit(t, inst)
	if last := evs[len(evs)-1]; last.Action != "session.signed_in" || last.SubjectKind != "identity" ||
		last.SubjectID == "" {
		t.Fatalf("last audit row %+v, want session.signed_in for the card's identity", last)
	}
}

// TestWeb_SignOutEverywhereElse checks that a person can end their other
// sessions, and that changing the password ends them too (ASVS 7.4).
func TestWeb_SignOutEverywhereElse(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		here := inst.Confirmed(t, "Sam", "SHARED", "sam@example.ca", "sam.shared")
		signInAgain := func() *portaltest.Client {
			c := inst.Client(t)
			c.SignIn("Sam", "SHARED", "1980-04-18", "sam@example.ca")
			if p := c.Get("/menu"); p.Status != http.StatusOK {
				t.Fatalf("second browser: menu %d", p.Status)
			}
			return c
		}
		signedOut := func(c *portaltest.Client) bool {
			p := c.Get("/menu")
			return p.Status == http.StatusSeeOther && strings.HasPrefix(p.Location, "/signin")
		}
		lastAudit := func(action string) portal.AuditEvent {
			t.Helper()
			evs := inst.Audit(t, store.AuditFilter{})
			for i := len(evs) - 1; i >= 0; i-- {
				if evs[i].Action == action {
					return evs[i]
				}
			}
			t.Fatalf("no %s audit row", action)
			return portal.AuditEvent{}
		}

		if len(here.Get("/account").Find(`form[action="/account/sessions/end"] button`)) != 1 {
			t.Fatal("Manage My Account offers no way to sign out elsewhere")
		}
		laptop, phone := signInAgain(), signInAgain()
		p := here.Post("/account/sessions/end", nil)
		if p.Status != http.StatusSeeOther || p.Location != "/account" {
			t.Fatalf("end other sessions: %d %q", p.Status, p.Location)
		}
		if got := here.Follow(p).Text(".flash"); got != "You are signed out of 2 other browsers or devices. This browser stays signed in." {
			t.Fatalf("flash %q", got)
		}
		if !signedOut(laptop) || !signedOut(phone) || signedOut(here) {
			t.Fatal("want the other two browsers signed out and this one signed in")
		}
		if e := lastAudit("session.ended_elsewhere"); string(e.Details) != `{"sessions_ended":2}` ||
			e.SubjectKind != "account" {
			t.Fatalf("audit row %+v", e)
		}
		// Without a CSRF token nothing ends.
		other := signInAgain()
		if p := here.Post("/account/sessions/end", url.Values{"csrf_token": {"wrong"}}); p.Status != http.StatusForbidden {
			t.Fatalf("without a CSRF token: %d", p.Status)
		}
		if signedOut(other) {
			t.Fatal("a refused request ended a session")
		}

		// Changing the password signs every other browser out.
		p = here.Post(
			"/account/password",
			url.Values{"password": {"Granite-Kettle-93"}, "confirm_password": {"Granite-Kettle-93"}},
		)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("password change: %d %s", p.Status, p.Text(".error-summary"))
		}
		if !signedOut(other) || signedOut(here) {
			t.Fatal("after a password change, want the other browser signed out and this one signed in")
		}
		if e := lastAudit("account.password_changed"); string(e.Details) != `{"other_sessions_ended":1}` {
			t.Fatalf("password audit details %s", e.Details)
		}
	})
}
