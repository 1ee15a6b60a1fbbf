package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
)

// worksitesPage is "My Worksites".
type worksitesPage struct {
	Page
	Mine *app.MyWorksites
}

func (s *Server) handleWorksites(w http.ResponseWriter, r *http.Request) error {
	mine, err := s.app.Worksites(r.Context(), state(r).account)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "worksites.html", worksitesPage{Page: s.page(r, "My Worksites"), Mine: mine})
}

// joinPage is "Join a Worksite": the Worksite ID, the address search and
// registering a new worksite, on one page.
type joinPage struct {
	Page
	Code    string
	Query   string
	Results addressResults
	Address *portal.Address // a chosen address with no worksite
	Known   *knownJoin      // a worksite found that the person need not ask to join
	Errors  portal.FieldErrors
}

// knownJoin is a worksite the person already belongs to or has asked to join.
type knownJoin struct {
	Worksite *portal.Worksite
	*app.JoinCheck
}

func (s *Server) joinPage(r *http.Request) joinPage {
	return joinPage{Page: s.page(r, "Join a Worksite"), Results: addressResults{SelectURL: addressSelectURL}}
}

func (s *Server) handleJoinOptions(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "worksite_join.html", s.joinPage(r))
}

// limitWorksiteLookups rate-limits Worksite ID look-ups per person and per
// address, so codes cannot be guessed. Every way that shows a worksite's
// ID counts: a typed ID, a choice of address, an address already registered.
func (s *Server) limitWorksiteLookups(r *http.Request) error {
	st := state(r)
	if err := s.rateLimit(r, "worksite-code:acct:"+accountKey(st.account), 20); err != nil {
		return err
	}
	return s.rateLimit(r, "worksite-code:ip:"+st.meta.IP, 60)
}

func (s *Server) handleJoinCodePost(w http.ResponseWriter, r *http.Request) error {
	code := r.PostFormValue("code")
	if err := s.limitWorksiteLookups(r); err != nil {
		return err
	}
	ws, err := s.app.FindWorksiteToJoin(r.Context(), code)
	if c := portal.ErrorCode(err); c == portal.EINVALID || c == portal.ENOTFOUND {
		data := s.joinPage(r)
		data.Code, data.Errors = code, portal.FieldErrors{"code": portal.ErrorMessage(err)}
		return s.render(w, r, http.StatusUnprocessableEntity, "worksite_join.html", data)
	}
	if err != nil {
		return err
	}
	return s.showAccessForm(w, r, ws, "code", code)
}

// showAccessForm shows the Worksite Access Form for a worksite found by its
// ID or address, or, when the person already belongs to it or has asked
// to join it, says so on the join page instead.
func (s *Server) showAccessForm(w http.ResponseWriter, r *http.Request, ws *portal.Worksite, via, code string) error {
	check, err := s.app.CheckJoin(r.Context(), state(r).account, ws)
	if err != nil {
		return err
	}
	if check.Member || check.Pending != nil {
		data := s.joinPage(r)
		data.Code, data.Known = code, &knownJoin{Worksite: ws, JoinCheck: check}
		return s.render(w, r, http.StatusOK, "worksite_join.html", data)
	}
	return s.render(
		w,
		r,
		http.StatusOK,
		"worksite_access.html",
		accessPage{Page: s.page(r, "Worksite Access Form"), Worksite: ws, Via: via,
			Admins: check.Admins},
	)
}

// accessPage is the Worksite Access Form.
type accessPage struct {
	Page
	Worksite *portal.Worksite
	Via      string
	Comment  string
	Admins   []string // who decides
	Errors   portal.FieldErrors
}

func (s *Server) handleJoinAddress(w http.ResponseWriter, r *http.Request) error {
	if idText := r.URL.Query().Get("address_id"); idText != "" {
		if err := s.limitWorksiteLookups(r); err != nil {
			return err
		}
		id, err := strconv.ParseInt(idText, 10, 64)
		if err != nil {
			return portal.Errorf(portal.ENOTFOUND, "That address is not in the index. Search again.")
		}
		addr, ws, err := s.app.FindWorksitesAtAddress(r.Context(), portal.AddressID(id))
		if err != nil {
			return err
		}
		if ws != nil {
			return s.showAccessForm(w, r, ws, "address", "")
		}
		data := s.joinPage(r)
		data.Address, data.Query = addr, addr.Line()
		return s.render(w, r, http.StatusOK, "worksite_join.html", data)
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	data := s.joinPage(r)
	data.Query = q
	if q != "" {
		res, err := s.searchAddresses(r, q)
		if portal.ErrorCode(err) == portal.EINVALID {
			data.Errors = portal.FieldErrors{"q": portal.ErrorMessage(err)}
			return s.render(w, r, http.StatusUnprocessableEntity, "worksite_join.html", data)
		}
		if err != nil {
			return err
		}
		if data.Results, err = s.addressResults(r, res, q, true); err != nil {
			return err
		}
	}
	return s.render(w, r, http.StatusOK, "worksite_join.html", data)
}

// accessSentPage confirms a request to join.
type accessSentPage struct {
	Page
	Request *portal.JoinRequest
	Admins  []string // who decides
}

func (s *Server) handleAccessPost(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	if err := s.limitWorksiteLookups(r); err != nil {
		return err
	}
	ws, err := s.app.FindWorksiteToJoin(r.Context(), r.PostFormValue("worksite"))
	if err != nil {
		return err
	}
	via := r.PostFormValue("via")
	if via != "address" {
		via = "code"
	}
	comment := r.PostFormValue("comment")
	j, err := s.app.RequestToJoin(r.Context(), st.meta, st.account, ws, via, comment)
	refuse := func(status int, fe portal.FieldErrors) error {
		check, cerr := s.app.CheckJoin(r.Context(), st.account, ws)
		if cerr != nil {
			return cerr
		}
		return s.render(w, r, status, "worksite_access.html", accessPage{Page: s.page(r, "Worksite Access Form"),
			Worksite: ws, Via: via, Comment: comment, Admins: check.Admins, Errors: fe})
	}
	if fe, ok := portal.AsFieldErrors(err); ok {
		return refuse(http.StatusUnprocessableEntity, fe)
	}
	if portal.ErrorCode(err) == portal.ECONFLICT {
		return refuse(http.StatusConflict, portal.FieldErrors{"comment": portal.ErrorMessage(err)})
	}
	if err != nil {
		return err
	}
	check, err := s.app.CheckJoin(r.Context(), st.account, ws)
	if err != nil {
		return err
	}
	return s.render(
		w,
		r,
		http.StatusOK,
		"worksite_access_sent.html",
		accessSentPage{Page: s.page(r, "Clinic Access Request"), Request: j,
			Admins: check.Admins},
	)
}

// worksiteFormPage registers a new worksite.
type worksiteFormPage struct {
	Page
	Form     portal.WorksiteInput
	Address  *portal.Address
	Groups   []portal.Group
	Errors   portal.FieldErrors
	Existing *portal.Worksite
}

func (s *Server) worksiteForm(
	r *http.Request,
	form portal.WorksiteInput,
	errs portal.FieldErrors,
) (worksiteFormPage, error) {
	data := worksiteFormPage{Page: s.page(r, "Register a Worksite"), Form: form, Errors: errs}
	if form.AddressID != "" {
		data.Address = s.app.Address(r.Context(), form.AddressID)
	}
	var err error
	data.Groups, err = s.app.AdministeredGroups(r.Context(), state(r).account)
	return data, err
}

func (s *Server) handleWorksiteNew(w http.ResponseWriter, r *http.Request) error {
	data, err := s.worksiteForm(
		r,
		portal.WorksiteInput{AddressID: r.URL.Query().Get("address_id"), HasAuthority: "yes"},
		nil,
	)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "worksite_new.html", data)
}

func (s *Server) handleWorksiteNewPost(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	in := portal.WorksiteInput{
		Name: r.PostFormValue("name"), Type: r.PostFormValue("type"), Phone: r.PostFormValue("phone"),
		AddressID: r.PostFormValue("address_id"), HasAuthority: r.PostFormValue("has_authority"),
		SignerName: r.PostFormValue("signer_name"), SignerEmail: r.PostFormValue("signer_email"),
		GroupChoice: r.PostFormValue("group"), GroupName: r.PostFormValue("group_name"),
		Manual: portal.Address{Unit: r.PostFormValue("unit"), CivicNumber: r.PostFormValue("civic_number"),
			StreetName: r.PostFormValue("street_name"), StreetType: r.PostFormValue("street_type"),
			Direction: r.PostFormValue("direction"), City: r.PostFormValue("city"), Province: "BC",
			PostalCode: r.PostFormValue("postal_code")},
	}
	if r.PostFormValue("address_mode") == "manual" {
		in.AddressID = ""
	}
	ws, err := s.app.RegisterWorksite(r.Context(), st.meta, st.account, in)
	if fe, ok := limitErrors(err, "signer_email"); ok {
		data, ferr := s.worksiteForm(r, in, fe)
		if ferr != nil {
			return ferr
		}
		return s.render(w, r, http.StatusTooManyRequests, "worksite_new.html", data)
	}
	var existing *app.ExistingWorksiteError
	if errors.As(err, &existing) {
		if lerr := s.limitWorksiteLookups(r); lerr != nil {
			return lerr
		}
		data, ferr := s.worksiteForm(r, in, nil)
		if ferr != nil {
			return ferr
		}
		data.Existing = existing.Worksite
		return s.render(w, r, http.StatusConflict, "worksite_new.html", data)
	}
	if fe, ok := portal.AsFieldErrors(err); ok {
		data, ferr := s.worksiteForm(r, in, fe)
		if ferr != nil {
			return ferr
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "worksite_new.html", data)
	}
	if err != nil {
		return err
	}
	if in.HasAuthority == "yes" {
		s.setFlash(
			r,
			fmt.Sprintf(
				"%s is registered. Its Worksite ID is %s; we have emailed it to you. Next, sign the %s.",
				ws.Name,
				ws.Code,
				portal.DeclarationTitle,
			),
		)
		http.Redirect(w, r, fmt.Sprintf("/worksites/%d/declaration", ws.ID), http.StatusSeeOther)
		return nil
	}
	s.setFlash(
		r,
		fmt.Sprintf("%s is registered. Its Worksite ID is %s; we have emailed it to you, and asked %s to sign the %s. "+
			"Once they have signed, the CareConnect team reviews the worksite; we will email you when they decide.", ws.Name, ws.Code, ws.SignerName, portal.DeclarationTitle),
	)
	http.Redirect(w, r, fmt.Sprintf("/worksites/%d", ws.ID), http.StatusSeeOther)
	return nil
}

func pathWorksite(r *http.Request) (portal.WorksiteID, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, portal.Errorf(portal.ENOTFOUND, "That worksite does not exist, or you do not have access to it.")
	}
	return portal.WorksiteID(id), nil
}

// worksitePage shows one worksite.
type worksitePage struct {
	Page
	D      *app.WorksiteDetail
	Errors portal.FieldErrors
	Invite string
	Now    time.Time
	// A decommission refused for its date: whose row, and what was typed.
	EndDateFor portal.AccountID
	EndDate    string
	// A locum's last day refused: whose row, and what was typed.
	LocumFor     portal.AccountID
	LocumLastDay string
	// OnLeave says, for the administrators, which members are on leave today.
	OnLeave map[portal.AccountID]string
}

func (s *Server) handleWorksiteShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathWorksite(r)
	if err != nil {
		return err
	}
	return s.showWorksite(w, r, id, http.StatusOK, "", nil)
}

func (s *Server) showWorksite(
	w http.ResponseWriter,
	r *http.Request,
	id portal.WorksiteID,
	status int,
	invite string,
	fe portal.FieldErrors,
) error {
	d, err := s.app.Worksite(r.Context(), state(r).account, id)
	if err != nil {
		return err
	}
	data := worksitePage{Page: s.page(r, d.Worksite.Name), D: d, Errors: fe, Invite: invite, Now: s.app.Now()}
	if d.IsAdmin {
		if data.OnLeave, err = s.onLeave(r, d.Members); err != nil {
			return err
		}
	}
	if _, bad := fe["end_date"]; bad {
		data.EndDateFor, _ = pathAccount(r)
		data.EndDate = r.PostFormValue("end_date")
	}
	if _, bad := fe["last_day"]; bad {
		data.LocumFor, _ = pathAccount(r)
		data.LocumLastDay = r.PostFormValue("last_day")
	}
	return s.render(w, r, status, "worksite_show.html", data)
}

// worksiteAction runs an administrator's action and returns to the worksite.
func (s *Server) worksiteAction(
	w http.ResponseWriter,
	r *http.Request,
	flash string,
	act func(id portal.WorksiteID) error,
) error {
	id, err := pathWorksite(r)
	if err != nil {
		return err
	}
	if err := act(id); err != nil {
		if fe, ok := limitErrors(err, "email"); ok {
			if !r.PostForm.Has("email") { // Send again: no field to show it at
				fe = portal.FieldErrors{"action": portal.ErrorMessage(err)}
			}
			return s.showWorksite(w, r, id, http.StatusTooManyRequests, r.PostFormValue("email"), fe)
		}
		if fe, ok := portal.AsFieldErrors(err); ok {
			return s.showWorksite(w, r, id, http.StatusUnprocessableEntity, r.PostFormValue("email"), fe)
		}
		if c := portal.ErrorCode(err); c == portal.EINVALID || c == portal.ECONFLICT {
			return s.showWorksite(
				w,
				r,
				id,
				http.StatusConflict,
				"",
				portal.FieldErrors{"action": portal.ErrorMessage(err)},
			)
		}
		return err
	}
	s.setFlash(r, flash)
	http.Redirect(w, r, fmt.Sprintf("/worksites/%d", id), http.StatusSeeOther)
	return nil
}

func (s *Server) handleInvite(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	email := strings.TrimSpace(r.PostFormValue("email"))
	return s.worksiteAction(w, r, "Invitation sent to "+email+".", func(id portal.WorksiteID) error {
		_, err := s.app.Invite(r.Context(), st.meta, st.account, id, email)
		return err
	})
}

func pathInvitation(r *http.Request, name string) (portal.InvitationID, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil {
		return 0, portal.Errorf(portal.ENOTFOUND, "That invitation does not exist.")
	}
	return portal.InvitationID(id), nil
}

func (s *Server) handleInvitationResend(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	inv, err := pathInvitation(r, "inv")
	if err != nil {
		return err
	}
	// The count the page showed, so that a second press of the same button
	// finds the invitation already sent again and sends nothing more. A form
	// without it is refused, but only after the administrator's right to
	// act on the worksite is checked (-1 asks for that).
	seen, err := strconv.Atoi(r.PostFormValue("sent"))
	if err != nil || seen < 1 {
		seen = -1
	}
	return s.worksiteAction(w, r, "Invitation sent again.", func(id portal.WorksiteID) error {
		return s.app.ResendInvitation(r.Context(), st.meta, st.account, id, inv, seen)
	})
}

func (s *Server) handleInvitationRevoke(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	inv, err := pathInvitation(r, "inv")
	if err != nil {
		return err
	}
	return s.worksiteAction(w, r, "Invitation revoked.", func(id portal.WorksiteID) error {
		return s.app.RevokeInvitation(r.Context(), st.meta, st.account, id, inv)
	})
}

func pathAccount(r *http.Request) (portal.AccountID, error) {
	id, err := strconv.ParseInt(r.PathValue("acct"), 10, 64)
	if err != nil {
		return 0, portal.Errorf(portal.ENOTFOUND, "That person is not a member of this worksite.")
	}
	return portal.AccountID(id), nil
}

func (s *Server) handleDecommission(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	member, err := pathAccount(r)
	if err != nil {
		return err
	}
	end := strings.TrimSpace(r.PostFormValue("end_date"))
	flash := "The member was decommissioned."
	if end != "" {
		flash = "The member will be decommissioned after " + end + "."
	}
	return s.worksiteAction(w, r, flash, func(id portal.WorksiteID) error {
		return s.app.Decommission(r.Context(), st.meta, st.account, id, member, end)
	})
}

func (s *Server) handleMarkLocum(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	member, err := pathAccount(r)
	if err != nil {
		return err
	}
	day := strings.TrimSpace(r.PostFormValue("last_day"))
	flash := "Marked as a locum. Their membership ends automatically after " + day +
		"; they and the site administrators are reminded a week before."
	return s.worksiteAction(w, r, flash, func(id portal.WorksiteID) error {
		return s.app.MarkLocum(r.Context(), st.meta, st.account, id, member, day)
	})
}

func (s *Server) handleSetAdmin(admin bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		st := state(r)
		member, err := pathAccount(r)
		if err != nil {
			return err
		}
		flash := "Site administrator added."
		if !admin {
			flash = "Site administrator role removed."
		}
		return s.worksiteAction(w, r, flash, func(id portal.WorksiteID) error {
			return s.app.SetSiteAdmin(r.Context(), st.meta, st.account, id, member, admin)
		})
	}
}

// declarationPage shows the Worksite Privacy & Security Declaration.
type declarationPage struct {
	Page
	Worksite *portal.Worksite
	Action   string
	Clauses  []string
	Version  string
	FullName string
	Agree    bool
	Errors   portal.FieldErrors
}

func (s *Server) declarationRoute(r *http.Request) (token string, id portal.WorksiteID, action string, err error) {
	if token = r.PathValue("token"); token != "" {
		return token, 0, "/declarations/" + token, nil
	}
	id, err = pathWorksite(r)
	return "", id, fmt.Sprintf("/worksites/%d/declaration", id), err
}

func (s *Server) handleDeclaration(w http.ResponseWriter, r *http.Request) error {
	token, id, action, err := s.declarationRoute(r)
	if err != nil {
		return err
	}
	ws, err := s.app.DeclarationTarget(r.Context(), state(r).account, token, id)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "declaration.html", declarationPage{Page: s.page(r, portal.DeclarationTitle),
		Worksite: ws, Action: action, Clauses: portal.DeclarationClauses, Version: portal.DeclarationVersion})
}

func (s *Server) handleDeclarationPost(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	token, id, action, err := s.declarationRoute(r)
	if err != nil {
		return err
	}
	in := portal.DeclarationInput{FullName: r.PostFormValue("full_name"), Agree: r.PostFormValue("agree") == "yes"}
	ws, err := s.app.SignDeclaration(r.Context(), st.meta, st.account, token, id, in)
	if fe, ok := portal.AsFieldErrors(err); ok {
		target, terr := s.app.DeclarationTarget(r.Context(), st.account, token, id)
		if terr != nil {
			return terr
		}
		return s.render(
			w,
			r,
			http.StatusUnprocessableEntity,
			"declaration.html",
			declarationPage{Page: s.page(r, portal.DeclarationTitle),
				Worksite: target, Action: action, Clauses: portal.DeclarationClauses, Version: portal.DeclarationVersion,
				FullName: in.FullName, Agree: in.Agree, Errors: fe},
		)
	}
	if err != nil {
		return err
	}
	s.setFlash(r, fmt.Sprintf("Thank you. The %s for %s is signed; the CareConnect team will now review the worksite. "+
		"We will email its site administrators when they decide; people can already ask to join it meanwhile.", portal.DeclarationTitle, ws.Name))
	if st.account.SignerOnly() {
		// No practitioner's menu: what is left for them is in the Notification Centre.
		http.Redirect(w, r, "/notifications", http.StatusSeeOther)
		return nil
	}
	if d, err := s.app.Worksite(r.Context(), st.account, ws.ID); err == nil && d != nil {
		http.Redirect(w, r, fmt.Sprintf("/worksites/%d", ws.ID), http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/menu", http.StatusSeeOther)
	return nil
}

// joinRequestPage shows one request to join.
type joinRequestPage struct {
	Page
	Request *portal.JoinRequest
	IsAdmin bool
	Reason  string
	Errors  portal.FieldErrors
}

func pathJoinRequest(r *http.Request) (portal.JoinRequestID, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, portal.Errorf(portal.ENOTFOUND, "That request does not exist, or you do not have access to it.")
	}
	return portal.JoinRequestID(id), nil
}

func (s *Server) handleJoinRequest(w http.ResponseWriter, r *http.Request) error {
	id, err := pathJoinRequest(r)
	if err != nil {
		return err
	}
	j, admin, err := s.app.JoinRequest(r.Context(), state(r).account, id)
	if err != nil {
		return err
	}
	return s.render(
		w,
		r,
		http.StatusOK,
		"join_request.html",
		joinRequestPage{Page: s.page(r, "Request to join "+j.WorksiteName), Request: j, IsAdmin: admin},
	)
}

func (s *Server) handleDecideJoin(approve bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		st := state(r)
		id, err := pathJoinRequest(r)
		if err != nil {
			return err
		}
		reason := r.PostFormValue("reason")
		j, err := s.app.DecideJoinRequest(r.Context(), st.meta, st.account, id, approve, reason)
		if fe, ok := portal.AsFieldErrors(err); ok || portal.ErrorCode(err) == portal.ECONFLICT {
			if !ok {
				fe = portal.FieldErrors{"decision": portal.ErrorMessage(err)}
			}
			cur, admin, lerr := s.app.JoinRequest(r.Context(), st.account, id)
			if lerr != nil {
				return lerr
			}
			status := http.StatusUnprocessableEntity
			if !ok {
				status = http.StatusConflict
			}
			return s.render(
				w,
				r,
				status,
				"join_request.html",
				joinRequestPage{Page: s.page(r, "Request to join "+cur.WorksiteName),
					Request: cur, IsAdmin: admin, Reason: reason, Errors: fe},
			)
		}
		if err != nil {
			return err
		}
		verb := "approved"
		if !approve {
			verb = "rejected"
		}
		s.setFlash(
			r,
			fmt.Sprintf("You %s %s's request to join %s. We have emailed them.", verb, j.RequesterName, j.WorksiteName),
		)
		back := r.PostFormValue("return_to")
		if safeReturnTo(back) == "" {
			back = "/notifications"
		}
		http.Redirect(w, r, back, http.StatusSeeOther)
		return nil
	}
}

// invitationPage shows an invitation opened from its email.
type invitationPage struct {
	Page
	Invitation *portal.Invitation
	Status     string
	Token      string // the link's token, which the answer carries
	// OtherAddress: the invitation went to an address that is not the person's.
	OtherAddress bool
}

func (s *Server) handleInvitationToken(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	inv, err := s.app.InvitationByToken(r.Context(), state(r).account, token)
	if err != nil {
		return err
	}
	return s.render(
		w,
		r,
		http.StatusOK,
		"invitation.html",
		invitationPage{Page: s.page(r, "Invitation to "+inv.WorksiteName),
			Invitation: inv, Status: inv.EffectiveStatus(s.app.Now()), Token: token,
			OtherAddress: portal.EmailKey(inv.Email) != portal.EmailKey(state(r).account.Email)},
	)
}

func (s *Server) handleRespondInvitation(accept bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		st := state(r)
		id, err := pathInvitation(r, "id")
		if err != nil {
			return err
		}
		// The token is in the form, not the address, so it stays out of logs.
		inv, err := s.app.RespondToInvitation(r.Context(), st.meta, st.account, id, r.PostFormValue("token"), accept)
		if err != nil {
			return err
		}
		if accept {
			s.setFlash(r, "You have joined "+inv.WorksiteName+".")
		} else {
			s.setFlash(r, "You declined the invitation to "+inv.WorksiteName+".")
		}
		http.Redirect(w, r, "/notifications", http.StatusSeeOther)
		return nil
	}
}
