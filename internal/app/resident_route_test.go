package app_test

import (
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

// A resident who requested or holds access in their own name cannot turn
// into an on-behalf-of user with no sponsor: the sponsored route waits
// until that access, or the request for it, is settled.
func TestApp_ResidentRouteKeepsAccessInOwnName(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		olivia := boStaff(t, a, "olivia", "Olivia", "OFFICER", portal.RoleOfficer)
		res := enrol(t, a, "rae.resident", "Rae", "RESIDENT", asResident)
		if err := a.ChooseResidentRoute(ctx, meta, res, portal.ResidentIndependent); err != nil {
			t.Fatal(err)
		}
		clinic := approvedWorksite(t, a, res, worksiteAt("Kingsgate Mall Clinic", "101"))
		passTraining(t, a, res)
		signHPCAA(t, a, res)
		r, err := a.SubmitAccessRequest(ctx, meta, res, enrolment(clinic))
		if err != nil {
			t.Fatal(err)
		}
		wantMessage(
			t,
			a.ChooseResidentRoute(ctx, meta, res, portal.ResidentSponsored),
			portal.ECONFLICT,
			"Your CareConnect access request, made as an independent user, is waiting for the CareConnect team. You can choose sponsorship once it is decided and you hold no access in your own name.",
		)

		boClaim(t, a, olivia, r.ID)
		if _, err := a.ApproveAccessRequest(ctx, meta, olivia, r.ID, portal.ScopesFor(portal.ProfPhysician, "")); err != nil {
			t.Fatal(err)
		}
		for _, status := range []string{"approved", "suspended"} {
			wantMessage(
				t,
				a.ChooseResidentRoute(ctx, meta, res, portal.ResidentSponsored),
				portal.ECONFLICT,
				"You hold CareConnect access as an independent user ("+status+"). To be sponsored by an authorizer instead, ask the CareConnect team to remove that access first.",
			)
			if status == "approved" {
				boChangeAccess(t, a, olivia, res.ID, portal.AccessSuspend, "Checking.")
			}
		}
		if stored, _ := a.Account(ctx, res.ID); stored.UserType() != portal.UserIndependent {
			t.Fatalf("user type %s after refusals", stored.UserType())
		}
		if vs, err := a.CheckInvariants(ctx); err != nil || len(vs) != 0 {
			t.Fatalf("policy: %v %v", violationStrings(vs), err)
		}

		// Once the access is removed, the resident may be sponsored.
		boChangeAccess(t, a, olivia, res.ID, portal.AccessDeprovision, "Moving to a sponsored residency.")
		if err := a.ChooseResidentRoute(ctx, meta, res, portal.ResidentSponsored); err != nil {
			t.Fatal(err)
		}
		if stored, _ := a.Account(ctx, res.ID); stored.UserType() != portal.UserOnBehalfOf {
			t.Fatalf("user type %s", stored.UserType())
		}
	})
}
