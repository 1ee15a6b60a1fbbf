package store

import (
	"context"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
)

// ReviewActor is the actor id of the annual review job in access request
// histories and the audit trail (actor kind "system").
const ReviewActor = "annual-review"

// AccessReview is an access request with the dates of its annual review.
type AccessReview struct {
	*portal.AccessRequest
	ApprovedAt      time.Time
	LastConfirmedAt time.Time
	SuspendedAt     time.Time // when the annual review suspended it, for FindReviewSuspensions
}

// CycleStart is when the current review cycle began: the last
// confirmation, or the approval when there was none.
func (r *AccessReview) CycleStart() time.Time {
	if r.LastConfirmedAt.After(r.ApprovedAt) {
		return r.LastConfirmedAt
	}
	return r.ApprovedAt
}

const reviewColumns = accessRequestColumns + `, r.approved_at, r.last_confirmed_at`

func scanAccessReview(r rowScanner, extra ...any) (*AccessReview, error) {
	var approved, confirmed int64
	req, err := scanAccessRequest(extraScanner{r: r, extra: append([]any{&approved, &confirmed}, extra...)})
	if err != nil {
		return nil, err
	}
	return &AccessReview{AccessRequest: req, ApprovedAt: fromMS(approved), LastConfirmedAt: fromMS(confirmed)}, nil
}

func (q Q) accessReviews(ctx context.Context, query string, args ...any) ([]*AccessReview, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(r rowScanner) (*AccessReview, error) { return scanAccessReview(r) })
}

// FindReviewsDue lists the approved requests whose annual review falls due
// before a moment (overdue ones included), soonest first.
func (q Q) FindReviewsDue(ctx context.Context, before time.Time) ([]*AccessReview, error) {
	return q.accessReviews(ctx, "SELECT "+reviewColumns+` FROM access_requests r
		WHERE r.status = 'approved' AND r.review_due_at > 0 AND r.review_due_at < ?
			ORDER BY r.review_due_at, r.id`, ms(before))
}

// FindAccessReview returns the request that holds a person's access: their
// newest approved or suspended request.
func (q Q) FindAccessReview(ctx context.Context, account portal.AccountID) (*AccessReview, error) {
	r, err := scanAccessReview(q.QueryRow(ctx, "SELECT "+reviewColumns+` FROM access_requests r
		WHERE r.account_id = ? AND r.status IN ('approved', 'suspended') ORDER BY r.created_at DESC, r.id DESC
			LIMIT 1`, int64(account)))
	if err != nil {
		return nil, err
	}
	return r, q.loadRequestLinks(ctx, r.AccessRequest)
}

// LockAccessReview reads a request inside tx, locked on PostgreSQL (SQLite's
// immediate transactions already serialise writers), so that what the
// caller decides from it still holds when it writes.
func (tx *Tx) LockAccessReview(ctx context.Context, id portal.AccessRequestID) (*AccessReview, error) {
	return scanAccessReview(tx.QueryRow(ctx,
		"SELECT "+reviewColumns+" FROM access_requests r WHERE r.id = ?"+tx.forUpdate(), int64(id)))
}

// RecordReviewReminders moves a request's record of reminders from one
// value to the next, only if it still holds the expected one and the
// review is still due at the same moment. Of several instances running the
// annual review at once exactly one gets true, so each reminder goes once.
func (tx *Tx) RecordReviewReminders(ctx context.Context, id portal.AccessRequestID, due time.Time, from, to string,
	now time.Time) (bool, error) {
	return tx.changed(ctx, `UPDATE access_requests SET reminders_sent = ?, updated_at = ?
		WHERE id = ? AND status = 'approved' AND review_due_at = ? AND reminders_sent = ?`,
		to, ms(now), int64(id), ms(due), from)
}

// LastSuspension returns the step of a request's history that last
// suspended it, or a not-found error when it never was.
func (q Q) LastSuspension(ctx context.Context, id portal.AccessRequestID) (*portal.AccessRequestEvent, error) {
	var e portal.AccessRequestEvent
	var at int64
	err := q.QueryRow(ctx,
		`SELECT occurred_at, actor_kind, actor_id, from_status, to_status, note FROM access_request_events
		WHERE request_id = ? AND to_status = 'suspended' AND from_status <> 'suspended' ORDER BY id DESC LIMIT 1`, int64(id)).
		Scan(&at, &e.ActorKind, &e.ActorID, &e.FromStatus, &e.ToStatus, &e.Note)
	if err != nil {
		return nil, mapError(err)
	}
	e.At = fromMS(at)
	return &e, nil
}

// FindReviewSuspensions lists the suspended requests whose last suspension
// was the annual review's, longest suspended first, with SuspendedAt set.
func (q Q) FindReviewSuspensions(ctx context.Context) ([]*AccessReview, error) {
	rows, err := q.Query(ctx, "SELECT "+reviewColumns+`, e.occurred_at FROM access_requests r
		JOIN access_request_events e ON e.request_id = r.id
		WHERE r.status = 'suspended' AND e.actor_kind = 'system' AND e.actor_id = ?
		AND e.id = (SELECT MAX(l.id) FROM access_request_events l
			WHERE l.request_id = r.id AND l.to_status = 'suspended' AND l.from_status <> 'suspended')
		ORDER BY e.occurred_at, r.id`, ReviewActor)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*AccessReview
	for rows.Next() {
		var at int64
		r, err := scanAccessReview(rows, &at)
		if err != nil {
			return nil, err
		}
		r.SuspendedAt = fromMS(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// FindReviewReminderTimes returns, per request, when the annual review's
// reminders were recorded in its history since a moment, oldest first.
func (q Q) FindReviewReminderTimes(ctx context.Context, ids []portal.AccessRequestID,
	since time.Time) (map[portal.AccessRequestID][]time.Time, error) {
	out := map[portal.AccessRequestID][]time.Time{}
	if len(ids) == 0 {
		return out, nil
	}
	args := append([]any{ReviewActor, ms(since)}, idArgs(ids)...)
	rows, err := q.Query(ctx, `SELECT request_id, occurred_at FROM access_request_events
		WHERE actor_kind = 'system' AND actor_id = ? AND from_status = 'approved' AND to_status = 'approved' AND occurred_at >= ?
		AND request_id IN (`+placeholders(len(ids))+`) ORDER BY request_id, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, at int64
		if err := rows.Scan(&id, &at); err != nil {
			return nil, err
		}
		out[portal.AccessRequestID(id)] = append(out[portal.AccessRequestID(id)], fromMS(at))
	}
	return out, rows.Err()
}

// MembersReview is an approved worksite with the dates of the yearly
// confirmation of its members by its site administrators.
type MembersReview struct {
	Worksite    *portal.Worksite
	ConfirmedAt time.Time // the last confirmation, zero when none yet
	RemindedAt  time.Time // when the administrators were reminded in this cycle, zero when not yet
}

// CycleStart is when the current cycle began: the last confirmation, or
// the worksite's approval.
func (m *MembersReview) CycleStart() time.Time {
	if m.ConfirmedAt.After(m.Worksite.ApprovedAt) {
		return m.ConfirmedAt
	}
	return m.Worksite.ApprovedAt
}

const membersReviewColumns = worksiteColumns + `, w.members_confirmed_at, w.members_review_reminded_at`

func scanMembersReview(r rowScanner) (*MembersReview, error) {
	var confirmed, reminded int64
	w, err := scanWorksite(extraScanner{r: r, extra: []any{&confirmed, &reminded}})
	if err != nil {
		return nil, err
	}
	return &MembersReview{Worksite: w, ConfirmedAt: fromMS(confirmed), RemindedAt: fromMS(reminded)}, nil
}

// FindMembersReview returns a worksite with its member review dates.
func (q Q) FindMembersReview(ctx context.Context, ws portal.WorksiteID) (*MembersReview, error) {
	return scanMembersReview(q.QueryRow(ctx, "SELECT "+membersReviewColumns+worksiteFrom+" WHERE w.id = ?", int64(ws)))
}

// MembersReviewFilter selects approved worksites by their member review.
type MembersReviewFilter struct {
	CycleBefore time.Time           // the current cycle began before this moment
	NotReminded bool                // the administrators were not reminded in this cycle
	WorksiteIDs []portal.WorksiteID // only these worksites, when not empty
}

// FindMembersReviews lists approved worksites whose member review cycle
// began before f.CycleBefore, the oldest cycle first.
func (q Q) FindMembersReviews(ctx context.Context, f MembersReviewFilter) ([]*MembersReview, error) {
	query := "SELECT " + membersReviewColumns + worksiteFrom + ` WHERE w.status = 'approved' AND w.approved_at > 0
		AND (CASE WHEN w.members_confirmed_at > w.approved_at THEN w.members_confirmed_at ELSE w.approved_at END) < ?`
	args := []any{ms(f.CycleBefore)}
	if f.NotReminded {
		query += " AND w.members_review_reminded_at = 0"
	}
	if len(f.WorksiteIDs) > 0 {
		query += " AND w.id IN (" + placeholders(len(f.WorksiteIDs)) + ")"
		for _, id := range f.WorksiteIDs {
			args = append(args, int64(id))
		}
	}
	query += " ORDER BY (CASE WHEN w.members_confirmed_at > w.approved_at THEN w.members_confirmed_at ELSE w.approved_at END), w.id"
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanMembersReview)
}

// MarkMembersReviewReminded records that a worksite's administrators were
// reminded of its member review, only if nobody did so in this cycle (the
// last confirmation is still confirmedAt). Of several instances exactly
// one gets true.
func (tx *Tx) MarkMembersReviewReminded(ctx context.Context, ws portal.WorksiteID, confirmedAt,
	now time.Time) (bool, error) {
	return tx.changed(ctx, `UPDATE worksites SET members_review_reminded_at = ?
		WHERE id = ? AND status = 'approved' AND members_review_reminded_at = 0 AND members_confirmed_at = ?`,
		ms(now), int64(ws), ms(confirmedAt))
}

// ConfirmWorksiteMembers records that the site administrators confirmed
// the worksite's members, which starts a new cycle.
func (tx *Tx) ConfirmWorksiteMembers(ctx context.Context, ws portal.WorksiteID, now time.Time) (bool, error) {
	return tx.changed(ctx, `UPDATE worksites SET members_confirmed_at = ?, members_review_reminded_at = 0
		WHERE id = ? AND status = 'approved'`, ms(now), int64(ws))
}
