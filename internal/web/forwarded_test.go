package web_test

import (
	"fmt"
	"net/http"
	"net/netip"
	"testing"

	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
	"github.com/bcgov-example/careconnect-portal/internal/wire"
)

// A client that is not a trusted proxy cannot choose its address with
// X-Forwarded-For: rotating forged addresses still hits the per-address
// limit. Behind a trusted proxy the rightmost untrusted entry counts.
func TestWeb_ForgedForwardedForCannotDodgeLimits(t *testing.T) {
	t.Parallel()
	untrusted := portaltest.Start(t, storetest.DSNs(t)["sqlite"], func(c *wire.Config) {
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	})
	c := untrusted.Client(t)
	call := func(inst *portaltest.Instance, xff string) int {
		return send(t, c, inst.URL, http.MethodGet, "/scim/v2/Users", "", nil,
			http.Header{"Authorization": {"Bearer not-a-token"}, "X-Forwarded-For": {xff}}).status
	}
	for i := 0; i < 300; i++ {
		if got := call(untrusted, fmt.Sprintf("198.51.100.%d", i%250)); got != http.StatusUnauthorized {
			t.Fatalf("call %d: %d", i+1, got)
		}
	}
	if got := call(untrusted, "198.51.100.251"); got != http.StatusTooManyRequests {
		t.Fatalf("call 301 with a new forged address: %d, want 429", got)
	}

	// The test client's own address (127.0.0.1) is the load balancer here.
	behind := portaltest.Start(t, storetest.DSNs(t)["sqlite"], func(c *wire.Config) {
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8")}
	})
	for i := 0; i < 300; i++ {
		if got := call(behind, fmt.Sprintf("198.51.100.%d, 203.0.113.9, 10.1.2.3", i%250)); got != http.StatusUnauthorized {
			t.Fatalf("call %d behind the proxy: %d", i+1, got)
		}
	}
	if got := call(behind, "198.51.100.251, 203.0.113.9"); got != http.StatusTooManyRequests {
		t.Fatalf("call 301 from 203.0.113.9 behind the proxy: %d, want 429", got)
	}
	if got := call(behind, "203.0.113.10"); got != http.StatusUnauthorized {
		t.Fatalf("another client behind the proxy: %d, want 401", got)
	}
}
