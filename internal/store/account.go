package store

import (
	"context"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
)

const accountColumns = `id, oidc_issuer, oidc_subject, given_names, surname, birth_date, preferred_first_name,
	preferred_last_name, profession, nurse_licence, msp_billing_number, cpsid, is_resident, college_id,
	other_profession, email, phone, mobile, username, password_hash, password_changed_at, status, created_at,
		updated_at, resident_route,
	email_verified_at`

type rowScanner interface{ Scan(dest ...any) error }

func scanAccount(r rowScanner) (*portal.Account, error) {
	var a portal.Account
	var pwAt, created, updated, verified int64
	var prof, lic, route string
	err := r.Scan(
		&a.ID,
		&a.Issuer,
		&a.Subject,
		&a.GivenNames,
		&a.Surname,
		&a.BirthDate,
		&a.PreferredFirstName,
		&a.PreferredLastName,
		&prof,
		&lic,
		&a.MSPBillingNumber,
		&a.CPSID,
		&a.IsResident,
		&a.CollegeID,
		&a.OtherProfession,
		&a.Email,
		&a.Phone,
		&a.Mobile,
		&a.Username,
		&a.PasswordHash,
		&pwAt,
		&a.Status,
		&created,
		&updated,
		&route,
		&verified,
	)
	if err != nil {
		return nil, mapError(err)
	}
	a.Profession = portal.Profession(prof)
	a.NurseLicence = portal.NurseLicence(lic)
	a.ResidentRoute = portal.ResidentRoute(route)
	a.PasswordChangedAt, a.CreatedAt, a.UpdatedAt = fromMS(pwAt), fromMS(created), fromMS(updated)
	a.EmailVerifiedAt = fromMS(verified)
	return &a, nil
}

// CreateAccount inserts a new account and returns its id. A duplicate email,
// username or identity gives a *ConflictError naming the index.
func (tx *Tx) CreateAccount(ctx context.Context, a *portal.Account) error {
	id, err := tx.Insert(ctx, `INSERT INTO accounts (oidc_issuer, oidc_subject, given_names, surname, birth_date,
		preferred_first_name, preferred_last_name, profession, nurse_licence, msp_billing_number, cpsid, is_resident,
		college_id, other_profession, email, email_key, phone, mobile, username, password_hash, password_changed_at,
		status, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		a.Issuer, a.Subject, a.GivenNames, a.Surname, a.BirthDate, a.PreferredFirstName, a.PreferredLastName,
		string(a.Profession), string(a.NurseLicence), a.MSPBillingNumber, a.CPSID, a.IsResident, a.CollegeID,
		a.OtherProfession, a.Email, portal.EmailKey(a.Email), a.Phone, a.Mobile, a.Username, a.PasswordHash,
		ms(a.PasswordChangedAt), a.Status, ms(a.CreatedAt), ms(a.UpdatedAt))
	if err != nil {
		return err
	}
	a.ID = portal.AccountID(id)
	return nil
}

// FindAccountByID returns one account.
func (q Q) FindAccountByID(ctx context.Context, id portal.AccountID) (*portal.Account, error) {
	return scanAccount(q.QueryRow(ctx, "SELECT "+accountColumns+" FROM accounts WHERE id = ?", int64(id)))
}

// FindAccountByIDForUpdate returns one account and, on PostgreSQL, locks it
// until the transaction ends.
func (tx *Tx) FindAccountByIDForUpdate(ctx context.Context, id portal.AccountID) (*portal.Account, error) {
	return scanAccount(tx.QueryRow(ctx,
		"SELECT "+accountColumns+" FROM accounts WHERE id = ?"+tx.forUpdate(), int64(id)))
}

// FindAccountBySubject returns the account of a card identity.
func (q Q) FindAccountBySubject(ctx context.Context, issuer, subject string) (*portal.Account, error) {
	return scanAccount(q.QueryRow(ctx,
		"SELECT "+accountColumns+" FROM accounts WHERE oidc_issuer = ? AND oidc_subject = ?", issuer, subject))
}

// FindAccountByEmail returns the account using an email address, any case.
func (q Q) FindAccountByEmail(ctx context.Context, email string) (*portal.Account, error) {
	return scanAccount(q.QueryRow(ctx,
		"SELECT "+accountColumns+" FROM accounts WHERE email_key = ?", portal.EmailKey(email)))
}

// UsernameTaken reports whether a username is in use.
func (q Q) UsernameTaken(ctx context.Context, username string) (bool, error) {
	var n int
	err := q.QueryRow(ctx, "SELECT COUNT(*) FROM accounts WHERE username = ?", username).Scan(&n)
	return n > 0, err
}

// EmailTaken reports whether an email address is used by an account other than except.
func (q Q) EmailTaken(ctx context.Context, email string, except portal.AccountID) (bool, error) {
	var n int
	err := q.QueryRow(ctx, "SELECT COUNT(*) FROM accounts WHERE email_key = ? AND id <> ?",
		portal.EmailKey(email), int64(except)).Scan(&n)
	return n > 0, err
}

// SetResidentRoute records a resident's choice of route.
func (tx *Tx) SetResidentRoute(ctx context.Context, id portal.AccountID,
	route portal.ResidentRoute, now time.Time) error {
	_, err := tx.Exec(ctx, "UPDATE accounts SET resident_route = ?, updated_at = ? WHERE id = ?",
		string(route), ms(now), int64(id))
	return err
}

// UpdateAccountLegalNames refreshes the names and birth date from the card.
func (tx *Tx) UpdateAccountLegalNames(ctx context.Context, id portal.AccountID, given, surname,
	birthDate string, now time.Time) error {
	_, err := tx.Exec(ctx,
		"UPDATE accounts SET given_names = ?, surname = ?, birth_date = ?, updated_at = ? WHERE id = ?",
		given, surname, birthDate, ms(now), int64(id))
	return err
}

// UpdateAccountContact saves the contact details of "Update My Information".
// A new email address (not merely another case of it) is unconfirmed.
func (tx *Tx) UpdateAccountContact(ctx context.Context, a *portal.Account) error {
	key := portal.EmailKey(a.Email)
	_, err := tx.Exec(ctx,
		`UPDATE accounts SET preferred_first_name = ?, preferred_last_name = ?, email = ?, email_key = ?,
		email_verified_at = CASE WHEN email_key = ? THEN email_verified_at ELSE 0 END,
		phone = ?, mobile = ?, updated_at = ? WHERE id = ?`,
		a.PreferredFirstName, a.PreferredLastName, a.Email, key, key, a.Phone, a.Mobile, ms(a.UpdatedAt), int64(a.ID))
	return err
}

// SetEmailVerified records that the owner confirmed the account's address,
// provided it is still email. It reports whether it did.
func (tx *Tx) SetEmailVerified(ctx context.Context, id portal.AccountID, email string, now time.Time) (bool, error) {
	return tx.changed(ctx, "UPDATE accounts SET email_verified_at = ?, updated_at = ? WHERE id = ? AND email_key = ?",
		ms(now), ms(now), int64(id), portal.EmailKey(email))
}

// SetAccountPassword stores a new password hash and keeps the old one in the history.
func (tx *Tx) SetAccountPassword(ctx context.Context, id portal.AccountID, hash string, now time.Time) error {
	if _, err := tx.Exec(ctx,
		"UPDATE accounts SET password_hash = ?, password_changed_at = ?, updated_at = ? WHERE id = ?",
		hash, ms(now), ms(now), int64(id)); err != nil {
		return err
	}
	return tx.AddPasswordHistory(ctx, id, hash, now)
}

// AddPasswordHistory records a password hash as used.
func (tx *Tx) AddPasswordHistory(ctx context.Context, id portal.AccountID, hash string, now time.Time) error {
	_, err := tx.Exec(ctx, "INSERT INTO password_history (account_id, password_hash, created_at) VALUES (?, ?, ?)",
		int64(id), hash, ms(now))
	return err
}

// RecentPasswordHashes returns the last n password hashes, newest first.
func (q Q) RecentPasswordHashes(ctx context.Context, id portal.AccountID, n int) ([]string, error) {
	rows, err := q.Query(ctx,
		"SELECT password_hash FROM password_history WHERE account_id = ? ORDER BY id DESC LIMIT ?", int64(id), n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// IsNotFound reports whether err means "no such row".
func IsNotFound(err error) bool { return err != nil && isNotFound(err) }
