package portal

import (
	"slices"
	"testing"
)

func TestScopesFor(t *testing.T) {
	checkPolicy(t, "ScopesFor", ScopesFor, func(r policyRow) []DataScope { return r.scopes },
		policyCase[[]DataScope]{"physician with a stray licence", ProfPhysician, LicenceRPN, allScopes},
		policyCase[[]DataScope]{"nurse without a licence", ProfNurse, "", nil},
		policyCase[[]DataScope]{"unknown profession", "dentist", "", nil},
	)
}

func TestScopesPharmacistHasNoPharmaNet(t *testing.T) {
	got := ScopesFor(ProfPharmacist, "")
	if slices.Contains(got, ScopePharmaNet) {
		t.Errorf("ScopesFor(pharmacist) = %v: pharmacists get no PharmaNet through CareConnect", got)
	}
	if len(got) == 0 {
		t.Error("ScopesFor(pharmacist) is empty; pharmacists are independent users")
	}
}

// TestScopeRulesWellFormed checks every profession (and nurse licence) has
// a row; each list uses known scopes only, in display order, without
// repeats; and only people holding access in their own name (authorizers
// and independent users) have scopes of their own.
func TestScopeRulesWellFormed(t *testing.T) {
	checkOneRowPerProfession(t, "dataScopeRules", dataScopeRules)
	eachProfessionRow(t, func(t *testing.T, p Profession, l NurseLicence) {
		got := ScopesFor(p, l)
		last := -1
		for _, s := range got {
			i := -1
			for j, x := range DataScopes {
				if x.Code == s {
					i = j
				}
			}
			if i < 0 {
				t.Errorf("unknown scope %q", s)
				continue
			}
			if i <= last {
				t.Errorf("scope %q out of display order or repeated in %v", s, got)
			}
			last = i
		}
		ut := UserTypeOf(p, l, false, "")
		if got, want := len(got) > 0, ut == UserAuthorizer || ut == UserIndependent; got != want {
			t.Errorf("%q %q (%s) has scopes of its own = %v, want %v", p, l, ut, got, want)
		}
	})
}

func TestScopeLabels(t *testing.T) {
	for _, tc := range []struct {
		s    DataScope
		want string
	}{
		{ScopeDemographics, "Demographics"},
		{ScopeEncounters, "Encounters (visits)"},
		{ScopeLabResults, "Laboratory results"},
		{ScopeImagingReports, "Medical imaging reports"},
		{ScopeClinicalDocuments, "Clinical documents"},
		{ScopeImmunizations, "Immunizations"},
		{ScopePharmaNet, "PharmaNet medications"},
		{"problem_list", `"problem_list"`},
	} {
		t.Run(string(tc.s), func(t *testing.T) {
			if got, want := tc.s.Label(), tc.want; got != want {
				t.Errorf("Label() = %q, want %q", got, want)
			}
		})
	}
}

func TestOBOScopesIsACopy(t *testing.T) {
	auth := ScopesFor(ProfPhysician, "")
	got := OBOScopes(auth)
	if !slices.Equal(got, auth) {
		t.Fatalf("OBOScopes = %v, want %v", got, auth)
	}
	got[0] = ScopePharmaNet
	if auth[0] != ScopeDemographics {
		t.Errorf("changing the OBO scopes changed the authorizer's: %v", auth)
	}
	if got := OBOScopes(nil); len(got) != 0 {
		t.Errorf("OBOScopes(nil) = %v, want none", got)
	}
}

func TestScopesForIsACopy(t *testing.T) {
	got := ScopesFor(ProfPharmacist, "")
	got[0] = ScopePharmaNet
	if again := ScopesFor(ProfPharmacist, ""); slices.Contains(again, ScopePharmaNet) {
		t.Errorf("changing a result changed the table: %v", again)
	}
}

func TestNarrowScopes(t *testing.T) {
	pharmacist := ScopesFor(ProfPharmacist, "")
	social := ScopesFor(ProfSocialWorker, "")
	for _, tc := range []struct {
		name              string
		allowed, chosen   []DataScope
		want              []DataScope
		wantCode, wantMsg string
	}{
		{name: "all allowed", allowed: social, chosen: social, want: social},
		{name: "narrowed", allowed: pharmacist, chosen: []DataScope{ScopeLabResults, ScopeDemographics},
			want: []DataScope{ScopeDemographics, ScopeLabResults}},
		{name: "repeats dropped", allowed: social, chosen: []DataScope{ScopeEncounters, ScopeEncounters},
			want: []DataScope{ScopeEncounters}},
		{name: "nothing allowed, nothing chosen", allowed: nil, chosen: nil, want: []DataScope{}},
		{name: "widening to PharmaNet", allowed: pharmacist, chosen: []DataScope{ScopeDemographics, ScopePharmaNet},
			wantCode: EINVALID,
			wantMsg:  "An officer may narrow the data scopes, never widen them: PharmaNet medications is not allowed for this profession."},
		{name: "widening a social worker to laboratory results", allowed: social, chosen: []DataScope{ScopeLabResults},
			wantCode: EINVALID,
			wantMsg:  "An officer may narrow the data scopes, never widen them: Laboratory results is not allowed for this profession."},
		{name: "any scope for a profession without scopes", allowed: nil, chosen: []DataScope{ScopeDemographics},
			wantCode: EINVALID,
			wantMsg:  "An officer may narrow the data scopes, never widen them: Demographics is not allowed for this profession."},
		{name: "unknown scope", allowed: []DataScope{"problem_list"}, chosen: []DataScope{"problem_list"},
			wantCode: EINVALID,
			wantMsg:  `An officer may narrow the data scopes, never widen them: "problem_list" is not allowed for this profession.`},
		{name: "nothing chosen", allowed: social, chosen: nil,
			wantCode: EINVALID, wantMsg: "Choose at least one data scope to grant."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NarrowScopes(tc.allowed, tc.chosen)
			if got, want := ErrorCode(err), tc.wantCode; got != want {
				t.Fatalf("error code = %q (%v), want %q", got, err, want)
			}
			if got, want := ErrorMessage(err), tc.wantMsg; got != want {
				t.Errorf("error message = %q, want %q", got, want)
			}
			if err == nil && !slices.Equal(got, tc.want) {
				t.Errorf("NarrowScopes = %v, want %v", got, tc.want)
			}
			if err != nil && got != nil {
				t.Errorf("NarrowScopes returned %v with an error", got)
			}
		})
	}
}
