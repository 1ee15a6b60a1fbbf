package mail

// SponsorshipRequested is the data of "sponsorship_requested", sent to an
// authorizer whom an on-behalf-of user asks to sponsor them.
type SponsorshipRequested struct {
	Common
	RequesterName  string
	RequesterEmail string
	WorksiteName   string
	ResidencyStart string // formatted for reading; empty unless a resident asks
	ResidencyEnd   string
	Message        string
	RequestURL     string // the request's page; deciding needs a signed-in authorizer
}

// SponsorshipDecided is the data of "sponsorship_decided", sent to the
// on-behalf-of user when the authorizer approves or declines.
type SponsorshipDecided struct {
	Common
	AuthorizerName string
	WorksiteName   string
	Approved       bool
	Reason         string
	ResidencyEnd   string // formatted for reading; empty unless a residency
	SponsorshipURL string
	EnrolmentURL   string // the next step after an approval: the CareConnect Enrolment Form
}

// SponsorshipEnded is the data of "sponsorship_ended", sent to the
// on-behalf-of user when the authorizer revokes the sponsorship or the
// residency it covered ends.
type SponsorshipEnded struct {
	Common
	AuthorizerName    string
	WorksiteName      string
	Revoked           bool   // false: the residency ended
	Reason            string // the authorizer's, when revoked
	ResidencyEnd      string // formatted for reading, when the residency ended
	RemainingSponsors int    // active sponsorships the person still has
}

// SponsorshipWithdrawn is the data of "sponsorship_withdrawn", sent to the
// authorizer when the on-behalf-of user ends the sponsorship.
type SponsorshipWithdrawn struct {
	Common
	OBOName      string
	WorksiteName string
	Reason       string // the on-behalf-of user's, may be empty
}

// AccessLapsed is the data of "access_lapsed", sent to an on-behalf-of
// user whose CareConnect access lapsed because no authorizer who qualifies
// sponsors them any more.
type AccessLapsed struct {
	Common
	Cause           string // what happened, in a sentence
	SponsorshipsURL string // where to ask an authorizer
	StatusURL       string
}

// AccessScopesNarrowed is the data of "access_scopes_narrowed", sent to an
// on-behalf-of user who keeps her CareConnect access through the sponsors
// who still qualify, but no longer sees what only another sponsor saw.
type AccessScopesNarrowed struct {
	Common
	Cause           string      // what happened, in a sentence
	Removed         []ScopeText // what she no longer sees
	Kept            []ScopeText // what she still sees
	SponsorshipsURL string
	StatusURL       string
}
