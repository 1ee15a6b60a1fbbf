package store_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

// No source file of the store formats a LIMIT or OFFSET into SQL text: a
// number in the text makes each page its own statement to parse, plan and
// keep prepared.
func TestStore_NoLimitOrOffsetFormattedIntoSQL(t *testing.T) {
	formatted := regexp.MustCompile(`(?i)\b(LIMIT|OFFSET)\s*(%[dv]|[0-9]+\s*"\s*\+|"\s*\+\s*(strconv|fmt)\.)`)
	for _, bad := range []string{`fmt.Sprintf(" LIMIT %d", n)`, `" OFFSET %v"`, `" LIMIT " + strconv.Itoa(n)`} {
		if !formatted.MatchString(bad) {
			t.Fatalf("the pattern misses %s", bad)
		}
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if formatted.MatchString(line) {
				t.Errorf(
					"%s:%d formats a LIMIT or OFFSET into SQL; bind it as a parameter: %s",
					f,
					i+1,
					strings.TrimSpace(line),
				)
			}
		}
	}
}

// Every paged look-up binds its LIMIT and OFFSET, returns the right page,
// and (TestMain checks it for all the package's tests) never runs a
// statement with a number in its text.
func TestStore_PagesBindLimitAndOffset(t *testing.T) {
	if !store.InlinedNumber("SELECT 1 FROM t LIMIT 20 OFFSET 40") || !store.InlinedNumber("SELECT 1 FROM t LIMIT 1 OFFSET 3") ||
		!store.InlinedNumber("SELECT 1 FROM t LIMIT 10") ||
		store.InlinedNumber("SELECT 1 FROM t LIMIT ? OFFSET ?") ||
		store.InlinedNumber("SELECT 1 FROM t ORDER BY id DESC LIMIT 1") {
		t.Fatal("the statement guard does not tell an inlined number from a placeholder")
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
		doc := mustCreateAccount(t, db, "doc")
		var sites []*portal.Worksite
		for _, name := range []string{"Alder", "Birch", "Cedar"} {
			sites = append(
				sites,
				mustQueueWorksite(t, db, doc, name+" Clinic", "Vancouver", portal.VancouverCoastalHealth),
			)
		}
		for i, to := range []string{"a@example.ca", "b@example.ca", "c@example.ca"} {
			err := db.InTx(ctx, func(tx *store.Tx) error {
				if err := tx.EnqueueEmail(ctx, &store.Email{MessageID: "<" + to + ">", Kind: "paging", To: to, Subject: "s", Text: "t", CreatedAt: now}); err != nil {
					return err
				}
				return tx.AppendAudit(
					ctx,
					&portal.AuditEvent{At: now.Add(time.Duration(i) * time.Second), ActorKind: "system",
						Action: "paging.event", SubjectKind: "account", SubjectID: "1"},
				)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		r := db.Read()

		ws, err := r.FindWorksites(ctx, store.WorksiteFilter{Limit: 2})
		if err != nil || len(ws) != 2 || ws[0].ID != sites[0].ID || ws[1].ID != sites[1].ID {
			t.Fatalf("worksites, limit 2: %d %v", len(ws), err)
		}
		es, err := r.FindEmails(ctx, store.EmailFilter{Kind: "paging", Limit: 2})
		if err != nil || len(es) != 2 || es[0].To != "c@example.ca" || es[1].To != "b@example.ca" {
			t.Fatalf("emails, limit 2: %+v %v", es, err)
		}
		evs, err := r.FindAuditEvents(ctx, store.AuditFilter{Limit: 2})
		if err != nil || len(evs) != 2 {
			t.Fatalf("audit events, limit 2: %d %v", len(evs), err)
		}
		search := store.AuditSearch{ActionContains: "paging."}
		var pages []int64
		for offset := range 4 {
			page, err := r.SearchAuditEvents(ctx, search, offset, 1)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range page {
				pages = append(pages, e.Seq)
			}
		}
		if len(pages) != 3 || !(pages[0] > pages[1] && pages[1] > pages[2]) {
			t.Fatalf("audit search one by one, newest first: %v", pages)
		}
		batch, err := r.AuditSearchBatch(ctx, search, pages[2], 1)
		if err != nil || len(batch) != 1 || batch[0].Seq != pages[1] {
			t.Fatalf("audit batch after %d: %+v %v", pages[2], batch, err)
		}

		for _, q := range store.SeenStatements() {
			if store.InlinedNumber(q) {
				t.Errorf("statement with a number in its text: %s", q)
			}
		}
	})
}

// On PostgreSQL, paging through a search keeps one prepared statement for
// its shape on the connection, not one per page.
func TestStore_PagesShareOnePreparedStatement(t *testing.T) {
	db := storetest.OpenPostgres(t)
	db.SQL().SetMaxOpenConns(1) // one session, so its statements are the ones counted
	for i := range 3 {
		err := db.InTx(ctx, func(tx *store.Tx) error {
			return tx.AppendAudit(
				ctx,
				&portal.AuditEvent{At: time.Now().Add(time.Duration(i) * time.Second), ActorKind: "system",
					Action: "paging.event", SubjectKind: "account", SubjectID: "1"},
			)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for offset := range 5 {
		if _, err := db.Read().SearchAuditEvents(ctx, store.AuditSearch{ActionContains: "paging."}, offset, 1); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := db.Read().QueryRow(ctx, `SELECT COUNT(*) FROM pg_prepared_statements WHERE statement LIKE '%FROM audit_log%ORDER BY seq DESC LIMIT%'
		AND statement NOT LIKE '%pg_prepared_statements%'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("%d prepared statements for five pages of one search, want 1", n)
	}
}
