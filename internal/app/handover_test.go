package app_test

import (
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

// handoverWorld is an approved worksite whose administrator, Ada, signed
// its declaration, with two members, Ben and Cal; and a second worksite
// administered by Dee.
type handoverWorld struct {
	a             *app.App
	db            *store.DB
	clock         *time.Time
	ada, ben, cal *portal.Account
	dee           *portal.Account
	w, other      *portal.Worksite
}

func newHandoverWorld(t *testing.T, db *store.DB) *handoverWorld {
	t.Helper()
	a := newApp(t, db)
	h := &handoverWorld{a: a, db: db, clock: settableClock(a)}
	h.ada = person(t, a, "ada.admin", "Ada", "ADMIN")
	h.ben = confirmed(t, a, person(t, a, "ben.member", "Ben", "MEMBER"))
	h.cal = person(t, a, "cal.member", "Cal", "MEMBER")
	h.dee = person(t, a, "dee.other", "Dee", "OTHER")
	h.w = approvedWorksite(t, a, h.ada, worksiteInput("Harbour Clinic"))
	in := worksiteInput("Other Clinic")
	in.Manual.Unit = "202"
	h.other = approvedWorksite(t, a, h.dee, in)
	h.ada, h.dee = confirmed(t, a, h.ada), confirmed(t, a, h.dee)
	joinWorksite(t, db, a, h.w, h.ben)
	joinWorksite(t, db, a, h.w, h.cal)
	joinWorksite(t, db, a, h.other, h.cal)
	return h
}

func (h *handoverWorld) member(t *testing.T, ws portal.WorksiteID, id portal.AccountID) *portal.Membership {
	t.Helper()
	m, err := h.db.Read().FindMember(ctx, ws, id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// accept has the person accept the handover, signing its declaration in
// their own legal name.
func (h *handoverWorld) accept(who *portal.Account, id portal.HandoverID) (*app.HandoverView, error) {
	return h.a.AcceptHandover(ctx, meta, who, id, portal.DeclarationInput{FullName: who.LegalName(), Agree: true})
}

func (h *handoverWorld) policyHolds(t *testing.T) {
	t.Helper()
	vs, err := h.a.CheckInvariants(ctx)
	if err != nil || len(vs) > 0 {
		t.Fatalf("policy: %v %v", err, vs)
	}
}

func TestApp_Handover(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHandoverWorld(t, db)
		a := h.a

		t.Run("ErrOnlyTheSiteAdministrator", func(t *testing.T) {
			_, err := a.StartHandover(ctx, meta, h.ben, h.w.ID, h.cal.ID)
			wantMessage(t, err, portal.ENOTFOUND, "That worksite does not exist, or you do not have access to it.")
			// Another worksite's administrator, to one of its own members.
			_, err = a.StartHandover(ctx, meta, h.dee, h.w.ID, h.cal.ID)
			wantMessage(t, err, portal.ENOTFOUND, "That worksite does not exist, or you do not have access to it.")
		})
		t.Run("ErrNotAMember", func(t *testing.T) {
			_, err := a.StartHandover(ctx, meta, h.ada, h.w.ID, h.dee.ID)
			fe, _ := portal.AsFieldErrors(err)
			if fe["member"] != "Choose an active member of Harbour Clinic." {
				t.Fatalf("got %v", err)
			}
			_, err = a.StartHandover(ctx, meta, h.ada, h.w.ID, h.ada.ID)
			fe, _ = portal.AsFieldErrors(err)
			if fe["member"] != "Choose another member: you cannot hand the worksite over to yourself." {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("ErrLastAdministratorLeaves", func(t *testing.T) {
			_, err := a.LeaveWorksite(ctx, meta, h.ada, h.w.ID)
			wantMessage(
				t,
				err,
				portal.EINVALID,
				"You are the only site administrator of Harbour Clinic. Hand the worksite over to another member before you leave.",
			)
		})

		ho, err := a.StartHandover(ctx, meta, h.ada, h.w.ID, h.ben.ID)
		if err != nil {
			t.Fatal(err)
		}
		es := mustEmails(t, db, h.ben.Email, "worksite_handover_requested", 1)
		if es[0].Subject != "Ada ADMIN asks you to take over Harbour Clinic" {
			t.Fatalf("subject %q", es[0].Subject)
		}
		if got := countAudit(t, db, h.w.ID, "worksite.handover_started"); got != 1 {
			t.Fatalf("%d handover_started rows", got)
		}
		h.policyHolds(t)

		t.Run("ErrSecondHandoverWaits", func(t *testing.T) {
			_, err := a.StartHandover(ctx, meta, h.ada, h.w.ID, h.cal.ID)
			wantMessage(t, err, portal.ECONFLICT,
				"A handover of Harbour Clinic is already waiting for an answer. Cancel it first to ask someone else.")
		})
		t.Run("NotificationCentre", func(t *testing.T) {
			items, err := a.ActionItems(ctx, h.ben)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, it := range items {
				if it.Kind == "handover" {
					found = true
					if it.ViewURL != "/handovers/"+itoa(int64(ho.ID)) ||
						it.Description != "Ada ADMIN asks you to take over Harbour Clinic as its site administrator." {
						t.Fatalf("item %+v", it)
					}
				}
			}
			if !found {
				t.Fatalf("no handover among %+v", items)
			}
		})
		t.Run("ErrSomeoneElseAnswers", func(t *testing.T) {
			_, err := h.accept(h.cal, ho.ID)
			wantMessage(t, err, portal.ENOTFOUND, "That handover does not exist, or was not offered to you.")
			_, err = a.DeclineHandover(ctx, meta, h.ada, ho.ID)
			wantMessage(t, err, portal.ENOTFOUND, "That handover does not exist, or was not offered to you.")
		})
		t.Run("ErrDeclarationUnsigned", func(t *testing.T) {
			_, err := a.AcceptHandover(ctx, meta, h.ben, ho.ID, portal.DeclarationInput{FullName: "Someone Else"})
			fe, _ := portal.AsFieldErrors(err)
			if fe["full_name"] == "" || fe["agree"] != "Tick the box to confirm the declaration." {
				t.Fatalf("got %v", err)
			}
		})

		v, err := h.accept(h.ben, ho.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != portal.HandoverAccepted || !v.SignsDeclaration {
			t.Fatalf("view %+v", v)
		}
		if m := h.member(t, h.w.ID, h.ben.ID); m.Role != portal.RoleSiteAdmin || m.Status != portal.MemberActive {
			t.Fatalf("Ben %+v", m)
		}
		if m := h.member(t, h.w.ID, h.ada.ID); m.Role != portal.RoleMember || m.Status != portal.MemberActive {
			t.Fatalf("Ada %+v", m)
		}
		w, _ := db.Read().FindWorksiteByID(ctx, h.w.ID)
		if w.SignerAccountID != h.ben.ID || w.SignerName != h.ben.LegalName() || w.SignerEmail != h.ben.Email ||
			w.DeclarationVersion != portal.DeclarationVersion || !w.DeclarationSigned.Equal(a.Now().UTC().Truncate(time.Millisecond)) {
			t.Fatalf("declaration %+v", w)
		}
		es = mustEmails(t, db, h.ada.Email, "worksite_handover_answered", 1)
		if es[0].Subject != "Ben MEMBER accepted to take over Harbour Clinic" {
			t.Fatalf("subject %q", es[0].Subject)
		}
		for action, n := range map[string]int{"worksite.handover_accepted": 1, "worksite.declaration_signed": 2} {
			if got := countAudit(t, db, h.w.ID, action); got != n {
				t.Fatalf("%d %s rows, want %d", got, action, n)
			}
		}
		h.policyHolds(t)

		t.Run("ErrAnsweredTwice", func(t *testing.T) {
			_, err := a.DeclineHandover(ctx, meta, h.ben, ho.ID)
			wantMessage(t, err, portal.ECONFLICT, "This handover is no longer waiting for an answer (accepted).")
		})
		t.Run("ErrFormerAdministratorActs", func(t *testing.T) {
			_, err := a.StartHandover(ctx, meta, h.ada, h.w.ID, h.cal.ID)
			wantMessage(t, err, portal.ENOTFOUND, "That worksite does not exist, or you do not have access to it.")
		})

		if _, err := a.LeaveWorksite(ctx, meta, h.ada, h.w.ID); err != nil {
			t.Fatal(err)
		}
		if m := h.member(t, h.w.ID, h.ada.ID); m.Status != portal.MemberDecommissioned {
			t.Fatalf("Ada %+v", m)
		}
		mustEmails(t, db, h.ada.Email, "membership_left", 1)
		if got := countAudit(t, db, h.w.ID, "worksite.member_left"); got != 1 {
			t.Fatalf("%d member_left rows", got)
		}
		h.policyHolds(t)
		_, err = a.LeaveWorksite(ctx, meta, h.ada, h.w.ID)
		wantMessage(t, err, portal.ENOTFOUND, "That worksite does not exist, or you do not have access to it.")
	})
}

func TestApp_HandoverDeclinedExpiredCancelled(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHandoverWorld(t, db)
		a := h.a

		// Declined: Ada stays the administrator and is told.
		ho, err := a.StartHandover(ctx, meta, h.ada, h.w.ID, h.cal.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.DeclineHandover(ctx, meta, h.cal, ho.ID); err != nil {
			t.Fatal(err)
		}
		es := mustEmails(t, db, h.ada.Email, "worksite_handover_answered", 1)
		if es[0].Subject != "Cal MEMBER declined to take over Harbour Clinic" {
			t.Fatalf("subject %q", es[0].Subject)
		}
		if m := h.member(t, h.w.ID, h.ada.ID); m.Role != portal.RoleSiteAdmin {
			t.Fatalf("Ada %+v", m)
		}

		// Expired: past its lifetime it cannot be accepted, and a new one may start.
		ho, err = a.StartHandover(ctx, meta, h.ada, h.w.ID, h.cal.ID)
		if err != nil {
			t.Fatal(err)
		}
		*h.clock = h.clock.Add(portal.HandoverLifetime)
		_, err = a.AcceptHandover(ctx, meta, h.cal, ho.ID, portal.DeclarationInput{})
		wantMessage(t, err, portal.ECONFLICT, "This handover expired on 10 Dec 2026. Ask Ada ADMIN to start it again.")
		h.policyHolds(t)
		ho, err = a.StartHandover(ctx, meta, h.ada, h.w.ID, h.cal.ID)
		if err != nil {
			t.Fatal(err)
		}

		// Cal's membership ends: the handover to Cal is cancelled with it.
		if err := a.Decommission(ctx, meta, h.ada, h.w.ID, h.cal.ID, ""); err != nil {
			t.Fatal(err)
		}
		cur, err := db.Read().FindHandoverByID(ctx, ho.ID)
		if err != nil || cur.Status != portal.HandoverCancelled {
			t.Fatalf("handover %+v, %v", cur, err)
		}
		h.policyHolds(t)

		// Ada cancels her own; Dee cannot cancel it from another worksite.
		ho, err = a.StartHandover(ctx, meta, h.ada, h.w.ID, h.ben.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantMessage(t, a.CancelHandover(ctx, meta, h.dee, h.w.ID, ho.ID), portal.ENOTFOUND,
			"That worksite does not exist, or you do not have access to it.")
		wantMessage(t, a.CancelHandover(ctx, meta, h.dee, h.other.ID, ho.ID), portal.ENOTFOUND,
			"That handover does not exist, or was not offered to you.")
		if err := a.CancelHandover(ctx, meta, h.ada, h.w.ID, ho.ID); err != nil {
			t.Fatal(err)
		}
		_, err = h.accept(h.ben, ho.ID)
		wantMessage(t, err, portal.ECONFLICT, "This handover is no longer waiting for an answer (cancelled).")
		if got := countAudit(t, db, h.w.ID, "worksite.handover_cancelled"); got != 2 {
			t.Fatalf("%d handover_cancelled rows, want 2", got)
		}
	})
}

// Two submissions of the same handover at once make one handover and one
// email: the database keeps one pending handover per worksite.
func TestApp_HandoverDoubleSubmit(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHandoverWorld(t, db)
		errs := atOnce(func() error {
			_, err := h.a.StartHandover(ctx, meta, h.ada, h.w.ID, h.ben.ID)
			return err
		})
		oneSucceeded(
			t,
			0,
			errs,
			"A handover of Harbour Clinic is already waiting for an answer. Cancel it first to ask someone else.",
		)
		mustEmails(t, db, h.ben.Email, "worksite_handover_requested", 1)
	})
}

// Accepting without a confirmed address is refused when it means signing
// the declaration; a worksite whose declaration someone else signed needs
// none.
func TestApp_HandoverSignerUnchanged(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHandoverWorld(t, db)
		ho, err := h.a.StartHandover(ctx, meta, h.ada, h.w.ID, h.cal.ID)
		if err != nil {
			t.Fatal(err)
		}
		_, err = h.accept(h.cal, ho.ID)
		if portal.ErrorCode(err) != portal.EFORBIDDEN {
			t.Fatalf("got %v, want a refusal until Cal confirms his address", err)
		}
		if err := h.a.CancelHandover(ctx, meta, h.ada, h.w.ID, ho.ID); err != nil {
			t.Fatal(err)
		}
		// Dee signed the other worksite's declaration: Cal, administrator
		// there beside her, hands over to Ben without a new declaration.
		addAdmin(t, h.a, db, h.other.ID, h.cal)
		_, err = h.a.StartHandover(ctx, meta, h.cal, h.other.ID, h.dee.ID)
		fe, _ := portal.AsFieldErrors(err)
		if fe["member"] != "Dee OTHER is already a site administrator of Other Clinic. You can leave the worksite." {
			t.Fatalf("got %v", err)
		}
		joinWorksite(t, db, h.a, h.other, h.ben)
		ho, err = h.a.StartHandover(ctx, meta, h.cal, h.other.ID, h.ben.ID)
		if err != nil {
			t.Fatal(err)
		}
		v, err := h.a.AcceptHandover(ctx, meta, h.ben, ho.ID, portal.DeclarationInput{})
		if err != nil || v.SignsDeclaration {
			t.Fatalf("got %+v, %v: Dee signed, so no new declaration", v, err)
		}
		w, _ := db.Read().FindWorksiteByID(ctx, h.other.ID)
		if w.SignerAccountID != h.dee.ID {
			t.Fatalf("signer %d, want Dee", w.SignerAccountID)
		}
		h.policyHolds(t)
	})
}

func TestApp_AppointSiteAdmin(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHandoverWorld(t, db)
		a := h.a
		officer := boStaff(t, a, "olive", "Olive", "OFFICER", portal.RoleOfficer)
		auditor := boStaff(t, a, "audrey", "Audrey", "AUDITOR", portal.RoleAuditor)

		list, err := a.InactiveAdminWorksites(ctx, officer)
		if err != nil || len(list) != 0 {
			t.Fatalf("got %d, %v: everyone registered today", len(list), err)
		}
		// Dee signs in on day 30; 91 days in, only Ada has been away 90 days.
		*h.clock = h.clock.Add(30 * 24 * time.Hour)
		if _, err := a.SignIn(ctx, meta, card("dee.other")); err != nil {
			t.Fatal(err)
		}
		*h.clock = h.clock.Add(61 * 24 * time.Hour)
		list, err = a.InactiveAdminWorksites(ctx, officer)
		if err != nil || len(list) != 1 || list[0].Worksite.ID != h.w.ID || len(list[0].Admins) != 1 ||
			list[0].Admins[0].AccountID != h.ada.ID || list[0].Members != 3 {
			t.Fatalf("got %+v, %v", list, err)
		}
		_, err = a.InactiveAdminWorksites(ctx, auditor)
		wantCode(t, err, portal.EFORBIDDEN)
		_, err = a.AppointSiteAdmin(ctx, meta, auditor, h.w.ID, h.ben.ID)
		wantCode(t, err, portal.EFORBIDDEN)
		_, err = a.AppointSiteAdmin(ctx, meta, officer, h.other.ID, h.cal.ID)
		wantMessage(t, err, portal.ENOTFOUND,
			"That worksite has an administrator who signed in within the last 90 days: the team appoints none there.")
		_, err = a.AppointSiteAdmin(ctx, meta, officer, h.w.ID, h.dee.ID)
		fe, _ := portal.AsFieldErrors(err)
		if fe["member"] != "Choose an active member of Harbour Clinic who is not its administrator." {
			t.Fatalf("got %v", err)
		}

		m, err := a.AppointSiteAdmin(ctx, meta, officer, h.w.ID, h.ben.ID)
		if err != nil || m.Role != portal.RoleSiteAdmin {
			t.Fatalf("got %+v, %v", m, err)
		}
		if m := h.member(t, h.w.ID, h.ben.ID); m.Role != portal.RoleSiteAdmin {
			t.Fatalf("Ben %+v", m)
		}
		if m := h.member(t, h.w.ID, h.ada.ID); m.Role != portal.RoleSiteAdmin {
			t.Fatalf("Ada %+v: she keeps her role", m)
		}
		es := mustEmails(t, db, h.ben.Email, "worksite_admin_appointed", 1)
		if es[0].Subject != "You are now a site administrator of Harbour Clinic" {
			t.Fatalf("subject %q", es[0].Subject)
		}
		es = mustEmails(t, db, h.ada.Email, "worksite_admin_appointed", 1)
		if es[0].Subject != "Ben MEMBER is now a site administrator of Harbour Clinic" {
			t.Fatalf("subject %q", es[0].Subject)
		}
		evs, _ := db.Read().FindAuditEvents(ctx, store.AuditFilter{WorksiteID: int64(h.w.ID)})
		last := evs[len(evs)-1]
		if last.Action != "worksite.admin_appointed" || last.ActorKind != portal.ActorStaff ||
			last.SubjectID != itoa(int64(h.ben.ID)) {
			t.Fatalf("audit %+v", last)
		}
		// Once Ben signs in, the worksite is no longer listed.
		if _, err := a.SignIn(ctx, meta, card("ben.member")); err != nil {
			t.Fatal(err)
		}
		if list, err := a.InactiveAdminWorksites(ctx, officer); err != nil || len(list) != 0 {
			t.Fatalf("after Ben signed in: %+v, %v", list, err)
		}
		h.policyHolds(t)
	})
}
