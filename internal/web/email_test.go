package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
)

var (
	confirmLinkRe    = regexp.MustCompile(`/account/email/confirm/[0-9a-f]{64}`)
	confirmCodeRe    = regexp.MustCompile(`type this code: ([0-9]{6})`)
	invitationLinkRe = regexp.MustCompile(`/invitations/[0-9a-f]{64}`)
	declarationRe    = regexp.MustCompile(`/declarations/[0-9a-f]{64}`)
)

// mustAtoi parses a decimal id, such as one read from a path.
func mustAtoi(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// outboxText returns the text of the newest email of a kind to an address.
func outboxText(t *testing.T, inst *portaltest.Instance, to, kind string) string {
	t.Helper()
	es := inst.Emails(t, to, kind)
	if len(es) == 0 {
		t.Fatalf("no %s email to %s", kind, to)
	}
	return es[0].Text
}

func TestWeb_EmailConfirmation(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		c := inst.Registered(t, "Dalia", "EIGHTEEN", "dalia@example.ca", "dalia.eighteen")

		// Every page that matters says the address is not confirmed, and how to confirm it.
		menu := c.Get("/menu")
		if got := menu.Text("#email-unconfirmed"); !strings.Contains(
			got,
			"Your email address dalia@example.ca is not confirmed yet.",
		) ||
			menu.Attr("#email-unconfirmed a.btn", "href") != "/account#email" {
			t.Fatalf("menu banner %q", got)
		}
		if got := c.Get("/notifications").Text("#email-unconfirmed"); !strings.Contains(
			got,
			"type its code on Manage My Account",
		) {
			t.Fatalf("notification centre banner %q", got)
		}
		acct := c.Get("/account")
		if got := acct.Text("#email-state"); got != "dalia@example.ca Not confirmed yet" {
			t.Fatalf("account email state %q", got)
		}
		if len(acct.Find(`form[action="/account/email/confirm"] #code`)) != 1 ||
			len(acct.Find(`form[action="/account/email/resend"] button`)) != 1 {
			t.Fatalf("no code box or send-again button: %s", acct.Text("#email"))
		}

		// A wrong code: said at the field, what was typed kept.
		p := c.Post("/account/email/confirm", url.Values{"code": {"00000"}})
		if p.Status != http.StatusUnprocessableEntity ||
			p.Text("#code-error") != "Error: Enter the 6-digit code from the email, for example 123456." ||
			p.Attr("#code", "value") != "00000" ||
			p.Attr("#code", "aria-invalid") != "true" {
			t.Fatalf("bad code: %d %q %q", p.Status, p.Text("#code-error"), p.Attr("#code", "value"))
		}
		code := confirmCodeRe.FindStringSubmatch(outboxText(t, inst, "dalia@example.ca", "account_created"))[1]
		wrong := "999999"
		if code == wrong {
			wrong = "888888"
		}
		p = c.Post("/account/email/confirm", url.Values{"code": {wrong}})
		if p.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(p.Text("#code-error"), "That code is not right.") {
			t.Fatalf("wrong code: %d %q", p.Status, p.Text("#code-error"))
		}

		// The link, opened signed out: sign in with the BC Services Card, then confirm.
		link := confirmLinkRe.FindString(outboxText(t, inst, "dalia@example.ca", "account_created"))
		fresh := inst.Client(t)
		p = fresh.Get(link)
		if p.Status != http.StatusSeeOther || p.Location != "/signin?return_to="+url.QueryEscape(link) {
			t.Fatalf("signed-out link: %d %q", p.Status, p.Location)
		}
		login := fresh.Follow(p)
		p = fresh.Post(login.URL[:strings.Index(login.URL, "/authorize")]+"/login", url.Values{
			"request": {login.Attr(`input[name="request"]`, "value")}, "action": {"new"},
			"given_names": {
				"Dalia",
			}, "surname": {"EIGHTEEN"}, "birth_date": {"1980-04-18"}, "email": {"dalia@example.ca"},
		})
		page := fresh.Follow(p)
		if !strings.HasSuffix(page.URL, link) || page.Text("#email-confirm-address") != "dalia@example.ca" {
			t.Fatalf("after sign-in landed on %s: %s", page.URL, page.Text("main"))
		}
		if a := inst.Account(t, "dalia@example.ca"); a.EmailConfirmed() {
			t.Fatal("opening the link (a GET) confirmed the address")
		}
		p = fresh.Post("/account/email/confirm", url.Values{"token": {page.Attr(`input[name="token"]`, "value")}})
		if p.Status != http.StatusSeeOther || p.Location != "/account" {
			t.Fatalf("confirm: %d %q %s", p.Status, p.Location, p.Text("main"))
		}
		done := fresh.Follow(p)
		if !strings.Contains(done.Text(".flash"), "Your email address dalia@example.ca is confirmed.") ||
			!strings.HasPrefix(
				done.Text("#email-state"),
				"dalia@example.ca Confirmed on ",
			) || len(done.Find("#code")) != 0 {
			t.Fatalf("after confirming: %q %q", done.Text(".flash"), done.Text("#email-state"))
		}
		if len(fresh.Get("/menu").Find("#email-unconfirmed")) != 0 {
			t.Fatal("the menu still asks to confirm the address")
		}
		// The link again: already done.
		if p := fresh.Get(link); p.Status != http.StatusOK ||
			!strings.Contains(p.Text("#email-confirm-state"), "is confirmed") {
			t.Fatalf("link after use: %d %s", p.Status, p.Text("main"))
		}

		// A new address starts again; the old one is told.
		p = fresh.Post("/account/contact", url.Values{"email": {"dalia@new.example"}, "phone": {"(778) 888-9999"}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("contact: %d %s", p.Status, p.Text(".error-summary"))
		}
		if got := fresh.Follow(p).Text(".flash"); !strings.Contains(
			got,
			"Your new email address dalia@new.example is not confirmed yet",
		) {
			t.Fatalf("flash %q", got)
		}
		if got := fresh.Get("/account").Text("#email-state"); got != "dalia@new.example Not confirmed yet" {
			t.Fatalf("state after change %q", got)
		}
		if !confirmLinkRe.MatchString(outboxText(t, inst, "dalia@new.example", "contact_changed")) {
			t.Fatal("the new address got no confirmation")
		}
		if old := outboxText(t, inst, "dalia@example.ca", "contact_changed"); !strings.Contains(
			old,
			"has been replaced",
		) ||
			confirmLinkRe.MatchString(old) {
			t.Fatalf("email to the old address:\n%s", old)
		}
		fresh.ConfirmEmail("dalia@new.example")
		if a := inst.Account(t, "dalia@new.example"); !a.EmailConfirmed() {
			t.Fatal("the new address is not confirmed")
		}
	})
}

// "Send the confirmation again" is limited per account.
func TestWeb_EmailConfirmationResendIsRateLimited(t *testing.T) {
	t.Parallel()
	inst := portaltest.Start(t, "sqlite:"+t.TempDir()+"/p.db")
	c := inst.Registered(t, "Rae", "RESEND", "rae@example.ca", "rae.resend")
	c.Get("/account")
	for i := 1; i <= portal.EmailConfirmationsPerHour; i++ {
		p := c.Post("/account/email/resend", nil)
		if p.Status != http.StatusSeeOther || p.Location != "/account#email" {
			t.Fatalf("resend %d: %d %s", i, p.Status, p.Text("main"))
		}
		if got := c.Follow(p).Text(".flash"); !strings.Contains(
			got,
			"We have sent a new confirmation to rae@example.ca.",
		) {
			t.Fatalf("resend %d flash %q", i, got)
		}
	}
	p := c.Post("/account/email/resend", nil)
	if p.Status != http.StatusTooManyRequests || !strings.Contains(p.Text("main"), "too many times") {
		t.Fatalf("resend %d: %d %q", portal.EmailConfirmationsPerHour+1, p.Status, p.Text("main"))
	}
	es := inst.Emails(t, "rae@example.ca", "email_confirmation")
	if len(es) != portal.EmailConfirmationsPerHour {
		t.Fatalf("%d confirmation emails, want %d", len(es), portal.EmailConfirmationsPerHour)
	}
	// Only the newest link works.
	oldest := confirmLinkRe.FindString(es[len(es)-1].Text)
	if p := c.Get(oldest); p.Status != http.StatusNotFound {
		t.Fatalf("a replaced link opened: %d", p.Status)
	}
	// The limit is the account's own: another person still may.
	other := inst.Registered(t, "Olga", "OTHER", "olga@example.ca", "olga.other")
	other.Get("/account")
	if p := other.Post("/account/email/resend", nil); p.Status != http.StatusSeeOther {
		t.Fatalf("another account: %d", p.Status)
	}
	// The form is CSRF protected.
	if p := c.Post("/account/email/resend", url.Values{"csrf_token": {"forged"}}); p.Status != http.StatusForbidden {
		t.Fatalf("without the CSRF token: %d", p.Status)
	}
}

// The reproduction of the issue, as an attacker would try it: take the
// invited address on your own account and accept from the Notification Centre.
func TestWeb_InvitationNeedsTheLinkOrAConfirmedAddress(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		_, id := kingsgateInvitation(t, inst, "lou@clinic.example")
		inv, err := inst.DB.Read().FindPendingInvitationsForEmail(t.Context(), "lou@clinic.example", inst.Clock.Now())
		if err != nil || len(inv) != 1 {
			t.Fatalf("invitation %v %v", inv, err)
		}
		accept := "/invitations/" + formatInt(int64(inv[0].ID)) + "/accept"

		mallory := inst.Confirmed(t, "Mallory", "TAKER", "mallory@example.ca", "mallory")
		mallory.Get("/account/contact")
		if p := mallory.Post("/account/contact", url.Values{"email": {"lou@clinic.example"}, "phone": {"(778) 888-9999"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("change email: %d %s", p.Status, p.Text(".error-summary"))
		}
		nc := mallory.Get("/notifications")
		row := nc.Text("#action-table")
		if !strings.Contains(
			row,
			"This invitation was sent to lou@clinic.example. Confirm that email address on Manage My Account, or open the link in the invitation email.",
		) ||
			len(nc.Find(`#action-table form[action$="/accept"]`)) != 0 ||
			len(nc.Find(`#action-table form[action$="/reject"]`)) != 0 {
			t.Fatalf("the invitation is actionable for an unconfirmed address: %s", row)
		}
		for _, try := range []url.Values{nil, {"token": {strings.Repeat("ab", 32)}}} {
			p := mallory.Post(accept, try)
			if p.Status != http.StatusForbidden && p.Status != http.StatusNotFound {
				t.Fatalf("accept with %v: %d %s", try, p.Status, p.Text("main"))
			}
			if try == nil && (!strings.Contains(p.Text(".lead"), "This invitation was sent to lou@clinic.example.") ||
				!strings.Contains(p.Text("#email-unconfirmed"), "is not confirmed yet")) {
				t.Fatalf("refusal page: %s", p.Text("main"))
			}
		}
		// Mallory puts her address back: still no membership, nothing to request access with.
		mallory.Get("/account/contact")
		mallory.Post("/account/contact", url.Values{"email": {"mallory@example.ca"}, "phone": {"(778) 888-9999"}})
		mAcct := inst.Account(t, "mallory@example.ca")
		ws, _ := inst.DB.Read().FindAccountMemberships(t.Context(), mAcct.ID)
		if len(ws) != 0 {
			t.Fatalf("Mallory became a member: %+v", ws)
		}
		if p := mallory.Get("/application/request"); strings.Contains(p.Body, "Kingsgate Mall Clinic") {
			t.Fatal("the clinic is offered on Mallory's CareConnect request")
		}

		// Lou, whose HxBC account uses another address, accepts with the link.
		lou := inst.Registered(t, "Lou", "LOCUM", "lou.personal@example.ca", "lou.locum")
		link := invitationLinkRe.FindString(outboxText(t, inst, "lou@clinic.example", "worksite_invitation"))
		page := lou.Get(link)
		if page.Status != http.StatusOK || page.Attr(`form[action="`+accept+`"] input[name="token"]`, "value") == "" {
			t.Fatalf("invitation page: %d %s", page.Status, page.Text("main"))
		}
		p := lou.Post(
			accept,
			url.Values{"token": {page.Attr(`form[action="`+accept+`"] input[name="token"]`, "value")}},
		)
		if p.Status != http.StatusSeeOther ||
			!strings.Contains(lou.Follow(p).Text(".flash"), "You have joined Kingsgate Mall Clinic") {
			t.Fatalf("accept with the link: %d %s", p.Status, p.Text("main"))
		}
		louAcct := inst.Account(t, "lou.personal@example.ca")
		if m, err := inst.DB.Read().FindMember(t.Context(), portal.WorksiteID(mustAtoi(t, id)), louAcct.ID); err != nil ||
			m.Status != portal.MemberActive {
			t.Fatalf("Lou's membership %+v %v", m, err)
		}
	})
}

// The second reproduction: sign another clinic's declaration by taking the
// signer's address, without the emailed link.
func TestWeb_DeclarationNeedsTheLinkOrTheConfirmedSigner(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		manager, wsID := oliveToSign(t, inst)
		mallory := inst.Confirmed(t, "Mallory", "TAKER", "mallory@example.ca", "mallory")
		mallory.Get("/account/contact")
		mallory.Post("/account/contact", url.Values{"email": {"olive@harbour.example"}, "phone": {"(778) 888-9999"}})
		decl := "/worksites/" + wsID + "/declaration"
		if p := mallory.Get(decl); p.Status != http.StatusNotFound {
			t.Fatalf("declaration page for the address holder: %d", p.Status)
		}
		mallory.Get("/menu")
		if p := mallory.Post(decl, url.Values{"agree": {"yes"}, "full_name": {"Mallory TAKER"}}); p.Status != http.StatusNotFound {
			t.Fatalf("signing without the link: %d %s", p.Status, p.Text("main"))
		}
		// The registrant cannot use the signer's link either.
		link := declarationRe.FindString(outboxText(t, inst, "olive@harbour.example", "declaration_requested"))
		if p := manager.Get(link); p.Status != http.StatusForbidden {
			t.Fatalf("registrant with the signer's link: %d", p.Status)
		}
		w, _ := inst.DB.Read().FindWorksiteByID(t.Context(), portal.WorksiteID(mustAtoi(t, wsID)))
		if w.DeclarationDone() {
			t.Fatal("the declaration was signed without the link")
		}
		// Olive signs with the link, whatever address her own account uses.
		olive := inst.Registered(t, "Olive", "OWNER", "olive.home@example.ca", "olive.owner")
		if p := olive.Get(link); p.Status != http.StatusOK {
			t.Fatalf("signer's link: %d %s", p.Status, p.Text("main"))
		}
		if p := olive.Post(link, url.Values{"agree": {"yes"}, "full_name": {"Olive OWNER"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("sign with the link: %d %s", p.Status, p.Text(".error-summary"))
		}
		w, _ = inst.DB.Read().FindWorksiteByID(t.Context(), w.ID)
		if !w.DeclarationDone() || w.SignerAccountID != inst.Account(t, "olive.home@example.ca").ID {
			t.Fatalf("declaration %+v", w)
		}
	})
}

// A registrant with signing authority signs only once their address is confirmed.
func TestWeb_RegistrantSignsAfterConfirming(t *testing.T) {
	t.Parallel()
	inst := portaltest.Start(t, "sqlite:"+t.TempDir()+"/p.db")
	c := inst.Registered(t, "Lena", "MOA", "lena@example.ca", "lena.moa")
	p := c.Post("/worksites/new", portaltest.WorksiteForm("Kingsgate Mall Clinic", "101"))
	if p.Status != http.StatusSeeOther || !strings.HasSuffix(p.Location, "/declaration") {
		t.Fatalf("register: %d %q", p.Status, p.Location)
	}
	decl := p.Location
	page := c.Follow(p)
	if page.Status != http.StatusForbidden ||
		!strings.Contains(page.Text(".lead"), "Your email address lena@example.ca is not confirmed yet.") ||
		page.Attr("#email-unconfirmed a.btn", "href") != "/account#email" {
		t.Fatalf("declaration before confirming: %d %s", page.Status, page.Text("main"))
	}
	nc := c.Get("/notifications")
	if !strings.Contains(
		nc.Text("#action-table"),
		"Sign the Worksite Privacy & Security Declaration for Kingsgate Mall Clinic.",
	) ||
		nc.Attr(`#action-table a.btn`, "href") != "/account#email" {
		t.Fatalf("notification centre: %s", nc.Text("#action-table"))
	}
	c.ConfirmEmail("lena@example.ca")
	c.Get(decl)
	if p := c.Post(decl, url.Values{"agree": {"yes"}, "full_name": {"lena moa"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("sign after confirming: %d %s", p.Status, p.Text("main"))
	}
}

// The third reproduction: external training credit by an unconfirmed email.
func TestWeb_TrainingCreditNeedsAConfirmedAddress(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		mallory := inst.Confirmed(t, "Mallory", "TAKER", "mallory@example.ca", "mallory")
		mallory.Get("/account/contact")
		mallory.Post("/account/contact", url.Values{"email": {"alice@example.ca"}, "phone": {"(778) 888-9999"}})
		day := inst.Clock.Now().In(portal.Pacific()).Format("2006-01-02")
		rec, err := inst.Portal.App.RecordExternalTraining(
			t.Context(),
			portal.RequestMeta{},
			"officer.one",
			"alice@example.ca",
			day,
		)
		if err != nil || rec.Pending == nil || rec.Completion != nil {
			t.Fatalf("recorded %+v %v", rec, err)
		}
		if got := mallory.Get("/training").Text("#training-status"); got != "Not started" {
			t.Fatalf("Mallory's training reads %q", got)
		}
		mallory.Get("/account/contact")
		mallory.Post("/account/contact", url.Values{"email": {"mallory@example.ca"}, "phone": {"(778) 888-9999"}})
		mallory.ConfirmEmail("mallory@example.ca")
		if got := mallory.Get("/training").Text("#training-status"); got != "Not started" {
			t.Fatalf("after going back, Mallory's training reads %q", got)
		}
		// Alice confirms her address: the completion is hers.
		alice := inst.Confirmed(t, "Alice", "OWNER", "alice@example.ca", "alice")
		if got := alice.Get("/training").Text("#training-status"); got != "Completed" {
			t.Fatalf("Alice's training reads %q", got)
		}
	})
}

// Tokens never reach the request log: neither a link's path nor sign-in's query.
func TestWeb_RequestLogHasNoTokens(t *testing.T) {
	t.Parallel()
	inst := portaltest.Start(t, "sqlite:"+t.TempDir()+"/p.db")
	c := inst.Registered(t, "Dalia", "EIGHTEEN", "dalia@example.ca", "dalia18")
	link := confirmLinkRe.FindString(outboxText(t, inst, "dalia@example.ca", "account_created"))
	token := strings.TrimPrefix(link, "/account/email/confirm/")
	c.Get(link)
	inst.Client(t).Get(link) // signed out: redirected to sign-in with the link in return_to
	c.Get("/invitations/" + strings.Repeat("cd", 32))
	c.Get("/declarations/" + strings.Repeat("ef", 32) + "/extra") // not a route: still redacted
	c.ConfirmEmail("dalia@example.ca")
	logs := inst.Logs.String()
	for _, secret := range []string{token, strings.Repeat("cd", 32), strings.Repeat("ef", 32)} {
		if strings.Contains(logs, secret) {
			t.Fatalf("a token reached the log:\n%s", logs)
		}
	}
	for _, want := range []string{"path=/account/email/confirm/{token}", "path=/invitations/{token}", "path=/declarations/{token}/extra"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, "return_to") || strings.Contains(logs, "code=") {
		t.Errorf("a query string reached the log:\n%s", logs)
	}
}
