package app

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/bcgov-example/careconnect-portal/internal/store"

	portal "github.com/bcgov-example/careconnect-portal"
)

// DefaultAddressSearchTimeout is how long an address search may take.
const DefaultAddressSearchTimeout = 2 * time.Second

// MinAddressQuery is the shortest query, in characters, that an address
// search answers; shorter queries find nothing.
const MinAddressQuery = store.MinAddressQuery

// AddressProvider finds addresses outside the local index (Canada Post
// AddressComplete).
type AddressProvider interface {
	Search(ctx context.Context, q string, limit int) ([]portal.Address, error)
}

// SearchAddresses answers the address type-ahead: from the outside
// provider when one is configured, adopting what it finds into the local
// index so it can be chosen by id, and from the local index otherwise or
// when the provider fails.
//
// Queries too long to be an address are refused (portal.CheckAddressQuery),
// and the search has AddressSearchTimeout to answer: one that takes longer
// is stopped in the database and refused with a message to type more of
// the address.
func (a *App) SearchAddresses(ctx context.Context, q string, limit int) ([]portal.Address, error) {
	if err := portal.CheckAddressQuery(q); err != nil {
		return nil, err
	}
	timeout := a.AddressSearchTimeout
	if timeout <= 0 {
		timeout = DefaultAddressSearchTimeout
	}
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	found, err := a.searchAddresses(sctx, q, limit)
	if err != nil && ctx.Err() == nil && errors.Is(sctx.Err(), context.DeadlineExceeded) {
		a.Logger.Warn("address search stopped at its deadline", "timeout", timeout, "characters", len(q))
		return nil, portal.Errorf(
			portal.EINVALID,
			"The search took too long. Type more of the address, for example the street number and name.",
		)
	}
	return found, err
}

func (a *App) searchAddresses(ctx context.Context, q string, limit int) ([]portal.Address, error) {
	if a.Addresses != nil {
		found, err := a.Addresses.Search(ctx, q, limit)
		if err == nil {
			return a.DB.AdoptAddresses(ctx, found)
		}
		a.Logger.Warn("address provider failed; using the local index", "err", err)
	}
	return a.DB.Read().SearchAddresses(ctx, q, limit)
}

// Address returns an address of the index by the id a form carried, or
// nil when there is none.
func (a *App) Address(ctx context.Context, idText string) *portal.Address {
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return nil
	}
	addr, err := a.DB.Read().FindAddressByID(ctx, portal.AddressID(id))
	if err != nil {
		return nil
	}
	return addr
}
