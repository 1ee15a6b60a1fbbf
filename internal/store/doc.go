// Package store keeps the portal's data in SQLite (the embedded default) or
// PostgreSQL (production) behind one API. SQL is written once with `?`
// placeholders and rebound for PostgreSQL; migrations are one numbered stream.
//
// Where each area's methods are:
//
//	accounts      account.go (accounts, names, contact, passwords),
//	              session.go (sessions, sign-in times), emailconfirmation.go,
//	              menu.go (what the main menu and Notification Centre read),
//	              ratelimit.go
//	worksites     worksite.go (worksites, groups, the declaration), member.go,
//	              invitation.go, join_request.go, handover.go, locum.go,
//	              address.go (search), address_import.go (loading the file)
//	access        access_request.go, sponsorship.go, prerequisite.go
//	              (completions, pending training credits), remote_access.go,
//	              licence.go, leave.go, dormancy.go
//	review        review.go (annual access and members reviews), queue.go
//	              (the team's queue of requests), profession_review.go
//	back office   staff.go, report.go (counts, timings, the funnel),
//	              snapshot.go (the policy snapshot)
//	provisioning  provisioning.go (the change feed), downstream.go,
//	              api.go (API tokens, provisioned users)
//	audit         audit.go (the chain), audit_bounds.go, audit_search.go
//	mail          email.go (the outbox)
//	plumbing      store.go (Open, DB, Tx, Q, errors), migrate.go, batch.go,
//	              stmtcache.go, rows.go, scan.go, unavailable.go
package store
