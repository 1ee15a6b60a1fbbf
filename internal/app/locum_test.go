package app_test

import (
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

func TestApp_Locum(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		start := a.Now() // 26 Nov 2026, 10:00 in Vancouver
		clock := start
		a.Now = func() time.Time { return clock }
		admin := person(t, a, "lead", "Lena", "LEAD")
		second := person(t, a, "second", "Sid", "SECOND")
		locum := person(t, a, "locum", "Lou", "LOCUM")
		moaIn := validInput()
		moaIn.Profession, moaIn.Email, moaIn.Username = "medical_office_assistant", "moa@example.ca", "moa"
		moa, err := a.Register(ctx, meta, card("moa"), moaIn)
		if err != nil {
			t.Fatal(err)
		}
		w := approvedWorksite(t, a, admin, worksiteInput("Kingsgate Mall Clinic"))
		for _, id := range []portal.AccountID{second.ID, locum.ID, moa.ID} {
			if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.AddMember(ctx, w.ID, id, portal.RoleMember, start) }); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.SetSiteAdmin(ctx, meta, admin, w.ID, second.ID, true); err != nil {
			t.Fatal(err)
		}

		for _, tc := range []struct{ day, want string }{
			{"", "Enter the locum's last day."},
			{"12/10/2026", "Enter the last day as a date, YYYY-MM-DD."},
			{"2026-11-25", "The last day cannot be in the past."},
			{"2027-11-27", "The last day can be at most one year from today (26 Nov 2027). For a longer term, set a new last day nearer the time."},
		} {
			err := a.MarkLocum(ctx, meta, admin, w.ID, locum.ID, tc.day)
			if fe, ok := portal.AsFieldErrors(err); !ok || fe["last_day"] != tc.want {
				t.Errorf("last day %q: got %v, want %q", tc.day, err, tc.want)
			}
		}
		err = a.MarkLocum(ctx, meta, admin, w.ID, moa.ID, "2026-12-10")
		if fe, ok := portal.AsFieldErrors(err); !ok ||
			fe["last_day"] != "Dalia EIGHTEEN cannot be marked as a locum: a locum holds "+
				"CareConnect access in their own name, and Dalia EIGHTEEN is registered as Medical Office Assistant (On-behalf-of user)." {
			t.Errorf("an on-behalf-of user marked as a locum: %v", err)
		}
		wantCode(
			t,
			a.MarkLocum(ctx, meta, locum, w.ID, locum.ID, "2026-12-10"),
			portal.ENOTFOUND,
		) // not an administrator
		// Today and a year from today are both allowed; the last mark stands.
		for _, day := range []string{"2026-11-26", "2027-11-26", "2026-12-10"} {
			if err := a.MarkLocum(ctx, meta, admin, w.ID, locum.ID, day); err != nil {
				t.Fatalf("mark %s: %v", day, err)
			}
		}
		m, _ := db.Read().FindMember(ctx, w.ID, locum.ID)
		if !m.Locum || m.EndDate != "2026-12-10" {
			t.Fatalf("membership %+v", m)
		}
		evs, _ := db.Read().
			FindAuditEvents(ctx, store.AuditFilter{SubjectKind: "account", SubjectID: itoa(int64(locum.ID))})
		if n := countAction(evs, "worksite.locum_marked"); n != 3 {
			t.Fatalf("%d locum_marked audit rows, want 3", n)
		}

		remind := func(want int) {
			t.Helper()
			if n, err := a.RemindEndingLocums(ctx); n != want || err != nil {
				t.Fatalf("reminded %d (%v), want %d", n, err, want)
			}
		}
		remind(0) // 14 days ahead
		clock = start.Add(6 * 24 * time.Hour)
		remind(0) // 8 days ahead
		clock = start.Add(7 * 24 * time.Hour)
		remind(1) // a week ahead
		remind(0) // once
		mustEmails(t, db, locum.Email, "locum_ending", 1)
		adminMail := mustEmails(t, db, admin.Email, "locum_ending", 1)
		mustEmails(t, db, second.Email, "locum_ending", 1)
		mustEmails(t, db, moa.Email, "locum_ending", 0)
		if got := adminMail[0].Subject; got != "Lou LOCUM's locum term at Kingsgate Mall Clinic ends on 10 Dec 2026" {
			t.Errorf("administrator's subject %q", got)
		}
		evs, _ = db.Read().
			FindAuditEvents(ctx, store.AuditFilter{SubjectKind: "account", SubjectID: itoa(int64(locum.ID))})
		if n := countAction(evs, "worksite.locum_ending_notified"); n != 1 {
			t.Fatalf("%d locum_ending_notified audit rows, want 1", n)
		}

		// The term is extended: a new last day gets its own reminder, once.
		if err := a.MarkLocum(ctx, meta, second, w.ID, locum.ID, "2026-12-20"); err != nil {
			t.Fatal(err)
		}
		remind(0)
		clock = start.Add(17 * 24 * time.Hour) // December 13
		remind(1)
		remind(0)
		mustEmails(t, db, locum.Email, "locum_ending", 2)

		// The scheduled decommission ends the membership after the last day.
		clock = start.Add(24 * 24 * time.Hour) // December 20, the last day
		if n, err := a.ApplyScheduledDecommissions(ctx); n != 0 || err != nil {
			t.Fatalf("ended %d on the last day (%v)", n, err)
		}
		clock = start.Add(25 * 24 * time.Hour) // December 21
		if n, err := a.ApplyScheduledDecommissions(ctx); n != 1 || err != nil {
			t.Fatalf("ended %d (%v), want 1", n, err)
		}
		if m, _ := db.Read().FindMember(ctx, w.ID, locum.ID); m.Status != portal.MemberDecommissioned {
			t.Fatalf("membership %+v", m)
		}
		mustEmails(t, db, locum.Email, "membership_ended", 1)
		remind(0)
	})
}

func countAction(evs []portal.AuditEvent, action string) int {
	n := 0
	for _, e := range evs {
		if e.Action == action {
			n++
		}
	}
	return n
}
