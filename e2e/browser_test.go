// Package e2e drives the portal in a headless Chromium. This file holds the
// harness the flow tests build on: starting a browser per test, accessibility
// checks with axe-core, screenshots of failed tests and a few small helpers.
//
// The browser is Debian's chromium, found through PORTAL_E2E_CHROMIUM, then
// /usr/bin/chromium, then "chromium" on PATH. Without one the tests skip,
// unless PORTAL_E2E_REQUIRED=1, as scripts/test sets it, makes them fail.
package e2e

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// axeSource is axe-core 4.11.4 (MPL-2.0, see testdata/axe.LICENSE.txt).
//
//go:embed testdata/axe.min.js
var axeSource string

const (
	// browserTimeout bounds everything one test does in its browser.
	browserTimeout = 3 * time.Minute
	// stepTimeout bounds one action of mustRun and one lookup of textOf, so
	// that a missing element fails the test quickly and says where.
	stepTimeout = 30 * time.Second
	// diagnosticTimeout bounds what a failed test collects about its page.
	diagnosticTimeout = 15 * time.Second
)

// chromiumPath returns the browser to run, or "" when there is none.
func chromiumPath() string {
	if p := os.Getenv("PORTAL_E2E_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
		return ""
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// newBrowser opens a tab for the test in a browser context of its own (a
// fresh profile, as a new browser would have) of the package's one
// headless Chromium, and returns a context for the tab. The tab and its
// browser context close when the test ends; the context expires after
// browserTimeout. Uncaught exceptions and console errors
// of the page are written to the test log.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		msg := "no Chromium found: install Debian's chromium or set PORTAL_E2E_CHROMIUM"
		if v := os.Getenv("PORTAL_E2E_CHROMIUM"); v != "" {
			msg = fmt.Sprintf("PORTAL_E2E_CHROMIUM=%s does not exist", v)
		}
		if os.Getenv("PORTAL_E2E_REQUIRED") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	browser, err := chromium.start(path)
	if err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	// A browser context of its own: cookies, storage and cache apart from
	// every other test's, disposed of when the tab closes.
	tabCtx, cancelTab := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancelTab)

	// The listener runs on chromedp's reader goroutine and may still see an
	// event while the browser shuts down; it must not log once the test is
	// over.
	var mu sync.Mutex
	over := false
	logf := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if !over {
			t.Logf(format, args...)
		}
	}
	// Listen opens the tab.
	err = chromedp.Listen(tabCtx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			logf("browser: uncaught exception: %s", exceptionText(ev.ExceptionDetails))
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				logf("browser: console.error: %s", consoleArgs(ev.Args))
			}
		case *log.EventEntryAdded:
			if ev.Entry != nil && ev.Entry.Level == log.EntryLevelError {
				logf("browser: %s: %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
			}
		}
	})
	if err != nil {
		t.Fatalf("opening a tab in %s: %v", path, err)
	}
	t.Cleanup(func() {
		mu.Lock()
		over = true
		mu.Unlock()
	})

	ctx, cancel := context.WithTimeout(tabCtx, browserTimeout)
	t.Cleanup(cancel)
	return ctx
}

// exceptionText renders an uncaught exception for the test log.
func exceptionText(d *runtime.ExceptionDetails) string {
	if d == nil {
		return "(no details)"
	}
	text := d.Text
	if d.Exception != nil && d.Exception.Description != "" {
		text = d.Exception.Description
	}
	if d.URL != "" {
		text += fmt.Sprintf(" (%s:%d:%d)", d.URL, d.LineNumber+1, d.ColumnNumber+1)
	}
	return text
}

// consoleArgs renders the arguments of a console call roughly as the DevTools
// console shows them.
func consoleArgs(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		var s string
		switch {
		case a == nil:
			continue
		case a.Type == runtime.RemoteObjectTypeString && len(a.Value) > 0:
			if err := json.Unmarshal(a.Value, &s); err != nil {
				s = string(a.Value)
			}
		case a.Description != "":
			s = a.Description
		case len(a.Value) > 0:
			s = string(a.Value)
		case a.UnserializableValue != "":
			s = string(a.UnserializableValue)
		default:
			s = string(a.Type)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// axeViolation is one rule that axe-core found broken on a page.
type axeViolation struct {
	ID      string    `json:"id"`
	Impact  string    `json:"impact"` // "minor", "moderate", "serious" or "critical"
	Help    string    `json:"help"`
	HelpURL string    `json:"helpUrl"`
	Nodes   []axeNode `json:"nodes"`
}

// axeNode is one element that breaks a rule.
type axeNode struct {
	// Target is the CSS selector of the element, one entry per frame or
	// shadow root on the way to it (an entry can itself be a list).
	Target []any  `json:"target"`
	HTML   string `json:"html"`
}

// blocking reports whether the violation fails a test.
func (v axeViolation) blocking() bool {
	return v.Impact == "serious" || v.Impact == "critical"
}

// String describes the violation with its first three elements.
func (v axeViolation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s", v.ID, v.Impact, v.Help)
	if v.HelpURL != "" {
		fmt.Fprintf(&b, " <%s>", v.HelpURL)
	}
	for i, n := range v.Nodes {
		if i == 3 {
			fmt.Fprintf(&b, "\n    … and %d more", len(v.Nodes)-3)
			break
		}
		fmt.Fprintf(&b, "\n    %s: %s", axeTarget(n.Target), n.HTML)
	}
	return b.String()
}

func axeTarget(target []any) string {
	parts := make([]string, 0, len(target))
	for _, p := range target {
		switch p := p.(type) {
		case string:
			parts = append(parts, p)
		default:
			parts = append(parts, fmt.Sprint(p))
		}
	}
	return strings.Join(parts, " >>> ")
}

// runAxe runs axe-core on the document of the tab and returns what it found.
// axe is injected once per document.
func runAxe(ctx context.Context) ([]axeViolation, error) {
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof axe !== 'undefined'`))
	if err != nil {
		return nil, fmt.Errorf("looking for axe: %w", err)
	}
	if !loaded {
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](axeSource)); err != nil {
			return nil, fmt.Errorf("injecting axe: %w", err)
		}
	}
	const script = `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
		id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
		nodes: v.nodes.map(n => ({target: n.target, html: n.html})),
	})))`
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](script, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("running axe: %w", err)
	}
	return vs, nil
}

// axeReport splits violations into the ones that fail a test (serious and
// critical) and the ones that are only logged.
func axeReport(vs []axeViolation) (failures, notes []string) {
	for _, v := range vs {
		if v.blocking() {
			failures = append(failures, v.String())
		} else {
			notes = append(notes, v.String())
		}
	}
	return failures, notes
}

// checkAxe runs axe-core on the current page. Every serious or critical
// violation is a test error; moderate and minor ones are logged. page names
// the page in the messages. Every page checked is also checked to reflow at
// 320 CSS px without sideways scrolling.
func checkAxe(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	key, err := chromedp.Run(ctx, chromedp.Evaluate[string](pageKeyScript))
	if err != nil {
		t.Fatalf("reading %s: %v", page, err)
	}
	sum := sha256.Sum256([]byte(key))
	var found pageFindings
	if f, seen := checked.Load(sum); seen {
		found = f.(pageFindings)
	} else {
		vs, err := runAxe(ctx)
		if err != nil {
			t.Fatalf("axe on %s: %v", page, err)
		}
		found = pageFindings{violations: vs, overflow: overflowAt320(t, ctx, page)}
		checked.Store(sum, found)
	}
	failures, notes := axeReport(found.violations)
	for _, f := range failures {
		t.Errorf("axe on %s: %s", page, f)
	}
	for _, n := range notes {
		t.Logf("axe on %s: %s", page, n)
	}
	if found.overflow != "" {
		t.Errorf("reflow on %s at %d px: the page scrolls sideways; %s", page, reflowWidth, found.overflow)
	}
}

// checked keeps what axe and the reflow check found on each document
// checked in this run, by its markup. The journeys pass the same documents
// many times (the home page and the development sign-in page in every
// sign-in); one seen before is reported again from here, failures
// included, without running either check again.
var checked sync.Map // [sha256.Size]byte of pageKeyScript's value -> pageFindings

type pageFindings struct {
	violations []axeViolation
	overflow   string // what overflowAt320 found; "" when the page reflows
}

// pageKeyScript is the document as both checks see it: its markup at the
// tab's width, with the values of hidden fields left out (a CSRF token or a
// sign-in request's id changes nothing either check looks at).
const pageKeyScript = `(() => {
  const c = document.documentElement.cloneNode(true);
  for (const i of c.querySelectorAll('input[type=hidden]')) { i.setAttribute('value', ''); }
  return window.innerWidth + ' ' + c.outerHTML;
})()`

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// screenshotOnFailure arranges that, if the test fails, a full-page PNG of the
// tab is saved to $PORTAL_E2E_ARTIFACTS (default: the temporary directory) and
// the page's URL and the start of its text are logged. Call it right after
// newBrowser.
func screenshotOnFailure(t *testing.T, ctx context.Context) {
	t.Helper()
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		// The test's context may have expired; the tab is still open.
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), diagnosticTimeout)
		defer cancel()

		if url, err := chromedp.Run(dctx, chromedp.Location()); err == nil {
			t.Logf("page URL: %s", url)
		}
		if text, err := chromedp.Run(dctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ''`)); err == nil {
			if r := []rune(text); len(r) > 2000 {
				text = string(r[:2000]) + "…"
			}
			t.Logf("page text:\n%s", text)
		}

		png, err := chromedp.Run(dctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Logf("no screenshot: %v", err)
			return
		}
		dir := os.Getenv("PORTAL_E2E_ARTIFACTS")
		if dir == "" {
			dir = os.TempDir()
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Logf("no screenshot: %v", err)
			return
		}
		file := filepath.Join(dir, unsafeFileChars.ReplaceAllString(t.Name(), "_")+".png")
		if err := os.WriteFile(file, png, 0o644); err != nil {
			t.Logf("no screenshot: %v", err)
			return
		}
		t.Logf("screenshot: %s", file)
	})
}

// part runs one part of a journey as a subtest; a part that fails stops
// the journey.
func part(t *testing.T, name string, fn func(t *testing.T)) {
	t.Helper()
	if !t.Run(name, fn) {
		t.FailNow()
	}
}

// currentURL returns the tab's URL for error messages, even when ctx expired.
func currentURL(ctx context.Context) string {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), diagnosticTimeout)
	defer cancel()
	url, err := chromedp.Run(dctx, chromedp.Location())
	if err != nil {
		return "(unknown URL: " + err.Error() + ")"
	}
	return url
}

// navigate loads url in the tab and waits for the load event.
func navigate(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("navigate to %s: %v", url, err)
	}
}

// textOf returns the visible text of the first element that matches the CSS
// selector sel, waiting up to stepTimeout for it to appear.
func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	text, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %q on %s: %v", sel, currentURL(ctx), err)
	}
	return text
}

// wantTextOf checks that the visible text of the first element that
// matches sel contains want.
func wantTextOf(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	if got := textOf(t, ctx, sel); !strings.Contains(got, want) {
		t.Errorf("%s on %s reads %q, want it to contain %q", sel, currentURL(ctx), got, want)
	}
}

// mustRun runs the actions in order, each within stepTimeout, and stops the
// test at the first one that fails, naming its index and the page.
func mustRun(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	for i, a := range actions {
		sctx, cancel := context.WithTimeout(ctx, stepTimeout)
		_, err := chromedp.Run(sctx, a)
		cancel()
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				err = fmt.Errorf("timed out: %w", err)
			}
			t.Fatalf("action %d of %d failed on %s: %v", i+1, len(actions), currentURL(ctx), err)
		}
	}
}

// A 1×1 transparent GIF, so the test pages load no missing resource.
const pixel = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"

const brokenPage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Broken</title></head>
<body><main>
<h1>Broken</h1>
<img src="` + pixel + `">
<input type="text" name="q">
</main></body>
</html>`

const cleanPage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Clean</title></head>
<body><main>
<h1>Clean</h1>
<img src="` + pixel + `" alt="Portal logo">
<label for="q">Search</label>
<input type="text" id="q" name="q">
<button type="button" id="go" onclick="document.querySelector('h1').textContent = 'Clicked'">Go</button>
</main></body>
</html>`

func TestHarness_AxeFindsViolation(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/broken":
			fmt.Fprint(w, brokenPage)
		case "/clean":
			fmt.Fprint(w, cleanPage)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)

	ctx := newBrowser(t)
	screenshotOnFailure(t, ctx)

	navigate(t, ctx, srv.URL+"/broken")
	vs, err := runAxe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]axeViolation{}
	for _, v := range vs {
		found[v.ID] = v
	}
	for _, id := range []string{"image-alt", "label"} {
		v, ok := found[id]
		switch {
		case !ok:
			t.Errorf("axe did not report %q; it reported %v", id, vs)
		case v.Impact != "critical":
			t.Errorf("%s: impact %q, want critical", id, v.Impact)
		case len(v.Nodes) == 0 || v.Nodes[0].HTML == "" || len(v.Nodes[0].Target) == 0:
			t.Errorf("%s: no element reported: %+v", id, v)
		}
	}
	failures, _ := axeReport(vs)
	if len(failures) < 2 {
		t.Errorf("checkAxe would report %d failures, want at least 2: %q", len(failures), failures)
	}
	for _, f := range failures {
		t.Logf("as checkAxe reports it: %s", f)
	}

	// A second run on the same document reuses the injected axe.
	if _, err := runAxe(ctx); err != nil {
		t.Fatalf("second run: %v", err)
	}

	navigate(t, ctx, srv.URL+"/clean")
	checkAxe(t, ctx, "clean page")
	if got := textOf(t, ctx, "h1"); got != "Clean" {
		t.Errorf("h1 = %q, want Clean", got)
	}
	mustRun(t, ctx, chromedp.Click(chromedp.CSS("#go")))
	if got := textOf(t, ctx, "h1"); got != "Clicked" {
		t.Errorf("h1 after click = %q, want Clicked", got)
	}
}

// chromium is the one browser process of the package's tests, started by
// the first test that needs it and stopped by TestMain. Starting a
// Chromium takes about two seconds; a browser context in a running one, a
// few milliseconds, with the same separation between people (each test's
// contexts share no cookies, storage or cache).
var chromium sharedBrowser

type sharedBrowser struct {
	mu      sync.Mutex
	ctx     context.Context // the browser's first tab; nil until started
	stop    func()
	profile string
}

// start starts the browser on first use and returns its context.
func (b *sharedBrowser) start(path string) (context.Context, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ctx != nil {
		return b.ctx, nil
	}
	profile, err := os.MkdirTemp("", "portal-e2e-chromium-")
	if err != nil {
		return nil, err
	}
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 1000),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	stop := func() {
		cancel()
		cancelAlloc() // waits for the browser process to exit
		_ = os.RemoveAll(profile)
	}
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		stop()
		return nil, err
	}
	b.ctx, b.stop, b.profile = ctx, stop, profile
	return ctx, nil
}

// close stops the browser, if it was started.
func (b *sharedBrowser) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stop != nil {
		b.stop()
		b.ctx, b.stop = nil, nil
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	chromium.close()
	os.Exit(code)
}
