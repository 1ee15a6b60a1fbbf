package portal

import (
	"slices"
	"testing"
)

func TestPrerequisitesFor(t *testing.T) {
	checkPolicy(t, "PrerequisitesFor", PrerequisitesFor, func(r policyRow) []Prerequisite { return r.prereqs },
		policyCase[[]Prerequisite]{"MOA with a stray licence", ProfMOA, LicenceNP, trainingOnly},
		policyCase[[]Prerequisite]{"nurse without a licence", ProfNurse, "", trainingAndHPCAA},
		policyCase[[]Prerequisite]{"unknown profession", "dentist", "", trainingAndHPCAA},
	)
}

// TestPrereqEveryProfession checks every profession has a row, everyone
// takes the training first, and the agreement is signed by exactly the
// people who hold access in their own name (authorizers and independent
// users, residents included).
func TestPrereqEveryProfession(t *testing.T) {
	checkOneRowPerProfession(t, "prerequisiteRules", prerequisiteRules)
	eachProfessionRow(t, func(t *testing.T, p Profession, l NurseLicence) {
		got := PrerequisitesFor(p, l)
		if len(got) == 0 || got[0] != PrereqTraining {
			t.Errorf("PrerequisitesFor(%q, %q) = %v, want the training first", p, l, got)
		}
		ut := UserTypeOf(p, l, false, "")
		if got, want := slices.Contains(got, PrereqHPCAA), ut == UserAuthorizer || ut == UserIndependent; got != want {
			t.Errorf("%q %q (%s): needs HPCAA = %v, want %v", p, l, ut, got, want)
		}
	})
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
