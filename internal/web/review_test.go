package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/web"
)

// reviewRoutes are the routes of internal/web/review.go.
var reviewRoutes = []string{
	"GET /review",
	"POST /review",
	"GET /worksites/{id}/review",
	"POST /worksites/{id}/review",
	"GET /staff/reviews",
}

// rvAccess approves a CareConnect request for the person at the worksite,
// a year before its review falls due.
func rvAccess(
	t *testing.T,
	inst *portaltest.Instance,
	acct *portal.Account,
	w *portal.Worksite,
	due time.Time,
) *portal.AccessRequest {
	t.Helper()
	r := fixture.Request(acct, due.AddDate(-1, 0, 0), w)
	r.ReviewDueAt = due
	return fixture.ProvisionRequest(t, inst.DB, r, "demographics,laboratory_results")
}

func rvPacificDate(t *testing.T, tm time.Time) string {
	t.Helper()
	return tm.In(portal.Pacific()).Format("2 Jan 2006")
}

func TestWeb_Review(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		now := inst.Clock.Now()
		c, rita := inst.ConfirmedAccount(t, "Rita", "REVIEW", "rita@example.ca", "rita.review")
		w := fixture.ApprovedWorksite(t, inst.DB, "Harbour Clinic", "101", now.AddDate(0, -6, 0), rita)
		due := now.AddDate(0, 0, 15)
		r := rvAccess(t, inst, rita, w, due)

		p := c.Get("/review")
		if p.Status != http.StatusOK || p.Text("#review-due") != rvPacificDate(t, due) ||
			!strings.Contains(p.Text("#review-worksites"), "Harbour Clinic") ||
			!strings.Contains(p.Text("#review-scopes"), "Demographics") ||
			!strings.Contains(p.Text("#review-state"), "is due on") {
			t.Fatalf("review page: %d due %q worksites %q scopes %q state %q", p.Status, p.Text("#review-due"),
				p.Text("#review-worksites"), p.Text("#review-scopes"), p.Text("#review-state"))
		}
		for _, name := range []string{"attest_correct", "attest_direct_care", "attest_annual_review"} {
			if len(p.Find(`input[type="checkbox"][name="`+name+`"]:not([checked])`)) != 1 {
				t.Errorf("checkbox %s missing or ticked", name)
			}
		}
		if !strings.Contains(p.Text("main"), portal.AttestDirectCareText) {
			t.Error("the direct care attestation is not shown in full")
		}
		n := c.Get("/notifications")
		if !strings.Contains(n.Text("#action-table"), "Confirm that you still need CareConnect access (due ") ||
			n.Attr(`#action-table a[href="/review"]`, "href") == "" {
			t.Fatalf("notification centre: %s", n.Text("main"))
		}

		// Not all ticked: field errors, what was ticked stays ticked.
		p = c.Post("/review", url.Values{"attest_correct": {"yes"}})
		if p.Status != http.StatusUnprocessableEntity || p.Text("#attest_direct_care-error") == "" || p.Text("#attest_annual_review-error") == "" ||
			p.Text("#attest_correct-error") != "" ||
			len(p.Find(`input[name="attest_correct"][checked]`)) != 1 ||
			len(p.Find(".error-summary li")) != 2 ||
			p.Attr(`input[name="attest_direct_care"]`, "aria-invalid") != "true" {
			t.Fatalf("field errors: %d %q", p.Status, p.Text(".error-summary"))
		}
		if got := inst.AccessRequest(t, r.ID); !got.ReviewDueAt.Equal(due) {
			t.Fatal("a refused confirmation changed the request")
		}

		p = c.Post(
			"/review",
			url.Values{"attest_correct": {"yes"}, "attest_direct_care": {"yes"}, "attest_annual_review": {"yes"}},
		)
		if p.Status != http.StatusSeeOther || p.Location != "/review" {
			t.Fatalf("confirm: %d %q %s", p.Status, p.Location, p.Text("main"))
		}
		next := portal.ReviewDueAfter(inst.Clock.Now().Truncate(time.Millisecond))
		p = c.Follow(p)
		if !strings.Contains(p.Text(".flash"), "Your CareConnect access is confirmed") ||
			p.Text("#review-due") != rvPacificDate(t, next) ||
			!strings.Contains(p.Text("#review-state"), "not due yet") {
			t.Fatalf(
				"after confirming: flash %q due %q state %q",
				p.Text(".flash"),
				p.Text("#review-due"),
				p.Text("#review-state"),
			)
		}
		if got := inst.AccessRequest(t, r.ID); got.RemindersSent != "" || !got.ReviewDueAt.Equal(next) ||
			got.Status != portal.ARApproved {
			t.Fatalf("request %+v", got)
		}
		if es := inst.Emails(t, rita.Email, "review_confirmed"); len(es) != 1 {
			t.Fatalf("%d confirmation emails", len(es))
		}
		if inst.AuditCount(t, portaltest.About("access_request", fmt.Sprint(r.ID)), "review.confirmed") != 1 {
			t.Fatal("confirmation not audited")
		}
		if h := c.Get("/application/status").Text("#history"); !strings.Contains(
			h,
			"Confirmed that access is still needed.",
		) {
			t.Fatalf("history %q", h)
		}

		// Suspended because the review was overdue past the grace period:
		// confirming reinstates the access.
		old := now.AddDate(0, 0, -31)
		if _, err := inst.DB.SQL().ExecContext(t.Context(), store.Rebind(inst.DB.Dialect(),
			"UPDATE access_requests SET review_due_at = ?, reminders_sent = '30,7,1' WHERE id = ?"), old.UnixMilli(), int64(r.ID)); err != nil {
			t.Fatal(err)
		}
		if run, err := inst.Portal.App.RunAnnualReview(t.Context()); err != nil || run.Suspended != 1 {
			t.Fatalf("run %+v %v", run, err)
		}
		if es := inst.Emails(t, rita.Email, "review_suspended"); len(es) != 1 {
			t.Fatalf("%d suspension emails", len(es))
		}
		p = c.Get("/review")
		if !strings.Contains(p.Text("#access-status"), "Suspended") ||
			!strings.Contains(p.Text("#review-state"), "Confirming below reinstates it") ||
			len(p.Find(`form[action="/review"]`)) != 1 {
			t.Fatalf("suspended review page: %q %q", p.Text("#access-status"), p.Text("#review-state"))
		}
		p = c.Follow(
			c.Post(
				"/review",
				url.Values{"attest_correct": {"yes"}, "attest_direct_care": {"yes"}, "attest_annual_review": {"yes"}},
			),
		)
		if !strings.Contains(p.Text(".flash"), "confirmed and reinstated") ||
			!strings.Contains(p.Text("#access-status"), "Approved") {
			t.Fatalf("reinstated: %q %q", p.Text(".flash"), p.Text("#access-status"))
		}
		if got := inst.AccessRequest(t, r.ID); got.Status != portal.ARApproved {
			t.Fatalf("status %s", got.Status)
		}
	})
}

func TestWeb_ReviewNotLiftingOtherSuspensions(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		now := inst.Clock.Now()
		c, sid := inst.ConfirmedAccount(t, "Sid", "SUSPENDED", "sid@example.ca", "sid.suspended")
		w := fixture.ApprovedWorksite(t, inst.DB, "Harbour Clinic", "101", now.AddDate(-1, 0, 0), sid)
		r := rvAccess(t, inst, sid, w, now.AddDate(0, 0, 3))
		officer := inst.StaffClient(t, "officer")
		officer.Get(fmt.Sprintf("/staff/people/%d", sid.ID))
		if p := officer.Post(fmt.Sprintf("/staff/people/%d/suspend", sid.ID), url.Values{"reason": {"Privacy investigation."}}); p.Status != http.StatusSeeOther {
			t.Fatalf("suspend: %d", p.Status)
		}
		p := c.Get("/review")
		if p.Status != http.StatusOK ||
			!strings.Contains(p.Text("#review-message"), "for a reason other than the annual review") ||
			len(p.Find(`form[action="/review"]`)) != 0 {
			t.Fatalf("review page: %d %q", p.Status, p.Text("#review-message"))
		}
		p = c.Post(
			"/review",
			url.Values{"attest_correct": {"yes"}, "attest_direct_care": {"yes"}, "attest_annual_review": {"yes"}},
		)
		if p.Status != http.StatusConflict || !strings.Contains(p.Text("#review-message"), "cannot reinstate it") {
			t.Fatalf("confirm: %d %q", p.Status, p.Text("#review-message"))
		}
		if got := inst.AccessRequest(t, r.ID); got.Status != portal.ARSuspended {
			t.Fatalf("status %s", got.Status)
		}
		if es := inst.Emails(t, sid.Email, "review_confirmed"); len(es) != 0 {
			t.Fatal("a refused confirmation was emailed")
		}

		// Someone without approved access sees why there is nothing to do.
		nobody := inst.Confirmed(t, "Nat", "NOBODY", "nat@example.ca", "nat.nobody")
		p = nobody.Get("/review")
		if p.Status != http.StatusOK || p.Text("#review-none") == "" ||
			!strings.Contains(p.Text("#review-message"), "do not have approved CareConnect access") {
			t.Fatalf("no access: %d %q", p.Status, p.Text("main"))
		}
		if p := nobody.Post("/review", url.Values{"attest_correct": {"yes"}}); p.Status != http.StatusConflict {
			t.Fatalf("no access, confirm: %d", p.Status)
		}
	})
}

func TestWeb_ReviewMembers(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		now := inst.Clock.Now()
		admin, adminAcct := inst.ConfirmedAccount(t, "Ada", "SITEADMIN", "ada@example.ca", "ada.siteadmin")
		member, melAcct := inst.ConfirmedAccount(t, "Mel", "MEMBER", "mel@example.ca", "mel.member")
		_, louAcct := inst.ConfirmedAccount(t, "Lou", "LOCUM", "lou@example.ca", "lou.locum")
		stranger, stanAcct := inst.ConfirmedAccount(t, "Stan", "STRANGER", "stan@example.ca", "stan.stranger")
		w := fixture.ApprovedWorksite(
			t,
			inst.DB,
			"Harbour Clinic",
			"101",
			now.AddDate(-1, 0, -2),
			adminAcct,
			melAcct,
			louAcct,
		)
		fixture.ApprovedWorksite(t, inst.DB, "Stan's Clinic", "102", now.AddDate(0, -1, 0), stanAcct)
		path := fmt.Sprintf("/worksites/%d/review", w.ID)

		if run, err := inst.Portal.App.RunAnnualReview(t.Context()); err != nil || run.MemberReminders != 1 {
			t.Fatalf("run %+v %v", run, err)
		}
		es := inst.Emails(t, adminAcct.Email, "review_members_due")
		if len(es) != 1 || !strings.Contains(es[0].Text, path) {
			t.Fatalf("reminder emails %+v", es)
		}
		if n := admin.Get("/notifications"); !strings.Contains(
			n.Text("#action-table"),
			"Confirm the members of Harbour Clinic",
		) ||
			n.Attr(`#action-table a[href="`+path+`"]`, "href") == "" {
			t.Fatalf("notification centre: %s", n.Text("main"))
		}

		p := admin.Get(path)
		if p.Status != http.StatusOK || len(p.Find("#review-members tbody tr")) != 3 ||
			!strings.Contains(p.Text("#review-members"), "Lou LOCUM") ||
			!strings.Contains(p.Text("#members-due"), "overdue") ||
			len(p.Find(`input[name="remove"]`)) != 3 {
			t.Fatalf("review page: %d %q", p.Status, p.Text("main"))
		}
		lou := fmt.Sprint(louAcct.ID)

		// Not confirmed: field error, the ticked member stays ticked.
		p = admin.Post(path, url.Values{"remove": {lou}})
		if p.Status != http.StatusUnprocessableEntity || p.Text("#confirm_members-error") == "" ||
			len(
				p.Find(`input[name="remove"][value="`+lou+`"][checked]`),
			) != 1 || len(p.Find(`input[name="remove"][checked]`)) != 1 {
			t.Fatalf("unconfirmed: %d %q", p.Status, p.Text(".error-summary"))
		}
		// Removing the only site administrator is refused.
		p = admin.Post(path, url.Values{"remove": {fmt.Sprint(adminAcct.ID)}, "confirm_members": {"yes"}})
		if p.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(p.Text("#members-error"), "Keep at least one site administrator") ||
			len(p.Find(`input[name="confirm_members"][checked]`)) != 1 {
			t.Fatalf("only administrator: %d %q", p.Status, p.Text(".error-summary"))
		}
		if m, _ := inst.DB.Read().FindMember(t.Context(), w.ID, louAcct.ID); m.Status != portal.MemberActive {
			t.Fatal("a refused review decommissioned someone")
		}

		// Others cannot see or confirm it.
		for name, cl := range map[string]*portaltest.Client{"member": member, "another worksite's administrator": stranger} {
			if p := cl.Get(path); p.Status != http.StatusNotFound {
				t.Errorf("%s: GET %d", name, p.Status)
			}
			if p := cl.Post(path, url.Values{"confirm_members": {"yes"}, "remove": {lou}}); p.Status != http.StatusNotFound {
				t.Errorf("%s: POST %d", name, p.Status)
			}
		}
		if p := admin.Get("/worksites/999999/review"); p.Status != http.StatusNotFound {
			t.Fatalf("unknown worksite: %d", p.Status)
		}

		p = admin.Post(path, url.Values{"remove": {lou}, "confirm_members": {"yes"}})
		if p.Status != http.StatusSeeOther || p.Location != fmt.Sprintf("/worksites/%d", w.ID) {
			t.Fatalf("confirm: %d %q %s", p.Status, p.Location, p.Text("main"))
		}
		if f := admin.Follow(p).Text(".flash"); !strings.Contains(
			f,
			"The members are confirmed. 1 member was decommissioned.",
		) {
			t.Fatalf("flash %q", f)
		}
		if m, _ := inst.DB.Read().FindMember(t.Context(), w.ID, louAcct.ID); m.Status != portal.MemberDecommissioned {
			t.Fatalf("locum %+v", m)
		}
		if m, _ := inst.DB.Read().FindMember(t.Context(), w.ID, melAcct.ID); m.Status != portal.MemberActive {
			t.Fatalf("kept member %+v", m)
		}
		if es := inst.Emails(t, louAcct.Email, "membership_ended"); len(es) != 1 {
			t.Fatalf("%d membership emails", len(es))
		}
		if inst.AuditCount(t, portaltest.About("worksite", fmt.Sprint(w.ID)), "review.members_confirmed") != 1 {
			t.Fatal("confirmation not audited")
		}
		p = admin.Get(path)
		if p.Text("#members-confirmed") != rvPacificDate(t, inst.Clock.Now()) ||
			len(p.Find("#review-members tbody tr")) != 2 {
			t.Fatalf("after confirming: %q", p.Text("#members-review-summary"))
		}
		if n := admin.Get("/notifications"); strings.Contains(n.Text("main"), "Confirm the members of Harbour Clinic") {
			t.Fatal("the notification stayed after confirming")
		}
	})
}

func TestWeb_StaffReviews(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		now := inst.Clock.Now()
		ctx := t.Context()
		person, paula := inst.ConfirmedAccount(t, "Paula", "PERSON", "paula@example.ca", "paula.person")
		soon := apiAccount(t, inst.DB, "soon", portal.ProfPhysician, now)
		late := apiAccount(t, inst.DB, "late", portal.ProfPhysician, now)
		gone := apiAccount(t, inst.DB, "gone", portal.ProfPhysician, now)
		w := fixture.ApprovedWorksite(
			t,
			inst.DB,
			"Harbour Clinic",
			"101",
			now.AddDate(-2, 0, 0),
			paula,
			soon,
			late,
			gone,
		)
		rvAccess(t, inst, soon, w, now.AddDate(0, 0, 5))
		rvAccess(t, inst, late, w, now.AddDate(0, 0, -5))
		rvAccess(t, inst, gone, w, now.AddDate(0, 0, -31))
		if run, err := inst.Portal.App.RunAnnualReview(ctx); err != nil || run.Suspended != 1 ||
			run.Reminders[7] != 1 ||
			run.Skipped != 1 {
			t.Fatalf("run %+v %v", run, err)
		}

		officer := inst.StaffClient(t, "officer")
		p := officer.Get("/staff/reviews")
		if p.Status != http.StatusOK {
			t.Fatalf("staff reviews: %d", p.Status)
		}
		if got := p.Text("#reviews-due"); !strings.Contains(got, "Givensoon SURNAME") || !strings.Contains(got, rvPacificDate(t, now.AddDate(0, 0, 5))) ||
			!strings.Contains(got, "30 days before: skipped") ||
			!strings.Contains(got, "7 days before: sent") ||
			!strings.Contains(got, "1 day before: not sent") {
			t.Fatalf("due soon: %q", got)
		}
		if got := p.Text("#reviews-overdue"); !strings.Contains(got, "Givenlate SURNAME") ||
			strings.Contains(got, "Givensoon") ||
			!strings.Contains(got, rvPacificDate(t, now.AddDate(0, 0, 25))) {
			t.Fatalf("overdue: %q", got)
		}
		if got := p.Text("#reviews-suspended"); !strings.Contains(got, "Givengone SURNAME") ||
			strings.Contains(got, "Givenlate") {
			t.Fatalf("suspended: %q", got)
		}
		if got := p.Text("#reviews-worksites"); !strings.Contains(got, "Harbour Clinic") ||
			!strings.Contains(got, "paula@example.ca") {
			t.Fatalf("worksites: %q", got)
		}
		if p.Attr(fmt.Sprintf(`#reviews-due a[href="/staff/people/%d"]`, soon.ID), "href") == "" {
			t.Fatal("no link to the person's record")
		}

		auditor := inst.StaffClient(t, "auditor")
		if p := auditor.Get("/staff/reviews"); p.Status != http.StatusForbidden {
			t.Fatalf("auditor: %d", p.Status)
		}
		if p := person.Get("/staff/reviews"); p.Status != http.StatusForbidden ||
			!strings.Contains(p.Text("main"), "This page is for the CareConnect team.") {
			t.Fatalf("person: %d", p.Status)
		}
	})
}

func TestWeb_ReviewRoutesNeedSignIn(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		routes := web.RoutePatterns(inst.Portal.Server)
		for _, r := range reviewRoutes {
			if !slices.Contains(routes, r) {
				t.Errorf("route %s is not registered", r)
			}
		}
		for _, r := range routes {
			if (strings.Contains(r, " /review") || strings.HasSuffix(r, "/review") || strings.Contains(r, "/staff/reviews")) &&
				!slices.Contains(reviewRoutes, r) {
				t.Errorf("route %s is not covered by this test", r)
			}
		}
		visitor := inst.Client(t)
		visitor.SignIn("Vera", "VISITOR", "1990-01-01", "vera@example.ca") // a form token, but no account yet
		for _, route := range reviewRoutes {
			method, path, _ := strings.Cut(route, " ")
			path = strings.Replace(path, "{id}", "1", 1)
			var p *portaltest.Page
			if method == http.MethodGet {
				p = inst.Client(t).Get(path)
			} else {
				p = visitor.Post(path, url.Values{"confirm_members": {"yes"}})
			}
			if p.Status != http.StatusSeeOther {
				t.Errorf("%s signed out: %d", route, p.Status)
				continue
			}
			if strings.HasPrefix(path, "/staff/") {
				if !strings.HasPrefix(p.Location, "/staff/signin") {
					t.Errorf("%s signed out: to %q", route, p.Location)
				}
			} else if !strings.HasPrefix(p.Location, "/signin") && p.Location != "/register" {
				t.Errorf("%s signed out: to %q", route, p.Location)
			}
		}
	})
}
