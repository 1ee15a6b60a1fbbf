package portal

import (
	"slices"
	"testing"
)

func TestPrerequisitesFor(t *testing.T) {
	tr := []Prerequisite{PrereqTraining}
	both := []Prerequisite{PrereqTraining, PrereqHPCAA}
	for _, tc := range []struct {
		name    string
		p       Profession
		licence NurseLicence
		want    []Prerequisite
	}{
		{"chiropractor", ProfChiropractor, "", tr},
		{"corporate admin", ProfCorporateAdmin, "", tr},
		{"sonographer", ProfSonographer, "", tr},
		{"massage therapist", ProfMassageTherapist, "", tr},
		{"lab technologist", ProfLabTechnologist, "", tr},
		{"medical office assistant", ProfMOA, "", tr},
		{"radiation technologist", ProfRadiationTech, "", tr},
		{"midwife", ProfMidwife, "", tr},
		{"nurse practitioner", ProfNurse, LicenceNP, both},
		{"registered nurse", ProfNurse, LicenceRN, both},
		{"licensed practical nurse", ProfNurse, LicenceLPN, both},
		{"registered psychiatric nurse", ProfNurse, LicenceRPN, both},
		{"nutritionist", ProfNutritionist, "", tr},
		{"occupational therapist", ProfOccupationalTherapy, "", tr},
		{"osteopath", ProfOsteopath, "", tr},
		{"pharmacist", ProfPharmacist, "", both},
		{"pharmacy technician", ProfPharmacyTechnician, "", tr},
		{"physician", ProfPhysician, "", both},
		{"physiotherapist", ProfPhysiotherapist, "", tr},
		{"social worker", ProfSocialWorker, "", both},
		{"other", ProfOther, "", tr},

		{"MOA with a stray licence", ProfMOA, LicenceNP, tr},
		{"nurse without a licence", ProfNurse, "", both},
		{"unknown profession", "dentist", "", both},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, want := PrerequisitesFor(tc.p, tc.licence), tc.want; !slices.Equal(got, want) {
				t.Errorf("PrerequisitesFor(%q, %q) = %v, want %v", tc.p, tc.licence, got, want)
			}
		})
	}
}

// TestPrereqEveryProfession checks every profession has a row, everyone
// takes the training first, and the agreement is signed by exactly the
// people who hold access in their own name (authorizers and independent
// users, residents included).
func TestPrereqEveryProfession(t *testing.T) {
	check := func(t *testing.T, p Profession, l NurseLicence) {
		t.Helper()
		found := false
		for _, r := range prerequisiteRules {
			if r.Profession == p && r.Licence == l {
				found = true
			}
		}
		if !found {
			t.Fatalf("no prerequisite row for %q %q", p, l)
		}
		got := PrerequisitesFor(p, l)
		if len(got) == 0 || got[0] != PrereqTraining {
			t.Errorf("PrerequisitesFor(%q, %q) = %v, want the training first", p, l, got)
		}
		ut := UserTypeOf(p, l, false, "")
		if got, want := slices.Contains(got, PrereqHPCAA), ut == UserAuthorizer || ut == UserIndependent; got != want {
			t.Errorf("%q %q (%s): needs HPCAA = %v, want %v", p, l, ut, got, want)
		}
	}
	for _, info := range Professions {
		if info.Code == ProfNurse {
			for _, l := range NurseLicences {
				t.Run(string(l.Code), func(t *testing.T) { check(t, ProfNurse, l.Code) })
			}
			continue
		}
		t.Run(string(info.Code), func(t *testing.T) { check(t, info.Code, "") })
	}
}

func TestPrereqLabelAndVersion(t *testing.T) {
	for _, tc := range []struct {
		p              Prerequisite
		label, version string
	}{
		{PrereqTraining, "Privacy & Security Training for Community Care Providers", TrainingVersion},
		{PrereqHPCAA, "Health Practitioner CareConnect Access Agreement (HPCAA)", HPCAAVersion},
		{"unknown", "unknown", ""},
	} {
		t.Run(string(tc.p), func(t *testing.T) {
			if got, want := tc.p.Label(), tc.label; got != want {
				t.Errorf("Label() = %q, want %q", got, want)
			}
			if got, want := tc.p.Version(), tc.version; got != want {
				t.Errorf("Version() = %q, want %q", got, want)
			}
		})
	}
}

func TestPrereqResultIsACopy(t *testing.T) {
	got := PrerequisitesFor(ProfPhysician, "")
	got[0] = "changed"
	if again := PrerequisitesFor(ProfPhysician, ""); again[0] != PrereqTraining {
		t.Errorf("changing a result changed the table: %v", again)
	}
}
