package store

import (
	"context"
	"fmt"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
)

// MenuFilter names whose menu is read, and when.
type MenuFilter struct {
	Account     portal.AccountID
	Email       string    // the account's address: invitations and declarations waiting for it
	Now         time.Time // invitations still open at this moment
	CycleBefore time.Time // member reviews whose cycle began before this moment
	// What applies to the person: their active sponsorships' facts and
	// authorizers are read only for an on-behalf-of user (OnBehalf), their
	// profession review only when their profession is "Other". A part
	// that cannot apply costs the database its share of the one statement.
	OnBehalf, OtherProfession bool
}

// MenuRead is everything the main menu and the Notification Centre show a
// person, read in one statement (Batch): what their standing is made of,
// the requests waiting for them, and their own requests.
type MenuRead struct {
	Memberships      []*portal.Membership
	Completions      []*Completion         // newest first
	Request          *portal.AccessRequest // the latest CareConnect request, or nil
	ProfessionReview *portal.ProfessionReview
	// Review is the request holding the person's access (newest approved
	// or suspended), or nil; ReviewSuspension the step that last
	// suspended it, or nil.
	Review           *AccessReview
	ReviewSuspension *portal.AccessRequestEvent
	// Waiting for the person: join requests to the worksites they
	// administer, invitations to their address, declarations they are
	// named to sign, sponsorships asked of them, and the member reviews of
	// their worksites.
	JoinRequestsToDecide []*portal.JoinRequest
	Invitations          []*portal.Invitation
	Declarations         []*portal.Worksite
	SponsorshipsToDecide []*portal.Sponsorship
	MembersReviews       []*MembersReview
	// HandoversToDecide: worksites offered to the person to administer
	// (pending, not expired), newest first.
	HandoversToDecide []*portal.Handover
	// As an on-behalf-of user: their active sponsorships with their facts
	// (FindSponsorFacts), oldest first, and those authorizers' accounts.
	ActiveSponsorFacts []SponsorFacts
	Authorizers        map[portal.AccountID]*portal.Account
	// Their own requests, newest first.
	JoinRequests []*portal.JoinRequest
	Sponsorships []*portal.Sponsorship
}

// administeredBy is the worksites an account administers directly or
// through a group (AdministeredWorksiteIDs), as a subquery of two
// arguments, both the account.
const administeredBy = `(SELECT am.worksite_id FROM worksite_members am
	WHERE am.account_id = ? AND am.role = 'site_admin'
	AND am.status = 'active' UNION SELECT aw.id FROM worksites aw JOIN group_admins ag ON ag.group_id = aw.group_id
		WHERE ag.account_id = ?)`

// latestRequestOf is the id of an account's latest request, as
// FindLatestAccessRequest picks it; one argument, the account.
const latestRequestOf = `(SELECT lr.id FROM access_requests lr WHERE lr.account_id = ?
	ORDER BY lr.created_at DESC, lr.id DESC LIMIT 1)`

// reviewRequestOf is the id of the request holding an account's access, as
// FindAccessReview picks it; one argument, the account.
const reviewRequestOf = `(SELECT vr.id FROM access_requests vr
	WHERE vr.account_id = ? AND vr.status IN ('approved', 'suspended')
	ORDER BY vr.created_at DESC, vr.id DESC LIMIT 1)`

// ReadMenu reads a person's MenuRead in one statement.
func (q Q) ReadMenu(ctx context.Context, f MenuFilter) (*MenuRead, error) {
	m := &MenuRead{}
	id := int64(f.Account)
	b := Batch{name: fmt.Sprintf("menu-%t-%t", f.OnBehalf, f.OtherProfession)}
	b.add("SELECT "+memberColumns+memberFrom+" WHERE m.account_id = ? ORDER BY m.status, w.name", []any{id},
		countColumns(memberColumns), func(r rowScanner) error {
			x, err := scanMember(r)
			m.Memberships = append(m.Memberships, x)
			return err
		})
	b.add("SELECT "+completionColumns+" FROM prerequisite_completions WHERE account_id = ? "+
		"ORDER BY completed_at DESC, id DESC",
		[]any{id}, countColumns(completionColumns), func(r rowScanner) error {
			x, err := scanCompletion(r)
			m.Completions = append(m.Completions, x)
			return err
		})
	b.add("SELECT "+accessRequestColumns+" FROM access_requests r WHERE r.id = "+latestRequestOf, []any{id},
		countColumns(accessRequestColumns), func(r rowScanner) error {
			var err error
			m.Request, err = scanAccessRequest(r)
			return err
		})
	links := func(of string, req func() *portal.AccessRequest) { b.requestLinks(id, of, req) }
	links(latestRequestOf, func() *portal.AccessRequest { return m.Request })
	if f.OtherProfession {
		b.add(
			"SELECT "+professionReviewColumns+" FROM profession_reviews WHERE account_id = ? ORDER BY id DESC LIMIT 1",
			[]any{id},
			countColumns(professionReviewColumns),
			func(r rowScanner) error {
				var err error
				m.ProfessionReview, err = scanProfessionReview(r)
				return err
			},
		)
	}
	b.add("SELECT "+reviewColumns+" FROM access_requests r WHERE r.id = "+reviewRequestOf, []any{id},
		countColumns(reviewColumns), func(r rowScanner) error {
			var err error
			m.Review, err = scanAccessReview(r)
			return err
		})
	links(reviewRequestOf, func() *portal.AccessRequest {
		if m.Review == nil {
			return nil
		}
		return m.Review.AccessRequest
	})
	b.add(`SELECT occurred_at, actor_kind, actor_id, from_status, to_status, note FROM access_request_events
		WHERE request_id = `+reviewRequestOf+` AND to_status = 'suspended' AND from_status <> 'suspended'
			ORDER BY id DESC LIMIT 1`,
		[]any{id}, 6, func(r rowScanner) error {
			var e portal.AccessRequestEvent
			var at int64
			if err := r.Scan(&at, &e.ActorKind, &e.ActorID, &e.FromStatus, &e.ToStatus, &e.Note); err != nil {
				return err
			}
			e.At, m.ReviewSuspension = fromMS(at), &e
			return nil
		})
	joins := func(where string, args []any, out *[]*portal.JoinRequest) {
		b.add("SELECT "+joinColumns+joinFrom+" WHERE "+where+" ORDER BY r.created_at DESC, r.id DESC", args,
			countColumns(joinColumns), func(r rowScanner) error {
				x, err := scanJoin(r)
				*out = append(*out, x)
				return err
			})
	}
	joins("r.worksite_id IN "+administeredBy+" AND r.status = ?",
		[]any{id, id, portal.RequestPending}, &m.JoinRequestsToDecide)
	joins("r.account_id = ?", []any{id}, &m.JoinRequests)
	b.add("SELECT "+invitationColumns+invitationFrom+" "+
		"WHERE i.email_key = ? AND i.status = 'pending' AND i.expires_at > ? ORDER BY i.created_at DESC",
		[]any{portal.EmailKey(f.Email), ms(f.Now)}, countColumns(invitationColumns), func(r rowScanner) error {
			x, err := scanInvitation(r)
			m.Invitations = append(m.Invitations, x)
			return err
		})
	b.add("SELECT "+worksiteColumns+worksiteFrom+
		" WHERE LOWER(w.signer_email) = ? AND w.declaration_signed_at = 0 AND w.status = 'pending' ORDER BY w.created_at",
		[]any{portal.EmailKey(f.Email)}, countColumns(worksiteColumns), func(r rowScanner) error {
			x, err := scanWorksite(r)
			m.Declarations = append(m.Declarations, x)
			return err
		})
	sponsorships := func(where string, args []any, out *[]*portal.Sponsorship) {
		b.add("SELECT "+sponsorshipColumns+sponsorshipFrom+" WHERE "+where+" "+
			"ORDER BY s.created_at DESC, s.id DESC", args,
			countColumns(sponsorshipColumns), func(r rowScanner) error {
				x, err := scanSponsorship(r)
				*out = append(*out, x)
				return err
			})
	}
	sponsorships("s.authorizer_account_id = ? AND s.status = ?",
		[]any{id, portal.SponsorPending}, &m.SponsorshipsToDecide)
	b.add("SELECT "+handoverColumns+handoverFrom+" "+
		"WHERE h.to_account_id = ? AND h.status = 'pending' AND h.expires_at > ? ORDER BY h.id DESC",
		[]any{id, ms(f.Now)}, countColumns(handoverColumns), func(r rowScanner) error {
			x, err := scanHandover(r)
			m.HandoversToDecide = append(m.HandoversToDecide, x)
			return err
		})
	sponsorships("s.obo_account_id = ?", []any{id}, &m.Sponsorships)
	cycle := "(CASE WHEN w.members_confirmed_at > w.approved_at THEN w.members_confirmed_at ELSE w.approved_at END)"
	b.add("SELECT "+membersReviewColumns+worksiteFrom+" WHERE w.status = 'approved' AND w.approved_at > 0 AND "+cycle+
		" < ? AND w.id IN "+administeredBy+" ORDER BY "+cycle+", w.id", []any{ms(f.CycleBefore), id, id},
		countColumns(membersReviewColumns), func(r rowScanner) error {
			x, err := scanMembersReview(r)
			m.MembersReviews = append(m.MembersReviews, x)
			return err
		})
	m.Authorizers = map[portal.AccountID]*portal.Account{}
	if f.OnBehalf {
		b.add(
			"SELECT "+sponsorFactsColumns+sponsorshipFrom+" WHERE s.obo_account_id = ? AND s.status = ? ORDER BY s.id",
			[]any{id, portal.SponsorActive},
			countColumns(sponsorFactsColumns),
			func(r rowScanner) error {
				fx, err := scanSponsorFacts(r)
				m.ActiveSponsorFacts = append(m.ActiveSponsorFacts, fx)
				return err
			},
		)
		b.add("SELECT "+accountColumns+` FROM accounts WHERE id IN
			(SELECT authorizer_account_id FROM sponsorships WHERE obo_account_id = ? AND status = ?)`,
			[]any{id, portal.SponsorActive}, countColumns(accountColumns), func(r rowScanner) error {
				a, err := scanAccount(r)
				if a != nil {
					m.Authorizers[a.ID] = a
				}
				return err
			})
	}
	if err := q.Run(ctx, &b); err != nil {
		return nil, err
	}
	return m, nil
}

// requestLinks adds the worksites and sponsorships named on the request
// whose id the subquery of (one argument, the account) picks, as
// loadRequestLinks reads them, to the request req returns once read.
func (b *Batch) requestLinks(account int64, of string, req func() *portal.AccessRequest) {
	b.add("SELECT worksite_id, 0 FROM access_request_worksites WHERE request_id = "+of+
		" UNION ALL SELECT 0, sponsorship_id FROM access_request_sponsors WHERE request_id = "+of+" ORDER BY 1, 2",
		[]any{account, account}, 2, func(r rowScanner) error {
			var ws, sp int64
			if err := r.Scan(&ws, &sp); err != nil {
				return err
			}
			a := req()
			switch {
			case a == nil:
			case ws != 0:
				a.WorksiteIDs = append(a.WorksiteIDs, portal.WorksiteID(ws))
			default:
				a.SponsorshipIDs = append(a.SponsorshipIDs, portal.SponsorshipID(sp))
			}
			return nil
		})
}

// RequestStatus is portal.RequestStatus, as the store reads and writes it.
type RequestStatus = portal.RequestStatus

// ReadRequestStatus reads a person's RequestStatus in one statement.
func (q Q) ReadRequestStatus(ctx context.Context, account portal.AccountID) (*RequestStatus, error) {
	s := &RequestStatus{}
	id := int64(account)
	b := Batch{name: "request-status"}
	b.add("SELECT "+accessRequestColumns+" FROM access_requests r WHERE r.id = "+latestRequestOf, []any{id},
		countColumns(accessRequestColumns), func(r rowScanner) error {
			var err error
			s.Request, err = scanAccessRequest(r)
			return err
		})
	b.requestLinks(id, latestRequestOf, func() *portal.AccessRequest { return s.Request })
	b.add("SELECT "+eventColumns+eventFrom+" WHERE e.request_id = "+latestRequestOf+" ORDER BY e.id", []any{id},
		countColumns(eventColumns), func(r rowScanner) error {
			e, err := scanEvent(r)
			s.Events = append(s.Events, e)
			return err
		})
	b.add(
		"SELECT "+worksiteColumns+worksiteFrom+" WHERE w.id IN (SELECT worksite_id FROM access_request_worksites WHERE request_id = "+
			latestRequestOf+") ORDER BY w.id",
		[]any{id},
		countColumns(worksiteColumns),
		func(r rowScanner) error {
			w, err := scanWorksite(r)
			s.Worksites = append(s.Worksites, w)
			return err
		},
	)
	if err := q.Run(ctx, &b); err != nil {
		return nil, err
	}
	return s, nil
}
