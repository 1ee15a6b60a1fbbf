package mail

// ReviewReminder is the data of "review_reminder", sent 30, 7 and 1 days
// before a person's annual review of their CareConnect access falls due.
type ReviewReminder struct {
	Common
	DaysBefore int    // the reminder: 30, 7 or 1 days before the due date
	DaysLeft   string // how long is left, in words: "30 days", "1 day", "less than a day"
	DueDate    string // the due date, formatted for reading
	SuspendOn  string // when access is suspended without an answer, formatted for reading
	ReviewURL  string
}

// ReviewSuspended is the data of "review_suspended", sent when access is
// suspended because the annual review was not completed.
type ReviewSuspended struct {
	Common
	DueDate   string // when the review was due, formatted for reading
	ReviewURL string // where the person confirms, which reinstates the access
}

// ReviewConfirmed is the data of "review_confirmed", sent when a person
// confirms that they still need CareConnect access.
type ReviewConfirmed struct {
	Common
	NextDue    string // the next review's due date, formatted for reading
	Reinstated bool   // the access was suspended for the review and is now reinstated
	StatusURL  string
}

// ReviewMembersDue is the data of "review_members_due", sent to a
// worksite's site administrators when the yearly confirmation of its
// members falls due.
type ReviewMembersDue struct {
	Common
	WorksiteName string
	WorksiteID   string // the 7-character Worksite ID
	DueDate      string // formatted for reading
	ReviewURL    string
}
