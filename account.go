package portal

import (
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// AccountID identifies an HxBC account.
type AccountID int64

// CardIdentity is who the BC Services Card says a person is. The legal names
// come from the card and can never be edited in the portal.
type CardIdentity struct {
	Issuer     string
	Subject    string
	GivenNames string
	Surname    string
	BirthDate  string // YYYY-MM-DD, or "" when the card did not say
	Email      string // a hint for the form only; the person confirms their own
	// EmailVerified is the provider's email_verified claim. Only staff
	// sign-in relies on it; people confirm their address in the portal.
	EmailVerified bool
}

// LegalName is the name on the card.
func (c CardIdentity) LegalName() string { return strings.TrimSpace(c.GivenNames + " " + c.Surname) }

// Account is a person's HxBC account.
type Account struct {
	ID                 AccountID
	Issuer, Subject    string
	GivenNames         string
	Surname            string
	BirthDate          string
	PreferredFirstName string
	PreferredLastName  string
	Profession         Profession
	NurseLicence       NurseLicence
	MSPBillingNumber   string
	CPSID              string
	IsResident         bool
	ResidentRoute      ResidentRoute // a resident's choice: independent or sponsored
	CollegeID          string
	OtherProfession    string
	Email              string
	Phone              string // E.164
	Mobile             string // E.164 or ""
	Username           string
	PasswordHash       string
	PasswordChangedAt  time.Time
	Status             string
	CreatedAt          time.Time
	UpdatedAt          time.Time
	// EmailVerifiedAt is when the owner confirmed Email; zero while unconfirmed.
	EmailVerifiedAt time.Time
}

// Account statuses.
const (
	AccountActive = "active"
)

// FirstName is the preferred first name, or the card's given names.
func (a *Account) FirstName() string {
	if a.PreferredFirstName != "" {
		return a.PreferredFirstName
	}
	return a.GivenNames
}

// LastName is the preferred last name, or the card's surname.
func (a *Account) LastName() string {
	if a.PreferredLastName != "" {
		return a.PreferredLastName
	}
	return a.Surname
}

// EmailConfirmed reports whether the person has shown that they read the
// account's current email address.
func (a *Account) EmailConfirmed() bool { return !a.EmailVerifiedAt.IsZero() }

// HasConfirmedEmail reports whether email is the account's address and the
// person has confirmed it. An unconfirmed address proves nothing.
func (a *Account) HasConfirmedEmail(email string) bool {
	return a.EmailConfirmed() && EmailKey(a.Email) == EmailKey(email)
}

// DisplayName is how the portal addresses the person.
func (a *Account) DisplayName() string { return strings.TrimSpace(a.FirstName() + " " + a.LastName()) }

// LegalName is the name on the card.
func (a *Account) LegalName() string { return strings.TrimSpace(a.GivenNames + " " + a.Surname) }

// QualifiedUsername is the username as shown to people: HXBC\username.
func (a *Account) QualifiedUsername() string { return QualifiedUsername(a.Username) }

// QualifiedUsername prefixes a username with its domain.
func QualifiedUsername(u string) string { return `HXBC\` + u }

// ProfessionLabel is the profession as the form shows it.
func (a *Account) ProfessionLabel() string {
	if info, ok := LookupProfession(a.Profession); ok {
		if a.Profession == ProfOther && a.OtherProfession != "" {
			return "Other: " + a.OtherProfession
		}
		return info.Label
	}
	return string(a.Profession)
}

// UserType is the account's user type under the policy table.
func (a *Account) UserType() UserType {
	return UserTypeOf(a.Profession, a.NurseLicence, a.IsResident, a.ResidentRoute)
}

// Prerequisites lists what the account must complete before requesting access.
func (a *Account) Prerequisites() []Prerequisite {
	return PrerequisitesFor(a.Profession, a.NurseLicence)
}

// PasswordInfo gathers what the password policy must not let a password contain.
func (a *Account) PasswordInfo() PasswordInfo {
	return PasswordInfo{
		GivenNames: a.GivenNames, Surname: a.Surname,
		PreferredFirstName: a.PreferredFirstName, PreferredLastName: a.PreferredLastName,
		Username: a.Username, Email: a.Email, Phone: a.Phone, Mobile: a.Mobile, BirthDate: a.BirthDate,
	}
}

// RegistrationInput is the HxBC account registration form.
type RegistrationInput struct {
	PreferredFirstName     string
	PreferredLastName      string
	Profession             string
	NurseLicence           string
	MSPBillingNumber       string
	CPSID                  string
	Resident               string // "yes" or "no" (physicians)
	CollegeID              string
	OtherProfession        string
	Email                  string
	Phone                  string
	Mobile                 string
	HealthAuthorityAccount string // "yes" or "no"
	Username               string
	Password               string
	ConfirmPassword        string
}

// NeedsHealthAuthorityRoute reports that the person has a VCH, PHSA or PHC
// network account and must follow the health authority's route instead.
func (in *RegistrationInput) NeedsHealthAuthorityRoute() bool {
	return in.HealthAuthorityAccount == "yes"
}

var (
	fiveCharID   = regexp.MustCompile(`^[A-Z0-9][0-9]{4}$`)
	bccnmID      = regexp.MustCompile(`^[0-9]{7}$`)
	collegeRegID = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{1,19}$`)
	usernameRe   = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,28}[a-z0-9]$`)
	nameRe       = regexp.MustCompile(`^[\p{L}][\p{L}\p{M} .'\-]*$`)
)

// reservedUsernames cannot be taken by anyone.
var reservedUsernames = map[string]bool{
	"admin": true, "administrator": true, "root": true, "system": true, "careconnect": true,
	"support": true, "helpdesk": true, "security": true, "hxbc": true, "guest": true,
}

// Normalize trims spaces and puts identifiers in their canonical case.
func (in *RegistrationInput) Normalize() {
	trim := func(s *string) { *s = strings.TrimSpace(*s) }
	for _, s := range []*string{&in.PreferredFirstName, &in.PreferredLastName, &in.Profession, &in.NurseLicence,
		&in.MSPBillingNumber, &in.CPSID, &in.Resident, &in.CollegeID, &in.OtherProfession, &in.Email,
		&in.Phone, &in.Mobile, &in.HealthAuthorityAccount, &in.Username} {
		trim(s)
	}
	in.MSPBillingNumber = strings.ToUpper(in.MSPBillingNumber)
	in.CPSID = strings.ToUpper(in.CPSID)
	in.CollegeID = strings.ToUpper(in.CollegeID)
	in.Username = strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(in.Username, `HXBC\`), `hxbc\`))
}

// Validate checks every field except the password policy (which needs the
// person's details; see CheckPassword) and returns the field errors.
func (in *RegistrationInput) Validate() FieldErrors {
	fe := FieldErrors{}
	validatePreferredName(fe, "preferred_first_name", "Preferred first name", in.PreferredFirstName)
	validatePreferredName(fe, "preferred_last_name", "Preferred last name", in.PreferredLastName)

	info, ok := LookupProfession(Profession(in.Profession))
	if !ok {
		fe.Add("profession", "Select your profession.")
	} else {
		validateIdentifiers(fe, info, in)
	}
	validateEmail(fe, "email", in.Email)
	validatePhone(fe, "phone", "phone number", in.Phone, true)
	validatePhone(fe, "mobile", "mobile number", in.Mobile, false)
	switch in.HealthAuthorityAccount {
	case "yes", "no":
	default:
		fe.Add("health_authority_account", "Answer whether you have a network account with VCH, PHSA or PHC.")
	}
	validateUsername(fe, in.Username)
	if in.Password == "" {
		fe.Add("password", "Enter a password.")
	}
	if in.ConfirmPassword == "" {
		fe.Add("confirm_password", "Enter the password again to confirm it.")
	}
	return fe
}

func validateIdentifiers(fe FieldErrors, info ProfessionInfo, in *RegistrationInput) {
	if info.Needs(IDNurseLicence) {
		if NurseLicenceLabel(NurseLicence(in.NurseLicence)) == "" {
			fe.Add("nurse_licence", "Select your licence type.")
		}
	}
	if info.Needs(IDMSPBilling) || (info.Code == ProfNurse && NurseLicence(in.NurseLicence) == LicenceNP) {
		if in.MSPBillingNumber == "" {
			fe.Add("msp_billing_number", "Enter your MSP billing number.")
		} else if !fiveCharID.MatchString(in.MSPBillingNumber) {
			fe.Add("msp_billing_number", "Enter your MSP billing number as 5 characters, e.g. A0000 or 00000.")
		}
	}
	if info.Needs(IDResident) {
		if in.Resident != "yes" && in.Resident != "no" {
			fe.Add("resident", "Answer whether you are currently a medical resident.")
		}
	}
	if info.Needs(IDCPSID) {
		if in.CPSID == "" {
			fe.Add("cpsid", "Enter your CPSID.")
		} else if !fiveCharID.MatchString(in.CPSID) {
			fe.Add("cpsid", "Enter your CPSID as 5 characters, e.g. A0000 or 00000.")
		}
	}
	if info.Needs(IDBCCNM) {
		if in.CollegeID == "" {
			fe.Add("college_id", "Enter your BCCNM college ID.")
		} else if !bccnmID.MatchString(in.CollegeID) {
			fe.Add("college_id", "Enter your BCCNM college ID as 7 digits, e.g. 0000000.")
		}
	}
	if info.Needs(IDCollegeReg) {
		if in.CollegeID == "" {
			fe.Add("college_id", "Enter your college registration number.")
		} else if !collegeRegID.MatchString(in.CollegeID) {
			fe.Add("college_id", "Enter your college registration number: 2 to 20 letters, digits or hyphens.")
		}
	}
	if info.Needs(IDOtherDescribe) && fe.CheckText("other_profession", in.OtherProfession, false) {
		n := len([]rune(in.OtherProfession))
		if n == 0 {
			fe.Add("other_profession", "Describe your profession.")
		} else if n < 2 || n > 100 {
			fe.Add("other_profession", "Describe your profession in 2 to 100 characters.")
		}
	}
}

// Clean drops identifiers the chosen profession does not use, so nothing
// typed for another profession is stored.
func (in *RegistrationInput) Clean() {
	info, _ := LookupProfession(Profession(in.Profession))
	if !info.Needs(IDNurseLicence) {
		in.NurseLicence = ""
	}
	if !(info.Needs(IDMSPBilling) || (info.Code == ProfNurse && NurseLicence(in.NurseLicence) == LicenceNP)) {
		in.MSPBillingNumber = ""
	}
	if !info.Needs(IDCPSID) {
		in.CPSID = ""
	}
	if !info.Needs(IDResident) {
		in.Resident = ""
	}
	if !info.Needs(IDBCCNM) && !info.Needs(IDCollegeReg) {
		in.CollegeID = ""
	}
	if !info.Needs(IDOtherDescribe) {
		in.OtherProfession = ""
	}
}

func validatePreferredName(fe FieldErrors, field, label, v string) {
	if v == "" || !fe.CheckText(field, v, false) {
		return
	}
	if len([]rune(v)) > 50 {
		fe.Add(field, label+" must be 50 characters or fewer.")
	} else if !nameRe.MatchString(v) {
		fe.Add(field, label+" may contain only letters, spaces, hyphens, apostrophes and periods.")
	}
}

func validateEmail(fe FieldErrors, field, v string) {
	if v == "" {
		fe.Add(field, "Enter your email address.")
		return
	}
	if !fe.CheckText(field, v, false) {
		return
	}
	addr, err := mail.ParseAddress(v)
	if err != nil || addr.Address != v || len(v) > 254 || !strings.Contains(v[strings.LastIndexByte(v, '@')+1:], ".") {
		fe.Add(field, "Enter an email address like name@example.ca.")
	}
}

func validatePhone(fe FieldErrors, field, label, v string, required bool) {
	if v == "" {
		if required {
			fe.Add(field, "Enter your "+label+".")
		}
		return
	}
	if !fe.CheckText(field, v, false) {
		return
	}
	if _, err := NormalizePhone(v); err != nil {
		fe.Add(field, "Enter a Canadian "+label+" with its area code, e.g. (778) 888-9999.")
	}
}

func validateUsername(fe FieldErrors, v string) {
	switch {
	case v == "":
		fe.Add("username", "Choose a username.")
	case len(v) < 3 || len(v) > 30:
		fe.Add("username", "Your username must be 3 to 30 characters long.")
	case !usernameRe.MatchString(v):
		fe.Add(
			"username",
			"Use only lower-case letters, digits, periods, hyphens and underscores, starting and ending with a letter or digit.",
		)
	case reservedUsernames[v]:
		fe.Add("username", "That username is reserved. Choose another.")
	}
}

// NormalizePhone parses a Canadian phone number and returns it in E.164 form.
func NormalizePhone(s string) (string, error) {
	num, err := phonenumbers.Parse(s, "CA")
	if err != nil || !phonenumbers.IsValidNumberForRegion(num, "CA") {
		return "", Errorf(EINVALID, "Enter a Canadian phone number with its area code.")
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// FormatPhone shows a stored E.164 number as (778) 888-9999.
func FormatPhone(e164 string) string {
	if e164 == "" {
		return ""
	}
	num, err := phonenumbers.Parse(e164, "CA")
	if err != nil {
		return e164
	}
	return phonenumbers.Format(num, phonenumbers.NATIONAL)
}

// EmailKey is the form of an email address used for uniqueness: an address
// belongs to one account regardless of case.
func EmailKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// SuggestUsername proposes first.last from a person's names: lower case,
// accents removed, only letters and digits in each part.
func SuggestUsername(first, last string) string {
	part := func(s string) string {
		t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
		folded, _, _ := transform.String(t, s)
		fields := strings.Fields(strings.ToLower(folded))
		if len(fields) == 0 {
			return ""
		}
		var b strings.Builder
		for _, r := range fields[0] {
			if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	f, l := part(first), part(last)
	switch {
	case f != "" && l != "":
		s := f + "." + l
		if len(s) > 30 {
			s = s[:30]
		}
		return strings.TrimRight(s, ".")
	case f != "":
		return f
	default:
		return l
	}
}

// ContactInput is the "Update My Information" form.
type ContactInput struct {
	PreferredFirstName string
	PreferredLastName  string
	Email              string
	Phone              string
	Mobile             string
}

// Normalize trims every field.
func (in *ContactInput) Normalize() {
	for _, s := range []*string{&in.PreferredFirstName, &in.PreferredLastName, &in.Email, &in.Phone, &in.Mobile} {
		*s = strings.TrimSpace(*s)
	}
}

// Validate checks the contact form.
func (in *ContactInput) Validate() FieldErrors {
	fe := FieldErrors{}
	validatePreferredName(fe, "preferred_first_name", "Preferred first name", in.PreferredFirstName)
	validatePreferredName(fe, "preferred_last_name", "Preferred last name", in.PreferredLastName)
	validateEmail(fe, "email", in.Email)
	validatePhone(fe, "phone", "phone number", in.Phone, true)
	validatePhone(fe, "mobile", "mobile number", in.Mobile, false)
	return fe
}

// PasswordChangeInput is the "Reset My Password" form.
type PasswordChangeInput struct {
	Password        string
	ConfirmPassword string
	// SignedInAt is when the person last signed in with the BC Services
	// Card, from their session (not from the form): see
	// CheckPasswordChangeSignIn.
	SignedInAt time.Time
	// KeepSession is the id hash of the session making the change: it
	// stays signed in, and every other session of the account ends.
	KeepSession string
}

// ProfSignerOnly marks an account made only so that a worksite's named
// signer (a clinic owner, say, who is no practitioner) can sign its
// declaration after the BC Services Card sign-in. It is not one of the
// professions of the registration form: such an account has no HxBC
// password, cannot request CareConnect access (its user type is not
// eligible) and is never provisioned.
const ProfSignerOnly Profession = "signer-only"

// SignerOnly reports whether the account exists only to sign declarations.
func (a *Account) SignerOnly() bool { return a.Profession == ProfSignerOnly }
