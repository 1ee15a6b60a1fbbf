package app

import (
	"context"
	"fmt"
	"strconv"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/mail"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

func handoverRef(id portal.HandoverID) string { return strconv.FormatInt(int64(id), 10) }

// notFoundHandover hides a handover from everyone but its two people.
var notFoundHandover = portal.Errorf(portal.ENOTFOUND, "That handover does not exist, or was not offered to you.")

// requireSiteAdmin checks that actor is an active site administrator of
// the worksite itself (not through a group); to others the worksite does
// not exist.
func (a *App) requireSiteAdmin(
	ctx context.Context,
	actor *portal.Account,
	ws portal.WorksiteID,
) (*portal.Worksite, error) {
	m, err := a.DB.Read().FindMember(ctx, ws, actor.ID)
	if err != nil && !store.IsNotFound(err) {
		return nil, err
	}
	if m == nil || !m.IsAdmin() {
		return nil, notFoundWorksite
	}
	return a.DB.Read().FindWorksiteByID(ctx, ws)
}

// PendingHandover returns a worksite's open handover to its site
// administrators, or nil when none is open.
func (a *App) PendingHandover(
	ctx context.Context,
	actor *portal.Account,
	ws portal.WorksiteID,
) (*portal.Handover, error) {
	if _, err := a.requireSiteAdmin(ctx, actor, ws); err != nil {
		return nil, err
	}
	h, err := a.DB.Read().FindPendingHandover(ctx, ws)
	if store.IsNotFound(err) || (err == nil && !h.Open(a.now())) {
		return nil, nil
	}
	return h, err
}

// StartHandover asks another active member of a worksite to take it over
// from its site administrator, who means to leave. The member answers in
// their Notification Centre or from the email; one handover waits per
// worksite at a time.
func (a *App) StartHandover(
	ctx context.Context,
	meta portal.RequestMeta,
	actor *portal.Account,
	ws portal.WorksiteID,
	to portal.AccountID,
) (*portal.Handover, error) {
	w, err := a.requireSiteAdmin(ctx, actor, ws)
	if err != nil {
		return nil, err
	}
	if w.Closed() {
		return nil, w.ClosedError()
	}
	m, err := a.DB.Read().FindMember(ctx, ws, to)
	if err != nil && !store.IsNotFound(err) {
		return nil, err
	}
	if err := portal.CheckHandover(actor.ID, m, w.Name); err != nil {
		return nil, err
	}
	now := a.now()
	h := &portal.Handover{WorksiteID: ws, FromAccountID: actor.ID, ToAccountID: to, CreatedAt: now,
		ExpiresAt: now.Add(portal.HandoverLifetime), WorksiteName: w.Name, WorksiteCode: w.Code,
		FromName: actor.DisplayName(), FromEmail: actor.Email, ToName: m.Name, ToEmail: m.Email}
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.FindWorksiteByIDForUpdate(ctx, ws); err != nil {
			return err
		}
		// Both still what they were when read, inside the lock.
		from, err := tx.FindMember(ctx, ws, actor.ID)
		if err != nil || !from.IsAdmin() {
			return notFoundWorksite
		}
		cur, err := tx.FindMember(ctx, ws, to)
		if err != nil && !store.IsNotFound(err) {
			return err
		}
		if err := portal.CheckHandover(actor.ID, cur, w.Name); err != nil {
			return err
		}
		if err := tx.ExpireHandovers(ctx, ws, now); err != nil {
			return err
		}
		if err := tx.CreateHandover(ctx, h); err != nil {
			return err
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(actor.ID),
			action: "worksite.handover_started", subjectKind: "handover", subjectID: handoverRef(h.ID), worksiteID: int64(ws),
			details: map[string]string{"to": accountRef(to), "expires_at": h.ExpiresAt.Format(time.RFC3339)}}); err != nil {
			return err
		}
		return a.enqueue(ctx, tx, "worksite_handover_requested", m.Email, to, mail.WorksiteHandoverRequested{
			Common: a.common(m.Name), FromName: actor.DisplayName(), WorksiteName: w.Name, WorksiteID: string(w.Code),
			HandoverURL: a.Config.BaseURL + "/handovers/" + handoverRef(h.ID), SignsDeclaration: w.SignerChanges(actor),
			ExpiresOn: h.ExpiresAt.In(portal.Pacific()).Format("2 Jan 2006")})
	})
	if store.IsPendingHandoverConflict(err) {
		return nil, handoverWaiting(w)
	}
	if err != nil {
		return nil, err
	}
	return h, nil
}

func handoverWaiting(w *portal.Worksite) error {
	return portal.Errorf(
		portal.ECONFLICT,
		"A handover of %s is already waiting for an answer. Cancel it first to ask someone else.",
		w.Name,
	)
}

// CancelHandover withdraws a worksite's open handover; only the site
// administrator who started it may.
func (a *App) CancelHandover(
	ctx context.Context,
	meta portal.RequestMeta,
	actor *portal.Account,
	ws portal.WorksiteID,
	id portal.HandoverID,
) error {
	if _, err := a.requireSiteAdmin(ctx, actor, ws); err != nil {
		return err
	}
	h, err := a.DB.Read().FindHandoverByID(ctx, id)
	if err != nil || h.WorksiteID != ws || h.FromAccountID != actor.ID {
		return notFoundHandover
	}
	return a.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := decideHandover(ctx, tx, id, portal.HandoverCancelled, a.now()); err != nil {
			return err
		}
		return a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(actor.ID),
			action: "worksite.handover_cancelled", subjectKind: "handover", subjectID: handoverRef(id), worksiteID: int64(ws),
			details: map[string]string{"to": accountRef(h.ToAccountID)}})
	})
}

// HandoverView is what the member asked to take a worksite over sees.
type HandoverView struct {
	Handover *portal.Handover
	Worksite *portal.Worksite
	// SignsDeclaration: accepting means signing a new Worksite Privacy &
	// Security Declaration, as the leaving administrator signed it.
	SignsDeclaration bool
	Status           string // the status with expiry applied
}

// Handover returns a handover to the member it was offered to; to anyone
// else it does not exist.
func (a *App) Handover(ctx context.Context, actor *portal.Account, id portal.HandoverID) (*HandoverView, error) {
	h, err := a.DB.Read().FindHandoverByID(ctx, id)
	if err != nil || h.ToAccountID != actor.ID {
		return nil, notFoundHandover
	}
	w, err := a.DB.Read().FindWorksiteByID(ctx, h.WorksiteID)
	if err != nil {
		return nil, err
	}
	from, err := a.DB.Read().FindAccountByID(ctx, h.FromAccountID)
	if err != nil {
		return nil, err
	}
	return &HandoverView{
		Handover:         h,
		Worksite:         w,
		SignsDeclaration: w.SignerChanges(from),
		Status:           h.EffectiveStatus(a.now()),
	}, nil
}

// AcceptHandover makes the member a site administrator of the worksite
// and its old administrator a member, in one transaction, so the worksite
// is never without an administrator; when the old administrator signed the
// worksite's declaration, the new one signs it again (decl) in the same
// transaction. The old administrator may then leave the worksite.
func (a *App) AcceptHandover(
	ctx context.Context,
	meta portal.RequestMeta,
	actor *portal.Account,
	id portal.HandoverID,
	decl portal.DeclarationInput,
) (*HandoverView, error) {
	v, err := a.openHandover(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	h, w := v.Handover, v.Worksite
	if v.SignsDeclaration {
		// The account as it is now: its legal name signs, and its address,
		// confirmed, becomes the signer's (portal.InvGrantsToConfirmedAddresses).
		cur, err := a.DB.Read().FindAccountByID(ctx, actor.ID)
		if err != nil {
			return nil, err
		}
		if !cur.HasConfirmedEmail(cur.Email) {
			return nil, portal.Errorf(portal.EFORBIDDEN, "%s Then come back to take over %s and sign its %s.",
				portal.NotConfirmedMessage(cur.Email), w.Name, portal.DeclarationTitle)
		}
		if err := decl.Validate(cur.LegalName()).Err(); err != nil {
			return nil, err
		}
		actor = cur
	}
	now := a.now()
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.FindWorksiteByIDForUpdate(ctx, w.ID); err != nil {
			return err
		}
		from, err := tx.FindMember(ctx, w.ID, h.FromAccountID)
		if err != nil && !store.IsNotFound(err) {
			return err
		}
		to, err := tx.FindMember(ctx, w.ID, actor.ID)
		if err != nil && !store.IsNotFound(err) {
			return err
		}
		if from == nil || !from.IsAdmin() || to == nil || to.Status != portal.MemberActive {
			return portal.Errorf(
				portal.ECONFLICT,
				"This handover is no longer open: %s or you changed place at %s.",
				h.FromName,
				w.Name,
			)
		}
		if err := decideHandover(ctx, tx, id, portal.HandoverAccepted, now); err != nil {
			return err
		}
		// The new administrator first: the worksite always has one.
		if err := tx.SetMemberRole(ctx, w.ID, actor.ID, portal.RoleSiteAdmin); err != nil {
			return err
		}
		if err := tx.SetMemberRole(ctx, w.ID, h.FromAccountID, portal.RoleMember); err != nil {
			return err
		}
		if n, err := tx.CountActiveAdmins(ctx, w.ID); err != nil || n == 0 {
			return fmt.Errorf("handover %d left worksite %d with %d administrators: %v", id, w.ID, n, err)
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(actor.ID),
			action: "worksite.handover_accepted", subjectKind: "handover", subjectID: handoverRef(id), worksiteID: int64(w.ID),
			details: map[string]string{"from": accountRef(h.FromAccountID), "to": accountRef(actor.ID),
				"declaration": strconv.FormatBool(v.SignsDeclaration)}}); err != nil {
			return err
		}
		if v.SignsDeclaration {
			if err := tx.ResignDeclaration(ctx, w.ID, actor, portal.DeclarationVersion, portal.GrantViaConfirmedAddress, now); err != nil {
				return err
			}
			if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(actor.ID),
				action: "worksite.declaration_signed", subjectKind: "worksite", subjectID: worksiteRef(w.ID), worksiteID: int64(w.ID),
				details: map[string]string{"version": portal.DeclarationVersion, "typed_name": decl.FullName,
					"handover": handoverRef(id), "previous_signer": w.SignerName}}); err != nil {
				return err
			}
		}
		return a.handoverAnswered(ctx, tx, h, actor, w.Name, true)
	})
	if err != nil {
		return nil, err
	}
	v.Status, v.Handover.Status = portal.HandoverAccepted, portal.HandoverAccepted
	return v, nil
}

// DeclineHandover turns a handover down; its administrator is told.
func (a *App) DeclineHandover(
	ctx context.Context,
	meta portal.RequestMeta,
	actor *portal.Account,
	id portal.HandoverID,
) (*HandoverView, error) {
	v, err := a.openHandover(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	h := v.Handover
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := decideHandover(ctx, tx, id, portal.HandoverDeclined, a.now()); err != nil {
			return err
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(actor.ID),
			action: "worksite.handover_declined", subjectKind: "handover", subjectID: handoverRef(id), worksiteID: int64(h.WorksiteID),
			details: map[string]string{"from": accountRef(h.FromAccountID)}}); err != nil {
			return err
		}
		return a.handoverAnswered(ctx, tx, h, actor, h.WorksiteName, false)
	})
	if err != nil {
		return nil, err
	}
	v.Status, v.Handover.Status = portal.HandoverDeclined, portal.HandoverDeclined
	return v, nil
}

// decideHandover records the answer to a handover still waiting for one.
func decideHandover(ctx context.Context, tx *store.Tx, id portal.HandoverID, status string, now time.Time) error {
	ok, err := tx.DecideHandover(ctx, id, status, now)
	if err != nil {
		return err
	}
	if !ok {
		return portal.Errorf(portal.ECONFLICT, "This handover is no longer waiting for an answer.")
	}
	return nil
}

// handoverAnswered emails the administrator who started handover h that
// actor accepted or declined it.
func (a *App) handoverAnswered(
	ctx context.Context,
	tx *store.Tx,
	h *portal.Handover,
	actor *portal.Account,
	worksiteName string,
	accepted bool,
) error {
	return a.enqueue(ctx, tx, "worksite_handover_answered", h.FromEmail, h.FromAccountID, mail.WorksiteHandoverAnswered{
		Common: a.common(h.FromName), ToName: actor.DisplayName(), WorksiteName: worksiteName, Accepted: accepted,
		WorksiteURL: a.Config.BaseURL + "/worksites/" + worksiteRef(h.WorksiteID)})
}

// openHandover returns a handover offered to actor that still waits for
// an answer.
func (a *App) openHandover(ctx context.Context, actor *portal.Account, id portal.HandoverID) (*HandoverView, error) {
	v, err := a.Handover(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := handoverOpen(v); err != nil {
		return nil, err
	}
	return v, nil
}

func handoverOpen(v *HandoverView) error {
	switch v.Status {
	case portal.HandoverPending:
		return nil
	case portal.HandoverExpired:
		return portal.Errorf(portal.ECONFLICT, "This handover expired on %s. Ask %s to start it again.",
			v.Handover.ExpiresAt.In(portal.Pacific()).Format("2 Jan 2006"), v.Handover.FromName)
	}
	return portal.Errorf(portal.ECONFLICT, "This handover is no longer waiting for an answer (%s).", v.Status)
}

// cancelHandoversOf cancels, inside tx, the worksite's open handover from
// or to a person whose membership or administrator role has just ended
// (portal.InvHandoverBetweenMembers).
func (a *App) cancelHandoversOf(
	ctx context.Context,
	tx *store.Tx,
	meta portal.RequestMeta,
	actorKind, actorID string,
	ws portal.WorksiteID,
	id portal.AccountID,
) error {
	cancelled, err := tx.CancelHandoversOf(ctx, ws, id, a.now())
	if err != nil {
		return err
	}
	for _, h := range cancelled {
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: actorKind, actorID: actorID, action: "worksite.handover_cancelled",
			subjectKind: "handover", subjectID: handoverRef(h.ID), worksiteID: int64(ws),
			details: map[string]string{"to": accountRef(h.ToAccountID), "because": "account " + accountRef(id) + " changed place"}}); err != nil {
			return err
		}
	}
	return nil
}

// LeaveWorksite ends the person's own membership of a worksite. The last
// site administrator cannot leave: they hand the worksite over first.
func (a *App) LeaveWorksite(
	ctx context.Context,
	meta portal.RequestMeta,
	actor *portal.Account,
	ws portal.WorksiteID,
) (*portal.Worksite, error) {
	m, err := a.DB.Read().FindMember(ctx, ws, actor.ID)
	if err != nil && !store.IsNotFound(err) {
		return nil, err
	}
	if m == nil || m.Status != portal.MemberActive {
		return nil, notFoundWorksite
	}
	w, err := a.DB.Read().FindWorksiteByID(ctx, ws)
	if err != nil {
		return nil, err
	}
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.FindWorksiteByIDForUpdate(ctx, ws); err != nil {
			return err
		}
		// The role as it is now: a handover accepted meanwhile made it member.
		cur, err := tx.FindMember(ctx, ws, actor.ID)
		if err != nil {
			return err
		}
		if cur.IsAdmin() {
			n, err := tx.CountActiveAdmins(ctx, ws)
			if err != nil {
				return err
			}
			if n <= 1 {
				return portal.Errorf(
					portal.EINVALID,
					"You are the only site administrator of %s. Hand the worksite over to another member before you leave.",
					w.Name,
				)
			}
		}
		ok, err := a.endMembershipTx(
			ctx,
			tx,
			meta,
			portal.ActorAccount,
			accountRef(actor.ID),
			actor.ID,
			w,
			cur,
			"worksite.member_left",
		)
		if err != nil {
			return err
		}
		if !ok {
			return portal.Errorf(portal.ECONFLICT, "You are no longer a member of %s.", w.Name)
		}
		return a.enqueue(ctx, tx, "membership_left", actor.Email, actor.ID, mail.MembershipLeft{
			Common: a.common(actor.DisplayName()), WorksiteName: w.Name})
	})
	if err != nil {
		return nil, err
	}
	return w, nil
}

// InactiveAdminWorksites lists, for the CareConnect team, the worksites
// whose every site administrator has not signed in to the portal for
// portal.InactiveAdminAfter.
func (a *App) InactiveAdminWorksites(ctx context.Context, staff *portal.Staff) ([]portal.InactiveAdminWorksite, error) {
	if err := requireOfficer(staff); err != nil {
		return nil, err
	}
	return a.DB.Read().FindInactiveAdminWorksites(ctx, a.now().Add(-portal.InactiveAdminAfter))
}

// AppointmentView is what the team sees before appointing an administrator.
type AppointmentView struct {
	Worksite   *portal.Worksite
	Admins     []*portal.Membership
	Candidates []*portal.Membership // active members who are not administrators
	LastSignIn time.Time
}

// inactiveWorksite finds a worksite among those whose administrators are
// inactive; any other is not open to the team's appointment.
func (a *App) inactiveWorksite(ctx context.Context, ws portal.WorksiteID) (*portal.InactiveAdminWorksite, error) {
	list, err := a.DB.Read().FindInactiveAdminWorksites(ctx, a.now().Add(-portal.InactiveAdminAfter))
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].Worksite.ID == ws {
			return &list[i], nil
		}
	}
	return nil, portal.Errorf(
		portal.ENOTFOUND,
		"That worksite has an administrator who signed in within the last %d days: the team appoints none there.",
		int(portal.InactiveAdminAfter/(24*time.Hour)),
	)
}

// Appointment returns an inactive worksite and the members the team may
// appoint as its administrator.
func (a *App) Appointment(ctx context.Context, staff *portal.Staff, ws portal.WorksiteID) (*AppointmentView, error) {
	if err := requireOfficer(staff); err != nil {
		return nil, err
	}
	iw, err := a.inactiveWorksite(ctx, ws)
	if err != nil {
		return nil, err
	}
	members, err := a.DB.Read().FindWorksiteMembers(ctx, ws)
	if err != nil {
		return nil, err
	}
	v := &AppointmentView{Worksite: iw.Worksite, Admins: iw.Admins, LastSignIn: iw.LastSignIn}
	for _, m := range members {
		if m.Status == portal.MemberActive && m.Role != portal.RoleSiteAdmin {
			v.Candidates = append(v.Candidates, m)
		}
	}
	return v, nil
}

// AppointSiteAdmin makes a member of a worksite whose administrators are
// all inactive its site administrator, for the CareConnect team. The
// inactive administrators keep their role; all of them and the new one are
// emailed.
func (a *App) AppointSiteAdmin(
	ctx context.Context,
	meta portal.RequestMeta,
	staff *portal.Staff,
	ws portal.WorksiteID,
	member portal.AccountID,
) (*portal.Membership, error) {
	v, err := a.Appointment(ctx, staff, ws)
	if err != nil {
		return nil, err
	}
	var m *portal.Membership
	for _, c := range v.Candidates {
		if c.AccountID == member {
			m = c
		}
	}
	if m == nil {
		return nil, portal.FieldErrors{
			"member": "Choose an active member of " + v.Worksite.Name + " who is not its administrator.",
		}
	}
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.FindWorksiteByIDForUpdate(ctx, ws); err != nil {
			return err
		}
		cur, err := tx.FindMember(ctx, ws, member)
		if err != nil || cur.Status != portal.MemberActive || cur.Role == portal.RoleSiteAdmin {
			return portal.Errorf(
				portal.ECONFLICT,
				"%s's place at %s changed meanwhile. Look at the worksite again.",
				m.Name,
				v.Worksite.Name,
			)
		}
		if err := tx.SetMemberRole(ctx, ws, member, portal.RoleSiteAdmin); err != nil {
			return err
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorStaff, actorID: staffRef(staff.ID),
			action: "worksite.admin_appointed", subjectKind: "account", subjectID: accountRef(member), worksiteID: int64(ws),
			details: map[string]string{"inactive_since": v.LastSignIn.Format(time.RFC3339)}}); err != nil {
			return err
		}
		url := a.Config.BaseURL + "/worksites/" + worksiteRef(ws)
		if err := a.enqueue(ctx, tx, "worksite_admin_appointed", m.Email, m.AccountID, mail.WorksiteAdminAppointed{
			Common: a.common(m.Name), AppointedName: m.Name, WorksiteName: v.Worksite.Name, ToAppointed: true, WorksiteURL: url}); err != nil {
			return err
		}
		for _, adm := range v.Admins {
			if err := a.enqueue(ctx, tx, "worksite_admin_appointed", adm.Email, adm.AccountID, mail.WorksiteAdminAppointed{
				Common: a.common(adm.Name), AppointedName: m.Name, WorksiteName: v.Worksite.Name, WorksiteURL: url}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	m.Role = portal.RoleSiteAdmin
	return m, nil
}

// endMembershipTx ends m's membership of w inside tx as action (audited),
// cancels the handovers it ends, and applies the access rules to m and the
// people m sponsors there. It reports false when the membership had
// already ended.
func (a *App) endMembershipTx(
	ctx context.Context,
	tx *store.Tx,
	meta portal.RequestMeta,
	actorKind, actorID string,
	by portal.AccountID,
	w *portal.Worksite,
	m *portal.Membership,
	action string,
) (bool, error) {
	ok, err := tx.Decommission(ctx, w.ID, m.AccountID, by, a.now())
	if err != nil || !ok {
		return false, err
	}
	if err := a.audit(ctx, tx, meta, auditEvent{actorKind: actorKind, actorID: actorID, action: action,
		subjectKind: "account", subjectID: accountRef(m.AccountID), worksiteID: int64(w.ID)}); err != nil {
		return false, err
	}
	if err := a.cancelHandoversOf(ctx, tx, meta, actorKind, actorID, w.ID, m.AccountID); err != nil {
		return false, err
	}
	return true, a.membershipEnded(ctx, tx, meta, m.AccountID, w, lapseCause{code: LapseDecommissioned,
		dependants: fmt.Sprintf("%s no longer belongs to %s, the worksite you shared.", m.Name, w.Name),
		self:       fmt.Sprintf("You no longer belong to %s, the worksite you shared with your authorizer.", w.Name)})
}
