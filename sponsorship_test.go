package portal

import (
	"reflect"
	"testing"
)

func TestSponsorQualifies(t *testing.T) {
	const today = "2026-11-26"
	physician := &Account{Profession: ProfPhysician, Status: AccountActive, GivenNames: "Dalia", Surname: "NG"}
	residentDoc := &Account{
		Profession:    ProfPhysician,
		IsResident:    true,
		ResidentRoute: ResidentIndependent,
		Status:        AccountActive,
	}
	nurse := &Account{Profession: ProfNurse, NurseLicence: LicenceRN, Status: AccountActive}
	np := &Account{Profession: ProfNurse, NurseLicence: LicenceNP, Status: AccountActive}
	pharmacist := &Account{Profession: ProfPharmacist, Status: AccountActive}
	closed := &Account{Profession: ProfPhysician, Status: "closed"}
	active := &Sponsorship{Status: SponsorActive}
	residency := func(start, end string) *Sponsorship {
		return &Sponsorship{Status: SponsorActive, ResidencyStart: start, ResidencyEnd: end}
	}
	ok := func(a *Account, sp *Sponsorship) SponsorStanding {
		return SponsorStanding{Authorizer: a, Access: ARApproved, SharesWorksite: true, Sponsorship: sp, Today: today}
	}
	with := func(s SponsorStanding, edit func(*SponsorStanding)) SponsorStanding { edit(&s); return s }
	// physicianWhoseAccess is an enrolled physician's standing but for the
	// state of their own access request.
	physicianWhoseAccess := func(status string) SponsorStanding {
		return with(ok(physician, active), func(s *SponsorStanding) { s.Access = status })
	}
	tests := []struct {
		name string
		in   SponsorStanding
		want string // "" when the sponsor qualifies
	}{
		{"EnrolledPhysician", ok(physician, active), ""},
		{"EnrolledNursePractitioner", ok(np, active), ""},
		{"EnrolledRegisteredNurse", ok(nurse, active), ""},
		{"AccessPending", physicianWhoseAccess(ARSubmitted), SponsorAccessNotApproved},
		{"AccessInfoRequested", physicianWhoseAccess(ARInfoRequested), SponsorAccessNotApproved},
		{"NeverAsked", physicianWhoseAccess(""), SponsorAccessNotApproved},
		{"AccessSuspended", physicianWhoseAccess(ARSuspended), SponsorAccessNotApproved},
		{"AccessRemoved", physicianWhoseAccess(ARDeprovisioned), SponsorAccessNotApproved},
		{"AccessDeclined", physicianWhoseAccess(ARDeclined), SponsorAccessNotApproved},
		{
			"NoSharedWorksite",
			with(ok(physician, active), func(s *SponsorStanding) { s.SharesWorksite = false }),
			SponsorNoSharedWorksite,
		},
		{"NotAnAuthorizer", ok(pharmacist, active), SponsorNotAuthorizer},
		{"NoAccount", ok(nil, active), SponsorNotAuthorizer},
		{"AccountClosed", ok(closed, active), SponsorAccountInactive},
		{"SponsorshipPending", ok(physician, &Sponsorship{Status: SponsorPending}), SponsorshipNotActive},
		{"SponsorshipRevoked", ok(physician, &Sponsorship{Status: SponsorRevoked}), SponsorshipNotActive},
		{"SponsorshipWithdrawn", ok(physician, &Sponsorship{Status: SponsorWithdrawn}), SponsorshipNotActive},
		{"NoSponsorship", ok(physician, nil), SponsorshipNotActive},
		{"ResidencyCurrent", ok(physician, residency("2026-07-01", "2027-06-30")), ""},
		{"ResidencyLastDay", ok(physician, residency("2026-07-01", today)), ""},
		{"ResidencyOver", ok(physician, residency("2025-07-01", "2026-11-25")), SponsorResidencyOutside},
		{"ResidencyNotStarted", ok(physician, residency("2026-11-27", "2027-06-30")), SponsorResidencyOutside},
		{"ResidentNeedsPhysicianNotNurse", ok(np, residency("2026-07-01", "2027-06-30")), SponsorNotPhysician},
		{
			"ResidentNeedsPhysicianNotResident",
			ok(residentDoc, residency("2026-07-01", "2027-06-30")),
			SponsorNotPhysician,
		},
		{
			"ResidentFlagWithoutDates",
			with(ok(nurse, active), func(s *SponsorStanding) { s.Resident = true }),
			SponsorNotPhysician,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reason := SponsorQualifies(tt.in)
			if got != (tt.want == "") || reason != tt.want {
				t.Fatalf("got %v %q, want %q", got, reason, tt.want)
			}
			if reason != "" && SponsorReasonText(reason) == reason {
				t.Fatalf("no words for %q", reason)
			}
		})
	}
}

// Before anyone is asked there is no sponsorship: eligibility looks at the
// authorizer's side only.
func TestSponsorEligible(t *testing.T) {
	physician := &Account{Profession: ProfPhysician, Status: AccountActive}
	nurse := &Account{Profession: ProfNurse, NurseLicence: LicenceRN, Status: AccountActive}
	for _, tt := range []struct {
		name string
		in   SponsorStanding
		want string
	}{
		{"Physician", SponsorStanding{Authorizer: physician, Access: ARApproved, SharesWorksite: true}, ""},
		{"PhysicianPending", SponsorStanding{Authorizer: physician, Access: ARSubmitted, SharesWorksite: true}, SponsorAccessNotApproved},
		{"NurseForMOA", SponsorStanding{Authorizer: nurse, Access: ARApproved, SharesWorksite: true}, ""},
		{"NurseForResident", SponsorStanding{Authorizer: nurse, Access: ARApproved, SharesWorksite: true, Resident: true}, SponsorNotPhysician},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got, reason := SponsorEligible(tt.in); got != (tt.want == "") || reason != tt.want {
				t.Fatalf("got %v %q, want %q", got, reason, tt.want)
			}
		})
	}
}

func TestCheckRequest_Sponsor(t *testing.T) {
	moa := &Account{Profession: ProfMOA}
	doc := &Account{Profession: ProfPhysician, Status: AccountActive, GivenNames: "Dalia", Surname: "NG"}
	pending := SponsorStanding{
		Authorizer:     doc,
		Access:         ARSubmitted,
		SharesWorksite: true,
		Sponsorship:    &Sponsorship{Status: SponsorActive},
	}
	enrolled := pending
	enrolled.Access = ARApproved
	flag := Check{
		CheckFlag,
		"No authorizer qualifies as a sponsor: none has an active sponsorship, approved and active CareConnect " +
			"access of their own and an approved worksite shared with this person. The request cannot be approved until one does.",
	}
	for _, tt := range []struct {
		name string
		in   CheckInput
		want []Check
	}{
		{"NoSponsor", CheckInput{Account: moa, OnBehalfOf: true}, []Check{flag}},
		{"OnlyPendingSponsor", CheckInput{Account: moa, OnBehalfOf: true, Sponsors: []SponsorStanding{pending}}, []Check{flag}},
		{"EnrolledSponsor", CheckInput{Account: moa, OnBehalfOf: true, Sponsors: []SponsorStanding{pending, enrolled}},
			[]Check{{CheckOK, "Sponsored by an authorizer who qualifies: Dalia NG."}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckRequest(tt.in)
			// The first check is about the MOA's (absent) identifiers.
			if !reflect.DeepEqual(got[1:], tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
