// Package portal holds the domain of the CareConnect enrolment portal: the
// people, worksites and requests it manages and the rules that govern them.
// It has no knowledge of HTTP or SQL; internal/app runs the use cases.
package portal

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Error codes are independent of any transport. The web layer maps them to
// HTTP statuses; the command line maps them to exit messages.
const (
	EINVALID      = "invalid"      // the input breaks a rule; Message says which
	ENOTFOUND     = "not_found"    // no such thing, or not visible to the actor
	ECONFLICT     = "conflict"     // a uniqueness or state conflict
	EFORBIDDEN    = "forbidden"    // the actor may not do this
	EUNAUTHORIZED = "unauthorized" // nobody is signed in
	ERATELIMIT    = "rate_limited" // too many attempts
	EINTERNAL     = "internal"     // anything else; never shown to users
)

// Error is the portal's error type. Message is safe to show to a user.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("portal error: code=%s message=%s", e.Code, e.Message)
}

// Errorf builds an *Error whose message is safe to show to users.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error or *FieldErrors in err's
// chain, EINTERNAL for any other error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	var fe FieldErrors
	if errors.As(err, &fe) {
		return EINVALID
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of err, or a generic sentence
// for internal errors, so internal detail never reaches a page.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	var fe FieldErrors
	if errors.As(err, &fe) {
		return "Please correct the highlighted fields."
	}
	return "Something went wrong on our side. Please try again; if it keeps happening, contact the CareConnect team."
}

// FieldErrors maps a form field name to the message shown next to it.
type FieldErrors map[string]string

func (fe FieldErrors) Error() string {
	keys := make([]string, 0, len(fe))
	for k := range fe {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+fe[k])
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Add records msg for field unless the field already has a message.
func (fe FieldErrors) Add(field, msg string) {
	if _, ok := fe[field]; !ok {
		fe[field] = msg
	}
}

// Err returns fe as an error, or nil when it is empty.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return fe
}

// AsFieldErrors returns the field errors in err's chain, if any.
func AsFieldErrors(err error) (FieldErrors, bool) {
	var fe FieldErrors
	if errors.As(err, &fe) {
		return fe, true
	}
	return nil, false
}
