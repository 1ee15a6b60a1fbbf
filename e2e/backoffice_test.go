package e2e

// The CareConnect team's back office in a real browser: an enrolment officer
// reviews a physician's access request, asks a question the physician
// answers in their own browser, approves it with fewer data scopes than the
// policy allows, and the provisioning API tells downstream systems. Every
// page visited is checked with axe-core.

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// applicant is the physician whose request the officer decides.
type applicant struct {
	person
	username, clinic, clinicCode string
	account                      *portal.Account
}

// boApplicant registers a physician over HTTP, with a worksite the
// CareConnect team approved, the training and the HPCAA done, and submits
// the CareConnect Enrolment Form.
func boApplicant(t *testing.T, inst *portaltest.Instance) applicant {
	t.Helper()
	ctx := t.Context()
	a := applicant{person: person{"Nadia", "OKAFOR", "1979-06-14", "nadia.okafor@example.ca"},
		username: "nadia.okafor", clinic: "Okafor Family Practice"}

	c := inst.Client(t)
	if p := c.SignIn(a.given, a.surname, a.birth, a.email); !strings.HasSuffix(p.URL, "/register") {
		t.Fatalf("new person landed on %s, want /register", p.URL)
	}
	p := c.Post("/register", url.Values{
		"profession": {"physician"}, "msp_billing_number": {"A1234"}, "cpsid": {"12345"}, "resident": {"no"},
		"email": {a.email}, "phone": {"(778) 888-9999"}, "health_authority_account": {"no"},
		"username": {a.username}, "password": {"Harbour-Lantern-47"}, "confirm_password": {"Harbour-Lantern-47"},
	})
	if p.Status != http.StatusSeeOther || p.Location != "/menu" {
		t.Fatalf("register: %d %q %s", p.Status, p.Location, p.Text(".error-summary"))
	}
	c.ConfirmEmail(a.email)  // with the link from the development mailbox
	c.Follow(c.Get("/menu")) // the menu carries the session's form token
	acct := inst.Account(t, a.email)
	a.account = acct

	// The worksite: registered, its declaration signed, approved by the team.
	p = c.Post("/worksites/new", url.Values{"name": {a.clinic}, "type": {"private_practice"}, "phone": {"604-555-0100"},
		"address_mode": {
			"manual",
		}, "unit": {"201"}, "civic_number": {"370"}, "street_name": {"Broadway"}, "direction": {"E"},
		"city": {"Vancouver"}, "postal_code": {"V5T 4G5"}, "has_authority": {"yes"}, "group": {""}})
	if p.Status != http.StatusSeeOther || !strings.HasSuffix(p.Location, "/declaration") {
		t.Fatalf("register worksite: %d %q %s", p.Status, p.Location, p.Text(".error-summary"))
	}
	declaration := p.Location
	m := regexp.MustCompile(`Worksite ID is ([A-Z0-9]{7})`).FindStringSubmatch(c.Follow(p).Text(".flash"))
	if m == nil {
		t.Fatal("no Worksite ID in the flash after registering the worksite")
	}
	a.clinicCode = m[1]
	if p := c.Post(declaration, url.Values{"agree": {"yes"}, "full_name": {acct.LegalName()}}); p.Status != http.StatusSeeOther {
		t.Fatalf("sign the declaration: %d %s", p.Status, p.Text(".error-summary"))
	}
	meta := portal.RequestMeta{IP: "127.0.0.1", UserAgent: "e2e set-up", RequestID: "e2e"}
	if _, err := inst.Portal.App.DecideWorksite(ctx, meta, "officer.one", portal.WorksiteCode(a.clinicCode), true, ""); err != nil {
		t.Fatal(err)
	}

	// The prerequisites.
	answers := map[string]int{}
	for _, q := range portal.TrainingQuiz {
		answers[q.ID] = q.Answer
	}
	if _, err := inst.Portal.App.SubmitQuiz(ctx, meta, acct, answers); err != nil {
		t.Fatal(err)
	}
	if _, err := inst.Portal.App.SignHPCAA(ctx, meta, acct, portal.HPCAASignature{FullName: acct.LegalName(), Agree: true}); err != nil {
		t.Fatal(err)
	}

	// The CareConnect Enrolment Form.
	form := c.Get("/application/request")
	clinic := form.Attr(`input[name="clinics"]`, "value")
	if form.Status != http.StatusOK || clinic == "" {
		t.Fatalf("enrolment form: %d %s", form.Status, form.Text("main"))
	}
	p = c.Post(
		"/application/request",
		url.Values{"clinics": {clinic}, "first_name": {a.given}, "last_name": {a.surname},
			"job": {"Family physician"}, "attest_correct": {"yes"}, "attest_direct_care": {"yes"},
			"attest_annual_review": {"yes"}, "reason_care": {"yes"}},
	)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("submit the enrolment form: %d %s", p.Status, p.Text(".error-summary"))
	}
	return a
}

// newPersonContext opens a tab in a browser context of its own, sharing the
// browser of ctx but none of its cookies: a second person at another
// computer. Uncaught exceptions and console errors go to the test log.
func newPersonContext(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	pctx, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	var mu sync.Mutex
	over := false
	t.Cleanup(func() { mu.Lock(); over = true; mu.Unlock() })
	err := chromedp.Listen(pctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		if over {
			return
		}
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			t.Logf("second browser: uncaught exception: %s", exceptionText(ev.ExceptionDetails))
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				t.Logf("second browser: console.error: %s", consoleArgs(ev.Args))
			}
		}
	})
	if err != nil {
		t.Fatalf("opening a second browser context: %v", err)
	}
	return pctx
}

// outboxEmail returns the one email of a kind to an address.
func outboxEmail(t *testing.T, inst *portaltest.Instance, to, kind string) *store.Email {
	t.Helper()
	es := inst.Emails(t, to, kind)
	if len(es) != 1 {
		t.Fatalf("%d %s emails to %s, want 1", len(es), kind, to)
	}
	return es[0]
}

var statusLinkRe = regexp.MustCompile(`https?://\S+/application/status`)

// apiJSON calls the provisioning API with a bearer token and decodes the answer.
func apiJSON(t *testing.T, inst *portaltest.Instance, token, path string, into any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, inst.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, into); err != nil {
		t.Fatalf("GET %s: not the JSON expected: %v\n%s", path, err, body)
	}
}

// scimList is the part of a SCIM list response the test reads.
type scimList struct {
	TotalResults int `json:"totalResults"`
	Resources    []struct {
		ID       string `json:"id"`
		UserName string `json:"userName"`
		Active   bool   `json:"active"`
		Name     struct {
			FamilyName string `json:"familyName"`
			GivenName  string `json:"givenName"`
		} `json:"name"`
		Ext struct {
			Profession string `json:"profession"`
			Worksites  []struct {
				WorksiteID string `json:"worksiteId"`
				Name       string `json:"name"`
			} `json:"worksites"`
			DataScopes []string `json:"dataScopes"`
		} `json:"urn:ietf:params:scim:schemas:extension:careconnect:2.0:User"`
	} `json:"Resources"`
}

// feedPage is a page of the change feed.
type feedPage struct {
	Events []struct {
		ID     string `json:"id"`
		Type   string `json:"type"`
		UserID string `json:"userId"`
	} `json:"events"`
	Next    string `json:"next"`
	HasMore bool   `json:"hasMore"`
}

func TestE2E_OfficerDecidesAndSCIMShows(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		doc := boApplicant(t, inst)
		userID := strconv.FormatInt(int64(doc.account.ID), 10)
		legalName := doc.given + " " + doc.surname

		officer := newBrowser(t)
		screenshotOnFailure(t, officer)

		// The officer signs in through the CareConnect team's sign-in.
		navigate(t, officer, inst.URL+"/staff")
		expectPage(t, officer, "Development sign-in")
		if u := currentURL(officer); !strings.Contains(u, "/dev/staff-oidc/authorize") {
			t.Fatalf("the back office sent a signed-out visitor to %s, want the staff sign-in", u)
		}
		checkAxe(t, officer, "staff development sign-in")
		click(t, officer, byText("button", "Continue as Olivia OFFICER"), http.StatusOK, "CareConnect team")
		checkAxe(t, officer, "back office home")
		wantTextOf(t, officer, ".site-user", "Olivia OFFICER")

		// The queue lists the request.
		click(t, officer, chromedp.CSS(`.site-nav a[href="/staff/queue"]`), http.StatusOK, "Request queue")
		checkAxe(t, officer, "request queue")
		if v, _ := attr(t, officer, `.site-nav a[href="/staff/queue"]`, "aria-current"); v != "page" {
			t.Errorf("the back office menu does not mark the queue as the current page")
		}
		if got := textOf(t, officer, "#showing"); got != "Showing 1 to 1 of 1 entries" {
			t.Fatalf("queue: %q", got)
		}
		row := textOf(t, officer, "#queue-table tbody tr")
		req, err := inst.DB.Read().FindLatestAccessRequest(t.Context(), doc.account.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{portal.ReferenceNumber(req.ID, req.CreatedAt), legalName, doc.email, "Physician", doc.clinic, doc.clinicCode, "Pending approval", "Unclaimed"} {
			if !strings.Contains(row, want) {
				t.Errorf("queue row %q lacks %q", row, want)
			}
		}

		// The reference number a person quotes finds their request; a
		// malformed one is explained at its field.
		ref := portal.ReferenceNumber(req.ID, req.CreatedAt)
		mustRun(t, officer, chromedp.SendKeys(chromedp.CSS("#reference"), "CC-12"))
		click(t, officer, byText("button", "Filter"), http.StatusUnprocessableEntity, "Request queue")
		checkAxe(t, officer, "request queue with a malformed reference")
		expectFieldError(t, officer, "reference", "Enter a reference number like CC-2026-000123")
		mustRun(t, officer, retype("#reference", strings.ToLower(ref)))
		click(t, officer, byText("button", "Filter"), http.StatusOK, "Request queue")
		if got := textOf(t, officer, "#queue-table tbody td:nth-child(2)"); got != ref {
			t.Errorf("searching %s finds %q", ref, got)
		}
		click(t, officer, byText("a", "Clear the filters"), http.StatusOK, "Request queue")

		// The request page has what the officer needs to decide.
		requestTitle := "Access request of " + legalName
		click(t, officer, byText("a", legalName), http.StatusOK, requestTitle)
		checkAxe(t, officer, "request page")
		requestURL := currentURL(officer)
		for sel, wants := range map[string][]string{
			"#identity":      {doc.given, doc.surname, doc.birth, doc.email, `HXBC\` + doc.username},
			"#profession":    {"Physician", "MSP billing number", "A1234", "CPSID", "12345", "Authorizer"},
			"#worksites":     {doc.clinic, doc.clinicCode, "Approved", "370 Broadway", "Registered this worksite"},
			"#prerequisites": {"Completed version " + portal.TrainingVersion, "Completed version " + portal.HPCAAVersion, "HPCAA"},
			"#history":       {"Submitted the CareConnect Enrolment Form."},
			"#checks":        {"The CPSID 12345 has the expected format."},
			"#form-answers":  {"Family physician"},
			"#claimed-by":    {"Nobody has claimed this request."},
		} {
			got := textOf(t, officer, sel)
			for _, want := range wants {
				if !strings.Contains(got, want) {
					t.Errorf("%s on the request page: %q lacks %q", sel, got, want)
				}
			}
		}
		if eval[bool](t, officer, `!!document.getElementById('decide')`) {
			t.Fatal("the decision forms are offered before the request is claimed")
		}

		// Claim it.
		click(t, officer, byText("button", "Claim this request"), http.StatusOK, requestTitle)
		checkAxe(t, officer, "request page, claimed")
		wantTextOf(t, officer, ".flash", "You claimed this request")
		if got := textOf(t, officer, "#claimed-by"); !strings.HasPrefix(got, "You claimed this request on ") {
			t.Errorf("claimed by: %q", got)
		}

		// Ask for more information: an empty question is refused at its field.
		click(t, officer, byText("button", "Send the question"), http.StatusUnprocessableEntity, requestTitle)
		checkAxe(t, officer, "request page, empty question")
		expectFieldError(t, officer, "question", "Type the question")
		question := "Which days of the week do you work at " + doc.clinic + "?"
		mustRun(t, officer, chromedp.SendKeys(chromedp.CSS("#question"), question))
		click(t, officer, byText("button", "Send the question"), http.StatusOK, requestTitle)
		checkAxe(t, officer, "request page, waiting for an answer")
		if got := textOf(t, officer, "#request-status"); got != "More information needed" {
			t.Errorf("status after the question: %q", got)
		}
		wantTextOf(t, officer, "#waiting-answer", "has not answered yet")
		if got := textOf(t, officer, "#info-question"); got != question {
			t.Errorf("the question shown to the team: %q", got)
		}

		// The physician, at their own computer, follows the email's link.
		infoMail := outboxEmail(t, inst, doc.email, "access_info_needed")
		if !strings.Contains(infoMail.Text, question) {
			t.Fatalf("the email does not carry the question:\n%s", infoMail.Text)
		}
		statusLink := statusLinkRe.FindString(infoMail.Text)
		if statusLink == "" {
			t.Fatalf("no link to the request's page in the email:\n%s", infoMail.Text)
		}
		physician := newPersonContext(t, officer)
		screenshotOnFailure(t, physician)
		navigate(t, physician, statusLink)
		expectPage(t, physician, "Development sign-in")
		checkAxe(t, physician, "development sign-in from the email link")
		mustRun(t, physician,
			chromedp.SendKeys(chromedp.CSS("#given-names"), doc.given),
			chromedp.SendKeys(chromedp.CSS("#surname"), doc.surname),
			chromedp.SendKeys(chromedp.CSS("#birth-date"), doc.birth),
		)
		click(t, physician, byText("button", "Continue as this person"), http.StatusOK, "Your CareConnect request")
		checkAxe(t, physician, "request status, question asked")
		if u := currentURL(physician); !strings.HasSuffix(u, "/application/status") {
			t.Errorf("after signing in the physician is on %s, want the page the email links to", u)
		}
		if got := textOf(t, physician, "#request-status"); got != "More information needed" {
			t.Errorf("the physician sees the status %q", got)
		}
		if got := textOf(t, physician, "#info-question"); got != question {
			t.Errorf("the physician sees the question %q, want %q", got, question)
		}

		// An empty answer is refused at its field; then the physician answers.
		click(t, physician, byText("button", "Send answer"), http.StatusUnprocessableEntity, "Your CareConnect request")
		checkAxe(t, physician, "request status, empty answer")
		expectFieldError(t, physician, "answer", "Type your answer")
		answer := "Mondays, Wednesdays and Thursdays."
		mustRun(t, physician, chromedp.SendKeys(chromedp.CSS("#answer"), answer))
		click(t, physician, byText("button", "Send answer"), http.StatusOK, "Your CareConnect request")
		checkAxe(t, physician, "request status, answered")
		wantTextOf(t, physician, ".flash", "your request is back in their queue")
		if got := textOf(t, physician, "#request-status"); got != "Pending approval" {
			t.Errorf("status after answering: %q", got)
		}

		// Back in the queue, still the officer's.
		click(t, officer, chromedp.CSS(`.site-nav a[href="/staff/queue"]`), http.StatusOK, "Request queue")
		mustRun(t, officer, chromedp.SetValue(chromedp.CSS("#status"), portal.ARSubmitted))
		click(t, officer, byText("button", "Filter"), http.StatusOK, "Request queue")
		checkAxe(t, officer, "request queue, pending approval")
		if got := value(t, officer, "#status"); got != portal.ARSubmitted {
			t.Errorf("the status filter was not kept: %q", got)
		}
		if got := textOf(t, officer, "#showing"); got != "Showing 1 to 1 of 1 entries" {
			t.Fatalf("the answered request is not in the queue of pending requests: %q", got)
		}
		row = textOf(t, officer, "#queue-table tbody tr")
		if !strings.Contains(row, "Pending approval") || !strings.Contains(row, "Olivia OFFICER") {
			t.Errorf("queue row after the answer: %q", row)
		}
		click(t, officer, byText("a", legalName), http.StatusOK, requestTitle)
		checkAxe(t, officer, "request page, answered")
		if got := textOf(t, officer, "#info-answer"); got != answer {
			t.Errorf("the answer shown to the team: %q", got)
		}
		wantTextOf(t, officer, "#history", "Answered: "+answer)

		// Approve with every allowed scope but one.
		var allowed []string
		for _, s := range portal.DataScopes {
			allowed = append(allowed, string(s.Code))
		}
		ticked := eval[[]string](
			t,
			officer,
			`[...document.querySelectorAll('input[name="scopes"]:checked')].map(e => e.value)`,
		)
		if !slices.Equal(ticked, allowed) {
			t.Fatalf("the approval form ticks %v, want every scope a physician may have: %v", ticked, allowed)
		}
		left := string(portal.ScopeImagingReports)
		var granted, grantedLabels []string
		for _, s := range portal.DataScopes {
			if string(s.Code) != left {
				granted = append(granted, string(s.Code))
				grantedLabels = append(grantedLabels, s.Label)
			}
		}
		mustRun(t, officer, chromedp.Click(chromedp.CSS(`input[name="scopes"][value="`+left+`"]`)))
		if eval[bool](t, officer, `document.querySelector('input[name="scopes"][value="`+left+`"]').checked`) {
			t.Fatal("clicking the box did not untick it")
		}
		click(t, officer, byText("button", "Approve"), http.StatusOK, requestTitle)
		checkAxe(t, officer, "request page, approved")
		if u := currentURL(officer); u != requestURL {
			t.Errorf("after approving the officer is on %s, want the request page %s", u, requestURL)
		}
		wantTextOf(t, officer, ".flash", "You approved the request of "+legalName)
		if got := textOf(t, officer, "#request-status"); got != "Approved" {
			t.Errorf("status after approving: %q", got)
		}
		if got, want := textOf(t, officer, "#granted-scopes"), "Granted: "+strings.Join(grantedLabels, ", ")+"."; got != want {
			t.Errorf("granted scopes %q, want %q", got, want)
		}
		if got := textOf(t, officer, "#decision"); !strings.HasPrefix(got, "Approved by Olivia OFFICER on ") {
			t.Errorf("decision %q", got)
		}

		// The physician is emailed, and sees it on their page.
		approved := outboxEmail(t, inst, doc.email, "access_approved")
		for _, l := range grantedLabels {
			if !strings.Contains(approved.Text, l) {
				t.Errorf("the approval email does not list %s:\n%s", l, approved.Text)
			}
		}
		if strings.Contains(approved.Text, portal.ScopeImagingReports.Label()) {
			t.Errorf("the approval email lists the scope left out:\n%s", approved.Text)
		}
		link := statusLinkRe.FindString(approved.Text)
		if link == "" {
			t.Fatalf("no link to the request's page in the approval email:\n%s", approved.Text)
		}
		navigate(t, physician, link)
		expectPage(t, physician, "Your CareConnect request")
		checkAxe(t, physician, "request status, approved")
		if got := textOf(t, physician, "#request-status"); got != "Approved" {
			t.Errorf("the physician sees the status %q", got)
		}
		if got, want := textOf(t, physician, "#granted-scopes"), strings.Join(grantedLabels, ", "); got != want {
			t.Errorf("the physician sees the scopes %q, want %q", got, want)
		}

		// SCIM shows the physician, with their worksite and exactly the
		// scopes granted.
		token, _, err := inst.Portal.App.CreateToken(
			t.Context(),
			portal.RequestMeta{RequestID: "e2e"},
			"Olivia OFFICER",
			app.TokenInput{
				Name:     "clinical-viewer-e2e",
				Scopes:   []string{app.TokenScopeSCIM, app.TokenScopeEvents},
				Lifetime: 24 * time.Hour,
			},
		)
		if err != nil {
			t.Fatal(err)
		}
		byUserName := "/scim/v2/Users?filter=" + url.QueryEscape(`userName eq "HXBC\\`+doc.username+`"`)
		var users scimList
		apiJSON(t, inst, token, byUserName, &users)
		if users.TotalResults != 1 || len(users.Resources) != 1 {
			t.Fatalf("SCIM found %d people named %s, want 1", users.TotalResults, doc.username)
		}
		u := users.Resources[0]
		if u.ID != userID || u.UserName != `HXBC\`+doc.username || !u.Active || u.Name.GivenName != doc.given ||
			u.Name.FamilyName != doc.surname ||
			u.Ext.Profession != "physician" {
			t.Errorf("SCIM user %+v", u)
		}
		if len(u.Ext.Worksites) != 1 || u.Ext.Worksites[0].WorksiteID != doc.clinicCode ||
			u.Ext.Worksites[0].Name != doc.clinic {
			t.Errorf("SCIM worksites %+v, want %s (%s)", u.Ext.Worksites, doc.clinic, doc.clinicCode)
		}
		if !slices.Equal(u.Ext.DataScopes, granted) {
			t.Errorf("SCIM data scopes %v, want the narrowed list %v", u.Ext.DataScopes, granted)
		}

		// The change feed says the physician was provisioned.
		var feed feedPage
		apiJSON(t, inst, token, "/api/v1/events?after=0", &feed)
		var mine []string
		for _, e := range feed.Events {
			if e.UserID == userID {
				mine = append(mine, e.Type)
			}
		}
		if !slices.Equal(mine, []string{app.ProvUserProvisioned}) || feed.HasMore || feed.Next == "" {
			t.Fatalf(
				"the feed shows %v for the physician (next %q, hasMore %v), want [%s]",
				mine,
				feed.Next,
				feed.HasMore,
				app.ProvUserProvisioned,
			)
		}
		cursor := feed.Next

		// The officer suspends the access on the person's record.
		click(
			t,
			officer,
			byText("a", "Suspend, reinstate or remove access on the person's record"),
			http.StatusOK,
			legalName,
		)
		checkAxe(t, officer, "person page")
		wantTextOf(t, officer, "#access-status", "Approved with "+strings.Join(grantedLabels, ", "))
		wantTextOf(t, officer, "#memberships", doc.clinic)
		reason := "Privacy investigation of a complaint."
		mustRun(t, officer, chromedp.SendKeys(chromedp.CSS("#reason-suspend"), reason))
		click(t, officer, byText("button", "Suspend access"), http.StatusOK, legalName)
		checkAxe(t, officer, "person page, suspended")
		wantTextOf(t, officer, ".flash", "Access suspended.")
		wantTextOf(t, officer, "#access-status", "Suspended")
		if !strings.Contains(outboxEmail(t, inst, doc.email, "access_suspended").Text, reason) {
			t.Errorf("the suspension email does not give the reason")
		}

		// The feed from the cursor shows only the suspension; SCIM shows the
		// physician inactive.
		feed = feedPage{}
		apiJSON(t, inst, token, "/api/v1/events?after="+url.QueryEscape(cursor), &feed)
		var got []string
		for _, e := range feed.Events {
			got = append(got, e.Type+" "+e.UserID)
		}
		if want := []string{app.ProvUserSuspended + " " + userID}; !slices.Equal(got, want) {
			t.Errorf("the feed after %s shows %v, want %v", cursor, got, want)
		}
		if feed.Next == cursor {
			t.Errorf("the cursor did not move past the suspension")
		}
		users = scimList{}
		apiJSON(t, inst, token, byUserName, &users)
		if len(users.Resources) != 1 || users.Resources[0].Active ||
			!slices.Equal(users.Resources[0].Ext.DataScopes, granted) {
			t.Errorf("SCIM after the suspension: %+v, want the physician inactive", users.Resources)
		}
		t.Logf("request %s decided; SCIM user %s", requestURL, userID)
	})
}
