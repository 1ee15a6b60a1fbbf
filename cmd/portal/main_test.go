package main

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	_ "modernc.org/sqlite"
)

func runCmd(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, &out, &errOut, func(k string) string { return env[k] })
	return out.String(), err
}

func TestRun_Version(t *testing.T) {
	t.Parallel()
	out, err := runCmd(t, nil, "version")
	if err != nil || out != "portal dev\n" {
		t.Fatalf("got %q, %v", out, err)
	}
	if _, err := runCmd(t, nil, "frobnicate"); err == nil ||
		!strings.Contains(err.Error(), `unknown command "frobnicate"`) {
		t.Fatalf("unknown command: %v", err)
	}
}

func TestRun_MigrateDemoAndAuditVerify(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "portal.db")
	env := map[string]string{
		"PORTAL_DB":       "sqlite:" + path,
		"PORTAL_DEV":      "true",
		"PORTAL_BASE_URL": "http://127.0.0.1:9",
	}
	out, err := runCmd(t, env, "migrate")
	if err != nil || !strings.HasPrefix(out, "applied ") {
		t.Fatalf("migrate: %q %v", out, err)
	}
	if out, err := runCmd(t, env, "migrate"); err != nil || out != "applied 0 migration(s)\n" {
		t.Fatalf("second migrate: %q %v", out, err)
	}
	out, err = runCmd(t, env, "demo")
	if err != nil || !strings.Contains(out, "3 new account(s)") || !strings.Contains(out, "1 worksite(s)") {
		t.Fatalf("demo: %q %v", out, err)
	}
	out, err = runCmd(t, env, "audit", "verify")
	if err != nil || !strings.HasPrefix(out, "audit trail intact: ") {
		t.Fatalf("verify: %q %v", out, err)
	}

	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	// The demo people have no mailbox: the demo confirms their addresses, audited.
	var unconfirmed, marked int
	if err := db.QueryRow("SELECT COUNT(*) FROM accounts WHERE email_verified_at = 0").Scan(&unconfirmed); err != nil ||
		unconfirmed != 0 {
		t.Fatalf("%d demo people unconfirmed (%v)", unconfirmed, err)
	}
	if err := db.QueryRow("SELECT COUNT(*) FROM audit_log WHERE action = 'account.email_verified' AND actor_id = 'portal demo'").Scan(&marked); err != nil ||
		marked != 3 {
		t.Fatalf("%d confirmations audited (%v)", marked, err)
	}

	// Edit one row behind the portal's back: verification finds it.
	if _, err := db.Exec("UPDATE audit_log SET actor_id = 'someone-else' WHERE seq = 2"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	out, err = runCmd(t, env, "audit", "verify")
	if err == nil || !strings.Contains(err.Error(), "verification FAILED") ||
		!strings.Contains(out, "row 2: content does not match its hash (edited)") {
		t.Fatalf("tampered verify: %q %v", out, err)
	}
}

func TestRun_RefusesProductionWithoutIdentityProvider(t *testing.T) {
	t.Parallel()
	env := map[string]string{"PORTAL_DB": "sqlite:" + filepath.Join(t.TempDir(), "p.db")}
	_, err := runCmd(t, env, "demo")
	if err == nil || !strings.Contains(err.Error(), "no identity provider") {
		t.Fatalf("got %v", err)
	}
}

func TestRun_StaffAndWorksites(t *testing.T) {
	t.Parallel()
	env := map[string]string{"PORTAL_DB": "sqlite:" + filepath.Join(t.TempDir(), "p.db"), "PORTAL_DEV": "true"}
	// byAda runs a command that records who ran it, as Ada ADMIN.
	byAda := func(args ...string) (string, error) { return runCmd(t, env, append(args, "--by", "Ada ADMIN")...) }
	out, err := byAda("staff", "grant", "--email", "Kim.Officer@careconnect.example", "--role", "officer")
	if err != nil || out != "Kim.Officer@careconnect.example now holds: officer\n" {
		t.Fatalf("grant: %q %v", out, err)
	}
	if _, err := byAda("staff", "grant", "--email", "kim.officer@careconnect.example", "--role", "boss"); err == nil ||
		err.Error() != "Choose a role: officer, auditor or administrator." {
		t.Fatalf("bad role: %v", err)
	}
	// A role for an identity, whatever email its provider sends.
	out, err = byAda("staff", "grant", "--subject", "https://login.example/staff|8f14e45f", "--role", "auditor")
	if err != nil || out != "https://login.example/staff|8f14e45f now holds: auditor\n" {
		t.Fatalf("grant by subject: %q %v", out, err)
	}
	for _, args := range [][]string{
		{"staff", "grant", "--role", "auditor", "--by", "Ada ADMIN"},
		{"staff", "grant", "--email", "kim@careconnect.example", "--subject", "https://login.example/staff|x", "--role", "auditor", "--by", "Ada ADMIN"},
	} {
		if _, err := runCmd(t, env, args...); err == nil || !strings.HasPrefix(err.Error(), "usage: portal staff") {
			t.Fatalf("%v: %v", args, err)
		}
	}
	if _, err := byAda("staff", "grant", "--subject", "no-bar", "--role", "auditor"); err == nil ||
		err.Error() != "give the identity as --subject ISSUER|SUBJECT" {
		t.Fatalf("subject without issuer: %v", err)
	}
	out, err = runCmd(t, env, "staff", "list")
	if err != nil || !strings.Contains(out, "Kim.Officer@careconnect.example\tofficer\t") ||
		!strings.Contains(out, "https://login.example/staff|8f14e45f\tauditor\t") {
		t.Fatalf("list: %q %v", out, err)
	}
	out, err = byAda("staff", "revoke", "--subject", "https://login.example/staff|8f14e45f", "--role", "auditor")
	if err != nil || out != "https://login.example/staff|8f14e45f now holds: \n" {
		t.Fatalf("revoke by subject: %q %v", out, err)
	}
	if out, err := runCmd(t, env, "worksites", "pending"); err != nil || out != "no worksites are waiting\n" {
		t.Fatalf("pending: %q %v", out, err)
	}
	if _, err := runCmd(t, env, "worksites", "approve", "AAAAAAA", "--by", "Olivia"); err == nil ||
		err.Error() != "No worksite has the Worksite ID AAAAAAA." {
		t.Fatalf("approve unknown: %v", err)
	}
	if _, err := runCmd(t, env, "worksites", "approve", "AAAAAAA", "--by"); err == nil ||
		err.Error() != "--by needs a value" {
		t.Fatalf("missing value: %v", err)
	}
}

func TestRun_Tokens(t *testing.T) {
	t.Parallel()
	env := map[string]string{"PORTAL_DB": "sqlite:" + filepath.Join(t.TempDir(), "p.db"), "PORTAL_DEV": "true"}
	if _, err := runCmd(t, env, "tokens", "create", "--name", "viewer", "--scope", "scim:read", "--by", "Ada"); err == nil ||
		err.Error() != "give the token's lifetime with --expires, e.g. --expires 90d (at most 365d)" {
		t.Fatalf("without --expires: %v", err)
	}
	out, err := runCmd(
		t,
		env,
		"tokens",
		"create",
		"--name=viewer",
		"--scopes",
		"scim:read,events:read",
		"--expires",
		"90d",
		"--by",
		"Ada",
	)
	if err != nil || !strings.HasPrefix(out, "ccp_") || strings.Count(out, "\n") != 1 {
		t.Fatalf("create: %q %v; want the token alone on stdout", out, err)
	}
	out, err = runCmd(t, env, "tokens", "list")
	if err != nil || !strings.Contains(out, "viewer") || !strings.Contains(out, "scim:read,events:read") ||
		!strings.Contains(out, " active") {
		t.Fatalf("list: %q %v", out, err)
	}
	if out, err = runCmd(t, env, "tokens", "revoke", "--name", "viewer", "--by", "Ada"); err != nil ||
		!strings.HasPrefix(out, "token viewer revoked at ") {
		t.Fatalf("revoke: %q %v", out, err)
	}
	if out, _ = runCmd(t, env, "tokens", "list"); !strings.Contains(out, "revoked ") {
		t.Fatalf("list after revoke: %q", out)
	}
}

func TestCommandOptions(t *testing.T) {
	t.Parallel()
	opts, rest, err := commandOptions(
		[]string{"--by", "Ada", "-dev", "--reason=not a clinic", "-db", "sqlite:x.db"},
		"by",
		"reason",
	)
	if err != nil || opts["by"] != "Ada" || opts["reason"] != "not a clinic" ||
		strings.Join(rest, " ") != "-dev -db sqlite:x.db" {
		t.Fatalf("got %v %q %v", opts, rest, err)
	}
	if _, _, err := commandOptions([]string{"--by"}, "by"); err == nil || err.Error() != "--by needs a value" {
		t.Fatalf("missing value: %v", err)
	}
}

func TestRun_BadSettingsAreErrors(t *testing.T) {
	t.Parallel()
	base := map[string]string{"PORTAL_DB": "sqlite:" + filepath.Join(t.TempDir(), "p.db")}
	for name, tt := range map[string]struct{ key, value, want string }{
		"secret file": {"PORTAL_SMTP_PASSWORD_FILE", "/no/such/file", "PORTAL_SMTP_PASSWORD_FILE: open /no/such/file"},
		"bool":        {"PORTAL_DEV", "yes", `PORTAL_DEV="yes": want true or false`},
		"duration":    {"PORTAL_SESSION_IDLE", "30", `PORTAL_SESSION_IDLE="30": want a duration like 30m or 12h`},
		"dormancy":    {"PORTAL_DORMANCY_DAYS", "half a year", `-dormancy-days (PORTAL_DORMANCY_DAYS) "half a year": want a number of days`},
		"dormancy too short": {"PORTAL_DORMANCY_DAYS", "30",
			"-dormancy-days (PORTAL_DORMANCY_DAYS) 30: the dormancy limit must be at least 60 days, not 720h0m0s"},
	} {
		env := map[string]string{tt.key: tt.value}
		for k, v := range base {
			env[k] = v
		}
		if _, err := runCmd(t, env, "migrate"); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want %q", name, err, tt.want)
		}
	}
}

func TestRun_UnknownSubcommandsTouchNothing(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "p.db")
	env := map[string]string{"PORTAL_DB": "sqlite:" + path, "PORTAL_DEV": "true"}
	for _, args := range [][]string{{"staff", "frobnicate"}, {"worksites", "frobnicate"}} {
		if _, err := runCmd(t, env, args...); err == nil || err.Error() != `unknown `+args[0]+` command "frobnicate"` {
			t.Errorf("%v: %v", args, err)
		}
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("an unknown command created the database: %v", err)
	}
}

// TestRun_TokensNeedOnlyTheDatabase: an operator writing a token on a
// production host has the database settings but neither the sign-in nor
// the mail relay's.
func TestRun_TokensNeedOnlyTheDatabase(t *testing.T) {
	t.Parallel()
	env := map[string]string{"PORTAL_DB": "sqlite:" + filepath.Join(t.TempDir(), "p.db")}
	out, err := runCmd(
		t,
		env,
		"tokens",
		"create",
		"--name",
		"viewer",
		"--scope",
		"scim:read",
		"--expires",
		"30d",
		"--by",
		"Ada",
	)
	if err != nil || !strings.HasPrefix(out, "ccp_") {
		t.Fatalf("create without sign-in settings: %q %v", out, err)
	}
	if out, err := runCmd(t, env, "tokens", "list"); err != nil || !strings.Contains(out, "viewer") {
		t.Fatalf("list: %q %v", out, err)
	}
	if out, err := runCmd(t, env, "tokens", "revoke", "--name", "viewer", "--by", "Ada"); err != nil ||
		!strings.HasPrefix(out, "token viewer revoked at ") {
		t.Fatalf("revoke: %q %v", out, err)
	}
}

func TestReadDownstreams(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tok := filepath.Join(dir, "token")
	if err := os.WriteFile(tok, []byte("s3cret"), 0o600); err != nil {
		t.Fatal(err)
	}
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct{ name, body, want string }{
		{"ok.json", `{"downstreams": [{"name": "careconnect", "url": "https://scim.example/v2", "token_file": "` + tok + `", "attributes": ["userName", "active"]}]}`, ""},
		{"typo.json", `{"downstreams": [{"name": "cc", "url": "https://x", "tokenfile": "` + tok + `"}]}`, `unknown field "tokenfile"`},
		{"none.json", `{"downstreams": []}`, "it names no downstream"},
		{"bad.json", `downstreams: []`, "not a push configuration"},
		{"nofile.json", `{"downstreams": [{"name": "cc", "url": "https://x", "token_file": "` + filepath.Join(dir, "missing") + `"}]}`, "no such file"},
	} {
		ds, err := readDownstreams(write(tc.name, tc.body))
		if tc.want == "" {
			if err != nil || len(ds) != 1 || ds[0].Name != "careconnect" || len(ds[0].Attributes) != 2 {
				t.Errorf("%s: %+v %v", tc.name, ds, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if _, err := readDownstreams(filepath.Join(dir, "absent.json")); err == nil {
		t.Error("a missing configuration file was accepted")
	}
}

func TestParseConfig_LicenceRegistries(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "cpbc.csv")
	if err := os.WriteFile(csvPath, []byte("number,family_name,given_names,status,class,conditions,expires\n"+
		"P-1,Singh,Priya,active,Full,,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "registries.json")
	write := func(body string) {
		if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := func(k string) string {
		return map[string]string{"PORTAL_DEV": "true", "PORTAL_LICENCE_REGISTRY_FILE": file, "PORTAL_LICENCE_CHECK_EVERY": "12h"}[k]
	}
	write(`{"registries":[{"college":"cpbc","csv":"cpbc.csv"},
		{"college":"cpsbc","fhir":{"url":"https://registry.example/fhir","system":"https://fhir.cpsbc.ca/cpsid"}}]}`)
	cfg, _, err := parseConfig("serve", nil, io.Discard, env)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Licences) != 2 || cfg.Licences[portal.CollegeCPBC] == nil || cfg.Licences[portal.CollegeCPSBC] == nil ||
		cfg.LicenceCheckEvery != 12*time.Hour {
		t.Fatalf("licences %v, every %s", cfg.Licences, cfg.LicenceCheckEvery)
	}
	write(`{"registries":[{"college":"cpbc","csv":"missing.csv"}]}`)
	_, _, err = parseConfig("serve", nil, io.Discard, env)
	want := "PORTAL_LICENCE_REGISTRY_FILE " + file + ": registry 1 (cpbc): " + filepath.Join(dir, "missing.csv")
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v, want %q", err, want)
	}
	// Without the setting no licence is checked.
	cfg, _, err = parseConfig(
		"serve",
		nil,
		io.Discard,
		func(k string) string { return map[string]string{"PORTAL_DEV": "true"}[k] },
	)
	if err != nil || cfg.Licences != nil || cfg.LicenceCheckEvery != 24*time.Hour {
		t.Fatalf("default: %v %v %s", err, cfg.Licences, cfg.LicenceCheckEvery)
	}
}

func TestParseConfig_DormancyDays(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		env  string
		want time.Duration
	}{{"", 180 * 24 * time.Hour}, {"90", 90 * 24 * time.Hour}} {
		cfg, _, err := parseConfig("serve", nil, io.Discard, func(k string) string {
			if k == "PORTAL_DORMANCY_DAYS" {
				return tt.env
			}
			return ""
		})
		if err != nil || cfg.DormancyLimit != tt.want {
			t.Errorf("PORTAL_DORMANCY_DAYS=%q: %v %v, want %v", tt.env, cfg.DormancyLimit, err, tt.want)
		}
	}
}

// /metrics listens on loopback port 9090 by default in production, on the
// main listener in development mode, nowhere with "off"; its token may come
// from a file.
func TestParseConfig_Metrics(t *testing.T) {
	t.Parallel()
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("from-a-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		args      []string
		env       map[string]string
		addr, tok string
	}{
		{"production default", nil, nil, "127.0.0.1:9090", ""},
		{"development default", []string{"-dev"}, nil, "", ""},
		{"set", []string{"-metrics-addr", "10.0.0.5:9100"}, nil, "10.0.0.5:9100", ""},
		{"off", nil, map[string]string{"PORTAL_METRICS_ADDR": "off"}, "", ""},
		{"development, set", []string{"-dev", "-metrics-addr", "127.0.0.1:9191"}, nil, "127.0.0.1:9191", ""},
		{"token", nil, map[string]string{"PORTAL_METRICS_TOKEN": "t0ken"}, "127.0.0.1:9090", "t0ken"},
		{"token file", nil, map[string]string{"PORTAL_METRICS_TOKEN_FILE": tokenFile}, "127.0.0.1:9090", "from-a-file"},
	} {
		cfg, _, err := parseConfig("serve", tc.args, io.Discard, func(k string) string { return tc.env[k] })
		if err != nil || cfg.MetricsAddr != tc.addr || cfg.MetricsToken != tc.tok {
			t.Errorf(
				"%s: addr %q token %q, %v; want %q %q",
				tc.name,
				cfg.MetricsAddr,
				cfg.MetricsToken,
				err,
				tc.addr,
				tc.tok,
			)
		}
	}
}

// -trust-proxy believed any X-Forwarded-For: it is refused with a message
// naming its replacement, which takes networks.
func TestParseConfig_TrustedProxies(t *testing.T) {
	t.Parallel()
	getenv := func(env map[string]string) func(string) string { return func(k string) string { return env[k] } }
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"flag", []string{"-trust-proxy"}, nil},
		{"variable", nil, map[string]string{"PORTAL_TRUST_PROXY": "true"}},
	} {
		_, _, err := parseConfig("serve", tc.args, io.Discard, getenv(tc.env))
		if err == nil || !strings.Contains(err.Error(), "-trust-proxy (PORTAL_TRUST_PROXY) is gone") ||
			!strings.Contains(err.Error(), "-trusted-proxies 10.0.0.0/8") {
			t.Errorf("%s: %v", tc.name, err)
		}
	}

	cfg, _, err := parseConfig("serve", []string{"-trusted-proxies", "10.0.0.0/8, 192.0.2.7"}, io.Discard, getenv(nil))
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32")}
	if err != nil || !slices.Equal(cfg.TrustedProxies, want) {
		t.Fatalf("got %v, %v", cfg.TrustedProxies, err)
	}
	cfg, _, err = parseConfig(
		"serve",
		nil,
		io.Discard,
		getenv(map[string]string{"PORTAL_TRUSTED_PROXIES": "2001:db8::/32"}),
	)
	if err != nil || !slices.Equal(cfg.TrustedProxies, []netip.Prefix{netip.MustParsePrefix("2001:db8::/32")}) {
		t.Fatalf("from the variable: %v, %v", cfg.TrustedProxies, err)
	}
	if _, _, err := parseConfig("serve", []string{"-trusted-proxies", "lb.example"}, io.Discard, getenv(nil)); err == nil ||
		!strings.Contains(err.Error(), `"lb.example" is not an address or a network`) {
		t.Fatalf("a host name: %v", err)
	}
}

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
