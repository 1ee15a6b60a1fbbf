package app_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/portaltest"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// downstream is the SCIM server push mode provisions into in these tests.
type downstream struct{ *portaltest.SCIMDownstream }

func startDownstream(t *testing.T) *downstream {
	t.Helper()
	return &downstream{portaltest.StartSCIMDownstream(t)}
}

// users returns what the downstream holds, by externalId.
func (d *downstream) users(t *testing.T) map[string]map[string]any {
	t.Helper()
	resp, err := http.Get(d.Root + "/_users")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list []map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for _, u := range list {
		ext, _ := u["externalId"].(string)
		out[ext] = u
	}
	return out
}

func (d *downstream) outage(t *testing.T, on bool) {
	t.Helper()
	v := "0"
	if on {
		v = "1"
	}
	resp, err := http.Post(d.Root+"/_outage?on="+v, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// pusher configures push mode to the downstream.
func (d *downstream) pusher(t *testing.T, a *app.App, owner string) (*app.Pusher, []app.Downstream) {
	t.Helper()
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(d.Token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ds, err := app.ParseDownstreams([]app.Downstream{{Name: "careconnect", URL: d.URL, TokenFile: tokenFile}})
	if err != nil {
		t.Fatal(err)
	}
	return a.NewPusher(ds, owner), ds
}

// provisionedSet is the portal's provisioned people as the downstream
// should hold them: externalId to active.
func provisionedSet(t *testing.T, a *app.App) map[string]bool {
	t.Helper()
	_, tok := mustToken(t, a, "check-"+strconv.FormatInt(time.Now().UnixNano(), 36), app.TokenScopeSCIM)
	page, err := a.ProvisionedUsers(ctx, meta, tok, app.UserQuery{Count: app.MaxUserPage})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, u := range page.Users {
		out[accountID(u.Account)] = u.Active()
	}
	return out
}

// wantMirrored fails unless the downstream holds exactly the portal's
// provisioned people, each active exactly when the portal says so.
func wantMirrored(t *testing.T, a *app.App, d *downstream) {
	t.Helper()
	want, got := provisionedSet(t, a), d.users(t)
	if len(got) != len(want) {
		t.Errorf("downstream holds %d users, the portal provisions %d", len(got), len(want))
	}
	for ext, active := range want {
		u, ok := got[ext]
		if !ok {
			t.Errorf("user %s is missing downstream", ext)
			continue
		}
		if u["active"] != active {
			t.Errorf("user %s: active %v downstream, %v in the portal", ext, u["active"], active)
		}
	}
}

func TestApp_PushToDownstream(t *testing.T) {
	d := startDownstream(t)
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		p, configured := d.pusher(t, a, "instance-1")
		a.Downstreams = configured
		admin := mustStaff(t, a, "admin@gov.test", portal.RoleAdministrator)
		officer := mustStaff(t, a, "officer@gov.test", portal.RoleOfficer)
		// A fresh downstream for each database.
		for ext, u := range d.users(t) {
			_ = ext
			req, _ := http.NewRequest(http.MethodDelete, d.URL+"/Users/"+u["id"].(string), nil)
			req.Header.Set("Authorization", "Bearer "+d.Token)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
		}

		// Before anyone is provisioned: the first run fills the downstream
		// by a full resend, which finds nothing to do.
		lee := person(t, a, "dr.lee", "Ada", "LEE")
		wong := person(t, a, "dr.wong", "Ben", "WONG")
		w := approvedWorksite(t, a, lee, worksiteInput("Kingsgate Mall Clinic"))
		if err := p.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		st, err := a.DownstreamStatuses(ctx, meta, admin)
		if err != nil || len(st) != 1 || st[0].Name != "careconnect" || !st[0].ResendRequestedAt.IsZero() ||
			st[0].ResendSummary != "0 unchanged, 0 created, 0 changed, 0 removed" {
			t.Fatalf("after the first run: %+v %v", st, err)
		}

		// Provisioned: created downstream, with the chosen attributes.
		provision(t, a, lee, "demographics", w)
		provision(t, a, wong, "demographics", w)
		if err := p.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		wantMirrored(t, a, d)
		u := d.users(t)[accountID(lee)]
		if u["userName"] != lee.QualifiedUsername() || u["displayName"] != lee.DisplayName() ||
			u["name"].(map[string]any)["familyName"] != "LEE" || u["emails"].([]any)[0].(map[string]any)["value"] != lee.Email {
			t.Fatalf("downstream user %v", u)
		}

		// A change of contact details is patched.
		in := portal.ContactInput{PreferredFirstName: "Addie", Email: lee.Email, Phone: "604-555-0199"}
		if err := a.UpdateContact(ctx, meta, lee.ID, in); err != nil {
			t.Fatal(err)
		}
		if err := p.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		u = d.users(t)[accountID(lee)]
		if u["displayName"] != "Addie LEE" || len(u["phoneNumbers"].([]any)) != 1 {
			t.Fatalf("after the contact change, downstream holds %v", u)
		}

		// Suspension deactivates; deprovisioning deletes.
		boChangeAccess(t, a, officer, wong.ID, portal.AccessSuspend, "Licence under review.")
		if err := p.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if d.users(t)[accountID(wong)]["active"] != false {
			t.Fatalf("suspended user still active downstream: %v", d.users(t)[accountID(wong)])
		}
		wantMirrored(t, a, d)

		// The downstream goes down: the deprovisioning waits, nothing is
		// lost, the failure and the backlog show on the team's page.
		d.outage(t, true)
		boChangeAccess(t, a, officer, wong.ID, portal.AccessDeprovision, "Left the province.")
		if err := p.RunOnce(ctx); err == nil ||
			!strings.Contains(err.Error(), "downstream answered 503: Down for maintenance") {
			t.Fatalf("run during the outage: %v", err)
		}
		st, _ = a.DownstreamStatuses(ctx, meta, admin)
		if st[0].Failures != 1 || !strings.Contains(st[0].LastError, "503") || st[0].Backlog == 0 ||
			st[0].NextAttemptAt.IsZero() {
			t.Fatalf("status during the outage: %+v", st[0])
		}
		// Within the backoff, a run does not call the downstream.
		if err := p.RunOnce(ctx); err != nil {
			t.Fatalf("run within the backoff: %v", err)
		}
		d.outage(t, false)
		retryAt := st[0].NextAttemptAt
		a.Now = func() time.Time { return retryAt.Add(time.Second) }
		if err := p.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if _, ok := d.users(t)[accountID(wong)]; ok {
			t.Fatal("deprovisioned user still downstream after the outage")
		}
		wantMirrored(t, a, d)
		st, _ = a.DownstreamStatuses(ctx, meta, admin)
		if st[0].Failures != 0 || st[0].Backlog != 0 || st[0].LastSuccessAt.IsZero() {
			t.Fatalf("status after the outage: %+v", st[0])
		}

		// Someone changes the downstream by hand; "Resend everything"
		// compares and repairs: a deleted user comes back, a stray user
		// with a portal id goes, a user someone else made stays.
		del, _ := http.NewRequest(http.MethodDelete, d.URL+"/Users/"+d.users(t)[accountID(lee)]["id"].(string), nil)
		del.Header.Set("Authorization", "Bearer "+d.Token)
		for _, body := range []string{
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"HXBC\\ghost","externalId":"99999","active":true}`,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"local.admin","active":true}`,
		} {
			req, _ := http.NewRequest(http.MethodPost, d.URL+"/Users", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+d.Token)
			req.Header.Set("Content-Type", "application/scim+json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil || resp.StatusCode != http.StatusCreated {
				t.Fatalf("seed the downstream: %v %v", resp, err)
			}
			resp.Body.Close()
		}
		if resp, err := http.DefaultClient.Do(del); err != nil || resp.StatusCode != http.StatusNoContent {
			t.Fatalf("delete by hand: %v %v", resp, err)
		}
		if err := a.RequestResend(ctx, meta, officer, "careconnect"); portal.ErrorCode(err) != portal.EFORBIDDEN {
			t.Fatalf("an officer asked for a resend: %v", err)
		}
		if err := a.RequestResend(ctx, meta, admin, "nowhere"); portal.ErrorCode(err) != portal.ENOTFOUND {
			t.Fatalf("resend of an unknown downstream: %v", err)
		}
		if err := a.RequestResend(ctx, meta, admin, "careconnect"); err != nil {
			t.Fatal(err)
		}
		if err := p.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		got := d.users(t)
		if _, ok := got[accountID(lee)]; !ok {
			st, _ := a.DownstreamStatuses(ctx, meta, admin)
			t.Fatalf("resend did not restore the deleted user: %+v %v", st[0], got)
		}
		if _, ok := got["99999"]; ok {
			t.Fatal("resend kept a stray user with a portal id")
		}
		if _, ok := got[""]; !ok {
			t.Fatal("resend removed a user the portal did not make")
		}
		st, _ = a.DownstreamStatuses(ctx, meta, admin)
		if st[0].ResendSummary != "0 unchanged, 1 created, 0 changed, 1 removed" || !st[0].ResendRequestedAt.IsZero() {
			t.Fatalf("resend summary %q (requested %v)", st[0].ResendSummary, st[0].ResendRequestedAt)
		}
		evs, err := db.Read().
			FindAuditEvents(ctx, store.AuditFilter{SubjectKind: "downstream", SubjectID: "careconnect"})
		if err != nil || len(evs) != 1 || evs[0].Action != "provisioning.resend_requested" ||
			evs[0].ActorID != "staff:1" {
			t.Fatalf("audit of the resend: %+v %v", evs, err)
		}
		if _, err := a.DownstreamStatuses(ctx, meta, officer); portal.ErrorCode(err) != portal.EFORBIDDEN {
			t.Fatalf("an officer read the downstream page: %v", err)
		}
	})
}

// Two instances pushing at once: one holds the lease, the other waits.
func TestApp_PushLease(t *testing.T) {
	d := startDownstream(t)
	eachApp(t, func(t *testing.T, db *store.DB, a *app.App) {
		p1, _ := d.pusher(t, a, "instance-1")
		p2, _ := d.pusher(t, a, "instance-2")
		if err := db.Read().EnsureDownstream(ctx, "careconnect", a.Now()); err != nil {
			t.Fatal(err)
		}
		ok, err := db.Read().ClaimDownstream(ctx, "careconnect", "instance-1", a.Now(), a.Now().Add(time.Minute))
		if err != nil || !ok {
			t.Fatalf("claim: %v %v", ok, err)
		}
		if ok, _ := db.Read().ClaimDownstream(ctx, "careconnect", "instance-2", a.Now(), a.Now().Add(time.Minute)); ok {
			t.Fatal("two instances hold one downstream")
		}
		if err := p2.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		st, _ := db.Read().FindDownstream(ctx, "careconnect")
		if st.LeaseOwner != "instance-1" || !st.ResentAt.IsZero() {
			t.Fatalf("the second instance worked under the first one's lease: %+v", st)
		}
		// The lease ends (the first instance died): the second takes over.
		a.Now = func() time.Time { return time.Now().Add(2 * time.Minute) }
		if err := p2.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		st, _ = db.Read().FindDownstream(ctx, "careconnect")
		if st.ResentAt.IsZero() || st.LeaseOwner != "" {
			t.Fatalf("after the lease ended: %+v", st)
		}
		_ = p1
	})
}

func TestParseDownstreams(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tok := filepath.Join(dir, "token")
	empty := filepath.Join(dir, "empty")
	_ = os.WriteFile(tok, []byte("s3cret\n"), 0o600)
	_ = os.WriteFile(empty, []byte("\n"), 0o600)
	for _, tc := range []struct {
		in   app.Downstream
		want string
	}{
		{app.Downstream{Name: "cc", URL: "https://scim.example/v2", TokenFile: tok, Attributes: []string{"userName", "active"}}, ""},
		{app.Downstream{Name: "CC", URL: "https://x", TokenFile: tok}, `name "CC": use 1 to 40 lower-case letters`},
		{app.Downstream{Name: "cc", URL: "ftp://x", TokenFile: tok}, `url "ftp://x" must be an http(s) URL`},
		{app.Downstream{Name: "cc", URL: "https://x", TokenFile: tok, Attributes: []string{"password"}}, `attribute "password" is not one of`},
		{app.Downstream{Name: "cc", URL: "https://x"}, "token_file is required"},
		{app.Downstream{Name: "cc", URL: "https://x", TokenFile: empty}, "is empty"},
		{app.Downstream{Name: "cc", URL: "https://x", TokenFile: filepath.Join(dir, "none")}, "no such file"},
	} {
		_, err := app.ParseDownstreams([]app.Downstream{tc.in})
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%+v: %v, want %q", tc.in, err, tc.want)
		}
	}
	if _, err := app.ParseDownstreams([]app.Downstream{{Name: "a", URL: "https://x", TokenFile: tok}, {Name: "a", URL: "https://y", TokenFile: tok}}); err == nil ||
		!strings.Contains(err.Error(), "named twice") {
		t.Errorf("a name used twice: %v", err)
	}
}
