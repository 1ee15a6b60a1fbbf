package store_test

import (
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

func mustCreateAccount(t *testing.T, db *store.DB, n string) *portal.Account {
	t.Helper()
	a := newAccount(n)
	if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.CreateAccount(ctx, a) }); err != nil {
		t.Fatal(err)
	}
	return a
}

func mustRecordCompletion(t *testing.T, db *store.DB, c *store.Completion) {
	t.Helper()
	if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.RecordCompletion(ctx, c) }); err != nil {
		t.Fatal(err)
	}
}

func TestStore_PrerequisiteCompletions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustCreateAccount(t, db, "one")
		other := mustCreateAccount(t, db, "two")
		day := time.Date(2026, 3, 2, 17, 30, 0, 0, time.UTC)

		t.Run("NoneIsNotFound", func(t *testing.T) {
			if _, err := db.Read().LatestCompletion(ctx, a.ID, store.CompletionTraining); !store.IsNotFound(err) {
				t.Fatalf("got %v, want not found", err)
			}
			if got, err := db.Read().FindCompletions(ctx, a.ID); err != nil || len(got) != 0 {
				t.Fatalf("got %v %v, want none", got, err)
			}
		})

		old := &store.Completion{AccountID: a.ID, Kind: store.CompletionTraining, Version: "2025.1", CompletedAt: day,
			Score: 90, Source: store.SourceExternal, RecordedBy: "officer.one"}
		mustRecordCompletion(t, db, old)
		cur := &store.Completion{AccountID: a.ID, Kind: store.CompletionTraining, Version: portal.TrainingVersion,
			CompletedAt: day.Add(24 * time.Hour), Score: 100, Source: store.SourcePortal}
		mustRecordCompletion(t, db, cur)
		sig := &store.Completion{AccountID: a.ID, Kind: store.CompletionHPCAA, Version: portal.HPCAAVersion,
			CompletedAt: day.Add(48 * time.Hour), Source: store.SourcePortal, SignedName: "Dalia EIGHTEENone"}
		mustRecordCompletion(t, db, sig)
		mustRecordCompletion(t, db, &store.Completion{AccountID: other.ID, Kind: store.CompletionTraining,
			Version: portal.TrainingVersion, CompletedAt: day.Add(72 * time.Hour), Score: 80, Source: store.SourcePortal})

		t.Run("Latest", func(t *testing.T) {
			got, err := db.Read().LatestCompletion(ctx, a.ID, store.CompletionTraining)
			if err != nil {
				t.Fatal(err)
			}
			if *got != *cur {
				t.Fatalf("got %+v, want %+v", got, cur)
			}
			got, err = db.Read().LatestCompletion(ctx, a.ID, store.CompletionHPCAA)
			if err != nil {
				t.Fatal(err)
			}
			if *got != *sig {
				t.Fatalf("got %+v, want %+v", got, sig)
			}
		})
		t.Run("ListNewestFirst", func(t *testing.T) {
			got, err := db.Read().FindCompletions(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 3 || got[0].ID != sig.ID || got[1].ID != cur.ID || got[2].ID != old.ID {
				t.Fatalf("got %+v, want the agreement, the current training, the old training", got)
			}
			if *got[2] != *old {
				t.Fatalf("stored %+v, want %+v", got[2], old)
			}
		})
		t.Run("ErrUnknownKind", func(t *testing.T) {
			err := db.InTx(ctx, func(tx *store.Tx) error {
				return tx.RecordCompletion(ctx, &store.Completion{AccountID: a.ID, Kind: "quiz", Version: "1",
					CompletedAt: day, Source: store.SourcePortal})
			})
			if err == nil {
				t.Fatal("an unknown kind was stored")
			}
		})
	})
}

func TestStore_PrerequisiteCompletionKind(t *testing.T) {
	for p, want := range map[portal.Prerequisite]string{
		portal.PrereqTraining: store.CompletionTraining, portal.PrereqHPCAA: store.CompletionHPCAA, "other": "",
	} {
		if got := store.CompletionKind(p); got != want {
			t.Errorf("%s: got %q, want %q", p, got, want)
		}
	}
}
