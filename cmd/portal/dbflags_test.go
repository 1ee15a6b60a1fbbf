package main

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// The database pool and timeouts come from flags or PORTAL_DB_* variables;
// the server bounds statements by default, one-off commands do not.
func TestParseConfig_DatabaseOptions(t *testing.T) {
	t.Parallel()
	none := func(string) string { return "" }
	cfg, _, err := parseConfig("serve", nil, io.Discard, none)
	if err != nil {
		t.Fatal(err)
	}
	want := store.Options{
		MaxConns:         25,
		MaxIdleConns:     10,
		ConnectTimeout:   5 * time.Second,
		StatementTimeout: 30 * time.Second,
		IdleInTxTimeout:  time.Minute,
	}
	if cfg.DBOptions != want {
		t.Fatalf("serve defaults %+v, want %+v", cfg.DBOptions, want)
	}
	cfg, _, err = parseConfig("migrate", nil, io.Discard, none)
	if err != nil || cfg.DBOptions.StatementTimeout != -1 {
		t.Fatalf("migrate: statement timeout %v (%v), want none (-1)", cfg.DBOptions.StatementTimeout, err)
	}
	env := map[string]string{
		"PORTAL_DB_MAX_CONNS":                   "8",
		"PORTAL_DB_STATEMENT_TIMEOUT":           "2s",
		"PORTAL_DB_IDLE_IN_TRANSACTION_TIMEOUT": "0",
	}
	cfg, _, err = parseConfig(
		"serve",
		[]string{"-db-max-idle-conns", "4"},
		io.Discard,
		func(k string) string { return env[k] },
	)
	want = store.Options{
		MaxConns:         8,
		MaxIdleConns:     4,
		ConnectTimeout:   5 * time.Second,
		StatementTimeout: 2 * time.Second,
		IdleInTxTimeout:  -1,
	}
	if err != nil || cfg.DBOptions != want {
		t.Fatalf("set: %+v (%v), want %+v", cfg.DBOptions, err, want)
	}
	_, _, err = parseConfig("serve", []string{"-db-max-conns", "many"}, io.Discard, none)
	if err == nil || !strings.Contains(err.Error(), `bad -db-max-conns "many"`) {
		t.Fatalf("a bad pool size: %v", err)
	}
}
