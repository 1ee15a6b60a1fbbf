package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/mail"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// The annual review: a year after a person's CareConnect access is
// approved (and every year after they confirm it) they confirm that they
// still need it. Reminders go out 30, 7 and 1 days before the due date;
// without an answer by the end of the grace period the access is
// suspended until they confirm. Site administrators likewise confirm the
// members of their worksites once a year.

// ReviewGrace is how long after the annual review falls due access stays
// approved without an answer: 30 days. When it has passed, the annual
// review job suspends the access; confirming the review reinstates it.
const ReviewGrace = 30 * 24 * time.Hour

// ReviewReminderDays are the reminders sent before the review falls due,
// in days before the due date (B.C. calendar days), earliest first. Each
// is sent at most once per review.
var ReviewReminderDays = []int{30, 7, 1}

// reviewWindowDays is how long before the due date the review shows as due
// to the person (and a site administrator's member review to them).
const reviewWindowDays = 30

// reviewSuspensionPrefix starts the history note of every suspension made
// by the annual review: confirming the review lifts only those.
const reviewSuspensionPrefix = "Suspended for the annual review"

var reviewMeta = portal.RequestMeta{RequestID: "job:annual-review"}

// dayOf shows the B.C. date of a moment, as "November 26, 2027".
func dayOf(t time.Time) string { return t.In(portal.Pacific()).Format("2 Jan 2006") }

// calendarDays counts the B.C. calendar days from one moment's date to
// another's: 0 on the same day, 1 the day before, negative after.
func calendarDays(from, to time.Time) int {
	f, t := from.In(portal.Pacific()), to.In(portal.Pacific())
	a := time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, time.UTC)
	b := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return int(b.Sub(a) / (24 * time.Hour))
}

// daysWords says a number of days in words.
func daysWords(n int) string {
	switch {
	case n <= 0:
		return "less than a day"
	case n == 1:
		return "1 day"
	}
	return strconv.Itoa(n) + " days"
}

// States of a person's annual review.
const (
	ReviewNone      = "none"      // no approved access to review
	ReviewNotDue    = "not_due"   // approved; the review is more than 30 days away
	ReviewDue       = "due"       // approved; the review falls due within 30 days
	ReviewOverdue   = "overdue"   // approved; past due, within the grace period
	ReviewSuspended = "suspended" // suspended because the review was not completed: confirming reinstates it
	ReviewBlocked   = "blocked"   // suspended for another reason (by the CareConnect team, a lapsed sponsorship): confirming does not lift it
)

// AccessReviewWorksite is a worksite named on the access under review.
type AccessReviewWorksite struct {
	Worksite *portal.Worksite
	Active   bool // the person is still an active member
}

// AccessReview is a person's annual review of their CareConnect access.
type AccessReview struct {
	State           string
	Request         *portal.AccessRequest // nil when State is ReviewNone
	ApprovedAt      time.Time
	LastConfirmedAt time.Time
	DueAt           time.Time
	SuspendAt       time.Time // the end of the grace period
	SuspendedAt     time.Time // when the access was suspended, for ReviewSuspended and ReviewBlocked
	Worksites       []AccessReviewWorksite
	NextDue         time.Time // when the next review would fall due if confirmed now
	Reinstated      bool      // set by ConfirmAccessReview when confirming reinstated the access
}

// CanConfirm reports whether the person may confirm the review now.
func (v *AccessReview) CanConfirm() bool {
	switch v.State {
	case ReviewNotDue, ReviewDue, ReviewOverdue, ReviewSuspended:
		return true
	}
	return false
}

// Explanation says why the review cannot be confirmed, or "".
func (v *AccessReview) Explanation(support string) string {
	switch v.State {
	case ReviewNone:
		return "You do not have approved CareConnect access, so there is nothing to confirm. Once the CareConnect team approves your access request, you will be asked every year to confirm that you still need it."
	case ReviewBlocked:
		return "Your CareConnect access was suspended for a reason other than the annual review, so confirming the review cannot reinstate it. Please contact the CareConnect team at " + support + "."
	}
	return ""
}

// AccessReview returns the person's annual review: where it stands and
// the access it is about.
func (a *App) AccessReview(ctx context.Context, actor *portal.Account) (*AccessReview, error) {
	v, err := a.reviewState(ctx, actor)
	if err != nil || v.Request == nil {
		return v, err
	}
	members, err := a.DB.Read().FindAccountMemberships(ctx, actor.ID)
	if err != nil {
		return nil, err
	}
	for _, id := range v.Request.WorksiteIDs {
		w, err := a.DB.Read().FindWorksiteByID(ctx, id)
		if err != nil {
			return nil, err
		}
		active := slices.ContainsFunc(members, func(m *portal.Membership) bool {
			return m.WorksiteID == id && m.Status == portal.MemberActive
		})
		v.Worksites = append(v.Worksites, AccessReviewWorksite{Worksite: w, Active: active})
	}
	return v, nil
}

// reviewState is where the person's annual review stands, without the
// worksites.
func (a *App) reviewState(ctx context.Context, actor *portal.Account) (*AccessReview, error) {
	r, err := a.DB.Read().FindAccessReview(ctx, actor.ID)
	if store.IsNotFound(err) {
		return &AccessReview{State: ReviewNone}, nil
	}
	if err != nil {
		return nil, err
	}
	var last *portal.AccessRequestEvent
	if r.Status == portal.ARSuspended {
		if last, err = a.DB.Read().LastSuspension(ctx, r.ID); err != nil && !store.IsNotFound(err) {
			return nil, err
		}
	}
	return reviewStateOf(r, last, a.now()), nil
}

// reviewStateOf is the state of the review of r, the request holding a
// person's access, at now; last is the step that last suspended it (nil
// when none).
func reviewStateOf(r *store.AccessReview, last *portal.AccessRequestEvent, now time.Time) *AccessReview {
	if r == nil {
		return &AccessReview{State: ReviewNone}
	}
	v := &AccessReview{Request: r.AccessRequest, ApprovedAt: r.ApprovedAt, LastConfirmedAt: r.LastConfirmedAt,
		DueAt: r.ReviewDueAt, NextDue: portal.ReviewDueAfter(now)}
	if !v.DueAt.IsZero() {
		v.SuspendAt = v.DueAt.Add(ReviewGrace)
	}
	switch {
	case r.Status == portal.ARSuspended:
		v.State = ReviewBlocked
		if last != nil {
			v.SuspendedAt = last.At
			if isReviewSuspension(last) {
				v.State = ReviewSuspended
			}
		}
	case v.DueAt.IsZero() || calendarDays(now, v.DueAt) > reviewWindowDays:
		v.State = ReviewNotDue
	case now.Before(v.DueAt):
		v.State = ReviewDue
	default:
		v.State = ReviewOverdue
	}
	return v
}

// ReviewInput is the annual review's form: the three attestations of the
// CareConnect Enrolment Form, given again.
type ReviewInput struct {
	AttestCorrect      bool
	AttestDirectCare   bool
	AttestAnnualReview bool
}

// Validate requires all three attestations.
func (in ReviewInput) Validate() portal.FieldErrors {
	fe := portal.FieldErrors{}
	if !in.AttestCorrect {
		fe.Add("attest_correct", "Confirm that the information shown is correct.")
	}
	if !in.AttestDirectCare {
		fe.Add("attest_direct_care", "Confirm that you will use CareConnect only for direct clinical care.")
	}
	if !in.AttestAnnualReview {
		fe.Add("attest_annual_review", "Confirm that you expect an annual review of your access.")
	}
	return fe
}

// refuseUnsponsoredReview tells an on-behalf-of user that confirming her
// review cannot restore her access while no sponsor qualifies.
func refuseUnsponsoredReview(string) error {
	return portal.Errorf(
		portal.ECONFLICT,
		"No authorizer who has CareConnect access sponsors you at a worksite you share, "+
			"so confirming your review cannot restore your access. Ask an authorizer who has CareConnect access to sponsor you "+
			"under Authorizer on the Main Menu, then confirm your review again.",
	)
}

// refuseReviewWithoutWorksite tells a person that confirming her review
// cannot restore her access while she belongs to no approved worksite.
func refuseReviewWithoutWorksite(string) error {
	return portal.Errorf(
		portal.ECONFLICT,
		"You do not belong to an approved worksite, so confirming your review cannot restore "+
			"your access. Join the worksite you work at under My Worksites, then confirm your review again.",
	)
}

// errReviewChanged rolls back a confirmation whose request changed between
// reading and writing.
var errReviewChanged = errors.New("app: access changed during the review")

// ConfirmAccessReview records that the person still needs CareConnect
// access: the next review falls due a year from now and its reminders
// start again. Access suspended because the review was overdue is
// reinstated; access suspended for any other reason is not.
func (a *App) ConfirmAccessReview(
	ctx context.Context,
	meta portal.RequestMeta,
	actor *portal.Account,
	in ReviewInput,
) (*AccessReview, error) {
	v, err := a.reviewState(ctx, actor)
	if err != nil {
		return nil, err
	}
	if !v.CanConfirm() {
		return nil, portal.Errorf(portal.ECONFLICT, "%s", v.Explanation(a.Config.SupportEmail))
	}
	if err := in.Validate().Err(); err != nil {
		return nil, err
	}
	id := v.Request.ID
	reinstated := false
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		// The person first, then the request: the order the rules that
		// suspend access on their own take (lapses, lost worksites).
		if _, err := tx.FindAccountByIDForUpdate(ctx, actor.ID); err != nil {
			return err
		}
		cur, err := tx.LockAccessReview(ctx, id)
		if err != nil {
			return err
		}
		switch cur.Status {
		case portal.ARApproved:
		case portal.ARSuspended:
			last, err := tx.LastSuspension(ctx, id)
			if err != nil && !store.IsNotFound(err) {
				return err
			}
			if !isReviewSuspension(last) {
				return portal.Errorf(
					portal.ECONFLICT,
					"%s",
					(&AccessReview{State: ReviewBlocked}).Explanation(a.Config.SupportEmail),
				)
			}
			reinstated = true
		default:
			return errReviewChanged
		}
		now := a.now()
		next := portal.ReviewDueAfter(now)
		note := "Confirmed that access is still needed."
		if reinstated {
			note += " Access reinstated: it was suspended only because the annual review was overdue."
		}
		ok, err := tx.ChangeAccessRequest(
			ctx,
			store.AccessRequestChange{ID: id, From: []string{cur.Status}, To: portal.ARApproved,
				At: now, ActorKind: portal.ActorAccount, ActorID: accountRef(actor.ID), Note: note,
				Set: map[string]any{
					"last_confirmed_at": now.UnixMilli(),
					"review_due_at":     next.UnixMilli(),
					"reminders_sent":    "",
				}},
		)
		if err != nil {
			return err
		}
		if !ok {
			return errReviewChanged
		}
		if reinstated {
			if err := a.requireApprovedWorksite(ctx, tx, actor.ID, refuseReviewWithoutWorksite); err != nil {
				return err
			}
			if err := a.requireQualifyingSponsor(ctx, tx, actor.ID, refuseUnsponsoredReview); err != nil {
				return err
			}
			if err := a.requireLicence(ctx, tx, actor, "Confirming your review cannot reinstate your access"); err != nil {
				return err
			}
		}
		// An on-behalf-of user's access is kept, or restored, within what her
		// sponsors who qualify were granted.
		whole, err := a.narrowToSponsors(
			ctx,
			tx,
			meta,
			actor,
			"You confirmed your annual review, and your access continues "+
				"through the authorizers who sponsor you now.",
		)
		if err != nil {
			return err
		}
		if reinstated && !whole {
			return portal.Errorf(
				portal.ECONFLICT,
				"The authorizers who sponsor you now were not granted any of the information your "+
					"access holds, so confirming your review cannot restore it. Ask an authorizer who sees that information to sponsor "+
					"you under Authorizer on the Main Menu, then contact the CareConnect team.",
			)
		}
		if reinstated {
			if err := a.restoredBySelf(ctx, tx, actor.ID, id, "annual review confirmed"); err != nil {
				return err
			}
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(actor.ID),
			action: "review.confirmed", subjectKind: "access_request", subjectID: requestRef(id),
			details: map[string]any{"account": actor.ID, "previous_due_at": cur.ReviewDueAt.In(portal.Pacific()).Format(time.DateOnly),
				"review_due_at": next.In(portal.Pacific()).Format(time.DateOnly), "reinstated": reinstated}}); err != nil {
			return err
		}
		return a.enqueue(
			ctx,
			tx,
			"review_confirmed",
			actor.Email,
			actor.ID,
			mail.ReviewConfirmed{Common: a.commonFor(actor.DisplayName(), cur.AccessRequest),
				NextDue: dayOf(next), Reinstated: reinstated, StatusURL: a.statusURL()},
		)
	})
	if errors.Is(err, errReviewChanged) {
		return nil, portal.Errorf(
			portal.ECONFLICT,
			"Your CareConnect access changed while you were confirming it. Reload the page and try again.",
		)
	}
	if err != nil {
		return nil, err
	}
	if v, err = a.AccessReview(ctx, actor); err != nil {
		return nil, err
	}
	v.Reinstated = reinstated
	return v, nil
}

// MembersReview is a worksite's yearly member review, for its site
// administrators.
type MembersReview struct {
	Worksite    *portal.Worksite
	Members     []*portal.Membership // the active members, administrators first
	ConfirmedAt time.Time            // the last confirmation, zero when none yet
	RemindedAt  time.Time            // when the administrators were emailed in this cycle
	DueAt       time.Time            // zero when the worksite is not approved
	State       string               // ReviewNotDue, ReviewDue or ReviewOverdue; ReviewNone when not approved
}

func (a *App) membersReview(ctx context.Context, ws portal.WorksiteID) (*MembersReview, error) {
	m, err := a.DB.Read().FindMembersReview(ctx, ws)
	if err != nil {
		return nil, err
	}
	out := &MembersReview{Worksite: m.Worksite, ConfirmedAt: m.ConfirmedAt, RemindedAt: m.RemindedAt, State: ReviewNone}
	all, err := a.DB.Read().FindWorksiteMembers(ctx, ws)
	if err != nil {
		return nil, err
	}
	for _, mem := range all {
		if mem.Status == portal.MemberActive {
			out.Members = append(out.Members, mem)
		}
	}
	if m.Worksite.Status != portal.WorksiteApproved || m.Worksite.ApprovedAt.IsZero() {
		return out, nil
	}
	now := a.now()
	out.DueAt = portal.ReviewDueAfter(m.CycleStart())
	switch {
	case !now.Before(out.DueAt):
		out.State = ReviewOverdue
	case calendarDays(now, out.DueAt) <= reviewWindowDays:
		out.State = ReviewDue
	default:
		out.State = ReviewNotDue
	}
	return out, nil
}

// MembersReview returns a worksite's member review for one of its
// administrators; anyone else is told the worksite does not exist.
func (a *App) MembersReview(ctx context.Context, actor *portal.Account, ws portal.WorksiteID) (*MembersReview, error) {
	if _, err := a.requireAdmin(ctx, actor, ws); err != nil {
		return nil, err
	}
	return a.membersReview(ctx, ws)
}

// MembersReviewInput is the member review's form: who to decommission, and
// the administrator's confirmation that everyone else still works there.
type MembersReviewInput struct {
	Remove  []portal.AccountID
	Confirm bool
}

// ConfirmMembers decommissions the members the administrator ticked (each
// with its email and audit event) and records that the worksite's members
// were confirmed, which starts a new yearly cycle, in one transaction.
// It returns how many members were decommissioned.
func (a *App) ConfirmMembers(
	ctx context.Context,
	meta portal.RequestMeta,
	actor *portal.Account,
	ws portal.WorksiteID,
	in MembersReviewInput,
) (int, error) {
	v, err := a.MembersReview(ctx, actor, ws)
	if err != nil {
		return 0, err
	}
	w := v.Worksite
	if v.State == ReviewNone {
		return 0, portal.Errorf(portal.ECONFLICT, "%s is not approved yet, so its members are not reviewed.", w.Name)
	}
	fe := portal.FieldErrors{}
	active := map[portal.AccountID]*portal.Membership{}
	admins, removedAdmins := 0, 0
	for _, m := range v.Members {
		active[m.AccountID] = m
		if m.IsAdmin() {
			admins++
		}
	}
	remove := map[portal.AccountID]bool{}
	for _, id := range in.Remove {
		m, ok := active[id]
		if !ok {
			fe.Add(
				"members",
				"Someone you ticked is no longer an active member of "+w.Name+". Reload the page and review the list again.",
			)
			continue
		}
		if !remove[id] && m.IsAdmin() {
			removedAdmins++
		}
		remove[id] = true
	}
	if removedAdmins > 0 && removedAdmins >= admins {
		fe.Add(
			"members",
			"Keep at least one site administrator of "+w.Name+". Make someone else a site administrator first.",
		)
	}
	if !in.Confirm {
		fe.Add(
			"confirm_members",
			"Confirm that the members you keep still work at "+w.Name+" and need CareConnect access.",
		)
	}
	if err := fe.Err(); err != nil {
		return 0, err
	}
	ids := make([]portal.AccountID, 0, len(remove))
	for id := range remove {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	// One transaction: the removals and the confirmation stand or fall together.
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		for _, id := range ids {
			if _, err := a.decommissionTx(ctx, tx, meta, portal.ActorAccount, accountRef(actor.ID), actor.ID, w, active[id]); err != nil {
				return err
			}
		}
		ok, err := tx.ConfirmWorksiteMembers(ctx, ws, a.now())
		if err != nil {
			return err
		}
		if !ok {
			return portal.Errorf(portal.ECONFLICT, "%s is no longer approved, so its members are not reviewed.", w.Name)
		}
		return a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(actor.ID),
			action: "review.members_confirmed", subjectKind: "worksite", subjectID: worksiteRef(ws), worksiteID: int64(ws),
			details: map[string]any{"kept": len(v.Members) - len(ids), "decommissioned": ids,
				"next_due_at": portal.ReviewDueAfter(a.now()).In(portal.Pacific()).Format(time.DateOnly)}})
	})
	if err != nil {
		return 0, err
	}
	return len(ids), nil
}

// reviewActions adds the annual reviews waiting for the person to the
// Notification Centre: their own, from 30 days before it falls due (and
// while suspended for it), and the member reviews of the worksites they
// administer.
func reviewActions(a *App, _ *portal.Account, m *store.MenuRead) []portal.ActionItem {
	var out []portal.ActionItem
	now := a.now()
	v := reviewStateOf(m.Review, m.ReviewSuspension, now)
	switch v.State {
	case ReviewDue, ReviewOverdue, ReviewSuspended:
		item := portal.ActionItem{Kind: "access_review", SubmittedAt: v.DueAt.AddDate(0, 0, -reviewWindowDays),
			Description: "Confirm that you still need CareConnect access", DueAt: v.DueAt, ViewURL: "/review", AcceptLabel: "Confirm"}
		if v.State == ReviewSuspended {
			item.Consequence = "your access is suspended until you do"
		}
		out = append(out, item)
	}
	for _, m := range m.MembersReviews {
		due := portal.ReviewDueAfter(m.CycleStart())
		if calendarDays(now, due) > reviewWindowDays {
			continue
		}
		out = append(out, portal.ActionItem{Kind: "members_review", SubmittedAt: due.AddDate(0, 0, -reviewWindowDays),
			Description: "Confirm the members of " + m.Worksite.Name, DueAt: due,
			ViewURL: fmt.Sprintf("/worksites/%d/review", m.Worksite.ID), AcceptLabel: "Review"})
	}
	return out
}

// membersReviewCycleBefore is how far back a worksite's member review
// cycle began for its administrators to see the review coming.
func membersReviewCycleBefore(now time.Time) time.Time {
	return now.AddDate(-1, 0, reviewWindowDays+2)
}
