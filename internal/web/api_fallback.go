package web

import (
	"fmt"
	"net/http"
	"strings"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
)

// The catch-alls of the provisioning API. Every request under /scim/ and
// /api/ that no route serves ends here, whatever its method, so a route
// added later cannot fall through to the portal's HTML pages: after the
// token is checked (401 first), a path the API has answers 501 for a SCIM
// operation it does not implement or 405 for any other method, with Allow;
// any other path is a 404 in JSON.

// apiNotFound is the 404 of a path the API does not have.
func apiNotFound(r *http.Request) error {
	return portal.Errorf(portal.ENOTFOUND, "There is no %s in the provisioning API.", portal.Truncate(r.URL.Path, 200))
}

// scimAllow returns the methods a path under /scim/v2/ takes, or "" when
// the API has no such path.
func scimAllow(rest string) string {
	first, sub, nested := strings.Cut(rest, "/")
	switch {
	case rest == "Users/.search":
		return http.MethodPost
	case first == "Users" && (!nested || (sub != "" && !strings.Contains(sub, "/"))):
		return http.MethodGet
	case rest == "ServiceProviderConfig":
		return http.MethodGet
	case (first == "ResourceTypes" || first == "Schemas") && (!nested || (sub != "" && !strings.Contains(sub, "/"))):
		return http.MethodGet
	}
	return ""
}

// scimWriteOperation reports whether method on the path is one of SCIM's
// operations that change resources (RFC 7644 sections 3.3, 3.5, 3.6),
// which this read-only API does not implement.
func scimWriteOperation(method, rest string) bool {
	users, id, one := strings.Cut(rest, "/")
	switch {
	case rest == "Users":
		return method == http.MethodPost
	case users == "Users" && one && id != ".search":
		return method == http.MethodPut || method == http.MethodPatch || method == http.MethodDelete
	}
	return false
}

func (s *Server) handleSCIMFallback(w http.ResponseWriter, r *http.Request, t *app.Token) error {
	rest, ok := strings.CutPrefix(r.URL.Path, "/scim/v2/")
	if !ok {
		return apiNotFound(r)
	}
	refuse := &apiStatusError{status: http.StatusNotImplemented}
	switch {
	case rest == "Me" || strings.HasPrefix(rest, "Me/"):
		refuse.detail = "/Me is not supported: a token belongs to a client system, not to a person."
	case rest == "Bulk":
		refuse.detail = "Bulk operations are not supported: this SCIM API is read only."
	case rest == ".search":
		refuse.detail = "Searching across resource types is not supported: search people with POST /scim/v2/Users/.search."
	default:
		refuse.allow = scimAllow(rest)
		if refuse.allow == "" {
			return apiNotFound(r)
		}
		if !scimWriteOperation(r.Method, rest) {
			refuse.status = http.StatusMethodNotAllowed
		}
		refuse.detail = fmt.Sprintf("%s is not supported on /scim/v2/%s: use %s. This SCIM API is read only.",
			r.Method, portal.Truncate(rest, 100), refuse.allow)
	}
	return s.refuseAPICall(r, t, app.TokenScopeSCIM, refuse)
}

func (s *Server) handleAPIFallback(w http.ResponseWriter, r *http.Request, t *app.Token) error {
	if r.URL.Path != "/api/v1/events" {
		return apiNotFound(r)
	}
	return s.refuseAPICall(
		r,
		t,
		app.TokenScopeEvents,
		&apiStatusError{status: http.StatusMethodNotAllowed, allow: http.MethodGet,
			detail: r.Method + " is not supported on /api/v1/events: use GET. The change feed is read only."},
	)
}

// refuseAPICall answers a call of an operation the API does not offer on a
// path it has: the token must grant the path's scope (403 otherwise), and
// the attempt is audited.
func (s *Server) refuseAPICall(r *http.Request, t *app.Token, scope string, refuse *apiStatusError) error {
	meta := state(r).meta
	if err := s.app.AuthorizeToken(r.Context(), meta, t, scope); err != nil {
		return &scopeError{scope: scope, err: err}
	}
	if err := s.app.AuditAPICall(r.Context(), meta, t, "api.unsupported", "provisioning", "", map[string]any{
		"method": r.Method, "path": r.URL.Path, "status": refuse.status}); err != nil {
		return err
	}
	return refuse
}

// scopeError names the scope a refused call needed, for the
// WWW-Authenticate challenge, when the route itself names none.
type scopeError struct {
	scope string
	err   error
}

func (e *scopeError) Error() string { return e.err.Error() }
func (e *scopeError) Unwrap() error { return e.err }

// refuseMetadataFilter answers 403 to a filter on the metadata endpoints
// (RFC 7644 section 4: a client must not take a filter it sent as applied).
func (s *Server) refuseMetadataFilter(r *http.Request, t *app.Token, endpoint string) error {
	if !r.URL.Query().Has("filter") {
		return nil
	}
	refuse := &apiStatusError{status: http.StatusForbidden,
		detail: "/" + endpoint + " cannot be filtered: ask without a filter."}
	if err := s.app.AuditAPICall(r.Context(), state(r).meta, t, "api.scim_metadata", "provisioning", endpoint, map[string]any{
		"filter": r.URL.Query().Get("filter"), "error": refuse.detail}); err != nil {
		return err
	}
	return refuse
}
