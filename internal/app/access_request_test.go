package app_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// professional registers a person of a given profession.
func professional(t *testing.T, a *app.App, key string, edit func(*portal.RegistrationInput)) *portal.Account {
	t.Helper()
	return fixture.Register(t, a, key, "Pat", strings.ToUpper(strings.ReplaceAll(key, ".", "")), edit)
}

func asPhysician(in *portal.RegistrationInput) {}

func asLPN(in *portal.RegistrationInput) {
	in.Profession, in.NurseLicence, in.CollegeID = "nurse", "lpn", "1234567"
}

func asSocialWorker(in *portal.RegistrationInput) {
	in.Profession, in.CollegeID = "social_worker", "SW-42"
}

func passTraining(t *testing.T, a *app.App, acct *portal.Account) {
	t.Helper()
	answers := map[string]int{}
	for _, q := range portal.TrainingQuiz {
		answers[q.ID] = q.Answer
	}
	res, err := a.SubmitQuiz(ctx, meta, acct, answers)
	if err != nil || !res.Passed {
		t.Fatalf("training: %+v %v", res, err)
	}
}

func signHPCAA(t *testing.T, a *app.App, acct *portal.Account) {
	t.Helper()
	if _, err := a.SignHPCAA(ctx, meta, acct, portal.HPCAASignature{FullName: acct.LegalName(), Agree: true}); err != nil {
		t.Fatalf("HPCAA: %v", err)
	}
}

func joinWorksite(t *testing.T, db *store.DB, a *app.App, w *portal.Worksite, acct *portal.Account) {
	t.Helper()
	if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.AddMember(ctx, w.ID, acct.ID, portal.RoleMember, a.Now()) }); err != nil {
		t.Fatal(err)
	}
}

func enrolment(w *portal.Worksite) portal.AccessRequestInput {
	return portal.AccessRequestInput{
		WorksiteIDs:        []portal.WorksiteID{w.ID},
		FirstName:          "Pat",
		LastName:           "Lee",
		Job:                "Family physician",
		AttestCorrect:      true,
		AttestDirectCare:   true,
		AttestAnnualReview: true,
		ReasonPatientCare:  true,
	}
}

func missingKeys(err error) []string {
	var m *app.MissingError
	if !errors.As(err, &m) {
		return nil
	}
	var keys []string
	for _, s := range m.Steps {
		keys = append(keys, s.Key)
	}
	return keys
}

// wantMissing fails the test unless err is a MissingError listing exactly
// the steps want, in order.
func wantMissing(t *testing.T, err error, want ...string) {
	t.Helper()
	if got := missingKeys(err); !slices.Equal(got, want) {
		t.Fatalf("missing %v (err %v), want %v", got, err, want)
	}
}

func TestApp_AccessRequest(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		_, w := kingsgate(t, a)
		doc := professional(t, a, "dr.jones", asPhysician)

		t.Run("LockedWithoutApprovedWorksite", func(t *testing.T) {
			_, err := a.SubmitAccessRequest(ctx, meta, doc, enrolment(w))
			if got := missingKeys(err); !slices.Contains(got, "worksite") {
				t.Fatalf("missing %v (err %v), want the worksite step", got, err)
			}
		})
		joinWorksite(t, db, a, w, doc)
		t.Run("LockedWithoutPrerequisites", func(t *testing.T) {
			_, err := a.SubmitAccessRequest(ctx, meta, doc, enrolment(w))
			wantMissing(t, err, "training", "hpcaa")
		})
		passTraining(t, a, doc)
		signHPCAA(t, a, doc)
		t.Run("FieldErrors", func(t *testing.T) {
			in := enrolment(w)
			in.AttestDirectCare, in.ReasonPatientCare, in.Job = false, false, ""
			_, err := a.SubmitAccessRequest(ctx, meta, doc, in)
			fe, _ := portal.AsFieldErrors(err)
			for _, k := range []string{"attest_direct_care", "reasons", "job"} {
				if fe[k] == "" {
					t.Errorf("no error for %s: %v", k, err)
				}
			}
		})
		t.Run("ErrForeignWorksite", func(t *testing.T) {
			other := approvedWorksite(t, a, person(t, a, "other.admin", "Oz", "OTHER"), func() portal.WorksiteInput {
				in := worksiteInput("Other Clinic")
				in.Manual.Unit = "900"
				return in
			}())
			in := enrolment(w)
			in.WorksiteIDs = append(in.WorksiteIDs, other.ID)
			_, err := a.SubmitAccessRequest(ctx, meta, doc, in)
			if fe, _ := portal.AsFieldErrors(err); fe["clinics"] == "" {
				t.Fatalf("got %v, want a clinics error", err)
			}
		})
		r, err := a.SubmitAccessRequest(ctx, meta, doc, enrolment(w))
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != portal.ARSubmitted || r.UserType != portal.UserAuthorizer ||
			!slices.Contains(r.AllowedScopes, portal.ScopePharmaNet) {
			t.Fatalf("request %+v", r)
		}
		mustEmails(t, db, doc.Email, "access_request_received", 1)
		_, err = a.SubmitAccessRequest(ctx, meta, doc, enrolment(w))
		wantCode(t, err, portal.ECONFLICT)
		st, err := a.AccessRequestStatus(ctx, doc)
		if err != nil || len(st.Events) != 1 || st.Events[0].ToStatus != portal.ARSubmitted || len(st.Worksites) != 1 {
			t.Fatalf("status %+v %v", st, err)
		}
		evs, _ := db.Read().FindAuditEvents(ctx, store.AuditFilter{SubjectKind: "access_request", SubjectID: "1"})
		if len(evs) != 1 || evs[0].Action != "access.requested" {
			t.Fatalf("audit %+v", evs)
		}
	})
}

func TestApp_AccessRequestPolicies(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		_, w := kingsgate(t, a)
		// trained registers a person of a profession at the clinic, the
		// training passed.
		trained := func(t *testing.T, key string, edit func(*portal.RegistrationInput)) *portal.Account {
			t.Helper()
			p := professional(t, a, key, edit)
			joinWorksite(t, db, a, w, p)
			passTraining(t, a, p)
			return p
		}

		t.Run("PharmacistGetsNoPharmaNet", func(t *testing.T) {
			ph := trained(t, "priya", asPharmacist)
			signHPCAA(t, a, ph)
			r, err := a.SubmitAccessRequest(ctx, meta, ph, enrolment(w))
			if err != nil {
				t.Fatal(err)
			}
			if slices.Contains(r.AllowedScopes, portal.ScopePharmaNet) || len(r.AllowedScopes) == 0 {
				t.Fatalf("pharmacist scopes %v", r.AllowedScopes)
			}
		})
		t.Run("LPNWithoutHPCAACannotSubmit", func(t *testing.T) {
			lpn := trained(t, "lpn.one", asLPN)
			_, err := a.SubmitAccessRequest(ctx, meta, lpn, enrolment(w))
			wantMissing(t, err, "hpcaa")
		})
		t.Run("MOAWithoutSponsorCannotSubmit", func(t *testing.T) {
			moa := trained(t, "jane.moa", asMOA)
			_, err := a.SubmitAccessRequest(ctx, meta, moa, enrolment(w))
			wantMissing(t, err, "sponsor")
			// With an approved sponsorship the MOA sees what the physician sees ...
			doc := professional(t, a, "dr.smith", asPhysician)
			joinWorksite(t, db, a, w, doc)
			enrolled(t, a, doc, w)
			sp, err := a.RequestSponsorship(ctx, meta, moa, sponsorInput(doc, w))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.DecideSponsorship(ctx, meta, doc, sp.ID, true, ""); err != nil {
				t.Fatal(err)
			}
			r, err := a.SubmitAccessRequest(ctx, meta, moa, enrolment(w))
			if err != nil {
				t.Fatal(err)
			}
			// ... no more than the physician's own access was granted.
			docAccess, err := db.Read().FindLatestAccessRequest(ctx, doc.ID)
			if err != nil {
				t.Fatal(err)
			}
			if want := portal.OBOScopes(docAccess.GrantedScopes); !slices.Equal(r.AllowedScopes, want) ||
				len(r.SponsorshipIDs) != 1 {
				t.Fatalf("MOA request scopes %v sponsors %v", r.AllowedScopes, r.SponsorshipIDs)
			}
		})
		t.Run("SocialWorkerCannotRequestRemoteAccess", func(t *testing.T) {
			sw := professional(t, a, "sam.social", asSocialWorker)
			st, err := a.RemoteAccess(ctx, sw)
			if err != nil || st.Refusal != portal.RemoteAccessNotForProfession {
				t.Fatalf("refusal %q %v", st.Refusal, err)
			}
			_, err = a.RequestRemoteAccess(
				ctx,
				meta,
				sw,
				portal.RemoteAccessInput{
					Street:     "1 Main St",
					City:       "Victoria",
					PostalCode: "V8W 1A1",
					Reason:     "Evening calls from home",
				},
			)
			wantCode(t, err, portal.EFORBIDDEN)
		})
	})
}

// A submitted request carries its reference number, stored with it, and
// every email about it shows the number under the greeting.
func TestAccessRequest_ReferenceNumber(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		olivia := oliviaOfficer(t, a)
		p, r := boApplicant(t, a, "dalia", "Dalia", "EIGHTEEN", "101", nil)
		want := portal.ReferenceNumber(r.ID, r.CreatedAt)
		if !strings.HasPrefix(want, "CC-20") || len(want) != len("CC-2026-000123") {
			t.Fatalf("reference %q", want)
		}
		if r.Reference != want {
			t.Fatalf("submitted request's reference %q, want %q", r.Reference, want)
		}
		if got := boRequest(t, db, r.ID).Reference; got != want {
			t.Fatalf("stored reference %q, want %q", got, want)
		}
		boClaim(t, a, olivia, r.ID)
		if _, err := a.ApproveAccessRequest(ctx, meta, olivia, r.ID, []portal.DataScope{portal.ScopeDemographics}); err != nil {
			t.Fatal(err)
		}
		line := "Your request's reference number: " + want
		htmlLine := "<p>Your request's reference number: <strong>" + want + "</strong></p>"
		seen := map[string]bool{}
		for _, e := range emailsTo(t, db, p.Email) {
			has := strings.Contains(e.Text, "Hello Dalia EIGHTEEN,\n\n"+line+"\n") && strings.Contains(e.HTML, htmlLine)
			switch e.Kind {
			case "access_request_received", "access_approved":
				if !has {
					t.Errorf("%s lacks the reference number:\n%s", e.Kind, e.Text)
				}
				seen[e.Kind] = true
			default:
				if strings.Contains(e.Text, "reference number") {
					t.Errorf("%s is not about the request but shows a reference number", e.Kind)
				}
			}
		}
		if !seen["access_request_received"] || !seen["access_approved"] {
			t.Fatalf("emails seen %v", seen)
		}
	})
}
