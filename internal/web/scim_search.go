package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
)

const (
	scimSearchRequestSchema = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
	// maxSearchBody is the largest SearchRequest read; a filter and two
	// attribute lists fit many times over.
	maxSearchBody = 64 << 10
)

// scimSearchRequest is the body of POST /Users/.search (RFC 7644 section
// 3.4.3). Sorting is not supported (ServiceProviderConfig says so), so
// sortBy and sortOrder are ignored.
type scimSearchRequest struct {
	Schemas            []string `json:"schemas"`
	Attributes         []string `json:"attributes"`
	ExcludedAttributes []string `json:"excludedAttributes"`
	Filter             string   `json:"filter"`
	StartIndex         *int     `json:"startIndex"`
	Count              *int     `json:"count"`
}

// handleSCIMSearch answers POST /scim/v2/Users/.search as GET /Users
// answers its query string, with the parameters in the body.
func (s *Server) handleSCIMSearch(w http.ResponseWriter, r *http.Request, t *app.Token) error {
	req, q, err := decodeSCIMSearch(w, r.Body)
	if err != nil {
		return s.auditBadSearch(r, t, err)
	}
	proj, err := s.parseSCIMProjection(req.Attributes, req.ExcludedAttributes)
	if err != nil {
		return s.auditBadSearch(r, t, err)
	}
	return s.serveSCIMUsers(w, r, t, q, proj)
}

// decodeSCIMSearch reads a SearchRequest body of at most maxSearchBody
// bytes, and the query it asks for; the error is an *apiStatusError.
func decodeSCIMSearch(w http.ResponseWriter, body io.Reader) (scimSearchRequest, app.UserQuery, error) {
	var req scimSearchRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, io.NopCloser(body), maxSearchBody))
	if err := dec.Decode(&req); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return req, app.UserQuery{}, &apiStatusError{status: http.StatusRequestEntityTooLarge,
				detail: "The search request is larger than 64 KiB."}
		}
		return req, app.UserQuery{}, &apiStatusError{status: http.StatusBadRequest, scimType: "invalidSyntax",
			detail: "The body is not a SCIM SearchRequest: send a JSON object with schemas [\"" + scimSearchRequestSchema + "\"]."}
	}
	if !slices.Contains(req.Schemas, scimSearchRequestSchema) {
		return req, app.UserQuery{}, &apiStatusError{status: http.StatusBadRequest, scimType: "invalidSyntax",
			detail: "The search request must name the schema " + scimSearchRequestSchema + " in schemas."}
	}
	q := app.UserQuery{Filter: req.Filter, StartIndex: 1, Count: app.DefaultUserPage}
	if req.StartIndex != nil {
		q.StartIndex = *req.StartIndex
	}
	if req.Count != nil {
		q.Count = *req.Count
	}
	return req, q, nil
}

// auditBadSearch records a search refused for its body, which the use
// case never saw.
func (s *Server) auditBadSearch(r *http.Request, t *app.Token, err error) error {
	msg := portal.ErrorMessage(err)
	var se *apiStatusError
	if errors.As(err, &se) {
		msg = se.detail
	}
	if aerr := s.app.AuditAPICall(r.Context(), state(r).meta, t, "api.scim_list", "provisioning", "users", map[string]string{
		"method": r.Method, "error": msg}); aerr != nil {
		return aerr
	}
	return err
}
