package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"portal"
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
		conds = append(conds, "((subject_kind = 'account' AND subject_id = ?) OR (actor_kind = 'account' AND actor_id = ?))")
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

// CountAuditSearch counts the events a search selects.
func (q Q) CountAuditSearch(ctx context.Context, f AuditSearch) (int, error) {
	where, args := f.where()
	var n int
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM audit_log"+where, args...).Scan(&n); err != nil {
		return 0, mapError(err)
	}
	return n, nil
}

// SearchAuditEvents returns one page of the events a search selects,
// newest first (by sequence number).
func (q Q) SearchAuditEvents(ctx context.Context, f AuditSearch, offset, limit int) ([]portal.AuditEvent, error) {
	where, args := f.where()
	query := "SELECT " + auditColumns + " FROM audit_log" + where + " ORDER BY seq DESC"
	if limit > 0 {
		query += " LIMIT ? OFFSET ?"
		args = append(args, limit, max(offset, 0))
	}
	return q.scanAuditEvents(ctx, query, args...)
}

// AuditSearchBatch returns up to limit events a search selects with a
// sequence number above afterSeq, oldest first: an export walks the trail
// batch by batch without holding a query open while it writes.
func (q Q) AuditSearchBatch(ctx context.Context, f AuditSearch, afterSeq int64, limit int) ([]portal.AuditEvent, error) {
	where, args := f.where()
	query := "SELECT " + auditColumns + " FROM audit_log" + where + " AND seq > ? ORDER BY seq"
	args = append(args, afterSeq)
	if limit > 0 {
		query += " LIMIT ?"
		args = append(args, limit)
	}
	return q.scanAuditEvents(ctx, query, args...)
}

func (q Q) scanAuditEvents(ctx context.Context, query string, args ...any) ([]portal.AuditEvent, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(r rowScanner) (portal.AuditEvent, error) {
		var e portal.AuditEvent
		var at int64
		if err := r.Scan(&e.Seq, &at, &e.ActorKind, &e.ActorID, &e.Action, &e.SubjectKind, &e.SubjectID,
			&e.WorksiteID, &e.IP, &e.UserAgent, &e.RequestID, &e.Details, &e.PrevHash, &e.Hash, &e.KeyID, &e.MAC); err != nil {
			return portal.AuditEvent{}, err
		}
		e.At = fromMS(at)
		return e, nil
	})
}

// FindAuditPerson finds the account an auditor names by email address or
// by username (with or without the HXBC\ domain), any case.
func (q Q) FindAuditPerson(ctx context.Context, emailOrUsername string) (*portal.Account, error) {
	v := strings.TrimSpace(emailOrUsername)
	if strings.Contains(v, "@") {
		return q.FindAccountByEmail(ctx, v)
	}
	if i := strings.IndexByte(v, '\\'); i >= 0 && strings.EqualFold(v[:i], "hxbc") {
		v = v[i+1:]
	}
	return scanAccount(q.QueryRow(ctx, "SELECT "+accountColumns+" FROM accounts WHERE username = ?", strings.ToLower(v)))
}

// AuditName is how the audit pages name an account, a staff member or a
// worksite.
type AuditName struct {
	Name  string // the person's or worksite's name
	Extra string // the username (HXBC\...), staff email or Worksite ID
}

func idList(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return strings.TrimSuffix(strings.Repeat("?,", len(ids)), ","), args
}

// AuditAccountNames names accounts by id: preferred or legal names and username.
func (q Q) AuditAccountNames(ctx context.Context, ids []int64) (map[int64]AuditName, error) {
	out := map[int64]AuditName{}
	if len(ids) == 0 {
		return out, nil
	}
	in, args := idList(ids)
	rows, err := q.Query(ctx, `SELECT id, given_names, surname, preferred_first_name, preferred_last_name, username
		FROM accounts WHERE id IN (`+in+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var a portal.Account
		if err := rows.Scan(&id, &a.GivenNames, &a.Surname, &a.PreferredFirstName, &a.PreferredLastName, &a.Username); err != nil {
			return nil, err
		}
		out[id] = AuditName{Name: a.DisplayName(), Extra: a.QualifiedUsername()}
	}
	return out, rows.Err()
}

// AuditStaffNames names members of the CareConnect team by id.
func (q Q) AuditStaffNames(ctx context.Context, ids []int64) (map[int64]AuditName, error) {
	out := map[int64]AuditName{}
	if len(ids) == 0 {
		return out, nil
	}
	in, args := idList(ids)
	rows, err := q.Query(ctx, "SELECT id, name, email FROM staff WHERE id IN ("+in+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var s portal.Staff
		if err := rows.Scan(&id, &s.Name, &s.Email); err != nil {
			return nil, err
		}
		out[id] = AuditName{Name: s.DisplayName(), Extra: s.Email}
	}
	return out, rows.Err()
}

// AuditWorksiteNames names worksites by id, with their Worksite ID.
func (q Q) AuditWorksiteNames(ctx context.Context, ids []int64) (map[int64]AuditName, error) {
	out := map[int64]AuditName{}
	if len(ids) == 0 {
		return out, nil
	}
	in, args := idList(ids)
	rows, err := q.Query(ctx, "SELECT id, name, code FROM worksites WHERE id IN ("+in+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n AuditName
		if err := rows.Scan(&id, &n.Name, &n.Extra); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
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
		rows, err := q.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			if f := byID[portal.AccountID(id)]; f != nil {
				set(f)
			}
		}
		return rows.Err()
	}
	if err := mark(`SELECT DISTINCT m.account_id FROM worksite_members m JOIN worksites w ON w.id = m.worksite_id
		WHERE m.status = ? AND w.status = ?`, func(f *FunnelAccount) { f.ApprovedWorksite = true },
		portal.MemberActive, portal.WorksiteApproved); err != nil {
		return nil, err
	}
	if err := mark("SELECT DISTINCT account_id FROM access_requests", func(f *FunnelAccount) { f.Requested = true }); err != nil {
		return nil, err
	}
	if err := mark(`SELECT DISTINCT r.account_id FROM access_requests r WHERE r.status = ? OR r.approved_at > 0
		OR EXISTS (SELECT 1 FROM access_request_events e WHERE e.request_id = r.id AND e.to_status = ?)`,
		func(f *FunnelAccount) { f.Approved = true }, portal.ARApproved, portal.ARApproved); err != nil {
		return nil, err
	}

	rows, err = q.Query(ctx, "SELECT "+completionColumns+" FROM prerequisite_completions ORDER BY account_id, completed_at DESC, id DESC")
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
