package app

import (
	"context"
	"fmt"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/mail"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// MarkLocum marks a member of a worksite as a locum whose term ends after
// lastDay (YYYY-MM-DD): the scheduled decommission ends the membership
// then, and a week before the locum and the site administrators are
// reminded (RemindEndingLocums). Only the worksite's administrators may;
// a new last day replaces the old one.
func (a *App) MarkLocum(
	ctx context.Context,
	meta portal.RequestMeta,
	actor *portal.Account,
	ws portal.WorksiteID,
	member portal.AccountID,
	lastDay string,
) error {
	w, m, err := a.adminAndActiveMember(ctx, actor, ws, member)
	if err != nil {
		return err
	}
	day, err := portal.ValidateLocumLastDay(lastDay, a.now().In(portal.Pacific()))
	if err != nil {
		return err
	}
	acct, err := a.DB.Read().FindAccountByID(ctx, member)
	if err != nil {
		return err
	}
	if err := portal.CheckLocum(acct, m.Name); err != nil {
		return err
	}
	return a.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := a.checkAdminsLeft(ctx, tx, w, m); err != nil {
			return err
		}
		ok, err := tx.MarkLocum(ctx, ws, member, day)
		if err != nil {
			return err
		}
		if !ok {
			return portal.Errorf(portal.ECONFLICT, "%s is no longer an active member of %s.", m.Name, w.Name)
		}
		return a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(actor.ID),
			action: "worksite.locum_marked", subjectKind: "account", subjectID: accountRef(member), worksiteID: int64(ws),
			details: map[string]string{"last_day": day, "previous_end_date": m.EndDate}})
	})
}

// RemindEndingLocums emails each locum whose last day is within
// portal.LocumNoticeDays, and the administrators of the worksite, that the
// term is ending: each person once per last day, whichever instance runs
// it (the membership's reminder is claimed in the transaction that
// enqueues the emails). It is a job; it returns how many terms it noticed.
func (a *App) RemindEndingLocums(ctx context.Context) (int, error) {
	now := a.now()
	today := now.In(portal.Pacific())
	due, err := a.DB.Read().FindLocumsEnding(ctx, today.Format(time.DateOnly),
		today.AddDate(0, 0, portal.LocumNoticeDays).Format(time.DateOnly))
	if err != nil {
		return 0, err
	}
	meta := portal.RequestMeta{RequestID: "job:locum-reminders"}
	n := 0
	for _, m := range due {
		w, err := a.DB.Read().FindWorksiteByID(ctx, m.WorksiteID)
		if err != nil {
			return n, err
		}
		var sent bool
		err = a.DB.InTx(ctx, func(tx *store.Tx) error {
			ok, err := tx.ClaimLocumNotice(ctx, m.WorksiteID, m.AccountID, m.EndDate, now)
			if err != nil || !ok {
				return err
			}
			sent = true
			admins, err := tx.FindWorksiteAdminAccounts(ctx, w.ID)
			if err != nil {
				return err
			}
			last, _ := time.Parse(time.DateOnly, m.EndDate)
			data := mail.LocumEnding{Common: a.common(m.Name), WorksiteName: w.Name, WorksiteCode: string(w.Code),
				LocumName: m.Name, LastDay: last.Format("2 Jan 2006"), URL: fmt.Sprintf("%s/worksites/%d", a.Config.BaseURL, w.ID)}
			if err := a.enqueue(ctx, tx, "locum_ending", m.Email, m.AccountID, data); err != nil {
				return err
			}
			var told []string
			for _, ad := range admins {
				if ad.ID == m.AccountID {
					continue // the locum has their own reminder
				}
				d := data
				d.Common, d.ToAdmin = a.common(ad.DisplayName()), true
				if err := a.enqueue(ctx, tx, "locum_ending", ad.Email, ad.ID, d); err != nil {
					return err
				}
				told = append(told, accountRef(ad.ID))
			}
			return a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorSystem, actorID: "locum-reminders",
				action: "worksite.locum_ending_notified", subjectKind: "account", subjectID: accountRef(m.AccountID),
				worksiteID: int64(w.ID), details: map[string]any{"last_day": m.EndDate, "administrators": told}})
		})
		if err != nil {
			return n, err
		}
		if sent {
			n++
		}
	}
	return n, nil
}
