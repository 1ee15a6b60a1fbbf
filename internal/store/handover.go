package store

import (
	"context"
	"sort"
	"strings"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
)

const handoverColumns = `h.id, h.worksite_id, h.from_account_id, h.to_account_id, h.status, h.created_at,
	h.expires_at, h.decided_at,
	w.name, w.code, f.preferred_first_name, f.given_names, f.preferred_last_name, f.surname, f.email,
	t.preferred_first_name, t.given_names, t.preferred_last_name, t.surname, t.email`

const handoverFrom = ` FROM worksite_handovers h JOIN worksites w ON w.id = h.worksite_id
	JOIN accounts f ON f.id = h.from_account_id JOIN accounts t ON t.id = h.to_account_id`

func scanHandover(r rowScanner) (*portal.Handover, error) {
	var h portal.Handover
	var created, expires, decided int64
	var code, fpf, fg, fpl, fs, tpf, tg, tpl, ts string
	if err := r.Scan(&h.ID, &h.WorksiteID, &h.FromAccountID, &h.ToAccountID, &h.Status, &created, &expires, &decided,
		&h.WorksiteName, &code, &fpf, &fg, &fpl, &fs, &h.FromEmail, &tpf, &tg, &tpl, &ts, &h.ToEmail); err != nil {
		return nil, mapError(err)
	}
	h.WorksiteCode = portal.WorksiteCode(code)
	h.FromName, h.ToName = displayName(fpf, fg, fpl, fs), displayName(tpf, tg, tpl, ts)
	h.CreatedAt, h.ExpiresAt, h.DecidedAt = fromMS(created), fromMS(expires), fromMS(decided)
	return &h, nil
}

// IsPendingHandoverConflict reports whether err is the database refusing
// a second pending handover of one worksite.
func IsPendingHandoverConflict(err error) bool {
	return IsConflictOn(err, "worksite_handovers_pending", "worksite_handovers.worksite_id")
}

// ExpireHandovers records as expired a worksite's pending handover past its
// expiry, so that a new one may be started beside it.
func (tx *Tx) ExpireHandovers(ctx context.Context, ws portal.WorksiteID, now time.Time) error {
	_, err := tx.Exec(ctx,
		"UPDATE worksite_handovers SET status = 'expired' "+
			"WHERE worksite_id = ? AND status = 'pending' AND expires_at <= ?",
		int64(ws), ms(now))
	return err
}

// CreateHandover inserts a pending handover. A second pending one for the
// worksite fails with a conflict (IsPendingHandoverConflict).
func (tx *Tx) CreateHandover(ctx context.Context, h *portal.Handover) error {
	id, err := tx.Insert(ctx,
		`INSERT INTO worksite_handovers (worksite_id, from_account_id, to_account_id, status, created_at, expires_at)
		VALUES (?, ?, ?, 'pending', ?, ?)`, int64(h.WorksiteID), int64(h.FromAccountID), int64(h.ToAccountID), ms(h.CreatedAt), ms(h.ExpiresAt))
	if err != nil {
		return err
	}
	h.ID, h.Status = portal.HandoverID(id), portal.HandoverPending
	return nil
}

// DecideHandover closes a pending handover that has not expired with a
// status (accepted, declined or cancelled); it reports false when it was no
// longer open, so of two answers at once exactly one stands.
func (tx *Tx) DecideHandover(ctx context.Context, id portal.HandoverID, status string, now time.Time) (bool, error) {
	return tx.changed(ctx,
		"UPDATE worksite_handovers SET status = ?, decided_at = ? "+
			"WHERE id = ? AND status = 'pending' AND expires_at > ?",
		status, ms(now), int64(id), ms(now))
}

// CancelHandoversOf cancels a worksite's pending handovers from or to a
// person: when their membership ends or the administrator's role does, the
// handover can no longer be what it asked. It returns those cancelled.
func (tx *Tx) CancelHandoversOf(ctx context.Context, ws portal.WorksiteID, id portal.AccountID,
	now time.Time) ([]*portal.Handover, error) {
	open, err := tx.handovers(ctx,
		" WHERE h.worksite_id = ? AND h.status = 'pending' AND (h.from_account_id = ? OR h.to_account_id = ?)",
		int64(ws), int64(id), int64(id))
	if err != nil || len(open) == 0 {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `UPDATE worksite_handovers SET status = 'cancelled', decided_at = ?
		WHERE worksite_id = ? AND status = 'pending' AND (from_account_id = ? OR to_account_id = ?)`,
		ms(now), int64(ws), int64(id), int64(id)); err != nil {
		return nil, err
	}
	return open, nil
}

// FindHandoverByID returns one handover.
func (q Q) FindHandoverByID(ctx context.Context, id portal.HandoverID) (*portal.Handover, error) {
	return scanHandover(q.QueryRow(ctx, "SELECT "+handoverColumns+handoverFrom+" WHERE h.id = ?", int64(id)))
}

// FindPendingHandover returns a worksite's pending handover, expired or not.
func (q Q) FindPendingHandover(ctx context.Context, ws portal.WorksiteID) (*portal.Handover, error) {
	return scanHandover(q.QueryRow(ctx,
		"SELECT "+handoverColumns+handoverFrom+" WHERE h.worksite_id = ? AND h.status = 'pending'", int64(ws)))
}

// FindHandoversTo lists the pending handovers offered to a person that
// have not expired, newest first.
func (q Q) FindHandoversTo(ctx context.Context, id portal.AccountID, now time.Time) ([]*portal.Handover, error) {
	return q.handovers(ctx,
		" WHERE h.to_account_id = ? AND h.status = 'pending' AND h.expires_at > ? "+
			"ORDER BY h.id DESC", int64(id), ms(now))
}

// FindAllHandovers lists every handover in id order, for the policy snapshot.
func (q Q) FindAllHandovers(ctx context.Context) ([]*portal.Handover, error) {
	return q.handovers(ctx, " ORDER BY h.id")
}

func (q Q) handovers(ctx context.Context, where string, args ...any) ([]*portal.Handover, error) {
	rows, err := q.Query(ctx, "SELECT "+handoverColumns+handoverFrom+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*portal.Handover
	for rows.Next() {
		h, err := scanHandover(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// InactiveAdminWorksite is portal.InactiveAdminWorksite, as the store reads and writes it.
type InactiveAdminWorksite = portal.InactiveAdminWorksite

// FindInactiveAdminWorksites lists the worksites, not declined, whose site
// administrators have all been without a sign-in (or, never having signed
// in, registered) since before, in name order.
func (q Q) FindInactiveAdminWorksites(ctx context.Context, before time.Time) ([]InactiveAdminWorksite, error) {
	rows, err := q.Query(ctx, `SELECT w.id, MAX(a.last_sign_in_at) FROM worksites w
		JOIN worksite_members m ON m.worksite_id = w.id AND m.role = 'site_admin' AND m.status = 'active'
		JOIN accounts a ON a.id = m.account_id
		WHERE w.status <> 'declined' AND NOT EXISTS (SELECT 1 FROM group_admins g WHERE g.group_id = w.group_id)
		GROUP BY w.id
		HAVING MAX(CASE WHEN a.last_sign_in_at > a.created_at THEN a.last_sign_in_at ELSE a.created_at END) < ?`, ms(before))
	if err != nil {
		return nil, err
	}
	type found struct {
		id   portal.WorksiteID
		last int64
	}
	var ids []found
	for rows.Next() {
		var f found
		if err := rows.Scan(&f.id, &f.last); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []InactiveAdminWorksite
	for _, f := range ids {
		w, err := q.FindWorksiteByID(ctx, f.id)
		if err != nil {
			return nil, err
		}
		members, err := q.FindWorksiteMembers(ctx, f.id)
		if err != nil {
			return nil, err
		}
		iw := InactiveAdminWorksite{Worksite: w, LastSignIn: fromMS(f.last)}
		for _, m := range members {
			if m.Status != portal.MemberActive {
				continue
			}
			iw.Members++
			if m.Role == portal.RoleSiteAdmin {
				iw.Admins = append(iw.Admins, m)
			}
		}
		out = append(out, iw)
	}
	sort.SliceStable(out, func(i, j int) bool {
		return strings.ToLower(out[i].Worksite.Name) < strings.ToLower(out[j].Worksite.Name)
	})
	return out, nil
}
