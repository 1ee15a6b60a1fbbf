package store

import (
	"context"
	"fmt"
	"sync"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
)

// ProvisioningEvent is portal.ProvisioningEvent, as the store reads and writes it.
type ProvisioningEvent = portal.ProvisioningEvent

// feedLockKey is the PostgreSQL advisory lock that orders change-feed writes
// (the migration lock is 7202611).
const feedLockKey = 7202612

type pendingEvent struct {
	account portal.AccountID
	typ     string
	at      int64
	data    string
}

// AppendProvisioningEvent adds to the change feed and marks the account
// changed. The event row itself is written when the transaction commits
// (see writeProvisioningEvents), so that event ids become visible in id order.
func (tx *Tx) AppendProvisioningEvent(ctx context.Context, id portal.AccountID, typ, data string, now time.Time) error {
	set := "provisioning_changed_at = ?"
	args := []any{ms(now)}
	if typ == "user.provisioned" {
		set += ", provisioned_at = ?"
		args = append(args, ms(now))
	}
	if _, err := tx.Exec(ctx, "UPDATE accounts SET "+set+" WHERE id = ?", append(args, int64(id))...); err != nil {
		return err
	}
	tx.events = append(tx.events, pendingEvent{account: id, typ: typ, at: ms(now), data: data})
	return nil
}

// writeProvisioningEvents inserts the transaction's change-feed events as its
// last statements before COMMIT.
//
// The feed's cursor is the event id, so a reader must never see an id after
// a higher one: a reader that has seen id 11 would skip id 10 committed a
// moment later. On PostgreSQL ids come from a sequence and transactions
// commit in any order, so the writers take a transaction-scoped advisory
// lock before drawing ids: the next writer draws its ids only after the
// previous one has committed (PostgreSQL makes a commit visible before it
// releases the transaction's locks), and ids become visible in increasing
// order. The lock is taken last, once every row lock of the transaction is
// held (the accounts the events name were updated by AppendProvisioningEvent),
// so a writer holding it waits for nothing but its own commit and cannot be
// part of a deadlock. On SQLite one writer at a time holds the
// database from BEGIN IMMEDIATE to COMMIT, which gives the same order.
func (tx *Tx) writeProvisioningEvents(ctx context.Context) error {
	if len(tx.events) == 0 {
		return nil
	}
	if tx.dialect == Postgres {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(?)", int64(feedLockKey)); err != nil {
			return fmt.Errorf("store: lock the change feed: %w", err)
		}
	}
	for _, e := range tx.events {
		if _, err := tx.Exec(ctx,
			"INSERT INTO provisioning_events (account_id, type, occurred_at, data) VALUES (?, ?, ?, ?)",
			int64(e.account), e.typ, e.at, e.data); err != nil {
			return err
		}
	}
	return nil
}

// feedSignal wakes the change-feed readers waiting in this process when a
// transaction with events commits. Readers on other instances find new
// events by polling.
type feedSignal struct {
	mu sync.Mutex
	ch chan struct{}
}

func (f *feedSignal) wait() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ch == nil {
		f.ch = make(chan struct{})
	}
	return f.ch
}

func (f *feedSignal) notify() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ch != nil {
		close(f.ch)
		f.ch = nil
	}
}

// FeedChanged returns a channel closed the next time a transaction of this
// process commits change-feed events. Take it before reading the feed, so a
// commit between the read and the wait is not missed.
func (db *DB) FeedChanged() <-chan struct{} { return db.feed.wait() }

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
	rows, err := q.Query(
		ctx,
		"SELECT id, account_id, type, occurred_at, data FROM provisioning_events WHERE id > ? ORDER BY id LIMIT ?",
		after,
		limit,
	)
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
