package e2e

// Links in emails, followed in a browser by someone signed out: the BC
// Services Card sign-in brings them back to the link's page, and a
// worksite's named signer who is no practitioner signs its declaration
// without the HxBC account form.

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"

	"github.com/chromedp/chromedp"
)

var (
	e2eDeclarationLink = regexp.MustCompile(`/declarations/[0-9a-f]{64}`)
	e2eInvitationLink  = regexp.MustCompile(`/invitations/[0-9a-f]{64}`)
)

// cardInBrowser fills in the development sign-in page as p and continues.
func (j *accessJourney) cardInBrowser(p person, status int64, h1 string) {
	j.t.Helper()
	mustRun(j.t, j.ctx,
		chromedp.SendKeys(chromedp.CSS("#given-names"), p.given),
		chromedp.SendKeys(chromedp.CSS("#surname"), p.surname),
		chromedp.SendKeys(chromedp.CSS("#birth-date"), p.birth),
	)
	if p.email != "" {
		mustRun(j.t, j.ctx, chromedp.SendKeys(chromedp.CSS("#email"), p.email))
	}
	j.clickText("button", "Continue as this person", status, h1)
}

// linkIn returns the path matching re in the newest email of a kind to an address.
func (j *accessJourney) linkIn(to, kind string, re *regexp.Regexp) string {
	j.t.Helper()
	es := j.emails(to, kind, 1)
	link := re.FindString(es[0].Text)
	if link == "" {
		j.t.Fatalf("no link in the %s email to %s:\n%s", kind, to, es[0].Text)
	}
	return link
}

func TestE2E_SignerWhoIsNoPractitionerSignsFromTheEmail(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		j := startAccessJourney(t, inst)
		omar := person{"Omar", "MANAGER", accessBirthDate, "omar@example.ca"}
		c, _ := j.register(omar, "omar.manager", accessAsMOA)
		p := c.Post(
			"/worksites/new",
			url.Values{"name": {"Harbour Clinic"}, "type": {"private_practice"}, "phone": {"604-555-0100"},
				"address_mode": {
					"manual",
				}, "unit": {"101"}, "civic_number": {"370"}, "street_name": {"Broadway"}, "direction": {"E"},
				"city": {
					"Vancouver",
				}, "postal_code": {"V5T 4G5"}, "has_authority": {"no"}, "signer_name": {"Olive OWNER"},
				"signer_email": {"olive@harbour.example"}, "group": {""}},
		)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("register worksite: %d %s", p.Status, p.Text(".error-summary"))
		}
		link := j.linkIn("olive@harbour.example", "declaration_requested", e2eDeclarationLink)

		// Olive, signed out, opens the emailed link: the card, then a
		// choice that spares her the practitioner's form.
		j.visit(link, http.StatusOK, "Development sign-in")
		j.cardInBrowser(
			person{"Olive", "OWNER", "1975-02-03", "olive.home@example.ca"},
			http.StatusOK,
			"Account Registration",
		)
		j.wantText("#signer-only-heading", "Here only to sign a worksite's declaration?")
		j.clickText("button", "Continue to the declaration", http.StatusOK, portal.DeclarationTitle)
		if u := currentURL(j.ctx); !strings.HasSuffix(u, link) {
			t.Fatalf("after the choice the browser is on %s, want %s", u, link)
		}
		j.wantText("main", "Harbour Clinic")

		mustRun(
			t,
			j.ctx,
			chromedp.Click(chromedp.CSS(`input[name="agree"]`)),
			chromedp.SendKeys(chromedp.CSS("#full_name"), "Olive OWNER"),
		)
		j.clickText("button", "Sign the declaration", http.StatusOK, "Notification Centre")
		j.wantText(".flash", "is signed")

		acct := j.account("olive@harbour.example")
		if !acct.SignerOnly() || acct.LegalName() != "Olive OWNER" {
			t.Fatalf("signer account %+v", acct)
		}
		id, _ := strconv.ParseInt(strings.Split(strings.TrimPrefix(p.Location, "/worksites/"), "/")[0], 10, 64)
		ws, err := inst.DB.Read().FindWorksiteByID(t.Context(), portal.WorksiteID(id))
		if err != nil || !ws.DeclarationDone() || ws.SignerAccountID != acct.ID {
			t.Fatalf("declaration %+v %v", ws, err)
		}
	})
}

func TestE2E_EmailedLinkReturnsAfterSignIn(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		j := startAccessJourney(t, inst)
		dalia := person{"Dalia", "EIGHTEEN", accessBirthDate, "dalia@example.ca"}
		c, admin := j.register(dalia, "dalia.eighteen", accessAsPhysician)
		w := j.worksite(c, admin, "Kingsgate Mall Clinic", "101")
		if p := c.Post("/worksites/"+strconv.FormatInt(int64(w), 10)+"/invitations", url.Values{"email": {"nina@example.ca"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("invite: %d %s", p.Status, p.Text(".error-summary"))
		}
		link := j.linkIn("nina@example.ca", "worksite_invitation", e2eInvitationLink)

		// Nina has no account yet: the card, the HxBC account form, then the invitation.
		j.visit(link, http.StatusOK, "Development sign-in")
		j.cardInBrowser(
			person{"Nina", "NEWCOMER", accessBirthDate, "nina@example.ca"},
			http.StatusOK,
			"Account Registration",
		)
		mustRun(t, j.ctx,
			chromedp.SetValue(chromedp.CSS("#profession"), string(portal.ProfMOA)),
			chromedp.SendKeys(chromedp.CSS("#phone"), "778 888 9999"),
			retype("#username", "nina.newcomer"),
			chromedp.SendKeys(chromedp.CSS("#password"), "Harbour-Lantern-47"),
			chromedp.SendKeys(chromedp.CSS("#confirm_password"), "Harbour-Lantern-47"),
		)
		j.clickText("button", "Register", http.StatusOK, "Invitation to Kingsgate Mall Clinic")
		if u := currentURL(j.ctx); !strings.HasSuffix(u, link) {
			t.Fatalf("after the form the browser is on %s, want %s", u, link)
		}

		// Nina signs out; Dalia, registered, opens a link from an email in
		// the signed-out browser.
		j.signOut()
		page := "/worksites/" + strconv.FormatInt(int64(w), 10)
		j.visit(page, http.StatusOK, "Development sign-in")
		j.cardInBrowser(person{dalia.given, dalia.surname, dalia.birth, ""}, http.StatusOK, "Kingsgate Mall Clinic")
		if u := currentURL(j.ctx); !strings.HasSuffix(u, page) {
			t.Fatalf("after sign-in the browser is on %s, want %s", u, page)
		}
	})
}
