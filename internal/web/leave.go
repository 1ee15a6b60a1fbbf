package web

import (
	"net/http"
	"strconv"

	portal "github.com/bcgov-example/careconnect-portal"
)

// leaveRoutes registers the page where a person records a leave.
func (s *Server) leaveRoutes(handle func(pattern string, h handler)) {
	handle("GET /account/leave", s.requireAccount(s.handleLeave))
	handle("POST /account/leave", s.requireAccount(s.handleLeavePost))
	handle("POST /account/leave/{leave}/end", s.requireAccount(s.handleLeaveEnd))
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
	Today  string // YYYY-MM-DD in B.C.
	// Ending is the leave whose ending the person is asked to confirm.
	Ending *portal.LeaveRecord
	// EndError says why a leave could not be ended.
	EndError string
}

func (s *Server) showLeave(
	w http.ResponseWriter,
	r *http.Request,
	status int,
	form portal.LeaveInput,
	fe portal.FieldErrors,
) error {
	return s.showLeaves(w, r, status, leavePage{Form: form, Errors: fe})
}

// showLeaves fills in the person's leaves and renders the page.
func (s *Server) showLeaves(w http.ResponseWriter, r *http.Request, status int, data leavePage) error {
	ls, err := s.app.Leaves(r.Context(), state(r).account)
	if err != nil {
		return err
	}
	data.Page, data.Leaves, data.Kinds, data.Today = s.page(r, "Leave"), ls, portal.LeaveKinds, s.app.Today()
	return s.render(w, r, status, "account_leave.html", data)
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

// handleLeaveEnd ends a leave today, or cancels it when it has not begun:
// without confirm=yes the page asks first and nothing changes.
func (s *Server) handleLeaveEnd(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	n, err := strconv.ParseInt(r.PathValue("leave"), 10, 64)
	if err != nil || n < 1 {
		return portal.Errorf(portal.ENOTFOUND, "That leave does not exist.")
	}
	id := portal.LeaveID(n)
	if r.PostFormValue("confirm") != "yes" {
		l, err := s.app.Leave(r.Context(), st.account, id)
		if err != nil {
			return err
		}
		return s.showLeaves(w, r, http.StatusOK, leavePage{Ending: l})
	}
	e, err := s.app.EndLeave(r.Context(), st.meta, st.account, id)
	if portal.ErrorCode(err) == portal.ECONFLICT {
		return s.showLeaves(w, r, http.StatusConflict, leavePage{EndError: portal.ErrorMessage(err)})
	}
	if err != nil {
		return err
	}
	flash := "Your leave has ended: your return date is now " + e.Leave.End + "."
	if e.Leave.Cancelled() {
		flash = "Your leave from " + e.Leave.Start + " is cancelled."
	}
	switch {
	case e.AccessRestored:
		flash += " Your CareConnect access is back."
	case e.AccessLater:
		flash += " Your CareConnect access comes back within the next 15 minutes."
	case e.AccessPaused:
		flash += " Your CareConnect access stays paused for now: we emailed you why and what to do."
	}
	s.setFlash(r, flash)
	http.Redirect(w, r, "/account/leave", http.StatusSeeOther)
	return nil
}
