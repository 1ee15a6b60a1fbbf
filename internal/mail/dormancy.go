package mail

// DormancyReminder is the data of "dormancy_reminder", sent 30 and 7 days
// before unused CareConnect access is suspended as dormant.
type DormancyReminder struct {
	Common
	DaysLeft     string // how long is left, in words
	LastActivity string // the last sign-in (or confirmation), formatted for reading
	SuspendOn    string // when access is suspended without a sign-in, formatted for reading
	LimitDays    int
	SignInURL    string
}

// DormancySuspended is the data of "dormancy_suspended", sent when unused
// access is suspended as dormant.
type DormancySuspended struct {
	Common
	LastActivity string
	LimitDays    int
	ConfirmURL   string // where the person signs in and confirms, which restores the access
}

// DormancyReactivated is the data of "dormancy_reactivated", sent when a
// person restores access that was suspended as dormant.
type DormancyReactivated struct {
	Common
	LimitDays int
	StatusURL string
}

// LeaveRecorded is the data of "leave_recorded", sent when a person
// records a leave.
type LeaveRecorded struct {
	Common
	Kind        string // "Parental leave"
	Start       string // the first day away, YYYY-MM-DD
	Return      string // the return date, YYYY-MM-DD
	PauseAccess bool
	ReviewDue   string // the annual review's new due date, "" when there is none
	LeaveURL    string
}

// LeaveEnded is the data of "leave_ended", sent on the return date of a
// leave that paused the person's access.
type LeaveEnded struct {
	Common
	Return   string
	Restored bool // false: the access rules no longer allow it (licence, approved worksite, sponsor)
	// Licence, with Restored false, says why the licence stops it ("the
	// College of ... last reported your licence 12345 as lapsed"); "" when
	// another rule does.
	Licence   string
	StatusURL string
}

// LeaveChanged is the data of "leave_changed", sent when a person ends a
// leave before its planned return date or cancels it before it begins.
type LeaveChanged struct {
	Common
	Kind          string // "Parental leave"
	Start         string // the first day away, YYYY-MM-DD
	PlannedReturn string // the return date first recorded
	Return        string // the return date now (the first day when cancelled)
	Cancelled     bool
	AccessPaused  bool   // the access paused for the leave comes back now
	ReviewDue     string // the annual review's due date moved back, "" when it did not move
	LeaveURL      string
}
