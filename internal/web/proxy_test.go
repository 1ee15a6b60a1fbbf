package web

import (
	"net/netip"
	"slices"
	"testing"
)

func TestParseTrustedProxies(t *testing.T) {
	t.Parallel()
	p := netip.MustParsePrefix
	for _, tc := range []struct {
		in      string
		want    []netip.Prefix
		wantErr bool
	}{
		{in: "", want: nil},
		{in: "10.0.0.0/8", want: []netip.Prefix{p("10.0.0.0/8")}},
		{in: " 10.0.0.0/8 , 192.168.1.0/24,", want: []netip.Prefix{p("10.0.0.0/8"), p("192.168.1.0/24")}},
		{in: "192.0.2.7", want: []netip.Prefix{p("192.0.2.7/32")}},
		{in: "2001:db8::/32,::1", want: []netip.Prefix{p("2001:db8::/32"), p("::1/128")}},
		{in: "10.1.2.3/8", want: []netip.Prefix{p("10.0.0.0/8")}},
		{in: "::ffff:10.0.0.0/104", want: []netip.Prefix{p("10.0.0.0/8")}},
		{in: "::ffff:192.0.2.7", want: []netip.Prefix{p("192.0.2.7/32")}},
		{in: "10.0.0.0/33", wantErr: true},
		{in: "lb.example", wantErr: true},
		{in: "10.0.0.0/8;192.168.0.0/16", wantErr: true},
		{in: "true", wantErr: true},
	} {
		got, err := ParseTrustedProxies(tc.in)
		if (err != nil) != tc.wantErr || !slices.Equal(got, tc.want) {
			t.Errorf("ParseTrustedProxies(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestClientAddr(t *testing.T) {
	t.Parallel()
	trusted, err := ParseTrustedProxies("10.0.0.0/8,2001:db8:1::/48")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		remote string
		xff    []string
		want   string
	}{
		{"no proxy", "203.0.113.5:5000", nil, "203.0.113.5"},
		{"untrusted peer forges", "203.0.113.5:5000", []string{"198.51.100.1"}, "203.0.113.5"},
		{"untrusted peer forges a trusted hop", "203.0.113.5:5000", []string{"198.51.100.1, 10.0.0.1"}, "203.0.113.5"},
		{"trusted peer, one hop", "10.0.0.2:443", []string{"198.51.100.1"}, "198.51.100.1"},
		{"client forges the leftmost", "10.0.0.2:443", []string{"1.2.3.4, 198.51.100.1"}, "198.51.100.1"},
		{"two trusted proxies", "10.0.0.2:443", []string{"1.2.3.4, 198.51.100.1, 10.0.0.9"}, "198.51.100.1"},
		{"several headers", "10.0.0.2:443", []string{"1.2.3.4", "198.51.100.1", "10.0.0.9"}, "198.51.100.1"},
		{"trusted peer, no header", "10.0.0.2:443", nil, "10.0.0.2"},
		{"every hop trusted", "10.0.0.2:443", []string{"10.0.0.7, 10.0.0.8"}, "10.0.0.7"},
		{"garbage from the client is left of the proxy's hop", "10.0.0.2:443", []string{"<script>, 198.51.100.1"}, "198.51.100.1"},
		{"garbage right of every hop", "10.0.0.2:443", []string{"198.51.100.1, nonsense"}, "10.0.0.2"},
		{"hop with a port", "10.0.0.2:443", []string{"198.51.100.1:6000"}, "198.51.100.1"},
		{"IPv6 hop with a port", "10.0.0.2:443", []string{"[2001:db8:2::5]:6000"}, "2001:db8:2::5"},
		{"IPv6 proxy", "[2001:db8:1::2]:443", []string{"198.51.100.1"}, "198.51.100.1"},
		{"IPv4-mapped peer", "[::ffff:10.0.0.2]:443", []string{"198.51.100.1"}, "198.51.100.1"},
		{"IPv4-mapped hop", "10.0.0.2:443", []string{"::ffff:198.51.100.1"}, "198.51.100.1"},
		{"empty entries", "10.0.0.2:443", []string{"198.51.100.1, "}, "10.0.0.2"},
	} {
		if got := clientAddr(tc.remote, tc.xff, trusted); got != tc.want {
			t.Errorf("%s: clientAddr(%q, %q) = %q, want %q", tc.name, tc.remote, tc.xff, got, tc.want)
		}
	}
	if got := clientAddr("10.0.0.2:443", []string{"198.51.100.1"}, nil); got != "10.0.0.2" {
		t.Errorf("with no trusted proxies X-Forwarded-For was read: %q", got)
	}
}
