package portal

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// policyWorld is a small, lawful world: a physician (account 1) and a
// medical office assistant (account 2) sponsored by her, both provisioned
// at an approved worksite (1) the physician administers; a pharmacist
// (account 3) with a pending request to join it; a pending worksite (2)
// registered by the pharmacist.
func policyWorld() *PolicySnapshot {
	now := time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC)
	all := ScopesFor(ProfPhysician, "")
	return &PolicySnapshot{
		Now: now, Today: "2026-11-26",
		Accounts: []*Account{
			{ID: 1, Username: "dana.doctor", Profession: ProfPhysician, Email: "dana@example.ca"},
			{ID: 2, Username: "moe.moa", Profession: ProfMOA, Email: "moe@example.ca"},
			{ID: 3, Username: "pia.pharm", Profession: ProfPharmacist, Email: "pia@example.ca"},
		},
		Requests: []*AccessRequest{
			{ID: 1, AccountID: 1, Status: ARApproved, GrantedScopes: all, CreatedAt: now.AddDate(0, -2, 0)},
			{ID: 2, AccountID: 2, Status: ARApproved, GrantedScopes: []DataScope{ScopeDemographics, ScopeEncounters},
				CreatedAt: now.AddDate(0, -1, 0)},
		},
		Completions: []PrerequisiteCompletion{
			{1, PrereqTraining, TrainingVersion}, {1, PrereqHPCAA, HPCAAVersion}, {2, PrereqTraining, "2025.1"},
		},
		Worksites: []*Worksite{
			{ID: 1, Code: "K4T6CLP", Status: WorksiteApproved},
			{ID: 2, Code: "MNP3RTU", Status: WorksitePending},
		},
		Memberships: []*Membership{
			{WorksiteID: 1, AccountID: 1, Role: RoleSiteAdmin, Status: MemberActive},
			{WorksiteID: 1, AccountID: 2, Role: RoleMember, Status: MemberActive},
			{WorksiteID: 2, AccountID: 3, Role: RoleSiteAdmin, Status: MemberActive},
		},
		Sponsorships: []*Sponsorship{
			{ID: 1, OBOAccountID: 2, AuthorizerAccountID: 1, WorksiteID: 1, Status: SponsorActive},
		},
		Invitations: []*Invitation{
			{ID: 1, WorksiteID: 2, Email: "new@example.ca", Status: RequestPending, ExpiresAt: now.AddDate(0, 0, 10)},
		},
		JoinRequests: []*JoinRequest{{ID: 1, WorksiteID: 1, AccountID: 3, Status: RequestPending}},
		Feed: []FeedState{
			{AccountID: 1, EventID: 1, Event: FeedUserProvisioned},
			{AccountID: 2, EventID: 4, Event: FeedUserReinstated},
		},
		Grants: []AddressGrant{
			{Kind: GrantDeclaration, ID: 1, AccountID: 1, Address: "dana@example.ca", Confirmed: true},
		},
		DormancyLimit: DefaultDormancyLimit,
		Activity: []Activity{
			{AccountID: 1, Since: now.AddDate(0, 0, -10)},
			{AccountID: 2, Since: now.AddDate(0, 0, -100)},
		},
		AuditRows: 40,
	}
}

func TestCheckPolicy_LawfulWorld(t *testing.T) {
	if vs := CheckPolicy(policyWorld()); len(vs) != 0 {
		t.Fatalf("a lawful world breaks the policy: %v", vs)
	}
}

func TestInvariants_Listed(t *testing.T) {
	names := map[string]bool{}
	for _, inv := range Invariants {
		if inv.Name == "" || inv.Description == "" || inv.check == nil || names[inv.Name] {
			t.Errorf("invariant %q is incomplete or repeated", inv.Name)
		}
		names[inv.Name] = true
		if got, ok := LookupInvariant(inv.Name); !ok || got.Name != inv.Name {
			t.Errorf("LookupInvariant(%q) = %v, %v", inv.Name, got.Name, ok)
		}
	}
	if len(Invariants) != 16 {
		t.Errorf("%d invariants, want 16", len(Invariants))
	}
	counts := CountViolations([]Violation{{Invariant: InvAuditChainWhole}, {Invariant: InvAuditChainWhole}})
	if len(counts) != len(Invariants) || counts[InvAuditChainWhole] != 2 || counts[InvOneAccessPerPerson] != 0 {
		t.Errorf("counts %v", counts)
	}
}

func TestCheckPolicy_Violations(t *testing.T) {
	sp := func(s *PolicySnapshot) *Sponsorship { return s.Sponsorships[0] }
	// noQualifyingSponsor is the assistant's violation when their one
	// sponsorship stops qualifying, for why.
	noQualifyingSponsor := func(why string) Violation {
		return Violation{InvOBOQualifyingSponsor, []string{"account 2", "access request 2", "sponsorship 1"},
			"provisioned on behalf of an authorizer but no sponsor qualifies (sponsorship 1: " + why + ")"}
	}
	tests := []struct {
		name string
		edit func(s *PolicySnapshot)
		want []Violation
	}{
		{"FeedStillSaysProvisioned", func(s *PolicySnapshot) {
			s.Requests[0].Status = ARSuspended
		}, []Violation{
			{InvProvisionedHasApprovedRequest, []string{"account 1", "access request 1"},
				"the change feed last told downstream systems user.provisioned (event 1) but access request 1 is suspended"},
			// The physician no longer qualifies as the assistant's sponsor.
			noQualifyingSponsor("authorizer account 1's access is suspended"),
		}},
		{"FeedNeverTold", func(s *PolicySnapshot) {
			s.Feed = s.Feed[1:]
		}, []Violation{{InvProvisionedHasApprovedRequest, []string{"account 1", "access request 1"},
			"access request 1 is approved but the change feed's last word to downstream systems is no access event"}}},
		{"FeedToldSuspended", func(s *PolicySnapshot) {
			s.Feed[1] = FeedState{AccountID: 2, EventID: 9, Event: FeedUserSuspended}
		}, []Violation{{InvProvisionedHasApprovedRequest, []string{"account 2", "access request 2"},
			"access request 2 is approved but the change feed's last word to downstream systems is user.suspended (event 9)"}}},
		{"FeedProvisionsSomeoneWithoutAccess", func(s *PolicySnapshot) {
			s.Feed = append(s.Feed, FeedState{AccountID: 3, EventID: 12, Event: FeedUserProvisioned})
		}, []Violation{{InvProvisionedHasApprovedRequest, []string{"account 3"},
			"the change feed last told downstream systems user.provisioned (event 12) but no access request ever approved"}}},
		{"LaterDeprovisionedRequestHoldsAccess", func(s *PolicySnapshot) {
			// An older approved request no longer counts once a later one was deprovisioned.
			s.Requests = append(
				s.Requests,
				&AccessRequest{ID: 3, AccountID: 3, Status: ARApproved, CreatedAt: s.Now.AddDate(-2, 0, 0)},
				&AccessRequest{ID: 4, AccountID: 3, Status: ARDeprovisioned, CreatedAt: s.Now.AddDate(-1, 0, 0)},
			)
		}, nil},
		{"TwoRequestsHoldAccess", func(s *PolicySnapshot) {
			s.Requests = append(
				s.Requests,
				&AccessRequest{ID: 3, AccountID: 1, Status: ARSuspended, GrantedScopes: s.Requests[0].GrantedScopes,
					CreatedAt: s.Now.AddDate(-1, 0, 0)},
			)
		}, []Violation{{InvOneAccessPerPerson, []string{"account 1", "access request 1", "access request 3"},
			"2 access requests are approved or suspended at once"}}},
		{"NotEligible", func(s *PolicySnapshot) {
			s.Accounts[0].Profession = ProfChiropractor
			s.Requests[0].GrantedScopes = nil
		}, []Violation{
			{
				InvProvisionedEligible,
				[]string{"account 1", "access request 1"},
				"provisioned although Chiropractor is of user type not_eligible",
			},
			noQualifyingSponsor("account 1 may not authorize"),
		}},
		{"MissingAgreement", func(s *PolicySnapshot) {
			s.Completions = slices.DeleteFunc(
				s.Completions,
				func(c PrerequisiteCompletion) bool { return c.Prerequisite == PrereqHPCAA },
			)
		}, []Violation{{InvProvisionedPrerequisites, []string{"account 1", "access request 1"}, "provisioned without completing hpcaa"}}},
		{"MissingTraining", func(s *PolicySnapshot) {
			s.Completions = s.Completions[:2]
		}, []Violation{{InvProvisionedPrerequisites, []string{"account 2", "access request 2"},
			"provisioned without completing privacy_security_training"}}},
		{"SuspendedNeedsNothing", func(s *PolicySnapshot) {
			s.Requests[1].Status = ARSuspended
			s.Feed[1].Event = FeedUserSuspended
			s.Completions = s.Completions[:2]
			s.Memberships[1].Status = MemberDecommissioned
			s.Sponsorships[0].Status = SponsorRevoked
		}, nil},
		{"NoApprovedWorksite", func(s *PolicySnapshot) {
			s.Memberships[1].Status = MemberDecommissioned
			s.Memberships = append(
				s.Memberships,
				&Membership{WorksiteID: 2, AccountID: 2, Role: RoleMember, Status: MemberActive},
			)
		}, []Violation{
			{InvProvisionedApprovedWorksite, []string{"account 2", "access request 2"},
				"provisioned but an active member of no approved worksite (1 active memberships)"},
			noQualifyingSponsor("they share no approved worksite"),
		}},
		{"ScopesBeyondProfession", func(s *PolicySnapshot) {
			s.Accounts = append(s.Accounts, &Account{ID: 4, Profession: ProfPharmacist})
			s.Requests = append(s.Requests, &AccessRequest{ID: 3, AccountID: 4, Status: ARApproved,
				GrantedScopes: []DataScope{ScopeDemographics, ScopePharmaNet}})
			s.Completions = append(s.Completions, PrerequisiteCompletion{4, PrereqTraining, TrainingVersion},
				PrerequisiteCompletion{4, PrereqHPCAA, HPCAAVersion})
			s.Memberships = append(
				s.Memberships,
				&Membership{WorksiteID: 1, AccountID: 4, Role: RoleMember, Status: MemberActive},
			)
			s.Feed = append(s.Feed, FeedState{AccountID: 4, EventID: 5, Event: FeedUserProvisioned})
		}, []Violation{{InvProvisionedScopes, []string{"account 4", "access request 3"},
			"granted pharmanet_medications beyond what Pharmacist may see (demographics, encounters, laboratory_results, medical_imaging_reports, clinical_documents, immunizations)"}}},
		{"OBOScopesBeyondSponsor", func(s *PolicySnapshot) {
			// The officer narrowed the physician's access; the assistant sees more than she does.
			s.Requests[0].GrantedScopes = []DataScope{ScopeDemographics}
		}, []Violation{{InvProvisionedScopes, []string{"account 2", "access request 2", "sponsorship 1"},
			"granted encounters beyond what the qualifying sponsors were granted"}}},
		{"OBOScopesWithinTwoSponsors", func(s *PolicySnapshot) {
			s.Requests[0].GrantedScopes = []DataScope{ScopeDemographics}
			s.Accounts = append(s.Accounts, &Account{ID: 4, Profession: ProfNurse, NurseLicence: LicenceRN})
			s.Requests = append(
				s.Requests,
				&AccessRequest{ID: 3, AccountID: 4, Status: ARApproved, GrantedScopes: []DataScope{ScopeEncounters}},
			)
			s.Completions = append(s.Completions, PrerequisiteCompletion{4, PrereqTraining, TrainingVersion},
				PrerequisiteCompletion{4, PrereqHPCAA, HPCAAVersion})
			s.Memberships = append(
				s.Memberships,
				&Membership{WorksiteID: 1, AccountID: 4, Role: RoleMember, Status: MemberActive},
			)
			s.Feed = append(s.Feed, FeedState{AccountID: 4, EventID: 5, Event: FeedUserProvisioned})
			s.Sponsorships = append(
				s.Sponsorships,
				&Sponsorship{ID: 2, OBOAccountID: 2, AuthorizerAccountID: 4, WorksiteID: 1, Status: SponsorActive},
			)
		}, nil},
		{"SponsorRevoked", func(s *PolicySnapshot) {
			sp(s).Status = SponsorRevoked
		}, []Violation{{InvOBOQualifyingSponsor, []string{"account 2", "access request 2"},
			"provisioned on behalf of an authorizer but has no active sponsorship"}}},
		{"ResidencyOver", func(s *PolicySnapshot) {
			sp(s).ResidencyStart, sp(s).ResidencyEnd = "2025-07-01", "2026-11-25"
		}, []Violation{noQualifyingSponsor("the residency runs 2025-07-01 to 2026-11-25")}},
		{"ResidencyLastDay", func(s *PolicySnapshot) {
			sp(s).ResidencyStart, sp(s).ResidencyEnd = "2025-07-01", "2026-11-26"
		}, nil},
		{"SponsorNeverApproved", func(s *PolicySnapshot) {
			s.Requests = s.Requests[1:]
			s.Feed = s.Feed[1:]
		}, []Violation{noQualifyingSponsor("authorizer account 1 has no approved access")}},
		{"SponsorSharesOnlyAPendingWorksite", func(s *PolicySnapshot) {
			s.Memberships[0].Status = MemberDecommissioned
			s.Memberships = append(
				s.Memberships,
				&Membership{WorksiteID: 2, AccountID: 1, Role: RoleSiteAdmin, Status: MemberActive},
				&Membership{WorksiteID: 2, AccountID: 2, Role: RoleMember, Status: MemberActive},
			)
			s.Memberships[1].Role = RoleSiteAdmin
		}, []Violation{
			{InvProvisionedApprovedWorksite, []string{"account 1", "access request 1"},
				"provisioned but an active member of no approved worksite (1 active memberships)"},
			noQualifyingSponsor("they share no approved worksite"),
		}},
		{"MemberOfDeclinedWorksite", func(s *PolicySnapshot) {
			s.Worksites[1].Status = WorksiteDeclined
			s.Invitations[0].ExpiresAt = s.Now // expired: no longer open
		}, []Violation{{InvNoMemberOfDeclinedWorksite, []string{"worksite 2", "account 3"},
			"an active Site Administrator of worksite MNP3RTU, which the CareConnect team declined"}}},
		{"DeclinedWorksiteStillOpen", func(s *PolicySnapshot) {
			s.Worksites[1].Status = WorksiteDeclined
			s.Memberships[2].Status = MemberDecommissioned
			s.JoinRequests = append(
				s.JoinRequests,
				&JoinRequest{ID: 2, WorksiteID: 2, AccountID: 2, Status: RequestPending},
				&JoinRequest{ID: 3, WorksiteID: 2, AccountID: 1, Status: RequestRejected},
			)
		}, []Violation{
			{
				InvDeclinedWorksiteClosed,
				[]string{"worksite 2", "invitation 1"},
				"an invitation to declined worksite MNP3RTU is still open until 2026-12-06",
			},
			{
				InvDeclinedWorksiteClosed,
				[]string{"worksite 2", "join request 2", "account 2"},
				"a request to join declined worksite MNP3RTU is still pending",
			},
		}},
		{"NoAdministrator", func(s *PolicySnapshot) {
			s.Memberships[0].Role = RoleMember
		}, []Violation{{InvWorksiteHasAdministrator, []string{"worksite 1"}, "worksite K4T6CLP (approved) has 2 active members and no administrator"}}},
		{"DecommissionedAdminDoesNotCount", func(s *PolicySnapshot) {
			s.Memberships[2].Status = MemberDecommissioned
			s.Memberships = append(
				s.Memberships,
				&Membership{WorksiteID: 2, AccountID: 2, Role: RoleMember, Status: MemberActive},
			)
		}, []Violation{{InvWorksiteHasAdministrator, []string{"worksite 2"}, "worksite MNP3RTU (pending) has 1 active members and no administrator"}}},
		{"GroupAdministratorCounts", func(s *PolicySnapshot) {
			s.Memberships[0].Role = RoleMember
			s.Worksites[0].GroupID = 7
			s.GroupAdmins = []GroupAdmin{{GroupID: 7, AccountID: 3}}
		}, nil},
		{"UnconfirmedGrant", func(s *PolicySnapshot) {
			s.Grants = append(
				s.Grants,
				AddressGrant{Kind: GrantInvitation, ID: 5, AccountID: 2, Address: "moe@example.ca"},
			)
		}, []Violation{{InvGrantsToConfirmedAddresses, []string{"invitation 5", "account 2"},
			"the invitation was granted through moe@example.ca, an address the person had not confirmed"}}},
		{"GrantsAsRecorded", func(s *PolicySnapshot) {
			s.Grants = append(s.Grants,
				NewAddressGrant(GrantInvitation, 5, 2, "moe@example.ca", GrantViaLink),
				NewAddressGrant(GrantDeclaration, 6, 2, "moe@example.ca", GrantViaConfirmedAddress),
				NewAddressGrant(GrantTraining, 7, 2, "moe@example.ca", GrantViaUnrecorded),
				NewAddressGrant(GrantTraining, 8, 2, "moe@example.ca", ""))
		}, []Violation{{InvGrantsToConfirmedAddresses, []string{"training 8", "account 2"},
			"the training was granted through moe@example.ca, an address the person had not confirmed"}}},
		{"LicenceLapsed", func(s *PolicySnapshot) {
			s.Licences = []LicenceStanding{
				{AccountID: 1, College: CollegeCPSBC, Number: "12345", Status: LicenceLapsed},
			}
		}, []Violation{{InvProvisionedLicensed, []string{"account 1", "access request 1"},
			"provisioned although the College of Physicians and Surgeons of BC registry last reported licence 12345 lapsed"}}},
		{"LicenceSuspended", func(s *PolicySnapshot) {
			s.Licences = []LicenceStanding{
				{AccountID: 2, College: CollegeCPBC, Number: "P-1", Status: LicenceSuspended},
			}
		}, []Violation{{InvProvisionedLicensed, []string{"account 2", "access request 2"},
			"provisioned although the College of Pharmacists of BC registry last reported licence P-1 suspended"}}},
		{"LicenceSuspendedAccessSuspended", func(s *PolicySnapshot) {
			// Suspended access is what a lapsed licence must lead to.
			s.Requests = append(
				s.Requests,
				&AccessRequest{ID: 3, AccountID: 3, Status: ARSuspended, CreatedAt: s.Now.AddDate(0, -1, 0)},
			)
			s.Licences = []LicenceStanding{{AccountID: 3, College: CollegeCPBC, Number: "P-3", Status: LicenceLapsed}}
		}, nil},
		{"LicenceActiveOrNotFound", func(s *PolicySnapshot) {
			s.Licences = []LicenceStanding{
				{AccountID: 1, College: CollegeCPSBC, Number: "12345", Status: LicenceActive},
				{AccountID: 2, College: CollegeCPBC, Number: "P-1", Status: LicenceNotFound},
			}
		}, nil},
		{"HandoverOpenAndLawful", func(s *PolicySnapshot) {
			// From the administrator to a member; an expired one and a closed one are not judged.
			s.Handovers = []*Handover{
				openHandover(s, 1, 1, 1, 2),
				{ID: 2, WorksiteID: 1, FromAccountID: 2, ToAccountID: 3, Status: HandoverPending, ExpiresAt: s.Now},
				{ID: 3, WorksiteID: 2, FromAccountID: 2, ToAccountID: 2, Status: HandoverAccepted,
					ExpiresAt: s.Now.Add(time.Hour)},
			}
		}, nil},
		{"HandoverFromSomeoneNotAnAdministrator", func(s *PolicySnapshot) {
			s.Handovers = []*Handover{openHandover(s, 4, 1, 2, 1)}
		}, []Violation{{InvHandoverBetweenMembers, []string{"worksite 1", "handover 4", "account 2"},
			"an open handover from someone who is not an active site administrator of the worksite"}}},
		{"HandoverToSomeoneNotAMember", func(s *PolicySnapshot) {
			s.Handovers = []*Handover{openHandover(s, 5, 1, 1, 3)}
		}, []Violation{{InvHandoverBetweenMembers, []string{"worksite 1", "handover 5", "account 3"},
			"an open handover to someone who is not an active member of the worksite"}}},
		{"TwoOpenHandovers", func(s *PolicySnapshot) {
			s.Handovers = []*Handover{
				openHandover(s, 6, 1, 1, 2),
				openHandover(s, 7, 1, 1, 2),
			}
		}, []Violation{{InvHandoverBetweenMembers, []string{"worksite 1", "handover 7"}, "worksite 1 has more than one open handover"}}},
		{"AuditChainBroken", func(s *PolicySnapshot) {
			s.AuditBreaks = []ChainBreak{
				{Seq: 9, Reason: "content does not match its hash (edited)"},
				{Seq: 3, Reason: "rows 3 to 3 are missing"},
			}
		}, []Violation{
			{InvAuditChainWhole, []string{"audit row 3"}, "rows 3 to 3 are missing"},
			{InvAuditChainWhole, []string{"audit row 9"}, "content does not match its hash (edited)"},
		}},
		{"DormantPastLimitAndGrace", func(s *PolicySnapshot) {
			s.Activity[1].Since = s.Now.Add(-DefaultDormancyLimit - DormancyJobGrace - time.Minute)
		}, []Violation{{InvNoDormantProvisioned, []string{"account 2", "access request 2"},
			"access is approved, but the last activity was on 2026-05-29 and it became dormant on 2026-11-25"}}},
		{"DormantWithinTheJobsGrace", func(s *PolicySnapshot) {
			s.Activity[1].Since = s.Now.Add(-DefaultDormancyLimit - DormancyJobGrace + time.Minute)
		}, nil},
		{"LeaveDaysNotCounted", func(s *PolicySnapshot) {
			s.Activity[1].Since = s.Now.AddDate(0, 0, -200)
			s.Activity[1].Paused = []Period{{s.Now.AddDate(0, 0, -100), s.Now.AddDate(0, 0, -70)}}
		}, nil},
		{"LeaveTooShortToCover", func(s *PolicySnapshot) {
			s.Activity[1].Since = s.Now.AddDate(0, 0, -200)
			s.Activity[1].Paused = []Period{{s.Now.AddDate(0, 0, -100), s.Now.AddDate(0, 0, -90)}}
		}, []Violation{{InvNoDormantProvisioned, []string{"account 2", "access request 2"},
			"access is approved, but the last activity was on 2026-05-10 and it became dormant on 2026-11-16"}}},
		{"SuspendedAsDormantIsLawful", func(s *PolicySnapshot) {
			s.Activity[1].Since = s.Now.AddDate(-1, 0, 0)
			s.Requests[1].Status = ARSuspended
			s.Feed[1] = FeedState{AccountID: 2, EventID: 9, Event: FeedUserSuspended}
		}, nil},
		{"LeaveAccessBackOnTime", func(s *PolicySnapshot) {
			s.LeavePauses = []LeavePause{{LeaveID: 1, AccountID: 3, End: "2026-11-20", Resumed: true},
				{LeaveID: 2, AccountID: 2, End: "2026-11-25"}, {LeaveID: 3, AccountID: 1, End: "2026-12-20"}}
		}, nil},
		{"LeaveAccessStillPaused", func(s *PolicySnapshot) {
			s.LeavePauses = []LeavePause{{LeaveID: 4, AccountID: 2, End: "2026-11-24"}}
		}, []Violation{{InvLeaveAccessBack, []string{"account 2", "leave 4"},
			"access paused for a leave that ended on 2026-11-24 is still paused on 2026-11-26"}}},
		{"DormancyUnchecked", func(s *PolicySnapshot) {
			s.Activity[1].Since = s.Now.AddDate(-1, 0, 0)
			s.DormancyLimit = 0
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := policyWorld()
			tt.edit(s)
			got := CheckPolicy(s)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got\n  %s\nwant\n  %s", joinViolations(got), joinViolations(tt.want))
			}
			// Each invariant alone finds its own violations.
			for _, inv := range Invariants {
				var mine []Violation
				for _, v := range tt.want {
					if v.Invariant == inv.Name {
						mine = append(mine, v)
					}
				}
				if got := inv.Check(s); !reflect.DeepEqual(got, mine) && (len(got) > 0 || len(mine) > 0) {
					t.Errorf("%s alone: got %v, want %v", inv.Name, got, mine)
				}
			}
		})
	}
}

// openHandover is a pending handover of worksite ws between two accounts
// that expires an hour after the snapshot's time.
func openHandover(s *PolicySnapshot, id HandoverID, ws WorksiteID, from, to AccountID) *Handover {
	return &Handover{ID: id, WorksiteID: ws, FromAccountID: from, ToAccountID: to, Status: HandoverPending,
		ExpiresAt: s.Now.Add(time.Hour)}
}

func joinViolations(vs []Violation) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.String()
	}
	return strings.Join(parts, "\n  ")
}

func TestPolicySnapshot_Helpers(t *testing.T) {
	s := policyWorld()
	if h := s.AccessHolder(1); h == nil || h.ID != 1 {
		t.Fatalf("holder of 1: %+v", h)
	}
	if h := s.AccessHolder(3); h != nil {
		t.Fatalf("holder of 3: %+v", h)
	}
	if q := s.QualifyingSponsorships(2); len(q) != 1 || q[0].ID != 1 {
		t.Fatalf("qualifying sponsorships of 2: %v", q)
	}
	if !FeedAllowsAccess(FeedUserReinstated) || FeedAllowsAccess(FeedUserSuspended) ||
		FeedAllowsAccess("user.updated") {
		t.Fatal("FeedAllowsAccess")
	}
}

func TestDormantAt(t *testing.T) {
	day := 24 * time.Hour
	since := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d := func(n int) time.Time { return since.Add(time.Duration(n) * day) }
	tests := []struct {
		name   string
		paused []Period
		want   time.Time
	}{
		{"NoLeave", nil, d(180)},
		{"LeaveInside", []Period{{d(10), d(40)}}, d(210)},
		{"LeaveBeforeSinceIgnored", []Period{{d(-50), d(-10)}}, d(180)},
		{"LeaveAcrossSinceCountsFromSince", []Period{{d(-5), d(5)}}, d(185)},
		{"LeaveAfterDormantIgnored", []Period{{d(181), d(200)}}, d(180)},
		{"LaterLeaveReachedByTheFirst", []Period{{d(185), d(190)}, {d(100), d(110)}}, d(195)},
		{"OverlapsCountOnce", []Period{{d(10), d(40)}, {d(30), d(50)}}, d(220)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DormantAt(since, 180*day, tt.paused); !got.Equal(tt.want) {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}
