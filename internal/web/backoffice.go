package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
)

// backOfficeRoutes registers the CareConnect team's pages: the queue of
// access requests and the decisions on them, people's records, and the
// worksites waiting for approval. All of them are for enrolment officers.
func (s *Server) backOfficeRoutes(handle func(pattern string, h handler)) {
	officer := s.requireStaff(portal.RoleOfficer)
	handle("GET /staff/queue", officer(s.handleQueue))
	handle("GET /staff/requests/{id}", officer(s.handleStaffRequest))
	handle("POST /staff/requests/{id}/claim", officer(s.handleClaim))
	handle("POST /staff/requests/{id}/release", officer(s.handleRelease))
	handle("POST /staff/requests/{id}/approve", officer(s.handleApprove))
	handle("POST /staff/requests/{id}/decline", officer(s.handleDecline))
	handle("POST /staff/requests/{id}/info", officer(s.handleInfoRequest))
	handle("GET /staff/people/{id}", officer(s.handleStaffPerson))
	handle("POST /staff/people/{id}/suspend", officer(s.handleChangeAccess(portal.AccessSuspend)))
	handle("POST /staff/people/{id}/reinstate", officer(s.handleChangeAccess(portal.AccessReinstate)))
	handle("POST /staff/people/{id}/deprovision", officer(s.handleChangeAccess(portal.AccessDeprovision)))
	handle("GET /staff/worksites", officer(s.handleStaffWorksites))
	handle("POST /staff/worksites/{code}/approve", officer(s.handleStaffWorksiteDecision(true)))
	handle("POST /staff/worksites/{code}/decline", officer(s.handleStaffWorksiteDecision(false)))
}

// option is one choice of a select.
type option struct{ Value, Label string }

// queueStatuses are the queue's status choices.
var queueStatuses = []option{
	{app.QueueOpen, "Open (pending or waiting for more information)"},
	{portal.ARSubmitted, portal.ARStatusLabel(portal.ARSubmitted)},
	{portal.ARInfoRequested, portal.ARStatusLabel(portal.ARInfoRequested)},
	{portal.ARApproved, portal.ARStatusLabel(portal.ARApproved)},
	{portal.ARDeclined, portal.ARStatusLabel(portal.ARDeclined)},
	{portal.ARSuspended, portal.ARStatusLabel(portal.ARSuspended)},
	{portal.ARDeprovisioned, portal.ARStatusLabel(portal.ARDeprovisioned)},
	{app.QueueAll, "All"},
}

// queuePage is the CareConnect team's queue of access requests.
type queuePage struct {
	Page
	Query             app.QueueQuery
	Result            *app.QueueResult
	Pager             pager
	SortURL           string
	Statuses          []option
	HealthAuthorities []portal.HealthAuthority
}

// queueURL is the queue's address with the filters of q on page p, sorted by sortDir.
func queueURL(q app.QueueQuery, p int, sortDir string) string {
	v := url.Values{}
	for k, x := range map[string]string{"status": q.Status, "profession": q.Profession, "health_authority": q.HealthAuthority,
		"worksite": q.Worksite, "reference": q.Reference, "older_than": q.OlderThanDays} {
		if x != "" {
			v.Set(k, x)
		}
	}
	v.Set("sort", sortDir)
	v.Set("page", strconv.Itoa(p))
	return "/staff/queue?" + v.Encode()
}

func (s *Server) handleQueue(w http.ResponseWriter, r *http.Request) error {
	in := r.URL.Query()
	q := app.QueueQuery{
		Status:          in.Get("status"),
		Profession:      in.Get("profession"),
		HealthAuthority: in.Get("health_authority"),
		Worksite: in.Get(
			"worksite",
		),
		Reference:     in.Get("reference"),
		OlderThanDays: in.Get("older_than"),
		Sort:          in.Get("sort"),
	}
	q.Page, _ = strconv.Atoi(in.Get("page"))
	q.Normalize()
	res, err := s.app.Queue(r.Context(), state(r).staff, q)
	if err != nil {
		return err
	}
	other := "asc"
	if q.Sort == "asc" {
		other = "desc"
	}
	pg := newPager(
		res.Total,
		res.Page,
		app.QueuePageSize,
		q.Sort,
		func(p int, sd string) string { return queueURL(q, p, sd) },
	)
	status := http.StatusOK
	if len(res.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return s.render(w, r, status, "staff_queue.html", queuePage{Page: s.page(r, "Request queue"), Query: q, Result: res,
		Pager: pg, SortURL: queueURL(q, 1, other), Statuses: queueStatuses, HealthAuthorities: portal.HealthAuthorities})
}

func pathRequest(r *http.Request) (portal.AccessRequestID, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, portal.Errorf(portal.ENOTFOUND, "That access request does not exist.")
	}
	return portal.AccessRequestID(id), nil
}

// scopeChoice is one data scope checkbox of the approval form.
type scopeChoice struct {
	Code        portal.DataScope
	Label       string
	Description string
	Checked     bool
}

// sponsorRow is one sponsor of an on-behalf-of user, with their own
// standing, as an officer sees it.
type sponsorRow struct {
	portal.SponsorStanding
	Qualifies bool
	Why       string // why not, when the sponsor does not qualify
}

func sponsorRows(ss []portal.SponsorStanding) []sponsorRow {
	out := make([]sponsorRow, len(ss))
	for i, s := range ss {
		ok, reason := portal.SponsorQualifies(s)
		out[i] = sponsorRow{SponsorStanding: s, Qualifies: ok, Why: sentence(portal.SponsorReasonText(reason))}
	}
	return out
}

// staffRequestPage is an access request as an officer sees it to decide.
type staffRequestPage struct {
	Page
	R           *app.RequestReview
	Sponsors    []sponsorRow
	Scopes      []scopeChoice
	Flags       int
	Texts       map[string]string
	Reasons     []struct{ Code, Label string }
	Decline     portal.DeclineInput
	Question    string
	Errors      portal.FieldErrors
	Message     string // why the last action could not be done
	CanRelease  bool
	CanDecide   bool
	CanAskAgain bool
}

// formAgain is what the officer typed in a form that failed, to show it again.
type formAgain struct {
	scopes   []portal.DataScope
	decline  portal.DeclineInput
	question string
	errors   portal.FieldErrors
	message  string
}

func (s *Server) showStaffRequest(
	w http.ResponseWriter,
	r *http.Request,
	id portal.AccessRequestID,
	status int,
	again *formAgain,
) error {
	st := state(r)
	rv, err := s.app.ReviewAccessRequest(r.Context(), st.meta, st.staff, id)
	if err != nil {
		return err
	}
	req := rv.Request
	data := staffRequestPage{
		Page:        s.page(r, "Access request of "+rv.Account.LegalName()),
		R:           rv,
		Sponsors:    sponsorRows(rv.Sponsors),
		Texts:       formTexts,
		Reasons:     portal.DeclineReasons,
		Flags:       portal.CountFlags(rv.Checks),
		CanRelease:  req.Open() && req.ClaimedBy != "" && (rv.ClaimedByYou || st.staff.Has(portal.RoleAdministrator)),
		CanDecide:   req.Open() && rv.ClaimedByYou,
		CanAskAgain: req.Status == portal.ARSubmitted,
	}
	chosen := rv.AllowedScopes
	if again != nil {
		data.Decline, data.Question, data.Errors, data.Message = again.decline, again.question, again.errors, again.message
		if again.scopes != nil || again.errors["scopes"] != "" {
			chosen = again.scopes
		}
	}
	for _, x := range portal.DataScopes {
		if slices.Contains(rv.AllowedScopes, x.Code) {
			data.Scopes = append(
				data.Scopes,
				scopeChoice{
					Code:        x.Code,
					Label:       x.Label,
					Description: x.Description,
					Checked:     slices.Contains(chosen, x.Code),
				},
			)
		}
	}
	return s.render(w, r, status, "staff_request.html", data)
}

func (s *Server) handleStaffRequest(w http.ResponseWriter, r *http.Request) error {
	id, err := pathRequest(r)
	if err != nil {
		return err
	}
	return s.showStaffRequest(w, r, id, http.StatusOK, nil)
}

// failedStatus is the status of a page shown again after an action failed
// for a reason the officer can act on; ok is false for other errors.
func failedStatus(err error) (status int, ok bool) {
	if _, fe := portal.AsFieldErrors(err); fe {
		return http.StatusUnprocessableEntity, true
	}
	switch portal.ErrorCode(err) {
	case portal.ECONFLICT:
		return http.StatusConflict, true
	case portal.EINVALID:
		return http.StatusBadRequest, true
	case portal.EFORBIDDEN:
		return http.StatusForbidden, true
	}
	return 0, false
}

// requestAction runs an action on an access request: on success it
// returns to the request with a message; on a failure the officer can act
// on, it shows the request again with what they typed and why.
func (s *Server) requestAction(
	w http.ResponseWriter,
	r *http.Request,
	again formAgain,
	act func(id portal.AccessRequestID) (string, error),
) error {
	id, err := pathRequest(r)
	if err != nil {
		return err
	}
	flash, err := act(id)
	if err != nil {
		status, ok := failedStatus(err)
		if !ok {
			return err
		}
		if fe, isFE := portal.AsFieldErrors(err); isFE {
			again.errors = fe
		} else {
			again.message = portal.ErrorMessage(err)
		}
		return s.showStaffRequest(w, r, id, status, &again)
	}
	s.setFlash(r, flash)
	http.Redirect(w, r, fmt.Sprintf("/staff/requests/%d", id), http.StatusSeeOther)
	return nil
}

func (s *Server) handleClaim(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	return s.requestAction(w, r, formAgain{}, func(id portal.AccessRequestID) (string, error) {
		return "You claimed this request: only you can decide on it until you release it.",
			s.app.ClaimAccessRequest(r.Context(), st.meta, st.staff, id)
	})
}

func (s *Server) handleRelease(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	return s.requestAction(w, r, formAgain{}, func(id portal.AccessRequestID) (string, error) {
		return "The request is back in the queue for any officer to claim.", s.app.ReleaseAccessRequest(
			r.Context(),
			st.meta,
			st.staff,
			id,
		)
	})
}

func (s *Server) handleApprove(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	if err := r.ParseForm(); err != nil {
		return portal.Errorf(portal.EINVALID, "The form could not be read.")
	}
	scopes := []portal.DataScope{}
	for _, v := range r.PostForm["scopes"] {
		scopes = append(scopes, portal.DataScope(v))
	}
	return s.requestAction(w, r, formAgain{scopes: scopes}, func(id portal.AccessRequestID) (string, error) {
		req, err := s.app.ApproveAccessRequest(r.Context(), st.meta, st.staff, id, scopes)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("You approved the request of %s %s. We have emailed them.", req.FirstName, req.LastName), nil
	})
}

func (s *Server) handleDecline(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	in := portal.DeclineInput{Code: r.PostFormValue("decline_code"), Text: r.PostFormValue("decline_text")}
	return s.requestAction(w, r, formAgain{decline: in}, func(id portal.AccessRequestID) (string, error) {
		req, err := s.app.DeclineAccessRequest(r.Context(), st.meta, st.staff, id, in)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf(
			"You declined the request of %s %s. We have emailed them the reason.",
			req.FirstName,
			req.LastName,
		), nil
	})
}

func (s *Server) handleInfoRequest(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	q := r.PostFormValue("question")
	return s.requestAction(w, r, formAgain{question: q}, func(id portal.AccessRequestID) (string, error) {
		req, err := s.app.RequestMoreInformation(r.Context(), st.meta, st.staff, id, q)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf(
			"We have emailed your question to %s %s. The request returns to the queue when they answer.",
			req.FirstName,
			req.LastName,
		), nil
	})
}

func pathPerson(r *http.Request) (portal.AccountID, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, portal.Errorf(portal.ENOTFOUND, "That person does not exist.")
	}
	return portal.AccountID(id), nil
}

// accessForm is one of the suspend, reinstate and remove forms of the person page.
type accessForm struct {
	Action portal.AccessAction
	Reason string
	Error  string
}

// staffPersonPage is a person's record as the CareConnect team sees it.
type staffPersonPage struct {
	Page
	P       *app.PersonRecord
	Forms   []accessForm
	Message string
}

func (s *Server) showStaffPerson(
	w http.ResponseWriter,
	r *http.Request,
	id portal.AccountID,
	status int,
	failed *accessForm,
	message string,
) error {
	st := state(r)
	p, err := s.app.Person(r.Context(), st.meta, st.staff, id)
	if err != nil {
		return err
	}
	data := staffPersonPage{Page: s.page(r, p.Account.LegalName()), P: p, Message: message}
	for _, a := range p.Actions {
		f := accessForm{Action: a}
		if failed != nil && failed.Action == a {
			f = *failed
		}
		data.Forms = append(data.Forms, f)
	}
	return s.render(w, r, status, "staff_person.html", data)
}

func (s *Server) handleStaffPerson(w http.ResponseWriter, r *http.Request) error {
	id, err := pathPerson(r)
	if err != nil {
		return err
	}
	return s.showStaffPerson(w, r, id, http.StatusOK, nil, "")
}

func (s *Server) handleChangeAccess(action portal.AccessAction) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		st := state(r)
		id, err := pathPerson(r)
		if err != nil {
			return err
		}
		reason := r.PostFormValue("reason")
		if _, err := s.app.ChangeAccess(r.Context(), st.meta, st.staff, id, action, reason); err != nil {
			status, ok := failedStatus(err)
			if !ok {
				return err
			}
			failed := accessForm{Action: action, Reason: reason}
			msg := ""
			if fe, isFE := portal.AsFieldErrors(err); isFE {
				failed.Error = fe["reason"]
			} else {
				msg = portal.ErrorMessage(err)
			}
			return s.showStaffPerson(w, r, id, status, &failed, msg)
		}
		s.setFlash(
			r,
			"Access "+action.Done()+". We have emailed the person and told the systems that rely on the portal.",
		)
		http.Redirect(w, r, fmt.Sprintf("/staff/people/%d", id), http.StatusSeeOther)
		return nil
	}
}

// staffWorksitesPage lists the new worksites waiting for the CareConnect team.
type staffWorksitesPage struct {
	Page
	Items   []app.PendingWorksite
	Failed  portal.WorksiteCode // the worksite whose decision failed
	Reason  string
	Error   string // for the reason field
	Message string
}

func (s *Server) showStaffWorksites(w http.ResponseWriter, r *http.Request, status int, data staffWorksitesPage) error {
	items, err := s.app.WorksiteQueue(r.Context(), state(r).staff)
	if err != nil {
		return err
	}
	data.Page, data.Items = s.page(r, "New worksites"), items
	return s.render(w, r, status, "staff_worksites.html", data)
}

func (s *Server) handleStaffWorksites(w http.ResponseWriter, r *http.Request) error {
	return s.showStaffWorksites(w, r, http.StatusOK, staffWorksitesPage{})
}

func (s *Server) handleStaffWorksiteDecision(approve bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		st := state(r)
		code, err := portal.ParseWorksiteCode(r.PathValue("code"))
		if err != nil {
			return portal.Errorf(portal.ENOTFOUND, "That worksite does not exist.")
		}
		reason := r.PostFormValue("reason")
		ws, err := s.app.StaffDecideWorksite(r.Context(), st.meta, st.staff, code, approve, reason)
		if err != nil {
			status, ok := failedStatus(err)
			if !ok {
				return err
			}
			data := staffWorksitesPage{Failed: code, Reason: reason}
			if fe, isFE := portal.AsFieldErrors(err); isFE {
				data.Error = fe["reason"]
			} else {
				data.Message = portal.ErrorMessage(err)
			}
			return s.showStaffWorksites(w, r, status, data)
		}
		verb := "approved"
		if !approve {
			verb = "declined"
		}
		s.setFlash(r, fmt.Sprintf("You %s %s (%s). We have emailed its site administrators.", verb, ws.Name, ws.Code))
		http.Redirect(w, r, "/staff/worksites", http.StatusSeeOther)
		return nil
	}
}
