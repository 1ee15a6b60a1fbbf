package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

var ctx = context.Background()

// mustInTx runs fn in one transaction and returns its result, failing the
// test on an error.
func mustInTx[T any](t *testing.T, db *store.DB, fn func(tx *store.Tx) (T, error)) T {
	t.Helper()
	var v T
	if err := db.InTx(ctx, func(tx *store.Tx) (err error) { v, err = fn(tx); return err }); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestRebind(t *testing.T) {
	tests := []struct{ in, sqlite, pg string }{
		{"SELECT 1", "SELECT 1", "SELECT 1"},
		{"a = ? AND b = ?", "a = ? AND b = ?", "a = $1 AND b = $2"},
		{"x = '?' AND y = ?", "x = '?' AND y = ?", "x = '?' AND y = $1"},
	}
	for _, tt := range tests {
		if got := store.Rebind(store.SQLite, tt.in); got != tt.sqlite {
			t.Errorf("sqlite %q: got %q, want %q", tt.in, got, tt.sqlite)
		}
		if got := store.Rebind(store.Postgres, tt.in); got != tt.pg {
			t.Errorf("postgres %q: got %q, want %q", tt.in, got, tt.pg)
		}
	}
}

func TestMigrations_SameNumbersForBothDialects(t *testing.T) {
	lite, err := store.Migrations(store.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := store.Migrations(store.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) != len(pg) || len(lite) == 0 {
		t.Fatalf("sqlite has %d migrations, postgres %d", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].Version != pg[i].Version || lite[i].Name != pg[i].Name {
			t.Errorf(
				"migration %d: sqlite %d_%s, postgres %d_%s",
				i,
				lite[i].Version,
				lite[i].Name,
				pg[i].Version,
				pg[i].Name,
			)
		}
		if strings.Contains(lite[i].SQL, "{{") || strings.Contains(pg[i].SQL, "{{") {
			t.Errorf("migration %d has an unexpanded macro", lite[i].Version)
		}
	}
}

func TestStore_MigrateTwiceIsNoop(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		n, err := db.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("second migrate applied %d migrations, want 0", n)
		}
	})
}

func newAccount(n string) *portal.Account {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	return &portal.Account{
		Issuer: "https://idp.test", Subject: "sub-" + n, GivenNames: "Dalia", Surname: "EIGHTEEN" + n,
		Profession: portal.ProfPhysician, MSPBillingNumber: "A1234", CPSID: "12345",
		Email: n + "@example.ca", Phone: "+17788889999", Username: "dalia." + n, PasswordHash: "$argon2id$x",
		PasswordChangedAt: now, Status: portal.AccountActive, CreatedAt: now, UpdatedAt: now,
	}
}

func TestStore_CreateAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newAccount("one")
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.CreateAccount(ctx, a) }); err != nil {
			t.Fatal(err)
		}
		got, err := db.Read().FindAccountBySubject(ctx, a.Issuer, a.Subject)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != a.ID || got.Username != "dalia.one" || got.Profession != portal.ProfPhysician ||
			!got.CreatedAt.Equal(a.CreatedAt) {
			t.Fatalf("got %+v", got)
		}
		for _, tc := range []struct {
			name, key, field string
			edit             func(b *portal.Account)
		}{
			{"ErrDuplicateEmailAnyCase", "two", "email", func(b *portal.Account) { b.Email = "ONE@Example.CA" }},
			{"ErrDuplicateUsername", "three", "username", func(b *portal.Account) { b.Username = "dalia.one" }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				b := newAccount(tc.key)
				tc.edit(b)
				err := db.InTx(ctx, func(tx *store.Tx) error { return tx.CreateAccount(ctx, b) })
				if !store.IsConflictOn(err, tc.field) {
					t.Fatalf("got %v, want a conflict on the %s", err, tc.field)
				}
			})
		}
		t.Run("NotFound", func(t *testing.T) {
			_, err := db.Read().FindAccountByID(ctx, 99999)
			if portal.ErrorCode(err) != portal.ENOTFOUND {
				t.Fatalf("got %v, want not found", err)
			}
		})
	})
}

func TestStore_AuditChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for i := 0; i < 5; i++ {
			err := db.InTx(ctx, func(tx *store.Tx) error {
				return tx.AppendAudit(ctx, &portal.AuditEvent{At: time.Now(), ActorKind: "account", ActorID: "1",
					Action: "test.event", SubjectKind: "account", SubjectID: "1", Details: store.AuditDetails(map[string]int{"i": i})})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		n, breaks, err := db.VerifyAudit(ctx)
		if err != nil || n != 5 || len(breaks) != 0 {
			t.Fatalf("intact trail: checked %d, breaks %v, err %v", n, breaks, err)
		}
		t.Run("EditedRow", func(t *testing.T) {
			exec(t, db, "UPDATE audit_log SET actor_id = '2' WHERE seq = 3")
			_, breaks, _ := db.VerifyAudit(ctx)
			if len(breaks) != 1 || breaks[0].Seq != 3 || !strings.Contains(breaks[0].Reason, "edited") {
				t.Fatalf("got %v, want row 3 edited", breaks)
			}
		})
		t.Run("DeletedRow", func(t *testing.T) {
			exec(t, db, "DELETE FROM audit_log WHERE seq = 3")
			_, breaks, _ := db.VerifyAudit(ctx)
			if len(breaks) != 1 || breaks[0].Seq != 4 || !strings.Contains(breaks[0].Reason, "missing") {
				t.Fatalf("got %v, want a gap before row 4", breaks)
			}
		})
		t.Run("DeletedLastRow", func(t *testing.T) {
			exec(t, db, "DELETE FROM audit_log WHERE seq = 5")
			_, breaks, _ := db.VerifyAudit(ctx)
			last := breaks[len(breaks)-1]
			if last.Seq != 5 || !strings.Contains(last.Reason, "deleted from the end") {
				t.Fatalf("got %v, want the tail deletion found", breaks)
			}
		})
	})
}

func TestStore_AuditConcurrentWritersKeepOneChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := 0; j < 5; j++ {
					err := db.InTx(ctx, func(tx *store.Tx) error {
						return tx.AppendAudit(
							ctx,
							&portal.AuditEvent{
								At:          time.Now(),
								ActorKind:   "system",
								Action:      "test.concurrent",
								SubjectKind: "x",
							},
						)
					})
					if err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		n, breaks, err := db.VerifyAudit(ctx)
		if err != nil || n != 40 || len(breaks) != 0 {
			t.Fatalf("checked %d, breaks %v, err %v; want 40 rows in one chain", n, breaks, err)
		}
	})
}

func TestStore_Outbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
		for _, to := range []string{"a@example.ca", "b@example.ca"} {
			err := db.InTx(ctx, func(tx *store.Tx) error {
				return tx.EnqueueEmail(
					ctx,
					&store.Email{
						MessageID: "<" + to + ">",
						Kind:      "test",
						To:        to,
						Subject:   "s",
						Text:      "t",
						CreatedAt: now,
					},
				)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		ob := store.Outbox{DB: db}
		first, err := ob.ClaimEmails(ctx, "w1", now, now.Add(time.Minute), 10)
		if err != nil || len(first) != 2 {
			t.Fatalf("claim: %d emails, %v", len(first), err)
		}
		again, _ := ob.ClaimEmails(ctx, "w2", now.Add(time.Second), now.Add(time.Minute), 10)
		if len(again) != 0 {
			t.Fatalf("a second worker claimed %d leased emails, want 0", len(again))
		}
		if err := ob.MarkEmailSent(ctx, first[0].ID, "w1", now); err != nil {
			t.Fatal(err)
		}
		if err := ob.MarkEmailFailed(ctx, first[1].ID, "w1", now, now.Add(30*time.Second), "451 try later", false); err != nil {
			t.Fatal(err)
		}
		depth, _ := ob.QueueDepth(ctx)
		if depth != 1 {
			t.Fatalf("depth %d, want 1", depth)
		}
		retry, _ := ob.ClaimEmails(ctx, "w2", now.Add(31*time.Second), now.Add(2*time.Minute), 10)
		if len(retry) != 1 || retry[0].To != "b@example.ca" || retry[0].Attempts != 1 {
			t.Fatalf("retry got %+v", retry)
		}
		// A worker whose lease was taken over cannot mark the email.
		if err := ob.MarkEmailSent(ctx, retry[0].ID, "w1", now); err != nil {
			t.Fatal(err)
		}
		e, _ := db.Read().FindEmailByID(ctx, retry[0].ID)
		if e.Status != store.EmailPending {
			t.Fatalf("status %s after a stale worker's mark, want pending", e.Status)
		}
	})
}

func TestStore_RateLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
		for i := 1; i <= 4; i++ {
			ok, err := db.HitRateLimit(ctx, "k", 3, time.Minute, now)
			if err != nil {
				t.Fatal(err)
			}
			if want := i <= 3; ok != want {
				t.Fatalf("hit %d: allowed %v, want %v", i, ok, want)
			}
		}
		ok, _ := db.HitRateLimit(ctx, "k", 3, time.Minute, now.Add(time.Minute))
		if !ok {
			t.Fatal("a new window should allow again")
		}
	})
}

func TestStore_Sessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
		s := &store.Session{IDHash: "h1", Data: "{}", CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := db.Read().CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
		got, err := db.Read().FindSession(ctx, "h1")
		if err != nil || got.AccountID != 0 || !got.ExpiresAt.Equal(s.ExpiresAt) {
			t.Fatalf("got %+v, %v", got, err)
		}
		n, err := db.Read().DeleteExpiredSessions(ctx, now.Add(2*time.Hour), now)
		if err != nil || n != 1 {
			t.Fatalf("deleted %d, %v", n, err)
		}
		if _, err := db.Read().FindSession(ctx, "h1"); !store.IsNotFound(err) {
			t.Fatalf("got %v, want not found", err)
		}
	})
}
