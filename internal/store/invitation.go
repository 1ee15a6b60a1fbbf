package store

import (
	"context"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
)

const invitationColumns = `i.id, i.worksite_id, i.email, i.invited_by, i.status, i.created_at, i.expires_at,
	i.decided_at, i.sent_count,
	w.name, w.code, a.preferred_first_name, a.given_names, a.preferred_last_name, a.surname`

const invitationFrom = ` FROM invitations i JOIN worksites w ON w.id = i.worksite_id
	JOIN accounts a ON a.id = i.invited_by`

func scanInvitation(r rowScanner) (*portal.Invitation, error) {
	var inv portal.Invitation
	var created, expires, decided int64
	var code, pf, given, pl, surname string
	if err := r.Scan(&inv.ID, &inv.WorksiteID, &inv.Email, &inv.InvitedBy, &inv.Status, &created,
		&expires, &decided, &inv.SentCount,
		&inv.WorksiteName, &code, &pf, &given, &pl, &surname); err != nil {
		return nil, mapError(err)
	}
	inv.WorksiteCode = portal.WorksiteCode(code)
	inv.InviterName = displayName(pf, given, pl, surname)
	inv.CreatedAt, inv.ExpiresAt, inv.DecidedAt = fromMS(created), fromMS(expires), fromMS(decided)
	return &inv, nil
}

// CreateInvitation inserts a pending invitation. A second pending
// invitation to the same address at the same worksite fails with a
// *ConflictError (see IsPendingInvitationConflict).
func (tx *Tx) CreateInvitation(ctx context.Context, inv *portal.Invitation, tokenHash string) error {
	id, err := tx.Insert(ctx,
		`INSERT INTO invitations (worksite_id, email, email_key, invited_by, status, token_hash, created_at, expires_at)
		VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)`, int64(inv.WorksiteID), inv.Email, portal.EmailKey(inv.Email), int64(inv.InvitedBy),
		tokenHash, ms(inv.CreatedAt), ms(inv.ExpiresAt))
	if err != nil {
		return err
	}
	inv.ID, inv.Status, inv.SentCount = portal.InvitationID(id), portal.RequestPending, 1
	return nil
}

// ExpireInvitations records as expired the pending invitations to email at
// worksite ws whose time ran out by now, so a new one can take their place.
func (tx *Tx) ExpireInvitations(ctx context.Context, ws portal.WorksiteID, email string, now time.Time) error {
	_, err := tx.Exec(ctx,
		"UPDATE invitations SET status = 'expired' "+
			"WHERE worksite_id = ? AND email_key = ? AND status = 'pending' AND expires_at <= ?",
		int64(ws), portal.EmailKey(email), ms(now))
	return err
}

// IsPendingInvitationConflict reports whether err is the unique violation
// of a second pending invitation to one address at one worksite.
func IsPendingInvitationConflict(err error) bool {
	return IsConflictOn(err, "invitations_pending", "invitations.email_key")
}

// FindInvitationByID returns one invitation.
func (q Q) FindInvitationByID(ctx context.Context, id portal.InvitationID) (*portal.Invitation, error) {
	return scanInvitation(q.QueryRow(ctx, "SELECT "+invitationColumns+invitationFrom+" WHERE i.id = ?", int64(id)))
}

// FindInvitationByToken returns the invitation an emailed link carries.
func (q Q) FindInvitationByToken(ctx context.Context, tokenHash string) (*portal.Invitation, error) {
	return scanInvitation(q.QueryRow(ctx,
		"SELECT "+invitationColumns+invitationFrom+" WHERE i.token_hash = ?", tokenHash))
}

// FindPendingInvitationsForEmail lists unexpired pending invitations to an address.
func (q Q) FindPendingInvitationsForEmail(ctx context.Context, email string,
	now time.Time) ([]*portal.Invitation, error) {
	return q.invitations(ctx,
		" WHERE i.email_key = ? AND i.status = 'pending' AND i.expires_at > ? ORDER BY i.created_at DESC",
		portal.EmailKey(email), ms(now))
}

// FindWorksiteInvitations lists a worksite's invitations, newest first.
func (q Q) FindWorksiteInvitations(ctx context.Context, ws portal.WorksiteID) ([]*portal.Invitation, error) {
	return q.invitations(ctx, " WHERE i.worksite_id = ? ORDER BY i.created_at DESC", int64(ws))
}

func (q Q) invitations(ctx context.Context, where string, args ...any) ([]*portal.Invitation, error) {
	rows, err := q.Query(ctx, "SELECT "+invitationColumns+invitationFrom+where, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanInvitation)
}

// DecideInvitation moves a pending invitation to status, reporting whether
// it was pending. via records how an accepted invitation was taken up
// (portal.GrantViaLink or portal.GrantViaConfirmedAddress); it is empty
// for the other answers.
func (tx *Tx) DecideInvitation(ctx context.Context, id portal.InvitationID, status string, by portal.AccountID,
	via string, now time.Time) (bool, error) {
	return tx.changed(ctx,
		"UPDATE invitations SET status = ?, decided_at = ?, decided_by = ?, accepted_via = ? "+
			"WHERE id = ? AND status = 'pending'",
		status, ms(now), idArg(by), via, int64(id))
}

// RenewInvitation sends an invitation again: new token, new expiry, pending.
// It renews only while the invitation has been sent sent times, so that of
// two renewals racing from the same page one takes effect; it reports
// whether this one did.
func (tx *Tx) RenewInvitation(
	ctx context.Context,
	id portal.InvitationID,
	sent int,
	tokenHash string,
	expires time.Time,
) (bool, error) {
	return tx.changed(ctx,
		`UPDATE invitations SET status = 'pending', token_hash = ?, expires_at = ?, sent_count = sent_count + 1,
		decided_at = 0, decided_by = NULL, accepted_via = '' WHERE id = ? AND sent_count = ?`,
		tokenHash, ms(expires), int64(id), sent)
}
