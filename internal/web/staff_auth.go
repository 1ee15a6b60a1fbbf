package web

import (
	"net/http"

	"portal"
	"portal/internal/identity"
)

// requireStaff lets only members of the CareConnect team holding one of
// roles through; people and signed-out visitors are sent to staff sign-in.
func (s *Server) requireStaff(roles ...string) func(handler) handler {
	return func(h handler) handler {
		return func(w http.ResponseWriter, r *http.Request) error {
			st := state(r)
			if st.staff == nil {
				if st.account != nil {
					return portal.Errorf(portal.EFORBIDDEN, "This page is for the CareConnect team.")
				}
				target := "/staff/signin"
				if r.Method == http.MethodGet {
					target += "?return_to=" + urlQueryEscape(r.URL.RequestURI())
				}
				http.Redirect(w, r, target, http.StatusSeeOther)
				return nil
			}
			if len(roles) > 0 && !st.staff.HasAny(roles...) {
				return portal.Errorf(portal.EFORBIDDEN, "Your role in the CareConnect team does not include this page.")
			}
			return h(w, r)
		}
	}
}

func (s *Server) handleStaffSignIn(w http.ResponseWriter, r *http.Request) error {
	if state(r).staff != nil {
		http.Redirect(w, r, "/staff", http.StatusSeeOther)
		return nil
	}
	rp, err := s.staffRP.get(r.Context())
	if err != nil {
		state(r).logger.Error("staff identity provider unavailable", "err", err)
		s.renderError(w, r, http.StatusServiceUnavailable, "Staff sign-in is not available right now. Please try again in a few minutes.")
		return nil
	}
	ar := identity.NewAuthRequest()
	if _, err := s.rotateSession(w, r, 0, sessionData{Auth: &ar, ReturnTo: safeReturnTo(r.URL.Query().Get("return_to"))}); err != nil {
		return err
	}
	http.Redirect(w, r, rp.AuthCodeURL(ar), http.StatusSeeOther)
	return nil
}

func (s *Server) handleStaffCallback(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	var ar identity.AuthRequest
	if st.sess != nil && st.sess.data.Auth != nil {
		ar = *st.sess.data.Auth
	}
	fail := func(err error) error {
		st.logger.Warn("staff sign-in refused", "err", err)
		if st.sess != nil {
			st.sess.data.Auth = nil
			_ = s.saveSession(r.Context(), st.sess)
		}
		return s.render(w, r, http.StatusBadRequest, "signin_error.html", signInErrorPage{
			Page: s.page(r, "Sign-in not completed"), Message: identity.UserMessage(err)})
	}
	if ar.State == "" {
		return fail(identity.ErrState)
	}
	rp, err := s.staffRP.get(r.Context())
	if err != nil {
		return err
	}
	id, err := rp.Callback(r.Context(), r.URL.Query(), ar)
	if err != nil {
		return fail(err)
	}
	card := portal.CardIdentity{Issuer: id.Issuer, Subject: id.Subject, GivenNames: id.GivenNames, Surname: id.Surname, Email: id.Email}
	staff, err := s.app.StaffSignIn(r.Context(), st.meta, card)
	if err != nil {
		s.destroySession(w, r)
		return err
	}
	returnTo := st.sess.data.ReturnTo
	sess, err := s.rotateSession(w, r, 0, sessionData{IDToken: id.IDToken})
	if err != nil {
		return err
	}
	sess.row.StaffID = staff.ID
	if err := s.db.Read().UpdateSession(r.Context(), sess.row); err != nil {
		return err
	}
	if returnTo == "" || len(returnTo) < 6 || returnTo[:6] != "/staff" {
		returnTo = "/staff"
	}
	http.Redirect(w, r, returnTo, http.StatusSeeOther)
	return nil
}

func (s *Server) handleStaffSignOut(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	var idToken string
	if st.sess != nil {
		idToken = st.sess.data.IDToken
	}
	s.destroySession(w, r)
	target := "/signed-out"
	if idToken != "" {
		if rp, err := s.staffRP.get(r.Context()); err == nil {
			if u := rp.EndSessionURL(idToken, s.cfg.BaseURL+"/signed-out"); u != "" {
				target = u
			}
		}
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

// staffHomePage is the back office's front page.
type staffHomePage struct {
	Page
	Roles []string
}

func (s *Server) handleStaffHome(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "staff_home.html", staffHomePage{Page: s.page(r, "CareConnect team"), Roles: state(r).staff.Roles})
}
