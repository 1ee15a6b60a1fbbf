package portal

// UserType is how a person takes part in CareConnect: whether they may
// approve others, request access on their own, or see records only on behalf
// of someone who approved them.
type UserType string

const (
	// UserAuthorizer requests access on their own and may approve people to
	// work on their behalf.
	UserAuthorizer UserType = "authorizer"
	// UserIndependent requests access on their own and approves nobody.
	UserIndependent UserType = "independent"
	// UserOnBehalfOf sees what an authorizer sees, only after and only while
	// that authorizer approves them.
	UserOnBehalfOf UserType = "on_behalf_of"
	// UserManualReview is a profession the CareConnect team places by hand.
	UserManualReview UserType = "manual_review"
	// UserNotEligible is a profession listed on the registration form (the
	// HxBC account serves other applications too) that cannot be granted
	// CareConnect access.
	UserNotEligible UserType = "not_eligible"
)

// ResidentRoute is the choice a medical resident makes: request access on
// their own, or be sponsored by an authorizer for the length of the
// residency.
type ResidentRoute string

const (
	ResidentIndependent ResidentRoute = "independent"
	ResidentSponsored   ResidentRoute = "sponsored"
)

// ResidentRoutes lists a resident's choices, in the order a form shows them.
var ResidentRoutes = []struct {
	Code  ResidentRoute
	Label string
}{
	{ResidentSponsored, "Sponsored by an authorizer for the dates of my residency"},
	{ResidentIndependent, "On my own, as an independent user"},
}

// userTypeRules maps every profession on the registration form to a user
// type. It is the one place to change when policy moves a profession.
// Profession and Licence must match exactly; Resident and Route matter only
// for physicians (UserTypeOf clears them for everyone else), Licence only for
// nurses. A combination missing from the table is not eligible.
//
// The brief names authorizers (physician, nurse practitioner, registered
// nurse), independent users (pharmacist, licensed practical nurse, social
// worker, registered psychiatric nurse, a resident who chooses it) and
// on-behalf-of users (medical office assistant, a sponsored resident). The
// other professions are not on those lists. They are not made on-behalf-of
// users either: such a user sees everything their authorizer sees, which for
// a physician includes PharmaNet, far more than these professions' work
// calls for. Least privilege therefore leaves them not eligible until policy
// names them; adding one means changing its row here and adding its rows in
// prerequisite.go, datascope.go and remoteaccess.go.
var userTypeRules = []struct {
	Profession Profession
	Licence    NurseLicence  // nurses only
	Resident   bool          // physicians only
	Route      ResidentRoute // resident physicians only; "" while not chosen
	Type       UserType
}{
	// Regulated allied profession, not on the brief's lists.
	{Profession: ProfChiropractor, Type: UserNotEligible},
	// Clinic support staff, like a medical office assistant: works on a
	// physician's or nurse practitioner's behalf once approved.
	{Profession: ProfCorporateAdmin, Type: UserOnBehalfOf},
	// Regulated allied profession, not on the brief's lists.
	{Profession: ProfSonographer, Type: UserNotEligible},
	// Regulated allied profession, not on the brief's lists.
	{Profession: ProfMassageTherapist, Type: UserNotEligible},
	// Listed "CBS only": the profession is on the form for another service
	// that uses HxBC accounts, not for CareConnect.
	{Profession: ProfLabTechnologist, Type: UserNotEligible},
	// The brief: an MOA is an on-behalf-of user.
	{Profession: ProfMOA, Type: UserOnBehalfOf},
	// Regulated allied profession, not on the brief's lists.
	{Profession: ProfRadiationTech, Type: UserNotEligible},
	// Not on the brief's lists and not among the professions that sign the
	// access agreement; change this row if policy adds midwives.
	{Profession: ProfMidwife, Type: UserNotEligible},
	// Nurses, by licence type, as the brief says.
	{Profession: ProfNurse, Licence: LicenceNP, Type: UserAuthorizer},
	{Profession: ProfNurse, Licence: LicenceRN, Type: UserAuthorizer},
	{Profession: ProfNurse, Licence: LicenceLPN, Type: UserIndependent},
	{Profession: ProfNurse, Licence: LicenceRPN, Type: UserIndependent},
	// Regulated allied profession, not on the brief's lists.
	{Profession: ProfNutritionist, Type: UserNotEligible},
	// Regulated allied profession, not on the brief's lists.
	{Profession: ProfOccupationalTherapy, Type: UserNotEligible},
	// A manual osteopathic practitioner; an osteopathic physician (DO) is
	// registered as a physician and chooses Physician.
	{Profession: ProfOsteopath, Type: UserNotEligible},
	// The brief: independent.
	{Profession: ProfPharmacist, Type: UserIndependent},
	// Works under a pharmacist, but pharmacists are independent users and
	// approve nobody, so there is no authorizer to work on behalf of.
	{Profession: ProfPharmacyTechnician, Type: UserNotEligible},
	// A physician who is not a resident is an authorizer.
	{Profession: ProfPhysician, Type: UserAuthorizer},
	// A resident chooses: independent, or sponsored by an authorizer (with
	// residency start and end dates).
	{Profession: ProfPhysician, Resident: true, Route: ResidentIndependent, Type: UserIndependent},
	{Profession: ProfPhysician, Resident: true, Route: ResidentSponsored, Type: UserOnBehalfOf},
	// A resident who has not chosen yet is treated as sponsored, the usual
	// route for residents and the one that grants nothing without an
	// authorizer's approval.
	{Profession: ProfPhysician, Resident: true, Type: UserOnBehalfOf},
	// Regulated allied profession, not on the brief's lists.
	{Profession: ProfPhysiotherapist, Type: UserNotEligible},
	// The brief: independent (all classes of social worker).
	{Profession: ProfSocialWorker, Type: UserIndependent},
	// "Other" is reviewed by hand: the CareConnect team reads the described
	// profession and either corrects it to a listed one or declines. It is
	// neither on-behalf-of (that would let an authorizer sponsor someone the
	// team has not placed) nor plainly ineligible.
	{Profession: ProfOther, Type: UserManualReview},
}

// UserTypeOf returns the user type for a profession. licence matters only
// for nurses; isResident and route only for physicians. Anything the table
// does not list, such as a nurse without a known licence type, is not
// eligible.
func UserTypeOf(p Profession, licence NurseLicence, isResident bool, route ResidentRoute) UserType {
	if p != ProfNurse {
		licence = ""
	}
	if p != ProfPhysician {
		isResident = false
	}
	if !isResident || (route != ResidentIndependent && route != ResidentSponsored) {
		route = ""
	}
	for _, r := range userTypeRules {
		if r.Profession == p && r.Licence == licence && r.Resident == isResident && r.Route == route {
			return r.Type
		}
	}
	return UserNotEligible
}

// userTypeInfo describes each user type for the pages.
var userTypeInfo = []struct {
	Type            UserType
	Label           string
	Description     string
	CanRequest      bool // may submit a CareConnect Enrolment Form
	NeedsAuthorizer bool // names the authorizer(s) who must approve first
	CanAuthorize    bool // may approve people to work on their behalf
}{
	{UserAuthorizer, "Authorizer",
		"You request CareConnect access yourself and can approve people, such as your medical office assistant, to use it on your behalf.",
		true, false, true},
	{UserIndependent, "Independent user",
		"You request CareConnect access yourself, without an authorizer, and cannot approve anyone to work on your behalf.",
		true, false, false},
	{UserOnBehalfOf, "On-behalf-of user",
		"You use CareConnect for an authorizer who must approve you first, and you see what they see for as long as they sponsor you.",
		true, true, false},
	{UserManualReview, "Under review",
		"The CareConnect team will look at the profession you described and tell you whether and how you can use CareConnect.",
		false, false, false},
	{UserNotEligible, "Not eligible",
		"Your profession cannot be granted CareConnect access at present; contact the CareConnect team if you think this is a mistake.",
		false, false, false},
}

func lookupUserType(u UserType) (int, bool) {
	for i, x := range userTypeInfo {
		if x.Type == u {
			return i, true
		}
	}
	return 0, false
}

// Label names the user type, e.g. "Authorizer".
func (u UserType) Label() string {
	if i, ok := lookupUserType(u); ok {
		return userTypeInfo[i].Label
	}
	return string(u)
}

// Description explains the user type in one sentence.
func (u UserType) Description() string {
	if i, ok := lookupUserType(u); ok {
		return userTypeInfo[i].Description
	}
	return ""
}

// CanRequestAccess reports whether a person of this type may submit a
// CareConnect Enrolment Form.
func (u UserType) CanRequestAccess() bool {
	i, ok := lookupUserType(u)
	return ok && userTypeInfo[i].CanRequest
}

// NeedsAuthorizer reports whether a request must name authorizers who
// approve it before the CareConnect team sees it.
func (u UserType) NeedsAuthorizer() bool {
	i, ok := lookupUserType(u)
	return ok && userTypeInfo[i].NeedsAuthorizer
}

// CanAuthorize reports whether a person of this type may approve others to
// work on their behalf.
func (u UserType) CanAuthorize() bool {
	i, ok := lookupUserType(u)
	return ok && userTypeInfo[i].CanAuthorize
}

// ProfessionEligible reports whether a person of profession p can come to
// CareConnect access at all: some row of the policy table gives it a user
// type other than not eligible (for "Other", the CareConnect team's review).
// Registration stops for a profession that cannot, before any account is
// made.
func ProfessionEligible(p Profession) bool {
	for _, r := range userTypeRules {
		if r.Profession == p && r.Type != UserNotEligible {
			return true
		}
	}
	return false
}

// EligibleProfessions lists the professions of the registration form that
// can come to CareConnect access, in the form's order.
func EligibleProfessions() []ProfessionInfo {
	var out []ProfessionInfo
	for _, info := range Professions {
		if ProfessionEligible(info.Code) {
			out = append(out, info)
		}
	}
	return out
}

// NotEligibleMessage tells a person who chose profession p that it cannot
// be granted CareConnect access, and that nothing was created.
func NotEligibleMessage(p Profession) string {
	label := string(p)
	if info, ok := LookupProfession(p); ok {
		label = info.Label
	}
	return "CareConnect access is not open to your profession (" + label +
		") at present, so we have not created an HxBC account for you."
}

// ErrProfessionNotEligible is the refusal to register a person whose
// profession cannot be granted CareConnect access.
func ErrProfessionNotEligible(p Profession) error {
	return Errorf(EFORBIDDEN, "%s", NotEligibleMessage(p))
}
