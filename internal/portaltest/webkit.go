package portaltest

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// ConfirmedAccount is Confirmed, and returns the person's account too.
func (i *Instance) ConfirmedAccount(
	t testing.TB,
	given, surname, email, username string,
	edit ...func(url.Values),
) (*Client, *portal.Account) {
	t.Helper()
	c := i.Confirmed(t, given, surname, email, username, edit...)
	return c, i.Account(t, email)
}

// MeetPrerequisites has the account pass the training quiz, answering
// every question right, and sign the Health Practitioner CareConnect
// Access Agreement, through the app.
func (i *Instance) MeetPrerequisites(t testing.TB, acct *portal.Account) {
	t.Helper()
	answers := map[string]int{}
	for _, q := range portal.TrainingQuiz {
		answers[q.ID] = q.Answer
	}
	meta := portal.RequestMeta{RequestID: "test"}
	if r, err := i.Portal.App.SubmitQuiz(context.Background(), meta, acct, answers); err != nil || !r.Passed {
		t.Fatalf("training quiz of %s: %+v %v", acct.Email, r, err)
	}
	sig := portal.HPCAASignature{FullName: acct.LegalName(), Agree: true}
	if _, err := i.Portal.App.SignHPCAA(context.Background(), meta, acct, sig); err != nil {
		t.Fatalf("agreement of %s: %v", acct.Email, err)
	}
}

// About selects the audit trail's rows about a subject, for Audit and
// AuditCount.
func About(subjectKind, subjectID string) store.AuditFilter {
	return store.AuditFilter{SubjectKind: subjectKind, SubjectID: subjectID}
}

// By selects the audit trail's rows of an actor, for Audit and AuditCount.
func By(actorKind, actorID string) store.AuditFilter {
	return store.AuditFilter{ActorKind: actorKind, ActorID: actorID}
}

// Audit returns the audit trail's rows that f selects, oldest first.
func (i *Instance) Audit(t testing.TB, f store.AuditFilter) []portal.AuditEvent {
	t.Helper()
	evs, err := i.DB.Read().FindAuditEvents(context.Background(), f)
	if err != nil {
		t.Fatalf("audit trail %+v: %v", f, err)
	}
	return evs
}

// AuditCount counts the audit trail's rows of an action among those f
// selects.
func (i *Instance) AuditCount(t testing.TB, f store.AuditFilter, action string) int {
	t.Helper()
	n := 0
	for _, e := range i.Audit(t, f) {
		if e.Action == action {
			n++
		}
	}
	return n
}

// AccessRequest reads an access request as it is stored now.
func (i *Instance) AccessRequest(t testing.TB, id portal.AccessRequestID) *portal.AccessRequest {
	t.Helper()
	r, err := i.DB.Read().FindAccessRequestByID(context.Background(), id)
	if err != nil {
		t.Fatalf("access request %d: %v", id, err)
	}
	return r
}

// Feed returns the types of the provisioning feed's events about an
// account, oldest first.
func (i *Instance) Feed(t testing.TB, id portal.AccountID) []string {
	t.Helper()
	evs, err := i.DB.Read().FindProvisioningEvents(context.Background(), 0, 1000)
	if err != nil {
		t.Fatalf("provisioning feed: %v", err)
	}
	var out []string
	for _, e := range evs {
		if e.AccountID == id {
			out = append(out, e.Type)
		}
	}
	return out
}

// ImportGuideBuilding loads the building of the user guide's examples, 370
// Broadway E, Vancouver, with its units, into the address index.
func (i *Instance) ImportGuideBuilding(t testing.TB) {
	t.Helper()
	rows := func(yield func(portal.Address, error) bool) {
		for _, u := range []string{"100", "101", "101A", "102", "103", "104", "105"} {
			a := portal.Address{Unit: u, CivicNumber: "370", StreetName: "Broadway", Direction: "E",
				City: "Vancouver", Province: "BC", PostalCode: "V5T 4G5"}
			if !yield(a, nil) {
				return
			}
		}
	}
	if _, _, err := i.DB.ImportAddresses(context.Background(), rows, 0, nil); err != nil {
		t.Fatalf("import the guide's building: %v", err)
	}
}

// Invite invites an email address to join the worksite with the id, as its
// site administrator signed in on c would.
func (c *Client) Invite(worksiteID, email string) {
	c.t.Helper()
	p := c.Post("/worksites/"+worksiteID+"/invitations", url.Values{"email": {email}})
	if p.Status != http.StatusSeeOther {
		c.t.Fatalf("invite %s to worksite %s: %d %s", email, worksiteID, p.Status, p.Text("main"))
	}
}

var registeredPath = regexp.MustCompile(`^/worksites/([0-9]+)(/declaration)?$`)

// RegisterWorksite submits a worksite's registration form (see
// WorksiteForm) as the person signed in on c and follows the portal to the
// page it leads to: the worksite's declaration, or the worksite's own page
// when someone else is to sign. It returns the worksite's id and that page.
// The worksite stays pending, its declaration unsigned.
func (c *Client) RegisterWorksite(form url.Values) (id string, next *Page) {
	c.t.Helper()
	p := c.Post("/worksites/new", form)
	m := registeredPath.FindStringSubmatch(p.Location)
	if p.Status != http.StatusSeeOther || m == nil {
		c.t.Fatalf("register worksite %s: %d %q %s", form.Get("name"), p.Status, p.Location, p.Text(".error-summary"))
	}
	return m[1], c.Follow(p)
}
