package store_test

import (
	"context"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

// A transaction that has audited but is still at work must not hold the
// audit trail's head: other transactions' audits go through meanwhile, and
// the chain orders events as their transactions commit. (On SQLite writers
// queue for the whole transaction anyway, so this is PostgreSQL's test.)
func TestStore_AuditHeadLockedOnlyAtCommit(t *testing.T) {
	if storetest.DSNs(t)["postgres"] == "" {
		t.Skip(storetest.EnvPostgres + " not set")
	}
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
