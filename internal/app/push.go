package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/scim"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// Push mode: the portal as a SCIM client of downstream services. Each
// downstream reads the change feed from a cursor of its own; for every
// person an event names, the portal compares what it provisions now with
// what the downstream holds and creates, patches, deactivates or deletes
// the user there. The feed is the durable queue: a downstream that is down
// loses nothing, its cursor waits, and the run retries with a backoff.
// Pushing is idempotent (it sends the person's current state, not the
// event), so an event pushed twice, after a crash, does no harm.

// Downstream is one configured downstream SCIM service.
type Downstream struct {
	Name string `json:"name"` // short and stable: the key of its push state
	URL  string `json:"url"`  // the SCIM base URL, before /Users
	// TokenFile holds the bearer token the downstream gave the portal.
	TokenFile string `json:"token_file"`
	// Attributes are the User attributes sent (scim.CoreAttributes when
	// empty); externalId is always sent.
	Attributes []string `json:"attributes"`
	// Extension sends the CareConnect extension too.
	Extension bool `json:"extension"`

	token string
}

// push limits.
const (
	pushBatch       = 100              // change-feed events read a run
	pushLease       = 2 * time.Minute  // one instance at a time a downstream
	pushMaxBackoff  = 5 * time.Minute  // the longest wait after failures
	pushCallTimeout = 30 * time.Second // one call to a downstream
)

// ParseDownstreams checks a push configuration and reads each token file.
func ParseDownstreams(list []Downstream) ([]Downstream, error) {
	seen := map[string]bool{}
	var errs []error
	for i := range list {
		d := &list[i]
		d.Name = strings.TrimSpace(d.Name)
		if !validDownstreamName(d.Name) {
			errs = append(
				errs,
				fmt.Errorf("downstream %d: name %q: use 1 to 40 lower-case letters, digits and hyphens", i+1, d.Name),
			)
			continue
		}
		if seen[d.Name] {
			errs = append(errs, fmt.Errorf("downstream %s: named twice", d.Name))
		}
		seen[d.Name] = true
		if !strings.HasPrefix(d.URL, "https://") && !strings.HasPrefix(d.URL, "http://") {
			errs = append(errs, fmt.Errorf("downstream %s: url %q must be an http(s) URL", d.Name, d.URL))
		}
		for _, a := range d.Attributes {
			if !slices.Contains(scim.CoreAttributes, a) {
				errs = append(
					errs,
					fmt.Errorf(
						"downstream %s: attribute %q is not one of %s",
						d.Name,
						a,
						strings.Join(scim.CoreAttributes, ", "),
					),
				)
			}
		}
		if d.TokenFile == "" {
			errs = append(errs, fmt.Errorf("downstream %s: token_file is required", d.Name))
			continue
		}
		b, err := os.ReadFile(d.TokenFile)
		if err != nil {
			errs = append(errs, fmt.Errorf("downstream %s: %w", d.Name, err))
			continue
		}
		if d.token = strings.TrimSpace(string(b)); d.token == "" {
			errs = append(errs, fmt.Errorf("downstream %s: token file %s is empty", d.Name, d.TokenFile))
		}
	}
	return list, errors.Join(errs...)
}

func validDownstreamName(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// Pusher pushes the change feed to the configured downstreams.
type Pusher struct {
	App         *App
	Downstreams []Downstream
	Owner       string // names this instance in leases
	clients     map[string]*scim.Client
}

// NewPusher returns a pusher for checked downstreams (ParseDownstreams).
func (a *App) NewPusher(ds []Downstream, owner string) *Pusher {
	p := &Pusher{App: a, Downstreams: ds, Owner: owner, clients: map[string]*scim.Client{}}
	for _, d := range ds {
		p.clients[d.Name] = &scim.Client{BaseURL: d.URL, Token: d.token}
	}
	return p
}

// SetHTTP replaces the HTTP client of every downstream (tests, proxies).
func (p *Pusher) SetHTTP(do func(*scim.Client)) {
	for _, c := range p.clients {
		do(c)
	}
}

// RunOnce does one round for every downstream it can lease: a full resend
// when one was asked for, then the feed's next events. It returns the first
// error met (the others are recorded on their downstreams).
func (p *Pusher) RunOnce(ctx context.Context) error {
	var first error
	for _, d := range p.Downstreams {
		if err := p.runDownstream(ctx, d); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (p *Pusher) runDownstream(ctx context.Context, d Downstream) error {
	a, db := p.App, p.App.DB.Read()
	now := a.now()
	if err := db.EnsureDownstream(ctx, d.Name, now); err != nil {
		return err
	}
	ok, err := db.ClaimDownstream(ctx, d.Name, p.Owner, now, now.Add(pushLease))
	if err != nil || !ok {
		return err
	}
	state, err := db.FindDownstream(ctx, d.Name)
	if err != nil {
		return err
	}
	c := p.clients[d.Name]
	fail := func(err error) error {
		backoff := min(time.Duration(1<<min(state.Failures, 10))*time.Second, pushMaxBackoff)
		a.Logger.Warn("push to downstream failed", "downstream", d.Name, "err", err, "retry_in", backoff)
		if ferr := db.DownstreamFailed(ctx, d.Name, p.Owner, err.Error(), a.now(), a.now().Add(backoff)); ferr != nil {
			return ferr
		}
		return fmt.Errorf("push to %s: %w", d.Name, err)
	}
	if !state.ResendRequestedAt.IsZero() {
		summary, pushed, end, err := p.resend(ctx, d, c)
		if err != nil {
			return fail(err)
		}
		if err := db.ResendDone(ctx, d.Name, p.Owner, state.ResendRequestedAt, end, summary, pushed, a.now()); err != nil {
			return err
		}
		a.Logger.Info("downstream resent", "downstream", d.Name, "summary", summary)
		if state, err = db.FindDownstream(ctx, d.Name); err != nil {
			return err
		}
	}
	events, err := db.FindProvisioningEvents(ctx, state.Cursor, pushBatch)
	if err != nil {
		return err
	}
	cursor, pushed := state.Cursor, int64(0)
	done := map[portal.AccountID]bool{}
	for _, e := range events {
		if !done[e.AccountID] {
			changed, err := p.sync(ctx, d, c, e.AccountID)
			if err != nil {
				// Progress so far is kept; the cursor stops before this event.
				if _, aerr := db.AdvanceDownstream(ctx, d.Name, p.Owner, cursor, pushed, a.now()); aerr != nil {
					return aerr
				}
				return fail(fmt.Errorf("user %d: %w", e.AccountID, err))
			}
			done[e.AccountID] = true
			if changed {
				pushed++
			}
		}
		cursor = e.ID
	}
	if _, err := db.AdvanceDownstream(ctx, d.Name, p.Owner, cursor, pushed, a.now()); err != nil {
		return err
	}
	return db.ReleaseDownstream(ctx, d.Name, p.Owner)
}

// sync makes the downstream's copy of one person match what the portal
// provisions now, and reports whether it had to change anything.
func (p *Pusher) sync(ctx context.Context, d Downstream, c *scim.Client, id portal.AccountID) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*pushCallTimeout)
	defer cancel()
	want, err := p.desired(ctx, d, id)
	if err != nil {
		return false, err
	}
	have, err := c.FindByExternalID(ctx, strconv.FormatInt(int64(id), 10))
	if err != nil {
		return false, err
	}
	return p.repair(ctx, d, c, want, have)
}

// desired is the body to send for a person, or nil when the portal does not
// provision them (never did, or deprovisioned).
func (p *Pusher) desired(ctx context.Context, d Downstream, id portal.AccountID) (map[string]any, error) {
	u, err := p.App.DB.Read().FindProvisionedUser(ctx, id, p.App.today())
	if store.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := p.App.withQualifyingSponsors(ctx, []*portal.ProvisionedUser{u}); err != nil {
		return nil, err
	}
	return scim.PushBody(scim.UserOf(u, p.App.Config.BaseURL), d.Attributes, d.Extension), nil
}

func (p *Pusher) attrNames(d Downstream) []string {
	names := d.Attributes
	if len(names) == 0 {
		names = scim.CoreAttributes
	}
	if d.Extension {
		names = append(append([]string(nil), names...), scim.ExtensionSchema)
	}
	return names
}

// repair creates, patches or deletes one downstream user.
func (p *Pusher) repair(
	ctx context.Context,
	d Downstream,
	c *scim.Client,
	want map[string]any,
	have *scim.RemoteUser,
) (bool, error) {
	switch {
	case want == nil && have == nil:
		return false, nil
	case want == nil:
		return true, c.Delete(ctx, have.ID)
	case have == nil:
		_, err := c.Create(ctx, want)
		return true, err
	}
	diff := scim.Differs(want, have, p.attrNames(d))
	if len(diff) == 0 {
		return false, nil
	}
	return true, c.Patch(ctx, have.ID, want, diff)
}

// resend compares every downstream user with the portal's and repairs the
// differences: users missing downstream are created, different ones
// patched, and users the portal made there (they have a numeric externalId)
// that it no longer provisions are deleted. Users someone else made there
// are left alone. It returns a one-line summary, how many users it changed,
// and the feed position it covered (the feed's end when it started: events
// after that are pushed as usual).
func (p *Pusher) resend(ctx context.Context, d Downstream, c *scim.Client) (string, int64, int64, error) {
	db := p.App.DB.Read()
	end, err := db.FeedEnd(ctx)
	if err != nil {
		return "", 0, 0, err
	}
	remote, err := c.List(ctx)
	if err != nil {
		return "", 0, 0, err
	}
	byExt := map[string]*scim.RemoteUser{}
	for _, u := range remote {
		if n, err := strconv.ParseInt(u.ExternalID, 10, 64); err == nil && n > 0 {
			byExt[u.ExternalID] = u
		}
	}
	ids, err := db.FindEverProvisionedAccounts(ctx)
	if err != nil {
		return "", 0, 0, err
	}
	var created, patched, deleted, same int
	handled := map[string]bool{}
	for _, n := range ids {
		ext := strconv.FormatInt(n, 10)
		handled[ext] = true
		want, err := p.desired(ctx, d, portal.AccountID(n))
		if err != nil {
			return "", 0, 0, err
		}
		have := byExt[ext]
		changed, err := p.repair(ctx, d, c, want, have)
		if err != nil {
			return "", 0, 0, fmt.Errorf("user %d: %w", n, err)
		}
		switch {
		case !changed:
			if want != nil {
				same++
			}
		case want == nil:
			deleted++
		case have == nil:
			created++
		default:
			patched++
		}
	}
	// Users with a portal id the portal never provisioned (a database
	// restored from an older backup, a hand-made entry): not the portal's.
	for ext, u := range byExt {
		if !handled[ext] {
			if err := c.Delete(ctx, u.ID); err != nil {
				return "", 0, 0, fmt.Errorf("user %s: %w", ext, err)
			}
			deleted++
		}
	}
	summary := fmt.Sprintf("%d unchanged, %d created, %d changed, %d removed", same, created, patched, deleted)
	return summary, int64(created + patched + deleted), end, nil
}

// DownstreamStatus is what the team's page shows of one downstream.
type DownstreamStatus struct {
	portal.Downstream
	URL         string
	Configured  bool      // false: in the database only, no longer configured
	Backlog     int       // change-feed events not pushed yet
	OldestEvent time.Time // when the oldest of them happened
}

// Lag is how long the oldest event not yet pushed has waited (zero when
// none waits).
func (s DownstreamStatus) Lag(now time.Time) time.Duration {
	if s.Backlog == 0 || s.OldestEvent.IsZero() {
		return 0
	}
	return now.Sub(s.OldestEvent)
}

// DownstreamStatuses returns every downstream's push state, for the team's
// administrators. Viewing it is audited.
func (a *App) DownstreamStatuses(
	ctx context.Context,
	meta portal.RequestMeta,
	staff *portal.Staff,
) ([]DownstreamStatus, error) {
	configured := a.Downstreams
	if err := requireAdministrator(staff); err != nil {
		return nil, err
	}
	db := a.DB.Read()
	for _, d := range configured {
		if err := db.EnsureDownstream(ctx, d.Name, a.now()); err != nil {
			return nil, err
		}
	}
	rows, err := db.FindDownstreams(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]DownstreamStatus, 0, len(rows))
	for _, r := range rows {
		st := DownstreamStatus{Downstream: *r}
		for _, d := range configured {
			if d.Name == r.Name {
				st.URL, st.Configured = d.URL, true
			}
		}
		if st.Backlog, st.OldestEvent, err = db.FeedBacklog(ctx, r.Cursor); err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		return a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorStaff, actorID: staffRef(staff.ID),
			action: "staff.viewed_downstreams", subjectKind: "provisioning", subjectID: "downstreams"})
	})
	return out, err
}

// RequestResend asks for a full comparison and repair of one downstream
// ("Resend everything"); the next push run does it. Audited.
func (a *App) RequestResend(ctx context.Context, meta portal.RequestMeta, staff *portal.Staff, name string) error {
	if err := requireAdministrator(staff); err != nil {
		return err
	}
	return a.DB.InTx(ctx, func(tx *store.Tx) error {
		ok, err := tx.RequestResend(ctx, name, staffRef(staff.ID), a.now())
		if err != nil {
			return err
		}
		if !ok {
			return portal.Errorf(portal.ENOTFOUND, "No downstream is called %q.", portal.Truncate(name, 40))
		}
		return a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorStaff, actorID: staffRef(staff.ID),
			action: "provisioning.resend_requested", subjectKind: "downstream", subjectID: name})
	})
}

func requireAdministrator(s *portal.Staff) error {
	if s == nil || !s.Has(portal.RoleAdministrator) {
		return portal.Errorf(portal.EFORBIDDEN, "Only the CareConnect team's administrators manage downstream systems.")
	}
	return nil
}
