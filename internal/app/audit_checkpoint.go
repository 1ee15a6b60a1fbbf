package app

import (
	"context"
	"crypto/ed25519"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// AuditCheckpoint signs the audit trail's head as it is now: a checkpoint
// to keep outside the database, so that a later verification finds any
// rewrite of the chain up to it, or rows deleted from its end with the
// head moved back.
func (a *App) AuditCheckpoint(ctx context.Context, key ed25519.PrivateKey) (portal.AuditCheckpoint, error) {
	head, err := a.DB.Read().FindAuditHead(ctx)
	if store.IsNotFound(err) {
		return portal.AuditCheckpoint{}, portal.Errorf(
			portal.ENOTFOUND,
			"The audit trail's head is missing, so there is nothing to sign: run portal audit verify.",
		)
	} else if err != nil {
		return portal.AuditCheckpoint{}, err
	}
	return portal.SignCheckpoint(key, head.Seq, head.Hash, a.now()), nil
}
