package e2e

// A college's licence registry in a real browser: the officer sees the
// registry's answer among the automatic checks of a request; after the
// licence lapses the daily licence check suspends the access; once the
// college restores it the team reinstates with one action. The registry is
// a FHIR server answering with the published R4 example resources.

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/licence"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
	"github.com/bcgov-example/careconnect-portal/internal/wire"

	"github.com/chromedp/chromedp"
)

// fhirRegistry serves a searchset Bundle of the physician's Practitioner
// resource, built from internal/licence/testdata, with the licence active
// or not as the test sets it.
type fhirRegistry struct {
	mu     sync.Mutex
	active bool
	end    string
}

func (f *fhirRegistry) set(active bool, end string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.active, f.end = active, end
}

func (f *fhirRegistry) serve(t *testing.T) *httptest.Server {
	b, err := os.ReadFile(filepath.Join("..", "internal", "licence", "testdata", "bundle-page2.json"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if r.URL.Path != "/fhir/Practitioner" ||
			r.URL.Query().Get("identifier") != "https://fhir.cpsbc.ca/cpsid|12345" {
			w.Write([]byte(`{"resourceType":"Bundle","type":"searchset","total":0}`))
			return
		}
		s := strings.NewReplacer(`"value": "23"`, `"value": "12345"`, `"family": "Careful"`, `"family": "Okafor"`,
			`"given": ["Adam", "James"]`, `"given": ["Nadia"]`, "{{BASE}}", "http://"+r.Host+"/fhir",
			"{{END}}", f.end, "{{CONDITION}}", "").Replace(string(b))
		if !f.active {
			s = strings.Replace(s, `"active": true`, `"active": false`, 1)
		}
		w.Header().Set("Content-Type", "application/fhir+json")
		w.Write([]byte(s))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestE2E_LicenceLapseSuspendsAndTeamReinstates(t *testing.T) {
	t.Parallel()
	for name, dsn := range storetest.DSNs(t) {
		t.Run(name, func(t *testing.T) {
			reg := &fhirRegistry{active: true, end: "2027-03-31"}
			srv := reg.serve(t)
			inst := portaltest.Start(t, dsn, func(c *wire.Config) {
				c.Licences = portal.LicenceRegistries{portal.CollegeCPSBC: &licence.FHIR{URL: srv.URL + "/fhir",
					System: "https://fhir.cpsbc.ca/cpsid", Now: c.Now}}
			})
			doc := boApplicant(t, inst)
			legalName := doc.given + " " + doc.surname

			officer := staffBrowser(t, inst, "Olivia OFFICER")
			click(t, officer, chromedp.CSS(`.site-nav a[href="/staff/queue"]`), http.StatusOK, "Request queue")
			requestTitle := "Access request of " + legalName
			click(t, officer, byText("a", legalName), http.StatusOK, requestTitle)
			checkAxe(t, officer, "request page with the licence check")
			want := "College of Physicians and Surgeons of BC registry, licence 12345: name Nadia Okafor matches, status Active, " +
				"class Full, no conditions, expires March 31, 2027."
			if got := textOf(t, officer, "#checks"); !strings.Contains(got, "OK "+want) {
				t.Fatalf("the checks %q lack %q", got, want)
			}

			// Claim and approve.
			click(t, officer, byText("button", "Claim this request"), http.StatusOK, requestTitle)
			click(t, officer, byText("button", "Approve"), http.StatusOK, requestTitle)
			if got := textOf(t, officer, "#request-status"); got != "Approved" {
				t.Fatalf("status after approving: %q", got)
			}

			// The college lets the licence lapse; the daily check suspends.
			reg.set(false, "2026-01-31")
			inst.RunJob(t, "licence-check")
			click(
				t,
				officer,
				byText("a", "Suspend, reinstate or remove access on the person's record"),
				http.StatusOK,
				legalName,
			)
			checkAxe(t, officer, "person page, suspended for the licence")
			personURL := currentURL(officer)
			if got := textOf(t, officer, "#access-status"); !strings.Contains(got, "Suspended") {
				t.Fatalf("access after the lapse: %q", got)
			}
			if got := textOf(t, officer, "#licence-standing"); !strings.Contains(got, "Lapsed") {
				t.Fatalf("licence on the person page: %q", got)
			}
			if !strings.Contains(outboxEmail(t, inst, doc.email, "licence_suspended").Text, "licence 12345 as lapsed") {
				t.Errorf("the person's email does not give the reason")
			}
			outboxEmail(t, inst, "careconnect-support@portal.test", "licence_team_suspended")

			// Reinstating is refused while the licence is lapsed.
			mustRun(t, officer, chromedp.SendKeys(chromedp.CSS("#reason-reinstate"), "The doctor says it is renewed."))
			click(t, officer, byText("button", "Reinstate access"), http.StatusConflict, legalName)
			if got := textOf(t, officer, "#action-message"); !strings.Contains(got, "licence 12345 as lapsed") {
				t.Fatalf("refusal: %q", got)
			}

			// The college restores it; the team reinstates with one action.
			reg.set(true, "2028-03-31")
			inst.RunJob(t, "licence-check")
			outboxEmail(t, inst, "careconnect-support@portal.test", "licence_team_restored")
			navigate(t, officer, personURL)
			mustRun(t, officer, chromedp.SendKeys(chromedp.CSS("#reason-reinstate"), "Licence renewed to March 2028."))
			click(t, officer, byText("button", "Reinstate access"), http.StatusOK, legalName)
			checkAxe(t, officer, "person page, reinstated")
			if got := textOf(t, officer, "#access-status"); !strings.Contains(got, "Approved") {
				t.Fatalf("access after reinstating: %q", got)
			}
			if got := textOf(t, officer, "#licence-standing"); !strings.Contains(got, "Active") {
				t.Fatalf("licence after reinstating: %q", got)
			}
		})
	}
}
