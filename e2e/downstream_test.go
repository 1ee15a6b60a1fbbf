package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
	"github.com/bcgov-example/careconnect-portal/internal/wire"
)

// An administrator of the CareConnect team watches push mode and resends
// everything to a downstream SCIM service, in the browser; the push job
// then fills the downstream with the provisioned person.
func TestE2E_DownstreamResend(t *testing.T) {
	t.Parallel()
	ds := portaltest.StartSCIMDownstream(t)
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(ds.Token), 0o600); err != nil {
		t.Fatal(err)
	}
	configured, err := app.ParseDownstreams([]app.Downstream{{Name: "careconnect", URL: ds.URL, TokenFile: tokenFile}})
	if err != nil {
		t.Fatal(err)
	}
	inst := portaltest.Start(t, storetest.DSNs(t)["sqlite"], func(c *wire.Config) { c.Downstreams = configured })
	pusher := inst.Portal.App.NewPusher(configured, "e2e")
	if err := pusher.RunOnce(t.Context()); err != nil { // the first run: an empty resend
		t.Fatal(err)
	}
	doc := boApplicant(t, inst)
	officer, err := inst.Portal.App.DB.Read().FindStaffByEmail(t.Context(), "olivia.officer@careconnect.example")
	if err != nil {
		t.Fatal(err)
	}
	req, err := inst.Portal.App.DB.Read().FindLatestAccessRequest(t.Context(), doc.account.ID)
	if err != nil {
		t.Fatal(err)
	}
	meta := portal.RequestMeta{RequestID: "e2e"}
	if err := inst.Portal.App.ClaimAccessRequest(t.Context(), meta, officer, req.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := inst.Portal.App.ApproveAccessRequest(t.Context(), meta, officer, req.ID, []portal.DataScope{portal.ScopeDemographics}); err != nil {
		t.Fatal(err)
	}

	admin := staffBrowser(t, inst, "Ada ADMIN")
	click(t, admin, chromedp.CSS(`a[href="/staff/downstreams"]`), http.StatusOK, "Downstream systems")
	checkAxe(t, admin, "downstream systems")
	if got := textOf(t, admin, "#downstream-careconnect .backlog"); !strings.HasPrefix(got, "1 change") {
		t.Errorf("backlog %q, want the approval waiting", got)
	}

	// Without the box ticked, nothing is resent and the box says why.
	click(t, admin, byText("button", "Resend everything"), http.StatusUnprocessableEntity, "Downstream systems")
	checkAxe(t, admin, "downstream systems, resend not confirmed")
	expectFieldError(t, admin, "confirm-careconnect", "Tick the box to confirm the resend.")
	mustRun(t, admin, chromedp.Click(chromedp.CSS("#confirm-careconnect")))
	click(t, admin, byText("button", "Resend everything"), http.StatusOK, "Downstream systems")
	if got := textOf(t, admin, ".flash"); !strings.HasPrefix(got, "Everything will be resent to careconnect") {
		t.Errorf("flash %q", got)
	}

	// The push job runs (every instance runs it every few seconds).
	if err := pusher.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	navigate(t, admin, inst.URL+"/staff/downstreams")
	wantTextOf(t, admin, "#downstream-careconnect .resend", "0 unchanged, 1 created, 0 changed, 0 removed")
	if got := textOf(t, admin, "#downstream-careconnect .backlog"); got != "Nothing: up to date" {
		t.Errorf("backlog after the push %q", got)
	}
	resp, err := http.Get(ds.Root + "/_users")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var users []map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&users); err != nil {
		t.Fatal(err)
	}
	if len(users) != 1 || users[0]["userName"] != `HXBC\`+doc.username || users[0]["active"] != true {
		t.Fatalf("downstream users %v, want the approved physician", users)
	}
}
