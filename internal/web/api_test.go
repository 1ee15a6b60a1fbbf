package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
	"github.com/bcgov-example/careconnect-portal/internal/web"
)

const scimExt = "urn:ietf:params:scim:schemas:extension:careconnect:2.0:User"

// apiResponse is an answer of the provisioning API with its JSON decoded.
type apiResponse struct {
	Status int
	Header http.Header
	Body   string
	JSON   map[string]any
}

// apiGet calls the API with an Authorization header ("" for none).
func apiGet(t *testing.T, inst *portaltest.Instance, authorization, path string) apiResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, inst.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := apiResponse{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
	recordSCIM(http.MethodGet, path, "", resp.Header.Get("Content-Type"), r.Status, b)
	if err := json.Unmarshal([]byte(r.Body), &r.JSON); err != nil {
		t.Fatalf("GET %s: %d, not JSON: %v\n%s", path, r.Status, err, r.Body)
	}
	return r
}

func bearer(token string) string { return "Bearer " + token }

// jget walks decoded JSON by object keys and array indexes; nil when absent.
func jget(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			a, ok := v.([]any)
			if !ok || k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

func jstr(v any, path ...any) string { s, _ := jget(v, path...).(string); return s }

func jint(v any, path ...any) int { f, _ := jget(v, path...).(float64); return int(f) }

func jlen(v any, path ...any) int { a, _ := jget(v, path...).([]any); return len(a) }

// apiToken creates a token for the portal's clients.
func apiToken(t *testing.T, inst *portaltest.Instance, name string, lifetime time.Duration, scopes ...string) string {
	t.Helper()
	raw, _, err := inst.Portal.App.CreateToken(context.Background(), portal.RequestMeta{}, "officer.one",
		app.TokenInput{Name: name, Scopes: scopes, Lifetime: lifetime})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// apiAccount inserts an account of a profession straight into the store,
// with a preferred first name and a mobile number.
func apiAccount(t *testing.T, db *store.DB, key string, prof portal.Profession, now time.Time) *portal.Account {
	t.Helper()
	return fixture.Account(t, db, key, now, fixture.Profession(prof), func(a *portal.Account) {
		a.PreferredFirstName, a.Mobile = "Pref"+key, "+16045550199"
	})
}

// apiPeople sets up a physician and the MOA she sponsors (both approved),
// a suspended pharmacist, a deprovisioned one and one whose request waits.
type apiPeople struct {
	doc, moa, susp, gone, waiting *portal.Account
	clinic                        *portal.Worksite
	t1, t2, t3                    time.Time
}

func setUpAPIPeople(t *testing.T, inst *portaltest.Instance) apiPeople {
	t.Helper()
	ctx, db := context.Background(), inst.DB
	now := inst.Clock.Now()
	p := apiPeople{t1: now.Add(-3 * time.Hour), t2: now.Add(-2 * time.Hour), t3: now.Add(-time.Hour)}
	p.doc = apiAccount(t, db, "doc", portal.ProfPhysician, now)
	p.moa = apiAccount(t, db, "moa", portal.ProfMOA, now)
	p.susp = apiAccount(t, db, "susp", portal.ProfPharmacist, now)
	p.gone = apiAccount(t, db, "gone", portal.ProfPharmacist, now)
	p.waiting = apiAccount(t, db, "waiting", portal.ProfPharmacist, now)
	p.clinic = fixture.ApprovedWorksite(
		t,
		db,
		"Harbour Clinic",
		"101",
		now,
		nil,
		p.doc,
		p.moa,
		p.susp,
		p.gone,
		p.waiting,
	)
	fixture.Provision(t, db, p.doc, p.t1, "demographics,laboratory_results,pharmanet_medications", p.clinic)
	fixture.Provision(t, db, p.moa, p.t2, "demographics,laboratory_results", p.clinic)
	fixture.Provision(t, db, p.susp, p.t3, "demographics", p.clinic, portal.ARSuspended)
	fixture.Provision(t, db, p.gone, p.t3, "demographics", p.clinic, portal.ARSuspended, portal.ARDeprovisioned)
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateAccessRequest(ctx, &portal.AccessRequest{AccountID: p.waiting.ID, Status: portal.ARSubmitted,
			UserType: portal.UserIndependent, Profession: portal.ProfPharmacist, FirstName: "W", LastName: "W", Job: "Pharmacist",
			CreatedAt: p.t3, UpdatedAt: p.t3, WorksiteIDs: []portal.WorksiteID{p.clinic.ID}}); err != nil {
			return err
		}
		s := &portal.Sponsorship{
			OBOAccountID:        p.moa.ID,
			AuthorizerAccountID: p.doc.ID,
			WorksiteID:          p.clinic.ID,
			CreatedAt:           p.t1,
		}
		if err := tx.CreateSponsorship(ctx, s); err != nil {
			return err
		}
		_, err := tx.DecideSponsorship(ctx, s.ID, true, "", p.t1)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func apiID(a *portal.Account) string { return strconv.FormatInt(int64(a.ID), 10) }

func resourceIDs(r apiResponse) []string {
	var out []string
	for i := range jlen(r.JSON, "Resources") {
		out = append(out, jstr(r.JSON, "Resources", i, "id"))
	}
	return out
}

func wantSCIMError(t *testing.T, r apiResponse, status int, scimType string) {
	t.Helper()
	if r.Status != status || jstr(r.JSON, "status") != strconv.Itoa(status) || jstr(r.JSON, "scimType") != scimType ||
		jstr(r.JSON, "schemas", 0) != "urn:ietf:params:scim:api:messages:2.0:Error" || jstr(r.JSON, "detail") == "" {
		t.Fatalf("got %d %s, want a SCIM error %d %q", r.Status, r.Body, status, scimType)
	}
}

func TestWeb_SCIMUsers(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		p := setUpAPIPeople(t, inst)
		tok := bearer(apiToken(t, inst, "viewer", 90*24*time.Hour, app.TokenScopeSCIM))

		r := apiGet(t, inst, tok, "/scim/v2/Users")
		if r.Status != 200 || r.Header.Get("Content-Type") != "application/scim+json" ||
			r.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("list: %d %v", r.Status, r.Header)
		}
		if jstr(r.JSON, "schemas", 0) != "urn:ietf:params:scim:api:messages:2.0:ListResponse" || jint(r.JSON, "totalResults") != 3 ||
			jint(r.JSON, "startIndex") != 1 ||
			jint(r.JSON, "itemsPerPage") != 3 ||
			!strings.Contains(r.Body, `"Resources":[`) {
			t.Fatalf("list response %s", r.Body)
		}
		if got, want := resourceIDs(r), []string{apiID(p.doc), apiID(p.moa), apiID(p.susp)}; !slices.Equal(got, want) {
			t.Fatalf("listed %v, want %v (not the deprovisioned person, nor the one waiting)", got, want)
		}

		doc := jget(r.JSON, "Resources", 0)
		for _, c := range []struct{ got, want string }{
			{jstr(doc, "schemas", 0), "urn:ietf:params:scim:schemas:core:2.0:User"},
			{jstr(doc, "schemas", 1), scimExt},
			{jstr(doc, "userName"), `HXBC\doc`},
			{jstr(doc, "name", "givenName"), "Givendoc"},
			{jstr(doc, "name", "familyName"), "SURNAME"},
			{jstr(doc, "name", "formatted"), "Givendoc SURNAME"},
			{jstr(doc, "displayName"), "Prefdoc SURNAME"},
			{jstr(doc, "emails", 0, "value"), "doc@example.ca"},
			{jstr(doc, "phoneNumbers", 0, "value"), "+17788889999"},
			{jstr(doc, "phoneNumbers", 1, "type"), "mobile"},
			{jstr(doc, "meta", "resourceType"), "User"},
			{jstr(doc, "meta", "created"), p.t1.UTC().Format("2006-01-02T15:04:05.000Z")},
			{jstr(doc, "meta", "lastModified"), p.t1.UTC().Format("2006-01-02T15:04:05.000Z")},
			{jstr(doc, "meta", "location"), inst.URL + "/scim/v2/Users/" + apiID(p.doc)},
			{jstr(doc, scimExt, "userType"), "authorizer"},
			{jstr(doc, scimExt, "profession"), "physician"},
			{jstr(doc, scimExt, "worksites", 0, "worksiteId"), string(p.clinic.Code)},
			{jstr(doc, scimExt, "worksites", 0, "name"), "Harbour Clinic"},
			{jstr(doc, scimExt, "worksites", 0, "healthAuthority"), "Vancouver Coastal Health"},
			{jstr(doc, scimExt, "dataScopes", 2), "pharmanet_medications"},
		} {
			if c.got != c.want {
				t.Errorf("got %q, want %q", c.got, c.want)
			}
		}
		if jget(doc, "active") != true || jget(doc, "emails", 0, "primary") != true || jget(doc, scimExt, "remoteAccess") != false ||
			jlen(doc, scimExt, "sponsors") != 0 ||
			jget(doc, "externalId") != nil ||
			jget(doc, "password") != nil {
			t.Errorf("doctor %v", doc)
		}
		moa := jget(r.JSON, "Resources", 1)
		if jstr(moa, scimExt, "userType") != "on_behalf_of" || jlen(moa, scimExt, "sponsors") != 1 ||
			jstr(
				moa,
				scimExt,
				"sponsors",
				0,
				"userName",
			) != `HXBC\doc` || jstr(moa, scimExt, "sponsors", 0, "displayName") != "Prefdoc SURNAME" ||
			jstr(moa, scimExt, "sponsors", 0, "worksiteId") != string(p.clinic.Code) {
			t.Errorf("MOA %v", moa)
		}
		if susp := jget(r.JSON, "Resources", 2); jget(susp, "active") != false {
			t.Errorf("suspended person is active: %v", susp)
		}

		t.Run("FilterUserName", func(t *testing.T) {
			for _, f := range []string{`userName eq "HXBC\\moa"`, `userName eq "moa"`, `username EQ "HXBC\moa"`} {
				r := apiGet(t, inst, tok, "/scim/v2/Users?filter="+url.QueryEscape(f))
				if got := resourceIDs(r); r.Status != 200 || jint(r.JSON, "totalResults") != 1 ||
					!slices.Equal(got, []string{apiID(p.moa)}) {
					t.Errorf("%s: %d %v", f, r.Status, got)
				}
			}
			r := apiGet(t, inst, tok, "/scim/v2/Users?filter="+url.QueryEscape(`userName eq "waiting"`))
			if r.Status != 200 || jint(r.JSON, "totalResults") != 0 || jlen(r.JSON, "Resources") != 0 {
				t.Errorf("a person not provisioned: %s", r.Body)
			}
		})

		t.Run("FilterLastModified", func(t *testing.T) {
			since := p.t1.UTC().Format(time.RFC3339Nano)
			r := apiGet(t, inst, tok, "/scim/v2/Users?filter="+url.QueryEscape(`meta.lastModified gt "`+since+`"`))
			if got := resourceIDs(r); r.Status != 200 || !slices.Equal(got, []string{apiID(p.moa), apiID(p.susp)}) {
				t.Errorf("changed after t1: %d %v", r.Status, got)
			}
			f := `userName eq "HXBC\\susp" and meta.lastModified gt "` + p.t2.Format(time.RFC3339) + `"`
			r = apiGet(t, inst, tok, "/scim/v2/Users?filter="+url.QueryEscape(f))
			if got := resourceIDs(r); !slices.Equal(got, []string{apiID(p.susp)}) {
				t.Errorf("both: %v", got)
			}
		})

		t.Run("Paging", func(t *testing.T) {
			r := apiGet(t, inst, tok, "/scim/v2/Users?startIndex=2&count=1")
			if got := resourceIDs(r); !slices.Equal(got, []string{apiID(p.moa)}) || jint(r.JSON, "totalResults") != 3 ||
				jint(r.JSON, "startIndex") != 2 || jint(r.JSON, "itemsPerPage") != 1 {
				t.Errorf("page 2: %s", r.Body)
			}
			r = apiGet(t, inst, tok, "/scim/v2/Users?count=0")
			if jint(r.JSON, "totalResults") != 3 || jlen(r.JSON, "Resources") != 0 ||
				!strings.Contains(r.Body, `"Resources":[]`) {
				t.Errorf("count=0: %s", r.Body)
			}
			r = apiGet(t, inst, tok, "/scim/v2/Users?startIndex=9")
			if r.Status != 200 || jint(r.JSON, "totalResults") != 3 || jlen(r.JSON, "Resources") != 0 {
				t.Errorf("beyond the end: %s", r.Body)
			}
			r = apiGet(t, inst, tok, "/scim/v2/Users?startIndex=-4&count=9999")
			if jint(r.JSON, "startIndex") != 1 || jlen(r.JSON, "Resources") != 3 {
				t.Errorf("out-of-range paging not clamped: %s", r.Body)
			}
		})

		t.Run("BadRequests", func(t *testing.T) {
			for _, f := range []string{`displayName eq "x"`, `userName sw "d"`, `userName eq "a" or userName eq "b"`, `(userName eq "a")`, `garbage`} {
				r := apiGet(t, inst, tok, "/scim/v2/Users?filter="+url.QueryEscape(f))
				wantSCIMError(t, r, 400, "invalidFilter")
				if r.Header.Get("Content-Type") != "application/scim+json" {
					t.Errorf("content type %q", r.Header.Get("Content-Type"))
				}
			}
			wantSCIMError(t, apiGet(t, inst, tok, "/scim/v2/Users?count=many"), 400, "invalidValue")
		})

		t.Run("Get", func(t *testing.T) {
			r := apiGet(t, inst, tok, "/scim/v2/Users/"+apiID(p.doc))
			if r.Status != 200 || jstr(r.JSON, "id") != apiID(p.doc) || jstr(r.JSON, "userName") != `HXBC\doc` ||
				r.Header.Get("Content-Type") != "application/scim+json" {
				t.Fatalf("get: %d %s", r.Status, r.Body)
			}
			if r := apiGet(t, inst, tok, "/scim/v2/Users/"+apiID(p.susp)); r.Status != 200 ||
				jget(r.JSON, "active") != false {
				t.Errorf("suspended: %d %s", r.Status, r.Body)
			}
			for _, who := range []string{apiID(p.waiting), apiID(p.gone), "999999", "doc"} {
				wantSCIMError(t, apiGet(t, inst, tok, "/scim/v2/Users/"+who), 404, "")
			}
		})

		t.Run("ServiceProviderConfig", func(t *testing.T) {
			r := apiGet(t, inst, tok, "/scim/v2/ServiceProviderConfig")
			if r.Status != 200 || jget(r.JSON, "patch", "supported") != false || jget(r.JSON, "bulk", "supported") != false ||
				jget(r.JSON, "sort", "supported") != false ||
				jget(r.JSON, "etag", "supported") != false ||
				jget(r.JSON, "filter", "supported") != true ||
				jstr(r.JSON, "authenticationSchemes", 0, "type") != "oauthbearertoken" {
				t.Errorf("config %s", r.Body)
			}
			r = apiGet(t, inst, tok, "/scim/v2/Schemas")
			var ids []string
			for i := range jlen(r.JSON, "Resources") {
				ids = append(ids, jstr(r.JSON, "Resources", i, "id"))
			}
			if !slices.Contains(ids, scimExt) || !slices.Contains(ids, "urn:ietf:params:scim:schemas:core:2.0:User") {
				t.Errorf("schemas %v", ids)
			}
			if r := apiGet(t, inst, tok, "/scim/v2/Schemas/"+scimExt); r.Status != 200 ||
				jstr(r.JSON, "id") != scimExt {
				t.Errorf("extension schema: %d", r.Status)
			}
			if r := apiGet(t, inst, tok, "/scim/v2/ResourceTypes"); r.Status != 200 ||
				jstr(r.JSON, "Resources", 0, "schemaExtensions", 0, "schema") != scimExt {
				t.Errorf("resource types: %s", r.Body)
			}
		})

		t.Run("Audited", func(t *testing.T) {
			counts := map[string]int{}
			for _, e := range inst.Audit(t, portaltest.By(portal.ActorClient, "viewer")) {
				counts[e.Action]++
				if e.RequestID == "" || e.IP == "" {
					t.Errorf("audit row without its request: %+v", e)
				}
			}
			if counts["api.scim_list"] < 10 || counts["api.scim_get"] < 6 || counts["api.scim_metadata"] < 4 {
				t.Errorf("audited %v", counts)
			}
		})
	})
}

func TestWeb_APIFeed(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		p := setUpAPIPeople(t, inst)
		tok := bearer(apiToken(t, inst, "feed", 90*24*time.Hour, app.TokenScopeEvents))
		type ev struct{ ID, Type, User string }
		var got []ev
		cursor, pages := "", 0
		for pages < 10 {
			r := apiGet(t, inst, tok, "/api/v1/events?limit=2&after="+url.QueryEscape(cursor))
			if r.Status != 200 || r.Header.Get("Content-Type") != "application/json" ||
				r.Header.Get("Cache-Control") != "no-store" {
				t.Fatalf("feed: %d %v %s", r.Status, r.Header, r.Body)
			}
			pages++
			for i := range jlen(r.JSON, "events") {
				e := ev{
					jstr(r.JSON, "events", i, "id"),
					jstr(r.JSON, "events", i, "type"),
					jstr(r.JSON, "events", i, "userId"),
				}
				if _, err := time.Parse(time.RFC3339, jstr(r.JSON, "events", i, "occurredAt")); err != nil {
					t.Errorf("occurredAt: %v", err)
				}
				got = append(got, e)
			}
			if jstr(r.JSON, "next") == "" {
				t.Fatalf("no cursor: %s", r.Body)
			}
			cursor = jstr(r.JSON, "next")
			if jget(r.JSON, "hasMore") != true {
				break
			}
		}
		want := []ev{
			{"", "user.provisioned", apiID(p.doc)}, {"", "user.provisioned", apiID(p.moa)},
			{"", "user.provisioned", apiID(p.susp)}, {"", "user.suspended", apiID(p.susp)},
			{
				"",
				"user.provisioned",
				apiID(p.gone),
			}, {"", "user.suspended", apiID(p.gone)}, {"", "user.deprovisioned", apiID(p.gone)},
		}
		if len(got) != len(want) || pages != 4 {
			t.Fatalf("%d events in %d pages, want %d in 4: %v", len(got), pages, len(want), got)
		}
		prev := int64(0)
		for i, e := range got {
			n, err := strconv.ParseInt(e.ID, 10, 64)
			if err != nil || n <= prev {
				t.Fatalf("event ids not increasing: %v", got)
			}
			prev = n
			if e.Type != want[i].Type || e.User != want[i].User {
				t.Errorf("event %d: %+v, want %+v", i, e, want[i])
			}
		}
		if cursor != got[len(got)-1].ID {
			t.Errorf("final cursor %q, want the last id %q", cursor, got[len(got)-1].ID)
		}

		// Caught up: nothing, and the same cursor.
		r := apiGet(t, inst, tok, "/api/v1/events?after="+cursor)
		if r.Status != 200 || jlen(r.JSON, "events") != 0 || jstr(r.JSON, "next") != cursor ||
			!strings.Contains(r.Body, `"events":[]`) {
			t.Errorf("caught up: %s", r.Body)
		}
		// A new change shows up after the cursor.
		if err := inst.DB.InTx(context.Background(), func(tx *store.Tx) error {
			return tx.AppendProvisioningEvent(context.Background(), p.doc.ID, app.ProvUserUpdated, "{}", inst.Clock.Now())
		}); err != nil {
			t.Fatal(err)
		}
		r = apiGet(t, inst, tok, "/api/v1/events?after="+cursor)
		if jlen(r.JSON, "events") != 1 || jstr(r.JSON, "events", 0, "type") != "user.updated" ||
			jstr(r.JSON, "events", 0, "userId") != apiID(p.doc) {
			t.Errorf("new change: %s", r.Body)
		}
		if r := apiGet(t, inst, tok, "/api/v1/events"); jlen(r.JSON, "events") != 8 {
			t.Errorf("default page: %d events", jlen(r.JSON, "events"))
		}
		for _, q := range []string{"after=abc", "after=-1", "limit=0", "limit=x"} {
			r := apiGet(t, inst, tok, "/api/v1/events?"+q)
			wantSCIMError(t, r, 400, "invalidValue")
			if r.Header.Get("Content-Type") != "application/json" {
				t.Errorf("%s: content type %q", q, r.Header.Get("Content-Type"))
			}
		}
		evs := inst.Audit(t, portaltest.By(portal.ActorClient, "feed"))
		if len(evs) < 7 || evs[0].Action != "api.events" {
			t.Errorf("audit %+v", evs)
		}
	})
}

// TestWeb_APIAuthorisation walks every route of the provisioning API with
// no token, bad tokens, revoked and expired tokens and tokens of the other
// scope: each is refused with JSON, never a page.
func TestWeb_APIAuthorisation(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		both := apiToken(t, inst, "both", 90*24*time.Hour, app.TokenScopeSCIM, app.TokenScopeEvents)
		scimOnly := apiToken(t, inst, "scim-only", 90*24*time.Hour, app.TokenScopeSCIM)
		eventsOnly := apiToken(t, inst, "events-only", 90*24*time.Hour, app.TokenScopeEvents)
		revoked := apiToken(t, inst, "revoked", 90*24*time.Hour, app.TokenScopeSCIM, app.TokenScopeEvents)
		expired := apiToken(t, inst, "expired", time.Hour, app.TokenScopeSCIM, app.TokenScopeEvents)
		if _, err := inst.Portal.App.RevokeToken(context.Background(), portal.RequestMeta{}, "officer.one", "revoked"); err != nil {
			t.Fatal(err)
		}
		inst.Clock.Advance(2 * time.Hour)

		var walked []string
		for _, pattern := range web.RoutePatterns(inst.Portal.Server) {
			method, path, ok := strings.Cut(pattern, " ")
			if !ok {
				method, path = "", pattern // a catch-all, any method
			}
			if !strings.HasPrefix(path, "/scim/") && !strings.HasPrefix(path, "/api/") {
				continue
			}
			if method != "GET" && method != "" && pattern != "POST /scim/v2/Users/.search" {
				t.Errorf("route %s: the API is read-only", pattern)
				continue
			}
			call := func(auth, path string) apiResponse {
				if method == "POST" {
					return apiDo(
						t,
						inst,
						method,
						auth,
						path,
						`{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]}`,
					)
				}
				return apiGet(t, inst, auth, path)
			}
			path = strings.NewReplacer("{id}", "1").Replace(path)
			if strings.HasSuffix(path, "/") {
				path += "nothing-here"
			}
			var scope, wrong string
			switch {
			case strings.HasPrefix(path, "/api/v1/events"):
				scope, wrong = app.TokenScopeEvents, scimOnly
			case strings.HasSuffix(path, "/nothing-here"):
			case strings.HasPrefix(path, "/scim/"):
				scope, wrong = app.TokenScopeSCIM, eventsOnly
			default:
				t.Errorf("route %s is not covered by this walk: add it", pattern)
				continue
			}
			walked = append(walked, path)
			for name, auth := range map[string]string{
				"no token": "", "empty bearer": "Bearer ", "basic": "Basic dXNlcjpwYXNz", "unknown token": bearer("ccp_" + strings.Repeat("Z", 43)),
				"malformed token": bearer("not-a-token"), "revoked token": bearer(revoked), "expired token": bearer(expired),
			} {
				r := call(auth, path)
				wantSCIMError(t, r, 401, "")
				ch := r.Header.Get("WWW-Authenticate")
				if !strings.HasPrefix(ch, `Bearer realm="portal"`) ||
					(auth != "" && name != "basic" && name != "empty bearer" && !strings.Contains(ch, `error="invalid_token"`)) {
					t.Errorf("%s %s: WWW-Authenticate %q", name, path, ch)
				}
				if ct := r.Header.Get("Content-Type"); strings.Contains(ct, "html") ||
					r.Header.Get("Cache-Control") != "no-store" {
					t.Errorf("%s %s: %q %q", name, path, ct, r.Header.Get("Cache-Control"))
				}
			}
			if wrong != "" {
				r := call(bearer(wrong), path)
				wantSCIMError(t, r, 403, "")
				if ch := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(
					ch,
					`Bearer realm="portal", error="insufficient_scope"`,
				) ||
					!strings.Contains(ch, scope) {
					t.Errorf("%s: WWW-Authenticate %q", path, ch)
				}
			}
			r := call(bearer(both), path)
			if r.Status != 200 && r.Status != 404 {
				t.Errorf("%s with a good token: %d %s", path, r.Status, r.Body)
			}
		}
		for _, must := range []string{"/scim/v2/Users", "/scim/v2/Users/1", "/scim/v2/Users/.search", "/scim/v2/ServiceProviderConfig", "/scim/v2/Schemas", "/api/v1/events"} {
			if !slices.Contains(walked, must) {
				t.Errorf("route %s not registered", must)
			}
		}
		evs := inst.Audit(t, portaltest.By(portal.ActorClient, "events-only"))
		if len(evs) == 0 || evs[0].Action != "api.forbidden" {
			t.Errorf("refusal not audited: %+v", evs)
		}
	})
}

func TestWeb_APIRateLimit(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		tok := bearer(apiToken(t, inst, "busy", 90*24*time.Hour, app.TokenScopeSCIM, app.TokenScopeEvents))
		if r := apiGet(t, inst, tok, "/api/v1/events"); r.Status != 200 {
			t.Fatalf("first call: %d", r.Status)
		}
		// Use up the hour's allowance.
		if _, err := inst.DB.SQL().Exec(store.Rebind(inst.DB.Dialect(), "UPDATE rate_limits SET hits = 6000 WHERE bucket = ?"), "api-token:busy"); err != nil {
			t.Fatal(err)
		}
		r := apiGet(t, inst, tok, "/scim/v2/Users")
		wantSCIMError(t, r, 429, "")
		if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 3600 {
			t.Errorf("Retry-After %q", r.Header.Get("Retry-After"))
		}
		other := bearer(apiToken(t, inst, "quiet", 90*24*time.Hour, app.TokenScopeSCIM))
		if r := apiGet(t, inst, other, "/scim/v2/Users"); r.Status != 200 {
			t.Errorf("another token is limited too: %d", r.Status)
		}
		inst.Clock.Advance(time.Hour)
		if r := apiGet(t, inst, tok, "/scim/v2/Users"); r.Status != 200 {
			t.Errorf("next hour: %d", r.Status)
		}
	})
}

// feedIDs lists the ids of a feed page.
func feedIDs(r apiResponse) []string {
	var out []string
	for i := range jlen(r.JSON, "events") {
		out = append(out, jstr(r.JSON, "events", i, "id"))
	}
	return out
}

// timedGet calls the API and says how long the answer took.
func timedGet(t *testing.T, inst *portaltest.Instance, tok, path string) (apiResponse, time.Duration) {
	t.Helper()
	start := time.Now()
	r := apiGet(t, inst, tok, path)
	return r, time.Since(start)
}

// TestWeb_APIFeedResume: a client resumes from the last event id it kept,
// and may wait for the next event instead of polling: the call returns as
// soon as an event is written, on this instance or on another one sharing
// the database, or empty when the wait ends.
func TestWeb_APIFeedResume(t *testing.T) {
	for name, dsn := range storetest.DSNs(t) {
		t.Run(name, func(t *testing.T) {
			inst := portaltest.Start(t, dsn)
			p := setUpAPIPeople(t, inst)
			tok := bearer(apiToken(t, inst, "waiter", 90*24*time.Hour, app.TokenScopeEvents))
			all := feedIDs(apiGet(t, inst, tok, "/api/v1/events"))
			if len(all) != 7 {
				t.Fatalf("feed: %v", all)
			}
			// Resume after the third event: the fourth comes next.
			r := apiGet(t, inst, tok, "/api/v1/events?limit=2&after="+all[2])
			if got := feedIDs(r); strings.Join(got, ",") != strings.Join(all[3:5], ",") ||
				jstr(r.JSON, "next") != all[4] ||
				jget(r.JSON, "hasMore") != true {
				t.Fatalf("resumed after %s: %s", all[2], r.Body)
			}
			last := all[6]

			// Events waiting already: no wait at all.
			if r, took := timedGet(t, inst, tok, "/api/v1/events?wait=30s&after="+all[5]); strings.Join(
				feedIDs(r),
				",",
			) != last ||
				took > 5*time.Second {
				t.Fatalf("an event waiting: %s after %s", r.Body, took)
			}
			// Nothing new: the call holds for the wait, then answers empty with the same cursor.
			r, took := timedGet(t, inst, tok, "/api/v1/events?wait=1s&after="+last)
			if r.Status != 200 || len(feedIDs(r)) != 0 || jstr(r.JSON, "next") != last || took < 900*time.Millisecond ||
				took > 10*time.Second {
				t.Fatalf("empty wait: %d %s after %s", r.Status, r.Body, took)
			}

			// An event written while a client waits wakes it at once.
			write := func(db *store.DB, who *portal.Account) {
				time.Sleep(300 * time.Millisecond)
				if err := db.InTx(context.Background(), func(tx *store.Tx) error {
					return tx.AppendProvisioningEvent(context.Background(), who.ID, app.ProvUserUpdated, "{}", inst.Clock.Now())
				}); err != nil {
					t.Error(err)
				}
			}
			go write(inst.DB, p.doc)
			r, took = timedGet(t, inst, tok, "/api/v1/events?wait=30s&after="+last)
			if len(feedIDs(r)) != 1 || jstr(r.JSON, "events", 0, "userId") != apiID(p.doc) || took > 5*time.Second {
				t.Fatalf("woken by a write: %s after %s", r.Body, took)
			}
			last = jstr(r.JSON, "next")

			// Another instance writes: found by polling (every second).
			other, err := store.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			go write(other, p.moa)
			r, took = timedGet(t, inst, tok, "/api/v1/events?wait=30s&after="+last)
			if len(feedIDs(r)) != 1 || jstr(r.JSON, "events", 0, "userId") != apiID(p.moa) || took > 10*time.Second {
				t.Fatalf("written by another instance: %s after %s", r.Body, took)
			}
			last = jstr(r.JSON, "next")

			// A wait that is not a duration from 0 to 60 seconds is refused.
			for _, w := range []string{"abc", "61s", "2m", "-1s", "1.5", "-3", "99999999999999999999", "30 s"} {
				r := apiGet(t, inst, tok, "/api/v1/events?wait="+url.QueryEscape(w))
				wantSCIMError(t, r, 400, "invalidValue")
				if d := jstr(r.JSON, "detail"); !strings.HasPrefix(
					d,
					"wait must be a duration from 0s to 60s, such as 30s",
				) ||
					r.Header.Get("Content-Type") != "application/json" {
					t.Errorf("wait=%s: %s %v", w, d, r.Header)
				}
			}
			for _, w := range []string{"0", "0s", "60s", "1m", "45"} {
				if r := apiGet(t, inst, tok, "/api/v1/events?wait="+w+"&after=0"); r.Status != 200 ||
					len(feedIDs(r)) == 0 {
					t.Errorf("wait=%s: %d %s", w, r.Status, r.Body)
				}
			}
			// Shutting down answers the waiting calls at once.
			go func() { time.Sleep(300 * time.Millisecond); inst.Portal.App.EndFeedWaits() }()
			if r, took := timedGet(t, inst, tok, "/api/v1/events?wait=30s&after="+last); r.Status != 200 ||
				len(feedIDs(r)) != 0 ||
				took > 5*time.Second {
				t.Errorf("shutting down: %s after %s", r.Body, took)
			}
			var waited bool
			evs := inst.Audit(t, portaltest.By(portal.ActorClient, "waiter"))
			for _, e := range evs {
				waited = waited || (e.Action == "api.events" && strings.Contains(e.Details, `"wait":"30s"`))
			}
			if !waited {
				t.Errorf("no audited wait: %+v", evs)
			}
		})
	}
}
