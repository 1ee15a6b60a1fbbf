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

// mustReviewApproved provisions an access request approved at a moment
// whose review falls due at another.
func mustReviewApproved(
	t *testing.T,
	db *store.DB,
	a *portal.Account,
	w *portal.Worksite,
	approved, due time.Time,
) *portal.AccessRequest {
	t.Helper()
	r := fixture.Request(a, approved, w)
	r.ReviewDueAt = due
	return fixture.ProvisionRequest(t, db, r, "demographics")
}

func mustChange(t *testing.T, db *store.DB, c store.AccessRequestChange) {
	t.Helper()
	err := db.InTx(ctx, func(tx *store.Tx) error {
		ok, err := tx.ChangeAccessRequest(ctx, c)
		if err == nil && !ok {
			t.Fatalf("%s -> %s refused", c.From, c.To)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func reviewIDs(rs []*store.AccessReview) []portal.AccessRequestID {
	var out []portal.AccessRequestID
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func TestStore_ReviewReminders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := sponsorNow
		soon := mustSponsorAccount(t, db, "soon", portal.ProfPhysician, "", false)
		later := mustSponsorAccount(t, db, "later", portal.ProfPhysician, "", false)
		w := mustSponsorWorksite(t, db, "Harbour Clinic", "101", portal.WorksiteApproved, soon, later)
		rSoon := mustReviewApproved(t, db, soon, w, now.AddDate(-1, 0, 10), now.AddDate(0, 0, 10))
		rLater := mustReviewApproved(t, db, later, w, now.AddDate(0, -1, 0), now.AddDate(0, 11, 0))

		due, err := db.Read().FindReviewsDue(ctx, now.AddDate(0, 0, 31))
		if err != nil {
			t.Fatal(err)
		}
		if got := reviewIDs(due); len(got) != 1 || got[0] != rSoon.ID {
			t.Fatalf("due %v, want only %d", got, rSoon.ID)
		}
		if !due[0].ApprovedAt.Equal(now.AddDate(-1, 0, 10)) || !due[0].ReviewDueAt.Equal(now.AddDate(0, 0, 10)) ||
			!due[0].CycleStart().Equal(due[0].ApprovedAt) {
			t.Fatalf("review %+v", due[0])
		}
		cur, err := db.Read().FindAccessReview(ctx, later.ID)
		if err != nil || cur.ID != rLater.ID || len(cur.WorksiteIDs) != 1 {
			t.Fatalf("access review %+v %v", cur, err)
		}

		t.Run("OnceOnly", func(t *testing.T) {
			record := func(from, to string, due time.Time) bool {
				t.Helper()
				return mustInTx(t, db, func(tx *store.Tx) (bool, error) {
					return tx.RecordReviewReminders(ctx, rSoon.ID, due, from, to, now)
				})
			}
			dueAt := now.AddDate(0, 0, 10)
			if !record("", "30", dueAt) {
				t.Fatal("first record refused")
			}
			if record("", "30", dueAt) {
				t.Fatal("the same reminder recorded twice")
			}
			if record("30", "30,7", dueAt.Add(time.Hour)) {
				t.Fatal("recorded against another due date")
			}
			// Two instances at once: exactly one records the 7-day reminder.
			var wg sync.WaitGroup
			wins := make([]bool, 4)
			start := make(chan struct{})
			for i := range wins {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					err := db.InTx(ctx, func(tx *store.Tx) error {
						var err error
						wins[i], err = tx.RecordReviewReminders(ctx, rSoon.ID, dueAt, "30", "30,7", now)
						return err
					})
					if err != nil {
						t.Error(err)
					}
				}()
			}
			close(start)
			wg.Wait()
			n := 0
			for _, w := range wins {
				if w {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("%d instances recorded the reminder, want 1", n)
			}
			got, _ := db.Read().FindAccessRequestByID(ctx, rSoon.ID)
			if got.RemindersSent != "30,7" {
				t.Fatalf("reminders %q", got.RemindersSent)
			}
		})

		t.Run("ReminderTimes", func(t *testing.T) {
			for i, at := range []time.Time{now.Add(-time.Hour), now} {
				err := db.InTx(ctx, func(tx *store.Tx) error {
					return tx.AddAccessRequestEvent(
						ctx,
						rSoon.ID,
						portal.AccessRequestEvent{At: at, ActorKind: portal.ActorSystem,
							ActorID: store.ReviewActor, FromStatus: portal.ARApproved, ToStatus: portal.ARApproved, Note: "reminder " + string(rune('a'+i))},
					)
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			times, err := db.Read().
				FindReviewReminderTimes(ctx, []portal.AccessRequestID{rSoon.ID, rLater.ID}, now.Add(-30*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			if len(times[rSoon.ID]) != 1 || !times[rSoon.ID][0].Equal(now) || len(times[rLater.ID]) != 0 {
				t.Fatalf("times %v", times)
			}
		})
	})
}

func TestStore_ReviewSuspensions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := sponsorNow
		byReview := mustSponsorAccount(t, db, "byreview", portal.ProfPhysician, "", false)
		byTeam := mustSponsorAccount(t, db, "byteam", portal.ProfPhysician, "", false)
		again := mustSponsorAccount(t, db, "again", portal.ProfPhysician, "", false)
		w := mustSponsorWorksite(t, db, "Harbour Clinic", "101", portal.WorksiteApproved, byReview, byTeam, again)
		past := now.AddDate(-1, -2, 0)
		r1 := mustReviewApproved(t, db, byReview, w, past, past.AddDate(1, 0, 0))
		r2 := mustReviewApproved(t, db, byTeam, w, past, past.AddDate(1, 0, 0))
		r3 := mustReviewApproved(t, db, again, w, past, past.AddDate(1, 0, 0))
		suspend := func(id portal.AccessRequestID, kind, actor string, at time.Time) {
			mustChange(
				t,
				db,
				store.AccessRequestChange{ID: id, From: []string{portal.ARApproved}, To: portal.ARSuspended, At: at,
					ActorKind: kind, ActorID: actor, Note: "Suspended"},
			)
		}
		suspend(r1.ID, portal.ActorSystem, store.ReviewActor, now.Add(-2*time.Hour))
		suspend(r2.ID, portal.ActorStaff, "staff:1", now.Add(-time.Hour))
		// Suspended for the review, reinstated by the team, then suspended by the team.
		suspend(r3.ID, portal.ActorSystem, store.ReviewActor, now.Add(-3*time.Hour))
		mustChange(
			t,
			db,
			store.AccessRequestChange{
				ID:        r3.ID,
				From:      []string{portal.ARSuspended},
				To:        portal.ARApproved,
				At:        now.Add(-2 * time.Hour),
				ActorKind: portal.ActorStaff,
				ActorID:   "staff:1",
			},
		)
		suspend(r3.ID, portal.ActorStaff, "staff:1", now.Add(-time.Hour))

		got, err := db.Read().FindReviewSuspensions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ids := reviewIDs(got); len(ids) != 1 || ids[0] != r1.ID || !got[0].SuspendedAt.Equal(now.Add(-2*time.Hour)) {
			t.Fatalf("suspensions %v %+v", ids, got)
		}
		for id, want := range map[portal.AccessRequestID]string{r1.ID: store.ReviewActor, r2.ID: "staff:1", r3.ID: "staff:1"} {
			last, err := db.Read().LastSuspension(ctx, id)
			if err != nil || last.ActorID != want || last.ToStatus != portal.ARSuspended {
				t.Errorf("request %d: last suspension %+v %v, want by %s", id, last, err, want)
			}
		}
		never := mustSponsorAccount(t, db, "never", portal.ProfPhysician, "", false)
		r4 := mustReviewApproved(t, db, never, w, past, past.AddDate(1, 0, 0))
		if _, err := db.Read().LastSuspension(ctx, r4.ID); !store.IsNotFound(err) {
			t.Fatalf("never suspended: %v", err)
		}
		var locked *store.AccessReview
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			locked, err = tx.LockAccessReview(ctx, r1.ID)
			return err
		}); err != nil || locked.Status != portal.ARSuspended || !locked.ApprovedAt.Equal(past) {
			t.Fatalf("locked %+v %v", locked, err)
		}
	})
}

func TestStore_ReviewMembers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := sponsorNow
		admin := mustSponsorAccount(t, db, "admin", portal.ProfMOA, "", false)
		old := mustSponsorWorksite(t, db, "Old Clinic", "101", portal.WorksiteApproved, admin)
		mustSponsorWorksite(t, db, "Pending Clinic", "102", portal.WorksitePending, admin)
		// Old Clinic was approved more than a year ago.
		if _, err := db.SQL().ExecContext(ctx, store.Rebind(db.Dialect(), "UPDATE worksites SET approved_at = ? WHERE id = ?"),
			now.AddDate(-1, 0, -3).UnixMilli(), int64(old.ID)); err != nil {
			t.Fatal(err)
		}
		list, err := db.Read().
			FindMembersReviews(ctx, store.MembersReviewFilter{CycleBefore: now.AddDate(-1, 0, 0), NotReminded: true})
		if err != nil || len(list) != 1 || list[0].Worksite.ID != old.ID || !list[0].ConfirmedAt.IsZero() ||
			!list[0].CycleStart().Equal(now.AddDate(-1, 0, -3)) {
			t.Fatalf("reviews %+v %v", list, err)
		}
		if l, _ := db.Read().FindMembersReviews(ctx, store.MembersReviewFilter{CycleBefore: now.AddDate(-1, 0, 0), WorksiteIDs: []portal.WorksiteID{old.ID + 100}}); len(
			l,
		) != 0 {
			t.Fatalf("filtered by worksite: %+v", l)
		}
		mark := func(confirmed time.Time) bool {
			return mustInTx(t, db, func(tx *store.Tx) (bool, error) {
				return tx.MarkMembersReviewReminded(ctx, old.ID, confirmed, now)
			})
		}
		if !mark(time.Time{}) || mark(time.Time{}) {
			t.Fatal("the reminder was not recorded exactly once")
		}
		if l, _ := db.Read().FindMembersReviews(ctx, store.MembersReviewFilter{CycleBefore: now.AddDate(-1, 0, 0), NotReminded: true}); len(
			l,
		) != 0 {
			t.Fatalf("reminded worksite still listed: %+v", l)
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			ok, err := tx.ConfirmWorksiteMembers(ctx, old.ID, now)
			if !ok {
				t.Error("confirmation refused")
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		m, err := db.Read().FindMembersReview(ctx, old.ID)
		if err != nil || !m.ConfirmedAt.Equal(now) || !m.RemindedAt.IsZero() || !m.CycleStart().Equal(now) {
			t.Fatalf("after confirmation %+v %v", m, err)
		}
		if l, _ := db.Read().FindMembersReviews(ctx, store.MembersReviewFilter{CycleBefore: now.AddDate(-1, 0, 0)}); len(
			l,
		) != 0 {
			t.Fatalf("confirmed worksite still listed: %+v", l)
		}
	})
}
