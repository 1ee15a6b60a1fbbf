package e2e

// The physician's whole journey with the keyboard alone: Tab to move, Enter
// to follow a link or press a button, Space to tick a box, arrow keys to
// choose a radio button and to go down the address type-ahead's results.
// Every key is a key event the browser receives; nothing is clicked and no
// value is set but by typing. At every focus move the focused element must
// be on screen with a visible focus indicator.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// maxTabs bounds the Tab presses to reach one control: more means the
// control cannot be reached, or focus is trapped.
const maxTabs = 150

// keyboard drives one tab with key events only.
type keyboard struct {
	t     *testing.T
	ctx   context.Context
	moves int // focus moves checked
}

// focusCheck says what is wrong with the focused element's visibility
// (problem, empty when nothing is) and names the element (desc).
const focusCheck = `(() => {
	const el = document.activeElement;
	const desc = el ? (el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
		(el.name ? '[name=' + el.name + ']' : '') + (el.value && el.type !== 'password' && el.tagName !== 'SELECT' ? '[value=' + el.value + ']' : '') +
		' "' + (el.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 60) + '"') : '';
	if (!el || el === document.body || el === document.documentElement) return {problem: 'nothing has focus (past the end of the page?)', desc};
	for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
		const s = getComputedStyle(n);
		if (n.hidden || s.display === 'none' || s.visibility === 'hidden' || s.opacity === '0') return {problem: 'hidden', desc};
	}
	const r = el.getBoundingClientRect();
	if (r.width < 2 || r.height < 2) return {problem: 'too small to see (' + r.width + 'x' + r.height + ')', desc};
	if (r.bottom <= 0 || r.right <= 0 || r.top >= innerHeight || r.left >= innerWidth) return {problem: 'off screen', desc};
	const x = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1), y = Math.min(Math.max(r.top + r.height / 2, 0), innerHeight - 1);
	const top = document.elementFromPoint(x, y);
	if (top && top !== el && !el.contains(top) && !top.contains(el)) return {problem: 'covered by ' + top.tagName.toLowerCase() + (top.className ? '.' + top.className : ''), desc};
	const s = getComputedStyle(el);
	const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
	const shadow = s.boxShadow && s.boxShadow !== 'none';
	if (!outline && !shadow) return {problem: 'no visible focus indicator (outline ' + s.outlineStyle + ' ' + s.outlineWidth + ', box-shadow ' + s.boxShadow + ')', desc};
	return {problem: '', desc};
})()`

type focusState struct {
	Problem string `json:"problem"`
	Desc    string `json:"desc"`
}

// press sends one key (or a text, key by key) to the focused element.
func (k *keyboard) press(keys string) {
	k.t.Helper()
	mustRun(k.t, k.ctx, chromedp.KeyEvent(keys))
}

// checkFocus fails the test when the focused element cannot be seen.
func (k *keyboard) checkFocus(after string) focusState {
	k.t.Helper()
	st := eval[focusState](k.t, k.ctx, focusCheck)
	k.moves++
	if st.Problem != "" {
		k.t.Fatalf("after %s on %s, the focused element %s: %s", after, currentURL(k.ctx), st.Desc, st.Problem)
	}
	return st
}

// is reports whether the focused element matches the CSS selector sel and,
// when text is not empty, reads text.
func (k *keyboard) is(sel, text string) bool {
	k.t.Helper()
	return eval[bool](k.t, k.ctx, fmt.Sprintf(`(() => { const el = document.activeElement;
		return !!el && el.matches(%s) && (%s === '' || el.textContent.replace(/\s+/g, ' ').trim() === %s); })()`,
		jsString(sel), jsString(text), jsString(text)))
}

// tabTo presses Tab until the element sel (reading text, when given) has
// focus, checking every element focus passes on the way.
func (k *keyboard) tabTo(sel, text string) {
	k.t.Helper()
	var path []string
	for range maxTabs {
		k.press(kb.Tab)
		st := k.checkFocus("Tab")
		if k.is(sel, text) {
			return
		}
		path = append(path, st.Desc)
		if len(path) > 8 {
			path = path[1:]
		}
	}
	k.t.Fatalf(
		"%d presses of Tab on %s did not reach %s %q; the last stops: %s",
		maxTabs,
		currentURL(k.ctx),
		sel,
		text,
		strings.Join(path, ", "),
	)
}

// typeInto tabs to the field sel and types text into it.
func (k *keyboard) typeInto(sel, text string) {
	k.t.Helper()
	k.tabTo(sel, "")
	k.press(text)
	if got := value(k.t, k.ctx, sel); got != text {
		k.t.Fatalf("typed %q into %s, it holds %q", text, sel, got)
	}
}

// tick tabs to the checkbox sel and ticks it with Space.
func (k *keyboard) tick(sel string) {
	k.t.Helper()
	k.tabTo(sel, "")
	k.press(" ")
	if !eval[bool](k.t, k.ctx, fmt.Sprintf(`document.querySelector(%s).checked`, jsString(sel))) {
		k.t.Fatalf("Space on %s did not tick it", sel)
	}
}

// choose tabs into the radio group name and moves to value with the arrow
// keys (Space when focus lands on it).
func (k *keyboard) choose(name, value string) {
	k.t.Helper()
	k.tabTo(fmt.Sprintf(`input[type=radio][name=%q]`, name), "")
	want := fmt.Sprintf(`input[type=radio][name=%q][value=%q]`, name, value)
	for i := 0; !k.is(want, ""); i++ {
		if i == 12 {
			k.t.Fatalf("the arrow keys did not reach %s", want)
		}
		k.press(kb.ArrowDown)
		k.checkFocus("ArrowDown")
	}
	if !eval[bool](k.t, k.ctx, fmt.Sprintf(`document.querySelector(%s).checked`, jsString(want))) {
		k.press(" ")
	}
	if !eval[bool](k.t, k.ctx, fmt.Sprintf(`document.querySelector(%s).checked`, jsString(want))) {
		k.t.Fatalf("%s is not chosen", want)
	}
}

// enter presses Enter on the focused link or button, waits for the page
// it loads and checks its status and heading.
func (k *keyboard) enter(status int64, h1 string) {
	k.t.Helper()
	if got := load(k.t, k.ctx, "pressing Enter", chromedp.KeyEvent(kb.Enter)); got != status {
		k.t.Fatalf("Enter led to %s with status %d, want %d", currentURL(k.ctx), got, status)
	}
	expectPage(k.t, k.ctx, h1)
}

// follow tabs to the link or button sel reading text and presses Enter.
func (k *keyboard) follow(sel, text string, status int64, h1 string) {
	k.t.Helper()
	k.tabTo(sel, text)
	k.enter(status, h1)
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestE2E_KeyboardOnlyPhysicianJourney(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		// Set up over HTTP: the building's addresses, and a worksite at unit
		// 101 registered by its administrator and approved.
		inst.ImportGuideBuilding(t)
		admin := inst.ConfirmedBorn(
			t,
			accessDalia.given,
			accessDalia.surname,
			accessDalia.birth,
			accessDalia.email,
			"dalia.doctor",
		)
		wsRegisterIndexedWorksite(t, inst, admin, "Kingsgate Mall Clinic", "101", "Dalia DOCTOR")
		dalia := inst.Account(t, accessDalia.email)

		ctx := newBrowser(t)
		screenshotOnFailure(t, ctx)
		k := &keyboard{t: t, ctx: ctx}
		p := accessPhoebe

		// Sign in with the card.
		navigate(t, ctx, inst.URL+"/")
		expectPage(t, ctx, "my.CareConnect enrolment portal")
		k.follow("a", "Sign in with the BC Services Card", http.StatusOK, "Development sign-in")
		k.typeInto("#given-names", p.given)
		k.typeInto("#surname", p.surname)
		k.typeInto("#birth-date", p.birth)
		k.typeInto("#email", p.email)
		k.follow("button", "Continue as this person", http.StatusOK, "Account Registration")

		// Register: the profession chosen by typing on the list, the
		// yes/no questions with the arrow keys.
		k.tabTo("#profession", "")
		k.press("Physician")
		if got := value(t, ctx, "#profession"); got != string(portal.ProfPhysician) {
			t.Fatalf("typing Physician on the list chose %q", got)
		}
		k.typeInto("#msp_billing_number", "B7788")
		k.choose("resident", "no")
		k.typeInto("#cpsid", "54321")
		if got := value(t, ctx, "#email"); got != p.email {
			k.typeInto("#email", p.email)
		}
		k.typeInto("#phone", "(778) 888-9999")
		k.choose("health_authority_account", "no")
		if got := value(t, ctx, "#username"); got == "" {
			k.typeInto("#username", "phoebe.physician")
		}
		k.typeInto("#password", "Harbour-Lantern-47")
		k.typeInto("#confirm_password", "Harbour-Lantern-47")
		k.follow("button", "Register", http.StatusOK, "Main Menu")

		// Join the worksite: the address type-ahead, down its results with
		// the arrow keys, Enter on the unit.
		k.follow("#step-worksite .tile-actions a", "", http.StatusOK, "Join a Worksite")
		k.tabTo("#q", "")
		k.press("370 Broadway E")
		mustRun(t, ctx, wsWaitFor(`document.querySelectorAll('#address-results a').length > 1`))
		const unit = "101-370 Broadway E Vancouver, BC, V5T 4G5 (has a worksite: Kingsgate Mall Clinic)"
		units := eval[[]string](
			t,
			ctx,
			`[...document.querySelectorAll('#address-results a')].map(a => a.textContent.trim())`,
		)
		at := -1
		for i, u := range units {
			if u == unit {
				at = i
			}
		}
		if at < 1 {
			t.Fatalf("%s is not among the results after the first: %q", unit, units)
		}
		k.press(kb.ArrowDown)
		k.checkFocus("ArrowDown in the search field")
		if !k.is("#address-results a", units[0]) {
			t.Fatalf("ArrowDown in the search field did not move to the first address")
		}
		// Up from the first address returns to the field; down again, and on.
		k.press(kb.ArrowUp)
		k.checkFocus("ArrowUp on the first address")
		if !k.is("#q", "") {
			t.Fatalf("ArrowUp on the first address did not return to the search field")
		}
		for i := 0; i <= at; i++ {
			k.press(kb.ArrowDown)
			k.checkFocus("ArrowDown in the results")
		}
		if !k.is("#address-results a", unit) {
			t.Fatalf("ArrowDown %d times did not reach %s", at+1, unit)
		}
		k.enter(http.StatusOK, "Worksite Access Form")
		k.tabTo("#comment", "")
		k.press("Starting Monday.")
		k.follow("button", "Request Access", http.StatusOK, "Clinic Access Request")

		// The administrator approves, in her own browser.
		phoebe := inst.Account(t, p.email)
		approveJoin(t, inst, dalia, phoebe)

		// The training: the quiz's answers with the arrow keys.
		k.follow("main a", "Main Menu", http.StatusOK, "Main Menu")
		k.follow(
			fmt.Sprintf("#step-%s .tile-actions a", portal.PrereqTraining),
			"",
			http.StatusOK,
			portal.TrainingTitle,
		)
		for _, q := range portal.TrainingQuiz {
			k.choose(q.ID, fmt.Sprint(q.Answer))
		}
		k.follow("button", "Submit the quiz", http.StatusOK, "Certificate of completion")

		// The agreement, then the request.
		k.follow("#next-step", "", http.StatusOK, portal.HPCAATitle)
		k.tick(`input[name="agree"]`)
		k.typeInto("#full_name", "Phoebe PHYSICIAN")
		k.follow("button", "Sign the agreement", http.StatusOK, "CareConnect Enrolment Form")
		if !eval[bool](t, ctx, `[...document.querySelectorAll('input[name="clinics"]')].some(c => c.checked)`) {
			t.Errorf("the clinic is not ticked on the enrolment form")
		}
		for _, name := range []string{"attest_correct", "attest_direct_care", "attest_annual_review", "reason_care"} {
			k.tick(fmt.Sprintf(`input[name=%q]`, name))
		}
		k.follow("button", "Submit", http.StatusOK, "Your CareConnect request")
		if got := strings.TrimSpace(textOf(t, ctx, "#request-status")); got != "Pending approval" {
			t.Errorf("request status %q", got)
		}
		r, err := inst.DB.Read().FindLatestAccessRequest(t.Context(), phoebe.ID)
		if err != nil || r.Status != portal.ARSubmitted {
			t.Fatalf("the request: %+v %v", r, err)
		}
		t.Logf("%d focus moves, each to a visible, outlined element", k.moves)
	})
}

// approveJoin approves the person's one request to join, as the worksite's
// administrator.
func approveJoin(t *testing.T, inst *portaltest.Instance, admin, who *portal.Account) {
	t.Helper()
	jr, err := inst.DB.Read().FindJoinRequests(t.Context(), store.JoinRequestFilter{AccountID: who.ID})
	if err != nil || len(jr) != 1 {
		t.Fatalf("join requests of %s: %v %v", who.Email, jr, err)
	}
	if _, err := inst.Portal.App.DecideJoinRequest(t.Context(), portal.RequestMeta{RequestID: "e2e"}, admin, jr[0].ID, true, ""); err != nil {
		t.Fatalf("approve join: %v", err)
	}
}
