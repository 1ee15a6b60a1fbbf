package e2e

import (
	"net/http"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"

	"github.com/chromedp/chromedp"
)

// A physician records a parental leave with her access paused; on the
// return date the job gives it back without a new request.
func TestE2E_LeaveWithAccessPaused(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		j := startAccessJourney(t, inst)
		doc, _ := j.enrolledDalia()

		j.signIn(accessDalia)
		j.visit("/account", http.StatusOK, "Manage My Account")
		j.clickText("a", "Record a Leave", http.StatusOK, "Leave")
		start, end := j.pacificDay(0), j.pacificDay(30)
		mustRun(t, j.ctx,
			chromedp.Click(byText("label", "Parental leave")),
			// Date fields take their value as YYYY-MM-DD whatever the
			// browser's locale shows.
			chromedp.SetValue(chromedp.CSS("#start"), start),
			chromedp.SetValue(chromedp.CSS("#end"), end),
			chromedp.Click(chromedp.CSS("#pause_access")),
		)
		j.clickText("button", "Record leave", http.StatusOK, "Leave")
		j.wantText(".flash", "Your leave from "+start+" to "+end+" is recorded", "comes back on "+end)
		j.wantText("#leaves", "Parental leave", "Paused until "+end)
		j.emails(accessDalia.email, "leave_recorded", 1)
		if r := j.latestRequest(doc); r.Status != portal.ARSuspended {
			t.Fatalf("status on leave %s", r.Status)
		}
		j.signOut()

		// The clock moves to the return date; the job restores the access.
		inst.Clock.Advance(30 * 24 * time.Hour)
		if run, err := inst.Portal.App.RunLeaves(t.Context()); err != nil || run.Resumed != 1 {
			t.Fatalf("leave job %+v %v", run, err)
		}
		j.emails(accessDalia.email, "leave_ended", 1)
		j.signIn(accessDalia)
		j.visit("/application/status", http.StatusOK, "Your CareConnect request")
		j.wantText("#request-status", "Approved")
		j.visit("/account/leave", http.StatusOK, "Leave")
		j.wantText("#leaves", "Paused, back since "+end)
	})
}
