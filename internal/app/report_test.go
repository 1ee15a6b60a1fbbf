package app_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

func hours(hs ...float64) []time.Duration {
	out := make([]time.Duration, len(hs))
	for i, h := range hs {
		out[i] = time.Duration(h * float64(time.Hour))
	}
	return out
}

func TestReport_Percentile(t *testing.T) {
	t.Parallel()
	oneToTen := hours(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"MedianOfOneToTen", oneToTen, 0.5, 330 * time.Minute},
		{"P90OfOneToTen", oneToTen, 0.9, 546 * time.Minute},
		{"MinAndMax", oneToTen, 0, time.Hour},
		{"Max", oneToTen, 1, 10 * time.Hour},
		{"MedianOfOdd", hours(1, 2, 9), 0.5, 2 * time.Hour},
		{"MedianOfTwo", hours(1, 3), 0.5, 2 * time.Hour},
		{"One", hours(4), 0.9, 4 * time.Hour},
		{"Empty", nil, 0.5, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := app.Percentile(tt.sorted, tt.p); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// reportNow is newApp's clock.
var reportNow = time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC)

// repAccount inserts an account of a profession directly.
func repAccount(t *testing.T, db *store.DB, key string, prof portal.Profession) *portal.Account {
	return fixture.Account(
		t,
		db,
		key,
		reportNow,
		fixture.Profession(prof),
		func(a *portal.Account) { a.Surname = "REPORT" },
	)
}

// repWorksite inserts a worksite with a status and active members.
func repWorksite(t *testing.T, db *store.DB, unit, status string, members ...*portal.Account) *portal.Worksite {
	return fixture.Worksite(t, db, reportNow, status, func(w *portal.Worksite) {
		w.Name, w.Address.Unit, w.HealthAuthority = "Clinic "+unit, unit, portal.VancouverCoastalHealth
	}, members...)
}

// repCompletion records a prerequisite completion.
func repCompletion(t *testing.T, db *store.DB, a *portal.Account, kind, version string) {
	t.Helper()
	c := &store.Completion{
		AccountID:   a.ID,
		Kind:        kind,
		Version:     version,
		CompletedAt: reportNow.Add(-time.Hour),
		Source:      store.SourcePortal,
	}
	if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.RecordCompletion(ctx, c) }); err != nil {
		t.Fatal(err)
	}
}

// repRequest submits a request at submitted and, unless outcome is "",
// decides it took later.
func repRequest(
	t *testing.T,
	db *store.DB,
	a *portal.Account,
	ws []portal.WorksiteID,
	submitted time.Time,
	took time.Duration,
	outcome string,
) {
	t.Helper()
	r := fixture.Request(a, submitted)
	r.WorksiteIDs = ws
	var steps []fixture.Step
	if outcome != "" {
		steps = append(steps, fixture.Step{To: outcome, After: took})
	}
	fixture.Decide(t, db, r, steps...)
}

func repWantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := portal.ErrorCode(err); got != code {
		t.Fatalf("got %v (%s), want %s", err, got, code)
	}
}

func mustStaff(t *testing.T, a *app.App, email, role string) *portal.Staff {
	return fixture.Staff(t, a, email, role)
}

func TestApp_ReportDecisionTimes(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		officer := mustStaff(t, a, "officer@gov.test", portal.RoleOfficer)
		// Ten requests decided in the last 90 days after 1..10 hours.
		for i := 1; i <= 10; i++ {
			p := repAccount(t, db, "recent"+itoa(int64(i)), portal.ProfPhysician)
			outcome := portal.ARApproved
			if i%2 == 0 {
				outcome = portal.ARDeclined
			}
			repRequest(t, db, p, nil, reportNow.AddDate(0, 0, -10), time.Duration(i)*time.Hour, outcome)
		}
		// Two decided long ago after 100 hours, and one still waiting.
		for _, k := range []string{"old1", "old2"} {
			repRequest(
				t,
				db,
				repAccount(t, db, k, portal.ProfPharmacist),
				nil,
				reportNow.AddDate(0, 0, -200),
				100*time.Hour,
				portal.ARApproved,
			)
		}
		repRequest(t, db, repAccount(t, db, "waiting", portal.ProfSocialWorker), nil, reportNow.Add(-time.Hour), 0, "")

		r, err := a.Reports(ctx, officer)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := r.DecisionRecent, (app.DecisionStats{Decided: 10, Approved: 5, Declined: 5, Median: 330 * time.Minute, P90: 546 * time.Minute}); got != want {
			t.Errorf("last 90 days: got %+v, want %+v", got, want)
		}
		// All time, 1..10 hours and 100, 100: median between 6 and 7 hours;
		// the 90th percentile at rank 11 x 0.9 = 9.9, between 10 and 100 hours.
		if got, want := r.DecisionAll, (app.DecisionStats{Decided: 12, Approved: 7, Declined: 5, Median: 390 * time.Minute, P90: 91 * time.Hour}); got != want {
			t.Errorf("all time: got %+v, want %+v", got, want)
		}
		if r.TotalRequests != 13 {
			t.Errorf("total %d, want 13", r.TotalRequests)
		}
		counts := map[string]int{}
		for _, c := range r.ByStatus {
			counts[c.Key] = c.N
		}
		if counts[portal.ARApproved] != 7 || counts[portal.ARDeclined] != 5 || counts[portal.ARSubmitted] != 1 ||
			counts[portal.ARSuspended] != 0 ||
			len(r.ByStatus) != 6 {
			t.Errorf("by status %+v", r.ByStatus)
		}
		if len(r.ByProfession) != 3 || r.ByProfession[0].Label != "Pharmacist" || r.ByProfession[0].N != 2 ||
			r.ByProfession[1].Label != "Physician" ||
			r.ByProfession[1].N != 10 {
			t.Errorf("by profession %+v", r.ByProfession)
		}
	})
}

func TestApp_ReportByHealthAuthority(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		auditor := mustStaff(t, a, "auditor@gov.test", portal.RoleAuditor)
		p := repAccount(t, db, "p", portal.ProfPhysician)
		w := repWorksite(t, db, "1", portal.WorksiteApproved, p)
		repRequest(t, db, p, []portal.WorksiteID{w.ID}, reportNow.Add(-time.Hour), 0, "")
		r, err := a.Reports(ctx, auditor)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.ByHealthAuthority) != 5 {
			t.Fatalf("by health authority %+v, want the five authorities", r.ByHealthAuthority)
		}
		for _, c := range r.ByHealthAuthority {
			want := 0
			if c.Key == string(portal.VancouverCoastalHealth) {
				want = 1
			}
			if c.N != want {
				t.Errorf("%s: %d, want %d", c.Label, c.N, want)
			}
		}
	})
}

func TestApp_ReportFunnel(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		officer := mustStaff(t, a, "officer@gov.test", portal.RoleOfficer)
		training, hpcaa := store.CompletionTraining, store.CompletionHPCAA

		repAccount(t, db, "nothing", portal.ProfPhysician) // created only
		noPrereqs := repAccount(t, db, "noprereqs", portal.ProfPhysician)
		moa := repAccount(t, db, "moa", portal.ProfMOA) // the training is all an MOA needs
		repCompletion(t, db, moa, training, portal.TrainingVersion)
		half := repAccount(t, db, "half", portal.ProfPhysician) // no agreement yet
		repCompletion(t, db, half, training, portal.TrainingVersion)
		outdated := repAccount(t, db, "outdated", portal.ProfPhysician) // training of an earlier version
		repCompletion(t, db, outdated, training, "2000.1")
		repCompletion(t, db, outdated, hpcaa, portal.HPCAAVersion)
		pendingOnly := repAccount(t, db, "pendingonly", portal.ProfMOA) // only a pending worksite
		repCompletion(t, db, pendingOnly, training, portal.TrainingVersion)
		requested := repAccount(t, db, "requested", portal.ProfPharmacist) // left the worksite since
		approved := repAccount(t, db, "approved", portal.ProfPhysician)
		repCompletion(t, db, approved, training, portal.TrainingVersion)
		repCompletion(t, db, approved, hpcaa, portal.HPCAAVersion)

		w := repWorksite(t, db, "1", portal.WorksiteApproved, noPrereqs, moa, half, outdated, approved)
		repWorksite(t, db, "2", portal.WorksitePending, pendingOnly)
		repRequest(t, db, requested, nil, reportNow.Add(-time.Hour), 0, "")
		repRequest(
			t,
			db,
			approved,
			[]portal.WorksiteID{w.ID},
			reportNow.Add(-48*time.Hour),
			3*time.Hour,
			portal.ARApproved,
		)

		stages, err := a.EnrolmentFunnel(ctx, officer)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{
			app.FunnelCreated:   8,
			app.FunnelWorksite:  6,
			app.FunnelPrereqs:   3,
			app.FunnelRequested: 2,
			app.FunnelApproved:  1,
		}
		keys := []string{
			app.FunnelCreated,
			app.FunnelWorksite,
			app.FunnelPrereqs,
			app.FunnelRequested,
			app.FunnelApproved,
		}
		if len(stages) != len(keys) {
			t.Fatalf("%d stages, want %d", len(stages), len(keys))
		}
		for i, s := range stages {
			if s.Key != keys[i] || s.N != want[s.Key] {
				t.Errorf("stage %d: %s = %d, want %s = %d", i, s.Key, s.N, keys[i], want[keys[i]])
			}
		}
		if stages[1].Percent != 75 {
			t.Errorf("worksite step is %.1f%% of accounts, want 75%%", stages[1].Percent)
		}
		r, err := a.Reports(ctx, officer)
		if err != nil || len(r.Funnel) != 5 || r.Funnel[4].N != 1 {
			t.Fatalf("report funnel %+v %v", r.Funnel, err)
		}
	})
}

func TestApp_ReportAndAuditAuthorisation(t *testing.T) {
	t.Parallel()
	a := openApp(t)
	officer := mustStaff(t, a, "officer@gov.test", portal.RoleOfficer)
	auditor := mustStaff(t, a, "auditor@gov.test", portal.RoleAuditor)
	admin := mustStaff(t, a, "admin@gov.test", portal.RoleAdministrator)
	for _, s := range []*portal.Staff{officer, auditor, admin} {
		if _, err := a.Reports(ctx, s); err != nil {
			t.Errorf("%s reads reports: %v", s.Email, err)
		}
	}
	_, err := a.Reports(ctx, nil)
	repWantCode(t, err, portal.EFORBIDDEN)
	f, err := a.ResolveAuditQuery(ctx, app.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.AuditTrail(ctx, meta, officer, f, 0, 10)
	repWantCode(t, err, portal.EFORBIDDEN)
	_, err = a.ExportAuditTrail(ctx, meta, officer, f, func(app.AuditRow) error { return nil })
	repWantCode(t, err, portal.EFORBIDDEN)
	for _, s := range []*portal.Staff{auditor, admin} {
		if _, err := a.AuditTrail(ctx, meta, s, f, 0, 10); err != nil {
			t.Errorf("%s reads the trail: %v", s.Email, err)
		}
	}
}

func TestApp_ResolveAuditQuery(t *testing.T) {
	t.Parallel()
	a := openApp(t)
	db := a.DB
	p := repAccount(t, db, "paula", portal.ProfPhysician)
	w := repWorksite(t, db, "1", portal.WorksiteApproved, p)
	t.Run("OK", func(t *testing.T) {
		f, err := a.ResolveAuditQuery(
			ctx,
			app.AuditQuery{
				Person:   ` HXBC\Paula `,
				Worksite: strings.ToLower(string(w.Code)),
				From:     "2026-03-01",
				To:       "2026-03-08",
			},
		)
		if err != nil {
			t.Fatal(err)
		}
		if f.Person.ID != p.ID || f.Worksite.ID != w.ID {
			t.Fatalf("resolved %+v", f)
		}
		// From midnight in B.C. (PST) to the midnight after the last day, which is PDT.
		if want := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC); !f.From.Equal(want) {
			t.Errorf("from %v, want %v", f.From.UTC(), want)
		}
		if want := time.Date(2026, 3, 9, 7, 0, 0, 0, time.UTC); !f.To.Equal(want) {
			t.Errorf("to %v, want %v", f.To.UTC(), want)
		}
		if name := f.FileName(reportNow); !strings.HasPrefix(name, "audit-trail-paula-"+string(w.Code)+"-") ||
			!strings.HasSuffix(name, ".csv") {
			t.Errorf("file name %q", name)
		}
	})
	t.Run("ByEmailOrSlashDates", func(t *testing.T) {
		f, err := a.ResolveAuditQuery(ctx, app.AuditQuery{Person: "PAULA@example.ca", From: "03/01/2026"})
		if err != nil || f.Person.ID != p.ID || !f.From.Equal(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)) {
			t.Fatalf("got %+v, %v", f, err)
		}
	})
	t.Run("FieldErrors", func(t *testing.T) {
		_, err := a.ResolveAuditQuery(
			ctx,
			app.AuditQuery{Person: "nobody@example.ca", Worksite: "AAAAAAA", From: "yesterday", To: "2026-02-30"},
		)
		fe, ok := portal.AsFieldErrors(err)
		if !ok {
			t.Fatalf("got %v, want field errors", err)
		}
		for _, field := range []string{"person", "worksite", "from", "to"} {
			if fe[field] == "" {
				t.Errorf("no message at %s: %v", field, fe)
			}
		}
		if !strings.Contains(fe["worksite"], "AAAAAAA") {
			t.Errorf("worksite message %q does not name the code", fe["worksite"])
		}
		_, err = a.ResolveAuditQuery(ctx, app.AuditQuery{From: "2026-03-02", To: "2026-03-01", Worksite: "bad"})
		fe, _ = portal.AsFieldErrors(err)
		if !strings.Contains(fe["to"], "on or after") || fe["worksite"] == "" {
			t.Errorf("errors %v", fe)
		}
	})
}

func TestApp_AuditTrailIsAudited(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		auditor := mustStaff(t, a, "auditor@gov.test", portal.RoleAuditor)
		p := person(t, a, "paula", "Paula", "PERSON")
		person(t, a, "olga", "Olga", "OTHER") // not in Paula's trail
		f, err := a.ResolveAuditQuery(ctx, app.AuditQuery{Person: "paula"})
		if err != nil {
			t.Fatal(err)
		}
		page, err := a.AuditTrail(ctx, meta, auditor, f, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 2 || len(page.Rows) != 2 || page.Rows[1].Action != "account.registered" ||
			page.Rows[0].Action != "account.email_verification_sent" {
			t.Fatalf("trail %+v", page)
		}
		if got := page.Rows[0].ActorName; got != `Paula PERSON (HXBC\paula)` {
			t.Errorf("actor name %q", got)
		}
		views, _ := db.Read().
			FindAuditEvents(ctx, store.AuditFilter{ActorKind: portal.ActorStaff, ActorID: "staff:" + itoa(int64(auditor.ID))})
		if len(views) != 1 || views[0].Action != "staff.viewed_audit" || views[0].SubjectKind != "account" ||
			views[0].SubjectID != itoa(int64(p.ID)) {
			t.Fatalf("views recorded %+v", views)
		}
		var details map[string]any
		if err := json.Unmarshal([]byte(views[0].Details), &details); err != nil ||
			details["person_username"] != `HXBC\paula` ||
			details["total"] != float64(2) {
			t.Fatalf("details %s", views[0].Details)
		}

		// The reading now shows in the person's trail, named as the auditor.
		page, err = a.AuditTrail(ctx, meta, auditor, f, 0, 10)
		if err != nil || page.Total != 3 || page.Rows[0].Action != "staff.viewed_audit" ||
			!strings.HasSuffix(page.Rows[0].ActorName, "CareConnect team") {
			t.Fatalf("second reading %+v %v", page, err)
		}

		// The export is recorded first and leaves its own row out.
		var got []app.AuditRow
		n, err := a.ExportAuditTrail(
			ctx,
			meta,
			auditor,
			f,
			func(r app.AuditRow) error { got = append(got, r); return nil },
		)
		if err != nil || n != 4 || len(got) != 4 {
			t.Fatalf("exported %d rows (%v)", n, err)
		}
		if got[0].Action != "account.registered" || got[0].Seq > got[1].Seq || got[3].Action != "staff.viewed_audit" {
			t.Errorf("export order %v %v %v", got[0].Action, got[1].Action, got[3].Action)
		}
		exports, _ := db.Read().
			FindAuditEvents(ctx, store.AuditFilter{SubjectKind: "account", SubjectID: itoa(int64(p.ID))})
		last := exports[len(exports)-1]
		if last.Action != "staff.exported_audit" || !strings.Contains(last.Details, `"rows":4`) {
			t.Fatalf("export recorded as %+v", last)
		}
	})
}
