package app_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// person registers an account with a distinct email and username.
func person(t *testing.T, a *app.App, key, given, surname string) *portal.Account {
	t.Helper()
	return fixture.Register(t, a, key, given, surname)
}

func worksiteInput(name string) portal.WorksiteInput {
	return portal.WorksiteInput{Name: name, Type: "private_practice", Phone: "604-555-0100", HasAuthority: "yes",
		Manual: portal.Address{
			Unit:        "101",
			CivicNumber: "370",
			StreetName:  "Broadway",
			Direction:   "E",
			City:        "Vancouver",
			PostalCode:  "v5t4g5",
		}}
}

func mustEmails(t *testing.T, db *store.DB, to, kind string, n int) []*store.Email {
	t.Helper()
	es, err := db.Read().FindEmails(ctx, store.EmailFilter{To: to, Kind: kind})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != n {
		t.Fatalf("%d %s emails to %s, want %d", len(es), kind, to, n)
	}
	return es
}

// wantOneEmail fails the test unless exactly one email of the kind went to
// the address, saying every one of wants; it returns that email.
func wantOneEmail(t *testing.T, db *store.DB, to, kind string, wants ...string) *store.Email {
	t.Helper()
	e := mustEmails(t, db, to, kind, 1)[0]
	wantSays(t, kind+" email", e.Text, wants...)
	return e
}

func wantMessage(t *testing.T, err error, code, msg string) {
	t.Helper()
	if portal.ErrorCode(err) != code || portal.ErrorMessage(err) != msg {
		t.Fatalf("got %v, want %s %q", err, code, msg)
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := portal.ErrorCode(err); got != code {
		t.Fatalf("got %v (%s), want %s", err, got, code)
	}
}

// kingsgate registers Lena MOA and the Kingsgate Mall Clinic, approved,
// with her as its site administrator.
func kingsgate(t *testing.T, a *app.App) (*portal.Account, *portal.Worksite) {
	t.Helper()
	admin := person(t, a, "lead.moa", "Lena", "MOA")
	return admin, approvedWorksite(t, a, admin, worksiteInput("Kingsgate Mall Clinic"))
}

// signDeclaration has who sign the declaration of a worksite from its page
// (not an emailed link), typing fullName.
func signDeclaration(a *app.App, who *portal.Account, w portal.WorksiteID, fullName string, agree bool) error {
	_, err := a.SignDeclaration(ctx, meta, who, "", w, portal.DeclarationInput{FullName: fullName, Agree: agree})
	return err
}

// signedBy names someone else, by name and address, to sign the worksite's
// declaration.
func signedBy(in portal.WorksiteInput, name, email string) portal.WorksiteInput {
	in.HasAuthority, in.SignerName, in.SignerEmail = "no", name, email
	return in
}

// registerWorksite has the person register the worksite, which then waits
// for its declaration and the team.
func registerWorksite(t *testing.T, a *app.App, by *portal.Account, in portal.WorksiteInput) *portal.Worksite {
	t.Helper()
	w, err := a.RegisterWorksite(ctx, meta, by, in)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// approvedWorksite registers a worksite whose registrant signs and the team approves.
func approvedWorksite(t *testing.T, a *app.App, admin *portal.Account, in portal.WorksiteInput) *portal.Worksite {
	t.Helper()
	admin = confirmed(t, a, admin)
	w, err := a.RegisterWorksite(ctx, meta, admin, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.SignDeclaration(ctx, meta, admin, "", w.ID, portal.DeclarationInput{FullName: admin.LegalName(), Agree: true}); err != nil {
		t.Fatal(err)
	}
	if w, err = a.DecideWorksite(ctx, meta, "officer.one", w.Code, true, ""); err != nil {
		t.Fatal(err)
	}
	return w
}

func TestApp_RegisterWorksite(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		admin := person(t, a, "lead.moa", "Lena", "MOA")
		w, err := a.RegisterWorksite(ctx, meta, admin, worksiteInput("Kingsgate Mall Clinic"))
		if err != nil {
			t.Fatal(err)
		}
		if len(w.Code) != 7 || strings.Trim(string(w.Code), portal.WorksiteCodeAlphabet) != "" {
			t.Fatalf("code %q", w.Code)
		}
		if w.Status != portal.WorksitePending || w.AddressVerified || w.Address.PostalCode != "V5T 4G5" ||
			w.HealthAuthority != "Vancouver Coastal Health" {
			t.Fatalf("worksite %+v", w)
		}
		m, err := db.Read().FindMember(ctx, w.ID, admin.ID)
		if err != nil || m.Role != portal.RoleSiteAdmin || m.Status != portal.MemberActive {
			t.Fatalf("registrant membership %+v, %v", m, err)
		}
		es := mustEmails(t, db, admin.Email, "worksite_registered", 1)
		if !strings.Contains(es[0].Text, string(w.Code)) {
			t.Fatalf("registration email lacks the Worksite ID:\n%s", es[0].Text)
		}
		evs, _ := db.Read().FindAuditEvents(ctx, store.AuditFilter{WorksiteID: int64(w.ID)})
		if len(evs) != 1 || evs[0].Action != "worksite.registered" {
			t.Fatalf("audit %+v", evs)
		}

		t.Run("ErrSameAddressJoinInstead", func(t *testing.T) {
			in := worksiteInput("Another Name")
			in.Manual.CivicNumber, in.Manual.StreetName, in.Manual.Direction = " 370", "BROADWAY", "e"
			_, err := a.RegisterWorksite(ctx, meta, admin, in)
			var ex *app.ExistingWorksiteError
			if !errors.As(err, &ex) || ex.Worksite.ID != w.ID {
				t.Fatalf("got %v, want the existing worksite", err)
			}
		})
		t.Run("ErrFields", func(t *testing.T) {
			in := worksiteInput("")
			in.Type, in.HasAuthority, in.SignerEmail = "", "no", "bad"
			in.Manual.PostalCode = "T2P 1J9"
			_, err := a.RegisterWorksite(ctx, meta, admin, in)
			fe, _ := portal.AsFieldErrors(err)
			for _, f := range []string{"name", "type", "signer_name", "signer_email", "postal_code"} {
				if fe[f] == "" {
					t.Errorf("no error for %s (got %v)", f, fe)
				}
			}
		})
		t.Run("ApproveNeedsDeclaration", func(t *testing.T) {
			_, err := a.DecideWorksite(ctx, meta, "officer.one", w.Code, true, "")
			wantCode(t, err, portal.EINVALID)
		})
		t.Run("Declaration", func(t *testing.T) {
			err := signDeclaration(a, admin, w.ID, "Lena MOA", true)
			wantMessage(t, err, portal.EFORBIDDEN, portal.NotConfirmedMessage("lead.moa@example.ca")+
				" Then come back to sign the Worksite Privacy & Security Declaration for Kingsgate Mall Clinic.")
			admin := confirmed(t, a, admin)
			err = signDeclaration(a, admin, w.ID, "Someone Else", true)
			fe, _ := portal.AsFieldErrors(err)
			if !strings.Contains(fe["full_name"], "Lena MOA") {
				t.Fatalf("got %v", err)
			}
			err = signDeclaration(a, admin, w.ID, "lena  moa", false)
			if fe, _ := portal.AsFieldErrors(err); fe["agree"] == "" {
				t.Fatalf("got %v, want the box required", err)
			}
			if err := signDeclaration(a, admin, w.ID, "lena  moa", true); err != nil {
				t.Fatal(err)
			}
			got, _ := db.Read().FindWorksiteByID(ctx, w.ID)
			if !got.DeclarationDone() || got.DeclarationVersion != portal.DeclarationVersion ||
				got.SignerAccountID != admin.ID {
				t.Fatalf("declaration not recorded: %+v", got)
			}
		})
		t.Run("TeamApproves", func(t *testing.T) {
			got, err := a.DecideWorksite(ctx, meta, "officer.one", w.Code, true, "")
			if err != nil || got.Status != portal.WorksiteApproved {
				t.Fatalf("%+v %v", got, err)
			}
			mustEmails(t, db, admin.Email, "worksite_decided", 1)
			again, _ := db.Read().FindWorksiteByID(ctx, w.ID)
			if !again.AddressVerified {
				t.Fatal("a hand-typed address stays unverified after approval")
			}
			_, err = a.DecideWorksite(ctx, meta, "officer.one", w.Code, false, "no")
			wantCode(t, err, portal.ECONFLICT)
		})
	})
}

func TestApp_DeclarationBySomeoneElse(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		admin := person(t, a, "office.manager", "Omar", "MANAGER")
		owner := person(t, a, "dr.owner", "Olive", "OWNER")
		w := registerWorksite(t, a, admin, signedBy(worksiteInput("Harbour Clinic"), "Dr Olive Owner", "DR.OWNER@example.ca"))
		token := declarationToken(t, db, "dr.owner@example.ca")
		_, err := a.DeclarationTarget(ctx, admin, token, 0)
		wantMessage(
			t,
			err,
			portal.EFORBIDDEN,
			"You registered Harbour Clinic and named Dr Olive Owner as the person with signing authority: only they can sign its declaration, through the link we emailed to DR.OWNER@example.ca.",
		)
		if _, err := a.SignDeclaration(ctx, meta, owner, token, 0, portal.DeclarationInput{FullName: "Olive OWNER", Agree: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.DeclarationTarget(ctx, owner, token, 0); portal.ErrorCode(err) != portal.ENOTFOUND {
			t.Fatalf("the link still works after signing: %v", err)
		}
		if _, err := a.DecideWorksite(ctx, meta, "officer.one", w.Code, true, ""); err != nil {
			t.Fatal(err)
		}
	})
}

// Without the emailed link, only the registrant who is the named signer,
// with that address confirmed and a matching legal name, signs.
func TestApp_DeclarationNeedsTheConfirmedSigner(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		admin := confirmed(t, a, person(t, a, "office.manager", "Omar", "MANAGER"))
		w := registerWorksite(t, a, admin, signedBy(worksiteInput("Harbour Clinic"), "Dr Olive Owner", "olive@harbour.example"))
		// Someone who takes the signer's address, confirmed or not, does not sign without the link.
		mallory := confirmed(t, a, person(t, a, "mallory", "Mallory", "TAKER"))
		if err := a.UpdateContact(ctx, meta, mallory.ID, portal.ContactInput{Email: "olive@harbour.example", Phone: "778 888 9999"}); err != nil {
			t.Fatal(err)
		}
		err := signDeclaration(a, mallory, w.ID, "Mallory TAKER", true)
		wantMessage(t, err, portal.ENOTFOUND, "That worksite does not exist, or you do not have access to it.")
		if items, _ := a.ActionItems(ctx, mallory); len(items) != 0 {
			t.Fatalf("someone else's declaration is offered: %+v", items)
		}
		// The registrant is not the signer either.
		err = signDeclaration(a, admin, w.ID, "Omar MANAGER", true)
		wantCode(t, err, portal.ENOTFOUND)
		if got, _ := db.Read().FindWorksiteByID(ctx, w.ID); got.DeclarationDone() {
			t.Fatal("the declaration was signed")
		}

		t.Run("NameMustMatch", func(t *testing.T) {
			// The registrant named themselves by address, but under another name.
			in := worksiteInput("Quay Clinic")
			in.Manual.Unit = "202"
			in.HasAuthority, in.SignerName, in.SignerEmail = "no", "Dr Omar Manager", "office.manager@example.ca"
			w, err := a.RegisterWorksite(ctx, meta, admin, in)
			if err != nil {
				t.Fatal(err)
			}
			err = signDeclaration(a, admin, w.ID, "Omar MANAGER", true)
			wantMessage(
				t,
				err,
				portal.EFORBIDDEN,
				"The Worksite Privacy & Security Declaration for Quay Clinic is to be signed by Dr Omar Manager, and your legal name is Omar MANAGER. Ask Dr Omar Manager to sign it, or contact the CareConnect team.",
			)
		})
		t.Run("UnconfirmedRegistrantIsToldHow", func(t *testing.T) {
			lena := person(t, a, "lena", "Léna", "MOA")
			w, err := a.RegisterWorksite(ctx, meta, lena, func() portal.WorksiteInput {
				in := worksiteInput("Pier Clinic")
				in.Manual.Unit = "303"
				return in
			}())
			if err != nil {
				t.Fatal(err)
			}
			items, _ := a.ActionItems(ctx, lena)
			if len(items) != 1 || items[0].Kind != "declaration" || items[0].ViewURL != "/account#email" ||
				!strings.Contains(items[0].Description, "is not confirmed yet") {
				t.Fatalf("items %+v", items)
			}
			_, err = a.DeclarationTarget(ctx, lena, "", w.ID)
			wantCode(t, err, portal.EFORBIDDEN)
			lena = confirmed(t, a, lena)
			// Accents and case do not matter in the name.
			if _, err := a.SignDeclaration(ctx, meta, lena, "", w.ID, portal.DeclarationInput{FullName: "Léna MOA", Agree: true}); err != nil {
				t.Fatal(err)
			}
		})
	})
}

func TestApp_JoinByCode(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		admin := person(t, a, "lead.moa", "Lena", "MOA")
		second := person(t, a, "second.admin", "Sid", "SECOND")
		joiner := person(t, a, "gregory", "Gregory", "NINETEEN")
		outsider := person(t, a, "outsider", "Otto", "SIDER")
		w := approvedWorksite(t, a, admin, worksiteInput("Kingsgate Mall Clinic"))
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.AddMember(ctx, w.ID, second.ID, portal.RoleSiteAdmin, a.Now()) }); err != nil {
			t.Fatal(err)
		}

		t.Run("ErrBadCode", func(t *testing.T) {
			_, err := a.FindWorksiteToJoin(ctx, "K4T")
			wantCode(t, err, portal.EINVALID)
			_, err = a.FindWorksiteToJoin(ctx, "AAAAAAA")
			wantCode(t, err, portal.ENOTFOUND)
		})
		found, err := a.FindWorksiteToJoin(ctx, strings.ToLower(string(w.Code[:3])+" "+string(w.Code[3:])))
		if err != nil || found.ID != w.ID {
			t.Fatalf("lookup: %v", err)
		}
		j, err := a.RequestToJoin(ctx, meta, joiner, found, "code", "I start Monday.")
		if err != nil {
			t.Fatal(err)
		}
		for _, adm := range []*portal.Account{admin, second} {
			es := mustEmails(t, db, adm.Email, "worksite_join_request", 1)
			if !strings.Contains(es[0].Text, "/requests/join/") || !strings.Contains(es[0].Text, "Gregory NINETEEN") {
				t.Fatalf("join email:\n%s", es[0].Text)
			}
		}
		_, err = a.RequestToJoin(ctx, meta, joiner, found, "code", "")
		wantCode(t, err, portal.ECONFLICT)

		t.Run("OutsiderCannotSeeOrDecide", func(t *testing.T) {
			_, _, err := a.JoinRequest(ctx, outsider, j.ID)
			wantCode(t, err, portal.ENOTFOUND)
			_, err = a.DecideJoinRequest(ctx, meta, outsider, j.ID, true, "")
			wantCode(t, err, portal.ENOTFOUND)
			_, err = a.DecideJoinRequest(ctx, meta, joiner, j.ID, true, "")
			wantCode(t, err, portal.ENOTFOUND)
		})
		t.Run("RejectNeedsReason", func(t *testing.T) {
			_, err := a.DecideJoinRequest(ctx, meta, admin, j.ID, false, "  ")
			if fe, _ := portal.AsFieldErrors(err); fe["reason"] == "" {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("TwoAdminsAtOnce", func(t *testing.T) {
			admins := []*portal.Account{admin, second}
			oneDecisionStands(t, func(i int) error {
				_, err := a.DecideJoinRequest(ctx, meta, admins[i], j.ID, i == 0, "Not on our staff list.")
				return err
			})
			mustEmails(t, db, joiner.Email, "worksite_join_decided", 1)
			got, _ := db.Read().FindJoinRequestByID(ctx, j.ID)
			m, err := db.Read().FindMember(ctx, w.ID, joiner.ID)
			if got.Status == portal.RequestApproved && (err != nil || m.Status != portal.MemberActive) {
				t.Fatalf("approved but not a member: %v", err)
			}
			if got.Status == portal.RequestRejected && err == nil {
				t.Fatal("rejected but a member")
			}
		})
	})
}

func TestApp_Invitations(t *testing.T) {
	eachClockApp(t, func(t *testing.T, db *store.DB, a *app.App, clock *fixture.Clock) {
		now := clock.Now()
		admin := person(t, a, "lead.moa", "Lena", "MOA")
		invitee := person(t, a, "locum", "Lou", "LOCUM")
		other := person(t, a, "other", "Oscar", "OTHER")
		w := approvedWorksite(t, a, admin, worksiteInput("Kingsgate Mall Clinic"))

		_, err := a.Invite(ctx, meta, other, w.ID, "locum@example.ca")
		wantCode(t, err, portal.ENOTFOUND)
		inv, err := a.Invite(ctx, meta, admin, w.ID, "LOCUM@example.ca")
		if err != nil {
			t.Fatal(err)
		}
		es := mustEmails(t, db, "locum@example.ca", "worksite_invitation", 1)
		if !strings.Contains(es[0].Text, string(w.Code)) || !strings.Contains(es[0].Text, "/invitations/") {
			t.Fatalf("invitation email:\n%s", es[0].Text)
		}
		_, err = a.Invite(ctx, meta, admin, w.ID, "locum@example.ca")
		if fe, _ := portal.AsFieldErrors(err); fe["email"] != "This address already has an invitation waiting. Use Send again in the list below." {
			t.Fatalf("a second invitation to the same address: %v", err)
		}
		_, err = a.RespondToInvitation(ctx, meta, other, inv.ID, "", true)
		wantCode(t, err, portal.ENOTFOUND)

		// An unconfirmed address proves nothing: the invitation is shown
		// with how to confirm it, and cannot be answered without the link.
		items, _ := a.ActionItems(ctx, invitee)
		if len(items) != 1 || items[0].Kind != "invitation" || items[0].AcceptURL != "" || items[0].RejectURL != "" ||
			items[0].ViewURL != "/account#email" || !strings.Contains(items[0].Description, "This invitation was sent to LOCUM@example.ca. Confirm that email address on Manage My Account, or open the link in the invitation email.") {
			t.Fatalf("action items of an unconfirmed invitee %+v", items)
		}
		for _, accept := range []bool{true, false} {
			_, err = a.RespondToInvitation(ctx, meta, invitee, inv.ID, "", accept)
			wantMessage(
				t,
				err,
				portal.EFORBIDDEN,
				"This invitation was sent to LOCUM@example.ca. Confirm that email address on Manage My Account, or open the link in the invitation email.",
			)
		}
		invitee = confirmed(t, a, invitee)
		items, _ = a.ActionItems(ctx, invitee)
		if len(items) != 1 || items[0].Kind != "invitation" ||
			!strings.Contains(items[0].Description, "has invited you to Worksite Kingsgate Mall Clinic") ||
			items[0].AcceptURL == "" {
			t.Fatalf("action items %+v", items)
		}

		t.Run("Expired", func(t *testing.T) {
			clock.Set(now.Add(31 * 24 * time.Hour))
			defer clock.Set(now)
			_, err := a.RespondToInvitation(ctx, meta, invitee, inv.ID, "", true)
			wantCode(t, err, portal.ECONFLICT)
			if items, _ := a.ActionItems(ctx, invitee); len(items) != 0 {
				t.Fatalf("an expired invitation is still listed: %+v", items)
			}
			if err := a.ResendInvitation(ctx, meta, admin, w.ID, inv.ID, 0); err != nil {
				t.Fatal(err)
			}
			mustEmails(t, db, "locum@example.ca", "worksite_invitation", 2)
			if _, err := a.RespondToInvitation(ctx, meta, invitee, inv.ID, "", true); err != nil {
				t.Fatalf("accepting a resent invitation: %v", err)
			}
		})
		m, err := db.Read().FindMember(ctx, w.ID, invitee.ID)
		if err != nil || m.Status != portal.MemberActive || m.Role != portal.RoleMember {
			t.Fatalf("membership %+v %v", m, err)
		}
		_, err = a.RespondToInvitation(ctx, meta, invitee, inv.ID, "", true)
		wantCode(t, err, portal.ECONFLICT)
		evs, _ := db.Read().
			FindAuditEvents(ctx, store.AuditFilter{SubjectKind: "invitation", SubjectID: itoa(int64(inv.ID))})
		if last := evs[len(evs)-1]; last.Action != "worksite.invitation_accepted" ||
			!strings.Contains(last.Details, `"via":"confirmed_email"`) {
			t.Fatalf("acceptance audited as %+v", last)
		}
	})
}

// The invitation email's link is the proof: whoever holds it answers the
// invitation, whatever their own address; a link of another invitation
// does not open this one.
func TestApp_InvitationByLink(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		admin := person(t, a, "lead.moa", "Lena", "MOA")
		holder := person(t, a, "lou.personal", "Lou", "LOCUM") // unconfirmed, and not the invited address
		w := approvedWorksite(t, a, admin, worksiteInput("Kingsgate Mall Clinic"))
		first, err := a.Invite(ctx, meta, admin, w.ID, "lou@clinic.example")
		if err != nil {
			t.Fatal(err)
		}
		second, err := a.Invite(ctx, meta, admin, w.ID, "someone@clinic.example")
		if err != nil {
			t.Fatal(err)
		}
		token := invitationToken(t, db, "lou@clinic.example")
		got, err := a.InvitationByToken(ctx, holder, token)
		if err != nil || got.ID != first.ID {
			t.Fatalf("by token: %+v %v", got, err)
		}
		_, err = a.RespondToInvitation(ctx, meta, holder, second.ID, token, true)
		wantMessage(
			t,
			err,
			portal.ENOTFOUND,
			"This invitation link is not valid. It may have been replaced by a newer invitation: check your email, or ask your site administrator to send it again.",
		)
		if _, err := a.RespondToInvitation(ctx, meta, holder, first.ID, token, true); err != nil {
			t.Fatal(err)
		}
		if m, err := db.Read().FindMember(ctx, w.ID, holder.ID); err != nil || m.Status != portal.MemberActive {
			t.Fatalf("membership %+v %v", m, err)
		}
		evs, _ := db.Read().
			FindAuditEvents(ctx, store.AuditFilter{SubjectKind: "invitation", SubjectID: itoa(int64(first.ID))})
		if last := evs[len(evs)-1]; last.Action != "worksite.invitation_accepted" ||
			!strings.Contains(last.Details, `"via":"link"`) {
			t.Fatalf("acceptance audited as %+v", last)
		}
		// A resent invitation has a new link: the old one no longer works.
		if err := a.ResendInvitation(ctx, meta, admin, w.ID, second.ID, 0); err == nil {
			old := invitationTokenAt(t, db, "someone@clinic.example", 1)
			_, err := a.InvitationByToken(ctx, holder, old)
			wantCode(t, err, portal.ENOTFOUND)
		} else {
			t.Fatal(err)
		}
	})
}

// invitationToken reads the token of the latest invitation email to an address.
// emailedToken fails the test unless exactly one email of the kind went to
// the address, and returns the token in its link after path.
func emailedToken(t *testing.T, db *store.DB, to, kind, path string) string {
	t.Helper()
	es := mustEmails(t, db, to, kind, 1)
	i := strings.Index(es[0].Text, path)
	if i < 0 {
		t.Fatalf("%s email to %s has no %s link:\n%s", kind, to, path, es[0].Text)
	}
	return strings.Fields(es[0].Text[i+len(path):])[0]
}

// declarationToken returns the token of the one declaration link emailed
// to the address.
func declarationToken(t *testing.T, db *store.DB, to string) string {
	t.Helper()
	return emailedToken(t, db, to, "declaration_requested", "/declarations/")
}

func invitationToken(t *testing.T, db *store.DB, to string) string {
	return invitationTokenAt(t, db, to, 0)
}

// invitationTokenAt reads the token of the n-th newest invitation email to an address.
func invitationTokenAt(t *testing.T, db *store.DB, to string, n int) string {
	t.Helper()
	es, err := db.Read().FindEmails(ctx, store.EmailFilter{To: to, Kind: "worksite_invitation"})
	if err != nil || len(es) <= n {
		t.Fatalf("invitation emails to %s: %d %v", to, len(es), err)
	}
	i := strings.Index(es[n].Text, "/invitations/")
	return strings.Fields(es[n].Text[i+len("/invitations/"):])[0]
}

func TestApp_DecommissionAndAdmins(t *testing.T) {
	eachClockApp(t, func(t *testing.T, db *store.DB, a *app.App, clock *fixture.Clock) {
		now := clock.Now()
		admin := person(t, a, "lead.moa", "Lena", "MOA")
		locum := person(t, a, "locum", "Lou", "LOCUM")
		w := approvedWorksite(t, a, admin, worksiteInput("Kingsgate Mall Clinic"))
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.AddMember(ctx, w.ID, locum.ID, portal.RoleMember, now) }); err != nil {
			t.Fatal(err)
		}
		err := a.Decommission(ctx, meta, admin, w.ID, admin.ID, "")
		wantMessage(
			t,
			err,
			portal.EINVALID,
			"Lena MOA is the only site administrator of Kingsgate Mall Clinic. Make someone else a site administrator first.",
		)
		err = a.SetSiteAdmin(ctx, meta, admin, w.ID, admin.ID, false)
		wantMessage(
			t,
			err,
			portal.EINVALID,
			"Lena MOA is the only site administrator of Kingsgate Mall Clinic. Make someone else a site administrator first.",
		)
		err = a.Decommission(ctx, meta, locum, w.ID, admin.ID, "")
		wantCode(t, err, portal.ENOTFOUND)

		end := now.In(time.FixedZone("PT", -8*3600)).Add(48 * time.Hour).Format(time.DateOnly)
		if err := a.Decommission(ctx, meta, admin, w.ID, locum.ID, end); err != nil {
			t.Fatal(err)
		}
		if n, err := a.ApplyScheduledDecommissions(ctx); n != 0 || err != nil {
			t.Fatalf("decommissioned %d before the end date (%v)", n, err)
		}
		clock.Set(now.Add(4 * 24 * time.Hour))
		if n, err := a.ApplyScheduledDecommissions(ctx); n != 1 || err != nil {
			t.Fatalf("decommissioned %d, %v; want 1", n, err)
		}
		if n, err := a.ApplyScheduledDecommissions(ctx); n != 0 || err != nil {
			t.Fatalf("decommissioned again: %d (%v)", n, err)
		}
		m, _ := db.Read().FindMember(ctx, w.ID, locum.ID)
		if m.Status != portal.MemberDecommissioned {
			t.Fatalf("status %s", m.Status)
		}
		mustEmails(t, db, locum.Email, "membership_ended", 1)

		// With a second administrator, the first may step down.
		second := person(t, a, "second", "Sid", "SECOND")
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.AddMember(ctx, w.ID, second.ID, portal.RoleMember, now) }); err != nil {
			t.Fatal(err)
		}
		if err := a.SetSiteAdmin(ctx, meta, admin, w.ID, second.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := a.SetSiteAdmin(ctx, meta, second, w.ID, admin.ID, false); err != nil {
			t.Fatal(err)
		}
		if ok, _ := db.Read().IsWorksiteAdmin(ctx, w.ID, admin.ID); ok {
			t.Fatal("still an administrator")
		}
	})
}

// Two decisions on one new worksite at once: exactly one stands.
func TestApp_DecideWorksiteRace(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		admin := confirmed(t, a, person(t, a, "lead.moa", "Lena", "MOA"))
		w, err := a.RegisterWorksite(ctx, meta, admin, worksiteInput("Kingsgate Mall Clinic"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.SignDeclaration(ctx, meta, admin, "", w.ID, portal.DeclarationInput{FullName: admin.LegalName(), Agree: true}); err != nil {
			t.Fatal(err)
		}
		errs := bothAtOnce(func(i int) error {
			_, err := a.DecideWorksite(ctx, meta, "officer."+itoa(int64(i)), w.Code, i == 0, "Not a clinical site.")
			return err
		})
		stood := 0
		for _, err := range errs {
			switch portal.ErrorCode(err) {
			case "":
				stood++
			case portal.ECONFLICT:
			default:
				t.Errorf("unexpected %v", err)
			}
		}
		if stood != 1 {
			t.Fatalf("%d decisions stood, want 1 (%v)", stood, errs)
		}
		mustEmails(t, db, admin.Email, "worksite_decided", 1)
		evs, _ := db.Read().FindAuditEvents(ctx, store.AuditFilter{WorksiteID: int64(w.ID)})
		decisions := 0
		for _, e := range evs {
			if e.Action == "worksite.approved" || e.Action == "worksite.declined" {
				decisions++
			}
		}
		if decisions != 1 {
			t.Fatalf("%d decisions audited, want 1", decisions)
		}
	})
}

// Two site administrators decommissioning each other at once: one stays.
func TestApp_DecommissionRaceKeepsAnAdministrator(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		one := person(t, a, "lead.moa", "Lena", "MOA")
		two := person(t, a, "second", "Sid", "SECOND")
		w := approvedWorksite(t, a, one, worksiteInput("Kingsgate Mall Clinic"))
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.AddMember(ctx, w.ID, two.ID, portal.RoleSiteAdmin, a.Now()) }); err != nil {
			t.Fatal(err)
		}
		pairs := [][2]*portal.Account{{one, two}, {two, one}}
		errs := bothAtOnce(func(i int) error { return a.Decommission(ctx, meta, pairs[i][0], w.ID, pairs[i][1].ID, "") })
		n, err := db.Read().CountActiveAdmins(ctx, w.ID)
		if err != nil || n != 1 {
			t.Fatalf("%d site administrators left (%v), want 1; errors %v", n, err, errs)
		}
		oneSucceededOtherRefused(t, 0, errs, func(err error) {
			if c := portal.ErrorCode(err); c != portal.EINVALID && c != portal.ENOTFOUND {
				t.Errorf("unexpected %v", err)
			}
		})
	})
}

// Send again pressed twice at once from the same page sends one more email,
// so the link in the newest email is the one that works; pressed again from
// a page that shows the new count, it sends again.
func TestApp_SendAgainTwiceAtOnce(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		admin, w := kingsgate(t, a)
		const rounds = 4
		for round := range rounds {
			email := fmt.Sprintf("locum%d@example.ca", round)
			inv, err := a.Invite(ctx, meta, admin, w.ID, email)
			if err != nil {
				t.Fatal(err)
			}
			errs := atOnce(func() error { return a.ResendInvitation(ctx, meta, admin, w.ID, inv.ID, 1) })
			for _, err := range errs {
				if err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
			}
			mustEmails(t, db, email, "worksite_invitation", 2)
			got, err := db.Read().FindInvitationByID(ctx, inv.ID)
			if err != nil || got.SentCount != 2 {
				t.Fatalf("round %d: sent %d times (%v), want 2", round, got.SentCount, err)
			}
			if err := a.ResendInvitation(ctx, meta, admin, w.ID, inv.ID, 2); err != nil {
				t.Fatal(err)
			}
			mustEmails(t, db, email, "worksite_invitation", 3)
		}
	})
}
