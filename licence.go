package portal

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// A practitioner's licence is held with their regulatory college and can
// lapse, be suspended or gain conditions long after the CareConnect team
// approved their access. The portal asks the college's registry (a
// LicenceRegistry) when an officer looks at a request, and a daily job asks
// again for everyone provisioned.

// Licence statuses, as the portal records a registry's answer.
const (
	LicenceActive    = "active"    // in good standing, within its dates
	LicenceLapsed    = "lapsed"    // expired or not renewed
	LicenceSuspended = "suspended" // suspended or cancelled by the college
	LicenceNotFound  = "not_found" // the registry has no licence of that number
)

// LicenceStatusLabel is a status as the team reads it.
func LicenceStatusLabel(s string) string {
	switch s {
	case LicenceActive:
		return "Active"
	case LicenceLapsed:
		return "Lapsed"
	case LicenceSuspended:
		return "Suspended"
	case LicenceNotFound:
		return "Not found"
	}
	return s
}

// LicenceBlocksAccess reports whether a recorded licence status stops a
// person from holding active CareConnect access.
func LicenceBlocksAccess(status string) bool {
	return status == LicenceLapsed || status == LicenceSuspended
}

// Colleges whose registries the portal can be configured to ask. The key
// is what a registry configuration names.
const (
	CollegeCPSBC  = "cpsbc"  // College of Physicians and Surgeons of BC (CPSID)
	CollegeBCCNM  = "bccnm"  // BC College of Nurses and Midwives
	CollegeCPBC   = "cpbc"   // College of Pharmacists of BC
	CollegeCHCPBC = "chcpbc" // College of Health and Care Professionals of BC
	CollegeBCCSW  = "bccsw"  // BC College of Social Workers
)

// licenceColleges says which college holds each profession's licence, and
// so which registry is asked. Professions not listed hold no licence the
// portal checks.
var licenceColleges = map[Profession]string{
	ProfPhysician:           CollegeCPSBC,
	ProfNurse:               CollegeBCCNM,
	ProfMidwife:             CollegeBCCNM,
	ProfPharmacist:          CollegeCPBC,
	ProfPharmacyTechnician:  CollegeCPBC,
	ProfSocialWorker:        CollegeBCCSW,
	ProfChiropractor:        CollegeCHCPBC,
	ProfMassageTherapist:    CollegeCHCPBC,
	ProfNutritionist:        CollegeCHCPBC,
	ProfOccupationalTherapy: CollegeCHCPBC,
	ProfOsteopath:           CollegeCHCPBC,
	ProfPhysiotherapist:     CollegeCHCPBC,
	ProfRadiationTech:       CollegeCHCPBC,
}

// KnownCollege reports whether a registry may be configured for key.
func KnownCollege(key string) bool {
	for _, c := range licenceColleges {
		if c == key {
			return true
		}
	}
	return false
}

// LicenceKey says which college's registry holds a person's licence and
// the number it is looked up by: the CPSID for physicians, the college
// registration number for the other regulated professions. ok is false for
// people who hold no licence the portal checks (an MOA, say).
func LicenceKey(a *Account) (college, number string, ok bool) {
	college, ok = licenceColleges[a.Profession]
	if !ok {
		return "", "", false
	}
	if a.Profession == ProfPhysician {
		return college, strings.TrimSpace(a.CPSID), true
	}
	return college, strings.TrimSpace(a.CollegeID), true
}

// Licence is what a college's registry says of one licence.
type Licence struct {
	Number     string   // the registration number looked up
	GivenNames string   // as the registry has them
	FamilyName string   // as the registry has it
	Status     string   // LicenceActive, LicenceLapsed or LicenceSuspended
	Class      string   // e.g. "Full", "Provisional"; "" when not given
	Conditions []string // limits and conditions on practice
	Expires    string   // YYYY-MM-DD, "" when open-ended
}

// Name is the registry's name for the licensee.
func (l *Licence) Name() string { return strings.TrimSpace(l.GivenNames + " " + l.FamilyName) }

// StandingOn is the licence's status on a day: an active licence whose
// expiry date has passed has lapsed.
func (l *Licence) StandingOn(today string) string {
	if l.Status == LicenceActive && l.Expires != "" && l.Expires < today {
		return LicenceLapsed
	}
	return l.Status
}

// Validate checks a registry's answer before the portal relies on it.
func (l *Licence) Validate() error {
	switch {
	case strings.TrimSpace(l.Number) == "":
		return errors.New("the registration number is missing")
	case strings.TrimSpace(l.FamilyName) == "":
		return errors.New("the family name is missing")
	case l.Status != LicenceActive && l.Status != LicenceLapsed && l.Status != LicenceSuspended:
		return fmt.Errorf("the status %q is not one of active, lapsed, suspended", l.Status)
	}
	if l.Expires != "" {
		if _, err := time.Parse(time.DateOnly, l.Expires); err != nil {
			return fmt.Errorf("the expiry date %q is not a date (YYYY-MM-DD)", l.Expires)
		}
	}
	return nil
}

// ErrRegistryUnavailable is returned by a LicenceRegistry that could not
// be reached or gave an answer it could not read. Nothing is changed on
// the strength of it.
var ErrRegistryUnavailable = errors.New("registry unavailable")

// LicenceRegistry is a college's register of licences.
type LicenceRegistry interface {
	// LookupLicence returns the licence of a registration number, or nil
	// when the registry has none; an error wrapping ErrRegistryUnavailable
	// when it could not be asked.
	LookupLicence(ctx context.Context, number string) (*Licence, error)
}

// LicenceRegistries are the configured registries, by college key.
type LicenceRegistries map[string]LicenceRegistry

// Lookup asks the registry of the person's college. checked is false when
// the person holds no licence the portal checks or no registry is
// configured for their college: their licence was not checked.
func (rs LicenceRegistries) Lookup(ctx context.Context, a *Account) (lic *Licence, checked bool, err error) {
	college, number, ok := LicenceKey(a)
	if !ok {
		return nil, false, nil
	}
	reg := rs[college]
	if reg == nil || number == "" {
		return nil, false, nil
	}
	lic, err = reg.LookupLicence(ctx, number)
	return lic, true, err
}

// LicenceStanding is what the portal last recorded of a person's licence.
type LicenceStanding struct {
	AccountID AccountID
	College   string
	Number    string
	Status    string // a Licence status, or LicenceNotFound
	Detail    string // the check's text, for the team
	CheckedAt time.Time
}

// CheckNone is the level of a check that could not be made: it is never
// "OK", and the officer sees why.
const CheckNone = "none"

// NotChecked reports whether the check could not be made.
func (c Check) NotChecked() bool { return c.Level == CheckNone }

// LicenceCheck turns a registry's answer into the automatic check an
// officer sees: whether the name matches the card's, the status, class,
// conditions and expiry. checked false (no registry for the college) and
// an unavailable registry give a check that says so, never "OK".
func LicenceCheck(a *Account, lic *Licence, checked bool, err error, today string) Check {
	college, number, ok := LicenceKey(a)
	switch {
	case !ok:
		return checkOKf("No licence is checked for %s.", a.ProfessionLabel())
	case number == "":
		return Check{Level: CheckNone, Text: "The licence was not checked: the registration number is missing."}
	case !checked:
		return Check{Level: CheckNone,
			Text: fmt.Sprintf("The licence was not checked: no registry is configured for %s.", CollegeName(college))}
	case err != nil:
		return Check{Level: CheckNone,
			Text: fmt.Sprintf("The licence was not checked: registry unavailable (%s).", CollegeName(college))}
	case lic == nil:
		return checkFlagf("The %s registry has no licence numbered %s.", CollegeName(college), number)
	}
	var parts []string
	nameOK := NamesMatch(a, lic)
	if nameOK {
		parts = append(parts, fmt.Sprintf("name %s matches", lic.Name()))
	} else {
		parts = append(parts, fmt.Sprintf("name %s does not match the card's %s", lic.Name(), a.LegalName()))
	}
	status := lic.StandingOn(today)
	parts = append(parts, "status "+LicenceStatusLabel(status))
	if lic.Class != "" {
		parts = append(parts, "class "+lic.Class)
	}
	if len(lic.Conditions) > 0 {
		parts = append(parts, "conditions: "+strings.Join(lic.Conditions, "; "))
	} else {
		parts = append(parts, "no conditions")
	}
	if lic.Expires != "" {
		parts = append(parts, "expires "+longDate(lic.Expires))
	}
	text := fmt.Sprintf("%s registry, licence %s: %s.", CollegeName(college), number, strings.Join(parts, ", "))
	if !nameOK || status != LicenceActive || len(lic.Conditions) > 0 {
		return Check{Level: CheckFlag, Text: text}
	}
	return Check{Level: CheckOK, Text: text}
}

// NamesMatch reports whether the registry's family name is the card's
// surname and its first given name is among the card's given names,
// ignoring case and spacing.
func NamesMatch(a *Account, l *Licence) bool {
	fold := func(s string) []string { return strings.Fields(strings.ToLower(s)) }
	if !slices.Equal(fold(a.Surname), fold(l.FamilyName)) {
		return false
	}
	given := fold(l.GivenNames)
	return len(given) == 0 || slices.Contains(fold(a.GivenNames), given[0])
}

// CollegeName is a college key as people read it.
func CollegeName(key string) string {
	switch key {
	case CollegeCPSBC:
		return "College of Physicians and Surgeons of BC"
	case CollegeBCCNM:
		return "BC College of Nurses and Midwives"
	case CollegeCPBC:
		return "College of Pharmacists of BC"
	case CollegeCHCPBC:
		return "College of Health and Care Professionals of BC"
	case CollegeBCCSW:
		return "BC College of Social Workers"
	}
	return key
}

func longDate(d string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return d
	}
	return t.Format("January 2, 2006")
}
