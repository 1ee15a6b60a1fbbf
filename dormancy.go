package portal

import (
	"fmt"
	"time"
)

// Dormant accounts: nobody who stopped using CareConnect keeps access
// forever. A person's access becomes dormant after DormancyLimit (a
// setting, 180 days by default) without an activity: a portal sign-in,
// an annual review confirmed, the approval or the CareConnect team's
// reinstatement. They are reminded DormancyReminderDays before, then the
// dormancy job suspends the access (it is not deleted); signing in and
// confirming that they still need CareConnect restores it the same day.

// DefaultDormancyLimit is how long access stays without an activity
// before it is suspended as dormant, unless configured otherwise.
const DefaultDormancyLimit = 180 * 24 * time.Hour

// MinDormancyLimit bounds the setting from below: the reminders need room.
const MinDormancyLimit = 60 * 24 * time.Hour

// DormancyReminderDays are the reminders sent before access becomes
// dormant, in days before (B.C. calendar days), earliest first.
var DormancyReminderDays = []int{30, 7}

// DormancyJobGrace is how late the dormancy job may suspend access that
// became dormant (it runs every hour; a day covers a job that failed a
// few times). The invariant allows it.
const DormancyJobGrace = 24 * time.Hour

// ActivitySince is when the dormancy clock of a person's access started:
// the latest of their activities (zero times are ignored).
func ActivitySince(times ...time.Time) time.Time {
	var out time.Time
	for _, t := range times {
		if t.After(out) {
			out = t
		}
	}
	return out
}

// Period is a stretch of time, start included, end excluded.
type Period struct{ Start, End time.Time }

// DormantAt is when access whose clock started at since becomes dormant
// after limit, not counting the time spent in the periods given (leaves):
// each period that begins before the moment reached moves it by the part
// of the period after since.
func DormantAt(since time.Time, limit time.Duration, paused []Period) time.Time {
	at := since.Add(limit)
	for _, p := range sortedPeriods(paused) {
		if !p.Start.Before(at) {
			break
		}
		start := p.Start
		if start.Before(since) {
			start = since
		}
		if p.End.After(start) {
			at = at.Add(p.End.Sub(start))
		}
	}
	return at
}

// sortedPeriods returns the periods by start, overlaps merged.
func sortedPeriods(in []Period) []Period {
	ps := append([]Period(nil), in...)
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && ps[j].Start.Before(ps[j-1].Start); j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
	var out []Period
	for _, p := range ps {
		if n := len(out); n > 0 && !p.Start.After(out[n-1].End) {
			if p.End.After(out[n-1].End) {
				out[n-1].End = p.End
			}
			continue
		}
		out = append(out, p)
	}
	return out
}

// ValidateDormancyLimit checks the configured limit.
func ValidateDormancyLimit(d time.Duration) error {
	if d < MinDormancyLimit {
		return fmt.Errorf("the dormancy limit must be at least %d days, not %s",
			int(MinDormancyLimit/(24*time.Hour)), d)
	}
	return nil
}

// Activity is when a person's dormancy clock started, and the periods it
// stood still (leaves), for the invariant.
type Activity struct {
	AccountID AccountID
	Since     time.Time
	Paused    []Period
}
