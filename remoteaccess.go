package portal

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// remoteAccessRules says which professions may use CareConnect from a home
// office. Access is set up and audited per worksite; the remote access
// policy extends it to a home office for physicians and nurse practitioners
// only, and only once their access works at a physical worksite. Licence
// matters only for nurses.
var remoteAccessRules = []struct {
	Profession Profession
	Licence    NurseLicence // nurses only
	Eligible   bool
}{
	{ProfChiropractor, "", false},
	{ProfCorporateAdmin, "", false}, // support staff work at the clinic
	{ProfSonographer, "", false},
	{ProfMassageTherapist, "", false},
	{ProfLabTechnologist, "", false},
	{ProfMOA, "", false}, // support staff work at the clinic
	{ProfRadiationTech, "", false},
	{ProfMidwife, "", false},
	{ProfNurse, LicenceNP, true},
	{ProfNurse, LicenceRN, false},
	{ProfNurse, LicenceLPN, false},
	{ProfNurse, LicenceRPN, false},
	{ProfNutritionist, "", false},
	{ProfOccupationalTherapy, "", false},
	{ProfOsteopath, "", false},
	{ProfPharmacist, "", false},
	{ProfPharmacyTechnician, "", false},
	// Residents included: they are physicians. The condition that access
	// first works at a physical worksite still applies, and a sponsored
	// resident's access (remote or not) ends with the sponsorship.
	{ProfPhysician, "", true},
	{ProfPhysiotherapist, "", false},
	{ProfSocialWorker, "", false},
	{ProfOther, "", false},
}

// RemoteAccessEligible reports whether the profession may be granted
// access from a home office. licence matters only for nurses.
func RemoteAccessEligible(p Profession, licence NurseLicence) bool {
	if p != ProfNurse {
		licence = ""
	}
	for _, r := range remoteAccessRules {
		if r.Profession == p && r.Licence == licence {
			return r.Eligible
		}
	}
	return false
}

// Reasons RemoteAccessRefusal gives.
const (
	RemoteAccessNotForProfession  = "Only physicians and nurse practitioners can use CareConnect from a home office. You can use it at the worksites you belong to."
	RemoteAccessNotYetProvisioned = "You can ask for access from your home office once your CareConnect access has been set up at a clinic or other physical worksite you work at."
)

// RemoteAccessRefusal returns why remote access cannot be requested, or ""
// when it can: the profession is eligible and the person already has
// CareConnect access provisioned at a physical worksite.
func RemoteAccessRefusal(p Profession, licence NurseLicence, hasProvisionedPhysicalWorksite bool) string {
	switch {
	case !RemoteAccessEligible(p, licence):
		return RemoteAccessNotForProfession
	case !hasProvisionedPhysicalWorksite:
		return RemoteAccessNotYetProvisioned
	}
	return ""
}

// RemoteAccessInput is the request for access from a home office.
type RemoteAccessInput struct {
	Street     string // civic address with unit, e.g. "12-345 Oak St"
	City       string
	PostalCode string
	Reason     string
}

// Remote access reasons are this long, in characters.
const (
	RemoteAccessReasonMin = 10
	RemoteAccessReasonMax = 1000
)

var remotePostalCode = regexp.MustCompile(`^[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z] [0-9][ABCEGHJ-NPRSTV-Z][0-9]$`)

// Normalize trims the fields and writes the postal code as "V5T 4G5".
func (in *RemoteAccessInput) Normalize() {
	in.Street = strings.Join(strings.Fields(in.Street), " ")
	in.City = strings.Join(strings.Fields(in.City), " ")
	in.PostalCode = NormalizePostalCode(in.PostalCode)
	in.Reason = strings.TrimSpace(in.Reason)
}

// Validate checks the request. Field keys: street, city, postal_code and
// reason. The postal code is checked in its normalised form, so "v5t4g5"
// is accepted before Normalize too.
func (in RemoteAccessInput) Validate() FieldErrors {
	fe := FieldErrors{}
	fe.CheckText("street", in.Street, false)
	fe.CheckText("city", in.City, false)
	fe.CheckText("reason", in.Reason, true)
	switch n := utf8.RuneCountInString(strings.TrimSpace(in.Street)); {
	case n == 0:
		fe.Add("street", "Enter the street address of your home office.")
	case n > 100:
		fe.Add("street", "Enter a street address of at most 100 characters.")
	}
	switch n := utf8.RuneCountInString(strings.TrimSpace(in.City)); {
	case n == 0:
		fe.Add("city", "Enter the city of your home office.")
	case n > 50:
		fe.Add("city", "Enter a city of at most 50 characters.")
	}
	switch pc := NormalizePostalCode(in.PostalCode); {
	case pc == "":
		fe.Add("postal_code", "Enter the postal code.")
	case !remotePostalCode.MatchString(pc):
		fe.Add("postal_code", "Enter the postal code in the format A1A 1A1, for example V5T 4G5.")
	case pc[0] != 'V':
		fe.Add("postal_code", "Your home office must be in British Columbia: enter a postal code that starts with V.")
	}
	switch n := utf8.RuneCountInString(strings.TrimSpace(in.Reason)); {
	case n == 0:
		fe.Add("reason", "Explain why you need CareConnect at your home office.")
	case n < RemoteAccessReasonMin:
		fe.Add("reason", "Explain why you need CareConnect at your home office in at least 10 characters.")
	case n > RemoteAccessReasonMax:
		fe.Add("reason", "Keep the reason to 1,000 characters or fewer.")
	}
	return fe
}

// RemoteAccessRequest is a request for CareConnect from a home office.
type RemoteAccessRequest struct {
	ID           int64
	AccountID    AccountID
	Street       string
	City         string
	PostalCode   string
	Reason       string
	Status       string // pending, approved, declined
	DecidedBy    string
	DecidedAt    time.Time
	DecisionText string
	CreatedAt    time.Time
}

// PendingRemoteAccess is a pending remote access request with who asked.
type PendingRemoteAccess struct {
	RemoteAccessRequest
	Name       string
	Email      string
	Profession string
}
