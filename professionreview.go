package portal

import (
	"strings"
	"time"
)

// Outcomes of the CareConnect team's review of an "Other" profession.
const (
	ReviewPlaced   = "placed"   // set to a listed profession, and so a user type
	ReviewDeclined = "declined" // cannot be granted CareConnect access
)

// ProfessionReview is the CareConnect team's decision on an account whose
// profession was "Other".
type ProfessionReview struct {
	ID         int64
	AccountID  AccountID
	Outcome    string
	Described  string     // what the person wrote for "Other"
	Profession Profession // placed: the profession set
	UserType   UserType   // placed: the user type it gives
	Reason     string     // declined: why; placed: an optional note
	DecidedBy  string
	DecidedAt  time.Time
}

// Declined reports whether the team declined the person.
func (r *ProfessionReview) Declined() bool { return r != nil && r.Outcome == ReviewDeclined }

// AwaitingProfessionReview reports whether the CareConnect team has still to
// decide a's profession: it is "Other" and latest, if any, did not decline it.
func AwaitingProfessionReview(a *Account, latest *ProfessionReview) bool {
	return a.Profession == ProfOther && !latest.Declined()
}

// ProfessionPlacement is the CareConnect team's form placing a person who
// described an "Other" profession under a listed one, with the identifiers
// that profession needs. The user type follows from the policy table
// (usertype.go); for a resident physician the route chosen here decides it.
type ProfessionPlacement struct {
	Profession       string
	NurseLicence     string
	MSPBillingNumber string
	CPSID            string
	Resident         string // "yes" or "no" (physicians)
	ResidentRoute    string // residents: "independent" or "sponsored"
	CollegeID        string
	Note             string // optional, for the person's email
}

// Normalize trims every field and puts identifiers in their canonical case.
func (in *ProfessionPlacement) Normalize() {
	for _, s := range []*string{&in.Profession, &in.NurseLicence, &in.MSPBillingNumber, &in.CPSID, &in.Resident,
		&in.ResidentRoute, &in.CollegeID, &in.Note} {
		*s = strings.TrimSpace(*s)
	}
	in.MSPBillingNumber = strings.ToUpper(in.MSPBillingNumber)
	in.CPSID = strings.ToUpper(in.CPSID)
	in.CollegeID = strings.ToUpper(in.CollegeID)
}

func (in *ProfessionPlacement) registration() *RegistrationInput {
	return &RegistrationInput{Profession: in.Profession, NurseLicence: in.NurseLicence,
		MSPBillingNumber: in.MSPBillingNumber,
		CPSID:            in.CPSID, Resident: in.Resident, CollegeID: in.CollegeID}
}

// Validate checks the placement: a listed profession that can be granted
// access (not "Other" again), its identifiers as on the registration form,
// a resident's route, and the note's length.
func (in *ProfessionPlacement) Validate() FieldErrors {
	fe := FieldErrors{}
	p := Profession(in.Profession)
	info, ok := LookupProfession(p)
	switch {
	case !ok || p == ProfOther:
		fe.Add("profession", "Choose one of the listed professions.")
	case !ProfessionEligible(p):
		fe.Add("profession",
			"Choose a profession that can be granted CareConnect access; to refuse the person, decline instead.")
	default:
		validateIdentifiers(fe, info, in.registration())
		if p == ProfPhysician && in.Resident == "yes" &&
			in.ResidentRoute != string(ResidentIndependent) && in.ResidentRoute != string(ResidentSponsored) {
			fe.Add("resident_route", "Choose whether the resident is sponsored by an authorizer or works on their own.")
		}
	}
	if err := ValidateReason(in.Note, false); err != nil {
		fe.Add("note", "The note must be 1,000 characters or fewer, in plain text.")
	}
	return fe
}

// Apply sets a's profession and identifiers from the placement, dropping
// what the profession does not use; OtherProfession is cleared (the review
// keeps what the person described).
func (in *ProfessionPlacement) Apply(a *Account) {
	reg := in.registration()
	reg.Clean()
	a.Profession, a.NurseLicence = Profession(reg.Profession), NurseLicence(reg.NurseLicence)
	a.MSPBillingNumber, a.CPSID, a.CollegeID = reg.MSPBillingNumber, reg.CPSID, reg.CollegeID
	a.IsResident = reg.Resident == "yes"
	a.ResidentRoute = ""
	if a.IsResident {
		a.ResidentRoute = ResidentRoute(in.ResidentRoute)
	}
	a.OtherProfession = ""
}
