package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
)

const sponsorshipColumns = `s.id, s.obo_account_id, s.authorizer_account_id, s.worksite_id, s.status, s.residency_start,
	s.residency_end, s.message, s.reason, s.created_at, s.decided_at, s.ended_at,
	o.preferred_first_name, o.given_names, o.preferred_last_name, o.surname, o.email,
	z.preferred_first_name, z.given_names, z.preferred_last_name, z.surname, z.email, w.name`

const sponsorshipFrom = ` FROM sponsorships s JOIN accounts o ON o.id = s.obo_account_id
	JOIN accounts z ON z.id = s.authorizer_account_id JOIN worksites w ON w.id = s.worksite_id`

func scanSponsorship(r rowScanner) (*portal.Sponsorship, error) {
	var s portal.Sponsorship
	var created, decided, ended int64
	var opf, ogiven, opl, osurname, zpf, zgiven, zpl, zsurname string
	if err := r.Scan(&s.ID, &s.OBOAccountID, &s.AuthorizerAccountID, &s.WorksiteID, &s.Status, &s.ResidencyStart,
		&s.ResidencyEnd, &s.Message, &s.Reason, &created, &decided, &ended,
		&opf, &ogiven, &opl, &osurname, &s.OBOEmail, &zpf, &zgiven, &zpl, &zsurname, &s.AuthorizerEmail, &s.WorksiteName); err != nil {
		return nil, mapError(err)
	}
	s.OBOName = displayName(opf, ogiven, opl, osurname)
	s.AuthorizerName = displayName(zpf, zgiven, zpl, zsurname)
	s.CreatedAt, s.DecidedAt, s.EndedAt = fromMS(created), fromMS(decided), fromMS(ended)
	return &s, nil
}

// sponsorshipKey is the pending_key of a sponsorship while it is open
// (pending or active): an on-behalf-of user has at most one open
// sponsorship with each authorizer.
func sponsorshipKey(obo, authorizer portal.AccountID) string {
	return fmt.Sprintf("%d:%d", obo, authorizer)
}

// CreateSponsorship inserts a pending request. A second open (pending or
// active) sponsorship between the same two people gives a *ConflictError
// on the pending_key index.
func (tx *Tx) CreateSponsorship(ctx context.Context, s *portal.Sponsorship) error {
	id, err := tx.Insert(ctx, `INSERT INTO sponsorships (obo_account_id, authorizer_account_id, worksite_id, status,
		residency_start, residency_end, message, created_at, pending_key) VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?)`,
		int64(s.OBOAccountID), int64(s.AuthorizerAccountID), int64(s.WorksiteID), s.ResidencyStart, s.ResidencyEnd,
		s.Message, ms(s.CreatedAt), sponsorshipKey(s.OBOAccountID, s.AuthorizerAccountID))
	if err != nil {
		return err
	}
	s.ID, s.Status = portal.SponsorshipID(id), portal.SponsorPending
	return nil
}

// FindSponsorshipByID returns one sponsorship with both people's names.
func (q Q) FindSponsorshipByID(ctx context.Context, id portal.SponsorshipID) (*portal.Sponsorship, error) {
	return scanSponsorship(q.QueryRow(ctx, "SELECT "+sponsorshipColumns+sponsorshipFrom+" WHERE s.id = ?", int64(id)))
}

// SponsorshipFilter selects sponsorships. Zero fields do not filter.
type SponsorshipFilter struct {
	OBOAccountID        portal.AccountID
	AuthorizerAccountID portal.AccountID
	Statuses            []string
}

// FindSponsorships lists sponsorships, newest first.
func (q Q) FindSponsorships(ctx context.Context, f SponsorshipFilter) ([]*portal.Sponsorship, error) {
	query := "SELECT " + sponsorshipColumns + sponsorshipFrom + " WHERE 1=1"
	var args []any
	if f.OBOAccountID != 0 {
		query += " AND s.obo_account_id = ?"
		args = append(args, int64(f.OBOAccountID))
	}
	if f.AuthorizerAccountID != 0 {
		query += " AND s.authorizer_account_id = ?"
		args = append(args, int64(f.AuthorizerAccountID))
	}
	if len(f.Statuses) > 0 {
		query += " AND s.status IN (" + strings.TrimSuffix(strings.Repeat("?,", len(f.Statuses)), ",") + ")"
		for _, st := range f.Statuses {
			args = append(args, st)
		}
	}
	query += " ORDER BY s.created_at DESC, s.id DESC"
	return q.sponsorships(ctx, query, args...)
}

func (q Q) sponsorships(ctx context.Context, query string, args ...any) ([]*portal.Sponsorship, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanSponsorship)
}

// DecideSponsorship approves (pending -> active) or declines (pending ->
// declined) a request if it is still pending, and reports whether it was,
// so that exactly one of two concurrent decisions stands.
func (tx *Tx) DecideSponsorship(ctx context.Context, id portal.SponsorshipID, approve bool, reason string,
	now time.Time) (bool, error) {
	query := `UPDATE sponsorships SET status = 'active', reason = ?, decided_at = ? WHERE id = ? AND status = 'pending'`
	if !approve {
		query = `UPDATE sponsorships SET status = 'declined', reason = ?, decided_at = ?, pending_key = NULL
			WHERE id = ? AND status = 'pending'`
	}
	return tx.changed(ctx, query, reason, ms(now), int64(id))
}

// RevokeSponsorship ends an active sponsorship (active -> revoked) and
// reports whether it was active.
func (tx *Tx) RevokeSponsorship(ctx context.Context, id portal.SponsorshipID, reason string,
	now time.Time) (bool, error) {
	return tx.changed(ctx, `UPDATE sponsorships SET status = 'revoked', reason = ?, ended_at = ?, pending_key = NULL
		WHERE id = ? AND status = 'active'`, reason, ms(now), int64(id))
}

// WithdrawSponsorship ends an active sponsorship at the on-behalf-of
// user's wish (active -> withdrawn) and reports whether it was active.
func (tx *Tx) WithdrawSponsorship(ctx context.Context, id portal.SponsorshipID, reason string,
	now time.Time) (bool, error) {
	return tx.changed(ctx, `UPDATE sponsorships SET status = 'withdrawn', reason = ?, ended_at = ?, pending_key = NULL
		WHERE id = ? AND status = 'active'`, reason, ms(now), int64(id))
}

// FindDueResidencies lists active residency sponsorships whose last day
// (residency_end, YYYY-MM-DD) is before today.
func (q Q) FindDueResidencies(ctx context.Context, today string) ([]*portal.Sponsorship, error) {
	return q.sponsorships(ctx, "SELECT "+sponsorshipColumns+sponsorshipFrom+
		" WHERE s.status = 'active' AND s.residency_end <> '' AND s.residency_end < ? "+
		"ORDER BY s.residency_end, s.id", today)
}

// EndResidency ends an active residency sponsorship whose last day is
// before today (active -> ended). It reports whether it did, so that of
// several instances running the same job exactly one ends it.
func (tx *Tx) EndResidency(ctx context.Context, id portal.SponsorshipID, today string, now time.Time) (bool, error) {
	return tx.changed(ctx, `UPDATE sponsorships SET status = 'ended', ended_at = ?, pending_key = NULL
		WHERE id = ? AND status = 'active' AND residency_end <> '' AND residency_end < ?`, ms(now), int64(id), today)
}

// CountActiveSponsorships counts an on-behalf-of user's active
// sponsorships on a day (YYYY-MM-DD), except residencies that have not
// started yet or whose last day is before today (even before the job has
// ended them). Whether their authorizers still qualify is not looked at:
// see FindSponsorFacts and portal.SponsorQualifies.
func (q Q) CountActiveSponsorships(ctx context.Context, obo portal.AccountID, today string) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM sponsorships WHERE obo_account_id = ? AND status = 'active'
		AND (residency_end = '' OR (residency_start <= ? AND residency_end >= ?))`, int64(obo), today, today).Scan(&n)
	return n, err
}

// CountPendingSponsorships counts the requests of an on-behalf-of user
// still waiting for an authorizer.
func (q Q) CountPendingSponsorships(ctx context.Context, obo portal.AccountID) (int, error) {
	var n int
	err := q.QueryRow(ctx,
		"SELECT COUNT(*) FROM sponsorships WHERE obo_account_id = ? AND status = 'pending'", int64(obo)).Scan(&n)
	return n, err
}

// SponsorCandidate is portal.SponsorCandidate, as the store reads and writes it.
type SponsorCandidate = portal.SponsorCandidate

// extraScanner scans the columns of a known scanner followed by extra ones.
type extraScanner struct {
	r     rowScanner
	extra []any
}

func (e extraScanner) Scan(dest ...any) error { return e.r.Scan(append(dest, e.extra...)...) }

// likeEscaper makes typed text literal inside a LIKE pattern (ESCAPE '\').
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// FindSponsorCandidates lists the people who share an approved worksite
// with the account, both memberships active, whatever their profession:
// the caller applies the user-type rule. query, when not empty, keeps
// those whose names or email contain every word of it, in any case.
func (q Q) FindSponsorCandidates(ctx context.Context, obo portal.AccountID, query string) ([]SponsorCandidate, error) {
	sqlText := "SELECT " + accountColumns + `, c.ws_id, c.ws_name FROM accounts JOIN (
		SELECT DISTINCT mc.account_id AS cand_id, w.id AS ws_id, w.name AS ws_name
		FROM worksite_members mo
		JOIN worksites w ON w.id = mo.worksite_id AND w.status = 'approved'
		JOIN worksite_members mc ON mc.worksite_id = mo.worksite_id AND mc.status = 'active'
			AND mc.account_id <> mo.account_id
		WHERE mo.account_id = ? AND mo.status = 'active'
	) c ON c.cand_id = accounts.id WHERE accounts.status = 'active'`
	args := []any{int64(obo)}
	words := strings.Fields(strings.ToLower(query))
	if len(words) > 5 {
		words = words[:5]
	}
	for _, w := range words {
		sqlText += ` AND LOWER(accounts.given_names || ' ' || accounts.surname || ' ' || accounts.preferred_first_name || ' ' ||
			accounts.preferred_last_name || ' ' || accounts.email) LIKE ? ESCAPE '\'`
		args = append(args, "%"+likeEscaper.Replace(w)+"%")
	}
	sqlText += " ORDER BY accounts.surname, accounts.given_names, accounts.id, c.ws_name, c.ws_id"
	rows, err := q.Query(ctx, sqlText, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(r rowScanner) (SponsorCandidate, error) {
		var c SponsorCandidate
		var ws int64
		a, err := scanAccount(extraScanner{r: r, extra: []any{&ws, &c.WorksiteName}})
		if err != nil {
			return SponsorCandidate{}, err
		}
		c.Account, c.WorksiteID = a, portal.WorksiteID(ws)
		return c, nil
	})
}

// SharesApprovedWorksite reports whether two people are both active
// members of a worksite and the worksite is approved.
func (q Q) SharesApprovedWorksite(ctx context.Context, a, b portal.AccountID, ws portal.WorksiteID) (bool, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM worksite_members ma
		JOIN worksite_members mb ON mb.worksite_id = ma.worksite_id
		JOIN worksites w ON w.id = ma.worksite_id
		WHERE ma.worksite_id = ? AND ma.account_id = ? AND ma.status = 'active'
		AND mb.account_id = ? AND mb.status = 'active'
			AND w.status = 'approved'`, int64(ws), int64(a), int64(b)).Scan(&n)
	return n > 0, err
}

// accessStatusOf is the status of an account's own CareConnect access, for
// the account id in the SQL expression id: that of their newest request
// that was ever approved (approved, suspended, deprovisioned), as in the
// provisioning API, else of their newest request, else empty.
func accessStatusOf(id string) string {
	return `COALESCE((SELECT ar.status FROM access_requests ar WHERE ar.account_id = ` + id + `
		AND ar.status IN ('approved', 'suspended', 'deprovisioned') ORDER BY ar.created_at DESC, ar.id DESC LIMIT 1),
		(SELECT ar.status FROM access_requests ar WHERE ar.account_id = ` + id + `
			ORDER BY ar.created_at DESC, ar.id DESC LIMIT 1), '')`
}

// FindAccessStatuses returns the status of each account's own CareConnect
// access (see accessStatusOf): "" for those who never asked. Ids that do
// not exist are left out.
func (q Q) FindAccessStatuses(ctx context.Context, ids []portal.AccountID) (map[portal.AccountID]string, error) {
	out := map[portal.AccountID]string{}
	if len(ids) == 0 {
		return out, nil
	}
	args := idArgs(ids)
	rows, err := q.Query(ctx,
		"SELECT a.id, "+accessStatusOf("a.id")+" FROM accounts a WHERE a.id IN ("+placeholders(len(ids))+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var status string
		if err := rows.Scan(&id, &status); err != nil {
			return nil, err
		}
		out[portal.AccountID(id)] = status
	}
	return out, rows.Err()
}

// SponsorFacts is a sponsorship with what the sponsor rule
// (portal.SponsorQualifies) needs to know beyond the two accounts: where
// the authorizer's own CareConnect access stands (see FindAccessStatuses)
// and whether the two are still both active members of the sponsorship's
// worksite while it is approved.
type SponsorFacts struct {
	Sponsorship      *portal.Sponsorship
	AuthorizerAccess string
	SharesWorksite   bool
}

// SponsorFactsFilter selects sponsorships. Zero fields do not filter.
type SponsorFactsFilter struct {
	OBOAccountIDs       []portal.AccountID
	AuthorizerAccountID portal.AccountID
	Statuses            []string
}

// FindSponsorFacts lists sponsorships with their facts, oldest first.
func (q Q) FindSponsorFacts(ctx context.Context, f SponsorFactsFilter) ([]SponsorFacts, error) {
	query := "SELECT " + sponsorFactsColumns + sponsorshipFrom + " WHERE 1=1"
	var args []any
	if len(f.OBOAccountIDs) > 0 {
		query += " AND s.obo_account_id IN (" + placeholders(len(f.OBOAccountIDs)) + ")"
		for _, id := range f.OBOAccountIDs {
			args = append(args, int64(id))
		}
	}
	if f.AuthorizerAccountID != 0 {
		query += " AND s.authorizer_account_id = ?"
		args = append(args, int64(f.AuthorizerAccountID))
	}
	if len(f.Statuses) > 0 {
		query += " AND s.status IN (" + placeholders(len(f.Statuses)) + ")"
		for _, st := range f.Statuses {
			args = append(args, st)
		}
	}
	rows, err := q.Query(ctx, query+" ORDER BY s.id", args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanSponsorFacts)
}

// sponsorFactsColumns are a sponsorship's columns with its authorizer's
// access status and whether the two share an approved worksite.
var sponsorFactsColumns = sponsorshipColumns + ", " + accessStatusOf("s.authorizer_account_id") + `,
		CASE WHEN EXISTS (SELECT 1 FROM worksite_members ma
			JOIN worksite_members mb ON mb.worksite_id = ma.worksite_id AND mb.account_id = s.authorizer_account_id AND mb.status = 'active'
			JOIN worksites sw ON sw.id = ma.worksite_id AND sw.status = 'approved'
			WHERE ma.worksite_id = s.worksite_id AND ma.account_id = s.obo_account_id
				AND ma.status = 'active') THEN 1 ELSE 0 END`

func scanSponsorFacts(r rowScanner) (SponsorFacts, error) {
	var fx SponsorFacts
	var shares int
	s, err := scanSponsorship(extraScanner{r: r, extra: []any{&fx.AuthorizerAccess, &shares}})
	if err != nil {
		return fx, err
	}
	fx.Sponsorship, fx.SharesWorksite = s, shares == 1
	return fx, nil
}
