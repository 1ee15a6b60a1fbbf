package store_test

import (
	"context"
	"crypto/ed25519"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

func mustAuditKey(t *testing.T) *portal.AuditKey {
	t.Helper()
	k, err := portal.ParseAuditKey(portal.GenerateAuditKey())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func appendEvents(t *testing.T, db *store.DB, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		err := db.InTx(ctx, func(tx *store.Tx) error {
			return tx.AppendAudit(ctx, &portal.AuditEvent{At: time.Now(), ActorKind: "account", ActorID: "1",
				Action: "test.event", SubjectKind: "account", SubjectID: "1"})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func exec(t *testing.T, db *store.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.SQL().Exec(store.Rebind(db.Dialect(), query), args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// rewriteFrom is the attack a keyless chain cannot see: edit row seq, then
// recompute every hash from there on and move the head to the new last
// hash, as anyone who can write the tables can.
func rewriteFrom(t *testing.T, db *store.DB, seq int64) {
	t.Helper()
	evs, err := db.Read().FindAuditEvents(ctx, store.AuditFilter{AfterSeq: seq - 1})
	if err != nil || len(evs) == 0 {
		t.Fatalf("rows from %d: %v", seq, err)
	}
	prev, err := db.Read().FindAuditEvents(ctx, store.AuditFilter{AfterSeq: seq - 2, Limit: 1})
	if err != nil || len(prev) != 1 {
		t.Fatalf("row %d: %v", seq-1, err)
	}
	prevHash := prev[0].Hash
	for i := range evs {
		e := &evs[i]
		if i == 0 {
			e.ActorID = "someone-else"
		}
		e.PrevHash = prevHash
		e.Hash = e.ComputeHash()
		exec(
			t,
			db,
			"UPDATE audit_log SET actor_id = ?, prev_hash = ?, hash = ? WHERE seq = ?",
			e.ActorID,
			e.PrevHash,
			e.Hash,
			e.Seq,
		)
		prevHash = e.Hash
	}
	exec(t, db, "UPDATE audit_head SET hash = ? WHERE id = 1", prevHash)
}

func reasons(r portal.AuditReport) string {
	var out []string
	for _, b := range r.Breaks {
		out = append(out, b.Reason)
	}
	return strings.Join(out, " | ")
}

func TestStore_AuditKeyedChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		key := mustAuditKey(t)
		appendEvents(t, db, 2) // before the key was configured
		db.SetAuditKey(key)
		appendEvents(t, db, 4)
		withKey := portal.AuditVerifyOptions{Keys: []*portal.AuditKey{key}}

		r, err := db.VerifyAuditWith(ctx, withKey)
		if err != nil || len(r.Breaks) != 0 || r.Rows != 6 || r.Unkeyed != 2 || r.Keyed != 4 {
			t.Fatalf("intact keyed trail: %+v %v", r, err)
		}
		if r, _ := db.VerifyAuditWith(ctx, portal.AuditVerifyOptions{}); len(r.Breaks) != 0 || r.KeyedUnchecked != 4 ||
			r.Unkeyed != 2 {
			t.Fatalf("without the key: %+v", r)
		}
		evs, _ := db.Read().FindAuditEvents(ctx, store.AuditFilter{})
		if evs[1].KeyID != "" || evs[2].KeyID != key.ID || len(evs[2].MAC) != 64 {
			t.Fatalf("rows %+v %+v", evs[1], evs[2])
		}

		t.Run("WriterWithoutTheKeyRefused", func(t *testing.T) {
			db.SetAuditKey(nil)
			defer db.SetAuditKey(key)
			err := db.InTx(ctx, func(tx *store.Tx) error {
				return tx.AppendAudit(
					ctx,
					&portal.AuditEvent{At: time.Now(), ActorKind: "system", Action: "x", SubjectKind: "x"},
				)
			})
			want := "store: the audit trail is keyed (audit key " + key.ID + ") but no audit key is configured: set PORTAL_AUDIT_KEY_FILE"
			if err == nil || err.Error() != want {
				t.Fatalf("got %v", err)
			}
		})

		t.Run("RecomputedChain", func(t *testing.T) {
			rewriteFrom(t, db, 4)
			if _, breaks, _ := db.VerifyAudit(ctx); len(breaks) != 0 {
				t.Fatalf("the hashes alone cannot see it, yet found %v", breaks)
			}
			r, err := db.VerifyAuditWith(ctx, withKey)
			if err != nil || len(r.Breaks) != 4 {
				t.Fatalf("got %d breaks: %s", len(r.Breaks), reasons(r))
			}
			for i, seq := range []int64{4, 5, 6} {
				if b := r.Breaks[i]; b.Seq != seq ||
					b.Reason != "MAC does not match: the row, or the chain up to it, was rewritten without the audit key" {
					t.Errorf("break %d: %+v", i, b)
				}
			}
			if b := r.Breaks[3]; b.Seq != 6 || !strings.HasPrefix(b.Reason, "the head's MAC does not match") {
				t.Errorf("head: %+v", b)
			}
		})

		t.Run("MACsRemoved", func(t *testing.T) {
			exec(t, db, "UPDATE audit_log SET key_id = '', mac = '' WHERE seq >= 4")
			exec(t, db, "UPDATE audit_head SET key_id = '', mac = '' WHERE id = 1")
			r, _ := db.VerifyAuditWith(ctx, withKey)
			if len(r.Breaks) != 4 || r.Breaks[0].Seq != 4 ||
				r.Breaks[0].Reason != "carries no MAC though the rows before it are keyed: its MAC was removed" ||
				!strings.HasPrefix(r.Breaks[3].Reason, "the head carries no MAC though the rows are keyed") {
				t.Fatalf("got %s", reasons(r))
			}
			if r, _ := db.VerifyAuditWith(ctx, portal.AuditVerifyOptions{}); len(r.Breaks) != 4 {
				t.Fatalf("removed MACs show without the key too: %s", reasons(r))
			}
		})

		t.Run("AnotherKey", func(t *testing.T) {
			other := mustAuditKey(t)
			r, _ := db.VerifyAuditWith(ctx, portal.AuditVerifyOptions{Keys: []*portal.AuditKey{other}})
			if len(r.Breaks) == 0 || r.Breaks[0].Seq != 3 ||
				r.Breaks[0].Reason != `keyed with audit key "`+key.ID+`", which was not given` {
				t.Fatalf("got %s", reasons(r))
			}
		})
	})
}

func TestStore_AuditCheckpoints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		pub, priv, err := ed25519.GenerateKey(nil)
		if err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC)
		appendEvents(t, db, 5)
		head, err := db.Read().FindAuditHead(ctx)
		if err != nil || head.Seq != 5 {
			t.Fatalf("head %+v %v", head, err)
		}
		cp := portal.SignCheckpoint(priv, head.Seq, head.Hash, at)
		cp.Line = 1
		appendEvents(t, db, 2)
		opts := portal.AuditVerifyOptions{Checkpoints: []portal.AuditCheckpoint{cp}, CheckpointKey: pub}
		if r, err := db.VerifyAuditWith(ctx, opts); err != nil || len(r.Breaks) != 0 || r.Checkpoints != 1 ||
			r.Rows != 7 {
			t.Fatalf("intact: %+v %v", r, err)
		}

		t.Run("ForgedCheckpoint", func(t *testing.T) {
			forged := cp
			forged.Seq = 4
			r, _ := db.VerifyAuditWith(
				ctx,
				portal.AuditVerifyOptions{Checkpoints: []portal.AuditCheckpoint{forged}, CheckpointKey: pub},
			)
			if len(r.Breaks) != 1 || r.Checkpoints != 0 ||
				r.Breaks[0].Reason != "the checkpoint on line 1 does not verify with the checkpoint public key: it was not signed by that key, or was altered" {
				t.Fatalf("got %s", reasons(r))
			}
		})

		t.Run("RewrittenBeforeTheCheckpoint", func(t *testing.T) {
			rewriteFrom(t, db, 2)
			if _, breaks, _ := db.VerifyAudit(ctx); len(breaks) != 0 {
				t.Fatalf("the hashes alone cannot see it, yet found %v", breaks)
			}
			r, _ := db.VerifyAuditWith(ctx, opts)
			if len(r.Breaks) != 1 || r.Breaks[0].Seq != 5 ||
				r.Breaks[0].Reason != "hash differs from the checkpoint of 2026-11-26T18:00:00Z (line 1): the chain was rewritten up to here" {
				t.Fatalf("got %s", reasons(r))
			}
		})

		t.Run("TruncatedAndHeadMovedBack", func(t *testing.T) {
			evs, _ := db.Read().FindAuditEvents(ctx, store.AuditFilter{AfterSeq: 2, Limit: 1})
			exec(t, db, "DELETE FROM audit_log WHERE seq > 3")
			exec(t, db, "UPDATE audit_head SET seq = 3, hash = ? WHERE id = 1", evs[0].Hash)
			if _, breaks, _ := db.VerifyAudit(ctx); len(breaks) != 0 {
				t.Fatalf("the hashes alone cannot see it, yet found %v", breaks)
			}
			r, _ := db.VerifyAuditWith(ctx, opts)
			if len(r.Breaks) != 1 || r.Breaks[0].Seq != 5 || r.Breaks[0].Reason !=
				"the checkpoint of 2026-11-26T18:00:00Z (line 1) records row 5, but the trail ends at row 3: rows were deleted from the end and the head moved back" {
				t.Fatalf("got %s", reasons(r))
			}
		})
	})
}

func TestStore_AuditEmptyOrHeadless(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r, err := db.VerifyAuditWith(ctx, portal.AuditVerifyOptions{})
		if err != nil || !r.Empty || r.Rows != 0 || len(r.Breaks) != 0 {
			t.Fatalf("empty trail: %+v %v", r, err)
		}
		exec(t, db, "UPDATE audit_head SET seq = 4, hash = 'x' WHERE id = 1")
		r, _ = db.VerifyAuditWith(ctx, portal.AuditVerifyOptions{})
		if r.Empty || len(r.Breaks) != 1 ||
			r.Breaks[0].Reason != "the trail has no rows but its head records row 4: every row was deleted" {
			t.Fatalf("rows gone: %s", reasons(r))
		}
		exec(t, db, "DELETE FROM audit_head")
		r, err = db.VerifyAuditWith(ctx, portal.AuditVerifyOptions{})
		if err != nil || len(r.Breaks) != 1 ||
			r.Breaks[0].Reason != "the trail's head (the one row of audit_head) is missing" {
			t.Fatalf("head gone: %s %v", reasons(r), err)
		}
		err = db.InTx(ctx, func(tx *store.Tx) error {
			return tx.AppendAudit(
				ctx,
				&portal.AuditEvent{At: time.Now(), ActorKind: "system", Action: "x", SubjectKind: "x"},
			)
		})
		if err == nil || strings.Contains(err.Error(), "no rows") ||
			!strings.Contains(err.Error(), "audit_head) is missing") {
			t.Fatalf("writing without a head: %v", err)
		}
	})
}

// A transaction that has audited but is still at work must not hold the
// audit trail's head: other transactions' audits go through meanwhile, and
// the chain orders events as their transactions commit. (On SQLite writers
// queue for the whole transaction anyway, so this is PostgreSQL's test.)
func TestStore_AuditHeadLockedOnlyAtCommit(t *testing.T) {
	db := storetest.OpenPostgres(t)
	audit := func(tx *store.Tx, action string) error {
		return tx.AppendAudit(
			ctx,
			&portal.AuditEvent{At: time.Now(), ActorKind: "system", Action: action, SubjectKind: "x"},
		)
	}
	audited, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- db.InTx(ctx, func(tx *store.Tx) error {
			if err := audit(tx, "test.slow"); err != nil {
				return err
			}
			close(audited)
			<-release // the rest of a long use case
			return nil
		})
	}()
	<-audited
	quick, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	err := db.InTx(quick, func(tx *store.Tx) error { return audit(tx, "test.quick") })
	close(release)
	if err != nil {
		t.Fatalf("an audit behind an open transaction that had audited: %v; want it through at once", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	evs, err := db.Read().FindAuditEvents(ctx, store.AuditFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs {
		if e.SubjectKind == "x" {
			got = append(got, e.Action)
		}
	}
	if len(got) != 2 {
		t.Fatalf("audit rows %v, want test.quick and test.slow", got)
	}
	if n, breaks, err := db.VerifyAudit(ctx); err != nil || len(breaks) != 0 {
		t.Fatalf("checked %d, breaks %v, err %v; want one chain", n, breaks, err)
	}
}
