package portal

import "time"

// ActionItem is one line of the Notification Centre's "Requests requiring
// your action". Every kind of request (joining a worksite, an invitation, a
// declaration to sign, later sponsorships) becomes one of these.
type ActionItem struct {
	Kind        string // "join_request", "invitation", "declaration", ...
	SubmittedAt time.Time
	Description string
	// DueAt, when set, is the date the action falls due, shown after the
	// description as "(due 26 Nov 2027)", then Consequence, if any.
	DueAt       time.Time
	Consequence string // what holds until the person acts, said after the due date
	ViewURL     string // the request's own page
	AcceptURL   string // POST target of Accept, or "" when deciding needs the request's page
	RejectURL   string // POST target of Reject, or "" when rejecting needs a reason on the request's page
	AcceptLabel string
}

// YourRequest is one line of "Your requests".
type YourRequest struct {
	Kind        string
	SubmittedAt time.Time
	Description string
	Status      string
	Detail      string
	ViewURL     string
}
