package wire

import (
	"context"
	"fmt"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/address"
)

// demoAccounts are registered for the first development people, so a demo
// starts with people who already have an HxBC account.
var demoAccounts = []struct {
	person string
	input  portal.RegistrationInput
}{
	{"dev-sam-jones",
		portal.RegistrationInput{Profession: string(portal.ProfPhysician), MSPBillingNumber: "A1234", CPSID: "12345",
			Resident: "no", Email: "sam.jones@example.ca", Phone: "(604) 555-0134", HealthAuthorityAccount: "no", Username: "sam.jones"}},
	{"dev-jane-moa", portal.RegistrationInput{Profession: string(portal.ProfMOA), Email: "jane.moa@example.ca",
		Phone: "(604) 555-0177", HealthAuthorityAccount: "no", Username: "jane.moa"}},
	{"dev-priya-pharmacist", portal.RegistrationInput{Profession: string(portal.ProfPharmacist), CollegeID: "PH-20931",
		Email: "priya.singh@example.ca", Phone: "(250) 555-0112", HealthAuthorityAccount: "no", Username: "priya.singh"}},
}

// demoPassword satisfies the policy for every demo person.
const demoPassword = "Harbour-Lantern-47"

// demoAddresses is the size of the synthetic address set a demo loads.
const demoAddresses = 20000

// DemoSummary says what LoadDemo added.
type DemoSummary struct {
	Accounts  int
	Addresses int
	Worksites int
}

// LoadDemo adds demonstration data that is not there yet: the guide's
// building and a synthetic address set, the demo people's accounts, and an
// approved worksite (Kingsgate Mall Clinic, 100-370 Broadway E) with the
// demo people as members. Accounts are tied to the development sign-in's
// issuer, so run it with the same base URL as the server.
func LoadDemo(ctx context.Context, p *Portal) (DemoSummary, error) {
	var sum DemoSummary
	// The generated set starts with the guide's building and its units.
	inserted, _, err := p.DB.ImportAddresses(ctx, address.Generated(20261126, demoAddresses), 0, nil)
	if err != nil {
		return sum, err
	}
	sum.Addresses = inserted

	meta := portal.RequestMeta{IP: "127.0.0.1", UserAgent: "portal demo", RequestID: "demo"}
	accounts := map[string]*portal.Account{}
	for _, d := range demoAccounts {
		var person *portal.CardIdentity
		for _, dp := range DevPeople {
			if dp.Key == d.person {
				person = &portal.CardIdentity{Issuer: p.Config.OIDC.Issuer, Subject: d.person,
					GivenNames: dp.GivenNames,
					Surname:    dp.Surname, BirthDate: dp.BirthDate}
			}
		}
		acct, err := p.DB.Read().FindAccountBySubject(ctx, person.Issuer, person.Subject)
		if err != nil {
			in := d.input
			in.Password, in.ConfirmPassword = demoPassword, demoPassword
			if acct, err = p.App.Register(ctx, meta, *person, in); err != nil {
				return sum, err
			}
			sum.Accounts++
		}
		// Demo people have no mailbox to confirm their address from.
		if acct, err = p.App.MarkEmailVerified(ctx, meta, "portal demo", acct.ID); err != nil {
			return sum, err
		}
		accounts[d.person] = acct
	}

	sam := accounts["dev-sam-jones"]
	clinic := address.GuideBuilding
	clinic.Unit = address.GuideUnits[0]
	if _, err := p.DB.Read().FindWorksiteByAddress(ctx, clinic); err == nil {
		return sum, nil
	}
	hits, err := p.DB.Read().SearchAddresses(ctx, "100-370 Broadway E", 5)
	if err != nil || len(hits) == 0 {
		return sum, fmt.Errorf("demo: the guide's building is not in the address index: %v", err)
	}
	w, err := p.App.RegisterWorksite(ctx, meta, sam,
		portal.WorksiteInput{Name: "Kingsgate Mall Clinic", Type: string(portal.WorksitePrivatePractice),
			Phone: "(604) 555-0100", AddressID: fmt.Sprint(int64(hits[0].ID)), HasAuthority: "yes"})
	if err != nil {
		return sum, err
	}
	if _, err := p.App.SignDeclaration(ctx, meta, sam, "", w.ID,
		portal.DeclarationInput{FullName: sam.LegalName(), Agree: true}); err != nil {
		return sum, err
	}
	if _, err := p.App.DecideWorksite(ctx, meta, "demo", w.Code, true, ""); err != nil {
		return sum, err
	}
	for _, key := range []string{"dev-jane-moa", "dev-priya-pharmacist"} {
		j, err := p.App.RequestToJoin(ctx, meta, accounts[key], w, "code", "Demo member.")
		if err != nil {
			return sum, err
		}
		if _, err := p.App.DecideJoinRequest(ctx, meta, sam, j.ID, true, ""); err != nil {
			return sum, err
		}
	}
	sum.Worksites = 1
	return sum, nil
}
