package e2e

// How many pages a physician loads on the way to CareConnect access: from
// the home page, through registration, joining a worksite by its ID, the
// training and the agreement, to the submitted request. Every document the
// browser asks the portal for is counted, redirects included.

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// journeyPageBudget is the most portal documents the journey may load.
const journeyPageBudget = 15

// documentCounter counts the documents the browser requests from the
// portal's origin; a redirect is a request of its own.
type documentCounter struct {
	mu   sync.Mutex
	urls []string
}

func (d *documentCounter) add(u string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.urls = append(d.urls, u)
}

func (d *documentCounter) list() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.urls...)
}

var accessPhoebe = person{"Phoebe", "PHYSICIAN", accessBirthDate, "phoebe@example.ca"}

func TestE2E_PhysicianJourneyPageCount(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		j := startAccessJourney(t, inst)

		// The worksite exists, registered and approved, its administrator
		// another physician.
		admin, clinic := j.daliaAtClinic()
		ws, err := inst.DB.Read().FindWorksiteByID(t.Context(), clinic)
		if err != nil {
			t.Fatal(err)
		}

		docs := &documentCounter{}
		mustListen := chromedp.Listen(j.ctx, func(ev any) {
			if e, ok := ev.(*network.EventRequestWillBeSent); ok && e.Type == network.ResourceTypeDocument &&
				strings.HasPrefix(e.Request.URL, inst.URL+"/") {
				docs.add(e.Request.Method + " " + strings.TrimPrefix(e.Request.URL, inst.URL))
			}
		})
		if mustListen != nil {
			t.Fatal(mustListen)
		}
		words := 0
		read := func() {
			u, _ := url.Parse(currentURL(j.ctx))
			if u == nil || u.Path == "/training/course" {
				return // the course is read for its own sake
			}
			words += eval[int](t, j.ctx, `document.querySelector('main').innerText.split(/\s+/).filter(Boolean).length`)
		}

		// Sign in with the card and register, giving the Worksite ID.
		p := accessPhoebe
		signInInBrowser(t, j.ctx, inst, p, "Account Registration")
		read()
		mustRun(t, j.ctx, typePhysician("B7788", "no", "54321")...)
		mustRun(t, j.ctx, chromedp.SendKeys(chromedp.CSS("#worksite_code"), string(ws.Code)))
		// Registering sends the request to join and leads to the training.
		j.clickText("button", "Register", http.StatusOK, portal.TrainingTitle)
		read()
		j.wantText(".flash", "Your request to join Kingsgate Mall Clinic was sent")

		// The administrator approves while the physician does the training.
		phoebe := j.account(p.email)
		j.emails(accessDalia.email, "worksite_join_request", 1)
		jr, err := inst.DB.Read().FindJoinRequests(t.Context(), store.JoinRequestFilter{AccountID: phoebe.ID})
		if err != nil || len(jr) != 1 || jr[0].WorksiteID != clinic {
			t.Fatalf("join requests %v %v", jr, err)
		}
		if _, err := inst.Portal.App.DecideJoinRequest(t.Context(), portal.RequestMeta{RequestID: "e2e"}, admin, jr[0].ID, true, ""); err != nil {
			t.Fatalf("approve join: %v", err)
		}

		// The training's certificate offers the agreement.
		for _, q := range portal.TrainingQuiz {
			mustRun(t, j.ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf("#%s-%d", q.ID, q.Answer))))
		}
		j.clickText("button", "Submit the quiz", http.StatusOK, "Certificate of completion")
		read()
		j.clickCSS("#next-step", http.StatusOK, portal.HPCAATitle)
		read()

		// Signing, with everything else done, leads to the request form.
		mustRun(t, j.ctx,
			chromedp.SendKeys(chromedp.CSS("#full_name"), "Phoebe PHYSICIAN"),
			chromedp.Click(chromedp.CSS(`input[name="agree"]`)),
		)
		j.clickText("button", "Sign the agreement", http.StatusOK, "CareConnect Enrolment Form")
		read()
		j.wantText(".flash", "You can now request CareConnect access.")
		j.wantClinicTicked(clinic)
		j.fillEnrolment()
		j.submitEnrolment()
		read()
		if r := j.latestRequest(phoebe); r.Status != portal.ARSubmitted {
			t.Errorf("request %+v", r)
		}

		got := docs.list()
		t.Logf(
			"%d portal documents, %d words read outside the course:\n  %s",
			len(got),
			words,
			strings.Join(got, "\n  "),
		)
		if len(got) > journeyPageBudget {
			t.Errorf("the physician's journey loads %d portal documents, want at most %d", len(got), journeyPageBudget)
		}
	})
}
