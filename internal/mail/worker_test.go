package mail

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// fakeOutbox is an in-memory Outbox.
type fakeOutbox struct {
	mu       sync.Mutex
	rows     map[int64]*fakeRow
	claimErr error
	markErr  error
	renewErr error
	claims   int
	renewals int
	// afterMark runs after an outcome is recorded, outside the lock.
	afterMark func(id int64)
}

type fakeRow struct {
	msg        Message
	status     string // pending, sent, failed
	due        time.Time
	leaseOwner string
	leaseUntil time.Time
	lastError  string
	sentAt     time.Time
}

func newFakeOutbox(msgs ...Message) *fakeOutbox {
	o := &fakeOutbox{rows: map[int64]*fakeRow{}}
	for _, m := range msgs {
		o.rows[m.ID] = &fakeRow{msg: m, status: "pending"}
	}
	return o
}

func (o *fakeOutbox) ClaimEmails(
	_ context.Context,
	owner string,
	now, leaseUntil time.Time,
	limit int,
) ([]Message, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.claims++
	if o.claimErr != nil {
		return nil, o.claimErr
	}
	var out []Message
	for id := int64(1); id <= int64(len(o.rows)) && len(out) < limit; id++ {
		r, ok := o.rows[id]
		if !ok || r.status != "pending" || r.due.After(now) || r.leaseUntil.After(now) {
			continue
		}
		r.leaseOwner, r.leaseUntil = owner, leaseUntil
		out = append(out, r.msg)
	}
	return out, nil
}

func (o *fakeOutbox) RenewEmailLeases(
	_ context.Context,
	owner string,
	ids []int64,
	leaseUntil time.Time,
) ([]int64, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.renewals++
	if o.renewErr != nil {
		return nil, o.renewErr
	}
	var kept []int64
	for _, id := range ids {
		if r := o.rows[id]; r.status == "pending" && r.leaseOwner == owner {
			r.leaseUntil = leaseUntil
			kept = append(kept, id)
		}
	}
	return kept, nil
}

func (o *fakeOutbox) MarkEmailSent(_ context.Context, id int64, owner string, now time.Time) error {
	if o.afterMark != nil {
		defer o.afterMark(id)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	r, err := o.leasedRow(id, owner)
	if err != nil {
		return err
	}
	r.status, r.sentAt, r.leaseOwner, r.leaseUntil = "sent", now, "", time.Time{}
	return nil
}

func (o *fakeOutbox) MarkEmailFailed(
	_ context.Context,
	id int64,
	owner string,
	now, retryAt time.Time,
	errText string,
	giveUp bool,
) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	r, err := o.leasedRow(id, owner)
	if err != nil {
		return err
	}
	r.msg.Attempts++
	r.lastError = errText
	r.leaseOwner, r.leaseUntil = "", time.Time{}
	if giveUp {
		r.status = "failed"
	} else {
		r.due = retryAt
	}
	return nil
}

// leasedRow returns the row owner holds the lease of, or the error set for
// recording outcomes; the caller holds the lock.
func (o *fakeOutbox) leasedRow(id int64, owner string) (*fakeRow, error) {
	if o.markErr != nil {
		return nil, o.markErr
	}
	r := o.rows[id]
	if r.leaseOwner != owner {
		return nil, errors.New("not the lease owner")
	}
	return r, nil
}

func (o *fakeOutbox) QueueDepth(context.Context) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, r := range o.rows {
		if r.status == "pending" {
			n++
		}
	}
	return n, nil
}

func (o *fakeOutbox) row(id int64) fakeRow {
	o.mu.Lock()
	defer o.mu.Unlock()
	return *o.rows[id]
}

// fakeMailer fails for the recipients listed in errs.
type fakeMailer struct {
	mu   sync.Mutex
	errs map[string]error
	sent []Message
	hook func(Message)
}

func (f *fakeMailer) Send(_ context.Context, m Message) error {
	if f.hook != nil {
		f.hook(m)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.errs[m.To]; err != nil {
		return err
	}
	f.sent = append(f.sent, m)
	return nil
}

func (f *fakeMailer) sentCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.sent)
}

// testClock is a settable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func msg(id int64, to string) Message {
	return Message{
		ID:        id,
		MessageID: NewMessageID("mycareconnect.example"),
		To:        to,
		Subject:   "s",
		Text:      "secret body text",
	}
}

var (
	errTransient = errors.New("dial tcp 10.0.0.1:587: connection refused")
	errRejected  = ErrInvalidAddress
)

func newTestWorker(o Outbox, m Mailer, clock *testClock, logs *bytes.Buffer) *Worker {
	return &Worker{
		Outbox: o, Mailer: m, Now: clock.Now, Owner: "worker-1",
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
}

func TestWorkerSendsAndRecords(t *testing.T) {
	clock := &testClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	out := newFakeOutbox(
		msg(1, "a@one.example"),
		msg(2, "bounce@two.example"),
		msg(3, "later@three.example"),
		msg(4, "d@four.example"),
	)
	mailer := &fakeMailer{errs: map[string]error{
		"bounce@two.example":  errRejected,
		"later@three.example": errTransient,
	}}
	var logs bytes.Buffer
	w := newTestWorker(out, mailer, clock, &logs)

	sent, failed, err := w.RunOnce(context.Background())
	if err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	if sent != 2 || failed != 2 {
		t.Fatalf("sent, failed = %d, %d; want 2, 2", sent, failed)
	}
	for _, id := range []int64{1, 4} {
		if r := out.row(id); r.status != "sent" || !r.sentAt.Equal(clock.Now()) {
			t.Errorf("row %d = %s at %v, want sent", id, r.status, r.sentAt)
		}
	}
	if r := out.row(2); r.status != "failed" || r.msg.Attempts != 1 || r.lastError == "" {
		t.Errorf("permanent failure: row = %+v, want failed for good", r)
	}
	r := out.row(3)
	if r.status != "pending" || r.msg.Attempts != 1 {
		t.Errorf("transient failure: row = %+v, want pending", r)
	}
	if want := clock.Now().Add(Backoff(1)); !r.due.Equal(want) {
		t.Errorf("retry at %v, want %v", r.due, want)
	}
	if !strings.Contains(r.lastError, "connection refused") {
		t.Errorf("last error = %q", r.lastError)
	}

	// Logs name domains and message ids, never bodies or local parts.
	l := logs.String()
	for _, bad := range []string{"secret body text", "bounce@", "later@"} {
		if strings.Contains(l, bad) {
			t.Errorf("logs contain %q:\n%s", bad, l)
		}
	}
	for _, want := range []string{"to_domain=three.example", out.row(3).msg.MessageID, "email_id=3"} {
		if !strings.Contains(l, want) {
			t.Errorf("logs lack %q:\n%s", want, l)
		}
	}

	// Nothing is due until the backoff has passed.
	if sent, failed, err := w.RunOnce(context.Background()); sent != 0 || failed != 0 || err != nil {
		t.Fatalf("early rerun: %d, %d, %v", sent, failed, err)
	}
	clock.Advance(Backoff(1))
	delete(mailer.errs, "later@three.example")
	if sent, failed, err := w.RunOnce(context.Background()); sent != 1 || failed != 0 || err != nil {
		t.Fatalf("retry: %d, %d, %v", sent, failed, err)
	}
	if r := out.row(3); r.status != "sent" {
		t.Errorf("row 3 after retry = %s", r.status)
	}
	if n, _ := out.QueueDepth(context.Background()); n != 0 {
		t.Errorf("queue depth = %d", n)
	}
}

func TestWorkerMaxAttempts(t *testing.T) {
	clock := &testClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	out := newFakeOutbox(msg(1, "later@three.example"))
	mailer := &fakeMailer{errs: map[string]error{"later@three.example": errTransient}}
	var logs bytes.Buffer
	w := newTestWorker(out, mailer, clock, &logs)
	w.MaxAttempts = 3

	for attempt := 1; attempt <= 3; attempt++ {
		sent, failed, err := w.RunOnce(context.Background())
		if sent != 0 || failed != 1 || err != nil {
			t.Fatalf("attempt %d: %d, %d, %v", attempt, sent, failed, err)
		}
		r := out.row(1)
		if r.msg.Attempts != attempt {
			t.Fatalf("attempt %d: attempts recorded = %d", attempt, r.msg.Attempts)
		}
		wantStatus := "pending"
		if attempt == 3 {
			wantStatus = "failed"
		}
		if r.status != wantStatus {
			t.Fatalf("attempt %d: status = %s, want %s", attempt, r.status, wantStatus)
		}
		if attempt < 3 {
			if want := clock.Now().Add(Backoff(attempt)); !r.due.Equal(want) {
				t.Fatalf("attempt %d: due %v, want %v", attempt, r.due, want)
			}
		}
		clock.Advance(time.Hour)
	}
	if sent, failed, _ := w.RunOnce(context.Background()); sent+failed != 0 {
		t.Fatal("an email given up on was tried again")
	}
}

func TestWorkerDefaultMaxAttempts(t *testing.T) {
	clock := &testClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	m := msg(1, "later@three.example")
	m.Attempts = DefaultMaxAttempts - 1
	out := newFakeOutbox(m)
	mailer := &fakeMailer{errs: map[string]error{"later@three.example": errTransient}}
	var logs bytes.Buffer
	if _, _, err := newTestWorker(out, mailer, clock, &logs).RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r := out.row(1); r.status != "failed" {
		t.Fatalf("status after %d attempts = %s, want failed", r.msg.Attempts, r.status)
	}
}

func TestWorkerSMTPRejection(t *testing.T) {
	// A real 550 from the SMTP server gives up at once; the next email still goes.
	be := &testBackend{}
	port := startSMTP(t, be, nil)
	smtpMailer, err := NewSMTPMailer(
		SMTPConfig{
			Host:    "127.0.0.1",
			Port:    port,
			TLS:     "none",
			From:    "noreply@mycareconnect.example",
			Timeout: 5 * time.Second,
		},
	)
	if err != nil {
		t.Fatal(err)
	}
	rejecting := &fakeMailer{hook: func(m Message) {
		be.mu.Lock()
		defer be.mu.Unlock()
		be.rcptErr = nil
		if strings.HasPrefix(m.To, "bounce@") {
			be.rcptErr = &smtp.SMTPError{
				Code:         550,
				EnhancedCode: smtp.EnhancedCode{5, 1, 1},
				Message:      "No such user bounce@two.example",
			}
		}
	}}
	clock := &testClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	out := newFakeOutbox(msg(1, "bounce@two.example"), msg(2, "ok@one.example"))
	var logs bytes.Buffer
	w := newTestWorker(out, chain{rejecting, smtpMailer}, clock, &logs)
	sent, failed, err := w.RunOnce(context.Background())
	if err != nil || sent != 1 || failed != 1 {
		t.Fatalf("RunOnce = %d, %d, %v", sent, failed, err)
	}
	if r := out.row(1); r.status != "failed" {
		t.Errorf("550: status = %s, want failed", r.status)
	}
	if r := out.row(2); r.status != "sent" {
		t.Errorf("next email: status = %s, want sent", r.status)
	}
	if l := logs.String(); strings.Contains(l, "bounce@") || !strings.Contains(l, "smtp_code=550") {
		t.Errorf("logs:\n%s", l)
	}
}

// chain runs a fake mailer's hook, then a real mailer.
type chain struct {
	hook *fakeMailer
	next Mailer
}

func (c chain) Send(ctx context.Context, m Message) error {
	c.hook.hook(m)
	return c.next.Send(ctx, m)
}

func TestWorkerOutboxErrors(t *testing.T) {
	clock := &testClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	var logs bytes.Buffer

	out := newFakeOutbox(msg(1, "a@one.example"))
	out.claimErr = errors.New("database is locked")
	if _, _, err := newTestWorker(out, &fakeMailer{}, clock, &logs).RunOnce(context.Background()); !errors.Is(
		err,
		out.claimErr,
	) {
		t.Errorf("claim error: got %v, want it wrapped", err)
	}

	out = newFakeOutbox(msg(1, "a@one.example"), msg(2, "b@one.example"))
	out.markErr = errors.New("database is locked")
	mailer := &fakeMailer{}
	sent, _, err := newTestWorker(out, mailer, clock, &logs).RunOnce(context.Background())
	if !errors.Is(err, out.markErr) || sent != 2 || mailer.sentCount() != 2 {
		t.Errorf("mark error: sent %d, mailed %d, err %v; want both sent and an error", sent, mailer.sentCount(), err)
	}
}

func TestWorkerCancelledDoesNotCountAttempt(t *testing.T) {
	clock := &testClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	out := newFakeOutbox(msg(1, "a@one.example"), msg(2, "b@one.example"))
	ctx, cancel := context.WithCancel(context.Background())
	mailer := &fakeMailer{errs: map[string]error{"a@one.example": context.Canceled}, hook: func(Message) { cancel() }}
	var logs bytes.Buffer
	_, failed, err := newTestWorker(out, mailer, clock, &logs).RunOnce(ctx)
	if !errors.Is(err, context.Canceled) || failed != 0 {
		t.Fatalf("RunOnce: failed %d, err %v", failed, err)
	}
	if r := out.row(1); r.status != "pending" || r.msg.Attempts != 0 {
		t.Errorf("row 1 = %+v, want untouched", r)
	}
	if mailer.sentCount() != 0 {
		t.Error("kept sending after cancellation")
	}
}

func TestWorkerRun(t *testing.T) {
	out := newFakeOutbox(msg(1, "a@one.example"), msg(2, "b@one.example"), msg(3, "c@one.example"))
	mailer := &fakeMailer{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &Worker{Outbox: out, Mailer: mailer, Interval: 10 * time.Millisecond, Batch: 2}
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	deadline := time.After(5 * time.Second)
	for mailer.sentCount() < 3 {
		select {
		case <-deadline:
			t.Fatalf("sent %d of 3", mailer.sentCount())
		case <-time.After(5 * time.Millisecond):
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
}

func TestBackoff(t *testing.T) {
	cases := map[int]time.Duration{
		0:    30 * time.Second,
		1:    30 * time.Second,
		2:    time.Minute,
		3:    2 * time.Minute,
		7:    32 * time.Minute,
		8:    time.Hour,
		9:    time.Hour,
		1000: time.Hour,
	}
	for attempt, want := range cases {
		if got := Backoff(attempt); got != want {
			t.Errorf("Backoff(%d) = %v, want %v", attempt, got, want)
		}
	}
}

func TestRedact(t *testing.T) {
	got := redact(
		"550 5.1.1 <Dalia@Clinic.example>: no such user, affected recipient(s): dalia@clinic.example",
		"Dalia Ng <dalia@clinic.example>",
	)
	if strings.Contains(strings.ToLower(got), "dalia@") || !strings.Contains(got, "…@clinic.example") {
		t.Errorf("redact = %q", got)
	}
}

func TestWorkerRecordsSendDuringShutdown(t *testing.T) {
	clock := &testClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	out := newFakeOutbox(msg(1, "a@one.example"), msg(2, "b@one.example"))
	ctx, cancel := context.WithCancel(context.Background())
	mailer := &fakeMailer{hook: func(Message) { cancel() }} // cancelled while the first email goes out
	var logs bytes.Buffer
	sent, _, err := newTestWorker(out, mailer, clock, &logs).RunOnce(ctx)
	if sent != 1 || !errors.Is(err, context.Canceled) {
		t.Fatalf("RunOnce = %d sent, %v", sent, err)
	}
	if r := out.row(1); r.status != "sent" {
		t.Errorf("row 1 = %s, want sent", r.status)
	}
	if r := out.row(2); r.status != "pending" {
		t.Errorf("row 2 = %s, want pending", r.status)
	}
}

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
