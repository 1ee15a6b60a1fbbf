package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
)

// AuditSearch selects audit events for the audit trail pages and exports.
// Zero fields do not filter.
type AuditSearch struct {
	// Account selects the events about a person or done by them: the rows
	// whose subject is the account or whose actor is the account.
	Account portal.AccountID
	// Worksite selects the events recorded against a worksite, and those
	// whose subject is the worksite itself.
	Worksite portal.WorksiteID
	// From and To bound the period: From <= occurred_at < To.
	From, To time.Time
	// ActionContains keeps the events whose action contains this text, in
	// any case.
	ActionContains string
	// BeforeSeq keeps only events recorded before this sequence number
	// (0: no bound), so an export does not include the row recording it.
	BeforeSeq int64
}

// where returns the WHERE clause (starting with " WHERE") and its arguments.
func (f AuditSearch) where() (string, []any) {
	conds := []string{"1 = 1"}
	var args []any
	if f.Account != 0 {
		id := strconv.FormatInt(int64(f.Account), 10)
		conds = append(conds,
			"((subject_kind = 'account' AND subject_id = ?) OR (actor_kind = 'account' AND actor_id = ?))")
		args = append(args, id, id)
	}
	if f.Worksite != 0 {
		conds = append(conds, "(worksite_id = ? OR (subject_kind = 'worksite' AND subject_id = ?))")
		args = append(args, int64(f.Worksite), strconv.FormatInt(int64(f.Worksite), 10))
	}
	if !f.From.IsZero() {
		conds = append(conds, "occurred_at >= ?")
		args = append(args, ms(f.From))
	}
	if !f.To.IsZero() {
		conds = append(conds, "occurred_at < ?")
		args = append(args, ms(f.To))
	}
	if s := strings.TrimSpace(f.ActionContains); s != "" {
		conds = append(conds, `LOWER(action) LIKE ? ESCAPE '\'`)
		args = append(args, "%"+likeEscape(strings.ToLower(s))+"%")
	}
	if f.BeforeSeq > 0 {
		conds = append(conds, "seq < ?")
		args = append(args, f.BeforeSeq)
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// likeEscape escapes LIKE's wildcards so the text matches literally.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// AuditName is how the audit pages name an account, a staff member or a
// worksite.
type AuditName struct {
	Name  string // the person's or worksite's name
	Extra string // the username (HXBC\...), staff email or Worksite ID
}

// Count is one row of a report: a key and how many.
type Count struct {
	Key string
	N   int
}

func (q Q) counts(ctx context.Context, query string, args ...any) ([]Count, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(r rowScanner) (Count, error) {
		var c Count
		if err := r.Scan(&c.Key, &c.N); err != nil {
			return Count{}, err
		}
		return c, nil
	})
}

// CountAccessRequestsByStatus counts access requests by their status now.
func (q Q) CountAccessRequestsByStatus(ctx context.Context) ([]Count, error) {
	return q.counts(ctx, "SELECT status, COUNT(*) FROM access_requests GROUP BY status ORDER BY status")
}

// CountAccessRequestsByProfession counts access requests by the
// profession recorded on the request.
func (q Q) CountAccessRequestsByProfession(ctx context.Context) ([]Count, error) {
	return q.counts(ctx, "SELECT profession, COUNT(*) FROM access_requests GROUP BY profession ORDER BY profession")
}

// CountAccessRequestsByHealthAuthority counts access requests by the
// health authority of the worksites they name. A request naming worksites
// in two health authorities counts once in each; "" is a worksite whose
// health authority is not known.
func (q Q) CountAccessRequestsByHealthAuthority(ctx context.Context) ([]Count, error) {
	return q.counts(ctx, `SELECT w.health_authority, COUNT(DISTINCT r.id) FROM access_requests r
		JOIN access_request_worksites rw ON rw.request_id = r.id
		JOIN worksites w ON w.id = rw.worksite_id
		GROUP BY w.health_authority ORDER BY w.health_authority`)
}

// DecisionTiming is portal.DecisionTiming, as the store reads and writes it.
type DecisionTiming = portal.DecisionTiming

// FindDecisionTimings reads the requests' histories and returns, for each
// decided request, its first submission and its first decision (approval
// or decline). Requests not decided yet are left out.
func (q Q) FindDecisionTimings(ctx context.Context) ([]DecisionTiming, error) {
	rows, err := q.Query(ctx, `SELECT request_id, occurred_at, to_status FROM access_request_events
		WHERE to_status IN (?, ?, ?) ORDER BY request_id, occurred_at, id`,
		portal.ARSubmitted, portal.ARApproved, portal.ARDeclined)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DecisionTiming
	var cur DecisionTiming
	flush := func() {
		if cur.RequestID != 0 && !cur.SubmittedAt.IsZero() && !cur.DecidedAt.IsZero() {
			out = append(out, cur)
		}
	}
	for rows.Next() {
		var id, at int64
		var to string
		if err := rows.Scan(&id, &at, &to); err != nil {
			return nil, err
		}
		if portal.AccessRequestID(id) != cur.RequestID {
			flush()
			cur = DecisionTiming{RequestID: portal.AccessRequestID(id)}
		}
		switch {
		case to == portal.ARSubmitted && cur.SubmittedAt.IsZero():
			cur.SubmittedAt = fromMS(at)
		case to != portal.ARSubmitted && cur.DecidedAt.IsZero() && !cur.SubmittedAt.IsZero():
			cur.DecidedAt, cur.Outcome = fromMS(at), to
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	flush()
	return out, nil
}

// FunnelAccount is what the enrolment funnel needs to know of one account.
type FunnelAccount struct {
	ID               portal.AccountID
	Profession       portal.Profession
	NurseLicence     portal.NurseLicence
	ApprovedWorksite bool // an active member of at least one approved worksite
	Completions      []*Completion
	Requested        bool // made at least one access request
	Approved         bool // at least one request was approved
}

// FindFunnelAccounts returns every account with the facts the enrolment
// funnel is computed from, in id order.
func (q Q) FindFunnelAccounts(ctx context.Context) ([]*FunnelAccount, error) {
	var out []*FunnelAccount
	byID := map[portal.AccountID]*FunnelAccount{}
	rows, err := q.Query(ctx, "SELECT id, profession, nurse_licence FROM accounts ORDER BY id")
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var f FunnelAccount
		var prof, lic string
		if err := rows.Scan(&f.ID, &prof, &lic); err != nil {
			rows.Close()
			return nil, err
		}
		f.Profession, f.NurseLicence = portal.Profession(prof), portal.NurseLicence(lic)
		out = append(out, &f)
		byID[f.ID] = &f
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	mark := func(query string, set func(*FunnelAccount), args ...any) error {
		ids, err := q.ids(ctx, query, args...)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if f := byID[portal.AccountID(id)]; f != nil {
				set(f)
			}
		}
		return nil
	}
	if err := mark(`SELECT DISTINCT m.account_id FROM worksite_members m JOIN worksites w ON w.id = m.worksite_id
		WHERE m.status = ? AND w.status = ?`, func(f *FunnelAccount) { f.ApprovedWorksite = true },
		portal.MemberActive, portal.WorksiteApproved); err != nil {
		return nil, err
	}
	if err := mark("SELECT DISTINCT account_id FROM access_requests",
		func(f *FunnelAccount) { f.Requested = true }); err != nil {
		return nil, err
	}
	if err := mark(`SELECT DISTINCT r.account_id FROM access_requests r WHERE r.status = ? OR r.approved_at > 0
		OR EXISTS (SELECT 1 FROM access_request_events e WHERE e.request_id = r.id AND e.to_status = ?)`,
		func(f *FunnelAccount) { f.Approved = true }, portal.ARApproved, portal.ARApproved); err != nil {
		return nil, err
	}

	rows, err = q.Query(ctx,
		"SELECT "+completionColumns+" FROM prerequisite_completions ORDER BY account_id, completed_at DESC, id DESC")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCompletion(rows)
		if err != nil {
			return nil, err
		}
		if f := byID[c.AccountID]; f != nil {
			f.Completions = append(f.Completions, c)
		}
	}
	return out, rows.Err()
}
