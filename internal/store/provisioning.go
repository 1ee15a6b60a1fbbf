package store

import (
	"context"
	"time"

	"portal"
)

// ProvisioningEvent is one entry of the change feed.
type ProvisioningEvent struct {
	ID        int64
	AccountID portal.AccountID
	Type      string
	At        time.Time
	Data      string
}

// AppendProvisioningEvent adds to the change feed and marks the account changed.
func (tx *Tx) AppendProvisioningEvent(ctx context.Context, id portal.AccountID, typ, data string, now time.Time) error {
	if _, err := tx.Exec(ctx, "INSERT INTO provisioning_events (account_id, type, occurred_at, data) VALUES (?, ?, ?, ?)",
		int64(id), typ, ms(now), data); err != nil {
		return err
	}
	set := "provisioning_changed_at = ?"
	args := []any{ms(now)}
	if typ == "user.provisioned" {
		set += ", provisioned_at = ?"
		args = append(args, ms(now))
	}
	_, err := tx.Exec(ctx, "UPDATE accounts SET "+set+" WHERE id = ?", append(args, int64(id))...)
	return err
}

// IsProvisioned reports whether the person was ever provisioned.
func (q Q) IsProvisioned(ctx context.Context, id portal.AccountID) (bool, error) {
	var at int64
	if err := q.QueryRow(ctx, "SELECT provisioned_at FROM accounts WHERE id = ?", int64(id)).Scan(&at); err != nil {
		return false, mapError(err)
	}
	return at != 0, nil
}

// FindProvisioningEvents returns feed entries after a cursor, oldest first.
func (q Q) FindProvisioningEvents(ctx context.Context, after int64, limit int) ([]ProvisioningEvent, error) {
	rows, err := q.Query(ctx, "SELECT id, account_id, type, occurred_at, data FROM provisioning_events WHERE id > ? ORDER BY id LIMIT ?", after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ProvisioningEvent
	for rows.Next() {
		var e ProvisioningEvent
		var at int64
		if err := rows.Scan(&e.ID, &e.AccountID, &e.Type, &at, &e.Data); err != nil {
			return nil, err
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
