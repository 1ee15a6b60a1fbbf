package app_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

// boStaff makes a member of the CareConnect team with a role and a name.
func boStaff(t *testing.T, a *app.App, key, given, surname, role string) *portal.Staff {
	t.Helper()
	email := key + "@careconnect.example"
	if _, err := a.GrantStaffRole(ctx, meta, "test", email, role); err != nil {
		t.Fatal(err)
	}
	s, err := a.StaffSignIn(ctx, meta, portal.CardIdentity{Issuer: "https://staff-idp.test", Subject: "staff-" + key,
		GivenNames: given, Surname: surname, Email: email, EmailVerified: true})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// oliviaOfficer makes Olivia OFFICER, an officer of the CareConnect team.
func oliviaOfficer(t *testing.T, a *app.App) *portal.Staff {
	t.Helper()
	return boStaff(t, a, "olivia", "Olivia", "OFFICER", portal.RoleOfficer)
}

// boApplicant registers a person (a physician unless edit says otherwise)
// with an approved worksite of their own and both prerequisites, and
// submits their CareConnect access request.
func boApplicant(
	t *testing.T,
	a *app.App,
	key, given, surname, unit string,
	edit func(*portal.RegistrationInput),
) (*portal.Account, *portal.AccessRequest) {
	t.Helper()
	in := validInput()
	in.Email, in.Username = key+"@example.ca", key
	if edit != nil {
		edit(&in)
	}
	c := card(key)
	c.GivenNames, c.Surname = given, surname
	p, err := a.Register(ctx, meta, c, in)
	if err != nil {
		t.Fatalf("register %s: %v", key, err)
	}
	wi := worksiteInput(given + "'s Clinic")
	wi.Manual.Unit = unit
	w := approvedWorksite(t, a, p, wi)
	if _, err := a.SubmitQuiz(ctx, meta, p, rightAnswers()); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SignHPCAA(ctx, meta, p, portal.HPCAASignature{FullName: p.LegalName(), Agree: true}); err != nil {
		t.Fatal(err)
	}
	r, err := a.SubmitAccessRequest(ctx, meta, p, portal.AccessRequestInput{WorksiteIDs: []portal.WorksiteID{w.ID},
		FirstName: given, LastName: surname, Job: "Family physician", AttestCorrect: true, AttestDirectCare: true,
		AttestAnnualReview: true, ReasonPatientCare: true})
	if err != nil {
		t.Fatalf("submit %s: %v", key, err)
	}
	return p, r
}

// boClaimed starts an app in which Olivia OFFICER has claimed the access
// request boApplicant submitted for Dalia EIGHTEEN (key dalia, unit 101).
func boClaimed(t *testing.T, db *store.DB) (*app.App, *portal.Staff, *portal.Account, *portal.AccessRequest) {
	t.Helper()
	a := newApp(t, db)
	olivia := oliviaOfficer(t, a)
	p, r := boApplicant(t, a, "dalia", "Dalia", "EIGHTEEN", "101", nil)
	boClaim(t, a, olivia, r.ID)
	return a, olivia, p, r
}

// boChangeAccess has a member of the team act on a person's access.
func boChangeAccess(t *testing.T, a *app.App, s *portal.Staff, id portal.AccountID, action portal.AccessAction,
	reason string) {
	t.Helper()
	if _, err := a.ChangeAccess(ctx, meta, s, id, action, reason); err != nil {
		t.Fatal(err)
	}
}

func boPharmacist(in *portal.RegistrationInput) {
	in.Profession, in.CollegeID = string(portal.ProfPharmacist), "P-20417"
}

// boEmailKinds lists the kinds of the emails sent to an address, oldest first.
func boEmailKinds(t *testing.T, db *store.DB, to string) []string {
	t.Helper()
	var out []string
	for _, e := range emailsTo(t, db, to) { // newest first
		out = append([]string{e.Kind}, out...)
	}
	return out
}

// boRequestAudit lists the audit actions about a request.
func boRequestAudit(t *testing.T, db *store.DB, id portal.AccessRequestID) []string {
	t.Helper()
	return actionsOf(requestAudit(t, db, id))
}

// accountFeed returns the change-feed events about a person, oldest first.
func accountFeed(t *testing.T, db *store.DB, id portal.AccountID) []store.ProvisioningEvent {
	t.Helper()
	evs, err := db.Read().FindProvisioningEvents(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.ProvisioningEvent
	for _, e := range evs {
		if e.AccountID == id {
			out = append(out, e)
		}
	}
	return out
}

// boProvisioning lists the provisioning event types of a person.
func boProvisioning(t *testing.T, db *store.DB, id portal.AccountID) []string {
	t.Helper()
	var out []string
	for _, e := range accountFeed(t, db, id) {
		out = append(out, e.Type)
	}
	return out
}

// boWantFeed fails the test unless the person's provisioning feed is
// exactly want.
func boWantFeed(t *testing.T, db *store.DB, id portal.AccountID, want ...string) {
	t.Helper()
	if got := boProvisioning(t, db, id); !reflect.DeepEqual(got, want) {
		t.Fatalf("provisioning of account %d: %v, want %v", id, got, want)
	}
}

func boRequest(t *testing.T, db *store.DB, id portal.AccessRequestID) *portal.AccessRequest {
	t.Helper()
	r, err := db.Read().FindAccessRequestByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func boWantMessage(t *testing.T, err error, code, msg string) {
	t.Helper()
	if portal.ErrorCode(err) != code || portal.ErrorMessage(err) != msg {
		t.Fatalf("got %v, want %s %q", err, code, msg)
	}
}

func boWantField(t *testing.T, err error, field, msg string) {
	t.Helper()
	fe, ok := portal.AsFieldErrors(err)
	if !ok || fe[field] != msg {
		t.Fatalf("got %v, want %s: %q", err, field, msg)
	}
}

func boClaim(t *testing.T, a *app.App, s *portal.Staff, id portal.AccessRequestID) {
	t.Helper()
	if err := a.ClaimAccessRequest(ctx, meta, s, id); err != nil {
		t.Fatal(err)
	}
}

func TestBackoffice_ClaimAndRelease(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		olivia := oliviaOfficer(t, a)
		oscar := boStaff(t, a, "oscar", "Oscar", "OFFICER", portal.RoleOfficer)
		ada := boStaff(t, a, "ada", "Ada", "ADMIN", portal.RoleAdministrator)
		aaron := boStaff(t, a, "aaron", "Aaron", "AUDITOR", portal.RoleAuditor)
		_, r := boApplicant(t, a, "dalia", "Dalia", "EIGHTEEN", "101", nil)

		t.Run("RaceExactlyOneWins", func(t *testing.T) {
			officers := []*portal.Staff{olivia, oscar}
			errs := bothAtOnce(func(i int) error { return a.ClaimAccessRequest(ctx, meta, officers[i], r.ID) })
			winner, loser := -1, -1
			for i, err := range errs {
				if err == nil {
					winner = i
				} else {
					loser = i
				}
			}
			if winner < 0 || loser < 0 {
				t.Fatalf("errors %v: want exactly one winner", errs)
			}
			want := officers[winner].Name + " claimed this request on 26 Nov 2026 at 10:00 AM."
			boWantMessage(t, errs[loser], portal.ECONFLICT, want)
			if got := boRequest(t, db, r.ID).ClaimedBy; got != "staff:"+itoa(int64(officers[winner].ID)) {
				t.Fatalf("claimed by %q", got)
			}
			if got := boRequestAudit(t, db, r.ID); !reflect.DeepEqual(
				got,
				[]string{"access.requested", "access.claimed"},
			) {
				t.Fatalf("audit %v", got)
			}
			// The loser releases nothing; the winner does.
			err := a.ReleaseAccessRequest(ctx, meta, officers[loser], r.ID)
			boWantMessage(
				t,
				err,
				portal.EFORBIDDEN,
				"Only "+officers[winner].Name+", who claimed this request, or an administrator can release it.",
			)
			if err := a.ReleaseAccessRequest(ctx, meta, officers[winner], r.ID); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("ClaimTwiceBySameOfficer", func(t *testing.T) {
			boClaim(t, a, olivia, r.ID)
			boClaim(t, a, olivia, r.ID)
			claims := 0
			for _, e := range requestHistory(t, db, r.ID) {
				if e.Note == "Taken for review by the CareConnect team." {
					claims++
				}
			}
			if claims != 2 { // one in the race, one now
				t.Fatalf("%d claims in the history, want 2", claims)
			}
		})
		t.Run("AdministratorReleasesAnyClaim", func(t *testing.T) {
			if err := a.ReleaseAccessRequest(ctx, meta, ada, r.ID); err != nil {
				t.Fatal(err)
			}
			if got := boRequest(t, db, r.ID); got.ClaimedBy != "" || !got.ClaimedAt.IsZero() {
				t.Fatalf("still claimed by %q", got.ClaimedBy)
			}
			boWantMessage(
				t,
				a.ReleaseAccessRequest(ctx, meta, olivia, r.ID),
				portal.ECONFLICT,
				"This request is not claimed by anyone.",
			)
		})
		t.Run("AuditorRefused", func(t *testing.T) {
			msg := "Your role in the CareConnect team does not include access requests."
			boWantMessage(t, a.ClaimAccessRequest(ctx, meta, aaron, r.ID), portal.EFORBIDDEN, msg)
			boWantMessage(t, a.ReleaseAccessRequest(ctx, meta, aaron, r.ID), portal.EFORBIDDEN, msg)
			_, err := a.Queue(ctx, aaron, app.QueueQuery{})
			boWantMessage(t, err, portal.EFORBIDDEN, msg)
			_, err = a.ReviewAccessRequest(ctx, meta, aaron, r.ID)
			boWantMessage(t, err, portal.EFORBIDDEN, msg)
			_, err = a.Person(ctx, meta, aaron, r.AccountID)
			boWantMessage(t, err, portal.EFORBIDDEN, msg)
			_, err = a.ApproveAccessRequest(ctx, meta, aaron, r.ID, nil)
			boWantMessage(t, err, portal.EFORBIDDEN, msg)
			_, err = a.ChangeAccess(ctx, meta, aaron, r.AccountID, portal.AccessSuspend, "x")
			boWantMessage(t, err, portal.EFORBIDDEN, msg)
			_, err = a.WorksiteQueue(ctx, aaron)
			boWantMessage(t, err, portal.EFORBIDDEN, msg)
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			wantCode(t, a.ClaimAccessRequest(ctx, meta, olivia, 9999), portal.ENOTFOUND)
		})
	})
}

func TestBackoffice_DecideNeedsClaim(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		olivia := oliviaOfficer(t, a)
		oscar := boStaff(t, a, "oscar", "Oscar", "OFFICER", portal.RoleOfficer)
		p, r := boApplicant(t, a, "dalia", "Dalia", "EIGHTEEN", "101", nil)
		all := []portal.DataScope{portal.ScopeDemographics}

		_, err := a.ApproveAccessRequest(ctx, meta, olivia, r.ID, all)
		boWantMessage(t, err, portal.ECONFLICT, "Claim this request before you decide on it.")
		_, err = a.DeclineAccessRequest(ctx, meta, olivia, r.ID, portal.DeclineInput{Code: "other", Text: "No."})
		boWantMessage(t, err, portal.ECONFLICT, "Claim this request before you decide on it.")
		_, err = a.RequestMoreInformation(ctx, meta, olivia, r.ID, "Why?")
		boWantMessage(t, err, portal.ECONFLICT, "Claim this request before you decide on it.")

		boClaim(t, a, oscar, r.ID)
		_, err = a.ApproveAccessRequest(ctx, meta, olivia, r.ID, all)
		boWantMessage(
			t,
			err,
			portal.ECONFLICT,
			"Oscar OFFICER claimed this request on 26 Nov 2026 at 10:00 AM; only they can decide on it until they release it.",
		)

		wantStatus(t, db, r, portal.ARSubmitted)
		if got := boEmailKinds(t, db, p.Email); !reflect.DeepEqual(
			got,
			[]string{"account_created", "worksite_registered", "worksite_decided", "access_request_received"},
		) {
			t.Fatalf("emails %v", got)
		}
		boWantFeed(t, db, p.ID)
	})
}

func TestBackoffice_Approve(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		olivia := oliviaOfficer(t, a)
		p, r := boApplicant(t, a, "dalia", "Dalia", "EIGHTEEN", "101", nil)
		ph, pr := boApplicant(t, a, "pat", "Pat", "PHARMACIST", "102", boPharmacist)
		boClaim(t, a, olivia, r.ID)
		boClaim(t, a, olivia, pr.ID)

		t.Run("ErrWiden", func(t *testing.T) {
			widened := []portal.DataScope{portal.ScopeDemographics, portal.ScopePharmaNet}
			_, err := a.ApproveAccessRequest(ctx, meta, olivia, pr.ID, widened)
			boWantField(
				t,
				err,
				"scopes",
				"An officer may narrow the data scopes, never widen them: PharmaNet medications is not allowed for this profession.",
			)
			_, err = a.ApproveAccessRequest(ctx, meta, olivia, pr.ID, []portal.DataScope{"everything"})
			boWantField(
				t,
				err,
				"scopes",
				`An officer may narrow the data scopes, never widen them: "everything" is not allowed for this profession.`,
			)
		})
		t.Run("ErrNoScope", func(t *testing.T) {
			_, err := a.ApproveAccessRequest(ctx, meta, olivia, pr.ID, nil)
			boWantField(t, err, "scopes", "Choose at least one data scope to grant.")
			if got := boRequest(t, db, pr.ID); got.Status != portal.ARSubmitted || got.GrantedScopes != nil {
				t.Fatalf("refused approval changed the request: %+v", got)
			}
			boWantFeed(t, db, ph.ID)
		})
		t.Run("Narrowed", func(t *testing.T) {
			repeated := []portal.DataScope{portal.ScopeLabResults, portal.ScopeDemographics, portal.ScopeLabResults}
			got, err := a.ApproveAccessRequest(ctx, meta, olivia, r.ID, repeated)
			if err != nil {
				t.Fatal(err)
			}
			now := a.Now().UTC()
			if got.Status != portal.ARApproved || !reflect.DeepEqual(got.GrantedScopes, []portal.DataScope{portal.ScopeDemographics, portal.ScopeLabResults}) ||
				!got.ReviewDueAt.Equal(now.AddDate(1, 0, 0)) ||
				!got.DecidedAt.Equal(now) ||
				got.DecidedBy != "staff:"+itoa(int64(olivia.ID)) ||
				got.Open() {
				t.Fatalf("approved request %+v", got)
			}
			var approvedAt int64
			if err := db.SQL().QueryRow(store.Rebind(db.Dialect(), "SELECT approved_at FROM access_requests WHERE id = ?"), int64(r.ID)).Scan(&approvedAt); err != nil ||
				approvedAt != now.UnixMilli() {
				t.Fatalf("approved_at %d (%v), want %d", approvedAt, err, now.UnixMilli())
			}
			e := wantOneEmail(t, db, p.Email, "access_approved", "Demographics: Name, date of birth",
				"Laboratory results: Results of laboratory tests.", "26 Nov 2027", "https://portal.test/application/status")
			if strings.Contains(e.Text, "PharmaNet") {
				t.Errorf("approval email names a scope not granted")
			}
			if got := boRequestAudit(t, db, r.ID); !reflect.DeepEqual(
				got,
				[]string{"access.requested", "access.claimed", "access.approved"},
			) {
				t.Fatalf("audit %v", got)
			}
			boWantFeed(t, db, p.ID, app.ProvUserProvisioned)
			last := lastHistory(t, db, r.ID)
			if last.ToStatus != portal.ARApproved ||
				last.Note != "Approved. Data scopes granted: Demographics, Laboratory results." ||
				last.ActorID != "staff:"+itoa(int64(olivia.ID)) {
				t.Fatalf("history %+v", last)
			}
		})
		t.Run("ErrDecidedAlready", func(t *testing.T) {
			decline := portal.DeclineInput{Code: "other", Text: "Changed my mind."}
			_, err := a.DeclineAccessRequest(ctx, meta, olivia, r.ID, decline)
			boWantMessage(
				t,
				err,
				portal.ECONFLICT,
				"This request was already approved by Olivia OFFICER on 26 Nov 2026 at 10:00 AM.",
			)
			boWantMessage(
				t,
				a.ClaimAccessRequest(ctx, meta, olivia, r.ID),
				portal.ECONFLICT,
				"This request was already approved by Olivia OFFICER on 26 Nov 2026 at 10:00 AM.",
			)
			mustEmails(t, db, p.Email, "access_declined", 0)
		})
		t.Run("ConcurrentDecisionsOneStands", func(t *testing.T) {
			errs := bothAtOnce(func(i int) (err error) {
				if i == 0 {
					_, err = a.ApproveAccessRequest(ctx, meta, olivia, pr.ID, []portal.DataScope{portal.ScopeDemographics})
				} else {
					_, err = a.DeclineAccessRequest(ctx, meta, olivia, pr.ID,
						portal.DeclineInput{Code: "identity", Text: "Names differ."})
				}
				return err
			})
			if (errs[0] == nil) == (errs[1] == nil) {
				t.Fatalf("errors %v: want exactly one decision", errs)
			}
			cur := boRequest(t, db, pr.ID)
			for _, err := range errs {
				if err != nil {
					boWantMessage(
						t,
						err,
						portal.ECONFLICT,
						"This request was already "+cur.Status+" by Olivia OFFICER on 26 Nov 2026 at 10:00 AM.",
					)
				}
			}
			if n := len(emailsTo(t, db, ph.Email)); n != 5 { // four before the decision, one decision
				t.Fatalf("%d emails to the pharmacist, want 5", n)
			}
		})
	})
}

func TestBackoffice_Decline(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, olivia, p, r := boClaimed(t, db)

		_, err := a.DeclineAccessRequest(ctx, meta, olivia, r.ID, portal.DeclineInput{Text: "No."})
		boWantField(t, err, "decline_code", "Choose the reason for declining.")
		_, err = a.DeclineAccessRequest(ctx, meta, olivia, r.ID, portal.DeclineInput{Code: "identity", Text: " "})
		boWantField(t, err, "decline_text", "Explain the decision, so the person knows what to do next.")

		decline := portal.DeclineInput{Code: "identity", Text: "The name on the form is not the name on your card."}
		got, err := a.DeclineAccessRequest(ctx, meta, olivia, r.ID, decline)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != portal.ARDeclined || got.DecisionCode != "identity" ||
			got.DecisionText != "The name on the form is not the name on your card." ||
			got.Open() {
			t.Fatalf("declined request %+v", got)
		}
		es := mustEmails(t, db, p.Email, "access_declined", 1)
		if !strings.Contains(
			es[0].Text,
			"Reason: Identity could not be confirmed\nThe name on the form is not the name on your card.",
		) {
			t.Fatalf("decline email:\n%s", es[0].Text)
		}
		last := lastRequestAudit(t, db, r.ID)
		if last.Action != "access.declined" || last.ActorKind != portal.ActorStaff ||
			!strings.Contains(last.Details, `"reason":"The name on the form is not the name on your card."`) ||
			!strings.Contains(last.Details, `"code":"identity"`) {
			t.Fatalf("audit %+v", last)
		}
		if n := lastHistory(t, db, r.ID).Note; n != "Declined (Identity could not be confirmed): The name on the form is not the name on your card." {
			t.Fatalf("history note %q", n)
		}
		boWantFeed(t, db, p.ID) // a declined person is not provisioned
	})
}

func TestBackoffice_InfoRequestThenAnswer(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, olivia, p, r := boClaimed(t, db)

		_, err := a.RequestMoreInformation(ctx, meta, olivia, r.ID, "  ")
		boWantField(t, err, "question", "Type the question the person must answer.")
		const q = "Which clinic do you work at on Fridays?"
		got, err := a.RequestMoreInformation(ctx, meta, olivia, r.ID, " "+q+" ")
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != portal.ARInfoRequested || got.InfoQuestion != q || !got.Open() {
			t.Fatalf("request %+v", got)
		}
		es := mustEmails(t, db, p.Email, "access_info_needed", 1)
		if !strings.Contains(es[0].Text, q) || !strings.Contains(es[0].Text, "https://portal.test/application/status") {
			t.Fatalf("info email:\n%s", es[0].Text)
		}
		_, err = a.RequestMoreInformation(ctx, meta, olivia, r.ID, "Another?")
		boWantMessage(t, err, portal.ECONFLICT, "This request is already waiting for the person's answer to: "+q)

		// Waiting for the answer, it is still in the open queue.
		res, err := a.Queue(ctx, olivia, app.QueueQuery{})
		if err != nil || res.Total != 1 || res.Rows[0].Request.Status != portal.ARInfoRequested {
			t.Fatalf("queue %+v %v", res, err)
		}

		if err := a.AnswerInfoRequest(ctx, meta, p, "Kingsgate Mall Clinic, unit 101."); err != nil {
			t.Fatal(err)
		}
		cur := boRequest(t, db, r.ID)
		if cur.Status != portal.ARSubmitted || cur.InfoAnswer != "Kingsgate Mall Clinic, unit 101." ||
			cur.ClaimedBy != "staff:"+itoa(int64(olivia.ID)) {
			t.Fatalf("answered request %+v", cur)
		}
		res, err = a.Queue(ctx, olivia, app.QueueQuery{Status: portal.ARSubmitted})
		if err != nil || res.Total != 1 || res.Rows[0].ClaimedBy != "Olivia OFFICER" {
			t.Fatalf("back in the queue: %+v %v", res, err)
		}
		if _, err := a.ApproveAccessRequest(ctx, meta, olivia, r.ID, []portal.DataScope{portal.ScopeDemographics}); err != nil {
			t.Fatal(err)
		}
		if got := boRequestAudit(t, db, r.ID); !reflect.DeepEqual(
			got,
			[]string{
				"access.requested",
				"access.claimed",
				"access.info_requested",
				"access.info_provided",
				"access.approved",
			},
		) {
			t.Fatalf("audit %v", got)
		}
		if got := boEmailKinds(t, db, p.Email); !reflect.DeepEqual(
			got[3:],
			[]string{"access_request_received", "access_info_needed", "access_approved"},
		) {
			t.Fatalf("emails %v", got)
		}
	})
}

func TestBackoffice_ChangeAccess(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		olivia := oliviaOfficer(t, a)
		p, r := boApplicant(t, a, "dalia", "Dalia", "EIGHTEEN", "101", nil)
		q, qr := boApplicant(t, a, "quinn", "Quinn", "DECLINED", "102", nil)
		nobody := person(t, a, "nobody", "No", "REQUEST")

		_, err := a.ChangeAccess(ctx, meta, olivia, p.ID, portal.AccessSuspend, "Privacy investigation.")
		boWantMessage(t, err, portal.ECONFLICT, "The access cannot be suspended: its status is pending approval.")
		boClaim(t, a, olivia, r.ID)
		if _, err := a.ApproveAccessRequest(ctx, meta, olivia, r.ID, []portal.DataScope{portal.ScopeDemographics}); err != nil {
			t.Fatal(err)
		}
		boClaim(t, a, olivia, qr.ID)
		if _, err := a.DeclineAccessRequest(ctx, meta, olivia, qr.ID, portal.DeclineInput{Code: "duplicate", Text: "Already asked."}); err != nil {
			t.Fatal(err)
		}

		steps := []struct {
			name     string
			who      portal.AccountID
			action   portal.AccessAction
			reason   string
			status   string // after
			err      string // ECONFLICT message, or "" when it succeeds
			email    string
			prov     string
			auditAct string
		}{
			{
				"ErrReinstateApproved",
				p.ID,
				portal.AccessReinstate,
				"x",
				portal.ARApproved,
				"The access cannot be reinstated: its status is approved.",
				"",
				"",
				"",
			},
			{
				"Suspend",
				p.ID,
				portal.AccessSuspend,
				"Privacy investigation.",
				portal.ARSuspended,
				"",
				"access_suspended",
				app.ProvUserSuspended,
				"access.suspended",
			},
			{
				"ErrSuspendTwice",
				p.ID,
				portal.AccessSuspend,
				"Again.",
				portal.ARSuspended,
				"The access cannot be suspended: its status is suspended.",
				"",
				"",
				"",
			},
			{
				"Reinstate",
				p.ID,
				portal.AccessReinstate,
				"Investigation closed.",
				portal.ARApproved,
				"",
				"access_reinstated",
				app.ProvUserReinstated,
				"access.reinstated",
			},
			{
				"SuspendAgain",
				p.ID,
				portal.AccessSuspend,
				"Second investigation.",
				portal.ARSuspended,
				"",
				"access_suspended",
				app.ProvUserSuspended,
				"access.suspended",
			},
			{
				"DeprovisionSuspended",
				p.ID,
				portal.AccessDeprovision,
				"Left the province.",
				portal.ARDeprovisioned,
				"",
				"access_deprovisioned",
				app.ProvUserDeprovisioned,
				"access.deprovisioned",
			},
			{
				"ErrReinstateRemoved",
				p.ID,
				portal.AccessReinstate,
				"Back.",
				portal.ARDeprovisioned,
				"The access cannot be reinstated: its status is access removed.",
				"",
				"",
				"",
			},
			{
				"ErrDeprovisionTwice",
				p.ID,
				portal.AccessDeprovision,
				"Again.",
				portal.ARDeprovisioned,
				"The access cannot be removed: its status is access removed.",
				"",
				"",
				"",
			},
			{
				"ErrSuspendDeclined",
				q.ID,
				portal.AccessSuspend,
				"x",
				portal.ARDeclined,
				"The access cannot be suspended: its status is declined.",
				"",
				"",
				"",
			},
			{
				"ErrNoRequest",
				nobody.ID,
				portal.AccessSuspend,
				"x",
				"",
				"This person has not requested CareConnect access, so there is no access to suspend.",
				"",
				"",
				"",
			},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				acct, _ := db.Read().FindAccountByID(ctx, st.who)
				emailsBefore := len(emailsTo(t, db, acct.Email))
				provBefore := boProvisioning(t, db, st.who)
				_, err := a.ChangeAccess(ctx, meta, olivia, st.who, st.action, st.reason)
				if st.err != "" {
					boWantMessage(t, err, portal.ECONFLICT, st.err)
				} else if err != nil {
					t.Fatal(err)
				}
				if st.status != "" {
					if cur, _ := db.Read().FindLatestAccessRequest(ctx, st.who); cur.Status != st.status {
						t.Fatalf("status %s, want %s", cur.Status, st.status)
					}
				}
				es := emailsTo(t, db, acct.Email)
				prov := boProvisioning(t, db, st.who)
				if st.err != "" {
					if len(es) != emailsBefore || len(prov) != len(provBefore) {
						t.Fatalf("a refused change sent email or provisioning")
					}
					return
				}
				if len(es) != emailsBefore+1 || es[0].Kind != st.email || !strings.Contains(es[0].Text, st.reason) {
					t.Fatalf("emails %d (was %d), newest %s", len(es), emailsBefore, es[0].Kind)
				}
				if len(prov) != len(provBefore)+1 || prov[len(prov)-1] != st.prov {
					t.Fatalf("provisioning %v", prov)
				}
				audit := boRequestAudit(t, db, r.ID)
				if audit[len(audit)-1] != st.auditAct {
					t.Fatalf("audit %v", audit)
				}
				if last := lastHistory(t, db, r.ID); last.ToStatus != st.status ||
					!strings.HasSuffix(last.Note, ": "+st.reason) {
					t.Fatalf("history %+v", last)
				}
			})
		}
		t.Run("ErrNoReason", func(t *testing.T) {
			_, err := a.ChangeAccess(ctx, meta, olivia, p.ID, portal.AccessDeprovision, " ")
			boWantField(t, err, "reason", "Give a reason, so the person knows what to do next.")
		})
		t.Run("ErrUnknownPerson", func(t *testing.T) {
			_, err := a.ChangeAccess(ctx, meta, olivia, 9999, portal.AccessSuspend, "x")
			wantCode(t, err, portal.ENOTFOUND)
		})
	})
}

func TestBackoffice_QueueFilters(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		olivia := oliviaOfficer(t, a)
		_, r := boApplicant(t, a, "dalia", "Dalia", "EIGHTEEN", "101", nil)
		a.Now = func() time.Time { return time.Date(2026, 12, 6, 18, 0, 0, 0, time.UTC) }
		_, pr := boApplicant(t, a, "pat", "Pat", "PHARMACIST", "102", boPharmacist)
		boClaim(t, a, olivia, pr.ID)

		ids := func(res *app.QueueResult) []portal.AccessRequestID {
			var out []portal.AccessRequestID
			for _, row := range res.Rows {
				out = append(out, row.Request.ID)
			}
			return out
		}
		w, _ := db.Read().FindWorksiteByID(ctx, r.WorksiteIDs[0])
		tests := []struct {
			name string
			q    app.QueueQuery
			want []portal.AccessRequestID
		}{
			{"DefaultOpenNewestFirst", app.QueueQuery{}, []portal.AccessRequestID{pr.ID, r.ID}},
			{"OldestFirst", app.QueueQuery{Sort: "asc"}, []portal.AccessRequestID{r.ID, pr.ID}},
			{"Profession", app.QueueQuery{Profession: "pharmacist"}, []portal.AccessRequestID{pr.ID}},
			{
				"HealthAuthority",
				app.QueueQuery{HealthAuthority: "Vancouver Coastal Health"},
				[]portal.AccessRequestID{pr.ID, r.ID},
			},
			{"OtherHealthAuthority", app.QueueQuery{HealthAuthority: "Northern Health"}, nil},
			{
				"WorksiteIDAsTyped",
				app.QueueQuery{Worksite: strings.ToLower(string(w.Code))},
				[]portal.AccessRequestID{r.ID},
			},
			{"OlderThan5Days", app.QueueQuery{OlderThanDays: "5"}, []portal.AccessRequestID{r.ID}},
			{"Approved", app.QueueQuery{Status: portal.ARApproved}, nil},
			{"All", app.QueueQuery{Status: "all"}, []portal.AccessRequestID{pr.ID, r.ID}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res, err := a.Queue(ctx, olivia, tt.q)
				if err != nil || len(res.Errors) > 0 {
					t.Fatalf("%v %v", err, res.Errors)
				}
				if got := ids(res); !reflect.DeepEqual(got, tt.want) || res.Total != len(tt.want) {
					t.Fatalf("got %v of %d, want %v", got, res.Total, tt.want)
				}
			})
		}
		t.Run("Rows", func(t *testing.T) {
			res, _ := a.Queue(ctx, olivia, app.QueueQuery{})
			row := res.Rows[0]
			// The pharmacist's hand-typed worksite was verified on approval: no flags.
			if row.ClaimedBy != "Olivia OFFICER" || row.Account.Email != "pat@example.ca" || len(row.Worksites) != 1 ||
				row.Flags != 0 {
				t.Fatalf("row %+v", row)
			}
			if res.Rows[1].ClaimedBy != "" {
				t.Fatalf("unclaimed row claimed by %q", res.Rows[1].ClaimedBy)
			}
		})
		t.Run("ErrFilters", func(t *testing.T) {
			res, err := a.Queue(
				ctx,
				olivia,
				app.QueueQuery{
					Worksite:        "nope",
					OlderThanDays:   "-1",
					Status:          "lost",
					Profession:      "wizard",
					HealthAuthority: "Mars",
				},
			)
			if err != nil {
				t.Fatal(err)
			}
			want := portal.FieldErrors{
				"worksite":         "A Worksite ID has 7 letters and digits, like K4T6CLP. Check the code and try again.",
				"older_than":       "Enter a number of days from 0 to 3650.",
				"status":           "Choose a status from the list.",
				"profession":       "Choose a profession from the list.",
				"health_authority": "Choose a health authority from the list.",
			}
			if !reflect.DeepEqual(res.Errors, want) || res.Rows != nil {
				t.Fatalf("errors %v", res.Errors)
			}
		})
		t.Run("Paging", func(t *testing.T) {
			for i := range 21 {
				boApplicant(t, a, "page"+itoa(int64(i)), "Page", "PERSON", "2"+itoa(int64(i)), nil)
			}
			res, _ := a.Queue(ctx, olivia, app.QueueQuery{Page: 2})
			if res.Total != 23 || len(res.Rows) != 3 || res.Page != 2 {
				t.Fatalf("page 2: %d rows of %d", len(res.Rows), res.Total)
			}
			res, _ = a.Queue(ctx, olivia, app.QueueQuery{Page: 9})
			if res.Page != 2 || len(res.Rows) != 3 {
				t.Fatalf("past the end: page %d, %d rows", res.Page, len(res.Rows))
			}
			res, _ = a.Queue(ctx, olivia, app.QueueQuery{})
			if len(res.Rows) != app.QueuePageSize {
				t.Fatalf("page 1: %d rows", len(res.Rows))
			}
		})
	})
}

func TestBackoffice_ReviewAndPerson(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, olivia, p, r := boClaimed(t, db)

		rv, err := a.ReviewAccessRequest(ctx, meta, olivia, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rv.Account.ID != p.ID || len(rv.Worksites) != 1 || rv.Worksites[0].Joined.How != "registered" ||
			rv.Worksites[0].Membership == nil ||
			!rv.ClaimedByYou ||
			rv.ClaimedBy != "Olivia OFFICER" ||
			len(rv.AllowedScopes) != len(portal.DataScopes) {
			t.Fatalf("review %+v", rv)
		}
		if len(rv.Prerequisites) != 2 || !rv.Prerequisites[0].Done || !rv.Prerequisites[1].Done ||
			rv.Prerequisites[1].Current.Version != portal.HPCAAVersion {
			t.Fatalf("prerequisites %+v", rv.Prerequisites)
		}
		wantChecks := []portal.Check{
			{Level: portal.CheckOK, Text: "The MSP billing number A1234 has the expected format."},
			{Level: portal.CheckOK, Text: "The CPSID 12345 has the expected format."},
			{
				Level: portal.CheckOK,
				Text: rv.Worksites[0].Worksite.Name + " (" + string(
					rv.Worksites[0].Worksite.Code,
				) + ") is approved and its address is verified.",
			},
			{
				Level: portal.CheckNone,
				Text:  "The licence was not checked: no registry is configured for College of Physicians and Surgeons of BC.",
			},
		}
		if !reflect.DeepEqual(rv.Checks, wantChecks) {
			t.Fatalf("checks %+v", rv.Checks)
		}
		last := rv.Events[len(rv.Events)-1]
		if last.ActorName != "Olivia OFFICER" || last.Note != "Taken for review by the CareConnect team." {
			t.Fatalf("history %+v", last)
		}

		pr, err := a.Person(ctx, meta, olivia, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(pr.Requests) != 1 || pr.Current.ID != r.ID || pr.Actions != nil || len(pr.Memberships) != 1 {
			t.Fatalf("person %+v", pr)
		}
		evs, _ := db.Read().
			FindAuditEvents(ctx, store.AuditFilter{SubjectKind: "account", SubjectID: itoa(int64(p.ID)), ActorKind: portal.ActorStaff, ActorID: "staff:" + itoa(int64(olivia.ID))})
		var got []string
		for _, e := range evs {
			got = append(got, e.Action+" "+e.Details)
		}
		want := []string{
			`staff.viewed_person {"page":"access_request","request":` + itoa(int64(r.ID)) + `}`,
			`staff.viewed_person {"page":"person"}`,
		}
		if !reflect.DeepEqual(got, want) || evs[0].IP != meta.IP {
			t.Fatalf("view audit %v", got)
		}
		_, err = a.Person(ctx, meta, olivia, 9999)
		wantCode(t, err, portal.ENOTFOUND)
		_, err = a.ReviewAccessRequest(ctx, meta, olivia, 9999)
		wantCode(t, err, portal.ENOTFOUND)
	})
}

func TestBackoffice_WorksiteQueue(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		olivia := oliviaOfficer(t, a)
		admin := confirmed(t, a, person(t, a, "lead.moa", "Lena", "MOA"))
		w, err := a.RegisterWorksite(ctx, meta, admin, worksiteInput("Kingsgate Mall Clinic"))
		if err != nil {
			t.Fatal(err)
		}
		list, err := a.WorksiteQueue(ctx, olivia)
		if err != nil || len(list) != 1 || list[0].Worksite.ID != w.ID || list[0].Registrant.ID != admin.ID ||
			list[0].Worksite.AddressVerified {
			t.Fatalf("worksite queue %+v %v", list, err)
		}
		_, err = a.StaffDecideWorksite(ctx, meta, olivia, w.Code, true, "")
		boWantMessage(
			t,
			err,
			portal.EINVALID,
			"Kingsgate Mall Clinic cannot be approved before its Worksite Privacy & Security Declaration is signed.",
		)
		_, err = a.StaffDecideWorksite(ctx, meta, olivia, w.Code, false, "  ")
		boWantField(t, err, "reason", "Give a reason, so the person knows what to do next.")
		if _, err := a.SignDeclaration(ctx, meta, admin, "", w.ID, portal.DeclarationInput{FullName: admin.LegalName(), Agree: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.StaffDecideWorksite(ctx, meta, olivia, w.Code, true, ""); err != nil {
			t.Fatal(err)
		}
		cur, _ := db.Read().FindWorksiteByID(ctx, w.ID)
		if cur.Status != portal.WorksiteApproved || !cur.AddressVerified {
			t.Fatalf("worksite %+v", cur)
		}
		mustEmails(t, db, admin.Email, "worksite_decided", 1)
		evs, _ := db.Read().FindAuditEvents(ctx, store.AuditFilter{WorksiteID: int64(w.ID)})
		if last := evs[len(evs)-1]; last.Action != "worksite.approved" ||
			last.ActorID != "staff:"+itoa(int64(olivia.ID)) {
			t.Fatalf("audit %+v", last)
		}
		if list, _ := a.WorksiteQueue(ctx, olivia); len(list) != 0 {
			t.Fatalf("approved worksite still waiting")
		}
	})
}
