package app_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// dmKinds lists the dormancy emails a person got, oldest first.
func dmKinds(t *testing.T, db *store.DB, to string) []string {
	t.Helper()
	var out []string
	for _, k := range boEmailKinds(t, db, to) {
		if strings.HasPrefix(k, "dormancy_") {
			out = append(out, k)
		}
	}
	return out
}

func dmRunTwiceAtOnce(t *testing.T, a1, a2 *app.App) app.DormancyRun {
	t.Helper()
	type res struct {
		run app.DormancyRun
		err error
	}
	ch := make(chan res, 2)
	start := make(chan struct{})
	for _, a := range []*app.App{a1, a2} {
		go func() {
			<-start
			r, err := a.RunDormancy(ctx)
			ch <- res{r, err}
		}()
	}
	close(start)
	total := app.DormancyRun{Reminders: map[int]int{}}
	for range 2 {
		r := <-ch
		if r.err != nil {
			t.Fatal(r.err)
		}
		for k, v := range r.run.Reminders {
			if v > 0 {
				total.Reminders[k] += v
			}
		}
		total.Suspended += r.run.Suspended
	}
	return total
}

func dmReport(t *testing.T, a *app.App, staff *portal.Staff, want app.DormancyReport) {
	t.Helper()
	r, err := a.Reports(ctx, staff)
	if err != nil {
		t.Fatal(err)
	}
	if r.Dormancy != want {
		t.Fatalf("dormancy report %+v, want %+v", r.Dormancy, want)
	}
}

// dmNoDormant checks the dormancy invariant against the database.
func dmNoDormant(t *testing.T, a *app.App) {
	t.Helper()
	vs, err := a.CheckInvariants(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if v.Invariant == portal.InvNoDormantProvisioned {
			t.Fatalf("violation: %v", v)
		}
	}
}

func TestDormancy_RemindersSuspensionAndRestore(t *testing.T) {
	eachClockApp(t, func(t *testing.T, db *store.DB, a *app.App, clock *fixture.Clock) {
		other := newApp(t, db)
		other.Now = clock.Now
		doc, _, r := rvPerson(t, a, "dr.dormant", "Dora", "DORMANT", "101")
		active, _, ra := rvPerson(t, a, "dr.active", "Abe", "ACTIVE", "102")
		approved := clock.Now().Truncate(time.Millisecond)
		at := approved.Add(portal.DefaultDormancyLimit)

		steps := []struct {
			name      string
			at        time.Time
			reminders map[int]int
			suspended int
			status    string
			emails    []string
		}{
			{"NothingBefore30Days", at.AddDate(0, 0, -31), map[int]int{}, 0, portal.ARApproved, nil},
			{
				"Reminder30",
				at.AddDate(0, 0, -30),
				map[int]int{30: 2},
				0,
				portal.ARApproved,
				[]string{"dormancy_reminder"},
			},
			{"StillOnly30", at.AddDate(0, 0, -8), map[int]int{}, 0, portal.ARApproved, []string{"dormancy_reminder"}},
			{
				"Reminder7",
				at.AddDate(0, 0, -7),
				map[int]int{7: 1},
				0,
				portal.ARApproved,
				[]string{"dormancy_reminder", "dormancy_reminder"},
			},
			{
				"JustBefore",
				at.Add(-time.Millisecond),
				map[int]int{},
				0,
				portal.ARApproved,
				[]string{"dormancy_reminder", "dormancy_reminder"},
			},
			{
				"Suspended",
				at,
				map[int]int{},
				1,
				portal.ARSuspended,
				[]string{"dormancy_reminder", "dormancy_reminder", "dormancy_suspended"},
			},
			{
				"SuspendedOnce",
				at.Add(24 * time.Hour),
				map[int]int{},
				0,
				portal.ARSuspended,
				[]string{"dormancy_reminder", "dormancy_reminder", "dormancy_suspended"},
			},
		}
		for i, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				clock.Set(st.at)
				if i == 2 {
					// The other physician signs in after the first reminder:
					// their clock starts again.
					c := card("dr.active")
					c.GivenNames, c.Surname = "Abe", "ACTIVE"
					if _, err := a.SignIn(ctx, meta, c); err != nil {
						t.Fatal(err)
					}
				}
				total := dmRunTwiceAtOnce(t, a, other)
				if again, err := a.RunDormancy(ctx); err != nil || again.Suspended != 0 || len(again.Reminders) != 0 {
					t.Fatalf("a later run did something: %+v %v", again, err)
				}
				if !reflect.DeepEqual(total.Reminders, st.reminders) || total.Suspended != st.suspended {
					t.Fatalf("run %+v, want %v and %d suspended", total, st.reminders, st.suspended)
				}
				wantStatus(t, db, r, st.status)
				if got := dmKinds(t, db, doc.Email); !reflect.DeepEqual(got, st.emails) {
					t.Fatalf("emails %v, want %v", got, st.emails)
				}
			})
		}
		// The one who signed in got only the first reminder and keeps access.
		if got := dmKinds(t, db, active.Email); !reflect.DeepEqual(got, []string{"dormancy_reminder"}) {
			t.Fatalf("active person's emails %v", got)
		}
		wantStatus(t, db, ra, portal.ARApproved)
		rem := mustEmails(t, db, doc.Email, "dormancy_reminder", 2) // newest first
		for i, want := range []string{"7 days from now", "30 days from now"} {
			wantSays(t, "reminder "+itoa(int64(i)), rem[i].Text, want, "26 Nov 2026", "25 May 2027",
				"https://portal.test/dormant")
		}
		if got := boRequestAudit(t, db, r.ID); rvCount(got, "dormancy.reminder_sent") != 2 ||
			rvCount(got, "dormancy.suspended") != 1 {
			t.Fatalf("audit %v", got)
		}
		boWantFeed(t, db, doc.ID, app.ProvUserProvisioned, app.ProvUserSuspended)
		if last := lastHistory(t, db, r.ID); last.ActorID != store.DormancyActor ||
			last.Note != "Suspended as dormant: no sign-in or annual review confirmation for 180 days since 26 Nov 2026." {
			t.Fatalf("history %+v", last)
		}
		dmNoDormant(t, a)
		auditor := mustStaff(t, a, "auditor@gov.test", portal.RoleAuditor)
		dmReport(t, a, auditor, app.DormancyReport{LimitDays: 180, DormantNow: 1, SuspendedAll: 1, SuspendedRecent: 1})

		// Two days later she signs in and confirms: access is back at once.
		clock.Set(at.Add(48 * time.Hour))
		c := card("dr.dormant")
		c.GivenNames, c.Surname = "Dora", "DORMANT"
		signed, err := a.SignIn(ctx, meta, c)
		if err != nil {
			t.Fatal(err)
		}
		v, err := a.Dormancy(ctx, signed)
		if err != nil || !v.Dormant || !v.SuspendedAt.Equal(at) {
			t.Fatalf("dormancy %+v %v", v, err)
		}
		err = a.ConfirmStillNeeded(ctx, meta, signed, false)
		if fe, ok := portal.AsFieldErrors(err); !ok ||
			fe["confirm"] != "Confirm that you still need CareConnect access." {
			t.Fatalf("unconfirmed: %v", err)
		}
		if err := a.ConfirmStillNeeded(ctx, meta, signed, true); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, db, r, portal.ARApproved)
		boWantFeed(t, db, doc.ID, app.ProvUserProvisioned, app.ProvUserSuspended, app.ProvUserReinstated)
		if got := dmKinds(t, db, doc.Email); !reflect.DeepEqual(
			got,
			[]string{"dormancy_reminder", "dormancy_reminder", "dormancy_suspended", "dormancy_reactivated"},
		) {
			t.Fatalf("emails %v", got)
		}
		last := lastRequestAudit(t, db, r.ID)
		if last.Action != "dormancy.reactivated" || last.ActorKind != portal.ActorAccount ||
			last.ActorID != itoa(int64(doc.ID)) {
			t.Fatalf("audit %+v", last)
		}
		// Confirming again has nothing to restore.
		boWantMessage(t, a.ConfirmStillNeeded(ctx, meta, signed, true), portal.ECONFLICT,
			"Your CareConnect access is not suspended as unused, so there is nothing to restore here.")
		if run, err := a.RunDormancy(ctx); err != nil || run.Suspended != 0 || len(run.Reminders) != 0 {
			t.Fatalf("run after restoring %+v %v", run, err)
		}
		dmReport(
			t,
			a,
			auditor,
			app.DormancyReport{
				LimitDays:         180,
				SuspendedAll:      1,
				SuspendedRecent:   1,
				ReactivatedAll:    1,
				ReactivatedRecent: 1,
			},
		)
		dmNoDormant(t, a)
	})
}

func TestDormancy_OtherSuspensionsAreNotRestored(t *testing.T) {
	eachClockApp(t, func(t *testing.T, db *store.DB, a *app.App, clock *fixture.Clock) {
		doc, _, r := rvPerson(t, a, "dr.team", "Tess", "TEAM", "101")
		// The annual review suspends her; dormancy confirms nothing.
		due := boRequest(t, db, r.ID).ReviewDueAt
		clock.Set(due.Add(app.ReviewGrace))
		// A sign-in first, so that she is not dormant by then.
		c := card("dr.team")
		c.GivenNames, c.Surname = "Tess", "TEAM"
		clock.Set(due)
		if _, err := a.SignIn(ctx, meta, c); err != nil {
			t.Fatal(err)
		}
		clock.Set(due.Add(app.ReviewGrace))
		if run := rvRun(t, a); run.Suspended != 1 {
			t.Fatalf("review run %+v", run)
		}
		if run, err := a.RunDormancy(ctx); err != nil || run.Suspended != 0 {
			t.Fatalf("dormancy run %+v %v", run, err)
		}
		if v, err := a.Dormancy(ctx, doc); err != nil || v.Dormant {
			t.Fatalf("dormancy %+v %v", v, err)
		}
		boWantMessage(t, a.ConfirmStillNeeded(ctx, meta, doc, true), portal.ECONFLICT,
			"Your CareConnect access is not suspended as unused, so there is nothing to restore here.")
		wantStatus(t, db, r, portal.ARSuspended)
	})
}

func TestDormancy_InvariantSeesAMissedSuspension(t *testing.T) {
	eachClockApp(t, func(t *testing.T, db *store.DB, a *app.App, clock *fixture.Clock) {
		_, _, r := rvPerson(t, a, "dr.missed", "Max", "MISSED", "101")
		// The job never ran: within its grace the invariant holds, after it not.
		clock.Set(clock.Now().Add(portal.DefaultDormancyLimit + portal.DormancyJobGrace - time.Minute))
		dmNoDormant(t, a)
		clock.Set(clock.Now().Add(2 * time.Minute))
		vs, err := a.CheckInvariants(ctx)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, v := range vs {
			if v.Invariant == portal.InvNoDormantProvisioned {
				found = reflect.DeepEqual(
					v.IDs,
					[]string{"account " + itoa(int64(r.AccountID)), "access request " + itoa(int64(r.ID))},
				)
			}
		}
		if !found {
			t.Fatalf("violations %v", vs)
		}
	})
}

func TestDormancy_ConfiguredLimit(t *testing.T) {
	eachClockApp(t, func(t *testing.T, db *store.DB, a *app.App, clock *fixture.Clock) {
		a.DormancyLimit = 90 * 24 * time.Hour
		doc, _, r := rvPerson(t, a, "dr.short", "Sid", "SHORT", "101")
		clock.Set(clock.Now().Add(90 * 24 * time.Hour))
		run, err := a.RunDormancy(ctx)
		if err != nil || run.Suspended != 1 {
			t.Fatalf("run %+v %v", run, err)
		}
		wantStatus(t, db, r, portal.ARSuspended)
		if s := mustEmails(t, db, doc.Email, "dormancy_suspended", 1)[0]; s.Subject != "Your CareConnect access is suspended: not used for 90 days" {
			t.Fatalf("subject %q", s.Subject)
		}
	})
}
