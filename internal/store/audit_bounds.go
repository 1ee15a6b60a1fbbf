package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	portal "github.com/bcgov-example/careconnect-portal"
)

// Bounds on what one audit row keeps. A client can put half a megabyte in
// a query string or a header; the trail records that it happened, not the
// whole payload, so no row can grow the audit table without limit.
const (
	// AuditDetailValueMax is the most runes kept of any one string in the
	// details (at any depth); longer strings are cut with a marker.
	AuditDetailValueMax = 500
	// AuditDetailsMax is the most bytes of the whole details JSON; fields
	// past it are left out and listed under "_truncated".
	AuditDetailsMax = 4096
	// AuditUserAgentMax is the most runes kept of the user agent.
	AuditUserAgentMax = 256
	// auditFieldMax bounds the other text columns (actor, subject, address,
	// request id), which the portal fills itself but may echo a client.
	auditFieldMax = 256
	// auditKeyMax bounds the names of the details' fields.
	auditKeyMax = 100
)

// boundAuditEvent cuts every text of e to its bound, before it is hashed.
// Bytes that are not UTF-8 (a header may carry them) become U+FFFD, which
// PostgreSQL would otherwise refuse.
func boundAuditEvent(e *portal.AuditEvent) {
	e.UserAgent = cutText(strings.ToValidUTF8(e.UserAgent, "\uFFFD"), AuditUserAgentMax)
	for _, f := range []*string{&e.ActorKind, &e.ActorID, &e.Action, &e.SubjectKind,
		&e.SubjectID, &e.IP, &e.RequestID} {
		*f = cutText(strings.ToValidUTF8(*f, "\uFFFD"), auditFieldMax)
	}
	e.Details = boundAuditDetails(strings.ToValidUTF8(e.Details, "\uFFFD"))
}

// cutText cuts s to n runes on a rune boundary and says what was cut.
func cutText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return portal.Truncate(s, n) + fmt.Sprintf("…[truncated: %d bytes in all]", len(s))
}

// boundAuditDetails caps each string in the details JSON at
// AuditDetailValueMax runes and the whole at AuditDetailsMax bytes. Details
// within both bounds are kept exactly as given.
func boundAuditDetails(details string) string {
	if details == "" {
		return "{}"
	}
	dec := json.NewDecoder(strings.NewReader(details))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		// Not one JSON value: keep it, bounded, as text.
		v = map[string]any{"text": details}
	}
	v, cut := boundValue(v)
	if !cut && len(details) <= AuditDetailsMax {
		return details
	}
	obj, ok := v.(map[string]any)
	if !ok {
		obj = map[string]any{"value": v}
	}
	b := encodeDetails(obj)
	if len(b) <= AuditDetailsMax {
		return string(b)
	}
	// Keep whole fields, in name order, while they fit with the note.
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	kept := map[string]any{}
	var keptKeys, left []string
	note := func() string {
		return cutText(fmt.Sprintf("details were %d bytes, over the %d kept: left out %s", len(b), AuditDetailsMax,
			strings.Join(left, ", ")), AuditDetailValueMax)
	}
	for _, k := range keys {
		kept[k] = obj[k]
		kept["_truncated"] = note()
		if len(encodeDetails(kept)) <= AuditDetailsMax {
			keptKeys = append(keptKeys, k)
			continue
		}
		delete(kept, k)
		left = append(left, k)
	}
	// The note grew as fields were left out: drop kept fields until it fits.
	for {
		kept["_truncated"] = note()
		if len(encodeDetails(kept)) <= AuditDetailsMax || len(keptKeys) == 0 {
			break
		}
		last := keptKeys[len(keptKeys)-1]
		keptKeys = keptKeys[:len(keptKeys)-1]
		delete(kept, last)
		left = append(left, last)
	}
	return string(encodeDetails(kept))
}

// boundValue cuts long strings and field names anywhere in v and reports
// whether it cut anything.
func boundValue(v any) (any, bool) {
	switch x := v.(type) {
	case string:
		if utf8.RuneCountInString(x) > AuditDetailValueMax {
			return cutText(x, AuditDetailValueMax), true
		}
		return x, false
	case []any:
		cut := false
		for i := range x {
			var c bool
			x[i], c = boundValue(x[i])
			cut = cut || c
		}
		return x, cut
	case map[string]any:
		cut := false
		out := make(map[string]any, len(x))
		for k, val := range x {
			nv, c := boundValue(val)
			if utf8.RuneCountInString(k) > auditKeyMax {
				k, c = cutText(k, auditKeyMax), true
			}
			out[k] = nv
			cut = cut || c
		}
		return out, cut
	}
	return v, false
}

func encodeDetails(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	if err := enc.Encode(v); err != nil {
		return []byte("{}")
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}
