package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

// Free text with invalid UTF-8, NUL or control characters is refused
// before any query runs, on both databases: PostgreSQL used to answer 500.
func TestWeb_BadTextRefusedBeforeTheDatabase(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		c := inst.Confirmed(t, "Uma", "UTF", "uma@example.ca", "uma.u")
		c.Get("/worksites/new")
		for name, v := range map[string]string{"NUL": "Clinic\x00", "invalid UTF-8": "Caf\xe9 Clinic", "newline": "Clinic\nTwo",
			"escape": "Clinic\x1b[31m"} {
			p := c.Post("/worksites/new", portaltest.WorksiteForm(v, "101"))
			if p.Status != http.StatusBadRequest ||
				!strings.Contains(p.Text("main"), "characters the portal cannot accept") {
				t.Errorf("worksite name with %s: %d %q", name, p.Status, p.Text("main"))
			}
		}
		f := portaltest.WorksiteForm("Signer Clinic", "102", portaltest.SignedBy("Sig\x00ner", "signer@example.ca"))
		if p := c.Post("/worksites/new", f); p.Status != http.StatusBadRequest {
			t.Errorf("signer name with NUL: %d %q", p.Status, p.Text("main"))
		}
		// Nothing was stored.
		if p := c.Get("/worksites"); strings.Contains(p.Body, "Clinic") {
			t.Errorf("a refused worksite was registered: %s", p.Text("main"))
		}

		// A multi-line field keeps its newlines, and still refuses NUL.
		owner := inst.Confirmed(t, "Otis", "OWNER", "otis@example.ca", "otis.o")
		_, code := registerWorksite(t, inst, owner, "Multi Line Clinic", "103")
		c.Get("/worksites/join/code")
		if p := c.Post("/worksites/access", url.Values{"worksite": {code}, "via": {"code"}, "comment": {"Line one\r\nLine two"}}); p.Status != http.StatusOK {
			t.Errorf("a comment on two lines: %d %q", p.Status, p.Text("main"))
		}
		if p := c.Post("/worksites/access", url.Values{"worksite": {code}, "via": {"code"}, "comment": {"a\x00b"}}); p.Status != http.StatusBadRequest {
			t.Errorf("a comment with NUL: %d %q", p.Status, p.Text("main"))
		}

		// Query and path: pages answer an HTML 400, the API a SCIM error.
		if p := c.Get("/worksites/join/address?q=" + url.QueryEscape("370 Broad\x00way")); p.Status != http.StatusBadRequest ||
			!strings.Contains(p.Text("main"), "characters the portal cannot accept") {
			t.Errorf("address search with NUL: %d %q", p.Status, p.Text("main"))
		}
		tok := apiToken(t, inst, "utf8", 24*time.Hour, app.TokenScopeSCIM)
		for _, target := range []string{"/scim/v2/Users/%ff", "/scim/v2/Users/%00",
			"/scim/v2/Users?filter=" + url.QueryEscape("userName eq \"\xff\""), "/scim/v2/Users?filter=" + url.QueryEscape("userName eq \"\x00\"")} {
			a := send(
				t,
				inst.Client(t),
				inst.URL,
				http.MethodGet,
				target,
				"",
				nil,
				http.Header{"Authorization": {"Bearer " + tok}},
			)
			var e map[string]any
			_ = json.Unmarshal([]byte(a.body), &e)
			if a.status != http.StatusBadRequest || a.contentType != "application/scim+json" || jstr(e, "status") != "400" ||
				jstr(e, "schemas", 0) != "urn:ietf:params:scim:api:messages:2.0:Error" ||
				jstr(e, "detail") == "" {
				t.Errorf("%s: %d %s %s", target, a.status, a.contentType, a.body)
			}
		}
	})
}

// A form over the size limit is answered 413 with a page that says so,
// not "your session expired".
func TestWeb_OversizeFormIs413(t *testing.T) {
	t.Parallel()
	inst := portaltest.Start(t, storetest.DSNs(t)["sqlite"])
	c := inst.Confirmed(t, "Bea", "BIG", "bea@example.ca", "bea.b")
	c.Get("/account/contact")
	p := c.Post("/account/contact", url.Values{"preferred_first_name": {strings.Repeat("B", 2<<20)}})
	if p.Status != http.StatusRequestEntityTooLarge || p.Text("h1") != "The form was too large" ||
		strings.Contains(p.Text("main"), "session expired") {
		t.Fatalf("oversize form: %d %q %q", p.Status, p.Text("h1"), p.Text("main"))
	}
}

// userAgent sends every request with a fixed User-Agent.
type userAgent struct {
	ua   string
	next http.RoundTripper
}

func (u userAgent) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", u.ua)
	return u.next.RoundTrip(r)
}

// The User-Agent goes into audit rows: one that is not valid UTF-8, or
// that is cut inside a character, must not make an audited action fail.
func TestWeb_HostileUserAgentIsAuditedSafely(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		c := inst.Confirmed(t, "Ugo", "AGENT", "ugo@example.ca", "ugo.a")
		c.Get("/account/contact")
		for i, ua := range []string{"Mozilla/5.0 \xff\xfe", "Mozilla/5.0\t(X11)", strings.Repeat("a", 299) + "é and more"} {
			c.HTTP.Transport = userAgent{ua: ua, next: http.DefaultTransport}
			p := c.Post(
				"/account/contact",
				url.Values{"email": {"ugo@example.ca"}, "phone": {fmt.Sprintf("(604) 555-010%d", i)}},
			)
			if p.Status != http.StatusSeeOther {
				t.Errorf("contact change with the User-Agent %q: %d %q", ua, p.Status, p.Text("main"))
			}
		}
	})
}
