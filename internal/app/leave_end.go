package app

import (
	"context"
	"errors"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/mail"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// EndLeave ends one of the person's leaves today, before its planned
// return date, or cancels it when it has not begun. The annual review's
// due date moves back by the days not taken (when nothing has moved it
// since the leave did), and access paused for the leave comes back at
// once, under the same rules as on the return date. The change is one
// transaction, audited and emailed; the access follows right after, as
// the leave job would do it (and does, should this step fail).
//
// Ending a leave that the same request already ended today succeeds
// without doing anything more, so that a form submitted twice acts once.
func (a *App) EndLeave(
	ctx context.Context,
	meta portal.RequestMeta,
	actor *portal.Account,
	id portal.LeaveID,
) (*LeaveEnding, error) {
	l, err := a.ownLeave(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	today := a.today()
	end, ok := l.EndingOn(today)
	switch {
	case !ok && l.Cancelled(), !ok && l.EndedEarly() && l.End == today:
		return &LeaveEnding{Leave: l}, nil // cancelled or ended by a submission just before this one
	case !ok:
		return nil, portal.Errorf(portal.ECONFLICT, "This leave is already over: it ended on %s.", l.End)
	}
	planned := l.End
	cancelled := end == l.Start
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.FindAccountByIDForUpdate(ctx, actor.ID); err != nil {
			return err
		}
		changed, err := tx.EndLeaveEarly(ctx, l.ID, planned, end)
		if err != nil {
			return err
		}
		if !changed {
			return errLeaveEndedMeanwhile
		}
		l.End = end
		details := map[string]any{"leave": l.ID, "kind": string(l.Kind), "start": l.Start,
			"planned_return": planned, "return": end}
		data := mail.LeaveChanged{
			Common:        a.common(actor.DisplayName()),
			Kind:          l.Kind.Label(),
			Start:         l.Start,
			PlannedReturn: planned,
			Return:        end,
			Cancelled:     cancelled,
			AccessPaused:  !l.AccessPausedAt.IsZero() && l.AccessResumedAt.IsZero(),
			LeaveURL:      a.Config.BaseURL + "/account/leave",
		}
		holder, err := tx.FindAccessReview(ctx, actor.ID)
		if err != nil && !store.IsNotFound(err) {
			return err
		}
		if holder != nil && !l.ReviewDueAfter.IsZero() && holder.ReviewDueAt.Equal(l.ReviewDueAfter) {
			back := time.Duration(portal.DaysBetween(end, planned)) * 24 * time.Hour
			if err := tx.MoveReviewDue(ctx, holder.ID, -back); err != nil {
				return err
			}
			due := holder.ReviewDueAt.Add(-back)
			details["review_due_at"] = due.In(portal.Pacific()).Format(time.DateOnly)
			data.ReviewDue = dayOf(due)
		}
		action := "leave.ended_early"
		if cancelled {
			action = "leave.cancelled"
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(actor.ID),
			action: action, subjectKind: "account", subjectID: accountRef(actor.ID), details: details}); err != nil {
			return err
		}
		return a.enqueue(ctx, tx, "leave_changed", actor.Email, actor.ID, data)
	})
	if errors.Is(err, errLeaveEndedMeanwhile) {
		l, err := a.ownLeave(ctx, actor, id) // the other submission ended it
		return &LeaveEnding{Leave: l}, err
	}
	if err != nil {
		return nil, err
	}
	out := &LeaveEnding{Leave: l, Cancelled: cancelled}
	if !l.AccessPausedAt.IsZero() && l.AccessResumedAt.IsZero() {
		out.AccessPaused = true
		restored, _, err := a.resumeAfterLeave(ctx, l)
		if err != nil {
			// The leave has ended; the leave job restores the access on its next run.
			a.Logger.ErrorContext(ctx, "restoring access after a leave ended early", "leave", l.ID, "err", err)
			out.AccessLater = true
		}
		out.AccessRestored = restored
	}
	return out, nil
}

// LeaveEnding is what ending a leave did.
type LeaveEnding struct {
	Leave          *portal.LeaveRecord
	Cancelled      bool // called off before it began (false when a submission just before this one acted)
	AccessPaused   bool // the access was paused for the leave
	AccessRestored bool // and came back; false with AccessPaused when the access rules no longer allow it
	AccessLater    bool // restoring it failed this time: the leave job tries again on its next run
}

// errLeaveEndedMeanwhile rolls back an ending that another submission
// overtook.
var errLeaveEndedMeanwhile = errors.New("leave ended meanwhile")

// Leave is one of the person's own leaves; another person's is not found.
func (a *App) Leave(ctx context.Context, actor *portal.Account, id portal.LeaveID) (*portal.LeaveRecord, error) {
	return a.ownLeave(ctx, actor, id)
}

// ownLeave finds one of the person's own leaves.
func (a *App) ownLeave(ctx context.Context, actor *portal.Account, id portal.LeaveID) (*portal.LeaveRecord, error) {
	ls, err := a.DB.Read().FindLeaves(ctx, actor.ID)
	if err != nil {
		return nil, err
	}
	for _, l := range ls {
		if l.ID == id {
			return l, nil
		}
	}
	return nil, portal.Errorf(portal.ENOTFOUND, "That leave does not exist.")
}

// Today is the date in B.C. now, as YYYY-MM-DD.
func (a *App) Today() string { return a.today() }
