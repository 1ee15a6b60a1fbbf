package portal

import "time"

// A locum covers for another practitioner for a term. Locums enrol as
// independent users of their own (their own HxBC account, prerequisites
// and access request, approved by nobody's sponsorship); the site
// administrator marks their membership of the worksite as a locum's with
// its last day, and the membership ends after that day by itself.

// LocumMaxAhead bounds how far ahead a locum's last day may be set. Locum
// terms cover leaves and vacancies, weeks to months long; a year is longer
// than any usual term, catches a mistyped year (2062 for 2026), and is the
// cycle of the annual access review, so a longer engagement is confirmed
// again (by setting a new last day) rather than left open for years.
const LocumMaxAhead = "one year"

// LocumNoticeDays is how many days before a locum's last day the locum and
// the worksite's administrators are reminded that the term is ending.
const LocumNoticeDays = 7

// ValidateLocumLastDay checks a locum's last day (YYYY-MM-DD) against
// today, both calendar dates in British Columbia: not in the past, and no
// more than a year from today. It returns the date in its canonical form.
func ValidateLocumLastDay(lastDay string, today time.Time) (string, error) {
	if lastDay == "" {
		return "", FieldErrors{"last_day": "Enter the locum's last day."}
	}
	d, err := time.Parse(time.DateOnly, lastDay)
	if err != nil {
		return "", FieldErrors{"last_day": "Enter the last day as a date, YYYY-MM-DD."}
	}
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	t := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	switch {
	case day(d) < day(t):
		return "", FieldErrors{"last_day": "The last day cannot be in the past."}
	case day(d) > day(t.AddDate(1, 0, 0)):
		return "", FieldErrors{"last_day": "The last day can be at most " + LocumMaxAhead + " from today (" +
			t.AddDate(1, 0, 0).Format("2 Jan 2006") + "). For a longer term, set a new last day nearer the time."}
	}
	return day(d), nil
}

// CheckLocum refuses a locum who would not hold CareConnect access in their
// own name: locums are independent of the practitioner they cover for, so
// an on-behalf-of user (or a profession not eligible) cannot be one.
func CheckLocum(a *Account, name string) error {
	ut := a.UserType()
	if !ut.CanRequestAccess() || ut.NeedsAuthorizer() {
		return FieldErrors{
			"last_day": name + " cannot be marked as a locum: a locum holds CareConnect access in their own name, " +
				"and " + name + " is registered as " + a.ProfessionLabel() + " (" + ut.Label() + ").",
		}
	}
	return nil
}
