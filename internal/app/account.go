package app

import (
	"context"
	"fmt"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/mail"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// passwordHistoryDepth is how many earlier passwords cannot be reused.
const passwordHistoryDepth = 5

// SignIn records that a card identity signed in and returns its account,
// or nil when the person has not registered yet. The card is the source of
// truth for legal names, so they are refreshed here.
func (a *App) SignIn(ctx context.Context, meta portal.RequestMeta, card portal.CardIdentity) (*portal.Account, error) {
	var acct *portal.Account
	err := a.DB.InTx(ctx, func(tx *store.Tx) error {
		found, err := tx.FindAccountBySubject(ctx, card.Issuer, card.Subject)
		if err != nil && !store.IsNotFound(err) {
			return err
		}
		ev := auditEvent{actorKind: portal.ActorAnonymous, actorID: card.Subject, action: "session.signed_in",
			subjectKind: "identity", subjectID: card.Subject, details: map[string]string{"issuer": card.Issuer}}
		if found != nil {
			acct = found
			if err := tx.RecordSignIn(ctx, found.ID, a.now()); err != nil {
				return err
			}
			ev.actorKind, ev.actorID = portal.ActorAccount, accountRef(found.ID)
			ev.subjectKind, ev.subjectID = "account", accountRef(found.ID)
			if err := tx.TouchAccountActive(ctx, found.ID, a.now()); err != nil {
				return err
			}
			if found.GivenNames != card.GivenNames || found.Surname != card.Surname ||
				(card.BirthDate != "" && found.BirthDate != card.BirthDate) {
				bd := found.BirthDate
				if card.BirthDate != "" {
					bd = card.BirthDate
				}
				if err := tx.UpdateAccountLegalNames(ctx, found.ID, card.GivenNames, card.Surname, bd, a.now()); err != nil {
					return err
				}
				ev.details = map[string]string{"issuer": card.Issuer, "legal_names": "updated from the card"}
				found.GivenNames, found.Surname, found.BirthDate = card.GivenNames, card.Surname, bd
			}
		}
		return a.audit(ctx, tx, meta, ev)
	})
	return acct, err
}

// SignInRefused records a sign-in the provider's answer did not complete
// (a wrong state or nonce, a tampered or unexchangeable token, a refusal at
// the provider). staff says which sign-in it was; reason is a short code.
// Only answers to a sign-in this portal started are recorded, so a stream
// of forged callbacks costs an attacker the sign-in start's rate limit.
func (a *App) SignInRefused(
	ctx context.Context,
	meta portal.RequestMeta,
	issuer string,
	staff bool,
	reason string,
) error {
	action := "session.sign_in_refused"
	if staff {
		action = "staff.sign_in_refused"
	}
	return a.DB.InTx(ctx, func(tx *store.Tx) error {
		return a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAnonymous, action: action,
			subjectKind: "identity", details: map[string]string{"issuer": issuer, "reason": reason}})
	})
}

// EndOtherSessions signs a person out of every browser but the one asking
// (keep, its session's id hash) and returns how many sessions it ended.
func (a *App) EndOtherSessions(
	ctx context.Context,
	meta portal.RequestMeta,
	id portal.AccountID,
	keep string,
) (int64, error) {
	var ended int64
	err := a.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if ended, err = tx.DeleteOtherAccountSessions(ctx, id, keep); err != nil {
			return err
		}
		return a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(id),
			action: "session.ended_elsewhere", subjectKind: "account", subjectID: accountRef(id),
			details: map[string]int64{"sessions_ended": ended}})
	})
	return ended, err
}

// SignOut records the end of a session.
func (a *App) SignOut(ctx context.Context, meta portal.RequestMeta, id portal.AccountID) error {
	return a.DB.InTx(ctx, func(tx *store.Tx) error {
		return a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(id),
			action: "session.signed_out", subjectKind: "account", subjectID: accountRef(id)})
	})
}

// Account returns a person's own account.
func (a *App) Account(ctx context.Context, id portal.AccountID) (*portal.Account, error) {
	return a.DB.Read().FindAccountByID(ctx, id)
}

// SuggestUsername proposes a free username from a person's names.
func (a *App) SuggestUsername(ctx context.Context, first, last string) string {
	base := portal.SuggestUsername(first, last)
	if base == "" {
		return ""
	}
	cand := base
	for i := 2; i < 100; i++ {
		taken, err := a.DB.Read().UsernameTaken(ctx, cand)
		if err != nil || !taken {
			return cand
		}
		cand = fmt.Sprintf("%s%d", base, i)
	}
	return base
}

// Register creates the HxBC account of a signed-in card identity.
func (a *App) Register(
	ctx context.Context,
	meta portal.RequestMeta,
	card portal.CardIdentity,
	in portal.RegistrationInput,
) (*portal.Account, error) {
	in.Normalize()
	if p := portal.Profession(in.Profession); !portal.ProfessionEligible(p) {
		if _, listed := portal.LookupProfession(p); listed {
			return nil, portal.ErrProfessionNotEligible(p)
		}
	}
	if in.NeedsHealthAuthorityRoute() {
		return nil, portal.Errorf(
			portal.EINVALID,
			"People with a VCH, PHSA or PHC network account request CareConnect through their health authority.",
		)
	}
	fe := in.Validate()
	in.Clean()
	acct := &portal.Account{
		Issuer: card.Issuer, Subject: card.Subject, GivenNames: card.GivenNames, Surname: card.Surname, BirthDate: card.BirthDate,
		PreferredFirstName: in.PreferredFirstName, PreferredLastName: in.PreferredLastName,
		Profession: portal.Profession(in.Profession), NurseLicence: portal.NurseLicence(in.NurseLicence),
		MSPBillingNumber: in.MSPBillingNumber, CPSID: in.CPSID, IsResident: in.Resident == "yes",
		CollegeID: in.CollegeID, OtherProfession: in.OtherProfession,
		Email: in.Email, Username: in.Username, Status: portal.AccountActive,
	}
	if p, err := portal.NormalizePhone(in.Phone); err == nil {
		acct.Phone = p
	}
	if in.Mobile != "" {
		if p, err := portal.NormalizePhone(in.Mobile); err == nil {
			acct.Mobile = p
		}
	}
	if _, bad := fe["password"]; !bad {
		if err := portal.CheckPassword(in.Password, in.ConfirmPassword, acct.PasswordInfo()); err != nil {
			pfe, _ := portal.AsFieldErrors(err)
			for k, v := range pfe {
				fe.Add(k, v)
			}
		}
	}
	// Friendly uniqueness checks; the unique indexes decide races below.
	if _, bad := fe["email"]; !bad {
		if taken, err := a.DB.Read().EmailTaken(ctx, in.Email, 0); err != nil {
			return nil, err
		} else if taken {
			fe.Add("email", "This email address is already used by another account. Each person needs their own address.")
		}
	}
	if _, bad := fe["username"]; !bad {
		if taken, err := a.DB.Read().UsernameTaken(ctx, in.Username); err != nil {
			return nil, err
		} else if taken {
			fe.Add("username", "That username is taken. Choose another.")
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	hash, err := a.Hasher.Hash(ctx, in.Password)
	if err != nil {
		return nil, err
	}
	now := a.now()
	acct.PasswordHash, acct.PasswordChangedAt, acct.CreatedAt, acct.UpdatedAt = hash, now, now, now
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateAccount(ctx, acct); err != nil {
			return err
		}
		if err := tx.AddPasswordHistory(ctx, acct.ID, hash, now); err != nil {
			return err
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(acct.ID),
			action: "account.registered", subjectKind: "account", subjectID: accountRef(acct.ID),
			details: map[string]any{"username": acct.Username, "profession": acct.Profession, "email": acct.Email,
				"manual_review": acct.Profession == portal.ProfOther}}); err != nil {
			return err
		}
		confirm, secrets, err := a.startEmailConfirmation(
			ctx,
			tx,
			meta,
			acct,
			portal.ActorAccount,
			accountRef(acct.ID),
			confirmOnRegistration,
		)
		if err != nil {
			return err
		}
		return a.enqueue(ctx, tx, "account_created", acct.Email, acct.ID, mail.AccountCreated{
			Common: a.common(acct.LegalName()), Username: acct.Username, Confirm: confirm}, secrets...)
	})
	switch {
	case store.IsConflictOn(err, "email"):
		return nil, portal.FieldErrors{
			"email": "This email address is already used by another account. Each person needs their own address.",
		}
	case store.IsConflictOn(err, "username"):
		return nil, portal.FieldErrors{"username": "That username is taken. Choose another."}
	case store.IsConflictOn(err, "subject", "oidc"):
		return nil, portal.Errorf(portal.ECONFLICT, "You already have an HxBC account. Sign in again to continue.")
	case err != nil:
		return nil, err
	}
	return acct, nil
}

// EmailUsername sends a person their username ("Forgot my username").
func (a *App) EmailUsername(ctx context.Context, meta portal.RequestMeta, id portal.AccountID) error {
	return a.DB.InTx(ctx, func(tx *store.Tx) error {
		acct, err := tx.FindAccountByID(ctx, id)
		if err != nil {
			return err
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(id),
			action: "account.username_emailed", subjectKind: "account", subjectID: accountRef(id)}); err != nil {
			return err
		}
		return a.enqueue(ctx, tx, "username_reminder", acct.Email, acct.ID, mail.UsernameReminder{
			Common: a.common(acct.DisplayName()), Username: acct.Username})
	})
}

// ChangePassword sets a new HxBC password under the policy and history,
// for a person who signed in with the card within
// portal.PasswordChangeSignInMax (in.SignedInAt).
func (a *App) ChangePassword(
	ctx context.Context,
	meta portal.RequestMeta,
	id portal.AccountID,
	in portal.PasswordChangeInput,
) error {
	if err := portal.CheckPasswordChangeSignIn(in.SignedInAt, a.now()); err != nil {
		return err
	}
	acct, err := a.DB.Read().FindAccountByID(ctx, id)
	if err != nil {
		return err
	}
	if err := portal.CheckPassword(in.Password, in.ConfirmPassword, acct.PasswordInfo()); err != nil {
		return err
	}
	history, err := a.DB.Read().RecentPasswordHashes(ctx, id, passwordHistoryDepth)
	if err != nil {
		return err
	}
	for _, h := range history {
		same, err := a.Hasher.Verify(ctx, h, in.Password)
		if err != nil {
			return err
		}
		if same {
			return portal.FieldErrors{"password": portal.PasswordReusedMessage}
		}
	}
	hash, err := a.Hasher.Hash(ctx, in.Password)
	if err != nil {
		return err
	}
	now := a.now()
	return a.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.SetAccountPassword(ctx, id, hash, now); err != nil {
			return err
		}
		// Whoever else is signed in as this person, perhaps with the old
		// password's help, is signed out.
		ended, err := tx.DeleteOtherAccountSessions(ctx, id, in.KeepSession)
		if err != nil {
			return err
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(id),
			action: "account.password_changed", subjectKind: "account", subjectID: accountRef(id),
			details: map[string]int64{"other_sessions_ended": ended}}); err != nil {
			return err
		}
		return a.enqueue(ctx, tx, "password_changed", acct.Email, acct.ID, mail.PasswordChanged{
			Common: a.common(
				acct.DisplayName(),
			), Username: acct.Username, ChangedAt: now.In(portal.Pacific()).Format("2 Jan 2006 at 3:04 PM MST")})
	})
}

// UpdateContact saves "Update My Information". When the email changes, the
// old address is told too, and the new one is unconfirmed until its owner
// confirms it: the email to it carries the link and the code.
func (a *App) UpdateContact(
	ctx context.Context,
	meta portal.RequestMeta,
	id portal.AccountID,
	in portal.ContactInput,
) error {
	in.Normalize()
	fe := in.Validate()
	if _, bad := fe["email"]; !bad {
		if taken, err := a.DB.Read().EmailTaken(ctx, in.Email, id); err != nil {
			return err
		} else if taken {
			fe.Add("email", "This email address is already used by another account. Each person needs their own address.")
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	err := a.DB.InTx(ctx, func(tx *store.Tx) error {
		acct, err := tx.FindAccountByIDForUpdate(ctx, id)
		if err != nil {
			return err
		}
		before := *acct
		acct.PreferredFirstName, acct.PreferredLastName, acct.Email = in.PreferredFirstName, in.PreferredLastName, in.Email
		acct.Phone, _ = portal.NormalizePhone(in.Phone)
		acct.Mobile = ""
		if in.Mobile != "" {
			acct.Mobile, _ = portal.NormalizePhone(in.Mobile)
		}
		changes := contactChanges(&before, acct)
		if len(changes) == 0 {
			return nil
		}
		acct.UpdatedAt = a.now()
		if err := tx.UpdateAccountContact(ctx, acct); err != nil {
			return err
		}
		emailChanged := portal.EmailKey(before.Email) != portal.EmailKey(acct.Email)
		details := map[string]map[string]string{}
		for _, c := range changes {
			details[c.Field] = map[string]string{"old": c.Old, "new": c.New}
			if c.Field == emailField {
				// The old address is not kept, only a fingerprint of it.
				details[c.Field]["old"] = emailFingerprint(c.Old)
			}
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(id),
			action: "account.contact_updated", subjectKind: "account", subjectID: accountRef(id), details: details}); err != nil {
			return err
		}
		if err := a.provisioningTouch(ctx, tx, acct.ID, "contact"); err != nil {
			return err
		}
		toNew := mail.ContactChanged{Common: a.common(acct.DisplayName()), Changes: changes}
		var secrets []string
		if emailChanged {
			if err := tx.DiscardEmailConfirmations(ctx, id); err != nil {
				return err
			}
			acct.EmailVerifiedAt = time.Time{}
			if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(id),
				action: "account.email_changed", subjectKind: "account", subjectID: accountRef(id),
				details: map[string]any{"old_email": emailFingerprint(before.Email), "new_email": acct.Email,
					"old_was_confirmed": before.EmailConfirmed()}}); err != nil {
				return err
			}
			confirm, s, err := a.startEmailConfirmation(
				ctx,
				tx,
				meta,
				acct,
				portal.ActorAccount,
				accountRef(id),
				confirmOnEmailChange,
			)
			if err != nil {
				return err
			}
			toNew.Confirm, secrets = &confirm, s
		}
		if err := a.enqueue(ctx, tx, "contact_changed", acct.Email, acct.ID, toNew, secrets...); err != nil {
			return err
		}
		if emailChanged {
			return a.enqueue(ctx, tx, "contact_changed", before.Email, acct.ID, mail.ContactChanged{
				Common: a.common(acct.DisplayName()), Changes: changes, ToOldAddress: true})
		}
		return nil
	})
	if store.IsConflictOn(err, "email") {
		return portal.FieldErrors{
			"email": "This email address is already used by another account. Each person needs their own address.",
		}
	}
	return err
}

// emailField labels the email address among the contact changes.
const emailField = "Email address"

func contactChanges(before, after *portal.Account) []mail.FieldChange {
	var out []mail.FieldChange
	add := func(field, old, new string) {
		if old != new {
			out = append(out, mail.FieldChange{Field: field, Old: old, New: new})
		}
	}
	add("Preferred first name", before.PreferredFirstName, after.PreferredFirstName)
	add("Preferred last name", before.PreferredLastName, after.PreferredLastName)
	add(emailField, before.Email, after.Email)
	add("Phone number", portal.FormatPhone(before.Phone), portal.FormatPhone(after.Phone))
	add("Mobile number", portal.FormatPhone(before.Mobile), portal.FormatPhone(after.Mobile))
	return out
}
