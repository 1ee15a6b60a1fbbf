package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

// /metrics listens on loopback port 9090 by default in production, on the
// main listener in development mode, nowhere with "off"; its token may come
// from a file.
func TestParseConfig_Metrics(t *testing.T) {
	t.Parallel()
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("from-a-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		args      []string
		env       map[string]string
		addr, tok string
	}{
		{"production default", nil, nil, "127.0.0.1:9090", ""},
		{"development default", []string{"-dev"}, nil, "", ""},
		{"set", []string{"-metrics-addr", "10.0.0.5:9100"}, nil, "10.0.0.5:9100", ""},
		{"off", nil, map[string]string{"PORTAL_METRICS_ADDR": "off"}, "", ""},
		{"development, set", []string{"-dev", "-metrics-addr", "127.0.0.1:9191"}, nil, "127.0.0.1:9191", ""},
		{"token", nil, map[string]string{"PORTAL_METRICS_TOKEN": "t0ken"}, "127.0.0.1:9090", "t0ken"},
		{"token file", nil, map[string]string{"PORTAL_METRICS_TOKEN_FILE": tokenFile}, "127.0.0.1:9090", "from-a-file"},
	} {
		cfg, _, err := parseConfig("serve", tc.args, io.Discard, func(k string) string { return tc.env[k] })
		if err != nil || cfg.MetricsAddr != tc.addr || cfg.MetricsToken != tc.tok {
			t.Errorf(
				"%s: addr %q token %q, %v; want %q %q",
				tc.name,
				cfg.MetricsAddr,
				cfg.MetricsToken,
				err,
				tc.addr,
				tc.tok,
			)
		}
	}
}
