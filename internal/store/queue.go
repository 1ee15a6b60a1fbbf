package store

import (
	"context"
	"strings"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
)

// QueueFilter selects access requests for the CareConnect team's queue.
// Zero fields do not filter.
type QueueFilter struct {
	Statuses        []string
	Profession      portal.Profession
	HealthAuthority portal.HealthAuthority // of any of the request's worksites
	WorksiteCode    portal.WorksiteCode    // one of the request's worksites
	Reference       string                 // the request's reference number
	SubmittedBefore time.Time              // submitted before this moment
	Oldest          bool                   // oldest first; newest first otherwise
	Offset, Limit   int
}

func (f QueueFilter) where() (string, []any) {
	var conds []string
	var args []any
	if len(f.Statuses) > 0 {
		conds = append(conds, "r.status IN ("+placeholders(len(f.Statuses))+")")
		for _, s := range f.Statuses {
			args = append(args, s)
		}
	}
	if f.Profession != "" {
		conds = append(conds, "r.profession = ?")
		args = append(args, string(f.Profession))
	}
	if f.HealthAuthority != "" {
		conds = append(conds,
			`EXISTS (SELECT 1 FROM access_request_worksites qw JOIN worksites qs ON qs.id = qw.worksite_id
			WHERE qw.request_id = r.id AND qs.health_authority = ?)`)
		args = append(args, string(f.HealthAuthority))
	}
	if f.WorksiteCode != "" {
		conds = append(conds,
			`EXISTS (SELECT 1 FROM access_request_worksites qw JOIN worksites qs ON qs.id = qw.worksite_id
			WHERE qw.request_id = r.id AND qs.code = ?)`)
		args = append(args, string(f.WorksiteCode))
	}
	if f.Reference != "" {
		conds = append(conds, "r.reference = ?")
		args = append(args, f.Reference)
	}
	if !f.SubmittedBefore.IsZero() {
		conds = append(conds, "r.created_at < ?")
		args = append(args, ms(f.SubmittedBefore))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

// FindQueue returns one page of the requests the filter selects, by
// submission date, and how many it selects in all. The requests' clinics
// and sponsorships are not loaded: see FindRequestWorksites.
func (q Q) FindQueue(ctx context.Context, f QueueFilter) ([]*portal.AccessRequest, int, error) {
	where, args := f.where()
	var total int
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM access_requests r"+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	order := " ORDER BY r.created_at DESC, r.id DESC"
	if f.Oldest {
		order = " ORDER BY r.created_at, r.id"
	}
	query := "SELECT " + accessRequestColumns + " FROM access_requests r" + where + order
	if f.Limit > 0 {
		query += " LIMIT ? OFFSET ?"
		args = append(args, f.Limit, max(f.Offset, 0))
	}
	out, err := q.accessRequests(ctx, query, args...)
	return out, total, err
}

// FindAccessRequestsByAccount lists a person's requests, newest first,
// with their clinics and sponsorships.
func (q Q) FindAccessRequestsByAccount(ctx context.Context, id portal.AccountID) ([]*portal.AccessRequest, error) {
	out, err := q.accessRequests(ctx, "SELECT "+accessRequestColumns+
		" FROM access_requests r WHERE r.account_id = ? ORDER BY r.created_at DESC, r.id DESC", int64(id))
	if err != nil {
		return nil, err
	}
	for _, r := range out {
		if err := q.loadRequestLinks(ctx, r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (q Q) accessRequests(ctx context.Context, query string, args ...any) ([]*portal.AccessRequest, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanAccessRequest)
}

// FindRequestWorksites returns the worksites named on each of the
// requests, by name.
func (q Q) FindRequestWorksites(ctx context.Context,
	ids []portal.AccessRequestID) (map[portal.AccessRequestID][]*portal.Worksite, error) {
	out := map[portal.AccessRequestID][]*portal.Worksite{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.Query(ctx, "SELECT "+worksiteColumns+", rw.request_id"+worksiteFrom+
		" JOIN access_request_worksites rw ON rw.worksite_id = w.id WHERE rw.request_id IN ("+placeholders(len(ids))+
		") ORDER BY w.name, w.id", idArgs(ids)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var rid int64
		w, err := scanWorksite(extraScanner{r: rows, extra: []any{&rid}})
		if err != nil {
			return nil, err
		}
		out[portal.AccessRequestID(rid)] = append(out[portal.AccessRequestID(rid)], w)
	}
	return out, rows.Err()
}

// FindRequestSponsorships returns the sponsorships each of the requests
// relies on, with their current status.
func (q Q) FindRequestSponsorships(ctx context.Context,
	ids []portal.AccessRequestID) (map[portal.AccessRequestID][]*portal.Sponsorship, error) {
	out := map[portal.AccessRequestID][]*portal.Sponsorship{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.Query(ctx, "SELECT "+sponsorshipColumns+", rs.request_id"+sponsorshipFrom+
		" JOIN access_request_sponsors rs ON rs.sponsorship_id = s.id WHERE rs.request_id IN ("+placeholders(len(ids))+
		") ORDER BY s.id", idArgs(ids)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var rid int64
		s, err := scanSponsorship(extraScanner{r: rows, extra: []any{&rid}})
		if err != nil {
			return nil, err
		}
		out[portal.AccessRequestID(rid)] = append(out[portal.AccessRequestID(rid)], s)
	}
	return out, rows.Err()
}

// FindAccountsByIDs returns the accounts with the given ids; ids that do
// not exist are left out.
func (q Q) FindAccountsByIDs(ctx context.Context,
	ids []portal.AccountID) (map[portal.AccountID]*portal.Account, error) {
	out := map[portal.AccountID]*portal.Account{}
	if len(ids) == 0 {
		return out, nil
	}
	args := idArgs(ids)
	rows, err := q.Query(ctx,
		"SELECT "+accountColumns+" FROM accounts WHERE id IN ("+placeholders(len(ids))+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out[a.ID] = a
	}
	return out, rows.Err()
}

// FindAcceptedInvitations lists the invitations a person accepted, newest first.
func (q Q) FindAcceptedInvitations(ctx context.Context, id portal.AccountID) ([]*portal.Invitation, error) {
	return q.invitations(ctx, " WHERE i.decided_by = ? AND i.status = ? ORDER BY i.decided_at DESC, i.id DESC",
		int64(id), portal.RequestApproved)
}

// openStatuses are the statuses of a request still waiting for a decision.
var openStatuses = []any{portal.ARSubmitted, portal.ARInfoRequested}

// ClaimAccessRequest gives an open, unclaimed request to an officer. It
// reports false when the request is claimed already or no longer open, so
// that of two officers claiming at once exactly one gets it.
func (tx *Tx) ClaimAccessRequest(ctx context.Context, id portal.AccessRequestID, by string,
	now time.Time) (bool, error) {
	return tx.changed(ctx,
		"UPDATE access_requests SET claimed_by = ?, claimed_at = ? "+
			"WHERE id = ? AND claimed_by = '' AND status IN (?, ?)",
		append([]any{by, ms(now), int64(id)}, openStatuses...)...)
}

// ReleaseAccessRequest returns a claimed request to the queue. Only the
// officer who claimed it may, unless anyone is set (an administrator); it
// reports false when the request was not released.
func (tx *Tx) ReleaseAccessRequest(ctx context.Context, id portal.AccessRequestID, by string,
	anyone bool) (bool, error) {
	return tx.changed(ctx,
		"UPDATE access_requests SET claimed_by = '', claimed_at = 0 "+
			"WHERE id = ? AND claimed_by <> '' AND (claimed_by = ? OR ?)",
		int64(id), by, anyone)
}

// StoredScopes is the stored form of a scope list, for the Set of an
// AccessRequestChange that grants scopes.
func StoredScopes(s []portal.DataScope) string { return joinScopes(s) }
