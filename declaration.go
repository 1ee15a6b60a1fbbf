package portal

import (
	"strings"
	"unicode/utf8"
)

// DeclarationVersion is the current Worksite Privacy & Security
// Declaration. Changing the text means a new version.
const DeclarationVersion = "2026.1"

// DeclarationTitle names the declaration.
const DeclarationTitle = "Worksite Privacy & Security Declaration"

// DeclarationClauses are what the person with signing authority declares
// for the worksite, in the portal's words.
var DeclarationClauses = []string{
	"I have the authority to sign for this worksite and to commit it to the duties below.",
	"The worksite has written privacy and security policies that cover how personal health information is collected, used, disclosed, stored and destroyed, and every person who works here is told about them.",
	"People at the worksite will look at a patient's record in CareConnect only when they are caring for that patient, and only at the information they need for that care.",
	"Computers and devices used for CareConnect are kept up to date, protected with a screen lock and anti-malware software, and are not shared under one sign-in.",
	"The worksite will tell its site administrator when a person leaves or no longer needs access, so that their access is ended promptly.",
	"Any suspected privacy breach involving CareConnect will be reported to the CareConnect team without delay, and the worksite will help investigate it.",
	"I understand that every access to CareConnect is recorded and may be audited, and that access can be suspended if these duties are not met.",
}

// DeclarationInput is what the signer types and ticks.
type DeclarationInput struct {
	FullName string
	Agree    bool
}

// Validate checks the signature: the typed name must match the signer's
// legal name from the card, and the box must be ticked.
func (in DeclarationInput) Validate(legalName string) FieldErrors {
	fe := FieldErrors{}
	typed := strings.Join(strings.Fields(in.FullName), " ")
	switch {
	case !ValidText(typed, false):
		fe.Add("full_name", InvalidTextMessage)
	case typed == "":
		fe.Add("full_name", "Type your full name to sign.")
	case utf8.RuneCountInString(typed) > 200 || !strings.EqualFold(typed, strings.Join(strings.Fields(legalName), " ")):
		fe.Add("full_name", "Type your full legal name exactly as it appears on your BC Services Card: "+legalName+".")
	}
	if !in.Agree {
		fe.Add("agree", "Tick the box to confirm the declaration.")
	}
	return fe
}
