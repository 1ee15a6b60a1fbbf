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
	SponsorPending  = "pending"  // waiting for the authorizer
	SponsorActive   = "active"   // the person works on the authorizer's behalf
	SponsorDeclined = "declined" // the authorizer said no
	SponsorRevoked  = "revoked"  // the authorizer ended it
	SponsorEnded    = "ended"    // the residency ended
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
