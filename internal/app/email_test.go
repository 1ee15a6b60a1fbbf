package app_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

var (
	confirmLinkRe = regexp.MustCompile(`/account/email/confirm/([0-9a-f]{64})`)
	confirmCodeRe = regexp.MustCompile(`type this code: ([0-9]{6})`)
)

// confirmation reads the link's token and the code of the latest email to
// an address that asks to confirm it.
func confirmation(t *testing.T, db *store.DB, to string) (token, code string) {
	t.Helper()
	es, err := db.Read().FindEmails(ctx, store.EmailFilter{To: to})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es { // newest first
		if m := confirmLinkRe.FindStringSubmatch(e.Text); m != nil {
			c := confirmCodeRe.FindStringSubmatch(e.Text)
			if c == nil {
				t.Fatalf("%s email to %s has a link but no code:\n%s", e.Kind, to, e.Text)
			}
			return m[1], c[1]
		}
	}
	t.Fatalf("no email to %s asks to confirm the address", to)
	return "", ""
}

// confirmed confirms acct's address as its owner would, with the link of
// the latest confirmation email, and returns the account as it now stands.
func confirmed(t *testing.T, a *app.App, acct *portal.Account) *portal.Account {
	t.Helper()
	cur, err := a.Account(ctx, acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	if cur.EmailConfirmed() {
		return cur
	}
	token, _ := confirmation(t, a.DB, cur.Email)
	got, err := a.ConfirmEmail(ctx, meta, acct.ID, token, "")
	if err != nil {
		t.Fatalf("confirm %s: %v", cur.Email, err)
	}
	return got
}

// lastAudit returns the account's newest audit row.
func lastAudit(t *testing.T, db *store.DB, id portal.AccountID) portal.AuditEvent {
	t.Helper()
	evs, err := db.Read().FindAuditEvents(ctx, store.AuditFilter{SubjectKind: "account", SubjectID: itoa(int64(id))})
	if err != nil || len(evs) == 0 {
		t.Fatalf("audit of %d: %v %v", id, evs, err)
	}
	return evs[len(evs)-1]
}

// auditRows returns the account's audit rows of one action.
func auditRows(t *testing.T, db *store.DB, id portal.AccountID, action string) []portal.AuditEvent {
	t.Helper()
	var out []portal.AuditEvent
	for _, e := range auditWhere(t, db, store.AuditFilter{SubjectKind: "account", SubjectID: itoa(int64(id))}) {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}

func TestApp_EmailConfirmationOnRegistration(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		acct := dalia(t, a)
		if acct.EmailConfirmed() {
			t.Fatal("a new account's address counts as confirmed")
		}
		// One email: the account, with the link and the code.
		es := emailsTo(t, db, "dalia@example.ca")
		if len(es) != 1 || es[0].Kind != "account_created" || !strings.Contains(es[0].Text, "BC Services Card") {
			t.Fatalf("emails %+v", es)
		}
		token, code := confirmation(t, db, "dalia@example.ca")
		if !strings.Contains(es[0].Text, "https://portal.test/account/email/confirm/"+token) {
			t.Fatalf("link not absolute:\n%s", es[0].Text)
		}
		if got := auditActions(t, db, "1"); strings.Join(
			got,
			",",
		) != "account.registered,account.email_verification_sent" {
			t.Fatalf("audit %v", got)
		}
		if ev := lastAudit(t, db, acct.ID); !strings.Contains(ev.Details, `"reason":"registration"`) ||
			strings.Contains(ev.Details, token) ||
			strings.Contains(ev.Details, code) {
			t.Fatalf("sent row %s", ev.Details)
		}
		// Neither the token nor the code is stored.
		c, err := db.Read().LatestEmailConfirmation(ctx, acct.ID)
		if err != nil || c.TokenHash == token || c.CodeHash == code || c.TokenHash == "" ||
			!c.ExpiresAt.Equal(a.Now().Add(24*time.Hour)) {
			t.Fatalf("stored %+v %v", c, err)
		}
		st, err := a.EmailStatus(ctx, acct.ID)
		if err != nil || st.Pending == nil || !st.ConfirmedAt.IsZero() || st.Email != "Dalia@Example.ca" {
			t.Fatalf("status %+v %v", st, err)
		}

		t.Run("LinkOfAnotherAccount", func(t *testing.T) {
			in := validInput()
			in.Email, in.Username = "other@example.ca", "other.one"
			other, err := a.Register(ctx, meta, card("2"), in)
			if err != nil {
				t.Fatal(err)
			}
			_, err = a.EmailConfirmationByToken(ctx, other, token)
			wantMessage(
				t,
				err,
				portal.EFORBIDDEN,
				"This confirmation link was sent for another HxBC account. Sign out, then sign in with the BC Services Card of the person who registered that account.",
			)
			_, err = a.ConfirmEmail(ctx, meta, other.ID, token, "")
			wantCode(t, err, portal.EFORBIDDEN)
			if ev := lastAudit(t, db, other.ID); ev.Action != "account.email_verification_failed" ||
				!strings.Contains(ev.Details, "link of another account") {
				t.Fatalf("failure row %+v", ev)
			}
			if cur, _ := a.Account(ctx, acct.ID); cur.EmailConfirmed() {
				t.Fatal("another account's attempt confirmed the address")
			}
		})
		t.Run("UnknownLink", func(t *testing.T) {
			_, err := a.ConfirmEmail(ctx, meta, acct.ID, strings.Repeat("ab", 32), "")
			wantMessage(
				t,
				err,
				portal.ENOTFOUND,
				"This confirmation link is not valid. It may have been replaced by a newer one: use the link in the latest email we sent you, or send a new one from Manage My Account.",
			)
		})
		t.Run("CodeConfirms", func(t *testing.T) {
			got, err := a.ConfirmEmail(ctx, meta, acct.ID, "", code[:3]+" "+code[3:])
			if err != nil || !got.EmailConfirmed() || !got.EmailVerifiedAt.Equal(a.Now()) {
				t.Fatalf("%+v %v", got, err)
			}
			ev := lastAudit(t, db, acct.ID)
			if ev.Action != "account.email_verified" || !strings.Contains(ev.Details, `"via":"code"`) ||
				ev.ActorKind != portal.ActorAccount {
				t.Fatalf("verified row %+v", ev)
			}
			// The link of the same confirmation is used up with it.
			_, err = a.ConfirmEmail(ctx, meta, acct.ID, "", code)
			wantMessage(t, err, portal.ECONFLICT, "Your email address Dalia@Example.ca is already confirmed.")
			err = a.SendEmailConfirmation(ctx, meta, acct.ID)
			wantMessage(t, err, portal.ECONFLICT, "Your email address Dalia@Example.ca is already confirmed.")
			// Following the used link again just says it is done.
			if c, err := a.EmailConfirmationByToken(ctx, got, token); err != nil || c.UsedAt.IsZero() {
				t.Fatalf("used link: %+v %v", c, err)
			}
		})
	})
}

func TestApp_EmailCodeAttempts(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		acct := person(t, a, "dalia", "Dalia", "EIGHTEEN")
		_, code := confirmation(t, db, acct.Email)
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		_, err := a.ConfirmEmail(ctx, meta, acct.ID, "", "12")
		if fe, _ := portal.AsFieldErrors(err); fe["code"] != "Enter the 6-digit code from the email, for example 123456." {
			t.Fatalf("short code: %v", err)
		}
		for i := 1; i <= portal.EmailCodeAttempts; i++ {
			_, err := a.ConfirmEmail(ctx, meta, acct.ID, "", wrong)
			if fe, _ := portal.AsFieldErrors(err); !strings.HasPrefix(fe["code"], "That code is not right") {
				t.Fatalf("attempt %d: %v", i, err)
			}
			ev := lastAudit(t, db, acct.ID)
			if ev.Action != "account.email_verification_failed" ||
				!strings.Contains(ev.Details, "wrong code (attempt "+itoa(int64(i))+" of 5)") {
				t.Fatalf("attempt %d audited as %+v", i, ev)
			}
		}
		// Locked: the right code no longer works...
		_, err = a.ConfirmEmail(ctx, meta, acct.ID, "", code)
		if fe, _ := portal.AsFieldErrors(err); fe["code"] != "That code was typed wrongly too many times. Send a new confirmation, or use the link in the email." {
			t.Fatalf("locked: %v", err)
		}
		if cur, _ := a.Account(ctx, acct.ID); cur.EmailConfirmed() {
			t.Fatal("confirmed after too many wrong codes")
		}
		// ...but a new confirmation does, and replaces the old one.
		oldToken, _ := confirmation(t, db, acct.Email)
		if err := a.SendEmailConfirmation(ctx, meta, acct.ID); err != nil {
			t.Fatal(err)
		}
		es := mustEmails(t, db, acct.Email, "email_confirmation", 1)
		if !strings.Contains(es[0].Subject, "Confirm your email address") {
			t.Fatalf("subject %q", es[0].Subject)
		}
		if ev := lastAudit(t, db, acct.ID); ev.Action != "account.email_verification_sent" ||
			!strings.Contains(ev.Details, "requested_again") {
			t.Fatalf("resend row %+v", ev)
		}
		_, err = a.ConfirmEmail(ctx, meta, acct.ID, oldToken, "")
		wantCode(t, err, portal.ENOTFOUND)
		_, newCode := confirmation(t, db, acct.Email)
		if got, err := a.ConfirmEmail(ctx, meta, acct.ID, "", newCode); err != nil || !got.EmailConfirmed() {
			t.Fatalf("new code: %v", err)
		}
	})
}

func TestApp_EmailConfirmationExpires(t *testing.T) {
	eachClockApp(t, func(t *testing.T, db *store.DB, a *app.App, clock *fixture.Clock) {
		now := clock.Now()
		acct := person(t, a, "dalia", "Dalia", "EIGHTEEN")
		token, code := confirmation(t, db, acct.Email)
		clock.Set(now.Add(portal.EmailConfirmationLifetime))
		_, err := a.ConfirmEmail(ctx, meta, acct.ID, token, "")
		wantMessage(t, err, portal.ECONFLICT,
			"This confirmation link expired on 27 Nov 2026 at 10:00 AM PST. Send a new one from Manage My Account.")
		_, err = a.ConfirmEmail(ctx, meta, acct.ID, "", code)
		if fe, _ := portal.AsFieldErrors(err); fe["code"] != "That code has expired. Send a new confirmation and use the code in the new email." {
			t.Fatalf("expired code: %v", err)
		}
		if st, _ := a.EmailStatus(ctx, acct.ID); st.Pending != nil {
			t.Fatalf("an expired confirmation is shown as waiting: %+v", st.Pending)
		}
	})
}

func TestApp_EmailChangeStartsAgain(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		acct := confirmed(t, a, person(t, a, "dalia", "Dalia", "EIGHTEEN"))
		oldToken, _ := confirmation(t, db, "dalia@example.ca")
		err := a.UpdateContact(ctx, meta, acct.ID, portal.ContactInput{Email: "dalia.new@example.ca", Phone: "778 888 9999"})
		if err != nil {
			t.Fatal(err)
		}
		cur, _ := a.Account(ctx, acct.ID)
		if cur.EmailConfirmed() {
			t.Fatal("a new address inherits the old one's confirmation")
		}
		// The new address gets the change and how to confirm it; the old one is told.
		toNew := mustEmails(t, db, "dalia.new@example.ca", "contact_changed", 1)
		if !confirmLinkRe.MatchString(toNew[0].Text) ||
			!strings.Contains(toNew[0].Text, "but confirm your new email address") {
			t.Fatalf("email to the new address:\n%s", toNew[0].Text)
		}
		toOld := mustEmails(t, db, "dalia@example.ca", "contact_changed", 1)
		if confirmLinkRe.MatchString(toOld[0].Text) || !strings.Contains(toOld[0].Text, "has been replaced") {
			t.Fatalf("email to the old address:\n%s", toOld[0].Text)
		}
		got := auditActions(t, db, itoa(int64(acct.ID)))
		want := []string{"account.contact_updated", "account.email_changed", "account.email_verification_sent"}
		if strings.Join(got[len(got)-3:], ",") != strings.Join(want, ",") {
			t.Fatalf("audit %v", got)
		}
		evs := auditRows(t, db, acct.ID, "account.email_changed")
		if len(evs) != 1 || strings.Contains(evs[0].Details, "dalia@example.ca") ||
			!strings.Contains(evs[0].Details, `"old_email":"sha256:`) ||
			!strings.Contains(evs[0].Details, `"new_email":"dalia.new@example.ca"`) ||
			!strings.Contains(evs[0].Details, `"old_was_confirmed":true`) {
			t.Fatalf("email_changed row %+v", evs)
		}
		updated := auditRows(t, db, acct.ID, "account.contact_updated")
		if len(updated) != 1 || strings.Contains(updated[0].Details, "dalia@example.ca") {
			t.Fatalf("the old address is kept in the audit trail: %+v", updated)
		}
		// The old address's link no longer confirms anything.
		_, err = a.ConfirmEmail(ctx, meta, acct.ID, oldToken, "")
		wantMessage(
			t,
			err,
			portal.ECONFLICT,
			"This link confirms dalia@example.ca, which is no longer your account's email address. Your address is now dalia.new@example.ca: use the link in the email we sent there.",
		)
		if cur := confirmed(t, a, acct); !cur.HasConfirmedEmail("dalia.new@example.ca") {
			t.Fatalf("new address not confirmed: %+v", cur)
		}

		t.Run("OnlyTheCaseChanges", func(t *testing.T) {
			if err := a.UpdateContact(ctx, meta, acct.ID, portal.ContactInput{Email: "Dalia.New@example.ca", Phone: "778 888 9999"}); err != nil {
				t.Fatal(err)
			}
			if cur, _ := a.Account(ctx, acct.ID); !cur.EmailConfirmed() {
				t.Fatal("another case of the same address lost its confirmation")
			}
		})
	})
}

func TestApp_MarkEmailVerified(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		acct := person(t, a, "sam", "Sam", "JONES")
		token, _ := confirmation(t, db, acct.Email)
		got, err := a.MarkEmailVerified(ctx, meta, "portal demo", acct.ID)
		if err != nil || !got.EmailConfirmed() {
			t.Fatalf("%+v %v", got, err)
		}
		ev := lastAudit(t, db, acct.ID)
		if ev.Action != "account.email_verified" || ev.ActorKind != portal.ActorSystem || ev.ActorID != "portal demo" ||
			!strings.Contains(ev.Details, "marked by portal demo") {
			t.Fatalf("audit %+v", ev)
		}
		// The emailed link was discarded with it.
		_, err = a.ConfirmEmail(ctx, meta, acct.ID, token, "")
		wantCode(t, err, portal.ENOTFOUND)
		// Twice is no change.
		if _, err := a.MarkEmailVerified(ctx, meta, "portal demo", acct.ID); err != nil {
			t.Fatal(err)
		}
		actions := auditActions(t, db, itoa(int64(acct.ID)))
		want := "account.registered,account.email_verification_sent,account.email_verified,account.email_verification_failed"
		if strings.Join(actions, ",") != want {
			t.Fatalf("audit %v, want %s", actions, want)
		}
	})
}
