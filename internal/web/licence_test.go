package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/licence"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
	"github.com/bcgov-example/careconnect-portal/internal/wire"
)

// TestWeb_LicenceRegistry: the officer sees a college's exported list on
// the request page; after the licence lapses the daily check suspends the
// access, and once it is restored the team reinstates with one action.
func TestWeb_LicenceRegistry(t *testing.T) {
	t.Parallel()
	for name, dsn := range storetest.DSNs(t) {
		t.Run(name, func(t *testing.T) {
			list := filepath.Join(t.TempDir(), "cpsbc.csv")
			exports := 0
			export := func(status, expires string) {
				t.Helper()
				exports++
				body := "number,family_name,given_names,status,class,conditions,expires\n12345,Eighteen,Dalia," + status + ",Full,," + expires + "\n"
				if err := os.WriteFile(list, []byte(body), 0o600); err != nil {
					t.Fatal(err)
				}
				// Each export is newer than the last, so the file is read again.
				later := time.Now().Add(time.Duration(exports) * time.Hour)
				os.Chtimes(list, later, later)
			}
			export("active", "2027-03-31")
			inst := portaltest.Start(t, dsn, func(c *wire.Config) {
				c.Licences = portal.LicenceRegistries{portal.CollegeCPSBC: &licence.File{Path: list}}
			})
			_, acct, req := boSubmitted(t, inst, "Dalia", "EIGHTEEN", "dalia18", "101", nil)
			officer := inst.StaffClient(t, "officer")
			reqPath := fmt.Sprintf("/staff/requests/%d", req.ID)
			personPath := fmt.Sprintf("/staff/people/%d", acct.ID)

			p := officer.Get(reqPath)
			want := "OK College of Physicians and Surgeons of BC registry, licence 12345: name Dalia Eighteen matches, " +
				"status Active, class Full, no conditions, expires March 31, 2027."
			if got := lastCheck(p); got != want {
				t.Fatalf("check %q\nwant %q", got, want)
			}
			officer.Follow(officer.Post(reqPath+"/claim", nil))
			if p := officer.Post(reqPath+"/approve", url.Values{"scopes": {"demographics"}}); p.Status != http.StatusSeeOther {
				t.Fatalf("approve: %d", p.Status)
			}

			export("lapsed", "2026-10-31")
			inst.RunJob(t, "licence-check")
			if got := inst.AccessRequest(t, req.ID).Status; got != portal.ARSuspended {
				t.Fatalf("after the lapse: %s", got)
			}
			if es := inst.Emails(t, acct.Email, "licence_suspended"); len(es) != 1 ||
				!strings.Contains(es[0].Text, "licence 12345 as lapsed") {
				t.Fatalf("person's email %+v", es)
			}
			p = officer.Get(personPath)
			if got := p.Text("#licence-standing"); !strings.Contains(got, "Lapsed") ||
				!strings.Contains(got, "status Lapsed") {
				t.Fatalf("licence standing %q", got)
			}
			p = officer.Post(personPath+"/reinstate", url.Values{"reason": {"Renewed, says the doctor."}})
			if p.Status != http.StatusConflict || !strings.HasPrefix(
				p.Text("#action-message"),
				"Their access cannot be reinstated: the College of Physicians and Surgeons of BC last reported Dalia EIGHTEEN's licence 12345 as lapsed",
			) {
				t.Fatalf("reinstate while lapsed: %d %q", p.Status, p.Text("#action-message"))
			}

			export("active", "2028-03-31")
			inst.RunJob(t, "licence-check")
			if got := inst.AccessRequest(t, req.ID).Status; got != portal.ARSuspended {
				t.Fatalf("restoring the licence reinstated on its own: %s", got)
			}
			p = officer.Follow(officer.Post(personPath+"/reinstate", url.Values{"reason": {"Licence renewed."}}))
			if !strings.Contains(p.Text("#access-status"), "Approved") ||
				!strings.Contains(p.Text("#licence-standing"), "Active") {
				t.Fatalf("reinstated page %q %q", p.Text("#access-status"), p.Text("#licence-standing"))
			}
			m := officer.Get("/metrics").Body
			if !strings.Contains(m, `portal_licence_checks_total{outcome="suspended"} 1`) {
				t.Errorf("metrics lack the suspension:\n%s", grepLines(m, "portal_licence"))
			}
		})
	}
}

// lastCheck is the text of the request page's last automatic check.
func lastCheck(p *portaltest.Page) string {
	items := p.Find("#checks li")
	if len(items) == 0 {
		return ""
	}
	return strings.Join(strings.Fields(portaltest.NodeText(items[len(items)-1])), " ")
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
