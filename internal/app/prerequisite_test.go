package app_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// rightAnswers answers every question of the quiz correctly.
func rightAnswers() map[string]int {
	out := map[string]int{}
	for _, q := range portal.TrainingQuiz {
		out[q.ID] = q.Answer
	}
	return out
}

// moa registers a medical office assistant, who takes the training but
// does not sign the agreement.
func moa(t *testing.T, a *app.App, key string) *portal.Account {
	t.Helper()
	return fixture.Register(t, a, key, "Dalia", "EIGHTEEN", fixture.AsMOA)
}

func mustStanding(t *testing.T, a *app.App, acct *portal.Account) [4]bool {
	t.Helper()
	td, to, hd, ho, err := a.PrerequisiteStanding(ctx, acct)
	if err != nil {
		t.Fatal(err)
	}
	return [4]bool{td, to, hd, ho}
}

func insertCompletion(t *testing.T, db *store.DB, c *store.Completion) {
	t.Helper()
	if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.RecordCompletion(ctx, c) }); err != nil {
		t.Fatal(err)
	}
}

func TestApp_TrainingQuiz(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		p := person(t, a, "quiz.taker", "Quinn", "TAKER")

		st, err := a.TrainingStatus(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Done || st.Outdated || !st.Required || st.Latest != nil || st.Version != portal.TrainingVersion {
			t.Fatalf("before the quiz: %+v", st)
		}

		t.Run("FailListsWhatWasMissed", func(t *testing.T) {
			answers := rightAnswers()
			answers["q2"] = 0             // wrong
			answers["q5"] = 1             // wrong
			delete(answers, "q9")         // unanswered
			answers["q10"] = 7            // not an option: unanswered
			answers["not-a-question"] = 1 // ignored
			r, err := a.SubmitQuiz(ctx, meta, p, answers)
			if err != nil {
				t.Fatal(err)
			}
			if r.Passed || r.Score != 60 || r.PassMark != portal.TrainingPassMark || r.Completion != nil {
				t.Fatalf("result %+v", r)
			}
			if want := []string{"q2", "q5", "q9", "q10"}; !slices.Equal(r.Wrong, want) {
				t.Fatalf("wrong %v, want %v", r.Wrong, want)
			}
			if want := []string{"q9", "q10"}; !slices.Equal(r.Unanswered, want) {
				t.Fatalf("unanswered %v, want %v", r.Unanswered, want)
			}
			if cs, _ := a.Completions(ctx, p.ID); len(cs) != 0 {
				t.Fatalf("a failed quiz recorded %+v", cs)
			}
			if got := auditActions(t, db, "1"); got[len(got)-1] != "prerequisite.training_failed" {
				t.Fatalf("audit %v", got)
			}
		})
		t.Run("AllAnsweredButBelowPassMark", func(t *testing.T) {
			answers := rightAnswers()
			answers["q1"], answers["q3"], answers["q4"] = 0, 0, 0
			r, err := a.SubmitQuiz(ctx, meta, p, answers)
			if err != nil {
				t.Fatal(err)
			}
			if r.Passed || r.Score != 70 || len(r.Unanswered) != 0 ||
				!slices.Equal(r.Wrong, []string{"q1", "q3", "q4"}) {
				t.Fatalf("result %+v", r)
			}
		})
		t.Run("Pass", func(t *testing.T) {
			answers := rightAnswers()
			answers["q7"] = 0 // one wrong still passes at 90%
			r, err := a.SubmitQuiz(ctx, meta, p, answers)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Passed || r.Score != 90 || r.Completion == nil || !slices.Equal(r.Wrong, []string{"q7"}) {
				t.Fatalf("result %+v", r)
			}
			c := r.Completion
			if c.Kind != store.CompletionTraining || c.Version != portal.TrainingVersion || c.Source != store.SourcePortal ||
				c.Score != 90 || !c.CompletedAt.Equal(a.Now()) ||
				c.RecordedBy != "" {
				t.Fatalf("completion %+v", c)
			}
			st, err := a.TrainingStatus(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			if !st.Done || st.Outdated || st.Current == nil || st.Current.ID != c.ID {
				t.Fatalf("after passing: %+v", st)
			}
			if got := mustStanding(t, a, p); got != [4]bool{true, false, false, false} {
				t.Fatalf("standing %v", got)
			}
			last := lastAudit(t, db, p.ID)
			if last.Action != "prerequisite.training_completed" || last.ActorKind != portal.ActorAccount ||
				!strings.Contains(
					last.Details,
					`"score":90`,
				) || !strings.Contains(last.Details, portal.TrainingVersion) {
				t.Fatalf("audit row %+v", last)
			}
		})
	})
}

func TestApp_TrainingOutdatedByNewVersion(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		p := person(t, a, "old.timer", "Olga", "TIMER")
		earlier := a.Now().Add(-400 * 24 * time.Hour)
		insertCompletion(t, db, &store.Completion{AccountID: p.ID, Kind: store.CompletionTraining, Version: "2025.1",
			CompletedAt: earlier, Score: 100, Source: store.SourcePortal})
		insertCompletion(t, db, &store.Completion{AccountID: p.ID, Kind: store.CompletionHPCAA, Version: "2025.1",
			CompletedAt: earlier, Source: store.SourcePortal, SignedName: p.LegalName()})

		if got := mustStanding(t, a, p); got != [4]bool{false, true, false, true} {
			t.Fatalf("standing %v, want both outdated", got)
		}
		st, _ := a.TrainingStatus(ctx, p)
		if st.Done || !st.Outdated || st.Latest == nil || st.Latest.Version != "2025.1" || st.Current != nil {
			t.Fatalf("training status %+v", st)
		}
		// The new version must be completed, and then counts.
		if _, err := a.SubmitQuiz(ctx, meta, p, rightAnswers()); err != nil {
			t.Fatal(err)
		}
		if _, err := a.SignHPCAA(ctx, meta, p, portal.HPCAASignature{FullName: p.LegalName(), Agree: true}); err != nil {
			t.Fatal(err)
		}
		if got := mustStanding(t, a, p); got != [4]bool{true, false, true, false} {
			t.Fatalf("standing %v, want both done", got)
		}
	})
}

func TestApp_SignHPCAA(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		doc := person(t, a, "doc.signer", "Dalia Marie", "SIGNER")

		t.Run("ErrWrongName", func(t *testing.T) {
			_, err := a.SignHPCAA(ctx, meta, doc, portal.HPCAASignature{FullName: "Dalia Signer-Smith", Agree: true})
			fe, ok := portal.AsFieldErrors(err)
			if !ok || !strings.Contains(fe["full_name"], "Dalia Marie SIGNER") || fe["agree"] != "" {
				t.Fatalf("got %v, want a full_name error naming the legal name", err)
			}
		})
		t.Run("ErrUnticked", func(t *testing.T) {
			_, err := a.SignHPCAA(ctx, meta, doc, portal.HPCAASignature{FullName: "dalia marie signer"})
			fe, ok := portal.AsFieldErrors(err)
			if !ok || fe["agree"] != "Tick the box to accept the agreement." || fe["full_name"] != "" {
				t.Fatalf("got %v, want only the agree error", err)
			}
		})
		t.Run("ErrEmptyName", func(t *testing.T) {
			_, err := a.SignHPCAA(ctx, meta, doc, portal.HPCAASignature{})
			fe, _ := portal.AsFieldErrors(err)
			if fe["full_name"] != "Type your full name to sign the agreement." || fe["agree"] == "" {
				t.Fatalf("got %v", err)
			}
		})
		if cs, _ := a.Completions(ctx, doc.ID); len(cs) != 0 {
			t.Fatalf("refused signatures were recorded: %+v", cs)
		}
		t.Run("OK", func(t *testing.T) {
			c, err := a.SignHPCAA(ctx, meta, doc, portal.HPCAASignature{FullName: "  dalia  marie SIGNER ", Agree: true})
			if err != nil {
				t.Fatal(err)
			}
			if c.Kind != store.CompletionHPCAA || c.Version != portal.HPCAAVersion || c.SignedName != "dalia marie SIGNER" ||
				c.Source != store.SourcePortal ||
				!c.CompletedAt.Equal(a.Now()) {
				t.Fatalf("completion %+v", c)
			}
			st, _ := a.HPCAAStatus(ctx, doc)
			if !st.Done || !st.Required || st.Current.ID != c.ID {
				t.Fatalf("status %+v", st)
			}
			if got := auditActions(t, db, "1"); got[len(got)-1] != "prerequisite.hpcaa_signed" {
				t.Fatalf("audit %v", got)
			}
		})
		t.Run("ErrSecondSigning", func(t *testing.T) {
			_, err := a.SignHPCAA(ctx, meta, doc, portal.HPCAASignature{FullName: doc.LegalName(), Agree: true})
			wantCode(t, err, portal.ECONFLICT)
			if !strings.Contains(portal.ErrorMessage(err), "26 Nov 2026") {
				t.Fatalf("message %q does not give the date", portal.ErrorMessage(err))
			}
			if cs, _ := a.Completions(ctx, doc.ID); len(cs) != 1 {
				t.Fatalf("%d completions, want 1", len(cs))
			}
		})
		t.Run("ErrNotForThisProfession", func(t *testing.T) {
			m := moa(t, a, "front.desk")
			_, err := a.SignHPCAA(ctx, meta, m, portal.HPCAASignature{FullName: m.LegalName(), Agree: true})
			wantCode(t, err, portal.EFORBIDDEN)
			st, _ := a.HPCAAStatus(ctx, m)
			if st.Required || st.Done {
				t.Fatalf("status %+v", st)
			}
			tr, _ := a.TrainingStatus(ctx, m)
			if !tr.Required {
				t.Fatal("the training is required of everyone")
			}
		})
	})
}

func TestApp_RecordExternalTraining(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		p := confirmed(t, a, person(t, a, "ext.learner", "Eli", "LEARNER"))

		for _, tt := range []struct {
			name, staff, email, on, code string
		}{
			{"ErrNoStaff", " ", "ext.learner@example.ca", "2026-10-01", portal.EINVALID},
			{"ErrBadDate", "officer.one", "ext.learner@example.ca", "01/10/2026", portal.EINVALID},
			{"ErrFuture", "officer.one", "ext.learner@example.ca", "2026-11-27", portal.EINVALID},
			{"ErrUnknownEmail", "officer.one", "nobody@example.ca", "2026-10-01", portal.ENOTFOUND},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := a.RecordExternalTraining(ctx, meta, tt.staff, tt.email, tt.on)
				wantCode(t, err, tt.code)
			})
		}
		t.Run("OK", func(t *testing.T) {
			rec, err := a.RecordExternalTraining(ctx, meta, "officer.one", "EXT.Learner@example.ca", "2026-11-26")
			if err != nil {
				t.Fatal(err)
			}
			c := rec.Completion
			if rec.Pending != nil || rec.Account.ID != p.ID || c.Source != store.SourceExternal || c.RecordedBy != "officer.one" ||
				c.Version != portal.TrainingVersion ||
				c.Score != 0 {
				t.Fatalf("recorded %+v for %d", rec, rec.Account.ID)
			}
			// The date is the B.C. date given, whatever the server's zone.
			if got := c.CompletedAt.In(time.FixedZone("PST", -8*3600)).Format("2006-01-02 15:04"); got != "2026-11-26 00:00" {
				t.Fatalf("completed at %s", got)
			}
			if got := mustStanding(t, a, p); got != [4]bool{true, false, false, false} {
				t.Fatalf("standing %v", got)
			}
			last := lastAudit(t, db, p.ID)
			if last.Action != "prerequisite.training_recorded" || last.ActorKind != portal.ActorStaff ||
				last.ActorID != "officer.one" {
				t.Fatalf("audit row %+v", last)
			}
		})
		t.Run("ErrAlreadyDone", func(t *testing.T) {
			_, err := a.RecordExternalTraining(ctx, meta, "officer.two", "ext.learner@example.ca", "2026-11-20")
			wantCode(t, err, portal.ECONFLICT)
		})
	})
}

// A completion recorded for an address nobody has confirmed waits: it is
// credited to whoever shows they own the address, not to an account that
// merely typed it.
func TestApp_ExternalTrainingWaitsForConfirmedAddress(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		mallory := confirmed(t, a, person(t, a, "mallory", "Mallory", "TAKER"))
		// Mallory puts Alice's address on her account; she cannot confirm it.
		if err := a.UpdateContact(ctx, meta, mallory.ID, portal.ContactInput{Email: "alice@example.ca", Phone: "778 888 9999"}); err != nil {
			t.Fatal(err)
		}
		rec, err := a.RecordExternalTraining(ctx, meta, "officer.one", "alice@example.ca", "2026-11-20")
		if err != nil {
			t.Fatal(err)
		}
		if rec.Completion != nil || rec.Pending == nil || rec.Pending.Email != "alice@example.ca" ||
			rec.Pending.RecordedBy != "officer.one" {
			t.Fatalf("recorded %+v", rec)
		}
		if got := mustStanding(t, a, mallory); got[0] {
			t.Fatalf("an unconfirmed address was credited: %v", got)
		}
		evs, _ := db.Read().
			FindAuditEvents(ctx, store.AuditFilter{SubjectKind: "pending_training", SubjectID: itoa(rec.Pending.ID)})
		if len(evs) != 1 || evs[0].Action != "prerequisite.training_pending" || evs[0].ActorID != "officer.one" ||
			!strings.Contains(evs[0].Details, "alice@example.ca") {
			t.Fatalf("audit %+v", evs)
		}
		_, err = a.RecordExternalTraining(ctx, meta, "officer.two", "alice@example.ca", "2026-11-21")
		wantMessage(t, err, portal.ECONFLICT, "A completion of version "+portal.TrainingVersion+
			" of the training, recorded by officer.one, is already waiting for alice@example.ca to be confirmed.")

		// Mallory goes back to her own address and confirms it: still nothing.
		if err := a.UpdateContact(ctx, meta, mallory.ID, portal.ContactInput{Email: "mallory@example.ca", Phone: "778 888 9999"}); err != nil {
			t.Fatal(err)
		}
		mallory = confirmed(t, a, mallory)
		if got := mustStanding(t, a, mallory); got[0] {
			t.Fatalf("Mallory was credited with Alice's training: %v", got)
		}

		// Alice registers and confirms her address: she is credited.
		alice := person(t, a, "alice", "Alice", "OWNER")
		if got := mustStanding(t, a, alice); got[0] {
			t.Fatal("credited before confirming")
		}
		alice = confirmed(t, a, alice)
		if got := mustStanding(t, a, alice); !got[0] {
			t.Fatalf("not credited after confirming: %v", got)
		}
		c, err := db.Read().LatestCompletion(ctx, alice.ID, store.CompletionTraining)
		if err != nil || c.Source != store.SourceExternal || c.RecordedBy != "officer.one" ||
			c.CompletedAt.In(time.FixedZone("PST", -8*3600)).Format("2006-01-02") != "2026-11-20" {
			t.Fatalf("completion %+v %v", c, err)
		}
		credited := auditRows(t, db, alice.ID, "prerequisite.training_credited")
		if len(credited) != 1 || credited[0].ActorID != itoa(int64(alice.ID)) ||
			!strings.Contains(credited[0].Details, `"recorded_by":"officer.one"`) {
			t.Fatalf("credit audit %+v", credited)
		}
		if waiting, _ := db.Read().FindPendingTrainingCredits(ctx, "alice@example.ca"); len(waiting) != 0 {
			t.Fatalf("still waiting: %+v", waiting)
		}
	})
}
