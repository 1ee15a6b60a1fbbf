package portal

import (
	"fmt"
	"slices"
	"testing"
)

func TestUserTypeOf(t *testing.T) {
	notResident := func(p Profession, l NurseLicence) UserType { return UserTypeOf(p, l, false, "") }
	checkPolicy(t, "UserTypeOf (not a resident)", notResident, func(r policyRow) UserType { return r.userType })
	for _, tc := range []struct {
		name     string
		p        Profession
		licence  NurseLicence
		resident bool
		route    ResidentRoute
		want     UserType
	}{
		{"resident, independent", ProfPhysician, "", true, ResidentIndependent, UserIndependent},
		{"resident, sponsored", ProfPhysician, "", true, ResidentSponsored, UserOnBehalfOf},
		{"resident, not chosen yet", ProfPhysician, "", true, "", UserOnBehalfOf},

		// Inputs that do not apply to the profession are ignored.
		{"physician with a stray licence", ProfPhysician, LicenceLPN, false, "", UserAuthorizer},
		{"non-resident physician with a route", ProfPhysician, "", false, ResidentIndependent, UserAuthorizer},
		{"resident with an unknown route", ProfPhysician, "", true, "whatever", UserOnBehalfOf},
		{"MOA marked resident", ProfMOA, "", true, ResidentIndependent, UserOnBehalfOf},
		{"pharmacist with a licence", ProfPharmacist, LicenceNP, false, "", UserIndependent},
		{"nurse marked resident", ProfNurse, LicenceRN, true, ResidentIndependent, UserAuthorizer},

		// Fail closed.
		{"nurse without a licence", ProfNurse, "", false, "", UserNotEligible},
		{"nurse with an unknown licence", ProfNurse, "lpn2", false, "", UserNotEligible},
		{"unknown profession", "dentist", "", false, "", UserNotEligible},
		{"empty profession", "", "", false, "", UserNotEligible},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, want := UserTypeOf(tc.p, tc.licence, tc.resident, tc.route), tc.want; got != want {
				t.Errorf("UserTypeOf(%q, %q, %v, %q) = %q, want %q", tc.p, tc.licence, tc.resident, tc.route, got, want)
			}
		})
	}
}

// TestUserTypeRulesCoverEveryProfession fails when a profession is added to
// the registration form without a row in userTypeRules.
func TestUserTypeRulesCoverEveryProfession(t *testing.T) {
	has := func(p Profession, l NurseLicence, resident bool, route ResidentRoute) bool {
		for _, r := range userTypeRules {
			if r.Profession == p && r.Licence == l && r.Resident == resident && r.Route == route {
				return true
			}
		}
		return false
	}
	for _, info := range Professions {
		t.Run(string(info.Code), func(t *testing.T) {
			switch info.Code {
			case ProfNurse:
				for _, l := range NurseLicences {
					if !has(info.Code, l.Code, false, "") {
						t.Errorf("no user type row for nurse licence %q", l.Code)
					}
				}
			case ProfPhysician:
				if !has(info.Code, "", false, "") {
					t.Error("no user type row for a physician who is not a resident")
				}
				for _, r := range ResidentRoutes {
					if !has(info.Code, "", true, r.Code) {
						t.Errorf("no user type row for a resident choosing %q", r.Code)
					}
				}
			default:
				if !has(info.Code, "", false, "") {
					t.Errorf("no user type row for %q", info.Code)
				}
			}
		})
	}
}

func TestUserTypeRulesWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range userTypeRules {
		key := fmt.Sprintf("%s/%s/%v/%s", r.Profession, r.Licence, r.Resident, r.Route)
		t.Run(key, func(t *testing.T) {
			if seen[key] {
				t.Error("duplicate row")
			}
			seen[key] = true
			if _, ok := LookupProfession(r.Profession); !ok {
				t.Errorf("unknown profession %q", r.Profession)
			}
			if r.Licence != "" && (r.Profession != ProfNurse || NurseLicenceLabel(r.Licence) == "") {
				t.Errorf("licence %q on a %q row", r.Licence, r.Profession)
			}
			if r.Resident && r.Profession != ProfPhysician {
				t.Errorf("resident flag on a %q row", r.Profession)
			}
			if r.Route != "" && !r.Resident {
				t.Errorf("route %q on a row that is not a resident's", r.Route)
			}
			if _, ok := lookupUserType(r.Type); !ok {
				t.Errorf("unknown user type %q", r.Type)
			}
		})
	}
}

func TestUserTypeInfo(t *testing.T) {
	for _, tc := range []struct {
		u                                    UserType
		label                                string
		canRequest, needsAuthorizer, canAuth bool
	}{
		{UserAuthorizer, "Authorizer", true, false, true},
		{UserIndependent, "Independent user", true, false, false},
		{UserOnBehalfOf, "On-behalf-of user", true, true, false},
		{UserManualReview, "Under review", false, false, false},
		{UserNotEligible, "Not eligible", false, false, false},
		{"unknown", "unknown", false, false, false},
	} {
		t.Run(string(tc.u), func(t *testing.T) {
			if got, want := tc.u.Label(), tc.label; got != want {
				t.Errorf("Label() = %q, want %q", got, want)
			}
			_, known := lookupUserType(tc.u)
			if got, want := tc.u.Description() != "", known; got != want {
				t.Errorf("has Description() = %v, want %v", got, want)
			}
			if got, want := tc.u.CanRequestAccess(), tc.canRequest; got != want {
				t.Errorf("CanRequestAccess() = %v, want %v", got, want)
			}
			if got, want := tc.u.NeedsAuthorizer(), tc.needsAuthorizer; got != want {
				t.Errorf("NeedsAuthorizer() = %v, want %v", got, want)
			}
			if got, want := tc.u.CanAuthorize(), tc.canAuth; got != want {
				t.Errorf("CanAuthorize() = %v, want %v", got, want)
			}
		})
	}
}

func TestProfessionEligible(t *testing.T) {
	var got []Profession
	for _, info := range Professions {
		if !ProfessionEligible(info.Code) {
			got = append(got, info.Code)
		}
	}
	want := []Profession{
		ProfChiropractor,
		ProfSonographer,
		ProfMassageTherapist,
		ProfLabTechnologist,
		ProfRadiationTech,
		ProfMidwife,
		ProfNutritionist,
		ProfOccupationalTherapy,
		ProfOsteopath,
		ProfPharmacyTechnician,
		ProfPhysiotherapist,
	}
	if !slices.Equal(got, want) {
		t.Fatalf("not eligible: %v, want %v", got, want)
	}
	for _, p := range []Profession{ProfNurse, ProfPhysician, ProfMOA, ProfOther} {
		if !ProfessionEligible(p) {
			t.Errorf("%s not eligible", p)
		}
	}
	if len(EligibleProfessions()) != len(Professions)-len(want) {
		t.Errorf("EligibleProfessions lists %d", len(EligibleProfessions()))
	}
}
