package scim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// PatchOpSchema and ListResponseSchema are the message schemas of RFC 7644.
const (
	PatchOpSchema      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	ListResponseSchema = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	ErrorSchema        = "urn:ietf:params:scim:api:messages:2.0:Error"
)

// CoreAttributes are the User attributes push mode can send; a downstream's
// configuration picks among them. externalId (the portal's id) is always
// sent: it is how the portal finds its users downstream.
var CoreAttributes = []string{"userName", "name", "displayName", "emails", "phoneNumbers", "active"}

// Client talks to one downstream SCIM service's /Users.
type Client struct {
	BaseURL string // ending before /Users, e.g. https://scim.example/scim/v2
	Token   string // the bearer token
	HTTP    *http.Client
}

// RemoteUser is a user as the downstream holds it.
type RemoteUser struct {
	ID         string         `json:"id"`
	ExternalID string         `json:"externalId"`
	Attrs      map[string]any `json:"-"` // every attribute, as sent back
}

// Error is a downstream's refusal or failure, with its HTTP status.
type Error struct {
	Status int
	Detail string
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return fmt.Sprintf("downstream answered %d", e.Status)
	}
	return fmt.Sprintf("downstream answered %d: %s", e.Status, e.Detail)
}

// IsNotFound reports whether err is the downstream's 404.
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}

func (c *Client) do(ctx context.Context, method, path string, body any) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.BaseURL, "/")+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Accept", "application/scim+json")
	if body != nil {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Detail string `json:"detail"`
		}
		_ = json.Unmarshal(b, &e)
		if len(e.Detail) > 300 {
			e.Detail = e.Detail[:300]
		}
		return nil, &Error{Status: resp.StatusCode, Detail: e.Detail}
	}
	return b, nil
}

func parseRemote(b []byte) (*RemoteUser, error) {
	var u RemoteUser
	if err := json.Unmarshal(b, &u); err != nil {
		return nil, fmt.Errorf("downstream sent a user that is not JSON: %w", err)
	}
	if err := json.Unmarshal(b, &u.Attrs); err != nil {
		return nil, err
	}
	if u.ID == "" {
		return nil, errors.New("downstream sent a user without an id")
	}
	return &u, nil
}

type listResponse struct {
	TotalResults int               `json:"totalResults"`
	StartIndex   int               `json:"startIndex"`
	Resources    []json.RawMessage `json:"Resources"`
}

// FindByExternalID returns the downstream user the portal created for one
// of its people, or nil when there is none.
func (c *Client) FindByExternalID(ctx context.Context, externalID string) (*RemoteUser, error) {
	q := url.Values{"filter": {`externalId eq "` + externalID + `"`}}
	users, _, err := c.listPage(ctx, "/Users?"+q.Encode())
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if u.ExternalID == externalID {
			return u, nil
		}
	}
	return nil, nil
}

// List returns every downstream user, page by page.
func (c *Client) List(ctx context.Context) ([]*RemoteUser, error) {
	var out []*RemoteUser
	for start := 1; ; {
		users, total, err := c.listPage(ctx, "/Users?startIndex="+strconv.Itoa(start)+"&count=100")
		if err != nil {
			return nil, err
		}
		out = append(out, users...)
		start += len(users)
		if len(users) == 0 || start > total || len(out) > 1_000_000 {
			return out, nil
		}
	}
}

// listPage reads one ListResponse: its users and its totalResults.
func (c *Client) listPage(ctx context.Context, path string) ([]*RemoteUser, int, error) {
	b, err := c.do(ctx, http.MethodGet, path, nil)
	if err != nil {
		return nil, 0, err
	}
	var lr listResponse
	if err := json.Unmarshal(b, &lr); err != nil {
		return nil, 0, fmt.Errorf("downstream list is not JSON: %w", err)
	}
	users := make([]*RemoteUser, 0, len(lr.Resources))
	for _, raw := range lr.Resources {
		u, err := parseRemote(raw)
		if err != nil {
			return nil, 0, err
		}
		users = append(users, u)
	}
	return users, lr.TotalResults, nil
}

// Create adds a user downstream.
func (c *Client) Create(ctx context.Context, user map[string]any) (*RemoteUser, error) {
	b, err := c.do(ctx, http.MethodPost, "/Users", user)
	if err != nil {
		return nil, err
	}
	return parseRemote(b)
}

// Patch replaces the given attributes of a downstream user (RFC 7644 3.5.2,
// one "replace" operation an attribute).
func (c *Client) Patch(ctx context.Context, id string, attrs map[string]any, names []string) error {
	type op struct {
		Op    string `json:"op"`
		Path  string `json:"path"`
		Value any    `json:"value"`
	}
	var ops []op
	for _, n := range names {
		if v, ok := attrs[n]; ok {
			ops = append(ops, op{Op: "replace", Path: n, Value: v})
		}
	}
	if len(ops) == 0 {
		return nil
	}
	_, err := c.do(ctx, http.MethodPatch, "/Users/"+url.PathEscape(id),
		map[string]any{"schemas": []string{PatchOpSchema}, "Operations": ops})
	return err
}

// Delete removes a downstream user; one already gone is not an error.
func (c *Client) Delete(ctx context.Context, id string) error {
	_, err := c.do(ctx, http.MethodDelete, "/Users/"+url.PathEscape(id), nil)
	if IsNotFound(err) {
		return nil
	}
	return err
}

// PushBody is the user to send downstream: the chosen core attributes (all
// of CoreAttributes when attrs is empty), externalId, and the CareConnect
// extension when extension is true.
func PushBody(u User, attrs []string, extension bool) map[string]any {
	if len(attrs) == 0 {
		attrs = CoreAttributes
	}
	raw, _ := json.Marshal(u)
	var all map[string]any
	_ = json.Unmarshal(raw, &all)
	out := map[string]any{"externalId": u.ID, "schemas": []string{UserSchema}}
	for _, a := range attrs {
		if v, ok := all[a]; ok {
			out[a] = v
		}
	}
	if extension {
		out["schemas"] = []string{UserSchema, ExtensionSchema}
		out[ExtensionSchema] = all[ExtensionSchema]
	}
	return out
}

// Differs lists the attributes among names whose values differ between the
// body the portal would send and what the downstream holds. Values compare
// as JSON, so key order does not matter; an attribute the downstream holds
// with extra sub-attributes it added itself counts as different.
func Differs(want map[string]any, have *RemoteUser, names []string) []string {
	var out []string
	for _, n := range names {
		w, inWant := want[n]
		h, inHave := have.Attrs[n]
		if !inWant && !inHave {
			continue
		}
		wb, _ := json.Marshal(w)
		hb, _ := json.Marshal(h)
		if inWant != inHave || !jsonEqual(wb, hb) {
			out = append(out, n)
		}
	}
	return out
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return bytes.Equal(xb, yb)
}
