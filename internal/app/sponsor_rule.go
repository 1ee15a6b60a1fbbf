package app

import (
	"context"
	"slices"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/mail"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// On-behalf-of access lives only through a sponsor who qualifies
// (portal.SponsorQualifies). This file applies that rule: it gathers where
// each sponsor stands, refuses to grant or restore access without one, and
// lets access lapse when the last one stops qualifying.

// Why an on-behalf-of user's access lapsed: the reason code in the audit
// trail, the request's history and the change feed.
const (
	LapseSponsorSuspended     = "sponsor_suspended"      // the CareConnect team suspended the sponsor's access
	LapseSponsorDeprovisioned = "sponsor_deprovisioned"  // the CareConnect team removed the sponsor's access
	LapseSponsorReview        = "sponsor_review_overdue" // the annual review suspended the sponsor's access
	LapseSponsorDormant       = "sponsor_dormant"        // the sponsor's access was suspended as dormant
	LapseSponsorOnLeave       = "sponsor_on_leave"       // the sponsor paused their access for a leave
	LapseDecommissioned       = "decommissioned"         // the sponsor, or the person, left the shared worksite
	LapseSponsorshipRevoked   = "sponsorship_revoked"    // the authorizer ended the sponsorship
	LapseSponsorshipWithdrawn = "sponsorship_withdrawn"  // the person ended the sponsorship
	LapseResidencyEnded       = "residency_ended"        // the residency the sponsorship covered ended
)

// lapseCause says what happened to someone that may leave on-behalf-of
// users without a sponsor who qualifies.
type lapseCause struct {
	code string
	// dependants explains it to the people the account sponsors, e.g.
	// "Dalia DOCTOR's own CareConnect access was suspended."
	dependants string
	// self explains it to the account itself when it is the on-behalf-of
	// user, e.g. "You no longer belong to Kingsgate Mall Clinic."
	self string
}

// sponsorStandings says where each of the sponsors of the given
// on-behalf-of users stands today, through their sponsorships in the
// given statuses (all when none). residents marks the users who are
// medical residents.
func (a *App) sponsorStandings(
	ctx context.Context,
	q store.Q,
	obos []portal.AccountID,
	residents map[portal.AccountID]bool,
	statuses ...string,
) ([]portal.SponsorStanding, error) {
	if len(obos) == 0 {
		return nil, nil
	}
	facts, err := q.FindSponsorFacts(ctx, store.SponsorFactsFilter{OBOAccountIDs: obos, Statuses: statuses})
	if err != nil || len(facts) == 0 {
		return nil, err
	}
	ids := make([]portal.AccountID, len(facts))
	for i, f := range facts {
		ids[i] = f.Sponsorship.AuthorizerAccountID
	}
	accts, err := q.FindAccountsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	return a.standingsOf(facts, accts, residents), nil
}

// standingsOf pairs sponsorships' facts with their authorizers' accounts.
func (a *App) standingsOf(facts []store.SponsorFacts, accts map[portal.AccountID]*portal.Account,
	residents map[portal.AccountID]bool) []portal.SponsorStanding {
	today := a.today()
	out := make([]portal.SponsorStanding, len(facts))
	for i, f := range facts {
		out[i] = portal.SponsorStanding{
			Authorizer:     accts[f.Sponsorship.AuthorizerAccountID],
			Access:         f.AuthorizerAccess,
			SharesWorksite: f.SharesWorksite,
			Resident:       residents[f.Sponsorship.OBOAccountID],
			Sponsorship:    f.Sponsorship,
			Today:          today,
		}
	}
	return out
}

// activeStandings is sponsorStandings for one person's active sponsorships.
func (a *App) activeStandings(ctx context.Context, q store.Q, obo *portal.Account) ([]portal.SponsorStanding, error) {
	return a.sponsorStandings(
		ctx,
		q,
		[]portal.AccountID{obo.ID},
		map[portal.AccountID]bool{obo.ID: IsResident(obo)},
		portal.SponsorActive,
	)
}

// qualifyingSponsors lists the sponsorships through which a person is
// sponsored by an authorizer who qualifies today.
func (a *App) qualifyingSponsors(ctx context.Context, q store.Q, obo *portal.Account) ([]*portal.Sponsorship, error) {
	ss, err := a.activeStandings(ctx, q, obo)
	if err != nil {
		return nil, err
	}
	var out []*portal.Sponsorship
	for _, s := range ss {
		if ok, _ := portal.SponsorQualifies(s); ok {
			out = append(out, s.Sponsorship)
		}
	}
	return out, nil
}

// noQualifyingSponsor builds the refusal to grant or restore an
// on-behalf-of user's access while no sponsor qualifies, for the CareConnect
// team; advice says what they can do.
func noQualifyingSponsor(advice string) func(name string) error {
	return func(name string) error {
		return portal.Errorf(
			portal.ECONFLICT,
			"No authorizer qualifies as %s's sponsor: on-behalf-of access needs an active sponsorship "+
				"with an authorizer whose own CareConnect access is approved and active and who shares an approved worksite with them. %s",
			name,
			advice,
		)
	}
}

// requireQualifyingSponsor checks that a sponsor qualifies for an
// on-behalf-of user (other people pass); refuse builds the error from
// their name. Inside a transaction (tx not nil) it first locks the
// person's account, so that granting or restoring their access cannot
// race with their last sponsor's lapse, which takes the same lock.
func (a *App) requireQualifyingSponsor(
	ctx context.Context,
	tx *store.Tx,
	id portal.AccountID,
	refuse func(name string) error,
) error {
	var acct *portal.Account
	var err error
	q := a.DB.Read()
	if tx != nil {
		q = tx.Q
		acct, err = tx.FindAccountByIDForUpdate(ctx, id)
	} else {
		acct, err = q.FindAccountByID(ctx, id)
	}
	if err != nil || !acct.UserType().NeedsAuthorizer() {
		return err
	}
	ok, err := a.qualifyingSponsors(ctx, q, acct)
	if err != nil {
		return err
	}
	if len(ok) == 0 {
		return refuse(acct.DisplayName())
	}
	return nil
}

// lapseDependants applies the sponsor rule in tx after something happened
// to who that may stop a sponsor from qualifying: their access suspended or
// removed (by the CareConnect team or the annual review), their membership
// of a worksite ended, a sponsorship ended by either side or with its
// residency. It looks at every on-behalf-of user who may have depended on
// who: the people who sponsors, and who themself when they work on
// someone's behalf. Each one still sponsored by an authorizer who
// qualifies keeps their access (downstream systems learn that their
// sponsors changed); each one left without has their approved access
// suspended, with the reason in the request's history, the audit trail and
// the change feed, and an email saying what to do next. Nobody is
// reinstated here: access comes back only through the CareConnect team.
// Callers write their own audit row first.
func (a *App) lapseDependants(
	ctx context.Context,
	tx *store.Tx,
	meta portal.RequestMeta,
	who portal.AccountID,
	cause lapseCause,
) error {
	facts, err := tx.FindSponsorFacts(
		ctx,
		store.SponsorFactsFilter{AuthorizerAccountID: who, Statuses: []string{portal.SponsorActive}},
	)
	if err != nil {
		return err
	}
	ids := []portal.AccountID{who}
	for _, f := range facts {
		ids = append(ids, f.Sponsorship.OBOAccountID)
	}
	// Locks are taken in account order, so two lapses cannot deadlock.
	slices.Sort(ids)
	for _, id := range slices.Compact(ids) {
		text := cause.dependants
		if id == who {
			text = cause.self
		}
		if err := a.lapseIfUnsponsored(ctx, tx, meta, id, who, cause.code, text); err != nil {
			return err
		}
	}
	return nil
}

// lapseIfUnsponsored applies the rule to one person (see lapseDependants).
func (a *App) lapseIfUnsponsored(ctx context.Context, tx *store.Tx, meta portal.RequestMeta, id, who portal.AccountID,
	code, text string) error {
	acct, err := tx.FindAccountByID(ctx, id)
	if err != nil || !acct.UserType().NeedsAuthorizer() {
		return err
	}
	if acct, err = tx.FindAccountByIDForUpdate(ctx, id); err != nil {
		return err
	}
	standings, err := a.activeStandings(ctx, tx.Q, acct)
	if err != nil {
		return err
	}
	note := "Access lapsed: no authorizer who qualifies sponsors this person any more. "
	if portal.AnySponsorQualifies(standings) {
		// She keeps her access through the sponsors who still qualify, but
		// sees no more than they were granted.
		whole, err := a.narrowToSponsors(ctx, tx, meta, acct, text)
		if err != nil || whole {
			if err == nil {
				err = a.provisioningTouch(ctx, tx, id, "sponsors")
			}
			return err
		}
		note = "Access lapsed: the authorizers who still sponsor this person were granted none of the data scopes they were granted. "
		text += " " + noSharedScopes
	}
	r, err := approvedAccess(ctx, tx, id)
	if err != nil || r == nil {
		return err
	}
	why := map[string]string{}
	for _, s := range standings {
		_, reason := portal.SponsorQualifies(s)
		why[sponsorshipRef(s.Sponsorship.ID)] = reason
	}
	_, err = a.suspendBySystem(ctx, tx, meta, r, acct, systemSuspension{
		actor: sponsorRuleActor, at: a.now(), note: note + text,
		feed:    map[string]any{"request": r.ID, "reason": code},
		action:  "access.lapsed",
		details: map[string]any{"account": id, "reason": code, "because_of": who, "sponsorships": why},
		email:   "access_lapsed",
		mail: mail.AccessLapsed{Common: a.commonFor(acct.DisplayName(), r),
			Cause: text, SponsorshipsURL: a.Config.BaseURL + "/sponsorships", StatusURL: a.statusURL()},
	})
	return err
}

// sponsorRuleActor is the system actor of lapses in the audit trail and
// the requests' history.
const sponsorRuleActor = "sponsorship"

// touchDependants tells downstream systems that the sponsors of the people
// who sponsors changed, as when who's access is restored: the people whose
// access lapsed stay suspended, but those still provisioned through another
// sponsor list who again.
func (a *App) touchDependants(ctx context.Context, tx *store.Tx, who portal.AccountID) error {
	facts, err := tx.FindSponsorFacts(
		ctx,
		store.SponsorFactsFilter{AuthorizerAccountID: who, Statuses: []string{portal.SponsorActive}},
	)
	if err != nil {
		return err
	}
	for _, f := range facts {
		if err := a.provisioningTouch(ctx, tx, f.Sponsorship.OBOAccountID, "sponsors"); err != nil {
			return err
		}
	}
	return nil
}

// withQualifyingSponsors keeps, of the sponsors each provisioned person is
// listed with, those who qualify today.
func (a *App) withQualifyingSponsors(ctx context.Context, users []*portal.ProvisionedUser) error {
	var obos []portal.AccountID
	residents := map[portal.AccountID]bool{}
	for _, u := range users {
		if len(u.Sponsors) > 0 {
			obos = append(obos, u.Account.ID)
			residents[u.Account.ID] = IsResident(u.Account)
		}
	}
	standings, err := a.sponsorStandings(ctx, a.DB.Read(), obos, residents, portal.SponsorActive)
	if err != nil {
		return err
	}
	qualifies := map[portal.SponsorshipID]bool{}
	for _, s := range standings {
		qualifies[s.Sponsorship.ID], _ = portal.SponsorQualifies(s)
	}
	for _, u := range users {
		u.Sponsors = slices.DeleteFunc(
			u.Sponsors,
			func(s portal.ProvisionedSponsor) bool { return !qualifies[s.SponsorshipID] },
		)
	}
	return nil
}

// noSharedScopes tells an on-behalf-of user why her access lapsed although
// an authorizer still sponsors her.
const noSharedScopes = "The authorizers who still sponsor you were not granted any of the information you were granted, " +
	"so there is nothing left that you may see through them."

// sponsoredScopes is what an on-behalf-of user may see through her
// sponsors today: the on-behalf-of share (portal.OBOScopes) of the data
// scopes granted to the authorizers who qualify as her sponsors, in display
// order. It is empty while none qualifies.
func (a *App) sponsoredScopes(ctx context.Context, q store.Q, obo *portal.Account) ([]portal.DataScope, error) {
	sponsors, err := a.qualifyingSponsors(ctx, q, obo)
	if err != nil {
		return nil, err
	}
	var union []portal.DataScope
	for _, sp := range sponsors {
		reqs, err := q.FindAccessRequestsByAccount(ctx, sp.AuthorizerAccountID)
		if err != nil {
			return nil, err
		}
		if r := currentAccess(reqs); r != nil && r.Status == portal.ARApproved {
			union = append(union, r.GrantedScopes...)
		}
	}
	return portal.OBOScopes(dedupeScopes(union)), nil
}

// narrowToSponsors keeps an on-behalf-of user's approved access within
// what her sponsors who qualify were granted (sponsoredScopes), inside tx,
// after something changed who sponsors her or when her access is restored.
// Scopes beyond it are taken away: the request's granted scopes change,
// with a note in its history (cause says why, in a sentence to her), an
// audit row, a user.updated event in the change feed and an email naming
// what she no longer sees. It reports whether any of her scopes remain;
// when none would, it changes nothing and the caller decides. People who
// need no authorizer, and access not approved, are left as they are.
func (a *App) narrowToSponsors(
	ctx context.Context,
	tx *store.Tx,
	meta portal.RequestMeta,
	acct *portal.Account,
	cause string,
) (bool, error) {
	if !acct.UserType().NeedsAuthorizer() {
		return true, nil
	}
	reqs, err := tx.FindAccessRequestsByAccount(ctx, acct.ID)
	if err != nil {
		return false, err
	}
	r := currentAccess(reqs)
	if r == nil || r.Status != portal.ARApproved {
		return true, nil
	}
	allowed, err := a.sponsoredScopes(ctx, tx.Q, acct)
	if err != nil {
		return false, err
	}
	var kept, removed []portal.DataScope
	for _, s := range r.GrantedScopes {
		if slices.Contains(allowed, s) {
			kept = append(kept, s)
		} else {
			removed = append(removed, s)
		}
	}
	switch {
	case len(removed) == 0:
		return true, nil
	case len(kept) == 0:
		return false, nil
	}
	ok, err := tx.ChangeAccessRequest(
		ctx,
		store.AccessRequestChange{ID: r.ID, From: []string{portal.ARApproved}, To: portal.ARApproved,
			At: a.now(), ActorKind: portal.ActorSystem, ActorID: sponsorRuleActor,
			Note: "Data scopes narrowed to what the authorizers who sponsor this person were granted: no longer " + scopeLabels(
				removed,
			) +
				"; still " + scopeLabels(
				kept,
			) + ". " + cause,
			Set: map[string]any{"granted_scopes": store.StoredScopes(kept)}},
	)
	if err != nil || !ok {
		return ok, err
	}
	if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorSystem, actorID: sponsorRuleActor,
		action: "access.scopes_narrowed", subjectKind: "access_request", subjectID: requestRef(r.ID),
		details: map[string]any{"account": acct.ID, "removed": removed, "granted_scopes": kept, "allowed_scopes": allowed}}); err != nil {
		return false, err
	}
	if err := a.recordProvisioning(ctx, tx, acct.ID, ProvUserUpdated, map[string]any{"changed": "scopes", "request": r.ID,
		"scopes": kept, "removed": removed}); err != nil {
		return false, err
	}
	return true, a.enqueue(ctx, tx, "access_scopes_narrowed", acct.Email, acct.ID, mail.AccessScopesNarrowed{
		Common: a.commonFor(acct.DisplayName(), r), Cause: cause, Removed: scopeTexts(removed), Kept: scopeTexts(kept),
		SponsorshipsURL: a.Config.BaseURL + "/sponsorships", StatusURL: a.statusURL()})
}

// scopeTexts says data scopes in words, for an email.
func scopeTexts(scopes []portal.DataScope) []mail.ScopeText {
	var out []mail.ScopeText
	for _, s := range portal.DataScopes {
		if slices.Contains(scopes, s.Code) {
			out = append(out, mail.ScopeText{Label: s.Label, Description: s.Description})
		}
	}
	return out
}

// requireSponsoredScopes checks, inside the transaction that approves an
// on-behalf-of user's access, that the scopes granted are within what her
// sponsors who qualify were granted at that moment (others pass): a sponsor
// may have stopped qualifying while the officer chose them.
func (a *App) requireSponsoredScopes(
	ctx context.Context,
	tx *store.Tx,
	acct *portal.Account,
	granted []portal.DataScope,
) error {
	if !acct.UserType().NeedsAuthorizer() {
		return nil
	}
	allowed, err := a.sponsoredScopes(ctx, tx.Q, acct)
	if err != nil {
		return err
	}
	var beyond []portal.DataScope
	for _, s := range granted {
		if !slices.Contains(allowed, s) {
			beyond = append(beyond, s)
		}
	}
	if len(beyond) > 0 {
		return portal.Errorf(
			portal.ECONFLICT,
			"The authorizers who sponsor %s now were not granted %s, so neither can they be: "+
				"reload the request and choose among the data scopes it allows.",
			acct.DisplayName(),
			scopeLabels(beyond),
		)
	}
	return nil
}
