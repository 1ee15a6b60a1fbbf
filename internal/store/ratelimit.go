package store

import (
	"context"
	"time"
)

// HitRateLimit counts one attempt in bucket's fixed window and reports
// whether it is within limit. Counters live in the database so every
// instance shares them; one upsert makes concurrent hits count exactly.
func (db *DB) HitRateLimit(ctx context.Context, bucket string, limit int, window time.Duration,
	now time.Time) (bool, error) {
	return db.Read().HitLimit(ctx, bucket, now.Truncate(window), limit)
}

// HitLimit counts one hit on bucket in the window that began at start (a
// hit in a later window starts the count again) and reports whether the
// count is within limit. Inside a transaction the counter's row stays
// locked until the commit, and a rolled-back transaction takes its hit
// back: an action refused for the limit, or failing otherwise, costs
// nothing.
func (q Q) HitLimit(ctx context.Context, bucket string, start time.Time, limit int) (bool, error) {
	var hits int
	err := q.QueryRow(ctx, `INSERT INTO rate_limits (bucket, window_start, hits) VALUES (?, ?, 1)
		ON CONFLICT (bucket) DO UPDATE SET
			hits = CASE WHEN rate_limits.window_start = excluded.window_start THEN rate_limits.hits + 1 ELSE 1 END,
			window_start = excluded.window_start
		RETURNING hits`, bucket, ms(start)).Scan(&hits)
	if err != nil {
		return false, mapError(err)
	}
	return hits <= limit, nil
}

// DeleteOldRateLimits removes counters whose window ended before cutoff.
func (q Q) DeleteOldRateLimits(ctx context.Context, cutoff time.Time) error {
	_, err := q.Exec(ctx, "DELETE FROM rate_limits WHERE window_start < ?", ms(cutoff))
	return err
}
