// Package web serves the portal's pages: server-rendered HTML that works
// without JavaScript, thin handlers over internal/app.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/identity"

	"github.com/prometheus/client_golang/prometheus"
)

// Config is what the web layer needs to know.
type Config struct {
	BaseURL         string // public URL, e.g. https://my.careconnect.example
	DevMode         bool
	SupportEmail    string
	SessionIdle     time.Duration // default 30 minutes
	SessionAbsolute time.Duration // default 12 hours
	TemplateDir     string        // read templates from disk (development)
	OIDC            identity.Config
	StaffOIDC       identity.Config // the CareConnect team's own client (and issuer)

	// TrustedProxies are the load balancers' networks: only a request from
	// one of them has its client address read from X-Forwarded-For.
	TrustedProxies []netip.Prefix
	// MetricsToken, when set, serves /metrics on the main listener to
	// requests bearing it (in development mode /metrics is open there).
	MetricsToken string
}

// Server is the portal's HTTP server.
type Server struct {
	cfg      Config
	app      *app.App
	dev      *identity.DevProvider
	devStaff *identity.DevProvider
	logger   *slog.Logger
	tmpl     *templates
	assets   *assets
	metrics  *metrics
	rp       rpSource
	staffRP  rpSource
	handler  http.Handler
	secure   bool
	origin   string
	gatherer prometheus.Gatherer
	// patterns lists every route, for tests that walk them all.
	patterns []string
	// addressPerIP is the address searches an hour from one address.
	addressPerIP int
}

// New builds the server. dev is the development identity provider (nil
// outside development mode).
func New(
	cfg Config,
	a *app.App,
	dev, devStaff *identity.DevProvider,
	reg prometheus.Registerer,
	logger *slog.Logger,
) (*Server, error) {
	if cfg.SessionIdle == 0 {
		cfg.SessionIdle = 30 * time.Minute
	}
	if cfg.SessionAbsolute == 0 {
		cfg.SessionAbsolute = 12 * time.Hour
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("web: base URL %q must be absolute, like https://portal.example", cfg.BaseURL)
	}
	if (dev != nil || devStaff != nil) && !cfg.DevMode {
		return nil, errors.New("web: the development identity provider needs development mode")
	}
	s := &Server{
		cfg:          cfg,
		addressPerIP: addressSearchPerIP,
		app:          a,
		dev:          dev,
		devStaff:     devStaff,
		logger:       logger,
		secure:       u.Scheme == "https",
		origin:       u.Scheme + "://" + u.Host,
	}
	if s.tmpl, err = loadTemplates(cfg.TemplateDir); err != nil {
		return nil, err
	}
	if s.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	s.metrics = newMetrics(reg, a)
	s.gatherer = prometheus.DefaultGatherer
	if g, ok := reg.(prometheus.Gatherer); ok {
		s.gatherer = g
	}
	s.rp = rpSource{cfg: cfg.OIDC}
	if dev != nil {
		s.rp.cfg.HTTPClient = &http.Client{
			Transport: identity.HandlerTransport(dev.Handler()),
			Timeout:   10 * time.Second,
		}
	}
	s.staffRP = rpSource{cfg: cfg.StaffOIDC}
	if devStaff != nil {
		s.staffRP.cfg.HTTPClient = &http.Client{
			Transport: identity.HandlerTransport(devStaff.Handler()),
			Timeout:   10 * time.Second,
		}
	}
	s.handler = s.routes()
	return s, nil
}

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// rpSource creates the OIDC relying party on first use, so the portal
// starts even when the identity provider is briefly unreachable.
type rpSource struct {
	cfg identity.Config
	mu  sync.Mutex
	rp  *identity.RP
}

func (src *rpSource) get(ctx context.Context) (*identity.RP, error) {
	src.mu.Lock()
	defer src.mu.Unlock()
	if src.rp != nil {
		return src.rp, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	rp, err := identity.NewRP(ctx, src.cfg)
	if err != nil {
		return nil, err
	}
	src.rp = rp
	return rp, nil
}
