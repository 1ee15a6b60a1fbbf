package mail

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// The emails of a worker that dies after claiming them go out once its lease
// has passed, by another worker, under the Message-IDs they were written with.
func TestWorkerDeadWorkersEmailsGoOutAfterLease(t *testing.T) {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	clock := &testClock{t: start}
	out := newFakeOutbox(msg(1, "a@one.example"), msg(2, "b@one.example"), msg(3, "c@one.example"))
	want := map[string]string{}
	for id := int64(1); id <= 3; id++ {
		want[out.row(id).msg.To] = out.row(id).msg.MessageID
	}

	// The first worker claims the batch and dies before sending any of it:
	// the process is gone, so nothing is recorded.
	ctx, die := context.WithCancel(context.Background())
	var logs bytes.Buffer
	deadMailer := &fakeMailer{errs: map[string]error{"a@one.example": context.Canceled}, hook: func(Message) { die() }}
	dead := newTestWorker(out, deadMailer, clock, &logs)
	if _, _, err := dead.RunOnce(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("dead worker: %v", err)
	}
	if deadMailer.sentCount() != 0 {
		t.Fatal("the dead worker sent an email")
	}

	mailer := &fakeMailer{}
	other := newTestWorker(out, mailer, clock, &logs)
	other.Owner = "worker-2"
	clock.Advance(DefaultLease - time.Second)
	if sent, _, err := other.RunOnce(context.Background()); sent != 0 || err != nil {
		t.Fatalf("before the lease ended: sent %d, %v; want 0", sent, err)
	}
	clock.Advance(time.Second)
	if sent, failed, err := other.RunOnce(context.Background()); sent != 3 || failed != 0 || err != nil {
		t.Fatalf("after the lease: sent %d, failed %d, %v; want 3 sent", sent, failed, err)
	}
	if got := clock.Now().Sub(start); got != 20*time.Second {
		t.Errorf("the dead worker's emails went out %v after its claim, want 20s", got)
	}
	for _, m := range mailer.sent {
		if m.MessageID != want[m.To] {
			t.Errorf("%s sent as %s, want its own Message-ID %s", m.To, m.MessageID, want[m.To])
		}
	}
	for id := int64(1); id <= 3; id++ {
		if r := out.row(id); r.status != "sent" || r.msg.Attempts != 0 {
			t.Errorf("row %d = %s after %d failed attempts, want sent with none", id, r.status, r.msg.Attempts)
		}
	}
}

// A worker that takes a long time over a batch renews its leases, so no
// other worker claims (and sends again) an email it has yet to send.
func TestWorkerRenewsLeaseDuringSlowSends(t *testing.T) {
	clock := &testClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	out := newFakeOutbox(msg(1, "a@one.example"), msg(2, "b@one.example"), msg(3, "c@one.example"))
	var logs bytes.Buffer
	otherMailer := &fakeMailer{}
	other := newTestWorker(out, otherMailer, clock, &logs)
	other.Owner = "worker-2"
	var stolen []int
	// Each send takes 8 of the lease's 20 seconds; after each one, another
	// worker polls.
	mailer := &fakeMailer{hook: func(Message) {
		clock.Advance(8 * time.Second)
		sent, _, err := other.RunOnce(context.Background())
		if err != nil {
			t.Errorf("other worker: %v", err)
		}
		stolen = append(stolen, sent)
	}}
	w := newTestWorker(out, mailer, clock, &logs)
	sent, failed, err := w.RunOnce(context.Background())
	if sent != 3 || failed != 0 || err != nil {
		t.Fatalf("RunOnce = %d, %d, %v; want 3 sent", sent, failed, err)
	}
	// Claimed at 0 until 20; the third email starts at 16 with 4 seconds
	// left, so the lease was renewed (once) until 36 and the poll at 24
	// found nothing.
	if otherMailer.sentCount() != 0 {
		t.Errorf(
			"another worker sent %d email(s) during the batch (per poll %v), want none",
			otherMailer.sentCount(),
			stolen,
		)
	}
	if out.renewals != 1 {
		t.Errorf("renewals = %d, want 1", out.renewals)
	}
	if len(mailer.sent) != 3 {
		t.Errorf("sent %d, want 3", len(mailer.sent))
	}
}

// When another worker has claimed some of a batch (the first worker stalled
// past its lease), the renewal loses those emails and the first worker
// sends only the ones it still holds.
func TestWorkerStopsSendingEmailWhoseLeaseWasTaken(t *testing.T) {
	clock := &testClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	out := newFakeOutbox(msg(1, "a@one.example"), msg(2, "b@one.example"), msg(3, "c@one.example"))
	var taken []Message
	out.afterMark = func(id int64) {
		if id != 1 {
			return
		}
		// The worker stalls past its lease after the first email; meanwhile
		// another worker claims one of the two emails left.
		clock.Advance(25 * time.Second)
		var err error
		taken, err = out.ClaimEmails(context.Background(), "worker-2", clock.Now(), clock.Now().Add(DefaultLease), 1)
		if err != nil || len(taken) != 1 {
			t.Fatalf("second worker claimed %d, %v", len(taken), err)
		}
	}
	mailer := &fakeMailer{}
	var logs bytes.Buffer
	w := newTestWorker(out, mailer, clock, &logs)
	sent, failed, err := w.RunOnce(context.Background())
	if sent != 2 || failed != 0 || err != nil {
		t.Fatalf("RunOnce = %d, %d, %v; want 2 sent", sent, failed, err)
	}
	for _, m := range mailer.sent {
		if m.ID == taken[0].ID {
			t.Errorf("sent email %d, whose lease worker-2 holds", m.ID)
		}
	}
	if r := out.row(taken[0].ID); r.status != "pending" || r.leaseOwner != "worker-2" {
		t.Errorf("taken email: %s, owner %s; want pending with worker-2", r.status, r.leaseOwner)
	}
	if !strings.Contains(logs.String(), "lease taken over by another worker") {
		t.Errorf("logs lack the lost lease:\n%s", logs.String())
	}
}

// When the renewal itself fails the worker cannot know whether it still
// holds the rest of the batch, so it sends none of it.
func TestWorkerStopsWhenRenewalFails(t *testing.T) {
	clock := &testClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	out := newFakeOutbox(msg(1, "a@one.example"), msg(2, "b@one.example"))
	out.renewErr = errors.New("connection reset")
	mailer := &fakeMailer{hook: func(Message) { clock.Advance(15 * time.Second) }}
	var logs bytes.Buffer
	sent, _, err := newTestWorker(out, mailer, clock, &logs).RunOnce(context.Background())
	if sent != 1 || !errors.Is(err, out.renewErr) {
		t.Fatalf("RunOnce = %d sent, %v; want 1 and the renewal error", sent, err)
	}
	if r := out.row(2); r.status != "pending" || r.msg.Attempts != 0 {
		t.Errorf("row 2 = %s after %d attempts, want pending, untried", r.status, r.msg.Attempts)
	}
}

// A send is cut off before the lease ends, so it cannot go on while
// another worker claims the email.
func TestWorkerSendEndsBeforeLease(t *testing.T) {
	clock := &testClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	out := newFakeOutbox(msg(1, "a@one.example"))
	var left time.Duration
	var ok bool
	mailer := mailerFunc(func(ctx context.Context, m Message) error {
		var deadline time.Time
		deadline, ok = ctx.Deadline()
		left = time.Until(deadline)
		return nil
	})
	var logs bytes.Buffer
	if _, _, err := newTestWorker(out, mailer, clock, &logs).RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !ok || left <= 0 || left > DefaultLease-DefaultLease/10 {
		t.Errorf("send deadline: set %v, %v away; want at most %v", ok, left, DefaultLease-DefaultLease/10)
	}
}

type mailerFunc func(context.Context, Message) error

func (f mailerFunc) Send(ctx context.Context, m Message) error { return f(ctx, m) }

// Drain works through a backlog batch after batch without waiting for the
// next poll.
func TestWorkerDrain(t *testing.T) {
	clock := &testClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	var msgs []Message
	for id := int64(1); id <= 7; id++ {
		msgs = append(msgs, msg(id, "a@one.example"))
	}
	out := newFakeOutbox(msgs...)
	mailer := &fakeMailer{}
	var logs bytes.Buffer
	w := newTestWorker(out, mailer, clock, &logs)
	w.Batch = 3
	sent, failed, err := w.Drain(context.Background())
	if sent != 7 || failed != 0 || err != nil {
		t.Fatalf("Drain = %d, %d, %v; want 7 sent", sent, failed, err)
	}
	// 3 + 3 + 1: the short batch ends the drain.
	if out.claims != 3 {
		t.Errorf("claims = %d, want 3", out.claims)
	}
}

// Without an Owner each worker names itself uniquely and keeps its name.
func TestWorkerOwner(t *testing.T) {
	a, b := &Worker{}, &Worker{}
	if a.owner() == b.owner() {
		t.Errorf("two workers in one process share the owner %q", a.owner())
	}
	if a.owner() != a.owner() {
		t.Error("a worker's owner changed")
	}
	if !strings.HasPrefix(a.owner(), "mail-") {
		t.Errorf("owner = %q", a.owner())
	}
}
