package web

import (
	"net/http"
	"strings"

	portal "github.com/bcgov-example/careconnect-portal"
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
	return s.startSignIn(
		w,
		r,
		&s.staffRP,
		"Staff sign-in is not available right now. Please try again in a few minutes.",
	)
}

func (s *Server) handleStaffCallback(w http.ResponseWriter, r *http.Request) error {
	id, returnTo, ok, err := s.finishSignIn(w, r, &s.staffRP)
	if !ok {
		return err
	}
	card := portal.CardIdentity{
		Issuer:        id.Issuer,
		Subject:       id.Subject,
		GivenNames:    id.GivenNames,
		Surname:       id.Surname,
		Email:         id.Email,
		EmailVerified: id.EmailVerified,
	}
	staff, err := s.app.StaffSignIn(r.Context(), state(r).meta, card)
	if err != nil {
		s.destroySession(w, r)
		return err
	}
	sess, err := s.rotateSession(w, r, 0, sessionData{IDToken: id.IDToken})
	if err != nil {
		return err
	}
	sess.row.StaffID = staff.ID
	if err := s.app.UpdateSession(r.Context(), sess.row); err != nil {
		return err
	}
	if !strings.HasPrefix(returnTo, "/staff") {
		returnTo = "/staff"
	}
	http.Redirect(w, r, returnTo, http.StatusSeeOther)
	return nil
}

func (s *Server) handleStaffSignOut(w http.ResponseWriter, r *http.Request) error {
	http.Redirect(w, r, s.endSession(w, r, &s.staffRP), http.StatusSeeOther)
	return nil
}

// staffHomePage is the back office's front page.
type staffHomePage struct {
	Page
	Roles []string
}

func (s *Server) handleStaffHome(w http.ResponseWriter, r *http.Request) error {
	return s.render(
		w,
		r,
		http.StatusOK,
		"staff_home.html",
		staffHomePage{Page: s.page(r, "CareConnect team"), Roles: state(r).staff.Roles},
	)
}
