package portal

import (
	"strings"
	"time"
	"unicode/utf8"
)

// SponsorshipID identifies a sponsorship.
type SponsorshipID int64

// Sponsorship statuses.
const (
	SponsorPending   = "pending"   // waiting for the authorizer
	SponsorActive    = "active"    // the person works on the authorizer's behalf
	SponsorDeclined  = "declined"  // the authorizer said no
	SponsorRevoked   = "revoked"   // the authorizer ended it
	SponsorWithdrawn = "withdrawn" // the on-behalf-of user ended it
	SponsorEnded     = "ended"     // the residency ended
)

// Sponsorship lets an on-behalf-of user (an MOA, a sponsored resident)
// see CareConnect as their authorizer does, at a worksite they share.
type Sponsorship struct {
	ID                  SponsorshipID
	OBOAccountID        AccountID
	AuthorizerAccountID AccountID
	WorksiteID          WorksiteID
	Status              string
	ResidencyStart      string // YYYY-MM-DD, residents only
	ResidencyEnd        string // YYYY-MM-DD: the sponsorship ends after this day
	Message             string
	Reason              string
	CreatedAt           time.Time
	DecidedAt           time.Time
	EndedAt             time.Time
	OBOName             string
	OBOEmail            string
	AuthorizerName      string
	AuthorizerEmail     string
	WorksiteName        string
}

// IsResidency reports whether the sponsorship is a resident's.
func (s *Sponsorship) IsResidency() bool { return s.ResidencyEnd != "" }

// SponsorshipInput is the request an on-behalf-of user sends an authorizer.
type SponsorshipInput struct {
	AuthorizerID   string
	WorksiteID     string
	ResidencyStart string
	ResidencyEnd   string
	Message        string
}

// Validate checks the request; residents must give their residency dates.
func (in *SponsorshipInput) Validate(resident bool, today string) FieldErrors {
	fe := FieldErrors{}
	in.Message = strings.TrimSpace(in.Message)
	if in.AuthorizerID == "" {
		fe.Add("authorizer", "Choose the authorizer you work for.")
	}
	if fe.CheckText("message", in.Message, true) && utf8.RuneCountInString(in.Message) > 1000 {
		fe.Add("message", "The message must be 1,000 characters or fewer.")
	}
	if !resident {
		in.ResidencyStart, in.ResidencyEnd = "", ""
		return fe
	}
	start, serr := time.Parse(time.DateOnly, strings.TrimSpace(in.ResidencyStart))
	end, eerr := time.Parse(time.DateOnly, strings.TrimSpace(in.ResidencyEnd))
	if serr != nil {
		fe.Add("residency_start", "Enter your residency start date as YYYY-MM-DD.")
	}
	switch {
	case eerr != nil:
		fe.Add("residency_end", "Enter your residency end date as YYYY-MM-DD.")
	case serr == nil && !end.After(start):
		fe.Add("residency_end", "The residency must end after it starts.")
	case end.Format(time.DateOnly) < today:
		fe.Add("residency_end", "Your residency end date has passed.")
	}
	if serr == nil {
		in.ResidencyStart = start.Format(time.DateOnly)
	}
	if eerr == nil {
		in.ResidencyEnd = end.Format(time.DateOnly)
	}
	return fe
}

// Why a sponsor does not, or no longer, qualify. The codes go into the
// audit trail and the change feed; SponsorReasonText says them in words.
const (
	SponsorNotAuthorizer     = "not_authorizer"         // not of an authorizing user type
	SponsorNotPhysician      = "not_enrolled_physician" // a resident's sponsor must be a physician who is not a resident
	SponsorAccountInactive   = "account_inactive"       // the authorizer's HxBC account is not active
	SponsorAccessNotApproved = "access_not_approved"    // the authorizer's own CareConnect access is not approved and active
	SponsorNoSharedWorksite  = "no_shared_worksite"     // not both active members of the worksite, or it is not approved
	SponsorshipNotActive     = "sponsorship_not_active" // the sponsorship is pending, declined, revoked or ended
	SponsorResidencyOutside  = "residency_not_current"  // today is outside the residency's dates
)

// SponsorStanding is everything that decides whether an authorizer carries
// an on-behalf-of user's CareConnect access: who the authorizer is, where
// their own access stands, whether the two share an approved worksite, and
// the sponsorship between them.
type SponsorStanding struct {
	Authorizer *Account
	// Access is the status of the authorizer's own CareConnect access: the
	// status of their newest approved or suspended request, else of their
	// newest request (an AR* status), "" when they never asked.
	Access string
	// SharesWorksite: the two are both active members of the worksite (the
	// sponsorship's, or the one they would be asked at) and it is approved.
	SharesWorksite bool
	// Resident: the on-behalf-of user is a medical resident. A residency
	// sponsorship implies it.
	Resident bool
	// Sponsorship is nil when judging whether the authorizer may be asked.
	Sponsorship *Sponsorship
	Today       string // YYYY-MM-DD in British Columbia
}

// SponsorEligible is the rule for the authorizer's side: an on-behalf-of
// user may ask, and be sponsored by, only an authorizer whose HxBC account
// is active, whose own CareConnect access is approved and active (not
// pending, suspended or removed), and who shares an approved worksite with
// them; a medical resident only an enrolled physician (a physician who is
// not a resident). reason is one of the Sponsor* codes when not eligible.
func SponsorEligible(s SponsorStanding) (ok bool, reason string) {
	a := s.Authorizer
	resident := s.Resident || (s.Sponsorship != nil && s.Sponsorship.IsResidency())
	switch {
	case a == nil:
		return false, SponsorNotAuthorizer
	case resident && (a.Profession != ProfPhysician || a.IsResident):
		return false, SponsorNotPhysician
	case !a.UserType().CanAuthorize():
		return false, SponsorNotAuthorizer
	case a.Status != AccountActive:
		return false, SponsorAccountInactive
	case s.Access != ARApproved:
		return false, SponsorAccessNotApproved
	case !s.SharesWorksite:
		return false, SponsorNoSharedWorksite
	}
	return true, ""
}

// SponsorQualifies is the one rule of on-behalf-of access: an on-behalf-of
// user is provisioned only while at least one sponsor qualifies, that is
// the sponsorship is active (for a residency, today falls within its
// dates) and the authorizer is eligible (SponsorEligible). reason is one
// of the Sponsor* codes when the sponsor does not qualify.
func SponsorQualifies(s SponsorStanding) (ok bool, reason string) {
	sp := s.Sponsorship
	switch {
	case sp == nil || sp.Status != SponsorActive:
		return false, SponsorshipNotActive
	case sp.IsResidency() && (s.Today < sp.ResidencyStart || s.Today > sp.ResidencyEnd):
		return false, SponsorResidencyOutside
	}
	return SponsorEligible(s)
}

// AnySponsorQualifies reports whether at least one of the standings
// qualifies (SponsorQualifies).
func AnySponsorQualifies(ss []SponsorStanding) bool {
	for _, s := range ss {
		if ok, _ := SponsorQualifies(s); ok {
			return true
		}
	}
	return false
}

// SponsorReasonText says a Sponsor* code in words, as a clause that follows
// "because" or a colon.
func SponsorReasonText(reason string) string {
	switch reason {
	case SponsorNotAuthorizer:
		return "they are not an authorizer (a physician, nurse practitioner or registered nurse)"
	case SponsorNotPhysician:
		return "a medical resident's authorizer must be an enrolled physician (a physician, not a resident, with CareConnect access)"
	case SponsorAccountInactive:
		return "their HxBC account is not active"
	case SponsorAccessNotApproved:
		return "their own CareConnect access is not approved and active"
	case SponsorNoSharedWorksite:
		return "they no longer share an approved worksite with the person they sponsor"
	case SponsorshipNotActive:
		return "the sponsorship is not active"
	case SponsorResidencyOutside:
		return "today is outside the dates of the residency"
	case "":
		return ""
	}
	return reason
}

// SponsorCandidate is a person who shares an approved worksite with an
// on-behalf-of user, with that worksite. Someone sharing two worksites
// appears twice.
type SponsorCandidate struct {
	Account      *Account
	WorksiteID   WorksiteID
	WorksiteName string
}
