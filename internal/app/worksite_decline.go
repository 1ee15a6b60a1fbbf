package app

import (
	"context"
	"strconv"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/mail"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// LapseWorksiteDeclined is the reason code of a lapse that follows the
// CareConnect team declining a new worksite (its memberships end).
const LapseWorksiteDeclined = "worksite_declined"

// closeDeclinedWorksite closes a worksite the CareConnect team has just
// declined, inside the transaction that declines it: a declined worksite
// takes no one in and keeps no one (portal.InvNoMemberOfDeclinedWorksite,
// portal.InvDeclinedWorksiteClosed). Every pending request to join it is
// rejected, and its requester emailed that the worksite was not approved;
// every open invitation is revoked; every membership ends, and
// membershipEnded applies the access rules to each member. by is the staff
// member who declined it; told holds the administrators already emailed
// the decision, and every other member is emailed that their membership
// ended. Its registrant still finds the worksite, with the reason, under
// My Worksites (App.Worksites reads it from the registrant, not from a
// membership).
func (a *App) closeDeclinedWorksite(
	ctx context.Context,
	tx *store.Tx,
	meta portal.RequestMeta,
	by string,
	w *portal.Worksite,
	reason string,
	told map[portal.AccountID]bool,
) error {
	now := a.now()
	why := w.Name + " was not approved by the CareConnect team, so it cannot take in members."
	requests, err := tx.FindJoinRequests(
		ctx,
		store.JoinRequestFilter{WorksiteIDs: []portal.WorksiteID{w.ID}, Status: portal.RequestPending},
	)
	if err != nil {
		return err
	}
	for _, j := range requests {
		ok, err := tx.DecideJoinRequest(ctx, j.ID, portal.RequestRejected, 0, why, now)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorStaff, actorID: by, action: "worksite.join_rejected",
			subjectKind: "join_request", subjectID: strconv.FormatInt(int64(j.ID), 10), worksiteID: int64(w.ID),
			details: map[string]string{"member": accountRef(j.AccountID), "reason": why, "because": LapseWorksiteDeclined}}); err != nil {
			return err
		}
		if err := a.enqueue(ctx, tx, "worksite_join_decided", j.RequesterEmail, j.AccountID, mail.WorksiteJoinDecided{
			Common: a.common(j.RequesterName), WorksiteName: w.Name, Reason: reason, WorksiteDeclined: true,
			JoinURL: a.Config.BaseURL + "/worksites/join"}); err != nil {
			return err
		}
	}
	invitations, err := tx.FindWorksiteInvitations(ctx, w.ID)
	if err != nil {
		return err
	}
	for _, inv := range invitations {
		if inv.Status != portal.RequestPending {
			continue
		}
		ok, err := tx.DecideInvitation(ctx, inv.ID, portal.RequestRevoked, 0, "", now)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorStaff, actorID: by, action: "worksite.invitation_revoked",
			subjectKind: "invitation", subjectID: invitationRef(inv.ID), worksiteID: int64(w.ID),
			details: map[string]string{"email": inv.Email, "because": LapseWorksiteDeclined}}); err != nil {
			return err
		}
	}
	members, err := tx.FindWorksiteMembers(ctx, w.ID)
	if err != nil {
		return err
	}
	for _, m := range members {
		if m.Status != portal.MemberActive {
			continue
		}
		ok, err := tx.Decommission(ctx, w.ID, m.AccountID, 0, now)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorStaff, actorID: by, action: "worksite.member_decommissioned",
			subjectKind: "account", subjectID: accountRef(m.AccountID), worksiteID: int64(w.ID),
			details: map[string]string{"role": m.Role, "because": LapseWorksiteDeclined}}); err != nil {
			return err
		}
		if err := a.cancelHandoversOf(ctx, tx, meta, portal.ActorStaff, by, w.ID, m.AccountID); err != nil {
			return err
		}
		if err := a.membershipEnded(ctx, tx, meta, m.AccountID, w, lapseCause{code: LapseWorksiteDeclined,
			dependants: m.Name + " no longer belongs to " + w.Name + ", which the CareConnect team did not approve.",
			self:       "The CareConnect team did not approve " + w.Name + ", so you no longer belong to it."}); err != nil {
			return err
		}
		if told[m.AccountID] {
			continue
		}
		if err := a.enqueue(ctx, tx, "membership_ended", m.Email, m.AccountID, mail.MembershipEnded{
			Common: a.common(m.Name), WorksiteName: w.Name, WorksiteDeclined: true, Reason: reason}); err != nil {
			return err
		}
	}
	return nil
}
