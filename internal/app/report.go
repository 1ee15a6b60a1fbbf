package app

import (
	"context"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// The audit trail and the reports of the CareConnect team's back office.
//
// Auditors (privacy officers) read the audit trail by person, by worksite
// and by period, and export it; each reading and each export is itself
// recorded in the trail. Officers and auditors see the reports.

// AuditQuery is the audit trail's filter form as typed: every field may be
// empty.
type AuditQuery struct {
	Person   string // email address or HxBC username of an account
	Worksite string // Worksite ID, e.g. K4T6CLP
	From     string // first day, YYYY-MM-DD (or MM/DD/YYYY), B.C. time
	To       string // last day, included
	Action   string // text the action contains, any case
}

// AuditFilter is an AuditQuery checked and resolved.
type AuditFilter struct {
	Query    AuditQuery
	Person   *portal.Account  // nil when the trail is not filtered by person
	Worksite *portal.Worksite // nil when the trail is not filtered by worksite
	From     time.Time        // start of the first day, B.C. time; zero when open
	To       time.Time        // start of the day after the last day; zero when open
	Action   string
}

func (f *AuditFilter) search() store.AuditSearch {
	s := store.AuditSearch{From: f.From, To: f.To, ActionContains: f.Action}
	if f.Person != nil {
		s.Account = f.Person.ID
	}
	if f.Worksite != nil {
		s.Worksite = f.Worksite.ID
	}
	return s
}

// details is the filter as the audit trail records it.
func (f *AuditFilter) details() map[string]any {
	d := map[string]any{}
	if f.Person != nil {
		d["person"] = accountRef(f.Person.ID)
		d["person_username"] = f.Person.QualifiedUsername()
	}
	if f.Worksite != nil {
		d["worksite"] = string(f.Worksite.Code)
	}
	if f.Query.From != "" {
		d["from"] = f.From.In(portal.Pacific()).Format(time.DateOnly)
	}
	if f.Query.To != "" {
		d["to"] = f.To.In(portal.Pacific()).AddDate(0, 0, -1).Format(time.DateOnly)
	}
	if f.Action != "" {
		d["action"] = f.Action
	}
	return d
}

// subject is what reading the trail under this filter is about: the
// person, else the worksite, else the trail as a whole.
func (f *AuditFilter) subject() (kind, id string, worksite int64) {
	if f.Worksite != nil {
		worksite = int64(f.Worksite.ID)
	}
	switch {
	case f.Person != nil:
		return "account", accountRef(f.Person.ID), worksite
	case f.Worksite != nil:
		return "worksite", worksiteRef(f.Worksite.ID), worksite
	}
	return "audit_trail", "all", 0
}

var fileNameUnsafe = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// FileName names an export of the trail under this filter.
func (f *AuditFilter) FileName(now time.Time) string {
	parts := []string{"audit-trail"}
	if f.Person != nil {
		parts = append(parts, f.Person.Username)
	}
	if f.Worksite != nil {
		parts = append(parts, string(f.Worksite.Code))
	}
	parts = append(parts, now.In(portal.Pacific()).Format("20060102-150405"))
	return fileNameUnsafe.ReplaceAllString(strings.Join(parts, "-"), "_") + ".csv"
}

// parseDay reads a date as typed: YYYY-MM-DD (a date field) or MM/DD/YYYY
// (how the portal shows dates), as a day in B.C. time.
func parseDay(s string) (time.Time, bool) {
	for _, layout := range []string{time.DateOnly, "01/02/2006", "1/2/2006"} {
		if t, err := time.ParseInLocation(layout, s, portal.Pacific()); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// ResolveAuditQuery checks the filter form: the person and worksite must
// exist, the dates must be dates and the period must not end before it
// starts. Problems are field errors.
func (a *App) ResolveAuditQuery(ctx context.Context, q AuditQuery) (*AuditFilter, error) {
	q.Person, q.Worksite = strings.TrimSpace(q.Person), strings.TrimSpace(q.Worksite)
	q.From, q.To, q.Action = strings.TrimSpace(q.From), strings.TrimSpace(q.To), strings.TrimSpace(q.Action)
	f := &AuditFilter{Query: q, Action: q.Action}
	fe := portal.FieldErrors{}
	rd := a.DB.Read()
	if q.Person != "" {
		acct, err := rd.FindAuditPerson(ctx, q.Person)
		switch {
		case store.IsNotFound(err):
			fe.Add(
				"person",
				"No account uses that email address or username. Enter an email address, or a username like HXBC\\first.last.",
			)
		case err != nil:
			return nil, err
		default:
			f.Person = acct
		}
	}
	if q.Worksite != "" {
		code, err := portal.ParseWorksiteCode(q.Worksite)
		if err != nil {
			fe.Add("worksite", portal.ErrorMessage(err))
		} else {
			w, err := rd.FindWorksiteByCode(ctx, code)
			switch {
			case store.IsNotFound(err):
				fe.Add("worksite", "No worksite has the Worksite ID "+string(code)+".")
			case err != nil:
				return nil, err
			default:
				f.Worksite = w
			}
		}
	}
	if q.From != "" {
		if d, ok := parseDay(q.From); ok {
			f.From = d
		} else {
			fe.Add("from", "Enter the first day as a date, like 2026-01-31.")
		}
	}
	if q.To != "" {
		if d, ok := parseDay(q.To); ok {
			f.To = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, portal.Pacific())
		} else {
			fe.Add("to", "Enter the last day as a date, like 2026-01-31.")
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		fe.Add("to", "The last day must be on or after the first day.")
	}
	if len(q.Action) > 100 {
		fe.Add("action", "Use 100 characters or fewer.")
	}
	if err := fe.Err(); err != nil {
		return f, err
	}
	return f, nil
}

// AuditRow is one event of the trail with the names of who and what.
type AuditRow struct {
	portal.AuditEvent
	ActorName    string // the account's or staff member's name, or what the actor was
	SubjectName  string // what the event is about
	WorksiteName string // the worksite's name and Worksite ID, or ""
}

// AuditPage is one page of the trail, newest first.
type AuditPage struct {
	Filter *AuditFilter
	Rows   []AuditRow
	Total  int // events under the filter
}

func requireAuditor(staff *portal.Staff) error {
	if staff == nil || !staff.Has(portal.RoleAuditor) {
		return portal.Errorf(portal.EFORBIDDEN, "Only auditors may read the audit trail.")
	}
	return nil
}

// AuditTrail returns one page of the trail under a filter, newest first,
// and records the reading in the trail (action staff.viewed_audit, about
// the person or worksite read). The reading is recorded after the page is
// read, so it appears from the next reading on.
func (a *App) AuditTrail(
	ctx context.Context,
	meta portal.RequestMeta,
	staff *portal.Staff,
	f *AuditFilter,
	offset, limit int,
) (*AuditPage, error) {
	if err := requireAuditor(staff); err != nil {
		return nil, err
	}
	rd := a.DB.Read()
	s := f.search()
	total, err := rd.CountAuditSearch(ctx, s)
	if err != nil {
		return nil, err
	}
	events, err := rd.SearchAuditEvents(ctx, s, offset, limit)
	if err != nil {
		return nil, err
	}
	rows, err := a.nameAuditEvents(ctx, events)
	if err != nil {
		return nil, err
	}
	details := f.details()
	details["offset"], details["shown"], details["total"] = offset, len(rows), total
	kind, id, ws := f.subject()
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		return a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorStaff, actorID: staffRef(staff.ID),
			action: "staff.viewed_audit", subjectKind: kind, subjectID: id, worksiteID: ws, details: details})
	})
	if err != nil {
		return nil, err
	}
	return &AuditPage{Filter: f, Rows: rows, Total: total}, nil
}

// auditExportBatch is how many events an export reads at a time.
const auditExportBatch = 500

// ExportAuditTrail records an export of the trail under a filter (action
// staff.exported_audit) and then hands every event the filter selects to
// emit, oldest first, batch by batch. The export covers the trail as it
// stood when the export was recorded, so it never includes its own row.
// The export is recorded before the first event leaves, so an export cut
// short is still on the record.
func (a *App) ExportAuditTrail(
	ctx context.Context,
	meta portal.RequestMeta,
	staff *portal.Staff,
	f *AuditFilter,
	emit func(AuditRow) error,
) (int, error) {
	if err := requireAuditor(staff); err != nil {
		return 0, err
	}
	s := f.search()
	total, err := a.DB.Read().CountAuditSearch(ctx, s)
	if err != nil {
		return 0, err
	}
	details := f.details()
	details["rows"] = total
	kind, id, ws := f.subject()
	var self portal.AuditEvent
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		self = portal.AuditEvent{At: a.now(), ActorKind: portal.ActorStaff, ActorID: staffRef(staff.ID),
			Action: "staff.exported_audit", SubjectKind: kind, SubjectID: id, WorksiteID: ws,
			IP: meta.IP, UserAgent: portal.Truncate(meta.UserAgent, 300), RequestID: meta.RequestID, Details: store.AuditDetails(details)}
		return tx.AppendAudit(ctx, &self)
	})
	if err != nil {
		return 0, err
	}
	s.BeforeSeq = self.Seq
	n := 0
	var after int64
	for {
		batch, err := a.DB.Read().AuditSearchBatch(ctx, s, after, auditExportBatch)
		if err != nil {
			return n, err
		}
		if len(batch) == 0 {
			return n, nil
		}
		rows, err := a.nameAuditEvents(ctx, batch)
		if err != nil {
			return n, err
		}
		for _, r := range rows {
			if err := emit(r); err != nil {
				return n, err
			}
			n++
		}
		after = batch[len(batch)-1].Seq
	}
}

// staffIDOf reads the staff id from an audit actor or subject id "staff:N".
func staffIDOf(ref string) (int64, bool) {
	v, ok := strings.CutPrefix(ref, "staff:")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(v, 10, 64)
	return id, err == nil
}

func nameWithExtra(n store.AuditName) string {
	if n.Extra == "" {
		return n.Name
	}
	if n.Name == "" {
		return n.Extra
	}
	return n.Name + " (" + n.Extra + ")"
}

// subjectKindLabels says what kinds of subject are, for people.
var subjectKindLabels = map[string]string{
	"access_request":        "Access request",
	"invitation":            "Invitation",
	"join_request":          "Request to join",
	"sponsorship":           "Sponsorship",
	"remote_access_request": "Remote access request",
	"identity":              "Identity",
	"audit_trail":           "Audit trail",
}

// nameAuditEvents resolves the accounts, staff and worksites the events
// name, with one query per kind.
func (a *App) nameAuditEvents(ctx context.Context, events []portal.AuditEvent) ([]AuditRow, error) {
	var accounts, staff, worksites []int64
	for _, e := range events {
		for _, ref := range [][2]string{{e.ActorKind, e.ActorID}, {e.SubjectKind, e.SubjectID}} {
			switch ref[0] {
			case portal.ActorAccount:
				if id, err := strconv.ParseInt(ref[1], 10, 64); err == nil {
					accounts = append(accounts, id)
				}
			case portal.ActorStaff:
				if id, ok := staffIDOf(ref[1]); ok {
					staff = append(staff, id)
				}
			case "worksite":
				if id, err := strconv.ParseInt(ref[1], 10, 64); err == nil {
					worksites = append(worksites, id)
				}
			}
		}
		if e.WorksiteID != 0 {
			worksites = append(worksites, e.WorksiteID)
		}
	}
	rd := a.DB.Read()
	accountNames, err := rd.AuditAccountNames(ctx, uniq(accounts))
	if err != nil {
		return nil, err
	}
	staffNames, err := rd.AuditStaffNames(ctx, uniq(staff))
	if err != nil {
		return nil, err
	}
	worksiteNames, err := rd.AuditWorksiteNames(ctx, uniq(worksites))
	if err != nil {
		return nil, err
	}
	name := func(kind, ref string) string {
		switch kind {
		case portal.ActorAccount:
			if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
				if n, ok := accountNames[id]; ok {
					return nameWithExtra(n)
				}
			}
			return "Account " + ref
		case portal.ActorStaff:
			if id, ok := staffIDOf(ref); ok {
				if n, ok := staffNames[id]; ok {
					return nameWithExtra(n) + ", CareConnect team"
				}
			}
			return ref + ", CareConnect team"
		case "worksite":
			if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
				if n, ok := worksiteNames[id]; ok {
					return nameWithExtra(n)
				}
			}
			return "Worksite " + ref
		case portal.ActorSystem:
			return strings.TrimSpace("The portal " + ref)
		case portal.ActorAnonymous:
			return "Not signed in"
		case portal.ActorClient:
			return "API client " + ref
		}
		if l, ok := subjectKindLabels[kind]; ok {
			return strings.TrimSpace(l + " " + ref)
		}
		return strings.TrimSpace(kind + " " + ref)
	}
	out := make([]AuditRow, len(events))
	for i, e := range events {
		out[i] = AuditRow{
			AuditEvent:  e,
			ActorName:   name(e.ActorKind, e.ActorID),
			SubjectName: name(e.SubjectKind, e.SubjectID),
		}
		if e.SubjectKind == "audit_trail" {
			out[i].SubjectName = "The audit trail"
		}
		if e.WorksiteID != 0 {
			if n, ok := worksiteNames[e.WorksiteID]; ok {
				out[i].WorksiteName = nameWithExtra(n)
			} else {
				out[i].WorksiteName = "Worksite " + strconv.FormatInt(e.WorksiteID, 10)
			}
		}
	}
	return out, nil
}

func uniq(ids []int64) []int64 {
	slices.Sort(ids)
	return slices.Compact(ids)
}

// Percentile returns the p-th percentile (0 <= p <= 1) of durations sorted
// in ascending order, by linear interpolation between closest ranks (the
// method of Excel's PERCENTILE.INC and NumPy's default): with n values
// x[0..n-1], the rank is h = (n-1)p and the result is
// x[floor(h)] + (h - floor(h)) * (x[floor(h)+1] - x[floor(h)]).
// Durations 1..10 hours give a median of 5.5 hours and a 90th percentile
// of 9.1 hours. An empty list gives 0.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	p = math.Max(0, math.Min(1, p))
	h := float64(n-1) * p
	lo := int(math.Floor(h))
	if lo >= n-1 {
		return sorted[n-1]
	}
	frac := h - float64(lo)
	return sorted[lo] + time.Duration(math.Round(frac*float64(sorted[lo+1]-sorted[lo])))
}

// DecisionStats summarises the time from submission to decision.
type DecisionStats struct {
	Decided  int // requests decided
	Approved int
	Declined int
	Median   time.Duration
	P90      time.Duration // 90th percentile
}

// DecisionStatsOf summarises decision times with Percentile.
func DecisionStatsOf(ts []portal.DecisionTiming) DecisionStats {
	s := DecisionStats{Decided: len(ts)}
	ds := make([]time.Duration, 0, len(ts))
	for _, t := range ts {
		ds = append(ds, t.Took())
		switch t.Outcome {
		case portal.ARApproved:
			s.Approved++
		case portal.ARDeclined:
			s.Declined++
		}
	}
	slices.Sort(ds)
	s.Median, s.P90 = Percentile(ds, 0.5), Percentile(ds, 0.9)
	return s
}

// ReportCount is one row of a count table.
type ReportCount struct {
	Key   string
	Label string
	N     int
}

// FunnelStage is one step of the enrolment funnel.
type FunnelStage struct {
	Key     string
	Label   string
	N       int     // accounts that reached this step
	Percent float64 // of the accounts created
}

// Funnel steps.
const (
	FunnelCreated   = "created"
	FunnelWorksite  = "worksite"
	FunnelPrereqs   = "prerequisites"
	FunnelRequested = "requested"
	FunnelApproved  = "approved"
)

// RecentDecisionDays is the window of the "recent" time to decision.
const RecentDecisionDays = 90

// Report is the back office's reports page.
type Report struct {
	GeneratedAt       time.Time
	TotalRequests     int
	ByStatus          []ReportCount // every status, in the life-cycle order
	ByProfession      []ReportCount // professions with at least one request, by the form's order
	ByHealthAuthority []ReportCount // every health authority, then unknown when any
	DecisionAll       DecisionStats
	DecisionRecent    DecisionStats // decisions in the last RecentDecisionDays days
	Funnel            []FunnelStage
	Dormancy          DormancyReport
}

// DormancyReport counts dormant access: suspended as unused, and restored
// by the people themselves.
type DormancyReport struct {
	LimitDays         int
	DormantNow        int // access suspended as dormant and not restored
	SuspendedAll      int // suspensions as dormant, ever
	SuspendedRecent   int // in the last RecentDecisionDays days
	ReactivatedAll    int // restorations by the person after a suspension as dormant, ever
	ReactivatedRecent int
}

func (a *App) dormancyReport(ctx context.Context, since time.Time) (DormancyReport, error) {
	rd := a.DB.Read()
	out := DormancyReport{LimitDays: a.DormancyLimitDays()}
	var err error
	if out.DormantNow, err = rd.CountDormantSuspended(ctx); err != nil {
		return out, err
	}
	for _, c := range []struct {
		n      *int
		action string
		since  time.Time
	}{
		{&out.SuspendedAll, "dormancy.suspended", time.Time{}}, {&out.SuspendedRecent, "dormancy.suspended", since},
		{&out.ReactivatedAll, "dormancy.reactivated", time.Time{}}, {&out.ReactivatedRecent, "dormancy.reactivated", since},
	} {
		if *c.n, err = rd.CountAuditActions(ctx, c.action, c.since); err != nil {
			return out, err
		}
	}
	return out, nil
}

func requireReportReader(staff *portal.Staff) error {
	if staff == nil || !staff.HasAny(portal.RoleOfficer, portal.RoleAuditor) {
		return portal.Errorf(portal.EFORBIDDEN, "Only enrolment officers and auditors may see the reports.")
	}
	return nil
}

// arStatuses lists the access request statuses in their life-cycle order.
var arStatuses = []string{portal.ARSubmitted, portal.ARInfoRequested, portal.ARApproved, portal.ARDeclined,
	portal.ARSuspended, portal.ARDeprovisioned}

// Reports computes the counts of access requests, the time to decision
// and the enrolment funnel.
func (a *App) Reports(ctx context.Context, staff *portal.Staff) (*Report, error) {
	if err := requireReportReader(staff); err != nil {
		return nil, err
	}
	rd := a.DB.Read()
	now := a.now()
	r := &Report{GeneratedAt: now}

	byStatus, err := rd.CountAccessRequestsByStatus(ctx)
	if err != nil {
		return nil, err
	}
	counted := map[string]int{}
	for _, c := range byStatus {
		counted[c.Key] = c.N
		r.TotalRequests += c.N
	}
	for _, st := range arStatuses {
		r.ByStatus = append(r.ByStatus, ReportCount{Key: st, Label: portal.ARStatusLabel(st), N: counted[st]})
		delete(counted, st)
	}
	r.ByStatus = append(r.ByStatus, leftovers(counted, func(k string) string { return k })...)

	byProf, err := rd.CountAccessRequestsByProfession(ctx)
	if err != nil {
		return nil, err
	}
	counted = map[string]int{}
	for _, c := range byProf {
		counted[c.Key] = c.N
	}
	for _, p := range portal.Professions {
		if n := counted[string(p.Code)]; n > 0 {
			r.ByProfession = append(r.ByProfession, ReportCount{Key: string(p.Code), Label: p.Label, N: n})
		}
		delete(counted, string(p.Code))
	}
	r.ByProfession = append(r.ByProfession, leftovers(counted, func(k string) string { return k })...)

	byHA, err := rd.CountAccessRequestsByHealthAuthority(ctx)
	if err != nil {
		return nil, err
	}
	counted = map[string]int{}
	for _, c := range byHA {
		counted[c.Key] = c.N
	}
	for _, ha := range portal.HealthAuthorities {
		r.ByHealthAuthority = append(
			r.ByHealthAuthority,
			ReportCount{Key: string(ha), Label: string(ha), N: counted[string(ha)]},
		)
		delete(counted, string(ha))
	}
	r.ByHealthAuthority = append(r.ByHealthAuthority, leftovers(counted, func(k string) string {
		if k == "" {
			return "Not known"
		}
		return k
	})...)

	timings, err := rd.FindDecisionTimings(ctx)
	if err != nil {
		return nil, err
	}
	since := now.Add(-RecentDecisionDays * 24 * time.Hour)
	var recent []portal.DecisionTiming
	for _, t := range timings {
		if !t.DecidedAt.Before(since) {
			recent = append(recent, t)
		}
	}
	r.DecisionAll, r.DecisionRecent = DecisionStatsOf(timings), DecisionStatsOf(recent)

	if r.Funnel, err = a.funnel(ctx); err != nil {
		return nil, err
	}
	if r.Dormancy, err = a.dormancyReport(ctx, since); err != nil {
		return nil, err
	}
	return r, nil
}

// leftovers lists counts the fixed lists did not name, by key.
func leftovers(counted map[string]int, label func(string) string) []ReportCount {
	var out []ReportCount
	for k, n := range counted {
		if n > 0 {
			out = append(out, ReportCount{Key: k, Label: label(k), N: n})
		}
	}
	slices.SortFunc(out, func(a, b ReportCount) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// EnrolmentFunnel counts how far accounts have come on the way to
// CareConnect access.
func (a *App) EnrolmentFunnel(ctx context.Context, staff *portal.Staff) ([]FunnelStage, error) {
	if err := requireReportReader(staff); err != nil {
		return nil, err
	}
	return a.funnel(ctx)
}

// funnel counts, for each step of the journey, the accounts that reached
// it: created an HxBC account; belong to an approved worksite; completed
// every prerequisite of their profession in its current version; made an
// access request; had a request approved. A person reaches a step when
// they stand on it and on every step before it now, or when they made a
// request (or had one approved), which needed every step before it at the
// time: a person approved last year whose training has since been
// superseded still passed that step. So each step counts no more people
// than the one before.
func (a *App) funnel(ctx context.Context) ([]FunnelStage, error) {
	accts, err := a.DB.Read().FindFunnelAccounts(ctx)
	if err != nil {
		return nil, err
	}
	stages := []FunnelStage{
		{Key: FunnelCreated, Label: "HxBC account created"},
		{Key: FunnelWorksite, Label: "Member of an approved worksite"},
		{Key: FunnelPrereqs, Label: "Prerequisites complete"},
		{Key: FunnelRequested, Label: "CareConnect access requested"},
		{Key: FunnelApproved, Label: "CareConnect access approved"},
	}
	for _, f := range accts {
		reached := 0 // index of the furthest step
		acct := &portal.Account{ID: f.ID, Profession: f.Profession, NurseLicence: f.NurseLicence}
		prereqsDone := true
		for _, p := range acct.Prerequisites() {
			if !prerequisiteStatus(acct, p, f.Completions).Done {
				prereqsDone = false
			}
		}
		switch {
		case f.Approved:
			reached = 4
		case f.Requested:
			reached = 3
		case f.ApprovedWorksite && prereqsDone:
			reached = 2
		case f.ApprovedWorksite:
			reached = 1
		}
		for i := 0; i <= reached; i++ {
			stages[i].N++
		}
	}
	for i := range stages {
		if stages[0].N > 0 {
			stages[i].Percent = 100 * float64(stages[i].N) / float64(stages[0].N)
		}
	}
	return stages, nil
}
