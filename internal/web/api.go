package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
	"github.com/bcgov-example/careconnect-portal/internal/scim"
)

// The provisioning API: SCIM 2.0 Users (RFC 7643, RFC 7644), read only, and
// a change feed. Clients authenticate with bearer tokens; every answer,
// errors included, is JSON and never cached.

const (
	scimContentType = "application/scim+json"
	jsonContentType = "application/json"

	scimUserSchema      = scim.UserSchema
	scimExtensionSchema = scim.ExtensionSchema
	scimListSchema      = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	scimErrorSchema     = "urn:ietf:params:scim:api:messages:2.0:Error"
	scimConfigSchema    = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	scimTypeSchema      = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	scimSchemaSchema    = "urn:ietf:params:scim:schemas:core:2.0:Schema"

	// apiRateLimit is how many calls one token may make an hour.
	apiRateLimit = 6000
	// apiAuthFailureLimit is how many calls with a bad token one address
	// may make an hour before it is told to wait.
	apiAuthFailureLimit = 300
)

// apiRoutes registers the provisioning API (SCIM 2.0 and the change feed).
func (s *Server) apiRoutes(handle func(pattern string, h handler)) {
	handle("GET /scim/v2/Users", s.api(scimContentType, app.TokenScopeSCIM, s.handleSCIMUsers))
	handle("GET /scim/v2/Users/{id}", s.api(scimContentType, app.TokenScopeSCIM, s.handleSCIMUser))
	handle("POST /scim/v2/Users/.search", s.api(scimContentType, app.TokenScopeSCIM, s.handleSCIMSearch))
	handle("GET /scim/v2/ServiceProviderConfig", s.api(scimContentType, app.TokenScopeSCIM, s.handleSCIMConfig))
	handle("GET /scim/v2/ResourceTypes", s.api(scimContentType, app.TokenScopeSCIM, s.handleSCIMResourceTypes))
	handle("GET /scim/v2/ResourceTypes/{id}", s.api(scimContentType, app.TokenScopeSCIM, s.handleSCIMResourceTypes))
	handle("GET /scim/v2/Schemas", s.api(scimContentType, app.TokenScopeSCIM, s.handleSCIMSchemas))
	handle("GET /scim/v2/Schemas/{id}", s.api(scimContentType, app.TokenScopeSCIM, s.handleSCIMSchemas))
	handle("GET /api/v1/events", s.api(jsonContentType, app.TokenScopeEvents, s.handleEvents))
	// Everything else under the two prefixes, whatever the method, is
	// answered by the API (JSON, token first), never by a page.
	handle("/scim/", s.api(scimContentType, "", s.handleSCIMFallback))
	handle("/api/", s.api(jsonContentType, "", s.handleAPIFallback))
}

// apiHandler serves an authenticated API call.
type apiHandler func(w http.ResponseWriter, r *http.Request, t *app.Token) error

// api authenticates the bearer token, applies the token's rate limit,
// checks the scope (none for the not-found fallbacks) and answers every
// error as SCIM error JSON.
func (s *Server) api(contentType, scope string, h apiHandler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Type", contentType)
		err := s.serveAPI(w, r, scope, h)
		if err != nil {
			s.apiError(w, r, scope, err)
		}
		return nil
	}
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, scope string, h apiHandler) error {
	st := state(r)
	raw, ok := bearerToken(r)
	if !ok {
		return errNoToken
	}
	t, err := s.app.AuthenticateToken(r.Context(), raw)
	if err != nil {
		if portal.ErrorCode(err) == portal.EUNAUTHORIZED {
			st.logger.Warn("api token refused", "reason", portal.ErrorMessage(err))
			if lerr := s.rateLimit(r, "api-auth:"+st.meta.IP, apiAuthFailureLimit); lerr != nil {
				return lerr
			}
		}
		return err
	}
	st.logger = st.logger.With("api_token", t.Name)
	if err := s.rateLimit(r, "api-token:"+t.Name, apiRateLimit); err != nil {
		return err
	}
	if scope != "" {
		if err := s.app.AuthorizeToken(r.Context(), st.meta, t, scope); err != nil {
			return err
		}
	}
	return h(w, r, t)
}

var errNoToken = portal.Errorf(
	portal.EUNAUTHORIZED,
	"An access token is required: send it as Authorization: Bearer TOKEN.",
)

// bearerToken reads an "Authorization: Bearer TOKEN" header (RFC 6750).
func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

type scimError struct {
	Schemas  []string `json:"schemas"`
	ScimType string   `json:"scimType,omitempty"`
	Detail   string   `json:"detail"`
	Status   string   `json:"status"`
}

// writeSCIMError answers a SCIM error message (RFC 7644 section 3.12):
// the Error schema, the status as a string, the detail and the scimType
// when there is one. The content type is application/scim+json unless the
// caller set another (the change feed answers application/json).
func writeSCIMError(w http.ResponseWriter, status int, scimType, detail string) {
	h := w.Header()
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", scimContentType)
	}
	h.Set("Cache-Control", "no-store")
	writeJSON(
		w,
		status,
		scimError{Schemas: []string{scimErrorSchema}, ScimType: scimType, Detail: detail, Status: strconv.Itoa(status)},
	)
}

// apiStatusError is an answer of the API that no portal error code names:
// an operation it does not implement, a method a path does not take, a
// filter where none is allowed, a body too large.
type apiStatusError struct {
	status   int
	scimType string
	detail   string
	allow    string // the Allow header, when the path exists
}

func (e *apiStatusError) Error() string { return fmt.Sprintf("api: %d: %s", e.status, e.detail) }

// apiError answers an error as SCIM error JSON with the matching status
// and, for authentication failures, the WWW-Authenticate challenge.
func (s *Server) apiError(w http.ResponseWriter, r *http.Request, scope string, err error) {
	var se *apiStatusError
	if errors.As(err, &se) {
		if se.allow != "" {
			w.Header().Set("Allow", se.allow)
		}
		writeSCIMError(w, se.status, se.scimType, se.detail)
		return
	}
	var sc *scopeError
	if errors.As(err, &sc) {
		scope = sc.scope
	}
	e := scimError{Schemas: []string{scimErrorSchema}, Detail: portal.ErrorMessage(err)}
	status := http.StatusInternalServerError
	h := w.Header()
	switch portal.ErrorCode(err) {
	case portal.EUNAUTHORIZED:
		status = http.StatusUnauthorized
		challenge := `Bearer realm="portal"`
		if !errors.Is(err, errNoToken) {
			challenge += `, error="invalid_token", error_description="` + strings.ReplaceAll(e.Detail, `"`, `'`) + `"`
		}
		h.Set("WWW-Authenticate", challenge)
	case portal.EFORBIDDEN:
		status = http.StatusForbidden
		h.Set("WWW-Authenticate", `Bearer realm="portal", error="insufficient_scope", scope="`+scope+`"`)
	case portal.ENOTFOUND:
		status = http.StatusNotFound
	case portal.EINVALID:
		status, e.ScimType = http.StatusBadRequest, "invalidValue"
		var fe *app.FilterError
		if errors.As(err, &fe) {
			e.ScimType = "invalidFilter"
		}
	case portal.ERATELIMIT:
		status = http.StatusTooManyRequests
		e.Detail = "Too many requests: wait until the top of the hour and try again."
		h.Set("Retry-After", strconv.FormatInt(3600-s.app.Now().Unix()%3600, 10))
	default:
		if app.Unavailable(err) {
			state(r).logger.Warn("database unavailable", "err", err)
			status, e.Detail = http.StatusServiceUnavailable, "The service is unavailable: try again in a minute."
			h.Set("Retry-After", "60")
			break
		}
		state(r).logger.Error("api request failed", "err", err)
	}
	writeSCIMError(w, status, e.ScimType, e.Detail)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// scimTime formats a time as SCIM's dateTime, in UTC to the millisecond.
func scimTime(t time.Time) string { return scim.Time(t) }

type scimListResponse struct {
	Schemas      []string `json:"schemas"`
	TotalResults int      `json:"totalResults"`
	StartIndex   int      `json:"startIndex"`
	ItemsPerPage int      `json:"itemsPerPage"`
	Resources    []any    `json:"Resources"`
}

func listResponse(resources []any, total, start int) scimListResponse {
	if resources == nil {
		resources = []any{}
	}
	return scimListResponse{Schemas: []string{scimListSchema}, TotalResults: total, StartIndex: start,
		ItemsPerPage: len(resources), Resources: resources}
}

// queryInt reads an integer query parameter; def when it is absent.
func queryInt(r *http.Request, name string, def int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, portal.Errorf(portal.EINVALID, "%s must be a whole number.", name)
	}
	return n, nil
}

// auditBadQuery records a call refused for its query parameters, which
// the use case never saw.
func (s *Server) auditBadQuery(r *http.Request, t *app.Token, action string, err error) error {
	if aerr := s.app.AuditAPICall(r.Context(), state(r).meta, t, action, "provisioning", "", map[string]string{
		"query": r.URL.RawQuery, "error": portal.ErrorMessage(err)}); aerr != nil {
		return aerr
	}
	return err
}

func (s *Server) handleSCIMUsers(w http.ResponseWriter, r *http.Request, t *app.Token) error {
	start, err := queryInt(r, "startIndex", 1)
	if err != nil {
		return s.auditBadQuery(r, t, "api.scim_list", err)
	}
	count, err := queryInt(r, "count", app.DefaultUserPage)
	if err != nil {
		return s.auditBadQuery(r, t, "api.scim_list", err)
	}
	proj, err := s.parseSCIMProjection(queryList(r, "attributes"), queryList(r, "excludedAttributes"))
	if err != nil {
		return s.auditBadQuery(r, t, "api.scim_list", err)
	}
	return s.serveSCIMUsers(
		w,
		r,
		t,
		app.UserQuery{Filter: r.URL.Query().Get("filter"), StartIndex: start, Count: count},
		proj,
	)
}

// serveSCIMUsers answers a page of people as a SCIM ListResponse, for the
// query string and for POST /Users/.search alike.
func (s *Server) serveSCIMUsers(
	w http.ResponseWriter,
	r *http.Request,
	t *app.Token,
	q app.UserQuery,
	proj *scimProjection,
) error {
	page, err := s.app.ProvisionedUsers(r.Context(), state(r).meta, t, q)
	if err != nil {
		return err
	}
	resources := make([]any, len(page.Users))
	for i, u := range page.Users {
		resources[i] = proj.apply(s.scimUserOf(u))
	}
	writeJSON(w, http.StatusOK, listResponse(resources, page.Total, page.StartIndex))
	return nil
}

func (s *Server) handleSCIMUser(w http.ResponseWriter, r *http.Request, t *app.Token) error {
	if r.PathValue("id") == ".search" {
		return &apiStatusError{status: http.StatusMethodNotAllowed, allow: http.MethodPost,
			detail: "Search with POST /scim/v2/Users/.search, or with GET /scim/v2/Users?filter=..."}
	}
	proj, err := s.parseSCIMProjection(queryList(r, "attributes"), queryList(r, "excludedAttributes"))
	if err != nil {
		return s.auditBadQuery(r, t, "api.scim_get", err)
	}
	u, err := s.app.ProvisionedUserByID(r.Context(), state(r).meta, t, r.PathValue("id"))
	if err != nil {
		return err
	}
	res := s.scimUserOf(u)
	w.Header().Set("Content-Location", res.Meta.Location)
	writeJSON(w, http.StatusOK, proj.apply(res))
	return nil
}

// scimUser is a provisioned person as a SCIM User with the CareConnect
// extension.
type scimUser = scim.User

func (s *Server) scimUserOf(u *app.ProvisionedUser) scimUser { return scim.UserOf(u, s.cfg.BaseURL) }

func (s *Server) scimLocation(path string) string { return s.cfg.BaseURL + "/scim/v2/" + path }

func (s *Server) handleSCIMConfig(w http.ResponseWriter, r *http.Request, t *app.Token) error {
	if err := s.refuseMetadataFilter(r, t, "ServiceProviderConfig"); err != nil {
		return err
	}
	if err := s.app.AuditAPICall(r.Context(), state(r).meta, t, "api.scim_metadata", "provisioning", "ServiceProviderConfig", nil); err != nil {
		return err
	}
	supported := func(b bool) map[string]any { return map[string]any{"supported": b} }
	writeJSON(w, http.StatusOK, map[string]any{
		"schemas":          []string{scimConfigSchema},
		"documentationUri": s.cfg.BaseURL + "/help",
		"patch":            supported(false),
		"bulk":             map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":           map[string]any{"supported": true, "maxResults": app.MaxUserPage},
		"changePassword":   supported(false),
		"sort":             supported(false),
		"etag":             supported(false),
		"authenticationSchemes": []map[string]any{{
			"type": "oauthbearertoken", "name": "OAuth Bearer Token", "primary": true,
			"description": "A bearer token issued by the CareConnect team, sent as Authorization: Bearer TOKEN (RFC 6750). It needs the scim:read scope.",
			"specUri":     "https://www.rfc-editor.org/rfc/rfc6750",
		}},
		"meta": map[string]string{
			"resourceType": "ServiceProviderConfig",
			"location":     s.scimLocation("ServiceProviderConfig"),
		},
	})
	return nil
}

func (s *Server) userResourceType() map[string]any {
	return map[string]any{
		"schemas":     []string{scimTypeSchema},
		"id":          "User",
		"name":        "User",
		"endpoint":    "/Users",
		"description": "People approved (active) or suspended (not active) for CareConnect.",
		"schema":      scimUserSchema,
		"schemaExtensions": []map[string]any{
			{"schema": scimExtensionSchema, "required": true},
		},
		"meta": map[string]string{"resourceType": "ResourceType", "location": s.scimLocation("ResourceTypes/User")},
	}
}

func (s *Server) handleSCIMResourceTypes(w http.ResponseWriter, r *http.Request, t *app.Token) error {
	id := r.PathValue("id")
	if err := s.refuseMetadataFilter(r, t, "ResourceTypes"); err != nil {
		return err
	}
	if err := s.app.AuditAPICall(r.Context(), state(r).meta, t, "api.scim_metadata", "provisioning", "ResourceTypes"+strings.TrimSuffix("/"+id, "/"), nil); err != nil {
		return err
	}
	switch id {
	case "":
		writeJSON(w, http.StatusOK, listResponse([]any{s.userResourceType()}, 1, 1))
	case "User":
		writeJSON(w, http.StatusOK, s.userResourceType())
	default:
		return portal.Errorf(portal.ENOTFOUND, "There is no resource type %q.", id)
	}
	return nil
}

// scimAttribute describes an attribute in a SCIM schema (RFC 7643 section 7).
type scimAttribute struct {
	Name          string          `json:"name"`
	Type          string          `json:"type"`
	MultiValued   bool            `json:"multiValued"`
	Description   string          `json:"description"`
	Required      bool            `json:"required"`
	CaseExact     bool            `json:"caseExact"`
	Mutability    string          `json:"mutability"`
	Returned      string          `json:"returned"`
	Uniqueness    string          `json:"uniqueness"`
	SubAttributes []scimAttribute `json:"subAttributes,omitempty"`
}

// attr is a read-only attribute returned by default.
func attr(name, typ, description string, sub ...scimAttribute) scimAttribute {
	return scimAttribute{Name: name, Type: typ, Description: description, Mutability: "readOnly", Returned: "default",
		Uniqueness: "none", SubAttributes: sub}
}

// multi makes an attribute multi-valued.
func multi(a scimAttribute) scimAttribute { a.MultiValued = true; return a }

func (s *Server) scimSchemas() []map[string]any {
	userName := attr("userName", "string", `The HxBC username, as HXBC\username. Unique.`)
	userName.Required, userName.Uniqueness = true, "server"
	id := attr("id", "string", "The person's stable identifier in the portal.")
	id.CaseExact, id.Returned, id.Uniqueness = true, "always", "server"
	value := attr("value", "string", "The value.")
	core := []scimAttribute{
		id,
		userName,
		attr("name", "complex", "The legal name, from the BC Services Card.",
			attr("formatted", "string", "The full legal name."),
			attr("familyName", "string", "The legal surname."),
			attr("givenName", "string", "The legal given names.")),
		attr("displayName", "string", "The preferred name."),
		multi(attr("emails", "complex", "The email address.", value,
			attr("type", "string", "Always work."), attr("primary", "boolean", "Always true."))),
		multi(attr("phoneNumbers", "complex", "Phone (work, primary) and mobile numbers, in E.164 form.", value,
			attr("type", "string", "work or mobile."), attr("primary", "boolean", "True for the work phone."))),
		attr("active", "boolean", "True while CareConnect access is approved; false while it is suspended."),
	}
	ext := []scimAttribute{
		attr("userType", "string", "authorizer, independent or on_behalf_of."),
		attr(
			"profession",
			"string",
			"The profession code, e.g. physician, nurse, pharmacist, medical_office_assistant.",
		),
		attr("nurseLicence", "string", "For nurses: np, rn, lpn or rpn."),
		multi(
			attr(
				"worksites",
				"complex",
				"The approved worksites where access is provisioned and the person is still a member.",
				attr("worksiteId", "string", "The 7-character Worksite ID."),
				attr("name", "string", "The worksite's name."),
				attr("healthAuthority", "string", "The regional health authority serving the worksite."),
			),
		),
		multi(
			attr(
				"sponsors",
				"complex",
				"For on-behalf-of users: the authorizers they work for, while the sponsorship is active.",
				attr("userName", "string", `The authorizer's username, as HXBC\username.`),
				attr("displayName", "string", "The authorizer's preferred name."),
				attr("worksiteId", "string", "The Worksite ID of the worksite they share."),
				attr("residencyEnd", "string", "For residents: the last day of the residency (YYYY-MM-DD)."),
			),
		),
		multi(
			attr(
				"dataScopes",
				"string",
				"The kinds of clinical data granted, e.g. demographics, laboratory_results, pharmanet_medications.",
			),
		),
		attr("remoteAccess", "boolean", "True when access from a home office is granted."),
	}
	schema := func(id, name, desc string, attrs []scimAttribute) map[string]any {
		return map[string]any{
			"schemas":     []string{scimSchemaSchema},
			"id":          id,
			"name":        name,
			"description": desc,
			"attributes":  attrs,
			"meta":        map[string]string{"resourceType": "Schema", "location": s.scimLocation("Schemas/" + id)},
		}
	}
	return []map[string]any{
		schema(
			scimUserSchema,
			"User",
			"A person provisioned for CareConnect (the attributes this portal returns).",
			core,
		),
		schema(scimExtensionSchema, "CareConnect User", "What a person may see in CareConnect, and where.", ext),
	}
}

func (s *Server) handleSCIMSchemas(w http.ResponseWriter, r *http.Request, t *app.Token) error {
	id := r.PathValue("id")
	if err := s.refuseMetadataFilter(r, t, "Schemas"); err != nil {
		return err
	}
	if err := s.app.AuditAPICall(r.Context(), state(r).meta, t, "api.scim_metadata", "provisioning", "Schemas"+strings.TrimSuffix("/"+id, "/"), nil); err != nil {
		return err
	}
	all := s.scimSchemas()
	if id == "" {
		resources := make([]any, len(all))
		for i, sc := range all {
			resources[i] = sc
		}
		writeJSON(w, http.StatusOK, listResponse(resources, len(all), 1))
		return nil
	}
	for _, sc := range all {
		if sc["id"] == id {
			writeJSON(w, http.StatusOK, sc)
			return nil
		}
	}
	return portal.Errorf(portal.ENOTFOUND, "There is no schema %q.", id)
}

type feedEvent struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	UserID     string `json:"userId"`
	OccurredAt string `json:"occurredAt"`
}

type feedPage struct {
	Events  []feedEvent `json:"events"`
	Next    string      `json:"next"`
	HasMore bool        `json:"hasMore"`
}

func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request, t *app.Token) error {
	limit, err := queryInt(r, "limit", 0)
	if err == nil && r.URL.Query().Has("limit") && limit < 1 {
		err = portal.Errorf(portal.EINVALID, "limit must be between 1 and %d.", app.MaxFeedPage)
	}
	if err != nil {
		return s.auditBadQuery(r, t, "api.events", err)
	}
	wait := r.URL.Query().Get("wait")
	if d, err := app.ParseFeedWait(wait); err == nil && d > 0 {
		// A long poll may outlast the server's write timeout.
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(d + 30*time.Second))
	}
	page, err := s.app.ProvisioningFeed(
		r.Context(),
		state(r).meta,
		t,
		app.FeedQuery{After: r.URL.Query().Get("after"), Limit: limit, Wait: wait},
	)
	if err != nil {
		return err
	}
	out := feedPage{Events: make([]feedEvent, len(page.Events)), Next: page.Next, HasMore: page.More}
	for i, e := range page.Events {
		out.Events[i] = feedEvent{
			ID:         strconv.FormatInt(e.ID, 10),
			Type:       e.Type,
			UserID:     strconv.FormatInt(int64(e.AccountID), 10),
			OccurredAt: scimTime(e.At),
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
