package app_test

import (
	"fmt"
	"testing"

	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

// Send again pressed twice at once from the same page sends one more email,
// so the link in the newest email is the one that works; pressed again from
// a page that shows the new count, it sends again.
func TestApp_SendAgainTwiceAtOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newApp(t, db)
		admin, w := kingsgate(t, a)
		const rounds = 4
		for round := range rounds {
			email := fmt.Sprintf("locum%d@example.ca", round)
			inv, err := a.Invite(ctx, meta, admin, w.ID, email)
			if err != nil {
				t.Fatal(err)
			}
			errs := atOnce(func() error { return a.ResendInvitation(ctx, meta, admin, w.ID, inv.ID, 1) })
			for _, err := range errs {
				if err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
			}
			mustEmails(t, db, email, "worksite_invitation", 2)
			got, err := db.Read().FindInvitationByID(ctx, inv.ID)
			if err != nil || got.SentCount != 2 {
				t.Fatalf("round %d: sent %d times (%v), want 2", round, got.SentCount, err)
			}
			if err := a.ResendInvitation(ctx, meta, admin, w.ID, inv.ID, 2); err != nil {
				t.Fatal(err)
			}
			mustEmails(t, db, email, "worksite_invitation", 3)
		}
	})
}
