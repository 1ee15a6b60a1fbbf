package web_test

import (
	"database/sql"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
	"github.com/bcgov-example/careconnect-portal/internal/wire"
)

// A signed-in person whose account cannot be read, because the database
// is too slow (here: the accounts table locked past the statement
// timeout), reads the 503 page: they are not sent to sign in or to
// register again, and a form they post is not taken for a signed-out one.
func TestWeb_SignedInWhileAccountsStall(t *testing.T) {
	dsn := storetest.CreatePostgresDB(t)
	if dsn == "" {
		t.Skip(storetest.EnvPostgres + " not set: the stall is a PostgreSQL lock")
	}
	inst := portaltest.Start(t, dsn, func(c *wire.Config) { c.DBOptions.StatementTimeout = 500 * time.Millisecond })
	c := inst.Client(t)
	if p := c.SignIn("Stella", "STALL", "1980-04-18", "stella@example.ca"); !strings.HasSuffix(p.URL, "/register") {
		t.Fatalf("signed in to %s", p.URL)
	}
	reg := c.Post("/register", url.Values{"profession": {"medical_office_assistant"}, "email": {"stella@example.ca"},
		"phone": {"(778) 888-9999"}, "health_authority_account": {"no"}, "username": {"stella.stall"},
		"password": {"Harbour-Lantern-47"}, "confirm_password": {"Harbour-Lantern-47"}})
	if reg.Status != http.StatusSeeOther || reg.Location != "/menu" {
		t.Fatalf("register: %d %q", reg.Status, reg.Location)
	}
	if p := c.Get("/menu"); p.Status != http.StatusOK {
		t.Fatalf("menu: %d", p.Status)
	}

	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*portaltest.Page{c.Get("/menu"), c.Post("/account/contact", url.Values{"phone": {"(604) 555-0199"}})} {
		if p.Status != http.StatusServiceUnavailable || p.Header.Get("Retry-After") != "60" ||
			!strings.Contains(p.Body, "Please try again in a minute.") {
			t.Errorf(
				"%s while the accounts are locked: %d (Location %q), want the 503 page",
				p.URL,
				p.Status,
				p.Location,
			)
		}
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if p := c.Get("/menu"); p.Status != http.StatusOK || !strings.Contains(p.Body, "Stella") {
		t.Errorf("menu once the lock is gone: %d", p.Status)
	}
}
