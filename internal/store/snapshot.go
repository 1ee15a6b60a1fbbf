package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
)

// snapshotReader reads inside one read-only transaction, so that everything
// comes from one moment: a deferred transaction on SQLite (WAL readers see
// the database as of their first read), REPEATABLE READ on PostgreSQL. Its
// queries are prepared once per connection, through the statement cache,
// rather than on every read: the policy is checked often.
type snapshotReader struct {
	db *DB
	tx *sql.Tx
}

// LoadPolicySnapshot reads what the access policy's invariants are checked
// against (portal.PolicySnapshot), in one read transaction and one query
// per table. now and today (YYYY-MM-DD in British Columbia) are when it is
// read. The audit chain is not part of it: DB.VerifyAudit checks that.
func (db *DB) LoadPolicySnapshot(ctx context.Context, now time.Time, today string) (*portal.PolicySnapshot, error) {
	s := &portal.PolicySnapshot{Now: now, Today: today}
	opts := &sql.TxOptions{ReadOnly: true}
	if db.dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.sql.BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("store: load policy snapshot: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	r := snapshotReader{db: db, tx: tx}
	for _, load := range []func(context.Context, *portal.PolicySnapshot) error{
		r.accounts, r.requests, r.completions, r.worksites, r.memberships, r.groupAdmins,
		r.sponsorships, r.invitations, r.joinRequests, r.feed, r.licences,
		r.activity, r.leavePauses, r.handovers,
	} {
		if err := load(ctx, s); err != nil {
			return nil, fmt.Errorf("store: load policy snapshot: %w", err)
		}
	}
	return s, nil
}

// each runs a query and calls scan for every row.
func (r snapshotReader) each(ctx context.Context, query string, scan func(r rowScanner) error) error {
	var rows *sql.Rows
	var err error
	r.db.count.Add(1)
	if st := r.db.stmts.get(ctx, r.db.dialect, query); st != nil {
		rows, err = r.tx.StmtContext(ctx, st).QueryContext(ctx)
	} else {
		rows, err = r.tx.QueryContext(ctx, Rebind(r.db.dialect, query))
	}
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (r snapshotReader) accounts(ctx context.Context, s *portal.PolicySnapshot) error {
	return r.each(ctx, `SELECT id, username, profession, nurse_licence, is_resident, resident_route, email, status
		FROM accounts ORDER BY id`, func(r rowScanner) error {
		var a portal.Account
		var prof, lic, route string
		if err := r.Scan(&a.ID, &a.Username, &prof, &lic, &a.IsResident, &route, &a.Email, &a.Status); err != nil {
			return err
		}
		a.Profession = portal.Profession(prof)
		a.NurseLicence = portal.NurseLicence(lic)
		a.ResidentRoute = portal.ResidentRoute(route)
		s.Accounts = append(s.Accounts, &a)
		return nil
	})
}

func (r snapshotReader) requests(ctx context.Context, s *portal.PolicySnapshot) error {
	return r.each(ctx,
		`SELECT id, account_id, status, user_type, granted_scopes, created_at FROM access_requests ORDER BY id`,
		func(r rowScanner) error {
			var a portal.AccessRequest
			var ut, granted string
			var created int64
			if err := r.Scan(&a.ID, &a.AccountID, &a.Status, &ut, &granted, &created); err != nil {
				return err
			}
			a.UserType, a.GrantedScopes, a.CreatedAt = portal.UserType(ut), splitScopes(granted), fromMS(created)
			s.Requests = append(s.Requests, &a)
			return nil
		})
}

// The grants-to-confirmed-addresses invariant needs to know how each
// address that granted something was used: the portal records it with the
// grant (accepted_via, signed_via, credited_via: portal.GrantVia*), and
// portal.NewAddressGrant reads Confirmed from it. Grants from before that
// record are marked unrecorded by their migration, and not judged.

func (r snapshotReader) completions(ctx context.Context, s *portal.PolicySnapshot) error {
	emails := map[portal.AccountID]string{}
	for _, a := range s.Accounts {
		emails[a.ID] = a.Email
	}
	return r.each(ctx,
		`SELECT id, account_id, kind, version, source, credited_via FROM prerequisite_completions ORDER BY id`,
		func(r rowScanner) error {
			var id int64
			var c portal.PrerequisiteCompletion
			var kind, source, via string
			if err := r.Scan(&id, &c.AccountID, &kind, &c.Version, &source, &via); err != nil {
				return err
			}
			switch kind {
			case CompletionTraining:
				c.Prerequisite = portal.PrereqTraining
			case CompletionHPCAA:
				c.Prerequisite = portal.PrereqHPCAA
			default:
				c.Prerequisite = portal.Prerequisite(kind)
			}
			s.Completions = append(s.Completions, c)
			if source == SourceExternal {
				// Recorded by the CareConnect team for the account that used the
				// address; the address itself is not kept, so it is the account's.
				s.Grants = append(s.Grants,
					portal.NewAddressGrant(portal.GrantTraining, id, c.AccountID, emails[c.AccountID], via))
			}
			return nil
		})
}

func (r snapshotReader) worksites(ctx context.Context, s *portal.PolicySnapshot) error {
	return r.each(ctx,
		`SELECT id, code, status, COALESCE(group_id, 0), signer_email,
			COALESCE(signer_account_id, 0), declaration_signed_at,
		signed_via FROM worksites ORDER BY id`, func(r rowScanner) error {
			var w portal.Worksite
			var code, via string
			var signed int64
			if err := r.Scan(&w.ID, &code, &w.Status, &w.GroupID, &w.SignerEmail, &w.SignerAccountID,
				&signed, &via); err != nil {
				return err
			}
			w.Code, w.DeclarationSigned = portal.WorksiteCode(code), fromMS(signed)
			s.Worksites = append(s.Worksites, &w)
			if w.DeclarationDone() {
				s.Grants = append(s.Grants,
					portal.NewAddressGrant(portal.GrantDeclaration, int64(w.ID), w.SignerAccountID, w.SignerEmail, via))
			}
			return nil
		})
}

func (r snapshotReader) memberships(ctx context.Context, s *portal.PolicySnapshot) error {
	return r.each(ctx,
		`SELECT worksite_id, account_id, role, status, end_date FROM worksite_members ORDER BY worksite_id, account_id`,
		func(r rowScanner) error {
			var m portal.Membership
			if err := r.Scan(&m.WorksiteID, &m.AccountID, &m.Role, &m.Status, &m.EndDate); err != nil {
				return err
			}
			s.Memberships = append(s.Memberships, &m)
			return nil
		})
}

func (r snapshotReader) groupAdmins(ctx context.Context, s *portal.PolicySnapshot) error {
	return r.each(ctx, `SELECT group_id, account_id FROM group_admins ORDER BY group_id, account_id`,
		func(r rowScanner) error {
			var g portal.GroupAdmin
			if err := r.Scan(&g.GroupID, &g.AccountID); err != nil {
				return err
			}
			s.GroupAdmins = append(s.GroupAdmins, g)
			return nil
		})
}

func (r snapshotReader) sponsorships(ctx context.Context, s *portal.PolicySnapshot) error {
	return r.each(ctx,
		`SELECT id, obo_account_id, authorizer_account_id, worksite_id, status, residency_start, residency_end
		FROM sponsorships ORDER BY id`, func(r rowScanner) error {
			var sp portal.Sponsorship
			if err := r.Scan(&sp.ID, &sp.OBOAccountID, &sp.AuthorizerAccountID, &sp.WorksiteID, &sp.Status,
				&sp.ResidencyStart, &sp.ResidencyEnd); err != nil {
				return err
			}
			s.Sponsorships = append(s.Sponsorships, &sp)
			return nil
		})
}

func (r snapshotReader) invitations(ctx context.Context, s *portal.PolicySnapshot) error {
	return r.each(
		ctx,
		`SELECT id, worksite_id, email, status, expires_at, COALESCE(decided_by, 0), accepted_via FROM invitations ORDER BY id`,
		func(r rowScanner) error {
			var inv portal.Invitation
			var expires int64
			var by portal.AccountID
			var via string
			if err := r.Scan(&inv.ID, &inv.WorksiteID, &inv.Email, &inv.Status, &expires, &by, &via); err != nil {
				return err
			}
			inv.ExpiresAt = fromMS(expires)
			s.Invitations = append(s.Invitations, &inv)
			if inv.Status == portal.RequestApproved {
				s.Grants = append(s.Grants,
					portal.NewAddressGrant(portal.GrantInvitation, int64(inv.ID), by, inv.Email, via))
			}
			return nil
		},
	)
}

func (r snapshotReader) joinRequests(ctx context.Context, s *portal.PolicySnapshot) error {
	return r.each(ctx, `SELECT id, worksite_id, account_id, status FROM join_requests ORDER BY id`,
		func(r rowScanner) error {
			var j portal.JoinRequest
			if err := r.Scan(&j.ID, &j.WorksiteID, &j.AccountID, &j.Status); err != nil {
				return err
			}
			s.JoinRequests = append(s.JoinRequests, &j)
			return nil
		})
}

// feed reads each person's last change-feed event that changed their
// access.
func (r snapshotReader) feed(ctx context.Context, s *portal.PolicySnapshot) error {
	return r.each(ctx, `SELECT e.account_id, e.id, e.type FROM provisioning_events e JOIN (
			SELECT account_id, MAX(id) AS id FROM provisioning_events
			WHERE type IN ('`+portal.FeedUserProvisioned+`', '`+portal.FeedUserSuspended+`',
				'`+portal.FeedUserReinstated+`', '`+portal.FeedUserDeprovisioned+`')
			GROUP BY account_id) last ON last.id = e.id
		ORDER BY e.account_id`, func(r rowScanner) error {
		var f portal.FeedState
		if err := r.Scan(&f.AccountID, &f.EventID, &f.Event); err != nil {
			return err
		}
		s.Feed = append(s.Feed, f)
		return nil
	})
}

func (r snapshotReader) licences(ctx context.Context, s *portal.PolicySnapshot) error {
	return r.each(ctx, `SELECT account_id, college, number, status, checked_at FROM licence_standings
		ORDER BY account_id`, func(r rowScanner) error {
		var l portal.LicenceStanding
		var at int64
		if err := r.Scan(&l.AccountID, &l.College, &l.Number, &l.Status, &at); err != nil {
			return err
		}
		l.CheckedAt = fromMS(at)
		s.Licences = append(s.Licences, l)
		return nil
	})
}

// activity reads when each provisioned person's dormancy clock started:
// their last sign-in, the approval, the team's last reinstatement or the
// last annual review confirmed.
func (r snapshotReader) activity(ctx context.Context, s *portal.PolicySnapshot) error {
	return r.each(ctx, `SELECT r.account_id, a.last_active_at, r.approved_at, r.last_confirmed_at, r.reinstated_at
		FROM access_requests r JOIN accounts a ON a.id = r.account_id
		WHERE r.status = 'approved' ORDER BY r.account_id, r.id`, func(row rowScanner) error {
		var id, active, approved, confirmed, reinstated int64
		if err := row.Scan(&id, &active, &approved, &confirmed, &reinstated); err != nil {
			return err
		}
		since := portal.ActivitySince(fromMS(active), fromMS(approved), fromMS(confirmed), fromMS(reinstated))
		if n := len(s.Activity); n > 0 && s.Activity[n-1].AccountID == portal.AccountID(id) {
			s.Activity[n-1].Since = portal.ActivitySince(s.Activity[n-1].Since, since)
			return nil
		}
		s.Activity = append(s.Activity, portal.Activity{AccountID: portal.AccountID(id), Since: since})
		return nil
	})
}

// leavePauses reads the leaves that paused a person's access.
func (r snapshotReader) leavePauses(ctx context.Context, s *portal.PolicySnapshot) error {
	return r.each(ctx,
		`SELECT id, account_id, end_date, access_resumed_at FROM leaves WHERE access_paused_at > 0 ORDER BY id`,
		func(row rowScanner) error {
			var l portal.LeavePause
			var resumed int64
			if err := row.Scan(&l.LeaveID, &l.AccountID, &l.End, &resumed); err != nil {
				return err
			}
			l.Resumed = resumed > 0
			s.LeavePauses = append(s.LeavePauses, l)
			return nil
		})
}

// handovers reads every handover of a worksite to another member.
func (r snapshotReader) handovers(ctx context.Context, s *portal.PolicySnapshot) error {
	return r.each(
		ctx,
		`SELECT id, worksite_id, from_account_id, to_account_id, status, expires_at FROM worksite_handovers ORDER BY id`,
		func(r rowScanner) error {
			var h portal.Handover
			var expires int64
			if err := r.Scan(&h.ID, &h.WorksiteID, &h.FromAccountID, &h.ToAccountID, &h.Status, &expires); err != nil {
				return err
			}
			h.ExpiresAt = fromMS(expires)
			s.Handovers = append(s.Handovers, &h)
			return nil
		},
	)
}
