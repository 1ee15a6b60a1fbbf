package app

import (
	"context"
	"strconv"
	"strings"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

func staffRef(id portal.StaffID) string { return "staff:" + strconv.FormatInt(int64(id), 10) }

// GrantStaffRole gives a role to a member of the CareConnect team (created
// on first grant). by names who granted it, for the audit trail.
func (a *App) GrantStaffRole(
	ctx context.Context,
	meta portal.RequestMeta,
	by, email, role string,
) (*portal.Staff, error) {
	return a.changeStaffRole(ctx, meta, by, email, role, true)
}

// RevokeStaffRole removes a role.
func (a *App) RevokeStaffRole(
	ctx context.Context,
	meta portal.RequestMeta,
	by, email, role string,
) (*portal.Staff, error) {
	return a.changeStaffRole(ctx, meta, by, email, role, false)
}

func (a *App) changeStaffRole(
	ctx context.Context,
	meta portal.RequestMeta,
	by, email, role string,
	grant bool,
) (*portal.Staff, error) {
	email = strings.TrimSpace(email)
	fe := portal.FieldErrors{}
	validateEmailField(fe, "email", email)
	validateRoleChange(fe, by, role)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	var out *portal.Staff
	err := a.DB.InTx(ctx, func(tx *store.Tx) error {
		var roles []string
		cur, err := tx.FindStaffByEmail(ctx, email)
		switch {
		case err == nil:
			roles = cur.Roles
		case !store.IsNotFound(err):
			return err
		case !grant:
			return portal.Errorf(portal.ENOTFOUND, "%s is not a member of the CareConnect team.", email)
		}
		next, changed := changeRoles(roles, role, grant)
		if !changed {
			out = cur
			return nil
		}
		if out, err = tx.SaveStaffRoles(ctx, email, next, a.now()); err != nil {
			return err
		}
		return a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorStaff, actorID: by, action: roleChangeAction(grant),
			subjectKind: "staff", subjectID: staffRef(out.ID), details: map[string]string{"email": email, "role": role}})
	})
	return out, err
}

// StaffSignIn matches a signed-in identity to a member of the CareConnect
// team, by identity or (the first time) by email, and records the sign-in.
// The email only counts when the provider says it verified it. People
// without a role are refused, and the refusal is audited.
func (a *App) StaffSignIn(
	ctx context.Context,
	meta portal.RequestMeta,
	card portal.CardIdentity,
) (*portal.Staff, error) {
	var out *portal.Staff
	err := a.DB.InTx(ctx, func(tx *store.Tx) error {
		s, err := tx.FindStaffBySubject(ctx, card.Issuer, card.Subject)
		if store.IsNotFound(err) && card.Email != "" && card.EmailVerified {
			s, err = tx.FindStaffByEmail(ctx, card.Email)
			if err == nil && s.Subject != "" && (s.Subject != card.Subject || s.Issuer != card.Issuer) {
				err = portal.Errorf(portal.ENOTFOUND, "bound to another identity")
			}
		}
		if err != nil || len(s.Roles) == 0 {
			if aerr := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAnonymous, actorID: card.Subject,
				action: "staff.sign_in_refused", subjectKind: "identity", subjectID: card.Subject,
				details: map[string]any{"email": card.Email, "email_verified": card.EmailVerified, "issuer": card.Issuer}}); aerr != nil {
				return aerr
			}
			out = nil
			return nil
		}
		if err := tx.BindStaffIdentity(ctx, s.ID, card.Issuer, card.Subject, card.LegalName(), a.now()); err != nil {
			return err
		}
		out = s
		out.Name = card.LegalName()
		return a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorStaff, actorID: staffRef(s.ID),
			action: "staff.signed_in", subjectKind: "staff", subjectID: staffRef(s.ID)})
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, portal.Errorf(
			portal.EFORBIDDEN,
			"You are signed in, but you are not a member of the CareConnect team. Ask a back-office administrator to grant you a role.",
		)
	}
	return out, nil
}

// GrantStaffRoleBySubject gives a role to the person who signs in to the
// back office as subject at issuer, whatever email their provider sends
// (created on first grant). by names who granted it.
func (a *App) GrantStaffRoleBySubject(
	ctx context.Context,
	meta portal.RequestMeta,
	by, issuer, subject, role string,
) (*portal.Staff, error) {
	return a.changeStaffRoleBySubject(ctx, meta, by, issuer, subject, role, true)
}

// RevokeStaffRoleBySubject removes a role from the person known by subject.
func (a *App) RevokeStaffRoleBySubject(
	ctx context.Context,
	meta portal.RequestMeta,
	by, issuer, subject, role string,
) (*portal.Staff, error) {
	return a.changeStaffRoleBySubject(ctx, meta, by, issuer, subject, role, false)
}

func (a *App) changeStaffRoleBySubject(
	ctx context.Context,
	meta portal.RequestMeta,
	by, issuer, subject, role string,
	grant bool,
) (*portal.Staff, error) {
	issuer, subject = strings.TrimSpace(issuer), strings.TrimSpace(subject)
	fe := portal.FieldErrors{}
	if issuer == "" || subject == "" || strings.ContainsAny(issuer+subject, " \t\r\n") {
		fe.Add(
			"subject",
			"Give the identity as ISSUER|SUBJECT, for example https://login.example/realms/staff|8f14e45f.",
		)
	}
	validateRoleChange(fe, by, role)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	var out *portal.Staff
	err := a.DB.InTx(ctx, func(tx *store.Tx) error {
		cur, err := tx.FindStaffBySubject(ctx, issuer, subject)
		switch {
		case store.IsNotFound(err) && !grant:
			return portal.Errorf(portal.ENOTFOUND, "%s|%s is not a member of the CareConnect team.", issuer, subject)
		case store.IsNotFound(err):
			cur = nil
		case err != nil:
			return err
		}
		var roles []string
		if cur != nil {
			roles = cur.Roles
		}
		next, changed := changeRoles(roles, role, grant)
		if !changed {
			out = cur
			return nil
		}
		if cur == nil {
			out, err = tx.CreateStaffBySubject(ctx, issuer, subject, next, a.now())
		} else {
			out, err = tx.SetStaffRoles(ctx, cur.ID, next, a.now())
		}
		if err != nil {
			return err
		}
		return a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorStaff, actorID: by, action: roleChangeAction(grant),
			subjectKind: "staff", subjectID: staffRef(out.ID), details: map[string]string{"issuer": issuer, "subject": subject, "role": role}})
	})
	return out, err
}

// validateRoleChange checks the role granted or revoked and who says so.
func validateRoleChange(fe portal.FieldErrors, by, role string) {
	if !portal.ValidStaffRole(role) {
		fe.Add("role", "Choose a role: officer, auditor or administrator.")
	}
	if strings.TrimSpace(by) == "" {
		fe.Add("by", "Say who is making this change.")
	}
}

// roleChangeAction is the audit action of a role granted or revoked.
func roleChangeAction(grant bool) string {
	if grant {
		return "staff.role_granted"
	}
	return "staff.role_revoked"
}

// changeRoles adds or removes role and reports whether that changed anything.
func changeRoles(roles []string, role string, grant bool) ([]string, bool) {
	has := false
	var next []string
	for _, r := range roles {
		if r == role {
			has = true
			if !grant {
				continue
			}
		}
		next = append(next, r)
	}
	if grant && !has {
		next = append(next, role)
	}
	return next, has != grant
}

// StaffByID returns a staff member.
func (a *App) StaffByID(ctx context.Context, id portal.StaffID) (*portal.Staff, error) {
	return a.DB.Read().FindStaffByID(ctx, id)
}

// ListStaff lists the CareConnect team.
func (a *App) ListStaff(ctx context.Context) ([]*portal.Staff, error) {
	return a.DB.Read().ListStaff(ctx)
}
