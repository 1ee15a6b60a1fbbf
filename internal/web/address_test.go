package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"

	"github.com/andybalholm/cascadia"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/net/html"
)

// mainStreet is an address of a single building, without units.
var mainStreet = portal.Address{
	CivicNumber: "12",
	StreetName:  "Main",
	StreetType:  "St",
	City:        "Vancouver",
	Province:    "BC",
	PostalCode:  "V6A 2S5",
}

// addressServer is a Server on a fresh database holding the guide's
// building and a few other addresses, and a handler serving only the
// address search.
func addressServer(t *testing.T, db *store.DB) (*Server, http.Handler) {
	t.Helper()
	ctx := context.Background()
	var addrs []portal.Address
	for _, u := range []string{"105", "100", "101A", "101", "104", "102", "103"} {
		addrs = append(addrs, portal.Address{Unit: u, CivicNumber: "370", StreetName: "Broadway", Direction: "E",
			City: "Vancouver", Province: "BC", PostalCode: "V5T 4G5"})
	}
	addrs = append(
		addrs,
		portal.Address{
			CivicNumber: "370",
			StreetName:  "Broadway",
			Direction:   "W",
			City:        "Vancouver",
			Province:    "BC",
			PostalCode:  "V5Y 1P1",
		},
		mainStreet,
	)
	rows := func(yield func(portal.Address, error) bool) {
		for _, a := range addrs {
			if !yield(a, nil) {
				return
			}
		}
	}
	if _, _, err := db.ImportAddresses(ctx, rows, 0, nil); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	a := app.New(db, nil, nil, app.Config{BaseURL: "http://portal.test"}, logger)
	s, err := New(Config{BaseURL: "http://portal.test"}, a, nil, nil, prometheus.NewRegistry(), logger)
	if err != nil {
		t.Fatal(err)
	}
	return s, s.base(s.serve("GET /addresses/search", s.handleAddressSearch))
}

func addressSearch(
	t *testing.T,
	h http.Handler,
	q string,
	htmx bool,
	edit ...func(*http.Request),
) (*httptest.ResponseRecorder, *html.Node) {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/addresses/search?q="+url.QueryEscape(q), nil)
	if htmx {
		r.Header.Set("HX-Request", "true")
	}
	for _, e := range edit {
		e(r)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	doc, err := html.Parse(strings.NewReader(w.Body.String()))
	if err != nil {
		t.Fatal(err)
	}
	return w, doc
}

func texts(doc *html.Node, sel string) []string {
	var out []string
	for _, n := range cascadia.MustCompile(sel).MatchAll(doc) {
		out = append(out, strings.TrimSpace(nodeText(n)))
	}
	return out
}

func nodeText(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(nodeText(c))
	}
	return b.String()
}

func attrs(doc *html.Node, sel, name string) []string {
	var out []string
	for _, n := range cascadia.MustCompile(sel).MatchAll(doc) {
		for _, a := range n.Attr {
			if a.Key == name {
				out = append(out, a.Val)
			}
		}
	}
	return out
}

func TestWeb_AddressSearch(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		srv, h := addressServer(t, db)

		t.Run("PartialGroupsUnitsUnderTheirBuilding", func(t *testing.T) {
			w, doc := addressSearch(t, h, "370 Broadway", true)
			if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
				t.Fatalf("status %d, content type %q", w.Code, w.Header().Get("Content-Type"))
			}
			if strings.Contains(w.Body.String(), "<html") || strings.Contains(w.Body.String(), "site-header") {
				t.Fatal("the partial was rendered inside the layout")
			}
			if got := texts(doc, "ul#address-results.address-results > li.address-building > .address-building-line"); !slices.Equal(
				got,
				[]string{"370 Broadway E Vancouver, BC, V5T 4G5"},
			) {
				t.Fatalf("building headings %q", got)
			}
			var want []string
			for _, u := range []string{"100", "101", "101A", "102", "103", "104", "105"} {
				want = append(want, u+"-370 Broadway E Vancouver, BC, V5T 4G5")
			}
			got := texts(doc, "li.address-building li a")
			if !slices.Equal(got, want) {
				t.Fatalf("units %q,\nwant %q", got, want)
			}
			hrefs := attrs(doc, "li.address-building li a", "href")
			first, err := db.Read().SearchAddresses(context.Background(), "100-370 Broadway E", 1)
			if err != nil || len(first) != 1 {
				t.Fatal(err)
			}
			if hrefs[0] != "/worksites/join/address?address_id="+strconv.FormatInt(int64(first[0].ID), 10) {
				t.Fatalf("link %q", hrefs[0])
			}
			// The single building on the other side of the street is a plain item.
			if got := texts(doc, "ul#address-results > li:not(.address-building) > a"); !slices.Equal(
				got,
				[]string{"370 Broadway W Vancouver, BC, V5Y 1P1"},
			) {
				t.Fatalf("other items %q", got)
			}
			if w.Header().Get("Vary") != "HX-Request" {
				t.Fatalf("Vary %q", w.Header().Get("Vary"))
			}
		})
		t.Run("ShortQueryHidesTheList", func(t *testing.T) {
			_, doc := addressSearch(t, h, "37", true)
			if len(attrs(doc, "ul#address-results", "hidden")) != 1 || len(texts(doc, "ul#address-results li")) != 0 {
				t.Fatal("want an empty, hidden list")
			}
		})
		t.Run("NoMatchSaysSo", func(t *testing.T) {
			w, doc := addressSearch(t, h, "<b>zzz", true)
			got := texts(doc, "ul#address-results li.empty-state")
			if len(got) != 1 || !strings.Contains(got[0], "“<b>zzz”") || strings.Contains(w.Body.String(), "<b>zzz") {
				t.Fatalf("empty state %q (body %s)", got, w.Body.String())
			}
		})
		t.Run("WithoutHTMXGoesToTheSearchPage", func(t *testing.T) {
			w, _ := addressSearch(t, h, "370 Broadway", false)
			if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/worksites/join/address?q=370+Broadway" {
				t.Fatalf("status %d location %q", w.Code, w.Header().Get("Location"))
			}
		})
		t.Run("RateLimitedPerAddress", func(t *testing.T) {
			defer func(n int) { srv.addressPerIP = n }(srv.addressPerIP)
			srv.addressPerIP = 3 // this test's own server: no other test sees it
			otherIP := func(r *http.Request) { r.RemoteAddr = "198.51.100.7:4321" }
			var codes []int
			for range 4 {
				w, _ := addressSearch(t, h, "Main St", true, otherIP)
				codes = append(codes, w.Code)
			}
			if !slices.Equal(codes, []int{200, 200, 200, 429}) {
				t.Fatalf("status codes %v, want the 4th refused", codes)
			}
			// Too-short queries are not counted, and not refused.
			if w, _ := addressSearch(t, h, "Ma", true, otherIP); w.Code != http.StatusOK {
				t.Fatalf("short query: status %d", w.Code)
			}
		})
	})
}

func TestNewAddressResults(t *testing.T) {
	t.Parallel()
	a := portal.Address{
		ID:          7,
		Unit:        "101",
		CivicNumber: "370",
		StreetName:  "Broadway",
		Direction:   "E",
		City:        "Vancouver",
		Province:    "BC",
		PostalCode:  "V5T 4G5",
	}
	b := a
	b.ID, b.Unit = 8, "102"
	c := mainStreet
	c.ID = 9
	got := newAddressResults([]portal.Address{a, b, c}, "q", "/x?step=2", true)
	if got.Count != 3 || len(got.Groups) != 2 || !got.Groups[0].Units || got.Groups[1].Units {
		t.Fatalf("groups %+v", got.Groups)
	}
	if u := got.Groups[0].Items[1].URL; u != "/x?step=2&address_id=8" {
		t.Fatalf("URL %q", u)
	}
}

// TestWeb_AddressSearchTooLong: the type-ahead answers a query too long to
// be an address with a message in its list, not an error page htmx would
// not show.
func TestWeb_AddressSearchTooLong(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, h := addressServer(t, db)
		for q, want := range map[string]string{
			strings.Repeat("Broadway ", 13):              "Your search has too many words. Type at most 12 words of the address, for example 370 Broadway E.",
			"370 Broadway E " + strings.Repeat("x", 200): "Your search is too long. Type at most 200 characters of the address, for example 370 Broadway E.",
		} {
			w, doc := addressSearch(t, h, q, true)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d", w.Code)
			}
			if got := texts(doc, "ul#address-results li.search-error"); len(got) != 1 || got[0] != want {
				t.Fatalf("message %q, want %q", got, want)
			}
			if len(attrs(doc, "ul#address-results", "hidden")) != 0 || len(texts(doc, "ul#address-results a")) != 0 {
				t.Fatal("want the visible message and no results")
			}
		}
	})
}
