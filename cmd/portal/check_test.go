package main

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

// exitCode is the code main would exit with for err.
func exitCode(err error) int {
	var ee *exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.code
	}
	return 1
}

func TestRun_Check(t *testing.T) {
	t.Parallel()
	for name, dsn := range storetest.DSNs(t) {
		t.Run(name, func(t *testing.T) {
			env := map[string]string{"PORTAL_DB": dsn, "PORTAL_DEV": "true", "PORTAL_BASE_URL": "http://127.0.0.1:9"}
			if _, err := runCmd(t, env, "demo"); err != nil {
				t.Fatal(err)
			}
			out, err := runCmd(t, env, "check")
			if err != nil || exitCode(err) != checkClean || !strings.HasPrefix(out,
				"policy holds: 16 invariants checked over 3 account(s), 1 worksite(s), 0 access request(s) and ") {
				t.Fatalf("check of the demo: %q %v", out, err)
			}

			// Decline the demo clinic and take its administrator's role
			// behind the portal's back: its three members remain.
			db, err := store.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			var ws, sam int64
			err = db.SQL().QueryRow("SELECT w.id, w.registered_by FROM worksites w").Scan(&ws, &sam)
			if err == nil {
				_, err = db.SQL().Exec("UPDATE worksites SET status = 'declined'")
			}
			if err == nil {
				_, err = db.SQL().Exec("UPDATE worksite_members SET role = 'member'")
			}
			db.Close()
			if err != nil {
				t.Fatal(err)
			}
			out, err = runCmd(t, env, "check")
			if exitCode(err) != checkViolations || err.Error() !=
				"policy check FAILED: 4 violation(s) of 2 invariant(s): no-member-of-declined-worksite (3), worksite-has-administrator (1)" {
				t.Fatalf("check after the edit: exit %d, %v", exitCode(err), err)
			}
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			want := "no-member-of-declined-worksite: worksite " + itoa(ws) + ", account " + itoa(sam) +
				": an active Member of worksite "
			if len(lines) != 4 || !strings.HasPrefix(lines[0], want) ||
				!strings.HasSuffix(lines[0], ", which the CareConnect team declined") ||
				!strings.HasPrefix(lines[3], "worksite-has-administrator: worksite "+itoa(ws)+": worksite ") ||
				!strings.HasSuffix(lines[3], " (declined) has 3 active members and no administrator") {
				t.Fatalf("check output:\n%s", out)
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestRun_CheckCannotRun(t *testing.T) {
	t.Parallel()
	env := map[string]string{"PORTAL_DB": "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"}
	if _, err := runCmd(t, env, "check"); exitCode(err) != checkFailed ||
		!strings.Contains(err.Error(), "connect to postgres") {
		t.Fatalf("unreachable database: exit %d, %v", exitCode(err), err)
	}
	if _, err := runCmd(t, nil, "check", "-no-such-flag"); exitCode(err) != checkFailed {
		t.Fatalf("bad flag: exit %d, %v", exitCode(err), err)
	}
	// A database never migrated has nothing to check against.
	if _, err := runCmd(t, map[string]string{"PORTAL_DB": "sqlite:" + t.TempDir() + "/empty.db"}, "check"); exitCode(
		err,
	) != checkFailed ||
		!strings.Contains(err.Error(), "load policy snapshot") {
		t.Fatalf("empty database: exit %d, %v", exitCode(err), err)
	}
}
