package app_test

import (
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

func TestApp_RegisterRefusesIneligibleProfession(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		in := validInput()
		in.Profession, in.CollegeID = "physiotherapist", "PT-2041"
		_, err := a.Register(ctx, meta, card("1"), in)
		want := "CareConnect access is not open to your profession (Physiotherapist) at present, so we have not created an HxBC account for you."
		if portal.ErrorCode(err) != portal.EFORBIDDEN || portal.ErrorMessage(err) != want {
			t.Fatalf("got %v (%s), want EFORBIDDEN %q", err, portal.ErrorCode(err), want)
		}
		if _, err := db.Read().FindAccountBySubject(ctx, "https://idp.test", "sub-1"); !store.IsNotFound(err) {
			t.Fatalf("an account was created: %v", err)
		}
		if es := emailsTo(t, db, "dalia@example.ca"); len(es) != 0 {
			t.Fatalf("emails: %+v", es)
		}
	})
}
