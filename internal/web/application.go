package web

import (
	"errors"
	"net/http"
	"strconv"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
)

// applicationPage is the Application Access module.
type applicationPage struct {
	Page
	Standing *portal.Standing
	Missing  []portal.Step
	Status   *app.RequestStatus
	Remote   *app.RemoteAccessState
}

func (s *Server) handleApplication(w http.ResponseWriter, r *http.Request) error {
	acct := state(r).account
	st, err := s.app.Standing(r.Context(), acct)
	if err != nil {
		return err
	}
	if err := st.ApplicationAccessOpen(); err != nil {
		return err
	}
	status, err := s.app.AccessRequestStatus(r.Context(), acct)
	if err != nil {
		return err
	}
	remote, err := s.app.RemoteAccess(r.Context(), acct)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "application.html", applicationPage{Page: s.page(r, "Application Access"),
		Standing: st, Missing: st.Missing(), Status: status, Remote: remote})
}

// enrolmentPage is the CareConnect Enrolment Form.
type enrolmentPage struct {
	Page
	Clinics  []*portal.Membership
	Chosen   map[portal.WorksiteID]bool
	Form     portal.AccessRequestInput
	Errors   portal.FieldErrors
	Missing  []portal.Step
	Scopes   []portal.DataScope
	Sponsors []*portal.Sponsorship
	Texts    map[string]string
}

var formTexts = map[string]string{
	"attest_correct": portal.AttestCorrectText, "attest_direct_care": portal.AttestDirectCareText,
	"attest_annual_review": portal.AttestAnnualReviewText, "reason_job": portal.ReasonJobDutiesText,
	"reason_care": portal.ReasonPatientCareText,
}

func (s *Server) enrolmentForm(
	r *http.Request,
	form portal.AccessRequestInput,
	fe portal.FieldErrors,
) (enrolmentPage, error) {
	acct := state(r).account
	data := enrolmentPage{Page: s.page(r, "CareConnect Enrolment Form"), Form: form, Errors: fe, Texts: formTexts,
		Chosen: map[portal.WorksiteID]bool{}}
	st, err := s.app.Standing(r.Context(), acct)
	if err != nil {
		return data, err
	}
	if err := st.ApplicationAccessOpen(); err != nil {
		return data, err
	}
	data.Missing = st.Missing()
	if data.Clinics, err = s.app.ApprovedClinics(r.Context(), acct); err != nil {
		return data, err
	}
	for _, id := range form.WorksiteIDs {
		data.Chosen[id] = true
	}
	data.Scopes, data.Sponsors, err = s.app.AllowedScopes(r.Context(), acct)
	return data, err
}

func (s *Server) handleEnrolment(w http.ResponseWriter, r *http.Request) error {
	acct := state(r).account
	form := portal.AccessRequestInput{
		FirstName: acct.FirstName(),
		LastName:  acct.LastName(),
		CollegeID: firstNonEmpty(acct.CollegeID, acct.CPSID),
	}
	if info, ok := portal.LookupProfession(acct.Profession); ok {
		form.Job = info.Label
	}
	// "Add Clinic": each press adds one more of the person's approved clinics.
	for _, v := range r.URL.Query()["clinic"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			form.WorksiteIDs = append(form.WorksiteIDs, portal.WorksiteID(id))
		}
	}
	data, err := s.enrolmentForm(r, form, nil)
	if err != nil {
		return err
	}
	if len(form.WorksiteIDs) == 0 && len(data.Clinics) > 0 {
		data.Chosen[data.Clinics[0].WorksiteID] = true
	}
	return s.render(w, r, http.StatusOK, "application_form.html", data)
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

func (s *Server) handleEnrolmentPost(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	if err := r.ParseForm(); err != nil {
		return portal.Errorf(portal.EINVALID, "The form could not be read.")
	}
	in := portal.AccessRequestInput{FirstName: r.PostFormValue("first_name"), LastName: r.PostFormValue("last_name"),
		Job: r.PostFormValue("job"), CollegeID: r.PostFormValue("college_id"),
		AttestCorrect: r.PostFormValue(
			"attest_correct",
		) == "yes", AttestDirectCare: r.PostFormValue("attest_direct_care") == "yes",
		AttestAnnualReview: r.PostFormValue("attest_annual_review") == "yes",
		ReasonJobDuties: r.PostFormValue(
			"reason_job",
		) == "yes", ReasonPatientCare: r.PostFormValue("reason_care") == "yes"}
	for _, v := range r.PostForm["clinics"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			in.WorksiteIDs = append(in.WorksiteIDs, portal.WorksiteID(id))
		}
	}
	req, err := s.app.SubmitAccessRequest(r.Context(), st.meta, st.account, in)
	var missing *app.MissingError
	fe, isFE := portal.AsFieldErrors(err)
	switch {
	case errors.As(err, &missing):
		data, derr := s.enrolmentForm(r, in, nil)
		if derr != nil {
			return derr
		}
		return s.render(w, r, http.StatusForbidden, "application_form.html", data)
	case isFE:
		data, derr := s.enrolmentForm(r, in, fe)
		if derr != nil {
			return derr
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "application_form.html", data)
	case err != nil:
		return err
	}
	s.setFlash(
		r,
		"Your CareConnect request has been submitted and is pending approval. Its reference number is "+req.Reference+"; we have emailed you a receipt.",
	)
	http.Redirect(w, r, "/application/status", http.StatusSeeOther)
	return nil
}

// statusPage shows the latest request's history.
type statusPage struct {
	Page
	Status *app.RequestStatus
	Answer string
	Errors portal.FieldErrors
}

func (s *Server) handleApplicationStatus(w http.ResponseWriter, r *http.Request) error {
	status, err := s.app.AccessRequestStatus(r.Context(), state(r).account)
	if err != nil {
		return err
	}
	return s.render(
		w,
		r,
		http.StatusOK,
		"application_status.html",
		statusPage{Page: s.page(r, "Your CareConnect request"), Status: status},
	)
}

func (s *Server) handleAnswerPost(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	answer := r.PostFormValue("answer")
	err := s.app.AnswerInfoRequest(r.Context(), st.meta, st.account, answer)
	if fe, ok := portal.AsFieldErrors(err); ok {
		status, serr := s.app.AccessRequestStatus(r.Context(), st.account)
		if serr != nil {
			return serr
		}
		return s.render(
			w,
			r,
			http.StatusUnprocessableEntity,
			"application_status.html",
			statusPage{Page: s.page(r, "Your CareConnect request"),
				Status: status, Answer: answer, Errors: fe},
		)
	}
	if err != nil {
		return err
	}
	s.setFlash(r, "Thank you. Your answer was sent to the CareConnect team and your request is back in their queue.")
	http.Redirect(w, r, "/application/status", http.StatusSeeOther)
	return nil
}

// remotePage is the remote access request form.
type remotePage struct {
	Page
	Remote  *app.RemoteAccessState
	Form    portal.RemoteAccessInput
	Errors  portal.FieldErrors
	Message string // why the request as a whole was refused
}

func (s *Server) handleRemote(w http.ResponseWriter, r *http.Request) error {
	remote, err := s.app.RemoteAccess(r.Context(), state(r).account)
	if err != nil {
		return err
	}
	return s.render(
		w,
		r,
		http.StatusOK,
		"application_remote.html",
		remotePage{Page: s.page(r, "Remote access"), Remote: remote},
	)
}

func (s *Server) handleRemotePost(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	in := portal.RemoteAccessInput{Street: r.PostFormValue("street"), City: r.PostFormValue("city"),
		PostalCode: r.PostFormValue("postal_code"), Reason: r.PostFormValue("reason")}
	_, err := s.app.RequestRemoteAccess(r.Context(), st.meta, st.account, in)
	fe, isFE := portal.AsFieldErrors(err)
	if isFE || portal.ErrorCode(err) == portal.ECONFLICT || portal.ErrorCode(err) == portal.EFORBIDDEN {
		remote, rerr := s.app.RemoteAccess(r.Context(), st.account)
		if rerr != nil {
			return rerr
		}
		data := remotePage{Page: s.page(r, "Remote access"), Remote: remote, Form: in, Errors: fe}
		status := http.StatusUnprocessableEntity
		if !isFE {
			data.Message, status = portal.ErrorMessage(err), http.StatusConflict
			if portal.ErrorCode(err) == portal.EFORBIDDEN {
				status = http.StatusForbidden
			}
		}
		return s.render(w, r, status, "application_remote.html", data)
	}
	if err != nil {
		return err
	}
	s.setFlash(
		r,
		"Your remote access request was sent to the CareConnect team. They decide on it; we will email you when they have.",
	)
	http.Redirect(w, r, "/application", http.StatusSeeOther)
	return nil
}
