package e2e

// Handing a worksite over in a real browser: its only site administrator
// asks a member to take over, the member accepts from the Notification
// Centre and signs the declaration in her place, and she leaves; later,
// when the new administrator has not signed in for 90 days, the
// CareConnect team appoints another member. Every page is checked with
// axe-core.

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"portal"
	"portal/internal/portaltest"
	"portal/internal/store"

	"github.com/chromedp/chromedp"
)

// hoWorksite registers, over HTTP as the person on c, a worksite typed by
// hand, signs its declaration as legalName and approves it as the team.
func hoWorksite(t *testing.T, inst *portaltest.Instance, c *portaltest.Client, name, legalName string) *portal.Worksite {
	t.Helper()
	p := c.Post("/worksites/new", url.Values{"name": {name}, "type": {"private_practice"}, "phone": {"604-555-0100"},
		"address_mode": {"manual"}, "unit": {"303"}, "civic_number": {"370"}, "street_name": {"Broadway"}, "direction": {"E"},
		"city": {"Vancouver"}, "postal_code": {"V5T 4G5"}, "has_authority": {"yes"}, "group": {""}})
	if p.Status != http.StatusSeeOther || !strings.HasSuffix(p.Location, "/declaration") {
		t.Fatalf("registering %s: %d %q %s", name, p.Status, p.Location, p.Text(".error-summary"))
	}
	c.Follow(p)
	if s := c.Post(p.Location, url.Values{"agree": {"yes"}, "full_name": {legalName}}); s.Status != http.StatusSeeOther {
		t.Fatalf("signing the declaration of %s: %d %s", name, s.Status, s.Text(".error-summary"))
	}
	id, _ := strconv.ParseInt(strings.Split(strings.TrimPrefix(p.Location, "/worksites/"), "/")[0], 10, 64)
	w, err := inst.DB.Read().FindWorksiteByID(t.Context(), portal.WorksiteID(id))
	if err != nil {
		t.Fatal(err)
	}
	if w, err = inst.Portal.App.DecideWorksite(t.Context(), portal.RequestMeta{RequestID: "e2e"}, "officer", w.Code, true, ""); err != nil {
		t.Fatalf("approving %s: %v", name, err)
	}
	return w
}

func hoRole(t *testing.T, inst *portaltest.Instance, ws portal.WorksiteID, email string) string {
	t.Helper()
	a, err := inst.DB.Read().FindAccountByEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	m, err := inst.DB.Read().FindMember(t.Context(), ws, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != portal.MemberActive {
		return m.Status
	}
	return m.Role
}

func TestE2E_HandoverAndAppointment(t *testing.T) {
	eachPortal(t, func(t *testing.T, inst *portaltest.Instance) {
		ada := person{"Ada", "ADMIN", "1980-04-18", "ada@example.ca"}
		ben := person{"Ben", "MEMBER", "1981-05-19", "ben@example.ca"}
		cal := person{"Cal", "MEMBER", "1982-06-20", "cal@example.ca"}
		adaHTTP := wsRegisterAccount(t, inst, ada, "ada.admin")
		wsRegisterAccount(t, inst, ben, "ben.member")
		wsRegisterAccount(t, inst, cal, "cal.member")
		const clinic = "Harbour Clinic"
		w := hoWorksite(t, inst, adaHTTP, clinic, "Ada ADMIN")
		for _, email := range []string{ben.email, cal.email} {
			a, err := inst.DB.Read().FindAccountByEmail(t.Context(), email)
			if err != nil {
				t.Fatal(err)
			}
			if err := inst.DB.InTx(t.Context(), func(tx *store.Tx) error {
				return tx.AddMember(t.Context(), w.ID, a.ID, portal.RoleMember, inst.Clock.Now())
			}); err != nil {
				t.Fatal(err)
			}
		}
		wsURL := inst.URL + "/worksites/" + strconv.FormatInt(int64(w.ID), 10)
		part := func(name string, fn func(t *testing.T)) {
			t.Helper()
			if !t.Run(name, fn) {
				t.FailNow()
			}
		}

		part("the administrator hands over", func(t *testing.T) {
			ctx := newBrowser(t)
			screenshotOnFailure(t, ctx)
			signInInBrowser(t, ctx, inst, ada, "Main Menu")
			navigate(t, ctx, wsURL)
			expectPage(t, ctx, clinic)
			checkAxe(t, ctx, "worksite page with the handover form")
			if got := textOf(t, ctx, "#handover"); !strings.Contains(got, "You are the only site administrator of "+clinic) {
				t.Fatalf("handover section: %q", got)
			}
			// Nothing chosen: refused at the field.
			click(t, ctx, byText("button", "Hand over the worksite"), http.StatusUnprocessableEntity, clinic)
			if got := textOf(t, ctx, "#member-error"); !strings.Contains(got, "Choose an active member of "+clinic) {
				t.Fatalf("member error: %q", got)
			}
			benAcct, _ := inst.DB.Read().FindAccountByEmail(t.Context(), ben.email)
			mustRun(t, ctx, chromedp.SetValue(chromedp.CSS("#member"), strconv.FormatInt(int64(benAcct.ID), 10)))
			click(t, ctx, byText("button", "Hand over the worksite"), http.StatusOK, clinic)
			checkAxe(t, ctx, "worksite page with a pending handover")
			wsExpectFlash(t, ctx, "Handover requested")
			if got := textOf(t, ctx, "#handover-pending"); !strings.Contains(got, "You asked Ben MEMBER to take over "+clinic) {
				t.Fatalf("pending: %q", got)
			}
		})

		part("the member accepts", func(t *testing.T) {
			ctx := newBrowser(t)
			screenshotOnFailure(t, ctx)
			signInInBrowser(t, ctx, inst, ben, "Main Menu")
			navigate(t, ctx, inst.URL+"/notifications")
			expectPage(t, ctx, "Notification Centre")
			if got := textOf(t, ctx, "#action-table"); !strings.Contains(got, "Ada ADMIN asks you to take over "+clinic+" as its site administrator.") {
				t.Fatalf("Notification Centre: %q", got)
			}
			click(t, ctx, byText("a", "Review"), http.StatusOK, "Take over "+clinic)
			checkAxe(t, ctx, "handover page")
			// Accepting without signing the declaration is refused, keeping the name typed.
			mustRun(t, ctx, chromedp.SendKeys(chromedp.CSS("#full_name"), "Ben MEMBER"))
			click(t, ctx, byText("button", "Accept"), http.StatusUnprocessableEntity, "Take over "+clinic)
			checkAxe(t, ctx, "handover page with an error")
			if got := value(t, ctx, "#full_name"); got != "Ben MEMBER" {
				t.Fatalf("the typed name was lost: %q", got)
			}
			mustRun(t, ctx, chromedp.Click(chromedp.CSS(`input[name="agree"]`)))
			click(t, ctx, byText("button", "Accept"), http.StatusOK, clinic)
			checkAxe(t, ctx, "worksite page of the new administrator")
			wsExpectFlash(t, ctx, "You are now a site administrator of "+clinic)
			if got := textOf(t, ctx, "main"); !strings.Contains(got, "Signed by Ben MEMBER") {
				t.Errorf("the declaration is not Ben's: %q", got)
			}
		})
		if hoRole(t, inst, w.ID, ben.email) != portal.RoleSiteAdmin || hoRole(t, inst, w.ID, ada.email) != portal.RoleMember {
			t.Fatal("the roles did not swap")
		}

		part("the old administrator leaves", func(t *testing.T) {
			ctx := newBrowser(t)
			screenshotOnFailure(t, ctx)
			signInInBrowser(t, ctx, inst, ada, "Main Menu")
			navigate(t, ctx, wsURL)
			expectPage(t, ctx, clinic)
			click(t, ctx, byText("a", "Leave this worksite"), http.StatusOK, "Leave "+clinic+"?")
			checkAxe(t, ctx, "leave confirmation")
			click(t, ctx, byText("button", "Leave the worksite"), http.StatusOK, "My Worksites")
			checkAxe(t, ctx, "my worksites after leaving")
			wsExpectFlash(t, ctx, "You left "+clinic)
		})
		if got := hoRole(t, inst, w.ID, ada.email); got != portal.MemberDecommissioned {
			t.Fatalf("Ada is %s", got)
		}

		// Ninety-one days on, Ben has not signed in since.
		inst.Clock.Advance(91 * 24 * time.Hour)
		part("the team appoints an administrator", func(t *testing.T) {
			ctx := newBrowser(t)
			screenshotOnFailure(t, ctx)
			navigate(t, ctx, inst.URL+"/staff")
			expectPage(t, ctx, "Development sign-in")
			click(t, ctx, byText("button", "Continue as Olivia OFFICER"), http.StatusOK, "CareConnect team")
			navigate(t, ctx, inst.URL+"/staff/inactive-worksites")
			expectPage(t, ctx, "Worksites without an active administrator")
			checkAxe(t, ctx, "inactive worksites")
			if got := textOf(t, ctx, "#inactive-worksites"); !strings.Contains(got, clinic) || !strings.Contains(got, "Ben MEMBER") {
				t.Fatalf("list: %q", got)
			}
			click(t, ctx, byText("a", "Appoint an administrator"), http.StatusOK, "Appoint a site administrator for "+clinic)
			checkAxe(t, ctx, "appointment page")
			mustRun(t, ctx, chromedp.Click(chromedp.CSS(`input[name="member"][type="radio"]`)))
			click(t, ctx, byText("button", "Continue"), http.StatusOK, "Appoint a site administrator for "+clinic)
			checkAxe(t, ctx, "appointment confirmation")
			if got := textOf(t, ctx, "#appoint-confirm"); !strings.Contains(got, "Make Cal MEMBER (cal@example.ca) a site administrator of "+clinic+"?") {
				t.Fatalf("confirmation: %q", got)
			}
			if hoRole(t, inst, w.ID, cal.email) != portal.RoleMember {
				t.Fatal("appointed before the confirmation")
			}
			click(t, ctx, byText("button", "Appoint Cal MEMBER"), http.StatusOK, "Worksites without an active administrator")
			checkAxe(t, ctx, "inactive worksites after the appointment")
			wsExpectFlash(t, ctx, "Cal MEMBER is now a site administrator of "+clinic)
		})
		if hoRole(t, inst, w.ID, cal.email) != portal.RoleSiteAdmin {
			t.Fatal("Cal was not appointed")
		}
		for to, kind := range map[string]string{ben.email: "worksite_handover_requested", ada.email: "worksite_handover_answered",
			cal.email: "worksite_admin_appointed"} {
			if es, _ := inst.DB.Read().FindEmails(t.Context(), store.EmailFilter{To: to, Kind: kind}); len(es) != 1 {
				t.Errorf("%d %s emails to %s, want 1", len(es), kind, to)
			}
		}
	})
}
