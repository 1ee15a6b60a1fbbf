package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// recordingProvider is an address provider that records what it was asked
// and, when block is set, answers only when its context ends.
type recordingProvider struct {
	calls    int
	deadline time.Time
	block    bool
}

func (p *recordingProvider) Search(ctx context.Context, q string, limit int) ([]portal.Address, error) {
	p.calls++
	p.deadline, _ = ctx.Deadline()
	if p.block {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return nil, nil
}

func TestApp_SearchAddressesIsBounded(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		p := &recordingProvider{}
		a.Addresses = p

		t.Run("TooManyCharacters", func(t *testing.T) {
			_, err := a.SearchAddresses(ctx, strings.Repeat("broadway ", 40000), 20)
			wantMessage(t, err, portal.EINVALID,
				"Your search is too long. Type at most 200 characters of the address, for example 370 Broadway E.")
		})
		t.Run("TooManyWords", func(t *testing.T) {
			_, err := a.SearchAddresses(ctx, strings.Repeat("e ", 13), 20)
			wantMessage(t, err, portal.EINVALID,
				"Your search has too many words. Type at most 12 words of the address, for example 370 Broadway E.")
		})
		if p.calls != 0 {
			t.Fatalf("a refused query reached the provider %d times", p.calls)
		}

		t.Run("HasADeadline", func(t *testing.T) {
			start := time.Now()
			if _, err := a.SearchAddresses(ctx, "370 Broadway E", 20); err != nil {
				t.Fatal(err)
			}
			if p.calls != 1 || p.deadline.IsZero() ||
				p.deadline.After(start.Add(app.DefaultAddressSearchTimeout+time.Second)) {
				t.Fatalf(
					"provider called %d times with deadline %v, want one within %v",
					p.calls,
					p.deadline,
					app.DefaultAddressSearchTimeout,
				)
			}
		})
		t.Run("PastItsDeadline", func(t *testing.T) {
			// The provider answers only at the deadline; the local index is
			// then asked with the same, ended, context.
			p.block = true
			a.AddressSearchTimeout = time.Millisecond
			_, err := a.SearchAddresses(ctx, "370 Broadway E", 20)
			wantMessage(t, err, portal.EINVALID,
				"The search took too long. Type more of the address, for example the street number and name.")
		})
		t.Run("RequestEndedIsNotATimeout", func(t *testing.T) {
			gone, cancel := context.WithCancel(ctx)
			cancel()
			_, err := a.SearchAddresses(gone, "370 Broadway E", 20)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("got %v, want the request's own cancellation", err)
			}
		})
	})
}
