package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/mail"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// Leave without losing access (portal.Leave): recording a leave moves the
// annual review's due date by its length and stops the dormancy clock;
// when the person chooses, the leave job pauses their access on the first
// day and restores it on the return date.

var leaveMeta = portal.RequestMeta{RequestID: "job:leave"}

const leaveSuspensionPrefix = "Paused for a leave"

// Leaves lists the person's recorded leaves, the earliest first.
func (a *App) Leaves(ctx context.Context, actor *portal.Account) ([]*portal.LeaveRecord, error) {
	return a.DB.Read().FindLeaves(ctx, actor.ID)
}

// pausedPeriods are the periods a person's dormancy clock stood still:
// their leaves.
func (a *App) pausedPeriods(ctx context.Context, q store.Q, id portal.AccountID) ([]portal.Period, error) {
	ls, err := q.FindLeaves(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]portal.Period, len(ls))
	for i, l := range ls {
		out[i] = l.Period(portal.Pacific())
	}
	return out, nil
}

// RecordLeave records a leave of the person's: the dates checked (the
// return date after the first day, two years at most, no overlap with
// another leave), the annual review's due date moved by the leave's
// length, and, when the person chose to pause their access and the leave
// has begun, the access paused at once. One transaction, audited and
// emailed.
func (a *App) RecordLeave(
	ctx context.Context,
	meta portal.RequestMeta,
	actor *portal.Account,
	in portal.LeaveInput,
) (*portal.Leave, error) {
	today := a.today()
	fe := in.Validate(today)
	existing, err := a.DB.Read().FindLeaves(ctx, actor.ID)
	if err != nil {
		return nil, err
	}
	if fe["start"] == "" && fe["end"] == "" {
		for _, l := range existing {
			if in.Start < l.End && l.Start < in.End {
				fe.Add(
					"start",
					fmt.Sprintf("You already have a leave from %s to %s: leaves cannot overlap.", l.Start, l.End),
				)
				break
			}
		}
	}
	holder, err := a.DB.Read().FindAccessReview(ctx, actor.ID)
	if err != nil && !store.IsNotFound(err) {
		return nil, err
	}
	if in.PauseAccess && (holder == nil || holder.Status != portal.ARApproved) {
		fe.Add("pause_access", "You do not have active CareConnect access to pause.")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	l := &portal.Leave{AccountID: actor.ID, Kind: portal.LeaveKind(in.Kind), Start: in.Start, End: in.End,
		PauseAccess: in.PauseAccess, CreatedAt: a.now(), PlannedEnd: in.End}
	if holder != nil && !holder.ReviewDueAt.IsZero() {
		l.ReviewDueAfter = holder.ReviewDueAt.Add(time.Duration(l.Days()) * 24 * time.Hour)
	}
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.FindAccountByIDForUpdate(ctx, actor.ID); err != nil {
			return err
		}
		if err := tx.CreateLeave(ctx, l); err != nil {
			return err
		}
		details := map[string]any{
			"kind":         string(l.Kind),
			"start":        l.Start,
			"return":       l.End,
			"pause_access": l.PauseAccess,
			"days":         l.Days(),
		}
		var newDue time.Time
		if holder != nil && !holder.ReviewDueAt.IsZero() {
			by := time.Duration(l.Days()) * 24 * time.Hour
			if err := tx.MoveReviewDue(ctx, holder.ID, by); err != nil {
				return err
			}
			newDue = holder.ReviewDueAt.Add(by)
			details["review_due_at"] = newDue.In(portal.Pacific()).Format(time.DateOnly)
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(actor.ID),
			action: "leave.recorded", subjectKind: "account", subjectID: accountRef(actor.ID), details: details}); err != nil {
			return err
		}
		data := mail.LeaveRecorded{
			Common:      a.common(actor.DisplayName()),
			Kind:        l.Kind.Label(),
			Start:       l.Start,
			Return:      l.End,
			PauseAccess: l.PauseAccess,
			LeaveURL:    a.Config.BaseURL + "/account/leave",
		}
		if !newDue.IsZero() {
			data.ReviewDue = dayOf(newDue)
		}
		if err := a.enqueue(ctx, tx, "leave_recorded", actor.Email, actor.ID, data); err != nil {
			return err
		}
		if l.PauseAccess && l.Covers(today) {
			_, err := a.pauseForLeave(
				ctx,
				tx,
				meta,
				portal.ActorAccount,
				accountRef(actor.ID),
				&portal.LeaveRecord{Leave: *l},
				actor,
			)
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// pauseForLeave suspends the person's approved access for a leave inside
// tx (provisioned as suspended on leave), once; it reports whether it did.
func (a *App) pauseForLeave(
	ctx context.Context,
	tx *store.Tx,
	meta portal.RequestMeta,
	actorKind, actorID string,
	l *portal.LeaveRecord,
	acct *portal.Account,
) (bool, error) {
	r, err := tx.FindAccessReview(ctx, l.AccountID)
	if store.IsNotFound(err) {
		return false, nil
	}
	if err != nil || r.Status != portal.ARApproved {
		return false, err
	}
	ok, err := tx.MarkLeavePaused(ctx, l.ID, a.now())
	if err != nil || !ok {
		return false, err
	}
	ok, err = tx.ChangeAccessRequest(ctx, store.AccessRequestChange{ID: r.ID, From: []string{portal.ARApproved},
		To: portal.ARSuspended, At: a.now(), ActorKind: portal.ActorSystem, ActorID: store.LeaveActor,
		Note: fmt.Sprintf(
			"%s (%s) until the return date of %s, as the person chose.",
			leaveSuspensionPrefix,
			l.Kind.Label(),
			l.End,
		)})
	if err != nil || !ok {
		return false, err
	}
	if err := a.recordProvisioning(ctx, tx, l.AccountID, ProvUserSuspended, map[string]any{
		"request": r.ID, "reason": "on leave", "suspended_on_leave": true, "return_date": l.End}); err != nil {
		return false, err
	}
	if err := a.audit(ctx, tx, meta, auditEvent{actorKind: actorKind, actorID: actorID, action: "leave.access_paused",
		subjectKind: "access_request", subjectID: requestRef(r.ID),
		details: map[string]any{"account": l.AccountID, "leave": l.ID, "return": l.End}}); err != nil {
		return false, err
	}
	return true, a.lapseDependants(ctx, tx, meta, l.AccountID, lapseCause{code: LapseSponsorOnLeave,
		dependants: acct.DisplayName() + " paused their own CareConnect access for a leave until " + l.End + "."})
}

// LeaveRun counts what one run of the leave job did.
type LeaveRun struct {
	Paused  int // access paused on a leave's first day
	Resumed int // access restored on the return date
	Refused int // access not restored on the return date, as the rules no longer allow it
}

// errCannotResume rolls back a restoration the access rules refuse.
var errCannotResume = errors.New("app: access cannot be restored after the leave")

// RunLeaves pauses access on the first day of leaves that pause it and
// restores it on their return date. It is a job, safe on several
// instances at once: each leave is marked paused and resumed once, in the
// transaction that acts on the access.
func (a *App) RunLeaves(ctx context.Context) (LeaveRun, error) {
	var run LeaveRun
	today := a.today()
	q := a.DB.Read()
	var errs []error
	toPause, err := q.FindLeavesToPause(ctx, today)
	if err != nil {
		return run, err
	}
	for _, l := range toPause {
		acct, err := q.FindAccountByID(ctx, l.AccountID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		done := false
		err = a.DB.InTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.FindAccountByIDForUpdate(ctx, l.AccountID); err != nil {
				return err
			}
			done, err = a.pauseForLeave(ctx, tx, leaveMeta, portal.ActorSystem, store.LeaveActor, l, acct)
			return err
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("leave %d: pause: %w", l.ID, err))
		} else if done {
			run.Paused++
		}
	}
	toResume, err := q.FindLeavesToResume(ctx, today)
	if err != nil {
		return run, errors.Join(append(errs, err)...)
	}
	for _, l := range toResume {
		restored, marked, err := a.resumeAfterLeave(ctx, l)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("leave %d: resume: %w", l.ID, err))
		case restored:
			run.Resumed++
		case marked:
			run.Refused++
		}
	}
	return run, errors.Join(errs...)
}

// resumeAfterLeave restores access paused for a leave, when the access
// rules still allow it (an approved worksite; a licence the registry has
// not reported lapsed or suspended since; for an on-behalf-of user a
// sponsor who qualifies); otherwise the access stays suspended and the
// person is told. Either way the leave is marked resumed, once.
func (a *App) resumeAfterLeave(ctx context.Context, l *portal.LeaveRecord) (restored, marked bool, err error) {
	acct, err := a.DB.Read().FindAccountByID(ctx, l.AccountID)
	if err != nil {
		return false, false, err
	}
	try := func(restore bool) error {
		return a.DB.InTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.FindAccountByIDForUpdate(ctx, l.AccountID); err != nil {
				return err
			}
			ok, err := tx.MarkLeaveResumed(ctx, l.ID, a.now())
			if err != nil || !ok {
				return err
			}
			marked = true
			r, err := tx.FindAccessReview(ctx, l.AccountID)
			if err != nil && !store.IsNotFound(err) {
				return err
			}
			var last *portal.AccessRequestEvent
			if r != nil && r.Status == portal.ARSuspended {
				if last, err = tx.LastSuspension(ctx, r.ID); err != nil && !store.IsNotFound(err) {
					return err
				}
			}
			if last == nil || last.ActorID != store.LeaveActor {
				return nil // suspended since for another reason, or no longer held: nothing to restore
			}
			data := mail.LeaveEnded{
				Common:    a.commonFor(acct.DisplayName(), r.AccessRequest),
				Return:    l.End,
				StatusURL: a.statusURL(),
			}
			if restore {
				ok, err := tx.ChangeAccessRequest(
					ctx,
					store.AccessRequestChange{ID: r.ID, From: []string{portal.ARSuspended},
						To: portal.ARApproved, At: a.now(), ActorKind: portal.ActorSystem, ActorID: store.LeaveActor,
						Note: "Access restored on the return date of " + l.End + " after a leave."},
				)
				if err != nil || !ok {
					return err
				}
				refuse := func(string) error { return errCannotResume }
				if err := a.requireApprovedWorksite(ctx, tx, l.AccountID, refuse); err != nil {
					return err
				}
				if err := a.requireQualifyingSponsor(ctx, tx, l.AccountID, refuse); err != nil {
					return err
				}
				if err := a.requireLicence(ctx, tx, acct, "Access cannot come back"); err != nil {
					if portal.ErrorCode(err) == portal.ECONFLICT {
						return errCannotResume
					}
					return err
				}
				whole, err := a.narrowToSponsors(
					ctx,
					tx,
					leaveMeta,
					acct,
					"Your leave ended, and your access continues "+
						"through the authorizers who sponsor you now.",
				)
				if err != nil {
					return err
				}
				if !whole {
					return errCannotResume
				}
				if err := a.recordProvisioning(ctx, tx, l.AccountID, ProvUserReinstated, map[string]any{
					"request": r.ID, "reason": "back from leave", "leave": l.ID}); err != nil {
					return err
				}
				if err := a.touchDependants(ctx, tx, l.AccountID); err != nil {
					return err
				}
				restored, data.Restored = true, true
			}
			action := "leave.access_resumed"
			if !restore {
				action = "leave.access_not_resumed"
				if data.Licence, err = a.licenceBlock(ctx, tx, l.AccountID); err != nil {
					return err
				}
			}
			if err := a.audit(ctx, tx, leaveMeta, auditEvent{actorKind: portal.ActorSystem, actorID: store.LeaveActor, action: action,
				subjectKind: "access_request", subjectID: requestRef(r.ID),
				details: map[string]any{"account": l.AccountID, "leave": l.ID, "return": l.End}}); err != nil {
				return err
			}
			return a.enqueue(ctx, tx, "leave_ended", acct.Email, acct.ID, data)
		})
	}
	err = try(true)
	if errors.Is(err, errCannotResume) {
		restored, marked = false, false
		err = try(false)
	}
	return restored, marked, err
}

// OnLeave lists, of the given people, those on leave today, with the leave.
func (a *App) OnLeave(ctx context.Context, ids []portal.AccountID) (map[portal.AccountID]*portal.LeaveRecord, error) {
	today := a.today()
	ls, err := a.DB.Read().FindLeavesOf(ctx, ids, today)
	if err != nil {
		return nil, err
	}
	out := map[portal.AccountID]*portal.LeaveRecord{}
	for _, l := range ls {
		if l.Covers(today) {
			out[l.AccountID] = l
		}
	}
	return out, nil
}
