package app_test

import (
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

// A licence that lapses while access is already suspended (as unused, or
// paused for a leave) leaves no second suspension behind; the person's own
// way back (confirming they still need access, or the return date) must
// then not bring the access back either, as the team's reinstatement would
// not.
func TestLicence_LapsedWhileSuspendedStaysSuspended(t *testing.T) {
	t.Parallel()
	lapse := func(t *testing.T, a *app.App, reg *fakeRegistry, db *store.DB, doc *portal.Account) {
		t.Helper()
		reg.set("12345", portal.LicenceLapsed)
		run, err := a.RecheckLicences(ctx)
		if err != nil || run.Suspended != 0 {
			t.Fatalf("licence run %+v %v: the access was already suspended", run, err)
		}
		if got := standing(t, db, doc.ID); got != portal.LicenceLapsed {
			t.Fatalf("standing %q", got)
		}
	}
	t.Run("Dormant", func(t *testing.T) {
		t.Parallel()
		storetest.Each(t, func(t *testing.T, db *store.DB) {
			a, reg, clock := licenceClockApp(t, db)
			doc, _, r := rvPerson(t, a, "dr.dormant", "Dora", "DORMANT", "101")
			clock.Set(clock.Now().Add(portal.DefaultDormancyLimit + time.Hour))
			if run, err := a.RunDormancy(ctx); err != nil || run.Suspended != 1 {
				t.Fatalf("dormancy run %+v %v", run, err)
			}
			lapse(t, a, reg, db, doc)

			err := a.ConfirmStillNeeded(ctx, meta, doc, true)
			if portal.ErrorCode(err) != portal.ECONFLICT || !strings.HasPrefix(portal.ErrorMessage(err),
				"Confirming cannot restore your access: the College of Physicians and Surgeons of BC last reported "+
					"Dora DORMANT's licence 12345 as lapsed") {
				t.Fatalf("confirming while the licence is lapsed: %v", err)
			}
			wantStatus(t, db, r, portal.ARSuspended)
			boWantFeed(t, db, doc.ID, app.ProvUserProvisioned, app.ProvUserSuspended)
		})
	})
	t.Run("BackFromLeave", func(t *testing.T) {
		t.Parallel()
		storetest.Each(t, func(t *testing.T, db *store.DB) {
			a, reg, clock := licenceClockApp(t, db)
			doc, _, r := rvPerson(t, a, "dr.leave", "Lea", "LEAVE", "101")
			in := portal.LeaveInput{Kind: "parental", Start: "2026-12-01", End: "2027-03-01", PauseAccess: true}
			if _, err := a.RecordLeave(ctx, meta, doc, in); err != nil {
				t.Fatal(err)
			}
			clock.Set(rvPT(t, 2026, 12, 1, 0, 5))
			if run, err := a.RunLeaves(ctx); err != nil || run.Paused != 1 {
				t.Fatalf("leave run %+v %v", run, err)
			}
			lapse(t, a, reg, db, doc)

			clock.Set(rvPT(t, 2027, 3, 1, 0, 1))
			if run, err := a.RunLeaves(ctx); err != nil || run != (app.LeaveRun{Refused: 1}) {
				t.Fatalf("leave run on the return date %+v %v", run, err)
			}
			wantStatus(t, db, r, portal.ARSuspended)
			boWantFeed(t, db, doc.ID, app.ProvUserProvisioned, app.ProvUserSuspended)
			e := mustEmails(t, db, doc.Email, "leave_ended", 1)[0]
			if e.Subject != "Your leave has ended: your CareConnect access stays suspended" ||
				!strings.Contains(e.Text, "cannot be restored: the College of Physicians and Surgeons of BC "+
					"last reported your licence 12345 as lapsed.") {
				t.Fatalf("leave_ended: %q\n%s", e.Subject, e.Text)
			}
			if got := boRequestAudit(t, db, r.ID); rvCount(got, "leave.access_not_resumed") != 1 ||
				rvCount(got, "leave.access_resumed") != 0 {
				t.Fatalf("audit %v", got)
			}
		})
	})
}

// licenceClockApp is licenceApp on a settable clock.
func licenceClockApp(t *testing.T, db *store.DB) (*app.App, *fakeRegistry, *fixture.Clock) {
	t.Helper()
	a, reg := licenceApp(t, db)
	clock := fixture.NewClock(a.Now())
	a.Now = clock.Now
	return a, reg, clock
}
