package web_test

import (
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
	"github.com/bcgov-example/careconnect-portal/internal/web"
)

func TestMain(m *testing.M) {
	code := m.Run()
	code = checkSCIMResponses(code)
	// Every template is rendered by some test: known only when all ran.
	if code == 0 && !testing.Short() && flag.Lookup("test.run").Value.String() == "" &&
		flag.Lookup("test.fuzz").Value.String() == "" {
		missing, err := web.TemplatesNeverRendered()
		if err != nil || len(missing) > 0 {
			fmt.Fprintf(os.Stderr, "page templates never rendered by a test: %v %v\n", missing, err)
			code = 1
		}
	}
	// Every error-summary entry links to a field on its page.
	if code == 0 {
		if unlinked := web.UnlinkedErrorSummaryEntries(); len(unlinked) > 0 {
			fmt.Fprintf(os.Stderr, "error-summary entries without their field on the page: %v\n", unlinked)
			code = 1
		}
	}
	os.Exit(code)
}

func TestWeb_RegisterJourney(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		c := inst.Client(t)
		home := c.Get("/")
		if home.Status != 200 || home.Attr(`a[href="/signin"].btn`, "href") == "" {
			t.Fatalf("home: %d, sign-in button missing", home.Status)
		}
		p := c.SignIn("Dalia", "EIGHTEEN", "1980-04-18", "dalia@example.ca")
		if !strings.HasSuffix(p.URL, "/register") || p.Status != 200 {
			t.Fatalf("landed on %s (%d), want the registration form", p.URL, p.Status)
		}
		if got := p.Attr("#legal_first_name", "value"); got != "Dalia" ||
			p.Attr("#legal_first_name", "readonly") == "" && len(p.Find("#legal_first_name[readonly]")) == 0 {
			t.Fatalf("legal first name %q not shown read-only", got)
		}
		if got := p.Attr("#username", "value"); got != "dalia.eighteen" {
			t.Fatalf("suggested username %q, want dalia.eighteen", got)
		}
		if got := len(p.Find("#profession option")); got != 19 {
			t.Fatalf("%d profession options, want 18 and the prompt", got)
		}

		// Bad input: each message at its field, everything typed kept but the passwords.
		bad := portaltest.RegistrationForm("not-an-email", "dalia.eighteen")
		bad.Set("cpsid", "XYZ")
		bad.Set("phone", "123")
		bad.Set("preferred_first_name", "Dee")
		bad.Set("password", "short")
		p = c.Post("/register", bad)
		if p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422", p.Status)
		}
		for field, want := range map[string]string{
			"email": "Enter an email address like name@example.ca.",
			"cpsid": "Enter your CPSID as 5 characters, e.g. A0000 or 00000.",
			"phone": "Enter a Canadian phone number with its area code, e.g. (778) 888-9999.",
		} {
			if got := p.Text("#" + field + "-error"); !strings.Contains(got, want) {
				t.Errorf("%s error %q, want %q", field, got, want)
			}
			if p.Attr("#"+field, "aria-invalid") != "true" {
				t.Errorf("%s not marked invalid", field)
			}
		}
		if !strings.Contains(p.Text("#password-error"), "12") {
			t.Errorf("password error %q does not name the length rule", p.Text("#password-error"))
		}
		if p.Attr("#email", "value") != "not-an-email" || p.Attr("#preferred_first_name", "value") != "Dee" ||
			p.Attr("#cpsid", "value") != "XYZ" || p.Attr("#msp_billing_number", "value") != "A1234" ||
			len(p.Find(`input[name="resident"][value="no"][checked]`)) != 1 || p.Attr("#password", "value") != "" {
			t.Errorf("the form did not keep what was typed")
		}
		if n := len(p.Find(".error-summary li")); n != 5 {
			t.Errorf("error summary lists %d problems, want 5", n)
		}

		p = c.Post("/register", portaltest.RegistrationForm("dalia@example.ca", "dalia.eighteen"))
		if p.Status != http.StatusSeeOther || p.Location != "/menu" {
			t.Fatalf("register: %d %q %s", p.Status, p.Location, p.Text(".error-summary"))
		}
		menu := c.Follow(p)
		if !strings.Contains(menu.Text(".flash"), `HXBC\dalia.eighteen`) || menu.Text("h1") != "Main Menu" {
			t.Fatalf("menu flash %q, h1 %q", menu.Text(".flash"), menu.Text("h1"))
		}
		emails := inst.Emails(t, "dalia@example.ca", "")
		if len(emails) != 1 || emails[0].Kind != "account_created" ||
			!strings.Contains(emails[0].Text, `HXBC\dalia.eighteen`) {
			t.Fatalf("emails %+v", emails)
		}
		inst.DeliverMail(t)
		mb := c.Follow(c.Get("/dev/mailbox"))
		if !strings.Contains(mb.Text("table"), "dalia@example.ca") || !strings.Contains(mb.Text("table"), "sent") {
			t.Fatalf("mailbox: %s", mb.Text("main"))
		}
		msg := c.Get(mb.Attr("table a", "href"))
		if !strings.Contains(msg.Text("#mail-text"), `HXBC\dalia.eighteen`) {
			t.Fatalf("mailbox message: %s", msg.Text("main"))
		}
		if h := c.Get(mb.Attr("table a", "href") + "/html"); !strings.Contains(
			h.Header.Get("Content-Security-Policy"),
			"sandbox",
		) {
			t.Fatalf("html body served without a sandbox")
		}

		// Signing in again goes straight to the menu.
		c2 := inst.Client(t)
		if p := c2.SignIn("Dalia", "EIGHTEEN", "1980-04-18", ""); !strings.HasSuffix(p.URL, "/menu") {
			t.Fatalf("returning person landed on %s", p.URL)
		}
		// The same email for another person is refused at the field.
		c3 := inst.Client(t)
		c3.SignIn("Other", "PERSON", "1970-01-01", "")
		p = c3.Post("/register", portaltest.RegistrationForm("DALIA@example.ca", "other.person"))
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Text("#email-error"), "already used") {
			t.Fatalf("duplicate email: %d %q", p.Status, p.Text("#email-error"))
		}
		p = c3.Post("/register", portaltest.RegistrationForm("other@example.ca", "dalia.eighteen"))
		if !strings.Contains(p.Text("#username-error"), "taken") {
			t.Fatalf("duplicate username: %q", p.Text("#username-error"))
		}
	})
}

func TestWeb_HealthAuthorityRoute(t *testing.T) {
	t.Parallel()
	inst := portaltest.Start(t, storetest.DSNs(t)["sqlite"])
	c := inst.Client(t)
	c.SignIn("Hana", "AUTHORITY", "1980-01-01", "")
	form := portaltest.RegistrationForm("hana@example.ca", "hana.authority")
	form.Set("health_authority_account", "yes")
	p := c.Post("/register", form)
	if p.Status != 200 || !strings.Contains(p.Text("h1"), "health authority") {
		t.Fatalf("got %d %q", p.Status, p.Text("h1"))
	}
	if _, err := inst.DB.Read().FindAccountByEmail(t.Context(), "hana@example.ca"); !store.IsNotFound(err) {
		t.Fatalf("an account was created: %v", err)
	}
}

func TestWeb_ManageMyAccount(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		c := inst.Confirmed(t, "Gregory", "NINETEEN", "greg@example.ca", "greg19")
		if p := c.Get("/account"); p.Status != 200 || len(p.Find(`a[href="/account/password"]`)) != 1 {
			t.Fatalf("account page: %d", p.Status)
		}
		p := c.Get("/account/username")
		if got := p.Text("#username"); got != `HXBC\greg19` {
			t.Fatalf("username shown %q", got)
		}
		p = c.Follow(c.Post("/account/username", nil))
		if !strings.Contains(p.Text(".flash"), "greg@example.ca") {
			t.Fatalf("flash %q", p.Text(".flash"))
		}
		if es := inst.Emails(t, "", "username_reminder"); len(es) != 1 {
			t.Fatalf("%d username emails, want 1", len(es))
		}

		p = c.Get("/account/password")
		if !strings.Contains(p.Text("main"), `HXBC\greg19`) {
			t.Fatal("password page does not name the account")
		}
		p = c.Post(
			"/account/password",
			url.Values{"password": {"Harbour-Lantern-47"}, "confirm_password": {"Harbour-Lantern-47"}},
		)
		if p.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(p.Text("#password-error"), "used this password before") {
			t.Fatalf("reuse: %d %q", p.Status, p.Text("#password-error"))
		}
		p = c.Post(
			"/account/password",
			url.Values{"password": {"Greg19-Harbour-Lantern"}, "confirm_password": {"Greg19-Harbour-Lantern"}},
		)
		if p.Status != http.StatusUnprocessableEntity || p.Text("#password-error") == "" {
			t.Fatalf("personal information: %d %q", p.Status, p.Text("#password-error"))
		}
		p = c.Post(
			"/account/password",
			url.Values{"password": {"Granite-Kettle-93"}, "confirm_password": {"Granite-Kettle-93"}},
		)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("change: %d %s", p.Status, p.Text(".error-summary"))
		}

		p = c.Get("/account/contact")
		if p.Attr("#phone", "value") != "(778) 888-9999" || !strings.Contains(p.Text(".summary-list"), "Physician") {
			t.Fatalf("contact form: phone %q", p.Attr("#phone", "value"))
		}
		p = c.Post(
			"/account/contact",
			url.Values{"preferred_first_name": {"Greg"}, "email": {"bad"}, "phone": {"(778) 888-9999"}},
		)
		if p.Status != http.StatusUnprocessableEntity || p.Attr("#preferred_first_name", "value") != "Greg" ||
			p.Text("#email-error") == "" {
			t.Fatalf("invalid contact: %d", p.Status)
		}
		p = c.Post(
			"/account/contact",
			url.Values{"preferred_first_name": {"Greg"}, "email": {"greg.new@example.ca"}, "phone": {"604-555-0100"}},
		)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("update: %d %s", p.Status, p.Text(".error-summary"))
		}
		if got := c.Follow(p).Text(".site-user"); !strings.Contains(got, "Greg NINETEEN") {
			t.Fatalf("header shows %q", got)
		}
		old := inst.Emails(t, "greg@example.ca", "contact_changed")
		if len(old) != 1 {
			t.Fatalf("%d emails to the old address, want 1", len(old))
		}
	})
}

func TestWeb_CSRF(t *testing.T) {
	t.Parallel()
	inst := portaltest.Start(t, storetest.DSNs(t)["sqlite"])
	c := inst.Confirmed(t, "Cass", "RF", "cass@example.ca", "cass.rf")
	for name, form := range map[string]url.Values{
		"missing": {"csrf_token": {""}},
		"wrong":   {"csrf_token": {strings.Repeat("0", 64)}},
	} {
		p := c.Post("/account/username", form)
		if p.Status != http.StatusForbidden {
			t.Errorf("%s token: status %d, want 403", name, p.Status)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, inst.URL+"/account/username", strings.NewReader("csrf_token="+c.CSRF))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin post: %d, want 403", resp.StatusCode)
	}
	if es := inst.Emails(t, "", "username_reminder"); len(es) != 0 {
		t.Fatalf("a refused request still sent %d emails", len(es))
	}
}

func TestWeb_SecurityHeadersAndErrors(t *testing.T) {
	t.Parallel()
	inst := portaltest.Start(t, storetest.DSNs(t)["sqlite"])
	c := inst.Client(t)
	p := c.Get("/no/such/page")
	if p.Status != 404 || p.Text("h1") != "Page not found" || p.Text(".error-reference, main") == "" {
		t.Fatalf("404 page: %d %q", p.Status, p.Text("h1"))
	}
	for h, want := range map[string]string{
		"Content-Security-Policy": "frame-ancestors 'none'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "same-origin",
	} {
		if !strings.Contains(p.Header.Get(h), want) {
			t.Errorf("%s = %q, want it to contain %q", h, p.Header.Get(h), want)
		}
	}
	if strings.Contains(p.Header.Get("Content-Security-Policy"), "unsafe-inline") {
		t.Error("the CSP allows inline code")
	}
	// Signed-out people are sent to sign in, remembering where they were going.
	if p := c.Get("/account/contact"); p.Status != http.StatusSeeOther ||
		p.Location != "/signin?return_to=%2Faccount%2Fcontact" {
		t.Fatalf("signed out: %d %q", p.Status, p.Location)
	}
	if p := c.Get("/menu"); p.Status != http.StatusSeeOther {
		t.Fatalf("menu signed out: %d", p.Status)
	}
	if p := c.Get("/help"); p.Status != 200 || len(p.Find("#faq")) != 1 {
		t.Fatalf("help: %d", p.Status)
	}
	if p := c.Get("/healthz"); p.Status != 200 {
		t.Fatalf("healthz %d", p.Status)
	}
	if p := c.Get("/readyz"); p.Status != 200 {
		t.Fatalf("readyz %d", p.Status)
	}
	if p := c.Get("/static/css/portal.css?v=nothash"); p.Status != 200 ||
		strings.Contains(p.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("static with a stale hash: %d %q", p.Status, p.Header.Get("Cache-Control"))
	}
	if p := c.Get("/static/fonts/BCSans-Regular.woff2"); p.Header.Get("Content-Type") != "font/woff2" {
		t.Fatalf("woff2 served as %q", p.Header.Get("Content-Type"))
	}
	if p := c.Get("/signed-out"); p.Status != 200 {
		t.Fatalf("signed-out page %d", p.Status)
	}
	m := c.Get("/metrics")
	for _, want := range []string{`portal_http_requests_total{method="GET",route="GET /help",status="200"} 1`,
		`portal_http_request_duration_seconds_count{method="GET",route="GET /healthz"} 1`, "portal_outbox_depth 0"} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestWeb_SignInStartsAreRateLimited(t *testing.T) {
	t.Parallel()
	inst := portaltest.Start(t, storetest.DSNs(t)["sqlite"])
	c := inst.Client(t)
	for i := 0; i < 600; i++ {
		if p := c.Get("/signin"); p.Status != http.StatusSeeOther {
			t.Fatalf("sign-in %d: %d", i+1, p.Status)
		}
	}
	if p := c.Get("/signin"); p.Status != http.StatusTooManyRequests {
		t.Fatalf("sign-in 601: %d, want 429", p.Status)
	}
}
