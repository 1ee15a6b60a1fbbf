package portal

import (
	"slices"
	"strconv"
)

// DataScope is a kind of clinical data in CareConnect. Which kinds a person
// may see follows their profession (the Ministry of Health's designation
// orders) on a need-to-know, least-privilege basis.
type DataScope string

const (
	ScopeDemographics      DataScope = "demographics"
	ScopeEncounters        DataScope = "encounters"
	ScopeLabResults        DataScope = "laboratory_results"
	ScopeImagingReports    DataScope = "medical_imaging_reports"
	ScopeClinicalDocuments DataScope = "clinical_documents"
	ScopeImmunizations     DataScope = "immunizations"
	ScopePharmaNet         DataScope = "pharmanet_medications"
)

// DataScopes lists every scope in display order.
var DataScopes = []struct {
	Code        DataScope
	Label       string
	Description string
}{
	{ScopeDemographics, "Demographics", "Name, date of birth, personal health number, address and contact details."},
	{ScopeEncounters, "Encounters (visits)", "Hospital stays, emergency and outpatient visits, with dates and places."},
	{ScopeLabResults, "Laboratory results", "Results of laboratory tests."},
	{ScopeImagingReports, "Medical imaging reports",
		"Radiologists' reports on X-ray, ultrasound, CT and MRI examinations."},
	{ScopeClinicalDocuments, "Clinical documents",
		"Discharge summaries, consultation notes and other clinical documents."},
	{ScopeImmunizations, "Immunizations", "Immunizations recorded in the provincial registry."},
	{ScopePharmaNet, "PharmaNet medications", "Medications dispensed by community pharmacies, from PharmaNet."},
}

// Label names the scope, e.g. "Laboratory results".
func (s DataScope) Label() string {
	for _, x := range DataScopes {
		if x.Code == s {
			return x.Label
		}
	}
	return strconv.Quote(string(s))
}

func (s DataScope) known() bool {
	for _, x := range DataScopes {
		if x.Code == s {
			return true
		}
	}
	return false
}

// dataScopeRules says which scopes each profession may be granted in its
// own name. Each list is in display order. Professions whose users are
// on-behalf-of, under review or not eligible have none: an on-behalf-of
// user sees what their authorizer sees (OBOScopes), the others see nothing.
// Licence matters only for nurses.
var dataScopeRules = []struct {
	Profession Profession
	Licence    NurseLicence // nurses only
	Scopes     []DataScope
}{
	{Profession: ProfChiropractor},     // not eligible
	{Profession: ProfCorporateAdmin},   // on-behalf-of: the authorizer's scopes
	{Profession: ProfSonographer},      // not eligible
	{Profession: ProfMassageTherapist}, // not eligible
	{Profession: ProfLabTechnologist},  // not eligible
	{Profession: ProfMOA},              // on-behalf-of: the authorizer's scopes
	{Profession: ProfRadiationTech},    // not eligible
	{Profession: ProfMidwife},          // not eligible
	// Nurse practitioners diagnose and prescribe like physicians: everything.
	{ProfNurse, LicenceNP, []DataScope{ScopeDemographics, ScopeEncounters, ScopeLabResults,
		ScopeImagingReports, ScopeClinicalDocuments, ScopeImmunizations, ScopePharmaNet}},
	// Registered nurses: all clinical data except PharmaNet, kept for the
	// professions that prescribe.
	{ProfNurse, LicenceRN, []DataScope{ScopeDemographics, ScopeEncounters, ScopeLabResults,
		ScopeImagingReports, ScopeClinicalDocuments, ScopeImmunizations}},
	// Licensed practical nurses: what nursing care and immunization clinics
	// use; no imaging reports and no PharmaNet.
	{ProfNurse, LicenceLPN, []DataScope{ScopeDemographics, ScopeEncounters, ScopeLabResults,
		ScopeClinicalDocuments, ScopeImmunizations}},
	// Registered psychiatric nurses: mental health care; laboratory results
	// for medication monitoring, clinical documents for hospital discharges.
	{ProfNurse, LicenceRPN, []DataScope{ScopeDemographics, ScopeEncounters, ScopeLabResults,
		ScopeClinicalDocuments}},
	{Profession: ProfNutritionist},        // not eligible
	{Profession: ProfOccupationalTherapy}, // not eligible
	{Profession: ProfOsteopath},           // not eligible
	// Pharmacists: everything except PharmaNet, which the designation order
	// does not give pharmacists through CareConnect.
	{ProfPharmacist, "", []DataScope{ScopeDemographics, ScopeEncounters, ScopeLabResults,
		ScopeImagingReports, ScopeClinicalDocuments, ScopeImmunizations}},
	{Profession: ProfPharmacyTechnician}, // not eligible
	// Physicians, residents included: everything. A sponsored resident is
	// an on-behalf-of user and sees their authorizer's scopes instead.
	{ProfPhysician, "", []DataScope{ScopeDemographics, ScopeEncounters, ScopeLabResults,
		ScopeImagingReports, ScopeClinicalDocuments, ScopeImmunizations, ScopePharmaNet}},
	{Profession: ProfPhysiotherapist}, // not eligible
	// Social workers: who the person is, where they have been seen, and the
	// documents (discharge summaries, consultation notes) that social work
	// plans around; no results, imaging, immunizations or medications.
	{ProfSocialWorker, "", []DataScope{ScopeDemographics, ScopeEncounters, ScopeClinicalDocuments}},
	{Profession: ProfOther}, // under review: the team corrects the profession first
}

// ScopesFor returns the scopes a person of the profession may be granted in
// their own name, in display order; nil when they have none of their own.
// licence matters only for nurses.
func ScopesFor(p Profession, licence NurseLicence) []DataScope {
	if p != ProfNurse {
		licence = ""
	}
	for _, r := range dataScopeRules {
		if r.Profession == p && r.Licence == licence {
			return slices.Clone(r.Scopes)
		}
	}
	return nil
}

// OBOScopes returns the scopes of an on-behalf-of user: a copy of their
// authorizer's, so that narrowing one never changes the other.
func OBOScopes(authorizerScopes []DataScope) []DataScope {
	return slices.Clone(authorizerScopes)
}

// NarrowScopes checks the scopes the CareConnect team chose to grant
// against those the profession allows. It returns the chosen scopes in
// display order without repeats, or an error naming the first scope that
// is not allowed. When anything is allowed, at least one must be chosen.
func NarrowScopes(allowed, chosen []DataScope) ([]DataScope, error) {
	for _, s := range chosen {
		if !slices.Contains(allowed, s) || !s.known() {
			return nil, Errorf(
				EINVALID,
				"An officer may narrow the data scopes, never widen them: %s is not allowed for this profession.",
				s.Label(),
			)
		}
	}
	if len(chosen) == 0 && len(allowed) > 0 {
		return nil, Errorf(EINVALID, "Choose at least one data scope to grant.")
	}
	out := make([]DataScope, 0, len(chosen))
	for _, x := range DataScopes {
		if slices.Contains(chosen, x.Code) {
			out = append(out, x.Code)
		}
	}
	return out, nil
}
