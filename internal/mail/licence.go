package mail

// LicenceSuspended is the data of "licence_suspended", sent to the person
// when the daily licence check suspends their access.
type LicenceSuspended struct {
	Common
	College   string // the college's name
	Number    string // the registration number
	Status    string // "lapsed" or "suspended"
	StatusURL string
}

// LicenceTeam is the data of "licence_team_suspended" and
// "licence_team_restored", sent to the CareConnect team: the daily check
// suspended a person's access, or found the licence of someone suspended
// restored, so the team may reinstate them.
type LicenceTeam struct {
	Common
	Person    string // the person's name and username
	College   string
	Number    string
	Status    string // the licence's status, as a word
	Detail    string // the registry's answer, as the check reads it
	PersonURL string // the person's page in the back office
}
