package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/mail"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// DefaultLicenceLookupTimeout bounds one question to a licence registry.
const DefaultLicenceLookupTimeout = 10 * time.Second

var licenceMeta = portal.RequestMeta{RequestID: "job:licence-check"}

// LapseSponsorLicence: the daily licence check suspended the sponsor's
// access (their licence lapsed or was suspended).
const LapseSponsorLicence = "sponsor_licence"

// enqueueTeam emails the CareConnect team's own address (the support
// address). Unlike emails to addresses people typed, it is not limited per
// day: a registry reporting many lapses at once must reach the team whole.
func (a *App) enqueueTeam(ctx context.Context, tx *store.Tx, kind string, data any) error {
	subject, text, html, err := a.Mail.Render(kind, data)
	if err != nil {
		return fmt.Errorf("app: render %s email: %w", kind, err)
	}
	return tx.EnqueueEmail(ctx, &portal.Email{MessageID: mail.NewMessageID(a.Config.MailDomain), Kind: kind,
		To: a.Config.SupportEmail, Subject: subject, Text: text, HTML: html, CreatedAt: a.now()})
}

// licenceCheck asks the person's college registry and turns the answer
// into the automatic check an officer sees beside a request. It changes
// nothing: an officer's look is not a recorded check.
func (a *App) licenceCheck(ctx context.Context, acct *portal.Account) portal.Check {
	lic, checked, err := a.lookupLicence(ctx, acct)
	if err != nil {
		a.Logger.Warn("licence registry unavailable", "account", acct.ID, "err", err)
	}
	return portal.LicenceCheck(acct, lic, checked, err, a.today())
}

func (a *App) lookupLicence(ctx context.Context, acct *portal.Account) (*portal.Licence, bool, error) {
	timeout := a.LicenceLookupTimeout
	if timeout <= 0 {
		timeout = DefaultLicenceLookupTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return a.Licences.Lookup(ctx, acct)
}

// LicenceRun counts what one run of the daily licence check did.
type LicenceRun struct {
	Checked     int // registries answered
	NotChecked  int // no registry for the college, or no registration number
	Unavailable int // the registry could not be asked: nothing changed
	Suspended   int // approved access suspended for a lapsed or suspended licence
	Restored    int // suspended people whose licence is active again (the team was told)
}

// RecheckLicences asks the registries about everyone holding approved or
// suspended access and records each answer. A lapsed or suspended licence
// suspends approved access, with the reason, in one transaction with its
// change-feed event, audit row and emails to the person and the team. A
// licence found active again for someone whose access is suspended is
// told to the team, who reinstate with one action. When a registry is
// unavailable nothing changes for that person.
func (a *App) RecheckLicences(ctx context.Context) (LicenceRun, error) {
	var run LicenceRun
	subjects, err := a.DB.Read().FindLicenceSubjects(ctx)
	if err != nil {
		return run, err
	}
	var errs []error
	for _, s := range subjects {
		if ctx.Err() != nil {
			return run, ctx.Err()
		}
		acct, err := a.DB.Read().FindAccountByID(ctx, s.AccountID)
		if err != nil {
			errs = append(errs, fmt.Errorf("account %d: %w", s.AccountID, err))
			continue
		}
		lic, checked, err := a.lookupLicence(ctx, acct)
		switch {
		case !checked:
			run.NotChecked++
			continue
		case err != nil:
			run.Unavailable++
			a.Logger.Warn("licence registry unavailable: nothing changed", "account", acct.ID, "err", err)
			continue
		}
		run.Checked++
		suspended, restored, err := a.recordLicence(ctx, acct, s, lic)
		if err != nil {
			errs = append(errs, fmt.Errorf("account %d: %w", s.AccountID, err))
			continue
		}
		if suspended {
			run.Suspended++
		}
		if restored {
			run.Restored++
		}
	}
	return run, errors.Join(errs...)
}

// recordLicence records a registry's answer about a person, and suspends
// their approved access when it says the licence is lapsed or suspended.
func (a *App) recordLicence(
	ctx context.Context,
	acct *portal.Account,
	s store.LicenceSubject,
	lic *portal.Licence,
) (suspended, restored bool, err error) {
	college, number, _ := portal.LicenceKey(acct)
	now := a.now()
	status := portal.LicenceNotFound
	if lic != nil {
		status = lic.StandingOn(a.today())
	}
	check := portal.LicenceCheck(acct, lic, true, nil, a.today())
	st := portal.LicenceStanding{
		AccountID: acct.ID,
		College:   college,
		Number:    number,
		Status:    status,
		Detail:    check.Text,
		CheckedAt: now,
	}
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		suspended, restored = false, false
		if _, err := tx.FindAccountByIDForUpdate(ctx, acct.ID); err != nil {
			return err
		}
		prev, err := tx.FindLicenceStanding(ctx, acct.ID)
		if err != nil && !store.IsNotFound(err) {
			return err
		}
		prevStatus := ""
		if prev != nil {
			prevStatus = prev.Status
		}
		if err := tx.RecordLicenceStanding(ctx, st); err != nil {
			return err
		}
		if prevStatus != status {
			if err := a.audit(ctx, tx, licenceMeta, auditEvent{actorKind: portal.ActorSystem, actorID: store.LicenceActor,
				action: "licence.recorded", subjectKind: "account", subjectID: accountRef(acct.ID),
				details: map[string]any{"college": college, "number": number, "status": status, "previous": prevStatus,
					"check": check.Text}}); err != nil {
				return err
			}
		}
		r, err := tx.FindAccessRequestByID(ctx, s.RequestID)
		if err != nil {
			return err
		}
		team := mail.LicenceTeam{
			Common: a.common("CareConnect team"),
			Person: fmt.Sprintf("%s (%s)", acct.DisplayName(), acct.QualifiedUsername()),
			College: portal.CollegeName(
				college,
			),
			Number:    number,
			Status:    strings.ToLower(portal.LicenceStatusLabel(status)),
			Detail:    check.Text,
			PersonURL: fmt.Sprintf("%s/staff/people/%d", a.Config.BaseURL, acct.ID),
		}
		switch {
		case portal.LicenceBlocksAccess(status) && r.Status == portal.ARApproved:
			reason := fmt.Sprintf("the %s reports licence %s as %s", portal.CollegeName(college), number, status)
			ok, err := tx.ChangeAccessRequest(
				ctx,
				store.AccessRequestChange{ID: r.ID, From: []string{portal.ARApproved},
					To: portal.ARSuspended, At: now, ActorKind: portal.ActorSystem, ActorID: store.LicenceActor,
					Note: "Access suspended: " + reason + "."},
			)
			if err != nil || !ok {
				return err
			}
			suspended = true
			if err := a.recordProvisioning(ctx, tx, acct.ID, ProvUserSuspended, map[string]any{
				"request": r.ID, "reason": "licence " + status, "college": college}); err != nil {
				return err
			}
			if err := a.audit(ctx, tx, licenceMeta, auditEvent{actorKind: portal.ActorSystem, actorID: store.LicenceActor,
				action: "licence.suspended", subjectKind: "access_request", subjectID: requestRef(r.ID),
				details: map[string]any{"account": acct.ID, "college": college, "number": number, "status": status,
					"check": check.Text}}); err != nil {
				return err
			}
			if err := a.lapseDependants(ctx, tx, licenceMeta, acct.ID, lapseCause{code: LapseSponsorLicence,
				dependants: acct.DisplayName() + "'s own CareConnect access was suspended because their licence is " + status + "."}); err != nil {
				return err
			}
			if err := a.enqueue(ctx, tx, "licence_suspended", acct.Email, acct.ID, mail.LicenceSuspended{
				Common: a.commonFor(acct.DisplayName(), r), College: portal.CollegeName(college), Number: number,
				Status: status, StatusURL: a.statusURL()}); err != nil {
				return err
			}
			return a.enqueueTeam(ctx, tx, "licence_team_suspended", team)
		case status == portal.LicenceActive && portal.LicenceBlocksAccess(prevStatus) && r.Status == portal.ARSuspended:
			restored = true
			return a.enqueueTeam(ctx, tx, "licence_team_restored", team)
		}
		return nil
	})
	return suspended, restored, err
}

// requireLicence refuses approved access to a person whose licence the
// registry last reported lapsed or suspended (InvProvisionedLicensed).
func (a *App) requireLicence(ctx context.Context, tx *store.Tx, acct *portal.Account, what string) error {
	st, err := tx.FindLicenceStanding(ctx, acct.ID)
	if store.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if !portal.LicenceBlocksAccess(st.Status) {
		return nil
	}
	return portal.Errorf(portal.ECONFLICT, "%s: the %s last reported %s's licence %s as %s (checked %s). "+
		"The daily licence check records it when the licence is restored.", what, portal.CollegeName(st.College),
		acct.DisplayName(), st.Number, st.Status, longTime(st.CheckedAt))
}

// licenceBlock says, for the person's own emails, why their licence keeps
// access from coming back ("the College of ... last reported your licence
// 12345 as lapsed"), or "" when it does not.
func (a *App) licenceBlock(ctx context.Context, tx *store.Tx, id portal.AccountID) (string, error) {
	st, err := tx.FindLicenceStanding(ctx, id)
	if store.IsNotFound(err) {
		return "", nil
	}
	if err != nil || !portal.LicenceBlocksAccess(st.Status) {
		return "", err
	}
	return fmt.Sprintf("the %s last reported your licence %s as %s", portal.CollegeName(st.College), st.Number,
		st.Status), nil
}
