package identity

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/bcgov-example/careconnect-portal/internal/secret"
)

// The development provider's pages: the sign-in page, where a tester picks
// or types a person, its error and signed-out pages, and their rendering.

// devSignInSpent is shown when the sign-in page's request is unknown,
// expired or already used.
const devSignInSpent = "This sign-in has expired or was already used. Return to the portal and sign in again."

//go:embed devprovider.html
var devProviderFiles embed.FS

// login completes the sign-in page: it consumes the pending request and
// sends the browser back to the client with a code.
func (p *DevProvider) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, devMaxFormSize)
	if err := r.ParseForm(); err != nil {
		p.errorPage(w, http.StatusBadRequest,
			"The sign-in form could not be read. Return to the portal and sign in again.")
		return
	}
	form := r.PostForm
	id := form.Get("request")
	now := p.now()
	if _, ok := p.lookupPending(id, now); !ok {
		p.errorPage(w, http.StatusBadRequest, devSignInSpent)
		return
	}

	var person DevPerson
	switch {
	case form.Get("action") == "cancel":
		pend, ok := p.takePending(id, now)
		if !ok {
			p.errorPage(w, http.StatusBadRequest, devSignInSpent)
			return
		}
		redirectWith(w, r, pend.redirectURI, url.Values{
			"error": {"access_denied"}, "error_description": {"the person cancelled sign-in"}, "state": {pend.state},
		})
		return
	case form.Has("person"):
		i := slices.IndexFunc(p.people, func(dp DevPerson) bool { return dp.Key == form.Get("person") })
		if i < 0 {
			p.errorPage(w, http.StatusBadRequest,
				"The chosen test person does not exist. Return to the portal and sign in again.")
			return
		}
		person = p.people[i]
	case form.Get("action") == "new":
		typed, fields, ok := typedPerson(form, now)
		if !ok {
			p.render(w, http.StatusUnprocessableEntity, p.signInPage(id, fields))
			return
		}
		person = typed
	default:
		p.errorPage(w, http.StatusBadRequest,
			"The sign-in form was incomplete. Return to the portal and sign in again.")
		return
	}

	code := secret.Text()
	p.mu.Lock()
	pend, ok := p.pending[id]
	if ok && now.Before(pend.expires) {
		delete(p.pending, id)
		p.codes[code] = &devCode{
			clientID:    pend.clientID,
			redirectURI: pend.redirectURI,
			challenge:   pend.challenge,
			nonce:       pend.nonce,
			person:      person,
			authTime:    now,
			expires:     now.Add(devCodeTTL),
		}
	}
	p.mu.Unlock()
	if !ok {
		p.errorPage(w, http.StatusBadRequest, devSignInSpent)
		return
	}
	redirectWith(w, r, pend.redirectURI, url.Values{"code": {code}, "state": {pend.state}})
}

// lookupPending reports an unexpired pending request without consuming it.
func (p *DevProvider) lookupPending(id string, now time.Time) (devPending, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pend, ok := p.pending[id]
	if !ok || !now.Before(pend.expires) {
		return devPending{}, false
	}
	return pend, true
}

// takePending consumes an unexpired pending request.
func (p *DevProvider) takePending(id string, now time.Time) (devPending, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pend, ok := p.pending[id]
	delete(p.pending, id)
	if !ok || !now.Before(pend.expires) {
		return devPending{}, false
	}
	return pend, true
}

// devField is one input of the new-person form.
type devField struct {
	ID, Name, Label, Hint, Type, Autocomplete, Value, Error string
}

// DescribedBy lists the ids of the field's hint and error, if any.
func (f devField) DescribedBy() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.ID+"-hint")
	}
	if f.Error != "" {
		ids = append(ids, f.ID+"-error")
	}
	return strings.Join(ids, " ")
}

// newPersonFields returns the new-person form inputs with their typed
// values and any error messages keyed by input name.
func newPersonFields(form url.Values, errs map[string]string) []devField {
	fields := []devField{
		{ID: "given-names", Name: "given_names", Label: "Given names", Type: "text", Autocomplete: "given-name"},
		{ID: "surname", Name: "surname", Label: "Surname", Type: "text", Autocomplete: "family-name"},
		{ID: "birth-date", Name: "birth_date", Label: "Birth date (YYYY-MM-DD)", Hint: "For example, 1980-04-23.",
			Type: "text", Autocomplete: "bday"},
		{ID: "email", Name: "email", Label: "Email address", Hint: "Optional.", Type: "email", Autocomplete: "email"},
	}
	for i := range fields {
		fields[i].Value = form.Get(fields[i].Name)
		fields[i].Error = errs[fields[i].Name]
	}
	return fields
}

// typedPerson validates the new-person form. The subject is derived from the
// names and birth date, so the same typed person is the same subject again.
func typedPerson(form url.Values, now time.Time) (DevPerson, []devField, bool) {
	clean := func(name string) string { return strings.Join(strings.Fields(form.Get(name)), " ") }
	given, surname := clean("given_names"), clean("surname")
	birth, email := strings.TrimSpace(form.Get("birth_date")), strings.TrimSpace(form.Get("email"))

	errs := map[string]string{}
	switch {
	case given == "":
		errs["given_names"] = "Enter the given names."
	case len(given) > devMaxNameLen:
		errs["given_names"] = fmt.Sprintf("Given names must be %d characters or fewer.", devMaxNameLen)
	}
	switch {
	case surname == "":
		errs["surname"] = "Enter the surname."
	case len(surname) > devMaxNameLen:
		errs["surname"] = fmt.Sprintf("Surname must be %d characters or fewer.", devMaxNameLen)
	}
	if d, err := time.Parse(time.DateOnly, birth); err != nil {
		errs["birth_date"] = "Enter a real birth date as YYYY-MM-DD, for example 1980-04-23."
	} else if d.After(now) {
		errs["birth_date"] = "Birth date must be in the past."
	}
	if email != "" {
		if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > devMaxEmailLen {
			errs["email"] = "Enter an email address like name@example.com, or leave it empty."
		}
	}
	if len(errs) > 0 {
		return DevPerson{}, newPersonFields(form, errs), false
	}
	sum := sha256.Sum256([]byte("development person\x00" + strings.ToUpper(given) + "\x00" +
		strings.ToUpper(surname) + "\x00" + birth))
	return DevPerson{
		Key:        "dev-" + hex.EncodeToString(sum[:16]),
		GivenNames: given,
		Surname:    surname,
		BirthDate:  birth,
		Email:      email,
	}, nil, true
}

// devPage is the data for the provider's HTML pages.
type devPage struct {
	Kind, Title, Stylesheet string
	Message                 string
	LoginPath, RequestID    string
	People                  []DevPerson
	Fields                  []devField
}

// ErrorCount is the number of fields with an error.
func (d devPage) ErrorCount() int {
	n := 0
	for _, f := range d.Fields {
		if f.Error != "" {
			n++
		}
	}
	return n
}

func (p *DevProvider) signInPage(requestID string, fields []devField) devPage {
	return devPage{
		Kind:      "signin",
		Title:     "Sign in",
		LoginPath: p.base + "/login",
		RequestID: requestID,
		People:    p.people,
		Fields:    fields,
	}
}

func (p *DevProvider) errorPage(w http.ResponseWriter, status int, message string) {
	p.render(w, status, devPage{Kind: "error", Title: "Sign-in error", Message: message})
}

func (p *DevProvider) render(w http.ResponseWriter, status int, page devPage) {
	page.Stylesheet = p.stylesheet
	var buf bytes.Buffer
	if err := p.pages.ExecuteTemplate(&buf, "page", page); err != nil {
		http.Error(w, "development sign-in page could not be shown", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
