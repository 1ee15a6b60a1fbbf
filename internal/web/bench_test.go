//go:build unix

package web_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/bcgov-example/careconnect-portal/internal/passwd"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
	"github.com/bcgov-example/careconnect-portal/internal/wire"
)

// The page benchmarks measure throughput: benchClients goroutines send
// requests over keep-alive connections as fast as the server answers, and
// each reports requests per second. BenchmarkStaticBaseline runs the same
// client against a plain handler, so the ratio menu/static is taken from
// one run on one machine.
//
// Run them with -short: TestMain otherwise fails the package because a
// benchmark-only run renders few of the page templates.
//
//	go test -short -run '^$' -bench 'Menu|StaticBaseline' -benchtime 3s -count 6 ./internal/web/
//
// PORTAL_BENCH_CLIENTS changes the number of concurrent clients (default 8).
//
// Each also reports p99-ms: the 99th percentile of the time one operation
// took, seen by its client.
//
// Besides req/s, each reports cpu-us/req: the CPU time (user and system)
// of the whole test process per request, client included. On a shared
// machine it varies less than the throughput; it does not count the CPU
// of a PostgreSQL server.

const menuHeading = "<h1>Main Menu</h1>"

// staticPage is what the baseline handler serves: a small constant page.
const staticPage = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Main Menu | my.CareConnect</title></head>
<body><main id="main"><h1>Main Menu</h1><p>Welcome.</p></main></body>
</html>
`

func benchClients() int {
	if n, err := strconv.Atoi(os.Getenv("PORTAL_BENCH_CLIENTS")); err == nil && n > 0 {
		return n
	}
	return 8
}

// cpuTime is the CPU time this process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// parallel runs op b.N times from the benchmark's parallel goroutines and
// reports throughput (per second, in unit), the 99th percentile of one
// op's duration and process CPU per operation.
func parallel(b *testing.B, unit string, op func() error) {
	b.Helper()
	b.ReportAllocs()
	var mu sync.Mutex
	var took []time.Duration
	b.ResetTimer()
	cpu := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		defer func() {
			mu.Lock()
			took = append(took, mine...)
			mu.Unlock()
		}()
		for pb.Next() {
			start := time.Now()
			if err := op(); err != nil {
				b.Error(err)
				return
			}
			mine = append(mine, time.Since(start))
		}
	})
	b.StopTimer()
	cpu = cpuTime() - cpu
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), unit+"/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-us/"+unit)
	if len(took) > 0 {
		slices.Sort(took)
		b.ReportMetric(float64(took[(len(took)*99)/100].Microseconds())/1000, "p99-ms")
	}
}

// asServed runs b with the garbage collector set as `portal serve` sets it
// (wire.SetCollector), and restores the test binary's setting afterwards.
func asServed(b *testing.B) {
	prev := debug.SetGCPercent(100)
	debug.SetGCPercent(prev)
	wire.SetCollector(os.Getenv)
	b.Cleanup(func() { debug.SetGCPercent(prev) })
}

// setParallelism makes b.RunParallel use at least benchClients goroutines.
func setParallelism(b *testing.B) int {
	n := benchClients()
	procs := runtime.GOMAXPROCS(0)
	p := (n + procs - 1) / procs
	b.SetParallelism(p)
	return p * procs
}

// signedIn is a portal with one registered, signed-in person.
type signedIn struct {
	inst   *portaltest.Instance
	cookie string // the Cookie header of the person's session
	token  string // the session token
}

// startSignedIn starts a portal on dsn, registers a person through the
// development sign-in and returns their session cookie.
func startSignedIn(b *testing.B, dsn string) *signedIn {
	b.Helper()
	inst := portaltest.Start(b, dsn)
	// Registered follows to the menu, which shows and clears the welcome
	// flash, so later menus do not write the session.
	c := inst.Registered(b, "Bianca", "BENCHMARK", "bianca@example.ca", "bianca.benchmark")
	u, _ := url.Parse(inst.URL)
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if ck.Name == "portal_session" {
			return &signedIn{inst: inst, cookie: ck.Name + "=" + ck.Value, token: ck.Value}
		}
	}
	b.Fatal("no session cookie after registration")
	return nil
}

// eachDatabase starts a signed-in portal per database and runs fn as a
// sub-benchmark; PostgreSQL is skipped without PORTAL_TEST_POSTGRES_URL.
func eachDatabase(b *testing.B, fn func(b *testing.B, s *signedIn)) {
	eachDSN(b, func(name, dsn string) {
		s := startSignedIn(b, dsn)
		b.Run(name, func(b *testing.B) { fn(b, s) })
	})
}

// eachDSN calls fn with the name and DSN of each database, SQLite first;
// without PORTAL_TEST_POSTGRES_URL PostgreSQL's sub-benchmark is skipped.
func eachDSN(b *testing.B, fn func(name, dsn string)) {
	dsns := storetest.DSNs(b)
	for _, name := range []string{"sqlite", "postgres"} {
		dsn, ok := dsns[name]
		if !ok {
			b.Run(
				name,
				func(b *testing.B) { b.Skip(storetest.EnvPostgres + " not set: PostgreSQL benchmarks skipped") },
			)
			continue
		}
		fn(name, dsn)
	}
}

// newBenchClient is an HTTP client that keeps one idle connection per
// concurrent client and never follows redirects.
func newBenchClient(conns int) *http.Client {
	return &http.Client{Transport: newBenchTransport(conns), Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// newBenchTransport keeps one idle connection per concurrent client.
func newBenchTransport(conns int) *http.Transport {
	return &http.Transport{
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
}

// hammer checks one GET of target, then sends b.N of them from parallel
// clients and reports requests per second.
func hammer(b *testing.B, target, cookie string) {
	b.Helper()
	conns := setParallelism(b)
	client := newBenchClient(conns)
	defer client.CloseIdleConnections()
	get := func() (*http.Response, error) {
		req, err := http.NewRequest(http.MethodGet, target, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Cookie", cookie)
		return client.Do(req)
	}
	resp, err := get()
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), menuHeading) {
		b.Fatalf("GET %s: status %d, want 200 and the main menu; body starts %.200q", target, resp.StatusCode, body)
	}
	b.SetBytes(int64(len(body)))
	parallel(b, "req", func() error {
		resp, err := get()
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: status %d", target, resp.StatusCode)
		}
		return nil
	})
}

// BenchmarkMenu is GET /menu for a signed-in person over HTTP on
// 127.0.0.1: the whole portal, with its middleware, session and account
// lookups, template and the network round trip.
func BenchmarkMenu(b *testing.B) {
	asServed(b)
	eachDatabase(b, func(b *testing.B, s *signedIn) {
		hammer(b, s.inst.URL+"/menu", s.cookie)
	})
}

// BenchmarkStaticBaseline is a plain handler writing a small constant
// page, served and requested the same way as BenchmarkMenu.
func BenchmarkStaticBaseline(b *testing.B) {
	asServed(b)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, staticPage)
	}))
	defer srv.Close()
	hammer(b, srv.URL+"/menu", "portal_session="+strings.Repeat("0", 64))
}

// BenchmarkMenuRender is GET /menu served in process (ServeHTTP into a
// recorder): the portal's own cost without the network and HTTP parsing.
func BenchmarkMenuRender(b *testing.B) {
	asServed(b)
	eachDatabase(b, func(b *testing.B, s *signedIn) {
		serve := func() *httptest.ResponseRecorder {
			req := httptest.NewRequest(http.MethodGet, s.inst.URL+"/menu", nil)
			req.Header.Set("Cookie", s.cookie)
			rec := httptest.NewRecorder()
			s.inst.Portal.Server.ServeHTTP(rec, req)
			return rec
		}
		if rec := serve(); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), menuHeading) {
			b.Fatalf("status %d, want 200 and the main menu", rec.Code)
		}
		setParallelism(b)
		parallel(b, "req", func() error {
			if rec := serve(); rec.Code != http.StatusOK {
				return fmt.Errorf("status %d", rec.Code)
			}
			return nil
		})
	})
}

// BenchmarkMenuLookups is the database work the session middleware does
// for every page: the session by its token's hash, then the account.
func BenchmarkMenuLookups(b *testing.B) {
	asServed(b)
	eachDatabase(b, func(b *testing.B, s *signedIn) {
		sum := sha256.Sum256([]byte(s.token))
		idHash := hex.EncodeToString(sum[:])
		q := s.inst.DB.Read()
		setParallelism(b)
		parallel(b, "lookup", func() error {
			row, err := q.FindSession(b.Context(), idHash)
			if err != nil {
				return err
			}
			_, err = q.FindAccountByID(b.Context(), row.AccountID)
			return err
		})
	})
}

var (
	requestField = regexp.MustCompile(`name="request" value="([^"]+)"`)
	csrfField    = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
	loginAction  = regexp.MustCompile(`method="post" action="([^"]+)"`)
)

// BenchmarkSignInRegister is a new person's first sign-in and
// registration over HTTP: GET /signin, the development provider's page,
// its login, the callback, GET /register, POST /register (one argon2id
// hash) and the menu it leads to, seven requests. Each operation is a new
// person with their own cookies, from their own address (X-Forwarded-For
// through a trusted proxy), so the per-address sign-in limit is not what
// is measured.
func BenchmarkSignInRegister(b *testing.B) {
	asServed(b)
	eachDSN(b, func(name, dsn string) {
		inst := portaltest.Start(b, dsn, func(c *wire.Config) {
			c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
			c.Hasher = passwd.NewHasher(0) // the cost measured is the real one
		})
		var n atomic.Int64 // outside b.Run: its function runs again for each b.N
		b.Run(name, func(b *testing.B) {
			tr := newBenchTransport(setParallelism(b))
			defer tr.CloseIdleConnections()
			parallel(b, "signup", func() error { return signUp(inst.URL, tr, n.Add(1)) })
		})
	})
}

// registrationHeading marks the registration page.
const registrationHeading = "<h1>Account Registration</h1>"

// letters spells i in the letters A to Z, so each benchmark person has a
// surname of their own (the provider keys its subjects on the typed name).
func letters(i int64) string {
	var b []byte
	for {
		b = append(b, byte('A'+i%26))
		if i /= 26; i == 0 {
			break
		}
	}
	return string(b)
}

// redirect, as the status signUp wants, is any 3xx.
const redirect = 3

// signUp runs one person's sign-in and registration.
func signUp(base string, tr http.RoundTripper, i int64) error {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Transport: tr, Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	ip := fmt.Sprintf("10.%d.%d.%d", (i>>16)&255, (i>>8)&255, i&255)
	email := fmt.Sprintf("person%d@example.ca", i)
	do := func(method, target string, form url.Values, want int) (*http.Response, string, error) {
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		u, err := url.Parse(base)
		if err != nil {
			return nil, "", err
		}
		if u, err = u.Parse(target); err != nil {
			return nil, "", err
		}
		req, err := http.NewRequest(method, u.String(), body)
		if err != nil {
			return nil, "", err
		}
		req.Header.Set("X-Forwarded-For", ip)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := c.Do(req)
		if err != nil {
			return nil, "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if got := resp.StatusCode; got != want && !(want == redirect && got >= 300 && got < 400) {
			return nil, "", fmt.Errorf("%s %s: status %d, want %d; %.300s", method, target, resp.StatusCode, want, b)
		}
		return resp, string(b), nil
	}
	resp, _, err := do(http.MethodGet, "/signin", nil, redirect)
	if err != nil {
		return err
	}
	_, page, err := do(http.MethodGet, resp.Header.Get("Location"), nil, http.StatusOK)
	if err != nil {
		return err
	}
	reqID, action := requestField.FindStringSubmatch(page), loginAction.FindStringSubmatch(page)
	if reqID == nil || action == nil {
		return fmt.Errorf("no login form on the provider's page")
	}
	resp, _, err = do(
		http.MethodPost,
		action[1],
		url.Values{"request": {reqID[1]}, "action": {"new"}, "given_names": {"Pat"},
			"surname": {"BENCHMARK " + letters(i)}, "birth_date": {"1980-04-18"}, "email": {email}},
		redirect,
	)
	if err != nil {
		return err
	}
	if resp, _, err = do(http.MethodGet, resp.Header.Get("Location"), nil, redirect); err != nil {
		return err
	}
	_, page, err = do(http.MethodGet, resp.Header.Get("Location"), nil, http.StatusOK)
	if err != nil {
		return err
	}
	if !strings.Contains(page, registrationHeading) {
		// The provider gives a person typed twice the same subject: a
		// returning person would skip registration and its hash.
		return fmt.Errorf("the sign-in did not lead to the registration page")
	}
	csrf := csrfField.FindStringSubmatch(page)
	if csrf == nil {
		return fmt.Errorf("no CSRF token on the registration page")
	}
	form := portaltest.RegistrationForm(email, fmt.Sprintf("pat.benchmark%d", i))
	form.Set("csrf_token", csrf[1])
	if resp, _, err = do(http.MethodPost, "/register", form, redirect); err != nil {
		return err
	}
	_, page, err = do(http.MethodGet, resp.Header.Get("Location"), nil, http.StatusOK)
	if err == nil && !strings.Contains(page, menuHeading) {
		err = fmt.Errorf("registration did not lead to the main menu")
	}
	return err
}
