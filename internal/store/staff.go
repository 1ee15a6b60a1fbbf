package store

import (
	"context"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
)

const staffColumns = `id, email, name, oidc_issuer, oidc_subject, roles, created_at, updated_at, last_sign_in_at`

func scanStaff(r rowScanner) (*portal.Staff, error) {
	var s portal.Staff
	var roles string
	var created, updated, signin int64
	if err := r.Scan(&s.ID, &s.Email, &s.Name, &s.Issuer, &s.Subject, &roles, &created, &updated, &signin); err != nil {
		return nil, mapError(err)
	}
	s.Roles = portal.ParseRoles(roles)
	s.CreatedAt, s.UpdatedAt, s.LastSignInAt = fromMS(created), fromMS(updated), fromMS(signin)
	return &s, nil
}

// FindStaffByEmail returns a staff member by email, any case.
func (q Q) FindStaffByEmail(ctx context.Context, email string) (*portal.Staff, error) {
	return scanStaff(q.QueryRow(ctx, "SELECT "+staffColumns+" FROM staff WHERE email_key = ?", portal.EmailKey(email)))
}

// FindStaffBySubject returns the staff member bound to an identity.
func (q Q) FindStaffBySubject(ctx context.Context, issuer, subject string) (*portal.Staff, error) {
	return scanStaff(q.QueryRow(ctx,
		"SELECT "+staffColumns+" FROM staff WHERE oidc_issuer = ? AND oidc_subject = ?", issuer, subject))
}

// FindStaffByID returns a staff member.
func (q Q) FindStaffByID(ctx context.Context, id portal.StaffID) (*portal.Staff, error) {
	return scanStaff(q.QueryRow(ctx, "SELECT "+staffColumns+" FROM staff WHERE id = ?", int64(id)))
}

// ListStaff lists the team.
func (q Q) ListStaff(ctx context.Context) ([]*portal.Staff, error) {
	rows, err := q.Query(ctx, "SELECT "+staffColumns+" FROM staff ORDER BY email_key")
	if err != nil {
		return nil, err
	}
	return collect(rows, scanStaff)
}

// SaveStaffRoles creates a staff member or replaces their roles.
func (tx *Tx) SaveStaffRoles(ctx context.Context, email string, roles []string, now time.Time) (*portal.Staff, error) {
	_, err := tx.Exec(ctx, `INSERT INTO staff (email, email_key, roles, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (email_key) DO UPDATE SET roles = excluded.roles, updated_at = excluded.updated_at`,
		email, portal.EmailKey(email), portal.RolesText(roles), ms(now), ms(now))
	if err != nil {
		return nil, err
	}
	return tx.FindStaffByEmail(ctx, email)
}

// BindStaffIdentity records who a staff member signs in as.
func (tx *Tx) BindStaffIdentity(ctx context.Context, id portal.StaffID, issuer, subject,
	name string, now time.Time) error {
	_, err := tx.Exec(
		ctx,
		"UPDATE staff SET oidc_issuer = ?, oidc_subject = ?, name = ?, last_sign_in_at = ?, updated_at = ? WHERE id = ?",
		issuer,
		subject,
		name,
		ms(now),
		ms(now),
		int64(id),
	)
	return err
}

// StaffSubjectKey is the email_key of a staff member granted a role by
// identity alone, without an email address: unique, and never an address.
func StaffSubjectKey(issuer, subject string) string { return "subject:" + issuer + "|" + subject }

// CreateStaffBySubject adds a staff member known by identity (issuer and
// subject) rather than by email, with roles.
func (tx *Tx) CreateStaffBySubject(ctx context.Context, issuer, subject string, roles []string,
	now time.Time) (*portal.Staff, error) {
	id, err := tx.Insert(ctx,
		`INSERT INTO staff (email, email_key, oidc_issuer, oidc_subject, roles, created_at, updated_at)
		VALUES ('', ?, ?, ?, ?, ?, ?)`, StaffSubjectKey(issuer,
			subject), issuer, subject, portal.RolesText(roles), ms(now), ms(now))
	if err != nil {
		return nil, err
	}
	return tx.FindStaffByID(ctx, portal.StaffID(id))
}

// SetStaffRoles replaces a staff member's roles.
func (tx *Tx) SetStaffRoles(ctx context.Context, id portal.StaffID, roles []string,
	now time.Time) (*portal.Staff, error) {
	if _, err := tx.Exec(ctx, "UPDATE staff SET roles = ?, updated_at = ? WHERE id = ?", portal.RolesText(roles),
		ms(now), int64(id)); err != nil {
		return nil, err
	}
	return tx.FindStaffByID(ctx, id)
}
