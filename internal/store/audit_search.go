package store

// Audit search: the audit trail pages and exports.

import (
	"context"
	"strings"

	portal "github.com/bcgov-example/careconnect-portal"
)

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
func (q Q) AuditSearchBatch(ctx context.Context, f AuditSearch, afterSeq int64,
	limit int) ([]portal.AuditEvent, error) {
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
	return scanAccount(q.QueryRow(ctx,
		"SELECT "+accountColumns+" FROM accounts WHERE username = ?", strings.ToLower(v)))
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
		if err := rows.Scan(&id, &a.GivenNames, &a.Surname, &a.PreferredFirstName, &a.PreferredLastName,
			&a.Username); err != nil {
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
