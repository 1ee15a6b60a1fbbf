package portal

import "time"

// ProvisionedUser is a person as the provisioning API shows them: their
// account, the access request that provisioned them, and what that access
// covers today.
type ProvisionedUser struct {
	Account      *Account
	Request      *AccessRequest // approved or suspended
	Worksites    []ProvisionedWorksite
	Sponsors     []ProvisionedSponsor
	RemoteAccess bool
	Created      time.Time // when first provisioned
	LastModified time.Time // when last changed as far as provisioning is concerned
}

// Active reports whether the person may use CareConnect now (approved,
// not suspended).
func (u *ProvisionedUser) Active() bool { return u.Request.Status == ARApproved }

// ProvisionedWorksite is a worksite where a person's access is provisioned.
type ProvisionedWorksite struct {
	ID              WorksiteID
	Code            WorksiteCode
	Name            string
	Type            WorksiteType
	HealthAuthority HealthAuthority
}

// ProvisionedSponsor is an authorizer an on-behalf-of user works for.
type ProvisionedSponsor struct {
	SponsorshipID  SponsorshipID
	AuthorizerID   AccountID
	Username       string
	Name           string
	WorksiteCode   WorksiteCode
	WorksiteName   string
	ResidencyStart string // YYYY-MM-DD, residents only
	ResidencyEnd   string // YYYY-MM-DD, residents only
}

// Downstream is the push state of one downstream SCIM service.
type Downstream struct {
	Name              string
	Cursor            int64 // the last change-feed event pushed
	LeaseOwner        string
	LeaseUntil        time.Time
	Failures          int
	NextAttemptAt     time.Time
	LastError         string
	LastErrorAt       time.Time
	LastSuccessAt     time.Time
	PushedTotal       int64
	ResendRequestedAt time.Time
	ResendRequestedBy string
	ResentAt          time.Time
	ResendSummary     string
}

// ProvisioningEvent is one entry of the change feed.
type ProvisioningEvent struct {
	ID        int64
	AccountID AccountID
	Type      string
	At        time.Time
	Data      string
}
