package web_test

import (
	"strconv"
	"strings"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

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
