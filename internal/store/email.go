package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"

	"github.com/bcgov-example/careconnect-portal/internal/mail"
)

// Email is portal.Email, as the store reads and writes it.
type Email = portal.Email

// Outbox statuses.
const (
	EmailPending = "pending"
	EmailSent    = "sent"
	EmailFailed  = "failed"
)

// EnqueueEmail writes an email to the outbox inside the transaction of the
// change that causes it, so the email is sent if and only if the change commits.
func (tx *Tx) EnqueueEmail(ctx context.Context, e *Email) error {
	if e.Status == "" {
		e.Status = EmailPending
	}
	var acct any
	if e.AccountID != 0 {
		acct = e.AccountID
	}
	id, err := tx.Insert(ctx, `INSERT INTO emails (message_id, kind, account_id, to_addr, subject, text_body, html_body,
		redacted_text_body, redacted_html_body, status, attempts, next_attempt_at, created_at)
			VALUES (?,?,?,?,?,?,?,?,?,?,0,?,?)`,
		e.MessageID, e.Kind, acct, e.To, e.Subject, e.Text, e.HTML, e.RedactedText, e.RedactedHTML, e.Status,
		ms(e.CreatedAt), ms(e.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: enqueue email: %w", err)
	}
	e.ID = id
	return nil
}

// Outbox adapts the database to the mail worker.
type Outbox struct {
	DB *DB
	// KeepSecrets keeps the links and codes in the bodies of sent emails.
	// Only for the development mailbox, where the outbox is what people read.
	KeepSecrets bool
}

// scrub is the SET clause that replaces the bodies of a sent or abandoned
// email by their redacted copies, so no link's token or code stays stored.
func (o Outbox) scrub() string {
	if o.KeepSecrets {
		return ""
	}
	return `, text_body = CASE WHEN redacted_text_body <> '' THEN redacted_text_body ELSE text_body END,
		html_body = CASE WHEN redacted_html_body <> '' THEN redacted_html_body ELSE html_body END,
		redacted_text_body = '', redacted_html_body = ''`
}

var _ mail.Outbox = Outbox{}

// ClaimEmails leases due emails to owner. On PostgreSQL rows another
// instance is claiming are skipped; SQLite's IMMEDIATE transaction
// serialises claimers.
func (o Outbox) ClaimEmails(ctx context.Context, owner string, now, leaseUntil time.Time,
	limit int) ([]mail.Message, error) {
	var out []mail.Message
	err := o.DB.InTx(ctx, func(tx *Tx) error {
		skip := ""
		if tx.dialect == Postgres {
			skip = " FOR UPDATE SKIP LOCKED"
		}
		rows, err := tx.Query(ctx, `SELECT id, message_id, to_addr, subject, text_body, html_body, attempts FROM emails
			WHERE status = 'pending' AND next_attempt_at <= ? AND lease_until <= ? ORDER BY next_attempt_at, id LIMIT ?`+skip,
			ms(now), ms(now), limit)
		if err != nil {
			return err
		}
		for rows.Next() {
			var m mail.Message
			if err := rows.Scan(&m.ID, &m.MessageID, &m.To, &m.Subject, &m.Text, &m.HTML, &m.Attempts); err != nil {
				rows.Close()
				return err
			}
			out = append(out, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(out) == 0 {
			return nil
		}
		args := []any{owner, ms(leaseUntil)}
		for _, m := range out {
			args = append(args, m.ID)
		}
		_, err = tx.Exec(ctx,
			"UPDATE emails SET lease_owner = ?, lease_until = ? WHERE id IN ("+placeholders(len(out))+")", args...)
		return err
	})
	return out, err
}

// RenewEmailLeases extends to leaseUntil the leases owner still holds among
// ids, in one statement, and returns the ids it extended. An email another
// worker has claimed since (its lease ran out) keeps the new owner, and one
// no longer pending is left alone: neither is returned.
func (o Outbox) RenewEmailLeases(ctx context.Context, owner string, ids []int64,
	leaseUntil time.Time) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := []any{ms(leaseUntil), owner}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := o.DB.Read().Query(ctx, `UPDATE emails SET lease_until = ? WHERE lease_owner = ? AND status = 'pending'
		AND id IN (`+placeholders(len(ids))+`) RETURNING id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: renew email leases: %w", err)
	}
	return collect(rows, scanInt64)
}

// MarkEmailSent records a delivery; it does nothing if owner lost the lease.
func (o Outbox) MarkEmailSent(ctx context.Context, id int64, owner string, now time.Time) error {
	_, err := o.DB.Read().Exec(ctx,
		`UPDATE emails SET status = 'sent', sent_at = ?, attempts = attempts + 1, lease_until = 0,
		last_error = ''`+o.scrub()+` WHERE id = ? AND lease_owner = ? AND status = 'pending'`, ms(now), id, owner)
	return err
}

// MarkEmailFailed records a failed attempt, due again at retryAt unless giveUp.
func (o Outbox) MarkEmailFailed(ctx context.Context, id int64, owner string, now, retryAt time.Time,
	errText string, giveUp bool) error {
	status, scrub := EmailPending, ""
	if giveUp {
		status, scrub = EmailFailed, o.scrub()
	}
	if len(errText) > 500 {
		errText = errText[:500]
	}
	_, err := o.DB.Read().Exec(ctx,
		`UPDATE emails SET status = ?, attempts = attempts + 1, next_attempt_at = ?, lease_until = 0,
		last_error = ?`+scrub+`
			WHERE id = ? AND lease_owner = ? AND status = 'pending'`, status, ms(retryAt), errText, id, owner)
	return err
}

// QueueDepth counts emails waiting to be sent.
func (o Outbox) QueueDepth(ctx context.Context) (int, error) {
	var n int
	err := o.DB.Read().QueryRow(ctx, "SELECT COUNT(*) FROM emails WHERE status = 'pending'").Scan(&n)
	return n, err
}

const emailColumns = `id, message_id, kind, COALESCE(account_id, 0), to_addr, subject, text_body,
	html_body, status, attempts,
	next_attempt_at, last_error, created_at, sent_at`

func scanEmail(r rowScanner) (*Email, error) {
	var e Email
	var next, created, sent int64
	if err := r.Scan(&e.ID, &e.MessageID, &e.Kind, &e.AccountID, &e.To, &e.Subject, &e.Text,
		&e.HTML, &e.Status, &e.Attempts,
		&next, &e.LastError, &created, &sent); err != nil {
		return nil, mapError(err)
	}
	e.NextAttemptAt, e.CreatedAt, e.SentAt = fromMS(next), fromMS(created), fromMS(sent)
	return &e, nil
}

// EmailFilter is portal.EmailFilter, as the store reads and writes it.
type EmailFilter = portal.EmailFilter

// FindEmails returns outbox rows, newest first.
func (q Q) FindEmails(ctx context.Context, f EmailFilter) ([]*Email, error) {
	query := "SELECT " + emailColumns + " FROM emails WHERE 1=1"
	var args []any
	if f.To != "" {
		query += " AND LOWER(to_addr) = ?"
		args = append(args, strings.ToLower(f.To))
	}
	if f.Kind != "" {
		query += " AND kind = ?"
		args = append(args, f.Kind)
	}
	query += " ORDER BY id DESC"
	if f.Limit > 0 {
		query += " LIMIT ?"
		args = append(args, f.Limit)
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanEmail)
}

// FindEmailByID returns one outbox row.
func (q Q) FindEmailByID(ctx context.Context, id int64) (*Email, error) {
	return scanEmail(q.QueryRow(ctx, "SELECT "+emailColumns+" FROM emails WHERE id = ?", id))
}
