package web

import (
	"net/http"
	"strconv"

	portal "github.com/bcgov-example/careconnect-portal"
)

// remoteStaffRoutes registers the CareConnect team's remote access decisions.
func (s *Server) remoteStaffRoutes(handle func(pattern string, h handler)) {
	officer := s.requireStaff(portal.RoleOfficer)
	handle("GET /staff/remote", officer(s.handleStaffRemote))
	handle("POST /staff/remote/{id}/approve", officer(s.handleStaffRemoteDecide(true)))
	handle("POST /staff/remote/{id}/decline", officer(s.handleStaffRemoteDecide(false)))
}

// staffRemotePage lists remote access requests waiting for a decision.
type staffRemotePage struct {
	Page
	Requests []*portal.PendingRemoteAccess
	Failed   int64  // the request a decision was refused for
	Error    string // why
	Reason   string // the reason as typed
}

func (s *Server) renderStaffRemote(w http.ResponseWriter, r *http.Request, status int, failed int64, msg string) error {
	reqs, err := s.app.PendingRemoteAccess(r.Context(), state(r).staff)
	if err != nil {
		return err
	}
	return s.render(
		w,
		r,
		status,
		"staff_remote.html",
		staffRemotePage{Page: s.page(r, "Remote access requests"), Requests: reqs,
			Failed: failed, Error: msg, Reason: r.PostFormValue("reason")},
	)
}

func (s *Server) handleStaffRemote(w http.ResponseWriter, r *http.Request) error {
	return s.renderStaffRemote(w, r, http.StatusOK, 0, "")
}

func (s *Server) handleStaffRemoteDecide(approve bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		st := state(r)
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			return portal.Errorf(portal.ENOTFOUND, "That remote access request does not exist.")
		}
		_, err = s.app.DecideRemoteAccess(r.Context(), st.meta, st.staff, id, approve, r.PostFormValue("reason"))
		if fe, ok := portal.AsFieldErrors(err); ok {
			return s.renderStaffRemote(w, r, http.StatusUnprocessableEntity, id, fe["reason"])
		}
		if c := portal.ErrorCode(err); c == portal.EINVALID || c == portal.ECONFLICT {
			return s.renderStaffRemote(w, r, http.StatusConflict, id, portal.ErrorMessage(err))
		}
		if err != nil {
			return err
		}
		if approve {
			s.setFlash(r, "Remote access approved; the person was emailed.")
		} else {
			s.setFlash(r, "Remote access declined; the person was emailed.")
		}
		http.Redirect(w, r, "/staff/remote", http.StatusSeeOther)
		return nil
	}
}
