package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strconv"
	"sync"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/secret"
)

// Outbox is the store's email outbox. Rows are written in the same
// transaction as the change that causes them.
type Outbox interface {
	// ClaimEmails leases up to limit due, unsent emails to owner until
	// leaseUntil and returns them.
	ClaimEmails(ctx context.Context, owner string, now, leaseUntil time.Time, limit int) ([]Message, error)
	// RenewEmailLeases extends to leaseUntil the leases owner still holds
	// among ids, in one statement, and returns the ids it extended. An id
	// missing from the result was claimed by another worker (or is no
	// longer pending): owner must not send it.
	RenewEmailLeases(ctx context.Context, owner string, ids []int64, leaseUntil time.Time) ([]int64, error)
	// MarkEmailSent records that the email was delivered.
	MarkEmailSent(ctx context.Context, id int64, owner string, now time.Time) error
	// MarkEmailFailed records the error; when giveUp is true the email is
	// marked failed for good, else it is due again at retryAt.
	MarkEmailFailed(ctx context.Context, id int64, owner string, now, retryAt time.Time,
		errText string, giveUp bool) error
	// QueueDepth returns how many emails wait to be sent (for metrics).
	QueueDepth(ctx context.Context) (int, error)
}

// Worker defaults, used when the matching field is zero.
//
// The lease is short so that the emails of an instance that dies after
// claiming them are claimed again by another instance within DefaultLease
// (plus one poll): a worker renews its leases while it works through a
// batch, and no send is allowed to outlast the lease.
const (
	DefaultInterval    = 2 * time.Second
	DefaultLease       = 20 * time.Second
	DefaultMaxAttempts = 8
	DefaultBatch       = 10
)

// recordTimeout bounds writing the outcome of one send to the outbox.
const recordTimeout = 10 * time.Second

// maxErrText bounds the error text stored with a failed email, in characters.
const maxErrText = 1000

// Worker delivers the outbox: it claims due emails, sends them and records
// each outcome. Several workers, in one process or many, may share an
// outbox; the lease keeps them from sending the same email at once.
//
// Before each send the worker extends the leases of the emails it has left
// once less than half of the lease remains, and cuts the send off before the
// lease ends. So a live worker keeps the emails it has yet to send however
// long its batch takes, and a dead worker's emails are due again at most one
// lease after its last claim or renewal. An email whose send was cut off may have been
// delivered all the same; it is then sent again under the same Message-ID.
type Worker struct {
	Outbox Outbox
	Mailer Mailer
	Logger *slog.Logger     // nil discards logs
	Now    func() time.Time // nil uses time.Now
	// Owner names this worker in leases; empty uses "mail-HOST-PID-RANDOM"
	// (random, because a restarted container has the same host name and
	// process id as the one that died).
	Owner       string
	Interval    time.Duration // pause between polls; default DefaultInterval
	Lease       time.Duration // how long a claim lasts; default DefaultLease
	MaxAttempts int           // attempts before giving up; default DefaultMaxAttempts
	Batch       int           // emails claimed per poll; default DefaultBatch

	ownerOnce sync.Once
	ownerName string
}

// Backoff returns the wait before retrying after the attempt-th failed
// attempt, counted from 1: 30 seconds, doubling each time, at most an hour.
func Backoff(attempt int) time.Duration {
	const (
		base    = 30 * time.Second
		ceiling = time.Hour
	)
	d := base
	for i := 1; i < attempt; i++ {
		d *= 2
		if d >= ceiling {
			return ceiling
		}
	}
	return d
}

// RunOnce claims one batch of due emails and tries to send each of them. It
// returns how many were sent and how many failed. One email failing does not
// stop the others; err reports trouble with the outbox itself.
func (w *Worker) RunOnce(ctx context.Context) (sent, failed int, err error) {
	_, sent, failed, err = w.runOnce(ctx, w.owner())
	return sent, failed, err
}

func (w *Worker) runOnce(ctx context.Context, owner string) (claimed, sent, failed int, err error) {
	log := w.logger()
	lease := w.Lease
	if lease <= 0 {
		lease = DefaultLease
	}
	batch := w.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	maxAttempts := w.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = DefaultMaxAttempts
	}

	now := w.now()
	leaseUntil := now.Add(lease)
	msgs, err := w.Outbox.ClaimEmails(ctx, owner, now, leaseUntil, batch)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("mail: claim emails: %w", err)
	}

	var errs []error
	lost := map[int64]bool{} // emails another worker has claimed since
	for i, m := range msgs {
		if ctx.Err() != nil {
			errs = append(errs, ctx.Err())
			break
		}
		if lost[m.ID] {
			continue
		}
		now := w.now()
		if leaseUntil.Sub(now) < lease/2 {
			until, err := w.renew(ctx, owner, msgs[i:], lost, now.Add(lease))
			if err != nil {
				// Whether the leases still hold is unknown: leave the rest
				// to whoever claims them when the leases end.
				log.Error("mail: cannot renew leases, leaving emails for later", "left", len(msgs)-i, "err", err)
				errs = append(errs, err)
				break
			}
			leaseUntil = until
			if lost[m.ID] {
				continue
			}
		}
		base := []any{
			slog.Int64("email_id", m.ID),
			slog.String("message_id", m.MessageID),
			slog.String("to_domain", domainOf(m.To)),
			slog.Int("attempt", m.Attempts+1),
		}
		// The send must end before the lease does, with a margin for the
		// clocks of the instances and the write that records the outcome.
		sendCtx, cancel := context.WithTimeout(ctx, leaseUntil.Sub(now)-lease/10)
		sendErr := w.Mailer.Send(sendCtx, m)
		cancel()
		if sendErr == nil {
			sent++
			log.Info("mail: email sent", base...)
			if err := w.record(ctx, func(ctx context.Context) error {
				return w.Outbox.MarkEmailSent(ctx, m.ID, owner, w.now())
			}); err != nil {
				log.Error("mail: cannot mark email sent", append(base, slog.Any("err", err))...)
				errs = append(errs, fmt.Errorf("mail: mark email %d sent: %w", m.ID, err))
			}
			continue
		}

		errText := redact(sendErr.Error(), m.To)
		permanent := Permanent(sendErr)
		if ctx.Err() != nil && !permanent {
			// Shutting down: the email may not have been tried at all, so
			// no attempt is recorded. It is due again when the lease ends.
			log.Warn("mail: send interrupted", append(base, slog.String("err", errText))...)
			errs = append(errs, ctx.Err())
			break
		}
		failed++
		giveUp := permanent || m.Attempts+1 >= maxAttempts
		failedAt := w.now()
		retryAt := failedAt.Add(Backoff(m.Attempts + 1))
		attrs := append(base[:len(base):len(base)],
			slog.String("err", errText),
			slog.Bool("permanent", permanent),
			slog.Bool("give_up", giveUp),
		)
		if code := smtpCode(sendErr); code != 0 {
			attrs = append(attrs, slog.Int("smtp_code", code))
		}
		if giveUp {
			log.Error("mail: email failed for good", attrs...)
		} else {
			log.Warn("mail: email failed, will retry", append(attrs, slog.Time("retry_at", retryAt))...)
		}
		if err := w.record(ctx, func(ctx context.Context) error {
			return w.Outbox.MarkEmailFailed(ctx, m.ID, owner, failedAt, retryAt,
				portal.Truncate(sendErr.Error(), maxErrText), giveUp)
		}); err != nil {
			log.Error("mail: cannot mark email failed", append(base, slog.Any("err", err))...)
			errs = append(errs, fmt.Errorf("mail: mark email %d failed: %w", m.ID, err))
		}
	}
	return len(msgs), sent, failed, errors.Join(errs...)
}

// Drain sends due emails batch after batch until a batch comes back short
// of Batch (the backlog is gone), ctx ends or the outbox fails. It returns
// how many were sent and how many failed.
func (w *Worker) Drain(ctx context.Context) (sent, failed int, err error) {
	batch := w.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	owner := w.owner()
	for {
		claimed, s, f, err := w.runOnce(ctx, owner)
		sent, failed = sent+s, failed+f
		if err != nil || claimed < batch || ctx.Err() != nil {
			return sent, failed, err
		}
	}
}

// Run drains the outbox every Interval until ctx is done, then returns nil.
// Errors are logged and the loop goes on.
func (w *Worker) Run(ctx context.Context) error {
	interval := w.Interval
	if interval <= 0 {
		interval = DefaultInterval
	}
	owner := w.owner()
	log := w.logger()
	log.Info("mail: outbox worker started", "owner", owner, "interval", interval)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			log.Info("mail: outbox worker stopped", "owner", owner)
			return nil
		case <-timer.C:
		}
		if _, _, err := w.Drain(ctx); err != nil && ctx.Err() == nil {
			log.Error("mail: outbox run failed", "err", err)
		}
		timer.Reset(interval)
	}
}

// renew extends to until the leases of the emails in msgs not yet in lost,
// and adds to lost those another worker has claimed since. It returns until.
func (w *Worker) renew(ctx context.Context, owner string, msgs []Message, lost map[int64]bool,
	until time.Time) (time.Time, error) {
	ids := make([]int64, 0, len(msgs))
	for _, m := range msgs {
		if !lost[m.ID] {
			ids = append(ids, m.ID)
		}
	}
	kept, err := w.Outbox.RenewEmailLeases(ctx, owner, ids, until)
	if err != nil {
		return time.Time{}, fmt.Errorf("mail: renew email leases: %w", err)
	}
	held := make(map[int64]bool, len(kept))
	for _, id := range kept {
		held[id] = true
	}
	for _, id := range ids {
		if !held[id] {
			lost[id] = true
			w.logger().Warn("mail: lease taken over by another worker, not sending", "email_id", id)
		}
	}
	return until, nil
}

// record stores the outcome of a send. It runs even when ctx has just been
// cancelled, so an email that went out during shutdown is not sent again.
func (w *Worker) record(ctx context.Context, f func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	return f(ctx)
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *Worker) logger() *slog.Logger {
	if w.Logger != nil {
		return w.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (w *Worker) owner() string {
	if w.Owner != "" {
		return w.Owner
	}
	w.ownerOnce.Do(func() {
		host, err := os.Hostname()
		if err != nil || host == "" {
			host = "unknown"
		}
		w.ownerName = "mail-" + host + "-" + strconv.Itoa(os.Getpid()) + "-" + secret.Hex(4)
	})
	return w.ownerName
}

// redact removes the local part of the recipient's address from s, so logs
// name the recipient's domain only. Servers often quote the address in
// their replies.
func redact(s, to string) string {
	addr := to
	if a, err := parseAddr(to); err == nil {
		addr = a
	}
	if addr == "" {
		return s
	}
	re, err := regexp.Compile(`(?i)` + regexp.QuoteMeta(addr))
	if err != nil {
		return s
	}
	masked := "…"
	if d := domainOf(addr); d != "" {
		masked = "…@" + d
	}
	return re.ReplaceAllLiteralString(s, masked)
}
