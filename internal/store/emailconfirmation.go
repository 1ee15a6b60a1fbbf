package store

import (
	"context"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
)

const emailConfirmationColumns = `id, account_id, email, token_hash, code_hash, attempts,
	created_at, expires_at, used_at`

func scanEmailConfirmation(r rowScanner) (*portal.EmailConfirmation, error) {
	var c portal.EmailConfirmation
	var created, expires, used int64
	if err := r.Scan(&c.ID, &c.AccountID, &c.Email, &c.TokenHash, &c.CodeHash, &c.Attempts, &created,
		&expires, &used); err != nil {
		return nil, mapError(err)
	}
	c.CreatedAt, c.ExpiresAt, c.UsedAt = fromMS(created), fromMS(expires), fromMS(used)
	return &c, nil
}

// CreateEmailConfirmation stores a new confirmation of an account's address
// and discards the account's earlier unused ones: only the latest link and
// code work.
func (tx *Tx) CreateEmailConfirmation(ctx context.Context, c *portal.EmailConfirmation) error {
	if err := tx.DiscardEmailConfirmations(ctx, c.AccountID); err != nil {
		return err
	}
	id, err := tx.Insert(ctx,
		`INSERT INTO email_confirmations (account_id, email, email_key, token_hash, code_hash, attempts,
		created_at, expires_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)`, int64(c.AccountID), c.Email, portal.EmailKey(c.Email),
		c.TokenHash, c.CodeHash, ms(c.CreatedAt), ms(c.ExpiresAt))
	if err != nil {
		return err
	}
	c.ID = id
	return nil
}

// DiscardEmailConfirmations deletes an account's unused confirmations, as
// when its address changes.
func (tx *Tx) DiscardEmailConfirmations(ctx context.Context, account portal.AccountID) error {
	_, err := tx.Exec(ctx, "DELETE FROM email_confirmations WHERE account_id = ? AND used_at = 0", int64(account))
	return err
}

// FindEmailConfirmationByToken returns the confirmation a link carries.
func (q Q) FindEmailConfirmationByToken(ctx context.Context, tokenHash string) (*portal.EmailConfirmation, error) {
	return scanEmailConfirmation(q.QueryRow(ctx,
		"SELECT "+emailConfirmationColumns+" FROM email_confirmations WHERE token_hash = ?", tokenHash))
}

// LatestEmailConfirmation returns the account's newest unused confirmation.
func (q Q) LatestEmailConfirmation(ctx context.Context, account portal.AccountID) (*portal.EmailConfirmation, error) {
	return scanEmailConfirmation(q.QueryRow(ctx, "SELECT "+emailConfirmationColumns+
		" FROM email_confirmations WHERE account_id = ? AND used_at = 0 ORDER BY id DESC LIMIT 1", int64(account)))
}

// LockEmailConfirmation returns a confirmation and, on PostgreSQL, locks it
// until the transaction ends, so two codes typed at once count twice.
func (tx *Tx) LockEmailConfirmation(ctx context.Context, id int64) (*portal.EmailConfirmation, error) {
	return scanEmailConfirmation(tx.QueryRow(ctx,
		"SELECT "+emailConfirmationColumns+" FROM email_confirmations WHERE id = ?"+tx.forUpdate(), id))
}

// SetEmailCodeAttempts records how many wrong codes were typed.
func (tx *Tx) SetEmailCodeAttempts(ctx context.Context, id int64, attempts int) error {
	_, err := tx.Exec(ctx, "UPDATE email_confirmations SET attempts = ? WHERE id = ?", attempts, id)
	return err
}

// UseEmailConfirmation marks a confirmation used and reports whether it
// was unused: a link or code works once.
func (tx *Tx) UseEmailConfirmation(ctx context.Context, id int64, now time.Time) (bool, error) {
	return tx.changed(ctx, "UPDATE email_confirmations SET used_at = ? WHERE id = ? AND used_at = 0", ms(now), id)
}

// PendingTrainingCredit is portal.PendingTrainingCredit, as the store reads and writes it.
type PendingTrainingCredit = portal.PendingTrainingCredit
