package e2e

// Handing a worksite over in a real browser: its only site administrator
// asks a member to take over, the member accepts from the Notification
// Centre and signs the declaration in her place, and she leaves; later,
// when the new administrator has not signed in for 90 days, the
// CareConnect team appoints another member. Every page is checked with
// axe-core.

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"

	"github.com/chromedp/chromedp"
)

func hoRole(t *testing.T, inst *portaltest.Instance, ws portal.WorksiteID, email string) string {
	t.Helper()
	m, err := inst.DB.Read().FindMember(t.Context(), ws, inst.Account(t, email).ID)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != portal.MemberActive {
		return m.Status
	}
	return m.Role
}

func TestE2E_HandoverAndAppointment(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		ada := person{"Ada", "ADMIN", "1980-04-18", "ada@example.ca"}
		ben := person{"Ben", "MEMBER", "1981-05-19", "ben@example.ca"}
		cal := person{"Cal", "MEMBER", "1982-06-20", "cal@example.ca"}
		adaHTTP := ada.confirmed(t, inst, "ada.admin")
		ben.confirmed(t, inst, "ben.member")
		cal.confirmed(t, inst, "cal.member")
		const clinic = "Harbour Clinic"
		w := inst.ApprovedWorksite(t, adaHTTP, clinic, "303", "Ada ADMIN")
		inst.Join(t, w.ID, inst.Account(t, ben.email), inst.Account(t, cal.email))
		wsURL := inst.URL + "/worksites/" + strconv.FormatInt(int64(w.ID), 10)

		part(t, "the administrator hands over", func(t *testing.T) {
			ctx := browserAs(t, inst, ada, "Main Menu")
			navigate(t, ctx, wsURL)
			expectPage(t, ctx, clinic)
			checkAxe(t, ctx, "worksite page with the handover form")
			if got := textOf(t, ctx, "#handover"); !strings.Contains(
				got,
				"You are the only site administrator of "+clinic,
			) {
				t.Fatalf("handover section: %q", got)
			}
			// Nothing chosen: refused at the field.
			click(t, ctx, byText("button", "Hand over the worksite"), http.StatusUnprocessableEntity, clinic)
			if got := textOf(t, ctx, "#member-error"); !strings.Contains(got, "Choose an active member of "+clinic) {
				t.Fatalf("member error: %q", got)
			}
			benAcct := inst.Account(t, ben.email)
			mustRun(t, ctx, chromedp.SetValue(chromedp.CSS("#member"), strconv.FormatInt(int64(benAcct.ID), 10)))
			click(t, ctx, byText("button", "Hand over the worksite"), http.StatusOK, clinic)
			checkAxe(t, ctx, "worksite page with a pending handover")
			wsExpectFlash(t, ctx, "Handover requested")
			if got := textOf(t, ctx, "#handover-pending"); !strings.Contains(
				got,
				"You asked Ben MEMBER to take over "+clinic,
			) {
				t.Fatalf("pending: %q", got)
			}
		})

		part(t, "the member accepts", func(t *testing.T) {
			ctx := browserAs(t, inst, ben, "Main Menu")
			navigate(t, ctx, inst.URL+"/notifications")
			expectPage(t, ctx, "Notification Centre")
			if got := textOf(t, ctx, "#action-table"); !strings.Contains(
				got,
				"Ada ADMIN asks you to take over "+clinic+" as its site administrator.",
			) {
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
			wantTextOf(t, ctx, "main", "Signed by Ben MEMBER")
		})
		if hoRole(t, inst, w.ID, ben.email) != portal.RoleSiteAdmin ||
			hoRole(t, inst, w.ID, ada.email) != portal.RoleMember {
			t.Fatal("the roles did not swap")
		}

		part(t, "the old administrator leaves", func(t *testing.T) {
			ctx := browserAs(t, inst, ada, "Main Menu")
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
		part(t, "the team appoints an administrator", func(t *testing.T) {
			ctx := staffBrowser(t, inst, "Olivia OFFICER")
			navigate(t, ctx, inst.URL+"/staff/inactive-worksites")
			expectPage(t, ctx, "Worksites without an active administrator")
			checkAxe(t, ctx, "inactive worksites")
			if got := textOf(t, ctx, "#inactive-worksites"); !strings.Contains(got, clinic) ||
				!strings.Contains(got, "Ben MEMBER") {
				t.Fatalf("list: %q", got)
			}
			click(
				t,
				ctx,
				byText("a", "Appoint an administrator"),
				http.StatusOK,
				"Appoint a site administrator for "+clinic,
			)
			checkAxe(t, ctx, "appointment page")
			mustRun(t, ctx, chromedp.Click(chromedp.CSS(`input[name="member"][type="radio"]`)))
			click(t, ctx, byText("button", "Continue"), http.StatusOK, "Appoint a site administrator for "+clinic)
			checkAxe(t, ctx, "appointment confirmation")
			if got := textOf(t, ctx, "#appoint-confirm"); !strings.Contains(
				got,
				"Make Cal MEMBER (cal@example.ca) a site administrator of "+clinic+"?",
			) {
				t.Fatalf("confirmation: %q", got)
			}
			if hoRole(t, inst, w.ID, cal.email) != portal.RoleMember {
				t.Fatal("appointed before the confirmation")
			}
			click(
				t,
				ctx,
				byText("button", "Appoint Cal MEMBER"),
				http.StatusOK,
				"Worksites without an active administrator",
			)
			checkAxe(t, ctx, "inactive worksites after the appointment")
			wsExpectFlash(t, ctx, "Cal MEMBER is now a site administrator of "+clinic)
		})
		if hoRole(t, inst, w.ID, cal.email) != portal.RoleSiteAdmin {
			t.Fatal("Cal was not appointed")
		}
		for to, kind := range map[string]string{ben.email: "worksite_handover_requested", ada.email: "worksite_handover_answered",
			cal.email: "worksite_admin_appointed"} {
			if es := inst.Emails(t, to, kind); len(es) != 1 {
				t.Errorf("%d %s emails to %s, want 1", len(es), kind, to)
			}
		}
	})
}
