// Package scaletest runs the portal as it runs in production: three
// `portal serve` processes on one PostgreSQL behind HAProxy (round robin,
// no stickiness), a real OpenID provider and a real SMTP server. It is run
// by scripts/scale-test, which builds the binary and installs HAProxy; the
// test starts a PostgreSQL cluster of its own, which it may restart.
// Without PORTAL_SCALE_BIN the test is skipped.
//
// TestScaleOut checks three things:
//
//   - A journey through the balancer works whichever instance answers each
//     request: people sign in, register, confirm their email, register a
//     worksite that the CareConnect team approves, ask to join it by its
//     Worksite ID, and are approved by its administrator. Sessions, CSRF
//     tokens, flashes and rate limits live in the database.
//   - Restart PostgreSQL twice while people sign in, register and join
//     (restart_test.go): every request ends within its deadline, served or
//     answered with the portal's 503 page; nothing committed is lost; every
//     instance, never restarted, is ready and serving again soon after.
//   - Kill -9 an instance again and again while the outbox has a backlog:
//     no email is lost; an email whose sending was cut off may arrive twice
//     and then carries the same Message-ID; the emails a killed instance had
//     claimed go out within about 30 seconds (the lease), not minutes.
//
// At the end `portal check` finds the access policy whole and
// `portal audit verify` finds the audit chain whole, although three
// processes wrote it at once and were killed while writing.
package scaletest

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/mail"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/emersion/go-smtp"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/oauth2-proxy/mockoidc"
)

// kills is how many times the kill phase kills an instance; the script can
// ask for more with PORTAL_SCALE_KILLS.
const defaultKills = 20

func TestScaleOut(t *testing.T) {
	bin := os.Getenv("PORTAL_SCALE_BIN")
	if bin == "" {
		t.Skip("PORTAL_SCALE_BIN not set: run scripts/scale-test")
	}
	haproxy, err := exec.LookPath("haproxy")
	if err != nil {
		t.Skip("haproxy not installed: run scripts/scale-test")
	}
	pg := startPostgres(t)
	dsn := pg.dsn()
	kills := defaultKills
	if v := os.Getenv("PORTAL_SCALE_KILLS"); v != "" {
		if kills, err = strconv.Atoi(v); err != nil {
			t.Fatalf("PORTAL_SCALE_KILLS=%q", v)
		}
	}

	c := newCluster(t, bin, haproxy, dsn)
	c.startAll() // on an empty database: all three migrate at once
	c.waitReady(60 * time.Second)

	// The CareConnect officer's role, granted by email as an operator would.
	c.portalCmd("staff", "grant", "--email", "officer@team.example", "--role", "officer", "--by", "scale test")

	t.Run("journey through the balancer", func(t *testing.T) { c.journey(t) })
	t.Run("PostgreSQL restarts under load", func(t *testing.T) { c.restartRun(t, pg) })
	t.Run("kill -9 during an outbox backlog", func(t *testing.T) { c.killRun(t, kills) })

	out := c.portalCmd("check")
	if !strings.HasPrefix(out, "policy holds:") {
		t.Errorf("portal check: %s", out)
	}
	out = c.portalCmd("audit", "verify")
	if !strings.HasPrefix(out, "audit trail intact") || strings.Contains(out, "unkeyed") ||
		strings.Contains(out, "not checked") {
		t.Errorf("portal audit verify: %s", out)
	}
	t.Logf("portal audit verify: %s", strings.TrimSpace(out))
}

// cluster is the three instances, the balancer, the providers and the sink.
type cluster struct {
	t        *testing.T
	bin, dsn string
	dir      string
	lb       string // the balancer's base URL
	ports    [3]int
	procs    [3]*exec.Cmd
	people   *mockoidc.MockOIDC
	staff    *mockoidc.MockOIDC
	signIn   sync.Mutex // the provider hands out queued identities in order
	sink     *sink
	smtpPort int
	auditKey string
	// From the journey: the approved worksite's ID and its administrator,
	// who stays signed in.
	worksiteCode string
	admin        *person
}

func newCluster(t *testing.T, bin, haproxy, dsn string) *cluster {
	c := &cluster{t: t, bin: bin, dsn: dsn, dir: t.TempDir()}
	var err error
	if c.people, err = mockoidc.Run(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.people.Shutdown() })
	if c.staff, err = mockoidc.Run(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.staff.Shutdown() })
	c.sink, c.smtpPort = startSink(t)
	// Every instance keys the audit rows it writes with the same key.
	c.auditKey = filepath.Join(c.dir, "audit.key")
	if out, err := exec.Command(bin, "audit", "keygen", "--kind", "mac", "--out", c.auditKey).CombinedOutput(); err != nil {
		t.Fatalf("audit keygen: %v\n%s", err, out)
	}
	lbPort := freePort(t)
	c.lb = "http://127.0.0.1:" + strconv.Itoa(lbPort)
	for i := range c.ports {
		c.ports[i] = freePort(t)
	}
	cfg := fmt.Sprintf(`global
  maxconn 512
defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  option redispatch
  retries 2
frontend portal
  bind 127.0.0.1:%d
  default_backend portals
backend portals
  balance roundrobin
  option forwardfor
  option httpchk GET /readyz
  default-server inter 300ms fall 2 rise 1
  server p0 127.0.0.1:%d check
  server p1 127.0.0.1:%d check
  server p2 127.0.0.1:%d check
  # When every instance reports its database down, requests still go to
  # them, so people read the portal's own 503 page, not the balancer's.
  option allbackups
  server p0-when-all-down 127.0.0.1:%d backup
  server p1-when-all-down 127.0.0.1:%d backup
  server p2-when-all-down 127.0.0.1:%d backup
`, lbPort, c.ports[0], c.ports[1], c.ports[2], c.ports[0], c.ports[1], c.ports[2])
	path := filepath.Join(c.dir, "haproxy.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(haproxy, "-c", "-f", path).CombinedOutput(); err != nil {
		t.Fatalf("haproxy -c: %v\n%s", err, out)
	}
	lb := exec.Command(haproxy, "-db", "-f", path)
	lb.Stdout, lb.Stderr = logFile(t, c.dir, "haproxy.log"), logFile(t, c.dir, "haproxy.log")
	if err := lb.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = lb.Process.Kill(); _ = lb.Wait() })
	t.Cleanup(func() {
		for i := range c.procs {
			c.stop(i)
		}
		if t.Failed() {
			for i := range c.procs {
				b, _ := os.ReadFile(filepath.Join(c.dir, fmt.Sprintf("p%d.log", i)))
				t.Logf("p%d log tail:\n%s", i, tail(string(b), 3000))
			}
		}
	})
	return c
}

func (c *cluster) env() []string {
	return append(os.Environ(),
		"PORTAL_DB="+c.dsn,
		"PORTAL_BASE_URL="+c.lb,
		"PORTAL_OIDC_ISSUER="+c.people.Issuer(),
		"PORTAL_OIDC_CLIENT_ID="+c.people.ClientID,
		"PORTAL_OIDC_CLIENT_SECRET="+c.people.ClientSecret,
		"PORTAL_STAFF_OIDC_ISSUER="+c.staff.Issuer(),
		"PORTAL_STAFF_OIDC_CLIENT_ID="+c.staff.ClientID,
		"PORTAL_STAFF_OIDC_CLIENT_SECRET="+c.staff.ClientSecret,
		"PORTAL_SMTP_HOST=127.0.0.1",
		"PORTAL_SMTP_PORT="+strconv.Itoa(c.smtpPort),
		"PORTAL_SMTP_TLS=none",
		"PORTAL_TRUSTED_PROXIES=127.0.0.1/32",
		"PORTAL_METRICS_ADDR=off",
		"PORTAL_AUDIT_KEY_FILE="+c.auditKey,
		"PORTAL_MAIL_FROM=my.CareConnect <no-reply@portal.example>",
	)
}

// start runs instance i; its log is appended to pN.log.
func (c *cluster) start(i int) {
	cmd := exec.Command(c.bin, "serve", "-addr", "127.0.0.1:"+strconv.Itoa(c.ports[i]))
	cmd.Env = c.env()
	f := logFile(c.t, c.dir, fmt.Sprintf("p%d.log", i))
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	c.procs[i] = cmd
}

func (c *cluster) startAll() {
	var wg sync.WaitGroup
	for i := range c.procs {
		wg.Go(func() { c.start(i) })
	}
	wg.Wait()
}

// kill sends SIGKILL to instance i and returns its process id.
func (c *cluster) kill(i int) int {
	p := c.procs[i]
	pid := p.Process.Pid
	_ = p.Process.Signal(syscall.SIGKILL)
	_ = p.Wait()
	c.procs[i] = nil
	return pid
}

func (c *cluster) stop(i int) {
	if p := c.procs[i]; p != nil {
		_ = p.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = p.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = p.Process.Kill()
			<-done
		}
		c.procs[i] = nil
	}
}

// waitReady waits until every instance answers /readyz.
func (c *cluster) waitReady(limit time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(limit)
	for i, port := range c.ports {
		for {
			resp, err := http.Get("http://127.0.0.1:" + strconv.Itoa(port) + "/readyz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
			if time.Now().After(deadline) {
				c.t.Fatalf("instance p%d not ready after %s: %v", i, limit, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

// portalCmd runs an operator command against the cluster's database.
func (c *cluster) portalCmd(args ...string) string {
	c.t.Helper()
	cmd := exec.Command(c.bin, args...)
	cmd.Env = c.env()
	out, err := cmd.CombinedOutput()
	if err != nil {
		c.t.Fatalf("portal %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// requestsServed counts the request lines in each instance's log.
func (c *cluster) requestsServed() [3]int {
	var n [3]int
	for i := range n {
		b, _ := os.ReadFile(filepath.Join(c.dir, fmt.Sprintf("p%d.log", i)))
		n[i] = bytes.Count(b, []byte(`"msg":"request"`))
	}
	return n
}

// person is one browser-less client with its own cookie jar.
type person struct {
	t                     *testing.T
	c                     *cluster
	http                  *http.Client
	given, surname, email string
	username              string
	last                  *http.Response
	lastBody              string
}

func (c *cluster) newPerson(t *testing.T, n int, given string) *person {
	jar, _ := cookiejar.New(nil)
	return &person{t: t, c: c, http: &http.Client{Jar: jar, Timeout: 30 * time.Second},
		given: given, surname: "SCALE" + strings.ToUpper(strconv.FormatInt(int64(n), 36)),
		email: fmt.Sprintf("person%d@clinic.example", n), username: fmt.Sprintf("scale.person%d", n)}
}

// problemRe finds the entries of a page's error summary.
var problemRe = regexp.MustCompile(`<a href="#([a-z_-]+)">([^<]+)</a>`)

var csrfRe = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// get loads a page through the balancer, following redirects.
func (p *person) get(path string) string {
	p.t.Helper()
	resp, err := p.http.Get(p.c.lb + path)
	if err != nil {
		p.t.Fatalf("GET %s: %v", path, err)
	}
	return p.read(resp)
}

// post submits a form with the CSRF token of the page last loaded.
func (p *person) post(path string, form url.Values) string {
	p.t.Helper()
	m := csrfRe.FindStringSubmatch(p.lastBody)
	if m == nil {
		p.t.Fatalf("POST %s: no CSRF token on the last page (%s)", path, p.last.Request.URL)
	}
	form.Set("csrf_token", m[1])
	resp, err := p.http.PostForm(p.c.lb+path, form)
	if err != nil {
		p.t.Fatalf("POST %s: %v", path, err)
	}
	return p.read(resp)
}

func (p *person) read(resp *http.Response) string {
	p.t.Helper()
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		p.t.Fatal(err)
	}
	p.last, p.lastBody = resp, string(b)
	if resp.StatusCode >= 400 {
		var problems []string
		for _, m := range problemRe.FindAllStringSubmatch(p.lastBody, -1) {
			problems = append(problems, m[1]+": "+m[2])
		}
		if len(problems) == 0 {
			problems = []string{tail(p.lastBody, 1500)}
		}
		p.t.Fatalf(
			"%s %s: %d %s",
			resp.Request.Method,
			resp.Request.URL.Path,
			resp.StatusCode,
			strings.Join(problems, "; "),
		)
	}
	return p.lastBody
}

func (p *person) at() string { return p.last.Request.URL.Path }

// signIn goes through the people's identity provider as this person.
func (p *person) signIn() {
	p.t.Helper()
	p.c.signIn.Lock()
	defer p.c.signIn.Unlock()
	p.c.people.QueueUser(fixture.OIDCUser{Subject: "BCSC-" + p.email, Extra: map[string]any{
		"given_name": p.given, "family_name": p.surname, "birthdate": "1980-04-18",
		"email": p.email, "email_verified": true}})
	p.get("/signin")
}

func (p *person) register(profession string) {
	p.t.Helper()
	p.signIn()
	if p.at() != "/register" {
		p.t.Fatalf("%s signed in to %s, want /register", p.email, p.at())
	}
	form := url.Values{"profession": {profession}, "email": {p.email}, "phone": {"(778) 888-9999"},
		"health_authority_account": {"no"}, "username": {p.username},
		"password": {"Harbour-Lantern-47"}, "confirm_password": {"Harbour-Lantern-47"}}
	if profession == "physician" {
		form.Set("msp_billing_number", "A1234")
		form.Set("cpsid", "12345")
		form.Set("resident", "no")
	}
	p.post("/register", form)
	if p.at() != "/menu" {
		p.t.Fatalf("%s registered to %s: %s", p.email, p.at(), tail(p.lastBody, 800))
	}
}

var codeRe = regexp.MustCompile(`\b(\d{6})\b`)

// confirmEmail types the code from the confirmation email the sink received.
func (p *person) confirmEmail() {
	p.t.Helper()
	body := p.c.sink.waitFor(p.t, p.email, "confirm", 60*time.Second)
	m := codeRe.FindStringSubmatch(body)
	if m == nil {
		p.t.Fatalf("no code in the confirmation email to %s", p.email)
	}
	p.get("/account")
	p.post("/account/email/confirm", url.Values{"code": {m[1]}})
	if !strings.Contains(p.lastBody, "Confirmed on") {
		p.t.Fatalf("%s: email not confirmed: %s", p.email, tail(p.lastBody, 800))
	}
}

var worksiteIDRe = regexp.MustCompile(`Worksite ID is ([A-Z0-9]{7})`)

func (c *cluster) journey(t *testing.T) {
	before := c.requestsServed()
	admin := c.newPerson(t, 0, "Dalia")
	admin.register("medical_office_assistant")
	admin.confirmEmail()

	admin.get("/worksites/new")
	admin.post("/worksites/new", url.Values{"name": {"Kingsgate Mall Clinic"}, "type": {"private_practice"},
		"phone": {"604-555-0100"}, "address_mode": {"manual"}, "unit": {"101"}, "civic_number": {"370"},
		"street_name": {"Broadway"}, "direction": {"E"}, "city": {"Vancouver"}, "postal_code": {"V5T 4G5"},
		"has_authority": {"yes"}, "group": {""}})
	m := worksiteIDRe.FindStringSubmatch(admin.lastBody)
	if m == nil || !strings.HasSuffix(admin.at(), "/declaration") {
		t.Fatalf("worksite registration landed on %s without a Worksite ID", admin.at())
	}
	code := m[1]
	c.worksiteCode, c.admin = code, admin
	admin.post(admin.at(), url.Values{"agree": {"yes"}, "full_name": {admin.given + " " + admin.surname}})

	// The officer signs in through the team's provider and approves it.
	officer := c.newPerson(t, 1000, "Olivia")
	c.signIn.Lock()
	c.staff.QueueUser(
		fixture.OIDCUser{Subject: "STAFF-olivia", Extra: map[string]any{"given_name": "Olivia", "family_name": "OFFICER",
			"email": "officer@team.example", "email_verified": true}},
	)
	officer.get("/staff/signin")
	c.signIn.Unlock()
	officer.get("/staff/worksites")
	officer.post("/staff/worksites/"+code+"/approve", url.Values{})
	if !strings.Contains(officer.lastBody, "You approved Kingsgate Mall Clinic") {
		t.Fatalf("approval: %s", tail(officer.lastBody, 800))
	}

	// Eight people join by Worksite ID at once; the administrator approves
	// each from the link in the email she receives.
	const members = 8
	var wg sync.WaitGroup
	for n := 1; n <= members; n++ {
		wg.Go(func() {
			p := c.newPerson(t, n, "Member")
			p.register("medical_office_assistant")
			p.confirmEmail()
			p.get("/worksites/join/code")
			p.post("/worksites/join/code", url.Values{"code": {code}})
			p.post(
				"/worksites/access",
				url.Values{"worksite": {code}, "via": {"code"}, "comment": {"Starting Monday."}},
			)
			if !strings.Contains(p.lastBody, "Request has successfully been sent") {
				t.Errorf("%s: join request not sent: %s", p.email, tail(p.lastBody, 500))
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	links := c.sink.waitCount(t, admin.email, "/requests/join/", members, 60*time.Second)
	if len(links) != members {
		t.Fatalf("administrator received %d join-request emails, want %d", len(links), members)
	}
	linkRe := regexp.MustCompile(`/requests/join/\d+`)
	for _, body := range links {
		link := linkRe.FindString(body)
		admin.get(link)
		admin.post(link+"/approve", url.Values{})
	}
	// Every member now sees the worksite as theirs.
	for n := 1; n <= members; n++ {
		p := c.newPerson(t, n, "Member")
		p.signIn()
		if body := p.get("/worksites"); !strings.Contains(body, "Kingsgate Mall Clinic") ||
			!strings.Contains(body, "Active") {
			t.Errorf("%s: My Worksites does not show an active membership: %s", p.email, tail(body, 600))
		}
	}
	after := c.requestsServed()
	for i := range after {
		served := after[i] - before[i]
		t.Logf("instance p%d served %d requests of the journey", i, served)
		if served < 20 {
			t.Errorf("instance p%d served only %d requests: the balancer did not spread them", i, served)
		}
	}
	// Each email went out once: all three instances run the outbox.
	c.sink.waitDrained(t, c, 60*time.Second)
	if d := c.sink.duplicates(); len(d) != 0 {
		t.Errorf("emails sent twice without any instance dying: %v", d)
	}
}

// killRun queues a backlog of emails, slows the SMTP server down, and kills
// one instance after another while the backlog drains, restarting each.
func (c *cluster) killRun(t *testing.T, kills int) {
	db := openDB(t, c.dsn)
	// A slow receiving server, so that a backlog outlasts the kills.
	c.sink.setDelay(400 * time.Millisecond)
	// 60 registrations: an account-created and a confirmation email each.
	var wg sync.WaitGroup
	for n := 100; n < 160; n++ {
		wg.Go(func() { c.newPerson(t, n, "Backlog").register("medical_office_assistant") })
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	type killed struct {
		at     time.Time
		leased []string // Message-IDs the killed instance held
	}
	var victims []killed
	for k := 0; k < kills; k++ {
		time.Sleep(700 * time.Millisecond)
		i := k % 3
		pid := c.procs[i].Process.Pid
		rows, err := db.QueryContext(
			context.Background(),
			`SELECT message_id FROM emails WHERE status = 'pending' AND lease_owner LIKE $1`,
			"%-"+strconv.Itoa(pid)+"-%",
		)
		if err != nil {
			t.Fatal(err)
		}
		var held []string
		for rows.Next() {
			var id string
			_ = rows.Scan(&id)
			held = append(held, id)
		}
		rows.Close()
		c.kill(i)
		victims = append(victims, killed{at: time.Now(), leased: held})
		c.start(i)
	}
	c.waitReady(60 * time.Second)
	c.sink.setDelay(0)
	c.sink.waitDrained(t, c, 120*time.Second)

	// Nothing lost: every email in the outbox arrived, under its Message-ID.
	rows, err := db.QueryContext(context.Background(), `SELECT message_id, status FROM emails`)
	if err != nil {
		t.Fatal(err)
	}
	var total, lost int
	for rows.Next() {
		var id, status string
		_ = rows.Scan(&id, &status)
		total++
		if len(c.sink.arrivals(id)) == 0 {
			lost++
			t.Errorf("email %s (%s) never arrived", id, status)
		}
	}
	rows.Close()
	dups := c.sink.duplicates()
	var leased, slowest int
	var worst time.Duration
	for _, v := range victims {
		for _, id := range v.leased {
			leased++
			arr := c.sink.arrivals(id)
			if len(arr) == 0 {
				continue
			}
			// The first arrival after the kill is the one the lease freed.
			last := arr[len(arr)-1]
			if wait := last.Sub(v.at); wait > worst {
				worst = wait
			}
			if last.Sub(v.at) > 45*time.Second {
				slowest++
			}
		}
	}
	t.Logf(
		"%d kills: %d emails in the outbox, %d lost, %d sent twice (same Message-ID), %d held by a killed instance, longest wait after a kill %s",
		kills,
		total,
		lost,
		len(dups),
		leased,
		worst.Round(100*time.Millisecond),
	)
	if slowest > 0 {
		t.Errorf(
			"%d emails held by a killed instance waited more than 45 s after the kill (longest %s)",
			slowest,
			worst,
		)
	}
}

// sink is an SMTP server that records every arrival by Message-ID.
type sink struct {
	mu      sync.Mutex
	delay   time.Duration
	byID    map[string][]time.Time
	byTo    map[string][]string // bodies, in order of arrival
	changed chan struct{}
}

func startSink(t *testing.T) (*sink, int) {
	s := &sink{byID: map[string][]time.Time{}, byTo: map[string][]string{}, changed: make(chan struct{}, 1)}
	srv := smtp.NewServer(s)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 30*time.Second, 30*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s, l.Addr().(*net.TCPAddr).Port
}

func (s *sink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }

func (s *sink) setDelay(d time.Duration) { s.mu.Lock(); s.delay = d; s.mu.Unlock() }

type sinkSession struct {
	s  *sink
	to []string
}

func (ss *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, strings.ToLower(to))
	return nil
}
func (ss *sinkSession) Reset()        { ss.to = nil }
func (ss *sinkSession) Logout() error { return nil }

func (ss *sinkSession) Data(r io.Reader) error {
	ss.s.mu.Lock()
	delay := ss.s.delay
	ss.s.mu.Unlock()
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	// A slow receiving server: a sender killed now has not been told "250".
	time.Sleep(delay)
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	id := msg.Header.Get("Message-Id")
	body := strings.ReplaceAll(string(raw), "=\r\n", "")
	ss.s.mu.Lock()
	ss.s.byID[id] = append(ss.s.byID[id], time.Now())
	for _, to := range ss.to {
		ss.s.byTo[to] = append(ss.s.byTo[to], body)
	}
	ss.s.mu.Unlock()
	select {
	case ss.s.changed <- struct{}{}:
	default:
	}
	return nil
}

func (s *sink) arrivals(id string) []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.byID[id])
}

func (s *sink) duplicates() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for id, at := range s.byID {
		if len(at) > 1 {
			out = append(out, id)
		}
	}
	return out
}

// all returns the bodies sent to an address that contain substr.
func (s *sink) all(to, substr string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, b := range s.byTo[strings.ToLower(to)] {
		if strings.Contains(b, substr) {
			out = append(out, b)
		}
	}
	return out
}

// waitFor waits for an email to an address whose text contains substr.
func (s *sink) waitFor(t *testing.T, to, substr string, limit time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		if got := s.all(to, substr); len(got) > 0 {
			return got[len(got)-1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no email to %s containing %q within %s", to, substr, limit)
		}
		select {
		case <-s.changed:
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// waitCount waits until n emails to an address contain substr, and returns
// them (more than n when more came).
func (s *sink) waitCount(t *testing.T, to, substr string, n int, limit time.Duration) []string {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		got := s.all(to, substr)
		if len(got) >= n || time.Now().After(deadline) {
			return got
		}
		select {
		case <-s.changed:
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// waitDrained waits until the outbox has nothing pending.
func (s *sink) waitDrained(t *testing.T, c *cluster, limit time.Duration) {
	t.Helper()
	db := openDB(t, c.dsn)
	deadline := time.Now().Add(limit)
	for {
		var pending int
		if err := db.QueryRowContext(context.Background(), `SELECT count(*) FROM emails WHERE status = 'pending'`).Scan(&pending); err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d emails still pending after %s", pending, limit)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func logFile(t *testing.T, dir, name string) *os.File {
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// openDB opens the cluster's database for the test's own look-ups.
func openDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
