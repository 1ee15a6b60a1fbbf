package app

import (
	"context"
	"strconv"

	"portal"
)

// AddressProvider finds addresses outside the local index (Canada Post
// AddressComplete).
type AddressProvider interface {
	Search(ctx context.Context, q string, limit int) ([]portal.Address, error)
}

// SearchAddresses answers the address type-ahead: from the outside
// provider when one is configured, adopting what it finds into the local
// index so it can be chosen by id, and from the local index otherwise or
// when the provider fails.
func (a *App) SearchAddresses(ctx context.Context, q string, limit int) ([]portal.Address, error) {
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
