package web

import (
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/identity"
)

// homePage is the signed-out landing page.
type homePage struct{ Page }

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	if st.account != nil {
		http.Redirect(w, r, "/menu", http.StatusSeeOther)
		return nil
	}
	if st.sess != nil && st.sess.data.Card != nil {
		http.Redirect(w, r, "/register", http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, http.StatusOK, "home.html", homePage{Page: s.page(r, "Welcome")})
}

// safeReturnTo accepts only local paths, so sign-in cannot be used to
// send people to another site.
func safeReturnTo(p string) string {
	// Browsers drop tabs and newlines from URLs and read a backslash as a
	// slash, so "/\t/evil.example" would become "//evil.example": refuse
	// every control character and backslash, then anything with a host.
	// Bytes that are not UTF-8 would be stored as U+FFFD: a different path.
	if !strings.HasPrefix(p, "/") || strings.ContainsRune(p, '\\') || strings.IndexFunc(p, unicode.IsControl) >= 0 ||
		!utf8.ValidString(p) {
		return ""
	}
	if u, err := url.Parse(p); err != nil || u.Scheme != "" || u.Host != "" || strings.HasPrefix(p, "//") {
		return ""
	}
	return p
}

// signInsPerHour bounds the sign-ins one address may start in an hour; a
// clinic behind one address stays far below it.
const signInsPerHour = 600

// startSignIn begins the OpenID Connect code flow with PKCE, state and
// nonce against src. The pending sign-in is kept in the current session, or
// a new one: starting a sign-in ends no session, so a link from another
// site cannot sign anyone out. The callback replaces the session, so
// nothing from before carries over.
func (s *Server) startSignIn(w http.ResponseWriter, r *http.Request, src *rpSource, unavailable string) error {
	// Each start writes a session row: limit how fast one address can make them.
	if err := s.rateLimit(r, "signin:ip:"+state(r).meta.IP, signInsPerHour); err != nil {
		return err
	}
	rp, err := src.get(r.Context())
	if err != nil {
		state(r).logger.Error("identity provider unavailable", "issuer", src.cfg.Issuer, "err", err)
		s.renderError(w, r, http.StatusServiceUnavailable, unavailable)
		return nil
	}
	ar := identity.NewAuthRequest()
	ar.Reauth = r.URL.Query().Get("reauth") == "1"
	returnTo := safeReturnTo(r.URL.Query().Get("return_to"))
	if sess := state(r).sess; sess != nil {
		sess.data.Auth, sess.data.ReturnTo = &ar, returnTo
		if err := s.saveSession(r.Context(), sess); err != nil {
			return err
		}
	} else if _, err := s.newSession(w, r, 0, sessionData{Auth: &ar, ReturnTo: returnTo}); err != nil {
		return err
	}
	http.Redirect(w, r, rp.AuthCodeURL(ar), http.StatusSeeOther)
	return nil
}

// finishSignIn verifies the provider's answer for the pending sign-in:
// state, the code exchanged with the PKCE verifier, the ID token and its
// nonce. On failure it shows the sign-in error page and returns ok false;
// the pending request is single use either way.
func (s *Server) finishSignIn(
	w http.ResponseWriter,
	r *http.Request,
	src *rpSource,
) (id identity.Identity, returnTo string, ok bool, err error) {
	st := state(r)
	var ar identity.AuthRequest
	if st.sess != nil && st.sess.data.Auth != nil {
		ar, returnTo = *st.sess.data.Auth, st.sess.data.ReturnTo
	}
	fail := func(cause error) (identity.Identity, string, bool, error) {
		st.logger.Warn("sign-in refused", "issuer", src.cfg.Issuer, "err", cause)
		if ar.State != "" {
			// An answer to a sign-in this browser started: worth the audit
			// trail. Without one it is noise anyone can send at no cost.
			if err := s.app.SignInRefused(r.Context(), st.meta, src.cfg.Issuer, src == &s.staffRP, identity.Reason(cause)); err != nil {
				return identity.Identity{}, "", false, err
			}
		}
		if st.sess != nil {
			st.sess.data.Auth = nil
			_ = s.saveSession(r.Context(), st.sess)
		}
		retry := "/signin"
		if src == &s.staffRP {
			retry = "/staff/signin"
		}
		return identity.Identity{}, "", false, s.render(
			w,
			r,
			http.StatusBadRequest,
			"signin_error.html",
			signInErrorPage{
				Page: s.page(r, "Sign-in not completed"), Message: identity.UserMessage(cause), RetryURL: retry},
		)
	}
	if ar.State == "" {
		return fail(identity.ErrState)
	}
	rp, err := src.get(r.Context())
	if err != nil {
		return identity.Identity{}, "", false, err
	}
	id, err = rp.Callback(r.Context(), r.URL.Query(), ar)
	if err != nil {
		return fail(err)
	}
	return id, returnTo, true, nil
}

// endSession ends the session here and returns where to send the browser:
// the provider's end-session endpoint when it has one.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request, src *rpSource) string {
	st := state(r)
	var idToken string
	if st.sess != nil {
		idToken = st.sess.data.IDToken
	}
	s.destroySession(w, r)
	if idToken != "" {
		if rp, err := src.get(r.Context()); err == nil {
			if u := rp.EndSessionURL(idToken, s.cfg.BaseURL+"/signed-out"); u != "" {
				return u
			}
		}
	}
	return "/signed-out"
}

// handleSignIn starts sign-in with the BC Services Card. Someone signed in
// goes to the menu, unless asked to sign in again (reauth=1, see
// requireRecentSignIn).
func (s *Server) handleSignIn(w http.ResponseWriter, r *http.Request) error {
	if state(r).account != nil && r.URL.Query().Get("reauth") != "1" {
		next := safeReturnTo(r.URL.Query().Get("return_to"))
		if next == "" {
			next = "/menu"
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	return s.startSignIn(
		w,
		r,
		&s.rp,
		"The BC Services Card sign-in is not available right now. Please try again in a few minutes.",
	)
}

// signInErrorPage explains a failed sign-in.
type signInErrorPage struct {
	Page
	Message  string
	RetryURL string // the sign-in to start again: the person's or the staff's
}

// handleCallback completes sign-in, then rotates the session and continues
// to the menu or the registration form.
func (s *Server) handleCallback(w http.ResponseWriter, r *http.Request) error {
	id, returnTo, ok, err := s.finishSignIn(w, r, &s.rp)
	if !ok {
		return err
	}
	card := portal.CardIdentity{Issuer: id.Issuer, Subject: id.Subject, GivenNames: id.GivenNames, Surname: id.Surname,
		BirthDate: id.BirthDate, Email: id.Email, EmailVerified: id.EmailVerified}
	acct, err := s.app.SignIn(r.Context(), state(r).meta, card)
	if err != nil {
		return err
	}
	var accountID portal.AccountID
	if acct != nil {
		accountID = acct.ID
	}
	data := sessionData{Card: &card, IDToken: id.IDToken, SignedInAt: s.app.Now()}
	if acct == nil {
		// First sign-in: the page the person was going to waits until
		// the HxBC account form is done.
		data.ReturnTo = returnTo
	}
	if _, err := s.rotateSession(w, r, accountID, data); err != nil {
		return err
	}
	if acct == nil {
		http.Redirect(w, r, "/register", http.StatusSeeOther)
		return nil
	}
	to, err := s.afterSignIn(r, acct, returnTo)
	if err != nil {
		return err
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// handleSignOut ends the session here and, when the provider offers it, there.
func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	if st.account != nil {
		if err := s.app.SignOut(r.Context(), st.meta, st.account.ID); err != nil {
			return err
		}
	}
	http.Redirect(w, r, s.endSession(w, r, &s.rp), http.StatusSeeOther)
	return nil
}

func (s *Server) handleSignedOut(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "signed_out.html", homePage{Page: s.page(r, "Signed out")})
}
