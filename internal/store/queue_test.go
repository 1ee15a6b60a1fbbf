package store_test

import (
	"reflect"
	"sync"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

var queueNow = time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC)

// mustQueueWorksite inserts an approved worksite in a city.
func mustQueueWorksite(
	t *testing.T,
	db *store.DB,
	by *portal.Account,
	name, city string,
	ha portal.HealthAuthority,
) *portal.Worksite {
	t.Helper()
	w := &portal.Worksite{
		Code:  portal.NewWorksiteCode(),
		Name:  name,
		Type:  portal.WorksitePrivatePractice,
		Phone: "+16045550100",
		Address: portal.Address{
			CivicNumber: "1",
			StreetName:  name,
			City:        city,
			Province:    "BC",
			PostalCode:  "V5T 4G5",
		},
		AddressVerified: true,
		HealthAuthority: ha,
		Status:          portal.WorksiteApproved,
		RegisteredBy:    by.ID,
		CreatedAt:       queueNow,
	}
	if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.CreateWorksite(ctx, w, "") }); err != nil {
		t.Fatal(err)
	}
	return w
}

// mustQueueRequest inserts a submitted request for an account, submitted daysAgo days before queueNow.
func mustQueueRequest(
	t *testing.T,
	db *store.DB,
	a *portal.Account,
	daysAgo int,
	ws ...*portal.Worksite,
) *portal.AccessRequest {
	t.Helper()
	r := fixture.Request(a, queueNow.AddDate(0, 0, -daysAgo), ws...)
	r.AllowedScopes = []portal.DataScope{portal.ScopeDemographics}
	return fixture.Submit(t, db, r)
}

func requestIDs(rs []*portal.AccessRequest) []portal.AccessRequestID {
	var out []portal.AccessRequestID
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func TestStore_Queue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		doc := mustCreateAccount(t, db, "doc")
		pharm := newAccount("pharm")
		pharm.Profession, pharm.MSPBillingNumber, pharm.CPSID, pharm.CollegeID = portal.ProfPharmacist, "", "", "P12345"
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.CreateAccount(ctx, pharm) }); err != nil {
			t.Fatal(err)
		}
		third := mustCreateAccount(t, db, "third")
		van := mustQueueWorksite(t, db, doc, "Harbour Clinic", "Vancouver", portal.VancouverCoastalHealth)
		sur := mustQueueWorksite(t, db, doc, "Surrey Clinic", "Surrey", portal.FraserHealth)

		old := mustQueueRequest(t, db, doc, 10, van, sur)
		mid := mustQueueRequest(t, db, pharm, 5, sur)
		recent := mustQueueRequest(t, db, third, 1, van)
		mustChange(t, db, store.AccessRequestChange{ID: recent.ID, From: []string{portal.ARSubmitted},
			To: portal.ARDeclined, At: queueNow, ActorKind: portal.ActorStaff, ActorID: "staff:1"})
		open := []string{portal.ARSubmitted, portal.ARInfoRequested}

		tests := []struct {
			name      string
			f         store.QueueFilter
			want      []portal.AccessRequestID
			wantTotal int
		}{
			{"OpenNewestFirst", store.QueueFilter{Statuses: open}, []portal.AccessRequestID{mid.ID, old.ID}, 2},
			{
				"OpenOldestFirst",
				store.QueueFilter{Statuses: open, Oldest: true},
				[]portal.AccessRequestID{old.ID, mid.ID},
				2,
			},
			{"Everything", store.QueueFilter{}, []portal.AccessRequestID{recent.ID, mid.ID, old.ID}, 3},
			{
				"Declined",
				store.QueueFilter{Statuses: []string{portal.ARDeclined}},
				[]portal.AccessRequestID{recent.ID},
				1,
			},
			{"Profession", store.QueueFilter{Profession: portal.ProfPharmacist}, []portal.AccessRequestID{mid.ID}, 1},
			{
				"HealthAuthorityOfAnyWorksite",
				store.QueueFilter{HealthAuthority: portal.FraserHealth},
				[]portal.AccessRequestID{mid.ID, old.ID},
				2,
			},
			{"WorksiteID", store.QueueFilter{WorksiteCode: van.Code}, []portal.AccessRequestID{recent.ID, old.ID}, 2},
			{
				"OlderThan7Days",
				store.QueueFilter{SubmittedBefore: queueNow.AddDate(0, 0, -7)},
				[]portal.AccessRequestID{old.ID},
				1,
			},
			{"SecondPage", store.QueueFilter{Offset: 1, Limit: 1}, []portal.AccessRequestID{mid.ID}, 3},
			{"PastTheEnd", store.QueueFilter{Offset: 3, Limit: 1}, nil, 3},
			{"Nothing", store.QueueFilter{HealthAuthority: portal.NorthernHealth}, nil, 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, total, err := db.Read().FindQueue(ctx, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				if ids := requestIDs(got); !reflect.DeepEqual(ids, tt.want) || total != tt.wantTotal {
					t.Fatalf("got %v of %d, want %v of %d", ids, total, tt.want, tt.wantTotal)
				}
			})
		}

		t.Run("Links", func(t *testing.T) {
			ws, err := db.Read().FindRequestWorksites(ctx, []portal.AccessRequestID{old.ID, mid.ID})
			if err != nil {
				t.Fatal(err)
			}
			if len(ws[old.ID]) != 2 || ws[old.ID][0].Name != "Harbour Clinic" || ws[old.ID][1].Name != "Surrey Clinic" ||
				len(ws[mid.ID]) != 1 ||
				ws[mid.ID][0].ID != sur.ID {
				t.Fatalf("worksites %+v", ws)
			}
			accts, err := db.Read().FindAccountsByIDs(ctx, []portal.AccountID{doc.ID, pharm.ID, 999})
			if err != nil || len(accts) != 2 || accts[pharm.ID].CollegeID != "P12345" {
				t.Fatalf("accounts %v %v", accts, err)
			}
			all, err := db.Read().FindAccessRequestsByAccount(ctx, doc.ID)
			if err != nil || len(all) != 1 || all[0].ID != old.ID || len(all[0].WorksiteIDs) != 2 {
				t.Fatalf("requests of the doctor %+v %v", all, err)
			}
			sp, err := db.Read().FindRequestSponsorships(ctx, []portal.AccessRequestID{old.ID})
			if err != nil || len(sp) != 0 {
				t.Fatalf("sponsorships %v %v", sp, err)
			}
		})
	})
}

func TestStore_QueueClaim(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		doc := mustCreateAccount(t, db, "doc")
		r := mustQueueRequest(t, db, doc, 1)
		claim := func(by string) bool {
			return mustInTx(t, db, func(tx *store.Tx) (bool, error) {
				return tx.ClaimAccessRequest(ctx, r.ID, by, queueNow)
			})
		}
		release := func(by string, anyone bool) bool {
			return mustInTx(t, db, func(tx *store.Tx) (bool, error) {
				return tx.ReleaseAccessRequest(ctx, r.ID, by, anyone)
			})
		}

		t.Run("ConcurrentClaimsOneWins", func(t *testing.T) {
			const n = 6
			var wg sync.WaitGroup
			won := make([]bool, n)
			errs := make([]error, n)
			start := make(chan struct{})
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					errs[i] = db.InTx(ctx, func(tx *store.Tx) (err error) {
						won[i], err = tx.ClaimAccessRequest(ctx, r.ID, "staff:"+string(rune('a'+i)), queueNow)
						return err
					})
				}()
			}
			close(start)
			wg.Wait()
			winners := 0
			for i, w := range won {
				if errs[i] != nil {
					t.Fatalf("claim %d: %v", i, errs[i])
				}
				if w {
					winners++
				}
			}
			cur, err := db.Read().FindAccessRequestByID(ctx, r.ID)
			if err != nil || winners != 1 || cur.ClaimedBy == "" || !cur.ClaimedAt.Equal(queueNow) {
				t.Fatalf("%d winners, claimed by %q at %v (%v)", winners, cur.ClaimedBy, cur.ClaimedAt, err)
			}
			if !release(cur.ClaimedBy, false) {
				t.Fatal("the claimer could not release")
			}
		})
		t.Run("ReleaseOnlyByClaimerOrAnyone", func(t *testing.T) {
			if !claim("staff:1") || claim("staff:2") {
				t.Fatal("claim of a claimed request succeeded, or of a free one failed")
			}
			if release("staff:2", false) {
				t.Fatal("another officer released the claim")
			}
			if !release("staff:3", true) {
				t.Fatal("an administrator could not release the claim")
			}
			if release("staff:1", false) {
				t.Fatal("released an unclaimed request")
			}
			cur, _ := db.Read().FindAccessRequestByID(ctx, r.ID)
			if cur.ClaimedBy != "" || !cur.ClaimedAt.IsZero() {
				t.Fatalf("still claimed by %q", cur.ClaimedBy)
			}
		})
		t.Run("DecidedCannotBeClaimed", func(t *testing.T) {
			mustChange(t, db, store.AccessRequestChange{ID: r.ID, From: []string{portal.ARSubmitted},
				To: portal.ARDeclined, At: queueNow, ActorKind: portal.ActorStaff, ActorID: "staff:1"})
			if claim("staff:1") {
				t.Fatal("claimed a declined request")
			}
		})
	})
}
