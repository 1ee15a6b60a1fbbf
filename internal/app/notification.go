package app

import (
	"context"
	"fmt"
	"sort"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// confirmEmailURL is where a person confirms their email address.
const confirmEmailURL = "/account#email"

// actionSource adds one kind of request to the Notification Centre, from
// what ReadMenu read. Later features add their own sources to the list.
type actionSource func(a *App, actor *portal.Account, m *store.MenuRead) []portal.ActionItem

var actionSources = []actionSource{
	joinRequestActions,
	invitationActions,
	declarationActions,
	sponsorshipActions,
	reviewActions,
	handoverActions,
}

// readMenu reads everything the main menu and the Notification Centre
// show the person, in one statement.
func (a *App) readMenu(ctx context.Context, actor *portal.Account) (*store.MenuRead, error) {
	return a.DB.Read().ReadMenu(ctx, store.MenuFilter{Account: actor.ID, Email: actor.Email, Now: a.now(),
		CycleBefore: membersReviewCycleBefore(a.now()),
		OnBehalf:    actor.UserType().NeedsAuthorizer(), OtherProfession: actor.Profession == portal.ProfOther})
}

// ActionItems lists the requests waiting for the person, newest first.
func (a *App) ActionItems(ctx context.Context, actor *portal.Account) ([]portal.ActionItem, error) {
	m, err := a.readMenu(ctx, actor)
	if err != nil {
		return nil, err
	}
	return a.actionItems(actor, m), nil
}

func (a *App) actionItems(actor *portal.Account, m *store.MenuRead) []portal.ActionItem {
	var out []portal.ActionItem
	for _, src := range actionSources {
		out = append(out, src(a, actor, m)...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].SubmittedAt.After(out[j].SubmittedAt) })
	return out
}

func joinRequestActions(_ *App, _ *portal.Account, m *store.MenuRead) []portal.ActionItem {
	var out []portal.ActionItem
	for _, r := range m.JoinRequestsToDecide {
		out = append(out, portal.ActionItem{Kind: "join_request", SubmittedAt: r.CreatedAt,
			Description: fmt.Sprintf("%s (%s) would like to join %s.", r.RequesterName, r.RequesterEmail, r.WorksiteName),
			ViewURL:     fmt.Sprintf("/requests/join/%d", r.ID),
			AcceptURL:   fmt.Sprintf("/requests/join/%d/approve", r.ID),
			AcceptLabel: "Approve"})
	}
	return out
}

func invitationActions(_ *App, actor *portal.Account, m *store.MenuRead) []portal.ActionItem {
	var out []portal.ActionItem
	for _, inv := range m.Invitations {
		if !actor.HasConfirmedEmail(inv.Email) {
			// An unconfirmed address proves nothing: say how to confirm it.
			out = append(out, portal.ActionItem{Kind: "invitation", SubmittedAt: inv.CreatedAt,
				Description: fmt.Sprintf("%s has invited you to Worksite %s. %s", inv.InviterName, inv.WorksiteName,
					InvitationNotConfirmedMessage(inv.Email)),
				ViewURL: confirmEmailURL, AcceptLabel: "Confirm your email address"})
			continue
		}
		out = append(out, portal.ActionItem{Kind: "invitation", SubmittedAt: inv.CreatedAt,
			Description: fmt.Sprintf("%s has invited you to Worksite %s. Would you like to accept?",
				inv.InviterName, inv.WorksiteName),
			AcceptURL:   fmt.Sprintf("/invitations/%d/accept", inv.ID),
			RejectURL:   fmt.Sprintf("/invitations/%d/reject", inv.ID),
			AcceptLabel: "Accept"})
	}
	return out
}

func declarationActions(_ *App, actor *portal.Account, m *store.MenuRead) []portal.ActionItem {
	var out []portal.ActionItem
	for _, w := range m.Declarations {
		if !actor.HasConfirmedEmail(w.SignerEmail) {
			out = append(out, portal.ActionItem{Kind: "declaration", SubmittedAt: w.CreatedAt,
				Description: fmt.Sprintf("Sign the %s for %s. %s", portal.DeclarationTitle, w.Name,
					portal.NotConfirmedMessage(actor.Email)),
				ViewURL: confirmEmailURL, AcceptLabel: "Confirm your email address"})
			continue
		}
		out = append(out, portal.ActionItem{Kind: "declaration", SubmittedAt: w.CreatedAt,
			Description: fmt.Sprintf("Sign the %s for %s.", portal.DeclarationTitle, w.Name),
			ViewURL:     fmt.Sprintf("/worksites/%d/declaration", w.ID), AcceptLabel: "Sign"})
	}
	return out
}

// YourRequests lists the person's own requests and their status.
func (a *App) YourRequests(ctx context.Context, actor *portal.Account) ([]portal.YourRequest, error) {
	m, err := a.readMenu(ctx, actor)
	if err != nil {
		return nil, err
	}
	return yourRequests(m), nil
}

// Notifications is the Notification Centre: the requests waiting for the
// person, newest first, and their own requests, read in one statement.
func (a *App) Notifications(
	ctx context.Context,
	actor *portal.Account,
) ([]portal.ActionItem, []portal.YourRequest, error) {
	m, err := a.readMenu(ctx, actor)
	if err != nil {
		return nil, nil, err
	}
	return a.actionItems(actor, m), yourRequests(m), nil
}

func yourRequests(m *store.MenuRead) []portal.YourRequest {
	var out []portal.YourRequest
	for _, r := range m.JoinRequests {
		out = append(out, portal.YourRequest{Kind: "join_request", SubmittedAt: r.CreatedAt,
			Description: "Request to join " + r.WorksiteName, Status: r.Status, Detail: r.Reason,
			ViewURL: fmt.Sprintf("/requests/join/%d", r.ID)})
	}
	return appendSponsorshipRequests(m.Sponsorships, out)
}

func handoverActions(_ *App, _ *portal.Account, m *store.MenuRead) []portal.ActionItem {
	var out []portal.ActionItem
	for _, h := range m.HandoversToDecide {
		out = append(out, portal.ActionItem{Kind: "handover", SubmittedAt: h.CreatedAt,
			Description: fmt.Sprintf("%s asks you to take over %s as its site administrator.", h.FromName, h.WorksiteName),
			ViewURL:     fmt.Sprintf("/handovers/%d", h.ID), AcceptLabel: "Review"})
	}
	return out
}
