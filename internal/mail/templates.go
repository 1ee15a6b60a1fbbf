package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"path"
	"sort"
	"strings"
	texttemplate "text/template"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// Common holds the data every email uses.
type Common struct {
	PortalName    string // e.g. "my.CareConnect"
	PortalURL     string // the portal's home page
	SupportEmail  string // where recipients turn when something looks wrong
	RecipientName string // empty gives a greeting without a name
	Reference     string // the access request's reference number, shown under the greeting; empty for none
}

// AccountCreated is the data of "account_created", sent when someone
// registers for an HxBC account.
type AccountCreated struct {
	Common
	Username string // without the HXBC\ domain prefix
	// Confirm asks the person to confirm the address the email went to.
	Confirm Confirmation
}

// PasswordChanged is the data of "password_changed".
type PasswordChanged struct {
	Common
	Username  string
	ChangedAt string // already formatted for reading, with its time zone
}

// FieldChange is one changed contact detail.
type FieldChange struct {
	Field, Old, New string
}

// ContactChanged is the data of "contact_changed". It goes to the current
// address and, when the email address itself changed, also to the old one
// with ToOldAddress set.
type ContactChanged struct {
	Common
	Changes      []FieldChange
	ToOldAddress bool
	// Confirm, on the email to a new address, asks the person to confirm it.
	Confirm *Confirmation
}

// UsernameReminder is the data of "username_reminder".
type UsernameReminder struct {
	Common
	Username string
}

// WorksiteRegistered is the data of "worksite_registered".
type WorksiteRegistered struct {
	Common
	WorksiteName string
	WorksiteID   string // the 7-character Worksite ID
	Address      string
	Pending      bool // the registration still awaits review
}

// WorksiteInvitation is the data of "worksite_invitation".
type WorksiteInvitation struct {
	Common
	InviterName  string
	WorksiteName string
	WorksiteID   string
	AcceptURL    string
	ExpiresOn    string
	// HasAccount: an HxBC account uses the invited address already. Without
	// one the email says what the first sign-in asks for.
	HasAccount bool
}

// WorksiteJoinRequest is the data of "worksite_join_request", sent to the
// administrators of a worksite.
type WorksiteJoinRequest struct {
	Common
	RequesterName  string
	RequesterEmail string
	WorksiteName   string
	Comment        string
	RequestURL     string
}

// WorksiteJoinDecided is the data of "worksite_join_decided".
type WorksiteJoinDecided struct {
	Common
	WorksiteName string
	Approved     bool
	Reason       string
	// WorksiteDeclined: the request was declined because the CareConnect
	// team did not approve the worksite (Reason is then the team's).
	WorksiteDeclined bool
	JoinURL          string // where to look for another worksite, when WorksiteDeclined
	NextURL          string // the next step after an approval: Application Access
}

// WorksiteDecided is the data of "worksite_decided", sent to a new
// worksite's administrators when the CareConnect team decides on it.
type WorksiteDecided struct {
	Common
	WorksiteName string
	WorksiteID   string
	Approved     bool
	Reason       string
	WorksiteURL  string
}

// MembershipEnded is the data of "membership_ended", sent to a person whose
// place at a worksite was decommissioned.
type MembershipEnded struct {
	Common
	WorksiteName string
	// WorksiteDeclined: the membership ended because the CareConnect team
	// did not approve the worksite; Reason is the team's.
	WorksiteDeclined bool
	Reason           string
}

// DeclarationRequested is the data of "declaration_requested", sent to the
// person with signing authority for a worksite.
type DeclarationRequested struct {
	Common
	WorksiteName   string
	WorksiteID     string
	RegistrantName string
	DeclarationURL string
}

// Templates holds every email template, parsed once.
//
// Each email is one file templates/NAME.tmpl defining "subject", "text" and
// "html". The file is parsed twice: with text/template for the subject and
// the plain-text body, and with html/template for the HTML body so that data
// is escaped. Files whose names start with "_" hold shared fragments and are
// parsed together with every email.
type Templates struct {
	text  map[string]*texttemplate.Template
	html  map[string]*htmltemplate.Template
	names []string
}

// LoadTemplates parses all embedded templates and fails on the first error.
func LoadTemplates() (*Templates, error) {
	entries, err := fs.ReadDir(templateFS, "templates")
	if err != nil {
		return nil, fmt.Errorf("mail: templates: %w", err)
	}
	var shared, emails []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || path.Ext(name) != ".tmpl" {
			continue
		}
		if strings.HasPrefix(name, "_") {
			shared = append(shared, name)
		} else {
			emails = append(emails, name)
		}
	}
	sort.Strings(shared)
	sort.Strings(emails)

	t := &Templates{
		text: make(map[string]*texttemplate.Template, len(emails)),
		html: make(map[string]*htmltemplate.Template, len(emails)),
	}
	for _, file := range emails {
		name := strings.TrimSuffix(file, ".tmpl")
		files := make([]string, 0, len(shared)+1)
		for _, s := range shared {
			files = append(files, "templates/"+s)
		}
		files = append(files, "templates/"+file)

		tt, err := texttemplate.New(name).Option("missingkey=error").ParseFS(templateFS, files...)
		if err != nil {
			return nil, fmt.Errorf("mail: template %s (text): %w", name, err)
		}
		ht, err := htmltemplate.New(name).Option("missingkey=error").ParseFS(templateFS, files...)
		if err != nil {
			return nil, fmt.Errorf("mail: template %s (html): %w", name, err)
		}
		for _, part := range []string{"subject", "text", "html"} {
			if tt.Lookup(part) == nil {
				return nil, fmt.Errorf("mail: template %s does not define %q", name, part)
			}
		}
		t.text[name] = tt
		t.html[name] = ht
		t.names = append(t.names, name)
	}
	return t, nil
}

// Names returns the names of all emails, sorted.
func (t *Templates) Names() []string {
	return append([]string(nil), t.names...)
}

// Render renders the email called name with data, which should be the
// matching struct of this package (AccountCreated for "account_created" and
// so on). The subject is a single line; both bodies are trimmed. Every
// name in data is shown on one line and cut to NameMax characters (see
// singleLineNames).
func (t *Templates) Render(name string, data any) (subject, text, html string, err error) {
	tt, ok := t.text[name]
	if !ok {
		return "", "", "", fmt.Errorf("mail: unknown email template %q", name)
	}
	data = singleLineNames(data)
	var buf bytes.Buffer
	if err := tt.ExecuteTemplate(&buf, "subject", data); err != nil {
		return "", "", "", fmt.Errorf("mail: render %s subject: %w", name, err)
	}
	subject = oneLine(buf.String())
	buf.Reset()
	if err := tt.ExecuteTemplate(&buf, "text", data); err != nil {
		return "", "", "", fmt.Errorf("mail: render %s text: %w", name, err)
	}
	text = tidyText(buf.String())
	buf.Reset()
	if err := t.html[name].ExecuteTemplate(&buf, "html", data); err != nil {
		return "", "", "", fmt.Errorf("mail: render %s html: %w", name, err)
	}
	html = strings.TrimSpace(buf.String()) + "\n"
	return subject, text, html, nil
}

// tidyText trims trailing spaces from every line, collapses runs of blank
// lines left behind by template actions and ends the text with one newline.
func tidyText(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	out := make([]string, 0, len(lines))
	blank := true // drops leading blank lines
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			if blank {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		out = append(out, l)
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n") + "\n"
}
