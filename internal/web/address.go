package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bcgov-example/careconnect-portal/internal/app"

	portal "github.com/bcgov-example/careconnect-portal"
)

const (
	// addressResultsTemplate is the partial listing address search results;
	// pages include it with {{template "address-results" (addressResults ...)}}.
	addressResultsTemplate = "address-results"
	// addressSelectURL is where choosing a result goes, with ?address_id=ID.
	addressSelectURL = "/worksites/join/address"
	// addressSearchPage is the full page of the address search, for
	// browsers without JavaScript.
	addressSearchPage = "/worksites/join/address"
	// addressSearchLimit is the number of results a search shows.
	addressSearchLimit = 20
)

// Type-ahead sends a request every few keystrokes; the limits stop
// scraping of the index, not people typing. An office often shares one
// address, so the limit per address is higher than per person.
// Server.addressPerIP starts at addressSearchPerIP; a test lowers it on its
// own server, never here, where every test's server would see it.
const (
	addressSearchPerPerson = 600  // per hour
	addressSearchPerIP     = 3000 // per hour
)

// handleAddressSearch answers the address type-ahead (GET
// /addresses/search?q=...) with the list of results only, for htmx to swap
// in. Other requests go to the full search page.
func (s *Server) handleAddressSearch(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if r.Header.Get("HX-Request") != "true" {
		http.Redirect(w, r, addressSearchPage+"?q="+url.QueryEscape(q), http.StatusSeeOther)
		return nil
	}
	res, err := s.searchAddresses(r, q)
	var data addressResults
	if portal.ErrorCode(err) == portal.EINVALID { // too long: said in the list, which htmx swaps only on success
		data = addressResults{Query: q, Searched: true, Error: portal.ErrorMessage(err)}
	} else if err != nil {
		return err
	} else if data, err = s.addressResults(r, res, q, utf8.RuneCountInString(q) >= app.MinAddressQuery); err != nil {
		return err
	}
	w.Header().Set("Vary", "HX-Request")
	return s.renderPartial(w, r, addressResultsTemplate, data)
}

// searchAddresses runs an address search for the person making the request,
// within the type-ahead rate limits. Queries shorter than
// app.MinAddressQuery find nothing and are not counted.
func (s *Server) searchAddresses(r *http.Request, q string) ([]portal.Address, error) {
	if utf8.RuneCountInString(strings.TrimSpace(q)) < app.MinAddressQuery {
		return nil, nil
	}
	if acct := state(r).account; acct != nil {
		if err := s.rateLimit(r, "address-search:account:"+accountKey(acct), addressSearchPerPerson); err != nil {
			return nil, err
		}
	}
	if err := s.rateLimit(r, "address-search:ip:"+s.clientIP(r), s.addressPerIP); err != nil {
		return nil, err
	}
	return s.app.SearchAddresses(r.Context(), q, addressSearchLimit)
}

// addressResults groups search results for the "address-results" partial
// and marks the addresses that already have a worksite, by its name.
func (s *Server) addressResults(
	r *http.Request,
	res []portal.Address,
	q string,
	searched bool,
) (addressResults, error) {
	data := newAddressResults(res, q, addressSelectURL, searched)
	if len(res) == 0 {
		return data, nil
	}
	names, err := s.app.WorksiteNamesAt(r.Context(), res)
	if err != nil {
		return data, err
	}
	for g := range data.Groups {
		for i := range data.Groups[g].Items {
			it := &data.Groups[g].Items[i]
			it.Worksite = names[it.ID]
		}
	}
	return data, nil
}

// addressResults is the data of the "address-results" partial.
type addressResults struct {
	Query     string
	Searched  bool   // false before the person has typed enough: the list is hidden
	Error     string // why the query was refused (too long), instead of results
	SelectURL string // choosing an address goes to SelectURL?address_id=ID
	Count     int
	Groups    []addressGroup
}

// addressGroup is a building's results, in the order found.
type addressGroup struct {
	ID    portal.AddressID // of the first item, to name the group
	Line  string           // the building's address
	Units bool             // several addresses in the building: list them under it
	Items []addressItem
}

// addressItem is one address to choose.
type addressItem struct {
	ID       portal.AddressID
	Line     string
	URL      string
	Worksite string // the name of the worksite registered there, if any
}

// newAddressResults groups search results by building for the
// "address-results" partial. Templates call it as addressResults.
func newAddressResults(results []portal.Address, query, selectURL string, searched bool) addressResults {
	data := addressResults{Query: query, Searched: searched, SelectURL: selectURL, Count: len(results)}
	sep := "?"
	if strings.Contains(selectURL, "?") {
		sep = "&"
	}
	for _, a := range results {
		item := addressItem{
			ID:   a.ID,
			Line: a.Line(),
			URL:  selectURL + sep + "address_id=" + strconv.FormatInt(int64(a.ID), 10),
		}
		building := a.BuildingLine()
		if n := len(data.Groups); n > 0 && data.Groups[n-1].Line == building {
			g := &data.Groups[n-1]
			g.Items, g.Units = append(g.Items, item), true
			continue
		}
		data.Groups = append(data.Groups, addressGroup{ID: a.ID, Line: building, Items: []addressItem{item}})
	}
	return data
}

// renderPartial writes one named template (a {{define}} of a partial file)
// without the layout, for htmx to swap into the page. Partials are parsed
// into every page's set, so any set can execute them.
func (s *Server) renderPartial(w http.ResponseWriter, r *http.Request, name string, data any) error {
	tp, err := s.tmpl.lookup("home.html")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := tp.ExecuteTemplate(&buf, name, data); err != nil {
		return fmt.Errorf("web: render partial %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, err = buf.WriteTo(w)
	return err
}
