package web

import (
	"net/http"
	"net/url"

	portal "github.com/bcgov-example/careconnect-portal"
)

// requireRecentSignIn sends a person whose last sign-in with the BC
// Services Card is older than portal.PasswordChangeSignInMax through the
// card again (the provider is asked for a fresh sign-in), coming back to
// returnTo. It reports whether it did, in which case the handler stops.
func (s *Server) requireRecentSignIn(w http.ResponseWriter, r *http.Request, returnTo string) bool {
	st := state(r)
	if st.sess != nil && portal.SignInRecent(st.sess.data.SignedInAt, s.app.Now()) {
		return false
	}
	http.Redirect(w, r, "/signin?reauth=1&return_to="+url.QueryEscape(returnTo), http.StatusSeeOther)
	return true
}
