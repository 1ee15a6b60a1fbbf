package app_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// atOnce runs submit twice at the same moment and returns both results.
func atOnce(submit func() error) []error {
	return bothAtOnce(func(int) error { return submit() })
}

// bothAtOnce runs submit(0) and submit(1) at the same moment and returns
// both results.
func bothAtOnce(submit func(i int) error) []error {
	start := make(chan struct{})
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = submit(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// oneDecisionStands runs decide(0) and decide(1) at the same moment and
// fails the test unless exactly one decision stood and the other was
// refused as a conflict that says it was already decided.
func oneDecisionStands(t *testing.T, decide func(i int) error) {
	t.Helper()
	stood := 0
	for _, err := range bothAtOnce(decide) {
		switch portal.ErrorCode(err) {
		case "":
			stood++
		case portal.ECONFLICT:
			if !strings.Contains(portal.ErrorMessage(err), "already") {
				t.Errorf("loser message %q", portal.ErrorMessage(err))
			}
		default:
			t.Errorf("unexpected %v", err)
		}
	}
	if stood != 1 {
		t.Fatalf("%d decisions stood, want exactly 1", stood)
	}
}

// oneSucceeded fails the test unless exactly one submission succeeded and
// the other was refused with the conflict message want.
func oneSucceeded(t *testing.T, round int, errs []error, want string) {
	t.Helper()
	oneSucceededOtherRefused(t, round, errs, func(err error) { wantMessage(t, err, portal.ECONFLICT, want) })
}

// oneSucceededOtherRefused fails the test unless exactly one submission
// succeeded, and has wantRefusal check the error of the other.
func oneSucceededOtherRefused(t *testing.T, round int, errs []error, wantRefusal func(err error)) {
	t.Helper()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		wantRefusal(err)
	}
	if ok != 1 {
		t.Fatalf("round %d: %d submissions succeeded, want 1", round, ok)
	}
}

// An invitation submitted twice at once (a double click, a retried
// request) makes one invitation and one email; the other submission gets
// the message a second invitation gets.
func TestApp_InviteSubmittedTwiceAtOnce(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		admin, w := kingsgate(t, a)
		const rounds = 8
		for round := range rounds {
			email := fmt.Sprintf("locum%d@example.ca", round)
			errs := atOnce(func() error {
				_, err := a.Invite(ctx, meta, admin, w.ID, email)
				return err
			})
			oneSucceededOtherRefused(t, round, errs, func(err error) {
				boWantField(t, err, "email", "This address already has an invitation waiting. Use Send again in the list below.")
			})
			pending, err := db.Read().FindPendingInvitationsForEmail(ctx, email, a.Now())
			if err != nil || len(pending) != 1 {
				t.Fatalf("round %d: %d pending invitations (%v), want 1", round, len(pending), err)
			}
			mustEmails(t, db, email, "worksite_invitation", 1)
			evs, err := db.Read().
				FindAuditEvents(ctx, store.AuditFilter{SubjectKind: "invitation", SubjectID: itoa(int64(pending[0].ID))})
			if err != nil || len(evs) != 1 || evs[0].Action != "worksite.invitation_sent" {
				t.Fatalf("round %d: audit %+v %v", round, evs, err)
			}
		}
		all, err := db.Read().FindWorksiteInvitations(ctx, w.ID)
		if err != nil || len(all) != rounds {
			t.Fatalf("%d invitations after %d double submissions (%v), want %d", len(all), rounds, err, rounds)
		}
	})
}

// An invitation past its expiry steps aside for a new one to the same
// address; Send again on the old one is then refused, as the new one waits.
func TestApp_InviteAgainAfterExpiry(t *testing.T) {
	eachClockApp(t, func(t *testing.T, db *store.DB, a *app.App, clock *fixture.Clock) {
		now := clock.Now()
		admin, w := kingsgate(t, a)
		old, err := a.Invite(ctx, meta, admin, w.ID, "locum@example.ca")
		if err != nil {
			t.Fatal(err)
		}
		clock.Set(now.Add(portal.InvitationLifetime + time.Hour))
		fresh, err := a.Invite(ctx, meta, admin, w.ID, "Locum@Example.ca")
		if err != nil {
			t.Fatalf("inviting again after the first invitation expired: %v", err)
		}
		got, err := db.Read().FindInvitationByID(ctx, old.ID)
		if err != nil || got.Status != portal.RequestExpired {
			t.Fatalf("the expired invitation: %+v %v", got, err)
		}
		mustEmails(t, db, "locum@example.ca", "worksite_invitation", 2)
		err = a.ResendInvitation(ctx, meta, admin, w.ID, old.ID, 0)
		wantMessage(t, err, portal.ECONFLICT,
			"locum@example.ca has a newer invitation waiting. Use Send again on that one.")
		mustEmails(t, db, "locum@example.ca", "worksite_invitation", 2)
		if err := a.ResendInvitation(ctx, meta, admin, w.ID, fresh.ID, 0); err != nil {
			t.Fatal(err)
		}
		mustEmails(t, db, "locum@example.ca", "worksite_invitation", 3)
	})
}

// A request to join submitted twice at once makes one request and one
// email to each administrator.
func TestApp_RequestToJoinSubmittedTwiceAtOnce(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		_, w := kingsgate(t, a)
		for round := range 5 {
			asker := person(t, a, fmt.Sprintf("asker%d", round), "Ari", "ASKER")
			errs := atOnce(func() error {
				_, err := a.RequestToJoin(ctx, meta, asker, w, "code", "")
				return err
			})
			oneSucceeded(
				t,
				round,
				errs,
				"You have already asked to join Kingsgate Mall Clinic. Your request is waiting for the site administrator.",
			)
			js, err := db.Read().FindJoinRequests(ctx, store.JoinRequestFilter{AccountID: asker.ID})
			if err != nil || len(js) != 1 || js[0].Status != portal.RequestPending {
				t.Fatalf("round %d: join requests %+v %v, want one pending", round, js, err)
			}
			mustEmails(t, db, "lead.moa@example.ca", "worksite_join_request", round+1)
		}
	})
}

// A sponsorship asked for twice at once makes one sponsorship and one
// email to the authorizer.
func TestApp_RequestSponsorshipSubmittedTwiceAtOnce(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		doc := enrol(t, a, "dr.dalia", "Dalia", "DOCTOR", nil)
		w := approvedWorksite(t, a, doc, worksiteInput("Kingsgate Mall Clinic"))
		enrolled(t, a, doc, w)
		for round := range 5 {
			moa := enrol(t, a, fmt.Sprintf("moa%d", round), "Mona", "ASSISTANT", asMOA)
			joinWorksite(t, db, a, w, moa)
			errs := atOnce(func() error {
				_, err := a.RequestSponsorship(ctx, meta, moa, sponsorInput(doc, w))
				return err
			})
			oneSucceeded(t, round, errs, "You have already asked Dalia DOCTOR. Your request is waiting for them.")
			sps, err := db.Read().FindSponsorships(ctx, store.SponsorshipFilter{OBOAccountID: moa.ID})
			if err != nil || len(sps) != 1 || sps[0].Status != portal.SponsorPending {
				t.Fatalf("round %d: sponsorships %+v %v, want one pending", round, sps, err)
			}
			mustEmails(t, db, "dr.dalia@example.ca", "sponsorship_requested", round+1)
		}
	})
}

// The CareConnect Enrolment Form submitted twice at once makes one request
// and one acknowledgement email.
func TestApp_SubmitAccessRequestTwiceAtOnce(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		_, w := kingsgate(t, a)
		for round := range 5 {
			key := fmt.Sprintf("dr.pat%d", round)
			doc := professional(t, a, key, asPhysician)
			joinWorksite(t, db, a, w, doc)
			passTraining(t, a, doc)
			signHPCAA(t, a, doc)
			errs := atOnce(func() error {
				_, err := a.SubmitAccessRequest(ctx, meta, doc, enrolment(w))
				return err
			})
			oneSucceeded(t, round, errs, "You already have a CareConnect request waiting for the CareConnect team.")
			rs, err := db.Read().FindAccessRequestsByAccount(ctx, doc.ID)
			if err != nil || len(rs) != 1 || rs[0].Status != portal.ARSubmitted {
				t.Fatalf("round %d: requests %+v %v, want one submitted", round, rs, err)
			}
			mustEmails(t, db, key+"@example.ca", "access_request_received", 1)
		}
	})
}
