package store_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

var reportT0 = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

// reportAccount inserts an account of a profession.
func reportAccount(t *testing.T, db *store.DB, key string, prof portal.Profession) *portal.Account {
	return fixture.Account(t, db, key, reportT0, fixture.Profession(prof), func(a *portal.Account) {
		a.Surname, a.Email = "REPORT", key+"@Example.ca"
	})
}

// reportWorksite inserts a worksite with a status, a health authority and active members.
func reportWorksite(
	t *testing.T,
	db *store.DB,
	unit, status string,
	ha portal.HealthAuthority,
	members ...*portal.Account,
) *portal.Worksite {
	return fixture.Worksite(t, db, reportT0, status, func(w *portal.Worksite) {
		w.Name, w.Address.Unit, w.HealthAuthority = "Clinic "+unit, unit, ha
	}, members...)
}

func mustAppendAudit(t *testing.T, db *store.DB, e portal.AuditEvent) int64 {
	t.Helper()
	if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.AppendAudit(ctx, &e) }); err != nil {
		t.Fatal(err)
	}
	return e.Seq
}

func seqs(evs []portal.AuditEvent) []int64 {
	out := []int64{}
	for _, e := range evs {
		out = append(out, e.Seq)
	}
	return out
}

func ref(id int64) string { return strconv.FormatInt(id, 10) }

func TestStore_AuditSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := reportAccount(t, db, "anna", portal.ProfPhysician)
		b := reportAccount(t, db, "ben", portal.ProfMOA)
		w1 := reportWorksite(t, db, "101", portal.WorksiteApproved, portal.VancouverCoastalHealth, a)
		w2 := reportWorksite(t, db, "102", portal.WorksitePending, portal.FraserHealth, b)
		aRef, bRef := ref(int64(a.ID)), ref(int64(b.ID))
		h := time.Hour
		ev := func(at time.Duration, actorKind, actorID, action, subjectKind, subjectID string, ws portal.WorksiteID) int64 {
			return mustAppendAudit(
				t,
				db,
				portal.AuditEvent{At: reportT0.Add(at), ActorKind: actorKind, ActorID: actorID, Action: action,
					SubjectKind: subjectKind, SubjectID: subjectID, WorksiteID: int64(ws), IP: "192.0.2.1", RequestID: "r"},
			)
		}
		s1 := ev(0, "account", aRef, "account.registered", "account", aRef, 0)
		s2 := ev(1*h, "staff", "staff:1", "staff.viewed_audit", "account", aRef, 0)
		s3 := ev(2*h, "account", aRef, "worksite.declaration_signed", "worksite", ref(int64(w1.ID)), w1.ID)
		s4 := ev(3*h, "account", bRef, "account.contact_changed", "account", bRef, 0)
		s5 := ev(4*h, "account", bRef, "worksite.invitation_sent", "invitation", "5", w1.ID)
		s6 := ev(5*h, "account", aRef, "access.requested", "access_request", "1", 0)
		s7 := ev(6*h, "account", bRef, "worksite.registered", "worksite", ref(int64(w2.ID)), 0)
		// Another kind of subject with the same id must not match the person.
		s8 := ev(7*h, "system", "", "worksite.invitation_expired", "invitation", aRef, 0)

		find := func(f store.AuditSearch, offset, limit int) []int64 {
			t.Helper()
			evs, err := db.Read().SearchAuditEvents(ctx, f, offset, limit)
			if err != nil {
				t.Fatal(err)
			}
			n, err := db.Read().CountAuditSearch(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if limit == 0 && n != len(evs) {
				t.Fatalf("count %d, but %d rows", n, len(evs))
			}
			return seqs(evs)
		}
		tests := []struct {
			name string
			f    store.AuditSearch
			want []int64
		}{
			{"PersonAsSubjectOrActor", store.AuditSearch{Account: a.ID}, []int64{s6, s3, s2, s1}},
			{"OtherPerson", store.AuditSearch{Account: b.ID}, []int64{s7, s5, s4}},
			{"WorksiteColumn", store.AuditSearch{Worksite: w1.ID}, []int64{s5, s3}},
			{"WorksiteAsSubject", store.AuditSearch{Worksite: w2.ID}, []int64{s7}},
			{"PersonAtWorksite", store.AuditSearch{Account: b.ID, Worksite: w1.ID}, []int64{s5}},
			{
				"PeriodFromIncludedToExcluded",
				store.AuditSearch{From: reportT0.Add(1 * h), To: reportT0.Add(3 * h)},
				[]int64{s3, s2},
			},
			{
				"PeriodJustAfter",
				store.AuditSearch{From: reportT0.Add(1*h + time.Millisecond), To: reportT0.Add(3*h + time.Millisecond)},
				[]int64{s4, s3},
			},
			{"ActionAnyCase", store.AuditSearch{ActionContains: "ACCESS."}, []int64{s6}},
			{"ActionUnderscoreIsLiteral", store.AuditSearch{ActionContains: "s_r"}, []int64{}},
			{"ActionWithUnderscore", store.AuditSearch{ActionContains: "on_se"}, []int64{s5}},
			{"ActionPercentIsLiteral", store.AuditSearch{ActionContains: "%"}, []int64{}},
			{"BeforeSeq", store.AuditSearch{Account: a.ID, BeforeSeq: s3}, []int64{s2, s1}},
			{"All", store.AuditSearch{}, []int64{s8, s7, s6, s5, s4, s3, s2, s1}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if got := find(tt.f, 0, 0); !slices.Equal(got, tt.want) {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			})
		}

		t.Run("Paging", func(t *testing.T) {
			if got := find(store.AuditSearch{Account: a.ID}, 1, 2); !slices.Equal(got, []int64{s3, s2}) {
				t.Fatalf("page: got %v", got)
			}
			if n, _ := db.Read().CountAuditSearch(ctx, store.AuditSearch{Account: a.ID}); n != 4 {
				t.Fatalf("total %d, want 4", n)
			}
		})
		t.Run("BatchesOldestFirst", func(t *testing.T) {
			f := store.AuditSearch{Account: a.ID}
			first, err := db.Read().AuditSearchBatch(ctx, f, 0, 3)
			if err != nil {
				t.Fatal(err)
			}
			next, err := db.Read().AuditSearchBatch(ctx, f, first[len(first)-1].Seq, 3)
			if err != nil {
				t.Fatal(err)
			}
			if got := append(seqs(first), seqs(next)...); !slices.Equal(got, []int64{s1, s2, s3, s6}) {
				t.Fatalf("batches %v", got)
			}
		})
		t.Run("FindAuditPerson", func(t *testing.T) {
			for _, q := range []string{"ANNA@example.CA", `HXBC\anna`, `hxbc\Anna`, " anna "} {
				got, err := db.Read().FindAuditPerson(ctx, q)
				if err != nil || got.ID != a.ID {
					t.Errorf("%q: got %v, %v", q, got, err)
				}
			}
			if _, err := db.Read().FindAuditPerson(ctx, "nobody@example.ca"); !store.IsNotFound(err) {
				t.Errorf("unknown email: %v", err)
			}
			if _, err := db.Read().FindAuditPerson(ctx, `HXBC\nobody`); !store.IsNotFound(err) {
				t.Errorf("unknown username: %v", err)
			}
		})
		t.Run("Names", func(t *testing.T) {
			names, err := db.Read().AuditAccountNames(ctx, []int64{int64(a.ID), 9999})
			if err != nil || len(names) != 1 || names[int64(a.ID)].Name != "Givenanna REPORT" ||
				names[int64(a.ID)].Extra != `HXBC\anna` {
				t.Fatalf("account names %v %v", names, err)
			}
			ws, err := db.Read().AuditWorksiteNames(ctx, []int64{int64(w1.ID)})
			if err != nil || ws[int64(w1.ID)].Extra != string(w1.Code) || ws[int64(w1.ID)].Name != "Clinic 101" {
				t.Fatalf("worksite names %v %v", ws, err)
			}
		})
	})
}

// reportRequest submits an access request at a time, naming worksites,
// and moves it through the steps.
func reportRequest(
	t *testing.T,
	db *store.DB,
	acct *portal.Account,
	at time.Time,
	ws []portal.WorksiteID,
	steps ...step,
) *portal.AccessRequest {
	t.Helper()
	r := fixture.Request(acct, at)
	r.WorksiteIDs = ws
	return fixture.Decide(t, db, r, steps...)
}

type step = fixture.Step

func TestStore_ReportAggregates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		doc := reportAccount(t, db, "doc", portal.ProfPhysician)
		pharm := reportAccount(t, db, "pharm", portal.ProfPharmacist)
		sw := reportAccount(t, db, "sw", portal.ProfSocialWorker)
		idle := reportAccount(t, db, "idle", portal.ProfMOA)
		van := reportWorksite(t, db, "201", portal.WorksiteApproved, portal.VancouverCoastalHealth, doc, pharm)
		fra := reportWorksite(t, db, "202", portal.WorksiteApproved, portal.FraserHealth, doc)
		pend := reportWorksite(t, db, "203", portal.WorksitePending, "", sw, idle)

		reportRequest(
			t,
			db,
			doc,
			reportT0,
			[]portal.WorksiteID{van.ID, fra.ID},
			step{To: portal.ARInfoRequested, After: 2 * time.Hour},
			step{To: portal.ARSubmitted, After: 5 * time.Hour},
			step{To: portal.ARApproved, After: 3 * time.Hour},
		)
		reportRequest(t, db, pharm, reportT0, []portal.WorksiteID{van.ID},
			step{To: portal.ARDeclined, After: 30 * time.Hour})
		reportRequest(t, db, sw, reportT0, []portal.WorksiteID{pend.ID})

		t.Run("ByStatus", func(t *testing.T) {
			got, err := db.Read().CountAccessRequestsByStatus(ctx)
			want := []store.Count{
				{Key: portal.ARApproved, N: 1},
				{Key: portal.ARDeclined, N: 1},
				{Key: portal.ARSubmitted, N: 1},
			}
			if err != nil || !slices.Equal(got, want) {
				t.Fatalf("got %v %v, want %v", got, err, want)
			}
		})
		t.Run("ByProfession", func(t *testing.T) {
			got, err := db.Read().CountAccessRequestsByProfession(ctx)
			want := []store.Count{{Key: "pharmacist", N: 1}, {Key: "physician", N: 1}, {Key: "social_worker", N: 1}}
			if err != nil || !slices.Equal(got, want) {
				t.Fatalf("got %v %v, want %v", got, err, want)
			}
		})
		t.Run("ByHealthAuthority", func(t *testing.T) {
			got, err := db.Read().CountAccessRequestsByHealthAuthority(ctx)
			want := []store.Count{
				{Key: "", N: 1},
				{Key: string(portal.FraserHealth), N: 1},
				{Key: string(portal.VancouverCoastalHealth), N: 2},
			}
			if err != nil || !slices.Equal(got, want) {
				t.Fatalf("got %v %v, want %v", got, err, want)
			}
		})
		t.Run("DecisionTimings", func(t *testing.T) {
			got, err := db.Read().FindDecisionTimings(ctx)
			if err != nil || len(got) != 2 {
				t.Fatalf("got %v %v, want two decided requests", got, err)
			}
			slices.SortFunc(got, func(a, b store.DecisionTiming) int { return int(a.Took() - b.Took()) })
			if got[0].Took() != 10*time.Hour || got[0].Outcome != portal.ARApproved ||
				!got[0].SubmittedAt.Equal(reportT0) {
				t.Errorf("approved after info: %+v, want 10h from the first submission", got[0])
			}
			if got[1].Took() != 30*time.Hour || got[1].Outcome != portal.ARDeclined {
				t.Errorf("declined: %+v", got[1])
			}
		})
		t.Run("FunnelAccounts", func(t *testing.T) {
			got, err := db.Read().FindFunnelAccounts(ctx)
			if err != nil || len(got) != 4 {
				t.Fatalf("got %d accounts, %v", len(got), err)
			}
			byID := map[portal.AccountID]*store.FunnelAccount{}
			for _, f := range got {
				byID[f.ID] = f
			}
			check := func(a *portal.Account, ws, req, appr bool) {
				t.Helper()
				f := byID[a.ID]
				if f.ApprovedWorksite != ws || f.Requested != req || f.Approved != appr ||
					f.Profession != a.Profession {
					t.Errorf("%s: %+v, want worksite %v requested %v approved %v", a.Username, f, ws, req, appr)
				}
			}
			check(doc, true, true, true)
			check(pharm, true, true, false)
			check(sw, false, true, false)
			check(idle, false, false, false)
		})
	})
}
