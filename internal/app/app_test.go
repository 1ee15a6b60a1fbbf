package app_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/mail"
	"github.com/bcgov-example/careconnect-portal/internal/passwd"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

var ctx = context.Background()

var meta = portal.RequestMeta{IP: "192.0.2.10", UserAgent: "test-agent", RequestID: "req-1"}

func newApp(t *testing.T, db *store.DB) *app.App {
	t.Helper()
	tmpl, err := mail.LoadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	a := app.New(
		db,
		passwd.NewTestHasher(),
		tmpl,
		app.Config{BaseURL: "https://portal.test", SupportEmail: "help@portal.test", MailDomain: "portal.test"},
		nil,
	)
	now := time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC)
	a.Now = func() time.Time { return now }
	return a
}

// openApp gives a test that needs no second database a fresh app on one
// store (storetest.Open); the store is its DB.
func openApp(t *testing.T) *app.App {
	t.Helper()
	return newApp(t, storetest.Open(t))
}

// eachApp runs a test in parallel with the others, on each store
// (storetest.Each), with a fresh app on that store (newApp).
func eachApp(t *testing.T, test func(t *testing.T, db *store.DB, a *app.App)) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) { test(t, db, newApp(t, db)) })
}

// eachClockApp is eachApp with the app on a fake clock (rvApp) the test
// moves.
func eachClockApp(t *testing.T, test func(t *testing.T, db *store.DB, a *app.App, clock *fixture.Clock)) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, clock := rvApp(t, db)
		test(t, db, a, clock)
	})
}

func card(key string) portal.CardIdentity { return fixture.Card(key) }

func validInput() portal.RegistrationInput { return fixture.Registration() }

func emailsTo(t *testing.T, db *store.DB, to string) []*store.Email {
	t.Helper()
	es, err := db.Read().FindEmails(ctx, store.EmailFilter{To: to})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// dalia registers Dalia EIGHTEEN, card("1"), with validInput().
func dalia(t *testing.T, a *app.App) *portal.Account {
	t.Helper()
	acct, err := a.Register(ctx, meta, card("1"), validInput())
	if err != nil {
		t.Fatal(err)
	}
	return acct
}

// auditWhere returns the audit rows the filter finds, oldest first.
func auditWhere(t *testing.T, db *store.DB, f store.AuditFilter) []portal.AuditEvent {
	t.Helper()
	evs, err := db.Read().FindAuditEvents(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// actionsOf lists the actions of audit rows.
func actionsOf(evs []portal.AuditEvent) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Action)
	}
	return out
}

// auditActions lists the actions audited about an account.
func auditActions(t *testing.T, db *store.DB, subjectID string) []string {
	t.Helper()
	return actionsOf(auditWhere(t, db, store.AuditFilter{SubjectKind: "account", SubjectID: subjectID}))
}

// wantSays fails the test unless text holds every one of wants.
func wantSays(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Fatalf("%s lacks %q:\n%s", what, want, text)
		}
	}
}

// requestAudit returns the audit rows about a CareConnect request, oldest
// first.
func requestAudit(t *testing.T, db *store.DB, id portal.AccessRequestID) []portal.AuditEvent {
	t.Helper()
	return auditWhere(t, db, store.AuditFilter{SubjectKind: "access_request", SubjectID: itoa(int64(id))})
}

// requestHistory returns the history of a CareConnect request, oldest
// first.
func requestHistory(t *testing.T, db *store.DB, id portal.AccessRequestID) []portal.AccessRequestEvent {
	t.Helper()
	evs, err := db.Read().FindAccessRequestEvents(ctx, id)
	if err != nil {
		t.Fatalf("history of request %d: %v", id, err)
	}
	return evs
}

// newest returns the last of a list kept oldest first, failing the test
// when there is none.
func newest[T any](t *testing.T, what string, list []T) T {
	t.Helper()
	if len(list) == 0 {
		t.Fatalf("no %s", what)
	}
	return list[len(list)-1]
}

// lastHistory returns the newest entry of a CareConnect request's history.
func lastHistory(t *testing.T, db *store.DB, id portal.AccessRequestID) portal.AccessRequestEvent {
	t.Helper()
	return newest(t, "history of request "+itoa(int64(id)), requestHistory(t, db, id))
}

// lastRequestAudit returns the newest audit row about a CareConnect
// request.
func lastRequestAudit(t *testing.T, db *store.DB, id portal.AccessRequestID) portal.AuditEvent {
	t.Helper()
	return newest(t, "audit row about request "+itoa(int64(id)), requestAudit(t, db, id))
}

func TestApp_Register(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		acct := dalia(t, a)
		if acct.MSPBillingNumber != "A1234" || acct.Phone != "+17788889999" || acct.GivenNames != "Dalia" ||
			acct.IsResident {
			t.Fatalf("account stored as %+v", acct)
		}
		es := emailsTo(t, db, "dalia@example.ca")
		if len(es) != 1 || es[0].Kind != "account_created" || !strings.Contains(es[0].Text, `HXBC\dalia18`) {
			t.Fatalf("emails: %+v", es)
		}
		if got := auditActions(t, db, "1"); len(got) != 2 || got[0] != "account.registered" ||
			got[1] != "account.email_verification_sent" {
			t.Fatalf("audit actions %v, want [account.registered account.email_verification_sent]", got)
		}
		evs, _ := db.Read().FindAuditEvents(ctx, store.AuditFilter{SubjectKind: "account", SubjectID: "1"})
		if evs[0].IP != "192.0.2.10" || evs[0].RequestID != "req-1" || evs[0].ActorKind != "account" {
			t.Fatalf("audit row %+v", evs[0])
		}

		t.Run("ErrDuplicateEmailAnyCase", func(t *testing.T) {
			in := validInput()
			in.Email, in.Username = "DALIA@example.CA", "other.name"
			_, err := a.Register(ctx, meta, card("2"), in)
			fe, ok := portal.AsFieldErrors(err)
			if !ok || !strings.Contains(fe["email"], "already used") {
				t.Fatalf("got %v, want an email field error", err)
			}
		})
		t.Run("ErrDuplicateUsername", func(t *testing.T) {
			in := validInput()
			in.Email = "someone.else@example.ca"
			_, err := a.Register(ctx, meta, card("3"), in)
			fe, ok := portal.AsFieldErrors(err)
			if !ok || fe["username"] != "That username is taken. Choose another." {
				t.Fatalf("got %v, want a username field error", err)
			}
		})
		t.Run("ErrSameCardTwice", func(t *testing.T) {
			in := validInput()
			in.Email, in.Username = "third@example.ca", "third.one"
			_, err := a.Register(ctx, meta, card("1"), in)
			if portal.ErrorCode(err) != portal.ECONFLICT {
				t.Fatalf("got %v, want conflict", err)
			}
		})
		t.Run("HealthAuthorityCreatesNothing", func(t *testing.T) {
			in := validInput()
			in.HealthAuthorityAccount, in.Email, in.Username = "yes", "ha@example.ca", "ha.person"
			_, err := a.Register(ctx, meta, card("4"), in)
			if portal.ErrorCode(err) != portal.EINVALID {
				t.Fatalf("got %v, want invalid", err)
			}
			if _, err := db.Read().FindAccountBySubject(ctx, "https://idp.test", "sub-4"); !store.IsNotFound(err) {
				t.Fatalf("an account was created: %v", err)
			}
		})
	})
}

func TestApp_RegisterFieldErrors(t *testing.T) {
	t.Parallel()
	a := openApp(t)
	tests := []struct {
		name  string
		edit  func(*portal.RegistrationInput)
		field string
		want  string
	}{
		{
			"NoProfession",
			func(in *portal.RegistrationInput) { in.Profession = "" },
			"profession",
			"Select your profession.",
		},
		{
			"BadMSP",
			func(in *portal.RegistrationInput) { in.MSPBillingNumber = "12" },
			"msp_billing_number",
			"Enter your MSP billing number as 5 characters, e.g. A0000 or 00000.",
		},
		{
			"BadCPSID",
			func(in *portal.RegistrationInput) { in.CPSID = "ABCDE" },
			"cpsid",
			"Enter your CPSID as 5 characters, e.g. A0000 or 00000.",
		},
		{
			"NoResidentAnswer",
			func(in *portal.RegistrationInput) { in.Resident = "" },
			"resident",
			"Answer whether you are currently a medical resident.",
		},
		{
			"NurseNoLicence",
			func(in *portal.RegistrationInput) { in.Profession = "nurse"; in.CollegeID = "1234567" },
			"nurse_licence",
			"Select your licence type.",
		},
		{"NurseBadBCCNM", func(in *portal.RegistrationInput) {
			in.Profession, in.NurseLicence, in.CollegeID = "nurse", "rn", "12345"
		}, "college_id", "Enter your BCCNM college ID as 7 digits, e.g. 0000000."},
		{"NPNeedsMSP", func(in *portal.RegistrationInput) {
			in.Profession, in.NurseLicence, in.CollegeID, in.MSPBillingNumber = "nurse", "np", "1234567", ""
		}, "msp_billing_number", "Enter your MSP billing number."},
		{
			"PharmacistNeedsCollege",
			func(in *portal.RegistrationInput) { in.Profession = "pharmacist" },
			"college_id",
			"Enter your college registration number.",
		},
		{
			"OtherNeedsText",
			func(in *portal.RegistrationInput) { in.Profession = "other" },
			"other_profession",
			"Describe your profession.",
		},
		{
			"BadEmail",
			func(in *portal.RegistrationInput) { in.Email = "dalia@" },
			"email",
			"Enter an email address like name@example.ca.",
		},
		{
			"BadPhone",
			func(in *portal.RegistrationInput) { in.Phone = "12345" },
			"phone",
			"Enter a Canadian phone number with its area code, e.g. (778) 888-9999.",
		},
		{
			"BadMobile",
			func(in *portal.RegistrationInput) { in.Mobile = "555" },
			"mobile",
			"Enter a Canadian mobile number with its area code, e.g. (778) 888-9999.",
		},
		{
			"NoHAAnswer",
			func(in *portal.RegistrationInput) { in.HealthAuthorityAccount = "" },
			"health_authority_account",
			"Answer whether you have a network account with VCH, PHSA or PHC.",
		},
		{
			"BadUsername",
			func(in *portal.RegistrationInput) { in.Username = "-x-" },
			"username",
			"Use only lower-case letters, digits, periods, hyphens and underscores, starting and ending with a letter or digit.",
		},
		{
			"ReservedUsername",
			func(in *portal.RegistrationInput) { in.Username = "admin" },
			"username",
			"That username is reserved. Choose another.",
		},
		{
			"PasswordMismatch",
			func(in *portal.RegistrationInput) { in.ConfirmPassword = "Harbour-Lantern-48" },
			"confirm_password",
			"The passwords you entered do not match.",
		},
		{"PasswordContainsName", func(in *portal.RegistrationInput) {
			in.Password, in.ConfirmPassword = "Eighteen-Lantern-47", "Eighteen-Lantern-47"
		}, "password", ""},
		{
			"BadPreferredName",
			func(in *portal.RegistrationInput) { in.PreferredFirstName = "D4lia" },
			"preferred_first_name",
			"Preferred first name may contain only letters, spaces, hyphens, apostrophes and periods.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validInput()
			tt.edit(&in)
			_, err := a.Register(ctx, meta, card(tt.name), in)
			fe, ok := portal.AsFieldErrors(err)
			if !ok {
				t.Fatalf("got %v, want field errors", err)
			}
			got, has := fe[tt.field]
			if !has || (tt.want != "" && got != tt.want) {
				t.Fatalf("field %s: got %q (all: %v), want %q", tt.field, got, fe, tt.want)
			}
		})
	}
}

// Two people registering the same email at once: the unique index lets
// exactly one win, and the other gets the email field error.
func TestApp_RegisterRace(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		const n = 4
		var wg sync.WaitGroup
		errs := make([]error, n)
		start := make(chan struct{})
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				in := validInput()
				in.Username = "racer" + string(rune('a'+i))
				<-start
				_, errs[i] = a.Register(ctx, meta, card("race"+string(rune('a'+i))), in)
			}(i)
		}
		close(start)
		wg.Wait()
		wins := 0
		for _, err := range errs {
			if err == nil {
				wins++
				continue
			}
			fe, ok := portal.AsFieldErrors(err)
			if !ok || !strings.Contains(fe["email"], "already used") {
				t.Errorf("loser got %v, want the email field error", err)
			}
		}
		if wins != 1 {
			t.Fatalf("%d registrations won, want exactly 1", wins)
		}
		if es := emailsTo(t, db, "dalia@example.ca"); len(es) != 1 {
			t.Fatalf("%d confirmation emails, want 1", len(es))
		}
	})
}

func TestApp_ChangePassword(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		acct := dalia(t, a)
		// change types the password twice, signed in at a moment.
		change := func(password string, signedIn time.Time) error {
			return a.ChangePassword(ctx, meta, acct.ID,
				portal.PasswordChangeInput{Password: password, ConfirmPassword: password, SignedInAt: signedIn})
		}
		t.Run("ErrReused", func(t *testing.T) {
			err := change("Harbour-Lantern-47", a.Now())
			fe, _ := portal.AsFieldErrors(err)
			if fe["password"] != portal.PasswordReusedMessage {
				t.Fatalf("got %v, want the reuse message", err)
			}
		})
		t.Run("ErrPolicy", func(t *testing.T) {
			err := change("short", a.Now())
			fe, _ := portal.AsFieldErrors(err)
			if !strings.Contains(fe["password"], "12") {
				t.Fatalf("got %v, want the length rule", err)
			}
		})
		t.Run("ErrOldSignIn", func(t *testing.T) {
			for name, at := range map[string]time.Time{"unknown": {}, "eleven minutes ago": a.Now().Add(-11 * time.Minute)} {
				err := change("Granite-Kettle-93", at)
				if portal.ErrorCode(err) != portal.EFORBIDDEN ||
					portal.ErrorMessage(err) != portal.PasswordChangeSignInMessage {
					t.Fatalf("sign-in %s: got %v, want a fresh sign-in asked for", name, err)
				}
			}
			if es, _ := db.Read().FindEmails(ctx, store.EmailFilter{Kind: "password_changed"}); len(es) != 0 {
				t.Fatalf("%d password emails after refusals", len(es))
			}
		})
		t.Run("OK", func(t *testing.T) {
			// Ten minutes after signing in is still recent enough.
			if err := change("Granite-Kettle-93", a.Now().Add(-portal.PasswordChangeSignInMax)); err != nil {
				t.Fatal(err)
			}
			got, _ := a.Account(ctx, acct.ID)
			ok, _ := a.Hasher.Verify(ctx, got.PasswordHash, "Granite-Kettle-93")
			if !ok {
				t.Fatal("new password not stored")
			}
			es, _ := db.Read().FindEmails(ctx, store.EmailFilter{Kind: "password_changed"})
			if len(es) != 1 || es[0].To != "Dalia@Example.ca" {
				t.Fatalf("password emails %+v", es)
			}
			// The first password is still in the history.
			err := change("Harbour-Lantern-47", a.Now())
			if fe, _ := portal.AsFieldErrors(err); fe["password"] != portal.PasswordReusedMessage {
				t.Fatalf("got %v, want reuse refused", err)
			}
		})
	})
}

func TestApp_UpdateContact(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		acct := dalia(t, a)
		other := validInput()
		other.Email, other.Username = "taken@example.ca", "someone"
		if _, err := a.Register(ctx, meta, card("2"), other); err != nil {
			t.Fatal(err)
		}
		t.Run("ErrEmailTaken", func(t *testing.T) {
			err := a.UpdateContact(ctx, meta, acct.ID,
				portal.ContactInput{Email: "TAKEN@example.ca", Phone: "7788889999"})
			if fe, _ := portal.AsFieldErrors(err); !strings.Contains(fe["email"], "already used") {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("EmailChangeTellsBothAddresses", func(t *testing.T) {
			err := a.UpdateContact(ctx, meta, acct.ID, portal.ContactInput{
				PreferredFirstName: "Dee",
				Email:              "new@example.ca",
				Phone:              "(604) 555-0100",
				Mobile:             "250-555-0199",
			})
			if err != nil {
				t.Fatal(err)
			}
			got, _ := a.Account(ctx, acct.ID)
			if got.Email != "new@example.ca" || got.Phone != "+16045550100" || got.Mobile != "+12505550199" ||
				got.PreferredFirstName != "Dee" {
				t.Fatalf("stored %+v", got)
			}
			toNew := emailsTo(t, db, "new@example.ca")
			toOld, _ := db.Read().FindEmails(ctx, store.EmailFilter{To: "dalia@example.ca", Kind: "contact_changed"})
			if len(toNew) != 1 || len(toOld) != 1 {
				t.Fatalf("contact emails: %d to new, %d to old; want 1 and 1", len(toNew), len(toOld))
			}
			if !strings.Contains(toOld[0].Text, "new@example.ca") {
				t.Fatalf("old address email does not name the change:\n%s", toOld[0].Text)
			}
			if got := auditActions(t, db, "1"); strings.Join(
				got[len(got)-3:],
				",",
			) != "account.contact_updated,account.email_changed,account.email_verification_sent" {
				t.Fatalf("audit %v", got)
			}
		})
		t.Run("NoChangeNoEmail", func(t *testing.T) {
			before := len(emailsTo(t, db, "new@example.ca"))
			err := a.UpdateContact(ctx, meta, acct.ID, portal.ContactInput{
				PreferredFirstName: "Dee",
				Email:              "new@example.ca",
				Phone:              "6045550100",
				Mobile:             "2505550199",
			})
			if err != nil {
				t.Fatal(err)
			}
			if after := len(emailsTo(t, db, "new@example.ca")); after != before {
				t.Fatalf("an unchanged form sent %d emails", after-before)
			}
		})
	})
}

func TestApp_RegisterRefusesIneligibleProfession(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		in := validInput()
		in.Profession, in.CollegeID = "physiotherapist", "PT-2041"
		_, err := a.Register(ctx, meta, card("1"), in)
		want := "CareConnect access is not open to your profession (Physiotherapist) at present, so we have not created an HxBC account for you."
		if portal.ErrorCode(err) != portal.EFORBIDDEN || portal.ErrorMessage(err) != want {
			t.Fatalf("got %v (%s), want EFORBIDDEN %q", err, portal.ErrorCode(err), want)
		}
		if _, err := db.Read().FindAccountBySubject(ctx, "https://idp.test", "sub-1"); !store.IsNotFound(err) {
			t.Fatalf("an account was created: %v", err)
		}
		if es := emailsTo(t, db, "dalia@example.ca"); len(es) != 0 {
			t.Fatalf("emails: %+v", es)
		}
	})
}
