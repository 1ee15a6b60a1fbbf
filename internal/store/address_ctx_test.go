package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

// TestStore_SearchAddressesHonoursContext: a search whose context has
// ended or passed its deadline stops with that error on both databases,
// whichever step it is in.
func TestStore_SearchAddressesHonoursContext(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		mustImport(t, db, addr("101", "370", "Broadway", "", "E", "Vancouver", "V5T 4G5"),
			addr("", "12", "Main", "St", "", "Vancouver", "V6A 2S5"))
		cancelled, cancel := context.WithCancel(context.Background())
		cancel()
		expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
		defer cancel2()
		// Each query reaches a different step: building key, street key, full text.
		for _, q := range []string{"370 Broadway", "Broadway E", "Vancouver Main"} {
			if _, err := db.Read().SearchAddresses(cancelled, q, 20); !errors.Is(err, context.Canceled) {
				t.Errorf("%q with a cancelled context: %v", q, err)
			}
			if _, err := db.Read().SearchAddresses(expired, q, 20); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("%q past its deadline: %v", q, err)
			}
		}
	})
}
