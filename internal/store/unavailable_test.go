package store_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

// Every PostgreSQL connection carries the configured statement and
// idle-in-transaction timeouts, and a statement past its timeout fails
// soon, as an unavailable database.
func TestStore_TimeoutsSetOnConnect(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	db, err := store.OpenWith(
		ctx,
		dsn,
		store.Options{MaxConns: 3, MaxIdleConns: 1, StatementTimeout: 300 * time.Millisecond,
			IdleInTxTimeout: 2 * time.Second},
	)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := db.SQL().Stats().MaxOpenConnections; got != 3 {
		t.Fatalf("pool of %d connections, want 3", got)
	}
	for name, want := range map[string]string{"statement_timeout": "300ms", "idle_in_transaction_session_timeout": "2s"} {
		var got string
		if err := db.Read().QueryRow(ctx, "SHOW "+name).Scan(&got); err != nil || got != want {
			t.Fatalf("%s = %q (%v), want %q", name, got, err, want)
		}
	}
	start := time.Now()
	_, err = db.Read().Exec(ctx, "SELECT pg_sleep(3)")
	if took := time.Since(start); err == nil || took > 2*time.Second || !store.Unavailable(err) {
		t.Fatalf("a 3-second statement: %v after %s, want an unavailable error within the timeout", err, took)
	}
	if _, err := db.Migrate(ctx); err != nil { // migrations lift the statement timeout for themselves
		t.Fatal(err)
	}

	none, err := store.OpenWith(ctx, dsn, store.Options{StatementTimeout: -1, IdleInTxTimeout: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer none.Close()
	var got string
	if err := none.Read().QueryRow(ctx, "SHOW statement_timeout").Scan(&got); err != nil || got != "0" {
		t.Fatalf("statement_timeout = %q (%v) with none asked, want 0", got, err)
	}
}

func TestStore_Unavailable(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("boom"), false},
		{&store.ConflictError{Constraint: "x"}, false},
		{fmt.Errorf("find: %w", errors.New("conn closed")), true},
	} {
		if got := store.Unavailable(tc.err); got != tc.want {
			t.Errorf("Unavailable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
	// A server that does not listen: refused at once, and unavailable.
	start := time.Now()
	_, err := store.OpenWith(
		ctx,
		"postgres://postgres@127.0.0.1:1/postgres?sslmode=disable",
		store.Options{ConnectTimeout: time.Second},
	)
	if err == nil || !store.Unavailable(err) || time.Since(start) > 3*time.Second {
		t.Fatalf("opening a closed port: %v after %s", err, time.Since(start))
	}
}
