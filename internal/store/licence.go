package store

import (
	"context"
	"database/sql"
	"errors"

	portal "github.com/bcgov-example/careconnect-portal"
)

// LicenceActor is the actor id of the daily licence check in access
// request events and the audit trail.
const LicenceActor = "licence-check"

// LicenceSubject is a person whose licence the daily job checks: they hold
// approved or suspended access through a request.
type LicenceSubject struct {
	AccountID portal.AccountID
	RequestID portal.AccessRequestID
	Status    string // the request's, ARApproved or ARSuspended
}

// FindLicenceSubjects lists everyone holding approved or suspended access,
// by account.
func (q Q) FindLicenceSubjects(ctx context.Context) ([]LicenceSubject, error) {
	rows, err := q.Query(ctx, `SELECT account_id, id, status FROM access_requests
		WHERE status IN (?, ?) ORDER BY account_id, id`, portal.ARApproved, portal.ARSuspended)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LicenceSubject
	for rows.Next() {
		var s LicenceSubject
		if err := rows.Scan(&s.AccountID, &s.RequestID, &s.Status); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// FindLicenceStanding returns what was last recorded of a person's
// licence, or a not-found error when it was never checked.
func (q Q) FindLicenceStanding(ctx context.Context, id portal.AccountID) (*portal.LicenceStanding, error) {
	s := &portal.LicenceStanding{AccountID: id}
	var at int64
	err := q.QueryRow(ctx, `SELECT college, number, status, detail, checked_at FROM licence_standings
		WHERE account_id = ?`, int64(id)).Scan(&s.College, &s.Number, &s.Status, &s.Detail, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, portal.Errorf(portal.ENOTFOUND, "The licence of this person was never checked.")
	}
	if err != nil {
		return nil, err
	}
	s.CheckedAt = fromMS(at)
	return s, nil
}

// RecordLicenceStanding replaces what is recorded of a person's licence.
func (tx *Tx) RecordLicenceStanding(ctx context.Context, s portal.LicenceStanding) error {
	_, err := tx.Exec(ctx, `INSERT INTO licence_standings (account_id, college, number, status, detail, checked_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET college = excluded.college,
		number = excluded.number, status = excluded.status, detail = excluded.detail, checked_at = excluded.checked_at`,
		int64(s.AccountID), s.College, s.Number, s.Status, s.Detail, ms(s.CheckedAt))
	return err
}
