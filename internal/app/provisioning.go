package app

import (
	"context"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// Provisioning event types, read by downstream systems from the change feed.
const (
	ProvUserProvisioned   = portal.FeedUserProvisioned   // access approved: the person appears in the provisioning API
	ProvUserUpdated       = "user.updated"               // something downstream systems show changed (worksites, sponsors, scopes, contact)
	ProvUserSuspended     = portal.FeedUserSuspended     // access paused
	ProvUserReinstated    = portal.FeedUserReinstated    // access resumed
	ProvUserDeprovisioned = portal.FeedUserDeprovisioned // access removed
)

// recordProvisioning appends an event to the change feed inside tx and marks
// when the person last changed, so the provisioning API's
// meta.lastModified filter finds them.
func (a *App) recordProvisioning(ctx context.Context, tx *store.Tx, id portal.AccountID, typ string, data any) error {
	return tx.AppendProvisioningEvent(ctx, id, typ, store.AuditDetails(data), a.now())
}

// provisioningTouch records a user.updated event when the person is
// provisioned (has or had an approved request); others are of no interest
// downstream.
func (a *App) provisioningTouch(ctx context.Context, tx *store.Tx, id portal.AccountID, what string) error {
	prov, err := tx.IsProvisioned(ctx, id)
	if err != nil || !prov {
		return err
	}
	return a.recordProvisioning(ctx, tx, id, ProvUserUpdated, map[string]string{"changed": what})
}
