package portal

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// AccessRequestID identifies a CareConnect access request.
type AccessRequestID int64

// Access request statuses.
const (
	ARSubmitted     = "submitted"      // in the CareConnect team's queue
	ARInfoRequested = "info_requested" // the team asked the person for more information
	ARApproved      = "approved"       // access granted
	ARDeclined      = "declined"       // access refused
	ARSuspended     = "suspended"      // access paused (annual review overdue, or by the team)
	ARDeprovisioned = "deprovisioned"  // access removed for good
)

// ARStatusLabel names a status for people.
func ARStatusLabel(s string) string {
	switch s {
	case ARSubmitted:
		return "Pending approval"
	case ARInfoRequested:
		return "More information needed"
	case ARApproved:
		return "Approved"
	case ARDeclined:
		return "Declined"
	case ARSuspended:
		return "Suspended"
	case ARDeprovisioned:
		return "Access removed"
	}
	return s
}

// AccessRequest is a person's request for CareConnect access.
type AccessRequest struct {
	ID                 AccessRequestID
	Reference          string // CC-2026-000123, see ReferenceNumber
	AccountID          AccountID
	Status             string
	UserType           UserType
	Profession         Profession
	FirstName          string
	LastName           string
	Job                string
	CollegeID          string
	AttestCorrect      bool
	AttestDirectCare   bool
	AttestAnnualReview bool
	ReasonJobDuties    bool
	ReasonPatientCare  bool
	AllowedScopes      []DataScope
	GrantedScopes      []DataScope
	ClaimedBy          string
	ClaimedAt          time.Time
	DecidedBy          string
	DecidedAt          time.Time
	DecisionCode       string
	DecisionText       string
	InfoQuestion       string
	InfoAnswer         string
	ReviewDueAt        time.Time
	RemindersSent      string
	CreatedAt          time.Time
	UpdatedAt          time.Time
	WorksiteIDs        []WorksiteID
	SponsorshipIDs     []SponsorshipID
}

// Open reports whether the request still waits for a decision.
func (r *AccessRequest) Open() bool { return r.Status == ARSubmitted || r.Status == ARInfoRequested }

// StatusLabel names the status.
func (r *AccessRequest) StatusLabel() string { return ARStatusLabel(r.Status) }

// AccessRequestEvent is one step of a request's history.
type AccessRequestEvent struct {
	At         time.Time
	ActorKind  string
	ActorID    string
	ActorName  string
	FromStatus string
	ToStatus   string
	Note       string
}

// AccessRequestInput is the CareConnect Enrolment Form.
type AccessRequestInput struct {
	WorksiteIDs        []WorksiteID
	FirstName          string
	LastName           string
	Job                string
	CollegeID          string
	AttestCorrect      bool
	AttestDirectCare   bool
	AttestAnnualReview bool
	ReasonJobDuties    bool
	ReasonPatientCare  bool
}

// The form's attestations and reasons, as the form words them.
const (
	AttestCorrectText      = "The information provided on this form is correct"
	AttestDirectCareText   = "I require CareConnect access to support my job duties, and will only access CareConnect in support of direct clinical care. I understand and acknowledge that this request does not include access for purposes of secondary use such as research, quality improvement or quality assurance purposes."
	AttestAnnualReviewText = "In line with the Ministry of Health policy, a review of every user's access is required annually. As part of this annual review, please expect to be contacted to review and confirm if access is still required"
	ReasonJobDutiesText    = "I require access to CareConnect to adequately perform my job duties"
	ReasonPatientCareText  = "I require access to CareConnect to provide / support direct patient care"
)

// Validate checks the form: at least one clinic, the names and job, all
// three attestations and at least one reason.
func (in *AccessRequestInput) Validate() FieldErrors {
	fe := FieldErrors{}
	in.FirstName, in.LastName = strings.TrimSpace(in.FirstName), strings.TrimSpace(in.LastName)
	in.Job, in.CollegeID = strings.TrimSpace(in.Job), strings.TrimSpace(in.CollegeID)
	if len(in.WorksiteIDs) == 0 {
		fe.Add("clinics", "Choose at least one registered clinic.")
	}
	for field, v := range map[string]string{"first_name": in.FirstName, "last_name": in.LastName, "job": in.Job,
		"college_id": in.CollegeID} {
		fe.CheckText(field, v, false)
	}
	for field, v := range map[string]string{"first_name": in.FirstName, "last_name": in.LastName} {
		if v == "" {
			fe.Add(field, "Enter your "+strings.ReplaceAll(field, "_", " ")+".")
		} else if utf8.RuneCountInString(v) > 50 {
			fe.Add(field, "Use 50 characters or fewer.")
		}
	}
	switch n := utf8.RuneCountInString(in.Job); {
	case n == 0:
		fe.Add("job", "Describe your job, for example Family physician or Medical office assistant.")
	case n > 100:
		fe.Add("job", "Describe your job in 100 characters or fewer.")
	}
	if utf8.RuneCountInString(in.CollegeID) > 20 {
		fe.Add("college_id", "The college ID must be 20 characters or fewer.")
	}
	if !in.AttestCorrect {
		fe.Add("attest_correct", "Confirm that the information on this form is correct.")
	}
	if !in.AttestDirectCare {
		fe.Add("attest_direct_care", "Confirm that you will use CareConnect only for direct clinical care.")
	}
	if !in.AttestAnnualReview {
		fe.Add("attest_annual_review", "Confirm that you expect an annual review of your access.")
	}
	if !in.ReasonJobDuties && !in.ReasonPatientCare {
		fe.Add("reasons", "Tick at least one reason why you need CareConnect.")
	}
	return fe
}

// Standing is what the portal knows about where a person stands, from
// which the main menu's steps and the request's gate are computed.
type Standing struct {
	Account             *Account
	ApprovedWorksites   int
	AnyWorksites        int // active memberships, approved or not
	TrainingDone        bool
	TrainingOutdated    bool // completed an earlier version only
	HPCAADone           bool
	HPCAAOutdated       bool
	ActiveSponsorships  int
	PendingSponsorships int
	Request             *AccessRequest // the latest, if any
	// ProfessionReview is the CareConnect team's latest decision on an
	// "Other" profession, if any.
	ProfessionReview *ProfessionReview
}

// Step states.
const (
	StepComplete  = "complete"
	StepTodo      = "todo"
	StepLocked    = "locked"
	StepNotNeeded = "not_needed"
)

// Step is one tile of the main menu.
type Step struct {
	Key       string
	Title     string
	State     string
	Summary   string // what is true now
	Reason    string // why it is locked, or what to do next
	NextURL   string
	NextLabel string
}

// ApplicationAccessOpen reports whether the Application Access module is
// open: only to people with at least one approved worksite.
func (s *Standing) ApplicationAccessOpen() error {
	if s.ApprovedWorksites == 0 {
		return Errorf(
			EFORBIDDEN,
			"Application Access opens once you belong to an approved worksite. Join your worksite from My Worksites; if it is new, it must be approved by the CareConnect team first.",
		)
	}
	return nil
}

// Missing lists what still blocks a CareConnect access request, each as a
// step with a link to resolve it. An empty list means the request may go.
func (s *Standing) Missing() []Step {
	var out []Step
	ut := s.Account.UserType()
	if !ut.CanRequestAccess() {
		out = append(out, Step{Key: "eligibility", Title: "Eligibility", State: StepLocked,
			Reason:  "Your profession (" + s.Account.ProfessionLabel() + ") cannot request CareConnect access through this portal. " + ut.Description(),
			NextURL: "/help#faq", NextLabel: "Read who is eligible"})
		return out
	}
	if s.ApprovedWorksites == 0 {
		out = append(out, Step{Key: "worksite", Title: "Worksite", State: StepLocked,
			Reason: "You need at least one approved worksite.", NextURL: "/worksites", NextLabel: "My Worksites"})
	}
	for _, p := range s.Account.Prerequisites() {
		switch p {
		case PrereqTraining:
			if !s.TrainingDone {
				out = append(out, Step{Key: "training", Title: p.Label(), State: StepTodo,
					Reason: "Complete the " + p.Label() + ".", NextURL: "/training", NextLabel: "Start the training"})
			}
		case PrereqHPCAA:
			if !s.HPCAADone {
				out = append(out, Step{Key: "hpcaa", Title: p.Label(), State: StepTodo,
					Reason: "Sign the " + p.Label() + ".", NextURL: "/agreement", NextLabel: "Read and sign the agreement"})
			}
		}
	}
	if ut.NeedsAuthorizer() && s.ActiveSponsorships == 0 {
		reason := "An authorizer who shares your worksite must approve you to work on their behalf."
		if s.PendingSponsorships > 0 {
			reason = "Your request to an authorizer is waiting for their approval."
		}
		out = append(out, Step{Key: "sponsor", Title: "Authorizer", State: StepLocked, Reason: reason,
			NextURL: "/sponsorships", NextLabel: "Ask an authorizer"})
	}
	return out
}

// Steps computes the main menu's tiles: one per step of the journey, each
// complete, to do or locked with the reason and what to do next.
func (s *Standing) Steps() []Step {
	a := s.Account
	typeLabel := a.UserType().Label()
	if s.ProfessionReview.Declined() {
		typeLabel = UserNotEligible.Label()
	}
	steps := []Step{{Key: "account", Title: "HxBC Account", State: StepComplete,
		Summary: "Your HxBC account " + a.QualifiedUsername() + " is set up as " + a.ProfessionLabel() + " (" + typeLabel + ").",
		NextURL: "/account", NextLabel: "Manage My Account"}}
	if ut := a.UserType(); ut == UserNotEligible || ut == UserManualReview {
		// Nobody is sent to join worksites or take training for access
		// their profession cannot lead to, or may not once reviewed.
		return append(steps, s.eligibilitySteps(ut)...)
	}

	ws := Step{Key: "worksite", Title: "Worksites", NextURL: "/worksites", NextLabel: "My Worksites"}
	switch {
	case s.ApprovedWorksites > 0:
		ws.State, ws.Summary = StepComplete, plural(s.ApprovedWorksites,
			"approved worksite")+". If you work at several places, join each of them."
	case s.AnyWorksites > 0:
		ws.State, ws.Reason = StepTodo, "Your worksite is waiting for its Privacy & Security Declaration or for approval by the CareConnect team."
	default:
		ws.State, ws.Reason = StepTodo, "Every CareConnect user must belong to at least one clinical worksite. Join yours, or register it."
		ws.NextURL, ws.NextLabel = "/worksites/join", "Join a Worksite"
	}
	steps = append(steps, ws)

	for _, p := range a.Prerequisites() {
		st := Step{Key: string(p), Title: p.Label()}
		done, outdated := s.TrainingDone, s.TrainingOutdated
		st.NextURL, st.NextLabel = "/training", "Open the training"
		if p == PrereqHPCAA {
			done, outdated = s.HPCAADone, s.HPCAAOutdated
			st.NextURL, st.NextLabel = "/agreement", "Open the agreement"
		}
		switch {
		case done:
			st.State, st.Summary = StepComplete, "Completed (version "+p.Version()+")."
		case outdated:
			st.State, st.Reason = StepTodo, "A new version ("+p.Version()+") must be completed before new requests."
		default:
			st.State, st.Reason = StepTodo, "Complete this before you request CareConnect access."
		}
		steps = append(steps, st)
	}
	if a.UserType().NeedsAuthorizer() {
		st := Step{Key: "sponsor", Title: "Authorizer", NextURL: "/sponsorships", NextLabel: "Authorizers"}
		switch {
		case s.ActiveSponsorships > 0:
			st.State, st.Summary = StepComplete, "You work on behalf of "+plural(s.ActiveSponsorships, "authorizer")+"."
		case s.ApprovedWorksites == 0:
			st.State, st.Reason = StepLocked, "Join an approved worksite first: your authorizer must share it."
		default:
			st.State, st.Reason = StepTodo, "Ask an authorizer who shares your worksite to approve you to work on their behalf."
		}
		steps = append(steps, st)
	}

	app := Step{Key: "application", Title: "Application Access", NextURL: "/application", NextLabel: "View Application"}
	missing := s.Missing()
	switch {
	case s.ApprovedWorksites == 0 && a.UserType().CanRequestAccess():
		app.State, app.Reason, app.NextURL, app.NextLabel = StepLocked, "Application Access opens once you belong to an approved worksite.", "", ""
	case s.Request != nil && s.Request.Status == ARApproved:
		app.State, app.Summary = StepComplete, "Your CareConnect access is approved."
	case s.Request != nil && s.Request.Open():
		app.State, app.Summary = StepTodo, "Your CareConnect request is pending approval."
		if s.Request.Status == ARInfoRequested {
			app.Summary = "The CareConnect team needs more information about your request: answer their question."
		}
	case len(missing) > 0:
		app.State, app.Reason = StepLocked, missing[0].Reason
		if len(missing) > 1 {
			app.Reason += " (and " + plural(len(missing)-1, "more step") + ")"
		}
		if missing[0].Key == "eligibility" {
			app.NextURL, app.NextLabel = missing[0].NextURL, missing[0].NextLabel
		}
	default:
		app.State, app.Reason = StepTodo, "You can now request CareConnect access."
		app.NextURL, app.NextLabel = "/application/request", "Request CareConnect Access"
	}
	return append(steps, app)
}

// eligibilitySteps are the menu's tiles for a person whose profession is
// not eligible or is waiting for the CareConnect team's review: what stands,
// and the worksites they already belong to, but no step towards access.
func (s *Standing) eligibilitySteps(ut UserType) []Step {
	a := s.Account
	st := Step{Key: "eligibility", Title: "Eligibility", NextURL: "/help#faq", NextLabel: "Read who is eligible"}
	switch {
	case s.ProfessionReview.Declined():
		st.State, st.Summary = StepLocked, "Not eligible."
		st.Reason = "The CareConnect team has reviewed the profession you described (" + a.ProfessionLabel() + ") and decided " +
			"that it cannot be granted CareConnect access at present. Their reason: " + s.ProfessionReview.Reason
	case ut == UserManualReview:
		st.State, st.Summary = StepTodo, "Under review."
		st.Reason = "The CareConnect team is reviewing the profession you described (" + a.ProfessionLabel() + "). " +
			"We will email you once they have decided; your next steps will appear here then."
	default:
		st.State = StepLocked
		st.Reason = "Your profession (" + a.ProfessionLabel() + ") cannot be granted CareConnect access at present, " +
			"so there is no worksite to join or training to take for it. If you chose the wrong profession, " +
			"or think this is a mistake, contact the CareConnect team."
	}
	out := []Step{st}
	if s.AnyWorksites > 0 {
		out = append(out, Step{Key: "worksite", Title: "Worksites", State: StepComplete,
			Summary: "You belong to " + plural(s.AnyWorksites,
				"worksite") + ".", NextURL: "/worksites", NextLabel: "My Worksites"})
	}
	return out
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// RequestStatus is a person's latest CareConnect request with its history
// and worksites, or a nil Request when they have made none.
type RequestStatus struct {
	Request   *AccessRequest
	Events    []AccessRequestEvent
	Worksites []*Worksite
}
