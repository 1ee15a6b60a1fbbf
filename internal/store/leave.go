package store

import (
	"context"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
)

// LeaveActor is the actor id of the leave job in access request histories
// and the audit trail (actor kind "system").
const LeaveActor = "leave"

// LeaveRow is portal.LeaveRecord, as the store reads and writes it.
type LeaveRow = portal.LeaveRecord

const leaveColumns = `id, account_id, kind, start_date, end_date, pause_access, access_paused_at,
	access_resumed_at, created_at, planned_end_date, review_due_after`

func scanLeave(r rowScanner) (*LeaveRow, error) {
	var l LeaveRow
	var kind string
	var paused, resumed, created, dueAfter int64
	if err := r.Scan(&l.ID, &l.AccountID, &kind, &l.Start, &l.End, &l.PauseAccess, &paused,
		&resumed, &created, &l.PlannedEnd, &dueAfter); err != nil {
		return nil, mapError(err)
	}
	l.ReviewDueAfter = fromMS(dueAfter)
	l.Kind, l.AccessPausedAt, l.AccessResumedAt, l.CreatedAt = portal.LeaveKind(
		kind,
	), fromMS(
		paused,
	), fromMS(
		resumed,
	), fromMS(
		created,
	)
	return &l, nil
}

func (q Q) leaves(ctx context.Context, where string, args ...any) ([]*LeaveRow, error) {
	rows, err := q.Query(ctx, "SELECT "+leaveColumns+" FROM leaves "+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*LeaveRow
	for rows.Next() {
		l, err := scanLeave(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// CreateLeave records a leave.
func (tx *Tx) CreateLeave(ctx context.Context, l *portal.Leave) error {
	if l.PlannedEnd == "" {
		l.PlannedEnd = l.End
	}
	id, err := tx.Insert(ctx, `INSERT INTO leaves (account_id, kind, start_date, end_date, pause_access, created_at,
		planned_end_date, review_due_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, int64(l.AccountID), string(l.Kind),
		l.Start, l.End, l.PauseAccess, ms(l.CreatedAt), l.PlannedEnd, ms(l.ReviewDueAfter))
	l.ID = portal.LeaveID(id)
	return err
}

// EndLeaveEarly moves a leave's return date from end to an earlier day,
// only while its return date is still end: of two requests to end the
// same leave, one does.
func (tx *Tx) EndLeaveEarly(ctx context.Context, id portal.LeaveID, end, newEnd string) (bool, error) {
	return tx.changed(ctx, "UPDATE leaves SET end_date = ? WHERE id = ? AND end_date = ?", newEnd, int64(id), end)
}

// FindLeaves lists a person's leaves, the earliest first.
func (q Q) FindLeaves(ctx context.Context, account portal.AccountID) ([]*LeaveRow, error) {
	return q.leaves(ctx, "WHERE account_id = ? ORDER BY start_date, id", int64(account))
}

// FindLeavesOf lists the leaves of several people that have not ended
// before a day (YYYY-MM-DD), the earliest first.
func (q Q) FindLeavesOf(ctx context.Context, ids []portal.AccountID, endAfter string) ([]*LeaveRow, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := []any{endAfter}
	for _, id := range ids {
		args = append(args, int64(id))
	}
	return q.leaves(ctx,
		"WHERE end_date > ? AND account_id IN ("+placeholders(len(ids))+") ORDER BY start_date, id", args...)
}

// FindLeavesToPause lists the leaves that pause access, have begun on a
// day and not ended, and whose access the job has not paused yet.
func (q Q) FindLeavesToPause(ctx context.Context, today string) ([]*LeaveRow, error) {
	return q.leaves(ctx, `WHERE pause_access = ? AND access_paused_at = 0 AND start_date <= ? AND end_date > ?
		ORDER BY id`, true, today, today)
}

// FindLeavesToResume lists the leaves whose access the job paused, whose
// return date has come, and that it has not resumed yet.
func (q Q) FindLeavesToResume(ctx context.Context, today string) ([]*LeaveRow, error) {
	return q.leaves(ctx, `WHERE access_paused_at > 0 AND access_resumed_at = 0 AND end_date <= ? ORDER BY id`, today)
}

// MarkLeavePaused records that the access was paused for a leave, only
// once: of several instances exactly one gets true.
func (tx *Tx) MarkLeavePaused(ctx context.Context, id portal.LeaveID, now time.Time) (bool, error) {
	return tx.changed(ctx,
		"UPDATE leaves SET access_paused_at = ? WHERE id = ? AND access_paused_at = 0", ms(now), int64(id))
}

// MarkLeaveResumed records that the access paused for a leave came back,
// only once.
func (tx *Tx) MarkLeaveResumed(ctx context.Context, id portal.LeaveID, now time.Time) (bool, error) {
	return tx.changed(ctx,
		"UPDATE leaves SET access_resumed_at = ? WHERE id = ? AND access_paused_at > 0 AND access_resumed_at = 0",
		ms(now), int64(id))
}

// MoveReviewDue moves the annual review of a request by a duration.
func (tx *Tx) MoveReviewDue(ctx context.Context, id portal.AccessRequestID, by time.Duration) error {
	_, err := tx.Exec(ctx,
		"UPDATE access_requests SET review_due_at = review_due_at + ? WHERE id = ? AND review_due_at > 0",
		by.Milliseconds(), int64(id))
	return err
}
