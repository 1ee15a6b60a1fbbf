package app

import (
	"context"
	"strings"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/mail"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// ProfessionReviewQueue lists the people whose profession is "Other" and
// still waiting for the CareConnect team, oldest first.
func (a *App) ProfessionReviewQueue(ctx context.Context, staff *portal.Staff) ([]*portal.Account, error) {
	if err := requireOfficer(staff); err != nil {
		return nil, err
	}
	return a.DB.Read().FindAccountsAwaitingProfessionReview(ctx)
}

// ProfessionCase is what an officer sees to decide an "Other" profession.
type ProfessionCase struct {
	Account  *portal.Account
	Reviews  []*portal.ProfessionReview // newest first
	Awaiting bool                       // still to decide
}

// ProfessionReviewCase gathers a person's profession review for an
// officer, and records the view in the audit trail.
func (a *App) ProfessionReviewCase(
	ctx context.Context,
	meta portal.RequestMeta,
	staff *portal.Staff,
	id portal.AccountID,
) (*ProfessionCase, error) {
	if err := requireOfficer(staff); err != nil {
		return nil, err
	}
	acct, err := a.DB.Read().FindAccountByID(ctx, id)
	if store.IsNotFound(err) {
		return nil, notFoundPerson
	}
	if err != nil {
		return nil, err
	}
	c := &ProfessionCase{Account: acct}
	if c.Reviews, err = a.DB.Read().FindProfessionReviews(ctx, id); err != nil {
		return nil, err
	}
	var latest *portal.ProfessionReview
	if len(c.Reviews) > 0 {
		latest = c.Reviews[0]
	}
	c.Awaiting = portal.AwaitingProfessionReview(acct, latest)
	if err := a.viewedPerson(ctx, meta, staff, id, "profession_review", nil); err != nil {
		return nil, err
	}
	return c, nil
}

var errProfessionDecided = portal.Errorf(portal.ECONFLICT,
	"This person's profession has already been decided; see the decision below.")

// lockAwaitingReview locks the account inside tx and checks that its
// profession is still waiting for the team.
func lockAwaitingReview(ctx context.Context, tx *store.Tx, id portal.AccountID) (*portal.Account, error) {
	acct, err := tx.FindAccountByIDForUpdate(ctx, id)
	if store.IsNotFound(err) {
		return nil, notFoundPerson
	}
	if err != nil {
		return nil, err
	}
	latest, err := tx.FindLatestProfessionReview(ctx, id)
	if err != nil {
		return nil, err
	}
	if !portal.AwaitingProfessionReview(acct, latest) {
		return nil, errProfessionDecided
	}
	return acct, nil
}

// PlaceProfession sets the profession (and so the user type) of a person
// who described an "Other" profession, with its identifiers. The change,
// its audit row and the email to the person are one transaction.
func (a *App) PlaceProfession(ctx context.Context, meta portal.RequestMeta, staff *portal.Staff, id portal.AccountID,
	in portal.ProfessionPlacement) (*portal.Account, error) {
	if err := requireOfficer(staff); err != nil {
		return nil, err
	}
	in.Normalize()
	if err := in.Validate().Err(); err != nil {
		return nil, err
	}
	ref, now := staffRef(staff.ID), a.now()
	var placed *portal.Account
	err := a.DB.InTx(ctx, func(tx *store.Tx) error {
		acct, err := lockAwaitingReview(ctx, tx, id)
		if err != nil {
			return err
		}
		described := acct.OtherProfession
		in.Apply(acct)
		acct.UpdatedAt = now
		ok, err := tx.SetAccountProfession(ctx, acct)
		if err != nil {
			return err
		}
		if !ok {
			return errProfessionDecided
		}
		ut := acct.UserType()
		if err := tx.AddProfessionReview(ctx, &portal.ProfessionReview{AccountID: id, Outcome: portal.ReviewPlaced,
			Described: described, Profession: acct.Profession, UserType: ut, Reason: in.Note, DecidedBy: ref, DecidedAt: now}); err != nil {
			return err
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorStaff, actorID: ref, action: "account.profession_placed",
			subjectKind: "account", subjectID: accountRef(id),
			details: map[string]any{"described": described, "profession": acct.Profession, "nurse_licence": acct.NurseLicence,
				"resident": acct.IsResident, "user_type": ut, "note": in.Note}}); err != nil {
			return err
		}
		placed = acct
		return a.enqueue(ctx, tx, "profession_reviewed", acct.Email, acct.ID, mail.ProfessionReviewed{
			Common: a.common(acct.DisplayName()), Described: described, Profession: acct.ProfessionLabel(),
			UserType: ut.Label(), Meaning: ut.Description(), Reason: in.Note, MenuURL: a.Config.BaseURL + "/menu"})
	})
	if err != nil {
		return nil, err
	}
	return placed, nil
}

// DeclineProfession records that a person who described an "Other"
// profession cannot be granted CareConnect access, with the reason they
// are emailed; audited in the same transaction.
func (a *App) DeclineProfession(
	ctx context.Context,
	meta portal.RequestMeta,
	staff *portal.Staff,
	id portal.AccountID,
	reason string,
) error {
	if err := requireOfficer(staff); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if err := portal.ValidateReason(reason, true); err != nil {
		return err
	}
	ref, now := staffRef(staff.ID), a.now()
	return a.DB.InTx(ctx, func(tx *store.Tx) error {
		acct, err := lockAwaitingReview(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := tx.AddProfessionReview(ctx, &portal.ProfessionReview{AccountID: id, Outcome: portal.ReviewDeclined,
			Described: acct.OtherProfession, Reason: reason, DecidedBy: ref, DecidedAt: now}); err != nil {
			return err
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorStaff, actorID: ref, action: "account.profession_declined",
			subjectKind: "account", subjectID: accountRef(id),
			details: map[string]any{"described": acct.OtherProfession, "reason": reason}}); err != nil {
			return err
		}
		return a.enqueue(ctx, tx, "profession_reviewed", acct.Email, acct.ID, mail.ProfessionReviewed{
			Common: a.common(acct.DisplayName()), Described: acct.OtherProfession, Declined: true, Reason: reason,
			MenuURL: a.Config.BaseURL + "/menu"})
	})
}
