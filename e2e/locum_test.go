package e2e

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"

	"github.com/chromedp/chromedp"
)

// A site administrator marks a member as a locum with the last day of the
// term; a week before it both are emailed, and the day after it the
// membership ends by itself and the locum is told.
func TestE2E_LocumTermEndsByItself(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		j := startAccessJourney(t, inst)
		c, doc := j.register(accessDalia, "dalia.doctor", accessAsPhysician)
		clinic := j.worksite(c, doc, "Kingsgate Mall Clinic", "101")
		lou := person{"Lou", "LOCUM", "1975-07-21", "lou@example.ca"}
		_, locum := j.register(lou, "lou.locum", accessAsPhysician)
		j.join(clinic, locum)
		lastDay := j.pacificDay(10)

		j.signIn(accessDalia)
		j.visit(fmt.Sprintf("/worksites/%d", clinic), http.StatusOK, "Kingsgate Mall Clinic")
		field := fmt.Sprintf("#locum-%d", locum.ID)
		mustRun(t, j.ctx,
			chromedp.Click(chromedp.CSS("details:has("+field+") > summary")),
			chromedp.WaitVisible(chromedp.CSS(field)),
			chromedp.SetValue(chromedp.CSS(field), lastDay),
		)
		j.wantText("details:has("+field+") > summary", "Mark as a locum")
		j.clickCSS("form:has("+field+") button", http.StatusOK, "Kingsgate Mall Clinic")
		j.wantText(".flash", "Marked as a locum")
		j.wantText("table", "Locum Active, ends after "+lastDay)
		j.signOut()

		// Three days on, the term ends within a week: one reminder each,
		// however often the job runs.
		inst.Clock.Advance(3 * 24 * time.Hour)
		inst.RunJob(t, "locum-reminders")
		inst.RunJob(t, "locum-reminders")
		last := inst.Clock.Now().In(portal.Pacific()).AddDate(0, 0, 7).Format("2 Jan 2006")
		if es := j.emails(lou.email, "locum_ending", 1); es[0].Subject !=
			"Your locum term at Kingsgate Mall Clinic ends on "+last {
			t.Errorf("the locum's reminder reads %q", es[0].Subject)
		}
		j.emails(accessDalia.email, "locum_ending", 1)

		// The last day itself is still a working day; the next one is not.
		inst.Clock.Advance(7 * 24 * time.Hour)
		inst.RunJob(t, "scheduled-decommissions")
		j.emails(lou.email, "membership_ended", 0)
		inst.Clock.Advance(24 * time.Hour)
		inst.RunJob(t, "scheduled-decommissions")
		j.emails(lou.email, "membership_ended", 1)

		j.signIn(accessDalia)
		j.visit(fmt.Sprintf("/worksites/%d", clinic), http.StatusOK, "Kingsgate Mall Clinic")
		j.wantText("table", "Decommissioned")
		if n := j.count(field); n != 0 {
			t.Errorf("the ended membership still offers the locum form (%d)", n)
		}
	})
}
