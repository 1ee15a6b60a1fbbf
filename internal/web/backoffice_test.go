package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/web"
)

var boMeta = portal.RequestMeta{IP: "127.0.0.1", UserAgent: "test", RequestID: "test"}

// boSubmitted registers a person (a physician unless edit changes the
// registration form) with an approved worksite and both prerequisites, who
// submits a CareConnect access request.
func boSubmitted(
	t *testing.T,
	inst *portaltest.Instance,
	given, surname, username, unit string,
	edit func(url.Values),
) (*portaltest.Client, *portal.Account, *portal.AccessRequest) {
	t.Helper()
	email := username + "@example.ca"
	c := inst.Confirmed(t, given, surname, email, username, edit)
	id, _ := registerWorksite(t, inst, c, given+"'s Clinic", unit)
	a := inst.Portal.App
	acct := inst.Account(t, email)
	answers := map[string]int{}
	for _, q := range portal.TrainingQuiz {
		answers[q.ID] = q.Answer
	}
	if _, err := a.SubmitQuiz(t.Context(), boMeta, acct, answers); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SignHPCAA(t.Context(), boMeta, acct, portal.HPCAASignature{FullName: acct.LegalName(), Agree: true}); err != nil {
		t.Fatal(err)
	}
	ws, _ := strconv.ParseInt(id, 10, 64)
	r, err := a.SubmitAccessRequest(
		t.Context(),
		boMeta,
		acct,
		portal.AccessRequestInput{WorksiteIDs: []portal.WorksiteID{portal.WorksiteID(ws)},
			FirstName: given, LastName: surname, Job: "Family physician", CollegeID: "", AttestCorrect: true, AttestDirectCare: true,
			AttestAnnualReview: true, ReasonJobDuties: true},
	)
	if err != nil {
		t.Fatal(err)
	}
	return c, acct, r
}

// boPendingWorksite registers a worksite typed by hand whose declaration
// is not signed yet; it returns its id and Worksite ID.
func boPendingWorksite(t *testing.T, c *portaltest.Client, name, unit string) (id, code string) {
	t.Helper()
	id, decl := c.RegisterWorksite(portaltest.WorksiteForm(name, unit))
	m := codeRe.FindStringSubmatch(decl.Text(".flash"))
	if m == nil {
		t.Fatal("no Worksite ID in the flash")
	}
	return id, m[1]
}

func boViews(t *testing.T, inst *portaltest.Instance, acct portal.AccountID) []string {
	t.Helper()
	var out []string
	for _, e := range inst.Audit(t, portaltest.About("account", strconv.FormatInt(int64(acct), 10))) {
		if e.Action == "staff.viewed_person" {
			out = append(out, e.ActorID+" "+e.Details)
		}
	}
	return out
}

// backOfficeRoutes are the routes of internal/web/backoffice.go.
var backOfficeRoutes = []string{
	"GET /staff/queue",
	"GET /staff/requests/{id}",
	"POST /staff/requests/{id}/claim",
	"POST /staff/requests/{id}/release",
	"POST /staff/requests/{id}/approve",
	"POST /staff/requests/{id}/decline",
	"POST /staff/requests/{id}/info",
	"GET /staff/people/{id}",
	"POST /staff/people/{id}/suspend",
	"POST /staff/people/{id}/reinstate",
	"POST /staff/people/{id}/deprovision",
	"GET /staff/worksites",
	"POST /staff/worksites/{code}/approve",
	"POST /staff/worksites/{code}/decline",
}

func TestBackoffice_Authorization(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		// Every route under the back office's paths is in the list, and the
		// other way round.
		registeredRoutes := web.RoutePatterns(inst.Portal.Server)
		for _, p := range registeredRoutes {
			for _, prefix := range []string{"/staff/queue", "/staff/requests", "/staff/people", "/staff/worksites"} {
				if strings.Contains(p, " "+prefix) && !slices.Contains(backOfficeRoutes, p) {
					t.Errorf("route %s is not covered by this test", p)
				}
			}
		}
		for _, p := range backOfficeRoutes {
			if !slices.Contains(registeredRoutes, p) {
				t.Errorf("route %s is not registered", p)
			}
		}

		person, acct, req := boSubmitted(t, inst, "Dalia", "EIGHTEEN", "dalia18", "101", nil)
		_, code := boPendingWorksite(t, person, "Pending Clinic", "102")
		fill := strings.NewReplacer("{id}", strconv.FormatInt(int64(req.ID), 10), "{code}", code).Replace
		pathOf := func(route string) (method, path string) {
			method, path, _ = strings.Cut(route, " ")
			if strings.HasPrefix(path, "/staff/people/") {
				path = strings.Replace(path, "{id}", strconv.FormatInt(int64(acct.ID), 10), 1)
			}
			return method, fill(path)
		}
		form := url.Values{"reason": {"Testing."}, "scopes": {"demographics"}, "decline_code": {"other"},
			"decline_text": {"Testing."}, "question": {"Why?"}}

		auditor := inst.StaffClient(t, "auditor")
		// A visitor part-way through signing in: a session with a form token, but nobody signed in.
		visitor := inst.Client(t)
		visitor.SignIn("Vera", "VISITOR", "1990-01-01", "vera@example.ca")
		if visitor.CSRF == "" {
			t.Fatal("the visitor has no form token")
		}
		for _, route := range backOfficeRoutes {
			method, path := pathOf(route)
			t.Run(route, func(t *testing.T) {
				do := func(c *portaltest.Client) *portaltest.Page {
					if method == http.MethodGet {
						return c.Get(path)
					}
					f := url.Values{}
					for k, v := range form {
						f[k] = slices.Clone(v)
					}
					return c.Post(path, f)
				}
				if p := do(auditor); p.Status != http.StatusForbidden ||
					!strings.Contains(p.Text("main"), "Your role in the CareConnect team does not include this page.") {
					t.Errorf("auditor: %d %s", p.Status, p.Text("main"))
				}
				if p := do(person); p.Status != http.StatusForbidden ||
					!strings.Contains(p.Text("main"), "This page is for the CareConnect team.") {
					t.Errorf("person: %d %s", p.Status, p.Text("main"))
				}
				p := do(visitor)
				want := "/staff/signin"
				if method == http.MethodGet {
					want += "?return_to=" + url.QueryEscape(path)
				}
				if p.Status != http.StatusSeeOther || p.Location != want {
					t.Errorf("signed out: %d %q, want a redirect to %q", p.Status, p.Location, want)
				}
				if method == http.MethodGet {
					if p := inst.Client(t).Get(path); p.Status != http.StatusSeeOther || p.Location != want {
						t.Errorf("without a session: %d %q", p.Status, p.Location)
					}
				}
			})
		}
		// Nothing happened, and nobody looked at the person's record.
		if cur := inst.AccessRequest(t, req.ID); cur.Status != portal.ARSubmitted || cur.ClaimedBy != "" {
			t.Fatalf("request changed: %+v", cur)
		}
		if w, _ := inst.DB.Read().FindWorksiteByCode(t.Context(), portal.WorksiteCode(code)); w.Status != portal.WorksitePending {
			t.Fatalf("worksite %s", w.Status)
		}
		if v := boViews(t, inst, acct.ID); v != nil {
			t.Fatalf("views %v", v)
		}
	})
}

func TestBackoffice_QueueAndDecisions(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		person, acct, req := boSubmitted(t, inst, "Dalia", "EIGHTEEN", "dalia18", "101", nil)
		officer := inst.StaffClient(t, "officer")
		admin := inst.StaffClient(t, "administrator")
		reqPath := fmt.Sprintf("/staff/requests/%d", req.ID)

		// The queue: one open request, with its person, profession and worksite.
		q := officer.Get("/staff/queue")
		if q.Status != http.StatusOK || q.Text("#showing") != "Showing 1 to 1 of 1 entries" {
			t.Fatalf("queue: %d %q", q.Status, q.Text("#showing"))
		}
		row := q.Text("#queue-table tbody tr")
		for _, want := range []string{"Dalia EIGHTEEN", "dalia18@example.ca", "Physician", "Authorizer", "Dalia's Clinic", "Pending approval", "Unclaimed"} {
			if !strings.Contains(row, want) {
				t.Errorf("queue row %q lacks %q", row, want)
			}
		}
		if q.Attr("#queue-table tbody a", "href") != reqPath {
			t.Fatalf("row links to %q", q.Attr("#queue-table tbody a", "href"))
		}
		// The request's reference number is in its row (and on its page, below).
		ref := portal.ReferenceNumber(req.ID, req.CreatedAt)
		if got := q.Text("#queue-table tbody td:nth-child(2)"); got != ref {
			t.Fatalf("queue reference %q, want %q", got, ref)
		}
		// The filters are a GET form that keeps the chosen values.
		inst.Clock.Advance(time.Second)
		if q := officer.Get("/staff/queue?older_than=1"); q.Text("#showing") != "No requests match these filters." {
			t.Fatalf("older than a day: %q", q.Text("#showing"))
		}
		q = officer.Get(
			"/staff/queue?status=all&profession=physician&health_authority=Vancouver+Coastal+Health&older_than=0&sort=asc",
		)
		for sel, want := range map[string]string{"#status option[selected]": "all", "#profession option[selected]": "physician",
			"#sort option[selected]": "asc", "#health_authority option[selected]": "Vancouver Coastal Health"} {
			if got := q.Attr(sel, "value"); got != want {
				t.Errorf("%s: %q, want %q", sel, got, want)
			}
		}
		if q.Text("#showing") != "Showing 1 to 1 of 1 entries" || q.Attr("#older_than", "value") != "0" ||
			q.Attr("#queue-filters", "method") != "get" {
			t.Fatalf("filters not kept: %q %q", q.Text("#showing"), q.Attr("#older_than", "value"))
		}
		if !strings.Contains(q.Attr(`th[aria-sort="ascending"] a`, "href"), "sort=desc") {
			t.Fatalf("sort link %q", q.Attr("th a", "href"))
		}
		q = officer.Get("/staff/queue?profession=pharmacist")
		if q.Text("#showing") != "No requests match these filters." {
			t.Fatalf("pharmacists: %q", q.Text("#showing"))
		}
		q = officer.Get("/staff/queue?worksite=nope")
		if q.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(q.Text("#worksite-error"), "A Worksite ID has 7 letters") ||
			q.Attr("#worksite", "value") != "nope" {
			t.Fatalf("bad worksite filter: %d %q", q.Status, q.Text("#worksite-error"))
		}

		// The request page shows everything needed, and the view is audited.
		p := officer.Get(reqPath)
		if got := p.Text("#request-reference"); got != ref {
			t.Fatalf("request page reference %q, want %q", got, ref)
		}
		if p.Status != http.StatusOK {
			t.Fatalf("request page: %d %s", p.Status, p.Text("main"))
		}
		for sel, want := range map[string]string{
			"#identity":      "EIGHTEEN",
			"#profession":    "MSP billing number A1234",
			"#worksites":     "Registered this worksite",
			"#prerequisites": "Completed version",
			"#checks":        "The CPSID 12345 has the expected format.",
			"#form-answers":  "Family physician",
			"#history":       "Submitted the CareConnect Enrolment Form.",
			"#claimed-by":    "Nobody has claimed this request.",
		} {
			if got := p.Text(sel); !strings.Contains(got, want) {
				t.Errorf("%s: %q lacks %q", sel, got, want)
			}
		}
		if !strings.Contains(p.Text("#identity"), "1980-04-18") ||
			!strings.Contains(p.Text("#identity"), `HXBC\dalia18`) {
			t.Errorf("identity %q", p.Text("#identity"))
		}
		if len(p.Find("#decide")) != 0 {
			t.Fatal("decision forms shown before the request is claimed")
		}
		if v := boViews(t, inst, acct.ID); len(v) != 1 || !strings.Contains(v[0], `"page":"access_request"`) {
			t.Fatalf("views %v", v)
		}

		// Deciding without a claim is refused with its reason.
		p = officer.Post(reqPath+"/approve", url.Values{"scopes": {"demographics"}})
		if p.Status != http.StatusConflict ||
			p.Text("#action-message") != "Claim this request before you decide on it." {
			t.Fatalf("unclaimed approve: %d %q", p.Status, p.Text("#action-message"))
		}
		// Claim; another officer is told who has it.
		p = officer.Follow(officer.Post(reqPath+"/claim", nil))
		if !strings.Contains(p.Text(".flash"), "You claimed this request") ||
			!strings.Contains(p.Text("#claimed-by"), "You claimed this request") {
			t.Fatalf("claim: %q / %q", p.Text(".flash"), p.Text("#claimed-by"))
		}
		admin.Get(reqPath)
		p = admin.Post(reqPath+"/claim", nil)
		if p.Status != http.StatusConflict ||
			!strings.HasPrefix(p.Text("#action-message"), "Olivia OFFICER claimed this request on ") {
			t.Fatalf("second claim: %d %q", p.Status, p.Text("#action-message"))
		}
		if q := officer.Get("/staff/queue"); !strings.Contains(q.Text("#queue-table tbody tr"), "Olivia OFFICER") {
			t.Fatalf("queue does not name the claimer: %s", q.Text("#queue-table"))
		}

		// The approval form: every allowed scope pre-ticked.
		p = officer.Get(reqPath)
		if n, ticked := len(p.Find(`input[name="scopes"]`)), len(p.Find(`input[name="scopes"][checked]`)); n != len(
			portal.DataScopes,
		) ||
			ticked != n {
			t.Fatalf("%d scope boxes, %d ticked", n, ticked)
		}
		p = officer.Post(reqPath+"/approve", nil)
		if p.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(p.Text("#scopes-error"), "Choose at least one data scope to grant.") ||
			len(p.Find(`input[name="scopes"][checked]`)) != 0 {
			t.Fatalf("no scopes: %d %q", p.Status, p.Text("#scopes-error"))
		}

		// Ask for more information; the person answers in the portal.
		p = officer.Post(reqPath+"/info", url.Values{"question": {""}})
		if p.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(p.Text("#question-error"), "Type the question") {
			t.Fatalf("empty question: %d %q", p.Status, p.Text("#question-error"))
		}
		p = officer.Post(reqPath+"/info", url.Values{"question": {"Which days do you work at the clinic?"}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("info: %d %s", p.Status, p.Text("main"))
		}
		if p = officer.Follow(p); p.Text("#request-status") != "More information needed" ||
			len(p.Find("#waiting-answer")) != 1 {
			t.Fatalf("after info: %q", p.Text("#request-status"))
		}
		es := inst.Emails(t, acct.Email, "access_info_needed")
		if len(es) != 1 || !strings.Contains(es[0].Text, "Which days do you work at the clinic?") ||
			!strings.Contains(es[0].Text, "/application/status") {
			t.Fatalf("info emails %+v", es)
		}
		st := person.Get("/application/status")
		if st.Text("#info-question") != "Which days do you work at the clinic?" {
			t.Fatalf("person sees %q", st.Text("#info-question"))
		}
		if p := person.Post("/application/answer", url.Values{"answer": {"Mondays and Thursdays."}}); p.Status != http.StatusSeeOther {
			t.Fatalf("answer: %d", p.Status)
		}
		q = officer.Get("/staff/queue?status=submitted")
		if q.Text("#showing") != "Showing 1 to 1 of 1 entries" {
			t.Fatalf("answered request not back in the queue: %q", q.Text("#showing"))
		}
		p = officer.Get(reqPath)
		if p.Text("#info-answer") != "Mondays and Thursdays." {
			t.Fatalf("answer shown %q", p.Text("#info-answer"))
		}

		// Approve, narrowed to two scopes.
		p = officer.Post(reqPath+"/approve", url.Values{"scopes": {"demographics", "laboratory_results"}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("approve: %d %s %s", p.Status, p.Text("#action-message"), p.Text(".error-summary"))
		}
		p = officer.Follow(p)
		if !strings.Contains(p.Text(".flash"), "You approved the request of Dalia EIGHTEEN") ||
			p.Text("#granted-scopes") != "Granted: Demographics, Laboratory results." ||
			!strings.HasPrefix(p.Text("#decision"), "Approved by Olivia OFFICER on ") {
			t.Fatalf("approved page: %q %q %q", p.Text(".flash"), p.Text("#granted-scopes"), p.Text("#decision"))
		}
		if es := inst.Emails(t, acct.Email, "access_approved"); len(es) != 1 ||
			!strings.Contains(es[0].Text, "Laboratory results") {
			t.Fatalf("approval emails %+v", es)
		}
		if !strings.Contains(p.Text("#history"), "Approved. Data scopes granted: Demographics, Laboratory results.") {
			t.Fatalf("history %q", p.Text("#history"))
		}
		// A second decision sees what happened.
		p = officer.Post(reqPath+"/decline", url.Values{"decline_code": {"other"}, "decline_text": {"Too late."}})
		if p.Status != http.StatusConflict ||
			!strings.HasPrefix(p.Text("#action-message"), "This request was already approved by Olivia OFFICER on ") {
			t.Fatalf("second decision: %d %q", p.Status, p.Text("#action-message"))
		}
		if st := person.Get("/application/status"); st.Text("#request-status") != "Approved" {
			t.Fatalf("person sees %q", st.Text("#request-status"))
		}
	})
}

func TestBackoffice_DeclineAndWiden(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		// A pharmacist: no PharmaNet through CareConnect.
		_, acct, req := boSubmitted(t, inst, "Pat", "PHARMACIST", "pat.pharm", "101", func(f url.Values) {
			f.Set("profession", string(portal.ProfPharmacist))
			f.Set("college_id", "P-20417")
		})
		officer := inst.StaffClient(t, "officer")
		reqPath := fmt.Sprintf("/staff/requests/%d", req.ID)
		officer.Get(reqPath)
		officer.Follow(officer.Post(reqPath+"/claim", nil))
		p := officer.Get(reqPath)
		if n := len(p.Find(`input[name="scopes"]`)); n != 6 ||
			len(p.Find(`input[value="pharmanet_medications"]`)) != 0 {
			t.Fatalf("%d scope boxes for a pharmacist", n)
		}
		p = officer.Post(reqPath+"/approve", url.Values{"scopes": {"demographics", "pharmanet_medications"}})
		if p.Status != http.StatusUnprocessableEntity ||
			p.Text(
				"#scopes-error",
			) != "Error: An officer may narrow the data scopes, never widen them: PharmaNet medications is not allowed for this profession." {
			t.Fatalf("widen: %d %q", p.Status, p.Text("#scopes-error"))
		}
		if inst.AccessRequest(t, req.ID).Status != portal.ARSubmitted {
			t.Fatal("refused approval changed the request")
		}

		p = officer.Post(reqPath+"/decline", url.Values{"decline_code": {"identity"}, "decline_text": {""}})
		if p.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(p.Text("#decline_text-error"), "Explain the decision") ||
			p.Attr(`#decline_code option[selected]`, "value") != "identity" {
			t.Fatalf("decline without text: %d %q", p.Status, p.Text("#decline_text-error"))
		}
		p = officer.Post(reqPath+"/decline", url.Values{"decline_text": {"Your name does not match."}})
		if p.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(p.Text("#decline_code-error"), "Choose the reason") ||
			p.Text("#decline_text") != "Your name does not match." {
			t.Fatalf("decline without code: %d %q", p.Status, p.Text("#decline_code-error"))
		}
		p = officer.Post(
			reqPath+"/decline",
			url.Values{"decline_code": {"identity"}, "decline_text": {"Your name does not match."}},
		)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("decline: %d %s", p.Status, p.Text("main"))
		}
		p = officer.Follow(p)
		if p.Text("#request-status") != "Declined" ||
			!strings.Contains(
				p.Text("#history"),
				"Declined (Identity could not be confirmed): Your name does not match.",
			) {
			t.Fatalf("declined page %q / %q", p.Text("#request-status"), p.Text("#history"))
		}
		es := inst.Emails(t, acct.Email, "access_declined")
		if len(es) != 1 || !strings.Contains(es[0].Text, "Reason: Identity could not be confirmed") {
			t.Fatalf("decline emails %+v", es)
		}
	})
}

func TestBackoffice_PersonAccess(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		_, acct, req := boSubmitted(t, inst, "Dalia", "EIGHTEEN", "dalia18", "101", nil)
		officer := inst.StaffClient(t, "officer")
		reqPath := fmt.Sprintf("/staff/requests/%d", req.ID)
		personPath := fmt.Sprintf("/staff/people/%d", acct.ID)
		officer.Get(reqPath)
		officer.Follow(officer.Post(reqPath+"/claim", nil))
		if p := officer.Post(reqPath+"/approve", url.Values{"scopes": {"demographics"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("approve: %d", p.Status)
		}

		p := officer.Get(personPath)
		if p.Status != http.StatusOK || !strings.Contains(p.Text("#access-status"), "Approved with Demographics") ||
			!strings.Contains(p.Text("#memberships"), "Dalia's Clinic") || p.Attr("#requests a", "href") != reqPath {
			t.Fatalf("person page: %d %q", p.Status, p.Text("#access"))
		}
		if len(p.Find(`form[action="`+personPath+`/suspend"]`)) != 1 ||
			len(p.Find(`form[action="`+personPath+`/deprovision"]`)) != 1 ||
			len(p.Find(`form[action="`+personPath+`/reinstate"]`)) != 0 {
			t.Fatal("wrong forms for approved access")
		}
		views := boViews(t, inst, acct.ID)
		if len(views) != 3 ||
			!strings.Contains(views[2], `"page":"person"`) { // the request page twice, then the record
			t.Fatalf("views %v", views)
		}

		p = officer.Post(personPath+"/suspend", url.Values{"reason": {" "}})
		if p.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(p.Text("#reason-suspend-error"), "Give a reason") {
			t.Fatalf("suspend without reason: %d %q", p.Status, p.Text("#reason-suspend-error"))
		}
		p = officer.Post(personPath+"/reinstate", url.Values{"reason": {"Why not."}})
		if p.Status != http.StatusConflict ||
			p.Text("#action-message") != "The access cannot be reinstated: its status is approved." {
			t.Fatalf("reinstate approved: %d %q", p.Status, p.Text("#action-message"))
		}
		p = officer.Post(personPath+"/suspend", url.Values{"reason": {"Privacy investigation."}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("suspend: %d %s", p.Status, p.Text("main"))
		}
		p = officer.Follow(p)
		if !strings.Contains(p.Text(".flash"), "Access suspended.") ||
			!strings.Contains(p.Text("#access-status"), "Suspended") ||
			len(p.Find(`form[action="`+personPath+`/reinstate"]`)) != 1 {
			t.Fatalf("suspended page %q %q", p.Text(".flash"), p.Text("#access-status"))
		}
		p = officer.Follow(officer.Post(personPath+"/reinstate", url.Values{"reason": {"Investigation closed."}}))
		if !strings.Contains(p.Text("#access-status"), "Approved") {
			t.Fatalf("reinstated page %q", p.Text("#access-status"))
		}
		p = officer.Follow(officer.Post(personPath+"/deprovision", url.Values{"reason": {"Left the province."}}))
		if !strings.Contains(p.Text("#access-status"), "Access removed") || len(p.Find(`#access form`)) != 0 {
			t.Fatalf("removed page %q", p.Text("#access-status"))
		}
		for kind, want := range map[string]string{"access_suspended": "Privacy investigation.", "access_reinstated": "Investigation closed.", "access_deprovisioned": "Left the province."} {
			if es := inst.Emails(t, acct.Email, kind); len(es) != 1 || !strings.Contains(es[0].Text, want) {
				t.Errorf("%s emails %+v", kind, es)
			}
		}
		if h := officer.Get(reqPath).Text("#history"); !strings.Contains(
			h,
			"Access suspended: Privacy investigation.",
		) ||
			!strings.Contains(h, "Access reinstated: Investigation closed.") ||
			!strings.Contains(h, "Access removed: Left the province.") {
			t.Fatalf("history %q", h)
		}
		types := inst.Feed(t, acct.ID)
		if want := []string{"user.provisioned", "user.suspended", "user.reinstated", "user.deprovisioned"}; !slices.Equal(
			types,
			want,
		) {
			t.Fatalf("provisioning %v, want %v", types, want)
		}
		if p := officer.Get("/staff/people/999999"); p.Status != http.StatusNotFound {
			t.Fatalf("unknown person: %d", p.Status)
		}
		if p := officer.Get("/staff/requests/999999"); p.Status != http.StatusNotFound {
			t.Fatalf("unknown request: %d", p.Status)
		}
	})
}

func TestBackoffice_Worksites(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		lead := inst.Confirmed(t, "Lena", "MOA", "lena@example.ca", "lena.moa")
		id, code := boPendingWorksite(t, lead, "Kingsgate Mall Clinic", "101")
		_, other := boPendingWorksite(t, lead, "Not A Clinic", "102")
		officer := inst.StaffClient(t, "officer")

		p := officer.Get("/staff/worksites")
		card := p.Text("#worksite-" + code)
		for _, want := range []string{"Kingsgate Mall Clinic", "Private practice clinic", "Address typed by hand: it needs verification.",
			"Needs verification", "Lena MOA (lena@example.ca)", "Waiting for Lena MOA (lena@example.ca) to sign it", "Vancouver Coastal Health"} {
			if !strings.Contains(card, want) {
				t.Errorf("worksite card lacks %q: %s", want, card)
			}
		}
		if p.Text("#pending-count") != "2 worksites waiting, oldest first." ||
			len(p.Find(`form[action="/staff/worksites/`+code+`/approve"]`)) != 0 {
			t.Fatalf("count %q, or an approve button before the declaration", p.Text("#pending-count"))
		}
		p = officer.Post("/staff/worksites/"+code+"/approve", nil)
		if p.Status != http.StatusBadRequest ||
			p.Text(
				"#action-message",
			) != "Kingsgate Mall Clinic cannot be approved before its Worksite Privacy & Security Declaration is signed." {
			t.Fatalf("approve unsigned: %d %q", p.Status, p.Text("#action-message"))
		}
		p = officer.Post("/staff/worksites/"+other+"/decline", url.Values{"reason": {""}})
		if p.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(p.Text("#reason-"+other+"-error"), "Give a reason") {
			t.Fatalf("decline without reason: %d %q", p.Status, p.Text("#reason-"+other+"-error"))
		}
		p = officer.Post("/staff/worksites/"+other+"/decline", url.Values{"reason": {"A storage unit, not a clinic."}})
		if p.Status != http.StatusSeeOther ||
			!strings.Contains(officer.Follow(p).Text(".flash"), "You declined Not A Clinic") {
			t.Fatalf("decline: %d", p.Status)
		}

		// The registrant signs the declaration; now it can be approved.
		acct := accountOf(t, inst, lead)
		if p := lead.Post("/worksites/"+id+"/declaration", url.Values{"agree": {"yes"}, "full_name": {acct.LegalName()}}); p.Status != http.StatusSeeOther {
			t.Fatalf("sign: %d %s", p.Status, p.Text(".error-summary"))
		}
		p = officer.Get("/staff/worksites")
		if !strings.Contains(p.Text("#worksite-"+code+" .declaration"), "Signed by Lena MOA") ||
			!strings.Contains(p.Text("#worksite-"+code+" .declaration"), "version "+portal.DeclarationVersion) {
			t.Fatalf("declaration %q", p.Text("#worksite-"+code+" .declaration"))
		}
		p = officer.Post("/staff/worksites/"+code+"/approve", nil)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("approve: %d %s", p.Status, p.Text("main"))
		}
		p = officer.Follow(p)
		if !strings.Contains(p.Text(".flash"), "You approved Kingsgate Mall Clinic") ||
			p.Text("#pending-count") != "No worksites are waiting for the CareConnect team." {
			t.Fatalf("after approval: %q %q", p.Text(".flash"), p.Text("#pending-count"))
		}
		w, _ := inst.DB.Read().FindWorksiteByCode(t.Context(), portal.WorksiteCode(code))
		if w.Status != portal.WorksiteApproved || !w.AddressVerified {
			t.Fatalf("worksite %+v", w)
		}
		decided := inst.Emails(t, "lena@example.ca", "worksite_decided")
		if len(decided) != 2 || !strings.Contains(decided[0].Subject, "Kingsgate Mall Clinic was approved") ||
			!strings.Contains(decided[1].Text, "A storage unit, not a clinic.") {
			t.Fatalf("decision emails %+v", decided)
		}
	})
}
