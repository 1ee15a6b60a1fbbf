package web

import (
	"fmt"
	"net/http"
	"strconv"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
)

// reviewRoutes registers the annual access review pages: the person's
// confirmation that they still need CareConnect access, the site
// administrators' yearly confirmation of their worksite's members (the app
// checks that they administer the worksite), and the CareConnect team's
// list of reviews due, overdue and suspended.
func (s *Server) reviewRoutes(handle func(pattern string, h handler)) {
	acct := s.requireAccount
	handle("GET /review", acct(s.handleReview))
	handle("POST /review", acct(s.handleReviewPost))
	handle("GET /worksites/{id}/review", acct(s.handleMembersReview))
	handle("POST /worksites/{id}/review", acct(s.handleMembersReviewPost))
	handle("GET /staff/reviews", s.requireStaff(portal.RoleOfficer)(s.handleStaffReviews))
}

// reviewPage is the person's annual review.
type reviewPage struct {
	Page
	R       *app.AccessReview
	Form    app.ReviewInput
	Errors  portal.FieldErrors
	Texts   map[string]string
	Message string // why the confirmation could not be recorded, or why there is nothing to confirm
}

func (s *Server) showReview(
	w http.ResponseWriter,
	r *http.Request,
	status int,
	form app.ReviewInput,
	fe portal.FieldErrors,
	msg string,
) error {
	v, err := s.app.AccessReview(r.Context(), state(r).account)
	if err != nil {
		return err
	}
	if msg == "" {
		msg = v.Explanation(s.cfg.SupportEmail)
	}
	return s.render(w, r, status, "review.html", reviewPage{Page: s.page(r, "Annual review of your CareConnect access"),
		R: v, Form: form, Errors: fe, Texts: formTexts, Message: msg})
}

func (s *Server) handleReview(w http.ResponseWriter, r *http.Request) error {
	return s.showReview(w, r, http.StatusOK, app.ReviewInput{}, nil, "")
}

func (s *Server) handleReviewPost(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	in := app.ReviewInput{AttestCorrect: r.PostFormValue("attest_correct") == "yes",
		AttestDirectCare:   r.PostFormValue("attest_direct_care") == "yes",
		AttestAnnualReview: r.PostFormValue("attest_annual_review") == "yes"}
	v, err := s.app.ConfirmAccessReview(r.Context(), st.meta, st.account, in)
	if fe, ok := portal.AsFieldErrors(err); ok {
		return s.showReview(w, r, http.StatusUnprocessableEntity, in, fe, "")
	}
	if portal.ErrorCode(err) == portal.ECONFLICT {
		return s.showReview(w, r, http.StatusConflict, in, nil, portal.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	flash := "Thank you. Your CareConnect access is confirmed; your next annual review is due on " + formatDate(
		v.DueAt,
	) + "."
	if v.Reinstated {
		flash = "Thank you. Your CareConnect access is confirmed and reinstated; your next annual review is due on " + formatDate(
			v.DueAt,
		) + "."
	}
	s.setFlash(r, flash)
	http.Redirect(w, r, "/review", http.StatusSeeOther)
	return nil
}

// membersReviewPage is a worksite's yearly member review.
type membersReviewPage struct {
	Page
	R       *app.MembersReview
	Remove  map[portal.AccountID]bool
	Confirm bool
	Errors  portal.FieldErrors
	Message string
}

func (s *Server) showMembersReview(
	w http.ResponseWriter,
	r *http.Request,
	id portal.WorksiteID,
	status int,
	in app.MembersReviewInput,
	fe portal.FieldErrors,
	msg string,
) error {
	v, err := s.app.MembersReview(r.Context(), state(r).account, id)
	if err != nil {
		return err
	}
	remove := map[portal.AccountID]bool{}
	for _, a := range in.Remove {
		remove[a] = true
	}
	return s.render(
		w,
		r,
		status,
		"review_members.html",
		membersReviewPage{Page: s.page(r, "Review the members of "+v.Worksite.Name),
			R: v, Remove: remove, Confirm: in.Confirm, Errors: fe, Message: msg},
	)
}

func (s *Server) handleMembersReview(w http.ResponseWriter, r *http.Request) error {
	id, err := pathWorksite(r)
	if err != nil {
		return err
	}
	return s.showMembersReview(w, r, id, http.StatusOK, app.MembersReviewInput{}, nil, "")
}

func (s *Server) handleMembersReviewPost(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	id, err := pathWorksite(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return portal.Errorf(portal.EINVALID, "The form could not be read.")
	}
	in := app.MembersReviewInput{Confirm: r.PostFormValue("confirm_members") == "yes"}
	for _, v := range r.PostForm["remove"] {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			in.Remove = append(in.Remove, portal.AccountID(n))
		}
	}
	removed, err := s.app.ConfirmMembers(r.Context(), st.meta, st.account, id, in)
	if fe, ok := portal.AsFieldErrors(err); ok {
		return s.showMembersReview(w, r, id, http.StatusUnprocessableEntity, in, fe, "")
	}
	if c := portal.ErrorCode(err); c == portal.ECONFLICT || c == portal.EINVALID {
		return s.showMembersReview(w, r, id, http.StatusConflict, in, nil, portal.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	flash := "Thank you. The members are confirmed."
	switch removed {
	case 0:
	case 1:
		flash += " 1 member was decommissioned."
	default:
		flash += fmt.Sprintf(" %d members were decommissioned.", removed)
	}
	s.setFlash(r, flash)
	http.Redirect(w, r, fmt.Sprintf("/worksites/%d", id), http.StatusSeeOther)
	return nil
}

// staffReviewsPage is the CareConnect team's list of annual reviews.
type staffReviewsPage struct {
	Page
	R *app.StaffReviews
}

func (s *Server) handleStaffReviews(w http.ResponseWriter, r *http.Request) error {
	v, err := s.app.StaffReviews(r.Context(), state(r).staff)
	if err != nil {
		return err
	}
	return s.render(
		w,
		r,
		http.StatusOK,
		"staff_reviews.html",
		staffReviewsPage{Page: s.page(r, "Annual reviews"), R: v},
	)
}
