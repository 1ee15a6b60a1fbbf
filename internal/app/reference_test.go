package app_test

import (
	"strings"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

// A submitted request carries its reference number, stored with it, and
// every email about it shows the number under the greeting.
func TestAccessRequest_ReferenceNumber(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		olivia := boStaff(t, a, "olivia", "Olivia", "OFFICER", portal.RoleOfficer)
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
