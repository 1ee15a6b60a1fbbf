package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

// feedIDs lists the ids of a feed page.
func feedIDs(r apiResponse) []string {
	var out []string
	for i := range jlen(r.JSON, "events") {
		out = append(out, jstr(r.JSON, "events", i, "id"))
	}
	return out
}

// timedGet calls the API and says how long the answer took.
func timedGet(t *testing.T, inst *portaltest.Instance, tok, path string) (apiResponse, time.Duration) {
	t.Helper()
	start := time.Now()
	r := apiGet(t, inst, tok, path)
	return r, time.Since(start)
}

// TestWeb_APIFeedResume: a client resumes from the last event id it kept,
// and may wait for the next event instead of polling: the call returns as
// soon as an event is written, on this instance or on another one sharing
// the database, or empty when the wait ends.
func TestWeb_APIFeedResume(t *testing.T) {
	for name, dsn := range storetest.DSNs(t) {
		t.Run(name, func(t *testing.T) {
			inst := portaltest.Start(t, dsn)
			p := setUpAPIPeople(t, inst)
			tok := bearer(apiToken(t, inst, "waiter", 90*24*time.Hour, app.TokenScopeEvents))
			all := feedIDs(apiGet(t, inst, tok, "/api/v1/events"))
			if len(all) != 7 {
				t.Fatalf("feed: %v", all)
			}
			// Resume after the third event: the fourth comes next.
			r := apiGet(t, inst, tok, "/api/v1/events?limit=2&after="+all[2])
			if got := feedIDs(r); strings.Join(got, ",") != strings.Join(all[3:5], ",") ||
				jstr(r.JSON, "next") != all[4] ||
				jget(r.JSON, "hasMore") != true {
				t.Fatalf("resumed after %s: %s", all[2], r.Body)
			}
			last := all[6]

			// Events waiting already: no wait at all.
			if r, took := timedGet(t, inst, tok, "/api/v1/events?wait=30s&after="+all[5]); strings.Join(
				feedIDs(r),
				",",
			) != last ||
				took > 5*time.Second {
				t.Fatalf("an event waiting: %s after %s", r.Body, took)
			}
			// Nothing new: the call holds for the wait, then answers empty with the same cursor.
			r, took := timedGet(t, inst, tok, "/api/v1/events?wait=1s&after="+last)
			if r.Status != 200 || len(feedIDs(r)) != 0 || jstr(r.JSON, "next") != last || took < 900*time.Millisecond ||
				took > 10*time.Second {
				t.Fatalf("empty wait: %d %s after %s", r.Status, r.Body, took)
			}

			// An event written while a client waits wakes it at once.
			write := func(db *store.DB, who *portal.Account) {
				time.Sleep(300 * time.Millisecond)
				if err := db.InTx(context.Background(), func(tx *store.Tx) error {
					return tx.AppendProvisioningEvent(context.Background(), who.ID, app.ProvUserUpdated, "{}", inst.Clock.Now())
				}); err != nil {
					t.Error(err)
				}
			}
			go write(inst.DB, p.doc)
			r, took = timedGet(t, inst, tok, "/api/v1/events?wait=30s&after="+last)
			if len(feedIDs(r)) != 1 || jstr(r.JSON, "events", 0, "userId") != apiID(p.doc) || took > 5*time.Second {
				t.Fatalf("woken by a write: %s after %s", r.Body, took)
			}
			last = jstr(r.JSON, "next")

			// Another instance writes: found by polling (every second).
			other, err := store.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			go write(other, p.moa)
			r, took = timedGet(t, inst, tok, "/api/v1/events?wait=30s&after="+last)
			if len(feedIDs(r)) != 1 || jstr(r.JSON, "events", 0, "userId") != apiID(p.moa) || took > 10*time.Second {
				t.Fatalf("written by another instance: %s after %s", r.Body, took)
			}
			last = jstr(r.JSON, "next")

			// A wait that is not a duration from 0 to 60 seconds is refused.
			for _, w := range []string{"abc", "61s", "2m", "-1s", "1.5", "-3", "99999999999999999999", "30 s"} {
				r := apiGet(t, inst, tok, "/api/v1/events?wait="+url.QueryEscape(w))
				wantSCIMError(t, r, 400, "invalidValue")
				if d := jstr(r.JSON, "detail"); !strings.HasPrefix(
					d,
					"wait must be a duration from 0s to 60s, such as 30s",
				) ||
					r.Header.Get("Content-Type") != "application/json" {
					t.Errorf("wait=%s: %s %v", w, d, r.Header)
				}
			}
			for _, w := range []string{"0", "0s", "60s", "1m", "45"} {
				if r := apiGet(t, inst, tok, "/api/v1/events?wait="+w+"&after=0"); r.Status != 200 ||
					len(feedIDs(r)) == 0 {
					t.Errorf("wait=%s: %d %s", w, r.Status, r.Body)
				}
			}
			// Shutting down answers the waiting calls at once.
			go func() { time.Sleep(300 * time.Millisecond); inst.Portal.App.EndFeedWaits() }()
			if r, took := timedGet(t, inst, tok, "/api/v1/events?wait=30s&after="+last); r.Status != 200 ||
				len(feedIDs(r)) != 0 ||
				took > 5*time.Second {
				t.Errorf("shutting down: %s after %s", r.Body, took)
			}
			var waited bool
			evs := inst.Audit(t, portaltest.By(portal.ActorClient, "waiter"))
			for _, e := range evs {
				waited = waited || (e.Action == "api.events" && strings.Contains(e.Details, `"wait":"30s"`))
			}
			if !waited {
				t.Errorf("no audited wait: %+v", evs)
			}
		})
	}
}
