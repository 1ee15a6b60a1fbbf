package wire

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"
)

// checkDevelopment refuses development mode where it would be dangerous:
// it signs anyone in as anyone and shows every email at /dev/mailbox, so it
// must only be reachable from this machine.
func checkDevelopment(cfg Config) error {
	if u, err := url.Parse(cfg.BaseURL); err == nil && u.Scheme == "https" {
		return fmt.Errorf("development mode refuses the https base URL %s: an https address means a real deployment, "+
			"and development mode lets anyone sign in as anyone and read every email; drop -dev, or use an http://127.0.0.1 base URL", cfg.BaseURL)
	}
	if cfg.Addr != "" && !loopback(cfg.Addr) {
		return fmt.Errorf(
			"development mode refuses the listen address %q: it lets anyone sign in as anyone and read every email, "+
				"so it listens only on this machine; use -addr 127.0.0.1:PORT (or localhost, [::1]), or drop -dev",
			cfg.Addr,
		)
	}
	if cfg.MetricsAddr != "" && !loopback(cfg.MetricsAddr) {
		return fmt.Errorf("development mode refuses the metrics address %q: use a loopback address", cfg.MetricsAddr)
	}
	return nil
}

// loopback reports whether a listen address binds only this machine's
// loopback interface. An empty host (":8080") binds every interface.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// serveMetrics starts the metrics listener when one is configured and
// returns what stops it.
func (p *Portal) serveMetrics() (stop func(), err error) {
	if p.Config.MetricsAddr == "" {
		return func() {}, nil
	}
	l, err := net.Listen("tcp", p.Config.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("metrics listener: %w", err)
	}
	p.Logger.Info("metrics listening", "addr", l.Addr().String())
	hs := &http.Server{Handler: p.Server.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:  30 * time.Second,
		WriteTimeout: 30 * time.Second, ErrorLog: slog.NewLogLogger(p.Logger.Handler(), slog.LevelWarn)}
	go func() {
		if err := hs.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			p.Logger.Error("metrics listener stopped", "err", err)
		}
	}()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(ctx)
	}, nil
}
