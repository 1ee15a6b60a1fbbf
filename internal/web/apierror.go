package web

import (
	"net/http"
	"strings"
)

// writeAPIError answers a request under /scim or /api with an error in
// the SCIM Error schema, typed application/scim+json under /scim and
// application/json elsewhere.
func writeAPIError(w http.ResponseWriter, r *http.Request, status int, scimType, detail string) {
	if !strings.HasPrefix(r.URL.Path, "/scim/") {
		w.Header().Set("Content-Type", jsonContentType)
	}
	writeSCIMError(w, status, scimType, detail)
}
