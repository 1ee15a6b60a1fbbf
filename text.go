package portal

import (
	"unicode"
	"unicode/utf8"
)

// Truncate returns s cut to at most n runes, always on a rune boundary, so
// a cut string is still valid UTF-8 when s was.
func Truncate(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(s) <= n {
		return s
	}
	runes := 0
	for i := range s {
		if runes == n {
			return s[:i]
		}
		runes++
	}
	return s
}

// InvalidTextMessage is the field error for text that is not valid UTF-8
// or holds control characters (CheckText).
const InvalidTextMessage = "This contains characters the portal cannot accept, such as invisible control characters. Retype it."

// ValidText reports whether s is text a person can type into a field:
// valid UTF-8 without NUL or any other control character. multiLine
// allows line breaks and tabs, for text areas. PostgreSQL cannot store
// NUL or invalid UTF-8, and nobody types them.
func ValidText(s string, multiLine bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(multiLine && (r == '\n' || r == '\r' || r == '\t')) {
			return false
		}
	}
	return true
}

// CheckText adds InvalidTextMessage for field when v is not valid text
// (ValidText) and reports whether it was. Validate methods check every
// text field with it before any other rule, so the message says what is
// wrong.
func (fe FieldErrors) CheckText(field, v string, multiLine bool) bool {
	if ValidText(v, multiLine) {
		return true
	}
	fe.Add(field, InvalidTextMessage)
	return false
}
