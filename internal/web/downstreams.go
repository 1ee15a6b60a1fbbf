package web

import (
	"net/http"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
)

// downstreamRoutes registers the page where the team's administrators
// watch push mode: each downstream SCIM service's lag and last error, and
// "Resend everything".
func (s *Server) downstreamRoutes(handle func(pattern string, h handler)) {
	admin := s.requireStaff(portal.RoleAdministrator)
	handle("GET /staff/downstreams", admin(s.handleDownstreams))
	handle("POST /staff/downstreams/{name}/resend", admin(s.handleResend))
}

// downstreamsPage is "Downstream systems".
type downstreamsPage struct {
	Page
	Downstreams []app.DownstreamStatus
	Now         time.Time
	Unconfirmed string // the downstream whose resend was asked without ticking the box
}

func (s *Server) handleDownstreams(w http.ResponseWriter, r *http.Request) error {
	return s.showDownstreams(w, r, http.StatusOK, "")
}

func (s *Server) showDownstreams(w http.ResponseWriter, r *http.Request, status int, unconfirmed string) error {
	st := state(r)
	ds, err := s.app.DownstreamStatuses(r.Context(), st.meta, st.staff)
	if err != nil {
		return err
	}
	return s.render(w, r, status, "staff_downstreams.html", downstreamsPage{Page: s.page(r, "Downstream systems"),
		Downstreams: ds, Now: s.app.Now(), Unconfirmed: unconfirmed})
}

func (s *Server) handleResend(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	name := r.PathValue("name")
	if r.PostFormValue("confirm") != "yes" {
		return s.showDownstreams(w, r, http.StatusUnprocessableEntity, name)
	}
	if err := s.app.RequestResend(r.Context(), st.meta, st.staff, name); err != nil {
		return err
	}
	s.setFlash(
		r,
		"Everything will be resent to "+name+" within a minute: the portal compares every user there with its own and repairs the differences. The result shows below.",
	)
	http.Redirect(w, r, "/staff/downstreams", http.StatusSeeOther)
	return nil
}
