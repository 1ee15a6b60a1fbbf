package store

import (
	"context"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
)

// DormancyActor is the actor id of the dormancy job in access request
// histories and the audit trail (actor kind "system").
const DormancyActor = "dormancy"

// Dormancy is an access request with what its dormancy clock reads.
type Dormancy struct {
	*AccessReview
	LastActiveAt time.Time // the person's last portal sign-in
	ReinstatedAt time.Time // when the CareConnect team last reinstated the access
	Notices      string    // the reminders sent: "<clock start in ms>:30,7"
}

// Since is when the dormancy clock started: the last sign-in, the approval
// or the last annual review confirmed, whichever is latest.
func (d *Dormancy) Since() time.Time {
	return portal.ActivitySince(d.LastActiveAt, d.ApprovedAt, d.LastConfirmedAt, d.ReinstatedAt)
}

const dormancyColumns = reviewColumns + `, a.last_active_at, r.dormancy_notices, r.reinstated_at`

const dormancyFrom = ` FROM access_requests r JOIN accounts a ON a.id = r.account_id`

func scanDormancy(row rowScanner) (*Dormancy, error) {
	var active, reinstated int64
	var notices string
	r, err := scanAccessReview(row, &active, &notices, &reinstated)
	if err != nil {
		return nil, err
	}
	return &Dormancy{AccessReview: r, LastActiveAt: fromMS(active), Notices: notices,
		ReinstatedAt: fromMS(reinstated)}, nil
}

// FindDormancyCandidates lists the approved requests whose dormancy clock
// started before a moment, oldest request first.
func (q Q) FindDormancyCandidates(ctx context.Context, before time.Time) ([]*Dormancy, error) {
	b := ms(before)
	rows, err := q.Query(ctx, "SELECT "+dormancyColumns+dormancyFrom+`
		WHERE r.status = 'approved' AND a.last_active_at < ? AND r.approved_at < ? AND r.last_confirmed_at < ?
		AND r.reinstated_at < ? ORDER BY r.id`, b, b, b, b)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Dormancy
	for rows.Next() {
		d, err := scanDormancy(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// FindDormancy returns the request that holds a person's access (their
// newest approved or suspended one) with its dormancy clock.
func (q Q) FindDormancy(ctx context.Context, account portal.AccountID) (*Dormancy, error) {
	return scanDormancy(q.QueryRow(ctx, "SELECT "+dormancyColumns+dormancyFrom+`
		WHERE r.account_id = ? AND r.status IN ('approved', 'suspended') ORDER BY r.created_at DESC, r.id DESC LIMIT 1`,
		int64(account)))
}

// LockDormancy reads a request with its dormancy clock inside tx, locked on
// PostgreSQL, so that what the caller decides from it still holds when it
// writes.
func (tx *Tx) LockDormancy(ctx context.Context, id portal.AccessRequestID) (*Dormancy, error) {
	return scanDormancy(tx.QueryRow(ctx,
		"SELECT "+dormancyColumns+dormancyFrom+" WHERE r.id = ?"+tx.forUpdate(), int64(id)))
}

// RecordDormancyNotices moves a request's record of dormancy reminders from
// one value to the next, only if it still holds the expected one and the
// access is still approved. Of several instances running the dormancy job
// at once exactly one gets true, so each reminder goes once.
func (tx *Tx) RecordDormancyNotices(ctx context.Context, id portal.AccessRequestID, from, to string,
	now time.Time) (bool, error) {
	return tx.changed(ctx, `UPDATE access_requests SET dormancy_notices = ?, updated_at = ?
		WHERE id = ? AND status = 'approved' AND dormancy_notices = ?`, to, ms(now), int64(id), from)
}

// TouchAccountActive records that a person used the portal at a moment
// (it never moves the record back).
func (tx *Tx) TouchAccountActive(ctx context.Context, id portal.AccountID, at time.Time) error {
	_, err := tx.Exec(ctx, "UPDATE accounts SET last_active_at = ? WHERE id = ? AND last_active_at < ?",
		ms(at), int64(id), ms(at))
	return err
}

// CountDormantSuspended counts the suspended requests whose last suspension
// was the dormancy job's.
func (q Q) CountDormantSuspended(ctx context.Context) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM access_requests r
		JOIN access_request_events e ON e.request_id = r.id
		WHERE r.status = 'suspended' AND e.actor_kind = 'system' AND e.actor_id = ?
		AND e.id = (SELECT MAX(l.id) FROM access_request_events l
			WHERE l.request_id = r.id AND l.to_status = 'suspended'
				AND l.from_status <> 'suspended')`, DormancyActor).Scan(&n)
	return n, err
}
