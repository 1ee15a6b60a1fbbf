package e2e

import (
	"net/http"
	"reflect"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"

	"github.com/chromedp/chromedp"
)

// A physician who stopped signing in is reminded 30 and 7 days before her
// access becomes dormant, is suspended, then signs in, is asked first to
// confirm that she still needs CareConnect, and has her access back.
func TestE2E_DormantAccessRestored(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		j := startAccessJourney(t, inst)
		doc, _ := j.enrolledDalia()
		a := inst.Portal.App
		day := 24 * time.Hour

		// The job runs as the days pass: one reminder each time, then the suspension.
		for _, step := range []struct {
			advance   time.Duration
			reminders map[int]int
			suspended int
		}{
			{150 * day, map[int]int{30: 1}, 0},
			{10 * day, map[int]int{}, 0},
			{13 * day, map[int]int{7: 1}, 0},
			{8 * day, map[int]int{}, 1},
		} {
			inst.Clock.Advance(step.advance)
			run, err := a.RunDormancy(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			got := map[int]int{}
			for k, v := range run.Reminders {
				if v > 0 {
					got[k] = v
				}
			}
			if !reflect.DeepEqual(got, step.reminders) || run.Suspended != step.suspended {
				t.Fatalf("after %s: %+v", step.advance, run)
			}
		}
		j.emails(accessDalia.email, "dormancy_reminder", 2)
		j.emails(accessDalia.email, "dormancy_suspended", 1)
		if r := j.latestRequest(doc); r.Status != portal.ARSuspended {
			t.Fatalf("status %s", r.Status)
		}

		// She signs in: the portal asks her first.
		p := accessDalia
		p.email = ""
		signInInBrowser(t, j.ctx, inst, p, "Confirm you still need CareConnect")
		j.audit("Confirm you still need CareConnect")
		j.wantText("#dormant-state", "was suspended on", "not used for 180 days", "It was not removed")

		// Without ticking the box: the error, nothing restored.
		j.clickText(
			"button",
			"Confirm and restore my access",
			http.StatusUnprocessableEntity,
			"Confirm you still need CareConnect",
		)
		j.wantText("#confirm-error", "Confirm that you still need CareConnect access.")
		if r := j.latestRequest(doc); r.Status != portal.ARSuspended {
			t.Fatalf("restored without confirming: %s", r.Status)
		}
		mustRun(t, j.ctx, chromedp.Click(chromedp.CSS("#confirm")))
		j.clickText("button", "Confirm and restore my access", http.StatusOK, "Your CareConnect request")
		j.wantText(".flash", "Your CareConnect access is restored")
		if r := j.latestRequest(doc); r.Status != portal.ARApproved {
			t.Fatalf("status after confirming %s", r.Status)
		}
		j.emails(accessDalia.email, "dormancy_reactivated", 1)

		// Signing in again goes straight to the menu.
		j.signOut()
		j.signIn(accessDalia)
	})
}
