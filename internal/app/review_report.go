package app

import (
	"context"
	"slices"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// ReminderStatus is one reminder of a review as the CareConnect team sees it.
type ReminderStatus struct {
	DaysBefore int
	State      string    // ReminderSent, ReminderSkipped or "" when not sent (yet)
	At         time.Time // when it was sent
}

// ReviewRow is a person's annual review in the CareConnect team's list.
type ReviewRow struct {
	Account         *portal.Account
	Request         *portal.AccessRequest
	ApprovedAt      time.Time
	LastConfirmedAt time.Time
	DueAt           time.Time
	SuspendAt       time.Time // the end of the grace period
	SuspendedAt     time.Time
	Reminders       []ReminderStatus
}

// MembersReviewRow is a worksite whose member review is overdue.
type MembersReviewRow struct {
	Worksite    *portal.Worksite
	ConfirmedAt time.Time
	DueAt       time.Time
	RemindedAt  time.Time
	Admins      []*portal.Account
}

// StaffReviews is the CareConnect team's view of the annual reviews.
type StaffReviews struct {
	DueSoon   []ReviewRow // due within 30 days
	Overdue   []ReviewRow // past due, not suspended yet
	Suspended []ReviewRow // suspended because the review was not completed
	Worksites []MembersReviewRow
}

// StaffReviews lists, for enrolment officers, who must confirm their
// access within 30 days, who is overdue, who was suspended for the review,
// and the worksites whose member review is overdue.
func (a *App) StaffReviews(ctx context.Context, staff *portal.Staff) (*StaffReviews, error) {
	if err := requireOfficer(staff); err != nil {
		return nil, err
	}
	q := a.DB.Read()
	now := a.now()
	due, err := q.FindReviewsDue(ctx, now.AddDate(0, 0, reviewWindowDays+2))
	if err != nil {
		return nil, err
	}
	suspended, err := q.FindReviewSuspensions(ctx)
	if err != nil {
		return nil, err
	}
	all := append(slices.Clip(due), suspended...)
	reqIDs := make([]portal.AccessRequestID, len(all))
	acctIDs := make([]portal.AccountID, len(all))
	for i, r := range all {
		reqIDs[i], acctIDs[i] = r.ID, r.AccountID
	}
	accts, err := q.FindAccountsByIDs(ctx, acctIDs)
	if err != nil {
		return nil, err
	}
	var since time.Time
	for i, r := range all {
		if i == 0 || r.CycleStart().Before(since) {
			since = r.CycleStart()
		}
	}
	times, err := q.FindReviewReminderTimes(ctx, reqIDs, since)
	if err != nil {
		return nil, err
	}
	row := func(r *store.AccessReview) ReviewRow {
		out := ReviewRow{Account: accts[r.AccountID], Request: r.AccessRequest, ApprovedAt: r.ApprovedAt,
			LastConfirmedAt: r.LastConfirmedAt, DueAt: r.ReviewDueAt, SuspendAt: r.ReviewDueAt.Add(ReviewGrace), SuspendedAt: r.SuspendedAt}
		// Reminders are sent earliest first, each with one step in the
		// history, so the n-th step of this cycle is the n-th one sent.
		var at []time.Time
		for _, t := range times[r.ID] {
			if !t.Before(r.CycleStart()) {
				at = append(at, t)
			}
		}
		log := parseReminders(r.RemindersSent)
		for _, d := range ReviewReminderDays {
			st := ReminderStatus{DaysBefore: d, State: log[d]}
			if st.State == ReminderSent && len(at) > 0 {
				st.At, at = at[0], at[1:]
			}
			out.Reminders = append(out.Reminders, st)
		}
		return out
	}
	out := &StaffReviews{}
	for _, r := range due {
		switch {
		case now.Before(r.ReviewDueAt):
			if calendarDays(now, r.ReviewDueAt) <= reviewWindowDays {
				out.DueSoon = append(out.DueSoon, row(r))
			}
		default:
			out.Overdue = append(out.Overdue, row(r))
		}
	}
	for _, r := range suspended {
		out.Suspended = append(out.Suspended, row(r))
	}
	ws, err := q.FindMembersReviews(ctx, store.MembersReviewFilter{CycleBefore: now.AddDate(-1, 0, 1)})
	if err != nil {
		return nil, err
	}
	for _, m := range ws {
		d := portal.ReviewDueAfter(m.CycleStart())
		if now.Before(d) {
			continue
		}
		admins, err := q.FindWorksiteAdminAccounts(ctx, m.Worksite.ID)
		if err != nil {
			return nil, err
		}
		out.Worksites = append(
			out.Worksites,
			MembersReviewRow{Worksite: m.Worksite, ConfirmedAt: m.ConfirmedAt, DueAt: d,
				RemindedAt: m.RemindedAt, Admins: admins},
		)
	}
	return out, nil
}
