package portaltest

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// SCIMDownstream is a real SCIM service no one here wrote: SCIMMY's User
// resource served by scimmy-routers (scripts/scim-downstream), run with
// node, that push mode provisions into.
type SCIMDownstream struct {
	URL   string // the SCIM base URL, before /Users
	Root  string // the server's root, for its /_users and /_outage test endpoints
	Token string // the bearer token it accepts
}

// StartSCIMDownstream runs the downstream server for the test, or skips the
// test when node or the installed packages are missing (scripts/test
// installs them and sets PORTAL_SCIM_DOWNSTREAM_REQUIRED: there it fails).
func StartSCIMDownstream(t testing.TB) *SCIMDownstream {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(here), "..", "..", "scripts", "scim-downstream")
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "node_modules", "scimmy-routers"))
	}
	if err != nil {
		if os.Getenv("PORTAL_SCIM_DOWNSTREAM_REQUIRED") == "1" {
			t.Fatalf("the downstream SCIM server cannot run: %v (npm ci in %s)", err, dir)
		}
		t.Skipf("the downstream SCIM server cannot run (%v): npm ci in scripts/scim-downstream", err)
	}
	token := "downstream-token-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	cmd := exec.Command(node, "server.mjs", token)
	cmd.Dir = dir
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	port, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !ok {
		t.Fatalf("downstream did not start: %q %v", line, err)
	}
	root := "http://127.0.0.1:" + port
	return &SCIMDownstream{URL: root + "/scim/v2", Root: root, Token: token}
}
