package app_test

import (
	"reflect"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

func TestLeaveInput_Validate(t *testing.T) {
	t.Parallel()
	ok := portal.LeaveInput{Kind: "parental", Start: "2026-12-01", End: "2027-06-01"}
	tests := []struct {
		name string
		edit func(*portal.LeaveInput)
		want portal.FieldErrors
	}{
		{"OK", func(*portal.LeaveInput) {}, portal.FieldErrors{}},
		{
			"NoKind",
			func(in *portal.LeaveInput) { in.Kind = "holiday" },
			portal.FieldErrors{"kind": "Choose the kind of leave."},
		},
		{"NoDates", func(in *portal.LeaveInput) { in.Start, in.End = "", "" },
			portal.FieldErrors{"start": "Enter the first day of your leave.", "end": "Enter your return date."}},
		{"NotADate", func(in *portal.LeaveInput) { in.Start = "12/01/2026" },
			portal.FieldErrors{"start": "Enter the first day of your leave as YYYY-MM-DD."}},
		{"EndBeforeStart", func(in *portal.LeaveInput) { in.End = "2026-12-01" },
			portal.FieldErrors{"end": "The return date must be after the first day of your leave."}},
		{
			"TooLong",
			func(in *portal.LeaveInput) { in.End = "2028-12-02" },
			portal.FieldErrors{"end": "A leave lasts two years at most."},
		},
		{"TooFarAhead", func(in *portal.LeaveInput) { in.Start, in.End = "2027-12-01", "2028-01-01" },
			portal.FieldErrors{"start": "Record a leave that starts within a year from today."}},
		{"TooLongAgo", func(in *portal.LeaveInput) { in.Start = "2026-10-01" },
			portal.FieldErrors{"start": "A leave recorded now may have begun at most 30 days ago."}},
		{"AlreadyOver", func(in *portal.LeaveInput) { in.Start, in.End = "2026-11-01", "2026-11-20" },
			portal.FieldErrors{"end": "The return date must be after today."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := ok
			tt.edit(&in)
			if got := in.Validate("2026-11-26"); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLeave_PausedAccessComesBackOnTheReturnDate(t *testing.T) {
	eachClockApp(t, func(t *testing.T, db *store.DB, a *app.App, clock *fixture.Clock) {
		other := newApp(t, db)
		other.Now = clock.Now
		doc, _, r := rvPerson(t, a, "dr.leave", "Lea", "LEAVE", "101")
		due := boRequest(t, db, r.ID).ReviewDueAt
		in := portal.LeaveInput{Kind: "parental", Start: "2026-12-01", End: "2027-03-01", PauseAccess: true}
		l, err := a.RecordLeave(ctx, meta, doc, in)
		if err != nil {
			t.Fatal(err)
		}
		// 90 days: the review moves by them.
		if got, want := boRequest(t, db, r.ID).ReviewDueAt, due.Add(90*24*time.Hour); !got.Equal(want) {
			t.Fatalf("review due %v, want %v", got, want)
		}
		if e := mustEmails(t, db, doc.Email, "leave_recorded", 1)[0]; e.Subject != "Your leave is recorded: 2026-12-01 to 2027-03-01" {
			t.Fatalf("subject %q", e.Subject)
		}
		// Overlapping leaves are refused.
		_, err = a.RecordLeave(
			ctx,
			meta,
			doc,
			portal.LeaveInput{Kind: "medical", Start: "2027-02-01", End: "2027-04-01"},
		)
		if fe, ok := portal.AsFieldErrors(err); !ok ||
			fe["start"] != "You already have a leave from 2026-12-01 to 2027-03-01: leaves cannot overlap." {
			t.Fatalf("overlap: %v", err)
		}

		run := func(want app.LeaveRun) {
			t.Helper()
			total := app.LeaveRun{}
			for _, inst := range []*app.App{a, other, a} {
				got, err := inst.RunLeaves(ctx)
				if err != nil {
					t.Fatal(err)
				}
				total.Paused += got.Paused
				total.Resumed += got.Resumed
				total.Refused += got.Refused
			}
			if total != want {
				t.Fatalf("runs %+v, want %+v", total, want)
			}
		}
		run(app.LeaveRun{}) // not begun yet
		clock.Set(rvPT(t, 2026, 12, 1, 0, 5))
		run(app.LeaveRun{Paused: 1})
		wantStatus(t, db, r, portal.ARSuspended)
		boWantFeed(t, db, doc.ID, app.ProvUserProvisioned, app.ProvUserSuspended)
		// No dormancy on leave, and no review reminder.
		clock.Set(rvPT(t, 2027, 2, 28, 23, 0))
		run(app.LeaveRun{})
		clock.Set(rvPT(t, 2027, 3, 1, 0, 1))
		run(app.LeaveRun{Resumed: 1})
		wantStatus(t, db, r, portal.ARApproved)
		boWantFeed(t, db, doc.ID, app.ProvUserProvisioned, app.ProvUserSuspended, app.ProvUserReinstated)
		if e := mustEmails(t, db, doc.Email, "leave_ended", 1)[0]; e.Subject != "Welcome back: your CareConnect access is restored" {
			t.Fatalf("subject %q", e.Subject)
		}
		if got := boRequestAudit(t, db, r.ID); rvCount(got, "leave.access_paused") != 1 ||
			rvCount(got, "leave.access_resumed") != 1 {
			t.Fatalf("audit %v", got)
		}
		// The dormancy clock did not count the 90 days: approved on November
		// 26, dormant 180 + 90 days later.
		v, err := a.Dormancy(ctx, doc)
		if err != nil {
			t.Fatal(err)
		}
		if want := rvPT(t, 2026, 11, 26, 10, 0).Add(portal.DefaultDormancyLimit + 90*24*time.Hour); !v.DormantAt.Equal(
			want,
		) {
			t.Fatalf("dormant at %v, want %v (leave %d)", v.DormantAt, want, l.ID)
		}
	})
}

func TestLeave_ReviewRemindersPause(t *testing.T) {
	eachClockApp(t, func(t *testing.T, db *store.DB, a *app.App, clock *fixture.Clock) {
		doc, _, r := rvPerson(t, a, "dr.away", "Al", "AWAY", "101")
		// The review falls due on November 26, 2027; a leave from October 1 to
		// October 31 moves it by 30 days, and no reminder goes during it.
		clock.Set(rvPT(t, 2027, 9, 20, 9, 0))
		if _, err := a.RecordLeave(ctx, meta, doc, portal.LeaveInput{Kind: "medical", Start: "2027-10-01", End: "2027-10-31"}); err != nil {
			t.Fatal(err)
		}
		due := boRequest(t, db, r.ID).ReviewDueAt
		if want := rvPT(t, 2027, 12, 26, 10, 0); !due.Equal(want) {
			t.Fatalf("due %v, want %v", due, want)
		}
		// Move the due date into the leave's reach: during the leave no reminder.
		if _, err := db.SQL().ExecContext(ctx, store.Rebind(db.Dialect(), "UPDATE access_requests SET review_due_at = ? WHERE id = ?"),
			rvPT(t, 2027, 11, 5, 10, 0).UnixMilli(), int64(r.ID)); err != nil {
			t.Fatal(err)
		}
		clock.Set(rvPT(t, 2027, 10, 10, 9, 0))
		if run := rvRun(t, a); len(rvReminders(run)) != 0 {
			t.Fatalf("reminded on leave: %+v", run)
		}
		clock.Set(rvPT(t, 2027, 10, 31, 9, 0))
		if run := rvRun(t, a); !reflect.DeepEqual(rvReminders(run), map[int]int{7: 1}) {
			t.Fatalf("back from leave: %+v", run)
		}
	})
}

func TestLeave_InvariantSeesAccessNotBack(t *testing.T) {
	eachClockApp(t, func(t *testing.T, db *store.DB, a *app.App, clock *fixture.Clock) {
		doc, _, _ := rvPerson(t, a, "dr.stuck", "Stu", "STUCK", "101")
		if _, err := a.RecordLeave(ctx, meta, doc, portal.LeaveInput{Kind: "sabbatical", Start: "2026-11-26", End: "2026-12-01",
			PauseAccess: true}); err != nil {
			t.Fatal(err)
		}
		leaveViolations := func() []portal.Violation {
			t.Helper()
			vs, err := a.CheckInvariants(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var out []portal.Violation
			for _, v := range vs {
				if v.Invariant == portal.InvLeaveAccessBack {
					out = append(out, v)
				}
			}
			return out
		}
		clock.Set(rvPT(t, 2026, 12, 2, 23, 0)) // the job's day of grace
		if vs := leaveViolations(); len(vs) != 0 {
			t.Fatalf("within the grace: %v", vs)
		}
		clock.Set(rvPT(t, 2026, 12, 3, 9, 0))
		if vs := leaveViolations(); len(vs) != 1 ||
			vs[0].Reason != "access paused for a leave that ended on 2026-12-01 is still paused on 2026-12-03" {
			t.Fatalf("late: %v", vs)
		}
		if run, err := a.RunLeaves(ctx); err != nil || run.Resumed != 1 {
			t.Fatalf("run %+v %v", run, err)
		}
		if vs := leaveViolations(); len(vs) != 0 {
			t.Fatalf("after the job: %v", vs)
		}
	})
}
