package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// The main menu offers each page once: the account's page only under
// Manage My Account / Preferences, a locked step no button, and an open
// Application Access the enrolment form itself.
func TestWeb_MenuTiles(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		doc := inst.Confirmed(t, "Mia", "MENU", "mia@example.ca", "mia.menu")
		p := doc.Get("/menu")
		if n := len(p.Find(`main a[href="/account"]`)); n != 1 {
			t.Errorf("the menu links to Manage My Account %d times, want 1", n)
		}
		if got := p.Attr(`#tile-manage ~ .tile-actions a`, "href"); got != "/account" {
			t.Errorf("Manage My Account / Preferences leads to %q", got)
		}
		if n := len(p.Find(`#step-account a`)); n != 0 {
			t.Errorf("the HxBC Account tile has %d links, want none", n)
		}
		// Locked: the reason in words, no button.
		if got := p.Text("#step-application .tile-reason"); got != "Application Access opens once you belong to an approved worksite." {
			t.Errorf("locked reason %q", got)
		}
		if n := len(p.Find(`#step-application a`)); n != 0 {
			t.Errorf("the locked Application Access tile has %d links", n)
		}
		registerWorksite(t, inst, doc, "Menu Family Practice", "301")
		acct := accountOf(t, inst, doc)
		// Still locked by the training and the agreement: an ordinary link
		// to the application page, not a primary button.
		p = doc.Get("/menu")
		if got := p.Text("#step-application .tile-reason"); got != "Complete the "+portal.TrainingTitle+". (and 1 more step)" {
			t.Errorf("locked reason %q", got)
		}
		if n := len(p.Find(`main .is-locked .btn`)); n != 0 {
			t.Errorf("locked tiles show %d buttons", n)
		}
		if got := p.Attr(`#step-application .tile-link a`, "href"); got != "/application" {
			t.Errorf("locked tile's link %q, want /application", got)
		}
		inst.MeetPrerequisites(t, acct)
		p = doc.Get("/menu")
		link := p.Find(`#step-application a.btn-primary`)
		if len(link) != 1 || p.Attr(`#step-application a.btn-primary`, "href") != "/application/request" ||
			portaltest.NodeText(link[0]) != "Request CareConnect Access" {
			t.Fatalf("open Application Access tile: %q", p.Text("#step-application"))
		}
		if form := doc.Get("/application/request"); form.Status != 200 ||
			form.Text("h1") != "CareConnect Enrolment Form" {
			t.Fatalf("the tile's link: %d %q", form.Status, form.Text("h1"))
		}
	})
}

// "Join a Worksite" is one page; a worksite the person already belongs to,
// or has already asked to join, is answered at the look-up; the access
// form names who decides; the type-ahead marks the units already taken.
func TestWeb_JoinOnePage(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		inst.ImportGuideBuilding(t)
		admin := inst.Confirmed(t, "Dalia", "EIGHTEEN", "dalia@example.ca", "dalia18")
		wsID, code := registerWorksite(t, inst, admin, "Kingsgate Mall Clinic", "101")

		greg := inst.Confirmed(t, "Gregory", "NINETEEN", "greg@example.ca", "greg19")
		p := greg.Get("/worksites/join")
		if p.Text("h1") != "Join a Worksite" || len(p.Find(`form[action="/worksites/join/code"] input#code`)) != 1 ||
			len(
				p.Find(`form[action="/worksites/join/address"] input#q`),
			) != 1 || len(p.Find(`main a[href="/worksites/new"]`)) != 1 {
			t.Fatalf("join page: %s", p.Text("main"))
		}
		// The type-ahead names the worksite at unit 101, and only there.
		res := greg.Get("/worksites/join/address?q=" + url.QueryEscape("370 Broadway E"))
		marked := res.Find("#address-results .address-worksite")
		if len(marked) != 1 || portaltest.NodeText(marked[0]) != "(has a worksite: Kingsgate Mall Clinic)" {
			t.Fatalf("%d units marked: %q", len(marked), res.Text("#address-results"))
		}
		// The type-ahead's list, as htmx asks for it, marks it too.
		req, _ := http.NewRequest(
			http.MethodGet,
			inst.URL+"/addresses/search?q="+url.QueryEscape("370 Broadway E"),
			nil,
		)
		req.Header.Set("HX-Request", "true")
		resp, err := greg.HTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if n := strings.Count(string(body), `<span class="address-worksite"> (has a worksite: Kingsgate Mall Clinic)</span>`); resp.StatusCode != http.StatusOK ||
			n != 1 {
			t.Fatalf("type-ahead: %d, %d units marked", resp.StatusCode, n)
		}
		var free, taken string
		for _, n := range res.Find("#address-results a") {
			text := portaltest.NodeText(n)
			for _, a := range n.Attr {
				if a.Key == "href" && strings.HasPrefix(text, "101-370") {
					taken = a.Val
				} else if a.Key == "href" && strings.HasPrefix(text, "102-370") {
					free = a.Val
				}
			}
		}
		if !strings.Contains(
			portaltest.NodeText(res.Find(`#address-results a[href="` + taken + `"]`)[0]),
			"has a worksite: Kingsgate Mall Clinic",
		) {
			t.Errorf("unit 101 is not the one marked")
		}
		// A unit without a worksite offers to register it, and says no "No address matches".
		p = greg.Get(free)
		if p.Status != http.StatusOK ||
			!strings.Contains(p.Text("#address-free"), "102-370 Broadway E Vancouver, BC, V5T 4G5") ||
			strings.Contains(p.Text("main"), "No address matches") {
			t.Fatalf("free unit: %d %s", p.Status, p.Text("main"))
		}

		// The access form lists who decides.
		p = greg.Post("/worksites/join/code", url.Values{"code": {code}})
		if p.Status != http.StatusOK || p.Text("#worksite-name") != "Kingsgate Mall Clinic" ||
			p.Text("#worksite-admins") != "Dalia EIGHTEEN" {
			t.Fatalf("access form: %d admins %q", p.Status, p.Text("#worksite-admins"))
		}
		if p = greg.Post("/worksites/access", url.Values{"worksite": {code}, "via": {"code"}}); p.Status != http.StatusOK {
			t.Fatalf("request access: %d %s", p.Status, p.Text("main"))
		}
		// The confirmation says who decides and that an email will come.
		if got := p.Text("#next-step"); got != "What happens next: Dalia EIGHTEEN, the worksite's site administrator, decides on your request. "+
			"We will email you at greg@example.ca as soon as it is decided; it also shows on your menu." {
			t.Errorf("next step %q", got)
		}
		jr, err := inst.DB.Read().
			FindJoinRequests(t.Context(), store.JoinRequestFilter{AccountID: accountOf(t, inst, greg).ID})
		if err != nil || len(jr) != 1 {
			t.Fatalf("join requests %v %v", jr, err)
		}
		// Looking it up again, by ID or by address, says it is asked already.
		for _, look := range []func() *portaltest.Page{
			func() *portaltest.Page { return greg.Post("/worksites/join/code", url.Values{"code": {code}}) },
			func() *portaltest.Page { return greg.Get(taken) },
		} {
			p = look()
			if p.Status != http.StatusOK ||
				p.Text("#join-known h2") != "You have already asked to join Kingsgate Mall Clinic" ||
				p.Attr("#join-known a", "href") != "/requests/join/"+strconv.FormatInt(int64(jr[0].ID), 10) ||
				!strings.Contains(
					p.Text("#join-known"),
					"(Dalia EIGHTEEN); you will receive an email once they have decided.",
				) ||
				len(p.Find(`form[action="/worksites/access"]`)) != 0 {
				t.Fatalf("asked already: %d %s", p.Status, p.Text("main"))
			}
		}
		// A member is told so, with the worksite's page.
		p = admin.Post("/worksites/join/code", url.Values{"code": {strings.ToLower(code)}})
		if p.Status != http.StatusOK ||
			p.Text("#join-known h2") != "You are already a member of Kingsgate Mall Clinic" ||
			p.Attr("#join-known a", "href") != "/worksites/"+wsID ||
			len(p.Find(`form[action="/worksites/access"]`)) != 0 {
			t.Fatalf("member: %d %s", p.Status, p.Text("main"))
		}
		if got := p.Attr("#code", "value"); got != strings.ToLower(code) {
			t.Errorf("the typed code is kept as %q", got)
		}
		if jr, _ := inst.DB.Read().FindJoinRequests(t.Context(), store.JoinRequestFilter{}); len(jr) != 1 {
			t.Errorf("%d join requests, want 1", len(jr))
		}
	})
}

// Registering a worksite for someone else to sign, and signing its
// declaration, each say what happens next and that an email will come.
func TestWeb_WorksiteConfirmationsSayWhatNext(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		c := inst.Confirmed(t, "Rita", "REGISTRAR", "rita@example.ca", "rita.reg")
		form := portaltest.WorksiteForm("Harbour Clinic", "201", portaltest.SignedBy("Owen OWNER", "owen@example.ca"))
		_, decl := c.RegisterWorksite(form)
		flash := decl.Text(".flash")
		m := codeRe.FindStringSubmatch(flash)
		if m == nil ||
			flash != "Harbour Clinic is registered. Its Worksite ID is "+m[1]+"; we have emailed it to you, and asked Owen OWNER to sign the "+
				portal.DeclarationTitle+". Once they have signed, the CareConnect team reviews the worksite; we will email you when they decide." {
			t.Errorf("flash %q", flash)
		}

		c2 := inst.Confirmed(t, "Sid", "SIGNER", "sid@example.ca", "sid.signer")
		id, _ := c2.RegisterWorksite(portaltest.WorksiteForm("Signer Clinic", "202"))
		p := c2.Post("/worksites/"+id+"/declaration", url.Values{"agree": {"yes"}, "full_name": {"Sid SIGNER"}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("sign: %d %s", p.Status, p.Text(".error-summary"))
		}
		if got := c2.Follow(p).Text(".flash"); got != "Thank you. The "+portal.DeclarationTitle+" for Signer Clinic is signed; the CareConnect team will now review the worksite. "+
			"We will email its site administrators when they decide; people can already ask to join it meanwhile." {
			t.Errorf("signed flash %q", got)
		}
	})
}

// The team finds a request by the reference number a person quotes,
// whatever its status, as typed or read out; a malformed one is explained
// at its field; the other filters still work without it.
func TestBackoffice_QueueByReference(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		_, _, first := boSubmitted(t, inst, "Dalia", "EIGHTEEN", "dalia18", "101", nil)
		_, _, second := boSubmitted(t, inst, "Gregory", "NINETEEN", "greg19", "102", nil)
		officer := inst.StaffClient(t, "officer")
		ref := portal.ReferenceNumber(first.ID, first.CreatedAt)
		if ref != first.Reference {
			t.Fatalf("stored reference %q, want %q", first.Reference, ref)
		}
		year, num := ref[3:7], strings.TrimLeft(ref[8:], "0")
		for _, typed := range []string{ref, strings.ToLower(ref), "CC " + year + " " + num} {
			q := officer.Get("/staff/queue?status=open&reference=" + url.QueryEscape(typed))
			if q.Status != http.StatusOK || q.Text("#showing") != "Showing 1 to 1 of 1 entries" ||
				q.Text("#queue-table tbody td:nth-child(2)") != ref || q.Attr("#reference", "value") != typed {
				t.Fatalf("reference %q: %d %q %q", typed, q.Status, q.Text("#showing"), q.Text("#queue-table tbody"))
			}
		}
		// A decided request is found too, though the queue shows open ones by default.
		if err := inst.DB.InTx(t.Context(), func(tx *store.Tx) error {
			_, err := tx.Exec(t.Context(), "UPDATE access_requests SET status = ? WHERE id = ?", portal.ARApproved, int64(first.ID))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if q := officer.Get("/staff/queue"); q.Text("#queue-table tbody td:nth-child(2)") != second.Reference {
			t.Fatalf("open queue: %q", q.Text("#queue-table tbody"))
		}
		if q := officer.Get("/staff/queue?reference=" + url.QueryEscape(ref)); q.Text(
			"#queue-table tbody td:nth-child(2)",
		) != ref ||
			!strings.Contains(q.Text("#queue-table tbody"), "Approved") {
			t.Fatalf("approved by reference: %q", q.Text("#queue-table tbody"))
		}
		// A well-formed number that no request has.
		missing := "CC-" + year + "-999999"
		if q := officer.Get("/staff/queue?reference=" + missing); q.Status != http.StatusOK ||
			q.Text("#showing") != "No request has the reference number "+missing+"." {
			t.Fatalf("unknown reference: %d %q", q.Status, q.Text("#showing"))
		}
		// Malformed: said at the field, the text kept.
		q := officer.Get("/staff/queue?reference=" + url.QueryEscape("2026-12"))
		if q.Status != http.StatusUnprocessableEntity ||
			q.Text(
				"#reference-error",
			) != "Error: Enter a reference number like CC-2026-000123: CC, the year and the request's number." ||
			q.Attr("#reference", "value") != "2026-12" || q.Attr(`.error-summary a`, "href") != "#reference" {
			t.Fatalf("bad reference: %d %q", q.Status, q.Text("#reference-error"))
		}
		// Without a reference the filters are as before.
		if q := officer.Get("/staff/queue?status=all&profession=physician"); q.Text(
			"#showing",
		) != "Showing 1 to 2 of 2 entries" {
			t.Fatalf("filters: %q", q.Text("#showing"))
		}
		// The pager keeps the reference.
		if u := officer.Get("/staff/queue?reference="+url.QueryEscape(ref)).Attr(`th a`, "href"); !strings.Contains(
			u,
			"reference="+ref,
		) {
			t.Errorf("sort link %q drops the reference", u)
		}
	})
}
