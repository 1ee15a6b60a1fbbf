package store

import (
	"context"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
)

// Downstream is portal.Downstream, as the store reads and writes it.
type Downstream = portal.Downstream

const downstreamColumns = `name, cursor, lease_owner, lease_until, failures, next_attempt_at, last_error, last_error_at,
	last_success_at, pushed_total, resend_requested_at, resend_requested_by, resent_at, resend_summary`

func scanDownstream(r rowScanner) (*Downstream, error) {
	var d Downstream
	var leaseUntil, next, errAt, okAt, reqAt, resentAt int64
	if err := r.Scan(&d.Name, &d.Cursor, &d.LeaseOwner, &leaseUntil, &d.Failures, &next, &d.LastError, &errAt,
		&okAt, &d.PushedTotal, &reqAt, &d.ResendRequestedBy, &resentAt, &d.ResendSummary); err != nil {
		return nil, mapError(err)
	}
	d.LeaseUntil, d.NextAttemptAt, d.LastErrorAt = fromMS(leaseUntil), fromMS(next), fromMS(errAt)
	d.LastSuccessAt, d.ResendRequestedAt, d.ResentAt = fromMS(okAt), fromMS(reqAt), fromMS(resentAt)
	return &d, nil
}

// EnsureDownstream records a configured downstream, starting its cursor at
// the feed's current end: a new downstream is filled by a full resend, not
// by replaying history (resend is requested at once).
func (q Q) EnsureDownstream(ctx context.Context, name string, now time.Time) error {
	_, err := q.Exec(ctx, `INSERT INTO scim_downstreams (name, cursor, resend_requested_at, resend_requested_by)
		SELECT ?, COALESCE(MAX(id), 0), ?, 'first start' FROM provisioning_events WHERE 1 = 1
		ON CONFLICT (name) DO NOTHING`, name, ms(now))
	return err
}

// FindDownstreams returns the push state of every downstream, by name.
func (q Q) FindDownstreams(ctx context.Context) ([]*Downstream, error) {
	rows, err := q.Query(ctx, "SELECT "+downstreamColumns+" FROM scim_downstreams ORDER BY name")
	if err != nil {
		return nil, err
	}
	return collect(rows, scanDownstream)
}

// FindDownstream returns one downstream's push state.
func (q Q) FindDownstream(ctx context.Context, name string) (*Downstream, error) {
	return scanDownstream(q.QueryRow(ctx, "SELECT "+downstreamColumns+" FROM scim_downstreams WHERE name = ?", name))
}

// ClaimDownstream leases a downstream to owner until leaseUntil when no one
// else holds it and its backoff has passed; it reports whether it did.
func (q Q) ClaimDownstream(ctx context.Context, name, owner string, now, leaseUntil time.Time) (bool, error) {
	return q.changed(ctx, `UPDATE scim_downstreams SET lease_owner = ?, lease_until = ?
		WHERE name = ? AND (lease_until <= ? OR lease_owner = ?) AND next_attempt_at <= ?`,
		owner, ms(leaseUntil), name, ms(now), owner, ms(now))
}

// AdvanceDownstream records progress made under owner's lease: the cursor
// moves to cursor and pushed users are counted. It reports false when the
// lease was lost (another instance took over), and then changes nothing.
func (q Q) AdvanceDownstream(ctx context.Context, name, owner string, cursor, pushed int64,
	now time.Time) (bool, error) {
	return q.changed(ctx, `UPDATE scim_downstreams SET cursor = ?, pushed_total = pushed_total + ?, failures = 0,
		next_attempt_at = 0, last_success_at = ? WHERE name = ? AND lease_owner = ? AND cursor <= ?`,
		cursor, pushed, ms(now), name, owner, cursor)
}

// DownstreamFailed records a failed attempt under owner's lease and when to
// try again, and releases the lease.
func (q Q) DownstreamFailed(ctx context.Context, name, owner, errText string, now, retryAt time.Time) error {
	_, err := q.Exec(ctx, `UPDATE scim_downstreams SET failures = failures + 1, next_attempt_at = ?, last_error = ?,
		last_error_at = ?, lease_owner = '', lease_until = 0 WHERE name = ? AND lease_owner = ?`,
		ms(retryAt), portal.Truncate(errText, 500), ms(now), name, owner)
	return err
}

// ReleaseDownstream gives up owner's lease.
func (q Q) ReleaseDownstream(ctx context.Context, name, owner string) error {
	_, err := q.Exec(ctx,
		"UPDATE scim_downstreams SET lease_owner = '', lease_until = 0 WHERE name = ? AND lease_owner = ?", name, owner)
	return err
}

// RequestResend asks for a full comparison and repair of a downstream; the
// next push run does it. It reports false for an unknown downstream.
func (q Q) RequestResend(ctx context.Context, name, by string, now time.Time) (bool, error) {
	return q.changed(ctx, `UPDATE scim_downstreams SET resend_requested_at = ?, resend_requested_by = ?,
		next_attempt_at = 0 WHERE name = ?`, ms(now), by, name)
}

// ResendDone records a finished resend under owner's lease: the request it
// answered (requestedAt) is cleared unless a newer one came meanwhile, and
// the cursor moves to where the resend started reading the feed.
func (q Q) ResendDone(ctx context.Context, name, owner string, requestedAt time.Time, cursor int64, summary string,
	pushed int64, now time.Time) error {
	_, err := q.Exec(ctx, `UPDATE scim_downstreams SET resent_at = ?, resend_summary = ?,
		resend_requested_at = CASE WHEN resend_requested_at = ? THEN 0 ELSE resend_requested_at END,
		cursor = CASE WHEN cursor < ? THEN ? ELSE cursor END, pushed_total = pushed_total + ?,
		failures = 0, next_attempt_at = 0, last_success_at = ? WHERE name = ? AND lease_owner = ?`,
		ms(now), summary, ms(requestedAt), cursor, cursor, pushed, ms(now), name, owner)
	return err
}

// FeedEnd returns the id of the newest change-feed event (0 when none).
func (q Q) FeedEnd(ctx context.Context) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, "SELECT COALESCE(MAX(id), 0) FROM provisioning_events").Scan(&id)
	return id, mapError(err)
}

// FeedBacklog returns how many change-feed events come after cursor and
// when the oldest of them happened (zero when none).
func (q Q) FeedBacklog(ctx context.Context, cursor int64) (int, time.Time, error) {
	var n int
	var oldest int64
	err := q.QueryRow(ctx,
		"SELECT COUNT(*), COALESCE(MIN(occurred_at), 0) FROM provisioning_events "+
			"WHERE id > ?", cursor).Scan(&n, &oldest)
	return n, fromMS(oldest), mapError(err)
}

// FindEverProvisionedAccounts returns the ids of every account that was
// ever provisioned, for a full comparison with a downstream.
func (q Q) FindEverProvisionedAccounts(ctx context.Context) ([]int64, error) {
	return q.ids(ctx, "SELECT id FROM accounts WHERE provisioned_at > 0 ORDER BY id")
}
