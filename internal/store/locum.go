package store

import (
	"context"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
)

// MarkLocum marks an active membership as a locum's, ending after lastDay
// (YYYY-MM-DD). A new last day clears the reminder sent for the old one.
func (tx *Tx) MarkLocum(ctx context.Context, ws portal.WorksiteID, id portal.AccountID, lastDay string) (bool, error) {
	return tx.changed(ctx, `UPDATE worksite_members SET locum = ?, end_date = ?, locum_notice_at = 0
		WHERE worksite_id = ? AND account_id = ? AND status = 'active'`, true, lastDay, int64(ws), int64(id))
}

// FindLocumsEnding lists the active locum memberships whose last day is
// from today to horizon (YYYY-MM-DD, inclusive) and whose reminder has not
// been sent, soonest first.
func (q Q) FindLocumsEnding(ctx context.Context, today, horizon string) ([]*portal.Membership, error) {
	return q.members(ctx, ` WHERE m.status = 'active' AND m.locum = ? AND m.locum_notice_at = 0
		AND m.end_date >= ? AND m.end_date <= ? ORDER BY m.end_date, m.worksite_id, m.account_id`, true, today, horizon)
}

// ClaimLocumNotice records that the reminder for a locum's last day is
// being sent. It reports false when it was sent already, or the
// membership or its last day changed meanwhile: the reminder then goes
// once, whichever instance claims it.
func (tx *Tx) ClaimLocumNotice(ctx context.Context, ws portal.WorksiteID, id portal.AccountID, lastDay string,
	now time.Time) (bool, error) {
	return tx.changed(ctx, `UPDATE worksite_members SET locum_notice_at = ?
		WHERE worksite_id = ? AND account_id = ? AND status = 'active' AND locum = ? AND locum_notice_at = 0 AND end_date = ?`,
		ms(now), int64(ws), int64(id), true, lastDay)
}
