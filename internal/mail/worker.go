package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strconv"
	"time"
	"unicode/utf8"
)

// Outbox is the store's email outbox. Rows are written in the same
// transaction as the change that causes them.
type Outbox interface {
	// ClaimEmails leases up to limit due, unsent emails to owner until
	// leaseUntil and returns them.
	ClaimEmails(ctx context.Context, owner string, now, leaseUntil time.Time, limit int) ([]Message, error)
	// MarkEmailSent records that the email was delivered.
	MarkEmailSent(ctx context.Context, id int64, owner string, now time.Time) error
	// MarkEmailFailed records the error; when giveUp is true the email is
	// marked failed for good, else it is due again at retryAt.
	MarkEmailFailed(ctx context.Context, id int64, owner string, now, retryAt time.Time, errText string, giveUp bool) error
	// QueueDepth returns how many emails wait to be sent (for metrics).
	QueueDepth(ctx context.Context) (int, error)
}

// Worker defaults, used when the matching field is zero.
const (
	DefaultInterval    = 10 * time.Second
	DefaultLease       = 5 * time.Minute
	DefaultMaxAttempts = 8
	DefaultBatch       = 20
)

// recordTimeout bounds writing the outcome of one send to the outbox.
const recordTimeout = 10 * time.Second

// maxErrText bounds the error text stored with a failed email.
const maxErrText = 1000

// Worker delivers the outbox: it claims due emails, sends them and records
// each outcome. Several workers, in one process or many, may share an
// outbox; the lease keeps them from sending the same email at once.
type Worker struct {
	Outbox Outbox
	Mailer Mailer
	Logger *slog.Logger     // nil discards logs
	Now    func() time.Time // nil uses time.Now
	// Owner names this worker in leases; empty uses "mail-HOST-PID".
	Owner       string
	Interval    time.Duration // pause between polls; default DefaultInterval
	Lease       time.Duration // how long a claim lasts; default DefaultLease
	MaxAttempts int           // attempts before giving up; default DefaultMaxAttempts
	Batch       int           // emails claimed per poll; default DefaultBatch
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
	// Stop starting new sends once most of the lease is used up: another
	// worker may claim the remaining emails when it runs out. They are due
	// again as soon as the lease ends.
	stopAt := leaseUntil.Add(-lease / 4)

	var errs []error
	for i, m := range msgs {
		if ctx.Err() != nil {
			errs = append(errs, ctx.Err())
			break
		}
		if !w.now().Before(stopAt) {
			log.Warn("mail: lease nearly over, leaving emails for later",
				"left", len(msgs)-i, "lease", lease)
			break
		}
		base := []any{
			slog.Int64("email_id", m.ID),
			slog.String("message_id", m.MessageID),
			slog.String("to_domain", domainOf(m.To)),
			slog.Int("attempt", m.Attempts+1),
		}
		sendErr := w.Mailer.Send(ctx, m)
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
			return w.Outbox.MarkEmailFailed(ctx, m.ID, owner, failedAt, retryAt, truncate(sendErr.Error(), maxErrText), giveUp)
		}); err != nil {
			log.Error("mail: cannot mark email failed", append(base, slog.Any("err", err))...)
			errs = append(errs, fmt.Errorf("mail: mark email %d failed: %w", m.ID, err))
		}
	}
	return len(msgs), sent, failed, errors.Join(errs...)
}

// Run sends due emails every Interval until ctx is done, then returns nil.
// A full batch is followed at once by another poll, so a backlog drains
// without waiting. Errors are logged and the loop goes on.
func (w *Worker) Run(ctx context.Context) error {
	interval := w.Interval
	if interval <= 0 {
		interval = DefaultInterval
	}
	batch := w.Batch
	if batch <= 0 {
		batch = DefaultBatch
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
		claimed, _, _, err := w.runOnce(ctx, owner)
		if err != nil && ctx.Err() == nil {
			log.Error("mail: outbox run failed", "err", err)
		}
		next := interval
		if err == nil && claimed >= batch {
			next = 0
		}
		timer.Reset(next)
	}
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
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	return "mail-" + host + "-" + strconv.Itoa(os.Getpid())
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

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
