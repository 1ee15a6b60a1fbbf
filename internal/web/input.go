package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	portal "github.com/bcgov-example/careconnect-portal"
)

// Every piece of text a request carries passes one of two checks before a
// handler sees it: inputGuard checks the path and the query of every
// request, and decodeForm decodes and checks every form. Text that is not
// valid UTF-8, or holds NUL or another control character, is refused with
// a 400 before any query runs: PostgreSQL cannot store it, and nobody types
// it. Newlines (and tabs) are allowed only in the multi-line fields below.

const (
	// maxFormBytes bounds a form's body.
	maxFormBytes = 1 << 20
	// maxFieldBytes bounds one form value: four times the longest text
	// area (4,000 characters), so any character may be used.
	maxFieldBytes = 16 << 10
	// maxURIBytes bounds a request's path and query together.
	maxURIBytes = 8 << 10
)

// multiLineFields names the form fields that are text areas: only these
// may hold line breaks and tabs. A test checks the list against the
// templates' <textarea> elements.
var multiLineFields = map[string]bool{
	"answer":       true, // the person's answer to the team's question
	"comment":      true, // a request to join a worksite
	"decline_text": true, // the team's reason for declining
	"message":      true, // a sponsorship request
	"note":         true, // the team's note on placing an "Other" profession
	"question":     true, // the team's question to the person
	"reason":       true, // reasons for decisions, revocations and remote access
}

func init() {
	errorHeadings[http.StatusRequestEntityTooLarge] = "The form was too large"
	errorHeadings[http.StatusRequestURITooLong] = "The page address was too long"
}

// badTextMessage says what was refused, for people and API clients alike.
const badTextMessage = "Some of the text sent contains characters the portal cannot accept, such as invisible " +
	"control characters. Go back, retype the text and send it again."

// validText is the domain's rule for text a person can type
// (portal.ValidText: valid UTF-8 without control characters; multiLine
// allows line breaks and tabs), applied to every form value and address.
func validText(s string, multiLine bool) bool { return portal.ValidText(s, multiLine) }

// errBadText and errFieldTooLong are what decodeForm refuses.
var (
	errBadText      = errors.New("web: text with invalid characters")
	errFieldTooLong = errors.New("web: form value too long")
)

// decodeForm reads the request's form (URL-encoded or multipart, at most
// maxFormBytes) into r.PostForm and checks every name and value. It is
// the one place forms are decoded; handlers then read r.PostFormValue.
func decodeForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return err
	}
	// ParseMultipartForm adds a multipart form's values to r.PostForm.
	if err := r.ParseMultipartForm(maxFormBytes); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return err
	}
	for name, values := range r.PostForm {
		if !validText(name, false) {
			return errBadText
		}
		for _, v := range values {
			if len(v) > maxFieldBytes {
				return errFieldTooLong
			}
			if !validText(v, multiLineFields[name]) {
				return errBadText
			}
		}
	}
	return nil
}

// forms decodes and checks the form of every request that may carry one,
// answering what cannot be used with a clear page. The provisioning API
// reads JSON, not forms, and is left to its handlers.
func (s *Server) forms(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if safeMethod(r.Method) || isAPIPath(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		if err := decodeForm(w, r); err != nil {
			var tooBig *http.MaxBytesError
			switch {
			case errors.As(err, &tooBig):
				s.renderError(
					w,
					r,
					http.StatusRequestEntityTooLarge,
					"The form you sent is larger than the portal accepts. "+
						"Go back, shorten the text and send it again.",
				)
			case errors.Is(err, errBadText):
				s.renderError(w, r, http.StatusBadRequest, badTextMessage)
			case errors.Is(err, errFieldTooLong):
				s.renderError(w, r, http.StatusBadRequest, "A field of the form is longer than the portal accepts. "+
					"Go back, shorten the text and send it again.")
			default:
				state(r).logger.Warn("unreadable form", "err", err)
				s.renderError(
					w,
					r,
					http.StatusBadRequest,
					"The form could not be read. Go back, reload the page and try again.",
				)
			}
			return
		}
		next.ServeHTTP(w, r)
	})
}

// inputGuard refuses a request whose path or query holds text that is not
// valid UTF-8 or holds control characters, or whose address is too long:
// pages answer with an error page, the provisioning API with a SCIM error.
func (s *Server) inputGuard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		refuse := func(status int, msg string) {
			if isAPIPath(r.URL.Path) {
				scimType := "" // RFC 7644 section 3.12: scimType only on a 400
				if status == http.StatusBadRequest {
					scimType = "invalidValue"
				}
				writeAPIError(w, r, status, scimType, msg)
				return
			}
			s.renderError(w, r, status, msg)
		}
		if len(r.URL.EscapedPath())+len(r.URL.RawQuery) > maxURIBytes {
			refuse(http.StatusRequestURITooLong, "The address of this page is longer than the portal accepts.")
			return
		}
		if !validText(r.URL.Path, false) || !validQuery(r.URL.RawQuery) {
			refuse(http.StatusBadRequest, badTextMessage)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// validQuery checks every name and value of a query string. Pairs that do
// not decode are left to the handlers, which never see them.
func validQuery(raw string) bool {
	if raw == "" {
		return true
	}
	q, _ := url.ParseQuery(raw)
	for name, values := range q {
		if !validText(name, false) {
			return false
		}
		for _, v := range values {
			if !validText(v, false) {
				return false
			}
		}
	}
	return true
}

// isAPIPath reports whether a path belongs to the provisioning API, which
// answers in JSON.
func isAPIPath(p string) bool {
	return strings.HasPrefix(p, "/scim/") || strings.HasPrefix(p, "/api/")
}

// maxUserAgentBytes is how much of a User-Agent the audit trail keeps.
const maxUserAgentBytes = 300

// cleanUserAgent makes the User-Agent safe to store: any bytes that are
// not UTF-8 become U+FFFD, control characters spaces, and it is cut to
// maxUserAgentBytes on a character boundary. Browsers choose it, not
// people, so it is cleaned rather than refused.
func cleanUserAgent(ua string) string {
	ua = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(ua, "\uFFFD"))
	if len(ua) > maxUserAgentBytes {
		cut := maxUserAgentBytes
		for cut > 0 && !utf8.RuneStart(ua[cut]) {
			cut--
		}
		ua = ua[:cut]
	}
	return ua
}
