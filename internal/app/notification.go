package app

import (
	"context"
	"fmt"
	"sort"

	"portal"
	"portal/internal/store"
)

// confirmEmailURL is where a person confirms their email address.
const confirmEmailURL = "/account#email"

// actionSource adds one kind of request to the Notification Centre. Later
// features add their own sources to the list.
type actionSource func(ctx context.Context, a *App, actor *portal.Account) ([]portal.ActionItem, error)

var actionSources = []actionSource{joinRequestActions, invitationActions, declarationActions, sponsorshipActions, reviewActions, handoverActions}

// ActionItems lists the requests waiting for the person, newest first.
func (a *App) ActionItems(ctx context.Context, actor *portal.Account) ([]portal.ActionItem, error) {
	var out []portal.ActionItem
	for _, src := range actionSources {
		items, err := src(ctx, a, actor)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].SubmittedAt.After(out[j].SubmittedAt) })
	return out, nil
}

func joinRequestActions(ctx context.Context, a *App, actor *portal.Account) ([]portal.ActionItem, error) {
	ids, err := a.DB.Read().AdministeredWorksiteIDs(ctx, actor.ID)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	reqs, err := a.DB.Read().FindJoinRequests(ctx, store.JoinRequestFilter{WorksiteIDs: ids, Status: portal.RequestPending})
	if err != nil {
		return nil, err
	}
	var out []portal.ActionItem
	for _, r := range reqs {
		out = append(out, portal.ActionItem{Kind: "join_request", SubmittedAt: r.CreatedAt,
			Description: fmt.Sprintf("%s (%s) would like to join %s.", r.RequesterName, r.RequesterEmail, r.WorksiteName),
			ViewURL:     fmt.Sprintf("/requests/join/%d", r.ID), AcceptURL: fmt.Sprintf("/requests/join/%d/approve", r.ID),
			AcceptLabel: "Approve"})
	}
	return out, nil
}

func invitationActions(ctx context.Context, a *App, actor *portal.Account) ([]portal.ActionItem, error) {
	invs, err := a.DB.Read().FindPendingInvitationsForEmail(ctx, actor.Email, a.now())
	if err != nil {
		return nil, err
	}
	var out []portal.ActionItem
	for _, inv := range invs {
		if !actor.HasConfirmedEmail(inv.Email) {
			// An unconfirmed address proves nothing: say how to confirm it.
			out = append(out, portal.ActionItem{Kind: "invitation", SubmittedAt: inv.CreatedAt,
				Description: fmt.Sprintf("%s has invited you to Worksite %s. %s", inv.InviterName, inv.WorksiteName,
					InvitationNotConfirmedMessage(inv.Email)),
				ViewURL: confirmEmailURL, AcceptLabel: "Confirm your email address"})
			continue
		}
		out = append(out, portal.ActionItem{Kind: "invitation", SubmittedAt: inv.CreatedAt,
			Description: fmt.Sprintf("%s has invited you to Worksite %s. Would you like to accept?", inv.InviterName, inv.WorksiteName),
			AcceptURL:   fmt.Sprintf("/invitations/%d/accept", inv.ID), RejectURL: fmt.Sprintf("/invitations/%d/reject", inv.ID),
			AcceptLabel: "Accept"})
	}
	return out, nil
}

func declarationActions(ctx context.Context, a *App, actor *portal.Account) ([]portal.ActionItem, error) {
	ws, err := a.DB.Read().FindWorksitesAwaitingDeclaration(ctx, actor.Email)
	if err != nil {
		return nil, err
	}
	var out []portal.ActionItem
	for _, w := range ws {
		if w.RegisteredBy != actor.ID {
			// Someone else named this person: they sign through the emailed link.
			continue
		}
		if !actor.HasConfirmedEmail(w.SignerEmail) {
			out = append(out, portal.ActionItem{Kind: "declaration", SubmittedAt: w.CreatedAt,
				Description: fmt.Sprintf("Sign the %s for %s. %s", portal.DeclarationTitle, w.Name, portal.NotConfirmedMessage(actor.Email)),
				ViewURL:     confirmEmailURL, AcceptLabel: "Confirm your email address"})
			continue
		}
		out = append(out, portal.ActionItem{Kind: "declaration", SubmittedAt: w.CreatedAt,
			Description: fmt.Sprintf("Sign the %s for %s.", portal.DeclarationTitle, w.Name),
			ViewURL:     fmt.Sprintf("/worksites/%d/declaration", w.ID), AcceptLabel: "Sign"})
	}
	return out, nil
}

// YourRequests lists the person's own requests and their status.
func (a *App) YourRequests(ctx context.Context, actor *portal.Account) ([]portal.YourRequest, error) {
	reqs, err := a.DB.Read().FindJoinRequests(ctx, store.JoinRequestFilter{AccountID: actor.ID})
	if err != nil {
		return nil, err
	}
	var out []portal.YourRequest
	for _, r := range reqs {
		out = append(out, portal.YourRequest{Kind: "join_request", SubmittedAt: r.CreatedAt,
			Description: "Request to join " + r.WorksiteName, Status: r.Status, Detail: r.Reason,
			ViewURL: fmt.Sprintf("/requests/join/%d", r.ID)})
	}
	return appendSponsorshipRequests(ctx, a, actor, out)
}

func handoverActions(ctx context.Context, a *App, actor *portal.Account) ([]portal.ActionItem, error) {
	hs, err := a.DB.Read().FindHandoversTo(ctx, actor.ID, a.now())
	if err != nil {
		return nil, err
	}
	var out []portal.ActionItem
	for _, h := range hs {
		out = append(out, portal.ActionItem{Kind: "handover", SubmittedAt: h.CreatedAt,
			Description: fmt.Sprintf("%s asks you to take over %s as its site administrator.", h.FromName, h.WorksiteName),
			ViewURL:     fmt.Sprintf("/handovers/%d", h.ID), AcceptLabel: "Review"})
	}
	return out, nil
}
