package store_test

import (
	"slices"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

var apiNow = time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC)

func TestStore_APIToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		tok := &store.APIToken{Name: "viewer", Scopes: []string{"scim:read", "events:read"}, CreatedBy: "officer.one",
			CreatedAt: apiNow, ExpiresAt: apiNow.Add(90 * 24 * time.Hour)}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.CreateAPIToken(ctx, tok, "hash-1") }); err != nil {
			t.Fatal(err)
		}
		got, err := db.Read().FindAPITokenByHash(ctx, "hash-1")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != tok.ID || got.Name != "viewer" || !slices.Equal(got.Scopes, tok.Scopes) || got.CreatedBy != "officer.one" ||
			!got.ExpiresAt.Equal(tok.ExpiresAt) ||
			!got.RevokedAt.IsZero() ||
			!got.LastUsedAt.IsZero() {
			t.Fatalf("got %+v", got)
		}
		if _, err := db.Read().FindAPITokenByHash(ctx, "hash-2"); !store.IsNotFound(err) {
			t.Fatalf("unknown hash: got %v, want not found", err)
		}

		t.Run("ErrDuplicateName", func(t *testing.T) {
			dup := &store.APIToken{
				Name:      "viewer",
				Scopes:    []string{"scim:read"},
				CreatedBy: "x",
				CreatedAt: apiNow,
				ExpiresAt: apiNow,
			}
			err := db.InTx(ctx, func(tx *store.Tx) error { return tx.CreateAPIToken(ctx, dup, "hash-3") })
			if !store.IsConflictOn(err, "name") {
				t.Fatalf("got %v, want a conflict on the name", err)
			}
		})

		t.Run("Touch", func(t *testing.T) {
			if err := db.Read().TouchAPIToken(ctx, tok.ID, apiNow, time.Minute); err != nil {
				t.Fatal(err)
			}
			// Thirty seconds later: not written again.
			if err := db.Read().TouchAPIToken(ctx, tok.ID, apiNow.Add(30*time.Second), time.Minute); err != nil {
				t.Fatal(err)
			}
			got, _ := db.Read().FindAPITokenByName(ctx, "viewer")
			if !got.LastUsedAt.Equal(apiNow) {
				t.Fatalf("last used %v, want %v", got.LastUsedAt, apiNow)
			}
			if err := db.Read().TouchAPIToken(ctx, tok.ID, apiNow.Add(time.Minute), time.Minute); err != nil {
				t.Fatal(err)
			}
			got, _ = db.Read().FindAPITokenByName(ctx, "viewer")
			if !got.LastUsedAt.Equal(apiNow.Add(time.Minute)) {
				t.Fatalf("last used %v, want a minute later", got.LastUsedAt)
			}
		})

		t.Run("Revoke", func(t *testing.T) {
			var first, second bool
			err := db.InTx(ctx, func(tx *store.Tx) error {
				var err error
				if first, err = tx.RevokeAPIToken(ctx, tok.ID, apiNow); err != nil {
					return err
				}
				second, err = tx.RevokeAPIToken(ctx, tok.ID, apiNow.Add(time.Hour))
				return err
			})
			if err != nil || !first || second {
				t.Fatalf("revoke: %v %v %v, want true then false", first, second, err)
			}
			all, err := db.Read().FindAPITokens(ctx)
			if err != nil || len(all) != 1 || !all[0].RevokedAt.Equal(apiNow) {
				t.Fatalf("tokens %+v %v", all, err)
			}
		})
	})
}

// mustAPIAccount inserts an account of a profession.
func mustAPIAccount(t *testing.T, db *store.DB, key string, prof portal.Profession) *portal.Account {
	return fixture.Account(
		t,
		db,
		key,
		apiNow,
		fixture.Profession(prof),
		func(a *portal.Account) { a.PreferredFirstName = "Pref" + key },
	)
}

// mustAPIWorksite inserts an approved worksite with its active members.
func mustAPIWorksite(
	t *testing.T,
	db *store.DB,
	name, unit string,
	typ portal.WorksiteType,
	members ...*portal.Account,
) *portal.Worksite {
	return fixture.Worksite(t, db, apiNow, portal.WorksiteApproved, func(w *portal.Worksite) {
		w.Name, w.Address.Unit, w.Type, w.HealthAuthority = name, unit, typ, portal.VancouverCoastalHealth
	}, members...)
}

func usernames(us []*store.ProvisionedUser) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.Account.Username)
	}
	return out
}

func TestStore_APIProvisionedUsers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		doc := mustAPIAccount(t, db, "doc", portal.ProfPhysician)
		moa := mustAPIAccount(t, db, "moa", portal.ProfMOA)
		susp := mustAPIAccount(t, db, "susp", portal.ProfPharmacist)
		gone := mustAPIAccount(t, db, "gone", portal.ProfPharmacist)
		waiting := mustAPIAccount(t, db, "waiting", portal.ProfPharmacist)
		clinic := mustAPIWorksite(
			t,
			db,
			"Harbour Clinic",
			"101",
			portal.WorksitePrivatePractice,
			doc,
			moa,
			susp,
			gone,
			waiting,
		)
		home := mustAPIWorksite(t, db, "Home Office", "102", portal.WorksiteHomeOffice, doc)
		left := mustAPIWorksite(t, db, "Old Clinic", "103", portal.WorksitePrivatePractice, doc)

		t1, t2, t3 := apiNow.Add(-3*time.Hour), apiNow.Add(-2*time.Hour), apiNow.Add(-time.Hour)
		docReq := fixture.ProvisionRequest(t, db, fixture.Request(doc, t1, clinic, home, left),
			"demographics,laboratory_results")
		fixture.Provision(t, db, moa, t2, "demographics", clinic)
		fixture.Provision(t, db, susp, t3, "demographics", clinic, portal.ARSuspended)
		fixture.Provision(t, db, gone, t3, "demographics", clinic, portal.ARSuspended, portal.ARDeprovisioned)
		// Submitted only: never provisioned.
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			return tx.CreateAccessRequest(ctx, &portal.AccessRequest{AccountID: waiting.ID, Status: portal.ARSubmitted,
				UserType: portal.UserIndependent, Profession: portal.ProfPharmacist, FirstName: "W", LastName: "W", Job: "Pharmacist",
				CreatedAt: t3, UpdatedAt: t3, WorksiteIDs: []portal.WorksiteID{clinic.ID}})
		}); err != nil {
			t.Fatal(err)
		}
		err := db.InTx(ctx, func(tx *store.Tx) error {
			// The doctor leaves the old clinic, sponsors the MOA and holds remote access.
			if _, err := tx.Decommission(ctx, left.ID, doc.ID, doc.ID, t3); err != nil {
				return err
			}
			sponsor := func(s *portal.Sponsorship) error { // asked and approved at t1
				if err := tx.CreateSponsorship(ctx, s); err != nil {
					return err
				}
				_, err := tx.DecideSponsorship(ctx, s.ID, true, "", t1)
				return err
			}
			s := &portal.Sponsorship{OBOAccountID: moa.ID, AuthorizerAccountID: doc.ID, WorksiteID: clinic.ID,
				CreatedAt: t1}
			if err := sponsor(s); err != nil {
				return err
			}
			// A residency that ended yesterday no longer counts.
			lapsed := &portal.Sponsorship{
				OBOAccountID:        moa.ID,
				AuthorizerAccountID: susp.ID,
				WorksiteID:          clinic.ID,
				CreatedAt:           t1,
				ResidencyStart:      "2025-07-01",
				ResidencyEnd:        "2026-11-25",
			}
			if err := sponsor(lapsed); err != nil {
				return err
			}
			r := &store.RemoteAccessRequest{
				AccountID:  doc.ID,
				Street:     "1 Main St",
				City:       "Vancouver",
				PostalCode: "V5T 4G5",
				Reason:     "On call",
				CreatedAt:  t1,
			}
			if err := tx.CreateRemoteAccessRequest(ctx, r); err != nil {
				return err
			}
			_, err := tx.DecideRemoteAccessRequest(ctx, r.ID, "approved", "officer.one", "", t1)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}

		all := store.ProvisionedFilter{Limit: 10, Today: "2026-11-26"}
		n, err := db.Read().CountProvisionedUsers(ctx, all)
		if err != nil || n != 3 {
			t.Fatalf("count %d %v, want 3", n, err)
		}
		us, err := db.Read().FindProvisionedUsers(ctx, all)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := usernames(us), []string{"doc", "moa", "susp"}; !slices.Equal(got, want) {
			t.Fatalf("listed %v, want %v", got, want)
		}
		d := us[0]
		if d.Request.ID != docReq.ID || !d.Active() || !slices.Equal(d.Request.GrantedScopes, []portal.DataScope{"demographics", "laboratory_results"}) ||
			!d.Created.Equal(t1) || !d.RemoteAccess ||
			len(d.Sponsors) != 0 ||
			d.Account.Email != "doc@example.ca" {
			t.Fatalf("doctor %+v", d)
		}
		if len(d.Worksites) != 2 || d.Worksites[0].Code != clinic.Code || d.Worksites[1].Code != home.Code ||
			d.Worksites[0].HealthAuthority != portal.VancouverCoastalHealth {
			t.Fatalf("doctor's worksites %+v, want the clinic and the home office, not the one left", d.Worksites)
		}
		m := us[1]
		if len(m.Sponsors) != 1 || m.Sponsors[0].Username != "doc" || m.Sponsors[0].Name != "Prefdoc SURNAME" ||
			m.Sponsors[0].WorksiteCode != clinic.Code || m.RemoteAccess {
			t.Fatalf("MOA %+v sponsors %+v", m, m.Sponsors)
		}
		if us[2].Active() || us[2].Request.Status != portal.ARSuspended {
			t.Fatalf("suspended person is active: %+v", us[2].Request)
		}

		t.Run("Filters", func(t *testing.T) {
			for _, tt := range []struct {
				name string
				f    store.ProvisionedFilter
				want []string
			}{
				{"Username", store.ProvisionedFilter{Username: "moa"}, []string{"moa"}},
				{"UsernameNotProvisioned", store.ProvisionedFilter{Username: "waiting"}, nil},
				{"ChangedAfter", store.ProvisionedFilter{ChangedAfter: t1}, []string{"moa", "susp"}},
				{"ChangedAfterSubMillisecond", store.ProvisionedFilter{ChangedAfter: t2.Add(-time.Microsecond)}, []string{"moa", "susp"}},
				{"Both", store.ProvisionedFilter{Username: "doc", ChangedAfter: t1}, nil},
				{"Page", store.ProvisionedFilter{Offset: 1}, []string{"moa", "susp"}},
				{"PageLimit", store.ProvisionedFilter{Offset: 1, Limit: 1}, []string{"moa"}},
				{"OnePerson", store.ProvisionedFilter{AccountID: susp.ID}, []string{"susp"}},
				{"Deprovisioned", store.ProvisionedFilter{AccountID: gone.ID}, nil},
			} {
				t.Run(tt.name, func(t *testing.T) {
					if tt.f.Limit == 0 {
						tt.f.Limit = 10
					}
					us, err := db.Read().FindProvisionedUsers(ctx, tt.f)
					if err != nil {
						t.Fatal(err)
					}
					if got := usernames(us); !slices.Equal(got, tt.want) {
						t.Fatalf("got %v, want %v", got, tt.want)
					}
				})
			}
		})

		t.Run("NotFound", func(t *testing.T) {
			for _, id := range []portal.AccountID{gone.ID, waiting.ID, 9999} {
				if _, err := db.Read().FindProvisionedUser(ctx, id, "2026-11-26"); !store.IsNotFound(err) {
					t.Errorf("account %d: got %v, want not found", id, err)
				}
			}
		})

		t.Run("NewRequestKeepsProvisioned", func(t *testing.T) {
			// A provisioned person's later request, still open, does not
			// take their access away while it waits.
			err := db.InTx(ctx, func(tx *store.Tx) error {
				return tx.CreateAccessRequest(ctx, &portal.AccessRequest{AccountID: doc.ID, Status: portal.ARSubmitted,
					UserType: portal.UserAuthorizer, Profession: portal.ProfPhysician, FirstName: "D", LastName: "D", Job: "Physician",
					CreatedAt: apiNow, UpdatedAt: apiNow, WorksiteIDs: []portal.WorksiteID{clinic.ID}})
			})
			if err != nil {
				t.Fatal(err)
			}
			u, err := db.Read().FindProvisionedUser(ctx, doc.ID, "2026-11-26")
			if err != nil || u.Request.ID != docReq.ID {
				t.Fatalf("got %+v %v, want the approved request", u, err)
			}
		})
	})
}
