package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
)

// sponsorshipRoutes registers the on-behalf-of sponsorship pages.
func (s *Server) sponsorshipRoutes(handle func(pattern string, h handler)) {
	acct := s.requireAccount
	handle("GET /sponsorships", acct(s.handleSponsorships))
	handle("POST /sponsorships", acct(s.handleSponsorshipRequest))
	handle("POST /sponsorships/route", acct(s.handleResidentRoute))
	handle("GET /sponsorships/{id}", acct(s.handleSponsorshipShow))
	handle("POST /sponsorships/{id}/approve", acct(s.handleSponsorshipDecide(true)))
	handle("POST /sponsorships/{id}/decline", acct(s.handleSponsorshipDecide(false)))
	handle("POST /sponsorships/{id}/revoke", acct(s.handleSponsorshipRevoke))
}

// sponsorshipView adds what the pages show to a sponsorship.
type sponsorshipView struct{ *portal.Sponsorship }

func viewSponsorships(ss []*portal.Sponsorship) []sponsorshipView {
	out := make([]sponsorshipView, len(ss))
	for i, s := range ss {
		out[i] = sponsorshipView{s}
	}
	return out
}

// sponsorshipStatuses is how the pages show each status: in a few words
// and as a badge style.
var sponsorshipStatuses = map[string]struct{ label, badge string }{
	portal.SponsorPending:   {"Waiting for the authorizer", "badge-pending"},
	portal.SponsorActive:    {"Active", "badge-approved"},
	portal.SponsorDeclined:  {"Declined", "badge-rejected"},
	portal.SponsorRevoked:   {"Revoked", "badge-neutral"},
	portal.SponsorWithdrawn: {"Ended by you", "badge-neutral"},
	portal.SponsorEnded:     {"Ended with the residency", "badge-neutral"},
}

// StatusLabel says where the sponsorship stands, in a few words.
func (v sponsorshipView) StatusLabel() string {
	if st, ok := sponsorshipStatuses[v.Status]; ok {
		return st.label
	}
	return v.Status
}

// BadgeClass is the badge style of the status.
func (v sponsorshipView) BadgeClass() string {
	if st, ok := sponsorshipStatuses[v.Status]; ok {
		return st.badge
	}
	return "badge-neutral"
}

// Submitted is when the request was made, in B.C. time.
func (v sponsorshipView) Submitted() string { return formatDateTime(v.CreatedAt) }

// Decided is when the authorizer decided, in B.C. time.
func (v sponsorshipView) Decided() string { return formatDateTime(v.DecidedAt) }

// Ended is when the sponsorship was revoked or ended, in B.C. time.
func (v sponsorshipView) Ended() string { return formatDateTime(v.EndedAt) }

// Residency describes the residency dates, or "" when not a residency.
func (v sponsorshipView) Residency() string {
	if !v.IsResidency() {
		return ""
	}
	return v.ResidencyStart + " to " + v.ResidencyEnd
}

// candidateView is one authorizer the person works with.
type candidateView struct {
	app.SponsorCandidate
	Value      string // the radio button's value: "authorizer:worksite"
	Profession string
	Why        string // why they cannot be asked yet, "" when they can
}

// viewCandidates splits the authorizers into those the person may ask and
// those who cannot sponsor them yet.
func viewCandidates(cs []app.SponsorCandidate) (eligible, notYet []candidateView) {
	for _, c := range cs {
		prof := c.Account.ProfessionLabel()
		if c.Account.Profession == portal.ProfNurse {
			if l := portal.NurseLicenceLabel(c.Account.NurseLicence); l != "" {
				prof = l
			}
		}
		v := candidateView{
			SponsorCandidate: c,
			Profession:       prof,
			Value:            fmt.Sprintf("%d:%d", c.Account.ID, c.WorksiteID),
		}
		if !c.Eligible {
			v.Why = sentence(portal.SponsorReasonText(c.Reason))
			notYet = append(notYet, v)
			continue
		}
		eligible = append(eligible, v)
	}
	return eligible, notYet
}

// sentence capitalises a clause and ends it with a period.
func sentence(s string) string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// The titles of the sponsorship page, in the guide's words.
const (
	authorizerTitle = "Authorizer"
	onBehalfOfTitle = "On-behalf-of users"
)

// sponsorshipsPage is the Sponsorship page: the route choice of residents,
// the requests and the form of on-behalf-of users, and the people an
// authorizer sponsors.
type sponsorshipsPage struct {
	Page
	UserType    portal.UserType
	Resident    bool // a medical resident, who chooses a route and gives dates
	ChooseRoute bool // the resident has not chosen yet
	Routes      []struct {
		Code  portal.ResidentRoute
		Label string
	}
	AsksSponsor bool // needs an authorizer: their requests and the form
	Authorizes  bool // may sponsor people, or still sponsors some
	Requested   []sponsorshipView
	Pending     []sponsorshipView
	Sponsored   []sponsorshipView
	Query       string
	Candidates  []candidateView // authorizers the person may ask
	NotYet      []candidateView // authorizers who cannot sponsor them yet, with why
	Choice      string
	Form        portal.SponsorshipInput
	Errors      portal.FieldErrors
}

// RouteLabel names the resident's chosen route.
func (p sponsorshipsPage) RouteLabel() string {
	for _, r := range p.Routes {
		if r.Code == p.Account.ResidentRoute {
			return r.Label
		}
	}
	return ""
}

func (s *Server) sponsorshipsData(
	r *http.Request,
	query, choice string,
	form portal.SponsorshipInput,
	errs portal.FieldErrors,
) (sponsorshipsPage, error) {
	acct := state(r).account
	ut := acct.UserType()
	data := sponsorshipsPage{Page: s.page(r, authorizerTitle), UserType: ut, Resident: app.IsResident(acct),
		ChooseRoute: app.NeedsResidentRoute(acct), Routes: portal.ResidentRoutes, Query: strings.TrimSpace(query),
		Choice: choice, Form: form, Errors: errs}
	data.AsksSponsor = !data.ChooseRoute && ut.NeedsAuthorizer()
	ov, err := s.app.Sponsorships(r.Context(), acct)
	if err != nil {
		return data, err
	}
	data.Requested, data.Pending, data.Sponsored = viewSponsorships(
		ov.Requested,
	), viewSponsorships(
		ov.Pending,
	), viewSponsorships(
		ov.Sponsored,
	)
	data.Authorizes = ut.CanAuthorize() || len(ov.Pending) > 0 || len(ov.Sponsored) > 0
	// The guide's words: the on-behalf-of user's step is "Authorizer", as
	// its tile on the menu; an authorizer manages their on-behalf-of users.
	if !data.AsksSponsor && !data.Resident && data.Authorizes {
		data.Title = onBehalfOfTitle
	}
	if data.AsksSponsor {
		cs, err := s.app.SponsorshipCandidates(r.Context(), acct, data.Query)
		if err != nil {
			return data, err
		}
		data.Candidates, data.NotYet = viewCandidates(cs)
	}
	return data, nil
}

func (s *Server) handleSponsorships(w http.ResponseWriter, r *http.Request) error {
	data, err := s.sponsorshipsData(r, r.URL.Query().Get("q"), "", portal.SponsorshipInput{}, nil)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "sponsorships.html", data)
}

func (s *Server) handleSponsorshipRequest(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	choice := r.PostFormValue("authorizer")
	in := portal.SponsorshipInput{ResidencyStart: r.PostFormValue("residency_start"),
		ResidencyEnd: r.PostFormValue("residency_end"), Message: r.PostFormValue("message")}
	if choice != "" {
		in.AuthorizerID, in.WorksiteID, _ = strings.Cut(choice, ":")
		if in.AuthorizerID == "" {
			in.AuthorizerID = "-"
		}
	}
	sp, err := s.app.RequestSponsorship(r.Context(), st.meta, st.account, in)
	fe, isFields := portal.AsFieldErrors(err)
	if isFields || portal.ErrorCode(err) == portal.ECONFLICT {
		status := http.StatusUnprocessableEntity
		if !isFields {
			status, fe = http.StatusConflict, portal.FieldErrors{"authorizer": portal.ErrorMessage(err)}
		}
		data, derr := s.sponsorshipsData(r, r.PostFormValue("q"), choice, in, fe)
		if derr != nil {
			return derr
		}
		return s.render(w, r, status, "sponsorships.html", data)
	}
	if err != nil {
		return err
	}
	s.setFlash(
		r,
		fmt.Sprintf(
			"Your request was sent to %s. We have emailed them, and we will email you when they decide.",
			sp.AuthorizerName,
		),
	)
	http.Redirect(w, r, "/sponsorships", http.StatusSeeOther)
	return nil
}

func (s *Server) handleResidentRoute(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	route := portal.ResidentRoute(r.PostFormValue("route"))
	err := s.app.ChooseResidentRoute(r.Context(), st.meta, st.account, route)
	fe, isFields := portal.AsFieldErrors(err)
	if isFields || portal.ErrorCode(err) == portal.ECONFLICT {
		status := http.StatusUnprocessableEntity
		if !isFields {
			status, fe = http.StatusConflict, portal.FieldErrors{"route": portal.ErrorMessage(err)}
		}
		data, derr := s.sponsorshipsData(r, "", "", portal.SponsorshipInput{}, fe)
		if derr != nil {
			return derr
		}
		return s.render(w, r, status, "sponsorships.html", data)
	}
	if err != nil {
		return err
	}
	if route == portal.ResidentSponsored {
		s.setFlash(
			r,
			"You chose to be sponsored by an authorizer for your residency. Now ask an authorizer who shares one of your worksites.",
		)
	} else {
		s.setFlash(r, "You chose to use CareConnect on your own, as an independent user.")
	}
	http.Redirect(w, r, "/sponsorships", http.StatusSeeOther)
	return nil
}

// sponsorshipPage shows one sponsorship to the two people it concerns.
type sponsorshipPage struct {
	Page
	S            sponsorshipView
	IsAuthorizer bool
	Reason       string
	Errors       portal.FieldErrors
}

func pathSponsorship(r *http.Request) (portal.SponsorshipID, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, portal.Errorf(
			portal.ENOTFOUND,
			"That sponsorship request does not exist, or you do not have access to it.",
		)
	}
	return portal.SponsorshipID(id), nil
}

func (s *Server) showSponsorship(
	w http.ResponseWriter,
	r *http.Request,
	id portal.SponsorshipID,
	status int,
	reason string,
	fe portal.FieldErrors,
) error {
	acct := state(r).account
	sp, err := s.app.Sponsorship(r.Context(), acct, id)
	if err != nil {
		return err
	}
	title := "Request to work on behalf of " + sp.AuthorizerName
	switch {
	case sp.AuthorizerAccountID == acct.ID && sp.Status == portal.SponsorPending:
		title = sp.OBOName + " would like to work on your behalf"
	case sp.AuthorizerAccountID == acct.ID:
		title = sp.OBOName + " works on your behalf"
	}
	return s.render(w, r, status, "sponsorship.html", sponsorshipPage{Page: s.page(r, title), S: sponsorshipView{sp},
		IsAuthorizer: sp.AuthorizerAccountID == acct.ID, Reason: reason, Errors: fe})
}

func (s *Server) handleSponsorshipShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathSponsorship(r)
	if err != nil {
		return err
	}
	return s.showSponsorship(w, r, id, http.StatusOK, "", nil)
}

// sponsorshipReturn is where a decision goes back to: the page the form
// named, or the default.
func sponsorshipReturn(r *http.Request, def string) string {
	if back := safeReturnTo(r.PostFormValue("return_to")); back != "" {
		return back
	}
	return def
}

// sponsorshipFailed shows the request again with what went wrong, when
// the failure is the person's to fix; it returns other errors unchanged.
func (s *Server) sponsorshipFailed(
	w http.ResponseWriter,
	r *http.Request,
	id portal.SponsorshipID,
	reason string,
	err error,
) error {
	fe, isFields := portal.AsFieldErrors(err)
	if !isFields && portal.ErrorCode(err) != portal.ECONFLICT {
		return err
	}
	status := http.StatusUnprocessableEntity
	if !isFields {
		status, fe = http.StatusConflict, portal.FieldErrors{"decision": portal.ErrorMessage(err)}
	}
	return s.showSponsorship(w, r, id, status, reason, fe)
}

func (s *Server) handleSponsorshipDecide(approve bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		st := state(r)
		id, err := pathSponsorship(r)
		if err != nil {
			return err
		}
		reason := r.PostFormValue("reason")
		sp, err := s.app.DecideSponsorship(r.Context(), st.meta, st.account, id, approve, reason)
		if err != nil {
			return s.sponsorshipFailed(w, r, id, reason, err)
		}
		if approve {
			s.setFlash(
				r,
				fmt.Sprintf(
					"You approved %s's request. They can now work on your behalf at %s; we have emailed them.",
					sp.OBOName,
					sp.WorksiteName,
				),
			)
		} else {
			s.setFlash(r, fmt.Sprintf("You declined %s's request. We have emailed them your reason.", sp.OBOName))
		}
		http.Redirect(w, r, sponsorshipReturn(r, "/notifications"), http.StatusSeeOther)
		return nil
	}
}

func (s *Server) handleSponsorshipRevoke(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	id, err := pathSponsorship(r)
	if err != nil {
		return err
	}
	reason := r.PostFormValue("reason")
	sp, err := s.app.RevokeSponsorship(r.Context(), st.meta, st.account, id, reason)
	if err != nil {
		return s.sponsorshipFailed(w, r, id, reason, err)
	}
	if sp.Status == portal.SponsorWithdrawn {
		s.setFlash(
			r,
			fmt.Sprintf("You ended your sponsorship by %s. You no longer work on their behalf; we have emailed them.",
				sp.AuthorizerName),
		)
	} else {
		s.setFlash(r, fmt.Sprintf("You revoked %s's sponsorship. They no longer work on your behalf; we have emailed them.", sp.OBOName))
	}
	http.Redirect(w, r, sponsorshipReturn(r, fmt.Sprintf("/sponsorships/%d", id)), http.StatusSeeOther)
	return nil
}
