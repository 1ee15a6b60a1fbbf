package portal

import (
	"crypto/rand"
	"math/big"
	"strings"
	"time"
	"unicode/utf8"
)

// WorksiteID is a worksite's internal number.
type WorksiteID int64

// GroupID is an organisation's internal number.
type GroupID int64

// WorksiteCode is the 7-character Worksite ID people type to join, such as
// K4T6CLP. It is drawn from an alphabet without look-alike characters.
type WorksiteCode string

// WorksiteCodeAlphabet leaves out characters easily mistaken for others:
// 0/O/Q/D-like pairs, 1/I, 2/Z, 5/S and 8/B.
const WorksiteCodeAlphabet = "ACEFGHJKLMNPRTUVWXY34679"

// WorksiteCodeLength is the length of a Worksite ID.
const WorksiteCodeLength = 7

// NewWorksiteCode draws a random Worksite ID.
func NewWorksiteCode() WorksiteCode {
	b := make([]byte, WorksiteCodeLength)
	max := big.NewInt(int64(len(WorksiteCodeAlphabet)))
	for i := range b {
		n, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic(err)
		}
		b[i] = WorksiteCodeAlphabet[n.Int64()]
	}
	return WorksiteCode(b)
}

// ParseWorksiteCode normalises what a person typed (spaces, dashes, case)
// and checks its shape.
func ParseWorksiteCode(s string) (WorksiteCode, error) {
	s = strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(s)))
	if s == "" {
		return "", Errorf(EINVALID, "Enter the worksite code you were provided.")
	}
	if utf8.RuneCountInString(s) != WorksiteCodeLength || strings.Trim(s, WorksiteCodeAlphabet) != "" {
		return "", Errorf(EINVALID,
			"A Worksite ID has 7 letters and digits, like K4T6CLP. Check the code and try again.")
	}
	return WorksiteCode(s), nil
}

// WorksiteType is the kind of place a worksite is.
type WorksiteType string

// The worksite types.
const (
	WorksitePrivatePractice WorksiteType = "private_practice"
	WorksiteCommunityOrg    WorksiteType = "community_organization"
	WorksitePharmacy        WorksiteType = "pharmacy"
	WorksiteMobileOutreach  WorksiteType = "mobile_outreach"
	WorksiteHomeOffice      WorksiteType = "home_office"
)

// WorksiteTypes lists the types in the form's order.
var WorksiteTypes = []struct {
	Code  WorksiteType
	Label string
}{
	{WorksitePrivatePractice, "Private practice clinic"},
	{WorksiteCommunityOrg, "Community organization"},
	{WorksitePharmacy, "Pharmacy"},
	{WorksiteMobileOutreach, "Mobile or outreach care"},
	{WorksiteHomeOffice, "Home office"},
}

// WorksiteTypeLabel returns a type's label, or "".
func WorksiteTypeLabel(t WorksiteType) string {
	for _, x := range WorksiteTypes {
		if x.Code == t {
			return x.Label
		}
	}
	return ""
}

// Worksite statuses.
const (
	WorksitePending  = "pending"  // awaiting the declaration and the CareConnect team's approval
	WorksiteApproved = "approved" // access requests may go ahead
	WorksiteDeclined = "declined" // the CareConnect team declined its creation
)

// Worksite is a clinical place of work.
type Worksite struct {
	ID              WorksiteID
	Code            WorksiteCode
	Name            string
	Type            WorksiteType
	Phone           string // E.164
	Address         Address
	AddressID       AddressID // 0 when typed by hand
	AddressVerified bool      // false for a hand-typed address until the team verifies it
	HealthAuthority HealthAuthority
	GroupID         GroupID
	GroupName       string
	Status          string
	// The person with signing authority, who completes the declaration.
	SignerName         string
	SignerEmail        string
	SignerAccountID    AccountID // set when the declaration is signed
	DeclarationVersion string
	DeclarationSigned  time.Time
	DeclinedReason     string
	RegisteredBy       AccountID
	CreatedAt          time.Time
	ApprovedAt         time.Time
}

// TypeLabel is the worksite type as the form shows it.
func (w *Worksite) TypeLabel() string { return WorksiteTypeLabel(w.Type) }

// DeclarationDone reports whether the Privacy & Security Declaration is signed.
func (w *Worksite) DeclarationDone() bool { return !w.DeclarationSigned.IsZero() }

// Closed reports whether the worksite was declined by the CareConnect team.
// A closed worksite invites no one and takes no one in, so the portal sends
// no email in its name.
func (w *Worksite) Closed() bool { return w.Status == WorksiteDeclined }

// ClosedError is the refusal of an action that would send email in the name
// of a closed worksite.
func (w *Worksite) ClosedError() error {
	return Errorf(EINVALID,
		"%s was declined by the CareConnect team, so it cannot invite anyone or take in new members.", w.Name)
}

// StatusText explains a worksite's state to everyone involved.
func (w *Worksite) StatusText() string {
	switch w.Status {
	case WorksiteApproved:
		return "Approved"
	case WorksiteDeclined:
		return "Declined by the CareConnect team"
	}
	var waiting []string
	if !w.DeclarationDone() {
		waiting = append(waiting, "the Worksite Privacy & Security Declaration")
	}
	waiting = append(waiting, "approval by the CareConnect team")
	return "Pending: waiting for " + strings.Join(waiting, " and ")
}

// StatusWord names the worksite's status in one word, for its badge.
func (w *Worksite) StatusWord() string { return StatusWord(w.Status) }

// StatusDetail is what follows the badge: who declined it, or what it
// still waits for; nothing once approved.
func (w *Worksite) StatusDetail() string {
	switch w.Status {
	case WorksiteApproved:
		return ""
	case WorksiteDeclined:
		return "by the CareConnect team."
	}
	t := w.StatusText()
	return "Waiting for " + strings.TrimPrefix(t, "Pending: waiting for ") + "."
}

// StatusWord names a request's, a membership's or a worksite's status
// code (pending, approved, rejected...) as people read it.
func StatusWord(code string) string {
	switch code {
	case RequestPending:
		return "Pending"
	case RequestApproved:
		return "Approved"
	case RequestRejected:
		return "Rejected"
	case RequestRevoked:
		return "Ended"
	case RequestExpired:
		return "Expired"
	case WorksiteDeclined:
		return "Declined"
	case "active":
		return "Active"
	case "ended":
		return "Ended"
	}
	if code == "" {
		return ""
	}
	return strings.ToUpper(code[:1]) + strings.ReplaceAll(code[1:], "_", " ")
}

// Membership roles.
const (
	RoleMember    = "member"
	RoleSiteAdmin = "site_admin"
)

// Membership statuses.
const (
	MemberActive         = "active"
	MemberDecommissioned = "decommissioned"
)

// Membership is a person's place at a worksite.
type Membership struct {
	WorksiteID       WorksiteID
	AccountID        AccountID
	Role             string
	Status           string
	JoinedAt         time.Time
	EndDate          string // YYYY-MM-DD: decommissioned at the end of this day
	DecommissionedAt time.Time
	// Locum marks a locum's membership: EndDate is the term's last day.
	Locum bool
	// LocumNoticeAt is when the locum and the administrators were reminded
	// that the term ends; zero until then.
	LocumNoticeAt time.Time
	// Joined from the account and worksite for lists.
	Name           string
	Email          string
	Profession     string
	WorksiteName   string
	WorksiteCode   WorksiteCode
	WorksiteStatus string
}

// IsAdmin reports whether the member administers the worksite.
func (m *Membership) IsAdmin() bool { return m.Role == RoleSiteAdmin && m.Status == MemberActive }

// RoleLabel names the role.
func (m *Membership) RoleLabel() string {
	if m.Role == RoleSiteAdmin {
		return "Site Administrator"
	}
	return "Member"
}

// CheckAdminsLeft enforces that a worksite always keeps a site
// administrator: taking name's role away must leave one of activeAdmins.
func CheckAdminsLeft(activeAdmins int, name, worksite string) error {
	if activeAdmins <= 1 {
		return Errorf(EINVALID,
			"%s is the only site administrator of %s. Make someone else a site administrator first.", name, worksite)
	}
	return nil
}

// Request statuses shared by join requests and invitations.
const (
	RequestPending  = "pending"
	RequestApproved = "approved"
	RequestRejected = "rejected"
	RequestRevoked  = "revoked"
	RequestExpired  = "expired"
)

// JoinRequestID identifies a request to join a worksite.
type JoinRequestID int64

// JoinRequest is a person's request to join a worksite.
type JoinRequest struct {
	ID                  JoinRequestID
	WorksiteID          WorksiteID
	AccountID           AccountID
	Via                 string // "code" or "address"
	Comment             string
	Status              string
	DecidedBy           AccountID
	DecidedAt           time.Time
	Reason              string
	CreatedAt           time.Time
	RequesterName       string
	RequesterEmail      string
	RequesterProfession string
	WorksiteName        string
	WorksiteCode        WorksiteCode
	DeciderName         string
}

// InvitationID identifies an invitation.
type InvitationID int64

// InvitationLifetime is how long an invitation can be accepted.
const InvitationLifetime = 30 * 24 * time.Hour

// Invitation invites an email address to join a worksite.
type Invitation struct {
	ID           InvitationID
	WorksiteID   WorksiteID
	Email        string
	InvitedBy    AccountID
	Status       string
	CreatedAt    time.Time
	ExpiresAt    time.Time
	DecidedAt    time.Time
	SentCount    int
	WorksiteName string
	WorksiteCode WorksiteCode
	InviterName  string
}

// Expired reports whether the invitation can no longer be accepted.
func (i *Invitation) Expired(now time.Time) bool { return !now.Before(i.ExpiresAt) }

// EffectiveStatus is the status with expiry applied.
func (i *Invitation) EffectiveStatus(now time.Time) string {
	if i.Status == RequestPending && i.Expired(now) {
		return RequestExpired
	}
	return i.Status
}

// WorksiteInput is the worksite registration form.
type WorksiteInput struct {
	Name         string
	Type         string
	Phone        string
	AddressID    string // chosen from the address search, or "" when typed
	Manual       Address
	HasAuthority string // "yes": the registrant signs the declaration
	SignerName   string
	SignerEmail  string
	GroupChoice  string // "", "new" or a group id the registrant administers
	GroupName    string
}

// Normalize trims the form.
func (in *WorksiteInput) Normalize() {
	for _, s := range []*string{&in.Name, &in.Type, &in.Phone, &in.AddressID, &in.HasAuthority, &in.SignerName,
		&in.SignerEmail, &in.GroupChoice, &in.GroupName, &in.Manual.Unit, &in.Manual.CivicNumber, &in.Manual.StreetName,
		&in.Manual.StreetType, &in.Manual.Direction, &in.Manual.City, &in.Manual.Province, &in.Manual.PostalCode} {
		*s = strings.TrimSpace(*s)
	}
	// Names are one line: what was typed on several keeps its words.
	for _, s := range []*string{&in.Name, &in.SignerName, &in.GroupName} {
		*s = strings.Join(strings.Fields(*s), " ")
	}
	in.Manual.Normalize()
}

// Validate checks the form except the address lookup.
func (in *WorksiteInput) Validate() FieldErrors {
	fe := FieldErrors{}
	fe.CheckText("name", in.Name, false)
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		fe.Add("name", "Enter the worksite's name.")
	case n < 2 || n > 100:
		fe.Add("name", "The worksite name must be 2 to 100 characters.")
	}
	if WorksiteTypeLabel(WorksiteType(in.Type)) == "" {
		fe.Add("type", "Select the type of worksite.")
	}
	validatePhone(fe, "phone", "phone number", in.Phone, true)
	if in.AddressID == "" {
		for k, v := range in.Manual.Validate() {
			fe.Add(k, v)
		}
	}
	switch in.HasAuthority {
	case "yes":
	case "no":
		if in.SignerName == "" {
			fe.Add("signer_name", "Enter the name of the person with signing authority.")
		} else if fe.CheckText("signer_name", in.SignerName, false) && utf8.RuneCountInString(in.SignerName) > 200 {
			fe.Add("signer_name", "The name must be 200 characters or fewer.")
		}
		validateEmail(fe, "signer_email", in.SignerEmail)
	default:
		fe.Add("has_authority", "Answer whether you have signing authority for this worksite.")
	}
	if in.GroupChoice == "new" && fe.CheckText("group_name", in.GroupName, false) {
		if n := utf8.RuneCountInString(in.GroupName); n < 2 || n > 100 {
			fe.Add("group_name", "Enter the organization's name (2 to 100 characters).")
		}
	}
	return fe
}

// JoinComment limits the comment sent to site administrators.
const JoinCommentMax = 1000

// ValidateReason checks a decision's reason: required when rejecting.
func ValidateReason(reason string, required bool) error {
	n := utf8.RuneCountInString(strings.TrimSpace(reason))
	switch {
	case !ValidText(reason, true):
		return FieldErrors{"reason": InvalidTextMessage}
	case required && n == 0:
		return FieldErrors{"reason": "Give a reason, so the person knows what to do next."}
	case n > 1000:
		return FieldErrors{"reason": "The reason must be 1,000 characters or fewer."}
	}
	return nil
}

// Group is an organisation a person administers.
type Group struct {
	ID   GroupID
	Name string
}
