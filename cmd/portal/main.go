// Command portal runs the my.CareConnect enrolment portal.
//
//	portal [serve]            run the web server (the default)
//	portal migrate            apply database migrations
//	portal demo               load demonstration people
//	portal audit ...          verify the audit trail, sign a checkpoint, make keys
//	portal check              check the access policy's invariants against the database
//	portal addresses ...      import or generate the address index
//	portal worksites ...      list, approve or decline new worksites
//	portal staff ...          grant or revoke the CareConnect team's roles
//	portal tokens ...         create, list or revoke provisioning API tokens
//	portal prerequisites ...  record a completion of the external training
//	portal version            print the version
//
// Every flag defaults from a PORTAL_* environment variable; secrets can
// also be read from files named by PORTAL_*_FILE.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/identity"
	"github.com/bcgov-example/careconnect-portal/internal/licence"

	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/web"
	"github.com/bcgov-example/careconnect-portal/internal/wire"

	"github.com/prometheus/client_golang/prometheus"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "portal:", err)
		code := 1
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
		os.Exit(code)
	}
}

// commands are the commands other than serve, migrate and demo, each run
// with the arguments that follow its name.
var commands = map[string]func(ctx context.Context, args []string, stdout, stderr io.Writer,
	getenv func(string) string) error{
	"worksites":     runWorksites,
	"staff":         runStaff,
	"tokens":        runTokens,
	"prerequisites": runPrerequisites,
	"addresses":     runAddresses,
	"check":         runCheck,
	"audit":         runAudit,
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	if sub, ok := commands[cmd]; ok {
		return sub(ctx, args, stdout, stderr, getenv)
	}
	switch cmd {
	case "version":
		fmt.Fprintln(stdout, "portal", version)
		return nil
	case "serve", "migrate", "demo":
	case "help", "-h", "--help":
		fmt.Fprintln(
			stdout,
			"usage: portal [serve|migrate|demo|audit verify|audit checkpoint|audit keygen|check|addresses|worksites|staff|tokens|prerequisites|version] [flags]; portal serve -h lists the flags",
		)
		return nil
	default:
		return fmt.Errorf(
			"unknown command %q (serve, migrate, demo, audit, check, addresses, worksites, staff, tokens, prerequisites, version)",
			cmd,
		)
	}
	cfg, logFormat, err := parseConfig(cmd, args, stderr, getenv)
	if err != nil {
		return err
	}
	logger := newLogger(stderr, logFormat, cfg.Dev)

	switch cmd {
	case "migrate":
		db, err := store.Open(ctx, cfg.DB)
		if err != nil {
			return err
		}
		defer db.Close()
		n, err := db.Migrate(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "applied %d migration(s)\n", n)
		return nil
	case "demo":
		p, err := wire.Build(ctx, cfg, logger)
		if err != nil {
			return err
		}
		defer p.Close()
		sum, err := wire.LoadDemo(ctx, p)
		if err != nil {
			return err
		}
		fmt.Fprintf(
			stdout,
			"demo data loaded: %d new account(s), %d address(es), %d worksite(s); sign in as Sam JONES, Jane MOA or Priya SINGH with development sign-in\n",
			sum.Accounts,
			sum.Addresses,
			sum.Worksites,
		)
		return nil
	}

	gogc := wire.SetCollector(getenv)
	p, err := wire.Build(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer p.Close()
	l, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	logger.Info("portal listening", "addr", l.Addr().String(), "base_url", cfg.BaseURL,
		"database", string(p.DB.Dialect()),
		"development_mode", cfg.Dev, "version", version, "gogc", gogc)
	if cfg.Dev {
		logger.Warn(
			"development mode: development sign-in and the development mailbox are on; never use this in production",
		)
	}
	return p.Serve(ctx, l)
}

// envValue parses the variable PORTAL_name: def when it is unset or, with
// an error added to bad saying what it should be (want), when it does not
// parse.
func envValue[T any](getenv func(string) string, bad *[]error, name string, def T,
	parse func(string) (T, error), want string) T {
	v := getenv("PORTAL_" + name)
	if v == "" {
		return def
	}
	x, err := parse(v)
	if err != nil {
		*bad = append(*bad, fmt.Errorf("PORTAL_%s=%q: want %s", name, v, want))
		return def
	}
	return x
}

// parseConfig reads flags, each defaulting from its PORTAL_* variable.
func parseConfig(cmd string, args []string, stderr io.Writer, getenv func(string) string) (wire.Config, string, error) {
	fs := flag.NewFlagSet("portal "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := func(name, def string) string {
		if v := getenv("PORTAL_" + name); v != "" {
			return v
		}
		return def
	}
	// A setting that cannot be read is an error now, not an empty value
	// that fails much later as a refused sign-in or a silent default.
	var bad []error
	secret := func(name string) string {
		if v := getenv("PORTAL_" + name); v != "" {
			return v
		}
		if f := getenv("PORTAL_" + name + "_FILE"); f != "" {
			b, err := os.ReadFile(f)
			if err != nil {
				bad = append(bad, fmt.Errorf("PORTAL_%s_FILE: %w", name, err))
			}
			return strings.TrimSpace(string(b))
		}
		return ""
	}
	envBool := func(name string) bool {
		return envValue(getenv, &bad, name, false, strconv.ParseBool, "true or false")
	}
	envDur := func(name string, def time.Duration) time.Duration {
		return envValue(getenv, &bad, name, def, time.ParseDuration, "a duration like 30m or 12h")
	}
	var cfg wire.Config
	var scopes, smtpPort string
	claims := identity.DefaultClaimNames()
	fs.StringVar(&cfg.Addr, "addr", env("ADDR", "127.0.0.1:8080"), "listen address (PORTAL_ADDR)")
	fs.StringVar(&cfg.BaseURL, "base-url", env("BASE_URL", ""),
		"public URL of the portal (PORTAL_BASE_URL); default http://ADDR")
	fs.StringVar(&cfg.DB, "db", env("DB", "sqlite:data/portal.db"),
		"database: sqlite:PATH or postgres://... (PORTAL_DB)")
	fs.BoolVar(&cfg.Dev, "dev", envBool("DEV"), "development mode: development sign-in and mailbox (PORTAL_DEV)")
	fs.StringVar(&cfg.SupportEmail, "support-email", env("SUPPORT_EMAIL", "careconnect-support@example.invalid"),
		"address people contact for help (PORTAL_SUPPORT_EMAIL)")
	fs.StringVar(&cfg.MailFrom, "mail-from", env("MAIL_FROM", "my.CareConnect <no-reply@mycareconnect.invalid>"),
		"sender of emails (PORTAL_MAIL_FROM)")
	trustProxy := fs.Bool("trust-proxy", false, "replaced by -trusted-proxies; refused")
	trustedProxies := fs.String(
		"trusted-proxies",
		env("TRUSTED_PROXIES", ""),
		"comma-separated networks of the load balancers, e.g. 10.0.0.0/8; X-Forwarded-For is read only from them (PORTAL_TRUSTED_PROXIES)",
	)
	metricsAddr := fs.String(
		"metrics-addr",
		env("METRICS_ADDR", ""),
		"listen address of /metrics, off for none (PORTAL_METRICS_ADDR); default 127.0.0.1:9090, or off in development mode",
	)
	fs.StringVar(&cfg.TemplateDir, "templates", env("TEMPLATES", ""),
		"read page templates from this folder, for template work (PORTAL_TEMPLATES)")
	fs.StringVar(&cfg.OIDC.Issuer, "oidc-issuer", env("OIDC_ISSUER", ""),
		"OpenID Connect issuer URL of the BC Services Card (PORTAL_OIDC_ISSUER)")
	fs.StringVar(&cfg.OIDC.ClientID, "oidc-client-id", env("OIDC_CLIENT_ID", ""),
		"OIDC client id (PORTAL_OIDC_CLIENT_ID)")
	fs.StringVar(&scopes, "oidc-scopes", env("OIDC_SCOPES", "openid profile email"),
		"space-separated scopes (PORTAL_OIDC_SCOPES)")
	fs.StringVar(&claims.Subject, "oidc-claim-subject", env("OIDC_CLAIM_SUBJECT", claims.Subject),
		"claim holding the subject")
	fs.StringVar(&claims.GivenNames, "oidc-claim-given-names", env("OIDC_CLAIM_GIVEN_NAMES", claims.GivenNames),
		"claim holding the given names")
	fs.StringVar(&claims.Surname, "oidc-claim-surname", env("OIDC_CLAIM_SURNAME", claims.Surname),
		"claim holding the surname")
	fs.StringVar(&claims.BirthDate, "oidc-claim-birthdate", env("OIDC_CLAIM_BIRTHDATE", claims.BirthDate),
		"claim holding the birth date")
	fs.StringVar(&claims.Email, "oidc-claim-email", env("OIDC_CLAIM_EMAIL", claims.Email), "claim holding the email")
	fs.StringVar(&cfg.StaffOIDC.Issuer, "staff-oidc-issuer", env("STAFF_OIDC_ISSUER", ""),
		"OIDC issuer for the CareConnect team's sign-in (PORTAL_STAFF_OIDC_ISSUER)")
	fs.StringVar(&cfg.StaffOIDC.ClientID, "staff-oidc-client-id", env("STAFF_OIDC_CLIENT_ID", ""),
		"OIDC client id for staff sign-in (PORTAL_STAFF_OIDC_CLIENT_ID)")
	fs.StringVar(
		&cfg.AddressCompleteURL,
		"addresscomplete-url",
		env("ADDRESSCOMPLETE_URL", ""),
		"Canada Post AddressComplete base URL (PORTAL_ADDRESSCOMPLETE_URL); its key in PORTAL_ADDRESSCOMPLETE_KEY or _FILE",
	)
	fs.StringVar(&cfg.SMTP.Host, "smtp-host", env("SMTP_HOST", ""), "SMTP server (PORTAL_SMTP_HOST)")
	fs.StringVar(&smtpPort, "smtp-port", env("SMTP_PORT", ""), "SMTP port (PORTAL_SMTP_PORT)")
	fs.StringVar(&cfg.SMTP.Username, "smtp-username", env("SMTP_USERNAME", ""), "SMTP user (PORTAL_SMTP_USERNAME)")
	fs.StringVar(&cfg.SMTP.TLS, "smtp-tls", env("SMTP_TLS", "starttls"), "starttls, tls or none (PORTAL_SMTP_TLS)")
	fs.DurationVar(&cfg.SessionIdle, "session-idle", envDur("SESSION_IDLE", 30*time.Minute),
		"idle session timeout (PORTAL_SESSION_IDLE)")
	fs.DurationVar(&cfg.SessionAbsolute, "session-max", envDur("SESSION_MAX", 12*time.Hour),
		"absolute session lifetime (PORTAL_SESSION_MAX)")
	dbFlags := databaseFlags(fs, cmd, env, envDur)
	fs.DurationVar(&cfg.PolicyCheckEvery, "policy-check-every", envDur("POLICY_CHECK_EVERY", 15*time.Minute),
		"how often the server checks the access policy's invariants for /metrics (PORTAL_POLICY_CHECK_EVERY)")
	dormancyDays := fs.String(
		"dormancy-days",
		env("DORMANCY_DAYS", strconv.Itoa(int(portal.DefaultDormancyLimit/(24*time.Hour)))),
		"days without a portal sign-in or annual review confirmation after which CareConnect access is suspended as dormant (PORTAL_DORMANCY_DAYS)",
	)
	pushFile := fs.String(
		"scim-push-file",
		env("SCIM_PUSH_FILE", ""),
		"JSON file naming the downstream SCIM services to provision (push mode); see docs/provisioning-api.md (PORTAL_SCIM_PUSH_FILE)",
	)
	licenceFile := fs.String(
		"licence-registry-file",
		env("LICENCE_REGISTRY_FILE", ""),
		"JSON file naming each college's licence registry (FHIR or CSV); see the README's \"Licence registries\" (PORTAL_LICENCE_REGISTRY_FILE)",
	)
	fs.DurationVar(&cfg.LicenceCheckEvery, "licence-check-every", envDur("LICENCE_CHECK_EVERY", 24*time.Hour),
		"how often everyone provisioned has their licence checked again (PORTAL_LICENCE_CHECK_EVERY)")
	logFormat := fs.String("log-format", env("LOG_FORMAT", ""),
		"text or json (PORTAL_LOG_FORMAT); default json outside development mode")
	readAuditKeys := auditFlags(fs, &cfg, env, envDur)
	err := fs.Parse(args)
	if err != nil {
		return cfg, "", err
	}
	if fs.NArg() > 0 {
		return cfg, "", fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	cfg.OIDC.ClientSecret = secret("OIDC_CLIENT_SECRET")
	cfg.StaffOIDC.ClientSecret = secret("STAFF_OIDC_CLIENT_SECRET")
	cfg.StaffOIDC.Scopes = []string{"openid", "profile", "email"}
	cfg.SMTP.Password = secret("SMTP_PASSWORD")
	cfg.AddressCompleteKey = secret("ADDRESSCOMPLETE_KEY")
	bad = append(bad, readAuditKeys())
	cfg.MetricsToken = secret("METRICS_TOKEN")
	if *pushFile != "" && cmd == "serve" {
		ds, err := readDownstreams(*pushFile)
		if err != nil {
			bad = append(bad, fmt.Errorf("PORTAL_SCIM_PUSH_FILE %s: %w", *pushFile, err))
		}
		cfg.Downstreams = ds
	}
	if *licenceFile != "" && cmd == "serve" {
		rs, err := licence.ReadConfig(*licenceFile)
		if err != nil {
			bad = append(bad, fmt.Errorf("PORTAL_LICENCE_REGISTRY_FILE %s: %w", *licenceFile, err))
		}
		cfg.Licences = rs
	}
	if *trustProxy || getenv("PORTAL_TRUST_PROXY") != "" {
		bad = append(bad, errors.New("-trust-proxy (PORTAL_TRUST_PROXY) is gone: it believed any X-Forwarded-For; "+
			"list the load balancers' networks with -trusted-proxies 10.0.0.0/8,... (PORTAL_TRUSTED_PROXIES) instead"))
	}
	if cfg.TrustedProxies, err = web.ParseTrustedProxies(*trustedProxies); err != nil {
		bad = append(bad, err)
	}
	cfg.MetricsAddr = metricsListenAddr(*metricsAddr, cfg.Dev)
	if n, err := strconv.Atoi(*dormancyDays); err != nil {
		bad = append(bad, fmt.Errorf("-dormancy-days (PORTAL_DORMANCY_DAYS) %q: want a number of days", *dormancyDays))
	} else if cfg.DormancyLimit = time.Duration(n) * 24 * time.Hour; portal.ValidateDormancyLimit(cfg.DormancyLimit) != nil {
		bad = append(bad,
			fmt.Errorf("-dormancy-days (PORTAL_DORMANCY_DAYS) %d: %w", n,
				portal.ValidateDormancyLimit(cfg.DormancyLimit)))
	}
	if err := errors.Join(bad...); err != nil {
		return cfg, "", err
	}
	cfg.OIDC.Scopes = strings.Fields(scopes)
	cfg.OIDC.Claims = claims
	cfg.SMTP.From = cfg.MailFrom
	if smtpPort != "" {
		p, err := strconv.Atoi(smtpPort)
		if err != nil {
			return cfg, "", fmt.Errorf("bad -smtp-port %q", smtpPort)
		}
		cfg.SMTP.Port = p
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://" + cfg.Addr
	}
	if cfg.DBOptions, err = dbFlags(); err != nil {
		return cfg, "", err
	}
	if cmd != "serve" {
		// Only the server exposes metrics; one-off commands keep their own.
		cfg.Registerer = prometheus.NewRegistry()
	}
	return cfg, *logFormat, nil
}

// metricsListenAddr is where /metrics listens: what was set, "" for
// "off", and by default loopback port 9090 outside development mode (where
// /metrics is on the main listener instead).
func metricsListenAddr(set string, dev bool) string {
	switch {
	case set == "off":
		return ""
	case set != "":
		return set
	case dev:
		return ""
	}
	return "127.0.0.1:9090"
}

func newLogger(w io.Writer, format string, dev bool) *slog.Logger {
	if format == "" {
		format = "json"
		if dev {
			format = "text"
		}
	}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// databaseFlags declares the PostgreSQL pool and timeout settings and
// returns a function giving them once parsed. The server bounds each
// statement; the one-off commands (an address import, a migration, an audit
// verification) may run long statements and by default do not.
func databaseFlags(fs *flag.FlagSet, cmd string, env func(name, def string) string,
	envDur func(string, time.Duration) time.Duration) func() (store.Options, error) {
	stmtDefault := store.DefaultStatementTimeout
	if cmd != "serve" {
		stmtDefault = 0
	}
	maxConns := fs.String("db-max-conns", env("DB_MAX_CONNS", strconv.Itoa(store.DefaultMaxConns)),
		"PostgreSQL: most connections this instance opens (PORTAL_DB_MAX_CONNS)")
	maxIdle := fs.String("db-max-idle-conns", env("DB_MAX_IDLE_CONNS", strconv.Itoa(store.DefaultMaxIdleConns)),
		"PostgreSQL: connections kept open while idle (PORTAL_DB_MAX_IDLE_CONNS)")
	connect := fs.Duration("db-connect-timeout", envDur("DB_CONNECT_TIMEOUT", store.DefaultConnectTimeout),
		"PostgreSQL: how long opening a connection may take (PORTAL_DB_CONNECT_TIMEOUT)")
	stmt := fs.Duration(
		"db-statement-timeout",
		envDur("DB_STATEMENT_TIMEOUT", stmtDefault),
		"PostgreSQL: statement_timeout of each connection, 0 for none (PORTAL_DB_STATEMENT_TIMEOUT); default 30s for serve, none for other commands",
	)
	idleTx := fs.Duration("db-idle-in-transaction-timeout",
		envDur("DB_IDLE_IN_TRANSACTION_TIMEOUT", store.DefaultIdleInTxTimeout),
		"PostgreSQL: idle_in_transaction_session_timeout, 0 for none (PORTAL_DB_IDLE_IN_TRANSACTION_TIMEOUT)")
	return func() (store.Options, error) {
		var o store.Options
		for _, n := range []struct {
			flag, val string
			to        *int
		}{{"db-max-conns", *maxConns, &o.MaxConns}, {"db-max-idle-conns", *maxIdle, &o.MaxIdleConns}} {
			v, err := strconv.Atoi(n.val)
			if err != nil || v < 1 {
				return o, fmt.Errorf("bad -%s %q: want a number of connections, 1 or more", n.flag, n.val)
			}
			*n.to = v
		}
		none := func(d time.Duration) time.Duration {
			if d <= 0 {
				return -1 // store.Options: negative is none
			}
			return d
		}
		o.ConnectTimeout, o.StatementTimeout, o.IdleInTxTimeout = *connect, none(*stmt), none(*idleTx)
		return o, nil
	}
}

// readDownstreams reads push mode's configuration:
//
//	{"downstreams": [{"name": "careconnect", "url": "https://scim.example/scim/v2",
//	  "token_file": "/run/secrets/careconnect-scim", "attributes": ["userName", "name", "emails", "active"],
//	  "extension": false}]}
func readDownstreams(path string) ([]app.Downstream, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f struct {
		Downstreams []app.Downstream `json:"downstreams"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("not a push configuration: %w", err)
	}
	if len(f.Downstreams) == 0 {
		return nil, errors.New("it names no downstream")
	}
	return app.ParseDownstreams(f.Downstreams)
}
