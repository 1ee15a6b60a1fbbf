package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// quizForm answers every question correctly, then applies the changes
// (an empty value leaves the question unanswered).
func quizForm(change map[string]string) url.Values {
	f := url.Values{}
	for _, q := range portal.TrainingQuiz {
		f.Set(q.ID, strconv.Itoa(q.Answer))
	}
	for k, v := range change {
		if v == "" {
			f.Del(k)
		} else {
			f.Set(k, v)
		}
	}
	return f
}

func TestWeb_Training(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		c := inst.Confirmed(t, "Tara", "TRAINEE", "tara@example.ca", "tara.trainee")

		p := c.Get("/training")
		if p.Status != 200 || p.Text("h1") != portal.TrainingTitle {
			t.Fatalf("overview: %d %q", p.Status, p.Text("h1"))
		}
		if p.Text("#training-status") != "Not started" || p.Text("#training-version") != portal.TrainingVersion {
			t.Fatalf("status %q, version %q", p.Text("#training-status"), p.Text("#training-version"))
		}
		if n := len(p.Find("#training-modules li")); n != len(portal.TrainingModules) {
			t.Fatalf("%d modules listed, want %d", n, len(portal.TrainingModules))
		}
		// One page: the course and its quiz are under the status.
		for i, m := range portal.TrainingModules {
			if got := p.Text("#module-" + strconv.Itoa(i+1)); got != "Part "+strconv.Itoa(i+1)+". "+m.Title {
				t.Errorf("the overview's module %d heading %q", i+1, got)
			}
		}
		if n := len(p.Find(`form[action="/training/quiz"] fieldset`)); n != len(portal.TrainingQuiz) {
			t.Fatalf("the overview has %d quiz questions, want %d", n, len(portal.TrainingQuiz))
		}
		// No certificate before the training is done.
		if got := c.Follow(c.Get("/training/certificate")); !strings.HasSuffix(got.URL, "/training") ||
			!strings.Contains(got.Text(".flash"), "complete the current version") {
			t.Fatalf("certificate before completion: %s %q", got.URL, got.Text(".flash"))
		}

		p = c.Get("/training/course")
		if p.Status != 200 {
			t.Fatalf("course: %d", p.Status)
		}
		for i, m := range portal.TrainingModules {
			if got := p.Text("#module-" + strconv.Itoa(i+1)); !strings.Contains(got, m.Title) {
				t.Errorf("module %d heading %q", i+1, got)
			}
		}
		if n := len(p.Find(`form[action="/training/quiz"] fieldset legend`)); n != len(portal.TrainingQuiz) {
			t.Fatalf("%d questions with a legend, want %d", n, len(portal.TrainingQuiz))
		}
		if n := len(p.Find(`fieldset#q1 input[type="radio"][name="q1"]`)); n != len(portal.TrainingQuiz[0].Options) {
			t.Fatalf("question 1 has %d radio buttons", n)
		}

		t.Run("FailKeepsAnswersAndMarksQuestions", func(t *testing.T) {
			p := c.Post("/training/quiz", quizForm(map[string]string{"q2": "0", "q5": "1", "q9": "", "q10": "x"}))
			if p.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", p.Status)
			}
			if got := p.Text("#quiz-score"); got != "60%" {
				t.Fatalf("score %q", got)
			}
			if got := p.Text("#quiz-result"); !strings.Contains(got, "at least 80%") {
				t.Fatalf("summary %q does not give the pass mark", got)
			}
			if n := len(p.Find("#quiz-result li a")); n != 4 {
				t.Fatalf("summary lists %d questions, want 4", n)
			}
			for id, want := range map[string]string{
				"q2":  portal.TrainingQuiz[1].Explanation,
				"q5":  portal.TrainingQuiz[4].Explanation,
				"q9":  "Choose an answer.",
				"q10": "Choose an answer.",
			} {
				if got := p.Text("#" + id + "-error"); !strings.Contains(got, want) {
					t.Errorf("%s error %q, want %q", id, got, want)
				}
				if len(p.Find("fieldset#"+id+".has-error")) != 1 {
					t.Errorf("%s not marked", id)
				}
			}
			if p.Text("#q1-error") != "" {
				t.Error("a right answer was marked")
			}
			if len(p.Find(`#q2-0[checked]`)) != 1 || len(p.Find(`#q1-1[checked]`)) != 1 ||
				len(p.Find(`fieldset#q9 input[checked]`)) != 0 {
				t.Error("the answers given were not kept")
			}
			if cs, _ := inst.DB.Read().FindCompletions(t.Context(), inst.Account(t, "tara@example.ca").ID); len(
				cs,
			) != 0 {
				t.Fatalf("a failed quiz recorded %+v", cs)
			}
		})
		t.Run("PassShowsCertificate", func(t *testing.T) {
			p := c.Post("/training/quiz", quizForm(map[string]string{"q3": "0"}))
			if p.Status != http.StatusSeeOther || p.Location != "/training/certificate" {
				t.Fatalf("pass: %d %q", p.Status, p.Location)
			}
			cert := c.Follow(p)
			if !strings.Contains(cert.Text(".flash"), "90%") {
				t.Fatalf("flash %q", cert.Text(".flash"))
			}
			today := inst.Clock.Now().In(portal.Pacific()).Format("January 2, 2006")
			if cert.Text("#certificate-name") != "Tara TRAINEE" || cert.Text("#certificate-version") != portal.TrainingVersion ||
				cert.Text("#certificate-date") != today ||
				!strings.Contains(cert.Text("#certificate-score"), "90%") {
				t.Fatalf("certificate: %s", cert.Text("#certificate"))
			}
			if !strings.Contains(cert.Text(".notice"), "Print") {
				t.Fatalf("no print note: %q", cert.Text(".notice"))
			}
			p = c.Get("/training")
			if p.Text("#training-status") != "Completed" || p.Attr(`a[href="/training/certificate"]`, "href") == "" {
				t.Fatalf("overview after passing: %q", p.Text("#training-status"))
			}
		})
	})
}

func TestWeb_TrainingOutdatedAndExternal(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		c, acct := inst.ConfirmedAccount(t, "Owen", "OLDER", "owen@example.ca", "owen.older")
		earlier := inst.Clock.Now().Add(-400 * 24 * time.Hour)
		if err := inst.DB.InTx(t.Context(), func(tx *store.Tx) error {
			return tx.RecordCompletion(t.Context(), &store.Completion{AccountID: acct.ID, Kind: store.CompletionTraining,
				Version: "2025.1", CompletedAt: earlier, Score: 100, Source: store.SourcePortal})
		}); err != nil {
			t.Fatal(err)
		}
		p := c.Get("/training")
		if p.Text("#training-status") != "New version to complete" || !strings.Contains(p.Text(".tile"), "2025.1") ||
			!strings.Contains(p.Text(".tile"), portal.TrainingVersion) {
			t.Fatalf("outdated status: %q", p.Text(".tile"))
		}

		// The CareConnect team records the external course.
		day := inst.Clock.Now().In(portal.Pacific()).Format("2006-01-02")
		if _, err := inst.Portal.App.RecordExternalTraining(t.Context(), portal.RequestMeta{}, "officer.one", "owen@example.ca", day); err != nil {
			t.Fatal(err)
		}
		cert := c.Get("/training/certificate")
		if cert.Status != 200 || !strings.Contains(cert.Text("#certificate-score"), "outside the portal") {
			t.Fatalf("external certificate: %d %q", cert.Status, cert.Text("#certificate"))
		}
	})
}

func TestWeb_Agreement(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		c := inst.Confirmed(t, "Dalia", "EIGHTEEN", "dalia@example.ca", "dalia.eighteen")

		p := c.Get("/agreement")
		if p.Status != 200 || p.Text("h1") != portal.HPCAATitle || p.Text("#agreement-status") != "Not signed" {
			t.Fatalf("agreement: %d %q %q", p.Status, p.Text("h1"), p.Text("#agreement-status"))
		}
		if n := len(p.Find("ol#agreement-clauses > li")); n != len(portal.HPCAAClauses) {
			t.Fatalf("%d clauses, want %d", n, len(portal.HPCAAClauses))
		}
		if !strings.Contains(p.Text(".card h2"), portal.HPCAAVersion) {
			t.Fatalf("version not shown: %q", p.Text(".card h2"))
		}
		// No copy before signing.
		if got := c.Follow(c.Get("/agreement/copy")); !strings.HasSuffix(got.URL, "/agreement") ||
			!strings.Contains(got.Text(".flash"), "not signed") {
			t.Fatalf("copy before signing: %s %q", got.URL, got.Text(".flash"))
		}

		t.Run("FieldErrorsKeepWhatWasTyped", func(t *testing.T) {
			p := c.Post("/agreement", url.Values{"full_name": {"Dalia Someone"}})
			if p.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", p.Status)
			}
			if got := p.Text("#full_name-error"); !strings.Contains(got, "Dalia EIGHTEEN") {
				t.Errorf("name error %q", got)
			}
			if got := p.Text("#agree-error"); got != "Error: Tick the box to accept the agreement." {
				t.Errorf("agree error %q", got)
			}
			if p.Attr("#full_name", "value") != "Dalia Someone" || p.Attr("#full_name", "aria-invalid") != "true" {
				t.Error("the typed name was not kept")
			}
			if n := len(p.Find(".error-summary li")); n != 2 {
				t.Errorf("summary lists %d problems, want 2", n)
			}
			p = c.Post("/agreement", url.Values{"agree": {"yes"}})
			if p.Status != http.StatusUnprocessableEntity || len(p.Find(`input[name="agree"][checked]`)) != 1 ||
				p.Text("#agree-error") != "" {
				t.Errorf("the ticked box was not kept")
			}
		})
		t.Run("SignAndPrintCopy", func(t *testing.T) {
			p := c.Post("/agreement", url.Values{"full_name": {" dalia   eighteen "}, "agree": {"yes"}})
			if p.Status != http.StatusSeeOther || p.Location != "/agreement/copy" {
				t.Fatalf("sign: %d %q %s", p.Status, p.Location, p.Text(".error-summary"))
			}
			cp := c.Follow(p)
			if !strings.Contains(cp.Text(".flash"), "You signed version "+portal.HPCAAVersion) {
				t.Fatalf("flash %q", cp.Text(".flash"))
			}
			today := inst.Clock.Now().In(portal.Pacific()).Format("January 2, 2006")
			if cp.Text("#copy-signed-name") != "dalia eighteen" || cp.Text("#copy-date") != today ||
				cp.Text("#copy-version") != portal.HPCAAVersion {
				t.Fatalf(
					"copy: %q %q %q",
					cp.Text("#copy-signed-name"),
					cp.Text("#copy-date"),
					cp.Text("#copy-version"),
				)
			}
			if n := len(cp.Find("ol#agreement-clauses > li")); n != len(portal.HPCAAClauses) {
				t.Fatalf("copy has %d clauses", n)
			}
			p = c.Get("/agreement")
			if p.Text("#agreement-status") != "Signed" || len(p.Find(`form[action="/agreement"]`)) != 0 {
				t.Fatalf(
					"after signing: %q, form shown %v",
					p.Text("#agreement-status"),
					len(p.Find(`form[action="/agreement"]`)) != 0,
				)
			}
			// Signing the same version again is refused.
			p = c.Post("/agreement", url.Values{"full_name": {"Dalia EIGHTEEN"}, "agree": {"yes"}})
			if p.Status != http.StatusConflict || !strings.Contains(p.Text("main"), "already signed") {
				t.Fatalf("second signing: %d %q", p.Status, p.Text("main"))
			}
		})
	})
}

func TestWeb_AgreementOutdated(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		c, acct := inst.ConfirmedAccount(t, "Vera", "VERSION", "vera@example.ca", "vera.version")
		if err := inst.DB.InTx(t.Context(), func(tx *store.Tx) error {
			return tx.RecordCompletion(t.Context(), &store.Completion{AccountID: acct.ID, Kind: store.CompletionHPCAA,
				Version: "2025.1", CompletedAt: inst.Clock.Now().Add(-300 * 24 * time.Hour), Source: store.SourcePortal, SignedName: "Vera VERSION"})
		}); err != nil {
			t.Fatal(err)
		}
		p := c.Get("/agreement")
		if p.Text("#agreement-status") != "New version to sign" || !strings.Contains(p.Text(".tile"), "2025.1") ||
			len(p.Find(`form[action="/agreement"]`)) != 1 {
			t.Fatalf("outdated: %q", p.Text(".tile"))
		}
		if got := c.Follow(c.Get("/agreement/copy")); !strings.Contains(got.Text(".flash"), "2025.1") {
			t.Fatalf("copy of a replaced version: %q", got.Text(".flash"))
		}
		p = c.Post("/agreement", url.Values{"full_name": {"Vera VERSION"}, "agree": {"yes"}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("signing the new version: %d %s", p.Status, p.Text("main"))
		}
	})
}

func TestWeb_AgreementNotNeeded(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		c := inst.Client(t)
		c.SignIn("Mona", "FRONTDESK", "1985-02-03", "mona@example.ca")
		form := portaltest.RegistrationForm("mona@example.ca", "mona.frontdesk")
		form.Set("profession", string(portal.ProfMOA))
		for _, k := range []string{"msp_billing_number", "cpsid", "resident"} {
			form.Del(k)
		}
		if p := c.Post("/register", form); p.Status != http.StatusSeeOther {
			t.Fatalf("register an MOA: %d %s", p.Status, p.Text(".error-summary"))
		}

		p := c.Get("/agreement")
		if p.Status != 200 || !strings.Contains(p.Text("#agreement-not-needed"), "on behalf of an authorizer") {
			t.Fatalf("not needed: %d %q", p.Status, p.Text("#agreement-not-needed"))
		}
		if len(p.Find(`form[action="/agreement"]`)) != 0 || len(p.Find("#agreement-status")) != 0 {
			t.Fatal("the signing form is shown to someone who does not sign")
		}
		p = c.Post("/agreement", url.Values{"full_name": {"Mona FRONTDESK"}, "agree": {"yes"}})
		if p.Status != http.StatusForbidden {
			t.Fatalf("signing anyway: %d", p.Status)
		}
		// The training is for everyone.
		if p := c.Get("/training"); p.Text("#training-status") != "Not started" {
			t.Fatalf("training: %q", p.Text("#training-status"))
		}
	})
}

func TestWeb_PrerequisitePagesNeedAnAccount(t *testing.T) {
	t.Parallel()
	inst := portaltest.Start(t, "sqlite:"+t.TempDir()+"/portal.db")
	c := inst.Client(t)
	for _, path := range []string{"/training", "/training/course", "/training/certificate", "/agreement", "/agreement/copy"} {
		p := c.Get(path)
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/signin") {
			t.Errorf("%s signed out: %d %q", path, p.Status, p.Location)
		}
	}
}
