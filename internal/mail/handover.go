package mail

// WorksiteHandoverRequested is the data of "worksite_handover_requested",
// sent to the member a site administrator asks to take a worksite over.
type WorksiteHandoverRequested struct {
	Common
	FromName     string
	WorksiteName string
	WorksiteID   string
	HandoverURL  string // the handover's page: signing in is the proof, not the link
	ExpiresOn    string
	// SignsDeclaration: accepting means signing the worksite's Privacy &
	// Security Declaration again, as its new signer.
	SignsDeclaration bool
}

// WorksiteHandoverAnswered is the data of "worksite_handover_answered",
// sent to the site administrator who asked.
type WorksiteHandoverAnswered struct {
	Common
	ToName       string
	WorksiteName string
	Accepted     bool
	WorksiteURL  string
}

// WorksiteAdminAppointed is the data of "worksite_admin_appointed", sent
// when the CareConnect team appoints a site administrator for a worksite
// whose administrators no longer sign in: to the new one (ToAppointed)
// and to each of the others.
type WorksiteAdminAppointed struct {
	Common
	AppointedName string
	WorksiteName  string
	ToAppointed   bool
	WorksiteURL   string
}

// MembershipLeft is the data of "membership_left", sent to a person who
// left a worksite.
type MembershipLeft struct {
	Common
	WorksiteName string
}
