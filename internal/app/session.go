package app

import (
	"context"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// Sessions, rate limits and readiness: state the web layer keeps in the
// database with no use case around it. The web layer reaches the database
// only through these, so it needs no store types.

// FindSession returns the session whose token hashes to idHash, with its
// account (nil before the person has one).
func (a *App) FindSession(ctx context.Context, idHash string) (*portal.Session, *portal.Account, error) {
	return a.DB.Read().FindSessionAccount(ctx, idHash)
}

// CreateSession stores a new session.
func (a *App) CreateSession(ctx context.Context, s *portal.Session) error {
	return a.DB.Read().CreateSession(ctx, s)
}

// UpdateSession stores a session's data, last use and expiry.
func (a *App) UpdateSession(ctx context.Context, s *portal.Session) error {
	return a.DB.Read().UpdateSession(ctx, s)
}

// DeleteSession ends the session whose token hashes to idHash.
func (a *App) DeleteSession(ctx context.Context, idHash string) error {
	return a.DB.Read().DeleteSession(ctx, idHash)
}

// HitRateLimit counts an attempt in bucket for the window holding now and
// reports whether it stays within limit.
func (a *App) HitRateLimit(
	ctx context.Context,
	bucket string,
	limit int,
	window time.Duration,
	now time.Time,
) (bool, error) {
	return a.DB.HitRateLimit(ctx, bucket, limit, window, now)
}

// Ping reports whether the database answers.
func (a *App) Ping(ctx context.Context) error { return a.DB.Ping(ctx) }

// Unavailable reports whether err means the database is down or too slow
// (as opposed to a failed rule or a bug), so the caller may answer
// "try again later".
func Unavailable(err error) bool { return store.Unavailable(err) }
