package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"portal"
)

// AppendAudit adds an event to the audit trail inside tx, chaining it to the
// previous row. The head row is locked so concurrent writers serialise.
func (tx *Tx) AppendAudit(ctx context.Context, e *portal.AuditEvent) error {
	var seq int64
	var prev string
	if err := tx.QueryRow(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1"+tx.forUpdate()).Scan(&seq, &prev); err != nil {
		return fmt.Errorf("store: read audit head: %w", err)
	}
	e.Seq = seq + 1
	e.PrevHash = prev
	e.At = e.At.UTC().Truncate(time.Millisecond)
	boundAuditEvent(e)
	e.Hash = e.ComputeHash()
	var ws any
	if e.WorksiteID != 0 {
		ws = e.WorksiteID
	}
	if _, err := tx.Exec(ctx, `INSERT INTO audit_log (seq, occurred_at, actor_kind, actor_id, action, subject_kind, subject_id,
		worksite_id, ip, user_agent, request_id, details, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		e.Seq, ms(e.At), e.ActorKind, e.ActorID, e.Action, e.SubjectKind, e.SubjectID, ws,
		e.IP, e.UserAgent, e.RequestID, e.Details, e.PrevHash, e.Hash); err != nil {
		return fmt.Errorf("store: append audit: %w", err)
	}
	if _, err := tx.Exec(ctx, "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", e.Seq, e.Hash); err != nil {
		return fmt.Errorf("store: move audit head: %w", err)
	}
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
	COALESCE(worksite_id, 0), ip, user_agent, request_id, details, prev_hash, hash`

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
		query += fmt.Sprintf(" LIMIT %d", f.Limit)
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

// VerifyAudit walks the whole trail in batches and returns every break,
// including rows deleted from the end (the head then points past the last row).
func (db *DB) VerifyAudit(ctx context.Context) (checked int64, breaks []portal.ChainBreak, err error) {
	var prevSeq int64
	prevHash := ""
	for {
		batch, err := db.Read().FindAuditEvents(ctx, AuditFilter{AfterSeq: prevSeq, Limit: 5000})
		if err != nil {
			return checked, breaks, err
		}
		if len(batch) == 0 {
			break
		}
		breaks = append(breaks, portal.VerifyChain(prevSeq, prevHash, batch)...)
		checked += int64(len(batch))
		last := batch[len(batch)-1]
		prevSeq, prevHash = last.Seq, last.Hash
	}
	headSeq, headHash, err := db.Read().AuditHead(ctx)
	if err != nil {
		return checked, breaks, err
	}
	if headSeq != prevSeq || headHash != prevHash {
		breaks = append(breaks, portal.ChainBreak{Seq: headSeq, Reason: fmt.Sprintf("the trail ends at row %d but its head records row %d: rows were deleted from the end", prevSeq, headSeq)})
	}
	return checked, breaks, nil
}
