package app_test

import (
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// rvApp is an app on a fake clock starting at the newApp time (November
// 26, 2026, 10:00 in B.C.).
func rvApp(t *testing.T, db *store.DB) (*app.App, *fixture.Clock) {
	t.Helper()
	a := newApp(t, db)
	c := fixture.NewClock(a.Now())
	a.Now = c.Now
	return a, c
}

// rvPT is a moment in B.C. time.
func rvPT(t *testing.T, y int, m time.Month, d, h, min int) time.Time {
	return fixture.PT(y, m, d, h, min)
}

// rvApproved approves a CareConnect request for the person at the worksite
// directly in the store, at the clock's time, with its review due a year later.
func rvApproved(t *testing.T, a *app.App, acct *portal.Account, w *portal.Worksite) *portal.AccessRequest {
	t.Helper()
	r := fixture.Request(acct, a.Now(), w)
	r.ReviewDueAt = portal.ReviewDueAfter(r.CreatedAt)
	return fixture.ProvisionRequest(t, a.DB, r, "demographics,laboratory_results")
}

// confirmReview has a person confirm their annual review, making every
// attestation.
func confirmReview(a *app.App, acct *portal.Account) (*app.AccessReview, error) {
	return a.ConfirmAccessReview(ctx, meta, acct,
		app.ReviewInput{AttestCorrect: true, AttestDirectCare: true, AttestAnnualReview: true})
}

// rvRun runs the annual review and fails on error.
func rvRun(t *testing.T, a *app.App) app.ReviewRun {
	t.Helper()
	run, err := a.RunAnnualReview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return run
}

// rvRunTwiceAtOnce runs the review on two instances at the same moment and
// adds up what they did.
func rvRunTwiceAtOnce(t *testing.T, a1, a2 *app.App) app.ReviewRun {
	t.Helper()
	runs := make([]app.ReviewRun, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, a := range []*app.App{a1, a2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			runs[i], errs[i] = a.RunAnnualReview(ctx)
		}()
	}
	close(start)
	wg.Wait()
	total := app.ReviewRun{Reminders: map[int]int{}}
	for i, r := range runs {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		for k, v := range r.Reminders {
			total.Reminders[k] += v
		}
		total.Skipped += r.Skipped
		total.Suspended += r.Suspended
		total.MemberReminders += r.MemberReminders
	}
	return total
}

func rvReminders(r app.ReviewRun) map[int]int {
	out := map[int]int{}
	for k, v := range r.Reminders {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}

func rvCount(list []string, want string) int {
	n := 0
	for _, x := range list {
		if x == want {
			n++
		}
	}
	return n
}

// rvItems lists the person's own annual review in the Notification Centre.
func rvItems(t *testing.T, a *app.App, p *portal.Account) []portal.ActionItem {
	t.Helper()
	items, err := a.ActionItems(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	var out []portal.ActionItem
	for _, it := range items {
		if it.Kind == "access_review" {
			out = append(out, it)
		}
	}
	return out
}

// rvPerson registers a physician with an approved worksite of their own
// and approved CareConnect access.
func rvPerson(
	t *testing.T,
	a *app.App,
	key, given, surname, unit string,
) (*portal.Account, *portal.Worksite, *portal.AccessRequest) {
	t.Helper()
	p := person(t, a, key, given, surname)
	in := worksiteInput(given + "'s Clinic")
	in.Manual.Unit = unit
	w := approvedWorksite(t, a, p, in)
	return p, w, rvApproved(t, a, p, w)
}

func TestReview_RemindersAndSuspension(t *testing.T) {
	eachClockApp(t, func(t *testing.T, db *store.DB, a *app.App, clock *fixture.Clock) {
		other := newApp(t, db) // a second instance sharing the clock
		other.Now = clock.Now
		doc, _, r := rvPerson(t, a, "dr.review", "Dana", "REVIEW", "101")
		bystander, _, _ := rvPerson(t, a, "dr.later", "Lee", "LATER", "102")
		due := boRequest(t, db, r.ID).ReviewDueAt
		if want := rvPT(t, 2027, 11, 26, 10, 0); !due.Equal(want) {
			t.Fatalf("review due %v, want %v", due, want)
		}
		// The bystander was approved later and must never be reminded here.
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE access_requests SET review_due_at = ? WHERE account_id = ?",
				rvPT(t, 2028, 6, 1, 9, 0).UnixMilli(), int64(bystander.ID))
			return err
		}); err != nil {
			t.Fatal(err)
		}

		steps := []struct {
			name      string
			at        time.Time
			reminders map[int]int // sent by the two runs together
			suspended int
			sent      string // reminders_sent afterwards
			status    string
			emails    []string // every email kind of the person's annual review so far, oldest first
		}{
			{"NothingBefore30Days", rvPT(t, 2027, 10, 26, 23, 30), map[int]int{}, 0, "", portal.ARApproved, nil},
			{
				"Reminder30",
				rvPT(t, 2027, 10, 27, 0, 30),
				map[int]int{30: 1},
				0,
				"30",
				portal.ARApproved,
				[]string{"review_reminder"},
			},
			{
				"StillOnly30",
				rvPT(t, 2027, 11, 18, 23, 0),
				map[int]int{},
				0,
				"30",
				portal.ARApproved,
				[]string{"review_reminder"},
			},
			{
				"Reminder7",
				rvPT(t, 2027, 11, 19, 8, 0),
				map[int]int{7: 1},
				0,
				"30,7",
				portal.ARApproved,
				[]string{"review_reminder", "review_reminder"},
			},
			{
				"Reminder1",
				rvPT(t, 2027, 11, 25, 8, 0),
				map[int]int{1: 1},
				0,
				"30,7,1",
				portal.ARApproved,
				[]string{"review_reminder", "review_reminder", "review_reminder"},
			},
			{
				"OverdueInGrace",
				due.Add(time.Hour),
				map[int]int{},
				0,
				"30,7,1",
				portal.ARApproved,
				[]string{"review_reminder", "review_reminder", "review_reminder"},
			},
			{
				"JustBeforeGraceEnds",
				due.Add(app.ReviewGrace - time.Millisecond),
				map[int]int{},
				0,
				"30,7,1",
				portal.ARApproved,
				[]string{"review_reminder", "review_reminder", "review_reminder"},
			},
			{
				"SuspendedAfterGrace",
				due.Add(app.ReviewGrace),
				map[int]int{},
				1,
				"30,7,1",
				portal.ARSuspended,
				[]string{"review_reminder", "review_reminder", "review_reminder", "review_suspended"},
			},
			{
				"SuspendedOnce",
				due.Add(app.ReviewGrace + 24*time.Hour),
				map[int]int{},
				0,
				"30,7,1",
				portal.ARSuspended,
				[]string{"review_reminder", "review_reminder", "review_reminder", "review_suspended"},
			},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				clock.Set(st.at)
				// Two instances at once, then each once more: the effect happens once.
				total := rvRunTwiceAtOnce(t, a, other)
				for _, inst := range []*app.App{a, other} {
					if again := rvRun(t, inst); len(rvReminders(again)) != 0 || again.Suspended != 0 {
						t.Fatalf("a later run did something: %+v", again)
					}
				}
				if got := rvReminders(total); !reflect.DeepEqual(got, st.reminders) ||
					total.Suspended != st.suspended ||
					total.Skipped != 0 {
					t.Fatalf("run %+v, want reminders %v and %d suspended", total, st.reminders, st.suspended)
				}
				cur := boRequest(t, db, r.ID)
				if cur.RemindersSent != st.sent || cur.Status != st.status {
					t.Fatalf("reminders %q status %s, want %q %s", cur.RemindersSent, cur.Status, st.sent, st.status)
				}
				var kinds []string
				for _, k := range boEmailKinds(t, db, doc.Email) {
					if k == "review_reminder" || k == "review_suspended" || k == "review_confirmed" {
						kinds = append(kinds, k)
					}
				}
				if !reflect.DeepEqual(kinds, st.emails) {
					t.Fatalf("emails %v, want %v", kinds, st.emails)
				}
				for _, k := range boEmailKinds(t, db, bystander.Email) {
					if k == "review_reminder" || k == "review_suspended" {
						t.Fatalf("the bystander got %s", k)
					}
				}
			})
		}

		reminders := mustEmails(t, db, doc.Email, "review_reminder", 3) // newest first
		for i, want := range []string{"1 day from now", "7 days from now", "30 days from now"} {
			wantSays(t, "reminder "+itoa(int64(i)), reminders[i].Text, want, "26 Nov 2027", "26 Dec 2027",
				"https://portal.test/review")
		}
		susp := mustEmails(t, db, doc.Email, "review_suspended", 1)[0]
		if !strings.Contains(susp.Text, "26 Nov 2027") || susp.AccountID != int64(doc.ID) {
			t.Fatalf("suspension email %+v", susp)
		}
		if got := boRequestAudit(t, db, r.ID); rvCount(got, "review.reminder_sent") != 3 ||
			rvCount(got, "review.suspended") != 1 {
			t.Fatalf("audit %v", got)
		}
		for _, e := range requestAudit(t, db, r.ID) {
			if strings.HasPrefix(e.Action, "review.") &&
				(e.ActorKind != portal.ActorSystem || e.ActorID != store.ReviewActor) {
				t.Fatalf("audit row %+v not by the system", e)
			}
		}
		boWantFeed(t, db, doc.ID, app.ProvUserProvisioned, app.ProvUserSuspended)
		history := requestHistory(t, db, r.ID)
		last := history[len(history)-1]
		if last.ToStatus != portal.ARSuspended || last.ActorKind != portal.ActorSystem ||
			!strings.HasPrefix(
				last.Note,
				"Suspended for the annual review",
			) || !strings.Contains(last.Note, "26 Nov 2027") {
			t.Fatalf("history %+v", last)
		}
		if n := len(history); n != 1+3+1 { // approved, three reminders, suspended
			t.Fatalf("%d history steps: %+v", n, history)
		}
	})
}

func TestReview_LateRunSendsOnlyTheMostUrgent(t *testing.T) {
	eachClockApp(t, func(t *testing.T, db *store.DB, a *app.App, clock *fixture.Clock) {
		doc, _, r := rvPerson(t, a, "dr.late", "Lana", "LATE", "101")
		jump, _, rj := rvPerson(t, a, "dr.jump", "Jo", "JUMP", "102")

		// The job did not run for a month: on November 21 only the 7-day
		// reminder goes, and the 30-day one is recorded as skipped.
		clock.Set(rvPT(t, 2027, 11, 21, 9, 0))
		run := rvRun(t, a)
		if got := rvReminders(run); !reflect.DeepEqual(got, map[int]int{7: 2}) || run.Skipped != 2 {
			t.Fatalf("run %+v", run)
		}
		if got := boRequest(t, db, r.ID).RemindersSent; got != "skip30,7" {
			t.Fatalf("reminders %q", got)
		}
		mustEmails(t, db, doc.Email, "review_reminder", 1)
		if run := rvRun(t, a); len(rvReminders(run)) != 0 {
			t.Fatalf("second run %+v", run)
		}
		// The job comes back only on the due date itself: the 1-day reminder
		// goes, and for someone with nothing recorded, the others are skipped.
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE access_requests SET reminders_sent = '' WHERE id = ?", int64(rj.ID))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		clock.Set(rvPT(t, 2027, 11, 26, 8, 0))
		run = rvRun(t, a)
		if got := rvReminders(run); !reflect.DeepEqual(got, map[int]int{1: 2}) || run.Skipped != 2 {
			t.Fatalf("run %+v", run)
		}
		if got := boRequest(t, db, r.ID).RemindersSent; got != "skip30,7,1" {
			t.Fatalf("reminders %q", got)
		}
		if got := boRequest(t, db, rj.ID).RemindersSent; got != "skip30,skip7,1" {
			t.Fatalf("reminders %q", got)
		}
		es := mustEmails(t, db, jump.Email, "review_reminder", 2)
		if !strings.Contains(es[0].Text, "less than a day from now") {
			t.Fatalf("reminder on the due date:\n%s", es[0].Text)
		}
		// After the due date no reminder is sent at all.
		clock.Set(rvPT(t, 2027, 11, 27, 9, 0))
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE access_requests SET reminders_sent = '' WHERE id = ?", int64(rj.ID))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if run := rvRun(t, a); len(rvReminders(run)) != 0 {
			t.Fatalf("reminder after the due date: %+v", run)
		}
	})
}

func TestReview_ConfirmResetsTheCycle(t *testing.T) {
	eachClockApp(t, func(t *testing.T, db *store.DB, a *app.App, clock *fixture.Clock) {
		doc, w, r := rvPerson(t, a, "dr.confirm", "Cora", "CONFIRM", "101")

		v, err := a.AccessReview(ctx, doc)
		if err != nil || v.State != app.ReviewNotDue || len(v.Worksites) != 1 || v.Worksites[0].Worksite.ID != w.ID ||
			!v.Worksites[0].Active {
			t.Fatalf("review %+v %v", v, err)
		}
		if items := rvItems(t, a, doc); len(items) != 0 {
			t.Fatalf("action items before the review window: %+v", items)
		}
		clock.Set(rvPT(t, 2027, 11, 1, 9, 0))
		rvRun(t, a) // the 30-day reminder
		if v, _ := a.AccessReview(ctx, doc); v.State != app.ReviewDue {
			t.Fatalf("state %s, want due", v.State)
		}
		items := rvItems(t, a, doc)
		if len(items) != 1 || items[0].Description != "Confirm that you still need CareConnect access" ||
			items[0].DueAt.In(portal.Pacific()).
				Format("2 Jan 2006") !=
				"26 Nov 2027" || items[0].Consequence != "" || items[0].ViewURL != "/review" {
			t.Fatalf("action items %+v", items)
		}

		t.Run("FieldErrors", func(t *testing.T) {
			_, err := a.ConfirmAccessReview(ctx, meta, doc, app.ReviewInput{AttestCorrect: true})
			fe, ok := portal.AsFieldErrors(err)
			if !ok || fe["attest_correct"] != "" || fe["attest_direct_care"] == "" || fe["attest_annual_review"] == "" {
				t.Fatalf("got %v, want errors on the two unticked attestations", err)
			}
			if got := boRequest(t, db, r.ID); got.RemindersSent != "30" {
				t.Fatalf("a refused confirmation changed the request: %q", got.RemindersSent)
			}
		})
		clock.Set(rvPT(t, 2027, 11, 2, 14, 0))
		confirmedAt := a.Now()
		v, err = confirmReview(a, doc)
		if err != nil {
			t.Fatal(err)
		}
		next := portal.ReviewDueAfter(confirmedAt)
		cur := boRequest(t, db, r.ID)
		if cur.Status != portal.ARApproved || !cur.ReviewDueAt.Equal(next) || cur.RemindersSent != "" ||
			!v.LastConfirmedAt.Equal(confirmedAt) || v.State != app.ReviewNotDue || v.Reinstated {
			t.Fatalf("after confirming: %+v / %+v", cur, v)
		}
		es := mustEmails(t, db, doc.Email, "review_confirmed", 1)
		if !strings.Contains(es[0].Text, "2 Nov 2028") || strings.Contains(es[0].Subject, "reinstated") {
			t.Fatalf("confirmation email %s\n%s", es[0].Subject, es[0].Text)
		}
		if got := boRequestAudit(t, db, r.ID); rvCount(got, "review.confirmed") != 1 {
			t.Fatalf("audit %v", got)
		}
		if last := lastHistory(t, db, r.ID); last.Note != "Confirmed that access is still needed." ||
			last.ActorKind != portal.ActorAccount {
			t.Fatalf("history %+v", last)
		}
		boWantFeed(t, db, doc.ID, app.ProvUserProvisioned)
		// The old cycle's reminders and suspension do not happen.
		for _, at := range []time.Time{rvPT(t, 2027, 11, 20, 9, 0), rvPT(t, 2027, 11, 25, 9, 0), rvPT(t, 2027, 12, 27, 9, 0)} {
			clock.Set(at)
			if run := rvRun(t, a); len(rvReminders(run)) != 0 || run.Suspended != 0 {
				t.Fatalf("at %v: %+v", at, run)
			}
		}
		// The new cycle reminds again, 30 days before the new date.
		clock.Set(rvPT(t, 2028, 10, 3, 9, 0))
		if run := rvRun(t, a); !reflect.DeepEqual(rvReminders(run), map[int]int{30: 1}) {
			t.Fatalf("new cycle: %+v", run)
		}
	})
}

func TestReview_ConfirmReinstatesAReviewSuspension(t *testing.T) {
	eachClockApp(t, func(t *testing.T, db *store.DB, a *app.App, clock *fixture.Clock) {
		doc, _, r := rvPerson(t, a, "dr.back", "Bea", "BACK", "101")
		due := boRequest(t, db, r.ID).ReviewDueAt
		clock.Set(due.Add(app.ReviewGrace + time.Minute))
		if run := rvRun(t, a); run.Suspended != 1 {
			t.Fatalf("run %+v", run)
		}
		v, err := a.AccessReview(ctx, doc)
		if err != nil || v.State != app.ReviewSuspended || !v.CanConfirm() {
			t.Fatalf("review %+v %v", v, err)
		}
		if items := rvItems(t, a, doc); len(items) != 1 ||
			items[0].Consequence != "your access is suspended until you do" {
			t.Fatalf("action items %+v", items)
		}
		v, err = confirmReview(a, doc)
		if err != nil || !v.Reinstated || v.State != app.ReviewNotDue {
			t.Fatalf("confirm: %+v %v", v, err)
		}
		cur := boRequest(t, db, r.ID)
		if cur.Status != portal.ARApproved || !cur.ReviewDueAt.Equal(portal.ReviewDueAfter(a.Now())) {
			t.Fatalf("after confirming %+v", cur)
		}
		boWantFeed(t, db, doc.ID, app.ProvUserProvisioned, app.ProvUserSuspended, app.ProvUserReinstated)
		es := mustEmails(t, db, doc.Email, "review_confirmed", 1)
		if es[0].Subject != "Your CareConnect access is confirmed and reinstated" {
			t.Fatalf("subject %q", es[0].Subject)
		}
		last := lastHistory(t, db, r.ID)
		if last.FromStatus != portal.ARSuspended || last.ToStatus != portal.ARApproved ||
			!strings.Contains(last.Note, "suspended only because the annual review was overdue") {
			t.Fatalf("history %+v", last)
		}
		if items := rvItems(t, a, doc); len(items) != 0 {
			t.Fatalf("action items after confirming %+v", items)
		}
	})
}

func TestReview_OtherSuspensionsAreNotLifted(t *testing.T) {
	eachClockApp(t, func(t *testing.T, db *store.DB, a *app.App, clock *fixture.Clock) {
		olivia := oliviaOfficer(t, a)
		all := app.ReviewInput{AttestCorrect: true, AttestDirectCare: true, AttestAnnualReview: true}
		wantBlocked := func(t *testing.T, p *portal.Account, r *portal.AccessRequest) {
			t.Helper()
			v, err := a.AccessReview(ctx, p)
			if err != nil || v.State != app.ReviewBlocked || v.CanConfirm() {
				t.Fatalf("review %+v %v", v, err)
			}
			emails := len(emailsTo(t, db, p.Email))
			_, err = a.ConfirmAccessReview(ctx, meta, p, all)
			wantCode(t, err, portal.ECONFLICT)
			if !strings.Contains(portal.ErrorMessage(err), "for a reason other than the annual review") {
				t.Fatalf("message %q", portal.ErrorMessage(err))
			}
			if cur := boRequest(t, db, r.ID); cur.Status != portal.ARSuspended {
				t.Fatalf("status %s", cur.Status)
			}
			if len(emailsTo(t, db, p.Email)) != emails {
				t.Fatal("a refused confirmation sent an email")
			}
		}

		t.Run("ByTheTeam", func(t *testing.T) {
			p, _, r := rvPerson(t, a, "dr.team", "Tess", "TEAM", "101")
			boChangeAccess(t, a, olivia, p.ID, portal.AccessSuspend, "Privacy investigation.")
			wantBlocked(t, p, r)
			// Still suspended when the review would have suspended it.
			clock.Set(boRequest(t, db, r.ID).ReviewDueAt.Add(app.ReviewGrace + time.Hour))
			if run := rvRun(t, a); run.Suspended != 0 {
				t.Fatalf("run %+v", run)
			}
			wantBlocked(t, p, r)
		})
		t.Run("ByTheTeamAfterAReviewSuspension", func(t *testing.T) {
			clock.Set(time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC))
			p, _, r := rvPerson(t, a, "dr.twice", "Tim", "TWICE", "102")
			clock.Set(boRequest(t, db, r.ID).ReviewDueAt.Add(app.ReviewGrace))
			if run := rvRun(t, a); run.Suspended != 1 {
				t.Fatalf("run %+v", run)
			}
			boChangeAccess(t, a, olivia, p.ID, portal.AccessReinstate, "Spoke with them.")
			boChangeAccess(t, a, olivia, p.ID, portal.AccessSuspend, "Privacy investigation.")
			wantBlocked(t, p, r)
		})
		t.Run("SponsorshipLapsed", func(t *testing.T) {
			clock.Set(time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC))
			p, _, r := rvPerson(t, a, "dr.lapse", "Lou", "LAPSE", "103")
			if err := db.InTx(ctx, func(tx *store.Tx) error {
				_, err := tx.ChangeAccessRequest(ctx, store.AccessRequestChange{ID: r.ID, From: []string{portal.ARApproved},
					To: portal.ARSuspended, At: a.Now(), ActorKind: portal.ActorSystem, ActorID: "sponsorship",
					Note: "Suspended for the annual review: a note that only looks like it."})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			wantBlocked(t, p, r)
		})
		t.Run("NoAccess", func(t *testing.T) {
			p := person(t, a, "no.access", "Nia", "NONE")
			v, err := a.AccessReview(ctx, p)
			if err != nil || v.State != app.ReviewNone || v.Explanation("help@portal.test") == "" {
				t.Fatalf("review %+v %v", v, err)
			}
			_, err = a.ConfirmAccessReview(ctx, meta, p, all)
			wantCode(t, err, portal.ECONFLICT)
		})
	})
}

func TestReview_Members(t *testing.T) {
	eachClockApp(t, func(t *testing.T, db *store.DB, a *app.App, clock *fixture.Clock) {
		other := newApp(t, db)
		other.Now = clock.Now
		admin := person(t, a, "lead.moa", "Lena", "MOA")
		approvedAt := a.Now()
		w := approvedWorksite(t, a, admin, worksiteInput("Kingsgate Mall Clinic"))
		doc := person(t, a, "dr.member", "Mo", "MEMBER")
		locum := person(t, a, "dr.locum", "Lo", "LOCUM")
		joinWorksite(t, db, a, w, doc)
		joinWorksite(t, db, a, w, locum)
		stranger := person(t, a, "other.admin", "Oz", "OTHER")
		in := worksiteInput("Other Clinic")
		in.Manual.Unit = "900"
		otherWS := approvedWorksite(t, a, stranger, in)

		v, err := a.MembersReview(ctx, admin, w.ID)
		if err != nil || v.State != app.ReviewNotDue || len(v.Members) != 3 ||
			!v.DueAt.Equal(portal.ReviewDueAfter(approvedAt)) {
			t.Fatalf("review %+v %v", v, err)
		}
		t.Run("OnlyItsAdministrators", func(t *testing.T) {
			_, err := a.MembersReview(ctx, stranger, w.ID)
			wantCode(t, err, portal.ENOTFOUND)
			_, err = a.MembersReview(ctx, doc, w.ID)
			wantCode(t, err, portal.ENOTFOUND)
			_, err = a.ConfirmMembers(ctx, meta, stranger, w.ID, app.MembersReviewInput{Confirm: true})
			wantCode(t, err, portal.ENOTFOUND)
		})

		// Ten days before it falls due: in the Notification Centre, no email yet.
		clock.Set(portal.ReviewDueAfter(approvedAt).AddDate(0, 0, -10))
		if run := rvRun(t, a); run.MemberReminders != 0 {
			t.Fatalf("run %+v", run)
		}
		items, _ := a.ActionItems(ctx, admin)
		if len(items) != 1 || items[0].Description != "Confirm the members of Kingsgate Mall Clinic" ||
			items[0].DueAt.In(portal.Pacific()).Format("2 Jan 2006") != "26 Nov 2027" ||
			items[0].ViewURL != "/worksites/"+itoa(int64(w.ID))+"/review" {
			t.Fatalf("admin's items %+v", items)
		}
		if items, _ := a.ActionItems(ctx, doc); len(items) != 0 {
			t.Fatalf("member's items %+v", items)
		}
		// Due: one email to each administrator, once, whoever runs the job.
		clock.Set(portal.ReviewDueAfter(approvedAt).Add(time.Minute))
		if run := rvRunTwiceAtOnce(t, a, other); run.MemberReminders != 2 { // both worksites
			t.Fatalf("run %+v", run)
		}
		if run := rvRun(t, a); run.MemberReminders != 0 {
			t.Fatalf("second run %+v", run)
		}
		es := mustEmails(t, db, admin.Email, "review_members_due", 1)
		if es[0].Subject != "Confirm the members of Kingsgate Mall Clinic" ||
			!strings.Contains(es[0].Text, string(w.Code)) ||
			!strings.Contains(es[0].Text, "https://portal.test/worksites/"+itoa(int64(w.ID))+"/review") {
			t.Fatalf("email %s\n%s", es[0].Subject, es[0].Text)
		}
		mustEmails(t, db, doc.Email, "review_members_due", 0)
		mustEmails(t, db, stranger.Email, "review_members_due", 1)
		if v, _ := a.MembersReview(ctx, admin, w.ID); v.State != app.ReviewOverdue || v.RemindedAt.IsZero() {
			t.Fatalf("review %+v", v)
		}
		staff := oliviaOfficer(t, a)
		sr, err := a.StaffReviews(ctx, staff)
		if err != nil || len(sr.Worksites) != 2 || sr.Worksites[0].Worksite.ID != w.ID ||
			len(sr.Worksites[0].Admins) != 1 {
			t.Fatalf("staff reviews %+v %v", sr, err)
		}

		t.Run("FieldErrors", func(t *testing.T) {
			_, err := a.ConfirmMembers(ctx, meta, admin, w.ID, app.MembersReviewInput{Remove: []portal.AccountID{locum.ID}})
			boWantField(
				t,
				err,
				"confirm_members",
				"Confirm that the members you keep still work at Kingsgate Mall Clinic and need CareConnect access.",
			)
			_, err = a.ConfirmMembers(
				ctx,
				meta,
				admin,
				w.ID,
				app.MembersReviewInput{Remove: []portal.AccountID{admin.ID}, Confirm: true},
			)
			boWantField(
				t,
				err,
				"members",
				"Keep at least one site administrator of Kingsgate Mall Clinic. Make someone else a site administrator first.",
			)
			_, err = a.ConfirmMembers(
				ctx,
				meta,
				admin,
				w.ID,
				app.MembersReviewInput{Remove: []portal.AccountID{stranger.ID}, Confirm: true},
			)
			fe, _ := portal.AsFieldErrors(err)
			if fe["members"] == "" {
				t.Fatalf("got %v, want a members error", err)
			}
			if m, _ := db.Read().FindMember(ctx, w.ID, locum.ID); m.Status != portal.MemberActive {
				t.Fatal("a refused review decommissioned someone")
			}
		})
		clock.Set(clock.Now().Add(time.Hour))
		n, err := a.ConfirmMembers(
			ctx,
			meta,
			admin,
			w.ID,
			app.MembersReviewInput{Remove: []portal.AccountID{locum.ID}, Confirm: true},
		)
		if err != nil || n != 1 {
			t.Fatalf("confirm: %d %v", n, err)
		}
		if m, _ := db.Read().FindMember(ctx, w.ID, locum.ID); m.Status != portal.MemberDecommissioned {
			t.Fatalf("locum %+v", m)
		}
		if m, _ := db.Read().FindMember(ctx, w.ID, doc.ID); m.Status != portal.MemberActive {
			t.Fatalf("kept member %+v", m)
		}
		mustEmails(t, db, locum.Email, "membership_ended", 1)
		v, _ = a.MembersReview(ctx, admin, w.ID)
		if !v.ConfirmedAt.Equal(a.Now()) || !v.RemindedAt.IsZero() || v.State != app.ReviewNotDue ||
			len(v.Members) != 2 ||
			!v.DueAt.Equal(portal.ReviewDueAfter(a.Now())) {
			t.Fatalf("after confirming %+v", v)
		}
		evs, _ := db.Read().
			FindAuditEvents(ctx, store.AuditFilter{SubjectKind: "worksite", SubjectID: itoa(int64(w.ID))})
		var actions []string
		for _, e := range evs {
			actions = append(actions, e.Action)
		}
		if rvCount(actions, "review.members_confirmed") != 1 || rvCount(actions, "review.members_reminder_sent") != 1 {
			t.Fatalf("worksite audit %v", actions)
		}
		if items, _ := a.ActionItems(ctx, admin); len(items) != 0 {
			t.Fatalf("admin's items after confirming %+v", items)
		}
		if run := rvRun(t, a); run.MemberReminders != 0 {
			t.Fatalf("run after confirming %+v", run)
		}
		sr, _ = a.StaffReviews(ctx, staff)
		if len(sr.Worksites) != 1 || sr.Worksites[0].Worksite.ID != otherWS.ID {
			t.Fatalf("staff reviews after confirming %+v", sr.Worksites)
		}
		// A year after the confirmation the administrators are reminded again.
		clock.Set(portal.ReviewDueAfter(v.ConfirmedAt).Add(time.Minute))
		if run := rvRun(t, a); run.MemberReminders != 1 { // the other worksite was reminded already
			t.Fatalf("next year's run %+v", run)
		}
		mustEmails(t, db, admin.Email, "review_members_due", 2)
	})
}

func TestReview_StaffView(t *testing.T) {
	eachClockApp(t, func(t *testing.T, db *store.DB, a *app.App, clock *fixture.Clock) {
		olivia := oliviaOfficer(t, a)
		aaron := boStaff(t, a, "aaron", "Aaron", "AUDITOR", portal.RoleAuditor)
		soon, _, rSoon := rvPerson(t, a, "dr.soon", "Sue", "SOON", "101")
		clock.Set(time.Date(2026, 12, 20, 18, 0, 0, 0, time.UTC))
		_, _, rFar := rvPerson(t, a, "dr.far", "Fay", "FAR", "102")
		clock.Set(time.Date(2026, 11, 1, 18, 0, 0, 0, time.UTC))
		late, _, rLate := rvPerson(t, a, "dr.late", "Lars", "LATE", "103")
		clock.Set(time.Date(2026, 8, 1, 18, 0, 0, 0, time.UTC))
		gone, _, rGone := rvPerson(t, a, "dr.gone", "Gus", "GONE", "104")

		// Run the job on every day up to 20 Nov 2027.
		for d := time.Date(2027, 6, 1, 17, 0, 0, 0, time.UTC); d.Before(time.Date(2027, 11, 20, 17, 0, 0, 0, time.UTC)); d = d.AddDate(0, 0, 1) {
			clock.Set(d)
			rvRun(t, a)
		}
		_, err := a.StaffReviews(ctx, aaron)
		wantCode(t, err, portal.EFORBIDDEN)
		sr, err := a.StaffReviews(ctx, olivia)
		if err != nil {
			t.Fatal(err)
		}
		ids := func(rows []app.ReviewRow) []portal.AccessRequestID {
			var out []portal.AccessRequestID
			for _, r := range rows {
				out = append(out, r.Request.ID)
			}
			return out
		}
		if got := ids(sr.DueSoon); !reflect.DeepEqual(got, []portal.AccessRequestID{rSoon.ID}) {
			t.Fatalf("due soon %v (far is %d)", got, rFar.ID)
		}
		if got := ids(sr.Overdue); !reflect.DeepEqual(got, []portal.AccessRequestID{rLate.ID}) {
			t.Fatalf("overdue %v", got)
		}
		if got := ids(sr.Suspended); !reflect.DeepEqual(got, []portal.AccessRequestID{rGone.ID}) {
			t.Fatalf("suspended %v", got)
		}
		row := sr.DueSoon[0]
		if row.Account.ID != soon.ID || row.Reminders[0].State != app.ReminderSent ||
			row.Reminders[1].State != app.ReminderSent ||
			row.Reminders[2].State != "" ||
			!row.Reminders[0].At.Equal(rvPT(t, 2027, 10, 27, 10, 0)) ||
			!row.Reminders[1].At.Equal(rvPT(t, 2027, 11, 19, 9, 0)) {
			t.Fatalf("due-soon row %+v", row)
		}
		if r := sr.Overdue[0]; r.Account.ID != late.ID || !r.DueAt.Equal(boRequest(t, db, rLate.ID).ReviewDueAt) ||
			r.Reminders[2].State != app.ReminderSent {
			t.Fatalf("overdue row %+v", r)
		}
		if r := sr.Suspended[0]; r.Account.ID != gone.ID ||
			!r.SuspendedAt.Equal(time.Date(2027, 9, 1, 17, 0, 0, 0, time.UTC)) {
			t.Fatalf("suspended row %+v", r)
		}
		// Reviews suspended by the team for another reason are not listed.
		boChangeAccess(t, a, olivia, late.ID, portal.AccessSuspend, "Privacy investigation.")
		sr, _ = a.StaffReviews(ctx, olivia)
		if len(sr.Overdue) != 0 || len(sr.Suspended) != 1 {
			t.Fatalf("after the team's suspension: overdue %v suspended %v", ids(sr.Overdue), ids(sr.Suspended))
		}
	})
}
