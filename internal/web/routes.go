package web

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// routes lists every route of the portal in one place.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, h handler) { mux.Handle(pattern, s.serve(pattern, h)) }

	// Operations.
	handle("GET /healthz", s.handleHealthz)
	handle("GET /readyz", s.handleReadyz)
	mux.Handle("GET /metrics", s.serve("GET /metrics", func(w http.ResponseWriter, r *http.Request) error {
		promhttp.HandlerFor(prometheus.DefaultGatherer, promhttp.HandlerOpts{}).ServeHTTP(w, r)
		return nil
	}))
	handle("GET /static/", func(w http.ResponseWriter, r *http.Request) error { s.assets.serve(w, r); return nil })

	// Signing in and out.
	handle("GET /{$}", s.handleHome)
	handle("GET /signin", s.handleSignIn)
	handle("GET /auth/callback", s.handleCallback)
	handle("POST /signout", s.handleSignOut)
	handle("GET /signed-out", s.handleSignedOut)

	// The HxBC account.
	handle("GET /register", s.handleRegister)
	handle("POST /register", s.handleRegisterPost)
	handle("GET /menu", s.requireAccount(s.handleMenu))
	handle("GET /account", s.requireAccount(s.handleAccount))
	handle("GET /account/username", s.requireAccount(s.handleUsername))
	handle("POST /account/username", s.requireAccount(s.handleUsernamePost))
	handle("GET /account/password", s.requireAccount(s.handlePassword))
	handle("POST /account/password", s.requireAccount(s.handlePasswordPost))
	handle("GET /account/contact", s.requireAccount(s.handleContact))
	handle("POST /account/contact", s.requireAccount(s.handleContactPost))

	handle("GET /help", s.handleHelp)

	// Development mode only.
	if s.cfg.DevMode {
		handle("GET /dev/mailbox", s.handleMailbox)
		handle("GET /dev/mailbox/{id}", s.handleMailboxMessage)
		handle("GET /dev/mailbox/{id}/html", s.handleMailboxHTML)
		if s.dev != nil {
			mux.Handle("/dev/oidc/", s.serve("/dev/oidc/", func(w http.ResponseWriter, r *http.Request) error {
				s.dev.Handler().ServeHTTP(w, r)
				return nil
			}))
		}
	}

	handle("/", func(w http.ResponseWriter, r *http.Request) error {
		s.renderError(w, r, http.StatusNotFound, "")
		return nil
	})
	return s.base(s.csrfExcept("/dev/oidc/", mux))
}

// csrfExcept applies CSRF protection everywhere but under prefix (the
// development identity provider, which protects its own forms).
func (s *Server) csrfExcept(prefix string, next http.Handler) http.Handler {
	protected := s.csrf(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.URL.Path) >= len(prefix) && r.URL.Path[:len(prefix)] == prefix {
			next.ServeHTTP(w, r)
			return
		}
		protected.ServeHTTP(w, r)
	})
}

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err := w.Write([]byte("ok\n"))
	return err
}

func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.db.Ping(r.Context()); err != nil {
		state(r).logger.Warn("not ready", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, err := w.Write([]byte("database unavailable\n"))
		return err
	}
	_, err := w.Write([]byte("ready\n"))
	return err
}

func (s *Server) handleHelp(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "help.html", s.page(r, "Help and FAQ"))
}
