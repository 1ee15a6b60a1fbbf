package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// TestWeb_SendAgainTwice presses Send again twice on the same page (a
// double click, or a second tab): one more email goes out, so the link in
// it keeps working, and one audit row says so.
func TestWeb_SendAgainTwice(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		admin := inst.Confirmed(t, "Dalia", "DOCTOR", "dalia@example.ca", "dalia.doctor")
		wsID, _ := registerWorksite(t, inst, admin, "Kingsgate Mall Clinic", "101")
		admin.Get("/worksites/" + wsID)
		admin.Invite(wsID, "lou@example.ca")
		page := admin.Get("/worksites/" + wsID)
		action := page.Attr(`form[action$="/resend"]`, "action")
		sent := page.Attr(`form[action$="/resend"] input[name="sent"]`, "value")
		if action == "" || sent != "1" {
			t.Fatalf("Send again form: action %q, sent %q", action, sent)
		}
		for i := range 2 {
			p := admin.Post(action, url.Values{"sent": {sent}})
			if p.Status != http.StatusSeeOther || !strings.Contains(admin.Follow(p).Text(".flash"), "Invitation sent again.") {
				t.Fatalf("press %d: %d %s", i+1, p.Status, p.Text("main"))
			}
		}
		if got := len(inst.Emails(t, "lou@example.ca", "worksite_invitation")); got != 2 {
			t.Errorf("%d invitation emails after inviting and pressing Send again twice, want 2", got)
		}
		f := store.AuditFilter{WorksiteID: mustAtoi(t, wsID)}
		if resent := inst.AuditCount(t, f, "worksite.invitation_resent"); resent != 1 {
			t.Errorf("%d worksite.invitation_resent rows, want 1", resent)
		}
		page = admin.Get("/worksites/" + wsID)
		if got := page.Attr(`form[action$="/resend"] input[name="sent"]`, "value"); got != "2" {
			t.Errorf("the page now shows sent %q, want 2", got)
		}
		if !strings.Contains(page.Text("main"), "(sent 2 times)") {
			t.Errorf("the list does not say the invitation was sent twice: %s", page.Text("main"))
		}

		// A post without the count the page showed sends nothing.
		p := admin.Post(action, nil)
		if p.Status != http.StatusConflict || p.Text(".flash-error") != "Reload the worksite page and use Send again there." {
			t.Errorf("Send again without the count: %d %q, want 409 and a reload", p.Status, p.Text(".flash-error"))
		}
		if got := len(inst.Emails(t, "lou@example.ca", "worksite_invitation")); got != 2 {
			t.Errorf("%d invitation emails after a post without the count, want 2", got)
		}
	})
}
