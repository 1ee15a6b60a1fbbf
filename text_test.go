package portal

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// Valid inputs of every form, each field filled; the tests below spoil
// one field at a time.

func validRegistration() RegistrationInput {
	return RegistrationInput{PreferredFirstName: "Dee", PreferredLastName: "Eighteen", Profession: "physician",
		MSPBillingNumber: "A1234", CPSID: "12345", Resident: "no", Email: "dalia@example.ca", Phone: "(778) 888-9999",
		Mobile: "604 555 0134", HealthAuthorityAccount: "no", Username: "dalia.eighteen",
		Password: "Harbour-Lantern-47", ConfirmPassword: "Harbour-Lantern-47"}
}

func validContact() ContactInput {
	return ContactInput{PreferredFirstName: "Dee", PreferredLastName: "Eighteen", Email: "dalia@example.ca",
		Phone: "(778) 888-9999", Mobile: "604 555 0134"}
}

func validAccessRequest() AccessRequestInput {
	return AccessRequestInput{WorksiteIDs: []WorksiteID{1}, FirstName: "Dalia", LastName: "Eighteen",
		Job: "Family physician", CollegeID: "12345", AttestCorrect: true, AttestDirectCare: true,
		AttestAnnualReview: true, ReasonPatientCare: true}
}

func validAddress() Address {
	return Address{Unit: "101", CivicNumber: "370", StreetName: "Broadway", StreetType: "St", Direction: "E",
		City: "Vancouver", Province: "BC", PostalCode: "V5T 4G5"}
}

func validWorksite() WorksiteInput {
	return WorksiteInput{Name: "Kingsgate Mall Clinic", Type: "private_practice", Phone: "(604) 555-0100",
		Manual: validAddress(), HasAuthority: "no", SignerName: "Ana Lee", SignerEmail: "ana@example.ca",
		GroupChoice: "new", GroupName: "Kingsgate Health"}
}

func validRemoteAccess() RemoteAccessInput {
	return RemoteAccessInput{Street: "12-345 Oak St", City: "Vancouver", PostalCode: "V5T 4G5",
		Reason: "I read results for my patients after clinic hours."}
}

func validSponsorship() SponsorshipInput {
	return SponsorshipInput{AuthorizerID: "7", WorksiteID: "3", Message: "I work at your front desk."}
}

// textFieldCase spoils one field with v and validates the whole input.
type textFieldCase struct {
	field     string
	multiLine bool
	validate  func(v string) FieldErrors
}

// textFieldCases lists every field a person types free text into, with the
// Validate that checks it.
func textFieldCases() []textFieldCase {
	reg := func(set func(*RegistrationInput, string)) func(string) FieldErrors {
		return func(v string) FieldErrors { in := validRegistration(); set(&in, v); return in.Validate() }
	}
	other := func(v string) FieldErrors {
		in := validRegistration()
		in.Profession, in.OtherProfession = "other", v
		return in.Validate()
	}
	contact := func(set func(*ContactInput, string)) func(string) FieldErrors {
		return func(v string) FieldErrors { in := validContact(); set(&in, v); return in.Validate() }
	}
	access := func(set func(*AccessRequestInput, string)) func(string) FieldErrors {
		return func(v string) FieldErrors { in := validAccessRequest(); set(&in, v); return in.Validate() }
	}
	worksite := func(set func(*WorksiteInput, string)) func(string) FieldErrors {
		return func(v string) FieldErrors { in := validWorksite(); set(&in, v); return in.Validate() }
	}
	address := func(set func(*Address, string)) func(string) FieldErrors {
		return func(v string) FieldErrors { a := validAddress(); set(&a, v); return a.Validate() }
	}
	remote := func(set func(*RemoteAccessInput, string)) func(string) FieldErrors {
		return func(v string) FieldErrors { in := validRemoteAccess(); set(&in, v); return in.Validate() }
	}
	asFE := func(err error) FieldErrors {
		fe, _ := AsFieldErrors(err)
		return fe
	}
	return []textFieldCase{
		{"preferred_first_name", false, reg(func(in *RegistrationInput, v string) { in.PreferredFirstName = v })},
		{"preferred_last_name", false, reg(func(in *RegistrationInput, v string) { in.PreferredLastName = v })},
		{"other_profession", false, other},
		{"email", false, reg(func(in *RegistrationInput, v string) { in.Email = v })},
		{"phone", false, reg(func(in *RegistrationInput, v string) { in.Phone = v })},
		{"mobile", false, reg(func(in *RegistrationInput, v string) { in.Mobile = v })},
		{"preferred_first_name", false, contact(func(in *ContactInput, v string) { in.PreferredFirstName = v })},
		{"email", false, contact(func(in *ContactInput, v string) { in.Email = v })},
		{"phone", false, contact(func(in *ContactInput, v string) { in.Phone = v })},
		{"first_name", false, access(func(in *AccessRequestInput, v string) { in.FirstName = v })},
		{"last_name", false, access(func(in *AccessRequestInput, v string) { in.LastName = v })},
		{"job", false, access(func(in *AccessRequestInput, v string) { in.Job = v })},
		{"college_id", false, access(func(in *AccessRequestInput, v string) { in.CollegeID = v })},
		{"name", false, worksite(func(in *WorksiteInput, v string) { in.Name = v })},
		{"phone", false, worksite(func(in *WorksiteInput, v string) { in.Phone = v })},
		{"signer_name", false, worksite(func(in *WorksiteInput, v string) { in.SignerName = v })},
		{"signer_email", false, worksite(func(in *WorksiteInput, v string) { in.SignerEmail = v })},
		{"group_name", false, worksite(func(in *WorksiteInput, v string) { in.GroupName = v })},
		{"street_type", false, worksite(func(in *WorksiteInput, v string) { in.Manual.StreetType = v })},
		{"unit", false, address(func(a *Address, v string) { a.Unit = v })},
		{"civic_number", false, address(func(a *Address, v string) { a.CivicNumber = v })},
		{"street_name", false, address(func(a *Address, v string) { a.StreetName = v })},
		{"street_type", false, address(func(a *Address, v string) { a.StreetType = v })},
		{"direction", false, address(func(a *Address, v string) { a.Direction = v })},
		{"city", false, address(func(a *Address, v string) { a.City = v })},
		{"street", false, remote(func(in *RemoteAccessInput, v string) { in.Street = v })},
		{"city", false, remote(func(in *RemoteAccessInput, v string) { in.City = v })},
		{"reason", true, remote(func(in *RemoteAccessInput, v string) { in.Reason = v })},
		{"message", true, func(v string) FieldErrors {
			in := validSponsorship()
			in.Message = v
			return in.Validate(false, "2026-01-01")
		}},
		{"decline_text", true, func(v string) FieldErrors {
			in := DeclineInput{Code: "other", Text: v}
			return in.Validate()
		}},
		{"question", true, func(v string) FieldErrors { _, err := ValidateInfoQuestion(v); return asFE(err) }},
		{"reason", true, func(v string) FieldErrors { return asFE(ValidateReason(v, false)) }},
		{"full_name", false, func(v string) FieldErrors {
			return DeclarationInput{FullName: v, Agree: true}.Validate(v)
		}},
		{"full_name", false, func(v string) FieldErrors {
			return HPCAASignature{FullName: v, Agree: true}.Validate(v)
		}},
	}
}

// TestValidateRefusesControlText: no Validate accepts text that is not
// UTF-8, or holds NUL or another control character, in a field it keeps;
// the field gets InvalidTextMessage. Text areas accept line breaks.
func TestValidateRefusesControlText(t *testing.T) {
	bad := []string{
		"Kingsgate\x00Clinic",
		"Caf\xe9 Royal",
		"Escape\x1b[31m",
		"Delete\x7f",
		"Next\u0085line",
		"\xed\xa0\x80 surrogate",
	}
	for _, tc := range textFieldCases() {
		// A signature is compared with its white space runs made one
		// space, line breaks and U+0085 included.
		folds := tc.field == "full_name"
		for _, v := range bad {
			if folds && v == "Next\u0085line" {
				continue
			}
			if got := tc.validate(v)[tc.field]; got != InvalidTextMessage {
				t.Errorf("%s = %q: error %q, want %q", tc.field, v, got, InvalidTextMessage)
			}
		}
		lines := "Two lines\r\nof\ttext"
		if tc.multiLine {
			if got := tc.validate(lines + " long enough")[tc.field]; got != "" {
				t.Errorf("%s = %q (a text area): error %q, want none", tc.field, lines, got)
			}
		} else if got := tc.validate(lines)[tc.field]; got == "" && !folds {
			t.Errorf("%s = %q (one line): accepted", tc.field, lines)
		}
	}
}

// TestValidInputsPass: the inputs the tests above spoil are valid.
func TestValidInputsPass(t *testing.T) {
	for name, fe := range map[string]FieldErrors{
		"registration": func() FieldErrors { in := validRegistration(); return in.Validate() }(),
		"contact":      func() FieldErrors { in := validContact(); return in.Validate() }(),
		"access":       func() FieldErrors { in := validAccessRequest(); return in.Validate() }(),
		"worksite":     func() FieldErrors { in := validWorksite(); return in.Validate() }(),
		"address":      validAddress().Validate(),
		"remote":       validRemoteAccess().Validate(),
		"sponsorship":  func() FieldErrors { in := validSponsorship(); return in.Validate(false, "2026-01-01") }(),
	} {
		if len(fe) > 0 {
			t.Errorf("%s: %v", name, fe)
		}
	}
}

func TestValidText(t *testing.T) {
	for _, tc := range []struct {
		in        string
		multiLine bool
		want      bool
	}{
		{"Kingsgate Mall Clinic", false, true},
		{"Zoë Ł’Café 診療所 🙂", false, true},
		{"", false, true},
		{"caf\xe9", false, false},
		{"\xff", true, false},
		{"\xed\xa0\x80", false, false},
		{"a\x00b", false, false},
		{"a\x00b", true, false},
		{"line\nbreak", false, false},
		{"line\r\nbreak\tand tab", true, true},
		{"escape\x1b[31m", true, false},
		{"delete\x7f", true, false},
		{"c1\u0085", true, false},
	} {
		if got := ValidText(tc.in, tc.multiLine); got != tc.want {
			t.Errorf("ValidText(%q, %v) = %v, want %v", tc.in, tc.multiLine, got, tc.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"", 3, ""},
		{"abc", 3, "abc"},
		{"abcd", 3, "abc"},
		{"été", 2, "ét"},
		{"日本語テキスト", 3, "日本語"},
		{"a😀b", 2, "a😀"},
		{"abc", 0, ""},
		{"exactly", 7, "exactly"},
		{"a" + strings.Repeat("é", 30), 20, "a" + strings.Repeat("é", 19)},
		{"🙂🙂", 1, "🙂"},
		{"🙂", 0, ""},
	} {
		got := Truncate(tt.in, tt.n)
		if got != tt.want || !utf8.ValidString(got) {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
