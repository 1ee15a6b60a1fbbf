package e2e

// The worksite journeys in a real browser: a site administrator registers a
// worksite and signs its declaration; one person joins by Worksite ID,
// another by address through the type-ahead search, a third by invitation;
// the administrator approves one request and rejects the other. Every page
// visited is checked with axe-core, and the emails are checked at the end.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store"

	"github.com/chromedp/chromedp"
)

var wsCodeInFlash = regexp.MustCompile(`Its Worksite ID is ([` + portal.WorksiteCodeAlphabet + `]{7})`)

// wsRegisterIndexedWorksite registers, over HTTP as the person signed in on
// c, a worksite at the unit of 370 Broadway E found in the address index,
// signs its declaration as legalName and approves it as the CareConnect team.
func wsRegisterIndexedWorksite(
	t *testing.T,
	inst *portaltest.Instance,
	c *portaltest.Client,
	name, unit, legalName string,
) portal.WorksiteCode {
	t.Helper()
	line := unit + "-370 Broadway E Vancouver, BC, V5T 4G5"
	search := c.Get("/worksites/join/address?q=" + url.QueryEscape("370 Broadway E"))
	var unitURL string
	for _, n := range search.Find("#address-results a") {
		if portaltest.NodeText(n) == line {
			for _, a := range n.Attr {
				if a.Key == "href" {
					unitURL = a.Val
				}
			}
		}
	}
	if unitURL == "" {
		t.Fatalf("%s is not among the search results: %s", line, search.Text("#address-results"))
	}
	reg := c.Get(c.Get(unitURL).Attr(".notice a.btn", "href")) // "Register this worksite"
	addressID := reg.Attr(`input[name="address_id"]`, "value")
	if addressID == "" {
		t.Fatalf("the registration form is not prefilled with %s: %s", line, reg.Text("main"))
	}
	p := c.Post("/worksites/new", url.Values{"name": {name}, "type": {"private_practice"}, "phone": {"604-555-0100"},
		"address_id": {addressID}, "has_authority": {"yes"}, "group": {""}})
	if p.Status != http.StatusSeeOther || !strings.HasSuffix(p.Location, "/declaration") {
		t.Fatalf("registering %s: %d %q %s", name, p.Status, p.Location, p.Text(".error-summary"))
	}
	m := wsCodeInFlash.FindStringSubmatch(c.Follow(p).Text(".flash"))
	if m == nil {
		t.Fatalf("no Worksite ID in the flash after registering %s", name)
	}
	if s := c.Post(p.Location, url.Values{"agree": {"yes"}, "full_name": {legalName}}); s.Status != http.StatusSeeOther {
		t.Fatalf("signing the declaration of %s: %d %s", name, s.Status, s.Text(".error-summary"))
	}
	code := portal.WorksiteCode(m[1])
	if _, err := inst.Portal.App.DecideWorksite(t.Context(), portal.RequestMeta{RequestID: "e2e"}, "officer", code, true, ""); err != nil {
		t.Fatalf("approving %s: %v", name, err)
	}
	return code
}

// wsRowControl selects the link or button labelled label in the row of the
// table id whose text contains rowText.
func wsRowControl(table, rowText, tag, label string) chromedp.Search {
	return chromedp.Search(
		fmt.Sprintf(
			`//table[@id=%q]//tr[contains(normalize-space(.), %q)]//%s[normalize-space(.)=%q or normalize-space(text()[1])=%q]`,
			table,
			rowText,
			tag,
			label,
			label,
		),
	)
}

// wsWaitFor waits until the JavaScript expression is true in the page.
func wsWaitFor(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Poll[bool](expr)(ctx, tg)
		return err
	})
}

// wsManageRequests follows Manage Requests on the main menu's attention
// banner to the Notification Centre.
func wsManageRequests(t *testing.T, ctx context.Context) {
	t.Helper()
	manage := `//section[contains(@class,"attention-banner")]//a[normalize-space(.)="Manage Requests"]`
	click(t, ctx, chromedp.Search(manage), http.StatusOK, "Notification Centre")
}

// wsExpectFlash checks the page's flash message contains want.
func wsExpectFlash(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	if got := textOf(t, ctx, ".flash"); !strings.Contains(got, want) {
		t.Errorf("on %s the flash reads %q, want it to contain %q", currentURL(ctx), got, want)
	}
}

// wsExpectRequestLink checks the confirmation of a request to join links to
// the request's page and leaves no gap where a worksite's name is missing.
func wsExpectRequestLink(t *testing.T, ctx context.Context) {
	t.Helper()
	if got := textOf(t, ctx, "main"); regexp.MustCompile(`join\s+was`).MatchString(got) {
		t.Errorf("the confirmation leaves out the worksite's name: %q", got)
	}
	if href, _ := attr(t, ctx, `main a[href^="/requests/join/"]`, "href"); !regexp.MustCompile(`^/requests/join/\d+$`).
		MatchString(href) {
		t.Errorf("the confirmation links to %q, want the request's page", href)
	}
}

// wsEmails returns the worksite emails sent to one address, by kind.
func wsEmails(t *testing.T, inst *portaltest.Instance, to string) map[string][]*store.Email {
	t.Helper()
	es := inst.Emails(t, to, "")
	out := map[string][]*store.Email{}
	for _, e := range es {
		if !strings.HasPrefix(e.Kind, "worksite_") {
			continue
		}
		if e.Status != store.EmailSent {
			t.Errorf("the %s email to %s is %s, want sent", e.Kind, to, e.Status)
		}
		out[e.Kind] = append(out[e.Kind], e)
	}
	return out
}

// wsKinds lists the kinds of emails with their counts, for messages.
func wsKinds(m map[string][]*store.Email) string {
	var parts []string
	for k, es := range m {
		parts = append(parts, fmt.Sprintf("%s×%d", k, len(es)))
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}

func TestE2E_WorksiteJourney(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		inst.ImportGuideBuilding(t)
		dalia := person{"Dalia", "EIGHTEEN", "1980-04-18", "dalia@example.ca"}
		greg := person{"Gregory", "NINETEEN", "1981-05-19", "greg@example.ca"}
		mia := person{"Mia", "MEMBER", "1990-06-20", "mia@example.ca"}
		lou := person{"Lou", "LOCUM", "1975-07-21", "lou@example.ca"}
		daliaHTTP := dalia.confirmed(t, inst, "dalia18")
		greg.confirmed(t, inst, "greg19")
		mia.confirmed(t, inst, "mia.member")
		lou.confirmed(t, inst, "lou.locum")

		const (
			mainName   = "Main Street Family Practice"
			mainLine   = "200-1234 Main St Vancouver, BC, V6A 2T4"
			brdName    = "Kingsgate Mall Clinic"
			unitLine   = "101-370 Broadway E Vancouver, BC, V5T 4G5"
			comment    = "New MOA, starting Monday."
			reason     = "We have no opening for a new MOA at this clinic."
			daliaLegal = "Dalia EIGHTEEN"
		)
		var (
			mainCode  portal.WorksiteCode
			mainURL   string // the worksite page, /worksites/{id}
			miaReqURL string // Mia's request page, /requests/join/{id}
		)

		// Each part runs in its own browser, as each person uses their own;
		// a part that fails stops the journey.
		part(t, "administrator registers a worksite", func(t *testing.T) {
			ctx := browserAs(t, inst, dalia, "Main Menu")
			checkAxe(t, ctx, "main menu")
			wantTextOf(t, ctx, "#step-worksite", "To do")

			// A newcomer's tile leads to Join a Worksite, where registering
			// comes after an address search; My Worksites offers it at once.
			navigate(t, ctx, inst.URL+"/worksites")
			expectPage(t, ctx, "My Worksites")
			checkAxe(t, ctx, "my worksites, empty")
			wantTextOf(t, ctx, ".empty-state", "You do not belong to a worksite yet.")
			click(t, ctx, byText("a", "Register a new worksite"), http.StatusOK, "Register a Worksite")
			checkAxe(t, ctx, "register a worksite")
			if !eval[bool](t, ctx, `document.querySelector('input[name="has_authority"][value="yes"]').checked`) {
				t.Errorf("Yes to signing authority is not preselected")
			}

			// The address of another building, typed by hand, at a unit.
			mustRun(t, ctx,
				chromedp.SendKeys(chromedp.CSS("#name"), mainName),
				chromedp.Focus(chromedp.CSS("#type")),
				chromedp.KeyEvent("Private"),
				chromedp.SendKeys(chromedp.CSS("#phone"), "604-555-0123"),
				chromedp.SendKeys(chromedp.CSS("#unit"), "200"),
				chromedp.SendKeys(chromedp.CSS("#civic_number"), "1234"),
				chromedp.SendKeys(chromedp.CSS("#street_name"), "Main"),
				chromedp.SendKeys(chromedp.CSS("#street_type"), "St"),
				chromedp.SendKeys(chromedp.CSS("#city"), "Vancouver"),
				chromedp.SendKeys(chromedp.CSS("#postal_code"), "V6A 2T4"),
				chromedp.Click(chromedp.CSS(`input[name="has_authority"][value="yes"]`)),
			)
			if got := value(t, ctx, "#type"); got != "private_practice" {
				t.Fatalf("typing Private on the type list chose %q", got)
			}
			click(t, ctx, byText("button", "Register Worksite"), http.StatusOK, portal.DeclarationTitle)
			checkAxe(t, ctx, "declaration")
			m := regexp.MustCompile(`/worksites/(\d+)/declaration$`).FindStringSubmatch(currentURL(ctx))
			if m == nil {
				t.Fatalf("registering led to %s, want the worksite's declaration", currentURL(ctx))
			}
			mainURL = "/worksites/" + m[1]
			flash := textOf(t, ctx, ".flash")
			cm := wsCodeInFlash.FindStringSubmatch(flash)
			if cm == nil {
				t.Fatalf("the flash %q gives no Worksite ID", flash)
			}
			mainCode = portal.WorksiteCode(cm[1])
			if lead := textOf(t, ctx, ".lead"); !strings.Contains(lead, mainName) ||
				!strings.Contains(lead, mainLine) ||
				!strings.Contains(lead, string(mainCode)) {
				t.Errorf("the declaration is for %q, want %s at %s, %s", lead, mainName, mainLine, mainCode)
			}

			mustRun(t, ctx,
				chromedp.Click(chromedp.CSS(`input[name="agree"]`)),
				chromedp.SendKeys(chromedp.CSS("#full_name"), daliaLegal),
			)
			click(t, ctx, byText("button", "Sign the declaration"), http.StatusOK, mainName)
			if u := currentURL(ctx); !strings.HasSuffix(u, mainURL) {
				t.Errorf("signing led to %s, want %s", u, mainURL)
			}
			checkAxe(t, ctx, "worksite page, pending")
			wsExpectFlash(t, ctx, "is signed; the CareConnect team will now review the worksite.")
			if got := textOf(t, ctx, "#worksite-code"); got != string(mainCode) {
				t.Errorf("the worksite page shows the Worksite ID %q, want %s", got, mainCode)
			}
			wantTextOf(t, ctx, "#worksite-status", "Pending")
			summary := textOf(t, ctx, ".summary-list")
			for _, want := range []string{mainLine, "awaiting verification", "Private practice clinic", "Signed by " + daliaLegal} {
				if !strings.Contains(summary, want) {
					t.Errorf("the worksite page does not show %q:\n%s", want, summary)
				}
			}

			// The registration email carries the Worksite ID.
			inst.DeliverMail(t)
			reg := wsEmails(t, inst, dalia.email)["worksite_registered"]
			if len(reg) != 1 || !strings.Contains(reg[0].Text, string(mainCode)) ||
				!strings.Contains(reg[0].Subject, mainName) {
				t.Fatalf("registration emails to Dalia: %+v", reg)
			}

			// The CareConnect team approves the worksite; My Worksites says so.
			if _, err := inst.Portal.App.DecideWorksite(t.Context(), portal.RequestMeta{RequestID: "e2e"}, "officer", mainCode, true, ""); err != nil {
				t.Fatal(err)
			}
			click(t, ctx, chromedp.CSS(`main a[href="/worksites"]`), http.StatusOK, "My Worksites")
			checkAxe(t, ctx, "my worksites")
			row := textOf(t, ctx, "main table tbody tr")
			for _, want := range []string{mainName, string(mainCode), "Approved"} {
				if !strings.Contains(row, want) {
					t.Errorf("My Worksites row %q does not show %q", row, want)
				}
			}
		})

		// The worksite at the guide's building, registered over HTTP.
		brdCode := wsRegisterIndexedWorksite(t, inst, daliaHTTP, brdName, "101", daliaLegal)

		part(t, "join by Worksite ID", func(t *testing.T) {
			ctx := browserAs(t, inst, greg, "Main Menu")
			checkAxe(t, ctx, "main menu")
			click(t, ctx, chromedp.CSS(`#step-worksite a[href="/worksites/join"]`), http.StatusOK, "Join a Worksite")
			checkAxe(t, ctx, "join a worksite")
			if got := textOf(t, ctx, "#opt-code"); got != "I was provided a worksite code to register with" {
				t.Errorf("the first option reads %q", got)
			}
			// A mistyped code: the message is at the field, the code kept.
			wrong := string(mainCode[:6]) + "A"
			if mainCode[6] == 'A' {
				wrong = string(mainCode[:6]) + "C"
			}
			mustRun(t, ctx, chromedp.SendKeys(chromedp.CSS("#code"), wrong))
			click(t, ctx, byText("button", "Continue"), http.StatusUnprocessableEntity, "Join a Worksite")
			checkAxe(t, ctx, "join by Worksite ID with an error")
			expectFieldError(t, ctx, "code", "No worksite has the Worksite ID "+wrong)
			wantTextOf(t, ctx, ".error-summary", "There is a problem")
			if got := value(t, ctx, "#code"); got != wrong {
				t.Errorf("after the wrong code the field holds %q, want %q", got, wrong)
			}

			mustRun(t, ctx, retype("#code", string(mainCode)))
			click(t, ctx, byText("button", "Continue"), http.StatusOK, "Worksite Access Form")
			checkAxe(t, ctx, "worksite access form")
			if got := textOf(t, ctx, "#worksite-name"); got != mainName {
				t.Errorf("the access form is for %q, want %q", got, mainName)
			}
			if got := textOf(t, ctx, ".summary-list"); !strings.Contains(got, mainLine) {
				t.Errorf("the access form does not give the address %s: %q", mainLine, got)
			}
			wantTextOf(t, ctx, "#worksite-admins", "Dalia")
			mustRun(t, ctx, chromedp.SendKeys(chromedp.CSS("#comment"), comment))
			click(t, ctx, byText("button", "Request Access"), http.StatusOK, "Clinic Access Request")
			checkAxe(t, ctx, "access request sent")
			wsExpectFlash(
				t,
				ctx,
				"Request has successfully been sent. You will receive an email once your request has been approved.",
			)
			wsExpectRequestLink(t, ctx)

			// Asking again is answered at the look-up, not after a form.
			navigate(t, ctx, inst.URL+"/worksites/join")
			mustRun(t, ctx, chromedp.SendKeys(chromedp.CSS("#code"), string(mainCode)))
			click(t, ctx, byText("button", "Continue"), http.StatusOK, "Join a Worksite")
			checkAxe(t, ctx, "join a worksite asked already")
			if got := textOf(t, ctx, "#join-known h2"); got != "You have already asked to join "+mainName {
				t.Errorf("asking again reads %q", got)
			}
			click(t, ctx, byText("a", "View your request"), http.StatusOK, "Access Request for Worksite: "+mainName)
		})

		part(t, "join by address", func(t *testing.T) {
			ctx := browserAs(t, inst, mia, "Main Menu")
			checkAxe(t, ctx, "main menu")
			click(t, ctx, chromedp.CSS(`#step-worksite a[href="/worksites/join"]`), http.StatusOK, "Join a Worksite")
			checkAxe(t, ctx, "join a worksite")
			searchURL := currentURL(ctx)

			// With JavaScript on, htmx lists the units as the person types.
			// Record the query of every list it swaps in, so the test waits
			// for the list of the whole address, not of a part of it.
			mustRun(t, ctx,
				chromedp.Evaluate[chromedp.Void](`document.body.addEventListener('htmx:afterSettle', e => {
					if (e.detail.xhr) window.portalSearched = new URL(e.detail.xhr.responseURL).searchParams.get('q');
				})`),
				chromedp.SendKeys(chromedp.CSS("#q"), "370 Broadway E"),
				wsWaitFor(fmt.Sprintf(`window.portalSearched === '370 Broadway E' &&
					[...document.querySelectorAll('#address-results a')].some(a => a.textContent.trim().startsWith(%q))`, unitLine)),
			)
			if u := currentURL(ctx); u != searchURL {
				t.Errorf("the type-ahead loaded %s, want the list swapped into %s", u, searchURL)
			}
			checkAxe(t, ctx, "search by address with the type-ahead's results")
			units := eval[[]string](
				t,
				ctx,
				`[...document.querySelectorAll('#address-results a')].map(a => a.textContent.trim())`,
			)
			// The unit with a worksite says whose it is.
			if !slices.Contains(units, unitLine+" (has a worksite: "+brdName+")") {
				t.Errorf("unit 101 is not marked as %s's: %q", brdName, units)
			}
			for _, u := range []string{"100", "101A", "102", "103", "104", "105"} {
				if !slices.Contains(units, u+"-370 Broadway E Vancouver, BC, V5T 4G5") {
					t.Errorf("unit %s is not listed: %q", u, units)
				}
			}
			if got := textOf(t, ctx, ".address-building-line"); got != "370 Broadway E Vancouver, BC, V5T 4G5" {
				t.Errorf("the units are listed under %q", got)
			}

			click(
				t,
				ctx,
				chromedp.Search(
					fmt.Sprintf(`//ul[@id="address-results"]//a[starts-with(normalize-space(.), %q)]`, unitLine),
				),
				http.StatusOK,
				"Worksite Access Form",
			)
			checkAxe(t, ctx, "worksite access form, by address")
			if got := textOf(t, ctx, "#worksite-name"); got != brdName {
				t.Errorf("the access form is for %q, want %q", got, brdName)
			}
			if v, _ := attr(t, ctx, `input[name="via"]`, "value"); v != "address" {
				t.Errorf("the request is marked as found by %q, want address", v)
			}
			click(t, ctx, byText("button", "Request Access"), http.StatusOK, "Clinic Access Request")
			checkAxe(t, ctx, "access request sent, by address")
			wsExpectFlash(t, ctx, "Request has successfully been sent.")
			wsExpectRequestLink(t, ctx)
		})

		part(t, "administrator decides and invites", func(t *testing.T) {
			ctx := browserAs(t, inst, dalia, "Main Menu")
			checkAxe(t, ctx, "main menu with requests")
			if got := textOf(t, ctx, ".attention-banner h2"); got != "You Have Request(s) Requiring Your Attention" {
				t.Errorf("attention banner %q", got)
			}
			wsManageRequests(t, ctx)
			checkAxe(t, ctx, "notification centre with two requests")
			if got := textOf(t, ctx, "#showing"); got != "Showing 1 to 2 of 2 entries" {
				t.Errorf("the Notification Centre says %q", got)
			}
			table := textOf(t, ctx, "#action-table")
			for _, want := range []string{
				"Gregory NINETEEN (greg@example.ca) would like to join " + mainName + ".",
				"Mia MEMBER (mia@example.ca) would like to join " + brdName + ".",
			} {
				if !strings.Contains(table, want) {
					t.Errorf("the Notification Centre does not list %q:\n%s", want, table)
				}
			}

			// Approve Gregory from the list.
			click(
				t,
				ctx,
				wsRowControl("action-table", "Gregory NINETEEN", "button", "Approve"),
				http.StatusOK,
				"Notification Centre",
			)
			checkAxe(t, ctx, "notification centre after approving")
			wsExpectFlash(t, ctx, "You approved Gregory NINETEEN's request to join "+mainName+". We have emailed them.")
			if got := textOf(t, ctx, "#showing"); got != "Showing 1 to 1 of 1 entries" {
				t.Errorf("after approving the Notification Centre says %q", got)
			}

			// Reject Mia from her request's page, which asks for a reason.
			click(
				t,
				ctx,
				wsRowControl("action-table", "Mia MEMBER", "a", "Reject"),
				http.StatusOK,
				"Access Request for Worksite: "+brdName,
			)
			checkAxe(t, ctx, "join request")
			miaReqURL = strings.TrimPrefix(currentURL(ctx), inst.URL)
			if !regexp.MustCompile(`^/requests/join/\d+$`).MatchString(miaReqURL) {
				t.Fatalf("the Reject link led to %s", miaReqURL)
			}
			if got := textOf(t, ctx, "#requester"); got != "Mia MEMBER (mia@example.ca)" {
				t.Errorf("the request is from %q", got)
			}
			if got := strings.Join(strings.Fields(textOf(t, ctx, ".summary-list")), " "); !strings.Contains(
				got,
				"Found the worksite by address",
			) {
				t.Errorf("the request page does not say how the worksite was found: %q", got)
			}
			click(
				t,
				ctx,
				byText("button", "Reject"),
				http.StatusUnprocessableEntity,
				"Access Request for Worksite: "+brdName,
			)
			checkAxe(t, ctx, "join request, rejected without a reason")
			expectFieldError(t, ctx, "reason", "Give a reason")
			mustRun(t, ctx, chromedp.SendKeys(chromedp.CSS("#reason"), reason))
			click(t, ctx, byText("button", "Reject"), http.StatusOK, "Notification Centre")
			checkAxe(t, ctx, "notification centre after rejecting")
			wsExpectFlash(t, ctx, "You rejected Mia MEMBER's request to join "+brdName+".")
			wantTextOf(t, ctx, "#actions-title + .empty-state", "Nothing needs your action right now.")

			// Invite Lou from the worksite's page.
			click(t, ctx, chromedp.CSS(`.site-nav a[href="/menu"]`), http.StatusOK, "Main Menu")
			checkAxe(t, ctx, "main menu, all decided")
			if n := eval[int](t, ctx, `document.querySelectorAll('.attention-banner').length`); n != 0 {
				t.Errorf("the attention banner is still shown with nothing to decide")
			}
			click(t, ctx, chromedp.CSS(`#step-worksite a[href="/worksites"]`), http.StatusOK, "My Worksites")
			checkAxe(t, ctx, "my worksites, two worksites")
			click(t, ctx, chromedp.CSS(fmt.Sprintf(`main table a[href=%q]`, mainURL)), http.StatusOK, mainName)
			checkAxe(t, ctx, "worksite page")
			wantTextOf(t, ctx, "#members-title ~ .table-wrap", "Gregory NINETEEN")
			mustRun(t, ctx, chromedp.SendKeys(chromedp.CSS("#email"), lou.email))
			click(t, ctx, byText("button", "Send invitation"), http.StatusOK, mainName)
			checkAxe(t, ctx, "worksite page with an invitation")
			wsExpectFlash(t, ctx, "Invitation sent to "+lou.email+".")
			inv := textOf(t, ctx, `section[aria-labelledby="invite-title"] table tbody`)
			if !strings.Contains(inv, lou.email) || !strings.Contains(inv, "pending") {
				t.Errorf("the invitations list %q does not show the pending invitation to Lou", inv)
			}
		})

		part(t, "invitee accepts", func(t *testing.T) {
			ctx := browserAs(t, inst, lou, "Main Menu")
			checkAxe(t, ctx, "main menu with an invitation")
			wsManageRequests(t, ctx)
			checkAxe(t, ctx, "notification centre with an invitation")
			want := "Dalia EIGHTEEN has invited you to Worksite " + mainName + ". Would you like to accept?"
			if got := textOf(t, ctx, "#action-table"); !strings.Contains(got, want) {
				t.Fatalf("the Notification Centre does not offer the invitation:\n%s", got)
			}
			click(
				t,
				ctx,
				wsRowControl("action-table", "invited you to Worksite "+mainName, "button", "Accept"),
				http.StatusOK,
				"Notification Centre",
			)
			checkAxe(t, ctx, "notification centre after accepting")
			wsExpectFlash(t, ctx, "You have joined "+mainName+".")
			click(t, ctx, chromedp.CSS(`.site-nav a[href="/menu"]`), http.StatusOK, "Main Menu")
			checkAxe(t, ctx, "main menu of a member")
			if got := textOf(t, ctx, "#step-worksite"); !strings.Contains(got, "Complete") ||
				!strings.Contains(got, "1 approved worksite") {
				t.Errorf("the Worksites tile of a new member reads %q", got)
			}
		})

		// Each person received the right emails.
		inst.DeliverMail(t)
		reqs, err := inst.DB.Read().FindJoinRequests(t.Context(), store.JoinRequestFilter{})
		if err != nil {
			t.Fatal(err)
		}
		reqURL := map[string]string{} // requester's email → request page
		for _, r := range reqs {
			reqURL[r.RequesterEmail] = fmt.Sprintf("%s/requests/join/%d", inst.URL, r.ID)
		}
		if len(reqURL) != 2 || reqURL[mia.email] != inst.URL+miaReqURL {
			t.Fatalf("join requests %v; Mia's was decided on %s", reqURL, miaReqURL)
		}

		toDalia := wsEmails(t, inst, dalia.email)
		if len(toDalia["worksite_registered"]) != 2 || len(toDalia["worksite_join_request"]) != 2 ||
			len(toDalia["worksite_join_decided"]) != 0 || len(toDalia["worksite_invitation"]) != 0 {
			t.Errorf("Dalia received %s", wsKinds(toDalia))
		}
		for _, e := range toDalia["worksite_registered"] {
			if !strings.Contains(e.Text, string(mainCode)) && !strings.Contains(e.Text, string(brdCode)) {
				t.Errorf("the registration email %q gives neither Worksite ID", e.Subject)
			}
		}
		for _, r := range []struct {
			who, worksite, comment string
		}{{greg.email, mainName, comment}, {mia.email, brdName, ""}} {
			var found *store.Email
			for _, e := range toDalia["worksite_join_request"] {
				if strings.Contains(e.Text, "("+r.who+")") {
					found = e
				}
			}
			switch {
			case found == nil:
				t.Errorf("Dalia got no join-request email for %s", r.who)
			case !strings.Contains(found.Subject, r.worksite):
				t.Errorf("the join-request email for %s is about %q", r.who, found.Subject)
			case !strings.Contains(found.Text, reqURL[r.who]) || !strings.Contains(found.HTML, `href="`+reqURL[r.who]+`"`):
				t.Errorf("the join-request email for %s does not link to %s:\n%s", r.who, reqURL[r.who], found.Text)
			case r.comment != "" && !strings.Contains(found.Text, r.comment):
				t.Errorf("the join-request email for %s does not quote the comment:\n%s", r.who, found.Text)
			}
		}

		toGreg := wsEmails(t, inst, greg.email)
		if d := toGreg["worksite_join_decided"]; len(d) != 1 || !strings.Contains(d[0].Subject, "approved") ||
			!strings.Contains(d[0].Subject, mainName) ||
			len(toGreg) != 1 {
			t.Errorf("Gregory received %s: %+v", wsKinds(toGreg), d)
		}
		toMia := wsEmails(t, inst, mia.email)
		if d := toMia["worksite_join_decided"]; len(d) != 1 || !strings.Contains(d[0].Subject, "declined") ||
			!strings.Contains(d[0].Text, reason) ||
			len(toMia) != 1 {
			t.Errorf("Mia received %s: %+v", wsKinds(toMia), d)
		}
		toLou := wsEmails(t, inst, lou.email)
		if d := toLou["worksite_invitation"]; len(d) != 1 || !strings.Contains(d[0].Text, string(mainCode)) ||
			!strings.Contains(d[0].Subject, mainName) ||
			len(toLou) != 1 {
			t.Errorf("Lou received %s: %+v", wsKinds(toLou), d)
		}
	})
}
