package portal

import (
	"strings"
	"testing"
)

func TestHPCAASignatureValidate(t *testing.T) {
	const legal = "Mary Ann LEE-CHUNG"
	const mismatch = "Type your full legal name as it appears on your BC Services Card: Mary Ann LEE-CHUNG."
	for _, tc := range []struct {
		name  string
		sig   HPCAASignature
		legal string
		want  FieldErrors
	}{
		{"exact", HPCAASignature{FullName: "Mary Ann LEE-CHUNG", Agree: true}, legal, FieldErrors{}},
		{"other case", HPCAASignature{FullName: "mary ann lee-chung", Agree: true}, legal, FieldErrors{}},
		{"extra spaces", HPCAASignature{FullName: "  Mary   Ann\tLee-Chung ", Agree: true}, legal, FieldErrors{}},
		{"extra spaces in the legal name", HPCAASignature{FullName: "Mary Ann Lee-Chung", Agree: true}, " Mary  Ann LEE-CHUNG ", FieldErrors{}},
		{"accents, case and spacing", HPCAASignature{FullName: "anna muller", Agree: true}, "ANNA  Müller", FieldErrors{}},
		{"accents typed, none on the card", HPCAASignature{FullName: "Zoë Dupont", Agree: true}, "ZOE DUPONT", FieldErrors{}},
		{"a different name with accents", HPCAASignature{FullName: "Anna Möller", Agree: true}, "ANNA  Müller", FieldErrors{
			"full_name": "Type your full legal name as it appears on your BC Services Card: ANNA Müller."}},
		{"empty name", HPCAASignature{FullName: "  ", Agree: true}, legal, FieldErrors{
			"full_name": "Type your full name to sign the agreement."}},
		{"preferred name instead of legal", HPCAASignature{FullName: "Molly Lee-Chung", Agree: true}, legal, FieldErrors{
			"full_name": mismatch}},
		{"part of the name", HPCAASignature{FullName: "Mary Lee-Chung", Agree: true}, legal, FieldErrors{
			"full_name": mismatch}},
		{"without the hyphen", HPCAASignature{FullName: "Mary Ann Lee Chung", Agree: true}, legal, FieldErrors{
			"full_name": mismatch}},
		{"far too long", HPCAASignature{FullName: strings.Repeat("a", 201), Agree: true}, legal, FieldErrors{
			"full_name": mismatch}},
		{"no legal name on record", HPCAASignature{FullName: "Mary Ann Lee-Chung", Agree: true}, "", FieldErrors{
			"full_name": "Type your full legal name as it appears on your BC Services Card."}},
		{"box not ticked", HPCAASignature{FullName: "Mary Ann Lee-Chung"}, legal, FieldErrors{
			"agree": "Tick the box to accept the agreement."}},
		{"nothing", HPCAASignature{}, legal, FieldErrors{
			"full_name": "Type your full name to sign the agreement.",
			"agree":     "Tick the box to accept the agreement."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.sig.Validate(tc.legal)
			if len(got) != len(tc.want) {
				t.Errorf("Validate() = %v, want %v", got, tc.want)
			}
			for k, want := range tc.want {
				if got := got[k]; got != want {
					t.Errorf("Validate()[%q] = %q, want %q", k, got, want)
				}
			}
			if got, want := ErrorCode(got.Err()), map[bool]string{true: "", false: EINVALID}[len(tc.want) == 0]; got != want {
				t.Errorf("ErrorCode = %q, want %q", got, want)
			}
		})
	}
}

func TestHPCAAClauses(t *testing.T) {
	if n := len(HPCAAClauses); n < 8 || n > 12 {
		t.Errorf("%d clauses, want 8 to 12", n)
	}
	// Each topic the agreement must cover, and a phrase that shows it does.
	for _, tc := range []struct{ topic, phrase string }{
		{"purpose limited to direct care", "direct clinical care"},
		{"need to know", "only when I need it"},
		{"no secondary use", "quality improvement"},
		{"confidentiality", "confidential"},
		{"credentials not shared", "not share my username or password"},
		{"audit and monitoring", "audited"},
		{"breach reporting", "privacy breach"},
		{"annual review and re-signing", "each year"},
		{"consequences of misuse", "misuse"},
		{"end of the agreement", "agreement ends"},
	} {
		t.Run(tc.topic, func(t *testing.T) {
			found := false
			for _, c := range HPCAAClauses {
				if strings.Contains(c, tc.phrase) {
					found = true
				}
			}
			if !found {
				t.Errorf("no clause contains %q", tc.phrase)
			}
		})
	}
	if HPCAAVersion == "" || HPCAATitle != "Health Practitioner CareConnect Access Agreement" {
		t.Errorf("version %q, title %q", HPCAAVersion, HPCAATitle)
	}
}
