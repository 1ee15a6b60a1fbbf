package store_test

import (
	"reflect"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

func TestStore_LicenceStanding(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		doc := mustSponsorAccount(t, db, "doc", portal.ProfPhysician, "", false)
		moa := mustSponsorAccount(t, db, "moa", portal.ProfMOA, "", false)
		w := mustSponsorWorksite(t, db, "Clinic", "101", portal.WorksiteApproved, doc, moa)
		r := fixture.Provision(t, db, doc, sponsorNow, "demographics", w)

		if _, err := db.Read().FindLicenceStanding(ctx, doc.ID); portal.ErrorCode(err) != portal.ENOTFOUND {
			t.Fatalf("never checked: %v", err)
		}
		subjects, err := db.Read().FindLicenceSubjects(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := []store.LicenceSubject{{AccountID: doc.ID, RequestID: r.ID, Status: portal.ARApproved}}; !reflect.DeepEqual(
			subjects,
			want,
		) {
			t.Fatalf("subjects %+v, want %+v", subjects, want)
		}
		for _, st := range []string{portal.LicenceActive, portal.LicenceLapsed} {
			err := db.InTx(ctx, func(tx *store.Tx) error {
				return tx.RecordLicenceStanding(
					ctx,
					portal.LicenceStanding{AccountID: doc.ID, College: portal.CollegeCPSBC,
						Number: "12345", Status: st, Detail: "checked " + st, CheckedAt: sponsorNow},
				)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.Read().FindLicenceStanding(ctx, doc.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := &portal.LicenceStanding{AccountID: doc.ID, College: portal.CollegeCPSBC, Number: "12345",
			Status: portal.LicenceLapsed, Detail: "checked lapsed", CheckedAt: sponsorNow}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %+v, want %+v", got, want)
		}
		s, err := db.LoadPolicySnapshot(ctx, sponsorNow, "2026-11-26")
		if err != nil {
			t.Fatal(err)
		}
		want.Detail = ""
		if len(s.Licences) != 1 || !reflect.DeepEqual(s.Licences[0], *want) {
			t.Fatalf("snapshot licences %+v", s.Licences)
		}
	})
}
