package app

import (
	"context"
	"strconv"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/mail"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// RemoteAccessState says whether a person may ask for remote access and why not.
type RemoteAccessState struct {
	Refusal  string // "" when the person may ask
	Requests []*portal.RemoteAccessRequest
}

// RemoteAccess returns a person's remote access state.
func (a *App) RemoteAccess(ctx context.Context, actor *portal.Account) (*RemoteAccessState, error) {
	r, err := a.DB.Read().FindLatestAccessRequest(ctx, actor.ID)
	if err != nil && !store.IsNotFound(err) {
		return nil, err
	}
	provisioned := r != nil && r.Status == portal.ARApproved && hasPhysicalWorksite(ctx, a, r)
	st := &RemoteAccessState{Refusal: portal.RemoteAccessRefusal(actor.Profession, actor.NurseLicence, provisioned)}
	st.Requests, err = a.DB.Read().FindRemoteAccessRequests(ctx, actor.ID)
	return st, err
}

// hasPhysicalWorksite reports whether an approved request covers a worksite
// that is not itself a home office.
func hasPhysicalWorksite(ctx context.Context, a *App, r *portal.AccessRequest) bool {
	for _, id := range r.WorksiteIDs {
		if w, err := a.DB.Read().FindWorksiteByID(ctx, id); err == nil && w.Type != portal.WorksiteHomeOffice {
			return true
		}
	}
	return false
}

// RequestRemoteAccess asks for CareConnect from a home office.
func (a *App) RequestRemoteAccess(
	ctx context.Context,
	meta portal.RequestMeta,
	actor *portal.Account,
	in portal.RemoteAccessInput,
) (*portal.RemoteAccessRequest, error) {
	st, err := a.RemoteAccess(ctx, actor)
	if err != nil {
		return nil, err
	}
	if st.Refusal != "" {
		return nil, portal.Errorf(portal.EFORBIDDEN, "%s", st.Refusal)
	}
	in.Normalize()
	if err := in.Validate().Err(); err != nil {
		return nil, err
	}
	r := &portal.RemoteAccessRequest{AccountID: actor.ID, Street: in.Street, City: in.City, PostalCode: in.PostalCode,
		Reason: in.Reason, CreatedAt: a.now()}
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateRemoteAccessRequest(ctx, r); err != nil {
			return err
		}
		return a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(actor.ID),
			action: "access.remote_requested", subjectKind: "remote_access_request", subjectID: strconv.FormatInt(r.ID, 10),
			details: map[string]string{"city": in.City, "postal_code": in.PostalCode}})
	})
	if store.IsConflictOn(err, "open") {
		return nil, portal.Errorf(
			portal.ECONFLICT,
			"You already have a remote access request waiting for the CareConnect team.",
		)
	}
	return r, err
}

// PendingRemoteAccess lists remote access requests waiting for the team.
func (a *App) PendingRemoteAccess(ctx context.Context, staff *portal.Staff) ([]*portal.PendingRemoteAccess, error) {
	if !staff.Has(portal.RoleOfficer) {
		return nil, portal.Errorf(portal.EFORBIDDEN, "Only enrolment officers decide remote access.")
	}
	return a.DB.Read().FindPendingRemoteAccessRequests(ctx)
}

// DecideRemoteAccess approves or declines a remote access request. The
// rule is checked again: the person must still be eligible and provisioned
// at a physical worksite.
func (a *App) DecideRemoteAccess(
	ctx context.Context,
	meta portal.RequestMeta,
	staff *portal.Staff,
	id int64,
	approve bool,
	text string,
) (*portal.RemoteAccessRequest, error) {
	if !staff.Has(portal.RoleOfficer) {
		return nil, portal.Errorf(portal.EFORBIDDEN, "Only enrolment officers decide remote access.")
	}
	r, err := a.DB.Read().FindRemoteAccessRequestByID(ctx, id)
	if err != nil {
		return nil, portal.Errorf(portal.ENOTFOUND, "That remote access request does not exist.")
	}
	if err := portal.ValidateReason(text, !approve); err != nil {
		return nil, err
	}
	person, err := a.DB.Read().FindAccountByID(ctx, r.AccountID)
	if err != nil {
		return nil, err
	}
	if approve {
		st, err := a.RemoteAccess(ctx, person)
		if err != nil {
			return nil, err
		}
		if st.Refusal != "" {
			return nil, portal.Errorf(portal.EINVALID, "This request cannot be approved: %s", st.Refusal)
		}
	}
	status := "approved"
	if !approve {
		status = "declined"
	}
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		ok, err := tx.DecideRemoteAccessRequest(ctx, id, status, staffRef(staff.ID), text, a.now())
		if err != nil {
			return err
		}
		if !ok {
			return portal.Errorf(portal.ECONFLICT, "This remote access request was already decided.")
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorStaff, actorID: staffRef(staff.ID),
			action: "access.remote_" + status, subjectKind: "remote_access_request", subjectID: strconv.FormatInt(id, 10),
			details: map[string]string{"account": accountRef(r.AccountID), "text": text}}); err != nil {
			return err
		}
		if approve {
			if err := a.provisioningTouch(ctx, tx, r.AccountID, "remote_access"); err != nil {
				return err
			}
		}
		return a.enqueue(ctx, tx, "remote_access_decided", person.Email, person.ID, mail.RemoteAccessDecided{
			Common: a.common(person.DisplayName()), Approved: approve, Reason: text,
			Address: r.Street + ", " + r.City + " " + r.PostalCode})
	})
	if err != nil {
		return nil, err
	}
	r.Status = status
	return r, nil
}
