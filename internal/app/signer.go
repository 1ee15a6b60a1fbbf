package app

import (
	"context"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/secret"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// RegisterSigner creates a signer-only account for a person who followed a
// worksite's emailed declaration link and signed in with the BC Services
// Card, without the practitioner's HxBC account form. Only the person named
// as signer may: their card's legal name must match the name the
// registrant gave, and the link (sent to the signer's address) stands for
// that address, which the account is given as confirmed.
func (a *App) RegisterSigner(
	ctx context.Context,
	meta portal.RequestMeta,
	card portal.CardIdentity,
	token string,
) (*portal.Account, *portal.Worksite, error) {
	if token == "" {
		return nil, nil, portal.Errorf(
			portal.ENOTFOUND,
			"Open the link from the email that asked you to sign the declaration.",
		)
	}
	w, err := a.DB.Read().FindWorksiteBySignerToken(ctx, secret.Hash(token))
	if err != nil {
		return nil, nil, portal.Errorf(
			portal.ENOTFOUND,
			"This declaration link is not valid: it may have been used already. Ask the person who registered the worksite to check its status.",
		)
	}
	legal := card.LegalName()
	if !portal.SameLegalName(w.SignerName, legal) {
		return nil, nil, portal.Errorf(
			portal.EFORBIDDEN,
			"The %s for %s is to be signed by %s, and the BC Services Card you signed in with is %s's. Ask %s to open the link, or contact the CareConnect team.",
			portal.DeclarationTitle,
			w.Name,
			w.SignerName,
			legal,
			w.SignerName,
		)
	}
	if taken, err := a.DB.Read().EmailTaken(ctx, w.SignerEmail, 0); err != nil {
		return nil, nil, err
	} else if taken {
		return nil, nil, portal.Errorf(portal.ECONFLICT, "An HxBC account already uses %s. Sign in with the BC Services Card of that account to sign the declaration.", w.SignerEmail)
	}
	now := a.now()
	acct := &portal.Account{
		Issuer:            card.Issuer,
		Subject:           card.Subject,
		GivenNames:        card.GivenNames,
		Surname:           card.Surname,
		BirthDate:         card.BirthDate,
		Profession:        portal.ProfSignerOnly,
		Email:             w.SignerEmail,
		Username:          signerUsername(),
		Status:            portal.AccountActive,
		PasswordChangedAt: now,
		CreatedAt:         now,
		UpdatedAt:         now,
	}
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateAccount(ctx, acct); err != nil {
			return err
		}
		if _, err := tx.SetEmailVerified(ctx, acct.ID, acct.Email, now); err != nil {
			return err
		}
		return a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(acct.ID),
			action: "account.signer_registered", subjectKind: "account", subjectID: accountRef(acct.ID), worksiteID: int64(w.ID),
			details: map[string]string{"email": acct.Email, "via": portal.GrantViaLink, "worksite": worksiteRef(w.ID)}})
	})
	switch {
	case store.IsConflictOn(err, "subject", "oidc"):
		return nil, nil, portal.Errorf(portal.ECONFLICT, "You already have an HxBC account. Sign in again to continue.")
	case store.IsConflictOn(err, "email"):
		return nil, nil, portal.Errorf(
			portal.ECONFLICT,
			"An HxBC account already uses %s. Sign in with the BC Services Card of that account to sign the declaration.",
			w.SignerEmail,
		)
	case err != nil:
		return nil, nil, err
	}
	acct.EmailVerifiedAt = now
	return acct, w, nil
}

// signerUsername is a signer-only account's placeholder username: it is
// never shown and starts with "~", which the form does not allow, so it
// never takes a name a practitioner could choose.
func signerUsername() string {
	return "~signer-" + secret.Hex(8)
}
