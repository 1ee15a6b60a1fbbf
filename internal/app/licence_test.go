package app_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// fakeRegistry is a college registry the test edits as it goes.
type fakeRegistry struct {
	mu   sync.Mutex
	down bool
	lic  map[string]*portal.Licence
}

func (f *fakeRegistry) LookupLicence(_ context.Context, n string) (*portal.Licence, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return nil, fmt.Errorf("%w: connection refused", portal.ErrRegistryUnavailable)
	}
	l, ok := f.lic[n]
	if !ok {
		return nil, nil
	}
	cp := *l
	return &cp, nil
}

func (f *fakeRegistry) set(n, status string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lic[n] = &portal.Licence{
		Number:     n,
		GivenNames: "Dalia",
		FamilyName: "Eighteen",
		Status:     status,
		Class:      "Full",
		Expires:    "2027-03-31",
	}
}

func standing(t *testing.T, db *store.DB, id portal.AccountID) string {
	t.Helper()
	st, err := db.Read().FindLicenceStanding(ctx, id)
	if store.IsNotFound(err) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return st.Status
}

// cpsbcRegistry gives the app a physicians' college registry that lists
// licence 12345 as active.
func cpsbcRegistry(a *app.App) *fakeRegistry {
	reg := &fakeRegistry{lic: map[string]*portal.Licence{}}
	reg.set("12345", portal.LicenceActive)
	a.Licences = portal.LicenceRegistries{portal.CollegeCPSBC: reg}
	return reg
}

func TestLicence_ReviewShowsRegistry(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		reg := cpsbcRegistry(a)
		olivia := oliviaOfficer(t, a)
		_, r := boApplicant(t, a, "dalia", "Dalia", "EIGHTEEN", "101", nil)
		boClaim(t, a, olivia, r.ID)

		last := func() portal.Check {
			rv, err := a.ReviewAccessRequest(ctx, meta, olivia, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			return rv.Checks[len(rv.Checks)-1]
		}
		want := portal.Check{
			Level: portal.CheckOK,
			Text: "College of Physicians and Surgeons of BC registry, licence 12345: " +
				"name Dalia Eighteen matches, status Active, class Full, no conditions, expires March 31, 2027.",
		}
		if got := last(); got != want {
			t.Fatalf("got %+v\nwant %+v", got, want)
		}
		reg.down = true
		want = portal.Check{
			Level: portal.CheckNone,
			Text:  "The licence was not checked: registry unavailable (College of Physicians and Surgeons of BC).",
		}
		if got := last(); got != want {
			t.Fatalf("outage: got %+v", got)
		}
		// Looking is not checking: nothing was recorded.
		if got := standing(t, db, r.AccountID); got != "" {
			t.Fatalf("the review recorded a standing %q", got)
		}
	})
}

func TestLicence_RecheckSuspendsAndTeamReinstates(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		reg := cpsbcRegistry(a)
		olivia := oliviaOfficer(t, a)
		p, r := boApplicant(t, a, "dalia", "Dalia", "EIGHTEEN", "101", nil)
		// A pharmacist: no registry is configured for her college.
		q, qr := boApplicant(t, a, "priya", "Priya", "SINGH", "102", boPharmacist)
		for _, id := range []portal.AccessRequestID{r.ID, qr.ID} {
			boClaim(t, a, olivia, id)
			if _, err := a.ApproveAccessRequest(ctx, meta, olivia, id, []portal.DataScope{portal.ScopeDemographics}); err != nil {
				t.Fatal(err)
			}
		}
		run := func(want app.LicenceRun) {
			t.Helper()
			got, err := a.RecheckLicences(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("run %+v, want %+v", got, want)
			}
		}

		t.Run("Active", func(t *testing.T) {
			run(app.LicenceRun{Checked: 1, NotChecked: 1})
			if got := standing(t, db, p.ID); got != portal.LicenceActive {
				t.Fatalf("standing %q", got)
			}
			if got := standing(t, db, q.ID); got != "" {
				t.Fatalf("the pharmacist's unchecked licence was recorded %q", got)
			}
		})
		t.Run("OutageChangesNothing", func(t *testing.T) {
			reg.set("12345", portal.LicenceLapsed)
			reg.down = true
			run(app.LicenceRun{Unavailable: 1, NotChecked: 1})
			wantStatus(t, db, r, portal.ARApproved)
			if got := standing(t, db, p.ID); got != portal.LicenceActive {
				t.Fatalf("standing %q", got)
			}
			reg.down = false
		})
		t.Run("LapseSuspends", func(t *testing.T) {
			teamBefore := len(emailsTo(t, db, "help@portal.test"))
			run(app.LicenceRun{Checked: 1, NotChecked: 1, Suspended: 1})
			wantStatus(t, db, r, portal.ARSuspended)
			if got := standing(t, db, p.ID); got != portal.LicenceLapsed {
				t.Fatalf("standing %q", got)
			}
			boWantFeed(t, db, p.ID, app.ProvUserProvisioned, app.ProvUserSuspended)
			if got := boEmailKinds(t, db, p.Email); got[len(got)-1] != "licence_suspended" {
				t.Fatalf("person's emails %v", got)
			}
			team := emailsTo(t, db, "help@portal.test")
			if len(team) != teamBefore+1 || team[0].Kind != "licence_team_suspended" ||
				team[0].Subject != `Access suspended: Dalia EIGHTEEN (HXBC\dalia)'s licence is lapsed` {
				t.Fatalf("team emails %d, newest %q %q", len(team), team[0].Kind, team[0].Subject)
			}
			if got := boRequestAudit(t, db, r.ID); got[len(got)-1] != "licence.suspended" {
				t.Fatalf("audit %v", got)
			}
			if got := auditActions(t, db, itoa(int64(p.ID))); !contains(got, "licence.recorded") {
				t.Fatalf("account audit %v", got)
			}
			// A second run changes nothing more.
			run(app.LicenceRun{Checked: 1, NotChecked: 1})
			if got := boProvisioning(t, db, p.ID); len(got) != 2 {
				t.Fatalf("feed %v", got)
			}
		})
		t.Run("ErrReinstateWhileLapsed", func(t *testing.T) {
			_, err := a.ChangeAccess(ctx, meta, olivia, p.ID, portal.AccessReinstate, "Licence renewed.")
			boWantMessage(
				t,
				err,
				portal.ECONFLICT,
				"Their access cannot be reinstated: the College of Physicians and Surgeons of BC "+
					"last reported Dalia EIGHTEEN's licence 12345 as lapsed (checked 26 Nov 2026 at 10:00 AM). "+
					"The daily licence check records it when the licence is restored.",
			)
			wantStatus(t, db, r, portal.ARSuspended)
		})
		t.Run("RestoredThenReinstated", func(t *testing.T) {
			reg.set("12345", portal.LicenceActive)
			run(app.LicenceRun{Checked: 1, NotChecked: 1, Restored: 1})
			team := emailsTo(t, db, "help@portal.test")
			if team[0].Kind != "licence_team_restored" {
				t.Fatalf("team's newest email %q", team[0].Kind)
			}
			wantStatus(t, db, r, portal.ARSuspended) // restoring the licence does not reinstate on its own
			boChangeAccess(t, a, olivia, p.ID, portal.AccessReinstate, "Licence renewed.")
			if got := boProvisioning(t, db, p.ID); got[len(got)-1] != app.ProvUserReinstated {
				t.Fatalf("feed %v", got)
			}
			if got := boRequestAudit(t, db, r.ID); got[len(got)-1] != "access.reinstated" {
				t.Fatalf("audit %v", got)
			}
		})
		t.Run("SuspendedByCollege", func(t *testing.T) {
			reg.set("12345", portal.LicenceSuspended)
			run(app.LicenceRun{Checked: 1, NotChecked: 1, Suspended: 1})
			wantStatus(t, db, r, portal.ARSuspended)
			_, vs, err := a.NewPolicyCheck().Run(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vs {
				if v.Invariant == portal.InvProvisionedLicensed {
					t.Fatalf("violation %v", v)
				}
			}
		})
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

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
		eachClockApp(t, func(t *testing.T, db *store.DB, a *app.App, clock *fixture.Clock) {
			reg := cpsbcRegistry(a)
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
		eachClockApp(t, func(t *testing.T, db *store.DB, a *app.App, clock *fixture.Clock) {
			reg := cpsbcRegistry(a)
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
