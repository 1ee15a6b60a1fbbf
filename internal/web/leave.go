package web

import (
	"net/http"

	portal "github.com/bcgov-example/careconnect-portal"
)

// leaveRoutes registers the page where a person records a leave.
func (s *Server) leaveRoutes(handle func(pattern string, h handler)) {
	handle("GET /account/leave", s.requireAccount(s.handleLeave))
	handle("POST /account/leave", s.requireAccount(s.handleLeavePost))
}

// leavePage lists the person's leaves and the form to record one.
type leavePage struct {
	Page
	Leaves []*portal.LeaveRecord
	Kinds  []struct {
		Kind  portal.LeaveKind
		Label string
	}
	Form   portal.LeaveInput
	Errors portal.FieldErrors
}

func (s *Server) showLeave(
	w http.ResponseWriter,
	r *http.Request,
	status int,
	form portal.LeaveInput,
	fe portal.FieldErrors,
) error {
	ls, err := s.app.Leaves(r.Context(), state(r).account)
	if err != nil {
		return err
	}
	return s.render(w, r, status, "account_leave.html", leavePage{Page: s.page(r, "Leave"), Leaves: ls,
		Kinds: portal.LeaveKinds, Form: form, Errors: fe})
}

func (s *Server) handleLeave(w http.ResponseWriter, r *http.Request) error {
	return s.showLeave(w, r, http.StatusOK, portal.LeaveInput{}, nil)
}

func (s *Server) handleLeavePost(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	in := portal.LeaveInput{Kind: r.PostFormValue("kind"), Start: r.PostFormValue("start"), End: r.PostFormValue("end"),
		PauseAccess: r.PostFormValue("pause_access") == "yes"}
	l, err := s.app.RecordLeave(r.Context(), st.meta, st.account, in)
	if fe, ok := portal.AsFieldErrors(err); ok {
		return s.showLeave(w, r, http.StatusUnprocessableEntity, in, fe)
	}
	if err != nil {
		return err
	}
	flash := "Your leave from " + l.Start + " to " + l.End + " is recorded."
	if l.PauseAccess {
		flash += " Your CareConnect access is paused during it and comes back on " + l.End + "."
	}
	s.setFlash(r, flash)
	http.Redirect(w, r, "/account/leave", http.StatusSeeOther)
	return nil
}

// onLeave says which of the members are on leave today, for their site
// administrators.
func (s *Server) onLeave(r *http.Request, members []*portal.Membership) (map[portal.AccountID]string, error) {
	ids := make([]portal.AccountID, len(members))
	for i, m := range members {
		ids[i] = m.AccountID
	}
	away, err := s.app.OnLeave(r.Context(), ids)
	if err != nil {
		return nil, err
	}
	out := map[portal.AccountID]string{}
	for id, l := range away {
		out[id] = "On leave until " + l.End
	}
	return out, nil
}
