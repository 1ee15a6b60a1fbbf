package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/secret"
)

type ctxKey struct{}

// reqState is the per-request state the middleware fills in.
type reqState struct {
	id      string
	route   string
	start   time.Time
	logger  *slog.Logger
	sess    *session
	account *portal.Account
	staff   *portal.Staff
	meta    portal.RequestMeta
}

func state(r *http.Request) *reqState {
	if st, ok := r.Context().Value(ctxKey{}).(*reqState); ok {
		return st
	}
	return &reqState{logger: slog.Default()}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (sr *statusRecorder) WriteHeader(code int) {
	if sr.status == 0 {
		sr.status = code
	}
	sr.ResponseWriter.WriteHeader(code)
}

func (sr *statusRecorder) Write(b []byte) (int, error) {
	if sr.status == 0 {
		sr.status = http.StatusOK
	}
	return sr.ResponseWriter.Write(b)
}

func (sr *statusRecorder) Unwrap() http.ResponseWriter { return sr.ResponseWriter }

// base is the outermost middleware: request id, logging, metrics, panics,
// security headers, and the session.
func (s *Server) base(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := &reqState{id: secret.Hex(8), start: time.Now()}
		st.logger = s.logger.With("request_id", st.id)
		st.meta = portal.RequestMeta{IP: s.clientIP(r), UserAgent: cleanUserAgent(r.UserAgent()), RequestID: st.id}
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, st))
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				st.logger.Error("panic", "err", fmt.Sprint(p), "stack", string(debug.Stack()))
				if rec.status == 0 {
					s.renderError(rec, r, http.StatusInternalServerError, "")
				}
			}
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			d := time.Since(st.start)
			s.metrics.observe(st.route, r.Method, status, d)
			if st.route != "GET /static/" && st.route != "GET /healthz" && st.route != "GET /metrics" {
				attrs := []any{
					"method",
					r.Method,
					"path",
					logPath(st.route, r.URL.Path),
					"route",
					st.route,
					"status",
					status,
					"duration_ms",
					d.Milliseconds(),
				}
				if st.account != nil {
					attrs = append(attrs, "account_id", int64(st.account.ID))
				}
				if st.staff != nil {
					attrs = append(attrs, "staff_id", int64(st.staff.ID))
				}
				st.logger.Info("request", attrs...)
			}
		}()
		h := rec.Header()
		h.Set("X-Request-ID", st.id)
		h.Set("Content-Security-Policy", s.csp())
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if s.secure {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		if !strings.HasPrefix(r.URL.Path, "/static/") && r.URL.Path != "/healthz" && r.URL.Path != "/readyz" &&
			r.URL.Path != "/metrics" {
			h.Set("Cache-Control", "no-store")
			sess, acct, err := s.loadSession(r)
			if err != nil {
				s.handleError(rec, r, err)
				return
			}
			st.sess, st.account = sess, acct
			if st.sess != nil && st.sess.row.StaffID != 0 {
				staff, err := s.app.StaffByID(r.Context(), st.sess.row.StaffID)
				if app.Unavailable(err) {
					s.handleError(rec, r, err)
					return
				}
				if err == nil && len(staff.Roles) > 0 {
					st.staff = staff
				}
			}
		}
		next.ServeHTTP(rec, r)
	})
}

// logPath is a request's path as the log shows it: the segments that carry
// a link's token (a route's {token}, or anything shaped like a token, as in
// a mistyped link) are replaced, so no token reaches the logs. Query
// strings, where sign-in carries its codes, are never logged.
func logPath(route, path string) string {
	_, pattern, _ := strings.Cut(route, " ")
	pat := strings.Split(pattern, "/")
	segs := strings.Split(path, "/")
	for i, seg := range segs {
		if (i < len(pat) && pat[i] == "{token}") || looksLikeToken(seg) {
			segs[i] = "{token}"
		}
	}
	return strings.Join(segs, "/")
}

// looksLikeToken reports whether a path segment could be a secret: 32 or
// more letters, digits, hyphens or underscores (hex and base64url tokens).
func looksLikeToken(seg string) bool {
	if len(seg) < 32 {
		return false
	}
	for _, c := range seg {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func (s *Server) csp() string {
	formAction := "'self'"
	for _, iss := range []string{s.cfg.OIDC.Issuer, s.cfg.StaffOIDC.Issuer} {
		if iss != "" && !strings.HasPrefix(iss, s.origin) && !strings.Contains(formAction, originOf(iss)) {
			formAction += " " + originOf(iss)
		}
	}
	return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
		"connect-src 'self'; form-action " + formAction + "; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
}

func originOf(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		if j := strings.IndexByte(u[i+3:], '/'); j >= 0 {
			return u[:i+3+j]
		}
	}
	return u
}

// safeMethod reports whether a request of this method only reads, so that
// it carries no form and changes nothing.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// csrf refuses state-changing requests without the session's token, and
// any request a browser marks as cross-site.
func (s *Server) csrf(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if safeMethod(r.Method) {
			next.ServeHTTP(w, r)
			return
		}
		if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
			s.renderError(w, r, http.StatusForbidden, "This form was sent from another site, so it was refused.")
			return
		}
		if o := r.Header.Get("Origin"); o != "" && o != s.origin && o != "null" {
			s.renderError(w, r, http.StatusForbidden, "This form was sent from another site, so it was refused.")
			return
		}
		token := r.Header.Get("X-CSRF-Token")
		if token == "" {
			token = r.PostFormValue("csrf_token")
		}
		if !validCSRF(state(r).sess, token) {
			s.renderError(
				w,
				r,
				http.StatusForbidden,
				"Your session expired or the form is out of date. Go back, reload the page and try again.",
			)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// handler is a page handler that may fail; errors become status pages.
type handler func(w http.ResponseWriter, r *http.Request) error

// requireAccount lets only people with an HxBC account through.
func (s *Server) requireAccount(h handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		st := state(r)
		if st.account == nil {
			if st.sess != nil && st.sess.data.Card != nil {
				// Signed in with the card, no HxBC account yet: the form
				// first, then back to this page.
				if back := safeReturnTo(r.URL.RequestURI()); r.Method == http.MethodGet && back != "" &&
					st.sess.data.ReturnTo != back {
					st.sess.data.ReturnTo = back
					if err := s.saveSession(r.Context(), st.sess); err != nil {
						return err
					}
				}
				http.Redirect(w, r, "/register", http.StatusSeeOther)
				return nil
			}
			return s.toSignIn(w, r)
		}
		return h(w, r)
	}
}

// toSignIn sends a signed-out person to sign in, remembering where they were going.
func (s *Server) toSignIn(w http.ResponseWriter, r *http.Request) error {
	target := "/signin"
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		target += "?return_to=" + urlQueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

// serve adapts a handler: it records the route for metrics and logs, and
// turns errors into status pages.
func (s *Server) serve(pattern string, h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		state(r).route = pattern
		if err := h(w, r); err != nil {
			s.handleError(w, r, err)
		}
	})
}

func (s *Server) handleError(w http.ResponseWriter, r *http.Request, err error) {
	if app.Unavailable(err) {
		// Said plainly and soon: the database is down or too slow, and
		// the load balancer's /readyz already says so.
		state(r).logger.Warn("database unavailable", "err", err)
		w.Header().Set("Retry-After", "60")
		s.renderError(w, r, http.StatusServiceUnavailable, "")
		return
	}
	code := portal.ErrorCode(err)
	status := http.StatusInternalServerError
	switch code {
	case portal.EINVALID:
		status = http.StatusBadRequest
	case portal.ENOTFOUND:
		status = http.StatusNotFound
	case portal.ECONFLICT:
		status = http.StatusConflict
	case portal.EFORBIDDEN:
		status = http.StatusForbidden
	case portal.EUNAUTHORIZED:
		_ = s.toSignIn(w, r)
		return
	case portal.ERATELIMIT:
		status = http.StatusTooManyRequests
	}
	if status == http.StatusInternalServerError {
		state(r).logger.Error("request failed", "err", err)
		s.renderError(w, r, status, "")
		return
	}
	s.renderError(w, r, status, portal.ErrorMessage(err))
}
