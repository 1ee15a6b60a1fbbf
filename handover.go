package portal

import (
	"strings"
	"time"
)

// HandoverID identifies a handover of a worksite.
type HandoverID int64

// HandoverLifetime is how long the member asked to take a worksite over
// has to answer.
const HandoverLifetime = 14 * 24 * time.Hour

// InactiveAdminAfter is how long without a portal sign-in makes a site
// administrator inactive: the CareConnect team may then appoint another.
const InactiveAdminAfter = 90 * 24 * time.Hour

// Handover statuses; pending and expired as for invitations.
const (
	HandoverPending   = RequestPending
	HandoverAccepted  = "accepted"
	HandoverDeclined  = "declined"
	HandoverCancelled = "cancelled"
	HandoverExpired   = RequestExpired
)

// Handover is a site administrator's request that another member of the
// worksite take it over. Accepting it makes the member a site
// administrator and the old administrator a member, in one step, so the
// worksite is never without one; the old administrator may then leave.
type Handover struct {
	ID            HandoverID
	WorksiteID    WorksiteID
	FromAccountID AccountID // the site administrator handing over
	ToAccountID   AccountID // the member taking over
	Status        string
	CreatedAt     time.Time
	ExpiresAt     time.Time
	DecidedAt     time.Time
	// Joined for pages and emails.
	WorksiteName string
	WorksiteCode WorksiteCode
	FromName     string
	FromEmail    string
	ToName       string
	ToEmail      string
}

// Expired reports whether the handover can no longer be accepted.
func (h *Handover) Expired(now time.Time) bool { return !now.Before(h.ExpiresAt) }

// EffectiveStatus is the status with expiry applied.
func (h *Handover) EffectiveStatus(now time.Time) string {
	if h.Status == HandoverPending && h.Expired(now) {
		return HandoverExpired
	}
	return h.Status
}

// Open reports whether the handover still waits for its answer.
func (h *Handover) Open(now time.Time) bool { return h.EffectiveStatus(now) == HandoverPending }

// SignerChanges reports whether taking the worksite over means signing a
// new Worksite Privacy & Security Declaration: the declaration is signed,
// or to be signed, by the administrator who is leaving.
func (w *Worksite) SignerChanges(from *Account) bool {
	if w.SignerAccountID != 0 {
		return w.SignerAccountID == from.ID
	}
	return strings.TrimSpace(w.SignerEmail) != "" && EmailKey(w.SignerEmail) == EmailKey(from.Email)
}

// CheckHandover says whether a site administrator may hand a worksite to
// a person: an active member of it, not themselves, not already an
// administrator of it. to is nil when the person is not a member.
func CheckHandover(from AccountID, to *Membership, worksite string) error {
	switch {
	case to == nil || to.Status != MemberActive:
		return FieldErrors{"member": "Choose an active member of " + worksite + "."}
	case to.AccountID == from:
		return FieldErrors{"member": "Choose another member: you cannot hand the worksite over to yourself."}
	case to.Role == RoleSiteAdmin:
		return FieldErrors{
			"member": to.Name + " is already a site administrator of " + worksite + ". You can leave the worksite.",
		}
	}
	return nil
}

// InactiveSince reports whether a person last signed in (or, never having
// signed in, registered) before the inactivity limit ending at now.
func InactiveSince(lastSignIn, created, now time.Time) bool {
	last := lastSignIn
	if created.After(last) {
		last = created
	}
	return now.Sub(last) >= InactiveAdminAfter
}

// InactiveAdminWorksite is a worksite with active members whose every
// site administrator last signed in before a moment, and no group
// administrator: the CareConnect team may appoint another.
type InactiveAdminWorksite struct {
	Worksite   *Worksite
	Admins     []*Membership
	LastSignIn time.Time // the latest sign-in of any of its administrators; zero if none ever
	Members    int       // active members, administrators included
}
