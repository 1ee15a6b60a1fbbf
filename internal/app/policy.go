package app

import (
	"context"
	"fmt"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// CheckInvariants checks every invariant of the access policy
// (portal.Invariants) against the database, the whole audit chain
// included, and returns the violations found.
func (a *App) CheckInvariants(ctx context.Context) ([]portal.Violation, error) {
	_, vs, err := a.NewPolicyCheck().Run(ctx)
	return vs, err
}

// PolicyCheck checks the access policy again and again, as the metrics job
// and the randomized test do. Its first run verifies the whole audit chain;
// each later run verifies only the rows added since, and remembers the
// breaks already found, so that a run costs what changed in the trail and
// not its length. (An old row edited after it was verified is found by the
// next full check: `portal check`, or a new PolicyCheck.) It is not safe
// for concurrent use.
type PolicyCheck struct {
	app    *App
	seq    int64  // the last audit row verified
	hash   string // its hash
	rows   int64  // rows verified so far
	breaks []portal.ChainBreak
}

// NewPolicyCheck returns a check that has verified nothing yet.
func (a *App) NewPolicyCheck() *PolicyCheck { return &PolicyCheck{app: a} }

// auditBatch is how many audit rows are verified per query.
const auditBatch = 5000

// Run reads a policy snapshot, verifies the audit rows added since the
// last run, and returns the snapshot with the violations of every
// invariant.
func (c *PolicyCheck) Run(ctx context.Context) (*portal.PolicySnapshot, []portal.Violation, error) {
	now := c.app.now()
	s, err := c.app.DB.LoadPolicySnapshot(ctx, now, now.In(portal.Pacific()).Format(time.DateOnly))
	if err != nil {
		return nil, nil, err
	}
	if err := c.app.fillDormancy(ctx, s); err != nil {
		return nil, nil, err
	}
	end, err := c.verifyAudit(ctx)
	if err != nil {
		return nil, nil, err
	}
	s.AuditRows = c.rows
	s.AuditBreaks = append(append([]portal.ChainBreak(nil), c.breaks...), end...)
	return s, portal.CheckPolicy(s), nil
}

// verifyAudit verifies the rows up to the trail's head as read first, so
// that rows appended meanwhile wait for the next run instead of looking
// like a mismatch with the head. It returns the break at the end of the
// trail, if any: rows deleted from the end, or a head that does not match
// the last row. That one is worked out afresh on every run.
func (c *PolicyCheck) verifyAudit(ctx context.Context) ([]portal.ChainBreak, error) {
	q := c.app.DB.Read()
	headSeq, headHash, err := q.AuditHead(ctx)
	if err != nil {
		return nil, fmt.Errorf("app: read the audit head: %w", err)
	}
	for c.seq < headSeq {
		batch, err := q.FindAuditEvents(ctx, store.AuditFilter{AfterSeq: c.seq, Limit: auditBatch})
		if err != nil {
			return nil, err
		}
		for len(batch) > 0 && batch[len(batch)-1].Seq > headSeq {
			batch = batch[:len(batch)-1]
		}
		if len(batch) == 0 {
			break
		}
		c.breaks = append(c.breaks, portal.VerifyChain(c.seq, c.hash, batch)...)
		c.rows += int64(len(batch))
		last := batch[len(batch)-1]
		c.seq, c.hash = last.Seq, last.Hash
	}
	switch {
	case c.seq < headSeq:
		return []portal.ChainBreak{{Seq: headSeq, Reason: fmt.Sprintf(
			"the trail ends at row %d but its head records row %d: rows were deleted from the end",
			c.seq,
			headSeq,
		)}}, nil
	case c.seq > headSeq:
		return []portal.ChainBreak{{Seq: headSeq, Reason: fmt.Sprintf(
			"the head records row %d but row %d was verified before: the head was moved back", headSeq, c.seq)}}, nil
	case c.seq == headSeq && c.hash != headHash:
		return []portal.ChainBreak{{Seq: headSeq, Reason: "the head's hash does not match the last row's"}}, nil
	}
	return nil, nil
}
