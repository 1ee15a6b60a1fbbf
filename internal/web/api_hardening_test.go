package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// apiDo calls the API with any method, an optional body and headers
// (name, value pairs); the answer must be JSON.
func apiDo(
	t *testing.T,
	inst *portaltest.Instance,
	method, authorization, path, body string,
	headers ...string,
) apiResponse {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, inst.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %.80s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := apiResponse{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
	recordSCIM(method, path, body, resp.Header.Get("Content-Type"), r.Status, b)
	if err := json.Unmarshal(b, &r.JSON); err != nil {
		t.Fatalf(
			"%s %.80s: %d %s, not JSON: %v\n%.300s",
			method,
			path,
			r.Status,
			resp.Header.Get("Content-Type"),
			err,
			r.Body,
		)
	}
	return r
}

// TestWeb_APIAuditBounded sends refused calls with long queries and a long
// user agent. A 500 KB address is refused before any handler runs; one just
// under the address limit reaches the API, and its audit row is bounded.
func TestWeb_APIAuditBounded(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		tok := bearer(apiToken(t, inst, "bulky", 90*24*time.Hour, app.TokenScopeSCIM))
		agent := strings.Repeat("Agent/1.0;", 1000)
		huge := apiDo(t, inst, http.MethodGet, tok, "/scim/v2/Users?count=many&pad="+strings.Repeat("a", 500_000), "",
			"User-Agent", agent)
		wantSCIMError(t, huge, 414, "")

		pad := strings.Repeat("a", 7_000)
		r := apiDo(t, inst, http.MethodGet, tok, "/scim/v2/Users?count=many&pad="+pad, "", "User-Agent", agent)
		wantSCIMError(t, r, 400, "invalidValue")

		evs := inst.Audit(t, portaltest.By(portal.ActorClient, "bulky"))
		if len(evs) != 1 || evs[0].Action != "api.scim_list" {
			t.Fatalf("audit %v", evs)
		}
		e := evs[0]
		if len(e.Details) > store.AuditDetailsMax {
			t.Errorf("details are %d bytes, over %d", len(e.Details), store.AuditDetailsMax)
		}
		var d map[string]string
		if err := json.Unmarshal([]byte(e.Details), &d); err != nil {
			t.Fatalf("details %q: %v", e.Details, err)
		}
		rawQuery := "count=many&pad=" + pad
		wantQuery := rawQuery[:store.AuditDetailValueMax] + "…[truncated: 7015 bytes in all]"
		if d["query"] != wantQuery || d["error"] != "count must be a whole number." {
			t.Errorf("details %.300s", e.Details)
		}
		// The request layer already cuts the user agent; the row keeps at
		// most the audit's bound of it, from its start.
		if want := agent[:store.AuditUserAgentMax] + "…[truncated: "; !strings.HasPrefix(e.UserAgent, want) ||
			len(e.UserAgent) > store.AuditUserAgentMax+40 {
			t.Errorf("user agent %.200q", e.UserAgent)
		}
	})
}

// TestWeb_APIFallbacks: every request under /scim/ and /api/ that no route
// serves is answered by the API in JSON, never by a page: 401 without a
// token, then 501 for a SCIM operation the API does not implement, 405 for
// another method on a path it has, 404 for a path it has not.
func TestWeb_APIFallbacks(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		tok := bearer(apiToken(t, inst, "fallback", 90*24*time.Hour, app.TokenScopeSCIM, app.TokenScopeEvents))
		eventsOnly := bearer(apiToken(t, inst, "events-only", 90*24*time.Hour, app.TokenScopeEvents))
		for _, c := range []struct {
			method, path string
			status       int
			allow        string
		}{
			{"POST", "/scim/v2/Users", 501, "GET"},
			{"PUT", "/scim/v2/Users/1", 501, "GET"},
			{"PATCH", "/scim/v2/Users/1", 501, "GET"},
			{"DELETE", "/scim/v2/Users/1", 501, "GET"},
			{"PUT", "/scim/v2/Users/.search", 405, "POST"},
			{"POST", "/scim/v2/Bulk", 501, ""},
			{"POST", "/scim/v2/.search", 501, ""},
			{"GET", "/scim/v2/Me", 501, ""},
			{"PATCH", "/scim/v2/Me", 501, ""},
			{"DELETE", "/scim/v2/ServiceProviderConfig", 405, "GET"},
			{"POST", "/scim/v2/Schemas/x", 405, "GET"},
			{"PUT", "/scim/v2/ResourceTypes", 405, "GET"},
			{"GET", "/scim/v2/Groups", 404, ""},
			{"POST", "/scim/v2/Groups", 404, ""},
			{"GET", "/scim/v2", 404, ""},
			{"GET", "/scim/v1/Users", 404, ""},
			{"GET", "/scim/v2/Users/1/extra", 404, ""},
			{"POST", "/api/v1/events", 405, "GET"},
			{"DELETE", "/api/v1/events", 405, "GET"},
			{"GET", "/api/v2/events", 404, ""},
			{"POST", "/api/v1/nothing", 404, ""},
		} {
			name := c.method + " " + c.path
			wantType := "application/scim+json"
			if strings.HasPrefix(c.path, "/api/") {
				wantType = "application/json"
			}
			r := apiDo(t, inst, c.method, "", c.path, "{}", "Content-Type", "application/scim+json")
			wantSCIMError(t, r, 401, "")
			if r.Header.Get("Content-Type") != wantType || r.Header.Get("WWW-Authenticate") != `Bearer realm="portal"` {
				t.Errorf("%s without a token: %v", name, r.Header)
			}
			r = apiDo(t, inst, c.method, tok, c.path, "{}", "Content-Type", "application/scim+json")
			wantSCIMError(t, r, c.status, "")
			if r.Header.Get("Content-Type") != wantType || r.Header.Get("Allow") != c.allow ||
				r.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("%s: %v", name, r.Header)
			}
		}
		r := apiDo(t, inst, "POST", eventsOnly, "/scim/v2/Users", "{}")
		wantSCIMError(t, r, 403, "")
		if ch := r.Header.Get("WWW-Authenticate"); ch != `Bearer realm="portal", error="insufficient_scope", scope="scim:read"` {
			t.Errorf("a token without the scope: %q", ch)
		}
		r = apiDo(t, inst, "POST", tok, "/scim/v2/Users", "{}")
		if d := jstr(r.JSON, "detail"); d != "POST is not supported on /scim/v2/Users: use GET. This SCIM API is read only." {
			t.Errorf("detail %q", d)
		}
		if d := jstr(apiDo(t, inst, "GET", tok, "/scim/v2/Me", "").JSON, "detail"); d != "/Me is not supported: a token belongs to a client system, not to a person." {
			t.Errorf("/Me detail %q", d)
		}
		if unsupported := inst.AuditCount(t, portaltest.By(portal.ActorClient, "fallback"), "api.unsupported"); unsupported != 16 {
			t.Errorf("%d calls audited as api.unsupported, want 16", unsupported)
		}
	})
}

// TestWeb_SCIMMetadataFilter: a filter on the metadata endpoints is refused
// with 403 (RFC 7644 section 4), not ignored.
func TestWeb_SCIMMetadataFilter(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		tok := bearer(apiToken(t, inst, "meta", 90*24*time.Hour, app.TokenScopeSCIM))
		for _, path := range []string{"/scim/v2/ServiceProviderConfig", "/scim/v2/Schemas", "/scim/v2/ResourceTypes",
			"/scim/v2/ResourceTypes/User", "/scim/v2/Schemas/" + scimExt} {
			r := apiGet(t, inst, tok, path+"?filter="+url.QueryEscape(`id eq "User"`))
			wantSCIMError(t, r, 403, "")
			if r.Header.Get("WWW-Authenticate") != "" ||
				!strings.Contains(jstr(r.JSON, "detail"), "cannot be filtered") {
				t.Errorf("%s: %v %s", path, r.Header, r.Body)
			}
			if r := apiGet(t, inst, tok, path); r.Status != 200 {
				t.Errorf("%s without a filter: %d", path, r.Status)
			}
		}
	})
}

// TestWeb_SCIMFilterEscapes: a filter is read with SCIM's grammar, so a
// backslash written once after HXBC is not a line break that silently
// matches nobody.
func TestWeb_SCIMFilterEscapes(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		now := inst.Clock.Now()
		nancy := apiAccount(t, inst.DB, "nancy", portal.ProfPhysician, now)
		fixture.Provision(
			t,
			inst.DB,
			nancy,
			now.Add(-time.Hour),
			"demographics",
			fixture.ApprovedWorksite(t, inst.DB, "Harbour Clinic", "101", now, nil, nancy),
		)
		tok := bearer(apiToken(t, inst, "viewer", 90*24*time.Hour, app.TokenScopeSCIM))
		for _, f := range []string{`userName eq "HXBC\nancy"`, `userName eq "HXBC\\nancy"`, `userName eq "nancy"`, `userName eq "n\u0061ncy"`} {
			r := apiGet(t, inst, tok, "/scim/v2/Users?filter="+url.QueryEscape(f))
			if r.Status != 200 || jint(r.JSON, "totalResults") != 1 ||
				jstr(r.JSON, "Resources", 0, "userName") != `HXBC\nancy` {
				t.Errorf("%s: %d %s", f, r.Status, r.Body)
			}
		}
		for _, f := range []string{`userName eq "nancy\n"`, `userName eq "na\ncy"`, `userName eq "nan\cy"`, `userName eq "nancy" or userName eq "x"`} {
			wantSCIMError(t, apiGet(t, inst, tok, "/scim/v2/Users?filter="+url.QueryEscape(f)), 400, "invalidFilter")
		}
	})
}

// keysOf lists the keys of a decoded JSON object, sorted.
func keysOf(v any) []string {
	m, _ := v.(map[string]any)
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

const searchSchema = `"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]`

// TestWeb_SCIMSearch: POST /Users/.search (RFC 7644 section 3.4.3) answers
// as GET /Users does, with its parameters in the body.
func TestWeb_SCIMSearch(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		p := setUpAPIPeople(t, inst)
		tok := bearer(apiToken(t, inst, "searcher", 90*24*time.Hour, app.TokenScopeSCIM))
		search := func(body string) apiResponse {
			return apiDo(t, inst, "POST", tok, "/scim/v2/Users/.search", body, "Content-Type", "application/scim+json")
		}
		r := search(
			`{` + searchSchema + `,"filter":"userName eq \"HXBC\\\\moa\"","attributes":["userName","name.givenName"]}`,
		)
		if r.Status != 200 || r.Header.Get("Content-Type") != "application/scim+json" ||
			jint(r.JSON, "totalResults") != 1 ||
			jstr(r.JSON, "schemas", 0) != "urn:ietf:params:scim:api:messages:2.0:ListResponse" {
			t.Fatalf("search: %d %s", r.Status, r.Body)
		}
		res := jget(r.JSON, "Resources", 0)
		if got := keysOf(res); !slices.Equal(got, []string{"id", "name", "schemas", "userName"}) ||
			jstr(res, "id") != apiID(p.moa) || !slices.Equal(keysOf(jget(res, "name")), []string{"givenName"}) {
			t.Errorf("attributes: %v %s", got, r.Body)
		}
		r = search(`{` + searchSchema + `,"startIndex":2,"count":1,"sortBy":"userName"}`)
		if got := resourceIDs(r); r.Status != 200 || !slices.Equal(got, []string{apiID(p.moa)}) ||
			jint(r.JSON, "totalResults") != 3 ||
			jint(r.JSON, "startIndex") != 2 {
			t.Errorf("paging: %d %s", r.Status, r.Body)
		}
		if r := search(`{` + searchSchema + `}`); jint(r.JSON, "totalResults") != 3 || jlen(r.JSON, "Resources") != 3 {
			t.Errorf("no parameters: %s", r.Body)
		}
		wantSCIMError(t, search(`{"filter":"userName eq \"moa\""}`), 400, "invalidSyntax")
		wantSCIMError(t, search(`{`+searchSchema+`,"count":"ten"}`), 400, "invalidSyntax")
		wantSCIMError(t, search(`not json`), 400, "invalidSyntax")
		wantSCIMError(t, search(`{`+searchSchema+`,"filter":"displayName eq \"x\""}`), 400, "invalidFilter")
		wantSCIMError(t, search(`{`+searchSchema+`,"attributes":["name..givenName"]}`), 400, "invalidValue")
		wantSCIMError(t, search(`{`+searchSchema+`,"filter":"`+strings.Repeat("x", 70_000)+`"}`), 413, "")
		r = apiGet(t, inst, tok, "/scim/v2/Users/.search")
		wantSCIMError(t, r, 405, "")
		if r.Header.Get("Allow") != "POST" {
			t.Errorf("GET .search: Allow %q", r.Header.Get("Allow"))
		}
		if lists := inst.AuditCount(t, portaltest.By(portal.ActorClient, "searcher"), "api.scim_list"); lists != 9 {
			t.Errorf("%d searches audited, want 9", lists)
		}
	})
}

// TestWeb_SCIMAttributes: attributes and excludedAttributes on /Users and
// /Users/{id} (RFC 7644 sections 3.4.2.5, 3.9): id and schemas always
// come back, an extension goes by its URN, unknown names select nothing.
func TestWeb_SCIMAttributes(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		p := setUpAPIPeople(t, inst)
		tok := bearer(apiToken(t, inst, "viewer", 90*24*time.Hour, app.TokenScopeSCIM))
		doc := "/scim/v2/Users/" + apiID(p.doc)

		r := apiGet(t, inst, tok, "/scim/v2/Users?attributes=userName")
		for i := range 3 {
			if got := keysOf(jget(r.JSON, "Resources", i)); !slices.Equal(got, []string{"id", "schemas", "userName"}) {
				t.Errorf("list resource %d: %v", i, got)
			}
		}
		r = apiGet(t, inst, tok, doc+"?excludedAttributes="+url.QueryEscape(scimExt+",emails,id,schemas,meta.location"))
		if r.Status != 200 || jget(r.JSON, scimExt) != nil || jget(r.JSON, "emails") != nil || jstr(r.JSON, "id") != apiID(p.doc) ||
			jlen(r.JSON, "schemas") != 2 || jstr(r.JSON, "userName") != `HXBC\doc` ||
			jget(r.JSON, "meta", "location") != nil ||
			jstr(r.JSON, "meta", "resourceType") != "User" ||
			r.Header.Get("Content-Location") != inst.URL+doc {
			t.Errorf("excluded: %d %s", r.Status, r.Body)
		}
		attrs := strings.Join(
			[]string{
				scimExt + ":worksites.worksiteId",
				"EMAILS.value",
				"urn:ietf:params:scim:schemas:core:2.0:User:displayName",
				"nickName",
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
				"name.middleName",
			},
			",",
		)
		r = apiGet(t, inst, tok, doc+"?attributes="+url.QueryEscape(attrs))
		if got := keysOf(r.JSON); !slices.Equal(got, []string{"displayName", "emails", "id", "schemas", scimExt}) {
			t.Errorf("attributes: %v", got)
		}
		if !slices.Equal(keysOf(jget(r.JSON, scimExt)), []string{"worksites"}) ||
			!slices.Equal(keysOf(jget(r.JSON, scimExt, "worksites", 0)), []string{"worksiteId"}) ||
			jstr(r.JSON, scimExt, "worksites", 0, "worksiteId") != string(p.clinic.Code) ||
			!slices.Equal(
				keysOf(jget(r.JSON, "emails", 0)),
				[]string{"value"},
			) || jstr(r.JSON, "emails", 0, "value") != "doc@example.ca" {
			t.Errorf("sub-attributes: %s", r.Body)
		}
		r = apiGet(t, inst, tok, doc+"?attributes="+url.QueryEscape(scimExt))
		if got := keysOf(r.JSON); !slices.Equal(got, []string{"id", "schemas", scimExt}) ||
			jstr(r.JSON, scimExt, "profession") != "physician" {
			t.Errorf("the extension by its URN: %v", got)
		}
		if r := apiGet(t, inst, tok, doc+"?attributes=nickName"); !slices.Equal(
			keysOf(r.JSON),
			[]string{"id", "schemas"},
		) {
			t.Errorf("only unknown names: %s", r.Body)
		}
		for _, q := range []string{"attributes=name..givenName", "excludedAttributes=" + url.QueryEscape("user name"), "attributes=1abc"} {
			wantSCIMError(t, apiGet(t, inst, tok, doc+"?"+q), 400, "invalidValue")
			wantSCIMError(t, apiGet(t, inst, tok, "/scim/v2/Users?"+q), 400, "invalidValue")
		}
	})
}
