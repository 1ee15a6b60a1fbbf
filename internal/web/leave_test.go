package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
)

func TestWeb_LeaveWithAccessPaused(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		now := inst.Clock.Now()
		admin, ada := inst.ConfirmedAccount(t, "Ada", "ADMIN", "ada@example.ca", "ada.admin")
		c, lea := inst.ConfirmedAccount(t, "Lea", "LEAVE", "lea@example.ca", "lea.leave")
		w := fixture.ApprovedWorksite(t, inst.DB, "Harbour Clinic", "101", now.AddDate(0, -6, 0), ada, lea)
		due := now.AddDate(0, 0, 200)
		r := rvAccess(t, inst, lea, w, due)

		p := c.Get("/account/leave")
		if p.Status != http.StatusOK || p.Text("h1") != "Leave" || p.Text("#no-leaves") == "" {
			t.Fatalf("leave page: %d %q", p.Status, p.Text("main"))
		}
		// Return date before the first day: the error, what was typed kept.
		start := now.In(portal.Pacific()).Format(time.DateOnly)
		end := now.In(portal.Pacific()).AddDate(0, 0, 60).Format(time.DateOnly)
		p = c.Post(
			"/account/leave",
			url.Values{"kind": {"parental"}, "start": {end}, "end": {start}, "pause_access": {"yes"}},
		)
		if p.Status != http.StatusUnprocessableEntity || p.Text("#end-error") != "Error: The return date must be after the first day of your leave." ||
			p.Attr("#start", "value") != end ||
			len(p.Find(`input[name="kind"][value="parental"][checked]`)) != 1 ||
			len(p.Find(`input[name="pause_access"][checked]`)) != 1 {
			t.Fatalf("refused: %d %q", p.Status, p.Text(".error-summary"))
		}
		p = c.Post(
			"/account/leave",
			url.Values{"kind": {"parental"}, "start": {start}, "end": {end}, "pause_access": {"yes"}},
		)
		if p.Status != http.StatusSeeOther || p.Location != "/account/leave" {
			t.Fatalf("record: %d %q %s", p.Status, p.Location, p.Text(".error-summary"))
		}
		p = c.Follow(p)
		if !strings.Contains(p.Text(".flash"), "comes back on "+end) ||
			!strings.Contains(p.Text("#leaves"), "Paused until "+end) {
			t.Fatalf("recorded: %q %q", p.Text(".flash"), p.Text("#leaves"))
		}
		// Starting today, the access is paused at once.
		if got := inst.AccessRequest(t, r.ID); got.Status != portal.ARSuspended ||
			!got.ReviewDueAt.Equal(due.AddDate(0, 0, 60)) {
			t.Fatalf("request %s due %v", got.Status, got.ReviewDueAt)
		}
		if got := inst.Feed(t, lea.ID); !reflect.DeepEqual(
			got,
			[]string{app.ProvUserProvisioned, app.ProvUserSuspended},
		) {
			t.Fatalf("feed %v", got)
		}
		if es := inst.Emails(t, lea.Email, "leave_recorded"); len(es) != 1 {
			t.Fatalf("%d leave emails", len(es))
		}
		if inst.AuditCount(t, portaltest.About("account", fmt.Sprint(lea.ID)), "leave.recorded") != 1 ||
			inst.AuditCount(t, portaltest.About("access_request", fmt.Sprint(r.ID)), "leave.access_paused") != 1 {
			t.Fatal("not audited")
		}
		// The site administrator sees who is on leave.
		if p := admin.Get(fmt.Sprintf("/worksites/%d", w.ID)); p.Text(".on-leave") != "On leave until "+end {
			t.Fatalf("members page: %q", p.Text(".on-leave"))
		}
		// On the return date the job restores the access.
		inst.Clock.Advance(61 * 24 * time.Hour)
		if run, err := inst.Portal.App.RunLeaves(t.Context()); err != nil || run.Resumed != 1 {
			t.Fatalf("run %+v %v", run, err)
		}
		if got := inst.AccessRequest(t, r.ID); got.Status != portal.ARApproved {
			t.Fatalf("after the leave %s", got.Status)
		}
		if es := inst.Emails(t, lea.Email, "leave_ended"); len(es) != 1 ||
			es[0].Subject != "Welcome back: your CareConnect access is restored" {
			t.Fatalf("%d end emails", len(es))
		}
		if got := inst.Feed(t, lea.ID); !reflect.DeepEqual(
			got,
			[]string{app.ProvUserProvisioned, app.ProvUserSuspended, app.ProvUserReinstated},
		) {
			t.Fatalf("feed %v", got)
		}
	})
}
