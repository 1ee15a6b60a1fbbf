package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
)

//go:embed templates/*.html static
var embedded embed.FS

func init() {
	_ = mime.AddExtensionType(".woff2", "font/woff2")
	_ = mime.AddExtensionType(".svg", "image/svg+xml")
}

// Page is the data every page shares.
type Page struct {
	Title        string
	DevMode      bool
	Flash        string
	CSRFToken    string
	Account      *portal.Account
	Staff        *portal.Staff
	Path         string
	SupportEmail string
	RequestID    string
}

// page fills the shared data of a page for this request.
func (s *Server) page(r *http.Request, title string) Page {
	st := state(r)
	p := Page{Title: title, DevMode: s.cfg.DevMode, Account: st.account, Staff: st.staff, Path: r.URL.Path,
		SupportEmail: s.cfg.SupportEmail, RequestID: st.id}
	if st.sess != nil {
		p.CSRFToken = st.sess.data.CSRF
		p.Flash = s.popFlash(r)
	}
	return p
}

// templates holds one parsed set per page: the layout, every partial, and the page.
type templates struct {
	dir   string
	mu    sync.Mutex
	pages map[string]*template.Template
	funcs template.FuncMap
}

func templateFS(dir string) fs.FS {
	if dir != "" {
		return os.DirFS(dir)
	}
	sub, _ := fs.Sub(embedded, "templates")
	return sub
}

func loadTemplates(dir string) (*templates, error) {
	t := &templates{dir: dir}
	if err := t.parse(); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *templates) parse() error {
	fsys := templateFS(t.dir)
	names, err := fs.Glob(fsys, "*.html")
	if err != nil {
		return err
	}
	var partials, pages []string
	for _, n := range names {
		switch {
		case n == "layout.html" || strings.HasPrefix(n, "_"):
			partials = append(partials, n)
		default:
			pages = append(pages, n)
		}
	}
	base, err := template.New("base").Funcs(t.funcMap()).ParseFS(fsys, partials...)
	if err != nil {
		return fmt.Errorf("web: parse layout and partials: %w", err)
	}
	out := map[string]*template.Template{}
	for _, p := range pages {
		clone, err := base.Clone()
		if err != nil {
			return err
		}
		if _, err := clone.ParseFS(fsys, p); err != nil {
			return fmt.Errorf("web: parse %s: %w", p, err)
		}
		out[p] = clone
	}
	t.mu.Lock()
	t.pages = out
	t.mu.Unlock()
	return nil
}

// Names lists the page templates (for tests).
func (t *templates) Names() []string {
	var n []string
	for k := range t.pages {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

func (t *templates) lookup(name string) (*template.Template, error) {
	if t.dir != "" {
		if err := t.parse(); err != nil {
			return nil, err
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	tp, ok := t.pages[name]
	if !ok {
		return nil, fmt.Errorf("web: no template %s", name)
	}
	return tp, nil
}

// renderedTemplates records which page templates were rendered, so a test
// can fail when one never is.
var renderedTemplates sync.Map

// render writes a page with the given status.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) error {
	tp, err := s.tmpl.lookup(name)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := tp.ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	renderedTemplates.Store(name, true)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err = w.Write(orderErrorSummary(name, buf.Bytes()))
	return err
}

// errorPage is the data of error.html.
type errorPage struct {
	Page
	Status  int
	Heading string
	Message string
}

var errorHeadings = map[int]string{
	http.StatusBadRequest:          "We could not use that request",
	http.StatusForbidden:           "You do not have access to this page",
	http.StatusNotFound:            "Page not found",
	http.StatusMethodNotAllowed:    "That action is not available here",
	http.StatusConflict:            "That could not be done",
	http.StatusTooManyRequests:     "Too many attempts",
	http.StatusInternalServerError: "Something went wrong",
	http.StatusServiceUnavailable:  "Service unavailable",
}

var errorMessages = map[int]string{
	http.StatusNotFound:            "The page you asked for does not exist, or you do not have access to it.",
	http.StatusForbidden:           "Your account does not have access to this page.",
	http.StatusMethodNotAllowed:    "Use the buttons and links of the portal to continue.",
	http.StatusTooManyRequests:     "Please wait a few minutes before you try again.",
	http.StatusInternalServerError: "Something went wrong on our side. Please try again; if it keeps happening, contact the CareConnect team and quote the reference below.",
	http.StatusServiceUnavailable:  "The portal cannot reach its records just now. Please try again in a minute.",
}

// renderError shows the generic error page; msg must be safe to show.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if msg == "" {
		msg = errorMessages[status]
	}
	if msg == "" {
		msg = "That could not be done."
	}
	heading := errorHeadings[status]
	if heading == "" {
		heading = http.StatusText(status)
	}
	data := errorPage{Page: s.page(r, heading), Status: status, Heading: heading, Message: msg}
	if err := s.render(w, r, status, "error.html", data); err != nil {
		state(r).logger.Error("render error page", "err", err)
		http.Error(w, heading, status)
	}
}

// funcMap holds the template helpers.
func (t *templates) funcMap() template.FuncMap {
	return template.FuncMap{
		"static":             staticURL,
		"field":              newField,
		"phone":              portal.FormatPhone,
		"qualified":          portal.QualifiedUsername,
		"professions":        func() []portal.ProfessionInfo { return portal.Professions },
		"nurseLicences":      func() any { return portal.NurseLicences },
		"eligible":           portal.ProfessionEligible,
		"add":                func(a, b int) int { return a + b },
		"licenceLabel":       portal.NurseLicenceLabel,
		"licenceStatusLabel": portal.LicenceStatusLabel,
		"date":               formatDate,
		"action":             actionText,
		"datetime":           formatDateTime,
		"dayMonth":           formatDayMonth,
		"profession": func(code string) string {
			if info, ok := portal.LookupProfession(portal.Profession(code)); ok {
				return info.Label
			}
			return code
		},
		"worksiteTypes":  func() any { return portal.WorksiteTypes },
		"label":          portal.ARStatusLabel,
		"statusWord":     portal.StatusWord,
		"addressResults": newAddressResults,
		"attestation": func(name, label string, checked bool, errs portal.FieldErrors) attestField {
			return attestField{Name: name, Label: label, Checked: checked, Error: errs[name]}
		},
	}
}

// attestField is what the "attest" partial needs: one required checkbox.
type attestField struct {
	Name, Label, Error string
	Checked            bool
}

// Field is what the form-field partials need.
type Field struct {
	Name, Label, Value, Error, Hint, Type, Autocomplete string
	Required, ReadOnly                                  bool
	Extra                                               string // e.g. inputmode value
}

// newField builds a Field: field "email" "Email Address" .Form.Email .Errors "type=email" "autocomplete=email" "required".
func newField(name, label, value string, errs portal.FieldErrors, opts ...string) Field {
	f := Field{Name: name, Label: label, Value: value, Error: errs[name], Type: "text"}
	for _, o := range opts {
		k, v, _ := strings.Cut(o, "=")
		switch k {
		case "type":
			f.Type = v
		case "autocomplete":
			f.Autocomplete = v
		case "hint":
			f.Hint = v
		case "required":
			f.Required = true
		case "readonly":
			f.ReadOnly = true
		case "inputmode":
			f.Extra = v
		}
	}
	return f
}

// assets serves the embedded static files with content-hashed URLs.
type assets struct {
	fs     fs.FS
	hashes map[string]string
}

// loadAssets hashes the embedded static files once per process.
var loadAssets = sync.OnceValues(hashAssets)

func hashAssets() (*assets, error) {
	sub, err := fs.Sub(embedded, "static")
	if err != nil {
		return nil, err
	}
	a := &assets{fs: sub, hashes: map[string]string{}}
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		a.hashes[p] = hex.EncodeToString(sum[:])[:12]
		return nil
	})
	return a, err
}

// staticURL returns the cache-busting URL of a static file.
func staticURL(name string) string {
	a, _ := loadAssets()
	if h, ok := a.hashes[name]; ok {
		return "/static/" + name + "?v=" + h
	}
	return "/static/" + name
}

func (a *assets) serve(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(path.Clean(r.URL.Path), "/static/")
	h, ok := a.hashes[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if r.URL.Query().Get("v") == h {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "public, max-age=300")
	}
	w.Header().Set("ETag", `"`+h+`"`)
	http.ServeFileFS(w, r, a.fs, name)
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// formatDate shows a date as nobody can misread it, "4 Dec 2026", in B.C.
// time: 12/04/2026 is April to some readers and December to others.
// actionText is an action item's description, with its due date in
// British Columbia and what holds until the person acts, if it has them.
func actionText(it portal.ActionItem) string {
	if it.DueAt.IsZero() {
		return it.Description
	}
	s := it.Description + " (due " + formatDate(it.DueAt) + ")"
	if it.Consequence != "" {
		s += ": " + it.Consequence
	}
	return s + "."
}

func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(portal.Pacific()).Format(dateLayout)
}

// formatDayMonth shows a day in B.C. as "4 Dec".
func formatDayMonth(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(portal.Pacific()).Format("2 Jan")
}

// formatDateTime shows a moment in B.C. time.
func formatDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(portal.Pacific()).Format(dateLayout + ", 3:04 PM")
}

// dateLayout is how pages write a day: "4 Dec 2026".
const dateLayout = "2 Jan 2006"

// StylesheetURL is the portal stylesheet's URL, for pages served by the
// development identity provider.
func StylesheetURL() string {
	return staticURL("css/portal.css")
}
