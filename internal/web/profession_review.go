package web

import (
	"fmt"
	"net/http"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
)

// professionReviewRoutes registers the CareConnect team's review of people
// who described an "Other" profession. All of them are for enrolment
// officers.
func (s *Server) professionReviewRoutes(handle func(pattern string, h handler)) {
	officer := s.requireStaff(portal.RoleOfficer)
	handle("GET /staff/professions", officer(s.handleProfessionQueue))
	handle("GET /staff/professions/{id}", officer(s.handleProfessionCase))
	handle("POST /staff/professions/{id}/place", officer(s.handleProfessionPlace))
	handle("POST /staff/professions/{id}/decline", officer(s.handleProfessionDecline))
}

// staffProfessionsPage lists the people waiting for their profession to be
// reviewed.
type staffProfessionsPage struct {
	Page
	Items []*portal.Account
}

func (s *Server) handleProfessionQueue(w http.ResponseWriter, r *http.Request) error {
	items, err := s.app.ProfessionReviewQueue(r.Context(), state(r).staff)
	if err != nil {
		return err
	}
	return s.render(
		w,
		r,
		http.StatusOK,
		"staff_professions.html",
		staffProfessionsPage{Page: s.page(r, "Professions to review"), Items: items},
	)
}

// staffProfessionPage is one person's profession review: the placement
// form and the decline form, each kept as typed when it fails.
type staffProfessionPage struct {
	Page
	C             *app.ProfessionCase
	Professions   []portal.ProfessionInfo // those a person can be placed under
	Place         portal.ProfessionPlacement
	PlaceErrors   portal.FieldErrors
	Reason        string
	ReasonError   string
	Message       string
	ResidentRoute []struct {
		Code  portal.ResidentRoute
		Label string
	}
}

func (s *Server) showProfessionCase(
	w http.ResponseWriter,
	r *http.Request,
	status int,
	data staffProfessionPage,
) error {
	st := state(r)
	id, err := pathPerson(r)
	if err != nil {
		return err
	}
	c, err := s.app.ProfessionReviewCase(r.Context(), st.meta, st.staff, id)
	if err != nil {
		return err
	}
	data.Page, data.C, data.ResidentRoute = s.page(
		r,
		"Review the profession of "+c.Account.LegalName(),
	), c, portal.ResidentRoutes
	for _, p := range portal.EligibleProfessions() {
		if p.Code != portal.ProfOther {
			data.Professions = append(data.Professions, p)
		}
	}
	return s.render(w, r, status, "staff_profession.html", data)
}

func (s *Server) handleProfessionCase(w http.ResponseWriter, r *http.Request) error {
	return s.showProfessionCase(w, r, http.StatusOK, staffProfessionPage{})
}

func (s *Server) handleProfessionPlace(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	id, err := pathPerson(r)
	if err != nil {
		return err
	}
	in := portal.ProfessionPlacement{
		Profession:       r.PostFormValue("profession"),
		NurseLicence:     r.PostFormValue("nurse_licence"),
		MSPBillingNumber: r.PostFormValue("msp_billing_number"),
		CPSID:            r.PostFormValue("cpsid"),
		Resident:         r.PostFormValue("resident"),
		ResidentRoute:    r.PostFormValue("resident_route"),
		CollegeID:        r.PostFormValue("college_id"),
		Note:             r.PostFormValue("note"),
	}
	acct, err := s.app.PlaceProfession(r.Context(), st.meta, st.staff, id, in)
	if err != nil {
		status, ok := failedStatus(err)
		if !ok {
			return err
		}
		data := staffProfessionPage{Place: in}
		if fe, isFE := portal.AsFieldErrors(err); isFE {
			data.PlaceErrors = fe
		} else {
			data.Message = portal.ErrorMessage(err)
		}
		return s.showProfessionCase(w, r, status, data)
	}
	s.setFlash(r, fmt.Sprintf("You recorded %s's profession as %s (%s). We have emailed them.",
		acct.LegalName(), acct.ProfessionLabel(), acct.UserType().Label()))
	http.Redirect(w, r, "/staff/professions", http.StatusSeeOther)
	return nil
}

func (s *Server) handleProfessionDecline(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	id, err := pathPerson(r)
	if err != nil {
		return err
	}
	reason := r.PostFormValue("reason")
	if err := s.app.DeclineProfession(r.Context(), st.meta, st.staff, id, reason); err != nil {
		status, ok := failedStatus(err)
		if !ok {
			return err
		}
		data := staffProfessionPage{Reason: reason}
		if fe, isFE := portal.AsFieldErrors(err); isFE {
			data.ReasonError = fe["reason"]
		} else {
			data.Message = portal.ErrorMessage(err)
		}
		return s.showProfessionCase(w, r, status, data)
	}
	s.setFlash(r, "You declined the profession. We have emailed the person the reason.")
	http.Redirect(w, r, "/staff/professions", http.StatusSeeOther)
	return nil
}
