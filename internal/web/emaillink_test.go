package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"strings"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
)

// cardSignIn starts a sign-in at start, signs in at the development
// provider as a typed person and returns the portal's answer to the
// callback, not followed.
func cardSignIn(t *testing.T, c *portaltest.Client, start, given, surname, email string) *portaltest.Page {
	t.Helper()
	login := c.Follow(c.Get(start))
	if login.Status != http.StatusOK || !strings.Contains(login.URL, "/dev/oidc/authorize") {
		t.Fatalf("%s did not reach the development provider: %d %s", start, login.Status, login.URL)
	}
	p := c.Post(login.URL[:strings.Index(login.URL, "/authorize")]+"/login", url.Values{
		"request": {login.Attr(`input[name="request"]`, "value")}, "action": {"new"},
		"given_names": {given}, "surname": {surname}, "birth_date": {"1980-04-18"}, "email": {email},
	})
	if p.Status != http.StatusSeeOther && p.Status != http.StatusFound {
		t.Fatalf("development sign-in refused the person: %d %s", p.Status, p.Text("main"))
	}
	return c.Get(p.Location)
}

// An invitation to someone with no HxBC account: the emailed link, opened
// signed out, goes to the BC Services Card, then the HxBC account form,
// then back to the invitation.
func TestWeb_EmailedLinkSurvivesRegistration(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		admin, wsID := kingsgateAdmin(t, inst)
		admin.Invite(wsID, "nina@example.ca")
		text := outboxText(t, inst, "nina@example.ca", "worksite_invitation")
		for _, want := range []string{"sign in with your BC Services Card", "HxBC account form", "come back to this invitation"} {
			if !strings.Contains(text, want) {
				t.Errorf("the invitation lacks %q:\n%s", want, text)
			}
		}
		link := invitationLinkRe.FindString(text)
		if link == "" {
			t.Fatalf("no link in the invitation:\n%s", text)
		}

		c := inst.Client(t)
		if p := c.Get(link); p.Status != http.StatusSeeOther ||
			p.Location != "/signin?return_to="+url.QueryEscape(link) {
			t.Fatalf("signed-out link: %d %q", p.Status, p.Location)
		}
		p := cardSignIn(t, c, "/signin?return_to="+url.QueryEscape(link), "Nina", "NEWCOMER", "nina@example.ca")
		if p.Status != http.StatusSeeOther || p.Location != "/register" {
			t.Fatalf("first sign-in: %d %q", p.Status, p.Location)
		}
		c.Follow(p)
		p = c.Post("/register", portaltest.RegistrationForm("nina@example.ca", "nina.newcomer"))
		if p.Status != http.StatusSeeOther || p.Location != link {
			t.Fatalf("register: %d %q %s", p.Status, p.Location, p.Text(".error-summary"))
		}
		page := c.Follow(p)
		if page.Status != http.StatusOK || !strings.Contains(page.Text("h1"), "Kingsgate Mall Clinic") {
			t.Fatalf("after the form: %d %q", page.Status, page.Text("h1"))
		}

		// Signed in with the card but not registered yet, then the link:
		// the form first, then the link's page.
		c2 := inst.Client(t)
		if p := cardSignIn(t, c2, "/signin", "Omar", "LATER", "omar@example.ca"); p.Location != "/register" {
			t.Fatalf("first sign-in: %q", p.Location)
		}
		if p := c2.Get(link); p.Status != http.StatusSeeOther || p.Location != "/register" {
			t.Fatalf("link before the form: %d %q", p.Status, p.Location)
		}
		c2.Get("/register")
		if p := c2.Post("/register", portaltest.RegistrationForm("omar@example.ca", "omar.later")); p.Status != http.StatusSeeOther ||
			p.Location != link {
			t.Fatalf("register: %d %q", p.Status, p.Location)
		}
	})
}

// return_to never sends anyone off the portal, whether the person has an
// account or registers first.
func TestWeb_ReturnToRefusesOtherSites(t *testing.T) {
	t.Parallel()
	inst := portaltest.Start(t, "sqlite:"+t.TempDir()+"/p.db")
	inst.Confirmed(t, "Dalia", "EIGHTEEN", "dalia@example.ca", "dalia.eighteen")
	evil := []string{
		"//evil.example",
		"/\\evil.example",
		"\\\\evil.example",
		"https://evil.example/",
		"http:evil.example",
		"%2F%2Fevil.example",
		"%5C%5Cevil.example",
		"///evil.example",
		"javascript:alert(1)",
		"evil.example",
	}
	for i, target := range evil {
		start := "/signin?return_to=" + url.QueryEscape(target)
		p := cardSignIn(t, inst.Client(t), start, "Dalia", "EIGHTEEN", "dalia@example.ca")
		if p.Status != http.StatusSeeOther || p.Location != "/menu" {
			t.Errorf("%q, account holder: %d %q", target, p.Status, p.Location)
		}
		c := inst.Client(t)
		email := "new" + string(rune('a'+i)) + "@example.ca"
		if p := cardSignIn(t, c, start, "New", "PERSON"+string(rune('A'+i)), email); p.Location != "/register" {
			t.Fatalf("%q: first sign-in %q", target, p.Location)
		}
		c.Get("/register")
		if p := c.Post("/register", portaltest.RegistrationForm(email, "new.person"+string(rune('a'+i)))); p.Status != http.StatusSeeOther ||
			p.Location != "/menu" {
			t.Errorf("%q, through registration: %d %q", target, p.Status, p.Location)
		}
	}
	// A control character is refused before sign-in starts.
	if p := inst.Client(t).Get("/signin?return_to=" + url.QueryEscape("/\t/evil.example")); p.Status != http.StatusBadRequest {
		t.Errorf("tab in return_to: %d %q", p.Status, p.Location)
	}
	// An encoded slash stays a path of this site.
	if p := cardSignIn(t, inst.Client(t), "/signin?return_to="+url.QueryEscape("/%2F/evil.example"), "Dalia", "EIGHTEEN", "dalia@example.ca"); p.Location != "/%2F/evil.example" {
		t.Errorf("encoded slash: %q", p.Location)
	}
	// An encoded path of this site is kept as it is.
	p := cardSignIn(
		t,
		inst.Client(t),
		"/signin?return_to="+url.QueryEscape("/worksites/join?x=%2F%2Fevil"),
		"Dalia",
		"EIGHTEEN",
		"dalia@example.ca",
	)
	if p.Location != "/worksites/join?x=%2F%2Fevil" {
		t.Errorf("same-site path: %q", p.Location)
	}
}

// oliveToSign has Omar MANAGER register Harbour Clinic, unit 101, naming
// Olive OWNER (olive@harbour.example) to sign its declaration; it returns
// Omar's client and the pending worksite's id.
func oliveToSign(t *testing.T, inst *portaltest.Instance) (manager *portaltest.Client, wsID string) {
	t.Helper()
	manager = inst.Confirmed(t, "Omar", "MANAGER", "omar@example.ca", "omar.manager")
	signer := portaltest.SignedBy("Olive OWNER", "olive@harbour.example")
	wsID, _ = manager.RegisterWorksite(portaltest.WorksiteForm("Harbour Clinic", "101", signer))
	return manager, wsID
}

// The person named to sign a worksite's declaration, who is no
// practitioner, follows the emailed link signed out, signs in with the BC
// Services Card and signs without the HxBC account form.
func TestWeb_SignerWithoutPractitionerAccount(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		_, wsID := oliveToSign(t, inst)
		link := declarationRe.FindString(outboxText(t, inst, "olive@harbour.example", "declaration_requested"))
		if link == "" {
			t.Fatal("no link in the declaration email")
		}

		// Someone else's card is refused, and no account is made.
		eve := inst.Client(t)
		if p := cardSignIn(t, eve, "/signin?return_to="+url.QueryEscape(link), "Eve", "OTHER", "eve@example.ca"); p.Location != "/register" {
			t.Fatalf("Eve's sign-in: %q", p.Location)
		}
		if p := eve.Follow(eve.Get("/register")); p.Attr("#signer-only form", "action") != "/register/signer" {
			t.Fatalf("no signer option on the form: %s", p.Text("main"))
		}
		if p := eve.Post("/register/signer", nil); p.Status != http.StatusForbidden ||
			!strings.Contains(p.Text("main"), "is to be signed by Olive OWNER") {
			t.Fatalf("Eve as signer: %d %s", p.Status, p.Text("main"))
		}
		if _, err := inst.DB.Read().FindAccountByEmail(t.Context(), "olive@harbour.example"); portal.ErrorCode(
			err,
		) != portal.ENOTFOUND {
			t.Fatalf("an account was made for the wrong card: %v", err)
		}

		olive := inst.Client(t)
		if p := olive.Get(link); p.Status != http.StatusSeeOther ||
			p.Location != "/signin?return_to="+url.QueryEscape(link) {
			t.Fatalf("signed-out link: %d %q", p.Status, p.Location)
		}
		if p := cardSignIn(t, olive, "/signin?return_to="+url.QueryEscape(link), "Olive", "OWNER", "olive.home@example.ca"); p.Location != "/register" {
			t.Fatalf("first sign-in: %q", p.Location)
		}
		reg := olive.Get("/register")
		if reg.Text("#signer-only-heading") != "Here only to sign a worksite's declaration?" {
			t.Fatalf("signer option: %q", reg.Text("#signer-only-heading"))
		}
		if p := olive.Post("/register/signer", url.Values{"csrf_token": {"wrong"}}); p.Status != http.StatusForbidden {
			t.Fatalf("without the CSRF token: %d", p.Status)
		}
		p := olive.Post("/register/signer", nil)
		if p.Status != http.StatusSeeOther || p.Location != link {
			t.Fatalf("continue as signer: %d %q %s", p.Status, p.Location, p.Text("main"))
		}
		decl := olive.Follow(p)
		if decl.Status != http.StatusOK || !strings.Contains(decl.Text("main"), "Harbour Clinic") {
			t.Fatalf("declaration page: %d %s", decl.Status, decl.Text("main"))
		}
		acct := inst.Account(t, "olive@harbour.example")
		if !acct.SignerOnly() || !acct.EmailConfirmed() || acct.PasswordHash != "" ||
			acct.LegalName() != "Olive OWNER" {
			t.Fatalf("signer account %+v", acct)
		}
		// The pending declaration is in her Notification Centre.
		if n := olive.Get("/notifications"); !strings.Contains(
			n.Text("main"),
			"Sign the Worksite Privacy & Security Declaration for Harbour Clinic.",
		) {
			t.Fatalf("notification centre: %s", n.Text("main"))
		}
		// She cannot request CareConnect access.
		if _, err := inst.Portal.App.SubmitAccessRequest(t.Context(), portal.RequestMeta{RequestID: "test"}, acct, portal.AccessRequestInput{}); err == nil {
			t.Fatal("a signer-only account requested CareConnect access")
		}

		olive.Get(link)
		if p := olive.Post(link, url.Values{"agree": {"yes"}, "full_name": {"Olive OWNER"}}); p.Status != http.StatusSeeOther ||
			p.Location != "/notifications" {
			t.Fatalf("sign: %d %q %s", p.Status, p.Location, p.Text(".error-summary"))
		}
		w, _ := inst.DB.Read().FindWorksiteByID(t.Context(), portal.WorksiteID(mustAtoi(t, wsID)))
		if !w.DeclarationDone() || w.SignerAccountID != acct.ID {
			t.Fatalf("declaration %+v", w)
		}
		var actions []string
		for _, e := range inst.Audit(t, portaltest.By(portal.ActorAccount, strconv.FormatInt(int64(acct.ID), 10))) {
			actions = append(actions, e.Action)
		}
		if !slices.Contains(actions, "account.signer_registered") ||
			!slices.Contains(actions, "worksite.declaration_signed") {
			t.Fatalf("audit: %v", actions)
		}
		// Signing in again later goes to the Notification Centre, not a practitioner's menu.
		if p := cardSignIn(t, inst.Client(t), "/signin", "Olive", "OWNER", "olive.home@example.ca"); p.Location != "/notifications" {
			t.Fatalf("signer's next sign-in: %q", p.Location)
		}
	})
}
