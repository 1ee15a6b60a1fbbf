package app_test

import (
	"slices"
	"strings"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// A worksite's named signer who is no practitioner signs from the emailed
// link with a signer-only account: only with the link and a matching legal
// name, without eligibility for CareConnect, and without breaking the
// access policy.
func TestApp_RegisterSigner(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		admin := person(t, a, "office.manager", "Omar", "MANAGER")
		w := registerWorksite(t, a, admin, signedBy(worksiteInput("Harbour Clinic"), "Olive Owner", "olive@harbour.example"))
		token := declarationToken(t, db, "olive@harbour.example")

		olive := card("olive")
		olive.GivenNames, olive.Surname = "Olive", "OWNER"
		_, _, err := a.RegisterSigner(ctx, meta, olive, "")
		wantCode(t, err, portal.ENOTFOUND)
		_, _, err = a.RegisterSigner(ctx, meta, olive, strings.Repeat("0", 64))
		wantCode(t, err, portal.ENOTFOUND)
		eve := card("eve")
		eve.GivenNames, eve.Surname = "Eve", "OTHER"
		_, _, err = a.RegisterSigner(ctx, meta, eve, token)
		wantMessage(
			t,
			err,
			portal.EFORBIDDEN,
			"The Worksite Privacy & Security Declaration for Harbour Clinic is to be signed by Olive Owner, and the BC Services Card you signed in with is Eve OTHER's. Ask Olive Owner to open the link, or contact the CareConnect team.",
		)

		acct, got, err := a.RegisterSigner(ctx, meta, olive, token)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != w.ID || !acct.SignerOnly() || !acct.HasConfirmedEmail("olive@harbour.example") ||
			acct.PasswordHash != "" ||
			acct.UserType() != portal.UserNotEligible {
			t.Fatalf("signer account %+v", acct)
		}
		if acts := auditActions(t, db, itoa(int64(acct.ID))); !slices.Contains(
			acts,
			"account.signer_registered",
		) {
			t.Fatalf("audit: %v", acts)
		}
		_, _, err = a.RegisterSigner(ctx, meta, olive, token)
		wantCode(t, err, portal.ECONFLICT)

		// Her Notification Centre lists the declaration; she signs it by id too.
		items, err := a.ActionItems(ctx, acct)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 1 || items[0].Kind != "declaration" ||
			items[0].Description != "Sign the Worksite Privacy & Security Declaration for Harbour Clinic." {
			t.Fatalf("action items %+v", items)
		}
		if _, err := a.SubmitAccessRequest(ctx, meta, acct, portal.AccessRequestInput{}); err == nil {
			t.Fatal("a signer-only account requested CareConnect access")
		}
		if _, err := a.SignDeclaration(ctx, meta, acct, "", w.ID, portal.DeclarationInput{FullName: "Olive OWNER", Agree: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.DecideWorksite(ctx, meta, "officer.one", w.Code, true, ""); err != nil {
			t.Fatal(err)
		}
		vs, err := a.CheckInvariants(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			t.Errorf("violation: %s", v)
		}
	})
}
