package portal

// Profession is one of the fixed list of professions a person can choose on
// the HxBC account registration form.
type Profession string

// The professions, in the order of the registration form's drop-down.
const (
	ProfChiropractor        Profession = "chiropractor"
	ProfCorporateAdmin      Profession = "corporate_admin"
	ProfSonographer         Profession = "diagnostic_medical_sonographer"
	ProfMassageTherapist    Profession = "massage_therapist"
	ProfLabTechnologist     Profession = "medical_lab_technologist"
	ProfMOA                 Profession = "medical_office_assistant"
	ProfRadiationTech       Profession = "medical_radiation_technologist"
	ProfMidwife             Profession = "midwife"
	ProfNurse               Profession = "nurse"
	ProfNutritionist        Profession = "nutritionist"
	ProfOccupationalTherapy Profession = "occupational_therapist"
	ProfOsteopath           Profession = "osteopath"
	ProfPharmacist          Profession = "pharmacist"
	ProfPharmacyTechnician  Profession = "pharmacist_technician"
	ProfPhysician           Profession = "physician"
	ProfPhysiotherapist     Profession = "physiotherapist"
	ProfSocialWorker        Profession = "social_worker"
	ProfOther               Profession = "other"
)

// Identifier names a professional identifier the registration form asks for.
type Identifier string

const (
	IDMSPBilling    Identifier = "msp_billing_number" // physicians; nurse practitioners
	IDCPSID         Identifier = "cpsid"              // physicians
	IDResident      Identifier = "resident"           // physicians: "currently a medical resident?"
	IDNurseLicence  Identifier = "nurse_licence"      // nurses: NP, RN, LPN, RPN
	IDBCCNM         Identifier = "bccnm_id"           // nurses: BCCNM college ID, 7 digits
	IDCollegeReg    Identifier = "college_id"         // other regulated professions
	IDOtherDescribe Identifier = "other_profession"   // "Other": free text, reviewed by hand
)

// ProfessionInfo is one row of the profession table.
type ProfessionInfo struct {
	Code  Profession
	Label string
	// Identifiers the form requires for this profession (the nurse licence
	// type adds the MSP billing number for nurse practitioners).
	Identifiers []Identifier
	// CollegeLabel names the college registration number for regulated
	// professions, shown as the field's label.
	CollegeLabel string
	// ManualReview marks accounts the CareConnect team must look at by hand.
	ManualReview bool
}

// Professions is the registration form's list, in the guide's order. It is
// the one place to change which identifiers a profession needs.
var Professions = []ProfessionInfo{
	{Code: ProfChiropractor, Label: "Chiropractor", Identifiers: []Identifier{IDCollegeReg},
		CollegeLabel: "College of Health and Care Professionals of BC registration number"},
	{Code: ProfCorporateAdmin, Label: "Corporate Admin"},
	{Code: ProfSonographer, Label: "Diagnostic Medical Sonographer", Identifiers: []Identifier{IDCollegeReg},
		CollegeLabel: "Professional registration number"},
	{Code: ProfMassageTherapist, Label: "Massage Therapist", Identifiers: []Identifier{IDCollegeReg},
		CollegeLabel: "College registration number"},
	{Code: ProfLabTechnologist, Label: "Medical Lab Technologist (CBS Only)", Identifiers: []Identifier{IDCollegeReg},
		CollegeLabel: "Professional registration number"},
	{Code: ProfMOA, Label: "Medical Office Assistant"},
	{Code: ProfRadiationTech, Label: "Medical Radiation Technologist", Identifiers: []Identifier{IDCollegeReg},
		CollegeLabel: "College registration number"},
	{Code: ProfMidwife, Label: "Midwife", Identifiers: []Identifier{IDCollegeReg},
		CollegeLabel: "BCCNM registration number"},
	{Code: ProfNurse, Label: "Nurse", Identifiers: []Identifier{IDNurseLicence, IDBCCNM}},
	{Code: ProfNutritionist, Label: "Nutritionist", Identifiers: []Identifier{IDCollegeReg},
		CollegeLabel: "College registration number"},
	{Code: ProfOccupationalTherapy, Label: "Occupational Therapist", Identifiers: []Identifier{IDCollegeReg},
		CollegeLabel: "College registration number"},
	{Code: ProfOsteopath, Label: "Osteopath", Identifiers: []Identifier{IDCollegeReg},
		CollegeLabel: "College registration number"},
	{Code: ProfPharmacist, Label: "Pharmacist", Identifiers: []Identifier{IDCollegeReg},
		CollegeLabel: "College of Pharmacists of BC registration number"},
	{Code: ProfPharmacyTechnician, Label: "Pharmacist Technician", Identifiers: []Identifier{IDCollegeReg},
		CollegeLabel: "College of Pharmacists of BC registration number"},
	{Code: ProfPhysician, Label: "Physician", Identifiers: []Identifier{IDMSPBilling, IDResident, IDCPSID}},
	{Code: ProfPhysiotherapist, Label: "Physiotherapist", Identifiers: []Identifier{IDCollegeReg},
		CollegeLabel: "College registration number"},
	{Code: ProfSocialWorker, Label: "Social Worker", Identifiers: []Identifier{IDCollegeReg},
		CollegeLabel: "BC College of Social Workers registration number"},
	{Code: ProfOther, Label: "Other", Identifiers: []Identifier{IDOtherDescribe}, ManualReview: true},
}

// LookupProfession returns the table row for p.
func LookupProfession(p Profession) (ProfessionInfo, bool) {
	for _, info := range Professions {
		if info.Code == p {
			return info, true
		}
	}
	return ProfessionInfo{}, false
}

// Needs reports whether the profession's form asks for identifier id.
func (pi ProfessionInfo) Needs(id Identifier) bool {
	for _, x := range pi.Identifiers {
		if x == id {
			return true
		}
	}
	return false
}

// NurseLicence is the licence type a nurse holds.
type NurseLicence string

const (
	LicenceNP  NurseLicence = "np"
	LicenceRN  NurseLicence = "rn"
	LicenceLPN NurseLicence = "lpn"
	LicenceRPN NurseLicence = "rpn"
)

// NurseLicences lists the licence types in the form's order.
var NurseLicences = []struct {
	Code  NurseLicence
	Label string
}{
	{LicenceNP, "Nurse Practitioner"},
	{LicenceRN, "Registered Nurse"},
	{LicenceLPN, "Licensed Practical Nurse"},
	{LicenceRPN, "Registered Psychiatric Nurse"},
}

// NurseLicenceLabel returns the label of a licence type, or "".
func NurseLicenceLabel(l NurseLicence) string {
	for _, x := range NurseLicences {
		if x.Code == l {
			return x.Label
		}
	}
	return ""
}
