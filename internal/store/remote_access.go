package store

import (
	"context"
	"fmt"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
)

// RemoteAccessRequest is portal.RemoteAccessRequest, as the store reads and writes it.
type RemoteAccessRequest = portal.RemoteAccessRequest

// CreateRemoteAccessRequest inserts a pending request; one open request per person.
func (tx *Tx) CreateRemoteAccessRequest(ctx context.Context, r *RemoteAccessRequest) error {
	id, err := tx.Insert(
		ctx,
		`INSERT INTO remote_access_requests (account_id, street, city, postal_code, reason, status, created_at, open_key)
		VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)`,
		int64(r.AccountID),
		r.Street,
		r.City,
		r.PostalCode,
		r.Reason,
		ms(r.CreatedAt),
		fmt.Sprintf("remote:%d", r.AccountID),
	)
	if err != nil {
		return err
	}
	r.ID, r.Status = id, "pending"
	return nil
}

const remoteColumns = `id, account_id, street, city, postal_code, reason, status, decided_by, decided_at,
	decision_text, created_at`

func scanRemote(r rowScanner) (*RemoteAccessRequest, error) {
	var x RemoteAccessRequest
	var decided, created int64
	if err := r.Scan(&x.ID, &x.AccountID, &x.Street, &x.City, &x.PostalCode, &x.Reason,
		&x.Status, &x.DecidedBy, &decided,
		&x.DecisionText, &created); err != nil {
		return nil, mapError(err)
	}
	x.DecidedAt, x.CreatedAt = fromMS(decided), fromMS(created)
	return &x, nil
}

// FindRemoteAccessRequests lists a person's remote access requests, newest first.
func (q Q) FindRemoteAccessRequests(ctx context.Context, account portal.AccountID) ([]*RemoteAccessRequest, error) {
	rows, err := q.Query(ctx,
		"SELECT "+remoteColumns+" FROM remote_access_requests WHERE account_id = ? "+
			"ORDER BY created_at DESC, id DESC", int64(account))
	if err != nil {
		return nil, err
	}
	return collect(rows, scanRemote)
}

// FindRemoteAccessRequestByID returns one request.
func (q Q) FindRemoteAccessRequestByID(ctx context.Context, id int64) (*RemoteAccessRequest, error) {
	return scanRemote(q.QueryRow(ctx, "SELECT "+remoteColumns+" FROM remote_access_requests WHERE id = ?", id))
}

// DecideRemoteAccessRequest records the CareConnect team's decision if still pending.
func (tx *Tx) DecideRemoteAccessRequest(ctx context.Context, id int64, status, by, text string,
	now time.Time) (bool, error) {
	return tx.changed(ctx,
		`UPDATE remote_access_requests
			SET status = ?, decided_by = ?, decided_at = ?, decision_text = ?, open_key = NULL
		WHERE id = ? AND status = 'pending'`, status, by, ms(now), text, id)
}

// PendingRemoteAccess is portal.PendingRemoteAccess, as the store reads and writes it.
type PendingRemoteAccess = portal.PendingRemoteAccess

// FindPendingRemoteAccessRequests lists requests waiting for the CareConnect team, oldest first.
func (q Q) FindPendingRemoteAccessRequests(ctx context.Context) ([]*PendingRemoteAccess, error) {
	rows, err := q.Query(ctx,
		`SELECT r.id, r.account_id, r.street, r.city, r.postal_code, r.reason, r.status, r.decided_by, r.decided_at,
		r.decision_text, r.created_at, a.preferred_first_name, a.given_names, a.preferred_last_name,
			a.surname, a.email, a.profession
		FROM remote_access_requests r JOIN accounts a ON a.id = r.account_id WHERE r.status = 'pending'
			ORDER BY r.created_at, r.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*PendingRemoteAccess
	for rows.Next() {
		var x PendingRemoteAccess
		var decided, created int64
		var pf, given, pl, surname string
		if err := rows.Scan(&x.ID, &x.AccountID, &x.Street, &x.City, &x.PostalCode, &x.Reason,
			&x.Status, &x.DecidedBy, &decided,
			&x.DecisionText, &created, &pf, &given, &pl, &surname, &x.Email, &x.Profession); err != nil {
			return nil, err
		}
		x.DecidedAt, x.CreatedAt = fromMS(decided), fromMS(created)
		x.Name = displayName(pf, given, pl, surname)
		out = append(out, &x)
	}
	return out, rows.Err()
}
