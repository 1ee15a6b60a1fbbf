package wire

import (
	"fmt"
	"net"
	"net/url"
)

// checkDevelopment refuses development mode where it would be dangerous:
// it signs anyone in as anyone and shows every email at /dev/mailbox, so it
// must only be reachable from this machine.
func checkDevelopment(cfg Config) error {
	if u, err := url.Parse(cfg.BaseURL); err == nil && u.Scheme == "https" {
		return fmt.Errorf("development mode refuses the https base URL %s: an https address means a real deployment, "+
			"and development mode lets anyone sign in as anyone and read every email; drop -dev, or use an http://127.0.0.1 base URL", cfg.BaseURL)
	}
	if cfg.Addr != "" && !loopback(cfg.Addr) {
		return fmt.Errorf("development mode refuses the listen address %q: it lets anyone sign in as anyone and read every email, "+
			"so it listens only on this machine; use -addr 127.0.0.1:PORT (or localhost, [::1]), or drop -dev", cfg.Addr)
	}
	return nil
}

// loopback reports whether a listen address binds only this machine's
// loopback interface. An empty host (":8080") binds every interface.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
