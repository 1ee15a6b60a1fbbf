package app

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/mail"
	"github.com/bcgov-example/careconnect-portal/internal/passwd"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// Config holds what use cases need to know about the deployment.
type Config struct {
	BaseURL      string // public URL of the portal, no trailing slash
	SupportEmail string
	MailDomain   string // domain part of Message-IDs
}

// App is the portal's use-case layer.
type App struct {
	DB     *store.DB
	Hasher *passwd.Hasher
	Mail   *mail.Templates
	Now    func() time.Time
	Logger *slog.Logger
	Config Config
	// Addresses answers the address type-ahead instead of the local index
	// when set.
	Addresses AddressProvider
	// AddressSearchTimeout bounds one address search
	// (DefaultAddressSearchTimeout).
	AddressSearchTimeout time.Duration
	// Downstreams are the SCIM services push mode provisions
	// (ParseDownstreams checks them); none means push mode is off.
	Downstreams []Downstream
	// FeedPollInterval is how often a change-feed reader waiting for events
	// reads again (DefaultFeedPoll), to see those written by other instances.
	FeedPollInterval time.Duration
	// Licences are the colleges' licence registries, by college; a college
	// without one is "not checked", never "OK".
	Licences portal.LicenceRegistries
	// LicenceLookupTimeout bounds one registry question
	// (DefaultLicenceLookupTimeout).
	LicenceLookupTimeout time.Duration
	// DormancyLimit is how long access stays without an activity (a
	// sign-in, an annual review confirmed) before it is suspended as
	// dormant; zero means portal.DefaultDormancyLimit.
	DormancyLimit time.Duration

	feedWaits feedStop
}

// New returns an App with defaults filled in.
func New(db *store.DB, hasher *passwd.Hasher, tmpl *mail.Templates, cfg Config, logger *slog.Logger) *App {
	if logger == nil {
		logger = slog.Default()
	}
	if cfg.MailDomain == "" {
		cfg.MailDomain = "mycareconnect.invalid"
	}
	if cfg.SupportEmail == "" {
		cfg.SupportEmail = "careconnect-support@example.invalid"
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return &App{
		DB:                   db,
		Hasher:               hasher,
		Mail:                 tmpl,
		Now:                  func() time.Time { return time.Now().UTC() },
		Logger:               logger,
		Config:               cfg,
		AddressSearchTimeout: DefaultAddressSearchTimeout,
	}
}

func (a *App) now() time.Time { return a.Now().UTC().Truncate(time.Millisecond) }

// common fills the fields every email shares.
func (a *App) common(name string) mail.Common {
	return mail.Common{
		PortalName:    "my.CareConnect",
		PortalURL:     a.Config.BaseURL + "/",
		SupportEmail:  a.Config.SupportEmail,
		RecipientName: name,
	}
}

// commonFor is common for an email about an access request: it carries the
// request's reference number.
func (a *App) commonFor(name string, r *portal.AccessRequest) mail.Common {
	c := a.common(name)
	c.Reference = r.Reference
	return c
}

// enqueue renders an email and writes it to the outbox inside tx. secrets
// are what the email carries that must not stay stored once it is sent (a
// link's token, a code): the outbox keeps a copy without them for then. An email
// to an address that is not an account's own (accountID 0: an invitation, a
// declaration request) counts against that address's daily limit and is
// refused past it, so no one can use the portal to flood an inbox.
func (a *App) enqueue(
	ctx context.Context,
	tx *store.Tx,
	kind, to string,
	accountID portal.AccountID,
	data any,
	secrets ...string,
) error {
	if accountID == 0 {
		if err := a.limitRecipient(ctx, tx, to); err != nil {
			return err
		}
	}
	subject, text, html, err := a.Mail.Render(kind, data)
	if err != nil {
		return fmt.Errorf("app: render %s email: %w", kind, err)
	}
	e := &portal.Email{
		MessageID: mail.NewMessageID(a.Config.MailDomain), Kind: kind, AccountID: int64(accountID),
		To: to, Subject: subject, Text: text, HTML: html, CreatedAt: a.now(),
	}
	if len(secrets) > 0 {
		e.RedactedText, e.RedactedHTML = redactSecrets(text, secrets), redactSecrets(html, secrets)
	}
	return tx.EnqueueEmail(ctx, e)
}

// RedactedSecret stands in a sent email for a link's token or a code.
const RedactedSecret = "[removed after sending]"

func redactSecrets(body string, secrets []string) string {
	for _, s := range secrets {
		if s != "" {
			body = strings.ReplaceAll(body, s, RedactedSecret)
		}
	}
	return body
}

// auditEvent is what a use case says about a change.
type auditEvent struct {
	actorKind, actorID     string
	action                 string
	subjectKind, subjectID string
	worksiteID             int64
	details                any
}

func (a *App) audit(ctx context.Context, tx *store.Tx, meta portal.RequestMeta, e auditEvent) error {
	return tx.AppendAudit(ctx, &portal.AuditEvent{
		At: a.now(), ActorKind: e.actorKind, ActorID: e.actorID, Action: e.action,
		SubjectKind: e.subjectKind, SubjectID: e.subjectID, WorksiteID: e.worksiteID,
		IP: meta.IP, UserAgent: meta.UserAgent, RequestID: meta.RequestID, // the store bounds every text
		Details: store.AuditDetails(e.details),
	})
}

func accountRef(id portal.AccountID) string { return strconv.FormatInt(int64(id), 10) }
