package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
	"github.com/bcgov-example/careconnect-portal/internal/web"
)

var codeRe = regexp.MustCompile(`Worksite ID is ([A-Z0-9]{7})`)

// registerWorksite registers, signs and (as the CareConnect team) approves a worksite.
func registerWorksite(
	t *testing.T,
	inst *portaltest.Instance,
	c *portaltest.Client,
	name, unit string,
) (id, code string) {
	t.Helper()
	w := inst.ApprovedWorksite(t, c, name, unit, accountOf(t, inst, c).LegalName())
	return formatInt(int64(w.ID)), string(w.Code)
}

// kingsgateAdmin signs in Dalia DOCTOR, the site administrator of the
// approved Kingsgate Mall Clinic; it returns her client and the clinic's id.
func kingsgateAdmin(t *testing.T, inst *portaltest.Instance) (*portaltest.Client, string) {
	t.Helper()
	admin := inst.Confirmed(t, "Dalia", "DOCTOR", "dalia@example.ca", "dalia.doctor")
	id, _ := registerWorksite(t, inst, admin, "Kingsgate Mall Clinic", "101")
	return admin, id
}

// kingsgateInvitation has Dalia, from kingsgateAdmin, invite email to her
// clinic from its page.
func kingsgateInvitation(t *testing.T, inst *portaltest.Instance, email string) (*portaltest.Client, string) {
	t.Helper()
	admin, id := kingsgateAdmin(t, inst)
	admin.Get("/worksites/" + id)
	admin.Invite(id, email)
	return admin, id
}

// accountOf finds the account signed in on a client through its menu.
func accountOf(t *testing.T, inst *portaltest.Instance, c *portaltest.Client) *portal.Account {
	t.Helper()
	p := c.Get("/account/username")
	email := strings.TrimSpace(p.Find(".summary-list dd")[1].FirstChild.Data)
	return inst.Account(t, email)
}

func TestWeb_WorksiteJourney(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		admin := inst.Confirmed(t, "Dalia", "EIGHTEEN", "dalia@example.ca", "dalia18")
		if p := admin.Get("/menu"); p.Text(".tile-status.status-todo") == "" || len(p.Find(".attention-banner")) != 0 {
			t.Fatalf("menu before a worksite: todo %q", p.Text(".tile-status.status-todo"))
		}
		id, code := registerWorksite(t, inst, admin, "Kingsgate Mall Clinic", "101")
		show := admin.Get("/worksites/" + id)
		if show.Text("#worksite-code") != code || !strings.Contains(show.Text("#worksite-status"), "Approved") {
			t.Fatalf("worksite page: code %q status %q", show.Text("#worksite-code"), show.Text("#worksite-status"))
		}
		es := inst.Emails(t, "dalia@example.ca", "worksite_registered")
		if len(es) != 1 || !strings.Contains(es[0].Text, code) {
			t.Fatalf("registration email %+v", es)
		}

		// Registering the same address again leads to "join it instead".
		p := admin.Post("/worksites/new", portaltest.WorksiteForm("Duplicate", "101"))
		if p.Status != http.StatusConflict || !strings.Contains(p.Text(".notice"), "already registered") {
			t.Fatalf("duplicate: %d %q", p.Status, p.Text(".notice"))
		}

		// Join by Worksite ID: a wrong code is explained, then the access form.
		greg := inst.Confirmed(t, "Gregory", "NINETEEN", "greg@example.ca", "greg19")
		greg.Get("/worksites/join/code")
		p = greg.Post("/worksites/join/code", url.Values{"code": {"AAAAAAA"}})
		if p.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(p.Text("#code-error"), "No worksite has the Worksite ID AAAAAAA") ||
			p.Attr("#code", "value") != "AAAAAAA" {
			t.Fatalf("wrong code: %d %q", p.Status, p.Text("#code-error"))
		}
		p = greg.Post("/worksites/join/code", url.Values{"code": {strings.ToLower(code)}})
		if p.Text("#worksite-name") != "Kingsgate Mall Clinic" {
			t.Fatalf("access form: %d %s", p.Status, p.Text("main"))
		}
		p = greg.Post(
			"/worksites/access",
			url.Values{"worksite": {code}, "via": {"code"}, "comment": {"New MOA, starting Monday."}},
		)
		if p.Status != 200 || !strings.Contains(p.Text(".flash"), "Request has successfully been sent") {
			t.Fatalf("request access: %d %s", p.Status, p.Text("main"))
		}
		mail := inst.Emails(t, "dalia@example.ca", "worksite_join_request")
		if len(mail) != 1 || !strings.Contains(mail[0].Text, "New MOA, starting Monday.") {
			t.Fatalf("admin email %+v", mail)
		}
		link := regexp.MustCompile(`/requests/join/\d+`).FindString(mail[0].Text)

		// The link is not a bearer token: signed out, it asks to sign in.
		if p := inst.Client(t).Get(link); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/signin") {
			t.Fatalf("signed-out link: %d %q", p.Status, p.Location)
		}
		// The administrator sees the red banner and the request in the Notification Centre.
		if p := admin.Get("/menu"); len(p.Find(".attention-banner")) != 1 {
			t.Fatal("no attention banner for the administrator")
		}
		nc := admin.Get("/notifications")
		if !strings.Contains(nc.Text("#action-table"), "Gregory NINETEEN") ||
			nc.Text("#showing") != "Showing 1 to 1 of 1 entries" {
			t.Fatalf("notification centre: %q / %q", nc.Text("#action-table"), nc.Text("#showing"))
		}
		approve := nc.Attr(`#action-table form[action$="/approve"]`, "action")
		p = admin.Post(approve, nil)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("approve: %d %s", p.Status, p.Text("main"))
		}
		if got := admin.Follow(p).Text(".flash"); !strings.Contains(got, "approved") {
			t.Fatalf("flash %q", got)
		}
		// Deciding again shows what happened.
		p = admin.Post(link+"/reject", url.Values{"reason": {"changed my mind"}})
		if p.Status != http.StatusConflict ||
			!strings.Contains(p.Text(".flash-error"), "already approved by Dalia EIGHTEEN") {
			t.Fatalf("second decision: %d %q", p.Status, p.Text(".flash-error"))
		}
		decided := inst.Emails(t, "greg@example.ca", "worksite_join_decided")
		if len(decided) != 1 || !strings.Contains(decided[0].Subject, "approved") {
			t.Fatalf("decision email %+v", decided)
		}
		if p := greg.Get("/menu"); p.Text("#tile-worksites + .tile-status") != "Complete" &&
			!strings.Contains(p.Text(".tiles"), "1 approved worksite") {
			t.Fatalf("member menu: %s", p.Text(".tiles"))
		}

		// An invitation, accepted in the Notification Centre.
		lou := inst.Confirmed(t, "Lou", "LOCUM", "lou@example.ca", "lou.locum")
		admin.Get("/worksites/" + id)
		admin.Invite(id, "lou@example.ca")
		nc = lou.Get("/notifications")
		if !strings.Contains(
			nc.Text("#action-table"),
			"Dalia EIGHTEEN has invited you to Worksite Kingsgate Mall Clinic. Would you like to accept?",
		) {
			t.Fatalf("invitee notification centre: %s", nc.Text("main"))
		}
		p = lou.Post(nc.Attr(`#action-table form[action$="/accept"]`, "action"), nil)
		if p.Status != http.StatusSeeOther ||
			!strings.Contains(lou.Follow(p).Text(".flash"), "You have joined Kingsgate Mall Clinic") {
			t.Fatalf("accept: %d", p.Status)
		}

		// Decommission the locum at once; the last administrator cannot be removed.
		louAcct := inst.Account(t, "lou@example.ca")
		admin.Get("/worksites/" + id)
		p = admin.Post(
			"/worksites/"+id+"/members/"+formatInt(int64(louAcct.ID))+"/decommission",
			url.Values{"end_date": {""}},
		)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("decommission: %d %s", p.Status, p.Text("main"))
		}
		adminAcct := accountOf(t, inst, admin)
		p = admin.Post("/worksites/"+id+"/members/"+formatInt(int64(adminAcct.ID))+"/admin/remove", nil)
		if p.Status != http.StatusConflict || !strings.Contains(p.Text(".flash-error"), "only site administrator") {
			t.Fatalf("remove last admin: %d %q", p.Status, p.Text(".flash-error"))
		}
	})
}

func formatInt(v int64) string { return strconv.FormatInt(v, 10) }

// TestWeb_WorksiteAuthorisation walks every worksite route for one
// worksite as the administrator of another worksite and as a plain member:
// each is refused, and none of the first worksite's private data appears.
func TestWeb_WorksiteAuthorisation(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		adminA := inst.Confirmed(t, "Alice", "ADMINA", "alice@example.ca", "alice.a")
		idA, codeA := registerWorksite(t, inst, adminA, "Clinic A", "201")
		adminB := inst.Confirmed(t, "Bob", "ADMINB", "bob@example.ca", "bob.b")
		registerWorksite(t, inst, adminB, "Clinic B", "202")
		member := inst.Confirmed(t, "Mia", "MEMBER", "mia@example.ca", "mia.m")
		joiner := inst.Confirmed(t, "Jo", "JOINER", "jo@example.ca", "jo.j")

		// Mia joins A; Jo asks to join A; Alice invites someone.
		for _, c := range []*portaltest.Client{member, joiner} {
			c.Post("/worksites/join/code", url.Values{"code": {codeA}})
			c.Post("/worksites/access", url.Values{"worksite": {codeA}, "via": {"code"}})
		}
		adminA.Get("/notifications")
		reqs, _ := inst.DB.Read().FindJoinRequests(t.Context(), store.JoinRequestFilter{Status: "pending"})
		if len(reqs) != 2 {
			t.Fatalf("%d pending requests", len(reqs))
		}
		miaReq, joReq := reqs[1], reqs[0]
		if miaReq.RequesterEmail != "mia@example.ca" {
			miaReq, joReq = joReq, miaReq
		}
		if p := adminA.Post("/requests/join/"+formatInt(int64(miaReq.ID))+"/approve", nil); p.Status != http.StatusSeeOther {
			t.Fatalf("approve mia: %d", p.Status)
		}
		adminA.Get("/worksites/" + idA)
		adminA.Post("/worksites/"+idA+"/invitations", url.Values{"email": {"secret.invitee@example.ca"}})
		invs, _ := inst.DB.Read().
			FindPendingInvitationsForEmail(t.Context(), "secret.invitee@example.ca", inst.Clock.Now())
		if len(invs) != 1 {
			t.Fatal("invitation missing")
		}
		aliceAcct := accountOf(t, inst, adminA)
		miaAcct := accountOf(t, inst, member)
		// Alice asks Mia to take Clinic A over: Mia's to answer, nobody else's.
		ho, err := inst.Portal.App.StartHandover(
			t.Context(),
			portal.RequestMeta{RequestID: "test"},
			aliceAcct,
			miaReq.WorksiteID,
			miaAcct.ID,
		)
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]string{
			"{id}":       idA,
			"{acct}":     formatInt(int64(miaAcct.ID)),
			"{inv}":      formatInt(int64(invs[0].ID)),
			"{handover}": formatInt(int64(ho.ID)),
		}

		// Every route with a worksite, a request or an invitation in its path.
		srv := inst.Portal.Server
		var walked int
		for _, pattern := range web.RoutePatterns(srv) {
			method, path, _ := strings.Cut(pattern, " ")
			if !strings.Contains(path, "{") || path == "/{$}" {
				continue
			}
			switch {
			case strings.HasPrefix(path, "/worksites/{id}"):
			case strings.HasPrefix(path, "/requests/join/{id}"):
				path = strings.Replace(path, "{id}", formatInt(int64(joReq.ID)), 1)
			case strings.HasPrefix(path, "/handovers/{handover}"):
			case strings.HasPrefix(path, "/invitations/{id}"):
				path = strings.Replace(path, "{id}", formatInt(int64(invs[0].ID)), 1)
			case strings.HasPrefix(path, "/invitations/{token}"), strings.HasPrefix(path, "/declarations/{token}"),
				strings.HasPrefix(path, "/account/email/confirm/{token}"):
				path = strings.NewReplacer("{token}", strings.Repeat("ab", 32)).Replace(path)
			case strings.HasPrefix(path, "/account/leave/"):
				continue // a person's own leaves: TestWeb_EndLeaveEarly tries another person's
			case strings.HasPrefix(path, "/dev/mailbox"), strings.HasPrefix(path, "/sponsorships/"),
				strings.HasPrefix(path, "/staff/"), strings.HasPrefix(path, "/scim/"), strings.HasPrefix(path, "/api/"):
				continue // each walked by its own authorisation test
			default:
				t.Errorf("route %s is not covered by this walk: add it", pattern)
				continue
			}
			for k, v := range ids {
				path = strings.ReplaceAll(path, k, v)
			}
			for name, c := range map[string]*portaltest.Client{"admin of another worksite": adminB, "plain member": member} {
				// The member may read the worksite itself, nothing more.
				if name == "plain member" && method == "GET" && path == "/worksites/"+idA {
					p := c.Get(path)
					if p.Status != 200 || strings.Contains(p.Body, "jo@example.ca") ||
						strings.Contains(p.Body, "secret.invitee") ||
						len(p.Find("#members-title")) != 0 {
						t.Errorf("member view of the worksite shows administrators' data (status %d)", p.Status)
					}
					continue
				}
				// Leaving is the member's own action, and the handover is
				// hers to answer (TestWeb_Handover walks both).
				if name == "plain member" &&
					(path == "/worksites/"+idA+"/leave" || strings.HasPrefix(path, "/handovers/")) {
					continue
				}
				var p *portaltest.Page
				if method == "GET" {
					p = c.Get(path)
				} else {
					c.Get("/menu") // a fresh CSRF token
					p = c.Post(path, url.Values{"email": {"x@example.ca"}, "reason": {"r"}, "end_date": {""}})
				}
				walked++
				if p.Status != http.StatusForbidden && p.Status != http.StatusNotFound {
					t.Errorf("%s: %s %s gave %d, want 403 or 404", name, method, path, p.Status)
				}
				for _, secret := range []string{"jo@example.ca", "secret.invitee@example.ca", "Clinic A", codeA} {
					if strings.Contains(p.Body, secret) {
						t.Errorf("%s: %s %s shows %q", name, method, path, secret)
					}
				}
			}
		}
		if walked < 20 {
			t.Fatalf("walked only %d route visits", walked)
		}
		// Nothing changed: Jo's request is still pending, Mia is still a member, Alice still an admin.
		j, _ := inst.DB.Read().FindJoinRequestByID(t.Context(), joReq.ID)
		m, _ := inst.DB.Read().FindMember(t.Context(), miaReq.WorksiteID, miaAcct.ID)
		ok, _ := inst.DB.Read().IsWorksiteAdmin(t.Context(), miaReq.WorksiteID, aliceAcct.ID)
		if j.Status != "pending" || m.Status != "active" || !ok {
			t.Fatalf("state changed: request %s, member %s, alice admin %v", j.Status, m.Status, ok)
		}
	})
}

// Worksite IDs cannot be guessed: look-ups are limited per person (and per address).
func TestWeb_WorksiteCodeLookupsAreRateLimited(t *testing.T) {
	t.Parallel()
	inst := portaltest.Start(t, "sqlite:"+t.TempDir()+"/p.db")
	c := inst.Confirmed(t, "Gus", "GUESSER", "gus@example.ca", "gus.g")
	c.Get("/worksites/join/code")
	for i := 1; i <= 20; i++ {
		if p := c.Post("/worksites/join/code", url.Values{"code": {"AAAAAA" + string("ACEFGHJKLMNPRTUVWXY3"[i-1])}}); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("look-up %d: %d", i, p.Status)
		}
	}
	p := c.Post("/worksites/join/code", url.Values{"code": {"AAAAAAA"}})
	if p.Status != http.StatusTooManyRequests || !strings.Contains(p.Text("main"), "too many times") {
		t.Fatalf("look-up 21: %d %q", p.Status, p.Text("main"))
	}
	// The limit is per hour.
	for i := 0; i < 4; i++ { // stay signed in while the hour passes
		inst.Clock.Advance(16 * time.Minute)
		c.Get("/menu")
	}
	if p := c.Post("/worksites/join/code", url.Values{"code": {"AAAAAAA"}}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("after an hour: %d", p.Status)
	}
}

// A decommission refused for its date keeps the date and says why, at the member's row.
func TestWeb_DecommissionDateErrorAtTheRow(t *testing.T) {
	t.Parallel()
	inst := portaltest.Start(t, "sqlite:"+t.TempDir()+"/p.db")
	admin := inst.Confirmed(t, "Dalia", "EIGHTEEN", "dalia@example.ca", "dalia18")
	id, code := registerWorksite(t, inst, admin, "Kingsgate Mall Clinic", "101")
	lou := inst.Confirmed(t, "Lou", "LOCUM", "lou@example.ca", "lou.locum")
	lou.Post("/worksites/join/code", url.Values{"code": {code}})
	lou.Post("/worksites/access", url.Values{"worksite": {code}, "via": {"code"}})
	admin.Get("/notifications")
	reqs, _ := inst.DB.Read().FindJoinRequests(t.Context(), store.JoinRequestFilter{Status: "pending"})
	admin.Post("/requests/join/"+formatInt(int64(reqs[0].ID))+"/approve", nil)
	louAcct := inst.Account(t, "lou@example.ca")
	row := formatInt(int64(louAcct.ID))
	admin.Get("/worksites/" + id)
	p := admin.Post("/worksites/"+id+"/members/"+row+"/decommission", url.Values{"end_date": {"2000-01-01"}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", p.Status)
	}
	if got := p.Text("#end-" + row + "-error"); !strings.Contains(got, "cannot be in the past") {
		t.Fatalf("error at the row %q", got)
	}
	if p.Attr("#end-"+row, "value") != "2000-01-01" || len(p.Find("details[open] #end-"+row)) != 1 {
		t.Fatal("the typed date was not kept in an open form")
	}
}

// Error pages lead back to where the visitor belongs.
func TestWeb_ErrorPageWayBack(t *testing.T) {
	t.Parallel()
	inst := portaltest.Start(t, "sqlite:"+t.TempDir()+"/p.db")
	for name, c := range map[string]*portaltest.Client{
		"/":      inst.Client(t),
		"/menu":  inst.Confirmed(t, "Ed", "ERROR", "ed@example.ca", "ed.e"),
		"/staff": inst.StaffClient(t, "officer"),
	} {
		if p := c.Get("/no/such/page"); p.Attr(".button-row a.btn-primary", "href") != name {
			t.Errorf("404 page leads to %q, want %q", p.Attr(".button-row a.btn-primary", "href"), name)
		}
	}
	for callback, retry := range map[string]string{"/auth/callback": "/signin", "/staff/auth/callback": "/staff/signin"} {
		p := inst.Client(t).Get(callback + "?code=x&state=y")
		if p.Status != http.StatusBadRequest || p.Attr("a.btn-primary", "href") != retry {
			t.Errorf(
				"%s refused: %d, sign in again at %q, want %q",
				callback,
				p.Status,
				p.Attr("a.btn-primary", "href"),
				retry,
			)
		}
	}
}

// Looking a worksite up by its address counts against the same limit as
// typing its Worksite ID, so codes cannot be harvested address by address.
func TestWeb_AddressLookupsCountAsWorksiteLookups(t *testing.T) {
	t.Parallel()
	inst := portaltest.Start(t, storetest.DSNs(t)["sqlite"])
	c := inst.Confirmed(t, "Al", "ADDRESS", "al@example.ca", "al.a")
	c.Get("/worksites/join/code")
	for i := 1; i <= 10; i++ {
		if p := c.Post("/worksites/join/code", url.Values{"code": {"AAAAAAA"}}); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("code look-up %d: %d", i, p.Status)
		}
	}
	for i := 11; i <= 20; i++ {
		if p := c.Get(fmt.Sprintf("/worksites/join/address?address_id=%d", i)); p.Status == http.StatusTooManyRequests {
			t.Fatalf("address look-up %d refused already", i)
		}
	}
	p := c.Get("/worksites/join/address?address_id=21")
	if p.Status != http.StatusTooManyRequests || !strings.Contains(p.Text("main"), "too many times") {
		t.Fatalf("look-up 21 by address: %d %q", p.Status, p.Text("main"))
	}
	// The search itself is not a look-up of a worksite.
	if p := c.Get("/worksites/join/address?q=370+Broadway"); p.Status != http.StatusOK {
		t.Fatalf("address search after the limit: %d", p.Status)
	}
}

// TestWeb_SendAgainTwice presses Send again twice on the same page (a
// double click, or a second tab): one more email goes out, so the link in
// it keeps working, and one audit row says so.
func TestWeb_SendAgainTwice(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		admin, wsID := kingsgateInvitation(t, inst, "lou@example.ca")
		page := admin.Get("/worksites/" + wsID)
		action := page.Attr(`form[action$="/resend"]`, "action")
		sent := page.Attr(`form[action$="/resend"] input[name="sent"]`, "value")
		if action == "" || sent != "1" {
			t.Fatalf("Send again form: action %q, sent %q", action, sent)
		}
		for i := range 2 {
			p := admin.Post(action, url.Values{"sent": {sent}})
			if p.Status != http.StatusSeeOther || !strings.Contains(admin.Follow(p).Text(".flash"), "Invitation sent again.") {
				t.Fatalf("press %d: %d %s", i+1, p.Status, p.Text("main"))
			}
		}
		if got := len(inst.Emails(t, "lou@example.ca", "worksite_invitation")); got != 2 {
			t.Errorf("%d invitation emails after inviting and pressing Send again twice, want 2", got)
		}
		f := store.AuditFilter{WorksiteID: mustAtoi(t, wsID)}
		if resent := inst.AuditCount(t, f, "worksite.invitation_resent"); resent != 1 {
			t.Errorf("%d worksite.invitation_resent rows, want 1", resent)
		}
		page = admin.Get("/worksites/" + wsID)
		if got := page.Attr(`form[action$="/resend"] input[name="sent"]`, "value"); got != "2" {
			t.Errorf("the page now shows sent %q, want 2", got)
		}
		if !strings.Contains(page.Text("main"), "(sent 2 times)") {
			t.Errorf("the list does not say the invitation was sent twice: %s", page.Text("main"))
		}

		// A post without the count the page showed sends nothing.
		p := admin.Post(action, nil)
		if p.Status != http.StatusConflict || p.Text(".flash-error") != "Reload the worksite page and use Send again there." {
			t.Errorf("Send again without the count: %d %q, want 409 and a reload", p.Status, p.Text(".flash-error"))
		}
		if got := len(inst.Emails(t, "lou@example.ca", "worksite_invitation")); got != 2 {
			t.Errorf("%d invitation emails after a post without the count, want 2", got)
		}
	})
}
