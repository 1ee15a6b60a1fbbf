package web_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/web"
)

// joinDirectly makes people active members of a worksite, as if its
// administrator had approved their requests.
func joinDirectly(t *testing.T, inst *portaltest.Instance, worksiteID string, emails ...string) {
	t.Helper()
	var accts []*portal.Account
	for _, e := range emails {
		accts = append(accts, inst.Account(t, e))
	}
	inst.Join(t, portal.WorksiteID(mustAtoi(t, worksiteID)), accts...)
}

// enrolledAt gives a person approved CareConnect access at a worksite, so
// that as an authorizer they may sponsor people.
func enrolledAt(t *testing.T, inst *portaltest.Instance, email, worksiteID string) *portal.Account {
	t.Helper()
	w, err := inst.DB.Read().FindWorksiteByID(t.Context(), portal.WorksiteID(mustAtoi(t, worksiteID)))
	if err != nil {
		t.Fatal(err)
	}
	acct := inst.Account(t, email)
	fixture.Provision(t, inst.DB, acct, inst.Clock.Now(), "demographics,laboratory_results", w)
	return acct
}

func sponsorshipEmails(t *testing.T, inst *portaltest.Instance, to, kind string, n int) []*store.Email {
	t.Helper()
	es := inst.Emails(t, to, kind)
	if len(es) != n {
		t.Fatalf("%d %s emails to %s, want %d", len(es), kind, to, n)
	}
	return es
}

var sponsorshipLink = regexp.MustCompile(`/sponsorships/(\d+)`)

// doctorAndMOA signs in Dalia DOCTOR, the site administrator of the
// approved Kingsgate Mall Clinic, and Mona FRONTDESK, a newly registered
// MOA who belongs to no worksite yet.
func doctorAndMOA(t *testing.T, inst *portaltest.Instance) (doc *portaltest.Client, wsID string, moa *portaltest.Client) {
	t.Helper()
	doc, wsID = kingsgateAdmin(t, inst)
	moa = inst.Registered(t, "Mona", "FRONTDESK", "mona@example.ca", "mona.frontdesk", portaltest.AsMOA)
	return doc, wsID, moa
}

func TestWeb_Sponsorship(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		doc, wsID, moa := doctorAndMOA(t, inst)
		res := inst.Registered(t, "Rae", "RESIDENT", "rae@example.ca", "rae.resident", portaltest.AsResident)
		pharm := inst.Registered(t, "Phil", "PHARMACIST", "phil@example.ca", "phil.pharmacist", portaltest.AsPharmacist)
		joinDirectly(t, inst, wsID, "mona@example.ca", "rae@example.ca", "phil@example.ca")
		docAcct := enrolledAt(t, inst, "dalia@example.ca", wsID)
		choice := formatInt(int64(docAcct.ID)) + ":" + wsID

		// A pharmacist neither needs nor gives sponsorship.
		p := pharm.Get("/sponsorships")
		if p.Status != 200 || !strings.Contains(p.Text("#not-applicable"), "Independent user") ||
			len(p.Find(`form[action="/sponsorships"]`)) != 0 {
			t.Fatalf("pharmacist: %d %q", p.Status, p.Text("#not-applicable"))
		}
		if p := pharm.Post("/sponsorships", url.Values{"authorizer": {choice}}); p.Status != http.StatusForbidden {
			t.Fatalf("pharmacist asking: %d", p.Status)
		}

		// The MOA sees only the physician, not the resident or the pharmacist.
		p = moa.Get("/sponsorships")
		if got := p.Text("#candidates"); got != "Dalia DOCTOR, Physician, at Kingsgate Mall Clinic" {
			t.Fatalf("candidates %q", got)
		}
		if p.Attr(`#candidates input[type="radio"]`, "value") != choice || len(p.Find("#residency_start")) != 0 {
			t.Fatal("candidate radio or residency fields wrong for an MOA")
		}
		if p := moa.Get("/sponsorships?q=zzz"); !strings.Contains(p.Text("#no-candidates"), "matches") {
			t.Fatalf("search without a match: %q", p.Text("#no-candidates"))
		}
		p = moa.Post("/sponsorships", url.Values{"message": {"Front desk."}})
		if p.Status != http.StatusUnprocessableEntity || p.Text("#authorizer-error") == "" ||
			p.Text("#message") != "Front desk." {
			t.Fatalf("no choice: %d %q", p.Status, p.Text("#authorizer-error"))
		}
		p = moa.Post("/sponsorships", url.Values{"authorizer": {choice}, "message": {"I run the front desk."}})
		if p.Status != http.StatusSeeOther || p.Location != "/sponsorships" {
			t.Fatalf("request: %d %s", p.Status, p.Text("main"))
		}
		p = moa.Follow(p)
		if !strings.Contains(p.Text(".flash"), "sent to Dalia DOCTOR") ||
			!strings.Contains(p.Text("#requested-table"), "Waiting for the authorizer") {
			t.Fatalf("after the request: %q / %q", p.Text(".flash"), p.Text("#requested-table"))
		}
		es := sponsorshipEmails(t, inst, "dalia@example.ca", "sponsorship_requested", 1)
		m := sponsorshipLink.FindStringSubmatch(es[0].Text)
		if m == nil || !strings.Contains(es[0].Text, "I run the front desk.") {
			t.Fatalf("request email:\n%s", es[0].Text)
		}
		link := m[0]
		p = moa.Post("/sponsorships", url.Values{"authorizer": {choice}})
		if p.Status != http.StatusConflict ||
			!strings.Contains(p.Text("#authorizer-error"), "already asked Dalia DOCTOR") {
			t.Fatalf("asking twice: %d %q", p.Status, p.Text("#authorizer-error"))
		}
		p = moa.Get(link)
		if p.Status != 200 || !strings.Contains(p.Text("#waiting"), "waiting for Dalia DOCTOR") ||
			len(p.Find(`form[action$="/approve"]`)) != 0 {
			t.Fatalf("requester's page: %d %q", p.Status, p.Text("main"))
		}

		// The authorizer: the Notification Centre, the overview, the request page.
		nc := doc.Get("/notifications")
		if !strings.Contains(
			nc.Text("#action-table"),
			"Mona FRONTDESK would like to work on your behalf at Kingsgate Mall Clinic.",
		) ||
			nc.Attr(`#action-table form[action="`+link+`/approve"]`, "action") == "" ||
			nc.Attr(`#action-table a.btn-link[href="`+link+`"]`, "href") == "" {
			t.Fatalf("notification centre: %q", nc.Text("#action-table"))
		}
		if p := doc.Get("/sponsorships"); !strings.Contains(p.Text("#pending-list"), "Mona FRONTDESK") {
			t.Fatalf("pending list %q", p.Text("#pending-list"))
		}
		p = doc.Get(link)
		if !strings.Contains(p.Text("#obo"), "mona@example.ca") ||
			len(p.Find(`form[action="`+link+`/decline"] textarea#reason`)) != 1 {
			t.Fatalf("authorizer's page: %s", p.Text("main"))
		}
		p = doc.Post(link+"/decline", url.Values{"reason": {" "}})
		if p.Status != http.StatusUnprocessableEntity || p.Text("#reason-error") == "" ||
			p.Attr("#reason", "aria-invalid") != "true" {
			t.Fatalf("decline without a reason: %d %q", p.Status, p.Text("#reason-error"))
		}
		p = doc.Post(nc.Attr(`#action-table form[action="`+link+`/approve"]`, "action"), nil)
		if p.Status != http.StatusSeeOther || p.Location != "/notifications" {
			t.Fatalf("approve: %d %q", p.Status, p.Location)
		}
		if got := doc.Follow(p).Text(".flash"); !strings.Contains(got, "You approved Mona FRONTDESK's request") {
			t.Fatalf("flash %q", got)
		}
		p = doc.Post(link+"/decline", url.Values{"reason": {"changed my mind"}})
		if p.Status != http.StatusConflict || !strings.Contains(p.Text(".flash-error"), "already approved") {
			t.Fatalf("second decision: %d %q", p.Status, p.Text(".flash-error"))
		}
		if es := sponsorshipEmails(t, inst, "mona@example.ca", "sponsorship_decided", 1); !strings.Contains(
			es[0].Subject,
			"approved",
		) {
			t.Fatalf("decision email %q", es[0].Subject)
		}
		if p := moa.Get("/notifications"); !strings.Contains(
			p.Text("#yours-title + .table-wrap"),
			"Request to work on behalf of Dalia DOCTOR at Kingsgate Mall Clinic Approved",
		) {
			t.Fatalf("your requests: %q", p.Text("#yours-title + .table-wrap"))
		}
		// The MOA may end the sponsorship from her side too, after a confirmation.
		if p := moa.Get(link); len(p.Find(`details.disclosure form[action="`+link+`/revoke"] textarea#reason`)) != 1 ||
			!strings.Contains(p.Text("details.disclosure button"), "stop working on behalf of Dalia DOCTOR") {
			t.Fatalf("the MOA's page of an active sponsorship: %s", p.Text("main"))
		}
		p = doc.Get("/sponsorships")
		if !strings.Contains(p.Text("#sponsored-table"), "Mona FRONTDESK") ||
			len(p.Find(`#sponsored-table details.disclosure form[action="`+link+`/revoke"]`)) != 1 {
			t.Fatalf("sponsored table: %q", p.Text("#sponsored-table"))
		}

		// A resident chooses a route first, then gives the residency dates.
		p = res.Get("/sponsorships")
		if len(p.Find(`form[action="/sponsorships/route"] input[name="route"]`)) != 2 ||
			len(p.Find("#candidates")) != 0 {
			t.Fatalf("resident before choosing: %s", p.Text("main"))
		}
		if p := res.Post("/sponsorships", url.Values{"authorizer": {choice}}); p.Status != http.StatusForbidden {
			t.Fatalf("asking before choosing: %d", p.Status)
		}
		p = res.Post("/sponsorships/route", url.Values{})
		if p.Status != http.StatusUnprocessableEntity || p.Text("#route-error") == "" {
			t.Fatalf("no route: %d %q", p.Status, p.Text("#route-error"))
		}
		p = res.Post("/sponsorships/route", url.Values{"route": {"sponsored"}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("choose: %d %s", p.Status, p.Text("main"))
		}
		p = res.Follow(p)
		if !strings.Contains(p.Text(".flash"), "sponsored") || len(p.Find("#residency_start")) != 1 ||
			!strings.Contains(p.Text("#current-route"), "Sponsored") {
			t.Fatalf("after choosing: %q %q", p.Text(".flash"), p.Text("#current-route"))
		}
		loc, _ := time.LoadLocation("America/Vancouver")
		today := inst.Clock.Now().In(loc)
		lastDay := today.AddDate(0, 0, 1).Format(time.DateOnly)
		p = res.Post(
			"/sponsorships",
			url.Values{"authorizer": {choice}, "residency_start": {today.AddDate(0, -6, 0).Format(time.DateOnly)}},
		)
		if p.Status != http.StatusUnprocessableEntity || p.Text("#residency_end-error") == "" {
			t.Fatalf("no end date: %d %q", p.Status, p.Text("#residency_end-error"))
		}
		p = res.Post(
			"/sponsorships",
			url.Values{
				"authorizer":      {choice},
				"residency_start": {today.AddDate(0, -6, 0).Format(time.DateOnly)},
				"residency_end":   {lastDay},
			},
		)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("resident's request: %d %s", p.Status, p.Text(".error-summary"))
		}
		es = sponsorshipEmails(t, inst, "dalia@example.ca", "sponsorship_requested", 2)
		resLink := sponsorshipLink.FindString(es[0].Text)
		p = doc.Post(resLink+"/approve", url.Values{"return_to": {"/sponsorships"}})
		if p.Status != http.StatusSeeOther || p.Location != "/sponsorships" {
			t.Fatalf("approve the resident: %d %q", p.Status, p.Location)
		}
		p = res.Post("/sponsorships/route", url.Values{"route": {"independent"}})
		if p.Status != http.StatusConflict || !strings.Contains(p.Text("#route-error"), "Dalia DOCTOR") {
			t.Fatalf("switching while sponsored: %d %q", p.Status, p.Text("#route-error"))
		}
		// The day after the last day of the residency, the job ends it.
		inst.RunJob(t, "residency-ends")
		if p := res.Get(resLink); !strings.Contains(p.Text("#sponsorship-status"), "Active") {
			t.Fatalf("ended too early: %q", p.Text("#sponsorship-status"))
		}
		inst.Clock.Advance(72 * time.Hour)
		inst.RunJob(t, "residency-ends")
		// Three days on, everyone signs in again.
		for _, c := range []*portaltest.Client{doc, moa, res} {
			c.HTTP.Jar, _ = cookiejar.New(nil)
		}
		doc.SignIn("Dalia", "DOCTOR", "1980-04-18", "dalia@example.ca")
		moa.SignIn("Mona", "FRONTDESK", "1980-04-18", "mona@example.ca")
		res.SignIn("Rae", "RESIDENT", "1980-04-18", "rae@example.ca")
		if p := res.Get(resLink); !strings.Contains(p.Text("#sponsorship-status"), "Ended with the residency") ||
			!strings.Contains(p.Text("#residency"), lastDay) {
			t.Fatalf("after the residency: %q", p.Text("#sponsorship-status"))
		}
		sponsorshipEmails(t, inst, "rae@example.ca", "sponsorship_ended", 1)

		// The authorizer revokes the MOA's sponsorship, with a confirmation and a reason.
		p = doc.Post(link+"/revoke", url.Values{"reason": {"Left the clinic."}, "return_to": {"/sponsorships"}})
		if p.Status != http.StatusSeeOther || p.Location != "/sponsorships" {
			t.Fatalf("revoke: %d %s", p.Status, p.Text("main"))
		}
		if p := doc.Follow(p); !strings.Contains(p.Text(".flash"), "You revoked Mona FRONTDESK's sponsorship") ||
			len(p.Find("#sponsored-table")) != 0 {
			t.Fatalf("after revoking: %q", p.Text(".flash"))
		}
		if es := sponsorshipEmails(t, inst, "mona@example.ca", "sponsorship_ended", 1); !strings.Contains(
			es[0].Text,
			"Left the clinic.",
		) {
			t.Fatalf("revocation email:\n%s", es[0].Text)
		}
		if p := doc.Post(link+"/revoke", nil); p.Status != http.StatusConflict || p.Text(".flash-error") == "" {
			t.Fatalf("revoking twice: %d", p.Status)
		}
		if p := moa.Get(link); !strings.Contains(p.Text("#sponsorship-status"), "Revoked") ||
			!strings.Contains(p.Text("#sponsorship-status"), "Left the clinic.") {
			t.Fatalf("requester after revocation: %q", p.Text("#sponsorship-status"))
		}
		if n, err := inst.Portal.App.ActiveSponsorCount(t.Context(), inst.Account(t, "mona@example.ca")); n != 0 ||
			err != nil {
			t.Fatalf("active sponsors %d %v", n, err)
		}
	})
}

func TestWeb_SponsorshipAuthorisation(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		doc := inst.Confirmed(t, "Dalia", "DOCTOR", "dalia@example.ca", "dalia.doctor")
		wsA, _ := registerWorksite(t, inst, doc, "Clinic A", "101")
		mona := inst.Registered(t, "Mona", "FRONTDESK", "mona@example.ca", "mona.frontdesk", portaltest.AsMOA)
		mia := inst.Registered(t, "Mia", "MEMBER", "mia@example.ca", "mia.member", portaltest.AsMOA)
		joinDirectly(t, inst, wsA, "mona@example.ca", "mia@example.ca")
		docAcct := enrolledAt(t, inst, "dalia@example.ca", wsA)
		choiceA := formatInt(int64(docAcct.ID)) + ":" + wsA
		if p := mona.Post("/sponsorships", url.Values{"authorizer": {choiceA}}); p.Status != http.StatusSeeOther {
			t.Fatalf("mona asks: %d", p.Status)
		}
		if p := mia.Post("/sponsorships", url.Values{"authorizer": {choiceA}}); p.Status != http.StatusSeeOther {
			t.Fatalf("mia asks: %d", p.Status)
		}
		all, _ := inst.DB.Read().FindSponsorships(t.Context(), store.SponsorshipFilter{AuthorizerAccountID: docAcct.ID})
		if len(all) != 2 {
			t.Fatalf("%d sponsorships", len(all))
		}
		pending, active := all[1], all[0] // Mona's first, Mia's second
		doc.Get("/sponsorships")
		if p := doc.Post(fmtSponsorship(active.ID)+"/approve", nil); p.Status != http.StatusSeeOther {
			t.Fatalf("approve mia: %d", p.Status)
		}

		// Outsiders: a physician and an MOA at another worksite.
		otto := inst.Confirmed(t, "Otto", "OUTSIDER", "otto@example.ca", "otto.outsider")
		wsB, _ := registerWorksite(t, inst, otto, "Clinic B", "102")
		olga := inst.Registered(t, "Olga", "OTHERSIDE", "olga@example.ca", "olga.otherside", portaltest.AsMOA)
		joinDirectly(t, inst, wsB, "olga@example.ca")

		// Signed out, every page asks to sign in.
		if p := inst.Client(t).Get("/sponsorships"); p.Status != http.StatusSeeOther ||
			!strings.HasPrefix(p.Location, "/signin") {
			t.Fatalf("signed out: %d %q", p.Status, p.Location)
		}
		// The person who asked cannot decide their own request.
		mona.Get("/sponsorships")
		if p := mona.Post(fmtSponsorship(pending.ID)+"/approve", nil); p.Status != http.StatusForbidden {
			t.Fatalf("self-approval: %d", p.Status)
		}

		secrets := []string{
			"mona@example.ca",
			"Mona FRONTDESK",
			"mia@example.ca",
			"Mia MEMBER",
			"Clinic A",
			"Dalia DOCTOR",
		}
		walkers := map[string]*portaltest.Client{"physician elsewhere": otto, "MOA elsewhere": olga}
		srv := inst.Portal.Server
		walked := 0
		for _, pattern := range web.RoutePatterns(srv) {
			method, path, _ := strings.Cut(pattern, " ")
			if !strings.HasPrefix(path, "/sponsorships") {
				continue
			}
			var paths []string
			switch {
			case strings.Contains(path, "{id}"):
				for _, s := range []*portal.Sponsorship{pending, active} {
					paths = append(paths, strings.Replace(path, "{id}", formatInt(int64(s.ID)), 1))
				}
			case path == "/sponsorships" || path == "/sponsorships/route":
				paths = []string{path}
			default:
				t.Errorf("route %s is not covered by this walk: add it", pattern)
				continue
			}
			for _, p := range paths {
				for name, c := range walkers {
					var page *portaltest.Page
					if method == "GET" {
						page = c.Get(p)
					} else {
						c.Get("/menu") // a fresh CSRF token
						page = c.Post(p, url.Values{"authorizer": {choiceA}, "reason": {"r"}, "route": {"sponsored"}, "message": {"hi"}})
					}
					walked++
					switch {
					case method == "GET" && p == "/sponsorships":
						if page.Status != http.StatusOK {
							t.Errorf("%s: GET %s gave %d", name, p, page.Status)
						}
					case page.Status != http.StatusForbidden && page.Status != http.StatusNotFound:
						t.Errorf("%s: %s %s gave %d, want 403 or 404", name, method, p, page.Status)
					}
					for _, secret := range secrets {
						if strings.Contains(page.Body, secret) {
							t.Errorf("%s: %s %s shows %q", name, method, p, secret)
						}
					}
				}
			}
		}
		if walked < 20 {
			t.Fatalf("walked only %d route visits", walked)
		}
		// Mia cannot read or decide Mona's request either.
		if p := mia.Get(fmtSponsorship(pending.ID)); p.Status != http.StatusNotFound ||
			strings.Contains(p.Body, "mona@example.ca") {
			t.Fatalf("mia reads mona's request: %d", p.Status)
		}
		mia.Get("/menu")
		if p := mia.Post(fmtSponsorship(pending.ID)+"/decline", url.Values{"reason": {"r"}}); p.Status != http.StatusNotFound {
			t.Fatalf("mia declines mona's request: %d", p.Status)
		}
		// Nothing changed, and the outsiders made no request.
		for _, want := range []struct {
			s      *portal.Sponsorship
			status string
		}{{pending, portal.SponsorPending}, {active, portal.SponsorActive}} {
			got, _ := inst.DB.Read().FindSponsorshipByID(t.Context(), want.s.ID)
			if got.Status != want.status {
				t.Errorf("sponsorship %d is %s, want %s", want.s.ID, got.Status, want.status)
			}
		}
		for _, email := range []string{"otto@example.ca", "olga@example.ca"} {
			a := inst.Account(t, email)
			if mine, _ := inst.DB.Read().FindSponsorships(t.Context(), store.SponsorshipFilter{OBOAccountID: a.ID}); len(
				mine,
			) != 0 {
				t.Errorf("%s made a request: %+v", email, mine)
			}
			if a.ResidentRoute != "" {
				t.Errorf("%s has a resident route %q", email, a.ResidentRoute)
			}
		}
	})
}

func fmtSponsorship(id portal.SponsorshipID) string { return "/sponsorships/" + formatInt(int64(id)) }

// The reproduction over HTTP: an MOA chose as authorizer a
// physician whose own CareConnect request was still pending, and the team
// approved the MOA. Now the physician is not offered (shown greyed, with
// why), asking them anyway is refused, and the team's approval of an MOA
// whose only sponsor is not provisioned is refused with a red check.
func TestWeb_SponsorMustHaveAccess(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		ctx := t.Context()
		_, wsID, moa := doctorAndMOA(t, inst)
		joinDirectly(t, inst, wsID, "mona@example.ca")
		docAcct, moaAcct := inst.Account(t, "dalia@example.ca"), inst.Account(t, "mona@example.ca")
		ws, _ := strconv.ParseInt(wsID, 10, 64)
		// The physician's own request is pending.
		fixture.Submit(t, inst.DB, fixture.Request(docAcct, inst.Clock.Now(), &portal.Worksite{ID: portal.WorksiteID(ws)}))
		choice := formatInt(int64(docAcct.ID)) + ":" + wsID

		// The MOA's authorizer list: the pending physician is not offered.
		p := moa.Get("/sponsorships")
		if len(p.Find(`#candidates input[type="radio"]`)) != 0 {
			t.Fatalf("the pending physician is offered: %q", p.Text("#candidates"))
		}
		if got := p.Text("#not-yet"); !strings.Contains(got, "Dalia DOCTOR, Physician, at Kingsgate Mall Clinic") ||
			!strings.Contains(got, "Their own CareConnect access is not approved and active.") {
			t.Fatalf("not-yet list %q", got)
		}
		if !strings.Contains(p.Text("#ask-rule"), "whose own CareConnect access is approved and active") {
			t.Fatalf("the page does not say the rule: %q", p.Text("#ask-rule"))
		}
		if !strings.Contains(p.Text("#no-candidates"), "can sponsor you yet") {
			t.Fatalf("empty state %q", p.Text("#no-candidates"))
		}
		// Asking them anyway is refused.
		p = moa.Post("/sponsorships", url.Values{"authorizer": {choice}, "message": {"Front desk."}})
		if p.Status != http.StatusConflict || p.Text("#authorizer-error") != "Dalia DOCTOR cannot sponsor you yet: "+
			"their own CareConnect access is not approved and active. Ask an authorizer who has CareConnect access." {
			t.Fatalf("asking the pending physician: %d %q", p.Status, p.Text("#authorizer-error"))
		}
		if es := inst.Emails(t, "dalia@example.ca", "sponsorship_requested"); len(es) != 0 {
			t.Fatalf("the physician was asked: %d emails", len(es))
		}

		// The state the portal allowed before: an active sponsorship by the
		// pending physician and the MOA's request in the queue.
		var req *portal.AccessRequest
		err := inst.DB.InTx(ctx, func(tx *store.Tx) error {
			sp := &portal.Sponsorship{
				OBOAccountID:        moaAcct.ID,
				AuthorizerAccountID: docAcct.ID,
				WorksiteID:          portal.WorksiteID(ws),
				CreatedAt:           inst.Clock.Now(),
			}
			if err := tx.CreateSponsorship(ctx, sp); err != nil {
				return err
			}
			if _, err := tx.DecideSponsorship(ctx, sp.ID, true, "", inst.Clock.Now()); err != nil {
				return err
			}
			req = &portal.AccessRequest{AccountID: moaAcct.ID, Status: portal.ARSubmitted, UserType: moaAcct.UserType(),
				Profession: moaAcct.Profession, FirstName: "Mona", LastName: "FRONTDESK", Job: "Medical office assistant",
				AttestCorrect: true, AttestDirectCare: true, AttestAnnualReview: true, ReasonJobDuties: true,
				CreatedAt: inst.Clock.Now(), UpdatedAt: inst.Clock.Now(), WorksiteIDs: []portal.WorksiteID{portal.WorksiteID(ws)},
				SponsorshipIDs: []portal.SponsorshipID{sp.ID}}
			return tx.CreateAccessRequest(ctx, req)
		})
		if err != nil {
			t.Fatal(err)
		}

		officer := inst.StaffClient(t, "officer")
		reqPath := "/staff/requests/" + formatInt(int64(req.ID))
		p = officer.Follow(officer.Post(reqPath+"/claim", nil))
		if p.Status != http.StatusOK {
			t.Fatalf("claim: %d", p.Status)
		}
		if got := p.Text("#checks li.check-flag"); !strings.Contains(got, "No authorizer qualifies as a sponsor") {
			t.Fatalf("red checks %q", got)
		}
		row := p.Text("#sponsors tbody tr")
		for _, want := range []string{"Dalia DOCTOR", "Kingsgate Mall Clinic", "active", "Pending approval", "Yes", "No",
			"Their own CareConnect access is not approved and active."} {
			if !strings.Contains(row, want) {
				t.Fatalf("sponsor row %q lacks %q", row, want)
			}
		}
		p = officer.Post(reqPath+"/approve", url.Values{"scopes": {"demographics"}})
		if p.Status != http.StatusConflict ||
			!strings.HasPrefix(p.Text("#action-message"), "No authorizer qualifies as Mona FRONTDESK's sponsor") {
			t.Fatalf("approve: %d %q", p.Status, p.Text("#action-message"))
		}
		if got := inst.AccessRequest(t, req.ID); got.Status != portal.ARSubmitted {
			t.Fatalf("status %s", got.Status)
		}
		if es := inst.Emails(t, "mona@example.ca", "access_approved"); len(es) != 0 {
			t.Fatal("the MOA was told she is approved")
		}
	})
}
