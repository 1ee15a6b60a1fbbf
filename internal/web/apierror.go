package web

import (
	"net/http"
	"strconv"
	"strings"
)

// writeAPIError answers a provisioning API request with a SCIM error
// (RFC 7644 section 3.12): {"schemas":[...Error],"status":"400","detail":...}.
// The change feed under /api/ answers the same body as plain JSON.
// scimType may be empty.
func writeAPIError(w http.ResponseWriter, r *http.Request, status int, scimType, detail string) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", scimContentType)
	if !strings.HasPrefix(r.URL.Path, "/scim/") {
		h.Set("Content-Type", jsonContentType)
	}
	writeJSON(w, status, scimError{Schemas: []string{scimErrorSchema}, ScimType: scimType, Detail: detail,
		Status: strconv.Itoa(status)})
}
