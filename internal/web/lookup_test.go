package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

// Looking a worksite up by its address counts against the same limit as
// typing its Worksite ID, so codes cannot be harvested address by address.
func TestWeb_AddressLookupsCountAsWorksiteLookups(t *testing.T) {
	t.Parallel()
	inst := portaltest.Start(t, storetest.DSNs(t)["sqlite"])
	c := inst.Confirmed(t, "Al", "ADDRESS", "al@example.ca", "al.a")
	c.Get("/worksites/join/code")
	for i := 1; i <= 10; i++ {
		if p := c.Post("/worksites/join/code", url.Values{"code": {"AAAAAAA"}}); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("code look-up %d: %d", i, p.Status)
		}
	}
	for i := 11; i <= 20; i++ {
		if p := c.Get(fmt.Sprintf("/worksites/join/address?address_id=%d", i)); p.Status == http.StatusTooManyRequests {
			t.Fatalf("address look-up %d refused already", i)
		}
	}
	p := c.Get("/worksites/join/address?address_id=21")
	if p.Status != http.StatusTooManyRequests || !strings.Contains(p.Text("main"), "too many times") {
		t.Fatalf("look-up 21 by address: %d %q", p.Status, p.Text("main"))
	}
	// The search itself is not a look-up of a worksite.
	if p := c.Get("/worksites/join/address?q=370+Broadway"); p.Status != http.StatusOK {
		t.Fatalf("address search after the limit: %d", p.Status)
	}
}
