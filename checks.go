package portal

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Check levels: a check either passed or flags something an officer must
// look at before deciding.
const (
	CheckOK   = "ok"
	CheckFlag = "flag"
)

// Check is one automatic check of an access request.
type Check struct {
	Level string // CheckOK or CheckFlag
	Text  string
}

// Flagged reports whether the check needs an officer's attention.
func (c Check) Flagged() bool { return c.Level == CheckFlag }

// CheckInput is what the automatic checks look at: the person, the
// worksites named on the request and the sponsorships it relies on.
type CheckInput struct {
	Account      *Account
	Worksites    []*Worksite
	Sponsorships []*Sponsorship
	Today        string // YYYY-MM-DD in British Columbia
	// OnBehalfOf: the person needs an authorizer; Sponsors is where each of
	// their sponsors stands today (SponsorQualifies).
	OnBehalfOf bool
	Sponsors   []SponsorStanding
}

// ResidencyWarningDays is how close a sponsored residency's end must be
// for the checks to flag it.
const ResidencyWarningDays = 30

// CheckRequest runs the automatic checks an officer sees beside an access
// request: the identifiers' formats, a profession of Other, the worksites'
// approval and address verification, for an on-behalf-of user whether a
// sponsor qualifies, and sponsored residencies that end soon. Each passed
// check is listed too, so the officer sees what was looked at.
func CheckRequest(in CheckInput) []Check {
	var out []Check
	if in.Account != nil {
		out = append(out, identifierChecks(in.Account)...)
		if in.Account.Profession == ProfOther {
			out = append(out,
				checkFlagf("The profession is Other (%q): place the person in a listed profession, or decline.",
					in.Account.OtherProfession))
		}
	}
	for _, w := range in.Worksites {
		name := fmt.Sprintf("%s (%s)", w.Name, w.Code)
		switch {
		case w.Status == WorksiteDeclined:
			out = append(out, checkFlagf("%s was declined by the CareConnect team.", name))
		case w.Status != WorksiteApproved:
			out = append(out, checkFlagf("%s is not approved yet.", name))
		}
		if !w.AddressVerified {
			out = append(out, checkFlagf("The address of %s was typed by hand and awaits verification.", name))
		}
		if w.Status == WorksiteApproved && w.AddressVerified {
			out = append(out, checkOKf("%s is approved and its address is verified.", name))
		}
	}
	if in.OnBehalfOf {
		out = append(out, sponsorCheck(in.Sponsors))
	}
	today, terr := time.Parse(time.DateOnly, in.Today)
	for _, s := range in.Sponsorships {
		if s.Status != SponsorActive || !s.IsResidency() {
			continue
		}
		end, err := time.Parse(time.DateOnly, s.ResidencyEnd)
		if err != nil || terr != nil {
			out = append(out,
				checkFlagf("The end of the residency sponsored by %s (%q) could not be read.",
					s.AuthorizerName, s.ResidencyEnd))
			continue
		}
		when := end.Format("January 2, 2006")
		switch {
		case end.Before(today):
			out = append(out, checkFlagf("The residency sponsored by %s ended on %s.", s.AuthorizerName, when))
		case !end.After(today.AddDate(0, 0, ResidencyWarningDays)):
			out = append(out,
				checkFlagf("The residency sponsored by %s ends on %s, within %d days.", s.AuthorizerName,
					when, ResidencyWarningDays))
		default:
			out = append(out, checkOKf("The residency sponsored by %s runs until %s.", s.AuthorizerName, when))
		}
	}
	return out
}

// sponsorCheck says whether an on-behalf-of user has a sponsor who
// qualifies: without one the request cannot be approved.
func sponsorCheck(ss []SponsorStanding) Check {
	var names []string
	for _, s := range ss {
		if ok, _ := SponsorQualifies(s); ok {
			names = append(names, s.Authorizer.DisplayName())
		}
	}
	if len(names) == 0 {
		return checkFlagf("No authorizer qualifies as a sponsor: none has an active sponsorship, approved and active " +
			"CareConnect access of their own and an approved worksite shared with this person. The request cannot be approved until one does.")
	}
	return checkOKf("Sponsored by an authorizer who qualifies: %s.", strings.Join(names, ", "))
}

// CountFlags counts the checks that need attention.
func CountFlags(cs []Check) int {
	n := 0
	for _, c := range cs {
		if c.Flagged() {
			n++
		}
	}
	return n
}

// identifierChecks re-validates the identifiers the profession needs with
// the registration form's own formats.
func identifierChecks(a *Account) []Check {
	info, ok := LookupProfession(a.Profession)
	if !ok {
		return []Check{checkFlagf("The profession %q is not on the list.", a.Profession)}
	}
	var out []Check
	format := func(re *regexp.Regexp, label, value, shape string) {
		switch {
		case value == "":
			out = append(out, checkFlagf("The %s is missing.", label))
		case !re.MatchString(value):
			out = append(out, checkFlagf("The %s %q does not have the expected format (%s).", label, value, shape))
		default:
			out = append(out, checkOKf("The %s %s has the expected format.", label, value))
		}
	}
	if info.Needs(IDNurseLicence) && NurseLicenceLabel(a.NurseLicence) == "" {
		out = append(out, checkFlagf("The nurse licence type is missing."))
	}
	if info.Needs(IDMSPBilling) || (a.Profession == ProfNurse && a.NurseLicence == LicenceNP) {
		format(fiveCharID, "MSP billing number", a.MSPBillingNumber, "5 characters, such as A0000 or 00000")
	}
	if info.Needs(IDCPSID) {
		format(fiveCharID, "CPSID", a.CPSID, "5 characters, such as A0000 or 00000")
	}
	if info.Needs(IDBCCNM) {
		format(bccnmID, "BCCNM college ID", a.CollegeID, "7 digits")
	}
	if info.Needs(IDCollegeReg) {
		format(collegeRegID, info.CollegeLabel, a.CollegeID, "2 to 20 letters, digits or hyphens")
	}
	if len(out) == 0 && !info.Needs(IDOtherDescribe) {
		out = append(out, checkOKf("No professional identifiers are needed for %s.", info.Label))
	}
	return out
}

func checkFlagf(format string, args ...any) Check {
	return Check{Level: CheckFlag, Text: fmt.Sprintf(format, args...)}
}

func checkOKf(format string, args ...any) Check {
	return Check{Level: CheckOK, Text: fmt.Sprintf(format, args...)}
}
