package e2e

// The main menu in a real browser says what of the person's waits for
// someone else, and with whom.

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"

	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
)

func TestE2E_MenuPendingLines(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		j := startAccessJourney(t, inst)
		dc, doc := j.register(person{"Jin", "KIM", accessBirthDate, "jin.kim@example.ca"}, "jin.kim", accessAsPhysician)
		home := j.worksite(dc, doc, "Harbour Family Practice", "101")
		kingsgate := j.worksite(dc, doc, "Kingsgate Mall Clinic", "202")
		mona := person{"Mona", "FRONTDESK", accessBirthDate, "mona@example.ca"}
		mc, moa := j.register(mona, "mona.frontdesk", accessAsMOA)
		j.join(home, moa)
		j.enrolled(doc, home)
		choice := strconv.FormatInt(int64(doc.ID), 10) + ":" + strconv.FormatInt(int64(home), 10)
		if p := mc.Post("/sponsorships", url.Values{"authorizer": {choice}}); p.Status != http.StatusSeeOther {
			t.Fatalf("ask for sponsorship: %d %s", p.Status, p.Text("main"))
		}
		w, err := inst.DB.Read().FindWorksiteByID(t.Context(), kingsgate)
		if err != nil {
			t.Fatal(err)
		}
		code := string(w.Code)
		if p := mc.Post("/worksites/access", url.Values{"worksite": {code}, "via": {"code"}}); p.Status != http.StatusOK {
			t.Fatalf("ask to join: %d %s", p.Status, p.Text("main"))
		}
		day := inst.Clock.Now().In(portal.Pacific()).Format("2 Jan")

		j.signIn(mona)
		j.wantText("#pending-title", "Waiting for Others")
		if got, want := j.text(".pending-requests li:nth-child(1)"),
			"Join request to Kingsgate Mall Clinic, waiting for its site administrator since "+day+"."; got != want {
			t.Errorf("first pending line %q, want %q", got, want)
		}
		if got, want := j.text(".pending-requests li:nth-child(2)"),
			"Request to work on behalf of Jin KIM, your authorizer, waiting for their approval since "+day+"."; got != want {
			t.Errorf("second pending line %q, want %q", got, want)
		}
		if n := j.count(".pending-requests li"); n != 2 {
			t.Errorf("%d pending lines, want 2", n)
		}
	})
}
