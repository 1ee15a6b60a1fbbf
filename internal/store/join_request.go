package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
)

const joinColumns = `r.id, r.worksite_id, r.account_id, r.via, r.comment, r.status,
	COALESCE(r.decided_by, 0), r.decided_at, r.reason,
	r.created_at, a.preferred_first_name, a.given_names, a.preferred_last_name, a.surname, a.email,
		a.profession, w.name, w.code,
	COALESCE(d.preferred_first_name, ''), COALESCE(d.given_names, ''),
		COALESCE(d.preferred_last_name, ''), COALESCE(d.surname, '')`

const joinFrom = ` FROM join_requests r JOIN accounts a ON a.id = r.account_id JOIN worksites w ON w.id = r.worksite_id
	LEFT JOIN accounts d ON d.id = r.decided_by`

func displayName(pf, given, pl, surname string) string {
	if pf == "" {
		pf = given
	}
	if pl == "" {
		pl = surname
	}
	return strings.TrimSpace(pf + " " + pl)
}

func scanJoin(r rowScanner) (*portal.JoinRequest, error) {
	var j portal.JoinRequest
	var decided, created int64
	var pf, given, pl, surname, code, dpf, dgiven, dpl, dsurname string
	if err := r.Scan(&j.ID, &j.WorksiteID, &j.AccountID, &j.Via, &j.Comment, &j.Status,
		&j.DecidedBy, &decided, &j.Reason,
		&created, &pf, &given, &pl, &surname, &j.RequesterEmail, &j.RequesterProfession, &j.WorksiteName, &code,
		&dpf, &dgiven, &dpl, &dsurname); err != nil {
		return nil, mapError(err)
	}
	j.RequesterName = displayName(pf, given, pl, surname)
	j.DeciderName = displayName(dpf, dgiven, dpl, dsurname)
	j.WorksiteCode = portal.WorksiteCode(code)
	j.DecidedAt, j.CreatedAt = fromMS(decided), fromMS(created)
	return &j, nil
}

func pendingKey(ws portal.WorksiteID, id portal.AccountID) string {
	return fmt.Sprintf("%d:%d", ws, id)
}

// CreateJoinRequest inserts a pending request; a second pending request
// for the same person and worksite gives a *ConflictError.
func (tx *Tx) CreateJoinRequest(ctx context.Context, j *portal.JoinRequest) error {
	id, err := tx.Insert(ctx,
		`INSERT INTO join_requests (worksite_id, account_id, via, comment, status, created_at, pending_key)
		VALUES (?, ?, ?, ?, 'pending', ?, ?)`, int64(j.WorksiteID), int64(j.AccountID), j.Via, j.Comment, ms(j.CreatedAt),
		pendingKey(j.WorksiteID, j.AccountID))
	if err != nil {
		return err
	}
	j.ID, j.Status = portal.JoinRequestID(id), portal.RequestPending
	return nil
}

// FindJoinRequestByID returns one request.
func (q Q) FindJoinRequestByID(ctx context.Context, id portal.JoinRequestID) (*portal.JoinRequest, error) {
	return scanJoin(q.QueryRow(ctx, "SELECT "+joinColumns+joinFrom+" WHERE r.id = ?", int64(id)))
}

// DecideJoinRequest records a decision if the request is still pending,
// and reports whether it was (so exactly one of two deciders wins).
func (tx *Tx) DecideJoinRequest(ctx context.Context, id portal.JoinRequestID, status string, by portal.AccountID,
	reason string, now time.Time) (bool, error) {
	return tx.changed(ctx,
		`UPDATE join_requests SET status = ?, decided_by = ?, decided_at = ?, reason = ?, pending_key = NULL
		WHERE id = ? AND status = 'pending'`, status, idArg(by), ms(now), reason, int64(id))
}

// JoinRequestFilter selects join requests.
type JoinRequestFilter struct {
	AccountID   portal.AccountID
	WorksiteIDs []portal.WorksiteID
	Status      string
}

// FindJoinRequests lists requests, newest first.
func (q Q) FindJoinRequests(ctx context.Context, f JoinRequestFilter) ([]*portal.JoinRequest, error) {
	query := "SELECT " + joinColumns + joinFrom + " WHERE 1=1"
	var args []any
	if f.AccountID != 0 {
		query += " AND r.account_id = ?"
		args = append(args, int64(f.AccountID))
	}
	if f.WorksiteIDs != nil {
		if len(f.WorksiteIDs) == 0 {
			return nil, nil
		}
		query += " AND r.worksite_id IN (" + strings.TrimSuffix(strings.Repeat("?,", len(f.WorksiteIDs)), ",") + ")"
		for _, w := range f.WorksiteIDs {
			args = append(args, int64(w))
		}
	}
	if f.Status != "" {
		query += " AND r.status = ?"
		args = append(args, f.Status)
	}
	query += " ORDER BY r.created_at DESC, r.id DESC"
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanJoin)
}
