package store_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/mail"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

func enqueueTestEmails(t *testing.T, db *store.DB, now time.Time, to ...string) map[string]string {
	t.Helper()
	ids := map[string]string{}
	for _, addr := range to {
		e := &store.Email{MessageID: mail.NewMessageID("mycareconnect.example"), Kind: "test", To: addr, Subject: "s",
			Text: "t", CreatedAt: now}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.EnqueueEmail(ctx, e) }); err != nil {
			t.Fatal(err)
		}
		ids[addr] = e.MessageID
	}
	return ids
}

func TestStore_RenewEmailLeases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
		enqueueTestEmails(t, db, now, "a@example.ca", "b@example.ca", "c@example.ca")
		ob := store.Outbox{DB: db}
		claimed, err := ob.ClaimEmails(ctx, "w1", now, now.Add(20*time.Second), 10)
		if err != nil || len(claimed) != 3 {
			t.Fatalf("claim: %d, %v", len(claimed), err)
		}
		ids := []int64{claimed[0].ID, claimed[1].ID, claimed[2].ID}

		kept, err := ob.RenewEmailLeases(ctx, "w1", ids, now.Add(30*time.Second))
		if err != nil || !slices.Equal(sorted(kept), sorted(ids)) {
			t.Fatalf("renew: %v, %v; want all of %v", kept, err, ids)
		}
		// Renewed until 30 s: not claimable at 25 s.
		if again, _ := ob.ClaimEmails(ctx, "w2", now.Add(25*time.Second), now.Add(45*time.Second), 10); len(
			again,
		) != 0 {
			t.Fatalf("claimed %d renewed emails", len(again))
		}

		// Past the lease another worker claims one; one was sent meanwhile.
		if err := ob.MarkEmailSent(ctx, ids[0], "w1", now.Add(26*time.Second)); err != nil {
			t.Fatal(err)
		}
		taken, err := ob.ClaimEmails(ctx, "w2", now.Add(31*time.Second), now.Add(51*time.Second), 1)
		if err != nil || len(taken) != 1 || taken[0].ID != ids[1] {
			t.Fatalf("takeover: %+v, %v; want email %d", taken, err, ids[1])
		}
		kept, err = ob.RenewEmailLeases(ctx, "w1", ids, now.Add(52*time.Second))
		if err != nil || !slices.Equal(kept, []int64{ids[2]}) {
			t.Fatalf("renew after takeover: %v, %v; want only %d", kept, err, ids[2])
		}
		// The renewal left the taken email's lease alone.
		if again, _ := ob.ClaimEmails(ctx, "w3", now.Add(51*time.Second), now.Add(71*time.Second), 10); len(
			again,
		) != 1 ||
			again[0].ID != ids[1] {
			t.Fatalf("at w2's lease end: %+v, want email %d", again, ids[1])
		}
		if kept, err := ob.RenewEmailLeases(ctx, "w1", nil, now); kept != nil || err != nil {
			t.Fatalf("renew nothing: %v, %v", kept, err)
		}
	})
}

func sorted(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// dyingMailer cancels its worker's context at the first send, as a process
// killed between claiming a batch and sending it.
type dyingMailer struct{ die context.CancelFunc }

func (d dyingMailer) Send(context.Context, mail.Message) error {
	d.die()
	return context.Canceled
}

type recordingMailer struct {
	mu   sync.Mutex
	sent []mail.Message
	hook func()
}

func (r *recordingMailer) Send(_ context.Context, m mail.Message) error {
	if r.hook != nil {
		r.hook()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, m)
	return nil
}

// A worker that dies after claiming leaves its emails to another one, which
// sends them once the default lease has passed, each once and under its
// Message-ID.
func TestStore_OutboxDeadWorker(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		start := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
		c := fixture.NewClock(start)
		want := enqueueTestEmails(t, db, start, "a@example.ca", "b@example.ca", "c@example.ca")
		dieCtx, die := context.WithCancel(ctx)
		dead := &mail.Worker{Outbox: store.Outbox{DB: db}, Mailer: dyingMailer{die}, Now: c.Now}
		if _, _, err := dead.Drain(dieCtx); err == nil {
			t.Fatal("the dying worker reported no error")
		}

		m := &recordingMailer{}
		other := &mail.Worker{Outbox: store.Outbox{DB: db}, Mailer: m, Now: c.Now}
		c.Advance(mail.DefaultLease - time.Millisecond)
		if sent, _, err := other.Drain(ctx); sent != 0 || err != nil {
			t.Fatalf("before the lease ended: %d sent, %v", sent, err)
		}
		c.Advance(time.Millisecond)
		if sent, _, err := other.Drain(ctx); sent != 3 || err != nil {
			t.Fatalf("at the lease end: %d sent, %v; want 3", sent, err)
		}
		for _, msg := range m.sent {
			if msg.MessageID != want[msg.To] {
				t.Errorf("%s sent as %s, want %s", msg.To, msg.MessageID, want[msg.To])
			}
		}
		emails, err := db.Read().FindEmails(ctx, store.EmailFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range emails {
			if e.Status != store.EmailSent || e.Attempts != 1 || !e.SentAt.Equal(start.Add(mail.DefaultLease)) {
				t.Errorf(
					"%s: %s, %d attempt(s), sent at %v; want sent once at %v",
					e.To,
					e.Status,
					e.Attempts,
					e.SentAt,
					start.Add(mail.DefaultLease),
				)
			}
		}
	})
}

// A slow batch keeps its leases: another worker polling in the middle of
// it finds nothing to send.
func TestStore_OutboxSlowBatchKeepsLease(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := fixture.NewClock(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC))
		enqueueTestEmails(t, db, c.Now(), "a@example.ca", "b@example.ca", "c@example.ca", "d@example.ca")
		otherMailer := &recordingMailer{}
		other := &mail.Worker{Outbox: store.Outbox{DB: db}, Mailer: otherMailer, Now: c.Now}
		slow := &recordingMailer{hook: func() {
			c.Advance(mail.DefaultLease * 2 / 5)
			if _, _, err := other.Drain(ctx); err != nil {
				t.Errorf("other worker: %v", err)
			}
		}}
		w := &mail.Worker{Outbox: store.Outbox{DB: db}, Mailer: slow, Now: c.Now}
		if sent, _, err := w.Drain(ctx); sent != 4 || err != nil {
			t.Fatalf("slow worker: %d sent, %v; want 4", sent, err)
		}
		if len(otherMailer.sent) != 0 {
			t.Errorf("the other worker sent %d email(s) the slow one held", len(otherMailer.sent))
		}
	})
}
