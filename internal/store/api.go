package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
)

// APIToken is a bearer token of a downstream client of the provisioning
// API. Only the SHA-256 of the token is stored; the token itself is shown
// once, when it is created.
type APIToken struct {
	ID         int64
	Name       string
	Scopes     []string
	CreatedBy  string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	RevokedAt  time.Time // zero while not revoked
	LastUsedAt time.Time // zero while never used
}

const apiTokenColumns = `id, name, scopes, created_by, created_at, expires_at, revoked_at, last_used_at`

func scanAPIToken(r rowScanner) (*APIToken, error) {
	var t APIToken
	var scopes string
	var created, expires, revoked, used int64
	if err := r.Scan(&t.ID, &t.Name, &scopes, &t.CreatedBy, &created, &expires, &revoked, &used); err != nil {
		return nil, mapError(err)
	}
	if scopes != "" {
		t.Scopes = strings.Split(scopes, ",")
	}
	t.CreatedAt, t.ExpiresAt, t.RevokedAt, t.LastUsedAt = fromMS(
		created,
	), fromMS(
		expires,
	), fromMS(
		revoked,
	), fromMS(
		used,
	)
	return &t, nil
}

// CreateAPIToken stores a new token under the SHA-256 of its secret
// (hex). A second token of the same name gives a *ConflictError on
// api_tokens_name.
func (tx *Tx) CreateAPIToken(ctx context.Context, t *APIToken, tokenHash string) error {
	id, err := tx.Insert(ctx, `INSERT INTO api_tokens (name, token_hash, scopes, created_by, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`, t.Name, tokenHash, strings.Join(t.Scopes,
		","), t.CreatedBy, ms(t.CreatedAt), ms(t.ExpiresAt))
	if err != nil {
		return err
	}
	t.ID = id
	return nil
}

// FindAPITokenByHash returns the token whose secret hashes to tokenHash.
func (q Q) FindAPITokenByHash(ctx context.Context, tokenHash string) (*APIToken, error) {
	return scanAPIToken(q.QueryRow(ctx, "SELECT "+apiTokenColumns+" FROM api_tokens WHERE token_hash = ?", tokenHash))
}

// FindAPITokenByName returns one token by its name.
func (q Q) FindAPITokenByName(ctx context.Context, name string) (*APIToken, error) {
	return scanAPIToken(q.QueryRow(ctx, "SELECT "+apiTokenColumns+" FROM api_tokens WHERE name = ?", name))
}

// FindAPITokens lists every token, revoked and expired ones too, by name.
func (q Q) FindAPITokens(ctx context.Context) ([]*APIToken, error) {
	rows, err := q.Query(ctx, "SELECT "+apiTokenColumns+" FROM api_tokens ORDER BY name")
	if err != nil {
		return nil, err
	}
	return collect(rows, scanAPIToken)
}

// RevokeAPIToken revokes a token and reports whether it was not revoked yet.
func (tx *Tx) RevokeAPIToken(ctx context.Context, id int64, now time.Time) (bool, error) {
	return tx.changed(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at = 0", ms(now), id)
}

// TouchAPIToken records that a token was used at now, unless that was
// already recorded less than every ago, so a busy client does not write
// on each request.
func (q Q) TouchAPIToken(ctx context.Context, id int64, now time.Time, every time.Duration) error {
	_, err := q.Exec(ctx, "UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND last_used_at <= ?",
		ms(now), id, ms(now.Add(-every)))
	return err
}

// ProvisionedUser is portal.ProvisionedUser, as the store reads and writes it.
type ProvisionedUser = portal.ProvisionedUser

// ProvisionedWorksite is portal.ProvisionedWorksite, as the store reads and writes it.
type ProvisionedWorksite = portal.ProvisionedWorksite

// ProvisionedSponsor is portal.ProvisionedSponsor, as the store reads and writes it.
type ProvisionedSponsor = portal.ProvisionedSponsor

// ProvisionedFilter selects provisioned people. Zero fields do not filter.
type ProvisionedFilter struct {
	AccountID    portal.AccountID
	Username     string    // exact, as stored (lower case, no HXBC\ prefix)
	ChangedAfter time.Time // provisioning_changed_at strictly after this
	Offset       int
	Limit        int    // 0: no rows, only the count is of use
	Today        string // YYYY-MM-DD in British Columbia, for lapsed residencies
}

// provisionedFrom finds, for each person, the request that decides whether
// they are provisioned: the latest one that was ever approved (approved,
// suspended or deprovisioned). Requests still open or declined do not
// count, so a provisioned person who asks for more stays provisioned while
// the new request waits. The person is listed while that request is
// approved or suspended.
const provisionedFrom = ` FROM accounts a JOIN access_requests r ON r.account_id = a.id
	WHERE r.status IN ('approved', 'suspended') AND NOT EXISTS (
		SELECT 1 FROM access_requests r2 WHERE r2.account_id = a.id
		AND r2.status IN ('approved', 'suspended', 'deprovisioned')
		AND (r2.created_at > r.created_at OR (r2.created_at = r.created_at AND r2.id > r.id)))`

// changedAtExpr is when a person last changed: provisioning_changed_at,
// or for people provisioned before it was kept, when the request was decided.
const changedAtExpr = `CASE WHEN a.provisioning_changed_at > 0 THEN a.provisioning_changed_at ELSE r.decided_at END`

func (f ProvisionedFilter) where() (string, []any) {
	var b strings.Builder
	var args []any
	if f.AccountID != 0 {
		b.WriteString(" AND a.id = ?")
		args = append(args, int64(f.AccountID))
	}
	if f.Username != "" {
		b.WriteString(" AND a.username = ?")
		args = append(args, f.Username)
	}
	if !f.ChangedAfter.IsZero() {
		// Stored times are whole milliseconds: a > b.xyz ms exactly when a > b.
		b.WriteString(" AND " + changedAtExpr + " > ?")
		args = append(args, f.ChangedAfter.UnixMilli())
	}
	return b.String(), args
}

// CountProvisionedUsers counts the provisioned people matching f.
func (q Q) CountProvisionedUsers(ctx context.Context, f ProvisionedFilter) (int, error) {
	where, args := f.where()
	var n int
	err := q.QueryRow(ctx, "SELECT COUNT(*)"+provisionedFrom+where, args...).Scan(&n)
	return n, mapError(err)
}

// FindProvisionedUsers returns a page of provisioned people matching f, in
// account id order, with their worksites, sponsors and remote access.
func (q Q) FindProvisionedUsers(ctx context.Context, f ProvisionedFilter) ([]*ProvisionedUser, error) {
	if f.Limit <= 0 {
		return nil, nil
	}
	where, args := f.where()
	rows, err := q.Query(ctx,
		"SELECT a.id, r.id, a.provisioned_at, "+changedAtExpr+", r.decided_at"+provisionedFrom+where+
			" ORDER BY a.id LIMIT ? OFFSET ?", append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, err
	}
	var out []*ProvisionedUser
	byAccount := map[portal.AccountID]*ProvisionedUser{}
	byRequest := map[portal.AccessRequestID]*ProvisionedUser{}
	var accountIDs, requestIDs []any
	for rows.Next() {
		var acct, req, provisioned, changed, decided int64
		if err := rows.Scan(&acct, &req, &provisioned, &changed, &decided); err != nil {
			rows.Close()
			return nil, err
		}
		if provisioned == 0 {
			provisioned = decided
		}
		u := &ProvisionedUser{Created: fromMS(provisioned), LastModified: fromMS(changed)}
		out = append(out, u)
		byAccount[portal.AccountID(acct)] = u
		byRequest[portal.AccessRequestID(req)] = u
		accountIDs, requestIDs = append(accountIDs, acct), append(requestIDs, req)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return nil, err
	}
	if err := q.loadProvisionedAccounts(ctx, byAccount, accountIDs); err != nil {
		return nil, err
	}
	if err := q.loadProvisionedRequests(ctx, byRequest, requestIDs); err != nil {
		return nil, err
	}
	if err := q.loadProvisionedWorksites(ctx, byRequest, requestIDs); err != nil {
		return nil, err
	}
	if err := q.loadProvisionedSponsors(ctx, byAccount, accountIDs, f.Today); err != nil {
		return nil, err
	}
	if err := q.loadRemoteAccess(ctx, byAccount, accountIDs); err != nil {
		return nil, err
	}
	return out, nil
}

// apiPlaceholders returns "?, ?, ?" for n values.
func apiPlaceholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func (q Q) loadProvisionedAccounts(ctx context.Context, by map[portal.AccountID]*ProvisionedUser, ids []any) error {
	rows, err := q.Query(ctx,
		"SELECT "+accountColumns+" FROM accounts WHERE id IN ("+apiPlaceholders(len(ids))+")", ids...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return err
		}
		by[a.ID].Account = a
	}
	return rows.Err()
}

func (q Q) loadProvisionedRequests(ctx context.Context,
	by map[portal.AccessRequestID]*ProvisionedUser, ids []any) error {
	rows, err := q.Query(ctx,
		"SELECT "+accessRequestColumns+" FROM access_requests r WHERE r.id IN ("+apiPlaceholders(len(ids))+")", ids...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanAccessRequest(rows)
		if err != nil {
			return err
		}
		by[r.ID].Request = r
	}
	return rows.Err()
}

// loadProvisionedWorksites fills in the worksites named on each request
// where the person is still an active member and that are approved: access
// is provisioned per worksite, and ends there when the person leaves it.
func (q Q) loadProvisionedWorksites(ctx context.Context,
	by map[portal.AccessRequestID]*ProvisionedUser, ids []any) error {
	rows, err := q.Query(ctx, `SELECT rw.request_id, w.id, w.code, w.name, w.type, w.health_authority
		FROM access_request_worksites rw
		JOIN access_requests r ON r.id = rw.request_id
		JOIN worksites w ON w.id = rw.worksite_id AND w.status = 'approved'
		JOIN worksite_members m ON m.worksite_id = w.id AND m.account_id = r.account_id AND m.status = 'active'
		WHERE rw.request_id IN (`+apiPlaceholders(len(ids))+`) ORDER BY rw.request_id, w.name, w.id`, ids...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var req, id int64
		var code, typ, ha string
		var w ProvisionedWorksite
		if err := rows.Scan(&req, &id, &code, &w.Name, &typ, &ha); err != nil {
			return err
		}
		w.ID, w.Code, w.Type, w.HealthAuthority = portal.WorksiteID(
			id,
		), portal.WorksiteCode(
			code,
		), portal.WorksiteType(
			typ,
		), portal.HealthAuthority(
			ha,
		)
		u := by[portal.AccessRequestID(req)]
		u.Worksites = append(u.Worksites, w)
	}
	return rows.Err()
}

// loadProvisionedSponsors fills in the active sponsorships of on-behalf-of
// users; a residency counts only from its first to its last day, as in
// CountActiveSponsorships, even before the job has ended it.
func (q Q) loadProvisionedSponsors(ctx context.Context, by map[portal.AccountID]*ProvisionedUser,
	ids []any, today string) error {
	args := append(append([]any(nil), ids...), today, today)
	rows, err := q.Query(ctx, `SELECT s.obo_account_id, s.id, z.id, z.username, z.preferred_first_name, z.given_names,
		z.preferred_last_name, z.surname, w.code, w.name, s.residency_start, s.residency_end
		FROM sponsorships s JOIN accounts z ON z.id = s.authorizer_account_id JOIN worksites w ON w.id = s.worksite_id
		WHERE s.obo_account_id IN (`+apiPlaceholders(len(ids))+`) AND s.status = 'active'
		AND (s.residency_end = '' OR s.residency_end >= ?) AND (s.residency_start = '' OR s.residency_start <= ?)
		ORDER BY s.obo_account_id, s.id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var obo, sid, auth int64
		var pf, given, pl, surname, code string
		var s ProvisionedSponsor
		if err := rows.Scan(&obo, &sid, &auth, &s.Username, &pf, &given, &pl, &surname, &code, &s.WorksiteName,
			&s.ResidencyStart, &s.ResidencyEnd); err != nil {
			return err
		}
		s.SponsorshipID, s.AuthorizerID = portal.SponsorshipID(sid), portal.AccountID(auth)
		s.Name, s.WorksiteCode = displayName(pf, given, pl, surname), portal.WorksiteCode(code)
		u := by[portal.AccountID(obo)]
		u.Sponsors = append(u.Sponsors, s)
	}
	return rows.Err()
}

// loadRemoteAccess marks the people granted remote (home office) access
// who are still provisioned at a physical worksite, which remote access
// depends on.
func (q Q) loadRemoteAccess(ctx context.Context, by map[portal.AccountID]*ProvisionedUser, ids []any) error {
	remote, err := q.ids(ctx, `SELECT DISTINCT account_id FROM remote_access_requests
		WHERE account_id IN (`+apiPlaceholders(len(ids))+`) AND status = 'approved'`, ids...)
	if err != nil {
		return err
	}
	for _, id := range remote {
		u := by[portal.AccountID(id)]
		for _, w := range u.Worksites {
			if w.Type != portal.WorksiteHomeOffice {
				u.RemoteAccess = true
				break
			}
		}
	}
	return nil
}

// FindProvisionedUser returns one provisioned person, or a not-found error
// when the person is not (or no longer) provisioned.
func (q Q) FindProvisionedUser(ctx context.Context, id portal.AccountID, today string) (*ProvisionedUser, error) {
	us, err := q.FindProvisionedUsers(ctx, ProvisionedFilter{AccountID: id, Limit: 1, Today: today})
	if err != nil {
		return nil, err
	}
	if len(us) == 0 {
		return nil, &portal.Error{Code: portal.ENOTFOUND,
			Message: "No provisioned user has the id " + strconv.FormatInt(int64(id), 10) + "."}
	}
	return us[0], nil
}
