package web

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strconv"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	// The policy check job's last run: violations by invariant, and when.
	violations    *prometheus.GaugeVec
	policyChecked prometheus.Gauge
	// The licence check job: people by outcome, and when it last ran.
	licences       *prometheus.CounterVec
	licenceChecked prometheus.Gauge
}

// outboxDepth counts the emails waiting in the outbox (app.App does).
type outboxDepth interface {
	OutboxDepth(ctx context.Context) (int, error)
}

func newMetrics(reg prometheus.Registerer, outbox outboxDepth) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "portal_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "portal_http_request_duration_seconds", Help: "HTTP request durations by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "method"}),
		violations: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "portal_policy_violations", Help: "Violations of each invariant of the access policy found by the last policy check (portal check lists them).",
		}, []string{"invariant"}),
		policyChecked: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "portal_policy_checked_timestamp_seconds", Help: "When the policy check last ran to the end, in Unix seconds; 0 before it has.",
		}),
	}
	m.licences = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "portal_licence_checks_total",
		Help: "People the daily licence check looked at, by outcome: checked, not_checked (no registry), unavailable, suspended, restored.",
	}, []string{"outcome"})
	m.licenceChecked = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "portal_licence_checked_timestamp_seconds", Help: "When the licence check last ran to the end, in Unix seconds; 0 before it has.",
	})
	depth := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "portal_outbox_depth", Help: "Emails waiting in the outbox.",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := outbox.OutboxDepth(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	})
	if reg != nil {
		reg.MustRegister(m.requests, m.duration, depth, m.violations, m.policyChecked, m.licences, m.licenceChecked)
	}
	return m
}

// observe counts a request. Every label has a bounded set of values, so no
// request can make the metrics grow: route is a pattern registered in
// routes.go (or "unmatched"), method one of HTTP's or "other", and status
// a three-digit code.
func (m *metrics) observe(route, method string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	method = methodLabel(method)
	code := "other"
	if status >= 100 && status <= 599 {
		code = strconv.Itoa(status)
	}
	m.requests.WithLabelValues(route, method, code).Inc()
	m.duration.WithLabelValues(route, method).Observe(d.Seconds())
}

// methodLabel is the method as a label value: the methods of RFC 9110 and
// PATCH, and "other" for anything else a client sends.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "other"
}

// handleMetrics serves the metrics on the main listener: in development
// mode to anyone, otherwise only with the metrics bearer token.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.MetricsToken != "" {
		tok, _ := bearerToken(r)
		if subtle.ConstantTimeCompare([]byte(tok), []byte(s.cfg.MetricsToken)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(
				w,
				"a metrics token is required: send it as Authorization: Bearer TOKEN",
				http.StatusUnauthorized,
			)
			return nil
		}
	}
	promhttp.HandlerFor(s.gatherer, promhttp.HandlerOpts{}).ServeHTTP(w, r)
	return nil
}

// MetricsHandler serves the Prometheus metrics at /metrics and nothing
// else, for a listener of its own (production: loopback or a private
// network, never the public one).
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.gatherer, promhttp.HandlerOpts{}))
	return mux
}

// RecordPolicyCheck shows a run of the policy check in the metrics: the
// violations of each invariant (every invariant has a value, 0 when it
// holds, and no other label value exists) and when the check ran.
func (s *Server) RecordPolicyCheck(vs []portal.Violation, at time.Time) {
	for name, n := range portal.CountViolations(vs) {
		if _, known := portal.LookupInvariant(name); known {
			s.metrics.violations.WithLabelValues(name).Set(float64(n))
		}
	}
	s.metrics.policyChecked.Set(float64(at.Unix()))
}

var _ http.Handler = (*Server)(nil)

// RecordLicenceCheck shows a run of the daily licence check in the metrics.
func (s *Server) RecordLicenceCheck(run app.LicenceRun, at time.Time) {
	for outcome, n := range map[string]int{"checked": run.Checked, "not_checked": run.NotChecked,
		"unavailable": run.Unavailable, "suspended": run.Suspended, "restored": run.Restored} {
		s.metrics.licences.WithLabelValues(outcome).Add(float64(n))
	}
	s.metrics.licenceChecked.Set(float64(at.Unix()))
}
