package web

import (
	"net/http"
	"strings"

	"portal"
	"portal/internal/identity"
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
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
		return ""
	}
	return p
}

// handleSignIn starts the OpenID Connect code flow with PKCE, state and nonce.
func (s *Server) handleSignIn(w http.ResponseWriter, r *http.Request) error {
	if state(r).account != nil {
		http.Redirect(w, r, "/menu", http.StatusSeeOther)
		return nil
	}
	rp, err := s.rp.get(r.Context())
	if err != nil {
		state(r).logger.Error("identity provider unavailable", "err", err)
		s.renderError(w, r, http.StatusServiceUnavailable, "The BC Services Card sign-in is not available right now. Please try again in a few minutes.")
		return nil
	}
	ar := identity.NewAuthRequest()
	data := sessionData{Auth: &ar, ReturnTo: safeReturnTo(r.URL.Query().Get("return_to"))}
	// A fresh pre-sign-in session each time: nothing from an earlier visit carries over.
	if _, err := s.rotateSession(w, r, 0, data); err != nil {
		return err
	}
	http.Redirect(w, r, rp.AuthCodeURL(ar), http.StatusSeeOther)
	return nil
}

// signInErrorPage explains a failed sign-in.
type signInErrorPage struct {
	Page
	Message string
}

// handleCallback completes sign-in: it verifies state, exchanges the code
// with the PKCE verifier, verifies the ID token and nonce, then rotates the
// session and continues to the menu or the registration form.
func (s *Server) handleCallback(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	var ar identity.AuthRequest
	if st.sess != nil && st.sess.data.Auth != nil {
		ar = *st.sess.data.Auth
	}
	fail := func(err error) error {
		st.logger.Warn("sign-in refused", "err", err)
		if st.sess != nil {
			// The pending request is single use.
			st.sess.data.Auth = nil
			_ = s.saveSession(r.Context(), st.sess)
		}
		return s.render(w, r, http.StatusBadRequest, "signin_error.html", signInErrorPage{
			Page: s.page(r, "Sign-in not completed"), Message: identity.UserMessage(err)})
	}
	if ar.State == "" {
		return fail(identity.ErrState)
	}
	rp, err := s.rp.get(r.Context())
	if err != nil {
		return err
	}
	id, err := rp.Callback(r.Context(), r.URL.Query(), ar)
	if err != nil {
		return fail(err)
	}
	card := portal.CardIdentity{Issuer: id.Issuer, Subject: id.Subject, GivenNames: id.GivenNames, Surname: id.Surname,
		BirthDate: id.BirthDate, Email: id.Email}
	acct, err := s.app.SignIn(r.Context(), st.meta, card)
	if err != nil {
		return err
	}
	returnTo := st.sess.data.ReturnTo
	data := sessionData{Card: &card, IDToken: id.IDToken}
	var accountID portal.AccountID
	if acct != nil {
		accountID = acct.ID
	}
	if _, err := s.rotateSession(w, r, accountID, data); err != nil {
		return err
	}
	switch {
	case acct == nil:
		http.Redirect(w, r, "/register", http.StatusSeeOther)
	case returnTo != "":
		http.Redirect(w, r, returnTo, http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/menu", http.StatusSeeOther)
	}
	return nil
}

// handleSignOut ends the session here and, when the provider offers it, there.
func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	var idToken string
	if st.sess != nil {
		idToken = st.sess.data.IDToken
	}
	if st.account != nil {
		if err := s.app.SignOut(r.Context(), st.meta, st.account.ID); err != nil {
			return err
		}
	}
	s.destroySession(w, r)
	target := "/signed-out"
	if idToken != "" {
		if rp, err := s.rp.get(r.Context()); err == nil {
			if u := rp.EndSessionURL(idToken, s.cfg.BaseURL+"/signed-out"); u != "" {
				target = u
			}
		}
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

func (s *Server) handleSignedOut(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "signed_out.html", homePage{Page: s.page(r, "Signed out")})
}
