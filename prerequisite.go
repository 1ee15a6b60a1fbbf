package portal

import (
	"slices"
	"time"
)

// Prerequisite is something a person completes before requesting
// CareConnect access. Each completion is recorded with its date and the
// version completed; a new version must be completed again.
type Prerequisite string

const (
	// PrereqTraining is the Privacy & Security training, required of
	// everyone.
	PrereqTraining Prerequisite = "privacy_security_training"
	// PrereqHPCAA is the Health Practitioner CareConnect Access Agreement,
	// signed by practitioners who hold access in their own name.
	PrereqHPCAA Prerequisite = "hpcaa"
)

// Prerequisites lists the prerequisites in the order the pages show them,
// with the version currently in force.
var Prerequisites = []struct {
	Code    Prerequisite
	Label   string
	Version string
}{
	{PrereqTraining, TrainingTitle, TrainingVersion},
	{PrereqHPCAA, HPCAATitle + " (HPCAA)", HPCAAVersion},
}

// Label names the prerequisite.
func (p Prerequisite) Label() string {
	for _, x := range Prerequisites {
		if x.Code == p {
			return x.Label
		}
	}
	return string(p)
}

// Version is the version currently in force; a completion recorded for any
// other version no longer counts.
func (p Prerequisite) Version() string {
	for _, x := range Prerequisites {
		if x.Code == p {
			return x.Version
		}
	}
	return ""
}

var (
	prereqTrainingOnly     = []Prerequisite{PrereqTraining}
	prereqTrainingAndHPCAA = []Prerequisite{PrereqTraining, PrereqHPCAA}
)

// prerequisiteRules says what each profession completes. Everyone takes the
// training. The agreement is signed by physicians, nurse practitioners,
// registered nurses, licensed practical nurses, registered psychiatric
// nurses, social workers and pharmacists: the practitioners who hold
// CareConnect access in their own name. Licence matters only for nurses.
var prerequisiteRules = []struct {
	Profession Profession
	Licence    NurseLicence // nurses only
	Needs      []Prerequisite
}{
	{ProfChiropractor, "", prereqTrainingOnly},     // not eligible for access; training as for everyone
	{ProfCorporateAdmin, "", prereqTrainingOnly},   // on-behalf-of: works under the authorizer's agreement
	{ProfSonographer, "", prereqTrainingOnly},      // not eligible for access
	{ProfMassageTherapist, "", prereqTrainingOnly}, // not eligible for access
	{ProfLabTechnologist, "", prereqTrainingOnly},  // not eligible for access
	{ProfMOA, "", prereqTrainingOnly},              // on-behalf-of: works under the authorizer's agreement
	{ProfRadiationTech, "", prereqTrainingOnly},    // not eligible for access
	{ProfMidwife, "", prereqTrainingOnly},          // not eligible for access; add the HPCAA if policy admits midwives
	{ProfNurse, LicenceNP, prereqTrainingAndHPCAA},
	{ProfNurse, LicenceRN, prereqTrainingAndHPCAA},
	{ProfNurse, LicenceLPN, prereqTrainingAndHPCAA},
	{ProfNurse, LicenceRPN, prereqTrainingAndHPCAA},
	{ProfNutritionist, "", prereqTrainingOnly},        // not eligible for access
	{ProfOccupationalTherapy, "", prereqTrainingOnly}, // not eligible for access
	{ProfOsteopath, "", prereqTrainingOnly},           // not eligible for access
	{ProfPharmacist, "", prereqTrainingAndHPCAA},
	{ProfPharmacyTechnician, "", prereqTrainingOnly}, // not eligible for access
	// Residents included: a resident is a physician whose clinical judgement
	// and college registration are their own, whichever route they choose.
	// A sponsored resident sees what the authorizer sees, but unlike an MOA
	// reads the record to make care decisions, so signs the agreement too.
	{ProfPhysician, "", prereqTrainingAndHPCAA},
	{ProfPhysiotherapist, "", prereqTrainingOnly}, // not eligible for access
	{ProfSocialWorker, "", prereqTrainingAndHPCAA},
	// Reviewed by hand; if the team places the person in a profession that
	// signs the agreement, the profession is corrected and this row no
	// longer applies.
	{ProfOther, "", prereqTrainingOnly},
}

// PrerequisitesFor returns what a person of the profession must complete,
// in the order the pages show them. licence matters only for nurses. A
// combination the table does not list (a nurse without a known licence
// type) gets both, the stricter answer.
func PrerequisitesFor(p Profession, licence NurseLicence) []Prerequisite {
	if p != ProfNurse {
		licence = ""
	}
	for _, r := range prerequisiteRules {
		if r.Profession == p && r.Licence == licence {
			return slices.Clone(r.Needs)
		}
	}
	return slices.Clone(prereqTrainingAndHPCAA)
}

// Completion is one recorded completion of a prerequisite: the training
// passed (with its quiz score) or the agreement signed (with the typed name).
type Completion struct {
	ID          int64
	AccountID   AccountID
	Kind        string
	Version     string
	CompletedAt time.Time
	Score       int    // quiz score in percent; 0 when not taken in the portal
	Source      string // CompletionSourcePortal or CompletionSourceExternal
	RecordedBy  string // the staff member who recorded an external completion
	SignedName  string // the name typed to sign the agreement
	// CreditedVia is how an external completion, recorded by email
	// address, was credited to the account (GrantVia*).
	CreditedVia string
}

// Where a completion was recorded (Completion.Source).
const (
	CompletionSourcePortal   = "portal"   // completed in the portal (the quiz, the signing form)
	CompletionSourceExternal = "external" // completed elsewhere, recorded by the CareConnect team
)
