// Package storetest opens throw-away databases for tests: always a fresh
// SQLite file, and a fresh PostgreSQL database when PORTAL_TEST_POSTGRES_URL
// names a server the tests may create databases on.
package storetest

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/bcgov-example/careconnect-portal/internal/secret"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// EnvPostgres names the variable holding an admin URL of a test PostgreSQL server.
const EnvPostgres = "PORTAL_TEST_POSTGRES_URL"

// Open returns a migrated, empty SQLite database removed after the test.
func Open(t testing.TB) *store.DB {
	t.Helper()
	return open(t, "sqlite:"+filepath.Join(t.TempDir(), "portal.db"))
}

// OpenPostgres returns a migrated, empty PostgreSQL database dropped after
// the test, or skips the test when no server is configured.
func OpenPostgres(t testing.TB) *store.DB {
	t.Helper()
	return open(t, PostgresDSN(t))
}

// PostgresDSN returns the URL of a fresh, empty PostgreSQL database dropped
// after the test, or skips the test when no server is configured.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	dsn := CreatePostgresDB(t)
	if dsn == "" {
		t.Skip(EnvPostgres + " not set: PostgreSQL tests skipped")
	}
	return dsn
}

// DSNs returns the data source names of fresh databases for every
// configured dialect: a SQLite file, and a PostgreSQL database when configured.
func DSNs(t testing.TB) map[string]string {
	t.Helper()
	out := map[string]string{"sqlite": "sqlite:" + filepath.Join(t.TempDir(), "portal.db")}
	if dsn := CreatePostgresDB(t); dsn != "" {
		out["postgres"] = dsn
	}
	return out
}

// Each runs fn as a subtest on every configured database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, Open(t)) })
	if os.Getenv(EnvPostgres) != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, OpenPostgres(t)) })
	}
}

func open(t testing.TB, dsn string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

// CreatePostgresDB creates an empty database on the configured server and
// returns its URL ("" when none is configured); it is dropped after the test.
func CreatePostgresDB(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(EnvPostgres)
	if admin == "" {
		return ""
	}
	name := "portal_test_" + secret.Hex(6)
	adm, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("postgres admin: %v", err)
	}
	if _, err := adm.Exec("CREATE DATABASE " + name); err != nil {
		adm.Close()
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		defer adm.Close()
		if _, err := adm.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Logf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPostgres, err)
	}
	u.Path = "/" + name
	return u.String()
}
