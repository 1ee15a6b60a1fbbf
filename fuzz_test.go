package portal

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// Fuzz targets for everything a person types. Plain `go test` runs each on
// its seeds (f.Add and testdata/fuzz/FuzzX); scripts/fuzz runs them for
// real. Each checks properties of what Validate accepts, not only that it
// does not panic: an accepted field is text a person can type (ValidText),
// within its bounds, and validating twice gives the same answer.

// hostileText are values no form should store, added to every target's seeds.
var hostileText = []string{
	"",
	" ",
	"\x00",
	"Kingsgate\x00Clinic",
	"caf\xe9",
	"\xed\xa0\x80",
	"\xff\xfe",
	"\x1b[31mred",
	"line\nbreak",
	"line\r\nbreak",
	"tab\there",
	"\u0085",
	"\u202eevil",
	"\u200b",
	"<script>alert(1)</script>",
	"' OR 1=1 --",
	"%00",
	"\\",
	strings.Repeat("a", 1001),
	strings.Repeat("é", 300),
	"Zoë Ł’Café 診療所 🙂",
}

// accepted fails t when a field without an error holds text a person
// cannot type. fields maps field keys to values.
func accepted(t *testing.T, fe FieldErrors, fields map[string]string, multiLine map[string]bool) {
	t.Helper()
	for k, v := range fields {
		if _, bad := fe[k]; bad {
			continue
		}
		if !ValidText(v, multiLine[k]) {
			t.Errorf("field %s accepted %q, which is not text a person can type", k, v)
		}
	}
}

func sameErrors(t *testing.T, a, b FieldErrors) {
	t.Helper()
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("Validate is not deterministic: %v, then %v", a, b)
	}
}

func atMost(t *testing.T, field, v string, n int) {
	t.Helper()
	if c := utf8.RuneCountInString(v); c > n {
		t.Errorf("field %s accepted %d characters, more than %d", field, c, n)
	}
}

func FuzzRegistrationInput(f *testing.F) {
	r := validRegistration()
	f.Add(r.PreferredFirstName, r.PreferredLastName, r.Profession, r.NurseLicence, r.MSPBillingNumber, r.CPSID,
		r.Resident, r.CollegeID, r.OtherProfession, r.Email, r.Phone, r.Mobile, r.HealthAuthorityAccount, r.Username)
	f.Add(
		"",
		"",
		"nurse",
		"np",
		"a1234",
		"",
		"",
		"1234567",
		"",
		"N@Example.ca",
		"+1 604 555 0134",
		"",
		"no",
		`HXBC\Nurse.One`,
	)
	f.Add("Zoë", "O'Hara", "other", "", "", "", "", "", "Doula", "zoe@example.ca", "7788889999", "", "no", "zoe.ohara")
	f.Add(
		"Mary-Ann",
		"Lee",
		"pharmacist",
		"",
		"",
		"",
		"",
		"bc-12345",
		"",
		"m@example.ca",
		"(250) 555-0100",
		"",
		"yes",
		"mlee",
	)
	for _, h := range hostileText {
		f.Add(h, h, "other", h, h, h, h, h, h, h, h, h, "no", h)
		f.Add("Dee", "Lee", "other", "", "", "", "", "", h, "d@example.ca", "7788889999", h, "no", "dee.lee")
	}
	f.Fuzz(func(t *testing.T, first, last, prof, licence, msp, cpsid, resident, college, other, email, phone, mobile,
		ha, username string) {
		in := RegistrationInput{
			PreferredFirstName:     first,
			PreferredLastName:      last,
			Profession:             prof,
			NurseLicence:           licence,
			MSPBillingNumber:       msp,
			CPSID:                  cpsid,
			Resident:               resident,
			CollegeID:              college,
			OtherProfession:        other,
			Email:                  email,
			Phone:                  phone,
			Mobile:                 mobile,
			HealthAuthorityAccount: ha,
			Username:               username,
			Password:               "x",
			ConfirmPassword:        "x",
		}
		in.Normalize()
		fe := in.Validate()
		sameErrors(t, fe, in.Validate())
		in.Clean()
		accepted(t, fe, map[string]string{"preferred_first_name": in.PreferredFirstName,
			"preferred_last_name": in.PreferredLastName, "profession": in.Profession, "nurse_licence": in.NurseLicence,
			"msp_billing_number": in.MSPBillingNumber, "cpsid": in.CPSID, "resident": in.Resident,
			"college_id": in.CollegeID, "other_profession": in.OtherProfession, "email": in.Email, "phone": in.Phone,
			"mobile": in.Mobile, "health_authority_account": in.HealthAuthorityAccount, "username": in.Username}, nil)
		if _, bad := fe["preferred_first_name"]; !bad {
			atMost(t, "preferred_first_name", in.PreferredFirstName, 50)
		}
		if _, bad := fe["other_profession"]; !bad {
			atMost(t, "other_profession", in.OtherProfession, 100)
		}
		if _, bad := fe["email"]; !bad && (len(in.Email) > 254 || !strings.Contains(in.Email, "@")) {
			t.Errorf("email %q accepted", in.Email)
		}
		if _, bad := fe["username"]; !bad && !usernameRe.MatchString(in.Username) {
			t.Errorf("username %q accepted", in.Username)
		}
		if _, bad := fe["phone"]; !bad {
			if _, err := NormalizePhone(in.Phone); err != nil {
				t.Errorf("phone %q accepted but does not normalise: %v", in.Phone, err)
			}
		}
	})
}

func FuzzContactInput(f *testing.F) {
	c := validContact()
	f.Add(c.PreferredFirstName, c.PreferredLastName, c.Email, c.Phone, c.Mobile)
	for _, h := range hostileText {
		f.Add(h, h, h, h, h)
		f.Add("Dee", "Lee", "dee@example.ca", "7788889999"+h, "")
		f.Add("Dee", "Lee", h+"dee@example.ca", "7788889999", "")
	}
	f.Fuzz(func(t *testing.T, first, last, email, phone, mobile string) {
		in := ContactInput{
			PreferredFirstName: first,
			PreferredLastName:  last,
			Email:              email,
			Phone:              phone,
			Mobile:             mobile,
		}
		in.Normalize()
		fe := in.Validate()
		sameErrors(t, fe, in.Validate())
		accepted(t, fe, map[string]string{"preferred_first_name": in.PreferredFirstName,
			"preferred_last_name": in.PreferredLastName, "email": in.Email, "phone": in.Phone, "mobile": in.Mobile}, nil)
		if _, bad := fe["preferred_last_name"]; !bad {
			atMost(t, "preferred_last_name", in.PreferredLastName, 50)
		}
	})
}

func FuzzAccessRequestInput(f *testing.F) {
	a := validAccessRequest()
	f.Add(a.FirstName, a.LastName, a.Job, a.CollegeID, uint8(0xff))
	for _, h := range hostileText {
		f.Add(h, h, h, h, uint8(0x1f))
	}
	f.Fuzz(func(t *testing.T, first, last, job, college string, flags uint8) {
		in := AccessRequestInput{FirstName: first, LastName: last, Job: job, CollegeID: college,
			AttestCorrect: flags&1 != 0, AttestDirectCare: flags&2 != 0, AttestAnnualReview: flags&4 != 0,
			ReasonJobDuties: flags&8 != 0, ReasonPatientCare: flags&16 != 0}
		if flags&32 != 0 {
			in.WorksiteIDs = []WorksiteID{1}
		}
		fe := in.Validate()
		sameErrors(t, fe, in.Validate())
		accepted(t, fe, map[string]string{"first_name": in.FirstName, "last_name": in.LastName, "job": in.Job,
			"college_id": in.CollegeID}, nil)
		for field, max := range map[string]int{"first_name": 50, "last_name": 50, "job": 100, "college_id": 20} {
			if _, bad := fe[field]; !bad {
				atMost(t, field, map[string]string{"first_name": in.FirstName, "last_name": in.LastName,
					"job": in.Job, "college_id": in.CollegeID}[field], max)
			}
		}
		if len(fe) == 0 && (!in.AttestCorrect || !in.AttestDirectCare || !in.AttestAnnualReview ||
			!(in.ReasonJobDuties || in.ReasonPatientCare) || len(in.WorksiteIDs) == 0) {
			t.Errorf("accepted without every attestation, a reason and a clinic: %+v", in)
		}
	})
}

var keyRe = regexp.MustCompile(`^[a-z0-9 ]*$`)

// addressFields maps an address's form keys to its values.
func addressFields(a Address) map[string]string {
	return map[string]string{"unit": a.Unit, "civic_number": a.CivicNumber, "street_name": a.StreetName,
		"street_type": a.StreetType, "direction": a.Direction, "city": a.City, "province": a.Province,
		"postal_code": a.PostalCode}
}

// checkAcceptedAddress checks an address Validate accepted, normalised.
func checkAcceptedAddress(t *testing.T, a Address) {
	t.Helper()
	accepted(t, nil, addressFields(a), nil)
	if a.Province != "BC" || !postalPattern.MatchString(a.PostalCode) || a.PostalCode[0] != 'V' {
		t.Errorf("accepted an address outside B.C.: %+v", a)
	}
	atMost(t, "street_name", a.StreetName, 60)
	atMost(t, "city", a.City, 50)
	atMost(t, "street_type", a.StreetType, AddressPartMax)
	atMost(t, "direction", a.Direction, AddressPartMax)
	again := a
	again.Normalize()
	if again != a {
		t.Errorf("Normalize is not idempotent on an accepted address: %+v, then %+v", a, again)
	}
	if fe := again.Validate(); len(fe) > 0 {
		t.Errorf("the normalised address is refused: %v", fe)
	}
	if k := a.Key(); !keyRe.MatchString(k) || k != a.Key() {
		t.Errorf("Key() = %q: not [a-z0-9 ] or not deterministic", k)
	}
}

func FuzzAddress(f *testing.F) {
	a := validAddress()
	f.Add(a.Unit, a.CivicNumber, a.StreetName, a.StreetType, a.Direction, a.City, a.Province, a.PostalCode)
	f.Add("#101a", "0370", "Broadway", "Street.", "east", "Vancouver", "B.C.", "v5t4g5")
	f.Add("Unit 7", "12", "Ste. Anne's", "", "", "Saint-Laurent", "british columbia", "V5T-4G5")
	f.Add("", "9", "Kingsway", "", "", "Burnaby", "", "v5h 2a9")
	f.Add("unit unit 5", "1", "A", "Boul", "SW", "X", "bc", "V0N 1A0")
	for _, h := range hostileText {
		f.Add(h, "370", h, h, h, h, "BC", "V5T 4G5")
		f.Add("", h, "Broadway", "", "", "Vancouver", h, h)
	}
	f.Fuzz(func(t *testing.T, unit, civic, street, stype, dir, city, prov, postal string) {
		a := Address{Unit: unit, CivicNumber: civic, StreetName: street, StreetType: stype, Direction: dir, City: city,
			Province: prov, PostalCode: postal}
		fe := a.Validate()
		sameErrors(t, fe, a.Validate())
		accepted(t, fe, addressFields(a), nil) // the raw values, too
		if len(fe) == 0 {
			a.Normalize()
			checkAcceptedAddress(t, a)
		}
	})
}

func FuzzWorksiteInput(f *testing.F) {
	w := validWorksite()
	m := w.Manual
	f.Add(w.Name, w.Type, w.Phone, "", m.Unit, m.CivicNumber, m.StreetName, m.StreetType, m.Direction, m.City,
		w.HasAuthority, w.SignerName, w.SignerEmail, w.GroupChoice, w.GroupName)
	f.Add("Dr. Ng's   Clinic", "pharmacy", "604-555-0100", "42", "", "", "", "", "", "", "yes", "", "", "", "")
	for _, h := range hostileText {
		f.Add(h, "private_practice", h, "", h, "370", h, h, h, h, "no", h, h, "new", h)
		f.Add("Clinic "+h, "community_organization", "6045550100", h, "", "", "", "", "", "", "no", "Ana "+h,
			"ana@example.ca", h, "Group "+h)
	}
	f.Fuzz(func(t *testing.T, name, typ, phone, addressID, unit, civic, street, stype, dir, city, authority,
		signer, signerEmail, group, groupName string) {
		in := WorksiteInput{Name: name, Type: typ, Phone: phone, AddressID: addressID, HasAuthority: authority,
			SignerName: signer, SignerEmail: signerEmail, GroupChoice: group, GroupName: groupName,
			Manual: Address{Unit: unit, CivicNumber: civic, StreetName: street, StreetType: stype, Direction: dir,
				City: city, Province: "BC", PostalCode: "V5T 4G5"}}
		in.Normalize()
		fe := in.Validate()
		sameErrors(t, fe, in.Validate())
		fields := map[string]string{"name": in.Name, "type": in.Type, "phone": in.Phone}
		if in.HasAuthority == "no" {
			fields["signer_name"], fields["signer_email"] = in.SignerName, in.SignerEmail
		}
		if in.GroupChoice == "new" {
			fields["group_name"] = in.GroupName
		}
		if in.AddressID == "" {
			for k, v := range addressFields(in.Manual) {
				fields[k] = v
			}
		}
		accepted(t, fe, fields, nil)
		if len(fe) > 0 {
			return
		}
		if n := utf8.RuneCountInString(in.Name); n < 2 || n > 100 {
			t.Errorf("accepted a worksite name of %d characters", n)
		}
		if in.GroupChoice == "new" {
			atMost(t, "group_name", in.GroupName, 100)
		}
		if in.HasAuthority == "no" {
			atMost(t, "signer_name", in.SignerName, 200)
		}
		if in.AddressID == "" {
			checkAcceptedAddress(t, in.Manual)
		}
	})
}

func FuzzRemoteAccessInput(f *testing.F) {
	r := validRemoteAccess()
	f.Add(r.Street, r.City, r.PostalCode, r.Reason)
	f.Add("  12-345   Oak St ", " North  Vancouver ", "v7m1a1", "Evening results\r\nfor my patients.")
	for _, h := range hostileText {
		f.Add(h, h, h, h)
		f.Add("1 Main St", "Victoria", "V8W 1A1", "Because I read results at home. "+h)
	}
	f.Fuzz(func(t *testing.T, street, city, postal, reason string) {
		in := RemoteAccessInput{Street: street, City: city, PostalCode: postal, Reason: reason}
		in.Normalize()
		fe := in.Validate()
		sameErrors(t, fe, in.Validate())
		accepted(t, fe, map[string]string{"street": in.Street, "city": in.City, "postal_code": in.PostalCode,
			"reason": in.Reason}, map[string]bool{"reason": true})
		if len(fe) > 0 {
			return
		}
		atMost(t, "street", in.Street, 100)
		atMost(t, "city", in.City, 50)
		if n := utf8.RuneCountInString(in.Reason); n < RemoteAccessReasonMin || n > RemoteAccessReasonMax {
			t.Errorf("accepted a reason of %d characters", n)
		}
		if !remotePostalCode.MatchString(in.PostalCode) || in.PostalCode[0] != 'V' {
			t.Errorf("accepted postal code %q", in.PostalCode)
		}
	})
}

func FuzzSponsorshipInput(f *testing.F) {
	s := validSponsorship()
	f.Add(s.AuthorizerID, s.Message, "", "", false)
	f.Add("7", "", "2025-07-01", "2027-06-30", true)
	f.Add("7", "", " 2025-07-01 ", "2025-07-01", true)
	for _, h := range hostileText {
		f.Add(h, h, h, h, true)
		f.Add("7", h, "2025-07-01", "2027-06-30", false)
	}
	f.Fuzz(func(t *testing.T, authorizer, message, start, end string, resident bool) {
		in := SponsorshipInput{AuthorizerID: authorizer, WorksiteID: "3", Message: message, ResidencyStart: start,
			ResidencyEnd: end}
		fe := in.Validate(resident, "2026-01-15")
		again := in
		sameErrors(t, fe, again.Validate(resident, "2026-01-15"))
		accepted(t, fe, map[string]string{"message": in.Message}, map[string]bool{"message": true})
		if _, bad := fe["message"]; !bad {
			atMost(t, "message", in.Message, 1000)
		}
		if len(fe) > 0 || !resident {
			return
		}
		s, serr := time.Parse(time.DateOnly, in.ResidencyStart)
		e, eerr := time.Parse(time.DateOnly, in.ResidencyEnd)
		if serr != nil || eerr != nil || !e.After(s) || in.ResidencyEnd < "2026-01-15" {
			t.Errorf("accepted residency %q to %q", in.ResidencyStart, in.ResidencyEnd)
		}
	})
}

func FuzzDecisionText(f *testing.F) {
	f.Add("other", "The worksite is not in B.C.", "Which clinic do you work at?", "Not a member here.")
	f.Add("identity", "Two lines:\r\n\tindented.", "", "")
	for _, h := range hostileText {
		f.Add("duplicate", h, h, h)
	}
	f.Fuzz(func(t *testing.T, code, text, question, reason string) {
		in := DeclineInput{Code: code, Text: text}
		fe := in.Validate()
		accepted(t, fe, map[string]string{"decline_code": in.Code, "decline_text": in.Text},
			map[string]bool{"decline_text": true})
		if len(fe) == 0 && (DeclineReasonLabel(in.Code) == "" || in.Text == "" ||
			utf8.RuneCountInString(in.Text) > DecisionTextMax) {
			t.Errorf("accepted decline %+v", in)
		}
		q, err := ValidateInfoQuestion(question)
		if err == nil && (q == "" || !ValidText(q, true) || utf8.RuneCountInString(q) > InfoQuestionMax) {
			t.Errorf("accepted question %q", q)
		}
		if err != nil && ErrorCode(err) != EINVALID {
			t.Errorf("question refused with code %q", ErrorCode(err))
		}
		for _, required := range []bool{false, true} {
			err := ValidateReason(reason, required)
			if err == nil && (!ValidText(reason, true) || utf8.RuneCountInString(strings.TrimSpace(reason)) > 1000 ||
				required && strings.TrimSpace(reason) == "") {
				t.Errorf("accepted reason %q (required %v)", reason, required)
			}
		}
	})
}

func FuzzSignature(f *testing.F) {
	f.Add("Mary Ann Lee-Chung", "MARY ANN LEE-CHUNG", true)
	f.Add("  mary   ann\tlee-chung ", "Mary Ann Lee-Chung", true)
	f.Add("Molly Lee", "Mary Ann Lee-Chung", true)
	for _, h := range hostileText {
		f.Add(h, h, true)
		f.Add("Mary "+h, "Mary "+h, true)
	}
	f.Fuzz(func(t *testing.T, typed, legal string, agree bool) {
		fold := func(s string) string { return strings.Join(strings.Fields(s), " ") }
		for name, fe := range map[string]FieldErrors{
			"declaration": DeclarationInput{FullName: typed, Agree: agree}.Validate(legal),
			"agreement":   HPCAASignature{FullName: typed, Agree: agree}.Validate(legal),
		} {
			if _, bad := fe["full_name"]; bad {
				continue
			}
			if t1 := fold(typed); !ValidText(t1, false) || !strings.EqualFold(t1, fold(legal)) || t1 == "" {
				t.Errorf("%s accepted %q for the legal name %q", name, typed, legal)
			}
			if _, bad := fe["agree"]; !bad && !agree {
				t.Errorf("%s accepted without the box ticked", name)
			}
		}
	})
}

func FuzzCheckPassword(f *testing.F) {
	f.Add("Harbour-Lantern-47", "Harbour-Lantern-47", "Dalia Marie", "EIGHTEEN", "dalia.eighteen", "dalia@example.ca")
	f.Add("Tidal-Orbit\x00Quince9", "Tidal-Orbit\x00Quince9", "", "", "", "")
	f.Add("P4ssw0rd!P4ssw0rd!", "P4ssw0rd!P4ssw0rd!", "", "", "", "")
	f.Add("CareConnect-2026!", "CareConnect-2026!", "", "", "", "")
	f.Add("Dalia-Harbour-47", "Dalia-Harbour-47", "Dalia", "Eighteen", "", "")
	f.Add("1l1l1l1l1l1l1l1lAa", "1l1l1l1l1l1l1l1lAa", "", "", "", "")
	for _, h := range hostileText {
		f.Add("Harbour-Lantern-47"+h, "Harbour-Lantern-47"+h, h, h, h, h)
	}
	f.Fuzz(func(t *testing.T, password, confirm, given, surname, username, email string) {
		info := PasswordInfo{GivenNames: given, Surname: surname, Username: username, Email: email}
		err := CheckPassword(password, confirm, info)
		if again := CheckPassword(password, confirm, info); !reflect.DeepEqual(err, again) {
			t.Fatalf("CheckPassword is not deterministic: %v, then %v", err, again)
		}
		if err != nil {
			if fe, ok := AsFieldErrors(err); !ok || len(fe) == 0 || ErrorCode(err) != EINVALID {
				t.Fatalf("CheckPassword refused with %v, not field errors", err)
			}
			return
		}
		switch {
		case confirm != password:
			t.Errorf("accepted a confirmation that differs")
		case !ValidText(password, false) || strings.IndexFunc(password, func(r rune) bool { return unicode.Is(unicode.Cf, r) }) >= 0:
			t.Errorf("accepted %q, with characters nobody types", password)
		case utf8.RuneCountInString(password) < PasswordMinLength:
			t.Errorf("accepted %q, shorter than %d", password, PasswordMinLength)
		case hasEdgeSpace(password) || !hasUpperAndLower(password) || !hasDigitOrSymbol(password):
			t.Errorf("accepted %q, which breaks a character rule", password)
		case mostlyOneCharacter(strings.ToLower(password)) || containsServiceName(strings.ToLower(password)):
			t.Errorf("accepted %q, which breaks a content rule", password)
		}
	})
}

func FuzzAddressQuery(f *testing.F) {
	f.Add("101-370 Broadway E Vancouver BC V5T 4G5")
	f.Add("370-Broadway-E")
	f.Add(strings.Repeat("broadway ", 13))
	f.Add(strings.Repeat("x", 201))
	f.Add("Saint-Laurent O'Hare Ste. Anne’s")
	for _, h := range hostileText {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, q string) {
		err := CheckAddressQuery(q)
		folded := FoldSearchText(q)
		if err == nil && (utf8.RuneCountInString(q) > AddressQueryMaxChars ||
			len(strings.Fields(folded)) > AddressQueryMaxWords) {
			t.Errorf("accepted a query of %d characters and %d words", utf8.RuneCountInString(q),
				len(strings.Fields(folded)))
		}
		if err != nil && ErrorCode(err) != EINVALID {
			t.Errorf("refused with code %q", ErrorCode(err))
		}
		cut := CutAddressQuery(q)
		if !strings.HasPrefix(q, cut) || utf8.RuneCountInString(cut) > AddressQueryMaxChars ||
			(utf8.ValidString(q) && !utf8.ValidString(cut)) {
			t.Errorf("CutAddressQuery(%q) = %q", q, cut)
		}
		if utf8.RuneCountInString(q) <= AddressQueryMaxChars && cut != q {
			t.Errorf("CutAddressQuery cut a short query: %q to %q", q, cut)
		}
		if !keyRe.MatchString(folded) || strings.Contains(folded, "  ") || strings.TrimSpace(folded) != folded {
			t.Errorf("FoldSearchText(%q) = %q", q, folded)
		}
		for _, w := range SearchWords(q) {
			if w == "" || !keyRe.MatchString(w) || strings.Contains(w, " ") {
				t.Errorf("SearchWords(%q) has the word %q", q, w)
			}
		}
	})
}
