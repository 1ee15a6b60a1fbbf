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
