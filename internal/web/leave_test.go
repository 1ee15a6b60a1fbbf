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

// onLeaveCase is Lea, a member of Ada's approved worksite, with
// CareConnect access whose review falls due in 200 days.
type onLeaveCase struct {
	now   time.Time
	admin *portaltest.Client // Ada, the site administrator
	c     *portaltest.Client // Lea
	lea   *portal.Account
	w     *portal.Worksite
	due   time.Time
	r     *portal.AccessRequest
}

func newOnLeaveCase(t *testing.T, inst *portaltest.Instance) onLeaveCase {
	t.Helper()
	now := inst.Clock.Now()
	admin, ada := inst.ConfirmedAccount(t, "Ada", "ADMIN", "ada@example.ca", "ada.admin")
	c, lea := inst.ConfirmedAccount(t, "Lea", "LEAVE", "lea@example.ca", "lea.leave")
	w := fixture.ApprovedWorksite(t, inst.DB, "Harbour Clinic", "101", now.AddDate(0, -6, 0), ada, lea)
	due := now.AddDate(0, 0, 200)
	return onLeaveCase{now: now, admin: admin, c: c, lea: lea, w: w, due: due, r: rvAccess(t, inst, lea, w, due)}
}

func TestWeb_LeaveWithAccessPaused(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		lc := newOnLeaveCase(t, inst)
		now, admin, c, lea, w, due, r := lc.now, lc.admin, lc.c, lc.lea, lc.w, lc.due, lc.r

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

// A person back sooner ends their leave today: the page asks first, the
// review's due date moves back by the days not taken, the paused access
// comes back at once, and a second press changes nothing more. A leave
// that has not begun is cancelled the same way.
func TestWeb_EndLeaveEarly(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		lc := newOnLeaveCase(t, inst)
		now, c, lea, due, r := lc.now, lc.c, lc.lea, lc.due, lc.r
		day := func(d int) string { return now.In(portal.Pacific()).AddDate(0, 0, d).Format(time.DateOnly) }

		// Away since ten days ago, back in fifty, access paused.
		c.Get("/account/leave")
		p := c.Post("/account/leave",
			url.Values{"kind": {"medical"}, "start": {day(-10)}, "end": {day(50)}, "pause_access": {"yes"}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("record: %d %s", p.Status, p.Text(".error-summary"))
		}
		if got := inst.AccessRequest(t, r.ID); got.Status != portal.ARSuspended || !got.ReviewDueAt.Equal(due.AddDate(0, 0, 60)) {
			t.Fatalf("on leave: request %s due %v", got.Status, got.ReviewDueAt)
		}
		p = c.Get("/account/leave")
		action := p.Attr(`#leaves form[action$="/end"]`, "action")
		if action == "" || !strings.Contains(p.Text("#leaves form button"), "End leave today") {
			t.Fatalf("no End leave today on the list: %q", p.Text("#leaves"))
		}

		// Without confirming, the page asks and nothing changes.
		p = c.Post(action, nil)
		if p.Status != http.StatusOK || p.Text("#end-confirm h2") != "End this leave today?" ||
			!strings.Contains(p.Text("#end-confirm"), "ends today, "+day(0)+", instead of on "+day(50)) {
			t.Fatalf("confirmation: %d %q", p.Status, p.Text("#end-confirm"))
		}
		if got := inst.AccessRequest(t, r.ID); got.Status != portal.ARSuspended {
			t.Fatalf("asked only, yet the request is %s", got.Status)
		}

		// Confirmed twice (a double click): ended once.
		for i := range 2 {
			p = c.Post(action, url.Values{"confirm": {"yes"}})
			if p.Status != http.StatusSeeOther {
				t.Fatalf("end, press %d: %d %s", i+1, p.Status, p.Text("main"))
			}
			if i == 0 {
				if got, want := c.Follow(p).Text(".flash"), "Your leave has ended: your return date is now "+day(0)+
					". Your CareConnect access is back."; got != want {
					t.Errorf("flash %q, want %q", got, want)
				}
			}
		}
		got := inst.AccessRequest(t, r.ID)
		if got.Status != portal.ARApproved || !got.ReviewDueAt.Equal(due.AddDate(0, 0, 10)) {
			t.Fatalf("after ending: request %s due %v, want approved and due ten days later than before", got.Status,
				got.ReviewDueAt)
		}
		if feed := inst.Feed(t, lea.ID); !reflect.DeepEqual(feed,
			[]string{app.ProvUserProvisioned, app.ProvUserSuspended, app.ProvUserReinstated}) {
			t.Fatalf("feed %v", feed)
		}
		changed := inst.Emails(t, lea.Email, "leave_changed")
		if len(changed) != 1 || changed[0].Subject != "Your leave now ends on "+day(0) {
			t.Fatalf("%d leave_changed emails", len(changed))
		}
		if es := inst.Emails(t, lea.Email, "leave_ended"); len(es) != 1 {
			t.Fatalf("%d leave_ended emails, want 1", len(es))
		}
		if n := inst.AuditCount(t, portaltest.About("account", fmt.Sprint(lea.ID)), "leave.ended_early"); n != 1 {
			t.Fatalf("%d leave.ended_early rows, want 1", n)
		}
		if n := inst.AuditCount(t, portaltest.About("access_request", fmt.Sprint(r.ID)), "leave.access_resumed"); n != 1 {
			t.Fatalf("%d leave.access_resumed rows, want 1", n)
		}
		p = c.Get("/account/leave")
		if !strings.Contains(p.Text("#leaves"), day(0)+" (ended early; planned "+day(50)+")") ||
			len(p.Find(`#leaves form[action$="/end"]`)) != 0 {
			t.Fatalf("the list after ending: %q", p.Text("#leaves"))
		}
		// Ended already: asking again says so.
		p = c.Post(action, url.Values{"confirm": {"yes"}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("ending an ended leave the same day: %d", p.Status)
		}

		// A leave that has not begun is cancelled; the review's date moves back in full.
		p = c.Post("/account/leave", url.Values{"kind": {"sabbatical"}, "start": {day(30)}, "end": {day(40)}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("record the sabbatical: %d %s", p.Status, p.Text(".error-summary"))
		}
		if got := inst.AccessRequest(t, r.ID); !got.ReviewDueAt.Equal(due.AddDate(0, 0, 20)) {
			t.Fatalf("sabbatical recorded: due %v", got.ReviewDueAt)
		}
		p = c.Get("/account/leave")
		forms := p.Find(`#leaves form[action$="/end"]`)
		if len(forms) != 1 {
			t.Fatalf("%d end forms, want the sabbatical's only", len(forms))
		}
		cancel := p.Attr(`#leaves form[action$="/end"]`, "action")
		if p = c.Post(cancel, nil); p.Text("#end-confirm h2") != "Cancel this leave?" {
			t.Fatalf("cancel confirmation: %q", p.Text("#end-confirm"))
		}
		p = c.Post(cancel, url.Values{"confirm": {"yes"}})
		if p.Status != http.StatusSeeOther || c.Follow(p).Text(".flash") != "Your leave from "+day(30)+" is cancelled." {
			t.Fatalf("cancel: %d", p.Status)
		}
		if got := inst.AccessRequest(t, r.ID); !got.ReviewDueAt.Equal(due.AddDate(0, 0, 10)) {
			t.Fatalf("sabbatical cancelled: due %v, want back to ten days later than before", got.ReviewDueAt)
		}
		if n := inst.AuditCount(t, portaltest.About("account", fmt.Sprint(lea.ID)), "leave.cancelled"); n != 1 {
			t.Fatalf("%d leave.cancelled rows, want 1", n)
		}
		if p := c.Get("/account/leave"); !strings.Contains(p.Text("#leaves"), "Sabbatical (cancelled)") ||
			len(p.Find(`#leaves form[action$="/end"]`)) != 0 {
			t.Fatalf("the list after cancelling: %q (%d end forms)", p.Text("#leaves"),
				len(p.Find(`#leaves form[action$="/end"]`)))
		}
		// Cancelled already (a second press): nothing more happens.
		if p := c.Post(cancel, url.Values{"confirm": {"yes"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("cancelling a cancelled leave: %d %s", p.Status, p.Text("main"))
		}
		if n := inst.AuditCount(t, portaltest.About("account", fmt.Sprint(lea.ID)), "leave.cancelled"); n != 1 {
			t.Fatalf("%d leave.cancelled rows after a second press, want 1", n)
		}

		// Someone else's leave does not exist for them.
		other := inst.Confirmed(t, "Oz", "OTHER", "oz@example.ca", "oz.other")
		other.Get("/account/leave")
		if p := other.Post(action, url.Values{"confirm": {"yes"}}); p.Status != http.StatusNotFound {
			t.Fatalf("another person ending the leave: %d", p.Status)
		}
		if p := other.Post(action, nil); p.Status != http.StatusNotFound {
			t.Fatalf("another person asking to end the leave: %d", p.Status)
		}
		// And without the form's token nothing happens.
		if p := c.Post(cancel, url.Values{"confirm": {"yes"}, "csrf_token": {"forged"}}); p.Status != http.StatusForbidden {
			t.Fatalf("forged token: %d", p.Status)
		}
	})
}
