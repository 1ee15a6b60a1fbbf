package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

func quizAnswers() map[string]int {
	out := map[string]int{}
	for _, q := range portal.TrainingQuiz {
		out[q.ID] = q.Answer
	}
	return out
}

func TestWeb_ApplicationAccess(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		doc := inst.Confirmed(t, "Sam", "JONES", "sam@example.ca", "sam.jones")
		// Locked without an approved worksite.
		if p := doc.Get("/menu"); !strings.Contains(p.Text("#step-application"), "Locked") {
			t.Fatalf("application tile: %q", p.Text("#step-application"))
		}
		if p := doc.Get("/application"); p.Status != http.StatusForbidden ||
			!strings.Contains(p.Text("main"), "approved worksite") {
			t.Fatalf("application without a worksite: %d %q", p.Status, p.Text("main"))
		}
		registerWorksite(t, inst, doc, "Jones Family Practice", "301")
		acct := accountOf(t, inst, doc)

		// The prerequisites are listed with links until done.
		p := doc.Get("/application/request")
		if len(p.Find(`#missing a[href="/training"]`)) != 1 || len(p.Find(`#missing a[href="/agreement"]`)) != 1 {
			t.Fatalf("missing list: %s", p.Text("main"))
		}
		if p := doc.Get("/application"); !strings.Contains(p.Text("#missing"), "Privacy") {
			t.Fatalf("application page missing list: %q", p.Text("main"))
		}
		inst.MeetPrerequisites(t, acct)
		if p := doc.Get("/menu"); !strings.Contains(
			p.Text("#step-application"),
			"You can now request CareConnect access",
		) {
			t.Fatalf("application tile: %q", p.Text("#step-application"))
		}

		form := doc.Get("/application/request")
		if form.Attr("#first_name", "value") != "Sam" || len(form.Find(`input[name="clinics"][checked]`)) != 1 {
			t.Fatalf("form not prefilled: %s", form.Text("main"))
		}
		clinic := form.Attr(`input[name="clinics"]`, "value")
		p = doc.Post(
			"/application/request",
			url.Values{"clinics": {clinic}, "first_name": {"Sam"}, "last_name": {"Jones"}, "job": {""},
				"attest_correct": {"yes"}},
		)
		if p.Status != http.StatusUnprocessableEntity || p.Text("#attest_direct_care-error") == "" ||
			p.Text("#job-error") == "" ||
			len(p.Find(`input[name="attest_correct"][checked]`)) != 1 {
			t.Fatalf("invalid form: %d %s", p.Status, p.Text(".error-summary"))
		}
		p = doc.Post(
			"/application/request",
			url.Values{"clinics": {clinic}, "first_name": {"Sam"}, "last_name": {"Jones"},
				"job": {
					"Family physician",
				}, "college_id": {"12345"}, "attest_correct": {"yes"}, "attest_direct_care": {"yes"},
				"attest_annual_review": {"yes"}, "reason_care": {"yes"}},
		)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("submit: %d %s", p.Status, p.Text(".error-summary"))
		}
		status := doc.Follow(p)
		sub, _ := inst.DB.Read().FindLatestAccessRequest(t.Context(), acct.ID)
		ref := portal.ReferenceNumber(sub.ID, sub.CreatedAt)
		if sub.Reference != ref {
			t.Fatalf("stored reference %q, want %q", sub.Reference, ref)
		}
		if got := status.Text(".flash"); got != "Your CareConnect request has been submitted and is pending approval. Its reference number is "+ref+"; we have emailed you a receipt." {
			t.Fatalf("flash %q", got)
		}
		if got := status.Text("#request-reference"); got != ref {
			t.Fatalf("status page reference %q, want %q", got, ref)
		}
		if got := status.Text("#next-step"); got != "What happens next: the CareConnect team checks your request and decides on it. "+
			"We will email you when it has been decided, or if we need more information from you. "+
			"Quote your reference number "+ref+" if you contact the CareConnect team." {
			t.Fatalf("next step %q", got)
		}
		if status.Text("#request-status") != "Pending approval" ||
			!strings.Contains(status.Text("#history"), "Submitted") {
			t.Fatalf("status page: %s", status.Text("main"))
		}
		es := inst.Emails(t, "sam@example.ca", "access_request_received")
		if len(es) != 1 {
			t.Fatalf("%d receipts", len(es))
		}
		if !strings.Contains(es[0].Text, "\n\nYour request's reference number: "+ref+"\n") {
			t.Fatalf("receipt email lacks the reference number:\n%s", es[0].Text)
		}

		// The team asks a question; the person answers in the portal.
		r, _ := inst.DB.Read().FindLatestAccessRequest(t.Context(), acct.ID)
		if err := inst.DB.InTx(t.Context(), func(tx *store.Tx) error {
			_, err := tx.ChangeAccessRequest(t.Context(), store.AccessRequestChange{ID: r.ID, From: []string{portal.ARSubmitted},
				To: portal.ARInfoRequested, At: inst.Clock.Now(), ActorKind: "staff", ActorID: "staff:1", KeepOpen: true,
				Set: map[string]any{"info_question": "Which days do you work at this clinic?"}})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		p = doc.Get("/application/status")
		if p.Text("#info-question") != "Which days do you work at this clinic?" {
			t.Fatalf("question not shown: %s", p.Text("main"))
		}
		if p := doc.Post("/application/answer", url.Values{"answer": {" "}}); p.Status != http.StatusUnprocessableEntity ||
			p.Text("#answer-error") == "" {
			t.Fatalf("empty answer: %d", p.Status)
		}
		if p := doc.Post("/application/answer", url.Values{"answer": {"Mondays and Thursdays."}}); p.Status != http.StatusSeeOther {
			t.Fatalf("answer: %d %s", p.Status, p.Text("main"))
		}
		if got, _ := inst.DB.Read().FindLatestAccessRequest(t.Context(), acct.ID); got.Status != portal.ARSubmitted ||
			got.InfoAnswer != "Mondays and Thursdays." {
			t.Fatalf("after answer: %s %q", got.Status, got.InfoAnswer)
		}

		// Remote access is refused until access is provisioned at a physical worksite.
		p = doc.Get("/application/remote")
		if !strings.Contains(p.Text("#remote-refusal"), "physical worksite") {
			t.Fatalf("remote page: %q", p.Text("main"))
		}
		p = doc.Post("/application/remote", remoteAccessForm("On call from home."))
		if p.Status != http.StatusForbidden {
			t.Fatalf("remote request before provisioning: %d", p.Status)
		}
	})
}

// remoteAccessForm asks for remote access from a home in Victoria.
func remoteAccessForm(reason string) url.Values {
	return url.Values{"street": {"1 Main St"}, "city": {"Victoria"}, "postal_code": {"V8W 1A1"}, "reason": {reason}}
}

func TestWeb_RemoteAccessForm(t *testing.T) {
	t.Parallel()
	inst := portaltest.Start(t, "sqlite:"+t.TempDir()+"/p.db")
	doc := inst.Confirmed(t, "Nia", "PRACTITIONER", "nia@example.ca", "nia.p")
	registerWorksite(t, inst, doc, "Nia Clinic", "401")
	acct := accountOf(t, inst, doc)
	// Provision access directly, as the back office would.
	mine, _ := inst.DB.Read().FindAccountMemberships(t.Context(), acct.ID)
	r := fixture.Request(acct, inst.Clock.Now())
	r.WorksiteIDs = []portal.WorksiteID{mine[0].WorksiteID}
	fixture.ProvisionRequest(t, inst.DB, r, "demographics")
	p := doc.Get("/application/remote")
	if len(p.Find("#remote-refusal")) != 0 || len(p.Find("#street")) != 1 {
		t.Fatalf("remote form not offered: %s", p.Text("main"))
	}
	p = doc.Post(
		"/application/remote",
		url.Values{"street": {"1 Main St"}, "city": {"Victoria"}, "postal_code": {"T2P 1J9"}, "reason": {"x"}},
	)
	if p.Status != http.StatusUnprocessableEntity || p.Text("#postal_code-error") == "" ||
		p.Attr("#street", "value") != "1 Main St" {
		t.Fatalf("invalid remote form: %d", p.Status)
	}
	p = doc.Post("/application/remote", remoteAccessForm("On call from home on weekends."))
	if p.Status != http.StatusSeeOther {
		t.Fatalf("remote request: %d %s", p.Status, p.Text("main"))
	}
	if p := doc.Follow(p); !strings.Contains(p.Text("main"), "pending") ||
		p.Text(
			".flash",
		) != "Your remote access request was sent to the CareConnect team. They decide on it; we will email you when they have." {
		t.Fatalf("application page after remote request: %s", p.Text("main"))
	}

	// The CareConnect team decides: only officers, a decline needs a reason.
	if p := doc.Get("/staff/remote"); p.Status != http.StatusForbidden {
		t.Fatalf("a person opened the remote access queue: %d", p.Status)
	}
	if p := inst.StaffClient(t, "auditor").Get("/staff/remote"); p.Status != http.StatusForbidden {
		t.Fatalf("an auditor opened the remote access queue: %d", p.Status)
	}
	officer := inst.StaffClient(t, "officer")
	p = officer.Get("/staff/remote")
	decline := p.Attr(`form[action$="/decline"]`, "action")
	if !strings.Contains(p.Text("main"), "1 Main St, Victoria V8W 1A1") || decline == "" {
		t.Fatalf("queue: %s", p.Text("main"))
	}
	if p := officer.Post(decline, url.Values{"reason": {"  "}}); p.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(
			p.Text("#reason-1-error"),
			"Give a reason",
		) || p.Attr("#reason-1", "aria-describedby") != "reason-1-error" {
		t.Fatalf("decline without a reason: %d %q", p.Status, p.Text("#reason-1-error"))
	}
	approve := strings.Replace(decline, "/decline", "/approve", 1)
	if p := officer.Post(approve, nil); p.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", p.Status, p.Text("main"))
	}
	if p := officer.Post(approve, nil); p.Status != http.StatusNotFound && p.Status != http.StatusConflict {
		t.Fatalf("second decision: %d", p.Status)
	}
	es := inst.Emails(t, "nia@example.ca", "remote_access_decided")
	if len(es) != 1 || !strings.Contains(es[0].Subject, "approved") {
		t.Fatalf("decision email %+v", es)
	}
	evs := inst.Audit(t, portaltest.About("remote_access_request", "1"))
	if len(evs) != 2 || evs[1].Action != "access.remote_approved" || evs[1].ActorKind != "staff" {
		t.Fatalf("audit %+v", evs)
	}
}

func TestWeb_WorksitePagesAndAddressSearch(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		inst.ImportGuideBuilding(t)
		admin := inst.Confirmed(t, "Dalia", "EIGHTEEN", "dalia@example.ca", "dalia18")
		if p := admin.Get("/worksites"); p.Status != 200 || !strings.Contains(p.Text(".empty-state"), "do not belong") {
			t.Fatalf("my worksites empty: %d %q", p.Status, p.Text("main"))
		}
		if p := admin.Get("/worksites/join"); len(p.Find(`form[action="/worksites/join/code"] input#code`)) != 1 ||
			len(
				p.Find(`form[action="/worksites/join/address"] input#q`),
			) != 1 || len(p.Find(`a[href="/worksites/new"]`)) != 1 {
			t.Fatal("join options missing")
		}
		// Without JavaScript the search is a submitted form.
		p := admin.Get("/worksites/join/address?q=" + url.QueryEscape("370 Broadway E"))
		units := p.Find("#address-results a")
		if len(units) < 7 ||
			!strings.HasPrefix(portaltest.NodeText(units[0]), "100-370 Broadway E Vancouver, BC, V5T 4G5") {
			t.Fatalf("%d results: %s", len(units), p.Text("#address-results"))
		}
		// htmx asks for the list alone.
		req, _ := http.NewRequest(http.MethodGet, inst.URL+"/addresses/search?q=370+broadway+east", nil)
		req.Header.Set("HX-Request", "true")
		resp, err := admin.HTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("type-ahead: %d", resp.StatusCode)
		}
		// An address with no worksite offers to register it, prefilled.
		var unit101 string
		for _, n := range units {
			if strings.HasPrefix(portaltest.NodeText(n), "101-370") {
				for _, a := range n.Attr {
					if a.Key == "href" {
						unit101 = a.Val
					}
				}
			}
		}
		p = admin.Get(unit101)
		reg := p.Attr(`.notice a.btn`, "href")
		if !strings.Contains(p.Text(".notice"), "No worksite is registered at this address") ||
			!strings.HasPrefix(reg, "/worksites/new?address_id=") {
			t.Fatalf("no-match page: %s", p.Text("main"))
		}
		p = admin.Get(reg)
		if p.Text("#chosen-address") != "101-370 Broadway E Vancouver, BC, V5T 4G5" {
			t.Fatalf("prefilled address %q", p.Text("#chosen-address"))
		}
		addrID := p.Attr(`input[name="address_id"]`, "value")
		p = admin.Post(
			"/worksites/new",
			url.Values{"name": {"Kingsgate Mall Clinic"}, "type": {"private_practice"}, "phone": {"604-555-0100"},
				"address_id": {addrID}, "has_authority": {"yes"}},
		)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("register at an indexed address: %d %s", p.Status, p.Text(".error-summary"))
		}
		admin.Follow(p)
		w, err := inst.DB.Read().
			FindWorksiteByAddress(t.Context(), portal.Address{Unit: "101", CivicNumber: "370", StreetName: "Broadway", Direction: "E", City: "Vancouver", Province: "BC", PostalCode: "V5T 4G5"})
		if err != nil || !w.AddressVerified {
			t.Fatalf("worksite at the indexed address: %+v %v", w, err)
		}
		// Now the same unit leads to the Worksite Access Form.
		greg := inst.Confirmed(t, "Gregory", "NINETEEN", "greg@example.ca", "greg19")
		p = greg.Get(unit101)
		if p.Text("#worksite-name") != "Kingsgate Mall Clinic" {
			t.Fatalf("access form by address: %s", p.Text("main"))
		}
		p = greg.Post("/worksites/access", url.Values{"worksite": {string(w.Code)}, "via": {"address"}})
		if !strings.Contains(p.Text(".flash"), "Request has successfully been sent") {
			t.Fatalf("request by address: %s", p.Text("main"))
		}
		if p := greg.Get("/worksites"); !strings.Contains(p.Text("main"), "Request to join Kingsgate Mall Clinic") {
			t.Fatalf("pending request not listed: %s", p.Text("main"))
		}

		// An invitation opened from its email link.
		lou := inst.Confirmed(t, "Lou", "LOCUM", "lou@example.ca", "lou.locum")
		admin.Get("/worksites/" + formatInt(int64(w.ID)))
		admin.Post("/worksites/"+formatInt(int64(w.ID))+"/invitations", url.Values{"email": {"lou@example.ca"}})
		es := inst.Emails(t, "lou@example.ca", "worksite_invitation")
		if len(es) != 1 {
			t.Fatalf("%d invitation emails", len(es))
		}
		link := regexp.MustCompile(`/invitations/[0-9a-f]{64}`).FindString(es[0].Text)
		// The link is the proof: whoever holds it may answer, and is told
		// that it went to another address.
		if p := greg.Get(link); p.Status != http.StatusOK ||
			!strings.Contains(p.Text("#invitation-address"), "This invitation was sent to lou@example.ca") {
			t.Fatalf("invitation opened by someone else: %d %s", p.Status, p.Text("main"))
		}
		p = lou.Get(link)
		if len(p.Find("#invitation-address")) != 0 {
			t.Fatalf("the invitee is told the invitation went to another address: %s", p.Text("main"))
		}
		if p.Status != 200 || !strings.Contains(p.Text("main"), "has invited you to Worksite Kingsgate Mall Clinic") {
			t.Fatalf("invitation page: %d %s", p.Status, p.Text("main"))
		}
		if p := lou.Post(p.Attr(`form[action$="/reject"]`, "action"), nil); p.Status != http.StatusSeeOther {
			t.Fatalf("reject: %d", p.Status)
		}
		if p := lou.Get(link); !strings.Contains(p.Text(".notice"), "no longer open") {
			t.Fatalf("answered invitation: %s", p.Text("main"))
		}
	})
}
