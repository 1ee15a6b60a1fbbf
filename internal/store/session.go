package store

import (
	"context"
	"database/sql"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
)

// Session is portal.Session, as the store reads and writes it.
type Session = portal.Session

// CreateSession inserts a session.
func (q Q) CreateSession(ctx context.Context, s *Session) error {
	_, err := q.Exec(ctx,
		`INSERT INTO sessions (id_hash, account_id, staff_id, data, created_at, last_seen_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, s.IDHash, idArg(s.AccountID), idArg(s.StaffID), s.Data, ms(s.CreatedAt), ms(s.LastSeenAt), ms(s.ExpiresAt))
	return err
}

// FindSession returns a session by the hash of its token.
func (q Q) FindSession(ctx context.Context, idHash string) (*Session, error) {
	var s Session
	var acct, staff sql.NullInt64
	var created, seen, expires int64
	err := q.QueryRow(ctx,
		`SELECT id_hash, account_id, staff_id, data, created_at, last_seen_at, expires_at FROM sessions
			WHERE id_hash = ?`, idHash).
		Scan(&s.IDHash, &acct, &staff, &s.Data, &created, &seen, &expires)
	if err != nil {
		return nil, mapError(err)
	}
	s.AccountID, s.StaffID = portal.AccountID(acct.Int64), portal.StaffID(staff.Int64)
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromMS(created), fromMS(seen), fromMS(expires)
	return &s, nil
}

// sessionAccountQuery reads a session and its account, when it has one, in
// one round trip: every page of a signed-in person needs both.
var sessionAccountQuery = `SELECT s.id_hash, s.account_id, s.staff_id, s.data, s.created_at,
	s.last_seen_at, s.expires_at, ` +
	qualified("a.", accountColumns) + ` FROM sessions s LEFT JOIN accounts a ON a.id = s.account_id WHERE s.id_hash = ?`

// FindSessionAccount returns a session by the hash of its token, with its
// account (nil before the person has one).
func (q Q) FindSessionAccount(ctx context.Context, idHash string) (*Session, *portal.Account, error) {
	var s Session
	var acct, staff sql.NullInt64
	var created, seen, expires int64
	var noAccount bool
	a, err := scanAccount(scanFunc(func(dest ...any) error {
		all := append([]any{&s.IDHash, &acct, &staff, &s.Data, &created, &seen, &expires},
			zeroOnNull(dest, &noAccount)...)
		return q.QueryRow(ctx, sessionAccountQuery, idHash).Scan(all...)
	}))
	if err != nil {
		return nil, nil, err
	}
	s.AccountID, s.StaffID = portal.AccountID(acct.Int64), portal.StaffID(staff.Int64)
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromMS(created), fromMS(seen), fromMS(expires)
	if noAccount {
		a = nil
	}
	return &s, a, nil
}

// UpdateSession saves a session's data and last-seen time.
func (q Q) UpdateSession(ctx context.Context, s *Session) error {
	_, err := q.Exec(ctx,
		"UPDATE sessions SET account_id = ?, staff_id = ?, data = ?, last_seen_at = ? WHERE id_hash = ?",
		idArg(s.AccountID), idArg(s.StaffID), s.Data, ms(s.LastSeenAt), s.IDHash)
	return err
}

// DeleteSession removes a session.
func (q Q) DeleteSession(ctx context.Context, idHash string) error {
	_, err := q.Exec(ctx, "DELETE FROM sessions WHERE id_hash = ?", idHash)
	return err
}

// DeleteOtherAccountSessions ends every session of an account except keep
// (a session's id hash; "" keeps none) and returns how many it ended.
func (q Q) DeleteOtherAccountSessions(ctx context.Context, id portal.AccountID, keep string) (int64, error) {
	res, err := q.Exec(ctx, "DELETE FROM sessions WHERE account_id = ? AND id_hash <> ?", int64(id), keep)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// DeleteExpiredSessions removes sessions past their absolute expiry or idle
// since before idleBefore, and returns how many.
func (q Q) DeleteExpiredSessions(ctx context.Context, now, idleBefore time.Time) (int64, error) {
	res, err := q.Exec(ctx, "DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at < ?", ms(now), ms(idleBefore))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// RecordSignIn notes when a person signed in to the portal.
func (tx *Tx) RecordSignIn(ctx context.Context, id portal.AccountID, now time.Time) error {
	_, err := tx.Exec(ctx, "UPDATE accounts SET last_sign_in_at = ? WHERE id = ?", ms(now), int64(id))
	return err
}

// LastSignIn returns when a person last signed in; zero if never.
func (q Q) LastSignIn(ctx context.Context, id portal.AccountID) (time.Time, error) {
	var v int64
	err := q.QueryRow(ctx, "SELECT last_sign_in_at FROM accounts WHERE id = ?", int64(id)).Scan(&v)
	return fromMS(v), mapError(err)
}
