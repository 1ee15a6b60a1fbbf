package store

// Worksite members: who belongs to a worksite, in which role, until when.

import (
	"context"
	"strings"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
)

const memberColumns = `m.worksite_id, m.account_id, m.role, m.status, m.joined_at, m.end_date, m.decommissioned_at,
	m.locum, m.locum_notice_at, a.preferred_first_name, a.given_names, a.preferred_last_name, a.surname, a.email,
		a.profession, w.name, w.code, w.status`

const memberFrom = ` FROM worksite_members m JOIN accounts a ON a.id = m.account_id
	JOIN worksites w ON w.id = m.worksite_id`

func scanMember(r rowScanner) (*portal.Membership, error) {
	var m portal.Membership
	var joined, decom, notice int64
	var pf, given, pl, surname, code string
	if err := r.Scan(&m.WorksiteID, &m.AccountID, &m.Role, &m.Status, &joined, &m.EndDate, &decom, &m.Locum, &notice,
		&pf, &given, &pl, &surname, &m.Email, &m.Profession, &m.WorksiteName, &code, &m.WorksiteStatus); err != nil {
		return nil, mapError(err)
	}
	first, last := pf, pl
	if first == "" {
		first = given
	}
	if last == "" {
		last = surname
	}
	m.Name = strings.TrimSpace(first + " " + last)
	m.WorksiteCode = portal.WorksiteCode(code)
	m.JoinedAt, m.DecommissionedAt, m.LocumNoticeAt = fromMS(joined), fromMS(decom), fromMS(notice)
	return &m, nil
}

// AddMember makes an account a member (or re-activates a former member).
func (tx *Tx) AddMember(ctx context.Context, ws portal.WorksiteID, id portal.AccountID,
	role string, now time.Time) error {
	_, err := tx.Exec(ctx,
		`INSERT INTO worksite_members (worksite_id, account_id, role, status, joined_at) VALUES (?, ?, ?, 'active', ?)
		ON CONFLICT (worksite_id, account_id) DO UPDATE SET status = 'active', joined_at = excluded.joined_at,
		end_date = '', locum = FALSE, locum_notice_at = 0, decommissioned_at = 0, decommissioned_by = NULL,
		role = CASE WHEN worksite_members.status = 'active'
			AND worksite_members.role = 'site_admin' THEN 'site_admin' ELSE excluded.role END`,
		int64(ws), int64(id), role, ms(now))
	return err
}

// FindMember returns one membership.
func (q Q) FindMember(ctx context.Context, ws portal.WorksiteID, id portal.AccountID) (*portal.Membership, error) {
	return scanMember(q.QueryRow(ctx,
		"SELECT "+memberColumns+memberFrom+" WHERE m.worksite_id = ? AND m.account_id = ?", int64(ws), int64(id)))
}

// FindWorksiteMembers lists a worksite's members, administrators first.
func (q Q) FindWorksiteMembers(ctx context.Context, ws portal.WorksiteID) ([]*portal.Membership, error) {
	return q.members(ctx,
		" WHERE m.worksite_id = ? "+
			"ORDER BY m.status, CASE m.role WHEN 'site_admin' THEN 0 ELSE 1 END, a.surname, a.given_names", int64(ws))
}

// FindAccountMemberships lists the worksites an account belongs to.
func (q Q) FindAccountMemberships(ctx context.Context, id portal.AccountID) ([]*portal.Membership, error) {
	return q.members(ctx, " WHERE m.account_id = ? ORDER BY m.status, w.name", int64(id))
}

func (q Q) members(ctx context.Context, where string, args ...any) ([]*portal.Membership, error) {
	rows, err := q.Query(ctx, "SELECT "+memberColumns+memberFrom+where, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanMember)
}

// CountActiveAdmins counts a worksite's active site administrators.
func (q Q) CountActiveAdmins(ctx context.Context, ws portal.WorksiteID) (int, error) {
	var n int
	err := q.QueryRow(ctx,
		"SELECT COUNT(*) FROM worksite_members "+
			"WHERE worksite_id = ? AND role = 'site_admin' AND status = 'active'", int64(ws)).Scan(&n)
	return n, err
}

// SetMemberRole changes a member's role.
func (tx *Tx) SetMemberRole(ctx context.Context, ws portal.WorksiteID, id portal.AccountID, role string) error {
	_, err := tx.Exec(ctx,
		"UPDATE worksite_members SET role = ? "+
			"WHERE worksite_id = ? AND account_id = ? AND status = 'active'", role, int64(ws), int64(id))
	return err
}

// ScheduleDecommission sets the date after which a member is decommissioned.
func (tx *Tx) ScheduleDecommission(ctx context.Context, ws portal.WorksiteID,
	id portal.AccountID, endDate string) error {
	_, err := tx.Exec(ctx,
		"UPDATE worksite_members SET end_date = ? "+
			"WHERE worksite_id = ? AND account_id = ? AND status = 'active'", endDate, int64(ws), int64(id))
	return err
}

// Decommission ends a membership now. It reports false when the member was not active.
func (tx *Tx) Decommission(ctx context.Context, ws portal.WorksiteID, id, by portal.AccountID,
	now time.Time) (bool, error) {
	return tx.changed(ctx,
		`UPDATE worksite_members
			SET status = 'decommissioned', role = 'member', decommissioned_at = ?, decommissioned_by = ?
		WHERE worksite_id = ? AND account_id = ? AND status = 'active'`, ms(now), idArg(by), int64(ws), int64(id))
}

// FindDueDecommissions lists active members whose end date is before today (YYYY-MM-DD).
func (q Q) FindDueDecommissions(ctx context.Context, today string) ([]*portal.Membership, error) {
	return q.members(ctx,
		" WHERE m.status = 'active' AND m.end_date <> '' AND m.end_date < ? ORDER BY m.end_date", today)
}

// IsWorksiteAdmin reports whether an account administers a worksite,
// as its site administrator or as an administrator of its group.
func (q Q) IsWorksiteAdmin(ctx context.Context, ws portal.WorksiteID, id portal.AccountID) (bool, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM worksite_members
			WHERE worksite_id = ? AND account_id = ? AND role = 'site_admin' AND status = 'active') +
		(SELECT COUNT(*) FROM worksites w JOIN group_admins g ON g.group_id = w.group_id
			WHERE w.id = ? AND g.account_id = ?)`,
		int64(ws), int64(id), int64(ws), int64(id)).Scan(&n)
	return n > 0, err
}

// FindWorksiteAdminAccounts lists everyone who administers a worksite:
// its site administrators and its group's administrators.
func (q Q) FindWorksiteAdminAccounts(ctx context.Context, ws portal.WorksiteID) ([]*portal.Account, error) {
	rows, err := q.Query(ctx, "SELECT "+accountColumns+` FROM accounts WHERE id IN (
		SELECT account_id FROM worksite_members WHERE worksite_id = ? AND role = 'site_admin' AND status = 'active'
		UNION SELECT g.account_id FROM group_admins g JOIN worksites w ON w.group_id = g.group_id WHERE w.id = ?) ORDER BY id`,
		int64(ws), int64(ws))
	if err != nil {
		return nil, err
	}
	return collect(rows, scanAccount)
}

// AdministeredWorksiteIDs lists the worksites an account administers directly or through a group.
func (q Q) AdministeredWorksiteIDs(ctx context.Context, id portal.AccountID) ([]portal.WorksiteID, error) {
	rows, err := q.Query(ctx,
		`SELECT worksite_id FROM worksite_members WHERE account_id = ? AND role = 'site_admin' AND status = 'active'
		UNION SELECT w.id FROM worksites w JOIN group_admins g ON g.group_id = w.group_id
			WHERE g.account_id = ?`, int64(id), int64(id))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []portal.WorksiteID
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, portal.WorksiteID(v))
	}
	return out, rows.Err()
}
