package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

func addMember(t *testing.T, inst *portaltest.Instance, ws string, a *portal.Account) {
	t.Helper()
	inst.Join(t, portal.WorksiteID(mustAtoi(t, ws)), a)
}

func memberRole(t *testing.T, inst *portaltest.Instance, ws string, a *portal.Account) string {
	t.Helper()
	id, _ := strconv.ParseInt(ws, 10, 64)
	m, err := inst.DB.Read().FindMember(t.Context(), portal.WorksiteID(id), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != portal.MemberActive {
		return m.Status
	}
	return m.Role
}

func pendingHandover(t *testing.T, inst *portaltest.Instance, ws string) *portal.Handover {
	t.Helper()
	id, _ := strconv.ParseInt(ws, 10, 64)
	h, err := inst.DB.Read().FindPendingHandover(t.Context(), portal.WorksiteID(id))
	if store.IsNotFound(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestWeb_Handover(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		ada := inst.Confirmed(t, "Ada", "ADMIN", "ada@example.ca", "ada.admin")
		ben := inst.Confirmed(t, "Ben", "MEMBER", "ben@example.ca", "ben.member")
		cal := inst.Confirmed(t, "Cal", "MEMBER", "cal@example.ca", "cal.member")
		dee := inst.Confirmed(t, "Dee", "OTHER", "dee@example.ca", "dee.other")
		ws, _ := registerWorksite(t, inst, ada, "Harbour Clinic", "101")
		other, _ := registerWorksite(t, inst, dee, "Other Clinic", "202")
		benAcct, calAcct := accountOf(t, inst, ben), accountOf(t, inst, cal)
		addMember(t, inst, ws, benAcct)
		addMember(t, inst, ws, calAcct)
		addMember(t, inst, other, calAcct)
		handover := "/worksites/" + ws + "/handover"

		show := ada.Get("/worksites/" + ws)
		opts := show.Find(`#member option`)
		if len(opts) != 3 ||
			!strings.Contains(show.Text("#handover"), "You are the only site administrator of Harbour Clinic") {
			t.Fatalf("handover form: %d options; %q", len(opts), show.Text("#handover"))
		}
		if len(ben.Get("/worksites/"+ws).Find(`form[action="`+handover+`"]`)) != 0 {
			t.Fatal("a member sees the handover form")
		}

		t.Run("AuthorisationAcrossWorksites", func(t *testing.T) {
			dee.Get("/worksites/" + other)
			if p := dee.Post(handover, url.Values{"member": {strconv.FormatInt(int64(calAcct.ID), 10)}}); p.Status != http.StatusNotFound {
				t.Fatalf("another worksite's administrator: %d", p.Status)
			}
			ben.Get("/worksites/" + ws)
			if p := ben.Post(handover, url.Values{"member": {strconv.FormatInt(int64(calAcct.ID), 10)}}); p.Status != http.StatusNotFound {
				t.Fatalf("a member: %d", p.Status)
			}
			if pendingHandover(t, inst, ws) != nil {
				t.Fatal("a handover was started")
			}
		})
		t.Run("CSRF", func(t *testing.T) {
			p := ada.Post(
				handover,
				url.Values{"csrf_token": {"wrong"}, "member": {strconv.FormatInt(int64(benAcct.ID), 10)}},
			)
			if p.Status != http.StatusForbidden || pendingHandover(t, inst, ws) != nil {
				t.Fatalf("without the CSRF token: %d", p.Status)
			}
		})
		t.Run("ErrNoMemberChosen", func(t *testing.T) {
			ada.Get("/worksites/" + ws)
			p := ada.Post(handover, url.Values{"member": {""}})
			if p.Status != http.StatusUnprocessableEntity ||
				p.Text("#member-error") != "Error: Choose an active member of Harbour Clinic." {
				t.Fatalf("%d %q", p.Status, p.Text("#member-error"))
			}
		})

		ada.Get("/worksites/" + ws)
		p := ada.Post(handover, url.Values{"member": {strconv.FormatInt(int64(benAcct.ID), 10)}})
		if p.Status != http.StatusSeeOther || p.Location != "/worksites/"+ws {
			t.Fatalf("start: %d %q", p.Status, p.Location)
		}
		show = ada.Follow(p)
		if !strings.Contains(show.Text(".flash"), "Handover requested") ||
			!strings.Contains(show.Text("#handover-pending"), "You asked Ben MEMBER to take over") {
			t.Fatalf("after starting: flash %q, %q", show.Text(".flash"), show.Text("#handover-pending"))
		}
		h := pendingHandover(t, inst, ws)
		if h == nil || h.ToAccountID != benAcct.ID {
			t.Fatalf("handover %+v", h)
		}
		hp := fmt.Sprintf("/handovers/%d", h.ID)

		t.Run("DoubleSubmit", func(t *testing.T) {
			p := ada.Post(handover, url.Values{"member": {strconv.FormatInt(int64(calAcct.ID), 10)}})
			if p.Status != http.StatusConflict ||
				p.Text(
					".flash-error",
				) != "A handover of Harbour Clinic is already waiting for an answer. Cancel it first to ask someone else." {
				t.Fatalf("%d %q", p.Status, p.Text(".flash-error"))
			}
		})
		t.Run("OnlyTheInviteeSeesIt", func(t *testing.T) {
			for _, c := range []*portaltest.Client{cal, ada, dee} {
				if p := c.Get(hp); p.Status != http.StatusNotFound {
					t.Fatalf("someone else: %d", p.Status)
				}
			}
			cal.Get("/notifications")
			if p := cal.Post(hp+"/accept", url.Values{"agree": {"yes"}, "full_name": {"Cal MEMBER"}}); p.Status != http.StatusNotFound {
				t.Fatalf("someone else accepts: %d", p.Status)
			}
		})

		note := ben.Get("/notifications")
		if len(note.Find(`a[href="`+hp+`"]`)) == 0 {
			t.Fatalf("Notification Centre lacks the handover: %s", note.Text("#action-table"))
		}
		page := ben.Get(hp)
		if page.Status != http.StatusOK || len(page.Find("#handover-declaration")) != 1 {
			t.Fatalf("handover page: %d", page.Status)
		}
		p = ben.Post(hp+"/accept", url.Values{"full_name": {"Ben Typed"}})
		if p.Status != http.StatusUnprocessableEntity || p.Attr(`input[name="full_name"]`, "value") != "Ben Typed" ||
			!strings.Contains(p.Text(".error-summary"), "Tick the box to confirm the declaration.") {
			t.Fatalf("accept without the declaration: %d %q", p.Status, p.Text(".error-summary"))
		}
		if memberRole(t, inst, ws, benAcct) != portal.RoleMember {
			t.Fatal("a refused acceptance changed the role")
		}
		p = ben.Post(hp+"/accept", url.Values{"agree": {"yes"}, "full_name": {"Ben MEMBER"}})
		if p.Status != http.StatusSeeOther || p.Location != "/worksites/"+ws {
			t.Fatalf("accept: %d %q %s", p.Status, p.Location, p.Text(".error-summary"))
		}
		adaAcct := accountOf(t, inst, ada)
		if memberRole(t, inst, ws, benAcct) != portal.RoleSiteAdmin ||
			memberRole(t, inst, ws, adaAcct) != portal.RoleMember {
			t.Fatal("roles did not swap")
		}

		// Ada leaves: a confirmation first, which changes nothing.
		if p := ada.Get("/worksites/" + ws + "/leave"); p.Status != http.StatusOK ||
			memberRole(t, inst, ws, adaAcct) != portal.RoleMember {
			t.Fatalf("leave page: %d", p.Status)
		}
		if p := ada.Post("/worksites/"+ws+"/leave", url.Values{"csrf_token": {"wrong"}}); p.Status != http.StatusForbidden {
			t.Fatalf("leave without CSRF: %d", p.Status)
		}
		ada.Get("/worksites/" + ws + "/leave")
		p = ada.Post("/worksites/"+ws+"/leave", nil)
		if p.Status != http.StatusSeeOther || p.Location != "/worksites" {
			t.Fatalf("leave: %d %q", p.Status, p.Location)
		}
		if got := memberRole(t, inst, ws, adaAcct); got != portal.MemberDecommissioned {
			t.Fatalf("Ada is %s", got)
		}

		// Dee, the only administrator of hers, cannot leave.
		dee.Get("/worksites/" + other + "/leave")
		p = dee.Post("/worksites/"+other+"/leave", nil)
		if p.Status != http.StatusConflict || !strings.Contains(p.Text("#leave-error"), "Hand the worksite over") {
			t.Fatalf("last administrator leaves: %d %q", p.Status, p.Text("#leave-error"))
		}
	})
}

func TestWeb_AppointSiteAdmin(t *testing.T) {
	t.Parallel()
	portaltest.Each(t, func(t *testing.T, inst *portaltest.Instance) {
		dee := inst.Confirmed(t, "Dee", "OTHER", "dee@example.ca", "dee.other")
		cal := inst.Confirmed(t, "Cal", "MEMBER", "cal@example.ca", "cal.member")
		ws, _ := registerWorksite(t, inst, dee, "Other Clinic", "202")
		calAcct := accountOf(t, inst, cal)
		addMember(t, inst, ws, calAcct)
		officer := inst.StaffClient(t, "officer")

		if p := officer.Get("/staff/inactive-worksites"); p.Status != http.StatusOK ||
			len(p.Find("#inactive-worksites")) != 0 {
			t.Fatalf("listed before 90 days: %d", p.Status)
		}
		if p := officer.Get("/staff/inactive-worksites/" + ws); p.Status != http.StatusNotFound {
			t.Fatalf("appointment page of an active worksite: %d", p.Status)
		}
		inst.Clock.Advance(91 * 24 * time.Hour)
		// The sessions from before have long expired.
		officer, auditor := inst.StaffClient(t, "officer"), inst.StaffClient(t, "auditor")
		list := officer.Get("/staff/inactive-worksites")
		if !strings.Contains(list.Text("#inactive-worksites"), "Other Clinic") ||
			!strings.Contains(list.Text("#inactive-worksites"), "Dee OTHER") {
			t.Fatalf("list: %q", list.Text("#inactive-worksites"))
		}
		if p := auditor.Get("/staff/inactive-worksites"); p.Status != http.StatusForbidden {
			t.Fatalf("auditor: %d", p.Status)
		}
		appoint := "/staff/inactive-worksites/" + ws
		page := officer.Get(appoint)
		if len(page.Find(`input[name="member"][type="radio"]`)) != 1 {
			t.Fatalf("candidates: %s", page.Text("main"))
		}
		member := strconv.FormatInt(int64(calAcct.ID), 10)
		if p := officer.Post(appoint, url.Values{"csrf_token": {"wrong"}, "member": {member}, "confirm": {"yes"}}); p.Status != http.StatusForbidden {
			t.Fatalf("without CSRF: %d", p.Status)
		}
		p := officer.Post(appoint, url.Values{})
		if p.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(p.Text(".error-summary"), "Choose the member to appoint") {
			t.Fatalf("nobody chosen: %d %q", p.Status, p.Text(".error-summary"))
		}
		p = officer.Post(appoint, url.Values{"member": {member}})
		if p.Status != http.StatusOK ||
			!strings.Contains(
				p.Text("#appoint-confirm"),
				"Make Cal MEMBER (cal@example.ca) a site administrator of Other Clinic?",
			) {
			t.Fatalf("confirmation: %d %q", p.Status, p.Text("#appoint-confirm"))
		}
		if memberRole(t, inst, ws, calAcct) != portal.RoleMember {
			t.Fatal("the confirmation step appointed")
		}
		if p := auditor.Post(appoint, url.Values{"csrf_token": {auditor.CSRF}, "member": {member}, "confirm": {"yes"}}); p.Status != http.StatusForbidden {
			t.Fatalf("auditor appoints: %d", p.Status)
		}
		p = officer.Post(appoint, url.Values{"member": {member}, "confirm": {"yes"}})
		if p.Status != http.StatusSeeOther || p.Location != "/staff/inactive-worksites" {
			t.Fatalf("appoint: %d %q %s", p.Status, p.Location, p.Text("main"))
		}
		if memberRole(t, inst, ws, calAcct) != portal.RoleSiteAdmin {
			t.Fatal("Cal was not appointed")
		}
		for to, kind := range map[string]string{"cal@example.ca": "worksite_admin_appointed", "dee@example.ca": "worksite_admin_appointed"} {
			if es := inst.Emails(t, to, kind); len(es) != 1 {
				t.Fatalf("%d %s emails to %s", len(es), kind, to)
			}
		}
	})
}
