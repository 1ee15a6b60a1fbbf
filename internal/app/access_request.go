package app

import (
	"time"

	"context"
	"fmt"
	"strconv"
	"strings"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/mail"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

func requestRef(id portal.AccessRequestID) string { return strconv.FormatInt(int64(id), 10) }

// Standing gathers where a person stands on the way to CareConnect access.
func (a *App) Standing(ctx context.Context, actor *portal.Account) (*portal.Standing, error) {
	m, err := a.readMenu(ctx, actor)
	if err != nil {
		return nil, err
	}
	return a.standingOf(actor, m), nil
}

// standingOf builds the person's standing from what ReadMenu read.
func (a *App) standingOf(actor *portal.Account, m *store.MenuRead) *portal.Standing {
	s := &portal.Standing{Account: actor}
	mine := MyWorksites{Memberships: m.Memberships}
	s.ApprovedWorksites, s.AnyWorksites = mine.ActiveApproved(), mine.ActiveAny()
	tr := prerequisiteStatus(actor, portal.PrereqTraining, m.Completions)
	ag := prerequisiteStatus(actor, portal.PrereqHPCAA, m.Completions)
	s.TrainingDone, s.TrainingOutdated, s.HPCAADone, s.HPCAAOutdated = tr.Done, tr.Outdated, ag.Done, ag.Outdated
	if actor.UserType().NeedsAuthorizer() {
		// As qualifyingSponsors counts them, from what was read.
		for _, st := range a.standingsOf(m.ActiveSponsorFacts, m.Authorizers, map[portal.AccountID]bool{actor.ID: IsResident(actor)}) {
			if ok, _ := portal.SponsorQualifies(st); ok {
				s.ActiveSponsorships++
			}
		}
		for _, sp := range m.Sponsorships {
			if sp.Status == portal.SponsorPending {
				s.PendingSponsorships++
			}
		}
	}
	s.Request = m.Request
	if actor.Profession == portal.ProfOther {
		s.ProfessionReview = m.ProfessionReview
	}
	return s
}

// Menu is what the main menu shows: the person's standing, how many
// requests wait for them, and what of theirs waits for someone else.
type Menu struct {
	Standing  *portal.Standing
	Attention int
	Pending   []PendingItem
}

// PendingItem is one of the person's requests waiting for someone else.
// Kind is "join_request" (Whom: the worksite), "sponsorship" (Whom: the
// authorizer asked) or "access_request" (Reference: its number); Since is
// when it was sent. The templates word them.
type PendingItem struct {
	Kind      string
	Whom      string
	Reference string
	Since     time.Time
}

// Menu reads the main menu in one statement.
func (a *App) Menu(ctx context.Context, actor *portal.Account) (*Menu, error) {
	m, err := a.readMenu(ctx, actor)
	if err != nil {
		return nil, err
	}
	out := &Menu{Standing: a.standingOf(actor, m), Attention: len(a.actionItems(actor, m))}
	for _, j := range m.JoinRequests {
		if j.Status == portal.RequestPending {
			out.Pending = append(
				out.Pending,
				PendingItem{Kind: "join_request", Whom: j.WorksiteName, Since: j.CreatedAt},
			)
		}
	}
	for _, sp := range m.Sponsorships {
		if sp.Status == portal.SponsorPending {
			out.Pending = append(
				out.Pending,
				PendingItem{Kind: "sponsorship", Whom: sp.AuthorizerName, Since: sp.CreatedAt},
			)
		}
	}
	if r := m.Request; r != nil && r.Status == portal.ARSubmitted {
		// In the team's queue since it was sent, or since the person's
		// answer sent it back.
		since := r.UpdatedAt
		if since.IsZero() {
			since = r.CreatedAt
		}
		out.Pending = append(out.Pending, PendingItem{Kind: "access_request", Reference: r.Reference, Since: since})
	}
	return out, nil
}

// MissingError lists what still blocks an access request.
type MissingError struct{ Steps []portal.Step }

func (e *MissingError) Error() string {
	return fmt.Sprintf("access request blocked: %d step(s) missing", len(e.Steps))
}

// ApprovedClinics lists the approved worksites a person may name on the form.
func (a *App) ApprovedClinics(ctx context.Context, actor *portal.Account) ([]*portal.Membership, error) {
	mine, err := a.DB.Read().FindAccountMemberships(ctx, actor.ID)
	if err != nil {
		return nil, err
	}
	var out []*portal.Membership
	for _, m := range mine {
		if m.Status == portal.MemberActive && m.WorksiteStatus == portal.WorksiteApproved {
			out = append(out, m)
		}
	}
	return out, nil
}

// AllowedScopes is what the person's access would show: their profession's
// scopes, or for on-behalf-of users what the authorizers who qualify as
// their sponsors were granted (sponsoredScopes), with their active
// sponsorships.
func (a *App) AllowedScopes(
	ctx context.Context,
	actor *portal.Account,
) ([]portal.DataScope, []*portal.Sponsorship, error) {
	if !actor.UserType().NeedsAuthorizer() {
		return portal.ScopesFor(actor.Profession, actor.NurseLicence), nil, nil
	}
	sponsors, err := a.ActiveSponsors(ctx, actor)
	if err != nil {
		return nil, nil, err
	}
	// A sponsor counts only while qualifying, and an on-behalf-of user sees
	// no more than what that sponsor's access was granted (which the team
	// may have narrowed below the sponsor's profession).
	scopes, err := a.sponsoredScopes(ctx, a.DB.Read(), actor)
	if err != nil {
		return nil, nil, err
	}
	return scopes, sponsors, nil
}

func dedupeScopes(in []portal.DataScope) []portal.DataScope {
	var out []portal.DataScope
	for _, s := range portal.DataScopes {
		for _, x := range in {
			if x == s.Code {
				out = append(out, s.Code)
				break
			}
		}
	}
	return out
}

// SubmitAccessRequest sends the CareConnect Enrolment Form to the
// CareConnect team's queue, once every prerequisite is met.
func (a *App) SubmitAccessRequest(
	ctx context.Context,
	meta portal.RequestMeta,
	actor *portal.Account,
	in portal.AccessRequestInput,
) (*portal.AccessRequest, error) {
	standing, err := a.Standing(ctx, actor)
	if err != nil {
		return nil, err
	}
	if missing := standing.Missing(); len(missing) > 0 {
		return nil, &MissingError{Steps: missing}
	}
	if r := standing.Request; r != nil {
		switch {
		case r.Open():
			return nil, portal.Errorf(
				portal.ECONFLICT,
				"You already have a CareConnect request waiting for the CareConnect team.",
			)
		case r.Status == portal.ARApproved:
			return nil, portal.Errorf(
				portal.ECONFLICT,
				"You already have CareConnect access. To add a clinic, join it as a worksite; the CareConnect team is told at your next review.",
			)
		case r.Status == portal.ARSuspended:
			return nil, portal.Errorf(
				portal.ECONFLICT,
				"Your CareConnect access is suspended. See your request's page for what to do, or contact the CareConnect team.",
			)
		}
	}
	fe := in.Validate()
	clinics, err := a.ApprovedClinics(ctx, actor)
	if err != nil {
		return nil, err
	}
	allowedClinic := map[portal.WorksiteID]bool{}
	for _, c := range clinics {
		allowedClinic[c.WorksiteID] = true
	}
	for _, w := range in.WorksiteIDs {
		if !allowedClinic[w] {
			fe.Add("clinics", "Choose only approved worksites you belong to.")
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	scopes, sponsors, err := a.AllowedScopes(ctx, actor)
	if err != nil {
		return nil, err
	}
	now := a.now()
	r := &portal.AccessRequest{
		AccountID:          actor.ID,
		Status:             portal.ARSubmitted,
		UserType:           actor.UserType(),
		Profession:         actor.Profession,
		FirstName:          in.FirstName,
		LastName:           in.LastName,
		Job:                in.Job,
		CollegeID:          in.CollegeID,
		AttestCorrect:      in.AttestCorrect,
		AttestDirectCare:   in.AttestDirectCare,
		AttestAnnualReview: in.AttestAnnualReview,
		ReasonJobDuties:    in.ReasonJobDuties,
		ReasonPatientCare:  in.ReasonPatientCare,
		AllowedScopes:      scopes,
		CreatedAt:          now,
		UpdatedAt:          now,
		WorksiteIDs:        in.WorksiteIDs,
	}
	for _, sp := range sponsors {
		r.SponsorshipIDs = append(r.SponsorshipIDs, sp.ID)
	}
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateAccessRequest(ctx, r); err != nil {
			return err
		}
		if err := tx.AddAccessRequestEvent(ctx, r.ID, portal.AccessRequestEvent{At: now, ActorKind: portal.ActorAccount,
			ActorID: accountRef(actor.ID), ToStatus: portal.ARSubmitted, Note: "Submitted the CareConnect Enrolment Form."}); err != nil {
			return err
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(actor.ID),
			action: "access.requested", subjectKind: "access_request", subjectID: requestRef(r.ID),
			details: map[string]any{"worksites": r.WorksiteIDs, "user_type": r.UserType, "allowed_scopes": r.AllowedScopes,
				"sponsorships": r.SponsorshipIDs}}); err != nil {
			return err
		}
		return a.enqueue(ctx, tx, "access_request_received", actor.Email, actor.ID, mail.AccessRequestReceived{
			Common: a.commonFor(actor.DisplayName(), r), StatusURL: a.Config.BaseURL + "/application/status"})
	})
	if store.IsConflictOn(err, "open") {
		return nil, portal.Errorf(
			portal.ECONFLICT,
			"You already have a CareConnect request waiting for the CareConnect team.",
		)
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

// RequestStatus is a person's latest request with its history.
type RequestStatus = portal.RequestStatus

// AccessRequestStatus returns the person's latest request, or nil, read in
// one statement.
func (a *App) AccessRequestStatus(ctx context.Context, actor *portal.Account) (*RequestStatus, error) {
	s, err := a.DB.Read().ReadRequestStatus(ctx, actor.ID)
	if err != nil || s.Request == nil {
		return nil, err
	}
	return s, nil
}

// AnswerInfoRequest sends the person's answer to the CareConnect team's
// question; the request goes back to the queue.
func (a *App) AnswerInfoRequest(
	ctx context.Context,
	meta portal.RequestMeta,
	actor *portal.Account,
	answer string,
) error {
	answer = strings.TrimSpace(answer)
	if answer == "" {
		return portal.FieldErrors{"answer": "Type your answer to the CareConnect team's question."}
	}
	if len([]rune(answer)) > 4000 {
		return portal.FieldErrors{"answer": "Your answer must be 4,000 characters or fewer."}
	}
	r, err := a.DB.Read().FindLatestAccessRequest(ctx, actor.ID)
	if err != nil || r.Status != portal.ARInfoRequested {
		return portal.Errorf(portal.ECONFLICT, "Your request is not waiting for an answer from you.")
	}
	now := a.now()
	return a.DB.InTx(ctx, func(tx *store.Tx) error {
		ok, err := tx.ChangeAccessRequest(
			ctx,
			store.AccessRequestChange{ID: r.ID, From: []string{portal.ARInfoRequested},
				To: portal.ARSubmitted, At: now, ActorKind: portal.ActorAccount, ActorID: accountRef(actor.ID), KeepOpen: true,
				Note: "Answered: " + answer, Set: map[string]any{"info_answer": answer}},
		)
		if err != nil {
			return err
		}
		if !ok {
			return portal.Errorf(portal.ECONFLICT, "Your request is not waiting for an answer from you.")
		}
		return a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(actor.ID),
			action: "access.info_provided", subjectKind: "access_request", subjectID: requestRef(r.ID)})
	})
}
