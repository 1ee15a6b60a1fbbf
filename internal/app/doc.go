// Package app runs the portal's use cases: each authorises the actor,
// applies the domain rules, and writes the change, its audit event and its
// emails in one transaction.
//
// Its exported methods take and return domain types (package portal) or
// the app's own view types, never the store's rows; a test keeps it so.
//
// Where to find a rule, by area:
//
//   - The app itself: app.go (App, New, transactions, audit), session.go
//     (sessions, rate limits and readiness for the web layer), mailbox.go
//     (the development mailbox, the outbox depth).
//   - Accounts: account.go (registration, profile, sign-in), email.go
//     (confirming an email address), signer.go (signer-only accounts),
//     limits.go (daily email limits), leave.go (leaves of absence),
//     licence.go (the daily licence check), dormancy.go (dormant accounts).
//   - Worksites: worksite.go, worksite_rule.go (access needs an approved
//     worksite), worksite_decline.go (closing a declined worksite),
//     membership.go (invitations, join requests, members), locum.go,
//     handover.go (a site administrator hands a worksite over), address.go
//     (address search).
//   - Access: access_request.go (the CareConnect request, its status),
//     prerequisite.go (training and the HPCAA), sponsorship.go and
//     sponsor_rule.go (authorizers and on-behalf-of users),
//     remote_access.go, profession_review.go, notification.go (the
//     Notification Centre).
//   - Annual review: review.go (the person's review and the members review:
//     states, confirmation), review_run.go (the scheduled run: reminders,
//     suspensions), review_report.go (the team's view of the reviews).
//   - Back office (the CareConnect team): backoffice.go (the queues),
//     backoffice_decision.go (claim, approve, decline, ask for information,
//     change access), backoffice_person.go (a request's review page and a
//     person's record), staff.go (team roles, staff sign-in), report.go (audit trail and
//     reports), audit_checkpoint.go, policy.go (the policy check).
//   - Provisioning: provisioning.go (the change feed), api.go and
//     api_filter.go (the SCIM provisioning API), push.go (pushing to
//     downstream services).
package app
