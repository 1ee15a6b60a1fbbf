package app

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"portal"
	"portal/internal/mail"
	"portal/internal/store"
)

// QueuePageSize is how many requests one page of the queue shows.
const QueuePageSize = 20

// Queue status choices besides the statuses themselves.
const (
	QueueOpen = "open" // submitted or waiting for the person's answer (the default)
	QueueAll  = "all"
)

// QueueQuery is the queue's filter form, as typed.
type QueueQuery struct {
	Status          string // QueueOpen (default), QueueAll or an access request status
	Profession      string
	HealthAuthority string
	Worksite        string // a Worksite ID
	Reference       string // a request's reference number: that request, whatever the other filters
	OlderThanDays   string // submitted more than this many days ago; "" for any age
	Sort            string // "asc": oldest first; "desc" (default): newest first
	Page            int
}

// Normalize trims the form and fills in the defaults.
func (q *QueueQuery) Normalize() {
	for _, s := range []*string{&q.Status, &q.Profession, &q.HealthAuthority, &q.Worksite, &q.Reference, &q.OlderThanDays, &q.Sort} {
		*s = strings.TrimSpace(*s)
	}
	if q.Status == "" {
		q.Status = QueueOpen
	}
	if q.Sort != "asc" {
		q.Sort = "desc"
	}
	if q.Page < 1 {
		q.Page = 1
	}
}

// QueueRow is one request in the queue.
type QueueRow struct {
	Request   *portal.AccessRequest
	Account   *portal.Account
	Worksites []*portal.Worksite
	ClaimedBy string // the claiming officer's name, or ""
	Flags     int    // automatic checks that need attention
}

// QueueResult is one page of the queue.
type QueueResult struct {
	Rows   []QueueRow
	Total  int
	Page   int // the page shown, within range
	Errors portal.FieldErrors
}

// requireOfficer lets only enrolment officers (and administrators) work
// the queue.
func requireOfficer(s *portal.Staff) error {
	if s == nil || !s.Has(portal.RoleOfficer) {
		return portal.Errorf(portal.EFORBIDDEN, "Your role in the CareConnect team does not include access requests.")
	}
	return nil
}

// queueFilter turns the form into a store filter; field errors name what
// could not be used.
func (a *App) queueFilter(q QueueQuery) (store.QueueFilter, portal.FieldErrors) {
	fe := portal.FieldErrors{}
	f := store.QueueFilter{Oldest: q.Sort == "asc", Limit: QueuePageSize, Offset: (q.Page - 1) * QueuePageSize}
	if q.Reference != "" {
		// A reference number names one request: the other filters,
		// the status "Open" among them, would only hide it.
		ref, err := portal.ParseReference(q.Reference)
		if err != nil {
			fe.Add("reference", portal.ErrorMessage(err))
		}
		f.Reference = ref
		return f, fe
	}
	switch q.Status {
	case QueueOpen:
		f.Statuses = []string{portal.ARSubmitted, portal.ARInfoRequested}
	case QueueAll:
	case portal.ARSubmitted, portal.ARInfoRequested, portal.ARApproved, portal.ARDeclined, portal.ARSuspended, portal.ARDeprovisioned:
		f.Statuses = []string{q.Status}
	default:
		fe.Add("status", "Choose a status from the list.")
	}
	if q.Profession != "" {
		if _, ok := portal.LookupProfession(portal.Profession(q.Profession)); !ok {
			fe.Add("profession", "Choose a profession from the list.")
		}
		f.Profession = portal.Profession(q.Profession)
	}
	if q.HealthAuthority != "" {
		if !slices.Contains(portal.HealthAuthorities, portal.HealthAuthority(q.HealthAuthority)) {
			fe.Add("health_authority", "Choose a health authority from the list.")
		}
		f.HealthAuthority = portal.HealthAuthority(q.HealthAuthority)
	}
	if q.Worksite != "" {
		code, err := portal.ParseWorksiteCode(q.Worksite)
		if err != nil {
			fe.Add("worksite", portal.ErrorMessage(err))
		}
		f.WorksiteCode = code
	}
	if q.OlderThanDays != "" {
		if n, err := strconv.Atoi(q.OlderThanDays); err != nil || n < 0 || n > 3650 {
			fe.Add("older_than", "Enter a number of days from 0 to 3650.")
		} else {
			f.SubmittedBefore = a.now().AddDate(0, 0, -n)
		}
	}
	return f, fe
}

// Queue lists the access requests the filter selects, a page at a time,
// each with the automatic checks' flag count.
func (a *App) Queue(ctx context.Context, staff *portal.Staff, q QueueQuery) (*QueueResult, error) {
	if err := requireOfficer(staff); err != nil {
		return nil, err
	}
	q.Normalize()
	f, fe := a.queueFilter(q)
	out := &QueueResult{Page: q.Page, Errors: fe}
	if len(fe) > 0 {
		out.Page = 1
		return out, nil
	}
	r := a.DB.Read()
	reqs, total, err := r.FindQueue(ctx, f)
	if err != nil {
		return nil, err
	}
	if len(reqs) == 0 && total > 0 {
		// Past the last page: show the last one.
		out.Page = (total + QueuePageSize - 1) / QueuePageSize
		f.Offset = (out.Page - 1) * QueuePageSize
		if reqs, total, err = r.FindQueue(ctx, f); err != nil {
			return nil, err
		}
	}
	out.Total = total
	ids := make([]portal.AccessRequestID, len(reqs))
	acctIDs := make([]portal.AccountID, len(reqs))
	for i, req := range reqs {
		ids[i], acctIDs[i] = req.ID, req.AccountID
	}
	accts, err := r.FindAccountsByIDs(ctx, acctIDs)
	if err != nil {
		return nil, err
	}
	worksites, err := r.FindRequestWorksites(ctx, ids)
	if err != nil {
		return nil, err
	}
	sponsors, err := r.FindRequestSponsorships(ctx, ids)
	if err != nil {
		return nil, err
	}
	names, err := a.staffNames(ctx)
	if err != nil {
		return nil, err
	}
	standings, err := a.queueStandings(ctx, accts)
	if err != nil {
		return nil, err
	}
	today := a.today()
	for _, req := range reqs {
		acct := accts[req.AccountID]
		checks := portal.CheckRequest(portal.CheckInput{Account: acct, Worksites: worksites[req.ID],
			Sponsorships: sponsors[req.ID], Today: today, OnBehalfOf: acct != nil && acct.UserType().NeedsAuthorizer(),
			Sponsors: standings[req.AccountID]})
		out.Rows = append(out.Rows, QueueRow{Request: req, Account: accts[req.AccountID], Worksites: worksites[req.ID],
			ClaimedBy: names.of(req.ClaimedBy), Flags: portal.CountFlags(checks)})
	}
	return out, nil
}

// queueStandings says where the active sponsors of the on-behalf-of users
// among accts stand, per user.
func (a *App) queueStandings(ctx context.Context, accts map[portal.AccountID]*portal.Account) (
	map[portal.AccountID][]portal.SponsorStanding, error) {
	var obos []portal.AccountID
	residents := map[portal.AccountID]bool{}
	for id, acct := range accts {
		if acct.UserType().NeedsAuthorizer() {
			obos = append(obos, id)
			residents[id] = IsResident(acct)
		}
	}
	slices.Sort(obos)
	all, err := a.sponsorStandings(ctx, a.DB.Read(), obos, residents, portal.SponsorActive)
	if err != nil {
		return nil, err
	}
	out := map[portal.AccountID][]portal.SponsorStanding{}
	for _, s := range all {
		out[s.Sponsorship.OBOAccountID] = append(out[s.Sponsorship.OBOAccountID], s)
	}
	return out, nil
}

// staffNames names members of the CareConnect team by their reference.
type staffNames map[string]string

func (n staffNames) of(ref string) string {
	if ref == "" {
		return ""
	}
	if name, ok := n[ref]; ok {
		return name
	}
	return ref
}

func (a *App) staffNames(ctx context.Context) (staffNames, error) {
	all, err := a.DB.Read().ListStaff(ctx)
	if err != nil {
		return nil, err
	}
	out := staffNames{}
	for _, s := range all {
		out[staffRef(s.ID)] = s.DisplayName()
	}
	return out, nil
}

var notFoundRequest = portal.Errorf(portal.ENOTFOUND, "That access request does not exist.")

func (a *App) findRequest(ctx context.Context, id portal.AccessRequestID) (*portal.AccessRequest, error) {
	r, err := a.DB.Read().FindAccessRequestByID(ctx, id)
	if store.IsNotFound(err) {
		return nil, notFoundRequest
	}
	return r, err
}

func longTime(t time.Time) string { return t.In(portal.Pacific()).Format("2 Jan 2006 at 3:04 PM") }

// decidedConflict tells an officer that a request was decided already.
func decidedConflict(r *portal.AccessRequest, names staffNames) error {
	if (r.Status == portal.ARApproved || r.Status == portal.ARDeclined) && !r.DecidedAt.IsZero() {
		return portal.Errorf(portal.ECONFLICT, "This request was already %s by %s on %s.",
			strings.ToLower(r.StatusLabel()), orSomeone(names.of(r.DecidedBy)), longTime(r.DecidedAt))
	}
	return portal.Errorf(portal.ECONFLICT, "This request is no longer open: its status is %s.", strings.ToLower(r.StatusLabel()))
}

// errNotChanged rolls back a transaction whose guarded update found the
// request changed; the caller explains what happened.
var errNotChanged = errors.New("app: access request changed meanwhile")

// ClaimAccessRequest gives an open request to the officer, who alone may
// then decide it. Of two officers claiming at once exactly one gets it; the
// other is told who has it.
func (a *App) ClaimAccessRequest(ctx context.Context, meta portal.RequestMeta, staff *portal.Staff, id portal.AccessRequestID) error {
	if err := requireOfficer(staff); err != nil {
		return err
	}
	r, err := a.findRequest(ctx, id)
	if err != nil {
		return err
	}
	ref, now := staffRef(staff.ID), a.now()
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		ok, err := tx.ClaimAccessRequest(ctx, id, ref, now)
		if err != nil {
			return err
		}
		if !ok {
			return errNotChanged
		}
		if err := tx.AddAccessRequestEvent(ctx, id, portal.AccessRequestEvent{At: now, ActorKind: portal.ActorStaff, ActorID: ref,
			FromStatus: r.Status, ToStatus: r.Status, Note: "Taken for review by the CareConnect team."}); err != nil {
			return err
		}
		return a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorStaff, actorID: ref, action: "access.claimed",
			subjectKind: "access_request", subjectID: requestRef(id), details: map[string]any{"account": r.AccountID}})
	})
	if !errors.Is(err, errNotChanged) {
		return err
	}
	cur, err := a.findRequest(ctx, id)
	if err != nil {
		return err
	}
	names, err := a.staffNames(ctx)
	if err != nil {
		return err
	}
	switch {
	case !cur.Open():
		return decidedConflict(cur, names)
	case cur.ClaimedBy == ref:
		return nil // claimed twice by the same officer: nothing more to do
	default:
		return portal.Errorf(portal.ECONFLICT, "%s claimed this request on %s.", names.of(cur.ClaimedBy), longTime(cur.ClaimedAt))
	}
}

// ReleaseAccessRequest returns a claimed request to the queue. Only the
// officer who claimed it, or an administrator, may release it.
func (a *App) ReleaseAccessRequest(ctx context.Context, meta portal.RequestMeta, staff *portal.Staff, id portal.AccessRequestID) error {
	if err := requireOfficer(staff); err != nil {
		return err
	}
	r, err := a.findRequest(ctx, id)
	if err != nil {
		return err
	}
	ref, now := staffRef(staff.ID), a.now()
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		ok, err := tx.ReleaseAccessRequest(ctx, id, ref, staff.Has(portal.RoleAdministrator))
		if err != nil {
			return err
		}
		if !ok {
			return errNotChanged
		}
		if err := tx.AddAccessRequestEvent(ctx, id, portal.AccessRequestEvent{At: now, ActorKind: portal.ActorStaff, ActorID: ref,
			FromStatus: r.Status, ToStatus: r.Status, Note: "Returned to the queue."}); err != nil {
			return err
		}
		return a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorStaff, actorID: ref, action: "access.released",
			subjectKind: "access_request", subjectID: requestRef(id),
			details: map[string]any{"account": r.AccountID, "claimed_by": r.ClaimedBy}})
	})
	if !errors.Is(err, errNotChanged) {
		return err
	}
	cur, err := a.findRequest(ctx, id)
	if err != nil {
		return err
	}
	if cur.ClaimedBy == "" {
		return portal.Errorf(portal.ECONFLICT, "This request is not claimed by anyone.")
	}
	names, err := a.staffNames(ctx)
	if err != nil {
		return err
	}
	return portal.Errorf(portal.EFORBIDDEN, "Only %s, who claimed this request, or an administrator can release it.", names.of(cur.ClaimedBy))
}

// decision is one way of deciding an open access request.
type decision struct {
	at      time.Time
	from    []string
	to      string
	open    bool           // the request stays open (more information needed)
	set     map[string]any // columns to set beside the status
	note    string         // for the request's history
	action  string         // audit action
	details map[string]any // audit details
	// after runs in the same transaction: provisioning and the email.
	after func(tx *store.Tx, acct *portal.Account) error
}

// decide applies a decision by the officer who claimed the request. When
// the request was decided meanwhile, or is claimed by someone else, or not
// at all, nothing changes and the error says why.
func (a *App) decide(ctx context.Context, meta portal.RequestMeta, staff *portal.Staff, r *portal.AccessRequest, acct *portal.Account, d decision) (*portal.AccessRequest, error) {
	ref := staffRef(staff.ID)
	if err := a.decisionConflict(ctx, r, ref, d.from); err != nil {
		return nil, err
	}
	if d.details == nil {
		d.details = map[string]any{}
	}
	d.details["account"] = r.AccountID
	err := a.DB.InTx(ctx, func(tx *store.Tx) error {
		// The person first, then the request: the order the rules that
		// suspend access on their own take (lapses, lost worksites).
		if _, err := tx.FindAccountByIDForUpdate(ctx, r.AccountID); err != nil {
			return err
		}
		ok, err := tx.ChangeAccessRequest(ctx, store.AccessRequestChange{ID: r.ID, From: d.from, To: d.to, At: d.at,
			ActorKind: portal.ActorStaff, ActorID: ref, Note: d.note, Set: d.set, KeepOpen: d.open, RequireClaim: ref})
		if err != nil {
			return err
		}
		if !ok {
			return errNotChanged
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorStaff, actorID: ref, action: d.action,
			subjectKind: "access_request", subjectID: requestRef(r.ID), details: d.details}); err != nil {
			return err
		}
		return d.after(tx, acct)
	})
	if errors.Is(err, errNotChanged) {
		cur, ferr := a.findRequest(ctx, r.ID)
		if ferr != nil {
			return nil, ferr
		}
		if cerr := a.decisionConflict(ctx, cur, ref, d.from); cerr != nil {
			return nil, cerr
		}
		return nil, portal.Errorf(portal.ECONFLICT, "This request changed while you were deciding. Reload the page and try again.")
	}
	if err != nil {
		return nil, err
	}
	return a.findRequest(ctx, r.ID)
}

// decisionConflict says why the officer cannot make a decision moving the
// request from one of the statuses in from, or returns nil.
func (a *App) decisionConflict(ctx context.Context, r *portal.AccessRequest, ref string, from []string) error {
	if slices.Contains(from, r.Status) && r.ClaimedBy == ref {
		return nil
	}
	names, err := a.staffNames(ctx)
	if err != nil {
		return err
	}
	switch {
	case !r.Open():
		return decidedConflict(r, names)
	case !slices.Contains(from, r.Status):
		return portal.Errorf(portal.ECONFLICT, "This request is already waiting for the person's answer to: %s", r.InfoQuestion)
	case r.ClaimedBy == "":
		return portal.Errorf(portal.ECONFLICT, "Claim this request before you decide on it.")
	default:
		return portal.Errorf(portal.ECONFLICT, "%s claimed this request on %s; only they can decide on it until they release it.",
			names.of(r.ClaimedBy), longTime(r.ClaimedAt))
	}
}

// requestForDecision loads an open request and its person for an officer.
func (a *App) requestForDecision(ctx context.Context, staff *portal.Staff, id portal.AccessRequestID) (*portal.AccessRequest, *portal.Account, error) {
	if err := requireOfficer(staff); err != nil {
		return nil, nil, err
	}
	r, err := a.findRequest(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	acct, err := a.DB.Read().FindAccountByID(ctx, r.AccountID)
	if err != nil {
		return nil, nil, err
	}
	return r, acct, nil
}

func (a *App) statusURL() string { return a.Config.BaseURL + "/application/status" }

func scopeLabels(s []portal.DataScope) string {
	labels := make([]string, len(s))
	for i, x := range s {
		labels[i] = x.Label()
	}
	return strings.Join(labels, ", ")
}

// refuseApproval refuses to approve a request whose person has no sponsor
// who qualifies.
var refuseApproval = noQualifyingSponsor("The request cannot be approved until one does: ask for more information, or decline it.")

// ApproveAccessRequest approves a request, granting the data scopes chosen
// among those the policy allows the person now: an officer may narrow
// them, never widen them. An on-behalf-of user's request is refused while
// no sponsor qualifies (portal.SponsorQualifies). The review falls due a
// year after approval.
func (a *App) ApproveAccessRequest(ctx context.Context, meta portal.RequestMeta, staff *portal.Staff, id portal.AccessRequestID, scopes []portal.DataScope) (*portal.AccessRequest, error) {
	r, acct, err := a.requestForDecision(ctx, staff, id)
	if err != nil {
		return nil, err
	}
	if err := a.requireQualifyingSponsor(ctx, nil, acct.ID, refuseApproval); err != nil {
		return nil, err
	}
	allowed, _, err := a.AllowedScopes(ctx, acct)
	if err != nil {
		return nil, err
	}
	if len(allowed) == 0 {
		return nil, portal.Errorf(portal.EINVALID, "No data scopes can be granted to this person now: their profession has none of its own, or no authorizer sponsors them. Decline the request or ask for more information.")
	}
	granted, err := portal.NarrowScopes(allowed, scopes)
	if err != nil {
		return nil, portal.FieldErrors{"scopes": portal.ErrorMessage(err)}
	}
	now := a.now()
	due := portal.ReviewDueAfter(now)
	return a.decide(ctx, meta, staff, r, acct, decision{
		at: now, from: []string{portal.ARSubmitted, portal.ARInfoRequested}, to: portal.ARApproved,
		set: map[string]any{"granted_scopes": store.StoredScopes(granted), "approved_at": now.UnixMilli(),
			"review_due_at": due.UnixMilli(), "decided_by": staffRef(staff.ID), "decided_at": now.UnixMilli(),
			"decision_code": "", "decision_text": ""},
		note:    "Approved. Data scopes granted: " + scopeLabels(granted) + ".",
		action:  "access.approved",
		details: map[string]any{"granted_scopes": granted, "allowed_scopes": allowed, "review_due_at": due.In(portal.Pacific()).Format(time.DateOnly)},
		after: func(tx *store.Tx, acct *portal.Account) error {
			if err := a.requireQualifyingSponsor(ctx, tx, acct.ID, refuseApproval); err != nil {
				return err
			}
			if err := a.requireSponsoredScopes(ctx, tx, acct, granted); err != nil {
				return err
			}
			if err := a.requireApprovedWorksite(ctx, tx, acct.ID,
				noApprovedWorksite("the request cannot be approved: ask for more information, or decline it")); err != nil {
				return err
			}
			if err := a.requireLicence(ctx, tx, acct, "The request cannot be approved"); err != nil {
				return err
			}
			if err := a.recordProvisioning(ctx, tx, acct.ID, ProvUserProvisioned, map[string]any{
				"request": r.ID, "scopes": granted, "worksites": r.WorksiteIDs, "sponsorships": r.SponsorshipIDs}); err != nil {
				return err
			}
			var lines []mail.ScopeText
			for _, s := range portal.DataScopes {
				if slices.Contains(granted, s.Code) {
					lines = append(lines, mail.ScopeText{Label: s.Label, Description: s.Description})
				}
			}
			return a.enqueue(ctx, tx, "access_approved", acct.Email, acct.ID, mail.AccessApproved{Common: a.commonFor(acct.DisplayName(), r),
				Scopes: lines, ReviewDue: due.In(portal.Pacific()).Format("2 Jan 2006"), StatusURL: a.statusURL()})
		},
	})
}

// DeclineAccessRequest declines a request with a reason code and an
// explanation for the person.
func (a *App) DeclineAccessRequest(ctx context.Context, meta portal.RequestMeta, staff *portal.Staff, id portal.AccessRequestID, in portal.DeclineInput) (*portal.AccessRequest, error) {
	r, acct, err := a.requestForDecision(ctx, staff, id)
	if err != nil {
		return nil, err
	}
	if err := in.Validate().Err(); err != nil {
		return nil, err
	}
	label, now := portal.DeclineReasonLabel(in.Code), a.now()
	return a.decide(ctx, meta, staff, r, acct, decision{
		at: now, from: []string{portal.ARSubmitted, portal.ARInfoRequested}, to: portal.ARDeclined,
		set: map[string]any{"decision_code": in.Code, "decision_text": in.Text, "decided_by": staffRef(staff.ID),
			"decided_at": now.UnixMilli()},
		note:    "Declined (" + label + "): " + in.Text,
		action:  "access.declined",
		details: map[string]any{"code": in.Code, "reason": in.Text},
		after: func(tx *store.Tx, acct *portal.Account) error {
			return a.enqueue(ctx, tx, "access_declined", acct.Email, acct.ID, mail.AccessDeclined{Common: a.commonFor(acct.DisplayName(), r),
				Reason: label, Text: in.Text, StatusURL: a.statusURL()})
		},
	})
}

// RequestMoreInformation asks the person a question before deciding. The
// person answers in the portal (AnswerInfoRequest) and the request returns
// to the queue, still claimed by the officer who asked.
func (a *App) RequestMoreInformation(ctx context.Context, meta portal.RequestMeta, staff *portal.Staff, id portal.AccessRequestID, question string) (*portal.AccessRequest, error) {
	r, acct, err := a.requestForDecision(ctx, staff, id)
	if err != nil {
		return nil, err
	}
	question, err = portal.ValidateInfoQuestion(question)
	if err != nil {
		return nil, err
	}
	return a.decide(ctx, meta, staff, r, acct, decision{
		at: a.now(), from: []string{portal.ARSubmitted}, to: portal.ARInfoRequested, open: true,
		set:     map[string]any{"info_question": question, "info_answer": ""},
		note:    "More information needed: " + question,
		action:  "access.info_requested",
		details: map[string]any{"question": question},
		after: func(tx *store.Tx, acct *portal.Account) error {
			return a.enqueue(ctx, tx, "access_info_needed", acct.Email, acct.ID, mail.AccessInfoNeeded{Common: a.commonFor(acct.DisplayName(), r),
				Question: question, StatusURL: a.statusURL()})
		},
	})
}

// accessChanges says, per action on approved access, what downstream
// systems, the audit trail and the person's mailbox are told.
var accessChanges = map[portal.AccessAction]struct{ provisioning, audit, email string }{
	portal.AccessSuspend:     {ProvUserSuspended, "access.suspended", "access_suspended"},
	portal.AccessReinstate:   {ProvUserReinstated, "access.reinstated", "access_reinstated"},
	portal.AccessDeprovision: {ProvUserDeprovisioned, "access.deprovisioned", "access_deprovisioned"},
}

// currentAccess is the request that holds a person's access: the newest
// approved or suspended one, else the newest of all (nil when none).
func currentAccess(reqs []*portal.AccessRequest) *portal.AccessRequest {
	for _, r := range reqs {
		if r.Status == portal.ARApproved || r.Status == portal.ARSuspended {
			return r
		}
	}
	if len(reqs) > 0 {
		return reqs[0]
	}
	return nil
}

// ChangeAccess suspends, reinstates or removes a person's approved access,
// with a reason. Downstream systems learn of it through the change feed.
func (a *App) ChangeAccess(ctx context.Context, meta portal.RequestMeta, staff *portal.Staff, account portal.AccountID, action portal.AccessAction, reason string) (*portal.AccessRequest, error) {
	if err := requireOfficer(staff); err != nil {
		return nil, err
	}
	from, to, ok := portal.AccessTransition(action)
	change, known := accessChanges[action]
	if !ok || !known {
		return nil, portal.Errorf(portal.EINVALID, "That is not something the CareConnect team can do to a person's access.")
	}
	reason = strings.TrimSpace(reason)
	if err := portal.ValidateReason(reason, true); err != nil {
		return nil, err
	}
	acct, err := a.DB.Read().FindAccountByID(ctx, account)
	if store.IsNotFound(err) {
		return nil, notFoundPerson
	}
	if err != nil {
		return nil, err
	}
	reqs, err := a.DB.Read().FindAccessRequestsByAccount(ctx, account)
	if err != nil {
		return nil, err
	}
	r := currentAccess(reqs)
	if r == nil {
		return nil, portal.Errorf(portal.ECONFLICT, "This person has not requested CareConnect access, so there is no access to %s.", action)
	}
	refused := func(r *portal.AccessRequest) error {
		return portal.Errorf(portal.ECONFLICT, "The access cannot be %s: its status is %s.", action.Done(), strings.ToLower(r.StatusLabel()))
	}
	if !slices.Contains(from, r.Status) {
		return nil, refused(r)
	}
	ref := staffRef(staff.ID)
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		// The person first, then the request, as decide does.
		if _, err := tx.FindAccountByIDForUpdate(ctx, acct.ID); err != nil {
			return err
		}
		var set map[string]any
		if action == portal.AccessReinstate {
			set = map[string]any{"reinstated_at": a.now().UnixMilli()} // a fresh decision: the dormancy clock starts again
		}
		ok, err := tx.ChangeAccessRequest(ctx, store.AccessRequestChange{ID: r.ID, From: from, To: to, At: a.now(),
			ActorKind: portal.ActorStaff, ActorID: ref, Note: "Access " + action.Done() + ": " + reason, Set: set})
		if err != nil {
			return err
		}
		if !ok {
			return errNotChanged
		}
		if err := a.recordProvisioning(ctx, tx, acct.ID, change.provisioning, map[string]any{"request": r.ID, "reason": reason}); err != nil {
			return err
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorStaff, actorID: ref, action: change.audit,
			subjectKind: "access_request", subjectID: requestRef(r.ID),
			details: map[string]any{"account": acct.ID, "reason": reason, "from": r.Status}}); err != nil {
			return err
		}
		if err := a.accessChanged(ctx, tx, meta, acct, action); err != nil {
			return err
		}
		return a.enqueue(ctx, tx, change.email, acct.Email, acct.ID, mail.AccessChanged{Common: a.commonFor(acct.DisplayName(), r),
			Reason: reason, StatusURL: a.statusURL()})
	})
	if errors.Is(err, errNotChanged) {
		cur, ferr := a.findRequest(ctx, r.ID)
		if ferr != nil {
			return nil, ferr
		}
		return nil, refused(cur)
	}
	if err != nil {
		return nil, err
	}
	return a.findRequest(ctx, r.ID)
}

// accessChanged applies the sponsor rule to a change the CareConnect team
// made to a person's access, inside its transaction: an on-behalf-of user
// is reinstated only while a sponsor qualifies; an authorizer suspended or
// removed may leave the people they sponsor without one (lapseDependants);
// an authorizer reinstated counts again as the sponsor of those still
// provisioned through someone else, but brings nobody back.
func (a *App) accessChanged(ctx context.Context, tx *store.Tx, meta portal.RequestMeta, acct *portal.Account,
	action portal.AccessAction) error {
	switch action {
	case portal.AccessReinstate:
		if err := a.requireApprovedWorksite(ctx, tx, acct.ID, noApprovedWorksite("their access cannot be reinstated")); err != nil {
			return err
		}
		if err := a.requireLicence(ctx, tx, acct, "Their access cannot be reinstated"); err != nil {
			return err
		}
		if err := a.requireQualifyingSponsor(ctx, tx, acct.ID,
			noQualifyingSponsor("Their access cannot be reinstated until one does.")); err != nil {
			return err
		}
		whole, err := a.narrowToSponsors(ctx, tx, meta, acct, "The CareConnect team reinstated your access through the authorizers who sponsor you now.")
		if err != nil {
			return err
		}
		if !whole {
			return portal.Errorf(portal.ECONFLICT, "%s's access cannot be reinstated: the authorizers who qualify as their sponsors now "+
				"were granted none of the data scopes their access holds. Decline to reinstate it, or have them ask an authorizer "+
				"who sees that information to sponsor them.", acct.DisplayName())
		}
		return a.touchDependants(ctx, tx, acct.ID)
	case portal.AccessSuspend:
		return a.lapseDependants(ctx, tx, meta, acct.ID, lapseCause{code: LapseSponsorSuspended,
			dependants: acct.DisplayName() + "'s own CareConnect access was suspended by the CareConnect team."})
	case portal.AccessDeprovision:
		return a.lapseDependants(ctx, tx, meta, acct.ID, lapseCause{code: LapseSponsorDeprovisioned,
			dependants: acct.DisplayName() + "'s own CareConnect access was removed by the CareConnect team."})
	}
	return nil
}

var notFoundPerson = portal.Errorf(portal.ENOTFOUND, "That person does not exist.")

// viewedPerson records that a member of the CareConnect team looked at a
// person's record: every such view is audited.
func (a *App) viewedPerson(ctx context.Context, meta portal.RequestMeta, staff *portal.Staff, account portal.AccountID, page string, details map[string]any) error {
	if details == nil {
		details = map[string]any{}
	}
	details["page"] = page
	return a.DB.InTx(ctx, func(tx *store.Tx) error {
		return a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorStaff, actorID: staffRef(staff.ID), action: "staff.viewed_person",
			subjectKind: "account", subjectID: accountRef(account), details: details})
	})
}

// JoinedVia says how a person came to belong to a worksite.
type JoinedVia struct {
	How string // "registered", "join_request", "invitation" or "" when not recorded
	By  string // who approved the request or sent the invitation
	At  time.Time
}

// ReviewWorksite is a worksite named on a request, as an officer sees it.
type ReviewWorksite struct {
	Worksite   *portal.Worksite
	Membership *portal.Membership // nil when the person is no longer a member
	Joined     JoinedVia
}

// RequestReview is everything an officer needs to decide a request.
type RequestReview struct {
	Request       *portal.AccessRequest
	Account       *portal.Account
	Worksites     []ReviewWorksite
	Prerequisites []*PrerequisiteStatus
	Sponsorships  []*portal.Sponsorship
	// Sponsors is where each sponsor of an on-behalf-of user stands today:
	// their active and pending sponsorships and those named on the request.
	Sponsors      []portal.SponsorStanding
	OnBehalfOf    bool               // the person needs an authorizer
	AllowedScopes []portal.DataScope // what the policy allows the person now
	Events        []portal.AccessRequestEvent
	Checks        []portal.Check
	ClaimedBy     string // the claiming officer's name
	DecidedBy     string // the deciding officer's name
	ClaimedByYou  bool
}

// ReviewAccessRequest gathers a request for an officer, and records the
// view of the person's record in the audit trail.
func (a *App) ReviewAccessRequest(ctx context.Context, meta portal.RequestMeta, staff *portal.Staff, id portal.AccessRequestID) (*RequestReview, error) {
	r, acct, err := a.requestForDecision(ctx, staff, id)
	if err != nil {
		return nil, err
	}
	q := a.DB.Read()
	rv := &RequestReview{Request: r, Account: acct, ClaimedByYou: r.ClaimedBy == staffRef(staff.ID)}
	worksites, err := q.FindRequestWorksites(ctx, []portal.AccessRequestID{r.ID})
	if err != nil {
		return nil, err
	}
	sponsors, err := q.FindRequestSponsorships(ctx, []portal.AccessRequestID{r.ID})
	if err != nil {
		return nil, err
	}
	rv.Sponsorships = sponsors[r.ID]
	if rv.Worksites, err = a.reviewWorksites(ctx, acct, worksites[r.ID]); err != nil {
		return nil, err
	}
	if rv.Prerequisites, err = a.prerequisiteStatuses(ctx, acct); err != nil {
		return nil, err
	}
	if rv.AllowedScopes, _, err = a.AllowedScopes(ctx, acct); err != nil {
		return nil, err
	}
	names, err := a.staffNames(ctx)
	if err != nil {
		return nil, err
	}
	if rv.Events, err = q.FindAccessRequestEvents(ctx, r.ID); err != nil {
		return nil, err
	}
	for i, e := range rv.Events {
		if e.ActorKind == portal.ActorStaff {
			rv.Events[i].ActorName = names.of(e.ActorID)
		}
	}
	rv.ClaimedBy, rv.DecidedBy = names.of(r.ClaimedBy), names.of(r.DecidedBy)
	if rv.OnBehalfOf = acct.UserType().NeedsAuthorizer(); rv.OnBehalfOf {
		if rv.Sponsors, err = a.reviewStandings(ctx, acct, rv.Sponsorships); err != nil {
			return nil, err
		}
	}
	var active []portal.SponsorStanding
	for _, s := range rv.Sponsors {
		if s.Sponsorship.Status == portal.SponsorActive {
			active = append(active, s)
		}
	}
	rv.Checks = portal.CheckRequest(portal.CheckInput{Account: acct, Worksites: worksites[r.ID], Sponsorships: rv.Sponsorships,
		Today: a.today(), OnBehalfOf: rv.OnBehalfOf, Sponsors: active})
	rv.Checks = append(rv.Checks, a.licenceCheck(ctx, acct))
	if err := a.viewedPerson(ctx, meta, staff, acct.ID, "access_request", map[string]any{"request": r.ID}); err != nil {
		return nil, err
	}
	return rv, nil
}

// reviewStandings says where an on-behalf-of user's sponsors stand: those
// of their active and pending sponsorships and of the ones named on the
// request.
func (a *App) reviewStandings(ctx context.Context, acct *portal.Account, named []*portal.Sponsorship) ([]portal.SponsorStanding, error) {
	all, err := a.sponsorStandings(ctx, a.DB.Read(), []portal.AccountID{acct.ID}, map[portal.AccountID]bool{acct.ID: IsResident(acct)})
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(s portal.SponsorStanding) bool {
		st := s.Sponsorship.Status
		return st != portal.SponsorActive && st != portal.SponsorPending &&
			!slices.ContainsFunc(named, func(n *portal.Sponsorship) bool { return n.ID == s.Sponsorship.ID })
	}), nil
}

func (a *App) prerequisiteStatuses(ctx context.Context, acct *portal.Account) ([]*PrerequisiteStatus, error) {
	cs, err := a.DB.Read().FindCompletions(ctx, acct.ID)
	if err != nil {
		return nil, err
	}
	var out []*PrerequisiteStatus
	for _, p := range portal.Prerequisites {
		out = append(out, prerequisiteStatus(acct, p.Code, cs))
	}
	return out, nil
}

// reviewWorksites adds to each worksite the person's membership and how it
// came about: registering the worksite, a request approved by a site
// administrator, or an accepted invitation.
func (a *App) reviewWorksites(ctx context.Context, acct *portal.Account, ws []*portal.Worksite) ([]ReviewWorksite, error) {
	q := a.DB.Read()
	members, err := q.FindAccountMemberships(ctx, acct.ID)
	if err != nil {
		return nil, err
	}
	joins, err := q.FindJoinRequests(ctx, store.JoinRequestFilter{AccountID: acct.ID, Status: portal.RequestApproved})
	if err != nil {
		return nil, err
	}
	invites, err := q.FindAcceptedInvitations(ctx, acct.ID)
	if err != nil {
		return nil, err
	}
	out := make([]ReviewWorksite, 0, len(ws))
	for _, w := range ws {
		rw := ReviewWorksite{Worksite: w}
		for _, m := range members {
			if m.WorksiteID == w.ID && m.Status == portal.MemberActive {
				rw.Membership = m
			}
		}
		switch {
		case w.RegisteredBy == acct.ID:
			rw.Joined = JoinedVia{How: "registered", At: w.CreatedAt}
		default:
			for _, j := range joins { // newest first
				if j.WorksiteID == w.ID {
					rw.Joined = JoinedVia{How: "join_request", By: j.DeciderName, At: j.DecidedAt}
					break
				}
			}
			if rw.Joined.How == "" {
				for _, inv := range invites {
					if inv.WorksiteID == w.ID {
						rw.Joined = JoinedVia{How: "invitation", By: inv.InviterName, At: inv.DecidedAt}
						break
					}
				}
			}
		}
		out = append(out, rw)
	}
	return out, nil
}

// PersonRecord is a person's record as the CareConnect team sees it.
type PersonRecord struct {
	Account       *portal.Account
	Memberships   []*portal.Membership
	Requests      []*portal.AccessRequest // newest first
	Current       *portal.AccessRequest   // the request that holds their access, if any
	Actions       []portal.AccessAction   // what may be done to it now
	Prerequisites []*PrerequisiteStatus
	Sponsorships  []*portal.Sponsorship
	DecidedBy     map[portal.AccessRequestID]string // the deciding officers' names
	// Licence is what the daily licence check last recorded; nil when it
	// never checked this person.
	Licence *portal.LicenceStanding
}

// Person gathers a person's record for an officer, and records the view in
// the audit trail.
func (a *App) Person(ctx context.Context, meta portal.RequestMeta, staff *portal.Staff, id portal.AccountID) (*PersonRecord, error) {
	if err := requireOfficer(staff); err != nil {
		return nil, err
	}
	q := a.DB.Read()
	acct, err := q.FindAccountByID(ctx, id)
	if store.IsNotFound(err) {
		return nil, notFoundPerson
	}
	if err != nil {
		return nil, err
	}
	p := &PersonRecord{Account: acct, DecidedBy: map[portal.AccessRequestID]string{}}
	if p.Memberships, err = q.FindAccountMemberships(ctx, id); err != nil {
		return nil, err
	}
	if p.Requests, err = q.FindAccessRequestsByAccount(ctx, id); err != nil {
		return nil, err
	}
	if p.Prerequisites, err = a.prerequisiteStatuses(ctx, acct); err != nil {
		return nil, err
	}
	if p.Sponsorships, err = q.FindSponsorships(ctx, store.SponsorshipFilter{OBOAccountID: id}); err != nil {
		return nil, err
	}
	names, err := a.staffNames(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range p.Requests {
		p.DecidedBy[r.ID] = names.of(r.DecidedBy)
	}
	if p.Current = currentAccess(p.Requests); p.Current != nil {
		p.Actions = portal.AccessActionsFrom(p.Current.Status)
	}
	if p.Licence, err = q.FindLicenceStanding(ctx, id); err != nil && !store.IsNotFound(err) {
		return nil, err
	}
	if err := a.viewedPerson(ctx, meta, staff, id, "person", nil); err != nil {
		return nil, err
	}
	return p, nil
}

// PendingWorksite is a worksite waiting for the CareConnect team.
type PendingWorksite struct {
	Worksite   *portal.Worksite
	Registrant *portal.Account
}

// WorksiteQueue lists the worksites waiting for the CareConnect team,
// oldest first, with who registered them.
func (a *App) WorksiteQueue(ctx context.Context, staff *portal.Staff) ([]PendingWorksite, error) {
	if err := requireOfficer(staff); err != nil {
		return nil, err
	}
	ws, err := a.PendingWorksites(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]portal.AccountID, len(ws))
	for i, w := range ws {
		ids[i] = w.RegisteredBy
	}
	accts, err := a.DB.Read().FindAccountsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]PendingWorksite, len(ws))
	for i, w := range ws {
		out[i] = PendingWorksite{Worksite: w, Registrant: accts[w.RegisteredBy]}
	}
	return out, nil
}

// StaffDecideWorksite approves or declines a new worksite for an officer.
func (a *App) StaffDecideWorksite(ctx context.Context, meta portal.RequestMeta, staff *portal.Staff, code portal.WorksiteCode, approve bool, reason string) (*portal.Worksite, error) {
	if err := requireOfficer(staff); err != nil {
		return nil, err
	}
	return a.DecideWorksite(ctx, meta, staffRef(staff.ID), code, approve, strings.TrimSpace(reason))
}
