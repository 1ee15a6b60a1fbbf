package app

import (
	"context"
	"strconv"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/mail"
	"github.com/bcgov-example/careconnect-portal/internal/secret"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// emailConfirmationPath is where a confirmation link points; the token follows.
const emailConfirmationPath = "/account/email/confirm/"

// Why a confirmation was sent, for the audit trail.
const (
	confirmOnRegistration = "registration"
	confirmOnEmailChange  = "email_changed"
	confirmOnRequest      = "requested_again"
)

// emailFingerprint identifies an address in the audit trail without
// keeping it: an auditor can check a suspected address against it.
func emailFingerprint(email string) string {
	return "sha256:" + secret.Hash(portal.EmailKey(email))
}

// startEmailConfirmation stores a new confirmation of acct's address inside
// tx, replacing earlier ones, and audits it. It returns what the email says
// and the secrets the outbox must not keep once it is sent.
func (a *App) startEmailConfirmation(
	ctx context.Context,
	tx *store.Tx,
	meta portal.RequestMeta,
	acct *portal.Account,
	actorKind, actorID, reason string,
) (mail.Confirmation, []string, error) {
	token, tokenHash := newToken()
	code := portal.NewEmailCode()
	now := a.now()
	c := &portal.EmailConfirmation{AccountID: acct.ID, Email: acct.Email, TokenHash: tokenHash,
		CodeHash: portal.HashEmailCode(
			tokenHash,
			code,
		), CreatedAt: now, ExpiresAt: now.Add(portal.EmailConfirmationLifetime)}
	if err := tx.CreateEmailConfirmation(ctx, c); err != nil {
		return mail.Confirmation{}, nil, err
	}
	if err := a.audit(ctx, tx, meta, auditEvent{actorKind: actorKind, actorID: actorID, action: "account.email_verification_sent",
		subjectKind: "account", subjectID: accountRef(acct.ID),
		details: map[string]string{"email": acct.Email, "reason": reason, "expires_at": c.ExpiresAt.Format("2006-01-02T15:04:05Z07:00")}}); err != nil {
		return mail.Confirmation{}, nil, err
	}
	return mail.Confirmation{Email: acct.Email, URL: a.Config.BaseURL + emailConfirmationPath + token, Code: code,
		ExpiresAt: c.ExpiresAt.In(portal.Pacific()).Format("2 Jan 2006 at 3:04 PM MST")}, []string{token, code}, nil
}

// EmailStatus is what Manage My Account shows about the email address.
type EmailStatus struct {
	Email       string
	ConfirmedAt time.Time // zero while unconfirmed
	// Pending is the confirmation waiting to be used, if any.
	Pending *portal.EmailConfirmation
}

// EmailStatus reports whether the person's address is confirmed and, if
// not, the confirmation that is waiting.
func (a *App) EmailStatus(ctx context.Context, id portal.AccountID) (*EmailStatus, error) {
	acct, err := a.DB.Read().FindAccountByID(ctx, id)
	if err != nil {
		return nil, err
	}
	st := &EmailStatus{Email: acct.Email, ConfirmedAt: acct.EmailVerifiedAt}
	if acct.EmailConfirmed() {
		return st, nil
	}
	c, err := a.DB.Read().LatestEmailConfirmation(ctx, id)
	switch {
	case err == nil && c.Confirms(acct) && c.Usable(a.now()) == nil:
		st.Pending = c
	case err != nil && !store.IsNotFound(err):
		return nil, err
	}
	return st, nil
}

// SendEmailConfirmation sends the confirmation of the person's address
// again, with a new link and code ("Send the confirmation again").
func (a *App) SendEmailConfirmation(ctx context.Context, meta portal.RequestMeta, id portal.AccountID) error {
	return a.DB.InTx(ctx, func(tx *store.Tx) error {
		acct, err := tx.FindAccountByIDForUpdate(ctx, id)
		if err != nil {
			return err
		}
		if acct.EmailConfirmed() {
			return portal.Errorf(portal.ECONFLICT, "Your email address %s is already confirmed.", acct.Email)
		}
		confirm, secrets, err := a.startEmailConfirmation(
			ctx,
			tx,
			meta,
			acct,
			portal.ActorAccount,
			accountRef(id),
			confirmOnRequest,
		)
		if err != nil {
			return err
		}
		return a.enqueue(ctx, tx, "email_confirmation", acct.Email, acct.ID, mail.EmailConfirmation{
			Common: a.common(acct.DisplayName()), Confirm: confirm}, secrets...)
	})
}

// Errors of a confirmation link, shown on the link's page.
var (
	errConfirmLinkUnknown = portal.Errorf(
		portal.ENOTFOUND,
		"This confirmation link is not valid. It may have been replaced by a newer one: "+
			"use the link in the latest email we sent you, or send a new one from Manage My Account.",
	)
	errConfirmLinkOther = portal.Errorf(portal.EFORBIDDEN, "This confirmation link was sent for another HxBC account. "+
		"Sign out, then sign in with the BC Services Card of the person who registered that account.")
)

// EmailConfirmationByToken returns the confirmation a link carries, for the
// signed-in person it was sent to. A link already used for the address the
// account still has is returned too: the page says it is done.
func (a *App) EmailConfirmationByToken(
	ctx context.Context,
	actor *portal.Account,
	token string,
) (*portal.EmailConfirmation, error) {
	c, err := a.DB.Read().FindEmailConfirmationByToken(ctx, secret.Hash(token))
	if store.IsNotFound(err) {
		return nil, errConfirmLinkUnknown
	}
	if err != nil {
		return nil, err
	}
	if err := a.checkConfirmLink(actor, c); err != nil {
		return nil, err
	}
	return c, nil
}

func (a *App) checkConfirmLink(acct *portal.Account, c *portal.EmailConfirmation) error {
	switch {
	case c.AccountID != acct.ID:
		return errConfirmLinkOther
	case !c.Confirms(acct):
		return portal.Errorf(
			portal.ECONFLICT,
			"This link confirms %s, which is no longer your account's email address. "+
				"Your address is now %s: use the link in the email we sent there.",
			c.Email,
			acct.Email,
		)
	case !c.UsedAt.IsZero() && acct.EmailConfirmed():
		return nil
	case !a.now().Before(c.ExpiresAt):
		return portal.Errorf(
			portal.ECONFLICT,
			"This confirmation link expired on %s. Send a new one from Manage My Account.",
			c.ExpiresAt.In(portal.Pacific()).Format("2 Jan 2006 at 3:04 PM MST"),
		)
	}
	return c.Usable(a.now())
}

// ConfirmEmail confirms the signed-in person's address with the link's
// token or the code they typed (one of the two). A wrong code counts
// against the confirmation and is audited; the link and the code work once.
// It returns the account as it now stands.
func (a *App) ConfirmEmail(
	ctx context.Context,
	meta portal.RequestMeta,
	id portal.AccountID,
	token, code string,
) (*portal.Account, error) {
	via := "link"
	if token == "" {
		via = "code"
		var err error
		if code, err = portal.NormalizeEmailCode(code); err != nil {
			return nil, err
		}
	}
	var acct *portal.Account
	var refused error
	err := a.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if acct, err = tx.FindAccountByIDForUpdate(ctx, id); err != nil {
			return err
		}
		fail := func(reason string, e error) error {
			refused = e
			return a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(id),
				action: "account.email_verification_failed", subjectKind: "account", subjectID: accountRef(id),
				details: map[string]string{"via": via, "reason": reason}})
		}
		var c *portal.EmailConfirmation
		if via == "link" {
			found, err := tx.FindEmailConfirmationByToken(ctx, secret.Hash(token))
			if store.IsNotFound(err) {
				return fail("unknown or replaced link", errConfirmLinkUnknown)
			}
			if err != nil {
				return err
			}
			if c, err = tx.LockEmailConfirmation(ctx, found.ID); err != nil {
				return err
			}
			if err := a.checkConfirmLink(acct, c); err != nil {
				return fail(linkFailure(acct, c), err)
			}
			if !c.UsedAt.IsZero() {
				return nil // followed twice: already done
			}
		} else {
			if acct.EmailConfirmed() {
				refused = portal.Errorf(portal.ECONFLICT, "Your email address %s is already confirmed.", acct.Email)
				return nil
			}
			found, err := tx.LatestEmailConfirmation(ctx, id)
			if err == nil && found.Confirms(acct) {
				c, err = tx.LockEmailConfirmation(ctx, found.ID)
			}
			if err != nil && !store.IsNotFound(err) {
				return err
			}
			if c == nil || !c.UsedAt.IsZero() {
				return fail("no confirmation waiting", portal.FieldErrors{"code": "No confirmation is waiting for " + acct.Email +
					". Send the confirmation again and use the code in the new email."})
			}
			before := c.Attempts
			if err := c.CheckCode(code, a.now()); err != nil {
				if c.Attempts != before {
					if err := tx.SetEmailCodeAttempts(ctx, c.ID, c.Attempts); err != nil {
						return err
					}
				}
				return fail(a.codeFailure(c, before), err)
			}
		}
		if ok, err := tx.UseEmailConfirmation(ctx, c.ID, a.now()); err != nil || !ok {
			if err == nil {
				refused = portal.Errorf(portal.ECONFLICT, "This confirmation was already used.")
			}
			return err
		}
		return a.emailConfirmedTx(ctx, tx, meta, acct, portal.ActorAccount, accountRef(id), via)
	})
	if err != nil {
		return nil, err
	}
	return acct, refused
}

// linkFailure says why a link was refused, for the audit trail.
func linkFailure(acct *portal.Account, c *portal.EmailConfirmation) string {
	switch {
	case c.AccountID != acct.ID:
		return "link of another account"
	case !c.Confirms(acct):
		return "link for an earlier address"
	case !c.UsedAt.IsZero():
		return "link already used"
	}
	return "link expired"
}

// codeFailure says why a code was refused, for the audit trail.
func (a *App) codeFailure(c *portal.EmailConfirmation, before int) string {
	switch {
	case c.Usable(a.now()) != nil:
		return "code expired"
	case c.Attempts == before:
		return "code locked after " + strconv.Itoa(portal.EmailCodeAttempts) + " wrong attempts"
	}
	return "wrong code (attempt " + strconv.Itoa(c.Attempts) + " of " + strconv.Itoa(portal.EmailCodeAttempts) + ")"
}

// emailConfirmedTx records that acct's current address is confirmed and
// credits the external training completions that waited for it.
func (a *App) emailConfirmedTx(
	ctx context.Context,
	tx *store.Tx,
	meta portal.RequestMeta,
	acct *portal.Account,
	actorKind, actorID, via string,
) error {
	now := a.now()
	ok, err := tx.SetEmailVerified(ctx, acct.ID, acct.Email, now)
	if err != nil {
		return err
	}
	if !ok {
		return portal.Errorf(
			portal.ECONFLICT,
			"Your email address changed meanwhile. Use the confirmation sent to the new address.",
		)
	}
	acct.EmailVerifiedAt = now
	if err := a.audit(ctx, tx, meta, auditEvent{actorKind: actorKind, actorID: actorID, action: "account.email_verified",
		subjectKind: "account", subjectID: accountRef(acct.ID), details: map[string]string{"email": acct.Email, "via": via}}); err != nil {
		return err
	}
	return a.creditPendingTraining(ctx, tx, meta, acct)
}

// MarkEmailVerified confirms an account's address without a link or code.
// It exists for demonstration data only (portal demo), whose people have
// no mailbox; by names what did it, and it is audited like a confirmation.
func (a *App) MarkEmailVerified(
	ctx context.Context,
	meta portal.RequestMeta,
	by string,
	id portal.AccountID,
) (*portal.Account, error) {
	var acct *portal.Account
	err := a.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if acct, err = tx.FindAccountByIDForUpdate(ctx, id); err != nil || acct.EmailConfirmed() {
			return err
		}
		if err := tx.DiscardEmailConfirmations(ctx, id); err != nil {
			return err
		}
		return a.emailConfirmedTx(ctx, tx, meta, acct, portal.ActorSystem, by, "marked by "+by)
	})
	return acct, err
}
