package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/web"
)

// TestWeb_EveryStaffAndAPIRouteIsGuarded walks every route of the back
// office and of the provisioning API, so a route added later cannot slip
// through: a person is refused every back-office route, an auditor every
// route that decides, an officer the audit trail, and the API answers
// nothing without a token.
func TestWeb_EveryStaffAndAPIRouteIsGuarded(t *testing.T) {
	t.Parallel()
	inst := portaltest.Start(t, "sqlite:"+t.TempDir()+"/p.db")
	person := inst.Confirmed(t, "Pat", "PERSON", "pat@example.ca", "pat.p")
	auditor := inst.StaffClient(t, "auditor")
	officer := inst.StaffClient(t, "officer")
	anonymous := inst.Client(t)

	// Routes an auditor may use, and routes only an auditor may use.
	auditorMay := map[string]bool{"GET /staff": true, "GET /staff/audit": true, "GET /staff/audit/export.csv": true,
		"GET /staff/reports": true, "GET /staff/reports/funnel.svg": true}
	auditOnly := map[string]bool{"GET /staff/audit": true, "GET /staff/audit/export.csv": true}
	open := map[string]bool{"GET /staff/signin": true, "GET /staff/auth/callback": true, "POST /staff/signout": true}

	fill := strings.NewReplacer(
		"{id}",
		"1",
		"{code}",
		"AAAAAAA",
		"{acct}",
		"1",
		"{inv}",
		"1",
		"{token}",
		strings.Repeat("ab", 32),
		"{$}",
		"",
	)
	do := func(c *portaltest.Client, method, path string) *portaltest.Page {
		if method == http.MethodGet {
			return c.Get(path)
		}
		c.Get("/staff") // a current CSRF token (or a refusal page without one)
		return c.Post(path, url.Values{"reason": {"r"}, "email": {"x@example.ca"}})
	}
	staffRoutes, apiRoutes := 0, 0
	for _, pattern := range web.RoutePatterns(inst.Portal.Server) {
		method, path, _ := strings.Cut(pattern, " ")
		path = fill.Replace(path)
		switch {
		case strings.HasPrefix(path, "/staff") && !open[pattern]:
			staffRoutes++
			if p := do(person, method, path); p.Status != http.StatusForbidden {
				t.Errorf("a person got %d from %s", p.Status, pattern)
			}
			if method == http.MethodGet {
				if p := anonymous.Get(path); p.Status != http.StatusSeeOther ||
					!strings.HasPrefix(p.Location, "/staff/signin") {
					t.Errorf("a signed-out visitor got %d %q from %s", p.Status, p.Location, pattern)
				}
			}
			if !auditorMay[pattern] {
				if p := do(auditor, method, path); p.Status != http.StatusForbidden {
					t.Errorf("an auditor got %d from %s", p.Status, pattern)
				}
			}
			if auditOnly[pattern] {
				if p := do(officer, method, path); p.Status != http.StatusForbidden {
					t.Errorf("an officer got %d from %s", p.Status, pattern)
				}
			}
		case strings.HasPrefix(path, "/scim/") || strings.HasPrefix(path, "/api/"):
			apiRoutes++
			for _, c := range []*portaltest.Client{anonymous, person, officer} {
				if p := c.Get(path); p.Status != http.StatusUnauthorized {
					t.Errorf("%s without a token: %d", pattern, p.Status)
				}
			}
		}
	}
	if staffRoutes < 20 || apiRoutes < 4 {
		t.Fatalf("walked %d back-office and %d API routes: too few, did the route list change?", staffRoutes, apiRoutes)
	}
}
