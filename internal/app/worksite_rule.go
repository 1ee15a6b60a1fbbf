package app

import (
	"context"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/mail"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// CareConnect access lives through an approved worksite: whoever's access
// is approved is an active member of at least one approved worksite
// (portal.InvProvisionedApprovedWorksite). This file applies that rule
// wherever a membership ends, and refuses to grant or restore access to
// someone who belongs to none.

// SuspendNoWorksite is the reason code, in the audit trail and the change
// feed, of access suspended because its holder no longer belongs to an
// approved worksite.
const SuspendNoWorksite = "no_worksite"

// worksiteRuleActor is the system actor of those suspensions in the audit
// trail and the requests' history.
const worksiteRuleActor = "worksites"

// membershipEnded applies, inside tx, the access rules that follow the end
// of a person's membership of worksite w. Every path that ends a membership
// calls it, after recording the end itself: a site administrator's
// decommission (of someone else or of themself), the scheduled
// decommission job, the member review, and the CareConnect team declining
// a new worksite. Downstream systems learn that the person's worksites
// changed; when w was their last approved worksite, their approved access
// is suspended (suspendWithoutWorksite); and the sponsor rule runs for them
// (lapseDependants): the people they sponsored, and they themself when
// they work on someone's behalf, lapse or see less, as cause explains.
func (a *App) membershipEnded(
	ctx context.Context,
	tx *store.Tx,
	meta portal.RequestMeta,
	id portal.AccountID,
	w *portal.Worksite,
	cause lapseCause,
) error {
	if err := a.provisioningTouch(ctx, tx, id, "worksites"); err != nil {
		return err
	}
	if err := a.suspendWithoutWorksite(ctx, tx, meta, id, w); err != nil {
		return err
	}
	return a.lapseDependants(ctx, tx, meta, id, cause)
}

// approvedWorksiteCount counts the approved worksites a person is an
// active member of, as tx sees them.
func approvedWorksiteCount(ctx context.Context, q store.Q, id portal.AccountID) (int, error) {
	ms, err := q.FindAccountMemberships(ctx, id)
	if err != nil {
		return 0, err
	}
	mine := MyWorksites{Memberships: ms}
	return mine.ActiveApproved(), nil
}

// suspendWithoutWorksite suspends, inside tx, the approved access of a
// person who is no longer an active member of any approved worksite, after
// their membership of w ended: the request's history says why, the audit
// trail and the change feed carry the reason SuspendNoWorksite, and the
// email says how to get it back (join a worksite, then the CareConnect
// team reinstates it). Access not approved is left as it is: reinstating
// it needs an approved worksite (requireApprovedWorksite). The person's
// account is locked first, so two memberships ending at once cannot each
// count the other as remaining.
func (a *App) suspendWithoutWorksite(ctx context.Context, tx *store.Tx, meta portal.RequestMeta, id portal.AccountID,
	w *portal.Worksite) error {
	acct, err := tx.FindAccountByIDForUpdate(ctx, id)
	if err != nil {
		return err
	}
	r, err := approvedAccess(ctx, tx, id)
	if err != nil || r == nil {
		return err
	}
	if n, err := approvedWorksiteCount(ctx, tx.Q, id); err != nil || n > 0 {
		return err
	}
	_, err = a.suspendBySystem(ctx, tx, meta, r, acct, systemSuspension{
		actor: worksiteRuleActor, at: a.now(),
		note: "Access suspended: this person no longer belongs to an approved worksite (their membership of " + w.Name +
			" ended). The CareConnect team reinstates it once they belong to one again.",
		feed:     map[string]any{"request": r.ID, "reason": SuspendNoWorksite, "worksite": w.ID},
		action:   "access.suspended",
		details:  map[string]any{"account": id, "reason": SuspendNoWorksite, "worksite": w.ID},
		worksite: w.ID,
		email:    "access_no_worksite",
		mail: mail.AccessNoWorksite{Common: a.commonFor(acct.DisplayName(), r),
			WorksiteName: w.Name, OnBehalfOf: acct.UserType().NeedsAuthorizer(), JoinURL: a.Config.BaseURL + "/worksites/join",
			StatusURL: a.statusURL()},
	})
	return err
}

// requireApprovedWorksite checks, inside a transaction that grants or
// restores a person's access, that they are an active member of an
// approved worksite; refuse builds the error from their name. It locks the
// person's account first, as suspendWithoutWorksite does.
func (a *App) requireApprovedWorksite(
	ctx context.Context,
	tx *store.Tx,
	id portal.AccountID,
	refuse func(name string) error,
) error {
	acct, err := tx.FindAccountByIDForUpdate(ctx, id)
	if err != nil {
		return err
	}
	n, err := approvedWorksiteCount(ctx, tx.Q, id)
	if err != nil || n > 0 {
		return err
	}
	return refuse(acct.DisplayName())
}

// noApprovedWorksite builds the refusal to grant or restore the access of
// someone who belongs to no approved worksite, for the CareConnect team;
// what says what cannot be done.
func noApprovedWorksite(what string) func(name string) error {
	return func(name string) error {
		return portal.Errorf(
			portal.ECONFLICT,
			"%s does not belong to an approved worksite, so %s. They must join one first "+
				"(its site administrator approves them).",
			name,
			what,
		)
	}
}
