package app

import (
	"context"
	"strconv"

	"portal"
	"portal/internal/store"
)

// RemoteAccessState says whether a person may ask for remote access and why not.
type RemoteAccessState struct {
	Refusal  string // "" when the person may ask
	Requests []*store.RemoteAccessRequest
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
func (a *App) RequestRemoteAccess(ctx context.Context, meta portal.RequestMeta, actor *portal.Account, in portal.RemoteAccessInput) (*store.RemoteAccessRequest, error) {
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
	r := &store.RemoteAccessRequest{AccountID: actor.ID, Street: in.Street, City: in.City, PostalCode: in.PostalCode,
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
		return nil, portal.Errorf(portal.ECONFLICT, "You already have a remote access request waiting for the CareConnect team.")
	}
	return r, err
}
