package app

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/mail"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

func sponsorshipRef(id portal.SponsorshipID) string { return strconv.FormatInt(int64(id), 10) }

// notFoundSponsorship hides whether a sponsorship exists from everyone but
// the two people it concerns.
var notFoundSponsorship = portal.Errorf(
	portal.ENOTFOUND,
	"That sponsorship request does not exist, or you do not have access to it.",
)

// NeedsResidentRoute reports whether the account is a medical resident who
// has not yet chosen between being sponsored and working independently.
func NeedsResidentRoute(acct *portal.Account) bool {
	return IsResident(acct) && acct.ResidentRoute != portal.ResidentIndependent &&
		acct.ResidentRoute != portal.ResidentSponsored
}

// IsResident reports whether the account is a medical resident, who gives
// residency dates when asking for a sponsorship.
func IsResident(acct *portal.Account) bool {
	return acct.Profession == portal.ProfPhysician && acct.IsResident
}

// today is the current date in British Columbia, YYYY-MM-DD.
func (a *App) today() string { return a.now().In(portal.Pacific()).Format(time.DateOnly) }

// readableDate shows a YYYY-MM-DD date as "30 Jun 2027".
func readableDate(d string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return d
	}
	return t.Format("2 Jan 2006")
}

// requireOnBehalfOf checks that the person is one who needs an authorizer.
func requireOnBehalfOf(actor *portal.Account) error {
	if NeedsResidentRoute(actor) {
		return portal.Errorf(
			portal.EFORBIDDEN,
			"As a medical resident, first choose whether an authorizer will sponsor you for your residency or you will use CareConnect on your own, under Authorizer on the Main Menu.",
		)
	}
	ut := actor.UserType()
	if !ut.NeedsAuthorizer() {
		return portal.Errorf(
			portal.EFORBIDDEN,
			"Your user type (%s) does not work on behalf of an authorizer, so there is no sponsorship to ask for.",
			ut.Label(),
		)
	}
	return nil
}

// ChooseResidentRoute records a medical resident's choice: to be
// sponsored by an authorizer for the residency, or to use CareConnect as an
// independent user. A resident with an open sponsorship stays sponsored
// until it is declined, revoked or ended.
func (a *App) ChooseResidentRoute(
	ctx context.Context,
	meta portal.RequestMeta,
	actor *portal.Account,
	route portal.ResidentRoute,
) error {
	if !IsResident(actor) {
		return portal.Errorf(
			portal.EFORBIDDEN,
			"Only medical residents choose between sponsorship and independent use.",
		)
	}
	if route != portal.ResidentIndependent && route != portal.ResidentSponsored {
		return portal.FieldErrors{"route": "Choose how you will use CareConnect."}
	}
	if route == actor.ResidentRoute {
		return nil
	}
	if route == portal.ResidentIndependent {
		open, err := a.DB.Read().FindSponsorships(ctx, store.SponsorshipFilter{OBOAccountID: actor.ID,
			Statuses: []string{portal.SponsorPending, portal.SponsorActive}})
		if err != nil {
			return err
		}
		if len(open) > 0 {
			return portal.Errorf(
				portal.ECONFLICT,
				"You have a sponsorship request with %s that is pending or active. It must be declined or revoked before you can use CareConnect on your own.",
				open[0].AuthorizerName,
			)
		}
	}
	if route == portal.ResidentSponsored && actor.ResidentRoute == portal.ResidentIndependent {
		// Access granted in the resident's own name would otherwise carry
		// on as on-behalf-of access with no sponsor behind it.
		reqs, err := a.DB.Read().FindAccessRequestsByAccount(ctx, actor.ID)
		if err != nil {
			return err
		}
		for _, r := range reqs {
			if r.Open() {
				return portal.Errorf(
					portal.ECONFLICT,
					"Your CareConnect access request, made as an independent user, is waiting for the CareConnect team. You can choose sponsorship once it is decided and you hold no access in your own name.",
				)
			}
		}
		if cur := currentAccess(reqs); cur != nil &&
			(cur.Status == portal.ARApproved || cur.Status == portal.ARSuspended) {
			return portal.Errorf(
				portal.ECONFLICT,
				"You hold CareConnect access as an independent user (%s). To be sponsored by an authorizer instead, ask the CareConnect team to remove that access first.",
				strings.ToLower(cur.StatusLabel()),
			)
		}
	}
	previous := actor.ResidentRoute
	err := a.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.SetResidentRoute(ctx, actor.ID, route, a.now()); err != nil {
			return err
		}
		return a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(actor.ID),
			action: "account.resident_route_chosen", subjectKind: "account", subjectID: accountRef(actor.ID),
			details: map[string]string{"route": string(route), "previous": string(previous)}})
	})
	if err != nil {
		return err
	}
	actor.ResidentRoute = route
	return nil
}

// SponsorCandidate is an authorizer an on-behalf-of user works with, at a
// worksite they share, and whether they may be asked now.
type SponsorCandidate struct {
	portal.SponsorCandidate
	Eligible bool   // portal.SponsorEligible
	Reason   string // why not, a portal.Sponsor* code
}

// SponsorshipCandidates lists the authorizers an on-behalf-of user works
// with: people of an authorizing user type who are active members of an
// approved worksite where the user is an active member too, each with that
// worksite. Only the eligible ones may be asked (portal.SponsorEligible:
// their own CareConnect access approved and active; for a resident, an
// enrolled physician); the others come with the reason. query, when given,
// narrows the list by name or email.
func (a *App) SponsorshipCandidates(
	ctx context.Context,
	actor *portal.Account,
	query string,
) ([]SponsorCandidate, error) {
	if err := requireOnBehalfOf(actor); err != nil {
		return nil, err
	}
	all, err := a.DB.Read().FindSponsorCandidates(ctx, actor.ID, query)
	if err != nil {
		return nil, err
	}
	var ids []portal.AccountID
	for _, c := range all {
		ids = append(ids, c.Account.ID)
	}
	access, err := a.DB.Read().FindAccessStatuses(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []SponsorCandidate
	today, resident := a.today(), IsResident(actor)
	for _, c := range all {
		if !c.Account.UserType().CanAuthorize() {
			continue
		}
		ok, reason := portal.SponsorEligible(portal.SponsorStanding{Authorizer: c.Account, Access: access[c.Account.ID],
			SharesWorksite: true, Resident: resident, Today: today})
		out = append(out, SponsorCandidate{SponsorCandidate: c, Eligible: ok, Reason: reason})
	}
	return out, nil
}

// RequestSponsorship asks an authorizer who shares a worksite with the
// person to let them work on the authorizer's behalf. Residents give the
// dates of their residency. The authorizer is emailed a link to the
// request.
func (a *App) RequestSponsorship(
	ctx context.Context,
	meta portal.RequestMeta,
	actor *portal.Account,
	in portal.SponsorshipInput,
) (*portal.Sponsorship, error) {
	if err := requireOnBehalfOf(actor); err != nil {
		return nil, err
	}
	in.AuthorizerID, in.WorksiteID = strings.TrimSpace(in.AuthorizerID), strings.TrimSpace(in.WorksiteID)
	fe := in.Validate(IsResident(actor), a.today())
	authID, aerr := strconv.ParseInt(in.AuthorizerID, 10, 64)
	wsID, werr := strconv.ParseInt(in.WorksiteID, 10, 64)
	if in.AuthorizerID != "" && (aerr != nil || werr != nil) {
		fe.Add("authorizer", "Choose the authorizer you work for from the list.")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	candidates, err := a.SponsorshipCandidates(ctx, actor, "")
	if err != nil {
		return nil, err
	}
	var chosen *SponsorCandidate
	for i, c := range candidates {
		if int64(c.Account.ID) == authID && int64(c.WorksiteID) == wsID {
			chosen = &candidates[i]
		}
	}
	if chosen == nil {
		return nil, portal.Errorf(
			portal.ENOTFOUND,
			"That person is not an authorizer who shares an approved worksite with you.",
		)
	}
	if !chosen.Eligible {
		return nil, portal.Errorf(
			portal.ECONFLICT,
			"%s cannot sponsor you yet: %s. Ask an authorizer who has CareConnect access.",
			chosen.Account.DisplayName(),
			portal.SponsorReasonText(chosen.Reason),
		)
	}
	auth := chosen.Account
	s := &portal.Sponsorship{OBOAccountID: actor.ID, AuthorizerAccountID: auth.ID, WorksiteID: chosen.WorksiteID,
		ResidencyStart: in.ResidencyStart, ResidencyEnd: in.ResidencyEnd, Message: in.Message, CreatedAt: a.now(),
		OBOName: actor.DisplayName(), OBOEmail: actor.Email, AuthorizerName: auth.DisplayName(), AuthorizerEmail: auth.Email,
		WorksiteName: chosen.WorksiteName}
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateSponsorship(ctx, s); err != nil {
			return err
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(actor.ID),
			action: "sponsorship.requested", subjectKind: "sponsorship", subjectID: sponsorshipRef(s.ID), worksiteID: int64(s.WorksiteID),
			details: map[string]string{"authorizer": accountRef(auth.ID), "residency_start": s.ResidencyStart,
				"residency_end": s.ResidencyEnd, "message": s.Message}}); err != nil {
			return err
		}
		data := mail.SponsorshipRequested{Common: a.common(auth.DisplayName()), RequesterName: actor.DisplayName(),
			RequesterEmail: actor.Email, WorksiteName: s.WorksiteName, Message: s.Message,
			RequestURL: a.sponsorshipURL(s.ID)}
		if s.IsResidency() {
			data.ResidencyStart, data.ResidencyEnd = readableDate(s.ResidencyStart), readableDate(s.ResidencyEnd)
		}
		return a.enqueue(ctx, tx, "sponsorship_requested", auth.Email, auth.ID, data)
	})
	if store.IsConflictOn(err, "pending_key") {
		return nil, a.openSponsorshipConflict(ctx, actor.ID, auth)
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// openSponsorshipConflict explains why a second request to the same
// authorizer was refused.
func (a *App) openSponsorshipConflict(ctx context.Context, obo portal.AccountID, auth *portal.Account) error {
	open, err := a.DB.Read().
		FindSponsorships(ctx, store.SponsorshipFilter{OBOAccountID: obo, AuthorizerAccountID: auth.ID,
			Statuses: []string{portal.SponsorPending, portal.SponsorActive}})
	if err != nil {
		return err
	}
	if len(open) > 0 && open[0].Status == portal.SponsorActive {
		return portal.Errorf(portal.ECONFLICT, "%s already sponsors you.", auth.DisplayName())
	}
	return portal.Errorf(
		portal.ECONFLICT,
		"You have already asked %s. Your request is waiting for them.",
		auth.DisplayName(),
	)
}

func (a *App) sponsorshipURL(id portal.SponsorshipID) string {
	return a.Config.BaseURL + "/sponsorships/" + sponsorshipRef(id)
}

// Sponsorship returns a sponsorship to the on-behalf-of user and to the
// authorizer; to anyone else it does not exist.
func (a *App) Sponsorship(
	ctx context.Context,
	actor *portal.Account,
	id portal.SponsorshipID,
) (*portal.Sponsorship, error) {
	s, err := a.DB.Read().FindSponsorshipByID(ctx, id)
	if store.IsNotFound(err) {
		return nil, notFoundSponsorship
	}
	if err != nil {
		return nil, err
	}
	if s.OBOAccountID != actor.ID && s.AuthorizerAccountID != actor.ID {
		return nil, notFoundSponsorship
	}
	return s, nil
}

// authorizerSponsorship returns a sponsorship its authorizer may act on.
func (a *App) authorizerSponsorship(
	ctx context.Context,
	actor *portal.Account,
	id portal.SponsorshipID,
) (*portal.Sponsorship, error) {
	s, err := a.Sponsorship(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if s.AuthorizerAccountID != actor.ID {
		return nil, portal.Errorf(
			portal.EFORBIDDEN,
			"Only %s, the authorizer you asked, can decide on or end this sponsorship.",
			s.AuthorizerName,
		)
	}
	return s, nil
}

// DecideSponsorship approves or declines a request to work on the
// authorizer's behalf (a reason is required to decline). When two
// decisions race exactly one stands; the other is told what happened.
func (a *App) DecideSponsorship(
	ctx context.Context,
	meta portal.RequestMeta,
	actor *portal.Account,
	id portal.SponsorshipID,
	approve bool,
	reason string,
) (*portal.Sponsorship, error) {
	s, err := a.authorizerSponsorship(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if err := portal.ValidateReason(reason, !approve); err != nil {
		return nil, err
	}
	if s.Status != portal.SponsorPending {
		return s, a.alreadyDecided(s)
	}
	if approve {
		if err := a.mayApproveSponsorship(ctx, actor, s); err != nil {
			return nil, err
		}
	}
	status := portal.SponsorActive
	if !approve {
		status = portal.SponsorDeclined
	}
	now := a.now()
	decided := false
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		ok, err := tx.DecideSponsorship(ctx, id, approve, reason, now)
		if err != nil || !ok {
			return err
		}
		decided = true
		action := "sponsorship.approved"
		if !approve {
			action = "sponsorship.declined"
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(actor.ID),
			action: action, subjectKind: "sponsorship", subjectID: sponsorshipRef(id), worksiteID: int64(s.WorksiteID),
			details: map[string]string{"obo": accountRef(s.OBOAccountID), "reason": reason}}); err != nil {
			return err
		}
		if approve {
			// A provisioned person's sponsors show in the provisioning API.
			if err := a.provisioningTouch(ctx, tx, s.OBOAccountID, "sponsors"); err != nil {
				return err
			}
		}
		data := mail.SponsorshipDecided{
			Common:         a.common(s.OBOName),
			AuthorizerName: s.AuthorizerName,
			WorksiteName:   s.WorksiteName,
			Approved:       approve,
			Reason:         reason,
			SponsorshipURL: a.sponsorshipURL(id),
			EnrolmentURL:   a.Config.BaseURL + "/application/request",
		}
		if s.IsResidency() {
			data.ResidencyEnd = readableDate(s.ResidencyEnd)
		}
		return a.enqueue(ctx, tx, "sponsorship_decided", s.OBOEmail, s.OBOAccountID, data)
	})
	if err != nil {
		return nil, err
	}
	if !decided {
		cur, err := a.DB.Read().FindSponsorshipByID(ctx, id)
		if err != nil {
			return nil, err
		}
		return cur, a.alreadyDecided(cur)
	}
	s.Status, s.Reason, s.DecidedAt = status, reason, now
	return s, nil
}

// mayApproveSponsorship checks that the authorizer may take on the
// sponsorship now (portal.SponsorEligible), and says why not.
func (a *App) mayApproveSponsorship(ctx context.Context, actor *portal.Account, s *portal.Sponsorship) error {
	shared, err := a.DB.Read().SharesApprovedWorksite(ctx, s.OBOAccountID, actor.ID, s.WorksiteID)
	if err != nil {
		return err
	}
	access, err := a.DB.Read().FindAccessStatuses(ctx, []portal.AccountID{actor.ID})
	if err != nil {
		return err
	}
	_, reason := portal.SponsorEligible(
		portal.SponsorStanding{Authorizer: actor, Access: access[actor.ID], SharesWorksite: shared,
			Sponsorship: s, Today: a.today()},
	)
	switch reason {
	case "":
	case portal.SponsorNotAuthorizer:
		return portal.Errorf(
			portal.EFORBIDDEN,
			"Your user type (%s) cannot approve people to work on your behalf.",
			actor.UserType().Label(),
		)
	case portal.SponsorNoSharedWorksite:
		return portal.Errorf(
			portal.ECONFLICT,
			"You and %s are no longer both active members of %s, or it is no longer approved, "+
				"so this request cannot be approved. Decline it instead.",
			s.OBOName,
			s.WorksiteName,
		)
	case portal.SponsorAccessNotApproved:
		return portal.Errorf(
			portal.ECONFLICT,
			"Your own CareConnect access is not approved and active, so you cannot sponsor anyone now. "+
				"You can approve this request once your access is approved, or decline it.",
		)
	case portal.SponsorNotPhysician:
		return portal.Errorf(portal.ECONFLICT, "A medical resident's authorizer must be an enrolled physician, "+
			"so you cannot sponsor %s's residency. Decline the request instead.", s.OBOName)
	default:
		return portal.Errorf(portal.ECONFLICT, "You cannot sponsor anyone now: %s.", portal.SponsorReasonText(reason))
	}
	if s.IsResidency() && s.ResidencyEnd < a.today() {
		return portal.Errorf(
			portal.ECONFLICT,
			"The residency in this request ended on %s, so it cannot be approved. Decline it instead.",
			readableDate(s.ResidencyEnd),
		)
	}
	return nil
}

// alreadyDecided says what became of a request that is no longer pending.
func (a *App) alreadyDecided(s *portal.Sponsorship) error {
	when := func(t time.Time) string { return t.In(portal.Pacific()).Format("2 Jan 2006 at 3:04 PM") }
	switch s.Status {
	case portal.SponsorActive:
		return portal.Errorf(portal.ECONFLICT, "This request was already approved on %s.", when(s.DecidedAt))
	case portal.SponsorDeclined:
		return portal.Errorf(portal.ECONFLICT, "This request was already declined on %s.", when(s.DecidedAt))
	case portal.SponsorWithdrawn:
		return portal.Errorf(portal.ECONFLICT, "%s ended this sponsorship on %s.", s.OBOName, when(s.EndedAt))
	default:
		return portal.Errorf(
			portal.ECONFLICT,
			"This sponsorship has already ended (%s on %s).",
			s.Status,
			when(s.EndedAt),
		)
	}
}

// RevokeSponsorship ends an active sponsorship at once, at any time, at
// the wish of either side: the authorizer revokes it (the on-behalf-of
// user is emailed) or the on-behalf-of user withdraws from it (the
// authorizer is emailed). If no other sponsor who qualifies remains, the
// on-behalf-of user's access lapses with it (see lapseDependants).
func (a *App) RevokeSponsorship(
	ctx context.Context,
	meta portal.RequestMeta,
	actor *portal.Account,
	id portal.SponsorshipID,
	reason string,
) (*portal.Sponsorship, error) {
	s, err := a.Sponsorship(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	byOBO := s.OBOAccountID == actor.ID
	reason = strings.TrimSpace(reason)
	if err := portal.ValidateReason(reason, false); err != nil {
		return nil, err
	}
	if s.Status != portal.SponsorActive {
		return nil, portal.Errorf(
			portal.ECONFLICT,
			"Only an active sponsorship can be ended; this one is %s.",
			s.Status,
		)
	}
	now := a.now()
	status, action, cause := portal.SponsorRevoked, "sponsorship.revoked", lapseCause{code: LapseSponsorshipRevoked,
		self: fmt.Sprintf("%s ended your sponsorship at %s.", s.AuthorizerName, s.WorksiteName)}
	if byOBO {
		status, action, cause = portal.SponsorWithdrawn, "sponsorship.withdrawn", lapseCause{
			code: LapseSponsorshipWithdrawn,
			self: fmt.Sprintf("You ended your sponsorship by %s at %s.", s.AuthorizerName, s.WorksiteName),
		}
	}
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		change := tx.RevokeSponsorship
		if byOBO {
			change = tx.WithdrawSponsorship
		}
		ok, err := change(ctx, id, reason, now)
		if err != nil {
			return err
		}
		if !ok {
			return portal.Errorf(portal.ECONFLICT, "This sponsorship is no longer active.")
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(actor.ID),
			action: action, subjectKind: "sponsorship", subjectID: sponsorshipRef(id), worksiteID: int64(s.WorksiteID),
			details: map[string]string{"obo": accountRef(s.OBOAccountID), "authorizer": accountRef(s.AuthorizerAccountID),
				"reason": reason}}); err != nil {
			return err
		}
		if err := a.lapseDependants(ctx, tx, meta, s.OBOAccountID, cause); err != nil {
			return err
		}
		if byOBO {
			return a.enqueue(
				ctx,
				tx,
				"sponsorship_withdrawn",
				s.AuthorizerEmail,
				s.AuthorizerAccountID,
				mail.SponsorshipWithdrawn{
					Common: a.common(
						s.AuthorizerName,
					), OBOName: s.OBOName, WorksiteName: s.WorksiteName, Reason: reason},
			)
		}
		return a.sendSponsorshipEnded(ctx, tx, s, true, reason)
	})
	if err != nil {
		return nil, err
	}
	s.Status, s.Reason, s.EndedAt = status, reason, now
	return s, nil
}

// sendSponsorshipEnded emails the on-behalf-of user that the authorizer
// ended the sponsorship, or that it ended with the residency, saying how
// many sponsors who qualify remain.
func (a *App) sendSponsorshipEnded(
	ctx context.Context,
	tx *store.Tx,
	s *portal.Sponsorship,
	revoked bool,
	reason string,
) error {
	obo, err := tx.FindAccountByID(ctx, s.OBOAccountID)
	if err != nil {
		return err
	}
	remaining, err := a.qualifyingSponsors(ctx, tx.Q, obo)
	if err != nil {
		return err
	}
	data := mail.SponsorshipEnded{
		Common:            a.common(s.OBOName),
		AuthorizerName:    s.AuthorizerName,
		WorksiteName:      s.WorksiteName,
		Revoked:           revoked,
		Reason:            reason,
		RemainingSponsors: len(remaining),
	}
	if !revoked {
		data.ResidencyEnd = readableDate(s.ResidencyEnd)
	}
	return a.enqueue(ctx, tx, "sponsorship_ended", s.OBOEmail, s.OBOAccountID, data)
}

// EndResidencies ends the residents' sponsorships whose last day has
// passed in British Columbia and emails the residents. It is a job, safe
// on several instances: each sponsorship ends, and is emailed, once.
func (a *App) EndResidencies(ctx context.Context) (int, error) {
	today := a.today()
	due, err := a.DB.Read().FindDueResidencies(ctx, today)
	if err != nil {
		return 0, err
	}
	meta := portal.RequestMeta{RequestID: "job:residency-end"}
	n := 0
	for _, s := range due {
		ended := false
		err := a.DB.InTx(ctx, func(tx *store.Tx) error {
			ok, err := tx.EndResidency(ctx, s.ID, today, a.now())
			if err != nil || !ok {
				return err
			}
			ended = true
			if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorSystem, actorID: "residency-end",
				action: "sponsorship.ended", subjectKind: "sponsorship", subjectID: sponsorshipRef(s.ID), worksiteID: int64(s.WorksiteID),
				details: map[string]string{"obo": accountRef(s.OBOAccountID), "authorizer": accountRef(s.AuthorizerAccountID),
					"residency_end": s.ResidencyEnd}}); err != nil {
				return err
			}
			cause := lapseCause{
				code: LapseResidencyEnded,
				self: fmt.Sprintf("Your residency ended on %s, and with it your sponsorship by %s.",
					readableDate(s.ResidencyEnd), s.AuthorizerName),
			}
			if err := a.lapseDependants(ctx, tx, meta, s.OBOAccountID, cause); err != nil {
				return err
			}
			return a.sendSponsorshipEnded(ctx, tx, s, false, "")
		})
		if err != nil {
			return n, err
		}
		if ended {
			n++
		}
	}
	return n, nil
}

// ActiveSponsorCount counts the authorizers an account currently works
// for: the sponsors who qualify today (portal.SponsorQualifies). An
// on-behalf-of user's access lapses when it drops to zero.
func (a *App) ActiveSponsorCount(ctx context.Context, account *portal.Account) (int, error) {
	ss, err := a.qualifyingSponsors(ctx, a.DB.Read(), account)
	return len(ss), err
}

// PendingSponsorCount counts an account's requests still waiting for an
// authorizer.
func (a *App) PendingSponsorCount(ctx context.Context, account *portal.Account) (int, error) {
	return a.DB.Read().CountPendingSponsorships(ctx, account.ID)
}

// ActiveSponsors lists the sponsorships through which a sponsor who
// qualifies today lets an account work (portal.SponsorQualifies), newest
// first: the authorizers whose data scopes the account sees.
func (a *App) ActiveSponsors(ctx context.Context, account *portal.Account) ([]*portal.Sponsorship, error) {
	ss, err := a.qualifyingSponsors(ctx, a.DB.Read(), account)
	slices.Reverse(ss)
	return ss, err
}

// SponsorshipOverview is what the Sponsorship page shows a person.
type SponsorshipOverview struct {
	Requested []*portal.Sponsorship // as an on-behalf-of user: every request, newest first
	Pending   []*portal.Sponsorship // as an authorizer: requests waiting for a decision
	Sponsored []*portal.Sponsorship // as an authorizer: the people working on their behalf
}

// Sponsorships returns the person's sponsorships from both sides.
func (a *App) Sponsorships(ctx context.Context, actor *portal.Account) (*SponsorshipOverview, error) {
	r := a.DB.Read()
	out := &SponsorshipOverview{}
	var err error
	if out.Requested, err = r.FindSponsorships(ctx, store.SponsorshipFilter{OBOAccountID: actor.ID}); err != nil {
		return nil, err
	}
	if out.Pending, err = r.FindSponsorships(ctx, store.SponsorshipFilter{AuthorizerAccountID: actor.ID,
		Statuses: []string{portal.SponsorPending}}); err != nil {
		return nil, err
	}
	out.Sponsored, err = r.FindSponsorships(ctx, store.SponsorshipFilter{AuthorizerAccountID: actor.ID,
		Statuses: []string{portal.SponsorActive}})
	return out, err
}

// sponsorshipActions puts the requests waiting for an authorizer in their
// Notification Centre.
func sponsorshipActions(_ *App, _ *portal.Account, m *store.MenuRead) []portal.ActionItem {
	var out []portal.ActionItem
	for _, s := range m.SponsorshipsToDecide {
		out = append(out, portal.ActionItem{Kind: "sponsorship", SubmittedAt: s.CreatedAt,
			Description: fmt.Sprintf("%s would like to work on your behalf at %s.", s.OBOName, s.WorksiteName),
			ViewURL: "/sponsorships/" + sponsorshipRef(
				s.ID,
			), AcceptURL: "/sponsorships/" + sponsorshipRef(s.ID) + "/approve",
			AcceptLabel: "Approve"})
	}
	return out
}

// appendSponsorshipRequests adds the person's own sponsorship requests to
// "Your requests" and keeps the whole list newest first.
func appendSponsorshipRequests(reqs []*portal.Sponsorship, out []portal.YourRequest) []portal.YourRequest {
	for _, s := range reqs {
		r := portal.YourRequest{Kind: "sponsorship", SubmittedAt: s.CreatedAt,
			Description: fmt.Sprintf("Request to work on behalf of %s at %s", s.AuthorizerName, s.WorksiteName),
			ViewURL:     "/sponsorships/" + sponsorshipRef(s.ID)}
		// The Notification Centre speaks of requests as pending, approved or rejected.
		switch s.Status {
		case portal.SponsorPending:
			r.Status = portal.RequestPending
		case portal.SponsorActive:
			r.Status = portal.RequestApproved
			if s.IsResidency() {
				r.Detail = "Active until the end of " + readableDate(s.ResidencyEnd) + "."
			}
		case portal.SponsorDeclined:
			r.Status, r.Detail = portal.RequestRejected, s.Reason
		case portal.SponsorRevoked:
			r.Status, r.Detail = portal.RequestRevoked, strings.TrimSpace("Ended by "+s.AuthorizerName+". "+s.Reason)
		case portal.SponsorWithdrawn:
			r.Status, r.Detail = portal.RequestRevoked, strings.TrimSpace("Ended by you. "+s.Reason)
		case portal.SponsorEnded:
			r.Status, r.Detail = s.Status, "Your residency ended on "+readableDate(s.ResidencyEnd)+"."
		default:
			r.Status = s.Status
		}
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(x, y portal.YourRequest) int { return y.SubmittedAt.Compare(x.SubmittedAt) })
	return out
}
