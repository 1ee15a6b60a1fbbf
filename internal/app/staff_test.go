package app_test

import (
	"strings"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

const staffRefused = "You are signed in, but you are not a member of the CareConnect team. Ask a back-office administrator to grant you a role."

// A role granted by email reaches only the person whose provider says it
// verified that email; a role granted by subject reaches that identity.
func TestApp_StaffSignInEmailMustBeVerified(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		if _, err := a.GrantStaffRole(ctx, meta, "test", "olivia@gov.test", portal.RoleOfficer); err != nil {
			t.Fatal(err)
		}
		id := portal.CardIdentity{
			Issuer:     "https://staff-idp.test",
			Subject:    "someone-else",
			GivenNames: "Mallory",
			Surname:    "TAKER",
			Email:      "olivia@gov.test",
		}
		_, err := a.StaffSignIn(ctx, meta, id)
		wantMessage(t, err, portal.EFORBIDDEN, staffRefused)
		evs, _ := db.Read().FindAuditEvents(ctx, store.AuditFilter{SubjectKind: "identity", SubjectID: "someone-else"})
		if len(evs) != 1 || evs[0].Action != "staff.sign_in_refused" ||
			!strings.Contains(evs[0].Details, `"email_verified":false`) {
			t.Fatalf("refusal audited as %+v", evs)
		}

		olivia := portal.CardIdentity{
			Issuer:        "https://staff-idp.test",
			Subject:       "olivia-sub",
			GivenNames:    "Olivia",
			Surname:       "OFFICER",
			Email:         "olivia@gov.test",
			EmailVerified: true,
		}
		s, err := a.StaffSignIn(ctx, meta, olivia)
		if err != nil || !s.Has(portal.RoleOfficer) {
			t.Fatalf("%+v %v", s, err)
		}
		if bound, _ := a.StaffByID(ctx, s.ID); bound.Subject != "olivia-sub" {
			t.Fatalf("bound to %q", bound.Subject)
		}
		// Once bound, the identity signs in whatever email its provider sends.
		olivia.Email, olivia.EmailVerified = "", false
		if s, err := a.StaffSignIn(ctx, meta, olivia); err != nil || !s.Has(portal.RoleOfficer) {
			t.Fatalf("bound identity: %+v %v", s, err)
		}
		// And the bound row no longer answers to its email from another identity.
		id.EmailVerified = true
		_, err = a.StaffSignIn(ctx, meta, id)
		wantMessage(t, err, portal.EFORBIDDEN, staffRefused)
	})
}

func TestApp_StaffRoleBySubject(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		_, err := a.GrantStaffRoleBySubject(ctx, meta, "", "https://staff-idp.test", "", "wizard")
		fe, _ := portal.AsFieldErrors(err)
		if fe["subject"] == "" || fe["role"] != "Choose a role: officer, auditor or administrator." ||
			fe["by"] != "Say who is making this change." {
			t.Fatalf("got %v", err)
		}
		s, err := a.GrantStaffRoleBySubject(
			ctx,
			meta,
			"ada.admin",
			"https://staff-idp.test",
			"aaron-sub",
			portal.RoleAuditor,
		)
		if err != nil || s.Email != "" || s.Issuer != "https://staff-idp.test" || s.Subject != "aaron-sub" ||
			!s.Has(portal.RoleAuditor) {
			t.Fatalf("%+v %v", s, err)
		}
		evs, _ := db.Read().FindAuditEvents(ctx, store.AuditFilter{ActorKind: portal.ActorStaff, ActorID: "ada.admin"})
		if len(evs) != 1 || evs[0].Action != "staff.role_granted" ||
			!strings.Contains(evs[0].Details, `"subject":"aaron-sub"`) {
			t.Fatalf("audit %+v", evs)
		}
		// The identity signs in with an unverified address, or none.
		got, err := a.StaffSignIn(ctx, meta, portal.CardIdentity{Issuer: "https://staff-idp.test", Subject: "aaron-sub",
			GivenNames: "Aaron", Surname: "AUDITOR", Email: "whatever@example.org"})
		if err != nil || got.ID != s.ID || got.Name != "Aaron AUDITOR" {
			t.Fatalf("sign-in %+v %v", got, err)
		}
		// A second role, then revoking the first.
		if s, err = a.GrantStaffRoleBySubject(ctx, meta, "ada.admin", "https://staff-idp.test", "aaron-sub", portal.RoleOfficer); err != nil ||
			len(s.Roles) != 2 {
			t.Fatalf("%+v %v", s, err)
		}
		if s, err = a.RevokeStaffRoleBySubject(ctx, meta, "ada.admin", "https://staff-idp.test", "aaron-sub", portal.RoleAuditor); err != nil ||
			s.Has(portal.RoleAuditor) ||
			!s.Has(portal.RoleOfficer) {
			t.Fatalf("%+v %v", s, err)
		}
		_, err = a.RevokeStaffRoleBySubject(
			ctx,
			meta,
			"ada.admin",
			"https://staff-idp.test",
			"nobody",
			portal.RoleAuditor,
		)
		wantMessage(t, err, portal.ENOTFOUND, "https://staff-idp.test|nobody is not a member of the CareConnect team.")
		// Two identities without email can both hold roles.
		if _, err := a.GrantStaffRoleBySubject(ctx, meta, "ada.admin", "https://staff-idp.test", "other-sub", portal.RoleAuditor); err != nil {
			t.Fatal(err)
		}
	})
}
