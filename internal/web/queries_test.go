package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"

	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
)

// statementsFor is how many statements one GET of path sends to the
// database, and the page it gave.
func statementsFor(
	t *testing.T,
	inst *portaltest.Instance,
	c *portaltest.Client,
	path string,
) (int64, *portaltest.Page) {
	t.Helper()
	before := inst.DB.Statements()
	p := c.Get(path)
	n := inst.DB.Statements() - before
	if p.Status != http.StatusOK {
		t.Fatalf("GET %s: status %d", path, p.Status)
	}
	return n, p
}

// maxPageStatements is what a signed-in page may send: the session with
// its account, everything the page shows, and at most one write (the
// session's last-seen time, once a minute, or a flash cleared).
const maxPageStatements = 3

// TestWeb_MenuPendingAndQueries: the main menu says what of the person's
// waits for someone else, and with whom, and the menu, the Notification
// Centre and the status page each read their data in one statement.
func TestWeb_MenuPendingAndQueries(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		doc := inst.Confirmed(t, "Dalia", "KIM", "dalia@example.ca", "dalia.kim")
		homeID, _ := registerWorksite(t, inst, doc, "Harbour Family Practice", "101")
		_, kingsgate := registerWorksite(t, inst, doc, "Kingsgate Mall Clinic", "202")
		moa := inst.Registered(t, "Mona", "FRONTDESK", "mona@example.ca", "mona.frontdesk", portaltest.AsMOA)
		joinDirectly(t, inst, homeID, "mona@example.ca")
		docAcct := enrolledAt(t, inst, "dalia@example.ca", homeID)
		if p := moa.Post("/sponsorships", url.Values{"authorizer": {formatInt(int64(docAcct.ID)) + ":" + homeID}}); p.Status != http.StatusSeeOther {
			t.Fatalf("ask for sponsorship: %d %s", p.Status, p.Text("main"))
		}
		moa.Post("/worksites/join/code", url.Values{"code": {kingsgate}})
		if p := moa.Post("/worksites/access", url.Values{"worksite": {kingsgate}, "via": {"code"}}); p.Status != http.StatusOK {
			t.Fatalf("ask to join: %d %s", p.Status, p.Text("main"))
		}
		day := inst.Clock.Now().In(portal.Pacific()).Format("2 Jan")

		n, p := statementsFor(t, inst, moa, "/menu")
		want := []string{
			"Join request to Kingsgate Mall Clinic, waiting for its site administrator since " + day + ".",
			"Request to work on behalf of Dalia KIM, your authorizer, waiting for their approval since " + day + ".",
		}
		if got := pageTexts(p, ".pending-requests li"); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("pending lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if n > maxPageStatements {
			t.Errorf("GET /menu sent %d statements, want at most %d", n, maxPageStatements)
		}

		// Someone whose request is in the CareConnect team's queue.
		phys, _, req := boSubmitted(t, inst, "Paul", "QUEUE", "paul.queue", "303", nil)
		n, p = statementsFor(t, inst, phys, "/menu")
		wantLine := "CareConnect request " + req.Reference + ", in the CareConnect team's queue since " + day + "."
		if got := pageTexts(p, ".pending-requests li"); len(got) != 1 || got[0] != wantLine ||
			!strings.HasPrefix(req.Reference, "CC-") {
			t.Errorf("pending lines %q, want %q", got, wantLine)
		}
		if n > maxPageStatements {
			t.Errorf("GET /menu sent %d statements, want at most %d", n, maxPageStatements)
		}

		// The site administrator, with requests waiting for them.
		for _, c := range []*portaltest.Client{doc, moa, phys} {
			for _, path := range []string{"/menu", "/notifications", "/application/status"} {
				c.Get(path) // a flash or the last-seen time may be written once
				if n, _ := statementsFor(t, inst, c, path); n > maxPageStatements {
					t.Errorf("GET %s sent %d statements, want at most %d", path, n, maxPageStatements)
				}
			}
		}
		if p := doc.Get("/menu"); len(p.Find(".attention-banner")) != 1 || len(p.Find(".pending-requests")) != 0 {
			t.Errorf(
				"administrator's menu: banner %d, pending %d",
				len(p.Find(".attention-banner")),
				len(p.Find(".pending-requests")),
			)
		}
	})
}

// pageTexts is the whitespace-normalised text of every match of sel.
func pageTexts(p *portaltest.Page, sel string) []string {
	var out []string
	for _, n := range p.Find(sel) {
		out = append(out, portaltest.NodeText(n))
	}
	return out
}
