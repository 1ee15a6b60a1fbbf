package app

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/mail"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

var notFoundRequest = portal.Errorf(portal.ENOTFOUND, "That access request does not exist.")

func (a *App) findRequest(ctx context.Context, id portal.AccessRequestID) (*portal.AccessRequest, error) {
	r, err := a.DB.Read().FindAccessRequestByID(ctx, id)
	if store.IsNotFound(err) {
		return nil, notFoundRequest
	}
	return r, err
}

func longTime(t time.Time) string { return t.In(portal.Pacific()).Format("2 Jan 2006 at 3:04 PM") }

// decidedConflict tells an officer that a request was decided already.
func decidedConflict(r *portal.AccessRequest, names staffNames) error {
	if (r.Status == portal.ARApproved || r.Status == portal.ARDeclined) && !r.DecidedAt.IsZero() {
		return portal.Errorf(portal.ECONFLICT, "This request was already %s by %s on %s.",
			strings.ToLower(r.StatusLabel()), orSomeone(names.of(r.DecidedBy)), longTime(r.DecidedAt))
	}
	return portal.Errorf(
		portal.ECONFLICT,
		"This request is no longer open: its status is %s.",
		strings.ToLower(r.StatusLabel()),
	)
}

// errNotChanged rolls back a transaction whose guarded update found the
// request changed; the caller explains what happened.
var errNotChanged = errors.New("app: access request changed meanwhile")

// ClaimAccessRequest gives an open request to the officer, who alone may
// then decide it. Of two officers claiming at once exactly one gets it; the
// other is told who has it.
func (a *App) ClaimAccessRequest(
	ctx context.Context,
	meta portal.RequestMeta,
	staff *portal.Staff,
	id portal.AccessRequestID,
) error {
	r, err := a.officerRequest(ctx, staff, id)
	if err != nil {
		return err
	}
	ref, now := staffRef(staff.ID), a.now()
	cur, err := a.changeClaim(ctx, meta, r, ref, now, claimChange{
		note: "Taken for review by the CareConnect team.", action: "access.claimed",
		details: map[string]any{"account": r.AccountID},
		apply:   func(tx *store.Tx) (bool, error) { return tx.ClaimAccessRequest(ctx, id, ref, now) },
	})
	if cur == nil || err != nil {
		return err
	}
	names, err := a.staffNames(ctx)
	if err != nil {
		return err
	}
	switch {
	case !cur.Open():
		return decidedConflict(cur, names)
	case cur.ClaimedBy == ref:
		return nil // claimed twice by the same officer: nothing more to do
	default:
		return portal.Errorf(
			portal.ECONFLICT,
			"%s claimed this request on %s.",
			names.of(cur.ClaimedBy),
			longTime(cur.ClaimedAt),
		)
	}
}

// ReleaseAccessRequest returns a claimed request to the queue. Only the
// officer who claimed it, or an administrator, may release it.
func (a *App) ReleaseAccessRequest(
	ctx context.Context,
	meta portal.RequestMeta,
	staff *portal.Staff,
	id portal.AccessRequestID,
) error {
	r, err := a.officerRequest(ctx, staff, id)
	if err != nil {
		return err
	}
	ref := staffRef(staff.ID)
	cur, err := a.changeClaim(ctx, meta, r, ref, a.now(), claimChange{
		note: "Returned to the queue.", action: "access.released",
		details: map[string]any{"account": r.AccountID, "claimed_by": r.ClaimedBy},
		apply: func(tx *store.Tx) (bool, error) {
			return tx.ReleaseAccessRequest(ctx, id, ref, staff.Has(portal.RoleAdministrator))
		},
	})
	if cur == nil || err != nil {
		return err
	}
	if cur.ClaimedBy == "" {
		return portal.Errorf(portal.ECONFLICT, "This request is not claimed by anyone.")
	}
	names, err := a.staffNames(ctx)
	if err != nil {
		return err
	}
	return portal.Errorf(
		portal.EFORBIDDEN,
		"Only %s, who claimed this request, or an administrator can release it.",
		names.of(cur.ClaimedBy),
	)
}

// officerRequest loads an access request for an officer.
func (a *App) officerRequest(ctx context.Context, staff *portal.Staff,
	id portal.AccessRequestID) (*portal.AccessRequest, error) {
	if err := requireOfficer(staff); err != nil {
		return nil, err
	}
	return a.findRequest(ctx, id)
}

// claimChange is a change of who holds an access request: the guarded
// update, and what the request's history and the audit trail say of it.
type claimChange struct {
	apply   func(tx *store.Tx) (bool, error) // false when the request changed meanwhile
	note    string                           // for the request's history
	action  string                           // audit action
	details map[string]any                   // audit details
}

// changeClaim applies c to request r for the officer ref, in one
// transaction. When c.apply finds the request changed meanwhile, nothing
// is written and changeClaim returns the request as it is now, for the
// caller to explain; otherwise it returns no request.
func (a *App) changeClaim(
	ctx context.Context,
	meta portal.RequestMeta,
	r *portal.AccessRequest,
	ref string,
	now time.Time,
	c claimChange,
) (*portal.AccessRequest, error) {
	err := a.DB.InTx(ctx, func(tx *store.Tx) error {
		ok, err := c.apply(tx)
		if err != nil {
			return err
		}
		if !ok {
			return errNotChanged
		}
		if err := tx.AddAccessRequestEvent(ctx, r.ID, portal.AccessRequestEvent{At: now, ActorKind: portal.ActorStaff, ActorID: ref,
			FromStatus: r.Status, ToStatus: r.Status, Note: c.note}); err != nil {
			return err
		}
		return a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorStaff, actorID: ref, action: c.action,
			subjectKind: "access_request", subjectID: requestRef(r.ID), details: c.details})
	})
	if !errors.Is(err, errNotChanged) {
		return nil, err
	}
	return a.findRequest(ctx, r.ID)
}

// decision is one way of deciding an open access request.
type decision struct {
	at      time.Time
	from    []string
	to      string
	open    bool           // the request stays open (more information needed)
	set     map[string]any // columns to set beside the status
	note    string         // for the request's history
	action  string         // audit action
	details map[string]any // audit details
	// after runs in the same transaction: provisioning and the email.
	after func(tx *store.Tx, acct *portal.Account) error
}

// decide applies a decision by the officer who claimed the request. When
// the request was decided meanwhile, or is claimed by someone else, or not
// at all, nothing changes and the error says why.
func (a *App) decide(
	ctx context.Context,
	meta portal.RequestMeta,
	staff *portal.Staff,
	r *portal.AccessRequest,
	acct *portal.Account,
	d decision,
) (*portal.AccessRequest, error) {
	ref := staffRef(staff.ID)
	if err := a.decisionConflict(ctx, r, ref, d.from); err != nil {
		return nil, err
	}
	if d.details == nil {
		d.details = map[string]any{}
	}
	d.details["account"] = r.AccountID
	err := a.DB.InTx(ctx, func(tx *store.Tx) error {
		// The person first, then the request: the order the rules that
		// suspend access on their own take (lapses, lost worksites).
		if _, err := tx.FindAccountByIDForUpdate(ctx, r.AccountID); err != nil {
			return err
		}
		ok, err := tx.ChangeAccessRequest(ctx, store.AccessRequestChange{ID: r.ID, From: d.from, To: d.to, At: d.at,
			ActorKind: portal.ActorStaff, ActorID: ref, Note: d.note, Set: d.set, KeepOpen: d.open, RequireClaim: ref})
		if err != nil {
			return err
		}
		if !ok {
			return errNotChanged
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorStaff, actorID: ref, action: d.action,
			subjectKind: "access_request", subjectID: requestRef(r.ID), details: d.details}); err != nil {
			return err
		}
		return d.after(tx, acct)
	})
	if errors.Is(err, errNotChanged) {
		cur, ferr := a.findRequest(ctx, r.ID)
		if ferr != nil {
			return nil, ferr
		}
		if cerr := a.decisionConflict(ctx, cur, ref, d.from); cerr != nil {
			return nil, cerr
		}
		return nil, portal.Errorf(
			portal.ECONFLICT,
			"This request changed while you were deciding. Reload the page and try again.",
		)
	}
	if err != nil {
		return nil, err
	}
	return a.findRequest(ctx, r.ID)
}

// decisionConflict says why the officer cannot make a decision moving the
// request from one of the statuses in from, or returns nil.
func (a *App) decisionConflict(ctx context.Context, r *portal.AccessRequest, ref string, from []string) error {
	if slices.Contains(from, r.Status) && r.ClaimedBy == ref {
		return nil
	}
	names, err := a.staffNames(ctx)
	if err != nil {
		return err
	}
	switch {
	case !r.Open():
		return decidedConflict(r, names)
	case !slices.Contains(from, r.Status):
		return portal.Errorf(
			portal.ECONFLICT,
			"This request is already waiting for the person's answer to: %s",
			r.InfoQuestion,
		)
	case r.ClaimedBy == "":
		return portal.Errorf(portal.ECONFLICT, "Claim this request before you decide on it.")
	default:
		return portal.Errorf(
			portal.ECONFLICT,
			"%s claimed this request on %s; only they can decide on it until they release it.",
			names.of(r.ClaimedBy),
			longTime(r.ClaimedAt),
		)
	}
}

// requestForDecision loads an open request and its person for an officer.
func (a *App) requestForDecision(
	ctx context.Context,
	staff *portal.Staff,
	id portal.AccessRequestID,
) (*portal.AccessRequest, *portal.Account, error) {
	r, err := a.officerRequest(ctx, staff, id)
	if err != nil {
		return nil, nil, err
	}
	acct, err := a.DB.Read().FindAccountByID(ctx, r.AccountID)
	if err != nil {
		return nil, nil, err
	}
	return r, acct, nil
}

func (a *App) statusURL() string { return a.Config.BaseURL + "/application/status" }

func scopeLabels(s []portal.DataScope) string {
	labels := make([]string, len(s))
	for i, x := range s {
		labels[i] = x.Label()
	}
	return strings.Join(labels, ", ")
}

// refuseApproval refuses to approve a request whose person has no sponsor
// who qualifies.
var refuseApproval = noQualifyingSponsor(
	"The request cannot be approved until one does: ask for more information, or decline it.",
)

// ApproveAccessRequest approves a request, granting the data scopes chosen
// among those the policy allows the person now: an officer may narrow
// them, never widen them. An on-behalf-of user's request is refused while
// no sponsor qualifies (portal.SponsorQualifies). The review falls due a
// year after approval.
func (a *App) ApproveAccessRequest(
	ctx context.Context,
	meta portal.RequestMeta,
	staff *portal.Staff,
	id portal.AccessRequestID,
	scopes []portal.DataScope,
) (*portal.AccessRequest, error) {
	r, acct, err := a.requestForDecision(ctx, staff, id)
	if err != nil {
		return nil, err
	}
	if err := a.requireQualifyingSponsor(ctx, nil, acct.ID, refuseApproval); err != nil {
		return nil, err
	}
	allowed, _, err := a.AllowedScopes(ctx, acct)
	if err != nil {
		return nil, err
	}
	if len(allowed) == 0 {
		return nil, portal.Errorf(
			portal.EINVALID,
			"No data scopes can be granted to this person now: their profession has none of its own, or no authorizer sponsors them. Decline the request or ask for more information.",
		)
	}
	granted, err := portal.NarrowScopes(allowed, scopes)
	if err != nil {
		return nil, portal.FieldErrors{"scopes": portal.ErrorMessage(err)}
	}
	now := a.now()
	due := portal.ReviewDueAfter(now)
	return a.decide(ctx, meta, staff, r, acct, decision{
		at: now, from: []string{portal.ARSubmitted, portal.ARInfoRequested}, to: portal.ARApproved,
		set: map[string]any{"granted_scopes": store.StoredScopes(granted), "approved_at": now.UnixMilli(),
			"review_due_at": due.UnixMilli(), "decided_by": staffRef(staff.ID), "decided_at": now.UnixMilli(),
			"decision_code": "", "decision_text": ""},
		note:   "Approved. Data scopes granted: " + scopeLabels(granted) + ".",
		action: "access.approved",
		details: map[string]any{
			"granted_scopes": granted,
			"allowed_scopes": allowed,
			"review_due_at":  due.In(portal.Pacific()).Format(time.DateOnly),
		},
		after: func(tx *store.Tx, acct *portal.Account) error {
			if err := a.requireQualifyingSponsor(ctx, tx, acct.ID, refuseApproval); err != nil {
				return err
			}
			if err := a.requireSponsoredScopes(ctx, tx, acct, granted); err != nil {
				return err
			}
			if err := a.requireApprovedWorksite(ctx, tx, acct.ID,
				noApprovedWorksite("the request cannot be approved: ask for more information, or decline it")); err != nil {
				return err
			}
			if err := a.requireLicence(ctx, tx, acct, "The request cannot be approved"); err != nil {
				return err
			}
			if err := a.recordProvisioning(ctx, tx, acct.ID, ProvUserProvisioned, map[string]any{
				"request": r.ID, "scopes": granted, "worksites": r.WorksiteIDs, "sponsorships": r.SponsorshipIDs}); err != nil {
				return err
			}
			var lines []mail.ScopeText
			for _, s := range portal.DataScopes {
				if slices.Contains(granted, s.Code) {
					lines = append(lines, mail.ScopeText{Label: s.Label, Description: s.Description})
				}
			}
			return a.enqueue(
				ctx,
				tx,
				"access_approved",
				acct.Email,
				acct.ID,
				mail.AccessApproved{Common: a.commonFor(acct.DisplayName(), r),
					Scopes: lines, ReviewDue: due.In(portal.Pacific()).Format("2 Jan 2006"), StatusURL: a.statusURL()},
			)
		},
	})
}

// DeclineAccessRequest declines a request with a reason code and an
// explanation for the person.
func (a *App) DeclineAccessRequest(
	ctx context.Context,
	meta portal.RequestMeta,
	staff *portal.Staff,
	id portal.AccessRequestID,
	in portal.DeclineInput,
) (*portal.AccessRequest, error) {
	r, acct, err := a.requestForDecision(ctx, staff, id)
	if err != nil {
		return nil, err
	}
	if err := in.Validate().Err(); err != nil {
		return nil, err
	}
	label, now := portal.DeclineReasonLabel(in.Code), a.now()
	return a.decide(ctx, meta, staff, r, acct, decision{
		at: now, from: []string{portal.ARSubmitted, portal.ARInfoRequested}, to: portal.ARDeclined,
		set: map[string]any{"decision_code": in.Code, "decision_text": in.Text, "decided_by": staffRef(staff.ID),
			"decided_at": now.UnixMilli()},
		note:    "Declined (" + label + "): " + in.Text,
		action:  "access.declined",
		details: map[string]any{"code": in.Code, "reason": in.Text},
		after: func(tx *store.Tx, acct *portal.Account) error {
			return a.enqueue(
				ctx,
				tx,
				"access_declined",
				acct.Email,
				acct.ID,
				mail.AccessDeclined{Common: a.commonFor(acct.DisplayName(), r),
					Reason: label, Text: in.Text, StatusURL: a.statusURL()},
			)
		},
	})
}

// RequestMoreInformation asks the person a question before deciding. The
// person answers in the portal (AnswerInfoRequest) and the request returns
// to the queue, still claimed by the officer who asked.
func (a *App) RequestMoreInformation(
	ctx context.Context,
	meta portal.RequestMeta,
	staff *portal.Staff,
	id portal.AccessRequestID,
	question string,
) (*portal.AccessRequest, error) {
	r, acct, err := a.requestForDecision(ctx, staff, id)
	if err != nil {
		return nil, err
	}
	question, err = portal.ValidateInfoQuestion(question)
	if err != nil {
		return nil, err
	}
	return a.decide(ctx, meta, staff, r, acct, decision{
		at: a.now(), from: []string{portal.ARSubmitted}, to: portal.ARInfoRequested, open: true,
		set:     map[string]any{"info_question": question, "info_answer": ""},
		note:    "More information needed: " + question,
		action:  "access.info_requested",
		details: map[string]any{"question": question},
		after: func(tx *store.Tx, acct *portal.Account) error {
			return a.enqueue(
				ctx,
				tx,
				"access_info_needed",
				acct.Email,
				acct.ID,
				mail.AccessInfoNeeded{Common: a.commonFor(acct.DisplayName(), r),
					Question: question, StatusURL: a.statusURL()},
			)
		},
	})
}

// accessChanges says, per action on approved access, what downstream
// systems, the audit trail and the person's mailbox are told.
var accessChanges = map[portal.AccessAction]struct{ provisioning, audit, email string }{
	portal.AccessSuspend:     {ProvUserSuspended, "access.suspended", "access_suspended"},
	portal.AccessReinstate:   {ProvUserReinstated, "access.reinstated", "access_reinstated"},
	portal.AccessDeprovision: {ProvUserDeprovisioned, "access.deprovisioned", "access_deprovisioned"},
}

// currentAccess is the request that holds a person's access: the newest
// approved or suspended one, else the newest of all (nil when none).
func currentAccess(reqs []*portal.AccessRequest) *portal.AccessRequest {
	for _, r := range reqs {
		if r.Status == portal.ARApproved || r.Status == portal.ARSuspended {
			return r
		}
	}
	if len(reqs) > 0 {
		return reqs[0]
	}
	return nil
}

// ChangeAccess suspends, reinstates or removes a person's approved access,
// with a reason. Downstream systems learn of it through the change feed.
func (a *App) ChangeAccess(
	ctx context.Context,
	meta portal.RequestMeta,
	staff *portal.Staff,
	account portal.AccountID,
	action portal.AccessAction,
	reason string,
) (*portal.AccessRequest, error) {
	if err := requireOfficer(staff); err != nil {
		return nil, err
	}
	from, to, ok := portal.AccessTransition(action)
	change, known := accessChanges[action]
	if !ok || !known {
		return nil, portal.Errorf(
			portal.EINVALID,
			"That is not something the CareConnect team can do to a person's access.",
		)
	}
	reason = strings.TrimSpace(reason)
	if err := portal.ValidateReason(reason, true); err != nil {
		return nil, err
	}
	acct, err := a.DB.Read().FindAccountByID(ctx, account)
	if store.IsNotFound(err) {
		return nil, notFoundPerson
	}
	if err != nil {
		return nil, err
	}
	reqs, err := a.DB.Read().FindAccessRequestsByAccount(ctx, account)
	if err != nil {
		return nil, err
	}
	r := currentAccess(reqs)
	if r == nil {
		return nil, portal.Errorf(
			portal.ECONFLICT,
			"This person has not requested CareConnect access, so there is no access to %s.",
			action,
		)
	}
	refused := func(r *portal.AccessRequest) error {
		return portal.Errorf(
			portal.ECONFLICT,
			"The access cannot be %s: its status is %s.",
			action.Done(),
			strings.ToLower(r.StatusLabel()),
		)
	}
	if !slices.Contains(from, r.Status) {
		return nil, refused(r)
	}
	ref := staffRef(staff.ID)
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		// The person first, then the request, as decide does.
		if _, err := tx.FindAccountByIDForUpdate(ctx, acct.ID); err != nil {
			return err
		}
		var set map[string]any
		if action == portal.AccessReinstate {
			set = map[string]any{
				"reinstated_at": a.now().UnixMilli(),
			} // a fresh decision: the dormancy clock starts again
		}
		ok, err := tx.ChangeAccessRequest(ctx, store.AccessRequestChange{ID: r.ID, From: from, To: to, At: a.now(),
			ActorKind: portal.ActorStaff, ActorID: ref, Note: "Access " + action.Done() + ": " + reason, Set: set})
		if err != nil {
			return err
		}
		if !ok {
			return errNotChanged
		}
		if err := a.recordProvisioning(ctx, tx, acct.ID, change.provisioning, map[string]any{"request": r.ID, "reason": reason}); err != nil {
			return err
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorStaff, actorID: ref, action: change.audit,
			subjectKind: "access_request", subjectID: requestRef(r.ID),
			details: map[string]any{"account": acct.ID, "reason": reason, "from": r.Status}}); err != nil {
			return err
		}
		if err := a.accessChanged(ctx, tx, meta, acct, action); err != nil {
			return err
		}
		return a.enqueue(
			ctx,
			tx,
			change.email,
			acct.Email,
			acct.ID,
			mail.AccessChanged{Common: a.commonFor(acct.DisplayName(), r),
				Reason: reason, StatusURL: a.statusURL()},
		)
	})
	if errors.Is(err, errNotChanged) {
		cur, ferr := a.findRequest(ctx, r.ID)
		if ferr != nil {
			return nil, ferr
		}
		return nil, refused(cur)
	}
	if err != nil {
		return nil, err
	}
	return a.findRequest(ctx, r.ID)
}

// accessChanged applies the sponsor rule to a change the CareConnect team
// made to a person's access, inside its transaction: an on-behalf-of user
// is reinstated only while a sponsor qualifies; an authorizer suspended or
// removed may leave the people they sponsor without one (lapseDependants);
// an authorizer reinstated counts again as the sponsor of those still
// provisioned through someone else, but brings nobody back.
func (a *App) accessChanged(ctx context.Context, tx *store.Tx, meta portal.RequestMeta, acct *portal.Account,
	action portal.AccessAction) error {
	switch action {
	case portal.AccessReinstate:
		if err := a.requireApprovedWorksite(ctx, tx, acct.ID, noApprovedWorksite("their access cannot be reinstated")); err != nil {
			return err
		}
		if err := a.requireLicence(ctx, tx, acct, "Their access cannot be reinstated"); err != nil {
			return err
		}
		if err := a.requireQualifyingSponsor(ctx, tx, acct.ID,
			noQualifyingSponsor("Their access cannot be reinstated until one does.")); err != nil {
			return err
		}
		whole, err := a.narrowToSponsors(
			ctx,
			tx,
			meta,
			acct,
			"The CareConnect team reinstated your access through the authorizers who sponsor you now.",
		)
		if err != nil {
			return err
		}
		if !whole {
			return portal.Errorf(
				portal.ECONFLICT,
				"%s's access cannot be reinstated: the authorizers who qualify as their sponsors now "+
					"were granted none of the data scopes their access holds. Decline to reinstate it, or have them ask an authorizer "+
					"who sees that information to sponsor them.",
				acct.DisplayName(),
			)
		}
		return a.touchDependants(ctx, tx, acct.ID)
	case portal.AccessSuspend:
		return a.lapseDependants(ctx, tx, meta, acct.ID, lapseCause{code: LapseSponsorSuspended,
			dependants: acct.DisplayName() + "'s own CareConnect access was suspended by the CareConnect team."})
	case portal.AccessDeprovision:
		return a.lapseDependants(ctx, tx, meta, acct.ID, lapseCause{code: LapseSponsorDeprovisioned,
			dependants: acct.DisplayName() + "'s own CareConnect access was removed by the CareConnect team."})
	}
	return nil
}

// StaffDecideWorksite approves or declines a new worksite for an officer.
func (a *App) StaffDecideWorksite(
	ctx context.Context,
	meta portal.RequestMeta,
	staff *portal.Staff,
	code portal.WorksiteCode,
	approve bool,
	reason string,
) (*portal.Worksite, error) {
	if err := requireOfficer(staff); err != nil {
		return nil, err
	}
	return a.DecideWorksite(ctx, meta, staffRef(staff.ID), code, approve, strings.TrimSpace(reason))
}
