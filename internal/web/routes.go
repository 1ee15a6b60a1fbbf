package web

import (
	"context"
	"net/http"
	"strings"
	"time"
)

// routes lists every route of the portal in one place.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, h handler) {
		s.patterns = append(s.patterns, pattern)
		mux.Handle(pattern, s.serve(pattern, h))
	}

	// Operations.
	handle("GET /healthz", s.handleHealthz)
	handle("GET /readyz", s.handleReadyz)
	if s.cfg.DevMode || s.cfg.MetricsToken != "" {
		// In production the metrics listener serves them (MetricsHandler).
		handle("GET /metrics", s.handleMetrics)
	}
	handle("GET /static/", func(w http.ResponseWriter, r *http.Request) error { s.assets.serve(w, r); return nil })
	handle("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) error {
		http.Redirect(w, r, staticURL("img/favicon.svg"), http.StatusMovedPermanently)
		return nil
	})

	// Signing in and out.
	handle("GET /{$}", s.handleHome)
	handle("GET /signin", s.handleSignIn)
	handle("GET /auth/callback", s.handleCallback)
	handle("POST /signout", s.handleSignOut)
	handle("GET /signed-out", s.handleSignedOut)

	// The HxBC account.
	handle("GET /register", s.handleRegister)
	handle("POST /register", s.handleRegisterPost)
	handle("POST /register/signer", s.handleRegisterSigner)
	handle("GET /menu", s.requireAccount(s.handleMenu))
	handle("GET /account", s.requireAccount(s.handleAccount))
	handle("GET /account/username", s.requireAccount(s.handleUsername))
	handle("POST /account/username", s.requireAccount(s.handleUsernamePost))
	handle("GET /account/password", s.requireAccount(s.handlePassword))
	handle("POST /account/password", s.requireAccount(s.handlePasswordPost))
	handle("GET /account/contact", s.requireAccount(s.handleContact))
	handle("POST /account/contact", s.requireAccount(s.handleContactPost))
	handle("GET /account/email/confirm/{token}", s.requireAccount(s.handleEmailConfirmLink))
	handle("POST /account/email/confirm", s.requireAccount(s.handleEmailConfirmPost))
	handle("POST /account/email/resend", s.requireAccount(s.handleEmailResend))
	handle("POST /account/sessions/end", s.requireAccount(s.handleEndOtherSessions))

	// Worksites.
	acct := s.requireAccount
	handle("GET /worksites", acct(s.handleWorksites))
	handle("GET /worksites/join", acct(s.handleJoinOptions))
	handle("GET /worksites/join/code", acct(s.handleJoinOptions)) // the Worksite ID box is on the join page
	handle("POST /worksites/join/code", acct(s.handleJoinCodePost))
	handle("GET /worksites/join/address", acct(s.handleJoinAddress))
	handle("POST /worksites/access", acct(s.handleAccessPost))
	handle("GET /worksites/new", acct(s.handleWorksiteNew))
	handle("POST /worksites/new", acct(s.handleWorksiteNewPost))
	handle("GET /worksites/{id}", acct(s.handleWorksiteShow))
	handle("GET /worksites/{id}/declaration", acct(s.handleDeclaration))
	handle("POST /worksites/{id}/declaration", acct(s.handleDeclarationPost))
	handle("GET /declarations/{token}", acct(s.handleDeclaration))
	handle("POST /declarations/{token}", acct(s.handleDeclarationPost))
	handle("POST /worksites/{id}/invitations", acct(s.handleInvite))
	handle("POST /worksites/{id}/invitations/{inv}/resend", acct(s.handleInvitationResend))
	handle("POST /worksites/{id}/invitations/{inv}/revoke", acct(s.handleInvitationRevoke))
	handle("POST /worksites/{id}/members/{acct}/decommission", acct(s.handleDecommission))
	handle("POST /worksites/{id}/members/{acct}/locum", acct(s.handleMarkLocum))
	handle("POST /worksites/{id}/members/{acct}/admin", acct(s.handleSetAdmin(true)))
	handle("POST /worksites/{id}/members/{acct}/admin/remove", acct(s.handleSetAdmin(false)))
	handle("GET /requests/join/{id}", acct(s.handleJoinRequest))
	handle("POST /requests/join/{id}/approve", acct(s.handleDecideJoin(true)))
	handle("POST /requests/join/{id}/reject", acct(s.handleDecideJoin(false)))
	handle("GET /invitations/{token}", acct(s.handleInvitationToken))
	handle("POST /invitations/{id}/accept", acct(s.handleRespondInvitation(true)))
	handle("POST /invitations/{id}/reject", acct(s.handleRespondInvitation(false)))
	handle("GET /notifications", acct(s.handleNotifications))
	s.handoverRoutes(handle)
	handle("GET /addresses/search", acct(s.handleAddressSearch))

	// Application Access.
	handle("GET /application", acct(s.handleApplication))
	handle("GET /application/request", acct(s.handleEnrolment))
	handle("POST /application/request", acct(s.handleEnrolmentPost))
	handle("GET /application/status", acct(s.handleApplicationStatus))
	handle("POST /application/answer", acct(s.handleAnswerPost))
	handle("GET /application/remote", acct(s.handleRemote))
	handle("POST /application/remote", acct(s.handleRemotePost))

	// The CareConnect team's back office.
	handle("GET /staff/signin", s.handleStaffSignIn)
	handle("GET /staff/auth/callback", s.handleStaffCallback)
	handle("POST /staff/signout", s.handleStaffSignOut)
	handle("GET /staff", s.requireStaff()(s.handleStaffHome))
	s.backOfficeRoutes(handle)
	s.professionReviewRoutes(handle)
	s.remoteStaffRoutes(handle)
	s.auditRoutes(handle)
	s.reviewRoutes(handle)
	s.dormancyRoutes(handle)
	s.leaveRoutes(handle)
	s.downstreamRoutes(handle)
	s.apiRoutes(handle)

	// Prerequisites and sponsorship.
	s.prerequisiteRoutes(handle)
	s.sponsorshipRoutes(handle)

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
		if s.devStaff != nil {
			mux.Handle(
				"/dev/staff-oidc/",
				s.serve("/dev/staff-oidc/", func(w http.ResponseWriter, r *http.Request) error {
					s.devStaff.Handler().ServeHTTP(w, r)
					return nil
				}),
			)
		}
	}

	handle("/", func(w http.ResponseWriter, r *http.Request) error {
		s.renderError(w, r, http.StatusNotFound, "")
		return nil
	})
	return s.base(s.inputGuard(s.forms(s.csrfExcept(mux, "/dev/oidc/", "/dev/staff-oidc/", "/scim/", "/api/"))))
}

// csrfExcept applies CSRF protection everywhere but under prefixes: the
// development identity providers, which protect their own forms, and the
// provisioning API, which is authenticated by bearer tokens, not cookies.
func (s *Server) csrfExcept(next http.Handler, prefixes ...string) http.Handler {
	protected := s.csrf(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, prefix := range prefixes {
			if strings.HasPrefix(r.URL.Path, prefix) {
				next.ServeHTTP(w, r)
				return
			}
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
	// A load balancer waits a few seconds for an answer: a database that
	// does not answer within two is unavailable.
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.app.Ping(ctx); err != nil {
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
