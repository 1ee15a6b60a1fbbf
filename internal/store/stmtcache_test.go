package store_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

// With default_query_exec_mode=exec in the DSN (for PgBouncer in transaction
// mode) no named prepared statement is left on a connection: neither pgx's
// nor the store's statement cache.
func TestStore_NoNamedStatementsInExecMode(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	for _, tt := range []struct {
		name, param string
		named       bool
	}{
		// Last, as through PgBouncer its statements stay on the server's
		// connections that the other cases would then be given.
		{"Exec", "default_query_exec_mode=exec", false},
		{"SimpleProtocol", "default_query_exec_mode=simple_protocol", false},
		{"Default", "", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			u, err := url.Parse(dsn)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			q.Del("default_query_exec_mode") // the server's URL may set it (PgBouncer)
			if k, v, ok := strings.Cut(tt.param, "="); ok {
				q.Set(k, v)
			}
			u.RawQuery = q.Encode()
			db, err := store.Open(ctx, u.String())
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			db.SQL().SetMaxOpenConns(1) // one session, so its statements are the ones counted
			for range 2 {
				if _, err := db.Read().FindEmails(ctx, store.EmailFilter{Kind: "x"}); err != nil {
					t.Fatal(err)
				}
			}
			var n int
			if err := db.Read().QueryRow(ctx, "SELECT COUNT(*) FROM pg_prepared_statements").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if got := n > 0; got != tt.named {
				t.Errorf("%d named prepared statement(s) on the connection, want some: %v", n, tt.named)
			}
		})
	}
}
