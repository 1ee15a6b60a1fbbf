package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
)

// AppendAudit adds an event to the audit trail of tx's transaction. The
// event is written, chained to the previous row, when the transaction
// commits (writeAudit); e's Seq, PrevHash, Hash, KeyID and MAC are set then.
func (tx *Tx) AppendAudit(ctx context.Context, e *portal.AuditEvent) error {
	tx.audits = append(tx.audits, e)
	return nil
}

// writeAudit writes the transaction's audit events as its last statements
// before COMMIT. The head row is locked so concurrent writers serialise;
// taking the lock last keeps it held only from here to the commit, not for
// the whole use case, so transactions that audit do not queue behind each
// other's work. With an audit key (SetAuditKey) each row and the head carry
// its MACs; a trail already keyed is not written to without a key.
func (tx *Tx) writeAudit(ctx context.Context) error {
	if len(tx.audits) == 0 {
		return nil
	}
	var seq int64
	var prev, headKey string
	if err := tx.QueryRow(ctx, "SELECT seq, hash, key_id FROM audit_head WHERE id = 1"+tx.forUpdate()).Scan(&seq,
		&prev, &headKey); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return errors.New(
				"store: the audit trail's head (the one row of audit_head) is missing; nothing can be audited until it is restored",
			)
		}
		return fmt.Errorf("store: read audit head: %w", err)
	}
	if headKey != "" && tx.auditKey == nil {
		return fmt.Errorf(
			"store: the audit trail is keyed (audit key %s) but no audit key is configured: set PORTAL_AUDIT_KEY_FILE",
			headKey,
		)
	}
	var headMAC string
	for _, e := range tx.audits {
		seq++
		e.Seq = seq
		e.PrevHash = prev
		e.At = e.At.UTC().Truncate(time.Millisecond)
		boundAuditEvent(e)
		e.Hash = e.ComputeHash()
		e.KeyID, e.MAC = "", ""
		if k := tx.auditKey; k != nil {
			e.KeyID, e.MAC = k.ID, k.RowMAC(e)
			headMAC = k.HeadMAC(e.Seq, e.Hash)
		}
		var ws any
		if e.WorksiteID != 0 {
			ws = e.WorksiteID
		}
		if _, err := tx.Exec(ctx, `INSERT INTO audit_log (seq, occurred_at, actor_kind, actor_id, action, subject_kind, subject_id,
		worksite_id, ip, user_agent, request_id, details, prev_hash, hash, key_id, mac) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			e.Seq, ms(e.At), e.ActorKind, e.ActorID, e.Action, e.SubjectKind, e.SubjectID, ws,
			e.IP, e.UserAgent, e.RequestID, e.Details, e.PrevHash, e.Hash, e.KeyID, e.MAC); err != nil {
			return fmt.Errorf("store: append audit: %w", err)
		}
		prev = e.Hash
	}
	last := tx.audits[len(tx.audits)-1]
	if _, err := tx.Exec(ctx, "UPDATE audit_head SET seq = ?, hash = ?, key_id = ?, mac = ? WHERE id = 1",
		last.Seq, last.Hash, last.KeyID, headMAC); err != nil {
		return fmt.Errorf("store: move audit head: %w", err)
	}
	tx.audits = nil
	return nil
}

// AuditDetails encodes what changed as the JSON stored with an event.
func AuditDetails(v any) string {
	if v == nil {
		return "{}"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "{}"
	}
	return string(b)
}

// AuditFilter selects audit events.
type AuditFilter struct {
	AfterSeq    int64
	SubjectKind string
	SubjectID   string
	ActorKind   string
	ActorID     string
	WorksiteID  int64
	From, To    time.Time
	Limit       int
}

const auditColumns = `seq, occurred_at, actor_kind, actor_id, action, subject_kind, subject_id,
	COALESCE(worksite_id, 0), ip, user_agent, request_id, details, prev_hash, hash, key_id, mac`

// FindAuditEvents returns events in sequence order.
func (q Q) FindAuditEvents(ctx context.Context, f AuditFilter) ([]portal.AuditEvent, error) {
	query := "SELECT " + auditColumns + " FROM audit_log WHERE seq > ?"
	args := []any{f.AfterSeq}
	if f.SubjectKind != "" {
		query += " AND subject_kind = ? AND subject_id = ?"
		args = append(args, f.SubjectKind, f.SubjectID)
	}
	if f.ActorKind != "" {
		query += " AND actor_kind = ? AND actor_id = ?"
		args = append(args, f.ActorKind, f.ActorID)
	}
	if f.WorksiteID != 0 {
		query += " AND worksite_id = ?"
		args = append(args, f.WorksiteID)
	}
	if !f.From.IsZero() {
		query += " AND occurred_at >= ?"
		args = append(args, ms(f.From))
	}
	if !f.To.IsZero() {
		query += " AND occurred_at < ?"
		args = append(args, ms(f.To))
	}
	query += " ORDER BY seq"
	if f.Limit > 0 {
		query += " LIMIT ?"
		args = append(args, f.Limit)
	}
	return q.scanAuditEvents(ctx, query, args...)
}

// AuditHead returns the last sequence number and hash of the trail.
func (q Q) AuditHead(ctx context.Context) (int64, string, error) {
	var seq int64
	var hash string
	err := q.QueryRow(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1").Scan(&seq, &hash)
	return seq, hash, err
}

// FindAuditHead returns the chain's head; a not-found error when its row
// is missing.
func (q Q) FindAuditHead(ctx context.Context) (*portal.AuditHead, error) {
	var h portal.AuditHead
	err := q.QueryRow(ctx, "SELECT seq, hash, key_id, mac FROM audit_head WHERE id = 1").Scan(&h.Seq,
		&h.Hash, &h.KeyID, &h.MAC)
	if err != nil {
		return nil, mapError(err)
	}
	return &h, nil
}

// SetAuditKey keys the audit rows written from now on (nil: unkeyed).
// Set it once, before the database is used.
func (db *DB) SetAuditKey(k *portal.AuditKey) { db.auditKey = k }

// VerifyAudit walks the whole trail in batches and returns every break,
// including rows deleted from the end (the head then points past the last
// row). Keyed rows are counted, not checked: VerifyAuditWith checks them.
func (db *DB) VerifyAudit(ctx context.Context) (checked int64, breaks []portal.ChainBreak, err error) {
	r, err := db.VerifyAuditWith(ctx, portal.AuditVerifyOptions{})
	return r.Rows, r.Breaks, err
}

// VerifyAuditWith walks the whole trail in batches: the hash chain, the
// MACs of keyed rows with the keys given, the head, and the checkpoints.
func (db *DB) VerifyAuditWith(ctx context.Context, opts portal.AuditVerifyOptions) (portal.AuditReport, error) {
	v := portal.NewChainVerifier(opts)
	var after int64
	for {
		batch, err := db.Read().FindAuditEvents(ctx, AuditFilter{AfterSeq: after, Limit: 5000})
		if err != nil {
			return portal.AuditReport{}, err
		}
		if len(batch) == 0 {
			break
		}
		v.Add(batch)
		after = batch[len(batch)-1].Seq
	}
	head, err := db.Read().FindAuditHead(ctx)
	if err != nil && !IsNotFound(err) {
		return portal.AuditReport{}, err
	}
	return v.Finish(head), nil
}

// CountAuditActions counts the audit rows of an action recorded since a
// moment (zero: ever).
func (q Q) CountAuditActions(ctx context.Context, action string, since time.Time) (int, error) {
	var n int
	err := q.QueryRow(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = ? AND occurred_at >= ?",
		action, ms(since)).Scan(&n)
	return n, err
}
