package portaltest

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
	"github.com/bcgov-example/careconnect-portal/internal/wire"
)

// Each runs fn as a subtest against a portal on every configured
// database: SQLite, and PostgreSQL when PORTAL_TEST_POSTGRES_URL is set.
// edit may change each portal's configuration before it is built.
func Each(t *testing.T, fn func(t *testing.T, inst *Instance), edit ...func(*wire.Config)) {
	t.Helper()
	for name, dsn := range storetest.DSNs(t) {
		t.Run(name, func(t *testing.T) { fn(t, Start(t, dsn, edit...)) })
	}
}

// RegistrationForm is a valid registration form of a physician who is not
// a resident, with an email address and username.
func RegistrationForm(email, username string) url.Values {
	return url.Values{
		"profession": {"physician"}, "msp_billing_number": {"A1234"}, "cpsid": {"12345"}, "resident": {"no"},
		"email": {email}, "phone": {"(778) 888-9999"}, "health_authority_account": {"no"},
		"username": {username}, "password": {"Harbour-Lantern-47"}, "confirm_password": {"Harbour-Lantern-47"},
	}
}

// AsMOA makes a registration form a medical office assistant's.
func AsMOA(f url.Values) {
	f.Set("profession", string(portal.ProfMOA))
	for _, k := range []string{"msp_billing_number", "cpsid", "resident"} {
		f.Del(k)
	}
}

// AsResident makes a registration form a physician in residency's.
func AsResident(f url.Values) { f.Set("resident", "yes") }

// AsPharmacist makes a registration form a pharmacist's.
func AsPharmacist(f url.Values) {
	AsMOA(f)
	f.Set("profession", string(portal.ProfPharmacist))
	f.Set("college_id", "P-20417")
}

// Registered signs a new person in (born 1980-04-18) and registers them,
// a physician unless an edit (AsMOA, AsPharmacist, AsResident) changes the
// form, leaving their email address unconfirmed; it returns the client on
// the menu.
func (i *Instance) Registered(t testing.TB, given, surname, email, username string, edit ...func(url.Values)) *Client {
	t.Helper()
	return i.RegisteredBorn(t, given, surname, "1980-04-18", email, username, edit...)
}

// RegisteredBorn is Registered for a person born on birth (YYYY-MM-DD).
func (i *Instance) RegisteredBorn(
	t testing.TB,
	given, surname, birth, email, username string,
	edit ...func(url.Values),
) *Client {
	t.Helper()
	c := i.Client(t)
	p := c.SignIn(given, surname, birth, email)
	if !strings.HasSuffix(p.URL, "/register") {
		t.Fatalf("new person landed on %s, want /register", p.URL)
	}
	form := RegistrationForm(email, username)
	for _, e := range edit {
		if e != nil {
			e(form)
		}
	}
	p = c.Post("/register", form)
	if p.Status != http.StatusSeeOther || p.Location != "/menu" {
		t.Fatalf(
			"register %s: status %d location %q; errors: %s",
			email,
			p.Status,
			p.Location,
			p.Text(".error-summary"),
		)
	}
	c.Follow(p) // the menu carries the new session's CSRF token
	return c
}

// Confirmed is Registered, then confirms the person's email address from
// the development mailbox; it returns the client on the menu.
func (i *Instance) Confirmed(t testing.TB, given, surname, email, username string, edit ...func(url.Values)) *Client {
	t.Helper()
	return i.ConfirmedBorn(t, given, surname, "1980-04-18", email, username, edit...)
}

// ConfirmedBorn is Confirmed for a person born on birth (YYYY-MM-DD).
func (i *Instance) ConfirmedBorn(
	t testing.TB,
	given, surname, birth, email, username string,
	edit ...func(url.Values),
) *Client {
	t.Helper()
	c := i.RegisteredBorn(t, given, surname, birth, email, username, edit...)
	c.ConfirmEmail(email)
	c.Get("/menu")
	return c
}

// Account returns the account with an email address.
func (i *Instance) Account(t testing.TB, email string) *portal.Account {
	t.Helper()
	a, err := i.DB.Read().FindAccountByEmail(context.Background(), email)
	if err != nil {
		t.Fatalf("account %q: %v", email, err)
	}
	return a
}

// Emails returns the outbox's emails of a kind ("" for any) to an address,
// newest first.
func (i *Instance) Emails(t testing.TB, to, kind string) []*store.Email {
	t.Helper()
	es, err := i.DB.Read().FindEmails(context.Background(), store.EmailFilter{To: to, Kind: kind})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// RunJob runs the portal's background job name once.
func (i *Instance) RunJob(t testing.TB, name string) {
	t.Helper()
	for _, j := range i.Portal.Jobs() {
		if j.Name == name {
			if err := j.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("no job %q", name)
}

// WorksiteForm is the registration form of a private practice typed by
// hand: name, at unit-370 Broadway E, Vancouver, by someone with the
// authority to register it unless an edit (SignedBy) changes the form.
func WorksiteForm(name, unit string, edit ...func(url.Values)) url.Values {
	f := url.Values{"name": {name}, "type": {"private_practice"}, "phone": {"604-555-0100"}, "address_mode": {"manual"},
		"unit": {unit}, "civic_number": {"370"}, "street_name": {"Broadway"}, "direction": {"E"}, "city": {"Vancouver"},
		"postal_code": {"V5T 4G5"}, "has_authority": {"yes"}, "group": {""}}
	for _, e := range edit {
		e(f)
	}
	return f
}

// SignedBy makes a worksite form name someone else, who has the authority,
// to sign the worksite's declaration.
func SignedBy(name, email string) func(url.Values) {
	return func(f url.Values) {
		f.Set("has_authority", "no")
		f.Set("signer_name", name)
		f.Set("signer_email", email)
	}
}

var worksiteCodeInFlash = regexp.MustCompile(`Worksite ID is ([` + portal.WorksiteCodeAlphabet + `]{7})`)

// ApprovedWorksite registers, over HTTP as the person signed in on c (who
// becomes its site administrator), the worksite of WorksiteForm(name,
// unit), signs its declaration as legalName and approves it as the
// CareConnect team; it returns the approved worksite.
func (i *Instance) ApprovedWorksite(t testing.TB, c *Client, name, unit, legalName string) *portal.Worksite {
	t.Helper()
	p := c.Post("/worksites/new", WorksiteForm(name, unit))
	if p.Status != http.StatusSeeOther || !strings.HasSuffix(p.Location, "/declaration") {
		t.Fatalf("register worksite %s: %d %q %s", name, p.Status, p.Location, p.Text(".error-summary"))
	}
	decl := c.Follow(p)
	m := worksiteCodeInFlash.FindStringSubmatch(decl.Text(".flash"))
	if m == nil {
		t.Fatalf("no Worksite ID in %q", decl.Text(".flash"))
	}
	if s := c.Post(p.Location, url.Values{"agree": {"yes"}, "full_name": {legalName}}); s.Status != http.StatusSeeOther {
		t.Fatalf("sign the declaration of %s: %d %s", name, s.Status, s.Text(".error-summary"))
	} else {
		c.Follow(s)
	}
	w, err := i.Portal.App.DecideWorksite(context.Background(), portal.RequestMeta{RequestID: "test"}, "officer.one",
		portal.WorksiteCode(m[1]), true, "")
	if err != nil {
		t.Fatalf("approve worksite %s: %v", name, err)
	}
	if got := "/worksites/" + strconv.FormatInt(int64(w.ID), 10) + "/declaration"; got != p.Location {
		t.Fatalf("worksite %s registered at %s, approved %s", name, p.Location, got)
	}
	return w
}

// Join makes the accounts active members of a worksite, as if its
// administrator had approved their requests to join.
func (i *Instance) Join(t testing.TB, w portal.WorksiteID, accts ...*portal.Account) {
	t.Helper()
	ctx := context.Background()
	err := i.DB.InTx(ctx, func(tx *store.Tx) error {
		for _, a := range accts {
			if err := tx.AddMember(ctx, w, a.ID, portal.RoleMember, i.Clock.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("join worksite %d: %v", w, err)
	}
}
