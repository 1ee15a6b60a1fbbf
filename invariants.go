package portal

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// The access policy as invariants: what must be true of the portal's data
// at every moment, whatever happened before. Each invariant is stated once,
// here, in plain words and as a pure function over a PolicySnapshot. The
// `portal check` command and a metric check them against the database; a
// randomized test (internal/app, TestPolicyWalk) checks them after every
// step of thousands of use cases.
//
// "Provisioned" means what downstream systems act on: a person whose access
// holder (see AccessHolder) is approved. Suspended access is listed by the
// provisioning API but cannot be used, so the rules below apply to approved
// access only.

// Invariant is one rule of the access policy.
type Invariant struct {
	Name        string // stable and short; the label of the portal_policy_violations metric
	Description string // the rule in plain words
	check       func(v *policyView) []Violation
}

// Violation is one place where the data breaks an invariant.
type Violation struct {
	Invariant string   // the invariant's Name
	IDs       []string // what is involved, e.g. "account 12", "worksite 3"
	Reason    string   // one line saying what is wrong
}

func (v Violation) String() string {
	return v.Invariant + ": " + strings.Join(v.IDs, ", ") + ": " + v.Reason
}

// Check runs the invariant over a snapshot.
func (inv Invariant) Check(s *PolicySnapshot) []Violation { return inv.check(newPolicyView(s)) }

// Invariant names.
const (
	InvProvisionedHasApprovedRequest = "provisioned-has-approved-request"
	InvOneAccessPerPerson            = "one-access-per-person"
	InvProvisionedEligible           = "provisioned-eligible"
	InvProvisionedPrerequisites      = "provisioned-prerequisites"
	InvProvisionedApprovedWorksite   = "provisioned-approved-worksite"
	InvProvisionedScopes             = "provisioned-scopes"
	InvOBOQualifyingSponsor          = "obo-qualifying-sponsor"
	InvNoMemberOfDeclinedWorksite    = "no-member-of-declined-worksite"
	InvWorksiteHasAdministrator      = "worksite-has-administrator"
	InvDeclinedWorksiteClosed        = "declined-worksite-closed"
	InvGrantsToConfirmedAddresses    = "grants-to-confirmed-addresses"
	InvAuditChainWhole               = "audit-chain-whole"
	InvProvisionedLicensed           = "provisioned-licensed"
	InvNoDormantProvisioned          = "no-dormant-provisioned"
	InvLeaveAccessBack               = "leave-access-back"
	InvHandoverBetweenMembers        = "handover-between-members"
)

// Invariants lists every invariant of the access policy, in the order they
// are checked and reported.
var Invariants = []Invariant{
	{InvProvisionedHasApprovedRequest,
		"Everyone the provisioning change feed last told downstream systems may use CareConnect " +
			"(user.provisioned or user.reinstated) holds an approved access request, and everyone whose " +
			"access is approved was last told so.",
		checkFeedMatchesAccess},
	{InvOneAccessPerPerson,
		"A person holds CareConnect access through one request at most: no two of their requests " +
			"are approved or suspended at once.",
		checkOneAccessPerPerson},
	{InvProvisionedEligible,
		"A provisioned person's user type may hold CareConnect access: authorizer, independent user " +
			"or on-behalf-of user, never a profession under manual review or not eligible.",
		checkProvisionedEligible},
	{InvProvisionedPrerequisites,
		"A provisioned person has completed every prerequisite their profession requires: the " +
			"Privacy & Security training, and the HPCAA where it applies (a new version is asked of new " +
			"requests, so any version counts).",
		checkProvisionedPrerequisites},
	{InvProvisionedApprovedWorksite,
		"A provisioned person is an active member of at least one approved worksite.",
		checkProvisionedApprovedWorksite},
	{InvProvisionedScopes,
		"A provisioned person's granted data scopes are within their profession's policy; an " +
			"on-behalf-of user's are within the scopes granted to their qualifying sponsors.",
		checkProvisionedScopes},
	{InvOBOQualifyingSponsor,
		"A provisioned on-behalf-of user has a qualifying sponsor: an active sponsorship (within " +
			"its dates, for a residency) by an authorizer whose own access is approved and who is an " +
			"active member of an approved worksite with them.",
		checkOBOQualifyingSponsor},
	{InvNoMemberOfDeclinedWorksite,
		"No one is an active member of a worksite the CareConnect team declined (a declined " +
			"worksite is the only closed one: worksites are never decommissioned as a whole).",
		checkNoMemberOfDeclinedWorksite},
	{InvWorksiteHasAdministrator,
		"Every worksite with active members has an administrator: an active site administrator, or " +
			"an administrator of its group.",
		checkWorksiteHasAdministrator},
	{InvDeclinedWorksiteClosed,
		"A declined worksite has no open invitation (pending and not expired) and no pending request to join.",
		checkDeclinedWorksiteClosed},
	{InvGrantsToConfirmedAddresses,
		"Every accepted invitation, signed worksite declaration and training credit recorded by " +
			"email address went to an address its person had confirmed, or was taken up through the " +
			"emailed link itself (grants from before the portal recorded how are not judged).",
		checkGrantsToConfirmedAddresses},
	{InvHandoverBetweenMembers,
		"A worksite has one open handover at most (pending and not expired), from an active site " +
			"administrator of it to another active member of it: when either stops being one, the handover is cancelled.",
		checkHandoverBetweenMembers},
	{InvAuditChainWhole,
		"The audit trail's hash chain is whole: no row edited, deleted or missing.",
		checkAuditChainWhole},
	{InvProvisionedLicensed,
		"A provisioned person's licence is not lapsed or suspended as the college's registry last " +
			"reported it: such access is suspended until the licence is restored.",
		checkProvisionedLicensed},
	{InvNoDormantProvisioned,
		"No provisioned person is dormant: their last activity (a portal sign-in, an annual review " +
			"confirmed, the approval) is less than the dormancy limit ago, leave days not counted, plus " +
			"the dormancy job's grace of a day.",
		checkNoDormantProvisioned},
	{InvLeaveAccessBack,
		"Access paused for a leave comes back on the return date: no leave that paused a person's access " +
			"is still waiting for it to come back more than a day after its return date.",
		checkLeaveAccessBack},
}

// LookupInvariant returns the invariant of a name.
func LookupInvariant(name string) (Invariant, bool) {
	for _, inv := range Invariants {
		if inv.Name == name {
			return inv, true
		}
	}
	return Invariant{}, false
}

// CheckPolicy runs every invariant over a snapshot and returns the
// violations, invariant by invariant in the order of Invariants.
func CheckPolicy(s *PolicySnapshot) []Violation {
	v := newPolicyView(s)
	var out []Violation
	for _, inv := range Invariants {
		out = append(out, inv.check(v)...)
	}
	return out
}

// CountViolations counts violations by invariant name; every invariant is
// present, with 0 when it holds.
func CountViolations(vs []Violation) map[string]int {
	out := make(map[string]int, len(Invariants))
	for _, inv := range Invariants {
		out[inv.Name] = 0
	}
	for _, v := range vs {
		out[v.Invariant]++
	}
	return out
}

// Provisioning change feed event types that change a person's access, as
// downstream systems read them (user.updated changes nothing of it).
const (
	FeedUserProvisioned   = "user.provisioned"   // access approved: the person appears in the provisioning API
	FeedUserSuspended     = "user.suspended"     // access paused
	FeedUserReinstated    = "user.reinstated"    // access resumed
	FeedUserDeprovisioned = "user.deprovisioned" // access removed
)

// FeedAllowsAccess reports whether the last access event of a person's
// feed tells downstream systems they may use CareConnect.
func FeedAllowsAccess(event string) bool {
	return event == FeedUserProvisioned || event == FeedUserReinstated
}

// PolicySnapshot is what the access policy is checked against: everything
// that decides who may use CareConnect, read at one moment. Slices are in
// id order; only the fields the invariants read need be filled.
type PolicySnapshot struct {
	Now   time.Time // when it was read
	Today string    // Now's date in British Columbia, YYYY-MM-DD

	// Accounts: ID, Username, Profession, NurseLicence, IsResident,
	// ResidentRoute, Email.
	Accounts []*Account
	// Requests: every access request's ID, AccountID, Status,
	// GrantedScopes and CreatedAt.
	Requests    []*AccessRequest
	Completions []PrerequisiteCompletion
	// Worksites: ID, Code, Status, GroupID.
	Worksites []*Worksite
	// Memberships: WorksiteID, AccountID, Role, Status; decommissioned
	// ones too.
	Memberships []*Membership
	GroupAdmins []GroupAdmin
	// Sponsorships: ID, OBOAccountID, AuthorizerAccountID, WorksiteID,
	// Status, ResidencyStart, ResidencyEnd.
	Sponsorships []*Sponsorship
	// Invitations: ID, WorksiteID, Email, Status, ExpiresAt.
	Invitations []*Invitation
	// JoinRequests: ID, WorksiteID, AccountID, Status.
	JoinRequests []*JoinRequest
	Feed         []FeedState
	Grants       []AddressGrant
	// Licences: what the licence registries last said, per person checked.
	Licences []LicenceStanding

	// DormancyLimit is the configured time without activity after which
	// access is dormant; zero leaves the dormancy invariant unchecked.
	DormancyLimit time.Duration
	// Activity: when each provisioned person's dormancy clock started, and
	// their leaves, in account order.
	Activity []Activity
	// LeavePauses: every leave that paused a person's access, in id order.
	LeavePauses []LeavePause
	// Handovers: ID, WorksiteID, FromAccountID, ToAccountID, Status,
	// ExpiresAt.
	Handovers []*Handover

	AuditRows   int64        // audit rows verified
	AuditBreaks []ChainBreak // where the audit chain fails to verify
}

// PrerequisiteCompletion is one recorded completion of a prerequisite.
type PrerequisiteCompletion struct {
	AccountID    AccountID
	Prerequisite Prerequisite
	Version      string
}

// GroupAdmin makes an account an administrator of every worksite of a group.
type GroupAdmin struct {
	GroupID   GroupID
	AccountID AccountID
}

// FeedState is the last event of the provisioning change feed that changed
// a person's access (FeedUserProvisioned, ...): what downstream systems
// believe. People never provisioned have none.
type FeedState struct {
	AccountID AccountID
	EventID   int64
	Event     string
}

// Kinds of AddressGrant.
const (
	GrantInvitation  = "invitation"  // an invitation accepted: a worksite membership
	GrantDeclaration = "declaration" // a Worksite Privacy & Security Declaration signed for the address it was sent to
	GrantTraining    = "training"    // training credit the CareConnect team recorded by email address
)

// How a grant through an email address was made, as the portal records it
// with the grant (AddressGrant.Via).
const (
	GrantViaLink             = "link"              // through the link emailed to the address
	GrantViaConfirmedAddress = "confirmed_address" // to the person whose own address it was, confirmed
	// GrantViaUnrecorded marks grants made before the portal recorded how:
	// the invariant does not judge them.
	GrantViaUnrecorded = "unrecorded"
)

// AddressGrant is something the portal granted a person on the strength of
// an email address.
type AddressGrant struct {
	Kind      string // GrantInvitation, GrantDeclaration or GrantTraining
	ID        int64  // the invitation, worksite or completion
	AccountID AccountID
	Address   string
	// Via is how it was granted, as recorded with the grant: GrantViaLink,
	// GrantViaConfirmedAddress, GrantViaUnrecorded, or "" when the portal
	// recorded neither.
	Via string
	// Confirmed says the person had confirmed the address, or used the link
	// emailed to it, when it granted this.
	Confirmed bool
}

// NewAddressGrant builds a grant from what the portal recorded with it.
func NewAddressGrant(kind string, id int64, account AccountID, address, via string) AddressGrant {
	return AddressGrant{Kind: kind, ID: id, AccountID: account, Address: address, Via: via,
		Confirmed: via == GrantViaLink || via == GrantViaConfirmedAddress}
}

// Unrecorded reports whether the grant predates the portal's record of how
// grants were made; the invariant skips it.
func (g AddressGrant) Unrecorded() bool { return g.Via == GrantViaUnrecorded }

// AccessHolder returns the request that decides whether a person is
// provisioned, as the provisioning API reads it: the latest one ever
// approved (approved, suspended or deprovisioned). Requests still open or
// declined do not count. It returns nil when there is none.
func (s *PolicySnapshot) AccessHolder(id AccountID) *AccessRequest {
	var holder *AccessRequest
	for _, r := range s.Requests {
		if r.AccountID == id {
			holder = laterHolder(holder, r)
		}
	}
	return holder
}

// QualifyingSponsorships lists the sponsorships through which an
// on-behalf-of user may be provisioned on the snapshot's day (see
// InvOBOQualifyingSponsor).
func (s *PolicySnapshot) QualifyingSponsorships(obo AccountID) []*Sponsorship {
	return newPolicyView(s).qualifying(obo)
}

func holdsAccess(status string) bool {
	return status == ARApproved || status == ARSuspended || status == ARDeprovisioned
}

// laterHolder returns whichever of cur and r holds access, the later one
// when both may.
func laterHolder(cur, r *AccessRequest) *AccessRequest {
	if !holdsAccess(r.Status) {
		return cur
	}
	if cur == nil || r.CreatedAt.After(cur.CreatedAt) || (r.CreatedAt.Equal(cur.CreatedAt) && r.ID > cur.ID) {
		return r
	}
	return cur
}

// policyView indexes a snapshot once for the checks.
type policyView struct {
	s           *PolicySnapshot
	accounts    map[AccountID]*Account
	holder      map[AccountID]*AccessRequest
	completed   map[AccountID]map[Prerequisite]bool
	worksites   map[WorksiteID]*Worksite
	active      map[AccountID][]*Membership // active memberships, by person
	members     map[WorksiteID][]*Membership
	groupAdmins map[GroupID][]AccountID
	sponsoring  map[AccountID][]*Sponsorship // by on-behalf-of user
	feed        map[AccountID]FeedState
}

func newPolicyView(s *PolicySnapshot) *policyView {
	v := &policyView{s: s, accounts: map[AccountID]*Account{}, holder: map[AccountID]*AccessRequest{},
		completed: map[AccountID]map[Prerequisite]bool{}, worksites: map[WorksiteID]*Worksite{},
		active: map[AccountID][]*Membership{}, members: map[WorksiteID][]*Membership{},
		groupAdmins: map[GroupID][]AccountID{}, sponsoring: map[AccountID][]*Sponsorship{}, feed: map[AccountID]FeedState{}}
	for _, a := range s.Accounts {
		v.accounts[a.ID] = a
	}
	for _, r := range s.Requests {
		if h := laterHolder(v.holder[r.AccountID], r); h != nil {
			v.holder[r.AccountID] = h
		}
	}
	for _, c := range s.Completions {
		if v.completed[c.AccountID] == nil {
			v.completed[c.AccountID] = map[Prerequisite]bool{}
		}
		v.completed[c.AccountID][c.Prerequisite] = true
	}
	for _, w := range s.Worksites {
		v.worksites[w.ID] = w
	}
	for _, m := range s.Memberships {
		if m.Status == MemberActive {
			v.active[m.AccountID] = append(v.active[m.AccountID], m)
			v.members[m.WorksiteID] = append(v.members[m.WorksiteID], m)
		}
	}
	for _, g := range s.GroupAdmins {
		v.groupAdmins[g.GroupID] = append(v.groupAdmins[g.GroupID], g.AccountID)
	}
	for _, sp := range s.Sponsorships {
		v.sponsoring[sp.OBOAccountID] = append(v.sponsoring[sp.OBOAccountID], sp)
	}
	for _, f := range s.Feed {
		v.feed[f.AccountID] = f
	}
	return v
}

// provisioned lists the people whose access is approved, in account order,
// with the request that holds it.
func (v *policyView) provisioned(fn func(a *Account, r *AccessRequest)) {
	for _, a := range v.s.Accounts {
		if r := v.holder[a.ID]; r != nil && r.Status == ARApproved {
			fn(a, r)
		}
	}
}

// approvedWorksites returns the approved worksites a person is an active
// member of, by id.
func (v *policyView) approvedWorksites(id AccountID) map[WorksiteID]bool {
	out := map[WorksiteID]bool{}
	for _, m := range v.active[id] {
		if w := v.worksites[m.WorksiteID]; w != nil && w.Status == WorksiteApproved {
			out[w.ID] = true
		}
	}
	return out
}

// sponsorshipGrants reports whether a sponsorship lets its on-behalf-of
// user work on a day: active and, for a residency, within its dates.
func sponsorshipGrants(sp *Sponsorship, today string) bool {
	return sp.Status == SponsorActive && (!sp.IsResidency() || (sp.ResidencyStart <= today && today <= sp.ResidencyEnd))
}

// qualifying lists an on-behalf-of user's qualifying sponsorships: granting
// today, by an authorizer who may authorize, whose access is approved and
// who shares an approved worksite with the user.
func (v *policyView) qualifying(obo AccountID) []*Sponsorship {
	var out []*Sponsorship
	mine := v.approvedWorksites(obo)
	for _, sp := range v.sponsoring[obo] {
		if !sponsorshipGrants(sp, v.s.Today) {
			continue
		}
		auth := v.accounts[sp.AuthorizerAccountID]
		if auth == nil || !auth.UserType().CanAuthorize() {
			continue
		}
		if h := v.holder[auth.ID]; h == nil || h.Status != ARApproved {
			continue
		}
		shared := false
		for ws := range v.approvedWorksites(auth.ID) {
			shared = shared || mine[ws]
		}
		if shared {
			out = append(out, sp)
		}
	}
	return out
}

func accountRefs(ids ...AccountID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = fmt.Sprintf("account %d", id)
	}
	return out
}

func requestRef(id AccessRequestID) string { return fmt.Sprintf("access request %d", id) }
func worksiteRef(id WorksiteID) string     { return fmt.Sprintf("worksite %d", id) }

func scopeList(s []DataScope) string {
	if len(s) == 0 {
		return "none"
	}
	parts := make([]string, len(s))
	for i, x := range s {
		parts[i] = string(x)
	}
	return strings.Join(parts, ", ")
}

func checkFeedMatchesAccess(v *policyView) []Violation {
	var out []Violation
	for _, a := range v.s.Accounts {
		r, f := v.holder[a.ID], v.feed[a.ID]
		approved, told := r != nil && r.Status == ARApproved, FeedAllowsAccess(f.Event)
		switch {
		case told && !approved:
			status := "no access request ever approved"
			ids := accountRefs(a.ID)
			if r != nil {
				status = "access request " + fmt.Sprint(r.ID) + " is " + r.Status
				ids = append(ids, requestRef(r.ID))
			}
			out = append(out, Violation{InvProvisionedHasApprovedRequest, ids,
				fmt.Sprintf("the change feed last told downstream systems %s (event %d) but %s",
					f.Event, f.EventID, status)})
		case approved && !told:
			last := "no access event"
			if f.Event != "" {
				last = fmt.Sprintf("%s (event %d)", f.Event, f.EventID)
			}
			out = append(out, Violation{InvProvisionedHasApprovedRequest, append(accountRefs(a.ID), requestRef(r.ID)),
				"access request " + fmt.Sprint(
					r.ID,
				) + " is approved but the change feed's last word to downstream systems is " + last})
		}
	}
	return out
}

func checkOneAccessPerPerson(v *policyView) []Violation {
	holding := map[AccountID][]AccessRequestID{}
	for _, r := range v.s.Requests {
		if r.Status == ARApproved || r.Status == ARSuspended {
			holding[r.AccountID] = append(holding[r.AccountID], r.ID)
		}
	}
	var out []Violation
	for _, a := range v.s.Accounts {
		ids := holding[a.ID]
		if len(ids) < 2 {
			continue
		}
		refs := accountRefs(a.ID)
		for _, id := range ids {
			refs = append(refs, requestRef(id))
		}
		out = append(out, Violation{InvOneAccessPerPerson, refs,
			fmt.Sprintf("%d access requests are approved or suspended at once", len(ids))})
	}
	return out
}

func checkProvisionedEligible(v *policyView) []Violation {
	var out []Violation
	v.provisioned(func(a *Account, r *AccessRequest) {
		if ut := a.UserType(); !ut.CanRequestAccess() {
			out = append(out, Violation{InvProvisionedEligible, append(accountRefs(a.ID), requestRef(r.ID)),
				fmt.Sprintf("provisioned although %s is of user type %s", a.ProfessionLabel(), ut)})
		}
	})
	return out
}

func checkProvisionedPrerequisites(v *policyView) []Violation {
	var out []Violation
	v.provisioned(func(a *Account, r *AccessRequest) {
		var missing []string
		for _, p := range a.Prerequisites() {
			if !v.completed[a.ID][p] {
				missing = append(missing, string(p))
			}
		}
		if len(missing) > 0 {
			out = append(out, Violation{InvProvisionedPrerequisites, append(accountRefs(a.ID), requestRef(r.ID)),
				"provisioned without completing " + strings.Join(missing, " and ")})
		}
	})
	return out
}

func checkProvisionedApprovedWorksite(v *policyView) []Violation {
	var out []Violation
	v.provisioned(func(a *Account, r *AccessRequest) {
		if len(v.approvedWorksites(a.ID)) == 0 {
			out = append(out, Violation{InvProvisionedApprovedWorksite, append(accountRefs(a.ID), requestRef(r.ID)),
				fmt.Sprintf(
					"provisioned but an active member of no approved worksite (%d active memberships)",
					len(v.active[a.ID]),
				)})
		}
	})
	return out
}

func checkProvisionedScopes(v *policyView) []Violation {
	var out []Violation
	v.provisioned(func(a *Account, r *AccessRequest) {
		ids := append(accountRefs(a.ID), requestRef(r.ID))
		if !a.UserType().NeedsAuthorizer() {
			allowed := ScopesFor(a.Profession, a.NurseLicence)
			if extra := scopesBeyond(r.GrantedScopes, allowed); len(extra) > 0 {
				out = append(out,
					Violation{InvProvisionedScopes, ids, fmt.Sprintf("granted %s beyond what %s may see (%s)",
						scopeList(extra), a.ProfessionLabel(), scopeList(allowed))})
			}
			return
		}
		sponsors := v.qualifying(a.ID)
		if len(sponsors) == 0 {
			return // InvOBOQualifyingSponsor says so
		}
		var union []DataScope
		for _, sp := range sponsors {
			ids = append(ids, fmt.Sprintf("sponsorship %d", sp.ID))
			union = append(union, v.holder[sp.AuthorizerAccountID].GrantedScopes...)
		}
		if extra := scopesBeyond(r.GrantedScopes, union); len(extra) > 0 {
			out = append(out,
				Violation{InvProvisionedScopes, ids,
					fmt.Sprintf("granted %s beyond what the qualifying sponsors were granted",
						scopeList(extra))})
		}
	})
	return out
}

// scopesBeyond returns the scopes of granted not in allowed.
func scopesBeyond(granted, allowed []DataScope) []DataScope {
	var out []DataScope
	for _, s := range granted {
		if !slices.Contains(allowed, s) {
			out = append(out, s)
		}
	}
	return out
}

func checkOBOQualifyingSponsor(v *policyView) []Violation {
	var out []Violation
	v.provisioned(func(a *Account, r *AccessRequest) {
		if !a.UserType().NeedsAuthorizer() || len(v.qualifying(a.ID)) > 0 {
			return
		}
		ids := append(accountRefs(a.ID), requestRef(r.ID))
		var why []string
		for _, sp := range v.sponsoring[a.ID] {
			if sp.Status != SponsorActive {
				continue
			}
			ids = append(ids, fmt.Sprintf("sponsorship %d", sp.ID))
			why = append(why, fmt.Sprintf("sponsorship %d: %s", sp.ID, v.whyNotQualifying(sp)))
		}
		reason := "provisioned on behalf of an authorizer but has no active sponsorship"
		if len(why) > 0 {
			reason = "provisioned on behalf of an authorizer but no sponsor qualifies (" + strings.Join(why, "; ") + ")"
		}
		out = append(out, Violation{InvOBOQualifyingSponsor, ids, reason})
	})
	return out
}

// whyNotQualifying says why an active sponsorship does not qualify.
func (v *policyView) whyNotQualifying(sp *Sponsorship) string {
	auth := v.accounts[sp.AuthorizerAccountID]
	var why []string
	if !sponsorshipGrants(sp, v.s.Today) {
		why = append(why, fmt.Sprintf("the residency runs %s to %s", sp.ResidencyStart, sp.ResidencyEnd))
	}
	if auth != nil && !auth.UserType().CanAuthorize() {
		why = append(why, fmt.Sprintf("account %d may not authorize", auth.ID))
	}
	switch h := v.holder[sp.AuthorizerAccountID]; {
	case h == nil:
		why = append(why, fmt.Sprintf("authorizer account %d has no approved access", sp.AuthorizerAccountID))
	case h.Status != ARApproved:
		why = append(why, fmt.Sprintf("authorizer account %d's access is %s", sp.AuthorizerAccountID, h.Status))
	}
	mine, shared := v.approvedWorksites(sp.OBOAccountID), false
	for ws := range v.approvedWorksites(sp.AuthorizerAccountID) {
		shared = shared || mine[ws]
	}
	if !shared {
		why = append(why, "they share no approved worksite")
	}
	return strings.Join(why, ", ")
}

func checkNoMemberOfDeclinedWorksite(v *policyView) []Violation {
	var out []Violation
	for _, w := range v.s.Worksites {
		if w.Status != WorksiteDeclined {
			continue
		}
		for _, m := range v.members[w.ID] {
			out = append(out,
				Violation{InvNoMemberOfDeclinedWorksite, []string{worksiteRef(w.ID), accountRefs(m.AccountID)[0]},
					fmt.Sprintf(
						"an active %s of worksite %s, which the CareConnect team declined",
						m.RoleLabel(),
						w.Code,
					)})
		}
	}
	return out
}

func checkWorksiteHasAdministrator(v *policyView) []Violation {
	var out []Violation
	for _, w := range v.s.Worksites {
		members := v.members[w.ID]
		if len(members) == 0 || (w.GroupID != 0 && len(v.groupAdmins[w.GroupID]) > 0) {
			continue
		}
		if !slices.ContainsFunc(members, func(m *Membership) bool { return m.Role == RoleSiteAdmin }) {
			out = append(out, Violation{InvWorksiteHasAdministrator, []string{worksiteRef(w.ID)},
				fmt.Sprintf("worksite %s (%s) has %d active members and no administrator",
					w.Code, w.Status, len(members))})
		}
	}
	return out
}

func checkDeclinedWorksiteClosed(v *policyView) []Violation {
	var out []Violation
	for _, inv := range v.s.Invitations {
		if w := v.worksites[inv.WorksiteID]; w != nil && w.Status == WorksiteDeclined &&
			inv.EffectiveStatus(v.s.Now) == RequestPending {
			out = append(out,
				Violation{InvDeclinedWorksiteClosed, []string{worksiteRef(w.ID), fmt.Sprintf("invitation %d", inv.ID)},
					fmt.Sprintf("an invitation to declined worksite %s is still open until %s", w.Code,
						inv.ExpiresAt.Format(time.DateOnly))})
		}
	}
	for _, j := range v.s.JoinRequests {
		if w := v.worksites[j.WorksiteID]; w != nil && w.Status == WorksiteDeclined && j.Status == RequestPending {
			out = append(out,
				Violation{InvDeclinedWorksiteClosed, []string{worksiteRef(w.ID), fmt.Sprintf("join request %d", j.ID),
					accountRefs(j.AccountID)[0]}, fmt.Sprintf("a request to join declined worksite %s is still pending", w.Code)})
		}
	}
	return out
}

func checkGrantsToConfirmedAddresses(v *policyView) []Violation {
	var out []Violation
	for _, g := range v.s.Grants {
		if g.Confirmed || g.Unrecorded() {
			continue
		}
		out = append(out,
			Violation{InvGrantsToConfirmedAddresses,
				[]string{fmt.Sprintf("%s %d", g.Kind, g.ID), accountRefs(g.AccountID)[0]},
				fmt.Sprintf(
					"the %s was granted through %s, an address the person had not confirmed",
					g.Kind,
					g.Address,
				)})
	}
	return out
}

func checkAuditChainWhole(v *policyView) []Violation {
	breaks := slices.Clone(v.s.AuditBreaks)
	sort.SliceStable(breaks, func(i, j int) bool { return breaks[i].Seq < breaks[j].Seq })
	out := make([]Violation, 0, len(breaks))
	for _, b := range breaks {
		out = append(out, Violation{InvAuditChainWhole, []string{fmt.Sprintf("audit row %d", b.Seq)}, b.Reason})
	}
	return out
}

func checkProvisionedLicensed(v *policyView) []Violation {
	blocked := map[AccountID]LicenceStanding{}
	for _, l := range v.s.Licences {
		if LicenceBlocksAccess(l.Status) {
			blocked[l.AccountID] = l
		}
	}
	var out []Violation
	v.provisioned(func(a *Account, r *AccessRequest) {
		if l, ok := blocked[a.ID]; ok {
			out = append(out, Violation{InvProvisionedLicensed, append(accountRefs(a.ID), requestRef(r.ID)),
				fmt.Sprintf("provisioned although the %s registry last reported licence %s %s",
					CollegeName(l.College), l.Number, l.Status)})
		}
	})
	return out
}

func checkNoDormantProvisioned(v *policyView) []Violation {
	if v.s.DormancyLimit <= 0 {
		return nil
	}
	acts := map[AccountID]Activity{}
	for _, a := range v.s.Activity {
		acts[a.AccountID] = a
	}
	var out []Violation
	v.provisioned(func(a *Account, r *AccessRequest) {
		act, ok := acts[a.ID]
		if !ok || act.Since.IsZero() {
			return
		}
		at := DormantAt(act.Since, v.s.DormancyLimit, act.Paused)
		if !v.s.Now.Before(at.Add(DormancyJobGrace)) {
			out = append(out, Violation{InvNoDormantProvisioned, append(accountRefs(a.ID), requestRef(r.ID)),
				fmt.Sprintf("access is approved, but the last activity was on %s and it became dormant on %s",
					act.Since.UTC().Format(time.DateOnly), at.UTC().Format(time.DateOnly))})
		}
	})
	return out
}

// LeavePause is a leave during which the leave job paused the access.
type LeavePause struct {
	LeaveID   LeaveID
	AccountID AccountID
	End       string // the return date, YYYY-MM-DD
	Resumed   bool   // the job acted on the return date
}

func checkLeaveAccessBack(v *policyView) []Violation {
	var out []Violation
	for _, l := range v.s.LeavePauses {
		end, err := time.Parse(time.DateOnly, l.End)
		if l.Resumed || err != nil {
			continue
		}
		if late := end.Add(LeaveAccessGrace).Format(time.DateOnly); v.s.Today > late {
			out = append(out,
				Violation{InvLeaveAccessBack, append(accountRefs(l.AccountID), fmt.Sprintf("leave %d", l.LeaveID)),
					fmt.Sprintf("access paused for a leave that ended on %s is still paused on %s", l.End, v.s.Today)})
		}
	}
	return out
}

func checkHandoverBetweenMembers(v *policyView) []Violation {
	var out []Violation
	open := map[WorksiteID]int{}
	for _, h := range v.s.Handovers {
		if !h.Open(v.s.Now) {
			continue
		}
		ids := []string{worksiteRef(h.WorksiteID), fmt.Sprintf("handover %d", h.ID)}
		if open[h.WorksiteID]++; open[h.WorksiteID] == 2 {
			out = append(out,
				Violation{InvHandoverBetweenMembers, ids,
					fmt.Sprintf("worksite %d has more than one open handover", h.WorksiteID)})
		}
		var from, to *Membership
		for _, m := range v.members[h.WorksiteID] {
			switch m.AccountID {
			case h.FromAccountID:
				from = m
			case h.ToAccountID:
				to = m
			}
		}
		switch {
		case h.FromAccountID == h.ToAccountID:
			out = append(out, Violation{InvHandoverBetweenMembers, append(ids, accountRefs(h.FromAccountID)...),
				"an open handover from a person to themselves"})
		case from == nil || from.Role != RoleSiteAdmin:
			out = append(out, Violation{InvHandoverBetweenMembers, append(ids, accountRefs(h.FromAccountID)...),
				"an open handover from someone who is not an active site administrator of the worksite"})
		case to == nil:
			out = append(out, Violation{InvHandoverBetweenMembers, append(ids, accountRefs(h.ToAccountID)...),
				"an open handover to someone who is not an active member of the worksite"})
		}
	}
	return out
}
