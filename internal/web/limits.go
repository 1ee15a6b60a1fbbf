package web

import (
	"errors"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
)

// limitErrors turns a refusal past one of the app's daily limits into the
// field errors that show it on the form it came from, next to the field it
// concerns, or next to field when the limit is the recipient's (the form's
// email address field).
func limitErrors(err error, field string) (portal.FieldErrors, bool) {
	var le *app.LimitError
	if !errors.As(err, &le) {
		return nil, false
	}
	if le.Field != "" {
		field = le.Field
	}
	return portal.FieldErrors{field: le.Err.Message}, true
}
