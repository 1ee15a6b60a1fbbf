package app

import (
	"context"
	"strings"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// systemSuspension is approved access suspended by one of the portal's own
// rules (dormancy, the annual review, the sponsor and worksite rules): what
// the request's history, the change feed, the audit trail and the person's
// email say of it.
type systemSuspension struct {
	actor    string            // the rule's system actor
	at       time.Time         // when, in the request's history
	note     string            // for the request's history
	feed     map[string]any    // change feed details
	action   string            // audit action
	details  map[string]any    // audit details
	worksite portal.WorksiteID // audited with the row when a worksite is the cause
	// lapse, when set, applies the sponsor rule to the people the person
	// sponsors (lapseDependants), after the audit row.
	lapse *lapseCause
	email string // email kind
	mail  any    // email data
}

// suspendedBy reports whether history entry e is a suspension by the
// system actor whose note starts with prefix.
func suspendedBy(e *portal.AccessRequestEvent, actor, prefix string) bool {
	return e != nil && e.ToStatus == portal.ARSuspended && e.ActorKind == portal.ActorSystem &&
		e.ActorID == actor && strings.HasPrefix(e.Note, prefix)
}

// approvedAccess returns the person's access request when their access is
// approved, else nil.
func approvedAccess(ctx context.Context, tx *store.Tx, id portal.AccountID) (*portal.AccessRequest, error) {
	reqs, err := tx.FindAccessRequestsByAccount(ctx, id)
	if err != nil {
		return nil, err
	}
	if r := currentAccess(reqs); r != nil && r.Status == portal.ARApproved {
		return r, nil
	}
	return nil, nil
}

// suspendBySystem suspends r, the approved access of acct, inside tx as s
// says. It reports false, writing nothing, when r was no longer approved.
func (a *App) suspendBySystem(ctx context.Context, tx *store.Tx, meta portal.RequestMeta, r *portal.AccessRequest,
	acct *portal.Account, s systemSuspension) (bool, error) {
	ok, err := tx.ChangeAccessRequest(ctx, store.AccessRequestChange{ID: r.ID, From: []string{portal.ARApproved},
		To: portal.ARSuspended, At: s.at, ActorKind: portal.ActorSystem, ActorID: s.actor, Note: s.note})
	if err != nil || !ok {
		return false, err
	}
	if err := a.recordProvisioning(ctx, tx, acct.ID, ProvUserSuspended, s.feed); err != nil {
		return true, err
	}
	if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorSystem, actorID: s.actor, action: s.action,
		subjectKind: "access_request", subjectID: requestRef(r.ID), worksiteID: int64(s.worksite),
		details: s.details}); err != nil {
		return true, err
	}
	if s.lapse != nil {
		if err := a.lapseDependants(ctx, tx, meta, acct.ID, *s.lapse); err != nil {
			return true, err
		}
	}
	return true, a.enqueue(ctx, tx, s.email, acct.Email, acct.ID, s.mail)
}

// restoredBySelf tells downstream systems that the person restored their
// own suspended access (request) for reason, and that the people they
// sponsor are sponsored through them again (touchDependants).
func (a *App) restoredBySelf(ctx context.Context, tx *store.Tx, id portal.AccountID, request portal.AccessRequestID,
	reason string) error {
	if err := a.recordProvisioning(ctx, tx, id, ProvUserReinstated, map[string]any{
		"request": request, "reason": reason}); err != nil {
		return err
	}
	return a.touchDependants(ctx, tx, id)
}
