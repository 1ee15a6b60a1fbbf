package app

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/mail"
	"github.com/bcgov-example/careconnect-portal/internal/secret"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// ExistingWorksiteError says a worksite is already registered at an
// address: the person should ask to join it instead.
type ExistingWorksiteError struct{ Worksite *portal.Worksite }

func (e *ExistingWorksiteError) Error() string {
	return "a worksite is already registered at this address: " + string(e.Worksite.Code)
}

// newToken returns a fresh link token, 32 random bytes in hex as the links
// already sent out have them, and the hash the database keeps of it.
func newToken() (tok, hash string) {
	tok = secret.Hex(32)
	return tok, secret.Hash(tok)
}

func worksiteRef(id portal.WorksiteID) string { return strconv.FormatInt(int64(id), 10) }

// notFoundWorksite hides whether a worksite exists from people outside it.
var notFoundWorksite = portal.Errorf(portal.ENOTFOUND, "That worksite does not exist, or you do not have access to it.")

// AdministeredGroups lists the organisations a person administers.
func (a *App) AdministeredGroups(ctx context.Context, actor *portal.Account) ([]portal.Group, error) {
	return a.DB.Read().FindAdministeredGroups(ctx, actor.ID)
}

// RegisterWorksite registers a new worksite; the registrant becomes its site
// administrator. It stays pending until the declaration is signed and the
// CareConnect team approves it.
func (a *App) RegisterWorksite(
	ctx context.Context,
	meta portal.RequestMeta,
	actor *portal.Account,
	in portal.WorksiteInput,
) (*portal.Worksite, error) {
	in.Normalize()
	fe := in.Validate()
	w := &portal.Worksite{
		Name:         in.Name,
		Type:         portal.WorksiteType(in.Type),
		Status:       portal.WorksitePending,
		RegisteredBy: actor.ID,
	}
	w.Phone, _ = portal.NormalizePhone(in.Phone)
	if in.AddressID != "" {
		id, err := strconv.ParseInt(in.AddressID, 10, 64)
		var addr *portal.Address
		if err == nil {
			addr, err = a.DB.Read().FindAddressByID(ctx, portal.AddressID(id))
		}
		if err != nil {
			fe.Add("address", "Choose the worksite's address from the search results, or type it by hand.")
		} else {
			w.Address, w.AddressID, w.AddressVerified = *addr, addr.ID, true
		}
	} else if _, bad := fe["civic_number"]; !bad {
		w.Address = in.Manual
	}
	if in.HasAuthority == "yes" {
		w.SignerName, w.SignerEmail = actor.LegalName(), actor.Email
	} else {
		w.SignerName, w.SignerEmail = in.SignerName, in.SignerEmail
	}
	var groups []portal.Group
	if in.GroupChoice != "" && in.GroupChoice != "new" {
		var err error
		if groups, err = a.DB.Read().FindAdministeredGroups(ctx, actor.ID); err != nil {
			return nil, err
		}
		gid, _ := strconv.ParseInt(in.GroupChoice, 10, 64)
		for _, g := range groups {
			if int64(g.ID) == gid {
				w.GroupID, w.GroupName = g.ID, g.Name
			}
		}
		if w.GroupID == 0 {
			fe.Add("group", "Choose an organization you administer.")
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if existing, err := a.DB.Read().FindWorksiteByAddress(ctx, w.Address); err == nil {
		return nil, &ExistingWorksiteError{Worksite: existing}
	} else if !store.IsNotFound(err) {
		return nil, err
	}
	if ha, ok := portal.HealthAuthorityFor(w.Address); ok {
		w.HealthAuthority = ha
	}
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		w.Code = portal.NewWorksiteCode()
		err = a.registerWorksiteTx(ctx, meta, actor, w, in)
		if !store.IsConflictOn(err, "code") {
			break
		}
	}
	if store.IsConflictOn(err, "address") {
		existing, ferr := a.DB.Read().FindWorksiteByAddress(ctx, w.Address)
		if ferr == nil {
			return nil, &ExistingWorksiteError{Worksite: existing}
		}
	}
	if err != nil {
		return nil, err
	}
	return w, nil
}

func (a *App) registerWorksiteTx(
	ctx context.Context,
	meta portal.RequestMeta,
	actor *portal.Account,
	w *portal.Worksite,
	in portal.WorksiteInput,
) error {
	now := a.now()
	w.CreatedAt = now
	return a.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := a.limitRegistration(ctx, tx, actor); err != nil {
			return err
		}
		if in.GroupChoice == "new" {
			gid, err := tx.CreateGroup(ctx, in.GroupName, actor.ID, now)
			if err != nil {
				return err
			}
			w.GroupID, w.GroupName = gid, in.GroupName
		}
		token, tokenHash := "", ""
		if in.HasAuthority != "yes" {
			token, tokenHash = newToken()
		}
		if err := tx.CreateWorksite(ctx, w, tokenHash); err != nil {
			return err
		}
		if err := tx.AddMember(ctx, w.ID, actor.ID, portal.RoleSiteAdmin, now); err != nil {
			return err
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(actor.ID),
			action: "worksite.registered", subjectKind: "worksite", subjectID: worksiteRef(w.ID), worksiteID: int64(w.ID),
			details: map[string]any{"code": w.Code, "name": w.Name, "address": w.Address.Line(), "address_verified": w.AddressVerified,
				"signer_email": w.SignerEmail, "group": w.GroupName}}); err != nil {
			return err
		}
		if err := a.enqueue(ctx, tx, "worksite_registered", actor.Email, actor.ID, mail.WorksiteRegistered{
			Common: a.common(actor.LegalName()), WorksiteName: w.Name, WorksiteID: string(w.Code),
			Address: w.Address.Line(), Pending: true}); err != nil {
			return err
		}
		if token != "" {
			return a.enqueue(ctx, tx, "declaration_requested", w.SignerEmail, 0, mail.DeclarationRequested{
				Common: a.common(w.SignerName), WorksiteName: w.Name, WorksiteID: string(w.Code),
				RegistrantName: actor.LegalName(), DeclarationURL: a.Config.BaseURL + "/declarations/" + token}, token)
		}
		return nil
	})
}

// DeclarationTarget finds the worksite whose declaration a person may sign:
// by the emailed link's token (its holder signs, unless they registered
// the worksite and named someone else), or by id for the registrant when
// they are the named signer, with a confirmed email address that is the
// signer's and a legal name that matches the signer's name.
func (a *App) DeclarationTarget(
	ctx context.Context,
	actor *portal.Account,
	token string,
	id portal.WorksiteID,
) (*portal.Worksite, error) {
	if token != "" {
		w, err := a.DB.Read().FindWorksiteBySignerToken(ctx, secret.Hash(token))
		if err != nil {
			return nil, portal.Errorf(
				portal.ENOTFOUND,
				"This declaration link is not valid: it may have been used already. Ask the person who registered the worksite to check its status.",
			)
		}
		if w.RegisteredBy == actor.ID {
			return nil, portal.Errorf(
				portal.EFORBIDDEN,
				"You registered %s and named %s as the person with signing authority: only they can sign its declaration, through the link we emailed to %s.",
				w.Name,
				w.SignerName,
				w.SignerEmail,
			)
		}
		return w, nil
	}
	w, err := a.DB.Read().FindWorksiteByID(ctx, id)
	if err != nil {
		return nil, notFoundWorksite
	}
	// The account as it is now, not as the caller last read it.
	cur, err := a.DB.Read().FindAccountByID(ctx, actor.ID)
	if err != nil {
		return nil, err
	}
	// The named signer, whoever registered the worksite: their address
	// confirmed and their legal name the one given (checked below).
	if portal.EmailKey(w.SignerEmail) != portal.EmailKey(cur.Email) {
		return nil, notFoundWorksite
	}
	if !cur.HasConfirmedEmail(w.SignerEmail) {
		if w.RegisteredBy != cur.ID {
			// Someone else's worksite: not even whether it exists.
			return nil, notFoundWorksite
		}
		return nil, portal.Errorf(portal.EFORBIDDEN, "%s Then come back to sign the %s for %s.",
			portal.NotConfirmedMessage(cur.Email), portal.DeclarationTitle, w.Name)
	}
	if !portal.SameLegalName(w.SignerName, cur.LegalName()) {
		return nil, portal.Errorf(
			portal.EFORBIDDEN,
			"The %s for %s is to be signed by %s, and your legal name is %s. Ask %s to sign it, or contact the CareConnect team.",
			portal.DeclarationTitle,
			w.Name,
			w.SignerName,
			cur.LegalName(),
			w.SignerName,
		)
	}
	return w, nil
}

// SignDeclaration records the Worksite Privacy & Security Declaration.
func (a *App) SignDeclaration(
	ctx context.Context,
	meta portal.RequestMeta,
	actor *portal.Account,
	token string,
	id portal.WorksiteID,
	in portal.DeclarationInput,
) (*portal.Worksite, error) {
	w, err := a.DeclarationTarget(ctx, actor, token, id)
	if err != nil {
		return nil, err
	}
	if w.DeclarationDone() {
		return nil, portal.Errorf(
			portal.ECONFLICT,
			"The declaration for %s was already signed on %s.",
			w.Name,
			w.DeclarationSigned.In(portal.Pacific()).Format("2 Jan 2006"),
		)
	}
	if err := in.Validate(actor.LegalName()).Err(); err != nil {
		return nil, err
	}
	// The link is the proof; without it DeclarationTarget let only the
	// registrant named as signer, with that address confirmed, through.
	via := portal.GrantViaConfirmedAddress
	if token != "" {
		via = portal.GrantViaLink
	}
	now := a.now()
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.SignDeclaration(ctx, w.ID, actor.ID, portal.DeclarationVersion, via, now); err != nil {
			return err
		}
		return a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(actor.ID),
			action: "worksite.declaration_signed", subjectKind: "worksite", subjectID: worksiteRef(w.ID), worksiteID: int64(w.ID),
			details: map[string]string{"version": portal.DeclarationVersion, "typed_name": in.FullName}})
	})
	if err != nil {
		return nil, err
	}
	w.DeclarationSigned, w.DeclarationVersion, w.SignerAccountID = now, portal.DeclarationVersion, actor.ID
	return w, nil
}

// DecideWorksite records the CareConnect team's decision on a new worksite
// and tells its administrators. by names the staff member.
func (a *App) DecideWorksite(
	ctx context.Context,
	meta portal.RequestMeta,
	by string,
	code portal.WorksiteCode,
	approve bool,
	reason string,
) (*portal.Worksite, error) {
	w, err := a.DB.Read().FindWorksiteByCode(ctx, code)
	if err != nil {
		return nil, portal.Errorf(portal.ENOTFOUND, "No worksite has the Worksite ID %s.", code)
	}
	if w.Status != portal.WorksitePending {
		return nil, portal.Errorf(portal.ECONFLICT, "%s is already %s.", w.Name, w.Status)
	}
	if approve && !w.DeclarationDone() {
		return nil, portal.Errorf(
			portal.EINVALID,
			"%s cannot be approved before its Worksite Privacy & Security Declaration is signed.",
			w.Name,
		)
	}
	if err := portal.ValidateReason(reason, !approve); err != nil {
		return nil, err
	}
	status := portal.WorksiteApproved
	if !approve {
		status = portal.WorksiteDeclined
	}
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		ok, err := tx.SetWorksiteStatus(ctx, w.ID, status, reason, a.now())
		if err != nil {
			return err
		}
		if !ok {
			return portal.Errorf(portal.ECONFLICT, "%s was already decided by the CareConnect team.", w.Name)
		}
		if approve && !w.AddressVerified {
			if err := tx.VerifyWorksiteAddress(ctx, w.ID); err != nil {
				return err
			}
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorStaff, actorID: by, action: "worksite." + status,
			subjectKind: "worksite", subjectID: worksiteRef(w.ID), worksiteID: int64(w.ID), details: map[string]string{"reason": reason}}); err != nil {
			return err
		}
		// Its administrators as they were, before a decline ends their places.
		admins, err := tx.FindWorksiteAdminAccounts(ctx, w.ID)
		if err != nil {
			return err
		}
		told := map[portal.AccountID]bool{}
		for _, adm := range admins {
			told[adm.ID] = true
			url := a.Config.BaseURL + "/worksites/" + worksiteRef(w.ID)
			if !approve {
				url = a.Config.BaseURL + "/worksites"
			}
			if err := a.enqueue(ctx, tx, "worksite_decided", adm.Email, adm.ID, mail.WorksiteDecided{
				Common: a.common(adm.DisplayName()), WorksiteName: w.Name, WorksiteID: string(w.Code), Approved: approve,
				Reason: reason, WorksiteURL: url}); err != nil {
				return err
			}
		}
		if !approve {
			return a.closeDeclinedWorksite(ctx, tx, meta, by, w, reason, told)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	w.Status = status
	return w, nil
}

// PendingWorksites lists worksites waiting for the CareConnect team.
func (a *App) PendingWorksites(ctx context.Context) ([]*portal.Worksite, error) {
	return a.DB.Read().FindWorksites(ctx, store.WorksiteFilter{Status: portal.WorksitePending})
}

// FindWorksiteToJoin looks up a Worksite ID someone typed.
func (a *App) FindWorksiteToJoin(ctx context.Context, code string) (*portal.Worksite, error) {
	c, err := portal.ParseWorksiteCode(code)
	if err != nil {
		return nil, err
	}
	w, err := a.DB.Read().FindWorksiteByCode(ctx, c)
	if store.IsNotFound(err) {
		return nil, portal.Errorf(
			portal.ENOTFOUND,
			"No worksite has the Worksite ID %s. Check the code with your site administrator.",
			c,
		)
	}
	if err != nil {
		return nil, err
	}
	if w.Status == portal.WorksiteDeclined {
		return nil, portal.Errorf(
			portal.EINVALID,
			"The worksite %s was not approved by the CareConnect team, so it cannot be joined.",
			w.Name,
		)
	}
	return w, nil
}

// FindWorksitesAtAddress returns the worksite registered at an address from the index, if any.
func (a *App) FindWorksitesAtAddress(
	ctx context.Context,
	id portal.AddressID,
) (*portal.Address, *portal.Worksite, error) {
	addr, err := a.DB.Read().FindAddressByID(ctx, id)
	if err != nil {
		return nil, nil, portal.Errorf(portal.ENOTFOUND, "That address is not in the index. Search again.")
	}
	w, err := a.DB.Read().FindWorksiteByAddress(ctx, *addr)
	if store.IsNotFound(err) {
		return addr, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if w.Status == portal.WorksiteDeclined {
		return addr, nil, nil
	}
	return addr, w, nil
}

// RequestToJoin asks a worksite's administrators to let the person join.
func (a *App) RequestToJoin(
	ctx context.Context,
	meta portal.RequestMeta,
	actor *portal.Account,
	w *portal.Worksite,
	via, comment string,
) (*portal.JoinRequest, error) {
	comment = strings.TrimSpace(comment)
	if len([]rune(comment)) > portal.JoinCommentMax {
		return nil, portal.FieldErrors{"comment": "The comment must be 1,000 characters or fewer."}
	}
	if m, err := a.DB.Read().FindMember(ctx, w.ID, actor.ID); err == nil && m.Status == portal.MemberActive {
		return nil, portal.Errorf(portal.ECONFLICT, "You are already a member of %s.", w.Name)
	}
	j := &portal.JoinRequest{WorksiteID: w.ID, AccountID: actor.ID, Via: via, Comment: comment, CreatedAt: a.now(),
		WorksiteName: w.Name, WorksiteCode: w.Code, RequesterName: actor.LegalName(), RequesterEmail: actor.Email}
	err := a.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := a.limitWorksiteOpen(ctx, tx, w.ID); err != nil {
			return err
		}
		if err := tx.CreateJoinRequest(ctx, j); err != nil {
			return err
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(actor.ID),
			action: "worksite.join_requested", subjectKind: "join_request", subjectID: strconv.FormatInt(int64(j.ID), 10),
			worksiteID: int64(w.ID), details: map[string]string{"via": via, "comment": comment}}); err != nil {
			return err
		}
		admins, err := tx.FindWorksiteAdminAccounts(ctx, w.ID)
		if err != nil {
			return err
		}
		for _, adm := range admins {
			if err := a.enqueue(ctx, tx, "worksite_join_request", adm.Email, adm.ID, mail.WorksiteJoinRequest{
				Common: a.common(adm.DisplayName()), RequesterName: actor.LegalName(), RequesterEmail: actor.Email,
				WorksiteName: w.Name, Comment: comment,
				RequestURL: fmt.Sprintf("%s/requests/join/%d", a.Config.BaseURL, j.ID)}); err != nil {
				return err
			}
		}
		return nil
	})
	if store.IsConflictOn(err, "pending") {
		return nil, portal.Errorf(
			portal.ECONFLICT,
			"You have already asked to join %s. Your request is waiting for the site administrator.",
			w.Name,
		)
	}
	if err != nil {
		return nil, err
	}
	return j, nil
}

// JoinRequest returns a request to the person who made it or to an
// administrator of its worksite; to anyone else it does not exist.
func (a *App) JoinRequest(
	ctx context.Context,
	actor *portal.Account,
	id portal.JoinRequestID,
) (*portal.JoinRequest, bool, error) {
	j, err := a.DB.Read().FindJoinRequestByID(ctx, id)
	if err != nil {
		return nil, false, portal.Errorf(
			portal.ENOTFOUND,
			"That request does not exist, or you do not have access to it.",
		)
	}
	admin, err := a.DB.Read().IsWorksiteAdmin(ctx, j.WorksiteID, actor.ID)
	if err != nil {
		return nil, false, err
	}
	if !admin && j.AccountID != actor.ID {
		return nil, false, portal.Errorf(
			portal.ENOTFOUND,
			"That request does not exist, or you do not have access to it.",
		)
	}
	return j, admin, nil
}

// DecideJoinRequest approves or rejects a request to join. When two
// administrators decide at once exactly one decision stands; the other is
// told what happened.
func (a *App) DecideJoinRequest(
	ctx context.Context,
	meta portal.RequestMeta,
	actor *portal.Account,
	id portal.JoinRequestID,
	approve bool,
	reason string,
) (*portal.JoinRequest, error) {
	j, admin, err := a.JoinRequest(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if !admin {
		return nil, portal.Errorf(portal.ENOTFOUND, "That request does not exist, or you do not have access to it.")
	}
	reason = strings.TrimSpace(reason)
	if err := portal.ValidateReason(reason, !approve); err != nil {
		return nil, err
	}
	status := portal.RequestApproved
	if !approve {
		status = portal.RequestRejected
	}
	now := a.now()
	decided := false
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		ok, err := tx.DecideJoinRequest(ctx, id, status, actor.ID, reason, now)
		if err != nil || !ok {
			return err
		}
		decided = true
		if approve {
			if _, err := a.limitWorksiteOpen(ctx, tx, j.WorksiteID); err != nil {
				return err
			}
			if err := tx.AddMember(ctx, j.WorksiteID, j.AccountID, portal.RoleMember, now); err != nil {
				return err
			}
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(actor.ID),
			action: "worksite.join_" + status, subjectKind: "join_request", subjectID: strconv.FormatInt(int64(id), 10),
			worksiteID: int64(j.WorksiteID), details: map[string]string{"member": accountRef(j.AccountID), "reason": reason}}); err != nil {
			return err
		}
		return a.enqueue(ctx, tx, "worksite_join_decided", j.RequesterEmail, j.AccountID, mail.WorksiteJoinDecided{
			Common: a.common(j.RequesterName), WorksiteName: j.WorksiteName, Approved: approve, Reason: reason,
			NextURL: a.Config.BaseURL + "/application"})
	})
	if err != nil {
		return nil, err
	}
	if !decided {
		cur, err := a.DB.Read().FindJoinRequestByID(ctx, id)
		if err != nil {
			return nil, err
		}
		by := orSomeone(cur.DeciderName)
		if cur.DecidedBy == 0 {
			by = "the CareConnect team" // with the worksite's decline
		}
		return cur, portal.Errorf(portal.ECONFLICT, "This request was already %s by %s on %s.", cur.Status, by,
			cur.DecidedAt.In(portal.Pacific()).Format("2 Jan 2006 at 3:04 PM"))
	}
	j.Status, j.DecidedAt, j.Reason, j.DecidedBy, j.DeciderName = status, now, reason, actor.ID, actor.DisplayName()
	return j, nil
}

func orSomeone(s string) string {
	if s == "" {
		return "someone else"
	}
	return s
}

// requireAdmin checks that actor administers a worksite; to others the
// worksite does not exist.
func (a *App) requireAdmin(ctx context.Context, actor *portal.Account, ws portal.WorksiteID) (*portal.Worksite, error) {
	ok, err := a.DB.Read().IsWorksiteAdmin(ctx, ws, actor.ID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFoundWorksite
	}
	return a.DB.Read().FindWorksiteByID(ctx, ws)
}

// WorksiteDetail is what a worksite's page shows: everything to its
// administrators, the worksite itself to its members.
type WorksiteDetail struct {
	Worksite    *portal.Worksite
	IsAdmin     bool
	Membership  *portal.Membership
	Members     []*portal.Membership
	Requests    []*portal.JoinRequest
	Invitations []*portal.Invitation
	AdminCount  int
	// Handover is the worksite's open handover, for its site administrators.
	Handover *portal.Handover
}

// Worksite returns a worksite for its members and administrators.
func (a *App) Worksite(ctx context.Context, actor *portal.Account, ws portal.WorksiteID) (*WorksiteDetail, error) {
	r := a.DB.Read()
	admin, err := r.IsWorksiteAdmin(ctx, ws, actor.ID)
	if err != nil {
		return nil, err
	}
	m, err := r.FindMember(ctx, ws, actor.ID)
	if err != nil && !store.IsNotFound(err) {
		return nil, err
	}
	d := &WorksiteDetail{IsAdmin: admin, Membership: m}
	if d.Worksite, err = r.FindWorksiteByID(ctx, ws); err != nil {
		if store.IsNotFound(err) {
			return nil, notFoundWorksite
		}
		return nil, err
	}
	// A declined worksite has no members; its registrant still sees it, as
	// the record of their registration and the team's reason.
	record := d.Worksite.Closed() && d.Worksite.RegisteredBy == actor.ID
	if !admin && !record && (m == nil || m.Status != portal.MemberActive) {
		return nil, notFoundWorksite
	}
	if !admin {
		return d, nil
	}
	if d.Members, err = r.FindWorksiteMembers(ctx, ws); err != nil {
		return nil, err
	}
	if d.Requests, err = r.FindJoinRequests(ctx, store.JoinRequestFilter{WorksiteIDs: []portal.WorksiteID{ws}, Status: portal.RequestPending}); err != nil {
		return nil, err
	}
	if d.Invitations, err = r.FindWorksiteInvitations(ctx, ws); err != nil {
		return nil, err
	}
	if d.AdminCount, err = r.CountActiveAdmins(ctx, ws); err != nil {
		return nil, err
	}
	if m != nil && m.IsAdmin() {
		d.Handover, err = a.PendingHandover(ctx, actor, ws)
	}
	return d, err
}

// MyWorksites is the person's worksites and their pending requests.
type MyWorksites struct {
	Memberships  []*portal.Membership
	Administered []*portal.Worksite // through a group, without a membership
	Pending      []*portal.JoinRequest
	// Declined are the worksites the person registered and the CareConnect
	// team did not approve, kept as a record with the team's reason (their
	// memberships ended with the decision).
	Declined []*portal.Worksite
}

// ActiveApproved counts the approved worksites the person works at.
func (m *MyWorksites) ActiveApproved() int {
	n := 0
	for _, ms := range m.Memberships {
		if ms.Status == portal.MemberActive && ms.WorksiteStatus == portal.WorksiteApproved {
			n++
		}
	}
	return n
}

// ActiveAny counts the person's active memberships, approved or pending.
func (m *MyWorksites) ActiveAny() int {
	n := 0
	for _, ms := range m.Memberships {
		if ms.Status == portal.MemberActive {
			n++
		}
	}
	return n
}

// Worksites returns a person's worksites.
func (a *App) Worksites(ctx context.Context, actor *portal.Account) (*MyWorksites, error) {
	r := a.DB.Read()
	out := &MyWorksites{}
	var err error
	if out.Memberships, err = r.FindAccountMemberships(ctx, actor.ID); err != nil {
		return nil, err
	}
	if out.Declined, err = r.FindWorksites(ctx, store.WorksiteFilter{Status: portal.WorksiteDeclined, RegisteredBy: actor.ID}); err != nil {
		return nil, err
	}
	// A declined worksite the person registered is listed once, as its record.
	out.Memberships = slices.DeleteFunc(out.Memberships, func(m *portal.Membership) bool {
		return slices.ContainsFunc(out.Declined, func(w *portal.Worksite) bool { return w.ID == m.WorksiteID })
	})
	ids, err := r.AdministeredWorksiteIDs(ctx, actor.ID)
	if err != nil {
		return nil, err
	}
	member := map[portal.WorksiteID]bool{}
	for _, m := range out.Memberships {
		if m.Status == portal.MemberActive {
			member[m.WorksiteID] = true
		}
	}
	for _, id := range ids {
		if !member[id] {
			w, err := r.FindWorksiteByID(ctx, id)
			if err != nil {
				return nil, err
			}
			out.Administered = append(out.Administered, w)
		}
	}
	out.Pending, err = r.FindJoinRequests(
		ctx,
		store.JoinRequestFilter{AccountID: actor.ID, Status: portal.RequestPending},
	)
	return out, err
}

// JoinCheck is what the portal says about a worksite when a person has
// found it to join: whether they already belong to it or have already
// asked, and who decides.
type JoinCheck struct {
	Member  bool                // an active member already
	Pending *portal.JoinRequest // their request waiting for an administrator
	Admins  []string            // the names of those who decide, site and group administrators
}

// CheckJoin answers, before the Worksite Access Form, whether the person
// may ask to join a worksite they have found, and who will decide.
func (a *App) CheckJoin(ctx context.Context, actor *portal.Account, w *portal.Worksite) (*JoinCheck, error) {
	r := a.DB.Read()
	out := &JoinCheck{}
	m, err := r.FindMember(ctx, w.ID, actor.ID)
	if err != nil && !store.IsNotFound(err) {
		return nil, err
	}
	out.Member = m != nil && m.Status == portal.MemberActive
	pending, err := r.FindJoinRequests(
		ctx,
		store.JoinRequestFilter{AccountID: actor.ID, WorksiteIDs: []portal.WorksiteID{w.ID},
			Status: portal.RequestPending},
	)
	if err != nil {
		return nil, err
	}
	if len(pending) > 0 {
		out.Pending = pending[0]
	}
	admins, err := r.FindWorksiteAdminAccounts(ctx, w.ID)
	if err != nil {
		return nil, err
	}
	for _, adm := range admins {
		out.Admins = append(out.Admins, adm.DisplayName())
	}
	return out, nil
}

// WorksiteNamesAt names the worksite registered at each address, for those
// that have one (declined worksites left out).
func (a *App) WorksiteNamesAt(ctx context.Context, addrs []portal.Address) (map[portal.AddressID]string, error) {
	keys := make([]string, 0, len(addrs))
	for _, ad := range addrs {
		keys = append(keys, ad.Key())
	}
	names, err := a.DB.Read().FindWorksiteNamesAtAddresses(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := map[portal.AddressID]string{}
	for _, ad := range addrs {
		if n, ok := names[ad.Key()]; ok {
			out[ad.ID] = n
		}
	}
	return out, nil
}
