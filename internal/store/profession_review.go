package store

import (
	"context"

	portal "github.com/bcgov-example/careconnect-portal"
)

// SetAccountProfession saves the profession and identifiers the CareConnect
// team placed an "Other" account under. It reports false when the account's
// profession was no longer "Other" (someone else decided first).
func (tx *Tx) SetAccountProfession(ctx context.Context, a *portal.Account) (bool, error) {
	return tx.changed(
		ctx,
		`UPDATE accounts SET profession = ?, nurse_licence = ?, msp_billing_number = ?, cpsid = ?,
		is_resident = ?, resident_route = ?, college_id = ?, other_profession = ?, updated_at = ?
		WHERE id = ? AND profession = 'other'`,
		string(
			a.Profession,
		),
		string(a.NurseLicence),
		a.MSPBillingNumber,
		a.CPSID,
		a.IsResident,
		string(a.ResidentRoute),
		a.CollegeID,
		a.OtherProfession,
		ms(a.UpdatedAt),
		int64(a.ID),
	)
}

// AddProfessionReview records a decision on an "Other" profession.
func (tx *Tx) AddProfessionReview(ctx context.Context, r *portal.ProfessionReview) error {
	id, err := tx.Insert(
		ctx,
		`INSERT INTO profession_reviews (account_id, outcome, described, profession, user_type, reason,
		decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		int64(
			r.AccountID,
		),
		r.Outcome,
		r.Described,
		string(r.Profession),
		string(r.UserType),
		r.Reason,
		r.DecidedBy,
		ms(r.DecidedAt),
	)
	if err != nil {
		return err
	}
	r.ID = id
	return nil
}

const professionReviewColumns = `id, account_id, outcome, described, profession, user_type,
	reason, decided_by, decided_at`

func scanProfessionReview(r rowScanner) (*portal.ProfessionReview, error) {
	var pr portal.ProfessionReview
	var acct, at int64
	var prof, ut string
	if err := r.Scan(&pr.ID, &acct, &pr.Outcome, &pr.Described, &prof, &ut, &pr.Reason,
		&pr.DecidedBy, &at); err != nil {
		return nil, mapError(err)
	}
	pr.AccountID, pr.Profession, pr.UserType, pr.DecidedAt = portal.AccountID(
		acct,
	), portal.Profession(
		prof,
	), portal.UserType(
		ut,
	), fromMS(
		at,
	)
	return &pr, nil
}

// FindProfessionReviews lists the decisions on an account's profession, newest first.
func (q Q) FindProfessionReviews(ctx context.Context, id portal.AccountID) ([]*portal.ProfessionReview, error) {
	rows, err := q.Query(ctx,
		"SELECT "+professionReviewColumns+" FROM profession_reviews WHERE account_id = ? ORDER BY id DESC", int64(id))
	if err != nil {
		return nil, err
	}
	return collect(rows, scanProfessionReview)
}

// FindLatestProfessionReview returns the newest decision on an account's
// profession, or nil when there is none.
func (q Q) FindLatestProfessionReview(ctx context.Context, id portal.AccountID) (*portal.ProfessionReview, error) {
	r, err := scanProfessionReview(q.QueryRow(ctx, "SELECT "+professionReviewColumns+
		" FROM profession_reviews WHERE account_id = ? ORDER BY id DESC LIMIT 1", int64(id)))
	if IsNotFound(err) {
		return nil, nil
	}
	return r, err
}

// FindAccountsAwaitingProfessionReview lists the accounts whose profession
// is "Other" and not declined, oldest first.
func (q Q) FindAccountsAwaitingProfessionReview(ctx context.Context) ([]*portal.Account, error) {
	rows, err := q.Query(ctx, "SELECT "+accountColumns+` FROM accounts WHERE profession = 'other' AND NOT EXISTS
		(SELECT 1 FROM profession_reviews r WHERE r.account_id = accounts.id AND r.outcome = 'declined')
		ORDER BY created_at, id`)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanAccount)
}
