// Package wire builds a whole portal from its configuration: database,
// identity, email, use cases, web server and background jobs. The command
// and the end-to-end tests both start the portal through it.
package wire

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/address"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/identity"
	"github.com/bcgov-example/careconnect-portal/internal/mail"
	"github.com/bcgov-example/careconnect-portal/internal/passwd"
	"github.com/bcgov-example/careconnect-portal/internal/secret"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/web"

	"github.com/prometheus/client_golang/prometheus"
)

// Config is the portal's whole configuration.
type Config struct {
	Addr         string
	BaseURL      string
	DB           string
	Dev          bool
	SupportEmail string
	MailFrom     string
	TemplateDir  string

	// DBOptions size the PostgreSQL pool and bound its connects, statements
	// and idle transactions (zero fields: the store's defaults).
	DBOptions store.Options

	// AddressCompleteKey turns on Canada Post AddressComplete for the address
	// type-ahead; the local index stays the default.
	AddressCompleteKey string
	AddressCompleteURL string
	OIDC               identity.Config
	StaffOIDC          identity.Config // the CareConnect team's sign-in; may share the issuer with a different client
	SMTP               mail.SMTPConfig // Host empty: no SMTP (development mailbox only)

	SessionIdle     time.Duration
	SessionAbsolute time.Duration

	// AuditKey keys every audit row written (nil: rows are unkeyed). It
	// comes from a file, never from the database.
	AuditKey *portal.AuditKey
	// AuditSigningKey signs checkpoints of the audit trail's head, written
	// every AuditCheckpointEvery (default an hour) to the log and appended
	// to AuditCheckpointFile when set; nil: no checkpoints.
	AuditSigningKey      ed25519.PrivateKey
	AuditCheckpointFile  string
	AuditCheckpointEvery time.Duration

	// TrustedProxies are the load balancers' networks; X-Forwarded-For is
	// read only from them.
	TrustedProxies []netip.Prefix
	// MetricsAddr is the metrics listener's address ("" for none).
	MetricsAddr string
	// MetricsToken also serves /metrics on the main listener, to bearers.
	MetricsToken string

	// PolicyCheckEvery is how often the policy check job checks the
	// invariants for the metrics; 0 means every 15 minutes.
	PolicyCheckEvery time.Duration
	// Downstreams are the SCIM services push mode provisions, checked by
	// app.ParseDownstreams; none leaves push mode off.
	Downstreams []app.Downstream
	// PushEvery is how often push mode looks for changes; 0 means every 5 seconds.
	PushEvery time.Duration
	// Licences are the colleges' licence registries (licence.ReadConfig);
	// none: every licence is "not checked". LicenceCheckEvery is how often
	// everyone provisioned is checked again; 0 means daily.
	Licences          portal.LicenceRegistries
	LicenceCheckEvery time.Duration
	// DormancyLimit is how long CareConnect access stays without a sign-in
	// or an annual review confirmation before it is suspended as dormant;
	// 0 means portal.DefaultDormancyLimit.
	DormancyLimit time.Duration
	// Registerer receives the metrics; nil uses the default registry.
	Registerer prometheus.Registerer
	// Now replaces the clock (tests).
	Now func() time.Time
	// Hasher replaces the password hasher (tests: passwd.NewTestHasher);
	// nil: full strength, one hash a CPU at once.
	Hasher *passwd.Hasher
}

// DevPeople are the test people the development sign-in offers.
var DevPeople = []identity.DevPerson{
	{Key: "dev-dalia-eighteen", GivenNames: "Dalia", Surname: "EIGHTEEN", BirthDate: "1980-04-18",
		Email: "dalia.eighteen@example.ca"},
	{Key: "dev-gregory-nineteen", GivenNames: "Gregory", Surname: "NINETEEN", BirthDate: "1975-09-19",
		Email: "gregory.nineteen@example.ca"},
	{Key: "dev-sam-jones", GivenNames: "Sam", Surname: "JONES", BirthDate: "1969-01-30", Email: "sam.jones@example.ca"},
	{Key: "dev-jane-moa", GivenNames: "Jane", Surname: "MOA", BirthDate: "1990-06-02", Email: "jane.moa@example.ca"},
	{Key: "dev-priya-pharmacist", GivenNames: "Priya", Surname: "SINGH", BirthDate: "1985-11-11",
		Email: "priya.singh@example.ca"},
}

// DevStaff are the CareConnect team members the development staff sign-in
// offers; in development mode they hold the role named by their key.
var DevStaff = []identity.DevPerson{
	{Key: "dev-staff-officer", GivenNames: "Olivia", Surname: "OFFICER", BirthDate: "1982-02-02",
		Email: "olivia.officer@careconnect.example"},
	{Key: "dev-staff-auditor", GivenNames: "Aaron", Surname: "AUDITOR", BirthDate: "1978-03-03",
		Email: "aaron.auditor@careconnect.example"},
	{Key: "dev-staff-administrator", GivenNames: "Ada", Surname: "ADMIN", BirthDate: "1975-05-05",
		Email: "ada.admin@careconnect.example"},
}

// Portal is a built portal, ready to run.
type Portal struct {
	Config Config
	DB     *store.DB
	App    *app.App
	Server *web.Server
	Mailer mail.Mailer
	Logger *slog.Logger
}

// Build opens and migrates the database and wires every part.
func Build(ctx context.Context, cfg Config, logger *slog.Logger) (*Portal, error) {
	p, err := Open(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	cfg, db, a, logger := p.Config, p.DB, p.App, p.Logger
	if err := checkAuditKey(ctx, db, cfg.AuditKey, logger); err != nil {
		db.Close()
		return nil, err
	}

	var dev *identity.DevProvider
	if cfg.Dev && cfg.OIDC.Issuer == "" {
		secret := secret.Hex(16)
		cfg.OIDC = identity.Config{Issuer: cfg.BaseURL + "/dev/oidc", ClientID: "portal-dev", ClientSecret: secret,
			Claims: cfg.OIDC.Claims}
		dev, err = identity.NewDevProvider(identity.DevProviderConfig{
			Issuer: cfg.OIDC.Issuer, Enabled: true, People: DevPeople, Now: a.Now,
			Clients: []identity.DevClient{{ID: "portal-dev", Secret: secret,
				RedirectURIs: []string{cfg.BaseURL + "/auth/callback"}}},
			Stylesheet: web.StylesheetURL(),
		})
		if err != nil {
			db.Close()
			return nil, err
		}
	}
	if cfg.OIDC.Issuer == "" {
		db.Close()
		return nil, errors.New(
			"no identity provider: set -oidc-issuer (with client id and secret), or use -dev for development sign-in",
		)
	}
	if cfg.OIDC.RedirectURL == "" {
		cfg.OIDC.RedirectURL = cfg.BaseURL + "/auth/callback"
	}
	var devStaff *identity.DevProvider
	if cfg.Dev && cfg.StaffOIDC.Issuer == "" {
		secret := secret.Hex(16)
		cfg.StaffOIDC = identity.Config{Issuer: cfg.BaseURL + "/dev/staff-oidc",
			ClientID: "portal-staff-dev", ClientSecret: secret}
		devStaff, err = identity.NewDevProvider(identity.DevProviderConfig{
			Issuer: cfg.StaffOIDC.Issuer, Enabled: true, People: DevStaff, Now: a.Now,
			Clients: []identity.DevClient{{ID: "portal-staff-dev", Secret: secret,
				RedirectURIs: []string{cfg.BaseURL + "/staff/auth/callback"}}},
			Stylesheet: web.StylesheetURL(),
		})
		if err != nil {
			db.Close()
			return nil, err
		}
		if err := grantDevStaff(ctx, a); err != nil {
			db.Close()
			return nil, err
		}
	}
	if cfg.StaffOIDC.Issuer == "" {
		db.Close()
		return nil, errors.New(
			"no identity provider for the CareConnect team: set -staff-oidc-issuer (with client id and secret), or use -dev",
		)
	}
	if cfg.StaffOIDC.RedirectURL == "" {
		cfg.StaffOIDC.RedirectURL = cfg.BaseURL + "/staff/auth/callback"
	}

	var mailer mail.Mailer = mail.DevMailer{}
	if cfg.SMTP.Host != "" {
		if cfg.SMTP.From == "" {
			cfg.SMTP.From = cfg.MailFrom
		}
		m, err := mail.NewSMTPMailer(cfg.SMTP)
		if err != nil {
			db.Close()
			return nil, err
		}
		mailer = m
	} else if !cfg.Dev {
		db.Close()
		return nil, errors.New("no SMTP server configured: set -smtp-host, or use -dev for the development mailbox")
	}

	reg := cfg.Registerer
	if reg == nil {
		reg = prometheus.DefaultRegisterer
	}
	srv, err := web.New(web.Config{BaseURL: cfg.BaseURL, DevMode: cfg.Dev, SupportEmail: a.Config.SupportEmail,
		SessionIdle: cfg.SessionIdle, SessionAbsolute: cfg.SessionAbsolute, TrustedProxies: cfg.TrustedProxies,
		MetricsToken: cfg.MetricsToken, TemplateDir: cfg.TemplateDir, OIDC: cfg.OIDC, StaffOIDC: cfg.StaffOIDC},
		a, dev, devStaff, reg, logger)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &Portal{Config: cfg, DB: db, App: a, Server: srv, Mailer: mailer, Logger: logger}, nil
}

// Open opens and migrates the database and builds the use cases on it,
// without sign-in, email or the web server: enough for the operator
// commands that only read and write the database (tokens). Build does the
// rest.
func Open(ctx context.Context, cfg Config, logger *slog.Logger) (*Portal, error) {
	if logger == nil {
		logger = slog.Default()
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.BaseURL == "" {
		return nil, errors.New("a public base URL is required (-base-url)")
	}
	if cfg.Dev {
		if err := checkDevelopment(cfg); err != nil {
			return nil, err
		}
	}
	db, err := store.OpenWith(ctx, cfg.DB, cfg.DBOptions)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	db.SetAuditKey(cfg.AuditKey)
	tmpl, err := mail.LoadTemplates()
	if err != nil {
		db.Close()
		return nil, err
	}
	hasher := cfg.Hasher
	if hasher == nil {
		hasher = passwd.NewHasher(0)
	}
	a := app.New(db, hasher, tmpl, app.Config{BaseURL: cfg.BaseURL, SupportEmail: cfg.SupportEmail,
		MailDomain: mailDomain(cfg)}, logger)
	if cfg.Now != nil {
		a.Now = cfg.Now
	}
	a.Addresses = addressProvider(cfg)
	a.Downstreams = cfg.Downstreams
	a.Licences = cfg.Licences
	a.DormancyLimit = cfg.DormancyLimit
	return &Portal{Config: cfg, DB: db, App: a, Logger: logger}, nil
}

// checkAuditKey refuses to serve a keyed audit trail without its key,
// which would stop every change at its audit row, and notes a new key.
func checkAuditKey(ctx context.Context, db *store.DB, key *portal.AuditKey, logger *slog.Logger) error {
	head, err := db.Read().FindAuditHead(ctx)
	if err != nil {
		if store.IsNotFound(err) {
			return errors.New(
				"the audit trail's head (the one row of audit_head) is missing: nothing can be audited; run portal audit verify",
			)
		}
		return err
	}
	switch {
	case head.KeyID != "" && key == nil:
		return fmt.Errorf(
			"the audit trail is keyed with audit key %s: give that key's file in PORTAL_AUDIT_KEY_FILE (-audit-key-file)",
			head.KeyID,
		)
	case key != nil && head.KeyID != "" && head.KeyID != key.ID:
		logger.Warn(
			"audit key changed: rows from now on are keyed with the new key; keep the old key's file to verify older rows",
			"old_audit_key",
			head.KeyID,
			"audit_key",
			key.ID,
		)
	}
	return nil
}

// AppendCheckpoint appends a checkpoint to a checkpoint file, creating it.
func AppendCheckpoint(path string, c portal.AuditCheckpoint) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(c.MarshalLine()); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// addressProvider returns AddressComplete when it is configured, else nil
// (the local index).
func addressProvider(cfg Config) app.AddressProvider {
	if cfg.AddressCompleteKey == "" {
		return nil
	}
	return &address.AddressComplete{Key: cfg.AddressCompleteKey, BaseURL: cfg.AddressCompleteURL,
		HTTP: &http.Client{Timeout: 5 * time.Second}}
}

// grantDevStaff gives each development staff member the role in their key.
func grantDevStaff(ctx context.Context, a *app.App) error {
	meta := portal.RequestMeta{IP: "127.0.0.1", UserAgent: "development mode", RequestID: "startup"}
	for _, p := range DevStaff {
		role := strings.TrimPrefix(p.Key, "dev-staff-")
		if _, err := a.GrantStaffRole(ctx, meta, "development mode", p.Email, role); err != nil {
			return err
		}
	}
	return nil
}

func mailDomain(cfg Config) string {
	if i := strings.LastIndexByte(cfg.MailFrom, '@'); i >= 0 {
		return strings.Trim(cfg.MailFrom[i+1:], "> ")
	}
	if h := strings.TrimPrefix(strings.TrimPrefix(cfg.BaseURL, "https://"), "http://"); h != "" {
		host, _, err := net.SplitHostPort(h)
		if err == nil {
			return host
		}
		return strings.Split(h, "/")[0]
	}
	return "mycareconnect.invalid"
}

// Job is a background task run every Every until the context ends.
type Job struct {
	Name  string
	Every time.Duration
	Run   func(ctx context.Context) error
}

// Jobs lists the background work of one instance. Each is safe to run on
// several instances at once.
func (p *Portal) Jobs() []Job {
	// The development mailbox is the outbox itself: there, sent emails keep their links.
	_, devMailbox := p.Mailer.(mail.DevMailer)
	worker := &mail.Worker{Outbox: store.Outbox{DB: p.DB, KeepSecrets: devMailbox}, Mailer: p.Mailer,
		Logger: p.Logger.With("job", "outbox"), Now: p.App.Now}
	// The policy check verifies the whole audit chain once, then only the
	// rows added since each run.
	policy := p.App.NewPolicyCheck()
	jobs := []Job{
		// A backlog drains batch after batch; a crashed instance's emails
		// are claimed again within mail.DefaultLease plus one poll.
		{Name: "outbox", Every: mail.DefaultInterval, Run: func(ctx context.Context) error {
			_, _, err := worker.Drain(ctx)
			return err
		}},
		{Name: "scheduled-decommissions", Every: 15 * time.Minute, Run: func(ctx context.Context) error {
			_, err := p.App.ApplyScheduledDecommissions(ctx)
			return err
		}},
		{Name: "locum-reminders", Every: time.Hour, Run: func(ctx context.Context) error {
			_, err := p.App.RemindEndingLocums(ctx)
			return err
		}},
		{Name: "residency-ends", Every: 15 * time.Minute, Run: func(ctx context.Context) error {
			_, err := p.App.EndResidencies(ctx)
			return err
		}},
		{Name: "annual-review", Every: time.Hour, Run: func(ctx context.Context) error {
			_, err := p.App.RunAnnualReview(ctx)
			return err
		}},
		{Name: "leaves", Every: 15 * time.Minute, Run: func(ctx context.Context) error {
			_, err := p.App.RunLeaves(ctx)
			return err
		}},
		{Name: "dormancy", Every: time.Hour, Run: func(ctx context.Context) error {
			_, err := p.App.RunDormancy(ctx)
			return err
		}},
		{Name: "policy-check", Every: every(p.Config.PolicyCheckEvery, 15*time.Minute),
			Run: func(ctx context.Context) error {
				_, vs, err := policy.Run(ctx)
				if err != nil {
					return err
				}
				p.Server.RecordPolicyCheck(vs, p.App.Now())
				if len(vs) > 0 {
					var broken []any
					counts := portal.CountViolations(vs)
					for _, inv := range portal.Invariants {
						if n := counts[inv.Name]; n > 0 {
							broken = append(broken, inv.Name, n)
						}
					}
					p.Logger.Warn("the access policy is violated; portal check lists the violations",
						"violations", len(vs), slog.Group("by_invariant", broken...))
				}
				return nil
			}},
	}
	if len(p.App.Licences) > 0 {
		jobs = append(jobs,
			Job{Name: "licence-check", Every: every(p.Config.LicenceCheckEvery, 24*time.Hour),
				Run: func(ctx context.Context) error {
					run, err := p.App.RecheckLicences(ctx)
					p.Server.RecordLicenceCheck(run, p.App.Now())
					p.Logger.Info("licence check", "checked", run.Checked, "not_checked", run.NotChecked,
						"unavailable", run.Unavailable,
						"suspended", run.Suspended, "restored", run.Restored)
					return err
				}})
	}
	if len(p.App.Downstreams) > 0 {
		host, _ := os.Hostname()
		owner := fmt.Sprintf("push-%s-%d-%x", host, os.Getpid(), time.Now().UnixNano())
		pusher := p.App.NewPusher(p.App.Downstreams, owner)
		// Each downstream is worked by one instance at a time, under a lease.
		jobs = append(jobs,
			Job{Name: "scim-push", Every: every(p.Config.PushEvery, 5*time.Second), Run: pusher.RunOnce})
	}
	jobs = append(jobs, []Job{
		{Name: "session-cleanup", Every: 10 * time.Minute, Run: func(ctx context.Context) error {
			now := p.App.Now()
			idle := p.Config.SessionIdle
			if idle == 0 {
				idle = 30 * time.Minute
			}
			_, err := p.DB.Read().DeleteExpiredSessions(ctx, now, now.Add(-idle))
			if err == nil {
				err = p.DB.Read().DeleteOldRateLimits(ctx, now.Add(-24*time.Hour))
			}
			return err
		}},
	}...)
	if key := p.Config.AuditSigningKey; key != nil {
		every := p.Config.AuditCheckpointEvery
		if every <= 0 {
			every = time.Hour
		}
		last := int64(-1)
		jobs = append(jobs, Job{Name: "audit-checkpoint", Every: every, Run: func(ctx context.Context) error {
			c, err := p.App.AuditCheckpoint(ctx, key)
			if err != nil || c.Seq == last {
				return err
			}
			p.Logger.Info("audit checkpoint", "seq", c.Seq, "hash", c.Hash, "checkpoint",
				strings.TrimSpace(string(c.MarshalLine())))
			if p.Config.AuditCheckpointFile != "" {
				if err := AppendCheckpoint(p.Config.AuditCheckpointFile, c); err != nil {
					return fmt.Errorf("audit checkpoint file: %w", err)
				}
			}
			last = c.Seq
			return nil
		}})
	}
	return jobs
}

func every(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// RunJobs runs every job until ctx ends.
func (p *Portal) RunJobs(ctx context.Context) { RunJobs(ctx, p.Logger, p.Jobs()) }

// Serve runs the web server and the jobs on l until ctx ends, then shuts
// down gracefully, letting requests in flight finish.
func (p *Portal) Serve(ctx context.Context, l net.Listener) error {
	hs := &http.Server{Handler: p.Server, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(p.Logger.Handler(), slog.LevelWarn)}
	stopMetrics, err := p.serveMetrics()
	if err != nil {
		return err
	}
	defer stopMetrics()
	jobsCtx, stopJobs := context.WithCancel(context.Background())
	jobsDone := make(chan struct{})
	go func() { p.RunJobs(jobsCtx); close(jobsDone) }()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(l) }()
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	p.App.EndFeedWaits() // change-feed calls waiting for events answer now
	if serr := hs.Shutdown(shutdownCtx); serr != nil && err == nil {
		err = serr
	}
	stopJobs()
	<-jobsDone
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// Close releases the database.
func (p *Portal) Close() error { return p.DB.Close() }
