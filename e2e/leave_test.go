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
		j.recordLeave("Parental leave", start, end, true)
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

// Back sooner than planned, she ends her leave today: the page asks first,
// and her paused access is back at once. A sabbatical recorded ahead is
// cancelled the same way.
func TestE2E_LeaveEndedEarlyAndCancelled(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		j := startAccessJourney(t, inst)
		doc, _ := j.enrolledDalia()

		j.signIn(accessDalia)
		j.visit("/account/leave", http.StatusOK, "Leave")
		start, end := j.pacificDay(0), j.pacificDay(30)
		j.recordLeave("Medical leave", start, end, true)
		if r := j.latestRequest(doc); r.Status != portal.ARSuspended {
			t.Fatalf("status on leave %s", r.Status)
		}

		j.signOut()
		inst.Clock.Advance(5 * 24 * time.Hour)
		today := j.pacificDay(0)
		j.signIn(accessDalia)
		j.visit("/account/leave", http.StatusOK, "Leave")
		j.clickText("button", "End leave today", http.StatusOK, "Leave")
		j.wantText("#end-confirm", "End this leave today?", "ends today, "+today+", instead of on "+end)
		if r := j.latestRequest(doc); r.Status != portal.ARSuspended {
			t.Fatalf("asked only, yet the request is %s", r.Status)
		}
		j.clickCSS("#end-confirm button", http.StatusOK, "Leave")
		j.wantText(".flash", "Your leave has ended: your return date is now "+today+
			". Your CareConnect access is back.")
		j.wantText("#leaves", today+" (ended early; planned "+end+")")
		if r := j.latestRequest(doc); r.Status != portal.ARApproved {
			t.Fatalf("status after ending the leave %s", r.Status)
		}
		j.emails(accessDalia.email, "leave_changed", 1)

		from, to := j.pacificDay(10), j.pacificDay(20)
		j.recordLeave("Sabbatical", from, to, false)
		j.clickText("button", "Cancel leave", http.StatusOK, "Leave")
		j.wantText("#end-confirm", "Cancel this leave?")
		j.clickCSS("#end-confirm button", http.StatusOK, "Leave")
		j.wantText(".flash", "Your leave from "+from+" is cancelled.")
		j.wantText("#leaves", "Sabbatical (cancelled)")
		if n := j.count(`#leaves form[action$="/end"]`); n != 0 {
			t.Errorf("%d leaves still offer to end or cancel", n)
		}
		j.emails(accessDalia.email, "leave_changed", 2)
	})
}

// recordLeave fills the leave form on the page shown, the kind by its
// label, pausing the access or not, and records the leave.
func (j *accessJourney) recordLeave(kind, start, end string, pause bool) {
	j.t.Helper()
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.Click(byText("label", kind)),
		// Date fields take their value as YYYY-MM-DD whatever the
		// browser's locale shows.
		chromedp.SetValue(chromedp.CSS("#start"), start),
		chromedp.SetValue(chromedp.CSS("#end"), end),
	}
	if pause {
		steps = append(steps, chromedp.Click(chromedp.CSS("#pause_access")))
	}
	mustRun(j.t, j.ctx, steps...)
	j.clickText("button", "Record leave", http.StatusOK, "Leave")
}
