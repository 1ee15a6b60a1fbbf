package app

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/secret"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// The provisioning API tells downstream systems (the clinical viewer) who
// is provisioned for CareConnect. Its clients authenticate with bearer
// tokens that the CareConnect team creates on the command line; each token
// carries scopes saying which parts of the API it may read.

// Token scopes.
const (
	TokenScopeSCIM   = "scim:read"   // the SCIM 2.0 Users endpoints
	TokenScopeEvents = "events:read" // the change feed
)

// TokenScopes lists every scope, in the order they are stored and shown.
var TokenScopes = []string{TokenScopeSCIM, TokenScopeEvents}

const (
	// TokenPrefix starts every token, so a leaked one is recognisable
	// (secret scanners, logs).
	TokenPrefix = "ccp_"
	// MaxTokenLifetime is the longest a token may live before it must be
	// replaced.
	MaxTokenLifetime = 365 * 24 * time.Hour
	// tokenTouchEvery limits how often a token's last use is written.
	tokenTouchEvery = time.Minute
)

// Token states.
const (
	TokenActive  = "active"
	TokenExpired = "expired"
	TokenRevoked = "revoked"
)

// Token is a downstream client's bearer token (never its secret).
type Token struct {
	ID         int64
	Name       string
	Scopes     []string
	CreatedBy  string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	RevokedAt  time.Time
	LastUsedAt time.Time
}

// HasScope reports whether the token grants scope.
func (t *Token) HasScope(scope string) bool { return slices.Contains(t.Scopes, scope) }

// State says whether the token is active, expired or revoked at now.
func (t *Token) State(now time.Time) string {
	switch {
	case !t.RevokedAt.IsZero():
		return TokenRevoked
	case !now.Before(t.ExpiresAt):
		return TokenExpired
	}
	return TokenActive
}

func tokenFrom(s *store.APIToken) *Token {
	return &Token{ID: s.ID, Name: s.Name, Scopes: s.Scopes, CreatedBy: s.CreatedBy, CreatedAt: s.CreatedAt,
		ExpiresAt: s.ExpiresAt, RevokedAt: s.RevokedAt, LastUsedAt: s.LastUsedAt}
}

// TokenInput is what the CareConnect team gives to create a token.
type TokenInput struct {
	Name     string        // names the client, e.g. "clinical-viewer-prod"; its audit trail uses it
	Scopes   []string      // TokenScopes
	Lifetime time.Duration // up to MaxTokenLifetime
}

var tokenNameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$`)

// Validate checks the input and puts the scopes in their canonical order.
func (in *TokenInput) Validate() portal.FieldErrors {
	fe := portal.FieldErrors{}
	in.Name = strings.TrimSpace(in.Name)
	if !tokenNameRe.MatchString(in.Name) {
		fe.Add(
			"name",
			"Name the token with 2 to 64 letters, digits, periods, hyphens or underscores, e.g. clinical-viewer-prod.",
		)
	}
	var scopes []string
	for _, s := range in.Scopes {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !slices.Contains(TokenScopes, s) {
			fe.Add("scope", fmt.Sprintf("Unknown scope %q: use %s.", s, strings.Join(TokenScopes, " or ")))
		}
		scopes = append(scopes, s)
	}
	if len(scopes) == 0 {
		fe.Add("scope", "Give at least one scope: "+strings.Join(TokenScopes, ", ")+".")
	}
	in.Scopes = nil
	for _, s := range TokenScopes {
		if slices.Contains(scopes, s) {
			in.Scopes = append(in.Scopes, s)
		}
	}
	switch {
	case in.Lifetime <= 0:
		fe.Add("expires", "Give how long the token lasts, e.g. 90d.")
	case in.Lifetime > MaxTokenLifetime:
		fe.Add("expires", "A token may last at most one year (365d).")
	}
	return fe
}

// ParseTokenLifetime reads a lifetime such as "90d", "12w", "1y" (365
// days) or a Go duration such as "36h".
func ParseTokenLifetime(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	bad := portal.Errorf(portal.EINVALID, "Give the lifetime as a number of days, weeks or years, e.g. 90d, 12w or 1y.")
	if s == "" {
		return 0, bad
	}
	unit := map[byte]time.Duration{'d': 24 * time.Hour, 'w': 7 * 24 * time.Hour, 'y': 365 * 24 * time.Hour}[s[len(s)-1]]
	if unit == 0 {
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, bad
		}
		return d, nil
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n <= 0 || n > 100000 {
		return 0, bad
	}
	return time.Duration(n) * unit, nil
}

// newAPIToken returns a fresh token: the prefix and 32 random bytes in
// unpadded base64url, the form FindAPIToken checks.
func newAPIToken() string { return TokenPrefix + secret.URL(32) }

func validStaffName(by string) error {
	if strings.TrimSpace(by) == "" {
		return portal.Errorf(portal.EINVALID, "Name the CareConnect team member doing this (--by).")
	}
	return nil
}

// CreateToken creates a token for a downstream client and returns its
// secret, which is shown this once: only its hash is stored. by names the
// staff member.
func (a *App) CreateToken(
	ctx context.Context,
	meta portal.RequestMeta,
	by string,
	in TokenInput,
) (string, *Token, error) {
	if err := validStaffName(by); err != nil {
		return "", nil, err
	}
	if err := in.Validate().Err(); err != nil {
		return "", nil, err
	}
	now := a.now()
	raw := newAPIToken()
	t := &store.APIToken{Name: in.Name, Scopes: in.Scopes, CreatedBy: strings.TrimSpace(by), CreatedAt: now,
		ExpiresAt: now.Add(in.Lifetime).Truncate(time.Millisecond)}
	err := a.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateAPIToken(ctx, t, secret.Hash(raw)); err != nil {
			if store.IsConflictOn(err, "name") {
				return portal.Errorf(portal.ECONFLICT, "A token named %s already exists; choose another name.", in.Name)
			}
			return err
		}
		return a.audit(
			ctx,
			tx,
			meta,
			auditEvent{actorKind: portal.ActorStaff, actorID: t.CreatedBy, action: "api_token.created",
				subjectKind: "api_token", subjectID: t.Name, details: map[string]any{"scopes": t.Scopes, "expires_at": t.ExpiresAt}},
		)
	})
	if err != nil {
		return "", nil, err
	}
	return raw, tokenFrom(t), nil
}

// Tokens lists every token, revoked and expired ones too.
func (a *App) Tokens(ctx context.Context) ([]*Token, error) {
	ts, err := a.DB.Read().FindAPITokens(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*Token, len(ts))
	for i, t := range ts {
		out[i] = tokenFrom(t)
	}
	return out, nil
}

// RevokeToken ends a token at once. by names the staff member.
func (a *App) RevokeToken(ctx context.Context, meta portal.RequestMeta, by, name string) (*Token, error) {
	if err := validStaffName(by); err != nil {
		return nil, err
	}
	t, err := a.DB.Read().FindAPITokenByName(ctx, strings.TrimSpace(name))
	if store.IsNotFound(err) {
		return nil, portal.Errorf(portal.ENOTFOUND, "No token is named %q.", name)
	} else if err != nil {
		return nil, err
	}
	now := a.now()
	err = a.DB.InTx(ctx, func(tx *store.Tx) error {
		ok, err := tx.RevokeAPIToken(ctx, t.ID, now)
		if err != nil {
			return err
		}
		if !ok {
			return portal.Errorf(portal.ECONFLICT, "The token %s is already revoked.", t.Name)
		}
		return a.audit(
			ctx,
			tx,
			meta,
			auditEvent{actorKind: portal.ActorStaff, actorID: strings.TrimSpace(by), action: "api_token.revoked",
				subjectKind: "api_token", subjectID: t.Name},
		)
	})
	if err != nil {
		return nil, err
	}
	t.RevokedAt = now
	return tokenFrom(t), nil
}

// AuthenticateToken returns the active token whose secret is raw. The
// token is found by its hash, so no comparison of secrets can leak
// through timing. Its last use is recorded at most once a minute.
func (a *App) AuthenticateToken(ctx context.Context, raw string) (*Token, error) {
	invalid := portal.Errorf(portal.EUNAUTHORIZED, "The access token is not valid.")
	if !strings.HasPrefix(raw, TokenPrefix) || len(raw) != len(TokenPrefix)+43 {
		return nil, invalid
	}
	st, err := a.DB.Read().FindAPITokenByHash(ctx, secret.Hash(raw))
	if store.IsNotFound(err) {
		return nil, invalid
	} else if err != nil {
		return nil, err
	}
	t, now := tokenFrom(st), a.now()
	switch t.State(now) {
	case TokenRevoked:
		return nil, portal.Errorf(portal.EUNAUTHORIZED, "The access token has been revoked.")
	case TokenExpired:
		return nil, portal.Errorf(portal.EUNAUTHORIZED, "The access token has expired.")
	}
	if now.Sub(t.LastUsedAt) >= tokenTouchEvery {
		if err := a.DB.Read().TouchAPIToken(ctx, t.ID, now, tokenTouchEvery); err != nil {
			return nil, err
		}
		t.LastUsedAt = now
	}
	return t, nil
}

// AuthorizeToken checks that a token grants scope; a refusal is audited.
func (a *App) AuthorizeToken(ctx context.Context, meta portal.RequestMeta, t *Token, scope string) error {
	if t == nil {
		return portal.Errorf(portal.EUNAUTHORIZED, "An access token is required.")
	}
	if t.HasScope(scope) {
		return nil
	}
	if err := a.AuditAPICall(ctx, meta, t, "api.forbidden", "provisioning", "", map[string]any{"scope": scope}); err != nil {
		return err
	}
	return portal.Errorf(portal.EFORBIDDEN, "The access token does not grant the %s scope.", scope)
}

// AuditAPICall records a call of the provisioning API by a client.
func (a *App) AuditAPICall(
	ctx context.Context,
	meta portal.RequestMeta,
	t *Token,
	action, subjectKind, subjectID string,
	details any,
) error {
	return a.DB.InTx(ctx, func(tx *store.Tx) error {
		return a.audit(ctx, tx, meta, auditEvent{actorKind: portal.ActorClient, actorID: t.Name, action: action,
			subjectKind: subjectKind, subjectID: subjectID, details: details})
	})
}

// ProvisionedUser is a person as the provisioning API shows them.
type ProvisionedUser = portal.ProvisionedUser

// SCIM paging.
const (
	DefaultUserPage = 100
	MaxUserPage     = 500
)

// UserQuery selects provisioned people: a SCIM filter and a page.
type UserQuery struct {
	Filter     string
	StartIndex int // 1-based; less than 1 means 1
	Count      int // at most MaxUserPage; 0 asks only for the total
}

// UserPage is one page of provisioned people.
type UserPage struct {
	Total      int
	StartIndex int
	Users      []*ProvisionedUser
}

// UserFilter is a parsed SCIM filter.
type UserFilter struct {
	Username     string    // stored form: lower case, without HXBC\
	ChangedAfter time.Time // meta.lastModified gt
}

// FilterError is a SCIM filter the API does not support. It carries an
// EINVALID *portal.Error, so its message is safe to show.
type FilterError struct{ Message string }

func (e *FilterError) Error() string { return "app: invalid filter: " + e.Message }

// Unwrap gives the portal error with the message.
func (e *FilterError) Unwrap() error { return portal.Errorf(portal.EINVALID, "%s", e.Message) }

// ProvisionedUsers lists provisioned people for a client with the
// scim:read scope. Every call is audited.
func (a *App) ProvisionedUsers(ctx context.Context, meta portal.RequestMeta, t *Token, q UserQuery) (*UserPage, error) {
	if err := a.AuthorizeToken(ctx, meta, t, TokenScopeSCIM); err != nil {
		return nil, err
	}
	q.StartIndex = max(q.StartIndex, 1)
	q.Count = min(max(q.Count, 0), MaxUserPage)
	details := map[string]any{"filter": portal.Truncate(q.Filter, 300), "start_index": q.StartIndex, "count": q.Count}
	f, err := ParseUserFilter(q.Filter)
	if err != nil {
		details["error"] = "invalid filter"
		if aerr := a.AuditAPICall(ctx, meta, t, "api.scim_list", "provisioning", "users", details); aerr != nil {
			return nil, aerr
		}
		return nil, err
	}
	sf := store.ProvisionedFilter{
		Username:     f.Username,
		ChangedAfter: f.ChangedAfter,
		Offset:       q.StartIndex - 1,
		Limit:        q.Count,
		Today:        a.today(),
	}
	page := &UserPage{StartIndex: q.StartIndex}
	if page.Total, err = a.DB.Read().CountProvisionedUsers(ctx, sf); err != nil {
		return nil, err
	}
	if page.Users, err = a.DB.Read().FindProvisionedUsers(ctx, sf); err != nil {
		return nil, err
	}
	if err := a.withQualifyingSponsors(ctx, page.Users); err != nil {
		return nil, err
	}
	details["total_results"], details["returned"] = page.Total, len(page.Users)
	if err := a.AuditAPICall(ctx, meta, t, "api.scim_list", "provisioning", "users", details); err != nil {
		return nil, err
	}
	return page, nil
}

// ProvisionedUserByID returns one provisioned person (id is the account id
// as a string) for a client with the scim:read scope. People who are not,
// or no longer, provisioned are not found. Every call is audited.
func (a *App) ProvisionedUserByID(
	ctx context.Context,
	meta portal.RequestMeta,
	t *Token,
	id string,
) (*ProvisionedUser, error) {
	if err := a.AuthorizeToken(ctx, meta, t, TokenScopeSCIM); err != nil {
		return nil, err
	}
	notFound := portal.Errorf(portal.ENOTFOUND, "No provisioned user has the id %q.", portal.Truncate(id, 40))
	var u *ProvisionedUser
	n, err := strconv.ParseInt(id, 10, 64)
	if err == nil && n > 0 && strconv.FormatInt(n, 10) == id {
		u, err = a.DB.Read().FindProvisionedUser(ctx, portal.AccountID(n), a.today())
		if err != nil && !store.IsNotFound(err) {
			return nil, err
		}
		if u != nil {
			if err := a.withQualifyingSponsors(ctx, []*portal.ProvisionedUser{u}); err != nil {
				return nil, err
			}
		}
	}
	if aerr := a.AuditAPICall(ctx, meta, t, "api.scim_get", "account", portal.Truncate(id, 40), map[string]bool{"found": u != nil}); aerr != nil {
		return nil, aerr
	}
	if u == nil {
		return nil, notFound
	}
	return u, nil
}

// Change feed paging and long polling.
const (
	DefaultFeedPage = 100
	MaxFeedPage     = 1000
	MaxFeedWait     = 60 * time.Second // the longest a reader may wait for an event
	// DefaultFeedPoll is how often a waiting reader looks for events
	// written by other instances; events written by this one wake it at once.
	DefaultFeedPoll = time.Second
)

// FeedQuery reads the change feed after a cursor.
type FeedQuery struct {
	After string // the cursor: "" (or "0") from the start, else the last event id seen
	Limit int    // 0 for the default; at most MaxFeedPage
	// Wait, when set, holds the call until an event after the cursor exists
	// or the wait ends: a duration such as "30s", or whole seconds ("30"),
	// at most MaxFeedWait.
	Wait string
}

// ParseFeedWait reads a feed wait: "" or "0" for none, a Go duration ("30s",
// "1m") or whole seconds ("30"), at most MaxFeedWait.
func ParseFeedWait(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if n, nerr := strconv.ParseInt(s, 10, 64); nerr == nil {
		d, err = time.Duration(min(max(n, -1), int64(MaxFeedWait/time.Second)+1))*time.Second, nil
	}
	if err != nil || d < 0 || d > MaxFeedWait {
		return 0, portal.Errorf(portal.EINVALID, "wait must be a duration from 0s to %ds, such as 30s (got %q).",
			int(MaxFeedWait/time.Second), portal.Truncate(s, 40))
	}
	return d, nil
}

// FeedPage is a page of the change feed, oldest first. Next is the cursor
// to ask with next time (the same one when nothing new happened); More
// says whether more events wait already.
type FeedPage struct {
	Events []portal.ProvisioningEvent
	Next   string
	More   bool
}

// ProvisioningFeed reads the change feed for a client with the events:read
// scope. Every call is audited.
func (a *App) ProvisioningFeed(ctx context.Context, meta portal.RequestMeta, t *Token, q FeedQuery) (*FeedPage, error) {
	if err := a.AuthorizeToken(ctx, meta, t, TokenScopeEvents); err != nil {
		return nil, err
	}
	var after int64
	var bad error
	if q.After != "" {
		n, err := strconv.ParseInt(q.After, 10, 64)
		if err != nil || n < 0 {
			bad = portal.Errorf(
				portal.EINVALID,
				"The cursor %q is not one this feed gave out.",
				portal.Truncate(q.After, 40),
			)
		}
		after = n
	}
	wait, werr := ParseFeedWait(q.Wait)
	switch {
	case werr != nil:
		bad = werr
	case q.Limit < 0:
		bad = portal.Errorf(portal.EINVALID, "The limit must be between 1 and %d.", MaxFeedPage)
	case q.Limit == 0:
		q.Limit = DefaultFeedPage
	case q.Limit > MaxFeedPage:
		q.Limit = MaxFeedPage
	}
	if bad != nil {
		if err := a.AuditAPICall(ctx, meta, t, "api.events", "provisioning", "events", map[string]any{
			"after": portal.Truncate(q.After, 40), "wait": portal.Truncate(q.Wait, 40), "error": portal.ErrorMessage(bad)}); err != nil {
			return nil, err
		}
		return nil, bad
	}
	evs, waited, err := a.waitForEvents(ctx, after, q.Limit+1, wait)
	if err != nil {
		return nil, err
	}
	page := &FeedPage{Events: evs, Next: strconv.FormatInt(after, 10)}
	if len(evs) > q.Limit {
		page.Events, page.More = evs[:q.Limit], true
	}
	if n := len(page.Events); n > 0 {
		page.Next = strconv.FormatInt(page.Events[n-1].ID, 10)
	}
	details := map[string]any{"after": after, "limit": q.Limit, "returned": len(page.Events), "next": page.Next}
	if wait > 0 {
		details["wait"] = wait.String()
		details["waited"] = waited.Round(time.Millisecond).String()
	}
	// A reader that went away while waiting is still recorded.
	if err := a.AuditAPICall(context.WithoutCancel(ctx), meta, t, "api.events", "provisioning", "events", details); err != nil {
		return nil, err
	}
	return page, nil
}

// feedStop ends every change-feed wait when the portal shuts down.
type feedStop struct {
	mu sync.Mutex
	ch chan struct{}
}

func (f *feedStop) stopped() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ch == nil {
		f.ch = make(chan struct{})
	}
	return f.ch
}

// EndFeedWaits answers every change-feed call waiting for events now, and
// every later one at once, so a shutting-down server need not wait for them.
func (a *App) EndFeedWaits() {
	a.feedWaits.stopped() // made if no call ever waited
	a.feedWaits.mu.Lock()
	defer a.feedWaits.mu.Unlock()
	select {
	case <-a.feedWaits.ch:
	default:
		close(a.feedWaits.ch)
	}
}

// waitForEvents reads the feed after a cursor; when nothing is there and
// wait is set, it waits until an event is committed or the wait ends. A
// commit in this process wakes it at once (the store signals it); events
// written by other instances are found by reading again every
// FeedPollInterval. It stops early, with what it has, when ctx ends.
func (a *App) waitForEvents(
	ctx context.Context,
	after int64,
	limit int,
	wait time.Duration,
) ([]portal.ProvisioningEvent, time.Duration, error) {
	start := time.Now()
	poll := a.FeedPollInterval
	if poll <= 0 {
		poll = DefaultFeedPoll
	}
	for {
		changed := a.DB.FeedChanged() // before reading: a commit after the read still wakes us
		evs, err := a.DB.Read().FindProvisioningEvents(ctx, after, limit)
		if err != nil || len(evs) > 0 {
			return evs, time.Since(start), err
		}
		left := wait - time.Since(start)
		if left <= 0 {
			return nil, time.Since(start), nil
		}
		timer := time.NewTimer(min(poll, left))
		select {
		case <-changed:
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return nil, time.Since(start), nil
		case <-a.feedWaits.stopped():
			timer.Stop()
			return nil, time.Since(start), nil
		}
		timer.Stop()
	}
}
