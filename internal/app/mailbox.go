package app

import (
	"context"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// Mailbox lists the outbox's emails, newest first, for the development
// mailbox.
func (a *App) Mailbox(ctx context.Context, f portal.EmailFilter) ([]*portal.Email, error) {
	return a.DB.Read().FindEmails(ctx, f)
}

// MailboxEmail returns one email of the outbox, for the development mailbox.
func (a *App) MailboxEmail(ctx context.Context, id int64) (*portal.Email, error) {
	return a.DB.Read().FindEmailByID(ctx, id)
}

// OutboxDepth counts the emails waiting in the outbox.
func (a *App) OutboxDepth(ctx context.Context) (int, error) {
	return store.Outbox{DB: a.DB}.QueueDepth(ctx)
}
