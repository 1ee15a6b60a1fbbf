package wire

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// throwawayCluster is a PostgreSQL cluster of the test's own, which it may
// stop and start.
type throwawayCluster struct {
	bin, data string
	port      int
}

// newThrowawayCluster creates and starts a cluster, or skips the test when
// the PostgreSQL server binaries or the root rights to run them as the
// postgres user are missing.
func newThrowawayCluster(t *testing.T) *throwawayCluster {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		t.Skip("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin)")
	}
	sort.Strings(bins)
	if os.Geteuid() != 0 {
		t.Skip("starting a PostgreSQL cluster needs root, to run it as the postgres user")
	}
	pg, err := user.Lookup("postgres")
	if err != nil {
		t.Skip("no postgres user")
	}
	if _, err := exec.LookPath("runuser"); err != nil {
		t.Skip("no runuser")
	}
	uid, _ := strconv.Atoi(pg.Uid)
	gid, _ := strconv.Atoi(pg.Gid)
	data, err := os.MkdirTemp("/tmp", "pgrecover")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(data) })
	if err := os.Chown(data, uid, gid); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	c := &throwawayCluster{bin: filepath.Dir(bins[len(bins)-1]), data: data, port: port}
	c.run(t, "initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8")
	c.start(t)
	t.Cleanup(func() { _ = c.pgctl("-m", "immediate", "-w", "stop") })
	return c
}

func (c *throwawayCluster) dsn() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

func (c *throwawayCluster) run(t *testing.T, prog string, args ...string) {
	t.Helper()
	out, err := exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(c.bin, prog)}, args...)...).
		CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", prog, err, out)
	}
}

func (c *throwawayCluster) pgctl(args ...string) error {
	all := append(
		[]string{
			"-u",
			"postgres",
			"--",
			filepath.Join(c.bin, "pg_ctl"),
			"-D",
			c.data,
			"-l",
			filepath.Join(c.data, "server.log"),
		},
		args...)
	out, err := exec.Command("runuser", all...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl %v: %v\n%s", args, err, out)
	}
	return nil
}

func (c *throwawayCluster) start(t *testing.T) {
	t.Helper()
	if err := c.pgctl("-w", "-t", "30", "-o", fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off", c.port, c.data), "start"); err != nil {
		t.Fatal(err)
	}
}

func (c *throwawayCluster) stop(t *testing.T) {
	t.Helper()
	if err := c.pgctl("-m", "fast", "-w", "stop"); err != nil {
		t.Fatal(err)
	}
}

// When PostgreSQL stops, /readyz turns red and a page that needs the
// database answers 503 at once, asking to try again in a minute; when it
// starts again the same portal, never reopened, serves again.
func TestPortal_RecoversWhenPostgresComesBack(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster")
	}
	cluster := newThrowawayCluster(t)
	p, err := Build(context.Background(), Config{Dev: true, Addr: "127.0.0.1:0", BaseURL: "http://127.0.0.1:8080",
		DB: cluster.dsn(), DBOptions: store.Options{ConnectTimeout: 2 * time.Second, StatementTimeout: 5 * time.Second},
		Registerer: prometheus.NewRegistry()}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	srv := httptest.NewServer(p.Server)
	defer srv.Close()

	// A page read with a session cookie looks the session up in the database.
	get := func(path string) (int, string, http.Header, time.Duration) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.AddCookie(&http.Cookie{Name: "portal_session", Value: strings.Repeat("ab", 32)})
		start := time.Now()
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body), resp.Header, time.Since(start)
	}
	// Use several connections, so the pool holds some when the server stops.
	for range 5 {
		if code, _, _, _ := get("/"); code != http.StatusOK {
			t.Fatalf("home page with the database up: %d", code)
		}
	}
	if code, body, _, _ := get("/readyz"); code != http.StatusOK || body != "ready\n" {
		t.Fatalf("readyz with the database up: %d %q", code, body)
	}

	cluster.stop(t)
	for i := range 3 {
		code, body, _, took := get("/readyz")
		if code != http.StatusServiceUnavailable || body != "database unavailable\n" || took > 3*time.Second {
			t.Fatalf("readyz %d with the database stopped: %d %q after %s", i, code, body, took)
		}
		code, body, h, took := get("/")
		if code != http.StatusServiceUnavailable || took > 3*time.Second || h.Get("Retry-After") != "60" ||
			!strings.Contains(body, "Service unavailable") || !strings.Contains(body, "Please try again in a minute.") {
			t.Fatalf(
				"home page %d with the database stopped: %d after %s, Retry-After %q\n%s",
				i,
				code,
				took,
				h.Get("Retry-After"),
				body,
			)
		}
	}

	// The provisioning API says the same in its own (SCIM) form.
	req, _ := http.NewRequest("GET", srv.URL+"/scim/v2/Users", nil)
	req.Header.Set("Authorization", "Bearer ccp_"+strings.Repeat("a", 43))
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "try again in a minute") {
		t.Fatalf("provisioning API with the database stopped: %d %s", resp.StatusCode, body)
	}

	cluster.start(t)
	deadline := time.Now().Add(20 * time.Second)
	for {
		code, _, _, _ := get("/readyz")
		if code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz still %d 20s after the database came back", code)
		}
		time.Sleep(200 * time.Millisecond)
	}
	for range 5 {
		if code, _, _, _ := get("/"); code != http.StatusOK {
			t.Fatalf("home page after the database came back: %d", code)
		}
	}
	if _, err := p.DB.Read().FindEmails(context.Background(), store.EmailFilter{Limit: 1}); err != nil {
		t.Fatalf("a prepared statement of before the restart: %v", err)
	}
}
