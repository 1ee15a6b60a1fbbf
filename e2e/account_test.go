package e2e

// The account journeys in a real browser: registering through the
// development sign-in, and the Manage My Account pages. Every page visited is
// checked with axe-core.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/bcgov-example/careconnect-portal/internal/portaltest"

	"github.com/chromedp/chromedp"
)

// byText selects the first element with the tag whose whitespace-normalised
// text is exactly text, such as a button by its label.
// byText finds an element by its visible text: all of it, or its first text
// node when the rest is context for screen readers only.
func byText(tag, text string) chromedp.Search {
	return chromedp.Search(fmt.Sprintf(`//%s[normalize-space(.)=%q or normalize-space(text()[1])=%q]`, tag, text, text))
}

// load runs the action, which must make the tab load a page (a click on a link
// or a submit button), waits for that page and returns its HTTP status. After
// redirects the status is the one of the final page.
func load(t *testing.T, ctx context.Context, what string, a chromedp.Action[chromedp.Void]) int64 {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(sctx, a)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("timed out: %w", err)
		}
		t.Fatalf("%s on %s: %v", what, currentURL(ctx), err)
	}
	if resp == nil {
		t.Fatalf("%s on %s: no response", what, currentURL(ctx))
	}
	return resp.Status
}

// click clicks sel, waits for the page it loads and checks that its main
// heading is h1 and its status is want.
func click[S chromedp.Selectable](t *testing.T, ctx context.Context, sel S, want int64, h1 string) {
	t.Helper()
	status := load(t, ctx, fmt.Sprintf("clicking %v", sel), chromedp.Click(sel))
	if status != want {
		t.Fatalf("clicking %v led to %s with status %d, want %d", sel, currentURL(ctx), status, want)
	}
	expectPage(t, ctx, h1)
}

// resetPassword types password twice on the Reset My Password page and
// presses Reset Password, which leads to the page h1 with the status.
func resetPassword(t *testing.T, ctx context.Context, password string, status int64, h1 string) {
	t.Helper()
	mustRun(t, ctx,
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.SendKeys(chromedp.CSS("#confirm_password"), password),
	)
	click(t, ctx, byText("button", "Reset Password"), status, h1)
}

// expectPage waits for the page's main heading and checks it reads h1.
func expectPage(t *testing.T, ctx context.Context, h1 string) {
	t.Helper()
	mustRun(t, ctx, chromedp.WaitVisible(chromedp.CSS("h1")))
	if got := strings.TrimSpace(textOf(t, ctx, "h1")); got != h1 {
		t.Fatalf("on %s the heading is %q, want %q", currentURL(ctx), got, h1)
	}
}

// value returns the current value of the form control sel.
func value(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(sctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("value of %q on %s: %v", sel, currentURL(ctx), err)
	}
	return v
}

// attr returns an attribute of the element sel and whether it is there.
func attr(t *testing.T, ctx context.Context, sel, name string) (string, bool) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	r, err := chromedp.Run(sctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	if err != nil {
		t.Fatalf("attribute %s of %q on %s: %v", name, sel, currentURL(ctx), err)
	}
	return r.Value, r.Exists
}

// eval returns the value of a JavaScript expression in the page.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(sctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %s on %s: %v", expr, currentURL(ctx), err)
	}
	return v
}

// retype types v over what the text field sel holds, selecting the old text
// first as a person does.
func retype(sel, v string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Focus(chromedp.CSS(sel)),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).select()`, sel)),
		chromedp.SendKeys(chromedp.CSS(sel), v),
	)
}

// expectFieldError checks that the field id carries an error that contains
// want, next to it and tied to it for assistive technology.
func expectFieldError(t *testing.T, ctx context.Context, id, want string) {
	t.Helper()
	if got := textOf(t, ctx, "#"+id+"-error"); !strings.Contains(got, want) {
		t.Errorf("error at %s = %q, want it to contain %q", id, got, want)
	}
	if v, _ := attr(t, ctx, "#"+id, "aria-invalid"); v != "true" {
		t.Errorf("%s is not marked aria-invalid", id)
	}
	if v, _ := attr(t, ctx, "#"+id, "aria-describedby"); !strings.Contains(" "+v+" ", " "+id+"-error ") {
		t.Errorf("%s is not described by its error (aria-describedby=%q)", id, v)
	}
	// The message sits in the field's own group, not only in the summary.
	if !eval[bool](
		t,
		ctx,
		fmt.Sprintf(
			`document.getElementById(%q).closest('.field').contains(document.getElementById(%q))`,
			id,
			id+"-error",
		),
	) {
		t.Errorf("the error of %s is not shown at the field", id)
	}
}

// description returns the text that assistive technology reads after the
// label of the form control id: its aria-describedby elements, in order.
func description(t *testing.T, ctx context.Context, id string) string {
	t.Helper()
	return eval[string](t, ctx, fmt.Sprintf(`(() => {
		const el = document.getElementById(%q);
		return (el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean)
			.map(ref => { const d = document.getElementById(ref); return d ? d.textContent.trim() : ''; }).join(' ');
	})()`, id))
}

// expectPasswordRules checks that the password rules are read out with the
// password field, not only shown somewhere on the page.
func expectPasswordRules(t *testing.T, ctx context.Context) {
	t.Helper()
	if d := description(t, ctx, "password"); !strings.Contains(d, "at least 12 characters") {
		t.Errorf("the password field's description %q does not give the password rules", d)
	}
}

// person is someone typed on the development sign-in page.
type person struct {
	given, surname, birth, email string
}

// confirmed registers p over HTTP as a physician with the username and
// confirms their email address; it returns their client on the menu.
func (p person) confirmed(t *testing.T, inst *portaltest.Instance, username string) *portaltest.Client {
	t.Helper()
	return inst.ConfirmedBorn(t, p.given, p.surname, p.birth, p.email, username)
}

// staffBrowser opens a browser for the test, which leaves a screenshot if
// the test fails, and signs a member of the CareConnect team in there
// through the development staff sign-in, as name ("Olivia OFFICER", "Ada
// ADMIN"); the browser is left on the back office's front page.
func staffBrowser(t *testing.T, inst *portaltest.Instance, name string) context.Context {
	t.Helper()
	ctx := newBrowser(t)
	screenshotOnFailure(t, ctx)
	navigate(t, ctx, inst.URL+"/staff")
	expectPage(t, ctx, "Development sign-in")
	click(t, ctx, byText("button", "Continue as "+name), http.StatusOK, "CareConnect team")
	return ctx
}

// browserAs opens a browser for the test, which leaves a screenshot if the
// test fails, and signs p in there, checking that the page landed on has
// the heading h1.
func browserAs(t *testing.T, inst *portaltest.Instance, p person, h1 string) context.Context {
	t.Helper()
	ctx := newBrowser(t)
	screenshotOnFailure(t, ctx)
	signInInBrowser(t, ctx, inst, p, h1)
	return ctx
}

// signInInBrowser goes from the home page through the development sign-in as
// p and checks the page it lands on has the heading h1.
func signInInBrowser(t *testing.T, ctx context.Context, inst *portaltest.Instance, p person, h1 string) {
	t.Helper()
	navigate(t, ctx, inst.URL+"/")
	expectPage(t, ctx, "my.CareConnect enrolment portal")
	checkAxe(t, ctx, "home page")

	click(t, ctx, byText("a", "Sign in with the BC Services Card"), http.StatusOK, "Development sign-in")
	if u := currentURL(ctx); !strings.Contains(u, "/dev/oidc/authorize") {
		t.Fatalf("the sign-in button led to %s, want the development provider", u)
	}
	checkAxe(t, ctx, "development sign-in page")

	mustRun(t, ctx,
		chromedp.SendKeys(chromedp.CSS("#given-names"), p.given),
		chromedp.SendKeys(chromedp.CSS("#surname"), p.surname),
		chromedp.SendKeys(chromedp.CSS("#birth-date"), p.birth),
	)
	if p.email != "" {
		mustRun(t, ctx, chromedp.SendKeys(chromedp.CSS("#email"), p.email))
	}
	click(t, ctx, byText("button", "Continue as this person"), http.StatusOK, h1)
}

func TestE2E_RegisterJourney(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		ctx := newBrowser(t)
		screenshotOnFailure(t, ctx)

		dalia := person{"Dalia", "EIGHTEEN", "1980-04-18", "dalia@example.ca"}
		signInInBrowser(t, ctx, inst, dalia, "Account Registration")
		if u := currentURL(ctx); !strings.HasSuffix(u, "/register") {
			t.Fatalf("a new person landed on %s, want /register", u)
		}
		checkAxe(t, ctx, "registration form")

		// The legal names come from the card and cannot be typed over.
		for id, want := range map[string]string{"legal_first_name": "Dalia", "legal_last_name": "EIGHTEEN"} {
			if got := value(t, ctx, "#"+id); got != want {
				t.Errorf("%s = %q, want %q", id, got, want)
			}
			if _, ro := attr(t, ctx, "#"+id, "readonly"); !ro {
				t.Errorf("%s is not read-only", id)
			}
		}
		mustRun(t, ctx, chromedp.SendKeys(chromedp.CSS("#legal_first_name"), "x"))
		if got := value(t, ctx, "#legal_first_name"); got != "Dalia" {
			t.Errorf("typing changed the read-only first name to %q", got)
		}

		// Until a profession is chosen no identifier field is offered.
		mustRun(t, ctx, chromedp.WaitNotVisible(chromedp.CSS("#msp_billing_number")))

		// Choose the profession from the keyboard: focus the select and
		// type the start of its name, as a keyboard user does.
		mustRun(t, ctx,
			chromedp.Focus(chromedp.CSS("#profession")),
			chromedp.KeyEvent("Physician"),
		)
		if got := value(t, ctx, "#profession"); got != "physician" {
			t.Fatalf("typing Physician on the profession list chose %q", got)
		}
		mustRun(t, ctx,
			chromedp.WaitVisible(chromedp.CSS("#msp_billing_number")),
			chromedp.WaitVisible(chromedp.CSS("#cpsid")),
			chromedp.WaitNotVisible(chromedp.CSS("#college_id")),
			chromedp.WaitNotVisible(chromedp.CSS("#other_profession")),
		)

		if got := value(t, ctx, "#username"); got != "dalia.eighteen" {
			t.Errorf("suggested username %q, want dalia.eighteen", got)
		}
		expectPasswordRules(t, ctx)
		if got := value(t, ctx, "#email"); got != "dalia@example.ca" {
			t.Errorf("email %q, want the one from the sign-in", got)
		}
		mustRun(t, ctx,
			chromedp.SendKeys(chromedp.CSS("#preferred_first_name"), "Dee"),
			chromedp.SendKeys(chromedp.CSS("#msp_billing_number"), "A1234"),
			chromedp.Click(chromedp.CSS(`input[name="resident"][value="no"]`)),
			chromedp.SendKeys(chromedp.CSS("#cpsid"), "12345"),
			retype("#email", "not-an-email"),
			chromedp.SendKeys(chromedp.CSS("#phone"), "(778) 888-9999"),
			chromedp.Click(chromedp.CSS(`input[name="health_authority_account"][value="no"]`)),
			chromedp.SendKeys(chromedp.CSS("#password"), "short"),
			chromedp.SendKeys(chromedp.CSS("#confirm_password"), "short"),
		)

		// A bad email and a short password: the form comes back with each
		// message at its field and everything else as typed.
		click(t, ctx, byText("button", "Register"), http.StatusUnprocessableEntity, "Account Registration")
		checkAxe(t, ctx, "registration form with errors")
		wantTextOf(t, ctx, ".error-summary", "There is a problem")
		expectFieldError(t, ctx, "email", "Enter an email address like name@example.ca.")
		expectFieldError(t, ctx, "password", "12")
		expectPasswordRules(t, ctx)
		for sel, want := range map[string]string{
			"#profession": "physician", "#preferred_first_name": "Dee", "#msp_billing_number": "A1234",
			"#cpsid": "12345", "#email": "not-an-email", "#phone": "(778) 888-9999",
			"#username": "dalia.eighteen", "#password": "", "#confirm_password": "",
		} {
			if got := value(t, ctx, sel); got != want {
				t.Errorf("after the failed submit %s = %q, want %q", sel, got, want)
			}
		}
		for _, name := range []string{"resident", "health_authority_account"} {
			if !eval[bool](t, ctx, fmt.Sprintf(`document.querySelector('input[name=%q][value="no"]').checked`, name)) {
				t.Errorf("the answer No to %s was not kept", name)
			}
		}
		for _, id := range []string{"cpsid", "phone", "username"} {
			if _, bad := attr(t, ctx, "#"+id, "aria-invalid"); bad {
				t.Errorf("%s is marked invalid although it was right", id)
			}
		}
		mustRun(t, ctx, chromedp.WaitVisible(chromedp.CSS("#cpsid"))) // the physician fields are still offered

		// Following the summary's link puts the cursor in the field.
		mustRun(t, ctx, chromedp.Click(chromedp.CSS(`.error-summary a[href="#email"]`)))
		if got := eval[string](t, ctx, `document.activeElement && document.activeElement.id`); got != "email" {
			t.Errorf("the summary link to the email field focused %q", got)
		}

		mustRun(t, ctx,
			retype("#email", "dalia@example.ca"),
			chromedp.SendKeys(chromedp.CSS("#password"), "Harbour-Lantern-47"),
			chromedp.SendKeys(chromedp.CSS("#confirm_password"), "Harbour-Lantern-47"),
		)
		click(t, ctx, byText("button", "Register"), http.StatusOK, "Main Menu")
		if u := currentURL(ctx); !strings.HasSuffix(u, "/menu") {
			t.Errorf("registered person landed on %s, want /menu", u)
		}
		checkAxe(t, ctx, "main menu")
		wantTextOf(t, ctx, ".flash", `HXBC\dalia.eighteen`)
		wantTextOf(t, ctx, ".site-user", "Dee EIGHTEEN")

		// The welcome email, in the development mailbox.
		inst.DeliverMail(t)
		navigate(t, ctx, inst.URL+"/dev/mailbox")
		expectPage(t, ctx, "Development mailbox")
		checkAxe(t, ctx, "development mailbox")
		row := textOf(t, ctx, "table.mailbox tbody tr")
		if !strings.Contains(row, "dalia@example.ca") || !strings.Contains(row, "sent") {
			t.Fatalf("mailbox row %q, want the sent email to dalia@example.ca", row)
		}
		subject := textOf(t, ctx, "table.mailbox tbody tr a")
		click(t, ctx, chromedp.CSS("table.mailbox tbody tr a"), http.StatusOK, subject)
		checkAxe(t, ctx, "mailbox message")
		if got := textOf(t, ctx, "#mail-to"); got != "dalia@example.ca" {
			t.Errorf("message to %q", got)
		}
		wantTextOf(t, ctx, "#mail-text", `HXBC\dalia.eighteen`)
		// The HTML version is shown in a frame wide and tall enough to read.
		size := eval[[]float64](t, ctx, `(() => {
			const f = document.querySelector('.mail-html iframe'), r = f.getBoundingClientRect();
			return [r.width, r.height, f.parentElement.clientWidth];
		})()`)
		if size[0] < size[2]*0.9 || size[1] < 400 {
			t.Errorf("the HTML email is shown in a %.0f×%.0f frame inside a box %.0f wide", size[0], size[1], size[2])
		}
	})
}

func TestE2E_ManageMyAccount(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		greg := person{"Gregory", "NINETEEN", "1980-04-18", ""}

		// Register over plain HTTP; the browser then signs in as the same person.
		inst.RegisteredBorn(t, greg.given, greg.surname, greg.birth, "greg@example.ca", "greg19")

		ctx := browserAs(t, inst, greg, "Main Menu")
		checkAxe(t, ctx, "main menu")

		wantTextOf(t, ctx, "#email-unconfirmed", "Your email address greg@example.ca is not confirmed yet.")
		click(t, ctx, chromedp.CSS(`.site-nav a[href="/account"]`), http.StatusOK, "Manage My Account")
		if v, _ := attr(t, ctx, `.site-nav a[href="/account"]`, "aria-current"); v != "page" {
			t.Errorf("the menu does not mark Manage My Account as the current page")
		}
		checkAxe(t, ctx, "manage my account")

		// Confirm the email address: send it again, then follow the link
		// from the development mailbox.
		if got := textOf(t, ctx, "#email-state"); got != "greg@example.ca Not confirmed yet" {
			t.Errorf("email state %q", got)
		}
		click(t, ctx, byText("button", "Send the confirmation again"), http.StatusOK, "Manage My Account")
		checkAxe(t, ctx, "manage my account after sending the confirmation again")
		wantTextOf(t, ctx, ".flash", "We have sent a new confirmation to greg@example.ca.")
		navigate(t, ctx, inst.URL+"/dev/mailbox?to=greg%40example.ca")
		click(
			t,
			ctx,
			chromedp.CSS("table.mailbox tbody tr a"),
			http.StatusOK,
			"Confirm your email address for my.CareConnect",
		)
		link := regexp.MustCompile(`http://\S+/account/email/confirm/[0-9a-f]{64}`).
			FindString(textOf(t, ctx, "#mail-text"))
		if link == "" {
			t.Fatalf("no confirmation link in the email: %s", textOf(t, ctx, "#mail-text"))
		}
		navigate(t, ctx, link)
		expectPage(t, ctx, "Confirm your email address")
		checkAxe(t, ctx, "confirm your email address")
		click(t, ctx, byText("button", "Confirm my email address"), http.StatusOK, "Manage My Account")
		if got := textOf(t, ctx, "#email-state"); !strings.HasPrefix(got, "greg@example.ca Confirmed on ") {
			t.Errorf("email state after confirming %q", got)
		}
		checkAxe(t, ctx, "manage my account with a confirmed address")

		// Forgot My Username.
		click(t, ctx, chromedp.CSS(`.tile-actions a[href="/account/username"]`), http.StatusOK, "Forgot My Username")
		checkAxe(t, ctx, "forgot my username")
		if got := textOf(t, ctx, "#username"); got != `HXBC\greg19` {
			t.Errorf("username shown %q, want HXBC\\greg19", got)
		}
		click(t, ctx, byText("button", "Email my username to me"), http.StatusOK, "Forgot My Username")
		checkAxe(t, ctx, "forgot my username after the email")
		wantTextOf(t, ctx, ".flash", "We have emailed your username to greg@example.ca")

		// Reset My Password.
		click(t, ctx, byText("a", "Return to Manage My Account"), http.StatusOK, "Manage My Account")
		checkAxe(t, ctx, "manage my account, returned to")
		click(t, ctx, chromedp.CSS(`.tile-actions a[href="/account/password"]`), http.StatusOK, "Reset My Password")
		checkAxe(t, ctx, "reset my password")
		if got := textOf(t, ctx, "main"); !strings.Contains(got, `HXBC\greg19`) {
			t.Errorf("the password page does not name the account")
		}
		expectPasswordRules(t, ctx)
		resetPassword(t, ctx, "Harbour-Lantern-47", http.StatusUnprocessableEntity, "Reset My Password")
		checkAxe(t, ctx, "reset my password with errors")
		expectFieldError(t, ctx, "password", "used this password before")
		expectPasswordRules(t, ctx)
		if got := value(t, ctx, "#password"); got != "" {
			t.Errorf("the refused password was kept in the field")
		}
		resetPassword(t, ctx, "Granite-Kettle-93", http.StatusOK, "Manage My Account")
		checkAxe(t, ctx, "manage my account after the password change")
		wantTextOf(t, ctx, ".flash", "Your HxBC password has been changed.")

		// Update My Information.
		click(t, ctx, chromedp.CSS(`.tile-actions a[href="/account/contact"]`), http.StatusOK, "Contact Information")
		checkAxe(t, ctx, "update my information")
		if got := value(t, ctx, "#email"); got != "greg@example.ca" {
			t.Errorf("email field %q", got)
		}
		if got := value(t, ctx, "#phone"); got != "(778) 888-9999" {
			t.Errorf("phone field %q", got)
		}
		wantTextOf(t, ctx, ".summary-list", "Physician")
		mustRun(t, ctx,
			chromedp.SendKeys(chromedp.CSS("#preferred_first_name"), "Greg"),
			retype("#email", "bad"),
			retype("#mobile", "604-555-0100"),
		)
		click(t, ctx, byText("button", "Update"), http.StatusUnprocessableEntity, "Contact Information")
		checkAxe(t, ctx, "update my information with errors")
		expectFieldError(t, ctx, "email", "Enter an email address like name@example.ca.")
		for sel, want := range map[string]string{
			"#preferred_first_name": "Greg", "#email": "bad", "#phone": "(778) 888-9999", "#mobile": "604-555-0100",
		} {
			if got := value(t, ctx, sel); got != want {
				t.Errorf("after the failed update %s = %q, want %q", sel, got, want)
			}
		}
		wantTextOf(t, ctx, ".site-user", "Gregory NINETEEN")
		mustRun(t, ctx, retype("#email", "greg.new@example.ca"))
		click(t, ctx, byText("button", "Update"), http.StatusOK, "Manage My Account")
		checkAxe(t, ctx, "manage my account after the update")
		wantTextOf(t, ctx, ".flash", "Your information has been updated. Your new email address greg.new@example.ca is not confirmed yet")
		if got := textOf(t, ctx, "#email-state"); got != "greg.new@example.ca Not confirmed yet" {
			t.Errorf("email state after the change %q", got)
		}
		wantTextOf(t, ctx, ".site-user", "Greg NINETEEN")

		// Sign out.
		click(t, ctx, byText("button", "Sign out"), http.StatusOK, "You have signed out")
		checkAxe(t, ctx, "signed out")
		if u := currentURL(ctx); !strings.HasSuffix(u, "/signed-out") {
			t.Errorf("signing out ended on %s, want /signed-out", u)
		}
		// The session is over: the menu asks to sign in again.
		navigate(t, ctx, inst.URL+"/menu")
		expectPage(t, ctx, "Development sign-in")
		checkAxe(t, ctx, "development sign-in page after signing out")
	})
}
