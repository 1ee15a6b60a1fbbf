package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

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
