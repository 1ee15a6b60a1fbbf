package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"path"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// FuzzSafeReturnTo: whatever return_to holds, the portal sends people only
// to a path on its own site. An accepted value is returned unchanged, is
// UTF-8 without control characters or backslashes (which browsers drop or
// read as slashes), starts with exactly one slash, has no scheme, host or
// user, stays on the portal's host when resolved, and still starts with
// one slash after http.Redirect cleans it.
func FuzzSafeReturnTo(f *testing.F) {
	for _, s := range []string{
		"/menu", "/worksites/3?tab=members", "/staff/requests/12#decision", "/café", "/%2F%2Fevil.example",
		"", "menu", "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example", "/\t/evil.example",
		"/\n/evil.example", "/\r\n/evil.example", " /menu", "https://evil.example/", "javascript:alert(1)",
		"/..//evil.example", "/./../evil.example", "/%09/x", "/\x00", "/caf\xe9", "/\u2028/evil.example",
		"/\u3000/evil.example", "/@evil.example", "/x:y@evil.example", "http:/evil.example", "/?next=//evil.example",
	} {
		f.Add(s)
	}
	base, _ := url.Parse("https://portal.example/signin")
	f.Fuzz(func(t *testing.T, p string) {
		got := safeReturnTo(p)
		if got == "" {
			return
		}
		if got != p {
			t.Fatalf("safeReturnTo(%q) = %q: changed", p, got)
		}
		if !utf8.ValidString(p) || strings.ContainsRune(p, '\\') || strings.IndexFunc(p, unicode.IsControl) >= 0 {
			t.Fatalf("accepted %q, with characters browsers read otherwise", p)
		}
		if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
			t.Fatalf("accepted %q, not one leading slash", p)
		}
		u, err := url.Parse(p)
		if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
			t.Fatalf("accepted %q: %+v, %v", p, u, err)
		}
		if r := base.ResolveReference(u); r.Host != base.Host || r.Scheme != base.Scheme {
			t.Fatalf("accepted %q, which resolves to %s", p, r)
		}
		// http.Redirect cleans the path part of a local target.
		target, _, _ := strings.Cut(p, "?")
		if cleaned := path.Clean(target); !strings.HasPrefix(cleaned, "/") || strings.HasPrefix(cleaned, "//") {
			t.Fatalf("accepted %q, which http.Redirect cleans to %q", p, cleaned)
		}
	})
}

// sampleSCIMUser is a provisioned person with every attribute set.
func sampleSCIMUser(s *Server) scimUser {
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	return s.scimUserOf(&app.ProvisionedUser{
		Account: &portal.Account{ID: 7, Username: "dalia18", GivenNames: "Dalia Marie", Surname: "EIGHTEEN",
			PreferredFirstName: "Dee", Email: "dalia@example.ca", Phone: "+17788889999", Mobile: "+16045550134",
			Profession: portal.ProfPhysician},
		Request: &portal.AccessRequest{Status: portal.ARApproved, UserType: portal.UserType("independent"),
			GrantedScopes: []portal.DataScope{"demographics"}},
		Worksites: []store.ProvisionedWorksite{
			{Code: "W000001", Name: "Kingsgate Mall Clinic", HealthAuthority: "vch"},
		},
		Sponsors: []store.ProvisionedSponsor{{Username: "auth1", Name: "Ana Lee", WorksiteCode: "W000001",
			ResidencyEnd: "2027-06-30"}},
		RemoteAccess: true, Created: at, LastModified: at})
}

// knownPath reports whether path is a chain of the resource's JSON keys.
func knownPath(known map[string]map[string]scimAttrNode, p []string) bool {
	urn := ""
	if len(p) > 0 && p[0] == scimExtensionSchema {
		urn, p = scimExtensionSchema, p[1:]
		if len(p) == 0 {
			return true
		}
	}
	for _, n := range known[urn] {
		if n.key != p[0] {
			continue
		}
		if len(p) == 1 {
			return true
		}
		for _, sub := range n.sub {
			if len(p) == 2 && sub == p[1] {
				return true
			}
		}
	}
	return false
}

// keysOf lists the JSON keys of v, dotted, down to the leaves.
func keysOf(v any, prefix string, out map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, el := range x {
			out[prefix+k] = true
			keysOf(el, prefix+k+".", out)
		}
	case []any:
		for _, el := range x {
			keysOf(el, prefix, out)
		}
	}
}

// FuzzSCIMProjection: the attributes and excludedAttributes parameters
// either are refused with EINVALID (a 400 invalidValue) or select paths
// of the User resource only; the projected resource always keeps id and
// schemas, never gains a key, and loses every excluded attribute.
func FuzzSCIMProjection(f *testing.F) {
	for _, s := range [][2]string{
		{"userName", ""},
		{"userName,name.givenName", "emails"},
		{"", "phoneNumbers.value,meta"},
		{"urn:ietf:params:scim:schemas:core:2.0:User:userName", ""},
		{"urn:ietf:params:scim:schemas:extension:careconnect:2.0:User:worksites.worksiteId", ""},
		{"URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:CARECONNECT:2.0:USER", "id,schemas"},
		{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", ""},
		{"name.", ""}, {"name..givenName", ""}, {"a.b.c", ""}, {"1abc", ""}, {"user name", ""},
		{"userName\x00", ""}, {"caf\xe9", ""}, {strings.Repeat("a", 300), ""}, {"", ","}, {":", ""},
	} {
		f.Add(s[0], s[1])
	}
	s := &Server{}
	known := s.scimUserAttributes()
	b, _ := json.Marshal(sampleSCIMUser(s))
	var full map[string]any
	_ = json.Unmarshal(b, &full)
	fullKeys := map[string]bool{}
	keysOf(full, "", fullKeys)
	f.Fuzz(func(t *testing.T, attributes, excluded string) {
		list := func(v string) []string {
			var out []string
			for _, item := range strings.Split(v, ",") {
				if item = strings.TrimSpace(item); item != "" {
					out = append(out, item)
				}
			}
			return out
		}
		p, err := s.parseSCIMProjection(list(attributes), list(excluded))
		p2, err2 := s.parseSCIMProjection(list(attributes), list(excluded))
		if !reflect.DeepEqual(p, p2) || (err == nil) != (err2 == nil) {
			t.Fatalf("not deterministic: %+v %v, then %+v %v", p, err, p2, err2)
		}
		if err != nil {
			if portal.ErrorCode(err) != portal.EINVALID || !utf8.ValidString(portal.ErrorMessage(err)) {
				t.Fatalf("refused with %v", err)
			}
			return
		}
		if p == nil {
			return
		}
		for _, path := range slices.Concat(p.include, p.exclude) {
			if !knownPath(known, path) {
				t.Fatalf("selected %v, which the User resource does not have", path)
			}
		}
		res, ok := p.apply(sampleSCIMUser(s)).(map[string]any)
		if !ok {
			t.Fatalf("apply gave %T", res)
		}
		if res["id"] != full["id"] || res["schemas"] == nil {
			t.Fatalf("projection lost id or schemas: %v", res)
		}
		got := map[string]bool{}
		keysOf(res, "", got)
		for k := range got {
			if !fullKeys[k] {
				t.Fatalf("projection added %s", k)
			}
		}
		for _, path := range p.exclude {
			k := strings.Join(path, ".")
			if got[k] && k != "id" && k != "schemas" {
				t.Fatalf("excluded %s is still there", k)
			}
		}
	})
}

// FuzzSCIMSearchBody: a POST /Users/.search body either is refused as a
// 400 invalidSyntax (or 413 when too large) or names the SearchRequest
// schema, and its query is the body's filter with the default page where
// the body gives none.
func FuzzSCIMSearchBody(f *testing.F) {
	for _, s := range []string{
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName eq \"a\"",` +
			`"startIndex":3,"count":0,"attributes":["userName"],"excludedAttributes":["emails"]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"count":-5,"startIndex":-1}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"count":1e99}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"a\u0000b"}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"FILTER":"x","filter":"y"}`,
		`{"schemas":"urn:ietf:params:scim:api:messages:2.0:SearchRequest"}`,
		`{"schemas":[]}`, `[]`, `null`, `{}`, ``, `{`, "\xff", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]} trailing`,
	} {
		f.Add([]byte(s))
	}
	f.Add(bytes.Repeat([]byte(" "), maxSearchBody+1))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, q, err := decodeSCIMSearch(nil, bytes.NewReader(body))
		if err != nil {
			var se *apiStatusError
			if !errors.As(err, &se) {
				t.Fatalf("refused with %T %v", err, err)
			}
			switch {
			case se.status == http.StatusBadRequest && se.scimType == "invalidSyntax":
			case se.status == http.StatusRequestEntityTooLarge && len(body) > maxSearchBody:
			default:
				t.Fatalf("refused with %d %q for a %d-byte body", se.status, se.scimType, len(body))
			}
			return
		}
		if !slices.Contains(req.Schemas, scimSearchRequestSchema) {
			t.Fatalf("accepted without the SearchRequest schema: %+v", req)
		}
		want := app.UserQuery{Filter: req.Filter, StartIndex: 1, Count: app.DefaultUserPage}
		if req.StartIndex != nil {
			want.StartIndex = *req.StartIndex
		}
		if req.Count != nil {
			want.Count = *req.Count
		}
		if q != want {
			t.Fatalf("query %+v, want %+v", q, want)
		}
	})
}
