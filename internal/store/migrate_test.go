package store_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

// Several instances starting at once on an empty PostgreSQL database all
// migrate it: one does, the others wait on the lock and find it done.
func TestStore_ConcurrentMigrationsOnAnEmptyDatabase(t *testing.T) {
	for round := 0; round < 3; round++ {
		dsn := storetest.PostgresDSN(t) // a fresh, empty database
		const instances = 3
		dbs := make([]*store.DB, instances)
		for i := range dbs {
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			dbs[i] = db
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		applied := make([]int, instances)
		errs := make([]error, instances)
		for i, db := range dbs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				applied[i], errs[i] = db.Migrate(ctx)
			}()
		}
		close(start)
		wg.Wait()
		steps, err := store.Migrations(store.Postgres)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for i := range dbs {
			if errs[i] != nil {
				t.Fatalf("round %d, instance %d: %v", round, i, errs[i])
			}
			total += applied[i]
		}
		if total != len(steps) {
			t.Fatalf("round %d: %d migrations applied in all, want each of the %d once", round, total, len(steps))
		}
	}
}

// rerunMigration runs again, on a database already migrated, the
// statements of the migration name that begin with prefix (its data
// fixes, say), leaving out its comment lines.
func rerunMigration(t *testing.T, db *store.DB, name, prefix string) {
	t.Helper()
	migrations, err := store.Migrations(db.Dialect())
	if err != nil {
		t.Fatal(err)
	}
	var m *store.Migration
	for i := range migrations {
		if migrations[i].Name == name {
			m = &migrations[i]
		}
	}
	if m == nil {
		t.Fatalf("no %s migration", name)
	}
	var body strings.Builder
	for _, line := range strings.Split(m.SQL, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			body.WriteString(line + "\n")
		}
	}
	for _, stmt := range strings.Split(body.String(), ";") {
		if stmt = strings.TrimSpace(stmt); strings.HasPrefix(stmt, prefix) {
			if _, err := db.Read().Exec(ctx, stmt); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		}
	}
}
