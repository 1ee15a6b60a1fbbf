package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"portal"
	"portal/internal/app"
	"portal/internal/portaltest"
	"portal/internal/store"
)

// apiDo calls the API with any method, an optional body and headers
// (name, value pairs); the answer must be JSON.
func apiDo(t *testing.T, inst *portaltest.Instance, method, authorization, path, body string, headers ...string) apiResponse {
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
	if err := json.Unmarshal(b, &r.JSON); err != nil {
		t.Fatalf("%s %.80s: %d %s, not JSON: %v\n%.300s", method, path, r.Status, resp.Header.Get("Content-Type"), err, r.Body)
	}
	return r
}

// TestWeb_APIAuditBounded sends a refused call with a 500 KB query and a
// long user agent: the audit row records it, bounded.
func TestWeb_APIAuditBounded(t *testing.T) {
	eachPortal(t, func(t *testing.T, inst *portaltest.Instance) {
		tok := bearer(apiToken(t, inst, "bulky", 90*24*time.Hour, app.TokenScopeSCIM))
		pad := strings.Repeat("a", 500_000)
		agent := strings.Repeat("Agent/1.0;", 1000)
		r := apiDo(t, inst, http.MethodGet, tok, "/scim/v2/Users?count=many&pad="+pad, "", "User-Agent", agent)
		wantSCIMError(t, r, 400, "invalidValue")

		evs, err := inst.DB.Read().FindAuditEvents(context.Background(), store.AuditFilter{ActorKind: portal.ActorClient, ActorID: "bulky"})
		if err != nil || len(evs) != 1 || evs[0].Action != "api.scim_list" {
			t.Fatalf("audit %v %v", evs, err)
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
		wantQuery := rawQuery[:store.AuditDetailValueMax] + "…[truncated: 500015 bytes in all]"
		if d["query"] != wantQuery || d["error"] != "count must be a whole number." {
			t.Errorf("details %.300s", e.Details)
		}
		if want := agent[:store.AuditUserAgentMax] + "…[truncated: 10000 bytes in all]"; e.UserAgent != want {
			t.Errorf("user agent %.200q", e.UserAgent)
		}
	})
}
