package web

import (
	"fmt"
	"net/http"
	"strconv"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
)

// handoverRoutes registers handing a worksite over: the administrator
// asks a member, the member accepts or declines, anyone leaves; and the
// CareConnect team's appointment of an administrator where none signs in.
func (s *Server) handoverRoutes(handle func(pattern string, h handler)) {
	acct := s.requireAccount
	handle("POST /worksites/{id}/handover", acct(s.handleHandoverStart))
	handle("POST /worksites/{id}/handover/{handover}/cancel", acct(s.handleHandoverCancel))
	handle("GET /worksites/{id}/leave", acct(s.handleLeaveWorksite))
	handle("POST /worksites/{id}/leave", acct(s.handleLeaveWorksitePost))
	handle("GET /handovers/{handover}", acct(s.handleHandover))
	handle("POST /handovers/{handover}/accept", acct(s.handleHandoverAccept))
	handle("POST /handovers/{handover}/decline", acct(s.handleHandoverDecline))
	officer := s.requireStaff(portal.RoleOfficer)
	handle("GET /staff/inactive-worksites", officer(s.handleInactiveWorksites))
	handle("GET /staff/inactive-worksites/{id}", officer(s.handleAppoint))
	handle("POST /staff/inactive-worksites/{id}", officer(s.handleAppointPost))
}

func pathHandover(r *http.Request) (portal.HandoverID, error) {
	id, err := strconv.ParseInt(r.PathValue("handover"), 10, 64)
	if err != nil || id <= 0 {
		return 0, portal.Errorf(portal.ENOTFOUND, "That handover does not exist, or was not offered to you.")
	}
	return portal.HandoverID(id), nil
}

func (s *Server) handleHandoverStart(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	member, _ := strconv.ParseInt(r.PostFormValue("member"), 10, 64)
	return s.worksiteAction(
		w,
		r,
		"Handover requested: we have emailed the member. You can leave the worksite once they accept.",
		func(id portal.WorksiteID) error {
			_, err := s.app.StartHandover(r.Context(), st.meta, st.account, id, portal.AccountID(member))
			return err
		},
	)
}

func (s *Server) handleHandoverCancel(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	hid, err := pathHandover(r)
	if err != nil {
		return err
	}
	return s.worksiteAction(w, r, "Handover cancelled.", func(id portal.WorksiteID) error {
		return s.app.CancelHandover(r.Context(), st.meta, st.account, id, hid)
	})
}

// leaveWorksitePage asks a member to confirm they leave a worksite.
type leaveWorksitePage struct {
	Page
	Worksite *portal.Worksite
	Error    string
}

func (s *Server) handleLeaveWorksite(w http.ResponseWriter, r *http.Request) error {
	return s.showLeaveWorksite(w, r, http.StatusOK, "")
}

func (s *Server) showLeaveWorksite(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	id, err := pathWorksite(r)
	if err != nil {
		return err
	}
	d, err := s.app.Worksite(r.Context(), state(r).account, id)
	if err != nil {
		return err
	}
	if d.Membership == nil || d.Membership.Status != portal.MemberActive {
		return portal.Errorf(portal.ENOTFOUND, "That worksite does not exist, or you do not have access to it.")
	}
	return s.render(
		w,
		r,
		status,
		"worksite_leave.html",
		leaveWorksitePage{Page: s.page(r, "Leave "+d.Worksite.Name), Worksite: d.Worksite, Error: msg},
	)
}

func (s *Server) handleLeaveWorksitePost(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	id, err := pathWorksite(r)
	if err != nil {
		return err
	}
	ws, err := s.app.LeaveWorksite(r.Context(), st.meta, st.account, id)
	if c := portal.ErrorCode(err); c == portal.EINVALID || c == portal.ECONFLICT {
		return s.showLeaveWorksite(w, r, http.StatusConflict, portal.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	s.setFlash(r, fmt.Sprintf("You left %s.", ws.Name))
	http.Redirect(w, r, "/worksites", http.StatusSeeOther)
	return nil
}

// handoverPage shows a handover to the member asked to take over.
type handoverPage struct {
	Page
	V        *app.HandoverView
	Clauses  []string
	Version  string
	FullName string
	Agree    bool
	Errors   portal.FieldErrors
	Message  string // why the answer was refused, when not a field's fault
}

func (s *Server) handoverPage(r *http.Request, v *app.HandoverView) handoverPage {
	return handoverPage{
		Page:    s.page(r, "Take over "+v.Worksite.Name),
		V:       v,
		Clauses: portal.DeclarationClauses,
		Version: portal.DeclarationVersion,
	}
}

func (s *Server) handleHandover(w http.ResponseWriter, r *http.Request) error {
	id, err := pathHandover(r)
	if err != nil {
		return err
	}
	v, err := s.app.Handover(r.Context(), state(r).account, id)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "handover.html", s.handoverPage(r, v))
}

func (s *Server) handleHandoverAccept(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	id, err := pathHandover(r)
	if err != nil {
		return err
	}
	in := portal.DeclarationInput{FullName: r.PostFormValue("full_name"), Agree: r.PostFormValue("agree") == "yes"}
	v, err := s.app.AcceptHandover(r.Context(), st.meta, st.account, id, in)
	if err != nil {
		return s.handoverFailed(w, r, id, err, in)
	}
	s.setFlash(r, fmt.Sprintf("You are now a site administrator of %s.", v.Worksite.Name))
	http.Redirect(w, r, fmt.Sprintf("/worksites/%d", v.Worksite.ID), http.StatusSeeOther)
	return nil
}

func (s *Server) handleHandoverDecline(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	id, err := pathHandover(r)
	if err != nil {
		return err
	}
	v, err := s.app.DeclineHandover(r.Context(), st.meta, st.account, id)
	if err != nil {
		return s.handoverFailed(w, r, id, err, portal.DeclarationInput{})
	}
	s.setFlash(r, fmt.Sprintf("You declined to take over %s. We have told %s.", v.Worksite.Name, v.Handover.FromName))
	http.Redirect(w, r, "/notifications", http.StatusSeeOther)
	return nil
}

// handoverFailed shows the handover again with what went wrong, keeping
// what was typed.
func (s *Server) handoverFailed(
	w http.ResponseWriter,
	r *http.Request,
	id portal.HandoverID,
	err error,
	in portal.DeclarationInput,
) error {
	fe, isFE := portal.AsFieldErrors(err)
	c := portal.ErrorCode(err)
	if !isFE && c != portal.ECONFLICT && c != portal.EFORBIDDEN {
		return err
	}
	v, verr := s.app.Handover(r.Context(), state(r).account, id)
	if verr != nil {
		return verr
	}
	data := s.handoverPage(r, v)
	data.FullName, data.Agree = in.FullName, in.Agree
	status := http.StatusUnprocessableEntity
	if isFE {
		data.Errors = fe
	} else {
		data.Message = portal.ErrorMessage(err)
		status = http.StatusConflict
		if c == portal.EFORBIDDEN {
			status = http.StatusForbidden
		}
	}
	return s.render(w, r, status, "handover.html", data)
}

// inactiveWorksitesPage lists worksites whose administrators no longer sign in.
type inactiveWorksitesPage struct {
	Page
	Worksites []inactiveRow
	Days      int
}

type inactiveRow struct {
	Worksite   *portal.Worksite
	Admins     []*portal.Membership
	LastSignIn string
	Members    int
}

func inactiveDays() int { return int(portal.InactiveAdminAfter.Hours() / 24) }

func (s *Server) handleInactiveWorksites(w http.ResponseWriter, r *http.Request) error {
	list, err := s.app.InactiveAdminWorksites(r.Context(), state(r).staff)
	if err != nil {
		return err
	}
	data := inactiveWorksitesPage{Page: s.page(r, "Worksites without an active administrator"), Days: inactiveDays()}
	for _, iw := range list {
		last := "Never"
		if !iw.LastSignIn.IsZero() {
			last = formatDate(iw.LastSignIn)
		}
		data.Worksites = append(
			data.Worksites,
			inactiveRow{Worksite: iw.Worksite, Admins: iw.Admins, LastSignIn: last, Members: iw.Members},
		)
	}
	return s.render(w, r, http.StatusOK, "staff_inactive_worksites.html", data)
}

// appointPage chooses a member to appoint, then confirms the choice.
type appointPage struct {
	Page
	V       *app.AppointmentView
	Days    int
	Member  string             // the chosen member's account id, as posted
	Confirm *portal.Membership // set on the confirmation step
	Errors  portal.FieldErrors
}

func (s *Server) handleAppoint(w http.ResponseWriter, r *http.Request) error {
	return s.showAppoint(w, r, http.StatusOK, "", nil, nil)
}

func (s *Server) showAppoint(
	w http.ResponseWriter,
	r *http.Request,
	status int,
	member string,
	confirm *portal.Membership,
	fe portal.FieldErrors,
) error {
	id, err := pathWorksite(r)
	if err != nil {
		return err
	}
	v, err := s.app.Appointment(r.Context(), state(r).staff, id)
	if err != nil {
		return err
	}
	return s.render(
		w,
		r,
		status,
		"staff_appoint.html",
		appointPage{Page: s.page(r, "Appoint a site administrator for "+v.Worksite.Name),
			V: v, Days: inactiveDays(), Member: member, Confirm: confirm, Errors: fe},
	)
}

// handleAppointPost confirms the choice first (confirm is not "yes": the
// page asks again, nothing changes), then appoints.
func (s *Server) handleAppointPost(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	id, err := pathWorksite(r)
	if err != nil {
		return err
	}
	member := r.PostFormValue("member")
	n, _ := strconv.ParseInt(member, 10, 64)
	if r.PostFormValue("confirm") != "yes" {
		v, err := s.app.Appointment(r.Context(), st.staff, id)
		if err != nil {
			return err
		}
		for _, c := range v.Candidates {
			if int64(c.AccountID) == n {
				return s.showAppoint(w, r, http.StatusOK, member, c, nil)
			}
		}
		return s.showAppoint(w, r, http.StatusUnprocessableEntity, member, nil,
			portal.FieldErrors{"member": "Choose the member to appoint as site administrator."})
	}
	m, err := s.app.AppointSiteAdmin(r.Context(), st.meta, st.staff, id, portal.AccountID(n))
	if fe, ok := portal.AsFieldErrors(err); ok {
		return s.showAppoint(w, r, http.StatusUnprocessableEntity, member, nil, fe)
	}
	if portal.ErrorCode(err) == portal.ECONFLICT {
		return s.showAppoint(
			w,
			r,
			http.StatusConflict,
			member,
			nil,
			portal.FieldErrors{"member": portal.ErrorMessage(err)},
		)
	}
	if err != nil {
		return err
	}
	s.setFlash(
		r,
		fmt.Sprintf(
			"%s is now a site administrator of %s. We have emailed them and the worksite's other administrators.",
			m.Name,
			m.WorksiteName,
		),
	)
	http.Redirect(w, r, "/staff/inactive-worksites", http.StatusSeeOther)
	return nil
}
