package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/mail"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// Reminder states in a request's record of reminders.
const (
	ReminderSent    = "sent"
	ReminderSkipped = "skipped" // a later reminder was already due when the job ran
)

// reminderLog is a request's record of reminders (reminders_sent): by days
// before the due date, sent or skipped. It is stored as "30,7,1", a skipped
// reminder written "skip30".
type reminderLog map[int]string

func parseReminders(s string) reminderLog {
	out := reminderLog{}
	for _, part := range strings.Split(s, ",") {
		state := ReminderSent
		if rest, ok := strings.CutPrefix(part, "skip"); ok {
			part, state = rest, ReminderSkipped
		}
		if n, err := strconv.Atoi(part); err == nil && n > 0 {
			out[n] = state
		}
	}
	return out
}

func (l reminderLog) String() string {
	var parts []string
	for _, d := range ReviewReminderDays {
		switch l[d] {
		case ReminderSent:
			parts = append(parts, strconv.Itoa(d))
		case ReminderSkipped:
			parts = append(parts, "skip"+strconv.Itoa(d))
		}
	}
	return strings.Join(parts, ",")
}

// dueReminder decides which reminder to send now, if any: the most urgent
// one whose day has come, neither sent nor skipped, and more urgent than
// every one recorded. The earlier ones not recorded are skipped, so a
// person gets one reminder at a time, not three at once after the job did
// not run for a while. No reminder goes once the review has fallen due.
func dueReminder(log reminderLog, now, due time.Time) (send int, skip []int) {
	if !now.Before(due) {
		return 0, nil
	}
	left := calendarDays(now, due)
	var candidates []int
	for _, d := range ReviewReminderDays { // earliest (most days) first
		if left > d {
			continue
		}
		if _, done := log[d]; done {
			candidates = nil // everything before a recorded reminder is settled
			continue
		}
		candidates = append(candidates, d)
	}
	if len(candidates) == 0 {
		return 0, nil
	}
	return candidates[len(candidates)-1], candidates[:len(candidates)-1]
}

// ReviewRun counts what one run of the annual review did.
type ReviewRun struct {
	Reminders       map[int]int // reminders sent, by days before the due date (30, 7, 1)
	Skipped         int         // earlier reminders not sent because a later one was already due
	Suspended       int         // people whose access was suspended after the grace period
	MemberReminders int         // worksites whose site administrators were reminded of their member review
}

// RunAnnualReview sends the annual review's reminders, suspends the access
// of people who did not confirm it by the end of the grace period, and
// reminds site administrators whose member review has fallen due. It is a
// job, safe on several instances at once: every effect follows a
// conditional update, so each reminder, suspension and email happens once.
// A failure with one person does not stop the others; the errors are
// returned together.
func (a *App) RunAnnualReview(ctx context.Context) (ReviewRun, error) {
	run := ReviewRun{Reminders: map[int]int{}}
	now := a.now()
	// The 30-day reminder goes on the 30th B.C. calendar day before the due
	// date, which may be up to 31 days (and a daylight saving hour) ahead.
	due, err := a.DB.Read().FindReviewsDue(ctx, now.AddDate(0, 0, ReviewReminderDays[0]+2))
	if err != nil {
		return run, err
	}
	ids := make([]portal.AccountID, len(due))
	for i, r := range due {
		ids[i] = r.AccountID
	}
	away, err := a.OnLeave(ctx, ids) // no reminders while on leave
	if err != nil {
		return run, err
	}
	var errs []error
	for _, r := range due {
		switch {
		case away[r.AccountID] != nil && now.Before(r.ReviewDueAt):
		case !now.Before(r.ReviewDueAt.Add(ReviewGrace)):
			ok, err := a.suspendForReview(ctx, r, now)
			if err != nil {
				errs = append(errs, fmt.Errorf("suspend request %d: %w", r.ID, err))
			} else if ok {
				run.Suspended++
			}
		case now.Before(r.ReviewDueAt):
			sent, skipped, err := a.sendReviewReminder(ctx, r, now)
			if err != nil {
				errs = append(errs, fmt.Errorf("remind request %d: %w", r.ID, err))
			} else if sent > 0 {
				run.Reminders[sent]++
				run.Skipped += len(skipped)
			}
		}
	}
	n, err := a.remindMembersReviews(ctx, now)
	run.MemberReminders = n
	if err != nil {
		errs = append(errs, err)
	}
	return run, errors.Join(errs...)
}

func (a *App) reviewURL() string { return a.Config.BaseURL + "/review" }

// sendReviewReminder sends the reminder due now, if any, and records it
// with the skipped ones; it reports which it sent.
func (a *App) sendReviewReminder(ctx context.Context, r *store.AccessReview, now time.Time) (int, []int, error) {
	log := parseReminders(r.RemindersSent)
	send, skip := dueReminder(log, now, r.ReviewDueAt)
	if send == 0 {
		return 0, nil, nil
	}
	for _, d := range skip {
		log[d] = ReminderSkipped
	}
	log[send] = ReminderSent
	acct, err := a.DB.Read().FindAccountByID(ctx, r.AccountID)
	if err != nil {
		return 0, nil, err
	}
	sent := false
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		ok, err := tx.RecordReviewReminders(ctx, r.ID, r.ReviewDueAt, r.RemindersSent, log.String(), now)
		if err != nil || !ok {
			return err // another instance sent it, or the person confirmed meanwhile
		}
		sent = true
		if err := tx.AddAccessRequestEvent(ctx, r.ID, portal.AccessRequestEvent{At: now, ActorKind: portal.ActorSystem,
			ActorID: store.ReviewActor, FromStatus: portal.ARApproved, ToStatus: portal.ARApproved,
			Note: fmt.Sprintf("Annual review reminder sent (%s before the due date of %s).", daysWords(send), dayOf(r.ReviewDueAt))}); err != nil {
			return err
		}
		skipped := make([]string, len(skip))
		for i, d := range skip {
			skipped[i] = strconv.Itoa(d)
		}
		if err := a.audit(ctx, tx, reviewMeta, auditEvent{actorKind: portal.ActorSystem, actorID: store.ReviewActor,
			action: "review.reminder_sent", subjectKind: "access_request", subjectID: requestRef(r.ID),
			details: map[string]any{"account": r.AccountID, "reminder": strconv.Itoa(send), "skipped": skipped,
				"review_due_at": r.ReviewDueAt.In(portal.Pacific()).Format(time.DateOnly)}}); err != nil {
			return err
		}
		return a.enqueue(
			ctx,
			tx,
			"review_reminder",
			acct.Email,
			acct.ID,
			mail.ReviewReminder{Common: a.commonFor(acct.DisplayName(), r.AccessRequest),
				DaysBefore: send, DaysLeft: daysWords(calendarDays(now, r.ReviewDueAt)), DueDate: dayOf(r.ReviewDueAt),
				SuspendOn: dayOf(r.ReviewDueAt.Add(ReviewGrace)), ReviewURL: a.reviewURL()},
		)
	})
	if err != nil || !sent {
		return 0, nil, err
	}
	return send, skip, nil
}

// reviewSuspensionNote is the history note of a suspension by the annual
// review; it names the reason, which confirming the review checks.
func reviewSuspensionNote(due time.Time) string {
	return fmt.Sprintf("%s: access was not confirmed within %d days after the review fell due on %s.",
		reviewSuspensionPrefix, int(ReviewGrace/(24*time.Hour)), dayOf(due))
}

// isReviewSuspension reports whether a suspension was the annual review's,
// and not the CareConnect team's or a lapsed sponsorship's.
func isReviewSuspension(e *portal.AccessRequestEvent) bool {
	return suspendedBy(e, store.ReviewActor, reviewSuspensionPrefix)
}

// suspendForReview suspends access whose review is past its grace period;
// it reports whether it did (another instance, or a confirmation, may
// have come first).
func (a *App) suspendForReview(ctx context.Context, r *store.AccessReview, now time.Time) (bool, error) {
	acct, err := a.DB.Read().FindAccountByID(ctx, r.AccountID)
	if err != nil {
		return false, err
	}
	done := false
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		cur, err := tx.LockAccessReview(ctx, r.ID)
		if err != nil {
			return err
		}
		if cur.Status != portal.ARApproved || !cur.ReviewDueAt.Equal(r.ReviewDueAt) ||
			now.Before(cur.ReviewDueAt.Add(ReviewGrace)) {
			return nil
		}
		dueDay := r.ReviewDueAt.In(portal.Pacific()).Format(time.DateOnly)
		done, err = a.suspendBySystem(ctx, tx, reviewMeta, r.AccessRequest, acct, systemSuspension{
			actor: store.ReviewActor, at: now, note: reviewSuspensionNote(r.ReviewDueAt),
			feed:   map[string]any{"request": r.ID, "reason": "annual review not completed", "review_due_at": dueDay},
			action: "review.suspended",
			details: map[string]any{"account": r.AccountID, "review_due_at": dueDay, "reminders": cur.RemindersSent,
				"grace_days": int(ReviewGrace / (24 * time.Hour))},
			lapse: &lapseCause{code: LapseSponsorReview,
				dependants: acct.DisplayName() + "'s own CareConnect access was suspended because their annual review was not completed."},
			email: "review_suspended",
			mail: mail.ReviewSuspended{Common: a.commonFor(acct.DisplayName(), r.AccessRequest),
				DueDate: dayOf(r.ReviewDueAt), ReviewURL: a.reviewURL()},
		})
		return err
	})
	return done && err == nil, err
}

// remindMembersReviews emails the site administrators of each approved
// worksite whose member review has fallen due, once per review.
func (a *App) remindMembersReviews(ctx context.Context, now time.Time) (int, error) {
	list, err := a.DB.Read().
		FindMembersReviews(ctx, store.MembersReviewFilter{CycleBefore: now.AddDate(-1, 0, 1), NotReminded: true})
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, m := range list {
		due := portal.ReviewDueAfter(m.CycleStart())
		if now.Before(due) {
			continue
		}
		w := m.Worksite
		sent := false
		err := a.DB.InTx(ctx, func(tx *store.Tx) error {
			ok, err := tx.MarkMembersReviewReminded(ctx, w.ID, m.ConfirmedAt, now)
			if err != nil || !ok {
				return err
			}
			sent = true
			admins, err := tx.FindWorksiteAdminAccounts(ctx, w.ID)
			if err != nil {
				return err
			}
			ids := make([]portal.AccountID, len(admins))
			for i, ad := range admins {
				ids[i] = ad.ID
			}
			if err := a.audit(ctx, tx, reviewMeta, auditEvent{actorKind: portal.ActorSystem, actorID: store.ReviewActor,
				action: "review.members_reminder_sent", subjectKind: "worksite", subjectID: worksiteRef(w.ID), worksiteID: int64(w.ID),
				details: map[string]any{"administrators": ids, "due_at": due.In(portal.Pacific()).Format(time.DateOnly)}}); err != nil {
				return err
			}
			for _, ad := range admins {
				if err := a.enqueue(ctx, tx, "review_members_due", ad.Email, ad.ID, mail.ReviewMembersDue{
					Common: a.common(ad.DisplayName()), WorksiteName: w.Name, WorksiteID: string(w.Code), DueDate: dayOf(due),
					ReviewURL: a.membersReviewURL(w.ID)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("remind worksite %d: %w", w.ID, err))
		} else if sent {
			n++
		}
	}
	return n, errors.Join(errs...)
}

func (a *App) membersReviewURL(ws portal.WorksiteID) string {
	return fmt.Sprintf("%s/worksites/%d/review", a.Config.BaseURL, ws)
}
