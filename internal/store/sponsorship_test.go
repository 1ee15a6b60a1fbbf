package store_test

import (
	"sync"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

var sponsorNow = time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC)

// mustSponsorAccount inserts an account of a profession.
func mustSponsorAccount(
	t *testing.T,
	db *store.DB,
	key string,
	prof portal.Profession,
	lic portal.NurseLicence,
	resident bool,
) *portal.Account {
	return fixture.Account(t, db, key, sponsorNow, fixture.Profession(prof), func(a *portal.Account) {
		a.NurseLicence, a.IsResident = lic, resident
	})
}

// mustSponsorWorksite inserts a worksite with a status and its active members.
func mustSponsorWorksite(
	t *testing.T,
	db *store.DB,
	name, unit, status string,
	members ...*portal.Account,
) *portal.Worksite {
	return fixture.Worksite(
		t,
		db,
		sponsorNow,
		status,
		func(w *portal.Worksite) { w.Name, w.Address.Unit = name, unit },
		members...)
}

func TestStore_Sponsorship(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		doc := mustSponsorAccount(t, db, "doc", portal.ProfPhysician, "", false)
		moa := mustSponsorAccount(t, db, "moa", portal.ProfMOA, "", false)
		res := mustSponsorAccount(t, db, "res", portal.ProfPhysician, "", true)
		w := mustSponsorWorksite(t, db, "Harbour Clinic", "101", portal.WorksiteApproved, doc, moa, res)

		s := &portal.Sponsorship{
			OBOAccountID:        moa.ID,
			AuthorizerAccountID: doc.ID,
			WorksiteID:          w.ID,
			Message:             "Front desk",
			CreatedAt:           sponsorNow,
		}
		// request is the MOA's request that the physician sponsor her at the clinic.
		request := func() *portal.Sponsorship {
			return &portal.Sponsorship{OBOAccountID: moa.ID, AuthorizerAccountID: doc.ID, WorksiteID: w.ID,
				CreatedAt: sponsorNow}
		}
		create := func(s *portal.Sponsorship) error {
			return db.InTx(ctx, func(tx *store.Tx) error { return tx.CreateSponsorship(ctx, s) })
		}
		// wantAskingAgainRefused asks again and wants the one-open-request
		// constraint to refuse it.
		wantAskingAgainRefused := func(t *testing.T, while string) {
			t.Helper()
			if err := create(request()); !store.IsConflictOn(err, "pending_key") {
				t.Fatalf("got %v, want a conflict on pending_key %s", err, while)
			}
		}
		if err := create(s); err != nil {
			t.Fatal(err)
		}
		got, err := db.Read().FindSponsorshipByID(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != portal.SponsorPending || got.OBOName != "Givenmoa SURNAME" || got.AuthorizerEmail != "doc@example.ca" ||
			got.WorksiteName != "Harbour Clinic" || got.Message != "Front desk" ||
			!got.CreatedAt.Equal(sponsorNow) ||
			got.IsResidency() {
			t.Fatalf("got %+v", got)
		}

		t.Run("ErrSecondOpenRequest", func(t *testing.T) { wantAskingAgainRefused(t, "while one is pending") })
		t.Run("Lists", func(t *testing.T) {
			mine, err := db.Read().FindSponsorships(ctx, store.SponsorshipFilter{OBOAccountID: moa.ID})
			if err != nil || len(mine) != 1 || mine[0].ID != s.ID {
				t.Fatalf("obo list %v %v", mine, err)
			}
			pending, err := db.Read().
				FindSponsorships(ctx, store.SponsorshipFilter{AuthorizerAccountID: doc.ID, Statuses: []string{portal.SponsorPending}})
			if err != nil || len(pending) != 1 {
				t.Fatalf("authorizer pending %v %v", pending, err)
			}
			active, _ := db.Read().
				FindSponsorships(ctx, store.SponsorshipFilter{AuthorizerAccountID: doc.ID, Statuses: []string{portal.SponsorActive}})
			if len(active) != 0 {
				t.Fatalf("active %v", active)
			}
			if n, _ := db.Read().CountPendingSponsorships(ctx, moa.ID); n != 1 {
				t.Fatalf("pending count %d", n)
			}
		})
		t.Run("DecideOnce", func(t *testing.T) {
			var wg sync.WaitGroup
			won := make([]bool, 2)
			errs := make([]error, 2)
			for i := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = db.InTx(ctx, func(tx *store.Tx) error {
						var err error
						won[i], err = tx.DecideSponsorship(ctx, s.ID, i == 0, "", sponsorNow)
						return err
					})
				}()
			}
			wg.Wait()
			if errs[0] != nil || errs[1] != nil || won[0] == won[1] {
				t.Fatalf("won %v, errors %v", won, errs)
			}
		})
		// Whatever won, start again from a fresh request approved once.
		got, _ = db.Read().FindSponsorshipByID(ctx, s.ID)
		if got.Status == portal.SponsorDeclined {
			s = request()
			if err := db.InTx(ctx, func(tx *store.Tx) error {
				if err := tx.CreateSponsorship(ctx, s); err != nil {
					return err
				}
				_, err := tx.DecideSponsorship(ctx, s.ID, true, "", sponsorNow)
				return err
			}); err != nil {
				t.Fatalf("a declined request should free the pair: %v", err)
			}
		}
		if n, _ := db.Read().CountActiveSponsorships(ctx, moa.ID, "2026-11-26"); n != 1 {
			t.Fatalf("active count %d, want 1", n)
		}
		t.Run("ErrAskAgainWhileActive", func(t *testing.T) { wantAskingAgainRefused(t, "while the sponsorship is active") })
		t.Run("Revoke", func(t *testing.T) {
			var ok1, ok2 bool
			err := db.InTx(ctx, func(tx *store.Tx) error {
				var err error
				if ok1, err = tx.RevokeSponsorship(ctx, s.ID, "Left the clinic.", sponsorNow); err != nil {
					return err
				}
				ok2, err = tx.RevokeSponsorship(ctx, s.ID, "again", sponsorNow)
				return err
			})
			if err != nil || !ok1 || ok2 {
				t.Fatalf("revoke: %v %v %v", ok1, ok2, err)
			}
			got, _ := db.Read().FindSponsorshipByID(ctx, s.ID)
			if got.Status != portal.SponsorRevoked || got.Reason != "Left the clinic." || got.EndedAt.IsZero() {
				t.Fatalf("got %+v", got)
			}
			if n, _ := db.Read().CountActiveSponsorships(ctx, moa.ID, "2026-11-26"); n != 0 {
				t.Fatalf("active count %d after revoking, want 0", n)
			}
		})
		t.Run("ResidencyEnds", func(t *testing.T) {
			r := &portal.Sponsorship{OBOAccountID: res.ID, AuthorizerAccountID: doc.ID, WorksiteID: w.ID,
				ResidencyStart: "2026-07-01", ResidencyEnd: "2026-12-31", CreatedAt: sponsorNow}
			if err := db.InTx(ctx, func(tx *store.Tx) error {
				if err := tx.CreateSponsorship(ctx, r); err != nil {
					return err
				}
				_, err := tx.DecideSponsorship(ctx, r.ID, true, "", sponsorNow)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if due, _ := db.Read().FindDueResidencies(ctx, "2026-12-31"); len(due) != 0 {
				t.Fatalf("due on the last day: %v", due)
			}
			if n, _ := db.Read().CountActiveSponsorships(ctx, res.ID, "2026-06-30"); n != 0 {
				t.Fatalf("counted before the residency starts: %d", n)
			}
			if n, _ := db.Read().CountActiveSponsorships(ctx, res.ID, "2026-12-31"); n != 1 {
				t.Fatalf("active on the last day: %d", n)
			}
			if n, _ := db.Read().CountActiveSponsorships(ctx, res.ID, "2027-01-01"); n != 0 {
				t.Fatalf("still counted the day after: %d", n)
			}
			due, err := db.Read().FindDueResidencies(ctx, "2027-01-01")
			if err != nil || len(due) != 1 || due[0].ID != r.ID {
				t.Fatalf("due %v %v", due, err)
			}
			var first, second bool
			_ = db.InTx(ctx, func(tx *store.Tx) error {
				first, _ = tx.EndResidency(ctx, r.ID, "2027-01-01", sponsorNow)
				second, _ = tx.EndResidency(ctx, r.ID, "2027-01-01", sponsorNow)
				return nil
			})
			if !first || second {
				t.Fatalf("ended %v then %v, want once", first, second)
			}
			got, _ := db.Read().FindSponsorshipByID(ctx, r.ID)
			if got.Status != portal.SponsorEnded || !got.IsResidency() {
				t.Fatalf("got %+v", got)
			}
		})
	})
}

func TestStore_SponsorCandidates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		moa := mustSponsorAccount(t, db, "moa", portal.ProfMOA, "", false)
		doc := mustSponsorAccount(t, db, "doc", portal.ProfPhysician, "", false)
		rn := mustSponsorAccount(t, db, "rn", portal.ProfNurse, portal.LicenceRN, false)
		left := mustSponsorAccount(t, db, "left", portal.ProfPhysician, "", false)
		far := mustSponsorAccount(t, db, "far", portal.ProfPhysician, "", false)
		pend := mustSponsorAccount(t, db, "pend", portal.ProfPhysician, "", false)
		a := mustSponsorWorksite(t, db, "Clinic A", "101", portal.WorksiteApproved, moa, doc, rn, left)
		b := mustSponsorWorksite(t, db, "Clinic B", "102", portal.WorksiteApproved, moa, doc)
		mustSponsorWorksite(t, db, "Clinic Far", "103", portal.WorksiteApproved, far)
		mustSponsorWorksite(t, db, "Clinic Pending", "104", portal.WorksitePending, moa, pend)
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Decommission(ctx, a.ID, left.ID, 0, sponsorNow)
			return err
		}); err != nil {
			t.Fatal(err)
		}

		got, err := db.Read().FindSponsorCandidates(ctx, moa.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		type pair struct {
			who portal.AccountID
			ws  portal.WorksiteID
		}
		want := map[pair]bool{{doc.ID, a.ID}: true, {doc.ID, b.ID}: true, {rn.ID, a.ID}: true}
		if len(got) != len(want) {
			t.Fatalf("%d candidates, want %d: %+v", len(got), len(want), got)
		}
		for _, c := range got {
			if !want[pair{c.Account.ID, c.WorksiteID}] || c.WorksiteName == "" || c.Account.Email == "" {
				t.Errorf("unexpected candidate %s at %s", c.Account.Email, c.WorksiteName)
			}
		}

		t.Run("Query", func(t *testing.T) {
			got, _ := db.Read().FindSponsorCandidates(ctx, moa.ID, "RN@example")
			if len(got) != 1 || got[0].Account.ID != rn.ID {
				t.Fatalf("by email: %+v", got)
			}
			got, _ = db.Read().FindSponsorCandidates(ctx, moa.ID, "givendoc surname")
			if len(got) != 2 || got[0].Account.ID != doc.ID {
				t.Fatalf("by name words: %+v", got)
			}
			got, _ = db.Read().FindSponsorCandidates(ctx, moa.ID, "%")
			if len(got) != 0 {
				t.Fatalf("a %% matched everyone: %+v", got)
			}
		})
		t.Run("SharesApprovedWorksite", func(t *testing.T) {
			for _, tc := range []struct {
				name string
				b    portal.AccountID
				ws   portal.WorksiteID
				want bool
			}{
				{"shared", doc.ID, a.ID, true},
				{"decommissioned", left.ID, a.ID, false},
				{"not a member", far.ID, a.ID, false},
			} {
				if got, err := db.Read().SharesApprovedWorksite(ctx, moa.ID, tc.b, tc.ws); got != tc.want ||
					err != nil {
					t.Errorf("%s: got %v %v, want %v", tc.name, got, err, tc.want)
				}
			}
		})
	})
}
