package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/web"
)

func TestWeb_DormantAccessRestoredBySigningInAndConfirming(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		now := inst.Clock.Now()
		c, dora := inst.ConfirmedAccount(t, "Dora", "DORMANT", "dora@example.ca", "dora.dormant")
		w := fixture.ApprovedWorksite(t, inst.DB, "Harbour Clinic", "101", now.AddDate(0, -6, 0), dora)
		// Approved 165 days ago and not signed in since: dormant in 15 days.
		r := rvAccess(t, inst, dora, w, now.AddDate(0, 0, 200))
		dormantOn := now.AddDate(0, 0, 200).AddDate(-1, 0, 0).Add(portal.DefaultDormancyLimit)

		p := c.Get("/dormant")
		if p.Status != http.StatusOK ||
			!strings.Contains(p.Text("#dormant-none"), "would be suspended on "+rvPacificDate(t, dormantOn)) ||
			len(p.Find(`form[action="/dormant"]`)) != 0 {
			t.Fatalf("active: %d %q", p.Status, p.Text("main"))
		}
		a := inst.Portal.App
		if run, err := a.RunDormancy(t.Context()); err != nil || !reflect.DeepEqual(run.Reminders, map[int]int{30: 1}) {
			t.Fatalf("reminder run %+v %v", run, err)
		}
		inst.Clock.Advance(16 * 24 * time.Hour)
		if run, err := a.RunDormancy(t.Context()); err != nil || run.Suspended != 1 {
			t.Fatalf("suspending run %+v %v", run, err)
		}
		if got := inst.AccessRequest(t, r.ID).Status; got != portal.ARSuspended {
			t.Fatalf("status %s", got)
		}
		if n, m := len(inst.Emails(t, dora.Email, "dormancy_reminder")), len(inst.Emails(t, dora.Email, "dormancy_suspended")); n != 1 ||
			m != 1 {
			t.Fatalf("%d reminders, %d suspension emails", n, m)
		}
		if got := inst.Feed(t, dora.ID); !reflect.DeepEqual(
			got,
			[]string{app.ProvUserProvisioned, app.ProvUserSuspended},
		) {
			t.Fatalf("feed %v", got)
		}

		officer := inst.StaffClient(t, "officer")
		if p := officer.Get("/staff/reports"); p.Text("#dormant-now") != "1" ||
			!strings.Contains(p.Text("#dormancy tbody"), "All time 1 0") {
			t.Fatalf("reports: %q %q", p.Text("#dormant-now"), p.Text("#dormancy tbody"))
		}

		// She signs in: the portal takes her to the confirmation first.
		c = inst.Client(t)
		p = c.SignIn("Dora", "DORMANT", "1980-04-18", "dora@example.ca")
		if !strings.HasSuffix(p.URL, "/dormant") ||
			!strings.Contains(p.Text("h1"), "Confirm you still need CareConnect") ||
			!strings.Contains(p.Text("#dormant-state"), "was suspended on "+rvPacificDate(t, inst.Clock.Now())) ||
			!strings.Contains(p.Text("#dormant-state"), "not used for 180 days") {
			t.Fatalf("after sign-in: %s %q", p.URL, p.Text("main"))
		}
		p = c.Post("/dormant", url.Values{})
		if p.Status != http.StatusUnprocessableEntity ||
			p.Text("#confirm-error") != "Error: Confirm that you still need CareConnect access." ||
			len(p.Find(".error-summary li")) != 1 ||
			p.Attr(`input[name="confirm"]`, "aria-invalid") != "true" {
			t.Fatalf("unconfirmed: %d %q", p.Status, p.Text("main"))
		}
		if got := inst.AccessRequest(t, r.ID).Status; got != portal.ARSuspended {
			t.Fatal("a refused confirmation restored access")
		}
		p = c.Post("/dormant", url.Values{"confirm": {"yes"}})
		if p.Status != http.StatusSeeOther || p.Location != "/application/status" {
			t.Fatalf("confirm: %d %q %s", p.Status, p.Location, p.Text("main"))
		}
		p = c.Follow(p)
		if !strings.Contains(p.Text(".flash"), "Your CareConnect access is restored") {
			t.Fatalf("flash %q", p.Text(".flash"))
		}
		if got := inst.AccessRequest(t, r.ID).Status; got != portal.ARApproved {
			t.Fatalf("status %s", got)
		}
		if es := inst.Emails(t, dora.Email, "dormancy_reactivated"); len(es) != 1 ||
			es[0].Subject != "Your CareConnect access is restored" {
			t.Fatalf("reactivation emails %d", len(es))
		}
		if inst.AuditCount(t, portaltest.About("access_request", fmt.Sprint(r.ID)), "dormancy.reactivated") != 1 ||
			inst.AuditCount(t, portaltest.About("access_request", fmt.Sprint(r.ID)), "dormancy.suspended") != 1 {
			t.Fatal("not audited")
		}
		if got := inst.Feed(t, dora.ID); !reflect.DeepEqual(
			got,
			[]string{app.ProvUserProvisioned, app.ProvUserSuspended, app.ProvUserReinstated},
		) {
			t.Fatalf("feed %v", got)
		}
		if p := officer.Get("/staff/reports"); p.Text("#dormant-now") != "0" ||
			!strings.Contains(p.Text("#dormancy tbody"), "All time 1 1") {
			t.Fatalf("reports after: %q %q", p.Text("#dormant-now"), p.Text("#dormancy tbody"))
		}
		// Confirming again restores nothing; the next sign-in goes to the menu.
		if p := c.Post("/dormant", url.Values{"confirm": {"yes"}}); p.Status != http.StatusConflict ||
			p.Text(
				"#dormant-message",
			) != "Your CareConnect access is not suspended as unused, so there is nothing to restore here." {
			t.Fatalf("again: %d %q", p.Status, p.Text("main"))
		}
		if p := inst.Client(t).SignIn("Dora", "DORMANT", "1980-04-18", "dora@example.ca"); !strings.HasSuffix(
			p.URL,
			"/menu",
		) {
			t.Fatalf("next sign-in landed on %s", p.URL)
		}
	})
}

func TestWeb_DormancyRoutesNeedSignIn(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		routes := web.RoutePatterns(inst.Portal.Server)
		for _, r := range []string{"GET /dormant", "POST /dormant"} {
			if !slices.Contains(routes, r) {
				t.Errorf("route %s is not registered", r)
			}
		}
		if p := inst.Client(t).Get("/dormant"); p.Status != http.StatusSeeOther ||
			!strings.HasPrefix(p.Location, "/signin") {
			t.Fatalf("signed out: %d %q", p.Status, p.Location)
		}
		visitor := inst.Client(t)
		visitor.SignIn("Vera", "VISITOR", "1990-01-01", "vera@example.ca")
		if p := visitor.Post("/dormant", url.Values{"confirm": {"yes"}}); p.Status != http.StatusSeeOther ||
			p.Location != "/register" {
			t.Fatalf("no account: %d %q", p.Status, p.Location)
		}
	})
}
