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

// Dormant accounts (portal.DormantAt): access unused for the dormancy
// limit is suspended as dormant, after reminders 30 and 7 days before;
// signing in and confirming that CareConnect is still needed restores it
// at once, without the CareConnect team.

var dormancyMeta = portal.RequestMeta{RequestID: "job:dormancy"}

// dormantSuspensionPrefix starts the history note of every suspension made
// by the dormancy job: confirming after sign-in lifts only those.
const dormantSuspensionPrefix = "Suspended as dormant"

func (a *App) dormancyLimit() time.Duration {
	if a.DormancyLimit > 0 {
		return a.DormancyLimit
	}
	return portal.DefaultDormancyLimit
}

// DormancyLimitDays is the configured dormancy limit in days.
func (a *App) DormancyLimitDays() int { return int(a.dormancyLimit() / (24 * time.Hour)) }

// dormancyNotices is a request's record of dormancy reminders for one
// clock start, stored as "<start ms>:30,7". A record for another start
// (the person signed in since) counts as empty.
type dormancyNotices map[int]bool

func parseDormancyNotices(s string, since time.Time) dormancyNotices {
	out := dormancyNotices{}
	start, list, ok := strings.Cut(s, ":")
	if !ok || start != strconv.FormatInt(since.UnixMilli(), 10) {
		return out
	}
	for _, part := range strings.Split(list, ",") {
		if n, err := strconv.Atoi(part); err == nil && n > 0 {
			out[n] = true
		}
	}
	return out
}

func (n dormancyNotices) format(since time.Time) string {
	var parts []string
	for _, d := range portal.DormancyReminderDays {
		if n[d] {
			parts = append(parts, strconv.Itoa(d))
		}
	}
	return strconv.FormatInt(since.UnixMilli(), 10) + ":" + strings.Join(parts, ",")
}

// dueDormancyReminder is the reminder to send now, if any: the most urgent
// one whose day has come and that was not sent; the earlier ones not sent
// are marked as sent with it, so a person gets one reminder at a time.
func dueDormancyReminder(sent dormancyNotices, now, at time.Time) int {
	if !now.Before(at) {
		return 0
	}
	left := calendarDays(now, at)
	send := 0
	for _, d := range portal.DormancyReminderDays {
		if left <= d && !sent[d] {
			send = d
		}
	}
	return send
}

// DormancyRun counts what one run of the dormancy job did.
type DormancyRun struct {
	Reminders map[int]int // reminders sent, by days before the access becomes dormant
	Suspended int         // people whose access was suspended as dormant
}

// RunDormancy reminds the people whose access is about to become dormant
// and suspends the access of those whose access became dormant. It is a
// job, safe on several instances at once: each reminder follows a
// conditional update of the request's record of reminders, each
// suspension a locked re-read, so each happens once. A failure with one
// person does not stop the others.
func (a *App) RunDormancy(ctx context.Context) (DormancyRun, error) {
	run := DormancyRun{Reminders: map[int]int{}}
	now := a.now()
	limit := a.dormancyLimit()
	// Leave only moves the dormant date later, so every request that may
	// be reminded or suspended now is among these.
	list, err := a.DB.Read().
		FindDormancyCandidates(ctx, now.Add(-limit).AddDate(0, 0, portal.DormancyReminderDays[0]+2))
	if err != nil {
		return run, err
	}
	var errs []error
	for _, d := range list {
		paused, err := a.pausedPeriods(ctx, a.DB.Read(), d.AccountID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		at := portal.DormantAt(d.Since(), limit, paused)
		if !now.Before(at) {
			ok, err := a.suspendDormant(ctx, d, now)
			if err != nil {
				errs = append(errs, fmt.Errorf("dormancy: suspend request %d: %w", d.ID, err))
			} else if ok {
				run.Suspended++
			}
			continue
		}
		sent, err := a.sendDormancyReminder(ctx, d, at, now)
		if err != nil {
			errs = append(errs, fmt.Errorf("dormancy: remind request %d: %w", d.ID, err))
		} else if sent > 0 {
			run.Reminders[sent]++
		}
	}
	return run, errors.Join(errs...)
}

func (a *App) dormantURL() string { return a.Config.BaseURL + "/dormant" }

// sendDormancyReminder sends the reminder due now, if any, and reports
// which one it sent.
func (a *App) sendDormancyReminder(ctx context.Context, d *store.Dormancy, at, now time.Time) (int, error) {
	since := d.Since()
	log := parseDormancyNotices(d.Notices, since)
	send := dueDormancyReminder(log, now, at)
	if send == 0 {
		return 0, nil
	}
	for _, day := range portal.DormancyReminderDays {
		if day >= send {
			log[day] = true
		}
	}
	acct, err := a.DB.Read().FindAccountByID(ctx, d.AccountID)
	if err != nil {
		return 0, err
	}
	sent := false
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		ok, err := tx.RecordDormancyNotices(ctx, d.ID, d.Notices, log.format(since), now)
		if err != nil || !ok {
			return err // another instance sent it
		}
		sent = true
		if err := a.audit(ctx, tx, dormancyMeta, auditEvent{actorKind: portal.ActorSystem, actorID: store.DormancyActor,
			action: "dormancy.reminder_sent", subjectKind: "access_request", subjectID: requestRef(d.ID),
			details: map[string]any{"account": d.AccountID, "reminder": strconv.Itoa(send),
				"last_activity": since.In(portal.Pacific()).Format(time.DateOnly), "dormant_on": at.In(portal.Pacific()).Format(time.DateOnly)}}); err != nil {
			return err
		}
		return a.enqueue(
			ctx,
			tx,
			"dormancy_reminder",
			acct.Email,
			acct.ID,
			mail.DormancyReminder{Common: a.commonFor(acct.DisplayName(), d.AccessRequest),
				DaysLeft: daysWords(calendarDays(now, at)), LastActivity: dayOf(since), SuspendOn: dayOf(at),
				LimitDays: a.DormancyLimitDays(), SignInURL: a.dormantURL()},
		)
	})
	if err != nil || !sent {
		return 0, err
	}
	return send, nil
}

// dormantSuspensionNote is the history note of a suspension as dormant.
func dormantSuspensionNote(since time.Time, days int) string {
	return fmt.Sprintf(
		"%s: no sign-in or annual review confirmation for %d days since %s.",
		dormantSuspensionPrefix,
		days,
		dayOf(since),
	)
}

// isDormantSuspension reports whether a suspension was the dormancy job's.
func isDormantSuspension(e *portal.AccessRequestEvent) bool {
	return suspendedBy(e, store.DormancyActor, dormantSuspensionPrefix)
}

// suspendDormant suspends access that became dormant; it reports whether
// it did (another instance, or a sign-in, may have come first).
func (a *App) suspendDormant(ctx context.Context, d *store.Dormancy, now time.Time) (bool, error) {
	acct, err := a.DB.Read().FindAccountByID(ctx, d.AccountID)
	if err != nil {
		return false, err
	}
	done := false
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		cur, err := tx.LockDormancy(ctx, d.ID)
		if err != nil {
			return err
		}
		paused, err := a.pausedPeriods(ctx, tx.Q, cur.AccountID)
		if err != nil {
			return err
		}
		since := cur.Since()
		at := portal.DormantAt(since, a.dormancyLimit(), paused)
		if cur.Status != portal.ARApproved || now.Before(at) {
			return nil
		}
		last := since.In(portal.Pacific()).Format(time.DateOnly)
		done, err = a.suspendBySystem(ctx, tx, dormancyMeta, d.AccessRequest, acct, systemSuspension{
			actor: store.DormancyActor, at: now, note: dormantSuspensionNote(since, a.DormancyLimitDays()),
			feed:    map[string]any{"request": d.ID, "reason": "dormant", "last_activity": last},
			action:  "dormancy.suspended",
			details: map[string]any{"account": d.AccountID, "last_activity": last, "limit_days": a.DormancyLimitDays()},
			lapse: &lapseCause{code: LapseSponsorDormant,
				dependants: acct.DisplayName() + "'s own CareConnect access was suspended because it was not used for " +
					strconv.Itoa(a.DormancyLimitDays()) + " days."},
			email: "dormancy_suspended",
			mail: mail.DormancySuspended{Common: a.commonFor(acct.DisplayName(), d.AccessRequest),
				LastActivity: dayOf(since), LimitDays: a.DormancyLimitDays(), ConfirmURL: a.dormantURL()},
		})
		return err
	})
	return done && err == nil, err
}

// Dormancy is where a person's access stands with the dormancy rule.
type Dormancy struct {
	Request      *portal.AccessRequest // nil when the person holds no access
	Dormant      bool                  // suspended as dormant: confirming restores it
	LastActivity time.Time
	DormantAt    time.Time // when unused access becomes dormant (for approved access)
	SuspendedAt  time.Time // when it was suspended as dormant
	LimitDays    int
}

// Dormancy returns where the person's access stands with the dormancy rule.
func (a *App) Dormancy(ctx context.Context, actor *portal.Account) (*Dormancy, error) {
	out := &Dormancy{LimitDays: a.DormancyLimitDays()}
	q := a.DB.Read()
	d, err := q.FindDormancy(ctx, actor.ID)
	if store.IsNotFound(err) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	out.Request, out.LastActivity = d.AccessRequest, d.Since()
	paused, err := a.pausedPeriods(ctx, q, actor.ID)
	if err != nil {
		return nil, err
	}
	out.DormantAt = portal.DormantAt(out.LastActivity, a.dormancyLimit(), paused)
	if d.Status == portal.ARSuspended {
		last, err := q.LastSuspension(ctx, d.ID)
		if err != nil && !store.IsNotFound(err) {
			return nil, err
		}
		if isDormantSuspension(last) {
			out.Dormant, out.SuspendedAt = true, last.At
		}
	}
	return out, nil
}

// errNotDormant refuses a confirmation from someone whose access is not
// suspended as dormant.
var errNotDormant = portal.Errorf(
	portal.ECONFLICT,
	"Your CareConnect access is not suspended as unused, so there is nothing to restore here.",
)

// ConfirmStillNeeded restores access suspended as dormant: the person,
// signed in, confirms that they still need CareConnect. Access suspended
// for any other reason is not restored. It needs the same as the annual
// review's reinstatement: an approved worksite, a licence the registry has
// not reported lapsed or suspended, and for an on-behalf-of user a sponsor
// who qualifies.
func (a *App) ConfirmStillNeeded(
	ctx context.Context,
	meta portal.RequestMeta,
	actor *portal.Account,
	confirm bool,
) error {
	if !confirm {
		fe := portal.FieldErrors{}
		fe.Add("confirm", "Confirm that you still need CareConnect access.")
		return fe.Err()
	}
	v, err := a.Dormancy(ctx, actor)
	if err != nil {
		return err
	}
	if !v.Dormant {
		return errNotDormant
	}
	id := v.Request.ID
	return a.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.FindAccountByIDForUpdate(ctx, actor.ID); err != nil {
			return err
		}
		cur, err := tx.LockDormancy(ctx, id)
		if err != nil {
			return err
		}
		last, err := tx.LastSuspension(ctx, id)
		if err != nil && !store.IsNotFound(err) {
			return err
		}
		if cur.Status != portal.ARSuspended || !isDormantSuspension(last) {
			return errNotDormant
		}
		now := a.now()
		ok, err := tx.ChangeAccessRequest(
			ctx,
			store.AccessRequestChange{ID: id, From: []string{portal.ARSuspended}, To: portal.ARApproved,
				At: now, ActorKind: portal.ActorAccount, ActorID: accountRef(actor.ID),
				Note: "Confirmed after signing in that CareConnect is still needed. Access restored: it was suspended only as unused."},
		)
		if err != nil {
			return err
		}
		if !ok {
			return errNotDormant
		}
		if err := tx.TouchAccountActive(ctx, actor.ID, now); err != nil {
			return err
		}
		if err := a.requireApprovedWorksite(ctx, tx, actor.ID, refuseDormantWithoutWorksite); err != nil {
			return err
		}
		if err := a.requireLicence(ctx, tx, actor, "Confirming cannot restore your access"); err != nil {
			return err
		}
		if err := a.requireQualifyingSponsor(ctx, tx, actor.ID, refuseUnsponsoredDormant); err != nil {
			return err
		}
		whole, err := a.narrowToSponsors(
			ctx,
			tx,
			meta,
			actor,
			"You confirmed that you still need CareConnect, and your access "+
				"continues through the authorizers who sponsor you now.",
		)
		if err != nil {
			return err
		}
		if !whole {
			return portal.Errorf(
				portal.ECONFLICT,
				"The authorizers who sponsor you now were not granted any of the information your "+
					"access holds, so it cannot be restored. Ask an authorizer who sees that information to sponsor you under "+
					"Authorizer on the Main Menu, then contact the CareConnect team.",
			)
		}
		if err := a.restoredBySelf(ctx, tx, actor.ID, id, "dormancy confirmed"); err != nil {
			return err
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(actor.ID),
			action: "dormancy.reactivated", subjectKind: "access_request", subjectID: requestRef(id),
			details: map[string]any{"account": actor.ID, "suspended_at": v.SuspendedAt.In(portal.Pacific()).Format(time.DateOnly)}}); err != nil {
			return err
		}
		return a.enqueue(ctx, tx, "dormancy_reactivated", actor.Email, actor.ID, mail.DormancyReactivated{
			Common:    a.commonFor(actor.DisplayName(), cur.AccessRequest),
			LimitDays: a.DormancyLimitDays(), StatusURL: a.statusURL()})
	})
}

func refuseDormantWithoutWorksite(string) error {
	return portal.Errorf(
		portal.ECONFLICT,
		"You do not belong to an approved worksite, so your access cannot be restored. "+
			"Join the worksite you work at under My Worksites, then confirm again.",
	)
}

func refuseUnsponsoredDormant(string) error {
	return portal.Errorf(
		portal.ECONFLICT,
		"No authorizer who has CareConnect access sponsors you at a worksite you share, "+
			"so your access cannot be restored. Ask an authorizer who has CareConnect access to sponsor you under Authorizer "+
			"on the Main Menu, then confirm again.",
	)
}

// fillDormancy adds the dormancy limit, and the leaves that stop each
// clock, to a policy snapshot.
func (a *App) fillDormancy(ctx context.Context, s *portal.PolicySnapshot) error {
	s.DormancyLimit = a.dormancyLimit()
	for i := range s.Activity {
		paused, err := a.pausedPeriods(ctx, a.DB.Read(), s.Activity[i].AccountID)
		if err != nil {
			return err
		}
		s.Activity[i].Paused = paused
	}
	return nil
}
