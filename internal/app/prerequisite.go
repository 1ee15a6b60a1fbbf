package app

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// PrerequisiteStatus is where a person stands with one prerequisite.
type PrerequisiteStatus struct {
	Prerequisite portal.Prerequisite
	Version      string             // the version in force
	Required     bool               // the person's profession must complete it
	Done         bool               // the version in force is completed
	Outdated     bool               // only an earlier version is completed
	Current      *portal.Completion // the latest completion of the version in force, if any
	Latest       *portal.Completion // the latest completion of any version, if any
}

// prerequisiteStatus works out the status from an account's completions,
// newest first.
func prerequisiteStatus(
	acct *portal.Account,
	p portal.Prerequisite,
	completions []*portal.Completion,
) *PrerequisiteStatus {
	st := &PrerequisiteStatus{Prerequisite: p, Version: p.Version(), Required: slices.Contains(acct.Prerequisites(), p)}
	kind := store.CompletionKind(p)
	for _, c := range completions {
		if c.Kind != kind {
			continue
		}
		if st.Latest == nil {
			st.Latest = c
		}
		if c.Version == st.Version && st.Current == nil {
			st.Current = c
		}
	}
	st.Done = st.Current != nil
	st.Outdated = !st.Done && st.Latest != nil
	return st
}

func (a *App) prerequisiteStatus(
	ctx context.Context,
	q store.Q,
	acct *portal.Account,
	p portal.Prerequisite,
) (*PrerequisiteStatus, error) {
	cs, err := q.FindCompletions(ctx, acct.ID)
	if err != nil {
		return nil, err
	}
	return prerequisiteStatus(acct, p, cs), nil
}

// TrainingStatus tells whether the person has completed the Privacy &
// Security training in its current version, or only an earlier one.
func (a *App) TrainingStatus(ctx context.Context, acct *portal.Account) (*PrerequisiteStatus, error) {
	return a.prerequisiteStatus(ctx, a.DB.Read(), acct, portal.PrereqTraining)
}

// HPCAAStatus tells whether the person has signed the current version of
// the Health Practitioner CareConnect Access Agreement, or only an earlier one.
func (a *App) HPCAAStatus(ctx context.Context, acct *portal.Account) (*PrerequisiteStatus, error) {
	return a.prerequisiteStatus(ctx, a.DB.Read(), acct, portal.PrereqHPCAA)
}

// PrerequisiteStanding reports both prerequisites at once, as
// portal.Standing holds them. Done means the version in force is
// completed; outdated means only an earlier version is.
func (a *App) PrerequisiteStanding(
	ctx context.Context,
	acct *portal.Account,
) (trainingDone, trainingOutdated, hpcaaDone, hpcaaOutdated bool, err error) {
	cs, err := a.DB.Read().FindCompletions(ctx, acct.ID)
	if err != nil {
		return false, false, false, false, err
	}
	tr := prerequisiteStatus(acct, portal.PrereqTraining, cs)
	ag := prerequisiteStatus(acct, portal.PrereqHPCAA, cs)
	return tr.Done, tr.Outdated, ag.Done, ag.Outdated, nil
}

// Completions lists every prerequisite completion of an account, newest first.
func (a *App) Completions(ctx context.Context, id portal.AccountID) ([]*portal.Completion, error) {
	return a.DB.Read().FindCompletions(ctx, id)
}

// QuizResult is a graded quiz.
type QuizResult struct {
	Score      int      // percent, rounded down
	PassMark   int      // percent needed to pass
	Passed     bool     // every question answered and the score at least the pass mark
	Wrong      []string // question IDs not answered correctly (wrong or unanswered), in quiz order
	Unanswered []string // the unanswered ones among them
	Completion *portal.Completion
}

// gradeQuiz scores the answers and lists what was missed.
func gradeQuiz(answers map[string]int) *QuizResult {
	score, passed, missing := portal.GradeQuiz(answers)
	r := &QuizResult{Score: score, PassMark: portal.TrainingPassMark, Passed: passed, Unanswered: missing}
	for _, q := range portal.TrainingQuiz {
		if a, ok := answers[q.ID]; !ok || a != q.Answer {
			r.Wrong = append(r.Wrong, q.ID)
		}
	}
	return r
}

// SubmitQuiz grades the training quiz. A pass records the training as
// completed, with its version and score; a fail records nothing but the
// attempt in the audit trail, and the result says what was missed.
func (a *App) SubmitQuiz(
	ctx context.Context,
	meta portal.RequestMeta,
	actor *portal.Account,
	answers map[string]int,
) (*QuizResult, error) {
	r := gradeQuiz(answers)
	now := a.now()
	err := a.DB.InTx(ctx, func(tx *store.Tx) error {
		ev := auditEvent{
			actorKind:   portal.ActorAccount,
			actorID:     accountRef(actor.ID),
			subjectKind: "account",
			subjectID:   accountRef(actor.ID),
		}
		if !r.Passed {
			ev.action = "prerequisite.training_failed"
			ev.details = map[string]any{
				"version":   portal.TrainingVersion,
				"score":     r.Score,
				"pass_mark": r.PassMark,
				"missed":    r.Wrong,
			}
			return a.audit(ctx, tx, meta, ev)
		}
		c := &portal.Completion{AccountID: actor.ID, Kind: store.CompletionTraining, Version: portal.TrainingVersion,
			CompletedAt: now, Score: r.Score, Source: portal.CompletionSourcePortal}
		if err := tx.RecordCompletion(ctx, c); err != nil {
			return err
		}
		r.Completion = c
		ev.action = "prerequisite.training_completed"
		ev.details = map[string]any{"version": c.Version, "score": c.Score, "source": c.Source}
		return a.audit(ctx, tx, meta, ev)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// SignHPCAA records the person's signature of the current Health
// Practitioner CareConnect Access Agreement. Only people whose profession
// signs it may; the typed name must match the legal name on the card; the
// same version is signed once.
func (a *App) SignHPCAA(
	ctx context.Context,
	meta portal.RequestMeta,
	actor *portal.Account,
	sig portal.HPCAASignature,
) (*portal.Completion, error) {
	if !slices.Contains(actor.Prerequisites(), portal.PrereqHPCAA) {
		return nil, portal.Errorf(
			portal.EFORBIDDEN,
			"People registered as %s do not sign the %s.",
			actor.ProfessionLabel(),
			portal.HPCAATitle,
		)
	}
	conflict := func(c *portal.Completion) error {
		return portal.Errorf(portal.ECONFLICT, "You already signed version %s of the %s on %s.",
			c.Version, portal.HPCAATitle, c.CompletedAt.In(portal.Pacific()).Format("2 Jan 2006"))
	}
	st, err := a.HPCAAStatus(ctx, actor)
	if err != nil {
		return nil, err
	}
	if st.Done {
		return nil, conflict(st.Current)
	}
	if err := sig.Validate(actor.LegalName()).Err(); err != nil {
		return nil, err
	}
	c := &portal.Completion{AccountID: actor.ID, Kind: store.CompletionHPCAA, Version: portal.HPCAAVersion,
		CompletedAt: a.now(), Source: portal.CompletionSourcePortal, SignedName: strings.Join(strings.Fields(sig.FullName), " ")}
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		// Lock the person so that two signings at once cannot both pass the check.
		if _, err := tx.FindAccountByIDForUpdate(ctx, actor.ID); err != nil {
			return err
		}
		st, err := a.prerequisiteStatus(ctx, tx.Q, actor, portal.PrereqHPCAA)
		if err != nil {
			return err
		}
		if st.Done {
			return conflict(st.Current)
		}
		if err := tx.RecordCompletion(ctx, c); err != nil {
			return err
		}
		return a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(actor.ID),
			action: "prerequisite.hpcaa_signed", subjectKind: "account", subjectID: accountRef(actor.ID),
			details: map[string]string{"version": c.Version, "typed_name": c.SignedName}})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// ExternalTraining is what RecordExternalTraining did: either it credited
// the account using the address, or, while that account has not confirmed
// the address, it kept the completion pending until the owner confirms it.
type ExternalTraining struct {
	Account    *portal.Account               // the account using the address
	Completion *portal.Completion            // the credited completion; nil while pending
	Pending    *portal.PendingTrainingCredit // the completion waiting for the address; nil once credited
}

// RecordExternalTraining records, for the CareConnect team, that the person
// using accountEmail completed the Privacy & Security training outside the
// portal on completedOn (YYYY-MM-DD, B.C. date). staffName is who records it.
// Only an account that confirmed the address is credited: for an address
// not confirmed yet the completion waits, and is credited to whoever shows
// they own the address by confirming it.
func (a *App) RecordExternalTraining(
	ctx context.Context,
	meta portal.RequestMeta,
	staffName, accountEmail, completedOn string,
) (*ExternalTraining, error) {
	staffName = strings.TrimSpace(staffName)
	switch {
	case staffName == "":
		return nil, portal.Errorf(portal.EINVALID, "Say who is recording the training.")
	case utf8.RuneCountInString(staffName) > 100:
		return nil, portal.Errorf(
			portal.EINVALID,
			"The name of the person recording the training must be 100 characters or fewer.",
		)
	}
	day, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(completedOn), portal.Pacific())
	if err != nil {
		return nil, portal.Errorf(
			portal.EINVALID,
			"Give the date the training was completed as YYYY-MM-DD, for example 2026-03-15.",
		)
	}
	now := a.now()
	if day.After(now) {
		return nil, portal.Errorf(
			portal.EINVALID,
			"The date the training was completed, %s, is in the future.",
			day.Format("2006-01-02"),
		)
	}
	email := strings.TrimSpace(accountEmail)
	acct, err := a.DB.Read().FindAccountByEmail(ctx, email)
	if store.IsNotFound(err) {
		return nil, portal.Errorf(portal.ENOTFOUND, "No HxBC account uses the email address %s.", email)
	}
	if err != nil {
		return nil, err
	}
	out := &ExternalTraining{Account: acct}
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		locked, err := tx.FindAccountByIDForUpdate(ctx, acct.ID)
		if err != nil {
			return err
		}
		if !locked.HasConfirmedEmail(email) {
			return a.keepTrainingPending(ctx, tx, meta, staffName, locked, day, out)
		}
		st, err := a.prerequisiteStatus(ctx, tx.Q, acct, portal.PrereqTraining)
		if err != nil {
			return err
		}
		if st.Done {
			return portal.Errorf(portal.ECONFLICT, "%s already completed version %s of the training on %s.",
				acct.LegalName(), st.Current.Version, st.Current.CompletedAt.In(portal.Pacific()).Format("2006-01-02"))
		}
		c := &portal.Completion{AccountID: acct.ID, Kind: store.CompletionTraining, Version: portal.TrainingVersion,
			CompletedAt: day.UTC(), Source: portal.CompletionSourceExternal, RecordedBy: staffName, CreditedVia: portal.GrantViaConfirmedAddress}
		if err := tx.RecordCompletion(ctx, c); err != nil {
			return err
		}
		out.Completion = c
		return a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorStaff, actorID: staffName,
			action: "prerequisite.training_recorded", subjectKind: "account", subjectID: accountRef(acct.ID),
			details: map[string]string{
				"version":      c.Version,
				"source":       c.Source,
				"completed_on": day.Format("2006-01-02"),
			}})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// keepTrainingPending records an external completion for an address whose
// account has not confirmed it: nobody is credited until the owner does.
func (a *App) keepTrainingPending(
	ctx context.Context,
	tx *store.Tx,
	meta portal.RequestMeta,
	staffName string,
	acct *portal.Account,
	day time.Time,
	out *ExternalTraining,
) error {
	waiting, err := tx.FindPendingTrainingCredits(ctx, acct.Email)
	if err != nil {
		return err
	}
	for _, p := range waiting {
		if p.Version == portal.TrainingVersion {
			return portal.Errorf(
				portal.ECONFLICT,
				"A completion of version %s of the training, recorded by %s, is already waiting for %s to be confirmed.",
				p.Version,
				p.RecordedBy,
				acct.Email,
			)
		}
	}
	p := &portal.PendingTrainingCredit{Email: acct.Email, Version: portal.TrainingVersion, CompletedAt: day.UTC(),
		RecordedBy: staffName, CreatedAt: a.now()}
	if err := tx.CreatePendingTrainingCredit(ctx, p); err != nil {
		return err
	}
	out.Pending = p
	return a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorStaff, actorID: staffName,
		action: "prerequisite.training_pending", subjectKind: "pending_training", subjectID: strconv.FormatInt(p.ID, 10),
		details: map[string]string{"email": acct.Email, "version": p.Version, "completed_on": day.Format("2006-01-02"),
			"reason": "the address is not confirmed by its account"}})
}

// creditPendingTraining credits acct, whose owner has just confirmed its
// address, with the external completions recorded for that address.
func (a *App) creditPendingTraining(
	ctx context.Context,
	tx *store.Tx,
	meta portal.RequestMeta,
	acct *portal.Account,
) error {
	waiting, err := tx.FindPendingTrainingCredits(ctx, acct.Email)
	if err != nil || len(waiting) == 0 {
		return err
	}
	completions, err := tx.FindCompletions(ctx, acct.ID)
	if err != nil {
		return err
	}
	for _, p := range waiting {
		ok, err := tx.CreditPendingTraining(ctx, p.ID, acct.ID, a.now())
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		details := map[string]string{
			"version":     p.Version,
			"source":      portal.CompletionSourceExternal,
			"recorded_by": p.RecordedBy,
			"completed_on": p.CompletedAt.In(portal.Pacific()).
				Format("2006-01-02"),
			"pending": strconv.FormatInt(p.ID, 10),
		}
		if hasCompletion(completions, store.CompletionTraining, p.Version) {
			details["already_completed"] = "true"
		} else {
			c := &portal.Completion{AccountID: acct.ID, Kind: store.CompletionTraining, Version: p.Version,
				CompletedAt: p.CompletedAt, Source: portal.CompletionSourceExternal, RecordedBy: p.RecordedBy, CreditedVia: portal.GrantViaConfirmedAddress}
			if err := tx.RecordCompletion(ctx, c); err != nil {
				return err
			}
			completions = append(completions, c)
		}
		if err := a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorAccount, actorID: accountRef(acct.ID),
			action: "prerequisite.training_credited", subjectKind: "account", subjectID: accountRef(acct.ID), details: details}); err != nil {
			return err
		}
	}
	return nil
}

func hasCompletion(cs []*portal.Completion, kind, version string) bool {
	for _, c := range cs {
		if c.Kind == kind && c.Version == version {
			return true
		}
	}
	return false
}
