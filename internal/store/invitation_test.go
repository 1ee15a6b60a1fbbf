package store_test

import (
	"strconv"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

func createInvitation(
	tx *store.Tx,
	ws *portal.Worksite,
	by *portal.Account,
	email, token string,
	at time.Time,
) (*portal.Invitation, error) {
	inv := &portal.Invitation{
		WorksiteID: ws.ID,
		Email:      email,
		InvitedBy:  by.ID,
		CreatedAt:  at,
		ExpiresAt:  at.Add(portal.InvitationLifetime),
	}
	return inv, tx.CreateInvitation(ctx, inv, token)
}

// The database keeps one pending invitation per worksite and address (in
// any case); answered or expired ones do not count.
func TestStore_OnePendingInvitation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
		doc := mustCreateAccount(t, db, "doc")
		ws := mustQueueWorksite(t, db, doc, "Alder Clinic", "Vancouver", portal.VancouverCoastalHealth)
		other := mustQueueWorksite(t, db, doc, "Birch Clinic", "Vancouver", portal.VancouverCoastalHealth)
		create := func(w *portal.Worksite, email, token string, at time.Time) (*portal.Invitation, error) {
			var inv *portal.Invitation
			err := db.InTx(ctx, func(tx *store.Tx) (err error) {
				inv, err = createInvitation(tx, w, doc, email, token, at)
				return err
			})
			return inv, err
		}
		first, err := create(ws, "locum@example.ca", "t1", now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := create(ws, "LOCUM@example.ca", "t2", now); !store.IsPendingInvitationConflict(err) {
			t.Fatalf("a second pending invitation to the address: %v, want the pending-invitation conflict", err)
		}
		if _, err := create(other, "locum@example.ca", "t3", now); err != nil {
			t.Fatalf("the same address at another worksite: %v", err)
		}
		// Not yet expired: ExpireInvitations leaves it pending.
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.ExpireInvitations(ctx, ws.ID, "locum@example.ca", now) }); err != nil {
			t.Fatal(err)
		}
		if _, err := create(ws, "locum@example.ca", "t4", now); !store.IsPendingInvitationConflict(err) {
			t.Fatalf("an invitation beside an unexpired one: %v", err)
		}
		later := now.Add(portal.InvitationLifetime)
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.ExpireInvitations(ctx, ws.ID, "Locum@example.ca", later) }); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Read().FindInvitationByID(ctx, first.ID); got.Status != portal.RequestExpired {
			t.Fatalf("status %s after its expiry, want expired", got.Status)
		}
		second, err := create(ws, "locum@example.ca", "t5", later)
		if err != nil {
			t.Fatalf("an invitation after the first expired: %v", err)
		}
		err = db.InTx(
			ctx,
			func(tx *store.Tx) error {
				_, err := tx.RenewInvitation(ctx, first.ID, 1, "t6", later.Add(time.Hour))
				return err
			},
		)
		if !store.IsPendingInvitationConflict(err) {
			t.Fatalf("renewing the expired one beside a pending one: %v", err)
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.DecideInvitation(ctx, second.ID, portal.RequestRevoked, doc.ID, "", later)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := create(ws, "locum@example.ca", "t7", later); err != nil {
			t.Fatalf("an invitation after the last was revoked: %v", err)
		}
	})
}

// Migration 0010 keeps the newest of the pending invitations made before it
// and records the others as expired when the next one was sent.
func TestStore_Migration0010SupersedesDuplicateInvitations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
		doc := mustCreateAccount(t, db, "doc")
		ws := mustQueueWorksite(t, db, doc, "Alder Clinic", "Vancouver", portal.VancouverCoastalHealth)
		for _, stmt := range []string{"DROP INDEX invitations_pending", "DELETE FROM schema_migrations WHERE version = 10"} {
			if _, err := db.SQL().Exec(stmt); err != nil {
				t.Fatal(err)
			}
		}
		var invs []*portal.Invitation
		for i, at := range []time.Time{now.Add(-40 * 24 * time.Hour), now, now} { // an expired one, then a double submission
			err := db.InTx(ctx, func(tx *store.Tx) error {
				inv, err := createInvitation(
					tx,
					ws,
					doc,
					[]string{"locum@example.ca", "Locum@example.ca", "LOCUM@example.ca"}[i],
					"d"+strconv.Itoa(i),
					at,
				)
				invs = append(invs, inv)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		alone := mustInTx(t, db, func(tx *store.Tx) (*portal.Invitation, error) {
			return createInvitation(tx, ws, doc, "other@example.ca", "d9", now)
		})
		if n, err := db.Migrate(ctx); err != nil || n != 1 {
			t.Fatalf("migrate: applied %d, %v", n, err)
		}
		want := []struct {
			status  string
			expires time.Time
		}{
			{portal.RequestExpired, invs[0].ExpiresAt}, // expired before the next was sent
			{portal.RequestExpired, now},               // superseded by its twin
			{portal.RequestPending, invs[2].ExpiresAt},
		}
		for i, w := range want {
			got, err := db.Read().FindInvitationByID(ctx, invs[i].ID)
			if err != nil || got.Status != w.status || !got.ExpiresAt.Equal(w.expires) {
				t.Errorf("invitation %d: %+v %v, want %s until %s", i, got, err, w.status, w.expires)
			}
		}
		if got, _ := db.Read().FindInvitationByID(ctx, alone.ID); got.Status != portal.RequestPending {
			t.Errorf("the only invitation to another address is %s", got.Status)
		}
		err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := createInvitation(tx, ws, doc, "locum@example.ca", "d10", now)
			return err
		})
		if !store.IsPendingInvitationConflict(err) {
			t.Fatalf("after the migration, a second pending invitation: %v", err)
		}
	})
}
