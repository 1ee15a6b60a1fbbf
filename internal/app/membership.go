package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/mail"
	"github.com/bcgov-example/careconnect-portal/internal/secret"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

func invitationRef(id portal.InvitationID) string { return strconv.FormatInt(int64(id), 10) }

// Invite invites an email address to join a worksite.
func (a *App) Invite(
	ctx context.Context,
	meta portal.RequestMeta,
	actor *portal.Account,
	ws portal.WorksiteID,
	email string,
) (*portal.Invitation, error) {
	w, err := a.requireAdmin(ctx, actor, ws)
	if err != nil {
		return nil, err
	}
	fe := portal.FieldErrors{}
	validateEmailField(fe, "email", email)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if invitee, err := a.DB.Read().FindAccountByEmail(ctx, email); err == nil {
		if m, err := a.DB.Read().FindMember(ctx, ws, invitee.ID); err == nil && m.Status == portal.MemberActive {
			return nil, portal.FieldErrors{"email": fmt.Sprintf("%s is already a member of %s.", email, w.Name)}
		}
	}
	existing, err := a.DB.Read().FindPendingInvitationsForEmail(ctx, email, a.now())
	if err != nil {
		return nil, err
	}
	for _, inv := range existing {
		if inv.WorksiteID == ws {
			return nil, invitationWaiting()
		}
	}
	now := a.now()
	inv := &portal.Invitation{
		WorksiteID: ws,
		Email:      email,
		InvitedBy:  actor.ID,
		CreatedAt:  now,
		ExpiresAt:  now.Add(portal.InvitationLifetime),
	}
	token, hash := newToken()
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := a.limitInvitation(ctx, tx, actor, ws); err != nil {
			return err
		}
		// The database keeps one pending invitation per worksite and
		// address: one past its expiry steps aside, and a second
		// submission racing this one fails on the index.
		if err := tx.ExpireInvitations(ctx, ws, email, now); err != nil {
			return err
		}
		if err := tx.CreateInvitation(ctx, inv, hash); err != nil {
			return err
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(actor.ID),
			action: "worksite.invitation_sent", subjectKind: "invitation", subjectID: invitationRef(inv.ID), worksiteID: int64(ws),
			details: map[string]string{"email": email}}); err != nil {
			return err
		}
		return a.sendInvitation(ctx, tx, actor, w, inv, token)
	})
	if store.IsPendingInvitationConflict(err) {
		return nil, invitationWaiting()
	}
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// invitationWaiting refuses a second pending invitation to one address
// at one worksite, whether the use case or the database finds it.
func invitationWaiting() error {
	return portal.FieldErrors{
		"email": "This address already has an invitation waiting. Use Send again in the list below.",
	}
}

func (a *App) sendInvitation(
	ctx context.Context,
	tx *store.Tx,
	actor *portal.Account,
	w *portal.Worksite,
	inv *portal.Invitation,
	token string,
) error {
	// Someone with no HxBC account yet is told what the first sign-in
	// will ask of them.
	hasAccount := true
	if _, err := tx.FindAccountByEmail(ctx, inv.Email); portal.ErrorCode(err) == portal.ENOTFOUND {
		hasAccount = false
	} else if err != nil {
		return err
	}
	return a.enqueue(ctx, tx, "worksite_invitation", inv.Email, 0, mail.WorksiteInvitation{
		Common: a.common(""), InviterName: actor.DisplayName(), WorksiteName: w.Name, WorksiteID: string(w.Code),
		AcceptURL: a.Config.BaseURL + "/invitations/" + token, ExpiresOn: inv.ExpiresAt.In(portal.Pacific()).Format("2 Jan 2006"),
		HasAccount: hasAccount}, token)
}

func validateEmailField(fe portal.FieldErrors, field, email string) {
	in := portal.ContactInput{Email: email, Phone: "6045550100"}
	if e, ok := in.Validate()["email"]; ok {
		fe.Add(field, e)
	}
}

// ResendInvitation sends an invitation again with a fresh link and expiry
// (also after it expired or was revoked). seen is how many times the
// administrator saw it had been sent: when it has been sent again since
// (the same button pressed twice, or on two pages at once), that send
// stands and nothing more is sent, so the link in the newest email keeps
// working. Zero takes the count as it is now; a negative count (a form
// that did not say) is refused once the actor's right to act is checked.
func (a *App) ResendInvitation(
	ctx context.Context,
	meta portal.RequestMeta,
	actor *portal.Account,
	ws portal.WorksiteID,
	id portal.InvitationID,
	seen int,
) error {
	w, err := a.requireAdmin(ctx, actor, ws)
	if err != nil {
		return err
	}
	inv, err := a.DB.Read().FindInvitationByID(ctx, id)
	if err != nil || inv.WorksiteID != ws {
		return portal.Errorf(portal.ENOTFOUND, "That invitation does not exist.")
	}
	if inv.Status == portal.RequestApproved || inv.Status == portal.RequestRejected {
		return portal.Errorf(portal.ECONFLICT, "%s already answered this invitation.", inv.Email)
	}
	switch {
	case seen < 0:
		return portal.Errorf(portal.EINVALID, "Reload the worksite page and use Send again there.")
	case seen == 0:
		seen = inv.SentCount
	}
	if seen != inv.SentCount {
		return nil
	}
	token, hash := newToken()
	inv.ExpiresAt = a.now().Add(portal.InvitationLifetime)
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := a.limitInvitation(ctx, tx, actor, ws); err != nil {
			return err
		}
		renewed, err := tx.RenewInvitation(ctx, id, seen, hash, inv.ExpiresAt)
		if err != nil {
			return err
		}
		if !renewed {
			return errSentMeanwhile
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(actor.ID),
			action: "worksite.invitation_resent", subjectKind: "invitation", subjectID: invitationRef(id), worksiteID: int64(ws),
			details: map[string]string{"email": inv.Email}}); err != nil {
			return err
		}
		return a.sendInvitation(ctx, tx, actor, w, inv, token)
	})
	if store.IsPendingInvitationConflict(err) {
		return portal.Errorf(
			portal.ECONFLICT,
			"%s has a newer invitation waiting. Use Send again on that one.",
			inv.Email,
		)
	}
	if errors.Is(err, errSentMeanwhile) {
		return nil
	}
	return err
}

// errSentMeanwhile rolls back a resend that another resend of the same
// invitation overtook.
var errSentMeanwhile = errors.New("invitation sent again meanwhile")

// RevokeInvitation withdraws a pending invitation.
func (a *App) RevokeInvitation(
	ctx context.Context,
	meta portal.RequestMeta,
	actor *portal.Account,
	ws portal.WorksiteID,
	id portal.InvitationID,
) error {
	if _, err := a.requireAdmin(ctx, actor, ws); err != nil {
		return err
	}
	inv, err := a.DB.Read().FindInvitationByID(ctx, id)
	if err != nil || inv.WorksiteID != ws {
		return portal.Errorf(portal.ENOTFOUND, "That invitation does not exist.")
	}
	return a.DB.InTx(ctx, func(tx *store.Tx) error {
		ok, err := tx.DecideInvitation(ctx, id, portal.RequestRevoked, actor.ID, "", a.now())
		if err != nil {
			return err
		}
		if !ok {
			return portal.Errorf(portal.ECONFLICT, "This invitation is no longer waiting for an answer.")
		}
		return a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(actor.ID),
			action: "worksite.invitation_revoked", subjectKind: "invitation", subjectID: invitationRef(id), worksiteID: int64(ws),
			details: map[string]string{"email": inv.Email}})
	})
}

// errInvitationLink refuses an invitation link that carries no valid token.
var errInvitationLink = portal.Errorf(
	portal.ENOTFOUND,
	"This invitation link is not valid. It may have been replaced by a newer invitation: "+
		"check your email, or ask your site administrator to send it again.",
)

// InvitationByToken returns the invitation an emailed link carries. The
// link is the proof: whoever opens it, signed in, may answer it, whatever
// their own email address.
func (a *App) InvitationByToken(ctx context.Context, actor *portal.Account, token string) (*portal.Invitation, error) {
	inv, err := a.DB.Read().FindInvitationByToken(ctx, secret.Hash(token))
	if err != nil {
		return nil, errInvitationLink
	}
	return inv, nil
}

// InvitationNotConfirmedMessage tells a person why an invitation to their
// unconfirmed address cannot be answered yet, and what to do.
func InvitationNotConfirmedMessage(email string) string {
	return "This invitation was sent to " + email + ". Confirm that email address on Manage My Account, or open the link in the invitation email."
}

// RespondToInvitation accepts or rejects an invitation: with the emailed
// link's token (any signed-in person holding it), or without it only when
// the invitation went to the person's confirmed email address.
func (a *App) RespondToInvitation(
	ctx context.Context,
	meta portal.RequestMeta,
	actor *portal.Account,
	id portal.InvitationID,
	token string,
	accept bool,
) (*portal.Invitation, error) {
	inv, err := a.DB.Read().FindInvitationByID(ctx, id)
	if err != nil {
		return nil, portal.Errorf(portal.ENOTFOUND, "That invitation does not exist, or was not sent to you.")
	}
	// How the person showed the invitation was meant for them: recorded with
	// an accepted one (portal.InvGrantsToConfirmedAddresses checks it).
	via, granted := "link", portal.GrantViaLink
	if token != "" {
		if byLink, err := a.DB.Read().FindInvitationByToken(ctx, secret.Hash(token)); err != nil || byLink.ID != id {
			return nil, errInvitationLink
		}
	} else {
		// The account as it is now, not as the caller last read it.
		cur, err := a.DB.Read().FindAccountByID(ctx, actor.ID)
		if err != nil {
			return nil, err
		}
		if portal.EmailKey(inv.Email) != portal.EmailKey(cur.Email) {
			return nil, portal.Errorf(portal.ENOTFOUND, "That invitation does not exist, or was not sent to you.")
		}
		if !cur.HasConfirmedEmail(inv.Email) {
			return nil, portal.Errorf(portal.EFORBIDDEN, "%s", InvitationNotConfirmedMessage(inv.Email))
		}
		via, granted = "confirmed_email", portal.GrantViaConfirmedAddress
	}
	now := a.now()
	switch inv.EffectiveStatus(now) {
	case portal.RequestPending:
	case portal.RequestExpired:
		return nil, portal.Errorf(
			portal.ECONFLICT,
			"This invitation expired on %s. Ask your site administrator to send it again.",
			inv.ExpiresAt.In(portal.Pacific()).Format("2 Jan 2006"),
		)
	default:
		return nil, portal.Errorf(portal.ECONFLICT, "This invitation is no longer open (%s).", inv.Status)
	}
	status := portal.RequestApproved
	if !accept {
		status, granted = portal.RequestRejected, ""
	}
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		if accept {
			// Not into a worksite the CareConnect team declined meanwhile.
			if _, err := a.limitWorksiteOpen(ctx, tx, inv.WorksiteID); err != nil {
				return err
			}
		}
		ok, err := tx.DecideInvitation(ctx, id, status, actor.ID, granted, now)
		if err != nil {
			return err
		}
		if !ok {
			return portal.Errorf(portal.ECONFLICT, "This invitation is no longer open.")
		}
		if accept {
			if err := tx.AddMember(ctx, inv.WorksiteID, actor.ID, portal.RoleMember, now); err != nil {
				return err
			}
		}
		action := "worksite.invitation_accepted"
		if !accept {
			action = "worksite.invitation_rejected"
		}
		return a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(actor.ID),
			action: action, subjectKind: "invitation", subjectID: invitationRef(id), worksiteID: int64(inv.WorksiteID),
			details: map[string]string{"email": inv.Email, "via": via}})
	})
	if err != nil {
		return nil, err
	}
	inv.Status = status
	return inv, nil
}

// adminAndActiveMember checks that actor administers worksite ws and that
// member is an active member of it, and returns both. A failed look-up is
// an error of its own, not "not a member".
func (a *App) adminAndActiveMember(
	ctx context.Context,
	actor *portal.Account,
	ws portal.WorksiteID,
	member portal.AccountID,
) (*portal.Worksite, *portal.Membership, error) {
	w, err := a.requireAdmin(ctx, actor, ws)
	if err != nil {
		return nil, nil, err
	}
	m, err := a.DB.Read().FindMember(ctx, ws, member)
	if err != nil && !store.IsNotFound(err) {
		return nil, nil, err
	}
	if m == nil || m.Status != portal.MemberActive {
		return nil, nil, portal.Errorf(portal.ENOTFOUND, "That person is not an active member of %s.", w.Name)
	}
	return w, m, nil
}

// Decommission ends a member's place at a worksite now, or schedules it
// for the end of endDate (YYYY-MM-DD), as when a locum's term ends.
func (a *App) Decommission(
	ctx context.Context,
	meta portal.RequestMeta,
	actor *portal.Account,
	ws portal.WorksiteID,
	member portal.AccountID,
	endDate string,
) error {
	w, m, err := a.adminAndActiveMember(ctx, actor, ws, member)
	if err != nil {
		return err
	}
	if endDate != "" {
		d, err := time.Parse(time.DateOnly, endDate)
		if err != nil {
			return portal.FieldErrors{"end_date": "Enter the last day as YYYY-MM-DD."}
		}
		if d.Format(time.DateOnly) < a.now().In(portal.Pacific()).Format(time.DateOnly) {
			return portal.FieldErrors{
				"end_date": "The last day cannot be in the past. Leave it empty to decommission now.",
			}
		}
	}
	return a.DB.InTx(ctx, func(tx *store.Tx) error {
		if endDate != "" {
			if err := a.checkAdminsLeft(ctx, tx, w, m); err != nil {
				return err
			}
			if err := tx.ScheduleDecommission(ctx, ws, member, endDate); err != nil {
				return err
			}
			return a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(actor.ID),
				action: "worksite.decommission_scheduled", subjectKind: "account", subjectID: accountRef(member), worksiteID: int64(ws),
				details: map[string]string{"end_date": endDate}})
		}
		_, err := a.decommissionTx(ctx, tx, meta, portal.ActorAccount, accountRef(actor.ID), actor.ID, w, m)
		return err
	})
}

// checkAdminsLeft locks the worksite and, when m administers it, checks
// inside the transaction that another site administrator remains, so two
// administrators removing each other at once cannot leave none.
func (a *App) checkAdminsLeft(ctx context.Context, tx *store.Tx, w *portal.Worksite, m *portal.Membership) error {
	if _, err := tx.FindWorksiteByIDForUpdate(ctx, w.ID); err != nil {
		return err
	}
	if m.Role != portal.RoleSiteAdmin {
		return nil
	}
	n, err := tx.CountActiveAdmins(ctx, w.ID)
	if err != nil {
		return err
	}
	return portal.CheckAdminsLeft(n, m.Name, w.Name)
}

// decommissionTx ends a membership inside tx and reports whether it did
// (false when another instance or request ended it first).
func (a *App) decommissionTx(
	ctx context.Context,
	tx *store.Tx,
	meta portal.RequestMeta,
	actorKind, actorID string,
	by portal.AccountID,
	w *portal.Worksite,
	m *portal.Membership,
) (bool, error) {
	if err := a.checkAdminsLeft(ctx, tx, w, m); err != nil {
		return false, err
	}
	ok, err := tx.Decommission(ctx, w.ID, m.AccountID, by, a.now())
	if err != nil || !ok {
		return false, err
	}
	if err := a.audit(ctx, tx, meta, auditEvent{actorKind: actorKind, actorID: actorID, action: "worksite.member_decommissioned",
		subjectKind: "account", subjectID: accountRef(m.AccountID), worksiteID: int64(w.ID),
		details: map[string]string{"end_date": m.EndDate}}); err != nil {
		return false, err
	}
	if err := a.cancelHandoversOf(ctx, tx, meta, actorKind, actorID, w.ID, m.AccountID); err != nil {
		return false, err
	}
	// m's access may have relied on this worksite, and sponsorships here no
	// longer count: the people m sponsors here, or m if sponsored here, may
	// be left without a sponsor.
	if err := a.membershipEnded(ctx, tx, meta, m.AccountID, w, lapseCause{code: LapseDecommissioned,
		dependants: fmt.Sprintf("%s no longer belongs to %s, the worksite you shared.", m.Name, w.Name),
		self:       fmt.Sprintf("You no longer belong to %s, the worksite you shared with your authorizer.", w.Name)}); err != nil {
		return false, err
	}
	return true, a.enqueue(ctx, tx, "membership_ended", m.Email, m.AccountID, mail.MembershipEnded{
		Common: a.common(m.Name), WorksiteName: w.Name})
}

// ApplyScheduledDecommissions ends the memberships whose last day has
// passed. It is a job, safe on several instances (each end happens once).
func (a *App) ApplyScheduledDecommissions(ctx context.Context) (int, error) {
	today := a.now().In(portal.Pacific()).Format(time.DateOnly)
	due, err := a.DB.Read().FindDueDecommissions(ctx, today)
	if err != nil {
		return 0, err
	}
	n := 0
	meta := portal.RequestMeta{RequestID: "job:decommission"}
	for _, m := range due {
		w, err := a.DB.Read().FindWorksiteByID(ctx, m.WorksiteID)
		if err != nil {
			return n, err
		}
		var ended bool
		err = a.DB.InTx(ctx, func(tx *store.Tx) error {
			var err error
			ended, err = a.decommissionTx(ctx, tx, meta, portal.ActorSystem, "scheduled-decommission", 0, w, m)
			return err
		})
		if portal.ErrorCode(err) == portal.EINVALID {
			// The last site administrator stays until someone else is appointed.
			a.Logger.Warn(
				"scheduled decommission kept the last site administrator",
				"worksite",
				w.ID,
				"account",
				m.AccountID,
			)
			continue
		}
		if err != nil {
			return n, err
		}
		if ended {
			n++
		}
	}
	return n, nil
}

// SetSiteAdmin makes a member a site administrator, or removes the role;
// a worksite always keeps at least one.
func (a *App) SetSiteAdmin(
	ctx context.Context,
	meta portal.RequestMeta,
	actor *portal.Account,
	ws portal.WorksiteID,
	member portal.AccountID,
	admin bool,
) error {
	w, m, err := a.adminAndActiveMember(ctx, actor, ws, member)
	if err != nil {
		return err
	}
	role := portal.RoleMember
	if admin {
		role = portal.RoleSiteAdmin
	}
	if m.Role == role {
		return nil
	}
	return a.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.FindWorksiteByIDForUpdate(ctx, ws); err != nil {
			return err
		}
		if !admin {
			n, err := tx.CountActiveAdmins(ctx, ws)
			if err != nil {
				return err
			}
			if err := portal.CheckAdminsLeft(n, m.Name, w.Name); err != nil {
				return err
			}
		}
		if err := tx.SetMemberRole(ctx, ws, member, role); err != nil {
			return err
		}
		if !admin {
			// An administrator no longer hands the worksite over.
			if err := a.cancelHandoversOf(ctx, tx, meta, portal.ActorAccount, accountRef(actor.ID), ws, member); err != nil {
				return err
			}
		}
		action := "worksite.admin_added"
		if !admin {
			action = "worksite.admin_removed"
		}
		return a.audit(
			ctx,
			tx,
			meta,
			auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(actor.ID), action: action,
				subjectKind: "account", subjectID: accountRef(member), worksiteID: int64(ws)},
		)
	})
}
