package portal

import (
	"strings"
	"time"
	"unicode/utf8"
)

// DeclineReasons are the reasons the CareConnect team gives when it
// declines an access request, in the order the decision form lists them.
// The code is stored with the decision; the label is what the person reads.
var DeclineReasons = []struct {
	Code  string
	Label string
}{
	{"not_eligible", "Profession not eligible"},
	{"identity", "Identity could not be confirmed"},
	{"worksite", "Worksite not eligible"},
	{"duplicate", "Duplicate request"},
	{"other", "Other"},
}

// DeclineReasonLabel names a decline reason code, or returns "" for an
// unknown one.
func DeclineReasonLabel(code string) string {
	for _, r := range DeclineReasons {
		if r.Code == code {
			return r.Label
		}
	}
	return ""
}

// Limits on what the CareConnect team types with a decision.
const (
	DecisionTextMax = 1000 // a decline's explanation, a suspension's reason
	InfoQuestionMax = 2000 // a request for more information
)

// DeclineInput is the CareConnect team's decline of an access request:
// a reason code from DeclineReasons and an explanation for the person.
type DeclineInput struct {
	Code string
	Text string
}

// Validate checks that a known reason is chosen and explained.
func (in *DeclineInput) Validate() FieldErrors {
	fe := FieldErrors{}
	in.Code, in.Text = strings.TrimSpace(in.Code), strings.TrimSpace(in.Text)
	if DeclineReasonLabel(in.Code) == "" {
		fe.Add("decline_code", "Choose the reason for declining.")
	}
	fe.CheckText("decline_text", in.Text, true)
	switch n := utf8.RuneCountInString(in.Text); {
	case n == 0:
		fe.Add("decline_text", "Explain the decision, so the person knows what to do next.")
	case n > DecisionTextMax:
		fe.Add("decline_text", "The explanation must be 1,000 characters or fewer.")
	}
	return fe
}

// ValidateInfoQuestion checks the question the team asks a person before
// deciding; it returns the question trimmed.
func ValidateInfoQuestion(q string) (string, error) {
	q = strings.TrimSpace(q)
	if !ValidText(q, true) {
		return q, FieldErrors{"question": InvalidTextMessage}
	}
	switch n := utf8.RuneCountInString(q); {
	case n == 0:
		return q, FieldErrors{"question": "Type the question the person must answer."}
	case n > InfoQuestionMax:
		return q, FieldErrors{"question": "The question must be 2,000 characters or fewer."}
	}
	return q, nil
}

// AccessAction is something the CareConnect team does to a person's
// access after it was approved.
type AccessAction string

// The actions on approved access.
const (
	AccessSuspend     AccessAction = "suspend"     // pause access
	AccessReinstate   AccessAction = "reinstate"   // resume paused access
	AccessDeprovision AccessAction = "deprovision" // remove access for good
)

// accessTransitions says from which statuses each action moves access, and
// to which status. It is the one place to change these rules.
var accessTransitions = []struct {
	Action AccessAction
	From   []string
	To     string
	Label  string // the button
	Done   string // what happened, for messages
}{
	{AccessSuspend, []string{ARApproved}, ARSuspended, "Suspend access", "suspended"},
	{AccessReinstate, []string{ARSuspended}, ARApproved, "Reinstate access", "reinstated"},
	{AccessDeprovision, []string{ARApproved, ARSuspended}, ARDeprovisioned, "Remove access", "removed"},
}

// AccessTransition returns the statuses an action moves from and the
// status it moves to; ok is false for an unknown action.
func AccessTransition(a AccessAction) (from []string, to string, ok bool) {
	for _, t := range accessTransitions {
		if t.Action == a {
			return t.From, t.To, true
		}
	}
	return nil, "", false
}

// AccessActionsFrom lists the actions allowed on access in a status, in
// the order the person page shows them.
func AccessActionsFrom(status string) []AccessAction {
	var out []AccessAction
	for _, t := range accessTransitions {
		for _, f := range t.From {
			if f == status {
				out = append(out, t.Action)
			}
		}
	}
	return out
}

// Label is the action's button text, e.g. "Suspend access".
func (a AccessAction) Label() string {
	for _, t := range accessTransitions {
		if t.Action == a {
			return t.Label
		}
	}
	return string(a)
}

// Done says what the action did, e.g. "suspended".
func (a AccessAction) Done() string {
	for _, t := range accessTransitions {
		if t.Action == a {
			return t.Done
		}
	}
	return string(a)
}

// ReviewDueAfter returns when the annual review of access approved at
// approved falls due: one year later.
func ReviewDueAfter(approved time.Time) time.Time { return approved.AddDate(1, 0, 0) }

// DecisionTiming is when a request was first submitted and first decided.
type DecisionTiming struct {
	RequestID   AccessRequestID
	SubmittedAt time.Time
	DecidedAt   time.Time
	Outcome     string // ARApproved or ARDeclined
}

// Took is the time from submission to decision.
func (d DecisionTiming) Took() time.Duration { return d.DecidedAt.Sub(d.SubmittedAt) }
