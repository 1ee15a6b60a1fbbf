package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
)

// auditRoutes registers the audit trail and reports pages.
func (s *Server) auditRoutes(handle func(pattern string, h handler)) {
	auditor := s.requireStaff(portal.RoleAuditor)
	readers := s.requireStaff(portal.RoleOfficer, portal.RoleAuditor)
	handle("GET /staff/audit", auditor(s.handleAuditTrail))
	handle("GET /staff/audit/export.csv", auditor(s.handleAuditExport))
	handle("GET /staff/reports", readers(s.handleReports))
	handle("GET /staff/reports/funnel.svg", readers(s.handleFunnelSVG))
}

// auditPerPage is the audit trail's page size.
const auditPerPage = 25

// auditQueryFrom reads the filter form from the query string.
func auditQueryFrom(r *http.Request) app.AuditQuery {
	q := r.URL.Query()
	return app.AuditQuery{
		Person:   q.Get("person"),
		Worksite: q.Get("worksite"),
		From:     q.Get("from"),
		To:       q.Get("to"),
		Action:   q.Get("action"),
	}
}

// values is the filter as a query string (empty fields left out).
func auditValues(q app.AuditQuery) url.Values {
	v := url.Values{}
	for k, x := range map[string]string{"person": q.Person, "worksite": q.Worksite, "from": q.From, "to": q.To, "action": q.Action} {
		if strings.TrimSpace(x) != "" {
			v.Set(k, strings.TrimSpace(x))
		}
	}
	return v
}

// auditEventView is one row of the audit trail table.
type auditEventView struct {
	app.AuditRow
	When    string // B.C. time, to the second
	WhenISO string // RFC 3339, UTC
}

// auditTrailPage is the audit trail: the filter form and one page of events.
type auditTrailPage struct {
	Page
	Form      app.AuditQuery
	Errors    portal.FieldErrors
	Filter    *app.AuditFilter
	Events    []auditEventView
	Pager     pager
	ExportURL string
	Filtered  bool
}

func auditWhen(t time.Time) string {
	return t.In(portal.Pacific()).Format(dateLayout + ", 3:04:05 PM MST")
}

func (s *Server) handleAuditTrail(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	q := auditQueryFrom(r)
	data := auditTrailPage{Page: s.page(r, "Audit trail"), Form: q, Filtered: len(auditValues(q)) > 0}
	f, err := s.app.ResolveAuditQuery(r.Context(), q)
	if fe, ok := portal.AsFieldErrors(err); ok {
		data.Errors = fe
		return s.render(w, r, http.StatusUnprocessableEntity, "staff_audit.html", data)
	}
	if err != nil {
		return err
	}
	data.Form, data.Filter = f.Query, f
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	res, err := s.app.AuditTrail(r.Context(), st.meta, st.staff, f, (page-1)*auditPerPage, auditPerPage)
	if err != nil {
		return err
	}
	base := auditValues(f.Query)
	pageURL := func(p int, _ string) string {
		v := auditValues(f.Query)
		v.Set("page", strconv.Itoa(p))
		return "/staff/audit?" + v.Encode()
	}
	data.Pager = newPager(res.Total, page, auditPerPage, "desc", pageURL)
	if page > data.Pager.Pages {
		http.Redirect(w, r, pageURL(data.Pager.Pages, ""), http.StatusSeeOther)
		return nil
	}
	data.ExportURL = "/staff/audit/export.csv"
	if len(base) > 0 {
		data.ExportURL += "?" + base.Encode()
	}
	for _, e := range res.Rows {
		data.Events = append(
			data.Events,
			auditEventView{AuditRow: e, When: auditWhen(e.At), WhenISO: e.At.UTC().Format(time.RFC3339)},
		)
	}
	return s.render(w, r, http.StatusOK, "staff_audit.html", data)
}

// auditCSVHeader is the export's header row.
var auditCSVHeader = []string{"seq", "occurred_at", "actor_kind", "actor_id", "actor_name", "action", "subject_kind",
	"subject_id", "worksite_id", "ip", "user_agent", "request_id", "details", "hash"}

// csvCell defuses a cell a spreadsheet would run as a formula (CSV
// injection): text starting with = + - @ (or a tab or carriage return,
// which some spreadsheets skip before one) gets a leading single quote.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// csvExport writes the export, starting the response at the first row.
type csvExport struct {
	w       http.ResponseWriter
	cw      *csv.Writer
	name    string
	started bool
	rows    int
}

func (e *csvExport) start() error {
	e.started = true
	h := e.w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+e.name+`"`)
	e.w.WriteHeader(http.StatusOK)
	e.cw = csv.NewWriter(e.w)
	return e.cw.Write(auditCSVHeader)
}

func (e *csvExport) row(r app.AuditRow) error {
	if !e.started {
		if err := e.start(); err != nil {
			return err
		}
	}
	ws := ""
	if r.WorksiteID != 0 {
		ws = strconv.FormatInt(r.WorksiteID, 10)
	}
	rec := []string{
		strconv.FormatInt(r.Seq, 10),
		r.At.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
		r.ActorKind,
		r.ActorID,
		r.ActorName,
		r.Action,
		r.SubjectKind,
		r.SubjectID,
		ws,
		r.IP,
		r.UserAgent,
		r.RequestID,
		r.Details,
		r.Hash,
	}
	for i := range rec {
		rec[i] = csvCell(rec[i])
	}
	if err := e.cw.Write(rec); err != nil {
		return err
	}
	e.rows++
	if e.rows%500 == 0 {
		e.cw.Flush()
		if err := e.cw.Error(); err != nil {
			return err
		}
		_ = http.NewResponseController(e.w).Flush()
	}
	return nil
}

func (s *Server) handleAuditExport(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	f, err := s.app.ResolveAuditQuery(r.Context(), auditQueryFrom(r))
	if _, ok := portal.AsFieldErrors(err); ok {
		// The trail page shows each problem at its field.
		target := "/staff/audit"
		if v := auditValues(auditQueryFrom(r)); len(v) > 0 {
			target += "?" + v.Encode()
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	out := &csvExport{w: w, name: f.FileName(s.app.Now())}
	n, err := s.app.ExportAuditTrail(r.Context(), st.meta, st.staff, f, out.row)
	if err == nil && !out.started {
		err = out.start()
	}
	if err == nil {
		out.cw.Flush()
		err = out.cw.Error()
	}
	if err != nil && out.started {
		// The file has begun: cut the connection rather than let a partial
		// export look complete.
		st.logger.Error("audit export cut short", "err", err, "rows", n)
		if conn, _, herr := http.NewResponseController(w).Hijack(); herr == nil {
			conn.Close()
		}
		return nil
	}
	return err
}

// countView is a row of a count table with its share of the total.
type countView struct {
	Label   string
	N       int
	Percent string
}

// decisionView is a row of the time-to-decision table.
type decisionView struct {
	Period   string
	Decided  int
	Approved int
	Declined int
	Median   string
	P90      string
}

// funnelView is a row of the funnel table.
type funnelView struct {
	Label   string
	N       int
	Percent string
}

// staffReportsPage shows the reports.
type staffReportsPage struct {
	Page
	GeneratedAt       string
	TotalRequests     int
	ByStatus          []countView
	ByProfession      []countView
	ByHealthAuthority []countView
	Decisions         []decisionView
	RecentDays        int
	Funnel            []funnelView
	FunnelWidth       int
	FunnelHeight      int
	Dormancy          app.DormancyReport
}

func percentOf(n, total int) string {
	if total == 0 {
		return "0%"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(n)/float64(total))
}

// humanDuration shows a duration in hours up to two days, then in days.
func humanDuration(d time.Duration) string {
	h := d.Hours()
	switch {
	case h < 48:
		return fmt.Sprintf("%.1f hours", h)
	default:
		return fmt.Sprintf("%.1f days", h/24)
	}
}

func countViews(cs []app.ReportCount, total int) []countView {
	out := make([]countView, 0, len(cs))
	for _, c := range cs {
		out = append(out, countView{Label: c.Label, N: c.N, Percent: percentOf(c.N, total)})
	}
	return out
}

func decisionRow(period string, d app.DecisionStats) decisionView {
	v := decisionView{
		Period:   period,
		Decided:  d.Decided,
		Approved: d.Approved,
		Declined: d.Declined,
		Median:   "No decisions",
		P90:      "No decisions",
	}
	if d.Decided > 0 {
		v.Median, v.P90 = humanDuration(d.Median), humanDuration(d.P90)
	}
	return v
}

func (s *Server) handleReports(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.app.Reports(r.Context(), state(r).staff)
	if err != nil {
		return err
	}
	data := staffReportsPage{
		Page:          s.page(r, "Reports"),
		GeneratedAt:   auditWhen(rep.GeneratedAt),
		TotalRequests: rep.TotalRequests,
		ByStatus: countViews(
			rep.ByStatus,
			rep.TotalRequests,
		),
		ByProfession:      countViews(rep.ByProfession, rep.TotalRequests),
		ByHealthAuthority: countViews(rep.ByHealthAuthority, rep.TotalRequests),
		RecentDays:        app.RecentDecisionDays,
		Decisions: []decisionView{decisionRow("All time", rep.DecisionAll),
			decisionRow(
				fmt.Sprintf("Last %d days", app.RecentDecisionDays),
				rep.DecisionRecent,
			)},
		Dormancy: rep.Dormancy,
	}
	for _, st := range rep.Funnel {
		data.Funnel = append(
			data.Funnel,
			funnelView{Label: st.Label, N: st.N, Percent: fmt.Sprintf("%.0f%%", st.Percent)},
		)
	}
	data.FunnelWidth, data.FunnelHeight = funnelSize(len(rep.Funnel))
	return s.render(w, r, http.StatusOK, "staff_reports.html", data)
}

func (s *Server) handleFunnelSVG(w http.ResponseWriter, r *http.Request) error {
	stages, err := s.app.EnrolmentFunnel(r.Context(), state(r).staff)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	_, err = w.Write(funnelSVG(stages))
	return err
}
