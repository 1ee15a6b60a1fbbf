package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/identity"
	"github.com/bcgov-example/careconnect-portal/internal/mail"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
	"github.com/bcgov-example/careconnect-portal/internal/web"
	"github.com/bcgov-example/careconnect-portal/internal/wire"

	"github.com/prometheus/client_golang/prometheus"
)

// The method of a request never becomes a metrics label: unknown methods
// are "other", and every label keeps a bounded set of values.
func TestWeb_MetricsLabelsAreBounded(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	inst := portaltest.Start(t, storetest.DSNs(t)["sqlite"], func(c *wire.Config) { c.Registerer = reg })
	c := inst.Client(t)
	for i := 0; i < 40; i++ {
		method := fmt.Sprintf("X%d%s", i, strings.Repeat("M", 2000))
		send(t, c, inst.URL, method, fmt.Sprintf("/no-such-page-%d", i), "", nil, nil)
		send(t, c, inst.URL, method, "/help", "", nil, nil)
	}
	send(t, c, inst.URL, http.MethodGet, "/help", "", nil, nil)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true,
		"OPTIONS": true, "CONNECT": true, "TRACE": true, "other": true}
	routes := map[string]bool{"unmatched": true}
	for _, p := range web.RoutePatterns(inst.Portal.Server) {
		routes[p] = true
	}
	series := 0
	for _, f := range families {
		if !strings.HasPrefix(f.GetName(), "portal_http_") {
			continue
		}
		for _, m := range f.GetMetric() {
			series++
			for _, l := range m.GetLabel() {
				switch l.GetName() {
				case "method":
					if !known[l.GetValue()] {
						t.Errorf("%s has method label %.40q", f.GetName(), l.GetValue())
					}
				case "route":
					if !routes[l.GetValue()] {
						t.Errorf("%s has route label %.40q", f.GetName(), l.GetValue())
					}
				case "status":
					if len(l.GetValue()) != 3 {
						t.Errorf("%s has status label %q", f.GetName(), l.GetValue())
					}
				}
			}
		}
	}
	if series > 20 {
		t.Errorf("%d request series after 81 requests on 3 routes", series)
	}
}

// productionPortal starts a portal outside development mode, with an
// identity provider and a mail relay that are never reached.
func productionPortal(t *testing.T, edit func(*wire.Config)) *portaltest.Instance {
	t.Helper()
	return portaltest.Start(t, storetest.DSNs(t)["sqlite"], func(c *wire.Config) {
		c.Dev = false
		c.OIDC = identity.Config{Issuer: "https://idp.invalid", ClientID: "portal", ClientSecret: "secret"}
		c.StaffOIDC = identity.Config{Issuer: "https://idp.invalid", ClientID: "portal-staff", ClientSecret: "secret"}
		c.SMTP = mail.SMTPConfig{Host: "smtp.invalid", Port: 587}
		if edit != nil {
			edit(c)
		}
	})
}

// In production /metrics is not on the public listener, unless a bearer
// token is configured for it; the metrics listener serves it.
func TestWeb_MetricsOffThePublicListener(t *testing.T) {
	t.Parallel()
	inst := productionPortal(t, nil)
	c := inst.Client(t)
	if p := c.Get("/metrics"); p.Status != http.StatusNotFound ||
		strings.Contains(p.Body, "portal_http_requests_total") {
		t.Fatalf("public /metrics in production: %d", p.Status)
	}
	ms := httptest.NewServer(inst.Portal.Server.MetricsHandler())
	defer ms.Close()
	if a := send(t, c, ms.URL, http.MethodGet, "/metrics", "", nil, nil); a.status != http.StatusOK ||
		!strings.Contains(a.body, "portal_http_requests_total") {
		t.Fatalf("metrics listener: %d %.200s", a.status, a.body)
	}
	if a := send(t, c, ms.URL, http.MethodGet, "/menu", "", nil, nil); a.status != http.StatusNotFound {
		t.Fatalf("metrics listener serves pages: %d", a.status)
	}

	withToken := productionPortal(t, func(c *wire.Config) { c.MetricsToken = "metrics-secret-token" })
	c = withToken.Client(t)
	// In this order: the refused calls are counted by the time the token's
	// call reads the counters (a map's order made the body depend on luck).
	for _, tc := range []struct {
		header string
		want   int
	}{{"", http.StatusUnauthorized}, {"Bearer wrong", http.StatusUnauthorized}, {"Bearer metrics-secret-token", http.StatusOK}} {
		header, want := tc.header, tc.want
		a := send(t, c, withToken.URL, http.MethodGet, "/metrics", "", nil, http.Header{"Authorization": {header}})
		if a.status != want {
			t.Errorf("/metrics with %q: %d, want %d", header, a.status, want)
		}
		if want == http.StatusOK && !strings.Contains(a.body, "portal_http_requests_total") {
			t.Errorf("/metrics with the token: %.200s", a.body)
		}
	}
}

func TestWeb_PolicyViolationsMetric(t *testing.T) {
	t.Parallel()
	inst := portaltest.Start(t, storetest.DSNs(t)["sqlite"])
	c := inst.Client(t)
	if m := c.Get("/metrics"); strings.Contains(m.Body, "portal_policy_violations{") ||
		!strings.Contains(m.Body, "portal_policy_checked_timestamp_seconds 0") {
		t.Fatalf("before the first check:\n%s", m.Body)
	}
	inst.RunJob(t, "policy-check")
	m := c.Get("/metrics")
	for _, inv := range portal.Invariants {
		if want := `portal_policy_violations{invariant="` + inv.Name + `"} 0`; !strings.Contains(m.Body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if want := "portal_policy_checked_timestamp_seconds " + strconv.FormatFloat(float64(inst.Clock.Now().Unix()), 'g', -1, 64); !strings.Contains(
		m.Body,
		want,
	) {
		t.Errorf("metrics lack %q", want)
	}

	// An audit row edited behind the portal's back is counted.
	if _, err := inst.DB.SQL().Exec("UPDATE audit_log SET actor_id = 'someone-else' WHERE seq = 1"); err != nil {
		t.Fatal(err)
	}
	inst.RunJob(t, "policy-check")
	m = c.Get("/metrics")
	for _, want := range []string{`portal_policy_violations{invariant="audit-chain-whole"} 1`,
		`portal_policy_violations{invariant="provisioned-scopes"} 0`} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if n := strings.Count(m.Body, "portal_policy_violations{"); n != len(portal.Invariants) {
		t.Errorf("%d policy violation series, want one per invariant (%d)", n, len(portal.Invariants))
	}
}
