package app

import (
	"context"
	"slices"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

var notFoundPerson = portal.Errorf(portal.ENOTFOUND, "That person does not exist.")

// viewedPerson records that a member of the CareConnect team looked at a
// person's record: every such view is audited.
func (a *App) viewedPerson(
	ctx context.Context,
	meta portal.RequestMeta,
	staff *portal.Staff,
	account portal.AccountID,
	page string,
	details map[string]any,
) error {
	if details == nil {
		details = map[string]any{}
	}
	details["page"] = page
	return a.DB.InTx(ctx, func(tx *store.Tx) error {
		return a.audit(
			ctx,
			tx,
			meta,
			auditEvent{actorKind: portal.ActorStaff, actorID: staffRef(staff.ID), action: "staff.viewed_person",
				subjectKind: "account", subjectID: accountRef(account), details: details},
		)
	})
}

// JoinedVia says how a person came to belong to a worksite.
type JoinedVia struct {
	How string // "registered", "join_request", "invitation" or "" when not recorded
	By  string // who approved the request or sent the invitation
	At  time.Time
}

// ReviewWorksite is a worksite named on a request, as an officer sees it.
type ReviewWorksite struct {
	Worksite   *portal.Worksite
	Membership *portal.Membership // nil when the person is no longer a member
	Joined     JoinedVia
}

// RequestReview is everything an officer needs to decide a request.
type RequestReview struct {
	Request       *portal.AccessRequest
	Account       *portal.Account
	Worksites     []ReviewWorksite
	Prerequisites []*PrerequisiteStatus
	Sponsorships  []*portal.Sponsorship
	// Sponsors is where each sponsor of an on-behalf-of user stands today:
	// their active and pending sponsorships and those named on the request.
	Sponsors      []portal.SponsorStanding
	OnBehalfOf    bool               // the person needs an authorizer
	AllowedScopes []portal.DataScope // what the policy allows the person now
	Events        []portal.AccessRequestEvent
	Checks        []portal.Check
	ClaimedBy     string // the claiming officer's name
	DecidedBy     string // the deciding officer's name
	ClaimedByYou  bool
}

// ReviewAccessRequest gathers a request for an officer, and records the
// view of the person's record in the audit trail.
func (a *App) ReviewAccessRequest(
	ctx context.Context,
	meta portal.RequestMeta,
	staff *portal.Staff,
	id portal.AccessRequestID,
) (*RequestReview, error) {
	r, acct, err := a.requestForDecision(ctx, staff, id)
	if err != nil {
		return nil, err
	}
	q := a.DB.Read()
	rv := &RequestReview{Request: r, Account: acct, ClaimedByYou: r.ClaimedBy == staffRef(staff.ID)}
	worksites, err := q.FindRequestWorksites(ctx, []portal.AccessRequestID{r.ID})
	if err != nil {
		return nil, err
	}
	sponsors, err := q.FindRequestSponsorships(ctx, []portal.AccessRequestID{r.ID})
	if err != nil {
		return nil, err
	}
	rv.Sponsorships = sponsors[r.ID]
	if rv.Worksites, err = a.reviewWorksites(ctx, acct, worksites[r.ID]); err != nil {
		return nil, err
	}
	if rv.Prerequisites, err = a.prerequisiteStatuses(ctx, acct); err != nil {
		return nil, err
	}
	if rv.AllowedScopes, _, err = a.AllowedScopes(ctx, acct); err != nil {
		return nil, err
	}
	names, err := a.staffNames(ctx)
	if err != nil {
		return nil, err
	}
	if rv.Events, err = q.FindAccessRequestEvents(ctx, r.ID); err != nil {
		return nil, err
	}
	for i, e := range rv.Events {
		if e.ActorKind == portal.ActorStaff {
			rv.Events[i].ActorName = names.of(e.ActorID)
		}
	}
	rv.ClaimedBy, rv.DecidedBy = names.of(r.ClaimedBy), names.of(r.DecidedBy)
	if rv.OnBehalfOf = acct.UserType().NeedsAuthorizer(); rv.OnBehalfOf {
		if rv.Sponsors, err = a.reviewStandings(ctx, acct, rv.Sponsorships); err != nil {
			return nil, err
		}
	}
	var active []portal.SponsorStanding
	for _, s := range rv.Sponsors {
		if s.Sponsorship.Status == portal.SponsorActive {
			active = append(active, s)
		}
	}
	rv.Checks = portal.CheckRequest(
		portal.CheckInput{Account: acct, Worksites: worksites[r.ID], Sponsorships: rv.Sponsorships,
			Today: a.today(), OnBehalfOf: rv.OnBehalfOf, Sponsors: active},
	)
	rv.Checks = append(rv.Checks, a.licenceCheck(ctx, acct))
	if err := a.viewedPerson(ctx, meta, staff, acct.ID, "access_request", map[string]any{"request": r.ID}); err != nil {
		return nil, err
	}
	return rv, nil
}

// reviewStandings says where an on-behalf-of user's sponsors stand: those
// of their active and pending sponsorships and of the ones named on the
// request.
func (a *App) reviewStandings(
	ctx context.Context,
	acct *portal.Account,
	named []*portal.Sponsorship,
) ([]portal.SponsorStanding, error) {
	all, err := a.sponsorStandings(
		ctx,
		a.DB.Read(),
		[]portal.AccountID{acct.ID},
		map[portal.AccountID]bool{acct.ID: IsResident(acct)},
	)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(s portal.SponsorStanding) bool {
		st := s.Sponsorship.Status
		return st != portal.SponsorActive && st != portal.SponsorPending &&
			!slices.ContainsFunc(named, func(n *portal.Sponsorship) bool { return n.ID == s.Sponsorship.ID })
	}), nil
}

func (a *App) prerequisiteStatuses(ctx context.Context, acct *portal.Account) ([]*PrerequisiteStatus, error) {
	cs, err := a.DB.Read().FindCompletions(ctx, acct.ID)
	if err != nil {
		return nil, err
	}
	var out []*PrerequisiteStatus
	for _, p := range portal.Prerequisites {
		out = append(out, prerequisiteStatus(acct, p.Code, cs))
	}
	return out, nil
}

// reviewWorksites adds to each worksite the person's membership and how it
// came about: registering the worksite, a request approved by a site
// administrator, or an accepted invitation.
func (a *App) reviewWorksites(
	ctx context.Context,
	acct *portal.Account,
	ws []*portal.Worksite,
) ([]ReviewWorksite, error) {
	q := a.DB.Read()
	members, err := q.FindAccountMemberships(ctx, acct.ID)
	if err != nil {
		return nil, err
	}
	joins, err := q.FindJoinRequests(ctx, store.JoinRequestFilter{AccountID: acct.ID, Status: portal.RequestApproved})
	if err != nil {
		return nil, err
	}
	invites, err := q.FindAcceptedInvitations(ctx, acct.ID)
	if err != nil {
		return nil, err
	}
	out := make([]ReviewWorksite, 0, len(ws))
	for _, w := range ws {
		rw := ReviewWorksite{Worksite: w}
		for _, m := range members {
			if m.WorksiteID == w.ID && m.Status == portal.MemberActive {
				rw.Membership = m
			}
		}
		switch {
		case w.RegisteredBy == acct.ID:
			rw.Joined = JoinedVia{How: "registered", At: w.CreatedAt}
		default:
			for _, j := range joins { // newest first
				if j.WorksiteID == w.ID {
					rw.Joined = JoinedVia{How: "join_request", By: j.DeciderName, At: j.DecidedAt}
					break
				}
			}
			if rw.Joined.How == "" {
				for _, inv := range invites {
					if inv.WorksiteID == w.ID {
						rw.Joined = JoinedVia{How: "invitation", By: inv.InviterName, At: inv.DecidedAt}
						break
					}
				}
			}
		}
		out = append(out, rw)
	}
	return out, nil
}

// PersonRecord is a person's record as the CareConnect team sees it.
type PersonRecord struct {
	Account       *portal.Account
	Memberships   []*portal.Membership
	Requests      []*portal.AccessRequest // newest first
	Current       *portal.AccessRequest   // the request that holds their access, if any
	Actions       []portal.AccessAction   // what may be done to it now
	Prerequisites []*PrerequisiteStatus
	Sponsorships  []*portal.Sponsorship
	DecidedBy     map[portal.AccessRequestID]string // the deciding officers' names
	// Licence is what the daily licence check last recorded; nil when it
	// never checked this person.
	Licence *portal.LicenceStanding
}

// Person gathers a person's record for an officer, and records the view in
// the audit trail.
func (a *App) Person(
	ctx context.Context,
	meta portal.RequestMeta,
	staff *portal.Staff,
	id portal.AccountID,
) (*PersonRecord, error) {
	if err := requireOfficer(staff); err != nil {
		return nil, err
	}
	q := a.DB.Read()
	acct, err := q.FindAccountByID(ctx, id)
	if store.IsNotFound(err) {
		return nil, notFoundPerson
	}
	if err != nil {
		return nil, err
	}
	p := &PersonRecord{Account: acct, DecidedBy: map[portal.AccessRequestID]string{}}
	if p.Memberships, err = q.FindAccountMemberships(ctx, id); err != nil {
		return nil, err
	}
	if p.Requests, err = q.FindAccessRequestsByAccount(ctx, id); err != nil {
		return nil, err
	}
	if p.Prerequisites, err = a.prerequisiteStatuses(ctx, acct); err != nil {
		return nil, err
	}
	if p.Sponsorships, err = q.FindSponsorships(ctx, store.SponsorshipFilter{OBOAccountID: id}); err != nil {
		return nil, err
	}
	names, err := a.staffNames(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range p.Requests {
		p.DecidedBy[r.ID] = names.of(r.DecidedBy)
	}
	if p.Current = currentAccess(p.Requests); p.Current != nil {
		p.Actions = portal.AccessActionsFrom(p.Current.Status)
	}
	if p.Licence, err = q.FindLicenceStanding(ctx, id); err != nil && !store.IsNotFound(err) {
		return nil, err
	}
	if err := a.viewedPerson(ctx, meta, staff, id, "person", nil); err != nil {
		return nil, err
	}
	return p, nil
}
