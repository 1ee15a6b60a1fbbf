package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
)

const accessRequestColumns = `r.id, r.account_id, r.status, r.user_type, r.profession, r.first_name,
	r.last_name, r.job, r.college_id,
	r.attest_correct, r.attest_direct_care, r.attest_annual_review, r.reason_job_duties, r.reason_patient_care,
	r.allowed_scopes, r.granted_scopes, r.claimed_by, r.claimed_at, r.decided_by, r.decided_at, r.decision_code,
	r.decision_text, r.info_question, r.info_answer, r.review_due_at, r.reminders_sent, r.created_at,
		r.updated_at, r.reference`

// joinScopes stores a scope list as a comma-separated string.
func joinScopes(s []portal.DataScope) string {
	parts := make([]string, len(s))
	for i, x := range s {
		parts[i] = string(x)
	}
	return strings.Join(parts, ",")
}

func splitScopes(s string) []portal.DataScope {
	if s == "" {
		return nil
	}
	var out []portal.DataScope
	for _, p := range strings.Split(s, ",") {
		out = append(out, portal.DataScope(p))
	}
	return out
}

func scanAccessRequest(r rowScanner) (*portal.AccessRequest, error) {
	var a portal.AccessRequest
	var ut, prof, allowed, granted string
	var claimed, decided, due, created, updated int64
	if err := r.Scan(&a.ID, &a.AccountID, &a.Status, &ut, &prof, &a.FirstName, &a.LastName, &a.Job, &a.CollegeID,
		&a.AttestCorrect, &a.AttestDirectCare, &a.AttestAnnualReview, &a.ReasonJobDuties, &a.ReasonPatientCare,
		&allowed, &granted, &a.ClaimedBy, &claimed, &a.DecidedBy, &decided, &a.DecisionCode, &a.DecisionText,
		&a.InfoQuestion, &a.InfoAnswer, &due, &a.RemindersSent, &created, &updated, &a.Reference); err != nil {
		return nil, mapError(err)
	}
	a.UserType, a.Profession = portal.UserType(ut), portal.Profession(prof)
	a.AllowedScopes, a.GrantedScopes = splitScopes(allowed), splitScopes(granted)
	a.ClaimedAt, a.DecidedAt, a.ReviewDueAt = fromMS(claimed), fromMS(decided), fromMS(due)
	a.CreatedAt, a.UpdatedAt = fromMS(created), fromMS(updated)
	return &a, nil
}

func openKey(id portal.AccountID) string { return fmt.Sprintf("open:%d", id) }

// CreateAccessRequest inserts a submitted request with its clinics and
// sponsorships. A second open request for the same person gives a
// *ConflictError on access_requests_open_key.
func (tx *Tx) CreateAccessRequest(ctx context.Context, a *portal.AccessRequest) error {
	id, err := tx.Insert(
		ctx,
		`INSERT INTO access_requests (account_id, status, user_type, profession, first_name, last_name, job,
		college_id, attest_correct, attest_direct_care, attest_annual_review, reason_job_duties, reason_patient_care,
		allowed_scopes, created_at, updated_at, open_key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		int64(
			a.AccountID,
		),
		a.Status,
		string(a.UserType),
		string(a.Profession),
		a.FirstName,
		a.LastName,
		a.Job,
		a.CollegeID,
		a.AttestCorrect,
		a.AttestDirectCare,
		a.AttestAnnualReview,
		a.ReasonJobDuties,
		a.ReasonPatientCare,
		joinScopes(a.AllowedScopes),
		ms(a.CreatedAt),
		ms(a.UpdatedAt),
		openKey(a.AccountID),
	)
	if err != nil {
		return err
	}
	a.ID = portal.AccessRequestID(id)
	a.Reference = portal.ReferenceNumber(a.ID, a.CreatedAt)
	if _, err := tx.Exec(ctx, "UPDATE access_requests SET reference = ? WHERE id = ?", a.Reference, id); err != nil {
		return err
	}
	for _, w := range a.WorksiteIDs {
		if _, err := tx.Exec(ctx, "INSERT INTO access_request_worksites (request_id, worksite_id) VALUES (?, ?)",
			id, int64(w)); err != nil {
			return err
		}
	}
	for _, s := range a.SponsorshipIDs {
		if _, err := tx.Exec(ctx, "INSERT INTO access_request_sponsors (request_id, sponsorship_id) VALUES (?, ?)",
			id, int64(s)); err != nil {
			return err
		}
	}
	return nil
}

func (q Q) loadRequestLinks(ctx context.Context, a *portal.AccessRequest) error {
	ws, err := q.ids(ctx,
		"SELECT worksite_id FROM access_request_worksites WHERE request_id = ? ORDER BY worksite_id", int64(a.ID))
	if err != nil {
		return err
	}
	for _, id := range ws {
		a.WorksiteIDs = append(a.WorksiteIDs, portal.WorksiteID(id))
	}
	sps, err := q.ids(ctx,
		"SELECT sponsorship_id FROM access_request_sponsors WHERE request_id = ? ORDER BY sponsorship_id", int64(a.ID))
	if err != nil {
		return err
	}
	for _, id := range sps {
		a.SponsorshipIDs = append(a.SponsorshipIDs, portal.SponsorshipID(id))
	}
	return nil
}

// FindAccessRequestByID returns a request with its clinics and sponsorships.
func (q Q) FindAccessRequestByID(ctx context.Context, id portal.AccessRequestID) (*portal.AccessRequest, error) {
	a, err := scanAccessRequest(q.QueryRow(ctx,
		"SELECT "+accessRequestColumns+" FROM access_requests r WHERE r.id = ?", int64(id)))
	if err != nil {
		return nil, err
	}
	return a, q.loadRequestLinks(ctx, a)
}

// FindLatestAccessRequest returns a person's most recent request.
func (q Q) FindLatestAccessRequest(ctx context.Context, account portal.AccountID) (*portal.AccessRequest, error) {
	a, err := scanAccessRequest(q.QueryRow(ctx, "SELECT "+accessRequestColumns+
		" FROM access_requests r WHERE r.account_id = ? ORDER BY r.created_at DESC, r.id DESC LIMIT 1", int64(account)))
	if err != nil {
		return nil, err
	}
	return a, q.loadRequestLinks(ctx, a)
}

// AccessRequestChange moves a request from one status to another, only if
// it is still in the expected status (so two officers never both decide).
type AccessRequestChange struct {
	ID           portal.AccessRequestID
	From         []string
	To           string
	At           time.Time
	ActorKind    string
	ActorID      string
	Note         string
	Set          map[string]any // extra columns to set
	KeepOpen     bool           // the request stays open (no final decision)
	RequireClaim string         // when set, the request must be claimed by this officer
}

// ChangeAccessRequest applies a change and records it in the request's
// history; it reports false when the request was not in an expected status.
func (tx *Tx) ChangeAccessRequest(ctx context.Context, c AccessRequestChange) (bool, error) {
	sets := []string{"status = ?", "updated_at = ?"}
	args := []any{c.To, ms(c.At)}
	if !c.KeepOpen {
		sets = append(sets, "open_key = NULL")
	}
	keys := make([]string, 0, len(c.Set))
	for k := range c.Set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		sets = append(sets, k+" = ?")
		args = append(args, c.Set[k])
	}
	where := " WHERE id = ? AND status IN (" + strings.TrimSuffix(strings.Repeat("?,", len(c.From)), ",") + ")"
	args = append(args, int64(c.ID))
	for _, f := range c.From {
		args = append(args, f)
	}
	if c.RequireClaim != "" {
		where += " AND claimed_by = ?"
		args = append(args, c.RequireClaim)
	}
	var from string
	if err := tx.QueryRow(ctx, "SELECT status FROM access_requests WHERE id = ?"+tx.forUpdate(),
		int64(c.ID)).Scan(&from); err != nil {
		return false, mapError(err)
	}
	res, err := tx.Exec(ctx, "UPDATE access_requests SET "+strings.Join(sets, ", ")+where, args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return false, err
	}
	_, err = tx.Exec(ctx,
		`INSERT INTO access_request_events (request_id, occurred_at, actor_kind, actor_id, from_status, to_status, note)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, int64(c.ID), ms(c.At), c.ActorKind, c.ActorID, from, c.To, c.Note)
	return err == nil, err
}

// AddAccessRequestEvent records a step that does not change the status (a submission, a claim).
func (tx *Tx) AddAccessRequestEvent(ctx context.Context, id portal.AccessRequestID, e portal.AccessRequestEvent) error {
	_, err := tx.Exec(ctx,
		`INSERT INTO access_request_events (request_id, occurred_at, actor_kind, actor_id, from_status, to_status, note)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, int64(id), ms(e.At), e.ActorKind, e.ActorID, e.FromStatus, e.ToStatus, e.Note)
	return err
}

// FindAccessRequestEvents returns a request's history, oldest first.
func (q Q) FindAccessRequestEvents(ctx context.Context,
	id portal.AccessRequestID) ([]portal.AccessRequestEvent, error) {
	rows, err := q.Query(ctx, "SELECT "+eventColumns+eventFrom+" WHERE e.request_id = ? ORDER BY e.id", int64(id))
	if err != nil {
		return nil, err
	}
	return collect(rows, scanEvent)
}

// eventColumns and eventFrom read a request's history with the names of
// the people who acted (scanEvent).
const eventColumns = `e.occurred_at, e.actor_kind, e.actor_id, e.from_status, e.to_status, e.note,
	COALESCE(a.preferred_first_name, ''), COALESCE(a.given_names, ''),
		COALESCE(a.preferred_last_name, ''), COALESCE(a.surname, '')`

const eventFrom = ` FROM access_request_events e
	LEFT JOIN accounts a ON e.actor_kind = 'account' AND CAST(a.id AS TEXT) = e.actor_id`

func scanEvent(r rowScanner) (portal.AccessRequestEvent, error) {
	var e portal.AccessRequestEvent
	var at int64
	var pf, given, pl, surname string
	if err := r.Scan(&at, &e.ActorKind, &e.ActorID, &e.FromStatus, &e.ToStatus, &e.Note, &pf, &given,
		&pl, &surname); err != nil {
		return e, err
	}
	e.At = fromMS(at)
	e.ActorName = displayName(pf, given, pl, surname)
	if e.ActorName == "" {
		e.ActorName = e.ActorID
	}
	return e, nil
}
