package app

import (
	"context"
	"slices"
	"strconv"
	"strings"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// QueuePageSize is how many requests one page of the queue shows.
const QueuePageSize = 20

// Queue status choices besides the statuses themselves.
const (
	QueueOpen = "open" // submitted or waiting for the person's answer (the default)
	QueueAll  = "all"
)

// QueueQuery is the queue's filter form, as typed.
type QueueQuery struct {
	Status          string // QueueOpen (default), QueueAll or an access request status
	Profession      string
	HealthAuthority string
	Worksite        string // a Worksite ID
	Reference       string // a request's reference number: that request, whatever the other filters
	OlderThanDays   string // submitted more than this many days ago; "" for any age
	Sort            string // "asc": oldest first; "desc" (default): newest first
	Page            int
}

// Normalize trims the form and fills in the defaults.
func (q *QueueQuery) Normalize() {
	for _, s := range []*string{&q.Status, &q.Profession, &q.HealthAuthority, &q.Worksite, &q.Reference, &q.OlderThanDays, &q.Sort} {
		*s = strings.TrimSpace(*s)
	}
	if q.Status == "" {
		q.Status = QueueOpen
	}
	if q.Sort != "asc" {
		q.Sort = "desc"
	}
	if q.Page < 1 {
		q.Page = 1
	}
}

// QueueRow is one request in the queue.
type QueueRow struct {
	Request   *portal.AccessRequest
	Account   *portal.Account
	Worksites []*portal.Worksite
	ClaimedBy string // the claiming officer's name, or ""
	Flags     int    // automatic checks that need attention
}

// QueueResult is one page of the queue.
type QueueResult struct {
	Rows   []QueueRow
	Total  int
	Page   int // the page shown, within range
	Errors portal.FieldErrors
}

// requireOfficer lets only enrolment officers (and administrators) work
// the queue.
func requireOfficer(s *portal.Staff) error {
	if s == nil || !s.Has(portal.RoleOfficer) {
		return portal.Errorf(portal.EFORBIDDEN, "Your role in the CareConnect team does not include access requests.")
	}
	return nil
}

// queueFilter turns the form into a store filter; field errors name what
// could not be used.
func (a *App) queueFilter(q QueueQuery) (store.QueueFilter, portal.FieldErrors) {
	fe := portal.FieldErrors{}
	f := store.QueueFilter{Oldest: q.Sort == "asc", Limit: QueuePageSize, Offset: (q.Page - 1) * QueuePageSize}
	if q.Reference != "" {
		// A reference number names one request: the other filters,
		// the status "Open" among them, would only hide it.
		ref, err := portal.ParseReference(q.Reference)
		if err != nil {
			fe.Add("reference", portal.ErrorMessage(err))
		}
		f.Reference = ref
		return f, fe
	}
	switch q.Status {
	case QueueOpen:
		f.Statuses = []string{portal.ARSubmitted, portal.ARInfoRequested}
	case QueueAll:
	case portal.ARSubmitted,
		portal.ARInfoRequested,
		portal.ARApproved,
		portal.ARDeclined,
		portal.ARSuspended,
		portal.ARDeprovisioned:
		f.Statuses = []string{q.Status}
	default:
		fe.Add("status", "Choose a status from the list.")
	}
	if q.Profession != "" {
		if _, ok := portal.LookupProfession(portal.Profession(q.Profession)); !ok {
			fe.Add("profession", "Choose a profession from the list.")
		}
		f.Profession = portal.Profession(q.Profession)
	}
	if q.HealthAuthority != "" {
		if !slices.Contains(portal.HealthAuthorities, portal.HealthAuthority(q.HealthAuthority)) {
			fe.Add("health_authority", "Choose a health authority from the list.")
		}
		f.HealthAuthority = portal.HealthAuthority(q.HealthAuthority)
	}
	if q.Worksite != "" {
		code, err := portal.ParseWorksiteCode(q.Worksite)
		if err != nil {
			fe.Add("worksite", portal.ErrorMessage(err))
		}
		f.WorksiteCode = code
	}
	if q.OlderThanDays != "" {
		if n, err := strconv.Atoi(q.OlderThanDays); err != nil || n < 0 || n > 3650 {
			fe.Add("older_than", "Enter a number of days from 0 to 3650.")
		} else {
			f.SubmittedBefore = a.now().AddDate(0, 0, -n)
		}
	}
	return f, fe
}

// Queue lists the access requests the filter selects, a page at a time,
// each with the automatic checks' flag count.
func (a *App) Queue(ctx context.Context, staff *portal.Staff, q QueueQuery) (*QueueResult, error) {
	if err := requireOfficer(staff); err != nil {
		return nil, err
	}
	q.Normalize()
	f, fe := a.queueFilter(q)
	out := &QueueResult{Page: q.Page, Errors: fe}
	if len(fe) > 0 {
		out.Page = 1
		return out, nil
	}
	r := a.DB.Read()
	reqs, total, err := r.FindQueue(ctx, f)
	if err != nil {
		return nil, err
	}
	if len(reqs) == 0 && total > 0 {
		// Past the last page: show the last one.
		out.Page = (total + QueuePageSize - 1) / QueuePageSize
		f.Offset = (out.Page - 1) * QueuePageSize
		if reqs, total, err = r.FindQueue(ctx, f); err != nil {
			return nil, err
		}
	}
	out.Total = total
	ids := make([]portal.AccessRequestID, len(reqs))
	acctIDs := make([]portal.AccountID, len(reqs))
	for i, req := range reqs {
		ids[i], acctIDs[i] = req.ID, req.AccountID
	}
	accts, err := r.FindAccountsByIDs(ctx, acctIDs)
	if err != nil {
		return nil, err
	}
	worksites, err := r.FindRequestWorksites(ctx, ids)
	if err != nil {
		return nil, err
	}
	sponsors, err := r.FindRequestSponsorships(ctx, ids)
	if err != nil {
		return nil, err
	}
	names, err := a.staffNames(ctx)
	if err != nil {
		return nil, err
	}
	standings, err := a.queueStandings(ctx, accts)
	if err != nil {
		return nil, err
	}
	today := a.today()
	for _, req := range reqs {
		acct := accts[req.AccountID]
		checks := portal.CheckRequest(portal.CheckInput{Account: acct, Worksites: worksites[req.ID],
			Sponsorships: sponsors[req.ID], Today: today, OnBehalfOf: acct != nil && acct.UserType().NeedsAuthorizer(),
			Sponsors: standings[req.AccountID]})
		out.Rows = append(out.Rows, QueueRow{Request: req, Account: accts[req.AccountID], Worksites: worksites[req.ID],
			ClaimedBy: names.of(req.ClaimedBy), Flags: portal.CountFlags(checks)})
	}
	return out, nil
}

// queueStandings says where the active sponsors of the on-behalf-of users
// among accts stand, per user.
func (a *App) queueStandings(ctx context.Context, accts map[portal.AccountID]*portal.Account) (
	map[portal.AccountID][]portal.SponsorStanding, error) {
	var obos []portal.AccountID
	residents := map[portal.AccountID]bool{}
	for id, acct := range accts {
		if acct.UserType().NeedsAuthorizer() {
			obos = append(obos, id)
			residents[id] = IsResident(acct)
		}
	}
	slices.Sort(obos)
	all, err := a.sponsorStandings(ctx, a.DB.Read(), obos, residents, portal.SponsorActive)
	if err != nil {
		return nil, err
	}
	out := map[portal.AccountID][]portal.SponsorStanding{}
	for _, s := range all {
		out[s.Sponsorship.OBOAccountID] = append(out[s.Sponsorship.OBOAccountID], s)
	}
	return out, nil
}

// staffNames names members of the CareConnect team by their reference.
type staffNames map[string]string

func (n staffNames) of(ref string) string {
	if ref == "" {
		return ""
	}
	if name, ok := n[ref]; ok {
		return name
	}
	return ref
}

func (a *App) staffNames(ctx context.Context) (staffNames, error) {
	all, err := a.DB.Read().ListStaff(ctx)
	if err != nil {
		return nil, err
	}
	out := staffNames{}
	for _, s := range all {
		out[staffRef(s.ID)] = s.DisplayName()
	}
	return out, nil
}

// PendingWorksite is a worksite waiting for the CareConnect team.
type PendingWorksite struct {
	Worksite   *portal.Worksite
	Registrant *portal.Account
}

// WorksiteQueue lists the worksites waiting for the CareConnect team,
// oldest first, with who registered them.
func (a *App) WorksiteQueue(ctx context.Context, staff *portal.Staff) ([]PendingWorksite, error) {
	if err := requireOfficer(staff); err != nil {
		return nil, err
	}
	ws, err := a.PendingWorksites(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]portal.AccountID, len(ws))
	for i, w := range ws {
		ids[i] = w.RegisteredBy
	}
	accts, err := a.DB.Read().FindAccountsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]PendingWorksite, len(ws))
	for i, w := range ws {
		out[i] = PendingWorksite{Worksite: w, Registrant: accts[w.RegisteredBy]}
	}
	return out, nil
}
