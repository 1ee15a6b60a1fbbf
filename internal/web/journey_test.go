package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// A Worksite ID given on the registration form sends the request to join
// that worksite once the account exists, and the person goes on to the
// training rather than to the menu.
func TestWeb_RegisterWithWorksiteID(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		admin := inst.Confirmed(t, "Dalia", "EIGHTEEN", "dalia@example.ca", "dalia.eighteen")
		wsID, code := registerWorksite(t, inst, admin, "Kingsgate Mall Clinic", "101")

		c := inst.Client(t)
		c.SignIn("Phoebe", "PHYSICIAN", "1980-04-18", "phoebe@example.ca")
		form := portaltest.RegistrationForm("phoebe@example.ca", "phoebe.physician")

		// An unknown ID is refused at its field; nothing is registered and
		// what was typed is kept.
		form.Set("worksite_code", "ZZZZZZZ")
		p := c.Post("/register", form)
		if p.Status != http.StatusUnprocessableEntity || p.Attr("#worksite_code", "aria-invalid") != "true" ||
			p.Text("#worksite_code-error") == "" {
			t.Fatalf("unknown Worksite ID: %d %q", p.Status, p.Text("#worksite_code-error"))
		}
		if p.Attr("#worksite_code", "value") != "ZZZZZZZ" || p.Attr("#username", "value") != "phoebe.physician" {
			t.Errorf("typed values not kept: %q %q", p.Attr("#worksite_code", "value"), p.Attr("#username", "value"))
		}
		if _, err := inst.DB.Read().FindAccountByEmail(t.Context(), "phoebe@example.ca"); portal.ErrorCode(
			err,
		) != portal.ENOTFOUND {
			t.Fatalf("an account was registered with a refused Worksite ID: %v", err)
		}

		form.Set("worksite_code", " "+strings.ToLower(code)+" ")
		p = c.Post("/register", form)
		if p.Status != http.StatusSeeOther || p.Location != "/training/course" {
			t.Fatalf("register with a Worksite ID: %d %q %s", p.Status, p.Location, p.Text(".error-summary"))
		}
		course := c.Follow(p)
		if !strings.Contains(
			course.Text(".flash"),
			"Your request to join Kingsgate Mall Clinic was sent to its site administrators",
		) {
			t.Errorf("flash %q", course.Text(".flash"))
		}
		acct := inst.Account(t, "phoebe@example.ca")
		jr, err := inst.DB.Read().FindJoinRequests(t.Context(), store.JoinRequestFilter{AccountID: acct.ID})
		if err != nil || len(jr) != 1 || formatInt(int64(jr[0].WorksiteID)) != wsID || jr[0].Via != "code" ||
			jr[0].Status != "pending" {
			t.Fatalf("join requests %+v %v", jr, err)
		}
		es, err := inst.DB.Read().
			FindEmails(t.Context(), store.EmailFilter{To: "dalia@example.ca", Kind: "worksite_join_request"})
		if err != nil || len(es) != 1 {
			t.Fatalf("%d join request emails to the administrator: %v", len(es), err)
		}
	})
}

// Each step's end offers, or leads to, the next one: the certificate the
// agreement, the signed agreement the request form once all else is done.
func TestWeb_StepsLeadToTheNext(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		doc := inst.Confirmed(t, "Sam", "JONES", "sam@example.ca", "sam.jones")
		registerWorksite(t, inst, doc, "Jones Family Practice", "301")
		acct := accountOf(t, inst, doc)
		if _, err := inst.Portal.App.SubmitQuiz(t.Context(), portal.RequestMeta{RequestID: "test"}, acct, quizAnswers()); err != nil {
			t.Fatal(err)
		}
		cert := doc.Get("/training/certificate")
		if cert.Attr("#next-step", "href") != "/agreement" ||
			cert.Text("#next-step") != "Next: sign the agreement (HPCAA)" {
			t.Fatalf("certificate's next step: %q %q", cert.Attr("#next-step", "href"), cert.Text("#next-step"))
		}
		p := doc.Post("/agreement", url.Values{"full_name": {"Sam JONES"}, "agree": {"yes"}})
		if p.Status != http.StatusSeeOther || p.Location != "/application/request" {
			t.Fatalf("sign: %d %q %s", p.Status, p.Location, p.Text(".error-summary"))
		}
		form := doc.Follow(p)
		if form.Text("h1") != "CareConnect Enrolment Form" ||
			!strings.Contains(form.Text(".flash"), "You signed version "+portal.HPCAAVersion) ||
			!strings.Contains(form.Text(".flash"), "You can now request CareConnect access.") {
			t.Fatalf("after signing: %q %q", form.Text("h1"), form.Text(".flash"))
		}
		cert = doc.Get("/training/certificate")
		if cert.Attr("#next-step", "href") != "/application/request" {
			t.Fatalf("certificate's next step once all is done: %q", cert.Attr("#next-step", "href"))
		}
	})
}

// Worksite IDs typed on the registration form are counted per card, so
// that one person cannot guess codes there nor use up another's allowance.
func TestWeb_RegisterWorksiteIDLookupsAreRateLimited(t *testing.T) {
	t.Parallel()
	inst := portaltest.Start(t, "sqlite:"+t.TempDir()+"/p.db")
	gus := inst.Client(t)
	gus.SignIn("Gus", "GUESSER", "1980-04-18", "gus@example.ca")
	form := portaltest.RegistrationForm("gus@example.ca", "gus.guesser")
	for i := 1; i <= 20; i++ {
		form.Set("worksite_code", "AAAAAA"+string("ACEFGHJKLMNPRTUVWXY3"[i-1]))
		if p := gus.Post("/register", form); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("look-up %d: %d", i, p.Status)
		}
	}
	form.Set("worksite_code", "AAAAAAA")
	if p := gus.Post("/register", form); p.Status != http.StatusTooManyRequests ||
		!strings.Contains(p.Text("main"), "too many times") {
		t.Fatalf("look-up 21: %d %q", p.Status, p.Text("main"))
	}
	// Another person registering is not held back by Gus's guesses.
	ann := inst.Client(t)
	ann.SignIn("Ann", "OTHER", "1981-05-19", "ann@example.ca")
	other := portaltest.RegistrationForm("ann@example.ca", "ann.other")
	other.Set("worksite_code", "AAAAAAA")
	if p := ann.Post("/register", other); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("another person's look-up: %d", p.Status)
	}
}
