package main

import (
	"io"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// -trust-proxy believed any X-Forwarded-For: it is refused with a message
// naming its replacement, which takes networks.
func TestParseConfig_TrustedProxies(t *testing.T) {
	t.Parallel()
	getenv := func(env map[string]string) func(string) string { return func(k string) string { return env[k] } }
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"flag", []string{"-trust-proxy"}, nil},
		{"variable", nil, map[string]string{"PORTAL_TRUST_PROXY": "true"}},
	} {
		_, _, err := parseConfig("serve", tc.args, io.Discard, getenv(tc.env))
		if err == nil || !strings.Contains(err.Error(), "-trust-proxy (PORTAL_TRUST_PROXY) is gone") ||
			!strings.Contains(err.Error(), "-trusted-proxies 10.0.0.0/8") {
			t.Errorf("%s: %v", tc.name, err)
		}
	}

	cfg, _, err := parseConfig("serve", []string{"-trusted-proxies", "10.0.0.0/8, 192.0.2.7"}, io.Discard, getenv(nil))
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32")}
	if err != nil || !slices.Equal(cfg.TrustedProxies, want) {
		t.Fatalf("got %v, %v", cfg.TrustedProxies, err)
	}
	cfg, _, err = parseConfig(
		"serve",
		nil,
		io.Discard,
		getenv(map[string]string{"PORTAL_TRUSTED_PROXIES": "2001:db8::/32"}),
	)
	if err != nil || !slices.Equal(cfg.TrustedProxies, []netip.Prefix{netip.MustParsePrefix("2001:db8::/32")}) {
		t.Fatalf("from the variable: %v, %v", cfg.TrustedProxies, err)
	}
	if _, _, err := parseConfig("serve", []string{"-trusted-proxies", "lb.example"}, io.Discard, getenv(nil)); err == nil ||
		!strings.Contains(err.Error(), `"lb.example" is not an address or a network`) {
		t.Fatalf("a host name: %v", err)
	}
}
