package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/web"
)

// hostileAnswer is one response of the hostile-input walk.
type hostileAnswer struct {
	status      int
	contentType string
	body        string
}

// send makes one request with c's cookies and the given headers.
func send(
	t *testing.T,
	c *portaltest.Client,
	base, method, target, contentType string,
	body io.Reader,
	header http.Header,
) hostileAnswer {
	t.Helper()
	req, err := http.NewRequest(method, base+target, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	recordSCIM(method, target, "", resp.Header.Get("Content-Type"), resp.StatusCode, b)
	return hostileAnswer{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), body: string(b)}
}

var (
	h1Re   = regexp.MustCompile(`(?s)<h1[^>]*>\s*([^<]+?)\s*</h1>`)
	leadRe = regexp.MustCompile(`(?s)<p class="lead">\s*([^<]+?)\s*</p>`)
)

// clearRefusal reports what is wrong with a refusal: it must be a 4xx, and
// a page with a heading and an explanation, or a SCIM error for the API.
func clearRefusal(a hostileAnswer, api bool) string {
	if a.status < 400 || a.status > 499 {
		return "status " + http.StatusText(a.status)
	}
	if api {
		var e struct {
			Schemas []string `json:"schemas"`
			Status  string   `json:"status"`
			Detail  string   `json:"detail"`
		}
		if err := json.Unmarshal([]byte(a.body), &e); err != nil || len(e.Schemas) != 1 ||
			e.Schemas[0] != "urn:ietf:params:scim:api:messages:2.0:Error" || e.Detail == "" {
			return "not a SCIM error: " + a.contentType + " " + truncateBody(a.body)
		}
		return ""
	}
	if !strings.HasPrefix(a.contentType, "text/html") {
		return "not a page: " + a.contentType + " " + truncateBody(a.body)
	}
	if h1Re.FindString(a.body) == "" || leadRe.FindString(a.body) == "" {
		return "no heading and explanation: " + truncateBody(a.body)
	}
	return ""
}

func truncateBody(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// formFieldNames lists every form and query field the web package reads,
// from its sources, so the walk sends hostile values in the fields the
// handlers really use.
func formFieldNames(t *testing.T) []string {
	t.Helper()
	re := regexp.MustCompile(`(?:PostFormValue|Query\(\)\.Get|PostForm\[|Query\(\)\[|queryInt\(r,)\(?\s*"([A-Za-z_]+)"`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			seen[m[1]] = true
		}
	}
	var names []string
	for n := range seen {
		if n != "csrf_token" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	if len(names) < 40 {
		t.Fatalf("found only %d form fields in the sources: %v", len(names), names)
	}
	return names
}

// TestWeb_HostileInputOnEveryRoute walks every route the server registered
// with hostile input: invalid UTF-8 and NUL in query and form values and in
// path segments, 100 KB values, and a body over the limit. Every one must
// be refused with a 4xx and a clear page (a SCIM error for the API), and
// the server must keep answering. A route added later is walked too.
func TestWeb_HostileInputOnEveryRoute(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		ctx := context.Background()
		person := inst.Confirmed(t, "Hana", "HOSTILE", "hana@example.ca", "hana.h")
		staff := inst.StaffClient(t, "officer")
		if _, err := inst.Portal.App.GrantStaffRole(ctx, portal.RequestMeta{RequestID: "test"}, "test",
			"olivia.officer@careconnect.example", portal.RoleAuditor); err != nil {
			t.Fatal(err)
		}
		staff.Get("/staff") // the staff session's CSRF token
		raw, _, err := inst.Portal.App.CreateToken(
			ctx,
			portal.RequestMeta{},
			"officer.one",
			app.TokenInput{
				Name:     "hostile",
				Scopes:   []string{app.TokenScopeSCIM, app.TokenScopeEvents},
				Lifetime: 24 * time.Hour,
			},
		)
		if err != nil {
			t.Fatal(err)
		}
		anonymous := inst.Client(t)
		fields := formFieldNames(t)

		healthy := func(after string) {
			t.Helper()
			if a := send(t, anonymous, inst.URL, http.MethodGet, "/healthz", "", nil, nil); a.status != http.StatusOK ||
				a.body != "ok\n" {
				t.Fatalf("after %s the server answers /healthz with %d %q", after, a.status, a.body)
			}
		}
		big := strings.Repeat("a", 100<<10)
		hostile := map[string]string{"invalid UTF-8": "caf\xe9 \xff", "NUL": "a\x00b"}
		// Forms also get a control character, and a line break outside a text area.
		hostileForm := map[string]string{
			"invalid UTF-8": "caf\xe9 \xff",
			"NUL":           "a\x00b",
			"escape":        "a\x1bb",
			"line break":    "a\nb",
		}

		walked := 0
		for _, pattern := range web.RoutePatterns(inst.Portal.Server) {
			method, path, ok := strings.Cut(pattern, " ")
			if !ok {
				method, path = "", pattern
			}
			if path == "/" {
				path = "/no-such-page/{x}"
			}
			api := strings.HasPrefix(path, "/scim/") || strings.HasPrefix(path, "/api/")
			c, header := person, http.Header{}
			switch {
			case api:
				c, header = anonymous, http.Header{"Authorization": {"Bearer " + raw}}
			case strings.HasPrefix(path, "/staff") && pattern != "GET /staff/signin" && pattern != "GET /staff/auth/callback":
				c = staff
			}
			methods := []string{method}
			if method == "" {
				methods = []string{http.MethodGet, http.MethodPost}
			}
			wildcard := regexp.MustCompile(`\{[^}]*\}`)
			plain := wildcard.ReplaceAllStringFunc(path, func(w string) string {
				if w == "{$}" {
					return ""
				}
				return "1"
			})
			for _, m := range methods {
				walked++
				check := func(what string, a hostileAnswer) {
					t.Helper()
					if why := clearRefusal(a, api); why != "" {
						t.Errorf("%s (%s) with %s: %s", pattern, m, what, why)
					}
					healthy(pattern + " with " + what)
				}
				// Path segments.
				if wildcard.MatchString(strings.ReplaceAll(path, "{$}", "")) {
					// Valid but long text, cut somewhere inside a character
					// by any byte limit, must be refused as cleanly.
					inPath := map[string]string{"long text": "a" + strings.Repeat("é", 300)}
					for name, v := range hostile {
						inPath[name] = v
					}
					for name, v := range inPath {
						p := wildcard.ReplaceAllStringFunc(path, func(w string) string {
							if w == "{$}" {
								return ""
							}
							return url.PathEscape(v)
						})
						check(name+" in the path", send(t, c, inst.URL, m, p, "", nil, header))
					}
				}
				// Query values, in every field name the handlers read.
				for name, v := range hostile {
					q := url.Values{}
					for _, f := range fields {
						q.Set(f, v)
					}
					check(name+" in the query", send(t, c, inst.URL, m, plain+"?"+q.Encode(), "", nil, header))
				}
				q := url.Values{"q": {big}, "filter": {big}, "return_to": {"/" + big}}
				check("100 KB query values", send(t, c, inst.URL, m, plain+"?"+q.Encode(), "", nil, header))
				if m == http.MethodGet || m == http.MethodHead {
					continue
				}
				// Form values, with the session's CSRF token.
				form := func(v string) io.Reader {
					f := url.Values{"csrf_token": {c.CSRF}}
					for _, name := range fields {
						f.Set(name, v)
					}
					return strings.NewReader(f.Encode())
				}
				const formType = "application/x-www-form-urlencoded"
				for name, v := range hostileForm {
					if name == "line break" {
						// Only single-line fields refuse a line break.
						f := url.Values{"csrf_token": {c.CSRF}}
						for _, field := range fields {
							if !web.MultiLineField(field) {
								f.Set(field, v)
							}
						}
						check(
							name+" in a one-line field",
							send(t, c, inst.URL, m, plain, formType, strings.NewReader(f.Encode()), header),
						)
						continue
					}
					check(name+" in the form", send(t, c, inst.URL, m, plain, formType, form(v), header))
				}
				f := url.Values{"csrf_token": {c.CSRF}}
				for _, name := range []string{"name", "reason", "comment", "q", "code", "full_name", "email"} {
					f.Set(name, big)
				}
				check(
					"100 KB form values",
					send(t, c, inst.URL, m, plain, formType, strings.NewReader(f.Encode()), header),
				)
				over := "csrf_token=" + url.QueryEscape(c.CSRF) + "&comment=" + strings.Repeat("a", 1<<20)
				a := send(t, c, inst.URL, m, plain, formType, strings.NewReader(over), header)
				if !api && a.status != http.StatusRequestEntityTooLarge {
					t.Errorf("%s (%s) with a body over the limit: %d, want 413", pattern, m, a.status)
				}
				check("a body over the limit", a)
			}
		}
		if walked < 100 {
			t.Fatalf("walked %d routes: too few, did the route list change?", walked)
		}
		// The person and the staff member are still signed in: nothing
		// hostile reached a handler that ends a session.
		if p := person.Get("/menu"); p.Status != http.StatusOK {
			t.Fatalf("the person was signed out by the walk: %d %s", p.Status, p.Location)
		}
		if p := staff.Get("/staff"); p.Status != http.StatusOK {
			t.Fatalf("the staff member was signed out by the walk: %d %s", p.Status, p.Location)
		}
	})
}
