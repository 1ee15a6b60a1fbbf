package portal

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestDecision_DeclineInput(t *testing.T) {
	tests := []struct {
		name string
		in   DeclineInput
		want FieldErrors
	}{
		{"OK", DeclineInput{Code: " identity ", Text: " The names do not match. "}, FieldErrors{}},
		{"ErrNoCode", DeclineInput{Text: "x"}, FieldErrors{"decline_code": "Choose the reason for declining."}},
		{
			"ErrUnknownCode",
			DeclineInput{Code: "whim", Text: "x"},
			FieldErrors{"decline_code": "Choose the reason for declining."},
		},
		{
			"ErrNoText",
			DeclineInput{Code: "other", Text: "  "},
			FieldErrors{"decline_text": "Explain the decision, so the person knows what to do next."},
		},
		{
			"ErrLongText",
			DeclineInput{Code: "other", Text: strings.Repeat("é", 1001)},
			FieldErrors{"decline_text": "The explanation must be 1,000 characters or fewer."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if got := in.Validate(); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
	in := DeclineInput{Code: " identity ", Text: " The names do not match. "}
	in.Validate()
	if in.Code != "identity" || in.Text != "The names do not match." {
		t.Fatalf("not trimmed: %+v", in)
	}
}

func TestDecision_DeclineReasonLabel(t *testing.T) {
	for code, want := range map[string]string{
		"not_eligible": "Profession not eligible", "identity": "Identity could not be confirmed",
		"worksite": "Worksite not eligible", "duplicate": "Duplicate request", "other": "Other", "nope": "",
	} {
		if got := DeclineReasonLabel(code); got != want {
			t.Errorf("%s: got %q, want %q", code, got, want)
		}
	}
}

func TestDecision_InfoQuestion(t *testing.T) {
	q, err := ValidateInfoQuestion("  Which clinic do you work at on Fridays? ")
	if err != nil || q != "Which clinic do you work at on Fridays?" {
		t.Fatalf("got %q, %v", q, err)
	}
	_, err = ValidateInfoQuestion(" ")
	if fe, _ := AsFieldErrors(err); fe["question"] != "Type the question the person must answer." {
		t.Fatalf("empty: %v", err)
	}
	_, err = ValidateInfoQuestion(strings.Repeat("a", 2001))
	if fe, _ := AsFieldErrors(err); fe["question"] != "The question must be 2,000 characters or fewer." {
		t.Fatalf("long: %v", err)
	}
}

func TestDecision_AccessTransitions(t *testing.T) {
	tests := []struct {
		action AccessAction
		from   []string
		to     string
	}{
		{AccessSuspend, []string{ARApproved}, ARSuspended},
		{AccessReinstate, []string{ARSuspended}, ARApproved},
		{AccessDeprovision, []string{ARApproved, ARSuspended}, ARDeprovisioned},
	}
	for _, tt := range tests {
		t.Run(string(tt.action), func(t *testing.T) {
			from, to, ok := AccessTransition(tt.action)
			if !ok || !reflect.DeepEqual(from, tt.from) || to != tt.to {
				t.Fatalf("got %v -> %s (%v), want %v -> %s", from, to, ok, tt.from, tt.to)
			}
		})
	}
	if _, _, ok := AccessTransition("revive"); ok {
		t.Fatal("unknown action accepted")
	}
	for status, want := range map[string][]AccessAction{
		ARApproved:      {AccessSuspend, AccessDeprovision},
		ARSuspended:     {AccessReinstate, AccessDeprovision},
		ARSubmitted:     nil,
		ARDeclined:      nil,
		ARDeprovisioned: nil,
	} {
		if got := AccessActionsFrom(status); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %v, want %v", status, got, want)
		}
	}
	if AccessSuspend.Label() != "Suspend access" || AccessDeprovision.Done() != "removed" {
		t.Fatalf("labels: %q %q", AccessSuspend.Label(), AccessDeprovision.Done())
	}
}

func TestDecision_ReviewDueAfter(t *testing.T) {
	approved := time.Date(2026, 2, 28, 18, 0, 0, 0, time.UTC)
	if got, want := ReviewDueAfter(approved), time.Date(2027, 2, 28, 18, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}
