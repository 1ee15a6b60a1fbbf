package portal

import (
	"reflect"
	"testing"
)

func TestCheckRequest(t *testing.T) {
	physician := func(msp, cpsid string) *Account {
		return &Account{Profession: ProfPhysician, MSPBillingNumber: msp, CPSID: cpsid, Email: "dalia@gmail.com"}
	}
	approved := &Worksite{Name: "Harbour Clinic", Code: "K4T6CLP", Status: WorksiteApproved, AddressVerified: true}
	residency := func(end string) *Sponsorship {
		return &Sponsorship{
			Status:         SponsorActive,
			AuthorizerName: "Dalia Ng",
			ResidencyStart: "2025-07-01",
			ResidencyEnd:   end,
		}
	}
	const today = "2026-11-26"
	tests := []struct {
		name string
		in   CheckInput
		want []Check
	}{
		{"PhysicianWellFormedPersonalEmailIsNotAFlag", CheckInput{Account: physician("A1234", "12345")}, []Check{
			{CheckOK, "The MSP billing number A1234 has the expected format."},
			{CheckOK, "The CPSID 12345 has the expected format."},
		}},
		{"PhysicianBadMSPMissingCPSID", CheckInput{Account: physician("12", "")}, []Check{
			{
				CheckFlag,
				`The MSP billing number "12" does not have the expected format (5 characters, such as A0000 or 00000).`,
			},
			{CheckFlag, "The CPSID is missing."},
		}},
		{
			"NursePractitionerBadBCCNM",
			CheckInput{
				Account: &Account{
					Profession:       ProfNurse,
					NurseLicence:     LicenceNP,
					MSPBillingNumber: "00000",
					CollegeID:        "12345",
				},
			},
			[]Check{
				{CheckOK, "The MSP billing number 00000 has the expected format."},
				{CheckFlag, `The BCCNM college ID "12345" does not have the expected format (7 digits).`},
			},
		},
		{
			"RegisteredNurseNoMSPNeeded",
			CheckInput{Account: &Account{Profession: ProfNurse, NurseLicence: LicenceRN, CollegeID: "1234567"}},
			[]Check{
				{CheckOK, "The BCCNM college ID 1234567 has the expected format."},
			},
		},
		{"NurseWithoutLicence", CheckInput{Account: &Account{Profession: ProfNurse, CollegeID: "1234567"}}, []Check{
			{CheckFlag, "The nurse licence type is missing."},
			{CheckOK, "The BCCNM college ID 1234567 has the expected format."},
		}},
		{
			"PharmacistCollegeNumber",
			CheckInput{Account: &Account{Profession: ProfPharmacist, CollegeID: "P 1"}},
			[]Check{
				{
					CheckFlag,
					`The College of Pharmacists of BC registration number "P 1" does not have the expected format (2 to 20 letters, digits or hyphens).`,
				},
			},
		},
		{
			"SocialWorkerCollegeNumber",
			CheckInput{Account: &Account{Profession: ProfSocialWorker, CollegeID: "SW-12345"}},
			[]Check{
				{CheckOK, "The BC College of Social Workers registration number SW-12345 has the expected format."},
			},
		},
		{"MOANeedsNoIdentifiers", CheckInput{Account: &Account{Profession: ProfMOA}}, []Check{
			{CheckOK, "No professional identifiers are needed for Medical Office Assistant."},
		}},
		{"ProfessionOther", CheckInput{Account: &Account{Profession: ProfOther, OtherProfession: "Doula"}}, []Check{
			{CheckFlag, `The profession is Other ("Doula"): place the person in a listed profession, or decline.`},
		}},
		{"WorksiteApprovedAndVerified", CheckInput{Worksites: []*Worksite{approved}}, []Check{
			{CheckOK, "Harbour Clinic (K4T6CLP) is approved and its address is verified."},
		}},
		{
			"WorksitePendingTypedByHand",
			CheckInput{Worksites: []*Worksite{{Name: "New Clinic", Code: "ACEFGHJ", Status: WorksitePending}}},
			[]Check{
				{CheckFlag, "New Clinic (ACEFGHJ) is not approved yet."},
				{CheckFlag, "The address of New Clinic (ACEFGHJ) was typed by hand and awaits verification."},
			},
		},
		{
			"WorksiteApprovedAddressUnverified",
			CheckInput{Worksites: []*Worksite{{Name: "Old Clinic", Code: "ACEFGHK", Status: WorksiteApproved}}},
			[]Check{
				{CheckFlag, "The address of Old Clinic (ACEFGHK) was typed by hand and awaits verification."},
			},
		},
		{
			"WorksiteDeclined",
			CheckInput{
				Worksites: []*Worksite{
					{Name: "Gone Clinic", Code: "ACEFGHL", Status: WorksiteDeclined, AddressVerified: true},
				},
			},
			[]Check{
				{CheckFlag, "Gone Clinic (ACEFGHL) was declined by the CareConnect team."},
			},
		},
		{
			"ResidencyEndsIn30Days",
			CheckInput{Today: today, Sponsorships: []*Sponsorship{residency("2026-12-26")}},
			[]Check{
				{CheckFlag, "The residency sponsored by Dalia Ng ends on December 26, 2026, within 30 days."},
			},
		},
		{
			"ResidencyEndsIn31Days",
			CheckInput{Today: today, Sponsorships: []*Sponsorship{residency("2026-12-27")}},
			[]Check{
				{CheckOK, "The residency sponsored by Dalia Ng runs until December 27, 2026."},
			},
		},
		{"ResidencyEndsToday", CheckInput{Today: today, Sponsorships: []*Sponsorship{residency(today)}}, []Check{
			{CheckFlag, "The residency sponsored by Dalia Ng ends on November 26, 2026, within 30 days."},
		}},
		{"ResidencyEnded", CheckInput{Today: today, Sponsorships: []*Sponsorship{residency("2026-11-25")}}, []Check{
			{CheckFlag, "The residency sponsored by Dalia Ng ended on November 25, 2026."},
		}},
		{"SponsorWithoutResidencyAndPendingOnesNotChecked", CheckInput{Today: today, Sponsorships: []*Sponsorship{
			{Status: SponsorActive, AuthorizerName: "Dalia Ng"},
			{Status: SponsorPending, AuthorizerName: "Sam Lee", ResidencyEnd: "2026-11-30"},
		}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckRequest(tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestCheckRequest_CountFlags(t *testing.T) {
	got := CountFlags([]Check{{CheckOK, "a"}, {CheckFlag, "b"}, {CheckFlag, "c"}})
	if got != 2 {
		t.Fatalf("got %d, want 2", got)
	}
}
