package app_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/fixture"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// mustToken creates a token with scopes, valid for 90 days.
func mustToken(t *testing.T, a *app.App, name string, scopes ...string) (string, *app.Token) {
	t.Helper()
	raw, tok, err := a.CreateToken(
		ctx,
		meta,
		"officer.one",
		app.TokenInput{Name: name, Scopes: scopes, Lifetime: 90 * 24 * time.Hour},
	)
	if err != nil {
		t.Fatalf("token %s: %v", name, err)
	}
	return raw, tok
}

// provision approves a CareConnect request for the person at the worksites
// directly in the store, at the clock's time, as the back office does, and
// appends the user.provisioned event.
func provision(
	t *testing.T,
	a *app.App,
	acct *portal.Account,
	scopes string,
	ws ...*portal.Worksite,
) *portal.AccessRequest {
	t.Helper()
	return fixture.ProvisionRequest(t, a.DB, fixture.Request(acct, a.Now(), ws...), scopes)
}

func clientActions(t *testing.T, db *store.DB, name string) []string {
	t.Helper()
	return actionsOf(auditWhere(t, db, store.AuditFilter{ActorKind: portal.ActorClient, ActorID: name}))
}

func TestApp_APIToken(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		start := a.Now()
		raw, tok, err := a.CreateToken(ctx, meta, "officer.one", app.TokenInput{Name: "clinical-viewer",
			Scopes: []string{"events:read", "scim:read", "scim:read"}, Lifetime: 90 * 24 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(raw, "ccp_") || len(raw) != 47 {
			t.Fatalf("token %q: want ccp_ and 43 base64url characters", raw)
		}
		if !slices.Equal(tok.Scopes, []string{"scim:read", "events:read"}) || tok.CreatedBy != "officer.one" ||
			!tok.ExpiresAt.Equal(start.Add(90*24*time.Hour)) {
			t.Fatalf("token %+v", tok)
		}

		t.Run("OnlyHashStored", func(t *testing.T) {
			var name, hash, scopes, by string
			if err := db.SQL().QueryRow("SELECT name, token_hash, scopes, created_by FROM api_tokens").Scan(&name, &hash, &scopes, &by); err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256([]byte(raw))
			if hash != hex.EncodeToString(sum[:]) {
				t.Fatalf("stored hash %q is not the token's SHA-256", hash)
			}
			secret := strings.TrimPrefix(raw, "ccp_")
			for _, v := range []string{name, hash, scopes, by} {
				if strings.Contains(v, secret) {
					t.Fatalf("the token is stored in clear: %q", v)
				}
			}
			evs, _ := db.Read().
				FindAuditEvents(ctx, store.AuditFilter{SubjectKind: "api_token", SubjectID: "clinical-viewer"})
			if len(evs) != 1 || evs[0].Action != "api_token.created" || evs[0].ActorKind != portal.ActorStaff ||
				evs[0].ActorID != "officer.one" || strings.Contains(evs[0].Details, secret) {
				t.Fatalf("audit %+v", evs)
			}
		})

		t.Run("Invalid", func(t *testing.T) {
			for _, tt := range []struct {
				name, by string
				in       app.TokenInput
				code     string
			}{
				{"NoStaff", "", app.TokenInput{Name: "x1", Scopes: []string{"scim:read"}, Lifetime: time.Hour}, portal.EINVALID},
				{"BadName", "officer.one", app.TokenInput{Name: "a b", Scopes: []string{"scim:read"}, Lifetime: time.Hour}, portal.EINVALID},
				{"UnknownScope", "officer.one", app.TokenInput{Name: "x2", Scopes: []string{"scim:write"}, Lifetime: time.Hour}, portal.EINVALID},
				{"NoScope", "officer.one", app.TokenInput{Name: "x3", Lifetime: time.Hour}, portal.EINVALID},
				{"NoExpiry", "officer.one", app.TokenInput{Name: "x4", Scopes: []string{"scim:read"}}, portal.EINVALID},
				{"OverAYear", "officer.one", app.TokenInput{Name: "x5", Scopes: []string{"scim:read"}, Lifetime: 366 * 24 * time.Hour}, portal.EINVALID},
				{"ErrDuplicateName", "officer.one", app.TokenInput{Name: "clinical-viewer", Scopes: []string{"scim:read"}, Lifetime: time.Hour}, portal.ECONFLICT},
			} {
				t.Run(tt.name, func(t *testing.T) {
					_, _, err := a.CreateToken(ctx, meta, tt.by, tt.in)
					wantCode(t, err, tt.code)
				})
			}
		})

		t.Run("Authenticate", func(t *testing.T) {
			got, err := a.AuthenticateToken(ctx, raw)
			if err != nil || got.Name != "clinical-viewer" || !got.HasScope(app.TokenScopeSCIM) ||
				!got.LastUsedAt.Equal(start) {
				t.Fatalf("got %+v %v", got, err)
			}
			lastUsed := func() time.Time {
				t.Helper()
				ts, err := a.Tokens(ctx)
				if err != nil || len(ts) != 1 {
					t.Fatalf("tokens %+v %v", ts, err)
				}
				return ts[0].LastUsedAt
			}
			if !lastUsed().Equal(start) {
				t.Fatalf("last use %v not recorded", lastUsed())
			}
			a.Now = func() time.Time { return start.Add(30 * time.Second) }
			if _, err := a.AuthenticateToken(ctx, raw); err != nil {
				t.Fatal(err)
			}
			if !lastUsed().Equal(start) {
				t.Fatalf("last use written again within a minute: %v", lastUsed())
			}
			a.Now = func() time.Time { return start.Add(61 * time.Second) }
			if _, err := a.AuthenticateToken(ctx, raw); err != nil {
				t.Fatal(err)
			}
			if !lastUsed().Equal(start.Add(61 * time.Second)) {
				t.Fatalf("last use %v, want a minute later", lastUsed())
			}
			for _, bad := range []string{"", "ccp_", "ccp_" + strings.Repeat("A", 43), strings.TrimPrefix(raw, "ccp_"), raw + "x"} {
				_, err := a.AuthenticateToken(ctx, bad)
				wantCode(t, err, portal.EUNAUTHORIZED)
			}
		})

		t.Run("Expired", func(t *testing.T) {
			a.Now = func() time.Time { return tok.ExpiresAt }
			defer func() { a.Now = func() time.Time { return start } }()
			_, err := a.AuthenticateToken(ctx, raw)
			wantCode(t, err, portal.EUNAUTHORIZED)
			if !strings.Contains(portal.ErrorMessage(err), "expired") {
				t.Fatalf("message %q does not say the token expired", portal.ErrorMessage(err))
			}
		})

		t.Run("Revoked", func(t *testing.T) {
			raw2, _ := mustToken(t, a, "to-revoke", app.TokenScopeEvents)
			r, err := a.RevokeToken(ctx, meta, "officer.two", "to-revoke")
			if err != nil || r.RevokedAt.IsZero() {
				t.Fatalf("revoke: %+v %v", r, err)
			}
			_, err = a.AuthenticateToken(ctx, raw2)
			wantCode(t, err, portal.EUNAUTHORIZED)
			if !strings.Contains(portal.ErrorMessage(err), "revoked") {
				t.Fatalf("message %q does not say the token was revoked", portal.ErrorMessage(err))
			}
			_, err = a.RevokeToken(ctx, meta, "officer.two", "to-revoke")
			wantCode(t, err, portal.ECONFLICT)
			_, err = a.RevokeToken(ctx, meta, "officer.two", "no-such-token")
			wantCode(t, err, portal.ENOTFOUND)
			_, err = a.RevokeToken(ctx, meta, "", "clinical-viewer")
			wantCode(t, err, portal.EINVALID)
			evs, _ := db.Read().
				FindAuditEvents(ctx, store.AuditFilter{SubjectKind: "api_token", SubjectID: "to-revoke"})
			if len(evs) != 2 || evs[1].Action != "api_token.revoked" || evs[1].ActorKind != portal.ActorStaff ||
				evs[1].ActorID != "officer.two" {
				t.Fatalf("audit %+v", evs)
			}
			ts, _ := a.Tokens(ctx)
			states := map[string]string{}
			for _, x := range ts {
				states[x.Name] = x.State(start)
			}
			if states["clinical-viewer"] != app.TokenActive || states["to-revoke"] != app.TokenRevoked {
				t.Fatalf("states %v", states)
			}
		})
	})
}

func TestApp_APITokenLifetime(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	for _, tt := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"90d", 90 * day, true},
		{"12w", 84 * day, true},
		{"1y", 365 * day, true},
		{"36h", 36 * time.Hour, true},
		{"", 0, false},
		{"d", 0, false},
		{"-3d", 0, false},
		{"soon", 0, false},
	} {
		t.Run(tt.in, func(t *testing.T) {
			got, err := app.ParseTokenLifetime(tt.in)
			if (err == nil) != tt.ok || got != tt.want {
				t.Fatalf("got %v %v, want %v (ok %v)", got, err, tt.want, tt.ok)
			}
			if err != nil {
				wantCode(t, err, portal.EINVALID)
			}
		})
	}
}

func TestApp_SCIMFilter(t *testing.T) {
	t.Parallel()
	when := time.Date(2026, 1, 31, 8, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		in   string
		want app.UserFilter
		ok   bool
	}{
		{``, app.UserFilter{}, true},
		{`userName eq "HXBC\\dalia18"`, app.UserFilter{Username: "dalia18"}, true},
		{`userName eq "HXBC\dalia18"`, app.UserFilter{Username: "dalia18"}, true},
		{`USERNAME EQ "Dalia18"`, app.UserFilter{Username: "dalia18"}, true},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "dalia18"`, app.UserFilter{Username: "dalia18"}, true},
		{`meta.lastModified gt "2026-01-31T00:00:00-08:00"`, app.UserFilter{ChangedAfter: when}, true},
		{`userName eq "dalia18" and meta.lastModified gt "2026-01-31T08:00:00Z"`, app.UserFilter{Username: "dalia18", ChangedAfter: when}, true},
		{`meta.lastModified gt "2026-01-31T08:00:00Z" AND userName eq "dalia18"`, app.UserFilter{Username: "dalia18", ChangedAfter: when}, true},
		{`userName co "dalia"`, app.UserFilter{}, false},
		{`userName eq "a" or userName eq "b"`, app.UserFilter{}, false},
		{`userName eq "a" and userName eq "b"`, app.UserFilter{}, false},
		{`(userName eq "a")`, app.UserFilter{}, false},
		{`emails[value eq "a@b.ca"]`, app.UserFilter{}, false},
		{`meta.lastModified gt "yesterday"`, app.UserFilter{}, false},
		{`meta.lastModified ge "2026-01-31T08:00:00Z"`, app.UserFilter{}, false},
		{`userName eq dalia18`, app.UserFilter{}, false},
		{`userName eq "dalia18`, app.UserFilter{}, false},
		{`userName eq ""`, app.UserFilter{}, false},
		{`active eq true`, app.UserFilter{}, false},
		// Escapes: the value is a JSON string, except that the backslash of a
		// leading HXBC\ may be written once.
		{`userName eq "HXBC\nancy"`, app.UserFilter{Username: "nancy"}, true},
		{`userName eq "HXBC\\nancy"`, app.UserFilter{Username: "nancy"}, true},
		{`userName eq "hxbc\tom"`, app.UserFilter{Username: "tom"}, true},
		{`userName eq "HXBC\u005Cnancy"`, app.UserFilter{Username: "nancy"}, true},
		{`userName eq "d\u0061lia18"`, app.UserFilter{Username: "dalia18"}, true},
		{`userName eq "dalia\"18"`, app.UserFilter{Username: `dalia"18`}, true},
		{`userName  eq  "dalia18"`, app.UserFilter{Username: "dalia18"}, true},
		{` userName eq "dalia18" `, app.UserFilter{Username: "dalia18"}, true},
		{`userName eq "nancy\n"`, app.UserFilter{}, false},
		{`userName eq "da\lia"`, app.UserFilter{}, false},
		{`userName eq 18`, app.UserFilter{}, false},
		{`not (userName eq "a")`, app.UserFilter{}, false},
		{`userName pr`, app.UserFilter{}, false},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:userName eq "a"`, app.UserFilter{}, false},
	} {
		t.Run(tt.in, func(t *testing.T) {
			got, err := app.ParseUserFilter(tt.in)
			if (err == nil) != tt.ok || got.Username != tt.want.Username ||
				!got.ChangedAfter.Equal(tt.want.ChangedAfter) {
				t.Fatalf("got %+v %v, want %+v (ok %v)", got, err, tt.want, tt.ok)
			}
			var fe *app.FilterError
			if err != nil && (!errors.As(err, &fe) || portal.ErrorCode(err) != portal.EINVALID) {
				t.Fatalf("error %v is not an invalid filter", err)
			}
		})
	}
	_, err := app.ParseUserFilter(`userName eq "nancy\n"`)
	if got, want := portal.ErrorMessage(err), `The value "nancy\n" holds a control character: in a filter string \n, \t and \r are `+
		`a line break, a tab and a return; write a backslash as \\.`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestApp_SCIMUsers(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		doc := person(t, a, "dr.lee", "Ada", "LEE")
		other := person(t, a, "dr.wong", "Ben", "WONG")
		w := approvedWorksite(t, a, doc, worksiteInput("Kingsgate Mall Clinic"))
		provision(t, a, doc, "demographics,laboratory_results", w)
		_, scim := mustToken(t, a, "viewer", app.TokenScopeSCIM)
		_, events := mustToken(t, a, "feed-only", app.TokenScopeEvents)

		page, err := a.ProvisionedUsers(ctx, meta, scim, app.UserQuery{StartIndex: 0, Count: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 1 || page.StartIndex != 1 || len(page.Users) != 1 {
			t.Fatalf("page %+v", page)
		}
		u := page.Users[0]
		if u.Account.ID != doc.ID || !u.Active() || len(u.Worksites) != 1 || u.Worksites[0].Code != w.Code ||
			!slices.Equal(
				u.Request.GrantedScopes,
				[]portal.DataScope{portal.ScopeDemographics, portal.ScopeLabResults},
			) ||
			!u.Created.Equal(a.Now()) || !u.LastModified.Equal(a.Now()) {
			t.Fatalf("user %+v", u)
		}

		got, err := a.ProvisionedUserByID(ctx, meta, scim, accountID(doc))
		if err != nil || got.Account.ID != doc.ID {
			t.Fatalf("by id: %+v %v", got, err)
		}
		for _, id := range []string{accountID(other), "0", "x", "00" + accountID(doc), "99999"} {
			_, err := a.ProvisionedUserByID(ctx, meta, scim, id)
			wantCode(t, err, portal.ENOTFOUND)
		}

		_, err = a.ProvisionedUsers(ctx, meta, scim, app.UserQuery{Filter: `displayName eq "Ada"`, Count: 10})
		var fe *app.FilterError
		if !errors.As(err, &fe) {
			t.Fatalf("got %v, want a filter error", err)
		}

		_, err = a.ProvisionedUsers(ctx, meta, events, app.UserQuery{Count: 10})
		wantCode(t, err, portal.EFORBIDDEN)
		_, err = a.ProvisionedUserByID(ctx, meta, events, accountID(doc))
		wantCode(t, err, portal.EFORBIDDEN)

		want := []string{
			"api.scim_list",
			"api.scim_get",
			"api.scim_get",
			"api.scim_get",
			"api.scim_get",
			"api.scim_get",
			"api.scim_get",
			"api.scim_list",
		}
		if got := clientActions(t, db, "viewer"); !slices.Equal(got, want) {
			t.Fatalf("audited %v, want %v", got, want)
		}
		if got := clientActions(t, db, "feed-only"); !slices.Equal(got, []string{"api.forbidden", "api.forbidden"}) {
			t.Fatalf("audited %v", got)
		}
		evs, _ := db.Read().FindAuditEvents(ctx, store.AuditFilter{SubjectKind: "account", SubjectID: accountID(doc)})
		evs = slices.DeleteFunc(evs, func(e portal.AuditEvent) bool { return e.ActorKind != portal.ActorClient })
		if len(evs) != 1 || evs[0].Action != "api.scim_get" || evs[0].ActorID != "viewer" || evs[0].IP != meta.IP {
			t.Fatalf("the person's audit trail lacks the read: %+v", evs)
		}
	})
}

func accountID(a *portal.Account) string { return strconv.FormatInt(int64(a.ID), 10) }

func TestApp_APIFeed(t *testing.T) {
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		start := a.Now()
		var people []*portal.Account
		for i, key := range []string{"p.one", "p.two", "p.three"} {
			a.Now = func() time.Time { return start.Add(time.Duration(i) * time.Minute) }
			p := person(t, a, key, "Pat", "PERSON")
			in := worksiteInput("Clinic " + key)
			in.Manual.Unit = strconv.Itoa(201 + i)
			w := approvedWorksite(t, a, p, in)
			provision(t, a, p, "demographics", w)
			people = append(people, p)
		}
		a.Now = func() time.Time { return start.Add(time.Hour) }
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			return tx.AppendProvisioningEvent(ctx, people[0].ID, app.ProvUserSuspended, "{}", a.Now())
		}); err != nil {
			t.Fatal(err)
		}
		_, feed := mustToken(t, a, "feed", app.TokenScopeEvents)
		_, scim := mustToken(t, a, "scim-only", app.TokenScopeSCIM)

		var got []string
		var at []time.Time
		cursor, pages := "", 0
		for {
			page, err := a.ProvisioningFeed(ctx, meta, feed, app.FeedQuery{After: cursor, Limit: 2})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, e := range page.Events {
				got = append(got, e.Type+" "+strconv.FormatInt(int64(e.AccountID), 10))
				at = append(at, e.At)
			}
			if page.Next == cursor && len(page.Events) > 0 {
				t.Fatalf("cursor did not move: %q", cursor)
			}
			cursor = page.Next
			if !page.More {
				break
			}
		}
		want := []string{
			"user.provisioned " + accountID(people[0]), "user.provisioned " + accountID(people[1]),
			"user.provisioned " + accountID(people[2]), "user.suspended " + accountID(people[0]),
		}
		if !slices.Equal(got, want) || pages != 2 {
			t.Fatalf("feed %v in %d pages, want %v in 2", got, pages, want)
		}
		if !slices.IsSortedFunc(at, func(x, y time.Time) int { return x.Compare(y) }) {
			t.Fatalf("events out of order: %v", at)
		}

		// Nothing new: the same cursor comes back.
		page, err := a.ProvisioningFeed(ctx, meta, feed, app.FeedQuery{After: cursor})
		if err != nil || len(page.Events) != 0 || page.Next != cursor || page.More {
			t.Fatalf("caught-up page %+v %v", page, err)
		}
		// A limit above the maximum is capped, not refused.
		if page, err := a.ProvisioningFeed(ctx, meta, feed, app.FeedQuery{Limit: 5000}); err != nil ||
			len(page.Events) != 4 {
			t.Fatalf("big page %+v %v", page, err)
		}
		for _, bad := range []string{"-1", "abc", "1.5"} {
			_, err := a.ProvisioningFeed(ctx, meta, feed, app.FeedQuery{After: bad})
			wantCode(t, err, portal.EINVALID)
		}
		_, err = a.ProvisioningFeed(ctx, meta, scim, app.FeedQuery{})
		wantCode(t, err, portal.EFORBIDDEN)
		// Every call is audited, refused ones too.
		if got := clientActions(t, db, "feed"); len(got) != 7 ||
			slices.ContainsFunc(got, func(s string) bool { return s != "api.events" }) {
			t.Fatalf("audited %v, want seven api.events", got)
		}
	})
}

// A provisioned person's new sponsor reaches downstream systems: a feed
// event on approval, and the sponsor listed only from the residency's
// first day.
func TestApp_SponsorChangesReachProvisioning(t *testing.T) {
	eachClockApp(t, func(t *testing.T, db *store.DB, a *app.App, clock *fixture.Clock) {
		now := clock.Now()
		_, w := kingsgate(t, a)
		doc := professional(t, a, "dr.jones", asPhysician)
		res := professional(t, a, "res.one", asResident)
		joinWorksite(t, db, a, w, doc)
		joinWorksite(t, db, a, w, res)
		enrolled(t, a, doc, w)
		if err := a.ChooseResidentRoute(ctx, meta, res, portal.ResidentSponsored); err != nil {
			t.Fatal(err)
		}
		res, _ = a.Account(ctx, res.ID)
		provision(t, a, res, "demographics", w)
		before, _ := db.Read().FindProvisioningEvents(ctx, 0, 100)

		in := sponsorInput(doc, w)
		start := now.In(time.FixedZone("PT", -8*3600)).Add(72 * time.Hour)
		in.ResidencyStart, in.ResidencyEnd = start.Format(time.DateOnly), start.AddDate(1, 0, 0).Format(time.DateOnly)
		sp, err := a.RequestSponsorship(ctx, meta, res, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.DecideSponsorship(ctx, meta, doc, sp.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		after, _ := db.Read().FindProvisioningEvents(ctx, 0, 100)
		if len(after) != len(before)+1 || after[len(after)-1].Type != app.ProvUserUpdated ||
			after[len(after)-1].AccountID != res.ID {
			t.Fatalf("feed after the approval: %+v", after[len(before):])
		}
		_, tok := mustToken(t, a, "viewer", app.TokenScopeSCIM)
		u, err := a.ProvisionedUserByID(ctx, meta, tok, accountID(res))
		if err != nil || len(u.Sponsors) != 0 {
			t.Fatalf("before the residency starts: sponsors %+v (%v), want none", u, err)
		}
		clock.Set(now.Add(5 * 24 * time.Hour))
		if u, err = a.ProvisionedUserByID(ctx, meta, tok, accountID(res)); err != nil || len(u.Sponsors) != 1 {
			t.Fatalf("once the residency started: %+v (%v), want one sponsor", u, err)
		}
	})
}
