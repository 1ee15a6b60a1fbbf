package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

func appendEvent(db *store.DB, id portal.AccountID, typ string) error {
	return db.InTx(context.Background(), func(tx *store.Tx) error {
		return tx.AppendProvisioningEvent(context.Background(), id, typ, "{}", apiNow)
	})
}

// TestStore_FeedCommitOrder: two transactions writing change-feed events at
// once on PostgreSQL. The second waits until the first has committed, so a
// reader can never see a higher event id while a lower one is still to come
// (which would make a client resuming from the higher id skip the lower).
func TestStore_FeedCommitOrder(t *testing.T) {
	db := storetest.OpenPostgres(t)
	a := mustAPIAccount(t, db, "order", portal.ProfPhysician)
	b := mustAPIAccount(t, db, "order2", portal.ProfPhysician) // another row: nothing else makes the writers wait
	held, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	store.SetBeforeCommit(db, func() {
		first := false
		once.Do(func() { first = true })
		if first { // hold the first writer between its INSERT and its COMMIT
			close(held)
			<-release
		}
	})
	done1, done2 := make(chan error, 1), make(chan error, 1)
	go func() { done1 <- appendEvent(db, a.ID, "user.provisioned") }()
	<-held
	go func() { done2 <- appendEvent(db, b.ID, "user.updated") }()
	select {
	case err := <-done2:
		t.Fatalf("the second writer committed while the first was still open (%v)", err)
	case <-time.After(300 * time.Millisecond):
	}
	if evs, err := db.Read().FindProvisioningEvents(ctx, 0, 10); err != nil || len(evs) != 0 {
		t.Fatalf("feed while the first writer is open: %+v %v", evs, err)
	}
	close(release)
	if err := <-done1; err != nil {
		t.Fatal(err)
	}
	if err := <-done2; err != nil {
		t.Fatal(err)
	}
	evs, err := db.Read().FindProvisioningEvents(ctx, 0, 10)
	if err != nil || len(evs) != 2 || evs[0].Type != "user.provisioned" || evs[1].Type != "user.updated" ||
		evs[0].ID >= evs[1].ID {
		t.Fatalf("feed: %+v %v", evs, err)
	}
}

// TestStore_FeedNoGaps: many writers commit events at once, each pausing
// between its INSERT and its COMMIT, while a client follows the feed by
// cursor. The client must receive every event, on both databases.
func TestStore_FeedNoGaps(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const writers, each = 4, 10
		var people []*portal.Account // one each, so only the feed can order the writers
		for i := range writers {
			people = append(people, mustAPIAccount(t, db, fmt.Sprintf("nogaps%d", i), portal.ProfPhysician))
		}
		var n sync.Mutex
		k := 0
		store.SetBeforeCommit(db, func() {
			n.Lock()
			k++
			d := time.Duration(k%4) * 3 * time.Millisecond
			n.Unlock()
			time.Sleep(d)
		})
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for _, p := range people {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range each {
					if err := appendEvent(db, p.ID, "user.updated"); err != nil {
						errs <- err
					}
				}
			}()
		}
		stop := make(chan struct{})
		go func() { wg.Wait(); close(stop) }()
		seen := map[int64]bool{}
		var cursor int64
		follow := func() {
			evs, err := db.Read().FindProvisioningEvents(ctx, cursor, 1000)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range evs {
				seen[e.ID] = true
				cursor = e.ID
			}
		}
		for running := true; running; {
			select {
			case <-stop:
				running = false
			default:
				follow()
				time.Sleep(time.Millisecond)
			}
		}
		follow()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		all, err := db.Read().FindProvisioningEvents(ctx, 0, 1000)
		if err != nil || len(all) != writers*each {
			t.Fatalf("%d events written, want %d (%v)", len(all), writers*each, err)
		}
		for _, e := range all {
			if !seen[e.ID] {
				t.Errorf("the client following the feed never received event %d", e.ID)
			}
		}
	})
}
