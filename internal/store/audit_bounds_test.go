package store_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

// appendOne writes e and reads it back as stored.
func appendOne(t *testing.T, db *store.DB, e portal.AuditEvent) portal.AuditEvent {
	t.Helper()
	if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.AppendAudit(ctx, &e) }); err != nil {
		t.Fatal(err)
	}
	evs, err := db.Read().FindAuditEvents(ctx, store.AuditFilter{AfterSeq: e.Seq - 1, Limit: 1})
	if err != nil || len(evs) != 1 {
		t.Fatalf("read back row %d: %v %v", e.Seq, evs, err)
	}
	return evs[0]
}

func TestStore_AuditBounds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
		t.Run("LongValueCutOnARuneBoundary", func(t *testing.T) {
			query := strings.Repeat("é", 250_000) // 500,000 bytes
			agent := strings.Repeat("日", 1000) + "\xff"
			got := appendOne(
				t,
				db,
				portal.AuditEvent{At: now, ActorKind: portal.ActorClient, ActorID: "viewer", Action: "api.scim_list",
					SubjectKind: "provisioning", UserAgent: agent,
					Details: store.AuditDetails(
						map[string]any{"query": query, "error": "count must be a whole number.", "n": 3},
					)},
			)
			var d map[string]any
			if err := json.Unmarshal([]byte(got.Details), &d); err != nil {
				t.Fatalf("details not JSON: %v", err)
			}
			wantQuery := strings.Repeat("é", store.AuditDetailValueMax) + "…[truncated: 500000 bytes in all]"
			if d["query"] != wantQuery || d["error"] != "count must be a whole number." || d["n"] != 3.0 {
				t.Errorf("details %.200s", got.Details)
			}
			if len(got.Details) > store.AuditDetailsMax {
				t.Errorf("details %d bytes, over %d", len(got.Details), store.AuditDetailsMax)
			}
			wantAgent := strings.Repeat(
				"日",
				store.AuditUserAgentMax,
			) + "…[truncated: 3003 bytes in all]" // \xff became U+FFFD
			if got.UserAgent != wantAgent {
				t.Errorf("user agent %.200q", got.UserAgent)
			}
		})
		t.Run("WholeDetailsCapped", func(t *testing.T) {
			fields := map[string]any{}
			for i := range 20 {
				fields[fmt.Sprintf("f%02d", i)] = strings.Repeat("x", 400)
			}
			got := appendOne(
				t,
				db,
				portal.AuditEvent{At: now, ActorKind: portal.ActorSystem, Action: "test.big", SubjectKind: "x",
					Details: store.AuditDetails(fields)},
			)
			var d map[string]any
			if err := json.Unmarshal([]byte(got.Details), &d); err != nil {
				t.Fatalf("details not JSON: %v", err)
			}
			if len(got.Details) > store.AuditDetailsMax || d["f00"] != strings.Repeat("x", 400) || d["f19"] != nil {
				t.Errorf("details %d bytes: %.300s", len(got.Details), got.Details)
			}
			note, _ := d["_truncated"].(string)
			if !strings.HasPrefix(note, "details were 8") || !strings.Contains(note, "over the 4096 kept: left out ") ||
				!strings.HasSuffix(note, "f19") {
				t.Errorf("note %q", note)
			}
		})
		t.Run("SmallDetailsKeptAsGiven", func(t *testing.T) {
			in := `{"z":1,"a":"<b>"}`
			if got := appendOne(t, db, portal.AuditEvent{At: now, ActorKind: portal.ActorSystem, Action: "test.small", SubjectKind: "x",
				Details: in}); got.Details != in {
				t.Errorf("got %q, want %q", got.Details, in)
			}
		})
		t.Run("InvalidUTF8", func(t *testing.T) {
			got := appendOne(
				t,
				db,
				portal.AuditEvent{At: now, ActorKind: portal.ActorClient, ActorID: "c\xc3", Action: "test.utf8",
					SubjectKind: "x", UserAgent: "agent\xe2\x82"},
			)
			if !utf8.ValidString(got.ActorID) || !utf8.ValidString(got.UserAgent) || got.UserAgent != "agent\uFFFD" {
				t.Errorf("actor %q agent %q", got.ActorID, got.UserAgent)
			}
		})
		if n, breaks, err := db.VerifyAudit(ctx); err != nil || len(breaks) != 0 || n != 4 {
			t.Fatalf("the bounded rows must still verify: %d %v %v", n, breaks, err)
		}
	})
}
