package portal

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// AuditEvent is one row of the append-only audit trail. Each row's Hash
// covers its content and the previous row's hash, so an edited or deleted
// row breaks the chain.
type AuditEvent struct {
	Seq         int64
	At          time.Time
	ActorKind   string // "account", "staff", "system", "anonymous", "client"
	ActorID     string
	Action      string // e.g. "account.registered"
	SubjectKind string // e.g. "account", "worksite"
	SubjectID   string
	WorksiteID  int64 // 0 when none
	IP          string
	UserAgent   string
	RequestID   string
	Details     string // JSON object of what changed
	PrevHash    string
	Hash        string
	KeyID       string // the audit key that keyed the row; "" for a row written without one
	MAC         string // the key's RowMAC of the row; "" when unkeyed
}

// Actor kinds.
const (
	ActorAccount   = "account"
	ActorStaff     = "staff"
	ActorSystem    = "system"
	ActorAnonymous = "anonymous"
	ActorClient    = "client"
)

// ComputeHash returns the chain hash of e given its PrevHash.
func (e *AuditEvent) ComputeHash() string {
	fields := []string{
		strconv.FormatInt(e.Seq, 10),
		strconv.FormatInt(e.At.UnixMilli(), 10),
		e.ActorKind, e.ActorID, e.Action, e.SubjectKind, e.SubjectID,
		strconv.FormatInt(e.WorksiteID, 10),
		e.IP, e.UserAgent, e.RequestID, e.Details, e.PrevHash,
	}
	h := sha256.New()
	for _, f := range fields {
		// Length-prefix each field so no two different rows serialise alike.
		h.Write([]byte(strconv.Itoa(len(f))))
		h.Write([]byte{':'})
		h.Write([]byte(f))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// RequestMeta says where a change came from, for the audit trail.
type RequestMeta struct {
	IP        string
	UserAgent string
	RequestID string
}

// ChainBreak describes where an audit chain fails to verify.
type ChainBreak struct {
	Seq    int64
	Reason string
}

// VerifyChain checks consecutive events (in sequence order, starting after
// an event whose hash is prevHash and sequence prevSeq). It returns every break.
func VerifyChain(prevSeq int64, prevHash string, events []AuditEvent) []ChainBreak {
	var breaks []ChainBreak
	for _, e := range events {
		var reasons []string
		if e.Seq != prevSeq+1 {
			reasons = append(reasons,
				"rows "+strconv.FormatInt(prevSeq+1, 10)+" to "+strconv.FormatInt(e.Seq-1, 10)+" are missing")
		}
		if e.PrevHash != prevHash {
			reasons = append(reasons, "previous-hash link does not match the row before")
		}
		if e.ComputeHash() != e.Hash {
			reasons = append(reasons, "content does not match its hash (edited)")
		}
		if len(reasons) > 0 {
			breaks = append(breaks, ChainBreak{Seq: e.Seq, Reason: strings.Join(reasons, "; ")})
		}
		prevSeq, prevHash = e.Seq, e.Hash
	}
	return breaks
}
