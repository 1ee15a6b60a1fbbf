package scaletest

import (
	"database/sql"
	"fmt"
	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// requestDeadline is how long one client request (with its redirects) may
// take while PostgreSQL restarts: the portal waits at most its connect
// timeout (5 s) for the database, plus a margin for a busy machine. The
// clients give up only at twice that, so a request that hangs is measured.
const requestDeadline = 15 * time.Second

// recoverLimit bounds the wait, once PostgreSQL accepts connections again,
// for every instance to be ready and serving a signed-in page.
const recoverLimit = 30 * time.Second

// pgCluster is the test's own PostgreSQL cluster, which it may restart.
type pgCluster struct {
	t         *testing.T
	bin, dir  string
	port      int
	runAsUser bool // as root: run the server as the postgres user
}

// startPostgres creates and starts a throw-away cluster with the server
// binaries of /usr/lib/postgresql (PORTAL_SCALE_PG_BIN names another
// folder). As root it runs as the postgres user, as initdb requires.
func startPostgres(t *testing.T) *pgCluster {
	t.Helper()
	bin := os.Getenv("PORTAL_SCALE_PG_BIN")
	if bin == "" {
		found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
		if len(found) == 0 {
			t.Fatal(
				"no PostgreSQL server binaries in /usr/lib/postgresql/*/bin: install postgresql, or set PORTAL_SCALE_PG_BIN",
			)
		}
		sort.Slice(found, func(i, j int) bool { return pgVersion(found[i]) < pgVersion(found[j]) })
		bin = filepath.Dir(found[len(found)-1])
	}
	pg := &pgCluster{t: t, bin: bin, runAsUser: os.Geteuid() == 0}
	dir, err := os.MkdirTemp("", "portal-scale-pg")
	if err != nil {
		t.Fatal(err)
	}
	pg.dir = dir
	t.Cleanup(func() {
		_ = pg.pgctl("-m", "immediate", "-w", "-t", "30", "stop")
		os.RemoveAll(dir)
	})
	if pg.runAsUser {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatal("running as root, but there is no postgres user to run PostgreSQL as")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := pg.command("initdb", "-D", pg.data(), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
		"--locale=C.UTF-8", "--no-sync").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	// fsync=off loses nothing when only the server stops, as here; commits
	// stay synchronous, so a commit a client was told of is in the WAL.
	for try := 0; ; try++ {
		pg.port = freePort(t)
		conf := fmt.Sprintf("listen_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = '%s'\n"+
			"fsync = off\nfull_page_writes = off\nmax_connections = 200\n", pg.port, dir)
		if err := os.WriteFile(filepath.Join(pg.data(), "postgresql.auto.conf"), []byte(conf), 0o600); err != nil {
			t.Fatal(err)
		}
		err := pg.pgctl("-w", "-t", "60", "start")
		if err == nil {
			break
		}
		// Another process may have taken the port between the check and the bind.
		log, _ := os.ReadFile(pg.log())
		if try == 4 ||
			!strings.Contains(string(log), "could not bind") &&
				!strings.Contains(string(log), "could not create any TCP/IP") {
			t.Fatalf("%v\n%s", err, tail(string(log), 2000))
		}
	}
	return pg
}

// pgVersion reads the major version from /usr/lib/postgresql/NN/bin/initdb.
func pgVersion(initdb string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return n
}

func (pg *pgCluster) data() string { return filepath.Join(pg.dir, "data") }
func (pg *pgCluster) log() string  { return filepath.Join(pg.dir, "server.log") }

func (pg *pgCluster) dsn() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", pg.port)
}

func (pg *pgCluster) command(prog string, args ...string) *exec.Cmd {
	path := filepath.Join(pg.bin, prog)
	if pg.runAsUser {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	}
	return exec.Command(path, args...)
}

func (pg *pgCluster) pgctl(args ...string) error {
	all := append([]string{"-D", pg.data(), "-l", pg.log()}, args...)
	if out, err := pg.command("pg_ctl", all...).CombinedOutput(); err != nil {
		return fmt.Errorf("pg_ctl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// restart is one way PostgreSQL goes away and comes back.
type restart struct {
	name string
	do   func(pg *pgCluster) error
}

var restarts = []restart{
	{"pg_ctl restart -m fast", func(pg *pgCluster) error {
		return pg.pgctl("-m", "fast", "-w", "-t", "60", "restart")
	}},
	// A crash: no checkpoint, so the start runs recovery from the WAL.
	{"stop -m immediate, 2 s down, start", func(pg *pgCluster) error {
		if err := pg.pgctl("-m", "immediate", "-w", "-t", "60", "stop"); err != nil {
			return err
		}
		time.Sleep(2 * time.Second)
		return pg.pgctl("-w", "-t", "60", "start")
	}},
}

// restartRun restarts PostgreSQL twice while clients sign in, register
// and ask to join through the balancer.
func (c *cluster) restartRun(t *testing.T, pg *pgCluster) {
	if c.admin == nil || c.worksiteCode == "" {
		t.Fatal("the journey did not leave a worksite to join")
	}
	db := openDB(t, c.dsn)
	// The administrator signed in during the journey; her session must
	// outlive the restarts.
	admin := *c.admin
	admin.t = t
	var pids [3]int
	for i, p := range c.procs {
		pids[i] = p.Process.Pid
	}

	l := &load{c: c, t: t, stop: make(chan struct{})}
	const workers = 6
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { l.work(w) })
	}
	stopLoad := func() {
		select {
		case <-l.stop:
		default:
			close(l.stop)
		}
		wg.Wait()
	}
	defer stopLoad()
	// Load before the first restart: some people through to the end.
	if !l.waitJoined(3, 60*time.Second) {
		t.Fatalf("before any restart, only %d people joined in 60 s", l.joinedCount())
	}

	type figures struct {
		name              string
		down, recover     time.Duration
		failed, succeeded int
	}
	var figs []figures
	for _, r := range restarts {
		before := snapshot(t, db)
		f0, s0 := l.counts()
		began := time.Now()
		if err := r.do(pg); err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		up := time.Now()
		recovered := c.waitRecovered(t, &admin, recoverLimit)
		after := snapshot(t, db)
		for i, b := range before {
			if missing := b.missingFrom(after[i]); len(missing) > 0 {
				t.Errorf(
					"%s: %d rows of %s committed before it are gone after it (%s %v)",
					r.name,
					len(missing),
					b.table,
					b.key,
					missing,
				)
			}
		}
		// Load goes on after the recovery.
		time.Sleep(3 * time.Second)
		f1, s1 := l.counts()
		figs = append(figs, figures{name: r.name, down: up.Sub(began), recover: recovered,
			failed: f1 - f0, succeeded: s1 - s0})
	}
	stopLoad()

	// No instance was restarted: the same processes, still running.
	for i, p := range c.procs {
		if p == nil || p.Process.Pid != pids[i] || p.Process.Signal(syscall.Signal(0)) != nil {
			t.Errorf("instance p%d is not the process it was before the restarts", i)
		}
	}
	// Whatever a client was told had worked is there.
	for _, name := range l.registeredNames() {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM accounts WHERE username = $1`, name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("%s was told the account was created, but it is not in the database", name)
		}
	}
	for _, email := range l.joinedEmails() {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM join_requests j JOIN accounts a ON a.id = j.account_id
			WHERE a.email = $1`, email).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("%s was told the request to join was sent, but %d are in the database", email, n)
		}
	}
	// The outbox sends everything, the emails written during the restarts too.
	c.sink.waitDrained(t, c, 120*time.Second)
	var total, lost int
	rows, err := db.Query(`SELECT message_id FROM emails`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		_ = rows.Scan(&id)
		total++
		if len(c.sink.arrivals(id)) == 0 {
			lost++
			t.Errorf("email %s never arrived", id)
		}
	}
	rows.Close()

	failed, succeeded := l.counts()
	t.Logf("%d clients: %d requests, %d answered with the portal's 503 page, longest %s (deadline %s); "+
		"%d people registered, %d asked to join",
		workers, failed+succeeded, failed, l.longest().Round(10*time.Millisecond), requestDeadline,
		len(l.registeredNames()), len(l.joinedEmails()))
	for _, f := range figs {
		t.Logf(
			"%s: database away %s; %d requests got the 503 page, %d served; every instance ready and serving a signed-in page %s after the database was back",
			f.name,
			f.down.Round(10*time.Millisecond),
			f.failed,
			f.succeeded,
			f.recover.Round(10*time.Millisecond),
		)
	}
	t.Logf(
		"emails after the restarts: %d in the outbox, %d lost, %d sent twice (same Message-ID)",
		total,
		lost,
		len(c.sink.duplicates()),
	)
	if succeeded == 0 {
		t.Error("no request succeeded")
	}
}

// waitRecovered waits until every instance, asked directly, is ready and
// serves the signed-in administrator her menu, and says how long it took.
func (c *cluster) waitRecovered(t *testing.T, admin *person, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for i, port := range c.ports {
		base := "http://127.0.0.1:" + strconv.Itoa(port)
		var last string
		for {
			ready, menu := 0, 0
			if resp, err := http.Get(base + "/readyz"); err == nil {
				ready = resp.StatusCode
				resp.Body.Close()
			}
			if ready == http.StatusOK {
				// The cookie jar holds the session for 127.0.0.1, whatever the port.
				if resp, err := admin.http.Get(base + "/menu"); err == nil {
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode == http.StatusOK && resp.Request.URL.Path == "/menu" &&
						strings.Contains(string(b), admin.given) {
						menu = http.StatusOK
					} else {
						menu = resp.StatusCode
						last = resp.Request.URL.Path + ": " + tail(string(b), 300)
					}
				}
			}
			if ready == http.StatusOK && menu == http.StatusOK {
				break
			}
			if time.Since(start) > limit {
				t.Fatalf(
					"instance p%d not serving %s after the database came back: readyz %d, menu %d %s",
					i,
					limit,
					ready,
					menu,
					last,
				)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return time.Since(start)
}

// tableKeys is the keys of a table's committed rows at a moment.
type tableKeys struct {
	table, key string
	keys       map[int64]bool
}

// snapshot reads the keys of the rows that a restart must not lose.
func snapshot(t *testing.T, db *sql.DB) []tableKeys {
	t.Helper()
	var out []tableKeys
	for _, tk := range [][2]string{{"accounts", "id"}, {"join_requests", "id"}, {"emails", "id"}, {"audit_log", "seq"}} {
		tb := tableKeys{table: tk[0], key: tk[1], keys: map[int64]bool{}}
		rows, err := db.Query(`SELECT ` + tk[1] + ` FROM ` + tk[0])
		if err != nil {
			t.Fatalf("keys of %s: %v", tk[0], err)
		}
		for rows.Next() {
			var k int64
			if err := rows.Scan(&k); err != nil {
				t.Fatal(err)
			}
			tb.keys[k] = true
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		out = append(out, tb)
	}
	return out
}

// missingFrom returns the keys of b that a later snapshot lacks.
func (b tableKeys) missingFrom(later tableKeys) []int64 {
	var out []int64
	for k := range b.keys {
		if !later.keys[k] {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// load is the clients that sign in, register and join while PostgreSQL
// restarts. Each request ends served, or with the portal's 503 page, after
// which the client leaves that person and starts another.
type load struct {
	c    *cluster
	t    *testing.T
	stop chan struct{}
	next atomic.Int64

	mu         sync.Mutex
	failed     int // requests answered with the portal's 503 page
	succeeded  int
	worst      time.Duration
	registered []string // usernames the portal said it created
	joined     []string // emails of people the portal said asked to join
}

func (l *load) stopped() bool {
	select {
	case <-l.stop:
		return true
	default:
		return false
	}
}

func (l *load) counts() (failed, succeeded int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.failed, l.succeeded
}

func (l *load) longest() time.Duration { l.mu.Lock(); defer l.mu.Unlock(); return l.worst }

func (l *load) registeredNames() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.registered)
}

func (l *load) joinedEmails() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.joined)
}
func (l *load) joinedCount() int { l.mu.Lock(); defer l.mu.Unlock(); return len(l.joined) }

func (l *load) waitJoined(n int, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for l.joinedCount() < n {
		if time.Now().After(deadline) || l.t.Failed() {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
	return true
}

// work runs people through sign-in, registration and a request to join,
// one after another, until the load stops.
func (l *load) work(w int) {
	for !l.stopped() && !l.t.Failed() {
		n := int(l.next.Add(1)) + 500
		p := l.c.newPerson(l.t, n, "Restart")
		p.http.Timeout = 2 * requestDeadline
		// Each person from an address of their own, as behind real clients,
		// so the per-address limits on sign-in and Worksite IDs do not bite.
		ip := fmt.Sprintf("10.%d.%d.%d", w+1, n/250%250, n%250+1)
		p.http.Transport = forwardedFor{ip: ip}
		if !l.person(p) {
			time.Sleep(300 * time.Millisecond) // a person waits a moment before trying again
		}
	}
}

// person takes one person as far as the portal lets them; false when a
// request was answered with the 503 page.
func (l *load) person(p *person) bool {
	// Sign in: one at a time, since the provider hands out queued identities.
	l.c.signIn.Lock()
	q := l.c.people.UserQueue
	q.Lock()
	q.Queue = nil // an earlier attempt cut short may have left its identity
	q.Unlock()
	l.c.people.QueueUser(fixture.OIDCUser{Subject: "BCSC-" + p.email, Extra: map[string]any{
		"given_name": p.given, "family_name": p.surname, "birthdate": "1980-04-18",
		"email": p.email, "email_verified": true}})
	ok := l.do(p, "GET", "/signin", nil, "/register", "")
	l.c.signIn.Unlock()
	if !ok {
		return false
	}
	if !l.do(p, "POST", "/register", url.Values{"profession": {"medical_office_assistant"}, "email": {p.email},
		"phone": {"(778) 888-9999"}, "health_authority_account": {"no"}, "username": {p.username},
		"password": {"Harbour-Lantern-47"}, "confirm_password": {"Harbour-Lantern-47"}}, "/menu", "") {
		return false
	}
	l.mu.Lock()
	l.registered = append(l.registered, p.username)
	l.mu.Unlock()
	if !l.do(p, "GET", "/worksites/join/code", nil, "/worksites/join/code", "") ||
		!l.do(p, "POST", "/worksites/join/code", url.Values{"code": {l.c.worksiteCode}}, "", "Kingsgate Mall Clinic") ||
		!l.do(p, "POST", "/worksites/access", url.Values{"worksite": {l.c.worksiteCode}, "via": {"code"},
			"comment": {"Starting Monday."}}, "", "Request has successfully been sent") {
		return false
	}
	l.mu.Lock()
	l.joined = append(l.joined, p.email)
	l.mu.Unlock()
	return l.do(p, "GET", "/menu", nil, "/menu", p.given)
}

// do sends one request (following redirects) through the balancer and
// checks where it ends: at wantPath (when given) showing wantText (when
// given), or the portal's 503 page. Anything else fails the test.
func (l *load) do(p *person, method, path string, form url.Values, wantPath, wantText string) bool {
	var req *http.Request
	if method == "POST" {
		m := csrfRe.FindStringSubmatch(p.lastBody)
		if m == nil {
			l.t.Errorf("%s %s: no CSRF token on the page before", method, path)
			return false
		}
		form.Set("csrf_token", m[1])
		req, _ = http.NewRequest(method, l.c.lb+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req, _ = http.NewRequest(method, l.c.lb+path, nil)
	}
	start := time.Now()
	resp, err := p.http.Do(req)
	var body []byte
	if err == nil {
		body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	took := time.Since(start)
	l.mu.Lock()
	l.worst = max(l.worst, took)
	l.mu.Unlock()
	if took > requestDeadline {
		l.t.Errorf(
			"%s %s took %s, past its deadline of %s",
			method,
			path,
			took.Round(time.Millisecond),
			requestDeadline,
		)
	}
	if err != nil {
		l.t.Errorf("%s %s: no answer after %s: %v", method, path, took.Round(time.Millisecond), err)
		return false
	}
	text := string(body)
	at := resp.Request.URL.Path
	if resp.StatusCode == http.StatusServiceUnavailable {
		// The portal's own page (the balancer's has no request ID), saying
		// plainly what happened and when to try again.
		if resp.Header.Get("X-Request-ID") == "" || resp.Header.Get("Retry-After") != "60" ||
			!strings.Contains(text, "Service unavailable") || !strings.Contains(text, "Please try again in a minute.") {
			l.t.Errorf(
				"%s %s ended at %s with a 503 that is not the portal's page: %s",
				method,
				path,
				at,
				tail(text, 400),
			)
		}
		l.mu.Lock()
		l.failed++
		l.mu.Unlock()
		return false
	}
	l.mu.Lock()
	l.succeeded++
	l.mu.Unlock()
	p.last, p.lastBody = resp, text
	switch {
	case resp.StatusCode != http.StatusOK:
		var problems []string
		for _, m := range problemRe.FindAllStringSubmatch(text, -1) {
			problems = append(problems, m[2])
		}
		l.t.Errorf("%s %s ended at %s with %d: %s %s", method, path, at, resp.StatusCode, problems, tail(text, 400))
		return false
	case wantPath != "" && at != wantPath:
		l.t.Errorf("%s %s (%s) ended at %s, want %s", method, path, p.email, at, wantPath)
		return false
	case wantText != "" && !strings.Contains(text, wantText):
		l.t.Errorf("%s %s (%s) ended at %s without %q: %s", method, path, p.email, at, wantText, tail(text, 400))
		return false
	}
	return true
}

// forwardedFor sends requests as if from a client at ip, behind the balancer.
type forwardedFor struct{ ip string }

func (f forwardedFor) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", f.ip)
	return transport.RoundTrip(r)
}

// transport is shared by the load's clients, with fresh dials bounded.
var transport = &http.Transport{
	DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
	MaxIdleConnsPerHost: 16,
	IdleConnTimeout:     30 * time.Second,
}
