package portal

import (
	"time"
)

// Leave without losing access: a person records a leave (parental,
// medical, sabbatical) with its dates. During it the annual review's
// reminders pause and its due date moves by the leave's length, the
// dormancy clock stands still, and, when the person chooses, access is
// paused (provisioned as suspended on leave) and comes back on the return
// date by itself.

// LeaveID identifies a recorded leave.
type LeaveID int64

// LeaveKind is why a person is away.
type LeaveKind string

// Kinds of leave, in the form's order.
const (
	LeaveParental   LeaveKind = "parental"
	LeaveMedical    LeaveKind = "medical"
	LeaveSabbatical LeaveKind = "sabbatical"
)

// LeaveKinds lists the kinds of leave with their labels.
var LeaveKinds = []struct {
	Kind  LeaveKind
	Label string
}{{LeaveParental, "Parental leave"}, {LeaveMedical, "Medical leave"}, {LeaveSabbatical, "Sabbatical"}}

// Label names the kind.
func (k LeaveKind) Label() string {
	for _, l := range LeaveKinds {
		if l.Kind == k {
			return l.Label
		}
	}
	return string(k)
}

// Bounds of a leave's dates.
const (
	LeaveMaxDays       = 730 // two years at most
	LeaveMaxAheadDays  = 365 // it starts within a year
	LeaveMaxBehindDays = 30  // or began at most 30 days ago
)

// LeaveAccessGrace is how long after the return date access paused for a
// leave may stay paused before the invariant calls it a violation (the
// leave job runs every 15 minutes).
const LeaveAccessGrace = 24 * time.Hour

// Leave is a recorded leave. Start is the first day away and End the
// return date (the first day back), both B.C. dates as YYYY-MM-DD.
type Leave struct {
	ID          LeaveID
	AccountID   AccountID
	Kind        LeaveKind
	Start, End  string
	PauseAccess bool // access is paused during the leave, by the person's choice
	CreatedAt   time.Time
	// PlannedEnd is the return date first recorded; End is earlier when the
	// person came back sooner, and equal to Start when they cancelled the
	// leave before it began.
	PlannedEnd string
	// ReviewDueAfter is the annual review's due date as recording the leave
	// moved it; zero when it moved none.
	ReviewDueAfter time.Time
}

// Cancelled reports whether the leave was called off before it began.
func (l *Leave) Cancelled() bool { return l.Start == l.End }

// EndedEarly reports whether the person came back before the planned
// return date (a cancelled leave also counts).
func (l *Leave) EndedEarly() bool { return l.PlannedEnd != "" && l.End != l.PlannedEnd }

// EndingOn is the return date a leave gets when the person ends it on a
// day (YYYY-MM-DD): that day, or its first day when it has not begun (the
// leave is then cancelled). ok is false when the leave is already over
// or was cancelled.
func (l *Leave) EndingOn(today string) (end string, ok bool) {
	if today >= l.End || l.Cancelled() {
		return "", false
	}
	if today < l.Start {
		return l.Start, true
	}
	return today, true
}

// CanEnd reports whether the person can still end the leave on a day
// (YYYY-MM-DD), or cancel it.
func (l *Leave) CanEnd(today string) bool {
	_, ok := l.EndingOn(today)
	return ok
}

// Days is the leave's length in days.
func (l *Leave) Days() int { return DaysBetween(l.Start, l.End) }

// DaysBetween counts the days from one date (YYYY-MM-DD) to another,
// negative when the other is earlier; 0 when either is not a date. Both
// are read as UTC days, which are all 24 hours long.
func DaysBetween(from, to string) int {
	f, err := time.Parse(time.DateOnly, from)
	if err != nil {
		return 0
	}
	t, err := time.Parse(time.DateOnly, to)
	if err != nil {
		return 0
	}
	return int(t.Sub(f) / (24 * time.Hour))
}

// Period is the leave as moments, from the start of its first day to the
// start of the return date, in zone.
func (l *Leave) Period(zone *time.Location) Period {
	s, _ := time.ParseInLocation(time.DateOnly, l.Start, zone)
	e, _ := time.ParseInLocation(time.DateOnly, l.End, zone)
	return Period{Start: s.UTC(), End: e.UTC()}
}

// Covers reports whether the person is away on a day (YYYY-MM-DD).
func (l *Leave) Covers(day string) bool { return l.Start <= day && day < l.End }

// LeaveInput is the leave form as typed.
type LeaveInput struct {
	Kind        string
	Start, End  string // YYYY-MM-DD
	PauseAccess bool
}

// Validate checks the form against today (YYYY-MM-DD in B.C.).
func (in LeaveInput) Validate(today string) FieldErrors {
	fe := FieldErrors{}
	known := false
	for _, l := range LeaveKinds {
		known = known || string(l.Kind) == in.Kind
	}
	if !known {
		fe.Add("kind", "Choose the kind of leave.")
	}
	t, _ := time.Parse(time.DateOnly, today)
	s, serr := time.Parse(time.DateOnly, in.Start)
	e, eerr := time.Parse(time.DateOnly, in.End)
	switch {
	case in.Start == "":
		fe.Add("start", "Enter the first day of your leave.")
	case serr != nil:
		fe.Add("start", "Enter the first day of your leave as YYYY-MM-DD.")
	case s.Before(t.AddDate(0, 0, -LeaveMaxBehindDays)):
		fe.Add("start", "A leave recorded now may have begun at most 30 days ago.")
	case s.After(t.AddDate(0, 0, LeaveMaxAheadDays)):
		fe.Add("start", "Record a leave that starts within a year from today.")
	}
	switch {
	case in.End == "":
		fe.Add("end", "Enter your return date.")
	case eerr != nil:
		fe.Add("end", "Enter your return date as YYYY-MM-DD.")
	case serr == nil && !e.After(s):
		fe.Add("end", "The return date must be after the first day of your leave.")
	case serr == nil && e.Sub(s) > LeaveMaxDays*24*time.Hour:
		fe.Add("end", "A leave lasts two years at most.")
	case !e.After(t):
		fe.Add("end", "The return date must be after today.")
	}
	return fe
}

// LeaveRecord is a recorded leave with what the leave job did to the access.
type LeaveRecord struct {
	Leave
	AccessPausedAt  time.Time
	AccessResumedAt time.Time
}
