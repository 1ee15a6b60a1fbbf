package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
)

func TestWeb_Locum(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		admin, wsID := kingsgateAdmin(t, inst)
		locum := inst.Confirmed(t, "Lou", "LOCUM", "lou@example.ca", "lou.locum")
		joinDirectly(t, inst, wsID, "lou@example.ca")
		lou := inst.Account(t, "lou@example.ca")
		admin.Get("/worksites/" + wsID)
		path := fmt.Sprintf("/worksites/%s/members/%d/locum", wsID, lou.ID)
		zone, _ := time.LoadLocation("America/Vancouver")
		today := inst.Clock.Now().In(zone)
		day := func(d int) string { return today.AddDate(0, 0, d).Format(time.DateOnly) }

		// Too far ahead: refused at the member's row, the date kept.
		tooFar := day(400)
		p := admin.Post(path, url.Values{"last_day": {tooFar}})
		if p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("too far ahead: %d", p.Status)
		}
		want := "The last day can be at most one year from today (" + today.AddDate(1, 0, 0).Format("2 Jan 2006") +
			"). For a longer term, set a new last day nearer the time."
		if got := p.Text(fmt.Sprintf("#locum-%d-error", lou.ID)); !strings.Contains(got, want) {
			t.Errorf("error %q, want %q", got, want)
		}
		if got := p.Attr(fmt.Sprintf("#locum-%d", lou.ID), "value"); got != tooFar {
			t.Errorf("typed date %q not kept", got)
		}
		// Only an administrator, and only with the CSRF token.
		if p := locum.Post(path, url.Values{"last_day": {day(10)}}); p.Status != http.StatusNotFound {
			t.Errorf("the locum marked themselves: %d", p.Status)
		}
		if p := admin.Post(path, url.Values{"last_day": {day(10)}, "csrf_token": {""}}); p.Status != http.StatusForbidden {
			t.Errorf("without CSRF: %d", p.Status)
		}
		if m, _ := inst.DB.Read().FindMember(t.Context(), wsIDOf(t, wsID), lou.ID); m.Locum {
			t.Fatal("marked as a locum by a refused request")
		}

		p = admin.Post(path, url.Values{"last_day": {day(10)}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("mark: %d %s", p.Status, p.Text("main"))
		}
		page := admin.Follow(p)
		if !strings.Contains(page.Text(".flash"), "Marked as a locum") ||
			!strings.Contains(page.Text("table"), "Locum Active, ends after "+day(10)) {
			t.Fatalf("worksite page: %q / %q", page.Text(".flash"), page.Text("table"))
		}

		inst.RunJob(t, "locum-reminders")
		if n := len(inst.Emails(t, "lou@example.ca", "locum_ending")); n != 0 {
			t.Fatalf("%d reminders ten days ahead", n)
		}
		inst.Clock.Advance(3 * 24 * time.Hour)
		inst.RunJob(t, "locum-reminders")
		inst.RunJob(t, "locum-reminders")
		toLocum := inst.Emails(t, "lou@example.ca", "locum_ending")
		toAdmin := inst.Emails(t, "dalia@example.ca", "locum_ending")
		if len(toLocum) != 1 || len(toAdmin) != 1 {
			t.Fatalf("reminders: %d to the locum, %d to the administrator; want 1 each", len(toLocum), len(toAdmin))
		}
		last := today.AddDate(0, 0, 10).Format("2 Jan 2006")
		if toLocum[0].Subject != "Your locum term at Kingsgate Mall Clinic ends on "+last ||
			toAdmin[0].Subject != "Lou LOCUM's locum term at Kingsgate Mall Clinic ends on "+last {
			t.Errorf("subjects %q, %q", toLocum[0].Subject, toAdmin[0].Subject)
		}

		// After the last day the scheduled decommission ends the membership.
		inst.Clock.Advance(7 * 24 * time.Hour) // the last day itself
		inst.RunJob(t, "scheduled-decommissions")
		if m, _ := inst.DB.Read().FindMember(t.Context(), wsIDOf(t, wsID), lou.ID); m.Status != portal.MemberActive {
			t.Fatalf("membership ended on the last day: %+v", m)
		}
		inst.Clock.Advance(24 * time.Hour)
		inst.RunJob(t, "scheduled-decommissions")
		if m, _ := inst.DB.Read().FindMember(t.Context(), wsIDOf(t, wsID), lou.ID); m.Status != portal.MemberDecommissioned {
			t.Fatalf("membership %+v after the last day", m)
		}
		if n := len(inst.Emails(t, "lou@example.ca", "membership_ended")); n != 1 {
			t.Fatalf("%d membership_ended emails", n)
		}
	})
}

func wsIDOf(t *testing.T, id string) portal.WorksiteID {
	t.Helper()
	return portal.WorksiteID(mustAtoi(t, id))
}
