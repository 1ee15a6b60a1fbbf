package web_test

import (
	"encoding/csv"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

func TestWeb_AuditTrail(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		paula := inst.Confirmed(t, "Paula", "PERSON", "paula@example.ca", "paula.person")
		wsID, code := registerWorksite(t, inst, paula, "Audit Street Clinic", "101")
		inst.Confirmed(t, "Olga", "OTHER", "olga@example.ca", "olga.other")
		acct := inst.Account(t, "paula@example.ca")
		pid := strconv.FormatInt(int64(acct.ID), 10)
		auditor := inst.StaffClient(t, "auditor")

		// The person's trail: what they did and what was done to them.
		p := auditor.Get("/staff/audit?person=" + url.QueryEscape(`HXBC\paula.person`))
		if p.Status != http.StatusOK {
			t.Fatalf("trail: %d %s", p.Status, p.Text("main"))
		}
		if !strings.Contains(p.Text("#audit-table"), "account.registered") ||
			!strings.Contains(p.Text("#audit-table"), "worksite.registered") {
			t.Fatalf("trail lacks the person's events: %s", p.Text("#audit-table"))
		}
		if strings.Contains(p.Text("#audit-table"), "olga") {
			t.Fatalf("trail shows another person's events")
		}
		if !strings.Contains(p.Text("#audit-table"), `Paula PERSON (HXBC\paula.person)`) ||
			!strings.Contains(p.Text("#audit-table"), "Audit Street Clinic ("+code+")") {
			t.Fatalf("actor or worksite not named: %s", p.Text("#audit-table"))
		}
		rows := len(p.Find("#audit-table tbody tr"))
		if want := "Showing 1 to " + strconv.Itoa(rows) + " of " + strconv.Itoa(rows) + " entries"; p.Text(
			"#showing",
		) != want {
			t.Fatalf("pager %q, want %q", p.Text("#showing"), want)
		}
		if n := inst.AuditCount(t, portaltest.About("account", pid), "staff.viewed_audit"); n != 1 {
			t.Fatalf("%d staff.viewed_audit rows for the person, want 1", n)
		}
		exportURL := p.Attr("#export-link", "href")
		if exportURL != "/staff/audit/export.csv?person=HXBC%5Cpaula.person" {
			t.Fatalf("export link %q", exportURL)
		}

		// A row a spreadsheet would run as a formula.
		err := inst.DB.InTx(t.Context(), func(tx *store.Tx) error {
			return tx.AppendAudit(
				t.Context(),
				&portal.AuditEvent{At: inst.Clock.Now(), ActorKind: portal.ActorAccount, ActorID: pid,
					Action: "account.contact_changed", SubjectKind: "account", SubjectID: pid, IP: "192.0.2.7",
					UserAgent: `=HYPERLINK("http://evil.example")`, RequestID: "-req", Details: `{"phone":"+1 604"}`},
			)
		})
		if err != nil {
			t.Fatal(err)
		}

		// The export: a CSV file with the same events, recorded once.
		resp, err := auditor.HTTP.Get(inst.URL + exportURL)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Fatalf("export: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(
			cd,
			`attachment; filename="audit-trail-paula.person-`,
		) ||
			!strings.HasSuffix(cd, `.csv"`) {
			t.Fatalf("Content-Disposition %q", cd)
		}
		records, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
		if err != nil {
			t.Fatalf("export is not CSV: %v\n%s", err, body)
		}
		wantHeader := "seq,occurred_at,actor_kind,actor_id,actor_name,action,subject_kind,subject_id,worksite_id,ip,user_agent,request_id,details,hash"
		if got := strings.Join(records[0], ","); got != wantHeader {
			t.Fatalf("header %q", got)
		}
		// Every event on the page, the page view itself, and the inserted row.
		if len(records) != 1+rows+2 {
			t.Fatalf("%d data rows, want %d", len(records)-1, rows+2)
		}
		first := records[1]
		if first[5] != "account.registered" || first[2] != "account" || first[3] != pid || first[4] != `Paula PERSON (HXBC\paula.person)` ||
			first[6] != "account" ||
			first[7] != pid ||
			len(first[13]) != 64 {
			t.Fatalf("first row %q", first)
		}
		if at, err := time.Parse(time.RFC3339, first[1]); err != nil || !strings.HasSuffix(first[1], "Z") ||
			at.IsZero() {
			t.Fatalf("occurred_at %q: %v", first[1], err)
		}
		var sawWorksite, sawFormula bool
		for _, r := range records[1:] {
			if r[5] == "worksite.registered" && r[8] == wsID {
				sawWorksite = true
			}
			if r[5] == "account.contact_changed" {
				sawFormula = true
				if r[10] != `'=HYPERLINK("http://evil.example")` || r[11] != "'-req" || r[12] != `{"phone":"+1 604"}` {
					t.Errorf("cells not defused: user agent %q, request id %q, details %q", r[10], r[11], r[12])
				}
			}
		}
		if !sawWorksite || !sawFormula {
			t.Fatalf("export lacks rows: worksite %v, formula %v", sawWorksite, sawFormula)
		}
		if n := inst.AuditCount(t, portaltest.About("account", pid), "staff.exported_audit"); n != 1 {
			t.Fatalf("%d staff.exported_audit rows, want 1", n)
		}
		if n := inst.AuditCount(t, portaltest.About("account", pid), "staff.viewed_audit"); n != 1 {
			t.Fatalf("the export added a view: %d staff.viewed_audit rows", n)
		}

		// A worksite's trail.
		p = auditor.Get("/staff/audit?worksite=" + strings.ToLower(code))
		if p.Status != http.StatusOK || !strings.Contains(p.Text("#audit-table"), "worksite.declaration_signed") {
			t.Fatalf("worksite trail: %d %s", p.Status, p.Text("main"))
		}
		if n := inst.AuditCount(t, portaltest.About("worksite", wsID), "staff.viewed_audit"); n != 1 {
			t.Fatalf("%d staff.viewed_audit rows for the worksite, want 1", n)
		}

		// Unknown person and worksite, and a period ending before it starts: messages at the fields.
		p = auditor.Get("/staff/audit?person=nobody%40example.ca&worksite=AAAAAAA&from=2026-03-02&to=2026-03-01")
		if p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("bad filter: %d", p.Status)
		}
		if !strings.Contains(p.Text("#person-error"), "No account") ||
			!strings.Contains(p.Text("#worksite-error"), "AAAAAAA") ||
			!strings.Contains(p.Text("#to-error"), "on or after") ||
			p.Attr("#person", "value") != "nobody@example.ca" {
			t.Fatalf(
				"field errors: person %q worksite %q to %q",
				p.Text("#person-error"),
				p.Text("#worksite-error"),
				p.Text("#to-error"),
			)
		}
		if len(p.Find("#audit-table")) != 0 {
			t.Fatal("events shown for a filter with errors")
		}
		if p := auditor.Get("/staff/audit/export.csv?person=nobody%40example.ca"); p.Status != http.StatusSeeOther ||
			p.Location != "/staff/audit?person=nobody%40example.ca" {
			t.Fatalf("export with a bad filter: %d %q", p.Status, p.Location)
		}

		// The period, in B.C. days: today holds the events, tomorrow none.
		today := inst.Clock.Now().In(portal.Pacific())
		p = auditor.Get(
			"/staff/audit?person=paula.person&from=" + today.Format(
				time.DateOnly,
			) + "&to=" + today.Format(
				time.DateOnly,
			),
		)
		if p.Status != http.StatusOK || len(p.Find("#audit-table tbody tr")) == 0 {
			t.Fatalf("today's events: %d %s", p.Status, p.Text("main"))
		}
		p = auditor.Get("/staff/audit?person=paula.person&from=" + today.AddDate(0, 0, 1).Format(time.DateOnly))
		if p.Status != http.StatusOK || len(p.Find("#audit-table")) != 0 || p.Text(".empty-state") == "" {
			t.Fatalf("tomorrow's events: %d %s", p.Status, p.Text("main"))
		}

		// Paging, newest first.
		err = inst.DB.InTx(t.Context(), func(tx *store.Tx) error {
			for i := range 30 {
				if err := tx.AppendAudit(t.Context(), &portal.AuditEvent{At: inst.Clock.Now(), ActorKind: portal.ActorSystem,
					Action: "test.page_" + strconv.Itoa(i), SubjectKind: "account", SubjectID: pid}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		p = auditor.Get("/staff/audit?action=test.page")
		if got := p.Text("#showing"); got != "Showing 1 to 25 of 30 entries" {
			t.Fatalf("page 1: %q", got)
		}
		if first := p.Text("#audit-table tbody tr td:nth-child(3)"); first != "test.page_29" {
			t.Fatalf("newest first: first row %q", first)
		}
		next := p.Find(`.pager a`)
		if len(next) == 0 {
			t.Fatal("no Next link")
		}
		p = auditor.Get(p.Attr(`.pager li:last-child a`, "href"))
		if got := p.Text("#showing"); got != "Showing 26 to 30 of 30 entries" ||
			p.Attr("#action", "value") != "test.page" {
			t.Fatalf("page 2: %q, filter kept %q", got, p.Attr("#action", "value"))
		}
	})
}

func TestWeb_AuditAndReportAuthorisation(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		paths := []string{"/staff/audit", "/staff/audit/export.csv", "/staff/reports", "/staff/reports/funnel.svg"}

		signedOut := inst.Client(t)
		for _, path := range paths {
			p := signedOut.Get(path)
			if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/staff/signin") {
				t.Errorf("signed out %s: %d %q, want a redirect to /staff/signin", path, p.Status, p.Location)
			}
		}
		if p := signedOut.Get("/staff/audit?person=x"); p.Location != "/staff/signin?return_to=%2Fstaff%2Faudit%3Fperson%3Dx" {
			t.Errorf("return_to not kept: %q", p.Location)
		}

		person := inst.Confirmed(t, "Pat", "PERSON", "pat@example.ca", "pat.person")
		for _, path := range paths {
			if p := person.Get(path); p.Status != http.StatusForbidden {
				t.Errorf("person %s: %d, want 403", path, p.Status)
			}
		}

		officer := inst.StaffClient(t, "officer")
		for path, want := range map[string]int{
			"/staff/audit": 403, "/staff/audit/export.csv": 403, "/staff/audit/export.csv?person=pat.person": 403,
			"/staff/reports": 200, "/staff/reports/funnel.svg": 200,
		} {
			if p := officer.Get(path); p.Status != want {
				t.Errorf("officer %s: %d, want %d", path, p.Status, want)
			}
		}
		admin := inst.StaffClient(t, "administrator")
		for _, path := range paths {
			if p := admin.Get(path); p.Status != http.StatusOK {
				t.Errorf("administrator %s: %d, want 200", path, p.Status)
			}
		}
		auditor := inst.StaffClient(t, "auditor")
		for _, path := range paths {
			if p := auditor.Get(path); p.Status != http.StatusOK {
				t.Errorf("auditor %s: %d, want 200", path, p.Status)
			}
		}
		// Nobody refused read or exported anything.
		acct := inst.Account(t, "pat@example.ca")
		if n := inst.AuditCount(t, portaltest.About("account", strconv.FormatInt(int64(acct.ID), 10)), "staff.exported_audit"); n != 0 {
			t.Errorf("%d exports recorded for refused requests", n)
		}
	})
}

func TestWeb_Reports(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		c := inst.Confirmed(t, "Rita", "REPORT", "rita@example.ca", "rita.report")
		registerWorksite(t, inst, c, "Report Clinic", "202")
		inst.Confirmed(t, "Sam", "SECOND", "sam@example.ca", "sam.second")

		officer := inst.StaffClient(t, "officer")
		p := officer.Get("/staff/reports")
		if p.Status != http.StatusOK || p.Text("h1") != "Reports" {
			t.Fatalf("reports: %d %q", p.Status, p.Text("h1"))
		}
		if got := len(p.Find("#by-status tbody tr")); got != 6 {
			t.Errorf("%d status rows, want 6", got)
		}
		if got := len(p.Find("#by-health-authority tbody tr")); got != 5 {
			t.Errorf("%d health authority rows, want 5", got)
		}
		if got := p.Text("#total-requests"); got != "0" {
			t.Errorf("total requests %q", got)
		}
		if got := p.Text("#time-to-decision tbody tr td:nth-child(5)"); got != "No decisions" {
			t.Errorf("median with no decisions %q", got)
		}
		funnel := p.Find("#funnel tbody tr")
		if len(funnel) != 5 {
			t.Fatalf("%d funnel rows, want 5", len(funnel))
		}
		if got := portaltest.NodeText(funnel[0]); got != "HxBC account created 2 100%" {
			t.Errorf("funnel first row %q", got)
		}
		if got := portaltest.NodeText(funnel[1]); got != "Member of an approved worksite 1 50%" {
			t.Errorf("funnel second row %q", got)
		}
		src := p.Attr("#funnel-chart", "src")
		if src != "/staff/reports/funnel.svg" || p.Attr("#funnel-chart", "alt") == "" {
			t.Fatalf("chart image %q alt %q", src, p.Attr("#funnel-chart", "alt"))
		}

		svg := officer.Get(src)
		if svg.Status != http.StatusOK || svg.Header.Get("Content-Type") != "image/svg+xml" {
			t.Fatalf("svg: %d %q", svg.Status, svg.Header.Get("Content-Type"))
		}
		var doc struct {
			XMLName xml.Name `xml:"svg"`
			Role    string   `xml:"role,attr"`
			Title   string   `xml:"title"`
			Desc    string   `xml:"desc"`
			Groups  []struct {
				Texts []string `xml:"text"`
				Rects []struct {
					Width string `xml:"width,attr"`
				} `xml:"rect"`
			} `xml:"g"`
		}
		if err := xml.Unmarshal([]byte(svg.Body), &doc); err != nil {
			t.Fatalf("svg is not well-formed: %v", err)
		}
		if doc.Role != "img" || doc.Title != "Enrolment funnel" ||
			!strings.Contains(doc.Desc, "HxBC account created: 2 (100%)") {
			t.Fatalf("svg role %q title %q desc %q", doc.Role, doc.Title, doc.Desc)
		}
		if len(doc.Groups) != 5 || doc.Groups[1].Texts[0] != "Member of an approved worksite" ||
			doc.Groups[1].Texts[1] != "1 (50%)" {
			t.Fatalf("svg bars %+v", doc.Groups)
		}
		if strings.Contains(svg.Body, "style") {
			t.Fatal("the svg uses CSS, which the Content-Security-Policy blocks")
		}
	})
}
