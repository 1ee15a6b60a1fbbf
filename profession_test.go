package portal

import (
	"reflect"
	"testing"
)

// The data scopes and prerequisites the policy matrix names.
var (
	allScopes = []DataScope{ScopeDemographics, ScopeEncounters, ScopeLabResults, ScopeImagingReports,
		ScopeClinicalDocuments, ScopeImmunizations, ScopePharmaNet}
	allScopesButPharmaNet = allScopes[:len(allScopes)-1]
	trainingOnly          = []Prerequisite{PrereqTraining}
	trainingAndHPCAA      = []Prerequisite{PrereqTraining, PrereqHPCAA}
)

// policyRow is one row of policyMatrix.
type policyRow struct {
	name       string
	Profession Profession
	Licence    NurseLicence
	userType   UserType
	prereqs    []Prerequisite
	scopes     []DataScope
	remote     bool
}

// policyMatrix says, for each profession of the registration form (a nurse
// once per licence, no resident), what each policy table gives it: the
// user type, the prerequisites, the data scopes and whether remote access
// is open to it. Each table's test checks its own column, row by row.
var policyMatrix = []policyRow{
	{"chiropractor", ProfChiropractor, "", UserNotEligible, trainingOnly, nil, false},
	{"corporate admin", ProfCorporateAdmin, "", UserOnBehalfOf, trainingOnly, nil, false},
	{"sonographer", ProfSonographer, "", UserNotEligible, trainingOnly, nil, false},
	{"massage therapist", ProfMassageTherapist, "", UserNotEligible, trainingOnly, nil, false},
	{"lab technologist", ProfLabTechnologist, "", UserNotEligible, trainingOnly, nil, false},
	{"medical office assistant", ProfMOA, "", UserOnBehalfOf, trainingOnly, nil, false},
	{"radiation technologist", ProfRadiationTech, "", UserNotEligible, trainingOnly, nil, false},
	{"midwife", ProfMidwife, "", UserNotEligible, trainingOnly, nil, false},
	{"nurse practitioner", ProfNurse, LicenceNP, UserAuthorizer, trainingAndHPCAA, allScopes, true},
	{"registered nurse", ProfNurse, LicenceRN, UserAuthorizer, trainingAndHPCAA, allScopesButPharmaNet, false},
	{"licensed practical nurse", ProfNurse, LicenceLPN, UserIndependent, trainingAndHPCAA, []DataScope{
		ScopeDemographics, ScopeEncounters, ScopeLabResults, ScopeClinicalDocuments, ScopeImmunizations}, false},
	{"registered psychiatric nurse", ProfNurse, LicenceRPN, UserIndependent, trainingAndHPCAA, []DataScope{
		ScopeDemographics, ScopeEncounters, ScopeLabResults, ScopeClinicalDocuments}, false},
	{"nutritionist", ProfNutritionist, "", UserNotEligible, trainingOnly, nil, false},
	{"occupational therapist", ProfOccupationalTherapy, "", UserNotEligible, trainingOnly, nil, false},
	{"osteopath", ProfOsteopath, "", UserNotEligible, trainingOnly, nil, false},
	{"pharmacist", ProfPharmacist, "", UserIndependent, trainingAndHPCAA, allScopesButPharmaNet, false},
	{"pharmacy technician", ProfPharmacyTechnician, "", UserNotEligible, trainingOnly, nil, false},
	{"physician", ProfPhysician, "", UserAuthorizer, trainingAndHPCAA, allScopes, true},
	{"physiotherapist", ProfPhysiotherapist, "", UserNotEligible, trainingOnly, nil, false},
	{"social worker", ProfSocialWorker, "", UserIndependent, trainingAndHPCAA, []DataScope{
		ScopeDemographics, ScopeEncounters, ScopeClinicalDocuments}, false},
	{"other", ProfOther, "", UserManualReview, trainingOnly, nil, false},
}

// policyCase is a profession (and licence) a policy table's test asks
// about, and the table's answer.
type policyCase[T any] struct {
	name    string
	p       Profession
	licence NurseLicence
	want    T
}

// checkPolicy checks a policy table's lookup, named fn, against its column
// of the policy matrix and then against the extra cases, a subtest each.
func checkPolicy[T any](t *testing.T, fn string, lookup func(Profession, NurseLicence) T,
	column func(policyRow) T, extra ...policyCase[T],
) {
	t.Helper()
	cases := make([]policyCase[T], 0, len(policyMatrix)+len(extra))
	for _, r := range policyMatrix {
		cases = append(cases, policyCase[T]{r.name, r.Profession, r.Licence, column(r)})
	}
	for _, tc := range append(cases, extra...) {
		t.Run(tc.name, func(t *testing.T) {
			if got := lookup(tc.p, tc.licence); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s(%q, %q) = %v, want %v", fn, tc.p, tc.licence, got, tc.want)
			}
		})
	}
}

// professionRow is a profession with, for a nurse, a licence.
type professionRow struct {
	p Profession
	l NurseLicence
}

// everyProfessionRow lists every profession of the registration form
// without a licence, and a nurse once per licence: the rows every policy
// table must have.
func everyProfessionRow() []professionRow {
	var rows []professionRow
	for _, info := range Professions {
		if info.Code != ProfNurse {
			rows = append(rows, professionRow{info.Code, ""})
			continue
		}
		for _, l := range NurseLicences {
			rows = append(rows, professionRow{ProfNurse, l.Code})
		}
	}
	return rows
}

// eachProfessionRow runs check for every profession row as a subtest named
// after the profession, or for a nurse after the licence.
func eachProfessionRow(t *testing.T, check func(t *testing.T, p Profession, l NurseLicence)) {
	t.Helper()
	for _, r := range everyProfessionRow() {
		name := string(r.p)
		if r.l != "" {
			name = string(r.l)
		}
		t.Run(name, func(t *testing.T) { check(t, r.p, r.l) })
	}
}

// checkOneRowPerProfession fails unless the policy table rules, named
// name, has exactly one row for each profession row.
func checkOneRowPerProfession(t *testing.T, name string, rules any) {
	t.Helper()
	want := everyProfessionRow()
	for _, r := range want {
		if !hasPolicyRow(rules, r.p, r.l) {
			t.Errorf("no %s row for %q %q", name, r.p, r.l)
		}
	}
	if got := reflect.ValueOf(rules).Len(); got != len(want) {
		t.Errorf("len(%s) = %d, want %d (one row per profession and nurse licence)", name, got, len(want))
	}
}

// hasPolicyRow reports whether a policy table (a slice of structs with
// Profession and Licence fields, such as userTypeRules or policyMatrix)
// has a row for p and l.
func hasPolicyRow(rules any, p Profession, l NurseLicence) bool {
	v := reflect.ValueOf(rules)
	for i := range v.Len() {
		r := v.Index(i)
		if r.FieldByName("Profession").Interface() == p && r.FieldByName("Licence").Interface() == l {
			return true
		}
	}
	return false
}

// TestPolicyMatrixCoversEveryProfession keeps the matrix the policy tables'
// tests check complete: one row per profession and nurse licence.
func TestPolicyMatrixCoversEveryProfession(t *testing.T) {
	checkOneRowPerProfession(t, "policyMatrix", policyMatrix)
}
