package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/wire"
)

// A stand-in for Canada Post AddressComplete with its documented shapes.
func addressCompleteServer(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /Capture/Interactive/Find/v1.10/json3.ws", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("Key") != "AA11-AA11-AA11-AA11" {
			_, _ = w.Write(
				[]byte(
					`{"Items":[{"Error":"2","Description":"Unknown key","Cause":"The key was not found.","Resolution":"Check the key."}]}`,
				),
			)
			return
		}
		_, _ = w.Write([]byte(`{"Items":[
			{"Id":"CA|CP|A|1","Type":"Address","Text":"101-370 Broadway E","Highlight":"","Description":"Vancouver, BC, V5T 4G5"},
			{"Id":"CA|CP|A|2","Type":"Address","Text":"102-370 Broadway E","Highlight":"","Description":"Vancouver, BC, V5T 4G5"}]}`))
	})
	mux.HandleFunc("GET /Capture/Interactive/Retrieve/v1.20/json3.ws", func(w http.ResponseWriter, r *http.Request) {
		unit := map[string]string{"CA|CP|A|1": "101", "CA|CP|A|2": "102"}[r.URL.Query().Get("Id")]
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(
			[]byte(
				`{"Items":[{"Id":"x","Language":"ENG","SubBuilding":"` + unit + `","BuildingNumber":"370","Street":"Broadway E",
			"City":"Vancouver","ProvinceCode":"BC","PostalCode":"V5T 4G5","CountryIso2":"CA"}]}`,
			),
		)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestWeb_AddressCompleteProvider(t *testing.T) {
	t.Parallel()
	ac := addressCompleteServer(t)
	inst := portaltest.Start(t, "sqlite:"+t.TempDir()+"/p.db", func(cfg *wire.Config) {
		cfg.AddressCompleteKey, cfg.AddressCompleteURL = "AA11-AA11-AA11-AA11", ac.URL
	})
	c := inst.Confirmed(t, "Ana", "COMPLETE", "ana@example.ca", "ana.c")
	p := c.Get("/worksites/join/address?q=" + url.QueryEscape("370 Broadway E"))
	links := p.Find("#address-results a")
	if len(links) != 2 ||
		!strings.HasPrefix(portaltest.NodeText(links[0]), "101-370 Broadway E Vancouver, BC, V5T 4G5") {
		t.Fatalf("%d results: %s", len(links), p.Text("main"))
	}
	// The chosen address is now in the local index, so it can be registered.
	href := p.Attr("#address-results a", "href")
	if p := c.Get(href); !strings.Contains(p.Text(".notice"), "101-370 Broadway E Vancouver, BC, V5T 4G5") {
		t.Fatalf("choosing a provider's address: %s", p.Text("main"))
	}
	if n, _ := inst.DB.Read().CountAddresses(t.Context()); n != 2 {
		t.Fatalf("%d addresses adopted, want 2", n)
	}
	// Searching again adopts nothing twice.
	c.Get("/worksites/join/address?q=" + url.QueryEscape("370 Broadway E"))
	if n, _ := inst.DB.Read().CountAddresses(t.Context()); n != 2 {
		t.Fatalf("%d addresses after a second search, want 2", n)
	}
}
