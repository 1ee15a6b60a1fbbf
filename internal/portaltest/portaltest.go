// Package portaltest starts whole portals for tests: the real wiring on a
// throw-away database, served on 127.0.0.1 with a random port, and a
// cookie-keeping client that drives it the way a browser would.
package portaltest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/passwd"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/wire"

	"github.com/andybalholm/cascadia"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/net/html"
)

// Instance is a running portal.
type Instance struct {
	URL    string
	Portal *wire.Portal
	DB     *store.DB
	Clock  *fixture.Clock
	// Logs holds everything the portal logged at Info level and above.
	Logs *LogBuffer
}

// LogBuffer collects log lines; safe for concurrent use.
type LogBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was logged so far.
func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// teeHandler sends each record to two handlers.
type teeHandler struct{ a, b slog.Handler }

func (h teeHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.a.Enabled(ctx, l) || h.b.Enabled(ctx, l)
}

func (h teeHandler) Handle(ctx context.Context, r slog.Record) error {
	for _, x := range []slog.Handler{h.a, h.b} {
		if x.Enabled(ctx, r.Level) {
			if err := x.Handle(ctx, r.Clone()); err != nil {
				return err
			}
		}
	}
	return nil
}

func (h teeHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return teeHandler{h.a.WithAttrs(as), h.b.WithAttrs(as)}
}

func (h teeHandler) WithGroup(name string) slog.Handler {
	return teeHandler{h.a.WithGroup(name), h.b.WithGroup(name)}
}

// Start runs a development-mode portal on dsn. edit may change the
// configuration before it is built.
func Start(t testing.TB, dsn string, edit ...func(*wire.Config)) *Instance {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	clock := fixture.NewClock(time.Now().UTC().Truncate(time.Millisecond))
	cfg := wire.Config{
		Addr: l.Addr().String(), BaseURL: "http://" + l.Addr().String(), DB: dsn, Dev: true,
		SupportEmail: "careconnect-support@portal.test", MailFrom: "my.CareConnect <no-reply@portal.test>",
		Registerer: prometheus.NewRegistry(), Now: clock.Now,
		Hasher: passwd.NewTestHasher(),
	}
	for _, e := range edit {
		e(&cfg)
	}
	logs := &LogBuffer{}
	var shown slog.Handler = slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError + 100})
	if testing.Verbose() {
		shown = slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})
	}
	logger := slog.New(teeHandler{slog.NewTextHandler(logs, nil), shown})
	p, err := wire.Build(context.Background(), cfg, logger)
	if err != nil {
		l.Close()
		t.Fatalf("build portal: %v", err)
	}
	ts := httptest.NewUnstartedServer(p.Server)
	ts.Listener.Close()
	ts.Listener = l
	ts.Start()
	t.Cleanup(func() { ts.Close(); p.Close() })
	return &Instance{URL: ts.URL, Portal: p, DB: p.DB, Clock: clock, Logs: logs}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// DeliverMail runs the outbox worker once, as the background job would.
func (i *Instance) DeliverMail(t testing.TB) {
	t.Helper()
	i.RunJob(t, "outbox")
}

// Client is a cookie-keeping HTTP client that does not follow redirects
// by itself, so tests see every step.
type Client struct {
	t    testing.TB
	base string
	HTTP *http.Client
	CSRF string // the last csrf_token seen in a page
}

// Client returns a new client with its own cookie jar.
func (i *Instance) Client(t testing.TB) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{t: t, base: i.URL, HTTP: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Page is a response with its parsed HTML.
type Page struct {
	Status   int
	Location string
	Header   http.Header
	Body     string
	URL      string
	doc      *html.Node
}

func (c *Client) abs(p string) string {
	if strings.HasPrefix(p, "http://") || strings.HasPrefix(p, "https://") {
		return p
	}
	return c.base + p
}

func (c *Client) do(req *http.Request) *Page {
	c.t.Helper()
	resp, err := c.HTTP.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	p := &Page{
		Status:   resp.StatusCode,
		Location: resp.Header.Get("Location"),
		Header:   resp.Header,
		Body:     string(b),
		URL:      req.URL.String(),
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		p.doc, _ = html.Parse(strings.NewReader(p.Body))
		if tok := p.Attr(`input[name="csrf_token"]`, "value"); tok != "" {
			c.CSRF = tok
		}
	}
	return p
}

// Get fetches a path without following redirects.
func (c *Client) Get(path string) *Page {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.abs(path), nil)
	return c.do(req)
}

// Post submits a form, adding the CSRF token last seen unless the form has one.
func (c *Client) Post(path string, form url.Values) *Page {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf_token"]; !ok && c.CSRF != "" {
		form.Set("csrf_token", c.CSRF)
	}
	req, _ := http.NewRequest(http.MethodPost, c.abs(path), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// Follow follows redirects from p until a page that is not a redirect.
func (c *Client) Follow(p *Page) *Page {
	c.t.Helper()
	for i := 0; i < 10 && p.Status >= 300 && p.Status < 400; i++ {
		next, err := url.Parse(p.URL)
		if err != nil {
			c.t.Fatal(err)
		}
		loc, err := next.Parse(p.Location)
		if err != nil {
			c.t.Fatal(err)
		}
		p = c.Get(loc.String())
	}
	return p
}

// SignIn goes through the development sign-in as a typed person and
// returns the page the portal lands on (registration or the menu).
func (c *Client) SignIn(given, surname, birth, email string) *Page {
	c.t.Helper()
	login := c.StartSignIn()
	req := c.Post(login.URL[:strings.Index(login.URL, "/authorize")]+"/login", url.Values{
		"request": {login.Attr(`input[name="request"]`, "value")}, "action": {"new"},
		"given_names": {given}, "surname": {surname}, "birth_date": {birth}, "email": {email},
	})
	if req.Status != http.StatusSeeOther && req.Status != http.StatusFound {
		c.t.Fatalf("development sign-in refused the person: %d %s", req.Status, req.Text("main"))
	}
	return c.Follow(req)
}

// confirmLink finds a confirmation link's path in an email's text.
var confirmLink = regexp.MustCompile(`/account/email/confirm/[0-9a-f]{64}`)

// ConfirmEmail confirms the signed-in person's address as its owner would:
// it opens the newest email to the address that carries a confirmation link
// in the development mailbox, follows the link and presses its button. It
// returns the page the portal lands on (Manage My Account).
func (c *Client) ConfirmEmail(email string) *Page {
	c.t.Helper()
	link := c.MailboxLink(email, confirmLink)
	if link == "" {
		c.t.Fatalf("no email to %s in the development mailbox asks to confirm the address", email)
	}
	page := c.Get(link)
	if page.Status != http.StatusOK ||
		page.Attr(`form[action="/account/email/confirm"] input[name="token"]`, "value") == "" {
		c.t.Fatalf("confirmation link %s: %d %s", link, page.Status, page.Text("main"))
	}
	done := c.Post("/account/email/confirm", url.Values{"token": {page.Attr(`input[name="token"]`, "value")}})
	if done.Status != http.StatusSeeOther {
		c.t.Fatalf("confirming %s: %d %s", email, done.Status, done.Text("main"))
	}
	return c.Follow(done)
}

// MailboxLink returns the path of the first link matching re in the newest
// email to an address that has one, read from the development mailbox as a
// person would; "" when there is none.
func (c *Client) MailboxLink(email string, re *regexp.Regexp) string {
	c.t.Helper()
	box := c.Get("/dev/mailbox?to=" + url.QueryEscape(email))
	for _, n := range box.Find("table.mailbox tbody tr a") {
		for _, a := range n.Attr {
			if a.Key != "href" {
				continue
			}
			if m := re.FindString(c.Get(a.Val).Text("#mail-text")); m != "" {
				return m
			}
		}
	}
	return ""
}

// StartSignIn follows the portal's sign-in to the development provider's page.
func (c *Client) StartSignIn() *Page {
	c.t.Helper()
	p := c.Follow(c.Get("/signin"))
	if p.Status != http.StatusOK || !strings.Contains(p.URL, "/dev/oidc/authorize") {
		c.t.Fatalf("sign-in did not reach the development provider: %d %s", p.Status, p.URL)
	}
	return p
}

// Find returns the nodes matching a CSS selector.
func (p *Page) Find(sel string) []*html.Node {
	if p.doc == nil {
		return nil
	}
	m, err := cascadia.Compile(sel)
	if err != nil {
		panic(err)
	}
	return m.MatchAll(p.doc)
}

// Text returns the whitespace-normalised text of the first match, or "".
func (p *Page) Text(sel string) string {
	ns := p.Find(sel)
	if len(ns) == 0 {
		return ""
	}
	return NodeText(ns[0])
}

// Attr returns an attribute of the first match, or "".
func (p *Page) Attr(sel, name string) string {
	ns := p.Find(sel)
	if len(ns) == 0 {
		return ""
	}
	for _, a := range ns[0].Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

// NodeText returns the normalised text inside n.
func NodeText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// StaffClient signs a development CareConnect team member in (role:
// "officer", "auditor" or "administrator") and returns the client on the
// back office's front page.
func (i *Instance) StaffClient(t testing.TB, role string) *Client {
	t.Helper()
	c := i.Client(t)
	login := c.Follow(c.Get("/staff/signin"))
	if login.Status != http.StatusOK || !strings.Contains(login.URL, "/dev/staff-oidc/authorize") {
		t.Fatalf("staff sign-in did not reach the development provider: %d %s", login.Status, login.URL)
	}
	p := c.Post(login.URL[:strings.Index(login.URL, "/authorize")]+"/login", url.Values{
		"request": {login.Attr(`input[name="request"]`, "value")}, "person": {"dev-staff-" + role}})
	if p.Status != http.StatusSeeOther && p.Status != http.StatusFound {
		t.Fatalf("development staff sign-in refused %s: %d %s", role, p.Status, p.Text("main"))
	}
	if home := c.Follow(p); home.Status != http.StatusOK || !strings.HasSuffix(home.URL, "/staff") {
		t.Fatalf("staff %s landed on %s (%d)", role, home.URL, home.Status)
	}
	return c
}
