package portal

import (
	"strings"
	"testing"
)

func TestRemoteAccessEligible(t *testing.T) {
	checkPolicy(t, "RemoteAccessEligible", RemoteAccessEligible, func(r policyRow) bool { return r.remote },
		policyCase[bool]{"physician with a stray licence", ProfPhysician, LicenceRN, true},
		policyCase[bool]{"MOA with a stray licence", ProfMOA, LicenceNP, false},
		policyCase[bool]{"nurse without a licence", ProfNurse, "", false},
		policyCase[bool]{"unknown profession", "dentist", "", false},
	)
}

func TestRemoteAccessRulesCoverEveryProfession(t *testing.T) {
	checkOneRowPerProfession(t, "remoteAccessRules", remoteAccessRules)
}

func TestRemoteAccessRefusal(t *testing.T) {
	for _, tc := range []struct {
		name        string
		p           Profession
		licence     NurseLicence
		provisioned bool
		want        string
	}{
		{"physician, provisioned", ProfPhysician, "", true, ""},
		{"nurse practitioner, provisioned", ProfNurse, LicenceNP, true, ""},
		{"physician, not yet provisioned", ProfPhysician, "", false, RemoteAccessNotYetProvisioned},
		{"nurse practitioner, not yet provisioned", ProfNurse, LicenceNP, false, RemoteAccessNotYetProvisioned},
		{"social worker, provisioned", ProfSocialWorker, "", true, RemoteAccessNotForProfession},
		{"registered nurse, provisioned", ProfNurse, LicenceRN, true, RemoteAccessNotForProfession},
		{"pharmacist, not provisioned", ProfPharmacist, "", false, RemoteAccessNotForProfession},
		{"MOA, provisioned", ProfMOA, "", true, RemoteAccessNotForProfession},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, want := RemoteAccessRefusal(tc.p, tc.licence, tc.provisioned), tc.want; got != want {
				t.Errorf("RemoteAccessRefusal = %q, want %q", got, want)
			}
		})
	}
}

func TestRemoteAccessInputValidate(t *testing.T) {
	ok := RemoteAccessInput{Street: "12-345 Oak St", City: "Victoria", PostalCode: "V8V 1A1",
		Reason: "On-call evenings for my clinic's patients."}
	for _, tc := range []struct {
		name   string
		change func(in *RemoteAccessInput)
		want   FieldErrors
	}{
		{"valid", func(in *RemoteAccessInput) {}, FieldErrors{}},
		{"postal code in lower case without a space", func(in *RemoteAccessInput) { in.PostalCode = "v8v1a1" }, FieldErrors{}},
		{"reason of exactly 10 characters", func(in *RemoteAccessInput) { in.Reason = "0123456789" }, FieldErrors{}},
		{"reason of exactly 1000 characters", func(in *RemoteAccessInput) { in.Reason = strings.Repeat("é", 1000) }, FieldErrors{}},
		{"everything empty", func(in *RemoteAccessInput) { *in = RemoteAccessInput{} }, FieldErrors{
			"street":      "Enter the street address of your home office.",
			"city":        "Enter the city of your home office.",
			"postal_code": "Enter the postal code.",
			"reason":      "Explain why you need CareConnect at your home office.",
		}},
		{"street too long", func(in *RemoteAccessInput) { in.Street = strings.Repeat("a", 101) }, FieldErrors{
			"street": "Enter a street address of at most 100 characters."}},
		{"city too long", func(in *RemoteAccessInput) { in.City = strings.Repeat("a", 51) }, FieldErrors{
			"city": "Enter a city of at most 50 characters."}},
		{"postal code malformed", func(in *RemoteAccessInput) { in.PostalCode = "V8V 1A" }, FieldErrors{
			"postal_code": "Enter the postal code in the format A1A 1A1, for example V5T 4G5."}},
		{"postal code outside B.C.", func(in *RemoteAccessInput) { in.PostalCode = "T2P 1J9" }, FieldErrors{
			"postal_code": "Your home office must be in British Columbia: enter a postal code that starts with V."}},
		{"reason too short", func(in *RemoteAccessInput) { in.Reason = " 123456789 " }, FieldErrors{
			"reason": "Explain why you need CareConnect at your home office in at least 10 characters."}},
		{"reason too long", func(in *RemoteAccessInput) { in.Reason = strings.Repeat("a", 1001) }, FieldErrors{
			"reason": "Keep the reason to 1,000 characters or fewer."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := ok
			tc.change(&in)
			got := in.Validate()
			if len(got) != len(tc.want) {
				t.Errorf("Validate() = %v, want %v", got, tc.want)
			}
			for k, want := range tc.want {
				if got := got[k]; got != want {
					t.Errorf("Validate()[%q] = %q, want %q", k, got, want)
				}
			}
		})
	}
}

func TestRemoteAccessInputNormalize(t *testing.T) {
	in := RemoteAccessInput{
		Street:     "  12-345   Oak St ",
		City:       " Victoria ",
		PostalCode: " v8v1a1 ",
		Reason:     "  evening calls  ",
	}
	in.Normalize()
	want := RemoteAccessInput{Street: "12-345 Oak St", City: "Victoria", PostalCode: "V8V 1A1", Reason: "evening calls"}
	if got := in; got != want {
		t.Errorf("Normalize() = %+v, want %+v", got, want)
	}
}
