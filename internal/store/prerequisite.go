package store

import (
	"context"
	"fmt"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
)

// Kinds of prerequisite completion, as stored.
const (
	CompletionTraining = "training" // the Privacy & Security training
	CompletionHPCAA    = "hpcaa"    // the Health Practitioner CareConnect Access Agreement
)

// Where a completion was recorded.
const (
	SourcePortal   = portal.CompletionSourcePortal
	SourceExternal = portal.CompletionSourceExternal
)

// CompletionKind is the stored kind of a prerequisite, or "" for an unknown one.
func CompletionKind(p portal.Prerequisite) string {
	switch p {
	case portal.PrereqTraining:
		return CompletionTraining
	case portal.PrereqHPCAA:
		return CompletionHPCAA
	}
	return ""
}

// Completion is portal.Completion, as the store reads and writes it.
type Completion = portal.Completion

const completionColumns = `id, account_id, kind, version, completed_at, score, source, recorded_by,
	signed_name, credited_via`

func scanCompletion(r rowScanner) (*Completion, error) {
	var c Completion
	var at int64
	if err := r.Scan(&c.ID, &c.AccountID, &c.Kind, &c.Version, &at, &c.Score, &c.Source, &c.RecordedBy, &c.SignedName,
		&c.CreditedVia); err != nil {
		return nil, mapError(err)
	}
	c.CompletedAt = fromMS(at)
	return &c, nil
}

// RecordCompletion stores a completion and sets its ID.
func (tx *Tx) RecordCompletion(ctx context.Context, c *Completion) error {
	switch {
	case c.Kind != CompletionTraining && c.Kind != CompletionHPCAA:
		return fmt.Errorf("store: unknown completion kind %q", c.Kind)
	case c.Source != SourcePortal && c.Source != SourceExternal:
		return fmt.Errorf("store: unknown completion source %q", c.Source)
	case c.Version == "" || c.AccountID == 0 || c.CompletedAt.IsZero():
		return fmt.Errorf("store: a completion needs an account, a version and a time")
	}
	id, err := tx.Insert(
		ctx,
		`INSERT INTO prerequisite_completions (account_id, kind, version, completed_at, score,
		source, recorded_by, signed_name, credited_via) VALUES (?,?,?,?,?,?,?,?,?)`,
		int64(
			c.AccountID,
		),
		c.Kind,
		c.Version,
		ms(c.CompletedAt),
		c.Score,
		c.Source,
		c.RecordedBy,
		c.SignedName,
		c.CreditedVia,
	)
	if err != nil {
		return fmt.Errorf("store: record completion: %w", err)
	}
	c.ID = id
	return nil
}

// LatestCompletion returns the account's most recent completion of a kind,
// whatever its version; a not-found error when there is none.
func (q Q) LatestCompletion(ctx context.Context, account portal.AccountID, kind string) (*Completion, error) {
	return scanCompletion(q.QueryRow(ctx, "SELECT "+completionColumns+` FROM prerequisite_completions
		WHERE account_id = ? AND kind = ? ORDER BY completed_at DESC, id DESC LIMIT 1`, int64(account), kind))
}

// FindCompletions lists the account's completions of every kind, newest first.
func (q Q) FindCompletions(ctx context.Context, account portal.AccountID) ([]*Completion, error) {
	rows, err := q.Query(ctx, "SELECT "+completionColumns+` FROM prerequisite_completions
		WHERE account_id = ? ORDER BY completed_at DESC, id DESC`, int64(account))
	if err != nil {
		return nil, err
	}
	return collect(rows, scanCompletion)
}

// CreatePendingTrainingCredit stores a completion waiting for its address.
func (tx *Tx) CreatePendingTrainingCredit(ctx context.Context, p *PendingTrainingCredit) error {
	id, err := tx.Insert(ctx,
		`INSERT INTO pending_training_credits (email, email_key, version, completed_at, recorded_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, p.Email, portal.EmailKey(p.Email), p.Version, ms(p.CompletedAt), p.RecordedBy, ms(p.CreatedAt))
	if err != nil {
		return err
	}
	p.ID = id
	return nil
}

// FindPendingTrainingCredits lists the uncredited completions recorded for
// an address, oldest first.
func (q Q) FindPendingTrainingCredits(ctx context.Context, email string) ([]*PendingTrainingCredit, error) {
	rows, err := q.Query(ctx,
		`SELECT id, email, version, completed_at, recorded_by, created_at FROM pending_training_credits
		WHERE email_key = ? AND credited_at = 0 ORDER BY id`, portal.EmailKey(email))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*PendingTrainingCredit
	for rows.Next() {
		var p PendingTrainingCredit
		var completed, created int64
		if err := rows.Scan(&p.ID, &p.Email, &p.Version, &completed, &p.RecordedBy, &created); err != nil {
			return nil, err
		}
		p.CompletedAt, p.CreatedAt = fromMS(completed), fromMS(created)
		out = append(out, &p)
	}
	return out, rows.Err()
}

// CreditPendingTraining marks a pending completion credited to an account
// and reports whether it was still pending.
func (tx *Tx) CreditPendingTraining(ctx context.Context, id int64, account portal.AccountID,
	now time.Time) (bool, error) {
	return tx.changed(ctx,
		"UPDATE pending_training_credits SET credited_account_id = ?, credited_at = ? WHERE id = ? AND credited_at = 0",
		int64(account), ms(now), id)
}
