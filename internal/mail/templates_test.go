package mail

import (
	"io/fs"
	"os"
	"path"
	"strings"
	"testing"
)

func sampleCommon(name string) Common {
	return Common{
		PortalName:    "my.CareConnect",
		PortalURL:     "https://mycareconnect.example/",
		SupportEmail:  "support@mycareconnect.example",
		RecipientName: name,
	}
}

func sampleConfirmation(email string) Confirmation {
	return Confirmation{Email: email, URL: "https://mycareconnect.example/account/email/confirm/c0ffee", Code: "482913",
		ExpiresAt: "27 Nov 2026 at 10:00 AM PST"}
}

func ptr[T any](v T) *T { return &v }

type templateCase struct {
	name     string // test row name
	template string
	data     any
	subject  string   // exact subject
	want     []string // facts that must appear in both bodies
	wantText []string // facts for the text body only
}

func templateCases() []templateCase {
	return append([]templateCase{
		{
			name: "account created", template: "account_created",
			data: AccountCreated{
				Common:   sampleCommon("Dalia Ng"),
				Username: "dalia18",
				Confirm:  sampleConfirmation("dalia@example.ca"),
			},
			subject: "Your new HxBC account",
			want: []string{`HXBC\dalia18`, "Hello Dalia Ng,", "registered for an HxBC account", "BC Services Card",
				"dalia@example.ca", "https://mycareconnect.example/account/email/confirm/c0ffee", "482913", "27 Nov 2026 at 10:00 AM PST",
				"Manage My Account", "you can ignore this"},
		},
		{
			name: "email confirmation", template: "email_confirmation",
			data: EmailConfirmation{
				Common:  sampleCommon("Dalia Ng"),
				Confirm: sampleConfirmation("dalia@example.ca"),
			},
			subject: "Confirm your email address for my.CareConnect",
			want: []string{
				"Hello Dalia Ng,",
				"dalia@example.ca",
				"https://mycareconnect.example/account/email/confirm/c0ffee",
				"482913",
				"27 Nov 2026 at 10:00 AM PST",
				"BC Services Card",
				"earlier emails no longer do",
				"accept an invitation to a worksite",
			},
		},
		{
			name: "contact changed, new address to confirm", template: "contact_changed",
			data: ContactChanged{
				Common:  sampleCommon("Dalia Ng"),
				Confirm: ptr(sampleConfirmation("dalia@new.example")),
				Changes: []FieldChange{
					{Field: "Email address", Old: "dalia@old.example", New: "dalia@new.example"},
				},
			},
			subject: "Your HxBC contact details were updated",
			want: []string{"dalia@new.example", "previously dalia@old.example", "but confirm your new email address",
				"https://mycareconnect.example/account/email/confirm/c0ffee", "482913", "BC Services Card"},
		},
		{
			name: "password changed", template: "password_changed",
			data: PasswordChanged{
				Common:    sampleCommon("Dalia Ng"),
				Username:  "dalia18",
				ChangedAt: "2 March 2026 at 9:14 a.m. PST",
			},
			subject: "Your HxBC password was changed",
			want:    []string{`HXBC\dalia18`, "2 March 2026 at 9:14 a.m. PST", "If you did not"},
		},
		{
			name: "contact changed", template: "contact_changed",
			data: ContactChanged{Common: sampleCommon("Dalia Ng"), Changes: []FieldChange{
				{Field: "Phone", Old: "250-555-0199", New: "250-555-0100"},
				{Field: "Mobile", Old: "", New: "604-555-0123"},
			}},
			subject: "Your HxBC contact details were updated",
			want:    []string{"Phone", "250-555-0100", "previously 250-555-0199", "604-555-0123", "previously not set"},
		},
		{
			name: "contact changed, old address", template: "contact_changed",
			data: ContactChanged{Common: sampleCommon("Dalia Ng"), ToOldAddress: true, Changes: []FieldChange{
				{Field: "Email", Old: "dalia@old.example", New: "dalia@new.example"},
			}},
			subject: "Your HxBC email address was changed",
			want: []string{
				"dalia@new.example",
				"previously dalia@old.example",
				"has been replaced",
				"support@mycareconnect.example",
			},
		},
		{
			name: "username reminder", template: "username_reminder",
			data:    UsernameReminder{Common: sampleCommon(""), Username: "dalia18"},
			subject: "Your HxBC username",
			want:    []string{`HXBC\dalia18`, "Hello,"},
		},
		{
			name: "worksite registered, pending", template: "worksite_registered",
			data: WorksiteRegistered{
				Common:       sampleCommon("Dalia Ng"),
				WorksiteName: "Harbour Clinic",
				WorksiteID:   "K7Q2M9X",
				Address:      "12 Wharf St, Victoria BC",
				Pending:      true,
			},
			subject: "Worksite registered: Harbour Clinic (ID K7Q2M9X)",
			want:    []string{"K7Q2M9X", "Harbour Clinic", "12 Wharf St, Victoria BC", "waiting to be reviewed"},
		},
		{
			name: "worksite registered, active", template: "worksite_registered",
			data: WorksiteRegistered{
				Common:       sampleCommon("Dalia Ng"),
				WorksiteName: "Harbour Clinic",
				WorksiteID:   "K7Q2M9X",
			},
			subject: "Worksite registered: Harbour Clinic (ID K7Q2M9X)",
			want:    []string{"K7Q2M9X", "now active"},
		},
		{
			name: "worksite invitation", template: "worksite_invitation",
			data: WorksiteInvitation{
				Common:       sampleCommon("Sam Lee"),
				InviterName:  "Dalia Ng",
				WorksiteName: "Harbour Clinic",
				WorksiteID:   "K7Q2M9X",
				AcceptURL:    "https://mycareconnect.example/invitations/abc123",
				ExpiresOn:    "16 March 2026",
			},
			subject: "Dalia Ng invited you to join Harbour Clinic",
			want:    []string{"K7Q2M9X", "https://mycareconnect.example/invitations/abc123", "16 March 2026"},
		},
		{
			name: "worksite join request", template: "worksite_join_request",
			data: WorksiteJoinRequest{
				Common:         sampleCommon("Dalia Ng"),
				RequesterName:  "Sam Lee",
				RequesterEmail: "sam@clinic.example",
				WorksiteName:   "Harbour Clinic",
				Comment:        "I started on Monday.",
				RequestURL:     "https://mycareconnect.example/requests/77",
			},
			subject: "Sam Lee asked to join Harbour Clinic",
			want: []string{
				"sam@clinic.example",
				"I started on Monday.",
				"https://mycareconnect.example/requests/77",
				"does not approve anything",
				"sign in",
			},
		},
		{
			name: "worksite join approved", template: "worksite_join_decided",
			data: WorksiteJoinDecided{
				Common:       sampleCommon("Sam Lee"),
				WorksiteName: "Harbour Clinic",
				Approved:     true,
			},
			subject: "Your request to join Harbour Clinic was approved",
			want:    []string{"was approved"},
		},
		{
			name: "worksite join declined", template: "worksite_join_decided",
			data: WorksiteJoinDecided{
				Common:       sampleCommon("Sam Lee"),
				WorksiteName: "Harbour Clinic",
				Reason:       "Not on our staff list.",
			},
			subject: "Your request to join Harbour Clinic was declined",
			want:    []string{"was declined", "Not on our staff list.", "speak to an administrator"},
		},
		{
			name: "worksite join declined with the worksite", template: "worksite_join_decided",
			data: WorksiteJoinDecided{
				Common:           sampleCommon("Sam Lee"),
				WorksiteName:     "Harbour Clinic",
				Reason:           "Not a clinical site.",
				WorksiteDeclined: true,
				JoinURL:          "https://mycareconnect.example/worksites/join",
			},
			subject: "Your request to join Harbour Clinic was declined",
			want: []string{"the CareConnect team did not approve Harbour Clinic as a worksite", "Not a clinical site.",
				"https://mycareconnect.example/worksites/join"},
		},
		{
			name: "worksite approved", template: "worksite_decided",
			data: WorksiteDecided{
				Common:       sampleCommon("Dalia Ng"),
				WorksiteName: "Harbour Clinic",
				WorksiteID:   "K4T6CLP",
				Approved:     true,
				WorksiteURL:  "https://mycareconnect.example/worksites/3",
			},
			subject: "Harbour Clinic was approved by the CareConnect team",
			want:    []string{"K4T6CLP", "https://mycareconnect.example/worksites/3"},
		},
		{
			name: "worksite declined", template: "worksite_decided",
			data: WorksiteDecided{
				Common:       sampleCommon("Dalia Ng"),
				WorksiteName: "Harbour Clinic",
				WorksiteID:   "K4T6CLP",
				Reason:       "Not a clinical site.",
			},
			subject: "Harbour Clinic was not approved by the CareConnect team",
			want: []string{"Not a clinical site.", "every membership of the worksite (yours included) has ended",
				"stays listed under My Worksites", "See My Worksites"},
		},
		{
			name: "access request received", template: "access_request_received",
			data: AccessRequestReceived{
				Common:    sampleCommon("Sam Lee"),
				StatusURL: "https://mycareconnect.example/application/status",
			},
			subject: "We received your CareConnect access request",
			want:    []string{"queue", "https://mycareconnect.example/application/status"},
		},
		{
			name: "remote access approved", template: "remote_access_decided",
			data: RemoteAccessDecided{
				Common:   sampleCommon("Sam Lee"),
				Approved: true,
				Address:  "1 Main St, Victoria V8W 1A1",
			},
			subject: "Your remote access request was approved",
			want:    []string{"1 Main St, Victoria V8W 1A1", "approved"},
		},
		{
			name: "remote access declined", template: "remote_access_decided",
			data:    RemoteAccessDecided{Common: sampleCommon("Sam Lee"), Reason: "Not a home office."},
			subject: "Your remote access request was declined",
			want:    []string{"Not a home office."},
		},
		{
			name: "membership ended", template: "membership_ended",
			data:    MembershipEnded{Common: sampleCommon("Sam Lee"), WorksiteName: "Harbour Clinic"},
			subject: "Your membership of Harbour Clinic has ended",
			want:    []string{"Harbour Clinic", "site administrator"},
		},
		{
			name: "membership ended with the worksite", template: "membership_ended",
			data: MembershipEnded{
				Common:           sampleCommon("Sam Lee"),
				WorksiteName:     "Harbour Clinic",
				WorksiteDeclined: true,
				Reason:           "Not a clinical site.",
			},
			subject: "Your membership of Harbour Clinic has ended",
			want: []string{
				"The CareConnect team did not approve",
				"Harbour Clinic",
				"Not a clinical site.",
				"My Worksites",
			},
		},
		{
			name: "declaration requested", template: "declaration_requested",
			data: DeclarationRequested{
				Common:         sampleCommon("Pat Chan"),
				WorksiteName:   "Harbour Clinic",
				WorksiteID:     "K7Q2M9X",
				RegistrantName: "Dalia Ng",
				DeclarationURL: "https://mycareconnect.example/declarations/9",
			},
			subject: "Action needed: Privacy & Security Declaration for Harbour Clinic",
			want: []string{
				"K7Q2M9X",
				"Dalia Ng",
				"https://mycareconnect.example/declarations/9",
				"signing authority",
			},
			wantText: []string{"Privacy & Security Declaration"},
		},
		{
			name: "sponsorship requested", template: "sponsorship_requested",
			data: SponsorshipRequested{
				Common:         sampleCommon("Dalia Ng"),
				RequesterName:  "Sam Lee",
				RequesterEmail: "sam@clinic.example",
				WorksiteName:   "Harbour Clinic",
				Message:        "I start at the front desk on Monday.",
				RequestURL:     "https://mycareconnect.example/sponsorships/12",
			},
			subject: "Sam Lee would like to work on your behalf at Harbour Clinic",
			want: []string{
				"sam@clinic.example",
				"on your behalf",
				"I start at the front desk on Monday.",
				"https://mycareconnect.example/sponsorships/12",
				"does not approve anything",
				"revoke",
			},
		},
		{
			name: "sponsorship requested, resident", template: "sponsorship_requested",
			data: SponsorshipRequested{
				Common:         sampleCommon("Dalia Ng"),
				RequesterName:  "Rae Kim",
				RequesterEmail: "rae@clinic.example",
				WorksiteName:   "Harbour Clinic",
				ResidencyStart: "1 Jul 2026",
				ResidencyEnd:   "30 Jun 2027",
				RequestURL:     "https://mycareconnect.example/sponsorships/13",
			},
			subject: "Rae Kim would like to work on your behalf at Harbour Clinic",
			want:    []string{"medical resident", "1 Jul 2026", "30 Jun 2027", "ends by itself"},
		},
		{
			name: "sponsorship approved", template: "sponsorship_decided",
			data: SponsorshipDecided{
				Common:         sampleCommon("Sam Lee"),
				AuthorizerName: "Dalia Ng",
				WorksiteName:   "Harbour Clinic",
				Approved:       true,
				SponsorshipURL: "https://mycareconnect.example/sponsorships/12",
			},
			subject: "Your request to work on behalf of Dalia Ng was approved",
			want: []string{
				"approved your request",
				"Harbour Clinic",
				"https://mycareconnect.example/sponsorships/12",
			},
		},
		{
			name: "sponsorship approved, resident", template: "sponsorship_decided",
			data: SponsorshipDecided{
				Common:         sampleCommon("Rae Kim"),
				AuthorizerName: "Dalia Ng",
				WorksiteName:   "Harbour Clinic",
				Approved:       true,
				ResidencyEnd:   "30 Jun 2027",
				SponsorshipURL: "https://mycareconnect.example/sponsorships/13",
			},
			subject: "Your request to work on behalf of Dalia Ng was approved",
			want:    []string{"ends by itself after 30 Jun 2027"},
		},
		{
			name: "sponsorship declined", template: "sponsorship_decided",
			data: SponsorshipDecided{
				Common:         sampleCommon("Sam Lee"),
				AuthorizerName: "Dalia Ng",
				WorksiteName:   "Harbour Clinic",
				Reason:         "You work with Dr. Chan, not me.",
				SponsorshipURL: "https://mycareconnect.example/sponsorships/12",
			},
			subject: "Your request to work on behalf of Dalia Ng was declined",
			want:    []string{"declined your request", "You work with Dr. Chan, not me.", "another authorizer"},
		},
		{
			name: "sponsorship revoked, last one", template: "sponsorship_ended",
			data: SponsorshipEnded{
				Common:         sampleCommon("Sam Lee"),
				AuthorizerName: "Dalia Ng",
				WorksiteName:   "Harbour Clinic",
				Revoked:        true,
				Reason:         "Left the clinic.",
			},
			subject: "Dalia Ng ended your sponsorship",
			want: []string{
				"Harbour Clinic",
				"Left the clinic.",
				"No other authorizer who can sponsor you remains",
				"has CareConnect access of their own",
			},
		},
		{
			name: "residency ended, another sponsor left", template: "sponsorship_ended",
			data: SponsorshipEnded{
				Common:            sampleCommon("Rae Kim"),
				AuthorizerName:    "Dalia Ng",
				WorksiteName:      "Harbour Clinic",
				ResidencyEnd:      "30 Jun 2027",
				RemainingSponsors: 1,
			},
			subject: "Your sponsorship by Dalia Ng ended with your residency",
			want:    []string{"Your residency ended on 30 Jun 2027", "another authorizer", "continues"},
		},
		{
			name: "sponsorship withdrawn", template: "sponsorship_withdrawn",
			data: SponsorshipWithdrawn{
				Common:       sampleCommon("Dalia Ng"),
				OBOName:      "Sam Lee",
				WorksiteName: "Harbour Clinic",
				Reason:       "I moved to another clinic.",
			},
			subject: "Sam Lee no longer works on your behalf",
			want: []string{
				"Sam Lee",
				"Harbour Clinic",
				"I moved to another clinic.",
				"You do not need to do anything",
			},
		},
		{
			name: "access lapsed", template: "access_lapsed",
			data: AccessLapsed{
				Common:          sampleCommon("Sam Lee"),
				Cause:           "Dalia Ng's own CareConnect access was suspended.",
				SponsorshipsURL: "https://mycareconnect.example/sponsorships",
				StatusURL:       "https://mycareconnect.example/application/status",
			},
			subject: "Your CareConnect access has lapsed",
			want: []string{"Your CareConnect access has lapsed", "own CareConnect access was suspended.",
				"does not come back by itself", "https://mycareconnect.example/sponsorships", "CareConnect access of their own",
				"enrolled physician", "support@mycareconnect.example", "reinstate your access", "https://mycareconnect.example/application/status"},
		},
		{
			name: "access scopes narrowed", template: "access_scopes_narrowed",
			data: AccessScopesNarrowed{
				Common: sampleCommon("Sam Lee"),
				Cause:  "Dalia Ng's own CareConnect access was suspended.",
				Removed: []ScopeText{
					{Label: "Laboratory results", Description: "Results of laboratory tests."},
				},
				Kept: []ScopeText{
					{
						Label:       "Demographics",
						Description: "Name, date of birth, personal health number, address and contact details.",
					},
				},
				SponsorshipsURL: "https://mycareconnect.example/sponsorships",
				StatusURL:       "https://mycareconnect.example/application/status",
			},
			subject: "You now see less in CareConnect",
			want: []string{"You keep your CareConnect access", "own CareConnect access was suspended.", "no longer see",
				"Laboratory results", "Results of laboratory tests.", "Demographics", "https://mycareconnect.example/sponsorships",
				"support@mycareconnect.example", "does not come back by itself", "https://mycareconnect.example/application/status"},
		},
		{
			name: "access suspended, no worksite", template: "access_no_worksite",
			data: AccessNoWorksite{Common: sampleCommon("Sam Lee"), WorksiteName: "Harbour Clinic",
				JoinURL: "https://mycareconnect.example/worksites/join", StatusURL: "https://mycareconnect.example/application/status"},
			subject: "Your CareConnect access is suspended: you no longer belong to a worksite",
			want: []string{
				"Your membership of",
				"Harbour Clinic",
				"no longer belong to any approved worksite",
				"suspended",
				"https://mycareconnect.example/worksites/join",
				"Worksite ID",
				"support@mycareconnect.example",
				"reinstate your access",
				"does not come back by itself",
				"https://mycareconnect.example/application/status",
			},
		},
		{
			name: "access suspended, no worksite, on behalf of", template: "access_no_worksite",
			data: AccessNoWorksite{Common: sampleCommon("Mona Ng"), WorksiteName: "Harbour Clinic", OnBehalfOf: true,
				JoinURL: "https://mycareconnect.example/worksites/join", StatusURL: "https://mycareconnect.example/application/status"},
			subject: "Your CareConnect access is suspended: you no longer belong to a worksite",
			want: []string{
				"ask one who works there to sponsor you, under Authorizer on the Main Menu",
				"reinstate your access",
			},
		},
		{
			name: "access approved", template: "access_approved",
			data: AccessApproved{Common: sampleCommon("Sam Lee"), Scopes: []ScopeText{
				{
					Label:       "Demographics",
					Description: "Name, date of birth, personal health number, address and contact details.",
				},
				{Label: "Laboratory results", Description: "Results of laboratory tests."},
			}, ReviewDue: "26 Nov 2027", StatusURL: "https://mycareconnect.example/application/status"},
			subject: "Your CareConnect access is approved",
			want: []string{
				"approved your CareConnect access request",
				"Demographics",
				"Name, date of birth, personal health number",
				"Laboratory results",
				"26 Nov 2027",
				"https://mycareconnect.example/application/status",
			},
		},
		{
			name: "access declined", template: "access_declined",
			data: AccessDeclined{Common: sampleCommon("Sam Lee"), Reason: "Identity could not be confirmed",
				Text: "The name on the form does not match your card.", StatusURL: "https://mycareconnect.example/application/status"},
			subject: "Your CareConnect access request was declined",
			want: []string{
				"Reason: Identity could not be confirmed",
				"The name on the form does not match your card.",
				"new request",
			},
		},
		{
			name: "access info needed", template: "access_info_needed",
			data: AccessInfoNeeded{Common: sampleCommon("Sam Lee"), Question: "Which clinic do you work at on Fridays?",
				StatusURL: "https://mycareconnect.example/application/status"},
			subject: "More information needed for your CareConnect access request",
			want: []string{
				"Which clinic do you work at on Fridays?",
				"https://mycareconnect.example/application/status",
				"goes back to the CareConnect team",
			},
		},
		{
			name: "access suspended", template: "access_suspended",
			data: AccessChanged{
				Common:    sampleCommon("Sam Lee"),
				Reason:    "Privacy investigation.",
				StatusURL: "https://mycareconnect.example/application/status",
			},
			subject: "Your CareConnect access is suspended",
			want:    []string{"suspended your CareConnect access", "Privacy investigation.", "reinstated"},
		},
		{
			name: "access reinstated", template: "access_reinstated",
			data: AccessChanged{
				Common:    sampleCommon("Sam Lee"),
				Reason:    "Investigation closed.",
				StatusURL: "https://mycareconnect.example/application/status",
			},
			subject: "Your CareConnect access is reinstated",
			want:    []string{"reinstated your CareConnect access", "Investigation closed."},
		},
		{
			name: "access deprovisioned", template: "access_deprovisioned",
			data: AccessChanged{
				Common:    sampleCommon("Sam Lee"),
				Reason:    "Left the province.",
				StatusURL: "https://mycareconnect.example/application/status",
			},
			subject: "Your CareConnect access has been removed",
			want:    []string{"removed your CareConnect access", "Left the province.", "new access request"},
		},
		{
			name: "review reminder, 30 days", template: "review_reminder",
			data: ReviewReminder{
				Common:     sampleCommon("Sam Lee"),
				DaysBefore: 30,
				DaysLeft:   "30 days",
				DueDate:    "26 Nov 2027",
				SuspendOn:  "26 Dec 2027",
				ReviewURL:  "https://mycareconnect.example/review",
			},
			subject: "Confirm that you still need CareConnect access by 26 Nov 2027",
			want: []string{
				"26 Nov 2027",
				"30 days from now",
				"26 Dec 2027",
				"suspended",
				"https://mycareconnect.example/review",
			},
		},
		{
			name: "review reminder, 1 day", template: "review_reminder",
			data: ReviewReminder{
				Common:     sampleCommon("Sam Lee"),
				DaysBefore: 1,
				DaysLeft:   "1 day",
				DueDate:    "26 Nov 2027",
				SuspendOn:  "26 Dec 2027",
				ReviewURL:  "https://mycareconnect.example/review",
			},
			subject: "Confirm that you still need CareConnect access by 26 Nov 2027",
			want:    []string{"1 day from now", "https://mycareconnect.example/review"},
		},
		{
			name: "leave recorded, access paused", template: "leave_recorded",
			data: LeaveRecorded{
				Common:      sampleCommon("Sam Lee"),
				Kind:        "Parental leave",
				Start:       "2027-01-04",
				Return:      "2027-07-05",
				PauseAccess: true,
				ReviewDue:   "May 28, 2028",
				LeaveURL:    "https://mycareconnect.example/account/leave",
			},
			subject: "Your leave is recorded: 2027-01-04 to 2027-07-05",
			want: []string{
				"Parental leave",
				"paused from 2027-01-04",
				"comes back by itself on 2027-07-05",
				"May 28, 2028",
				"https://mycareconnect.example/account/leave",
			},
		},
		{
			name: "leave recorded, access kept", template: "leave_recorded",
			data: LeaveRecorded{
				Common:   sampleCommon("Sam Lee"),
				Kind:     "Sabbatical",
				Start:    "2027-01-04",
				Return:   "2027-02-01",
				LeaveURL: "https://mycareconnect.example/account/leave",
			},
			subject: "Your leave is recorded: 2027-01-04 to 2027-02-01",
			want:    []string{"Sabbatical", "stays as it is"},
		},
		{
			name: "leave ended early, access paused", template: "leave_changed",
			data: LeaveChanged{
				Common:        sampleCommon("Sam Lee"),
				Kind:          "Parental leave",
				Start:         "2027-01-04",
				PlannedReturn: "2027-07-05",
				Return:        "2027-03-01",
				AccessPaused:  true,
				ReviewDue:     "2028-03-24",
				LeaveURL:      "https://mycareconnect.example/account/leave",
			},
			subject: "Your leave now ends on 2027-03-01",
			want: []string{
				"ended your Parental leave early",
				"instead of 2027-07-05",
				"paused for the leave, comes back now",
				"2028-03-24",
				"https://mycareconnect.example/account/leave",
			},
		},
		{
			name: "leave cancelled", template: "leave_changed",
			data: LeaveChanged{
				Common:        sampleCommon("Sam Lee"),
				Kind:          "Sabbatical",
				Start:         "2027-01-04",
				PlannedReturn: "2027-02-01",
				Return:        "2027-01-04",
				Cancelled:     true,
				LeaveURL:      "https://mycareconnect.example/account/leave",
			},
			subject: "Your leave from 2027-01-04 is cancelled",
			want:    []string{"cancelled your Sabbatical", "no longer counts it as time away"},
		},
		{
			name: "leave ended, restored", template: "leave_ended",
			data: LeaveEnded{
				Common:    sampleCommon("Sam Lee"),
				Return:    "2027-07-05",
				Restored:  true,
				StatusURL: "https://mycareconnect.example/application/status",
			},
			subject: "Welcome back: your CareConnect access is restored",
			want:    []string{"2027-07-05", "is restored", "https://mycareconnect.example/application/status"},
		},
		{
			name: "leave ended, licence lapsed", template: "leave_ended",
			data: LeaveEnded{
				Common:    sampleCommon("Sam Lee"),
				Return:    "2027-07-05",
				Licence:   "the College of Physicians and Surgeons of BC last reported your licence 12345 as lapsed",
				StatusURL: "https://mycareconnect.example/application/status",
			},
			subject: "Your leave has ended: your CareConnect access stays suspended",
			want:    []string{"reported your licence 12345 as lapsed. Once the registry", "the CareConnect team can restore"},
		},
		{
			name: "leave ended, not restored", template: "leave_ended",
			data: LeaveEnded{
				Common:    sampleCommon("Sam Lee"),
				Return:    "2027-07-05",
				StatusURL: "https://mycareconnect.example/application/status",
			},
			subject: "Your leave has ended: your CareConnect access stays suspended",
			want:    []string{"cannot be restored", "contact the CareConnect team"},
		},
		{
			name: "dormancy reminder", template: "dormancy_reminder",
			data: DormancyReminder{Common: sampleCommon("Sam Lee"), DaysLeft: "30 days", LastActivity: "May 30, 2027",
				SuspendOn: "November 26, 2027", LimitDays: 180, SignInURL: "https://mycareconnect.example/dormant"},
			subject: "Sign in to keep your CareConnect access after November 26, 2027",
			want: []string{
				"since",
				"May 30, 2027",
				"not used for 180 days",
				"November 26, 2027",
				"30 days from now",
				"https://mycareconnect.example/dormant",
			},
		},
		{
			name: "dormancy suspended", template: "dormancy_suspended",
			data: DormancySuspended{Common: sampleCommon("Sam Lee"), LastActivity: "May 30, 2027", LimitDays: 180,
				ConfirmURL: "https://mycareconnect.example/dormant"},
			subject: "Your CareConnect access is suspended: not used for 180 days",
			want: []string{
				"May 30, 2027",
				"suspended as unused",
				"It is not removed",
				"https://mycareconnect.example/dormant",
			},
		},
		{
			name: "dormancy reactivated", template: "dormancy_reactivated",
			data: DormancyReactivated{
				Common:    sampleCommon("Sam Lee"),
				LimitDays: 180,
				StatusURL: "https://mycareconnect.example/application/status",
			},
			subject: "Your CareConnect access is restored",
			want: []string{
				"is restored",
				"not used for 180 days",
				"https://mycareconnect.example/application/status",
			},
		},
		{
			name: "review suspended", template: "review_suspended",
			data: ReviewSuspended{
				Common:    sampleCommon("Sam Lee"),
				DueDate:   "26 Nov 2027",
				ReviewURL: "https://mycareconnect.example/review",
			},
			subject: "Your CareConnect access is suspended: annual review not completed",
			want: []string{
				"was due on",
				"26 Nov 2027",
				"is suspended",
				"reinstated",
				"https://mycareconnect.example/review",
			},
		},
		{
			name: "licence suspended", template: "licence_suspended",
			data: LicenceSuspended{
				Common:    sampleCommon("Sam Lee"),
				College:   "College of Physicians and Surgeons of BC",
				Number:    "12345",
				Status:    "lapsed",
				StatusURL: "https://mycareconnect.example/application/status",
			},
			subject: "Your CareConnect access is suspended: your licence is lapsed",
			want: []string{
				"College of Physicians and Surgeons of BC",
				"12345",
				"lapsed",
				"is suspended",
				"reinstates your access",
				"https://mycareconnect.example/application/status",
			},
		},
		{
			name: "licence team suspended", template: "licence_team_suspended",
			data: LicenceTeam{
				Common:    sampleCommon("CareConnect team"),
				Person:    `Sam Lee (HXBC\sam.lee)`,
				College:   "College of Pharmacists of BC",
				Number:    "P-100",
				Status:    "suspended",
				Detail:    "College of Pharmacists of BC registry, licence P-100: status Suspended.",
				PersonURL: "https://mycareconnect.example/staff/people/7",
			},
			subject: `Access suspended: Sam Lee (HXBC\sam.lee)'s licence is suspended`,
			want: []string{"daily licence check suspended", "P-100", "registry, licence P-100: status Suspended.",
				"https://mycareconnect.example/staff/people/7"},
		},
		{
			name: "licence team restored", template: "licence_team_restored",
			data: LicenceTeam{
				Common:    sampleCommon("CareConnect team"),
				Person:    `Sam Lee (HXBC\sam.lee)`,
				College:   "College of Pharmacists of BC",
				Number:    "P-100",
				Status:    "active",
				Detail:    "College of Pharmacists of BC registry, licence P-100: status Active.",
				PersonURL: "https://mycareconnect.example/staff/people/7",
			},
			subject: `Licence restored: Sam Lee (HXBC\sam.lee) may be reinstated`,
			want: []string{
				"active again",
				"still suspended",
				"reinstate it",
				"https://mycareconnect.example/staff/people/7",
			},
		},
		{
			name: "review confirmed", template: "review_confirmed",
			data: ReviewConfirmed{
				Common:    sampleCommon("Sam Lee"),
				NextDue:   "26 Nov 2028",
				StatusURL: "https://mycareconnect.example/application/status",
			},
			subject: "Your CareConnect access is confirmed",
			want: []string{
				"Thank you for confirming",
				"26 Nov 2028",
				"https://mycareconnect.example/application/status",
			},
		},
		{
			name: "review confirmed, reinstated", template: "review_confirmed",
			data: ReviewConfirmed{
				Common:     sampleCommon("Sam Lee"),
				NextDue:    "26 Nov 2028",
				Reinstated: true,
				StatusURL:  "https://mycareconnect.example/application/status",
			},
			subject: "Your CareConnect access is confirmed and reinstated",
			want:    []string{"is reinstated", "26 Nov 2028"},
		},
		{
			name: "review members due", template: "review_members_due",
			data: ReviewMembersDue{
				Common:       sampleCommon("Dalia Ng"),
				WorksiteName: "Harbour Clinic",
				WorksiteID:   "K7Q2M9X",
				DueDate:      "26 Nov 2027",
				ReviewURL:    "https://mycareconnect.example/worksites/3/review",
			},
			subject: "Confirm the members of Harbour Clinic",
			want: []string{
				"Harbour Clinic",
				"K7Q2M9X",
				"26 Nov 2027",
				"decommission",
				"https://mycareconnect.example/worksites/3/review",
				"only a signed-in site administrator",
			},
		},
		{
			name: "profession placed", template: "profession_reviewed",
			data: ProfessionReviewed{
				Common:     sampleCommon("Dora Lee"),
				Described:  "Clinic pharmacist",
				Profession: "Pharmacist",
				UserType:   "Independent user",
				Meaning:    "You request CareConnect access yourself.",
				Reason:     "Registered with the college.",
				MenuURL:    "https://mycareconnect.example/menu",
			},
			subject: "Your profession has been reviewed: you can continue",
			want: []string{"Clinic pharmacist", "recorded your profession as", "Pharmacist", "Independent user",
				"You request CareConnect access yourself.", "Registered with the college.", "https://mycareconnect.example/menu"},
		},
		{
			name: "profession declined", template: "profession_reviewed",
			data: ProfessionReviewed{Common: sampleCommon("Dora Lee"), Described: "Doula", Declined: true,
				Reason: "Doulas are not regulated health professionals.", MenuURL: "https://mycareconnect.example/menu"},
			subject: "Your profession cannot be granted CareConnect access",
			want: []string{
				"Doula",
				"cannot be granted CareConnect access at present",
				"Doulas are not regulated health professionals.",
				"no further steps",
			},
		},
		{
			name: "locum ending, to the locum", template: "locum_ending",
			data: LocumEnding{
				Common:       sampleCommon("Lou Cum"),
				WorksiteName: "Harbour Clinic",
				WorksiteCode: "K7Q2M9X",
				LocumName:    "Lou Cum",
				LastDay:      "12 Dec 2026",
				URL:          "https://mycareconnect.example/worksites/3",
			},
			subject: "Your locum term at Harbour Clinic ends on 12 Dec 2026",
			want: []string{
				"You work at",
				"Harbour Clinic",
				"K7Q2M9X",
				"12 Dec 2026",
				"ends automatically",
				"site administrator to set the new last day",
			},
		},
		{
			name: "locum ending, to an administrator", template: "locum_ending",
			data: LocumEnding{
				Common:       sampleCommon("Dalia Ng"),
				WorksiteName: "Harbour Clinic",
				WorksiteCode: "K7Q2M9X",
				LocumName:    "Lou Cum",
				LastDay:      "12 Dec 2026",
				ToAdmin:      true,
				URL:          "https://mycareconnect.example/worksites/3",
			},
			subject: "Lou Cum's locum term at Harbour Clinic ends on 12 Dec 2026",
			want: []string{
				"Lou Cum works at",
				"12 Dec 2026",
				"automatically",
				"https://mycareconnect.example/worksites/3",
			},
		},
	}, handoverTemplateCases()...)
}

func loadTemplates(t *testing.T) *Templates {
	t.Helper()
	tpl, err := LoadTemplates()
	if err != nil {
		t.Fatalf("LoadTemplates: %v", err)
	}
	return tpl
}

// mustRender renders an email, failing the test on an error.
func mustRender(t *testing.T, tpl *Templates, name string, data any) (subject, text, html string) {
	t.Helper()
	subject, text, html, err := tpl.Render(name, data)
	if err != nil {
		t.Fatalf("Render %s: %v", name, err)
	}
	return subject, text, html
}

// wantAll fails for each of wants that body, named what, lacks.
func wantAll(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, body)
		}
	}
}

func TestRenderTemplates(t *testing.T) {
	tpl := loadTemplates(t)
	for _, tc := range templateCases() {
		t.Run(tc.name, func(t *testing.T) {
			subject, text, html := mustRender(t, tpl, tc.template, tc.data)
			if subject != tc.subject {
				t.Errorf("subject = %q, want %q", subject, tc.subject)
			}
			wantAll(t, "text", text, tc.want...)
			wantAll(t, "html", html, tc.want...)
			wantAll(t, "text", text, tc.wantText...)
			// Every email signs off and ends with the "not expected" line.
			lastLine := "If you did not expect this email, please contact the CareConnect team at support@mycareconnect.example."
			if !strings.HasSuffix(text, lastLine+"\n") {
				t.Errorf("text does not end with the support line:\n%s", text)
			}
			if !strings.Contains(text, "\nThe CareConnect team\n") {
				t.Errorf("text lacks the sign-off:\n%s", text)
			}
			if !strings.Contains(html, `<a href="mailto:support@mycareconnect.example"`) {
				t.Errorf("html lacks the support link:\n%s", html)
			}
			if !strings.Contains(html, "The CareConnect team") {
				t.Errorf("html lacks the sign-off")
			}
			if !strings.Contains(html, `<html lang="en">`) {
				t.Errorf("html lacks lang")
			}
			if n := strings.Count(html, "<h1"); n > 1 {
				t.Errorf("html has %d h1 elements", n)
			}
			if strings.Contains(html, "<img") {
				t.Errorf("html contains an image")
			}
			if strings.Contains(text, "<no value>") || strings.Contains(html, "<no value>") {
				t.Errorf("missing data rendered as <no value>")
			}
			if strings.Contains(text, "\n\n\n") {
				t.Errorf("text has runs of blank lines:\n%s", text)
			}
			if testing.Verbose() && os.Getenv("MAIL_SHOW") != "" {
				t.Logf("SUBJECT: %s\n--- TEXT ---\n%s--- HTML ---\n%s", subject, text, html)
			}
		})
	}
}

// TestEveryTemplateHasARow fails when an email template has no test row.
func TestEveryTemplateHasARow(t *testing.T) {
	tpl := loadTemplates(t)
	covered := map[string]bool{}
	for _, tc := range templateCases() {
		covered[tc.template] = true
	}
	files, err := fs.Glob(templateFS, "templates/*.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	var emails int
	for _, f := range files {
		base := path.Base(f)
		if strings.HasPrefix(base, "_") {
			continue
		}
		emails++
		name := strings.TrimSuffix(base, ".tmpl")
		if !covered[name] {
			t.Errorf("template %s has no test row", f)
		}
	}
	if got := len(tpl.Names()); got != emails || emails == 0 {
		t.Errorf("Names() has %d entries, templates/ has %d emails", got, emails)
	}
}

func TestRenderEscapesHTML(t *testing.T) {
	tpl := loadTemplates(t)
	evil := `<script>alert("x")</script>`
	cases := []struct {
		template string
		data     any
	}{
		{"account_created", AccountCreated{Common: sampleCommon(evil), Username: "dalia18"}},
		{
			"worksite_join_request",
			WorksiteJoinRequest{
				Common:         sampleCommon("Dalia"),
				RequesterName:  evil,
				RequesterEmail: "x@example.org",
				WorksiteName:   evil,
				Comment:        evil,
				RequestURL:     "https://mycareconnect.example/requests/1",
			},
		},
		{
			"worksite_invitation",
			WorksiteInvitation{
				Common:       sampleCommon("Sam"),
				InviterName:  evil,
				WorksiteName: "Clinic",
				WorksiteID:   "K7Q2M9X",
				AcceptURL:    "javascript:alert(1)",
			},
		},
	}
	for _, c := range cases {
		subject, text, html := mustRender(t, tpl, c.template, c.data)
		if strings.Contains(html, "<script>") {
			t.Errorf("%s: html contains an unescaped <script>:\n%s", c.template, html)
		}
		if !strings.Contains(html, "&lt;script&gt;") {
			t.Errorf("%s: html lacks the escaped name", c.template)
		}
		if strings.Contains(html, `href="javascript:`) {
			t.Errorf("%s: html contains a javascript: link", c.template)
		}
		// The plain-text parts are not HTML and keep the text as written.
		if c.template != "worksite_invitation" && !strings.Contains(text, evil) {
			t.Errorf("%s: text altered the name", c.template)
		}
		if strings.ContainsAny(subject, "\r\n") {
			t.Errorf("%s: subject spans lines", c.template)
		}
	}
}

func TestRenderSubjectIsOneLine(t *testing.T) {
	tpl := loadTemplates(t)
	subject, _, _ := mustRender(t, tpl, "worksite_join_request", WorksiteJoinRequest{
		Common: sampleCommon("Dalia"), RequesterName: "Sam\r\nBcc: victim@example.org", WorksiteName: "Clinic",
	})
	if strings.ContainsAny(subject, "\r\n") {
		t.Fatalf("subject spans lines: %q", subject)
	}
}

func TestRenderErrors(t *testing.T) {
	tpl := loadTemplates(t)
	if _, _, _, err := tpl.Render("no_such_email", nil); err == nil {
		t.Error("unknown template: want error")
	}
	// Data of the wrong type is an error, not a half-rendered email.
	if _, _, _, err := tpl.Render("account_created", WorksiteJoinDecided{}); err == nil {
		t.Error("wrong data type: want error")
	}
}

// The username reminder sends people to the BC Services Card, the only
// way in; there is no password reset on the sign-in page.
func TestRenderUsernameReminderWording(t *testing.T) {
	tpl := loadTemplates(t)
	_, text, html := mustRender(t, tpl, "username_reminder",
		UsernameReminder{Common: sampleCommon(""), Username: "dalia18"})
	for _, body := range []string{text, html} {
		if strings.Contains(body, "reset it from the sign-in page") {
			t.Errorf("the reminder offers a reset the sign-in page does not have:\n%s", body)
		}
		wantAll(t, "the reminder", body, "BC Services Card", "Manage My Account")
	}
}

// Emails name the menu step as the menu does ("Authorizer"), never a
// "Sponsorship" page the person cannot find.
func TestRenderNamesTheAuthorizerStep(t *testing.T) {
	tpl := loadTemplates(t)
	for _, tc := range templateCases() {
		_, text, html := mustRender(t, tpl, tc.template, tc.data)
		if strings.Contains(text+html, "under Sponsorship") {
			t.Errorf("%s: speaks of a Sponsorship page", tc.name)
		}
	}
}

// Every email sends people in with the BC Services Card; none asks for
// the HxBC username and password to sign in to the portal.
func TestRenderSignInIsTheCard(t *testing.T) {
	tpl := loadTemplates(t)
	for _, tc := range templateCases() {
		_, text, html := mustRender(t, tpl, tc.template, tc.data)
		for _, bad := range []string{"sign in with your HxBC account", "password you chose", "reset it from the sign-in page"} {
			if strings.Contains(strings.ToLower(text+html), strings.ToLower(bad)) {
				t.Errorf("%s: says %q", tc.name, bad)
			}
		}
	}
}

// An invitation to an address with no HxBC account says what the first
// sign-in asks for; one to an account holder does not.
func TestRenderInvitationFirstVisit(t *testing.T) {
	tpl := loadTemplates(t)
	data := WorksiteInvitation{
		Common:       sampleCommon(""),
		InviterName:  "Dalia Ng",
		WorksiteName: "Harbour Clinic",
		WorksiteID:   "K7Q2M9X",
		AcceptURL:    "https://mycareconnect.example/invitations/abc123",
		ExpiresOn:    "18 Dec 2026",
	}
	steps := []string{
		"sign in with your BC Services Card",
		"HxBC account form",
		"college ID",
		"MSP billing number",
		"username and a password",
		"phone number",
		"come back to this invitation",
	}
	for _, has := range []bool{false, true} {
		data.HasAccount = has
		_, text, html := mustRender(t, tpl, "worksite_invitation", data)
		for _, body := range []string{text, html} {
			if !strings.Contains(body, "The invitation expires on 18 Dec 2026.") {
				t.Errorf("has account %v: no expiry day:\n%s", has, body)
			}
			for _, want := range steps[1:] {
				if strings.Contains(body, want) == has {
					t.Errorf("has account %v: %q shown %v:\n%s", has, want, !has, body)
				}
			}
			if !strings.Contains(strings.ToLower(body), strings.ToLower(steps[0])) {
				t.Errorf("has account %v: lacks %q", has, steps[0])
			}
		}
	}
}

// Approvals end with the next step and a link to its page.
func TestRenderApprovalsGiveTheNextStep(t *testing.T) {
	tpl := loadTemplates(t)
	cases := []struct {
		template string
		data     any
		want     []string
	}{
		{
			"worksite_decided",
			WorksiteDecided{
				Common:       sampleCommon("Dalia"),
				WorksiteName: "Harbour Clinic",
				WorksiteID:   "K7Q2M9X",
				Approved:     true,
				WorksiteURL:  "https://mycareconnect.example/worksites/3",
			},
			[]string{"Your next step", "invite the people", "https://mycareconnect.example/worksites/3"},
		},
		{
			"worksite_join_decided",
			WorksiteJoinDecided{Common: sampleCommon("Sam"), WorksiteName: "Harbour Clinic", Approved: true,
				NextURL: "https://mycareconnect.example/application"},
			[]string{"Your next step", "Application Access", "https://mycareconnect.example/application"},
		},
		{
			"sponsorship_decided",
			SponsorshipDecided{
				Common:         sampleCommon("Rae"),
				AuthorizerName: "Dalia Ng",
				WorksiteName:   "Harbour Clinic",
				Approved:       true,
				SponsorshipURL: "https://mycareconnect.example/sponsorships/13",
				EnrolmentURL:   "https://mycareconnect.example/application/request",
			},
			[]string{
				"Your next step",
				"CareConnect Enrolment Form",
				"name Dalia Ng as your authorizer",
				"https://mycareconnect.example/application/request",
			},
		},
	}
	for _, c := range cases {
		_, text, html := mustRender(t, tpl, c.template, c.data)
		for _, body := range []string{text, html} {
			wantAll(t, c.template, body, c.want...)
		}
	}
}

// The named signer learns that signing needs the BC Services Card only,
// not a practitioner's HxBC account.
func TestRenderDeclarationForNonPractitioners(t *testing.T) {
	tpl := loadTemplates(t)
	_, text, html := mustRender(t, tpl, "declaration_requested",
		DeclarationRequested{Common: sampleCommon("Olive Owner"), WorksiteName: "Harbour Clinic",
			WorksiteID: "K7Q2M9X", RegistrantName: "Omar MANAGER", DeclarationURL: "https://mycareconnect.example/declarations/abc"},
	)
	for _, body := range []string{text, html} {
		wantAll(t, "the declaration request", body, "sign in with your BC Services Card",
			"You do not need to use CareConnect yourself to sign", "Continue to the declaration",
			"https://mycareconnect.example/declarations/abc")
	}
}
