package portal

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

type mapRegistry map[string]*Licence

func (m mapRegistry) LookupLicence(_ context.Context, n string) (*Licence, error) {
	if n == "DOWN" {
		return nil, fmt.Errorf("%w: connection refused", ErrRegistryUnavailable)
	}
	return m[n], nil
}

func TestLicenceCheck(t *testing.T) {
	doc := &Account{GivenNames: "Dalia Marie", Surname: "EIGHTEEN", Profession: ProfPhysician, CPSID: "12345"}
	active := &Licence{
		Number:     "12345",
		GivenNames: "Dalia",
		FamilyName: "Eighteen",
		Status:     LicenceActive,
		Class:      "Full",
		Expires:    "2027-03-31",
	}
	today := "2026-12-05"
	tests := []struct {
		name    string
		acct    *Account
		lic     *Licence
		checked bool
		err     error
		level   string
		text    string
	}{
		{"OK", doc, active, true, nil, CheckOK,
			"College of Physicians and Surgeons of BC registry, licence 12345: name Dalia Eighteen matches, status Active, class Full, no conditions, expires March 31, 2027."},
		{"NotConfigured", doc, nil, false, nil, CheckNone,
			"The licence was not checked: no registry is configured for College of Physicians and Surgeons of BC."},
		{"Unavailable", doc, nil, true, ErrRegistryUnavailable, CheckNone,
			"The licence was not checked: registry unavailable (College of Physicians and Surgeons of BC)."},
		{
			"NotFound",
			doc,
			nil,
			true,
			nil,
			CheckFlag,
			"The College of Physicians and Surgeons of BC registry has no licence numbered 12345.",
		},
		{
			"Expired",
			doc,
			&Licence{
				Number:     "12345",
				GivenNames: "Dalia",
				FamilyName: "Eighteen",
				Status:     LicenceActive,
				Expires:    "2026-12-04",
			},
			true,
			nil,
			CheckFlag,
			"College of Physicians and Surgeons of BC registry, licence 12345: name Dalia Eighteen matches, status Lapsed, no conditions, expires December 4, 2026.",
		},
		{
			"Conditions",
			doc,
			&Licence{
				Number:     "12345",
				FamilyName: "Eighteen",
				Status:     LicenceActive,
				Conditions: []string{"Supervised practice"},
			},
			true,
			nil,
			CheckFlag,
			"College of Physicians and Surgeons of BC registry, licence 12345: name Eighteen matches, status Active, conditions: Supervised practice.",
		},
		{
			"NameMismatch",
			doc,
			&Licence{Number: "12345", GivenNames: "Dana", FamilyName: "Eighteen", Status: LicenceSuspended},
			true,
			nil,
			CheckFlag,
			"College of Physicians and Surgeons of BC registry, licence 12345: name Dana Eighteen does not match the card's Dalia Marie EIGHTEEN, status Suspended, no conditions.",
		},
		{
			"NoLicence",
			&Account{Profession: ProfMOA},
			nil,
			false,
			nil,
			CheckOK,
			"No licence is checked for Medical Office Assistant.",
		},
		{
			"NumberMissing",
			&Account{Profession: ProfPharmacist},
			nil,
			false,
			nil,
			CheckNone,
			"The licence was not checked: the registration number is missing.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := LicenceCheck(tt.acct, tt.lic, tt.checked, tt.err, today)
			if got.Level != tt.level || got.Text != tt.text {
				t.Fatalf("got %s %q\nwant %s %q", got.Level, got.Text, tt.level, tt.text)
			}
		})
	}
}

func TestLicenceRegistries_Lookup(t *testing.T) {
	rs := LicenceRegistries{
		CollegeCPBC: mapRegistry{"P-1": {Number: "P-1", FamilyName: "Singh", Status: LicenceActive}},
	}
	lic, checked, err := rs.Lookup(context.Background(), &Account{Profession: ProfPharmacist, CollegeID: "P-1"})
	if err != nil || !checked || lic == nil || lic.FamilyName != "Singh" {
		t.Fatalf("pharmacist: %v %v %v", lic, checked, err)
	}
	if _, checked, _ := rs.Lookup(context.Background(), &Account{Profession: ProfPhysician, CPSID: "12345"}); checked {
		t.Fatal("a physician was checked although no CPSBC registry is configured")
	}
	_, checked, err = rs.Lookup(context.Background(), &Account{Profession: ProfPharmacist, CollegeID: "DOWN"})
	if !checked || !errors.Is(err, ErrRegistryUnavailable) {
		t.Fatalf("outage: %v %v", checked, err)
	}
}

func TestLicence_Validate(t *testing.T) {
	tests := []struct {
		lic  Licence
		want string
	}{
		{Licence{Number: "1", FamilyName: "A", Status: LicenceActive}, ""},
		{Licence{FamilyName: "A", Status: LicenceActive}, "the registration number is missing"},
		{Licence{Number: "1", Status: LicenceActive}, "the family name is missing"},
		{
			Licence{Number: "1", FamilyName: "A", Status: "retired"},
			`the status "retired" is not one of active, lapsed, suspended`,
		},
		{
			Licence{Number: "1", FamilyName: "A", Status: LicenceLapsed, Expires: "31/03/2027"},
			`the expiry date "31/03/2027" is not a date (YYYY-MM-DD)`,
		},
	}
	for _, tt := range tests {
		err := tt.lic.Validate()
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%+v: got %q, want %q", tt.lic, got, tt.want)
		}
	}
}
