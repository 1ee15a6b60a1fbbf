package mail

// ProfessionReviewed is the data of "profession_reviewed": the CareConnect
// team placed a person who described an "Other" profession under a listed
// profession, or declined them.
type ProfessionReviewed struct {
	Common
	Described  string // what the person wrote for "Other"
	Declined   bool
	Profession string // placed: the profession's label
	UserType   string // placed: the user type's label
	Meaning    string // placed: what the user type means, in one sentence
	Reason     string // declined: why; placed: the team's note, if any
	MenuURL    string
}

// LocumEnding is the data of "locum_ending": a locum's membership of a
// worksite ends in about a week. It goes to the locum and, with ToAdmin
// set, to each of the worksite's administrators.
type LocumEnding struct {
	Common
	WorksiteName string
	WorksiteCode string
	LocumName    string
	LastDay      string // formatted for reading, e.g. "12 Dec 2026"
	ToAdmin      bool
	URL          string // the worksite's page
}
