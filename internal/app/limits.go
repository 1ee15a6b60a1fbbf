package app

import (
	"context"
	"fmt"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/secret"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// Daily limits on the email people can make the portal send to addresses
// they type, so that it cannot be used to flood or phish an inbox. A day is
// a calendar day in British Columbia. Each use case counts inside its own
// transaction, so every caller (web pages, commands) is held to them and a
// refused or failed action counts nothing.
const (
	// InvitationsPerPersonPerDay bounds the invitations one person sends
	// and sends again, across all the worksites they administer.
	InvitationsPerPersonPerDay = 50
	// InvitationsPerWorksitePerDay bounds the invitations sent and sent
	// again in the name of one worksite, by all its administrators.
	InvitationsPerWorksitePerDay = 100
	// RegistrationsPerPersonPerDay bounds the worksites one person
	// registers. Each registration sends at most one declaration request,
	// so it bounds those too.
	RegistrationsPerPersonPerDay = 10
	// EmailsPerRecipientPerDay bounds the emails that go to one address
	// that is not an account's own (invitations, resends, declaration
	// requests), whoever asks for them.
	EmailsPerRecipientPerDay = 3
)

// LimitError refuses an action past one of the daily limits. Its code is
// portal.ERATELIMIT and its message says which limit and when it resets.
// Field names the form field it concerns; it is empty when the limit is the
// recipient's, and the form then shows it at its email address field.
type LimitError struct {
	Field string
	Err   *portal.Error
}

func (e *LimitError) Error() string { return e.Err.Error() }
func (e *LimitError) Unwrap() error { return e.Err }

// dayStart is the start of today in British Columbia: the window of the
// daily limits.
func (a *App) dayStart() time.Time {
	y, m, d := a.now().In(portal.Pacific()).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, portal.Pacific())
}

// hitDailyLimit counts one action in bucket for today and refuses it with
// msg past limit.
func (a *App) hitDailyLimit(ctx context.Context, tx *store.Tx, bucket string, limit int, field, msg string) error {
	ok, err := tx.HitLimit(ctx, bucket, a.dayStart(), limit)
	if err != nil {
		return err
	}
	if !ok {
		a.Logger.Warn("daily limit reached", "bucket", bucket, "limit", limit)
		return &LimitError{Field: field, Err: portal.Errorf(portal.ERATELIMIT, "%s", msg)}
	}
	return nil
}

// limitInvitation is what an invitation or a resend checks inside its
// transaction: the worksite is not closed (read locked, so a decision of
// the CareConnect team at the same moment is seen), and neither the
// inviting person nor the worksite is past its daily limit. The
// recipient's limit is enqueue's.
func (a *App) limitInvitation(ctx context.Context, tx *store.Tx, actor *portal.Account, ws portal.WorksiteID) error {
	w, err := a.limitWorksiteOpen(ctx, tx, ws)
	if err != nil {
		return err
	}
	if err := a.hitDailyLimit(ctx, tx, "invitations:person:"+accountRef(actor.ID), InvitationsPerPersonPerDay, "email",
		fmt.Sprintf("You have sent %d invitations today; you can send more tomorrow.", InvitationsPerPersonPerDay)); err != nil {
		return err
	}
	return a.hitDailyLimit(
		ctx,
		tx,
		"invitations:worksite:"+worksiteRef(ws),
		InvitationsPerWorksitePerDay,
		"email",
		fmt.Sprintf(
			"%d invitations have been sent for %s today; you can send more tomorrow.",
			InvitationsPerWorksitePerDay,
			w.Name,
		),
	)
}

// limitRegistration is what registering a worksite checks inside its
// transaction: the person is not past their daily limit.
func (a *App) limitRegistration(ctx context.Context, tx *store.Tx, actor *portal.Account) error {
	return a.hitDailyLimit(
		ctx,
		tx,
		"registrations:person:"+accountRef(actor.ID),
		RegistrationsPerPersonPerDay,
		"name",
		fmt.Sprintf(
			"You have registered %d worksites today; you can register more tomorrow.",
			RegistrationsPerPersonPerDay,
		),
	)
}

// limitWorksiteOpen refuses, inside a transaction, an action that would
// email people in the name of a closed worksite, and returns the worksite
// as it is now, locked until the transaction ends.
func (a *App) limitWorksiteOpen(ctx context.Context, tx *store.Tx, ws portal.WorksiteID) (*portal.Worksite, error) {
	w, err := tx.FindWorksiteByIDForUpdate(ctx, ws)
	if err != nil {
		return nil, err
	}
	if w.Closed() {
		return nil, w.ClosedError()
	}
	return w, nil
}

// limitRecipient counts an email to an address that is not an account's
// own against that address's daily limit. The bucket holds a hash of the
// address, not the address.
func (a *App) limitRecipient(ctx context.Context, tx *store.Tx, to string) error {
	return a.hitDailyLimit(ctx, tx, "recipient:"+secret.Hash(portal.EmailKey(to))[:32], EmailsPerRecipientPerDay, "",
		fmt.Sprintf("The portal has already emailed %s %d times today, the most it sends to one address in a day; "+
			"you can send more tomorrow.", to, EmailsPerRecipientPerDay))
}
