package portal

import (
	"crypto/ed25519"
	"crypto/hmac"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// AuditHead is the chain's head as stored: the last row's sequence number
// and hash, with the head's MAC when it was moved by a keyed writer.
type AuditHead struct {
	Seq   int64
	Hash  string
	KeyID string
	MAC   string
}

// AuditVerifyOptions is what a verification checks beyond the hashes.
type AuditVerifyOptions struct {
	Keys          []*AuditKey       // audit keys (the current one and any older); none: MACs are counted, not checked
	Checkpoints   []AuditCheckpoint // checkpoints kept outside the database
	CheckpointKey ed25519.PublicKey // verifies the checkpoints' signatures
}

// AuditReport is what verifying the whole trail found.
type AuditReport struct {
	Rows           int64 // rows read
	Keyed          int64 // rows whose MAC verified
	Unkeyed        int64 // rows written before any key was configured
	KeyedUnchecked int64 // keyed rows not checked: no key was given
	Checkpoints    int   // checkpoints that hold
	Empty          bool  // the trail has no rows and its head records none
	Breaks         []ChainBreak
}

// ChainVerifier verifies a trail batch by batch, in sequence order: the
// hash chain, the MACs of keyed rows and the checkpoints.
type ChainVerifier struct {
	keys     map[string]*AuditKey
	bySeq    map[int64][]*AuditCheckpoint
	held     map[*AuditCheckpoint]bool
	prevSeq  int64
	prevHash string
	keyed    bool // a keyed row was seen: every row after it must be keyed
	report   AuditReport
}

// NewChainVerifier starts a verification. Checkpoints whose signature
// does not verify are breaks, and are not used.
func NewChainVerifier(opts AuditVerifyOptions) *ChainVerifier {
	v := &ChainVerifier{keys: map[string]*AuditKey{}, bySeq: map[int64][]*AuditCheckpoint{},
		held: map[*AuditCheckpoint]bool{}}
	for _, k := range opts.Keys {
		v.keys[k.ID] = k
	}
	for i := range opts.Checkpoints {
		c := &opts.Checkpoints[i]
		if opts.CheckpointKey == nil || !c.Verify(opts.CheckpointKey) {
			v.report.Breaks = append(v.report.Breaks, ChainBreak{Seq: c.Seq, Reason: fmt.Sprintf(
				"the checkpoint on line %d does not verify with the checkpoint public key: it was not signed by that key, or was altered",
				c.Line,
			)})
			continue
		}
		if c.Seq == 0 && c.Hash == "" {
			v.held[c] = true // the empty trail: nothing to hold
			continue
		}
		v.bySeq[c.Seq] = append(v.bySeq[c.Seq], c)
		v.held[c] = false
	}
	return v
}

func checkpointName(c *AuditCheckpoint) string {
	return fmt.Sprintf("the checkpoint of %s (line %d)", c.Time.UTC().Format(time.RFC3339), c.Line)
}

// Add checks the next events, which follow those already added.
func (v *ChainVerifier) Add(events []AuditEvent) {
	for i := range events {
		e := &events[i]
		var reasons []string
		for _, b := range VerifyChain(v.prevSeq, v.prevHash, events[i:i+1]) {
			reasons = append(reasons, b.Reason)
		}
		switch {
		case e.KeyID == "" && e.MAC == "":
			if v.keyed {
				reasons = append(reasons, "carries no MAC though the rows before it are keyed: its MAC was removed")
			} else {
				v.report.Unkeyed++
			}
		default:
			v.keyed = true
			k := v.keys[e.KeyID]
			switch {
			case k != nil && hmac.Equal([]byte(k.RowMAC(e)), []byte(e.MAC)):
				v.report.Keyed++
			case k != nil:
				reasons = append(reasons,
					"MAC does not match: the row, or the chain up to it, was rewritten without the audit key")
			case len(v.keys) == 0:
				v.report.KeyedUnchecked++
			default:
				reasons = append(reasons, fmt.Sprintf("keyed with audit key %q, which was not given", e.KeyID))
			}
		}
		for _, c := range v.bySeq[e.Seq] {
			v.held[c] = true
			if c.Hash != e.Hash {
				v.held[c] = false
				reasons = append(reasons, "hash differs from "+checkpointName(c)+": the chain was rewritten up to here")
			}
		}
		if len(reasons) > 0 {
			v.report.Breaks = append(v.report.Breaks, ChainBreak{Seq: e.Seq, Reason: strings.Join(reasons, "; ")})
		}
		v.report.Rows++
		v.prevSeq, v.prevHash = e.Seq, e.Hash
	}
}

// Finish checks the head (nil when its row is missing) against the last
// row and the checkpoints against the whole trail, and returns the report.
func (v *ChainVerifier) Finish(head *AuditHead) AuditReport {
	r := &v.report
	switch {
	case head == nil:
		r.Breaks = append(r.Breaks, ChainBreak{Reason: "the trail's head (the one row of audit_head) is missing"})
	case head.Seq != v.prevSeq || head.Hash != v.prevHash:
		reason := fmt.Sprintf(
			"the trail ends at row %d but its head records row %d: rows were deleted from the end",
			v.prevSeq,
			head.Seq,
		)
		if r.Rows == 0 {
			reason = fmt.Sprintf("the trail has no rows but its head records row %d: every row was deleted", head.Seq)
		}
		r.Breaks = append(r.Breaks, ChainBreak{Seq: head.Seq, Reason: reason})
	case r.Rows == 0:
		r.Empty = true
	}
	if head != nil {
		k := v.keys[head.KeyID]
		switch {
		case head.KeyID == "" && head.MAC == "":
			if v.keyed {
				r.Breaks = append(r.Breaks,
					ChainBreak{Seq: head.Seq,
						Reason: "the head carries no MAC though the rows are keyed: it was rewritten without the audit key"})
			}
		case k != nil:
			if !hmac.Equal([]byte(k.HeadMAC(head.Seq, head.Hash)), []byte(head.MAC)) {
				r.Breaks = append(r.Breaks,
					ChainBreak{Seq: head.Seq,
						Reason: "the head's MAC does not match: the head was moved without the audit key (rows deleted from the end?)"})
			}
		case len(v.keys) > 0:
			r.Breaks = append(r.Breaks,
				ChainBreak{Seq: head.Seq,
					Reason: fmt.Sprintf("the head is keyed with audit key %q, which was not given", head.KeyID)})
		}
	}
	for _, seq := range slices.Sorted(maps.Keys(v.bySeq)) {
		for _, c := range v.bySeq[seq] {
			switch {
			case v.held[c]:
			case seq > v.prevSeq:
				r.Breaks = append(r.Breaks, ChainBreak{Seq: seq, Reason: fmt.Sprintf(
					"%s records row %d, but the trail ends at row %d: rows were deleted from the end and the head moved back",
					checkpointName(c),
					seq,
					v.prevSeq,
				)})
			default:
				found := false
				for _, b := range r.Breaks {
					found = found || (b.Seq == seq && strings.Contains(b.Reason, checkpointName(c)))
				}
				if !found {
					r.Breaks = append(r.Breaks,
						ChainBreak{Seq: seq,
							Reason: fmt.Sprintf("row %d, recorded by %s, is missing", seq, checkpointName(c))})
				}
			}
		}
	}
	for _, ok := range v.held {
		if ok {
			r.Checkpoints++
		}
	}
	return *r
}
