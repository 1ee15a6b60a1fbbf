package portal

import (
	"strings"
	"unicode/utf8"
)

// HPCAAVersion is the current agreement. Changing a clause means a new
// version, which everyone who signs the agreement must sign again.
const HPCAAVersion = "2026.1"

// HPCAATitle names the agreement.
const HPCAATitle = "Health Practitioner CareConnect Access Agreement"

// HPCAAClauses are what the practitioner agrees to, in order.
var HPCAAClauses = []string{
	"I will use CareConnect only to provide, or to support, direct clinical care to patients I am caring for.",
	"I will open a patient's record only when I need it for that care, and look only at the information the care requires.",
	"I will not use CareConnect or information from it for research, quality improvement, quality assurance, teaching, billing reviews or any purpose other than the care of the patient, even if the information is de-identified.",
	"I will keep what I see in CareConnect confidential, disclose it only as the law allows for the patient's care, and copy into the patient's chart only what that care needs.",
	"My sign-in is for my use alone. I will not share my username or password, let anyone work in my session, or use CareConnect on a device that is not secured; I will lock my screen when I step away.",
	"If I approve people to work on my behalf, I will make sure they have completed the Privacy & Security training, supervise their use of CareConnect, and withdraw my approval as soon as they no longer work for me.",
	"I understand that every search and every record I open is recorded and may be audited, and I will explain my access when the CareConnect team or a privacy officer asks.",
	"I will report any actual or suspected privacy breach, including a possible misuse of my sign-in, to the CareConnect team and my worksite's privacy lead without delay, and help investigate it.",
	"I will confirm each year that I still need CareConnect, keep my details in the portal current, and sign this agreement again whenever a new version is issued.",
	"I understand that misuse of CareConnect may lead to my access being suspended or ended, to a report to my employer and my regulatory college, and to consequences under B.C. privacy law.",
	"This agreement ends when my CareConnect access ends; my duty to keep what I have seen confidential continues after it.",
}

// HPCAASignature is what the practitioner types and ticks to sign.
type HPCAASignature struct {
	FullName string
	Agree    bool
}

// Validate checks the signature against the signer's legal name from the
// card: the typed name must match it, ignoring case, spacing and accents
// (a keyboard without "ü" still signs for "Müller"), and
// the box must be ticked. Field keys: full_name and agree.
func (s HPCAASignature) Validate(legalName string) FieldErrors {
	fe := FieldErrors{}
	typed := strings.Join(strings.Fields(s.FullName), " ")
	legal := strings.Join(strings.Fields(legalName), " ")
	switch {
	case !ValidText(typed, false):
		fe.Add("full_name", InvalidTextMessage)
	case typed == "":
		fe.Add("full_name", "Type your full name to sign the agreement.")
	case legal == "" || utf8.RuneCountInString(typed) > 200 || !SameLegalName(typed, legal):
		msg := "Type your full legal name as it appears on your BC Services Card"
		if legal != "" {
			msg += ": " + legal
		}
		fe.Add("full_name", msg+".")
	}
	if !s.Agree {
		fe.Add("agree", "Tick the box to accept the agreement.")
	}
	return fe
}
