package mail

// ScopeText is a data scope in plain words: its name and what it holds.
type ScopeText struct {
	Label       string
	Description string
}

// AccessApproved is the data of "access_approved", sent when the
// CareConnect team approves a person's access request.
type AccessApproved struct {
	Common
	Scopes    []ScopeText // what the person can now see
	ReviewDue string      // the annual review's date, formatted for reading
	StatusURL string
}

// AccessDeclined is the data of "access_declined".
type AccessDeclined struct {
	Common
	Reason    string // the reason's label, e.g. "Identity could not be confirmed"
	Text      string // the team's explanation
	StatusURL string
}

// AccessInfoNeeded is the data of "access_info_needed", sent when the
// CareConnect team needs more information before deciding.
type AccessInfoNeeded struct {
	Common
	Question  string
	StatusURL string // where the person answers
}

// AccessChanged is the data of "access_suspended", "access_reinstated" and
// "access_deprovisioned": the team changed a person's approved access.
type AccessChanged struct {
	Common
	Reason    string
	StatusURL string
}
