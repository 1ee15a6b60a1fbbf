package web_test

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
	"github.com/bcgov-example/careconnect-portal/internal/wire"
)

func TestWeb_Downstreams(t *testing.T) {
	t.Parallel()
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("downstream-secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	ds, err := app.ParseDownstreams(
		[]app.Downstream{{Name: "careconnect", URL: "https://scim.careconnect.example/scim/v2", TokenFile: tokenFile}},
	)
	if err != nil {
		t.Fatal(err)
	}
	for name, dsn := range storetest.DSNs(t) {
		t.Run(name, func(t *testing.T) {
			inst := portaltest.Start(t, dsn, func(c *wire.Config) { c.Downstreams = ds })
			admin := inst.StaffClient(t, "administrator")
			p := admin.Get("/staff/downstreams")
			card := p.Text("#downstream-careconnect")
			for _, want := range []string{"https://scim.careconnect.example/scim/v2", "Nothing: up to date", "Never", "None"} {
				if !strings.Contains(card, want) {
					t.Errorf("downstream card lacks %q: %s", want, card)
				}
			}
			if strings.Contains(p.Body, "downstream-secret") {
				t.Fatal("the page shows the downstream's token")
			}
			// A resend needs the box ticked; the page says so at the box.
			p = admin.Post("/staff/downstreams/careconnect/resend", nil)
			if p.Status != http.StatusUnprocessableEntity ||
				p.Text("#confirm-careconnect-error") != "Error: Tick the box to confirm the resend." ||
				p.Attr("#confirm-careconnect", "aria-invalid") != "true" {
				t.Fatalf("unconfirmed resend: %d %q", p.Status, p.Text("#confirm-careconnect-error"))
			}
			p = admin.Post("/staff/downstreams/careconnect/resend", url.Values{"confirm": {"yes"}})
			if p.Status != http.StatusSeeOther || p.Location != "/staff/downstreams" {
				t.Fatalf("resend: %d %q", p.Status, p.Location)
			}
			p = admin.Follow(p)
			if !strings.HasPrefix(p.Text(".flash"), "Everything will be resent to careconnect within a minute") ||
				!strings.HasPrefix(p.Text("#downstream-careconnect .resend"), "Asked for ") {
				t.Fatalf("after the resend: %q / %q", p.Text(".flash"), p.Text("#downstream-careconnect .resend"))
			}
			evs := inst.Audit(t, portaltest.About("downstream", "careconnect"))
			if len(evs) != 1 || evs[0].Action != "provisioning.resend_requested" || evs[0].ActorKind != portal.ActorStaff {
				t.Fatalf("audit: %+v", evs)
			}
			if p := admin.Post("/staff/downstreams/elsewhere/resend", url.Values{"confirm": {"yes"}}); p.Status != http.StatusNotFound {
				t.Fatalf("resend of an unknown downstream: %d", p.Status)
			}
			if p := admin.Post("/staff/downstreams/careconnect/resend", url.Values{"confirm": {"yes"}, "csrf_token": {"wrong"}}); p.Status != http.StatusForbidden {
				t.Fatalf("resend without the form token: %d", p.Status)
			}

			// Only administrators: officers, auditors and people are refused,
			// and a visitor is sent to sign in.
			for _, role := range []string{"officer", "auditor"} {
				c := inst.StaffClient(t, role)
				if p := c.Get("/staff/downstreams"); p.Status != http.StatusForbidden {
					t.Errorf("%s reads the page: %d", role, p.Status)
				}
				if p := c.Post("/staff/downstreams/careconnect/resend", url.Values{"confirm": {"yes"}}); p.Status != http.StatusForbidden {
					t.Errorf("%s asks for a resend: %d", role, p.Status)
				}
			}
			person := inst.Confirmed(t, "Pat", "PERSON", "pat@example.ca", "pat.person")
			if p := person.Get("/staff/downstreams"); p.Status != http.StatusForbidden {
				t.Errorf("a person reads the page: %d", p.Status)
			}
			if p := inst.Client(t).Get("/staff/downstreams"); p.Status != http.StatusSeeOther ||
				!strings.HasPrefix(p.Location, "/staff/signin") {
				t.Errorf("a visitor: %d %q", p.Status, p.Location)
			}
		})
	}
	// Without push mode the page says it is off.
	inst := portaltest.Start(t, storetest.DSNs(t)["sqlite"])
	if p := inst.StaffClient(t, "administrator").Get("/staff/downstreams"); !strings.HasPrefix(
		p.Text(".empty-state"),
		"Push mode is off",
	) {
		t.Fatalf("no downstreams: %q", p.Text(".empty-state"))
	}
}
