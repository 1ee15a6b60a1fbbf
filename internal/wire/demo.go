package wire

import (
	"context"

	"portal"
)

// demoAccounts are registered for the first development people, so a demo
// starts with people who already have an HxBC account.
var demoAccounts = []struct {
	person string
	input  portal.RegistrationInput
}{
	{"dev-sam-jones", portal.RegistrationInput{Profession: string(portal.ProfPhysician), MSPBillingNumber: "A1234", CPSID: "12345",
		Resident: "no", Email: "sam.jones@example.ca", Phone: "(604) 555-0134", HealthAuthorityAccount: "no", Username: "sam.jones"}},
	{"dev-jane-moa", portal.RegistrationInput{Profession: string(portal.ProfMOA), Email: "jane.moa@example.ca",
		Phone: "(604) 555-0177", HealthAuthorityAccount: "no", Username: "jane.moa"}},
	{"dev-priya-pharmacist", portal.RegistrationInput{Profession: string(portal.ProfPharmacist), CollegeID: "PH-20931",
		Email: "priya.singh@example.ca", Phone: "(250) 555-0112", HealthAuthorityAccount: "no", Username: "priya.singh"}},
}

// demoPassword satisfies the policy for every demo person.
const demoPassword = "Harbour-Lantern-47"

// LoadDemo registers the demonstration accounts that do not exist yet and
// returns how many it created. Accounts are tied to the development
// sign-in's issuer, so run it with the same base URL as the server.
func LoadDemo(ctx context.Context, p *Portal) (int, error) {
	n := 0
	for _, d := range demoAccounts {
		var person *struct{ given, surname, birth string }
		for _, dp := range DevPeople {
			if dp.Key == d.person {
				person = &struct{ given, surname, birth string }{dp.GivenNames, dp.Surname, dp.BirthDate}
			}
		}
		card := portal.CardIdentity{Issuer: p.Config.OIDC.Issuer, Subject: d.person, GivenNames: person.given,
			Surname: person.surname, BirthDate: person.birth}
		existing, err := p.DB.Read().FindAccountBySubject(ctx, card.Issuer, card.Subject)
		if err == nil && existing != nil {
			continue
		}
		in := d.input
		in.Password, in.ConfirmPassword = demoPassword, demoPassword
		meta := portal.RequestMeta{IP: "127.0.0.1", UserAgent: "portal demo", RequestID: "demo"}
		if _, err := p.App.Register(ctx, meta, card, in); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
