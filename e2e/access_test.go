package e2e

// The road to CareConnect access in a real browser: the main menu's tiles,
// the Privacy & Security training and its quiz, the Health Practitioner
// CareConnect Access Agreement, sponsorship of on-behalf-of users and
// residents, the CareConnect Enrolment Form and the states in which a
// request cannot be made. People and worksites are set up over HTTP or
// with the app; what each test is about happens in the browser, and every
// page the browser shows is checked with axe-core.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// accessJourney is one person's browser on one portal, with the set-up
// helpers the access journeys need. Every page it loads is checked with
// axe-core before the test goes on.
type accessJourney struct {
	t    *testing.T
	inst *portaltest.Instance
	ctx  context.Context
}

// startAccessJourney opens a browser for the test; a failed test leaves a
// screenshot of it.
func startAccessJourney(t *testing.T, inst *portaltest.Instance) *accessJourney {
	t.Helper()
	ctx := newBrowser(t)
	screenshotOnFailure(t, ctx)
	return &accessJourney{t: t, inst: inst, ctx: ctx}
}

const accessBirthDate = "1980-04-18"

// Registration answers by profession, over the fields every person fills.
var (
	accessAsPhysician = url.Values{
		"profession":         {string(portal.ProfPhysician)},
		"msp_billing_number": {"A1234"},
		"cpsid":              {"12345"},
		"resident":           {"no"},
	}
	accessAsMOA        = url.Values{"profession": {string(portal.ProfMOA)}}
	accessAsPharmacist = url.Values{"profession": {string(portal.ProfPharmacist)}, "college_id": {"P-20417"}}
	accessAsLPN        = url.Values{
		"profession":    {string(portal.ProfNurse)},
		"nurse_licence": {string(portal.LicenceLPN)},
		"college_id":    {"1234567"},
	}
	accessAsSocialWorker = url.Values{"profession": {string(portal.ProfSocialWorker)}, "college_id": {"SW-42"}}
)

// register signs p in over HTTP and registers them with the profession
// answers prof; it returns the client, on the menu, and the account.
func (j *accessJourney) register(p person, username string, prof url.Values) (*portaltest.Client, *portal.Account) {
	j.t.Helper()
	c := j.inst.Client(j.t)
	if page := c.SignIn(p.given, p.surname, p.birth, p.email); !strings.HasSuffix(page.URL, "/register") {
		j.t.Fatalf("new person %s landed on %s, want /register", p.email, page.URL)
	}
	form := url.Values{"email": {p.email}, "phone": {"(778) 888-9999"}, "health_authority_account": {"no"},
		"username": {username}, "password": {"Harbour-Lantern-47"}, "confirm_password": {"Harbour-Lantern-47"}}
	for k, v := range prof {
		form[k] = v
	}
	page := c.Post("/register", form)
	if page.Status != http.StatusSeeOther || page.Location != "/menu" {
		j.t.Fatalf("register %s: %d %q %s", p.email, page.Status, page.Location, page.Text(".error-summary"))
	}
	c.ConfirmEmail(p.email)  // with the link from the development mailbox
	c.Follow(c.Get("/menu")) // the menu carries the new session's CSRF token
	return c, j.account(p.email)
}

// account reads the account registered with the email address.
func (j *accessJourney) account(email string) *portal.Account {
	j.t.Helper()
	return j.inst.Account(j.t, email)
}

// worksite registers a worksite over HTTP as the signed-in person of c,
// signs its declaration and approves it as the CareConnect team.
func (j *accessJourney) worksite(c *portaltest.Client, admin *portal.Account, name, unit string) portal.WorksiteID {
	j.t.Helper()
	return j.inst.ApprovedWorksite(j.t, c, name, unit, admin.LegalName()).ID
}

// daliaAtClinic registers accessDalia, a physician, and her worksite
// Kingsgate Mall Clinic, unit 101, which the CareConnect team approves; it
// returns her account and the worksite.
func (j *accessJourney) daliaAtClinic() (*portal.Account, portal.WorksiteID) {
	j.t.Helper()
	c, doc := j.register(accessDalia, "dalia.doctor", accessAsPhysician)
	return doc, j.worksite(c, doc, "Kingsgate Mall Clinic", "101")
}

// enrolledDalia is daliaAtClinic, with her CareConnect access approved
// there.
func (j *accessJourney) enrolledDalia() (*portal.Account, portal.WorksiteID) {
	j.t.Helper()
	doc, clinic := j.daliaAtClinic()
	j.enrolled(doc, clinic)
	return doc, clinic
}

// typePhysician types a physician's registration on the form in the
// browser: billing number msp, the answer resident ("yes" or "no") and
// CPSID cpsid, then the phone number, health authority account and
// password that every person gives.
func typePhysician(msp, resident, cpsid string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Focus(chromedp.CSS("#profession")),
		chromedp.KeyEvent("Physician"),
		chromedp.WaitVisible(chromedp.CSS("#msp_billing_number")),
		chromedp.WaitVisible(chromedp.CSS("#cpsid")),
		chromedp.SendKeys(chromedp.CSS("#msp_billing_number"), msp),
		chromedp.Click(chromedp.CSS(`input[name="resident"][value="` + resident + `"]`)),
		chromedp.SendKeys(chromedp.CSS("#cpsid"), cpsid),
		chromedp.SendKeys(chromedp.CSS("#phone"), "(778) 888-9999"),
		chromedp.Click(chromedp.CSS(`input[name="health_authority_account"][value="no"]`)),
		chromedp.SendKeys(chromedp.CSS("#password"), "Harbour-Lantern-47"),
		chromedp.SendKeys(chromedp.CSS("#confirm_password"), "Harbour-Lantern-47"),
	}
}

// join makes the accounts active members of the worksite, as if its
// administrator had approved their requests to join.
func (j *accessJourney) join(w portal.WorksiteID, accts ...*portal.Account) {
	j.t.Helper()
	j.inst.Join(j.t, w, accts...)
}

// enrolled gives an authorizer approved CareConnect access at the worksite,
// directly in the store as the CareConnect team's approval would, so that
// they may sponsor people.
func (j *accessJourney) enrolled(a *portal.Account, w portal.WorksiteID) {
	j.t.Helper()
	scopes := store.StoredScopes(portal.ScopesFor(a.Profession, a.NurseLicence))
	// Provision reads only the worksite's ID.
	fixture.Provision(j.t, j.inst.DB, a, j.inst.Clock.Now(), scopes, &portal.Worksite{ID: w})
}

// accessQuizAnswers answers every question of the training quiz correctly.
func accessQuizAnswers() map[string]int {
	out := map[string]int{}
	for _, q := range portal.TrainingQuiz {
		out[q.ID] = q.Answer
	}
	return out
}

// passTraining records a passed quiz for the account, through the app.
func (j *accessJourney) passTraining(a *portal.Account) {
	j.t.Helper()
	r, err := j.inst.Portal.App.SubmitQuiz(j.t.Context(), portal.RequestMeta{RequestID: "e2e"}, a, accessQuizAnswers())
	if err != nil || !r.Passed {
		j.t.Fatalf("training of %s: %+v %v", a.Email, r, err)
	}
}

// signHPCAA records the account's signature of the agreement, through the app.
func (j *accessJourney) signHPCAA(a *portal.Account) {
	j.t.Helper()
	if _, err := j.inst.Portal.App.SignHPCAA(j.t.Context(), portal.RequestMeta{RequestID: "e2e"}, a,
		portal.HPCAASignature{FullName: a.LegalName(), Agree: true}); err != nil {
		j.t.Fatalf("HPCAA of %s: %v", a.Email, err)
	}
}

// emails returns the outbox rows of a kind to an address, and checks there are n.
func (j *accessJourney) emails(to, kind string, n int) []*store.Email {
	j.t.Helper()
	es := j.inst.Emails(j.t, to, kind)
	if len(es) != n {
		j.t.Fatalf("%d %s emails to %s, want %d", len(es), kind, to, n)
	}
	return es
}

// audit runs axe-core on the page the browser shows, named by its heading
// and path.
func (j *accessJourney) audit(h1 string) {
	j.t.Helper()
	path := currentURL(j.ctx)
	if u, err := url.Parse(path); err == nil {
		path = u.RequestURI()
	}
	checkAxe(j.t, j.ctx, fmt.Sprintf("%s (%s)", h1, path))
}

// follow runs an action that loads a page (a click on a link or a submit
// button), checks the page's status and heading and runs axe on it.
func (j *accessJourney) follow(what string, a chromedp.Action[chromedp.Void], status int64, h1 string) {
	j.t.Helper()
	if got := load(j.t, j.ctx, what, a); got != status {
		j.t.Fatalf("%s led to %s with status %d, want %d", what, currentURL(j.ctx), got, status)
	}
	expectPage(j.t, j.ctx, h1)
	j.audit(h1)
}

// clickCSS clicks the element sel and follows the page it loads.
func (j *accessJourney) clickCSS(sel string, status int64, h1 string) {
	j.t.Helper()
	j.follow("clicking "+sel, chromedp.Click(chromedp.CSS(sel)), status, h1)
}

// clickText clicks the first tag element whose text is text and follows the page it loads.
func (j *accessJourney) clickText(tag, text string, status int64, h1 string) {
	j.t.Helper()
	j.follow(fmt.Sprintf("clicking the %s %q", tag, text), chromedp.Click(byText(tag, text)), status, h1)
}

// visit loads the portal's path as if typed in the address bar.
func (j *accessJourney) visit(path string, status int64, h1 string) {
	j.t.Helper()
	j.follow("opening "+path, chromedp.Navigate(j.inst.URL+path), status, h1)
}

// signIn goes through the development sign-in as p, who is registered,
// and checks the main menu.
func (j *accessJourney) signIn(p person) {
	j.t.Helper()
	p.email = "" // a registered person is known by their card
	signInInBrowser(j.t, j.ctx, j.inst, p, "Main Menu")
	j.audit("Main Menu")
}

// signOut signs the browser's person out.
func (j *accessJourney) signOut() {
	j.t.Helper()
	j.clickText("button", "Sign out", http.StatusOK, "You have signed out")
}

// text returns the visible text of sel, whitespace-normalised.
func (j *accessJourney) text(sel string) string {
	j.t.Helper()
	return strings.Join(strings.Fields(textOf(j.t, j.ctx, sel)), " ")
}

// wantText checks that the visible text of sel contains every part.
func (j *accessJourney) wantText(sel string, parts ...string) {
	j.t.Helper()
	got := j.text(sel)
	for _, p := range parts {
		if !strings.Contains(got, p) {
			j.t.Errorf("%s on %s reads %q, want it to contain %q", sel, currentURL(j.ctx), got, p)
		}
	}
}

// count returns how many elements match sel now.
func (j *accessJourney) count(sel string) int {
	j.t.Helper()
	return eval[int](j.t, j.ctx, fmt.Sprintf(`document.querySelectorAll(%q).length`, sel))
}

// checked reports whether the checkbox or radio button sel is ticked.
func (j *accessJourney) checked(sel string) bool {
	j.t.Helper()
	return eval[bool](j.t, j.ctx, fmt.Sprintf(`document.querySelector(%q).checked`, sel))
}

// wantClinicTicked checks that the enrolment form has the worksite ticked.
func (j *accessJourney) wantClinicTicked(w portal.WorksiteID) {
	j.t.Helper()
	if !j.checked(fmt.Sprintf(`input[name="clinics"][value="%d"]`, w)) {
		j.t.Errorf("the clinic is not ticked")
	}
}

// tile checks a main menu tile's status and, when reason is not empty, its reason.
func (j *accessJourney) tile(key, status, reason string) {
	j.t.Helper()
	if got := j.text("#step-" + key + " .tile-status"); got != status {
		j.t.Errorf("the %s tile is %q, want %q", key, got, status)
	}
	if reason != "" {
		j.wantText("#step-"+key+" .tile-reason", reason)
	}
}

// expectGroupError checks that a group of checkboxes or radio buttons
// (a fieldset or a field with the id) shows its error in the group and
// that the error is read out with the group's controls.
func (j *accessJourney) expectGroupError(id, want string) {
	j.t.Helper()
	// A group is the element with the id, or for a single checkbox (whose
	// id the error summary links to) the field around it.
	j.wantText("#"+id+" .field-error, .field:has(> label > #"+id+") .field-error", want)
	got := eval[string](j.t, j.ctx, fmt.Sprintf(`(() => {
		const el = document.getElementById(%[1]q), g = el.matches('input') ? el.closest('.field') : el, err = g.querySelector('.field-error');
		if (!err.id) return 'the error has no id';
		const refs = el => (el.getAttribute('aria-describedby') || '').split(/\s+/);
		const controls = [...g.querySelectorAll('input')];
		const tied = refs(g).includes(err.id) || (controls.length > 0 && controls.every(c => refs(c).includes(err.id)));
		return tied ? '' : 'the error ' + err.id + ' is not tied to the group or its controls';
	})()`, id))
	if got != "" {
		j.t.Errorf("%s on %s: %s", id, currentURL(j.ctx), got)
	}
}

// printView checks how the page prints: without the portal's menus,
// banners and buttons, with the print-only lines, and with main shown.
func (j *accessJourney) printView(what string) {
	j.t.Helper()
	media := func(m string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
			return err
		})
	}
	mustRun(j.t, j.ctx, media("print"))
	defer mustRun(j.t, j.ctx, media(""))
	type printed struct {
		Shown     []string `json:"shown"`     // what should not print but does
		PrintOnly bool     `json:"printOnly"` // every print-only line prints
		Main      bool     `json:"main"`
	}
	got := eval[printed](j.t, j.ctx, `(() => {
		const shown = el => getComputedStyle(el).display !== 'none' && el.getClientRects().length > 0;
		return {
			shown: [...document.querySelectorAll('.site-nav, .site-account, .dev-banner, .skip-link, .no-print, .button-row, .btn, .site-footer')]
				.filter(shown).map(el => el.tagName.toLowerCase() + '.' + el.className),
			printOnly: [...document.querySelectorAll('.print-only')].every(shown),
			main: shown(document.querySelector('main')),
		};
	})()`)
	if len(got.Shown) > 0 || !got.PrintOnly || !got.Main {
		j.t.Errorf(
			"printing the %s: also prints %v; print-only lines shown %v; main shown %v",
			what,
			got.Shown,
			got.PrintOnly,
			got.Main,
		)
	}
}

// pacificDay returns the fake clock's date in British Columbia, moved by days.
func (j *accessJourney) pacificDay(days int) string {
	j.t.Helper()
	return j.inst.Clock.Now().In(portal.Pacific()).AddDate(0, 0, days).Format(time.DateOnly)
}

// fillEnrolment ticks the attestations and the reason for patient care on
// the CareConnect Enrolment Form.
func (j *accessJourney) fillEnrolment() {
	j.t.Helper()
	for _, name := range []string{"attest_correct", "attest_direct_care", "attest_annual_review", "reason_care"} {
		mustRun(j.t, j.ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name=%q]`, name))))
		if !j.checked(fmt.Sprintf(`input[name=%q]`, name)) {
			j.t.Fatalf("clicking %s did not tick it", name)
		}
	}
}

// submitEnrolment submits the form and checks the status page that follows.
func (j *accessJourney) submitEnrolment() {
	j.t.Helper()
	j.clickText("button", "Submit", http.StatusOK, "Your CareConnect request")
	ref := j.text("#request-reference")
	if !regexp.MustCompile(`^CC-\d{4}-\d{6}$`).MatchString(ref) {
		j.t.Errorf("status page reference number %q", ref)
	}
	if got := j.text(".flash"); got != "Your CareConnect request has been submitted and is pending approval. Its reference number is "+ref+"; we have emailed you a receipt." {
		j.t.Errorf("flash %q", got)
	}
	if got := j.text("#request-status"); got != "Pending approval" {
		j.t.Errorf("request status %q", got)
	}
	j.wantText("#history", "Submitted")
}

// latestRequest reads the account's latest CareConnect access request.
func (j *accessJourney) latestRequest(a *portal.Account) *portal.AccessRequest {
	j.t.Helper()
	r, err := j.inst.DB.Read().FindLatestAccessRequest(j.t.Context(), a.ID)
	if err != nil {
		j.t.Fatalf("latest request of %s: %v", a.Email, err)
	}
	return r
}

var (
	accessDalia = person{"Dalia", "DOCTOR", accessBirthDate, "dalia@example.ca"}
	accessMona  = person{"Mona", "FRONTDESK", accessBirthDate, "mona@example.ca"}
)

func TestE2E_PhysicianRequestsAccess(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		j := startAccessJourney(t, inst)
		doc, clinic := j.daliaAtClinic()

		// The main menu: the training and the agreement to do, Application
		// Access locked until they are done.
		j.signIn(accessDalia)
		j.tile("worksite", "Complete", "")
		j.tile(string(portal.PrereqTraining), "To do", "Complete this before you request CareConnect access.")
		j.tile(string(portal.PrereqHPCAA), "To do", "Complete this before you request CareConnect access.")
		j.tile("application", "Locked", "Complete the "+portal.TrainingTitle+". (and 1 more step)")
		if n := j.count("#step-sponsor"); n != 0 {
			t.Errorf("an authorizer is shown the Authorizer step")
		}

		// The training, one page from the menu: the status, the course
		// and its quiz; a failed quiz, a pass.
		j.clickCSS("#step-"+string(portal.PrereqTraining)+" .tile-actions a", http.StatusOK, portal.TrainingTitle)
		if got := j.text("#training-status"); got != "Not started" {
			t.Errorf("training status %q", got)
		}
		if n := j.count(`form[action="/training/quiz"] fieldset`); n != len(portal.TrainingQuiz) {
			t.Errorf("the training page from the menu has %d quiz questions, want %d", n, len(portal.TrainingQuiz))
		}
		for i, m := range portal.TrainingModules {
			j.wantText(fmt.Sprintf("#module-%d", i+1), m.Title)
			mustRun(t, j.ctx, chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#module-%d", i+1))))
		}
		// The contents lead to the quiz.
		mustRun(t, j.ctx, chromedp.Click(chromedp.CSS(`nav a[href="#quiz-title"]`)))
		if got := eval[string](t, j.ctx, `location.hash`); got != "#quiz-title" {
			t.Errorf("the contents' Quiz link went to %q", got)
		}
		// One wrong answer alone scores 90%, above the pass mark of 80%:
		// three are wrong here so that the attempt fails.
		wrong := map[string]bool{"q2": true, "q5": true, "q8": true}
		for _, q := range portal.TrainingQuiz {
			a := q.Answer
			if wrong[q.ID] {
				a = (q.Answer + 1) % len(q.Options)
			}
			mustRun(t, j.ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf("#%s-%d", q.ID, a))))
		}
		j.clickText("button", "Submit the quiz", http.StatusUnprocessableEntity, portal.TrainingTitle)
		if got := j.text("#quiz-score"); got != "70%" {
			t.Errorf("score %q, want 70%%", got)
		}
		j.wantText("#quiz-result", "You did not pass this time", fmt.Sprintf("at least %d%%", portal.TrainingPassMark))
		if n := j.count("#quiz-result li a"); n != len(wrong) {
			t.Errorf("the result lists %d questions, want %d", n, len(wrong))
		}
		for i, q := range portal.TrainingQuiz {
			if !wrong[q.ID] {
				if n := j.count("#" + q.ID + "-error"); n != 0 {
					t.Errorf("the right answer to %s is marked", q.ID)
				}
				continue
			}
			// The explanation is at the question and read out with it.
			j.wantText("#"+q.ID+"-error", "That is not the right answer.", q.Explanation)
			if v, _ := attr(t, j.ctx, "#"+q.ID, "aria-describedby"); v != q.ID+"-error" {
				t.Errorf("question %s is described by %q", q.ID, v)
			}
			if !j.checked(fmt.Sprintf("#%s-%d", q.ID, (q.Answer+1)%len(q.Options))) {
				t.Errorf("the answer given to question %d was not kept", i+1)
			}
		}
		// The result's link leads to the question.
		mustRun(t, j.ctx, chromedp.Click(chromedp.CSS(`#quiz-result a[href="#q5"]`)))
		if got := eval[string](t, j.ctx, `location.hash`); got != "#q5" {
			t.Errorf("the result's link to question 5 went to %q", got)
		}
		for q := range wrong {
			answer := portal.TrainingQuiz[slices.IndexFunc(portal.TrainingQuiz, func(x portal.QuizQuestion) bool { return x.ID == q })].Answer
			mustRun(t, j.ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf("#%s-%d", q, answer))))
		}
		j.clickText("button", "Submit the quiz", http.StatusOK, "Certificate of completion")
		j.wantText(".flash", "you passed the quiz with 100%")
		today := j.inst.Clock.Now().In(portal.Pacific()).Format("January 2, 2006")
		for sel, want := range map[string]string{
			"#certificate-name": "Dalia DOCTOR", "#certificate-version": portal.TrainingVersion,
			"#certificate-date": today, "#certificate-score": "100% (pass mark 80%)",
		} {
			if got := j.text(sel); got != want {
				t.Errorf("certificate %s = %q, want %q", sel, got, want)
			}
		}
		j.printView("certificate")

		// The agreement: read, typed legal name and tick, the signed copy.
		j.clickText("a", "Return to Menu", http.StatusOK, "Main Menu")
		j.tile(string(portal.PrereqTraining), "Complete", "")
		j.tile("application", "Locked", "Sign the "+portal.HPCAATitle+" (HPCAA).")
		j.clickCSS("#step-"+string(portal.PrereqHPCAA)+" .tile-actions a", http.StatusOK, portal.HPCAATitle)
		if got := j.text("#agreement-status"); got != "Not signed" {
			t.Errorf("agreement status %q", got)
		}
		if n := j.count("ol#agreement-clauses > li"); n != len(portal.HPCAAClauses) {
			t.Errorf("%d clauses shown, want %d", n, len(portal.HPCAAClauses))
		}
		if d := description(t, j.ctx, "full_name"); !strings.Contains(d, "Dalia DOCTOR") {
			t.Errorf("the name field does not say which name to type: %q", d)
		}
		mustRun(t, j.ctx,
			chromedp.SendKeys(chromedp.CSS("#full_name"), "Dalia DOCTOR"),
			chromedp.Click(chromedp.CSS(`input[name="agree"]`)),
		)
		// With the worksite approved and the training done, signing leads
		// to the request form; the signed copy stays at hand.
		j.clickText("button", "Sign the agreement", http.StatusOK, "CareConnect Enrolment Form")
		j.wantText(".flash", "You signed version "+portal.HPCAAVersion, "You can now request CareConnect access.")
		j.visit("/agreement/copy", http.StatusOK, portal.HPCAATitle)
		for sel, want := range map[string]string{"#copy-signed-name": "Dalia DOCTOR", "#copy-version": portal.HPCAAVersion, "#copy-date": today} {
			if got := j.text(sel); got != want {
				t.Errorf("signed copy %s = %q, want %q", sel, got, want)
			}
		}
		if n := j.count("ol#agreement-clauses > li"); n != len(portal.HPCAAClauses) {
			t.Errorf("the copy has %d clauses, want %d", n, len(portal.HPCAAClauses))
		}
		j.printView("signed agreement")

		// Application Access opens.
		j.clickText("a", "Return to Menu", http.StatusOK, "Main Menu")
		j.tile(string(portal.PrereqHPCAA), "Complete", "")
		j.tile("application", "To do", "You can now request CareConnect access.")
		j.visit("/application", http.StatusOK, "Application Access")
		if n := j.count("#missing"); n != 0 {
			t.Errorf("Application Access still lists missing steps: %q", j.text("#missing"))
		}
		j.wantText("#remote-refusal", portal.RemoteAccessNotYetProvisioned)
		// The open tile leads to the form itself.
		j.visit("/menu", http.StatusOK, "Main Menu")
		if n := j.count("#step-application a.btn-primary"); n != 1 {
			t.Errorf("the open Application Access tile has %d primary buttons, want 1", n)
		}
		j.clickCSS("#step-application a.btn-primary", http.StatusOK, "CareConnect Enrolment Form")

		// The form comes filled in from the account; the clinic is ticked.
		clinicBox := fmt.Sprintf(`input[name="clinics"][value="%d"]`, clinic)
		if !j.checked(clinicBox) {
			t.Errorf("the clinic is not ticked")
		}
		j.wantText("#clinics", "Kingsgate Mall Clinic")
		for sel, want := range map[string]string{"#first_name": "Dalia", "#last_name": "DOCTOR", "#college_id": "12345"} {
			if got := value(t, j.ctx, sel); got != want {
				t.Errorf("%s = %q, want %q", sel, got, want)
			}
		}
		if got := value(t, j.ctx, "#job"); got == "" {
			t.Errorf("the job is not filled in")
		}
		// Sent without the attestations, each is asked for at its box.
		mustRun(t, j.ctx, retype("#job", "Family physician"))
		j.clickText("button", "Submit", http.StatusUnprocessableEntity, "CareConnect Enrolment Form")
		j.wantText(".error-summary", "There is a problem")
		for _, name := range []string{"attest_correct", "attest_direct_care", "attest_annual_review"} {
			j.expectGroupError(name, "")
		}
		j.expectGroupError("reasons", "")
		if got := value(t, j.ctx, "#job"); got != "Family physician" {
			t.Errorf("the job typed was not kept: %q", got)
		}
		if !j.checked(clinicBox) {
			t.Errorf("the clinic was not kept ticked")
		}
		j.fillEnrolment()
		j.submitEnrolment()
		j.wantText("main", "Kingsgate Mall Clinic", "Family physician")

		r := j.latestRequest(doc)
		if r.Status != portal.ARSubmitted || r.Job != "Family physician" || r.CollegeID != "12345" ||
			!slices.Equal(r.WorksiteIDs, []portal.WorksiteID{clinic}) || !r.AttestCorrect || !r.AttestDirectCare ||
			!r.AttestAnnualReview || !r.ReasonPatientCare || r.ReasonJobDuties {
			t.Errorf("stored request %+v", r)
		}
		if !slices.Contains(r.AllowedScopes, portal.ScopePharmaNet) {
			t.Errorf("a physician's request allows %v, without PharmaNet", r.AllowedScopes)
		}
		receipt := j.emails(accessDalia.email, "access_request_received", 1)[0]
		// The same reference number on the receipt, the status page and the email.
		if ref := portal.ReferenceNumber(r.ID, r.CreatedAt); r.Reference != ref ||
			j.text("#request-reference") != ref ||
			!strings.Contains(receipt.Text, "Your request's reference number: "+ref+"\n") {
			t.Errorf(
				"reference number: stored %q, shown %q, want %q in the email:\n%s",
				r.Reference,
				j.text("#request-reference"),
				ref,
				receipt.Text,
			)
		}

		// Back on Application Access and the menu, the request is pending.
		j.clickText("a", "Back to Application Access", http.StatusOK, "Application Access")
		if got := j.text("#request-status"); got != "Pending approval" {
			t.Errorf("Application Access shows the request as %q", got)
		}
		if n := j.count(`a[href="/application/request"]`); n != 0 {
			t.Errorf("a second request is offered while the first is pending")
		}
		j.clickText("a", "Return to Menu", http.StatusOK, "Main Menu")
		j.wantText("#step-application", "Your CareConnect request is pending approval.")
	})
}

func TestE2E_MOASponsoredByPhysician(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		j := startAccessJourney(t, inst)
		doc, clinic := j.daliaAtClinic()
		_, moa := j.register(accessMona, "mona.frontdesk", accessAsMOA)
		j.join(clinic, moa)

		// While the physician's own access is not approved, the MOA is
		// shown them but cannot ask them.
		j.signIn(accessMona)
		j.tile("sponsor", "To do", "Ask an authorizer who shares your worksite")
		j.tile("application", "Locked", "")
		j.clickCSS("#step-sponsor .tile-actions a", http.StatusOK, "Authorizer")
		j.wantText("#ask-rule", "whose own CareConnect access is approved and active")
		j.wantText("#no-candidates", "can sponsor you yet")
		j.wantText(
			"#not-yet",
			"Dalia DOCTOR, Physician, at Kingsgate Mall Clinic",
			"Their own CareConnect access is not approved and active.",
		)
		if n := j.count(`input[name="authorizer"]`); n != 0 {
			t.Fatalf("an authorizer without access is offered")
		}

		// The physician's access is approved: the MOA asks them.
		j.enrolled(doc, clinic)
		j.visit("/sponsorships", http.StatusOK, "Authorizer")
		j.wantText("#candidates", "Dalia DOCTOR")
		if n := j.count("#not-yet"); n != 0 {
			t.Errorf("the enrolled physician is still listed as unable to sponsor")
		}
		mustRun(t, j.ctx, chromedp.SendKeys(chromedp.CSS("#q"), "nobody"))
		j.clickText("button", "Search", http.StatusOK, "Authorizer")
		j.wantText("#no-candidates", "No authorizer", "nobody")
		mustRun(t, j.ctx, retype("#q", "doctor"))
		j.clickText("button", "Search", http.StatusOK, "Authorizer")
		if got := j.text("#candidates"); got != "Dalia DOCTOR, Physician, at Kingsgate Mall Clinic" {
			t.Fatalf("candidates %q", got)
		}
		choice := fmt.Sprintf("%d:%d", doc.ID, clinic)
		mustRun(t, j.ctx,
			chromedp.Click(byText("label", "Dalia DOCTOR, Physician, at Kingsgate Mall Clinic")),
			chromedp.SendKeys(chromedp.CSS("#message"), "I run the front desk."),
		)
		if !j.checked(fmt.Sprintf(`#candidates input[value=%q]`, choice)) {
			t.Fatalf("clicking the physician's name did not choose them")
		}
		j.clickText("button", "Send request", http.StatusOK, "Authorizer")
		j.wantText(".flash", "Your request was sent to Dalia DOCTOR")
		j.wantText("#requested-table", "Dalia DOCTOR", "Kingsgate Mall Clinic", "Waiting for the authorizer")
		es := j.emails(accessDalia.email, "sponsorship_requested", 1)
		if !strings.Contains(es[0].Text, "I run the front desk.") {
			t.Errorf("the request email does not carry the message:\n%s", es[0].Text)
		}
		j.clickText("a", "Return to Menu", http.StatusOK, "Main Menu")
		j.tile("application", "Locked", "(and 1 more step)")
		j.clickText("a", "View Application", http.StatusOK, "Application Access")
		j.wantText("#missing", "Authorizer:", "Your request to an authorizer is waiting for their approval.")
		j.signOut()

		// The physician approves in the Notification Centre.
		j.signIn(accessDalia)
		j.wantText(".attention-banner", "You Have Request(s) Requiring Your Attention")
		j.clickText("a", "Manage Requests", http.StatusOK, "Notification Centre")
		j.wantText("#action-table", "Mona FRONTDESK would like to work on your behalf at Kingsgate Mall Clinic.")
		j.clickCSS(`#action-table form[action$="/approve"] button`, http.StatusOK, "Notification Centre")
		j.wantText(".flash", "You approved Mona FRONTDESK's request")
		if n := j.count("#action-table"); n != 0 {
			t.Errorf("the approved request is still waiting: %q", j.text("#action-table"))
		}
		if es := j.emails(accessMona.email, "sponsorship_decided", 1); !strings.Contains(es[0].Subject, "approved") {
			t.Errorf("decision email %q", es[0].Subject)
		}
		j.signOut()

		// The MOA, trained, requests access and sees what the physician sees.
		j.passTraining(moa)
		j.signIn(accessMona)
		j.tile("sponsor", "Complete", "")
		j.tile("application", "To do", "You can now request CareConnect access.")
		j.clickCSS("#step-sponsor .tile-actions a", http.StatusOK, "Authorizer")
		j.wantText("#requested-table", "Active")
		j.clickText("a", "Return to Menu", http.StatusOK, "Main Menu")
		j.clickText("a", "Request CareConnect Access", http.StatusOK, "CareConnect Enrolment Form")
		j.wantText(".notice", "You work on behalf of: Dalia DOCTOR (Kingsgate Mall Clinic)")
		j.wantClinicTicked(clinic)
		mustRun(t, j.ctx, retype("#job", "Medical office assistant"))
		j.fillEnrolment()
		j.submitEnrolment()

		r := j.latestRequest(moa)
		want, _, err := inst.Portal.App.AllowedScopes(t.Context(), doc)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(r.AllowedScopes, want) || !slices.Equal(want, portal.ScopesFor(portal.ProfPhysician, "")) {
			t.Errorf("the MOA's request allows %v, the physician %v", r.AllowedScopes, want)
		}
		if r.UserType != portal.UserOnBehalfOf || len(r.SponsorshipIDs) != 1 {
			t.Errorf("request user type %q, sponsorships %v", r.UserType, r.SponsorshipIDs)
		}
		j.emails(accessMona.email, "access_request_received", 1)
	})
}

func TestE2E_PharmacistRequestNoPharmaNet(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		j := startAccessJourney(t, inst)
		_, clinic := j.daliaAtClinic()
		phil := person{"Phil", "PHARMACIST", accessBirthDate, "phil@example.ca"}
		_, ph := j.register(phil, "phil.pharmacist", accessAsPharmacist)
		j.join(clinic, ph)
		j.passTraining(ph)
		j.signHPCAA(ph)

		j.signIn(phil)
		j.tile("application", "To do", "You can now request CareConnect access.")
		j.visit("/application", http.StatusOK, "Application Access")
		// Why a pharmacist cannot ask for remote access, before and on its page.
		if got := j.text("#remote-refusal"); got != portal.RemoteAccessNotForProfession {
			t.Errorf("remote access section %q, want %q", got, portal.RemoteAccessNotForProfession)
		}
		if n := j.count(`a[href="/application/remote"]`); n != 0 {
			t.Errorf("a pharmacist is offered the remote access form")
		}
		j.clickText("a", "Request CareConnect Access", http.StatusOK, "CareConnect Enrolment Form")
		if got := value(t, j.ctx, "#college_id"); got != "P-20417" {
			t.Errorf("college ID %q", got)
		}
		j.wantClinicTicked(clinic)
		mustRun(t, j.ctx, retype("#job", "Community pharmacist"))
		j.fillEnrolment()
		j.submitEnrolment()

		r := j.latestRequest(ph)
		if slices.Contains(r.AllowedScopes, portal.ScopePharmaNet) || len(r.AllowedScopes) == 0 {
			t.Errorf("the pharmacist's request allows %v", r.AllowedScopes)
		}
		if !slices.Equal(r.AllowedScopes, portal.ScopesFor(portal.ProfPharmacist, "")) {
			t.Errorf(
				"the pharmacist's request allows %v, want %v",
				r.AllowedScopes,
				portal.ScopesFor(portal.ProfPharmacist, ""),
			)
		}
		j.emails(phil.email, "access_request_received", 1)

		j.clickText("a", "Back to Application Access", http.StatusOK, "Application Access")
		if got := j.text("#remote-refusal"); got != portal.RemoteAccessNotForProfession {
			t.Errorf("remote access section after the request %q", got)
		}
		j.visit("/application/remote", http.StatusOK, "Remote access from a home office")
		if got := j.text("#remote-refusal"); got != portal.RemoteAccessNotForProfession {
			t.Errorf("remote access page %q", got)
		}
		if n := j.count(`form[action="/application/remote"]`); n != 0 {
			t.Errorf("the remote access form is shown to a pharmacist")
		}
	})
}

func TestE2E_ResidentSponsorshipEnds(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		j := startAccessJourney(t, inst)
		_, clinic := j.enrolledDalia()

		// The resident registers in the browser, answering Yes.
		rae := person{"Rae", "RESIDENT", accessBirthDate, "rae@example.ca"}
		signInInBrowser(t, j.ctx, inst, rae, "Account Registration")
		j.audit("Account Registration")
		mustRun(t, j.ctx, typePhysician("B2345", "yes", "23456")...)
		j.clickText("button", "Register", http.StatusOK, "Main Menu")
		res := j.account(rae.email)
		if !res.IsResident || res.Profession != portal.ProfPhysician {
			t.Fatalf("registered as %s, resident %v", res.Profession, res.IsResident)
		}
		j.join(clinic, res)

		// The sponsored route, then the request with the residency dates.
		j.visit("/menu", http.StatusOK, "Main Menu")
		j.tile("sponsor", "To do", "")
		j.clickCSS("#step-sponsor .tile-actions a", http.StatusOK, "Authorizer")
		if n := j.count("#candidates"); n != 0 {
			t.Errorf("authorizers are offered before the route is chosen")
		}
		mustRun(t, j.ctx, chromedp.Click(byText("label", "Sponsored by an authorizer for the dates of my residency")))
		j.clickText("button", "Save my choice", http.StatusOK, "Authorizer")
		j.wantText(".flash", "You chose to be sponsored by an authorizer")
		j.wantText("#current-route", "Sponsored by an authorizer")
		start, end := j.pacificDay(-180), j.pacificDay(1)
		mustRun(t, j.ctx,
			chromedp.Click(byText("label", "Dalia DOCTOR, Physician, at Kingsgate Mall Clinic")),
			// Date fields take their value as YYYY-MM-DD whatever the
			// browser's locale shows.
			chromedp.SetValue(chromedp.CSS("#residency_start"), start),
			chromedp.SetValue(chromedp.CSS("#residency_end"), end),
		)
		for id, want := range map[string]string{"residency_start": "As YYYY-MM-DD.", "residency_end": "ends after this day"} {
			if d := description(t, j.ctx, id); !strings.Contains(d, want) {
				t.Errorf("%s is described as %q", id, d)
			}
		}
		j.clickText("button", "Send request", http.StatusOK, "Authorizer")
		j.wantText(".flash", "Your request was sent to Dalia DOCTOR")
		j.wantText("#requested-table", start+" to "+end, "Waiting for the authorizer")
		j.emails(accessDalia.email, "sponsorship_requested", 1)
		j.signOut()

		// The authorizer reads the request, with its dates, and approves.
		j.signIn(accessDalia)
		j.clickText("a", "Manage Requests", http.StatusOK, "Notification Centre")
		j.clickText("a", "Rae RESIDENT would like to work on your behalf at Kingsgate Mall Clinic.", http.StatusOK,
			"Rae RESIDENT would like to work on your behalf")
		j.wantText("#residency", start+" to "+end, "ends after "+end)
		j.wantText("#obo", rae.email)
		j.clickText("button", "Approve", http.StatusOK, "On-behalf-of users")
		j.wantText(".flash", "You approved Rae RESIDENT's request")
		j.wantText("#sponsored-table", "Rae RESIDENT", "Ends after "+end)
		j.emails(rae.email, "sponsorship_decided", 1)
		j.signOut()

		// The day after the last day of the residency has passed, the job
		// ends the sponsorship.
		if n, err := inst.Portal.App.EndResidencies(t.Context()); err != nil || n != 0 {
			t.Fatalf("ended %d residencies too early (%v)", n, err)
		}
		inst.Clock.Advance(72 * time.Hour)
		if n, err := inst.Portal.App.EndResidencies(t.Context()); err != nil || n != 1 {
			t.Fatalf("ended %d residencies, want 1 (%v)", n, err)
		}
		if es := j.emails(rae.email, "sponsorship_ended", 1); !strings.Contains(es[0].Text, "Dalia DOCTOR") {
			t.Errorf("the end email does not name the authorizer:\n%s", es[0].Text)
		}

		j.signIn(rae)
		j.tile("sponsor", "To do", "")
		j.clickCSS("#step-sponsor .tile-actions a", http.StatusOK, "Authorizer")
		j.wantText("#requested-table", "Dalia DOCTOR", start+" to "+end, "Ended with the residency")
		j.clickCSS(
			`#requested-table a[href^="/sponsorships/"]`,
			http.StatusOK,
			"Request to work on behalf of Dalia DOCTOR",
		)
		j.wantText("#sponsorship-status", "Ended with the residency")
		j.wantText("#residency", "ends after "+end)
		if n := j.count(`form[action$="/approve"], form[action$="/revoke"]`); n != 0 {
			t.Errorf("the resident is offered to decide their own sponsorship")
		}
		j.clickText("a", "Back to the Notification Centre", http.StatusOK, "Notification Centre")
		j.wantText(
			"#yours-title + .table-wrap",
			"Request to work on behalf of Dalia DOCTOR at Kingsgate Mall Clinic",
			"Your residency ended on",
		)
	})
}

func TestE2E_LockedStates(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		j := startAccessJourney(t, inst)
		_, clinic := j.daliaAtClinic()

		// Without an approved worksite Application Access is locked.
		nell := person{"Nell", "NOWHERE", accessBirthDate, "nell@example.ca"}
		j.register(nell, "nell.nowhere", accessAsPhysician)
		j.signIn(nell)
		j.tile("worksite", "To do", "")
		j.tile("application", "Locked", "Application Access opens once you belong to an approved worksite.")
		if n := j.count("#step-application a"); n != 0 {
			t.Errorf("the locked Application Access tile has a link")
		}
		j.visit("/application", http.StatusForbidden, "You do not have access to this page")
		j.wantText("main", "Application Access opens once you belong to an approved worksite.")
		j.visit("/application/request", http.StatusForbidden, "You do not have access to this page")
		j.wantText("main", "approved worksite")
		j.signOut()

		// An MOA without an active sponsor sees the Authorizer step and
		// cannot submit the form.
		_, moa := j.register(accessMona, "mona.frontdesk", accessAsMOA)
		j.join(clinic, moa)
		j.passTraining(moa)
		j.signIn(accessMona)
		j.tile("application", "Locked", "An authorizer who shares your worksite must approve you")
		if n := j.count("#step-application .btn, .is-locked .btn-primary"); n != 0 {
			t.Errorf("locked tiles show %d buttons", n)
		}
		j.clickText("a", "View Application", http.StatusOK, "Application Access")
		j.wantText("#missing", "Authorizer:", "An authorizer who shares your worksite must approve you")
		if n := j.count("#missing li"); n != 1 {
			t.Errorf("%d missing steps, want only the authorizer: %q", n, j.text("#missing"))
		}
		if n := j.count(`a[href="/application/request"]`); n != 0 {
			t.Errorf("the request is offered without an authorizer")
		}
		j.wantText("#remote-refusal", portal.RemoteAccessNotForProfession)
		j.visit("/application/request", http.StatusOK, "CareConnect Enrolment Form")
		j.wantText("#missing", "Authorizer:")
		if n := j.count(`form[action="/application/request"]`); n != 0 {
			t.Errorf("the enrolment form is offered without an authorizer")
		}
		// Sent anyway, with the session's token, the request is refused.
		status, err := chromedp.Run(
			j.ctx,
			chromedp.Evaluate[int](fmt.Sprintf(`fetch('/application/request', {method: 'POST', redirect: 'manual',
			body: new URLSearchParams({csrf_token: document.querySelector('input[name="csrf_token"]').value, clinics: '%d',
				first_name: 'Mona', last_name: 'FRONTDESK', job: 'MOA', attest_correct: 'yes', attest_direct_care: 'yes',
				attest_annual_review: 'yes', reason_care: 'yes'})}).then(r => r.status)`, clinic), chromedp.EvalAwaitPromise),
		)
		if err != nil {
			t.Fatalf("submitting the form's fields anyway: %v", err)
		}
		if status != http.StatusForbidden {
			t.Errorf("submitting without an authorizer gave %d, want 403", status)
		}
		if _, err := inst.DB.Read().FindLatestAccessRequest(t.Context(), moa.ID); portal.ErrorCode(
			err,
		) != portal.ENOTFOUND {
			t.Errorf("a request was stored for the MOA without an authorizer (%v)", err)
		}
		j.clickText("a", "Ask an authorizer", http.StatusOK, "Authorizer")
		j.signOut()

		// An LPN who has not signed the agreement sees it missing.
		lou := person{"Lou", "NURSE", accessBirthDate, "lou@example.ca"}
		_, lpn := j.register(lou, "lou.nurse", accessAsLPN)
		j.join(clinic, lpn)
		j.passTraining(lpn)
		j.signIn(lou)
		j.tile(string(portal.PrereqHPCAA), "To do", "")
		j.tile("application", "Locked", "Sign the "+portal.HPCAATitle+" (HPCAA).")
		j.clickText("a", "View Application", http.StatusOK, "Application Access")
		j.wantText("#missing", portal.HPCAATitle)
		if n := j.count("#missing li"); n != 1 {
			t.Errorf("%d missing steps, want only the agreement: %q", n, j.text("#missing"))
		}
		j.clickText("a", "Read and sign the agreement", http.StatusOK, portal.HPCAATitle)
		if got := j.text("#agreement-status"); got != "Not signed" {
			t.Errorf("agreement status %q", got)
		}
		j.signOut()

		// A social worker sees why remote access is not for them.
		sam := person{"Sam", "SOCIAL", accessBirthDate, "sam@example.ca"}
		_, sw := j.register(sam, "sam.social", accessAsSocialWorker)
		j.join(clinic, sw)
		j.signIn(sam)
		j.clickText("a", "View Application", http.StatusOK, "Application Access")
		if got := j.text("#remote-refusal"); got != portal.RemoteAccessNotForProfession {
			t.Errorf("remote access section %q, want %q", got, portal.RemoteAccessNotForProfession)
		}
		j.wantText("#missing", portal.TrainingTitle, portal.HPCAATitle)
		j.visit("/application/remote", http.StatusOK, "Remote access from a home office")
		if got := j.text("#remote-refusal"); got != portal.RemoteAccessNotForProfession {
			t.Errorf("remote access page %q", got)
		}
	})
}
