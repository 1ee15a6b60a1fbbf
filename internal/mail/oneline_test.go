package mail

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestOneLine(t *testing.T) {
	tests := []struct {
		name, in string
		max      int
		want     string
	}{
		{"plain", "Harbour Clinic", 120, "Harbour Clinic"},
		{"line breaks", "Harbour\r\nClinic\nBcc: x@example.org", 120, "Harbour Clinic Bcc: x@example.org"},
		{"tabs, NUL and other controls", "Harbour\tClinic\x00\x07\x1b[31m", 120, "Harbour Clinic [31m"},
		{"unicode line and paragraph separators", "Harbour\u2028Clinic\u2029East", 120, "Harbour Clinic East"},
		{"next line (NEL)", "Harbour\u0085Clinic", 120, "Harbour Clinic"},
		{"runs of space and edges", "  Harbour    Clinic  ", 120, "Harbour Clinic"},
		{"bidi override dropped", "Clinic \u202eexe.txt", 120, "Clinic exe.txt"},
		{"invalid UTF-8 dropped", "Clinic\xff\xfeEast", 120, "ClinicEast"},
		{"cut at max", "Harbour Clinic", 7, "Harbour"},
		{"cut never leaves a trailing space", "Harbour Clinic", 8, "Harbour"},
		{"cut counts characters, not bytes", "Éé Clinique Été", 6, "Éé Cli"},
		{"no cap", strings.Repeat("a", 300), 0, strings.Repeat("a", 300)},
		{"only controls", "\r\n\t", 120, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := OneLine(tt.in, tt.max)
			if got != tt.want {
				t.Fatalf("OneLine(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
			if !utf8.ValidString(got) {
				t.Fatalf("OneLine(%q) is not valid UTF-8: %q", tt.in, got)
			}
		})
	}
}

// hostileName is a worksite name as someone could type it: line breaks to
// forge a header and whole lines of body, and far too long.
const hostileName = "Harbour Clinic\r\nBcc: victim@example.org\r\n\r\nURGENT: your licence is suspended.\nPay at https://evil.example/pay now" +
	"\n\n"

// TestRenderNamesCannotAddLines renders the emails that carry free-text
// names with hostile names and checks that the names stay inside their
// lines: no header line, no extra body line, nothing past NameMax.
func TestRenderNamesCannotAddLines(t *testing.T) {
	tpl := loadTemplates(t)
	long := strings.Repeat("Ω", 200)
	cases := []struct {
		template    string
		clean, evil any
	}{
		{"worksite_invitation",
			WorksiteInvitation{
				Common:       sampleCommon(""),
				InviterName:  "Dalia Ng",
				WorksiteName: "Harbour Clinic",
				WorksiteID:   "K7Q2M9X",
				AcceptURL:    "https://mycareconnect.example/invitations/abc",
				ExpiresOn:    "16 March 2026",
			},
			WorksiteInvitation{
				Common:       sampleCommon(""),
				InviterName:  "Dalia\nNg",
				WorksiteName: hostileName,
				WorksiteID:   "K7Q2M9X",
				AcceptURL:    "https://mycareconnect.example/invitations/abc",
				ExpiresOn:    "16 March 2026",
			}},
		{"declaration_requested",
			DeclarationRequested{Common: sampleCommon("Sam Lee"), WorksiteName: "Harbour Clinic", WorksiteID: "K7Q2M9X",
				RegistrantName: "Dalia Ng", DeclarationURL: "https://mycareconnect.example/declarations/abc"},
			DeclarationRequested{Common: sampleCommon("Sam\r\nLee"), WorksiteName: hostileName, WorksiteID: "K7Q2M9X",
				RegistrantName: "Dalia\r\nNg", DeclarationURL: "https://mycareconnect.example/declarations/abc"}},
		{"worksite_registered",
			WorksiteRegistered{
				Common:       sampleCommon("Dalia Ng"),
				WorksiteName: "Harbour Clinic",
				WorksiteID:   "K7Q2M9X",
				Address:      "12 Wharf St",
			},
			WorksiteRegistered{
				Common:       sampleCommon("Dalia Ng"),
				WorksiteName: hostileName,
				WorksiteID:   "K7Q2M9X",
				Address:      "12 Wharf St",
			}},
		{"worksite_join_decided",
			WorksiteJoinDecided{Common: sampleCommon("Sam Lee"), WorksiteName: "Harbour Clinic", Approved: true},
			WorksiteJoinDecided{Common: sampleCommon("Sam Lee"), WorksiteName: long, Approved: true}},
	}
	for _, c := range cases {
		t.Run(c.template, func(t *testing.T) {
			_, cleanText, cleanHTML := mustRender(t, tpl, c.template, c.clean)
			subject, text, html := mustRender(t, tpl, c.template, c.evil)
			if strings.ContainsAny(subject, "\r\n") {
				t.Errorf("subject spans lines: %q", subject)
			}
			if got, want := strings.Count(text, "\n"), strings.Count(cleanText, "\n"); got != want {
				t.Errorf("text has %d lines, the same email with plain names %d:\n%s", got, want, text)
			}
			if got, want := strings.Count(html, "\n"), strings.Count(cleanHTML, "\n"); got != want {
				t.Errorf("html has %d lines, the same email with plain names %d", got, want)
			}
			for _, line := range strings.Split(text, "\n") {
				if strings.HasPrefix(line, "Bcc:") || strings.HasPrefix(line, "URGENT") ||
					strings.HasPrefix(line, "Pay at") {
					t.Errorf("a name made its own line %q:\n%s", line, text)
				}
			}
			if strings.Contains(text, "\r") || strings.Contains(html, "\r") {
				t.Error("a carriage return reached a body")
			}
			if strings.Contains(text, long) || strings.Contains(subject, long) {
				t.Errorf("a %d-character name was not cut", utf8.RuneCountInString(long))
			}
			if strings.Contains(text, strings.Repeat("Ω", NameMax)) != (c.template == "worksite_join_decided") {
				t.Errorf("the long name is not shown cut to %d characters", NameMax)
			}
		})
	}
}

// TestRenderKeepsCommentsMultiline checks that only names are made single
// line: a comment or a reason keeps the lines its author wrote.
func TestRenderKeepsCommentsMultiline(t *testing.T) {
	tpl := loadTemplates(t)
	_, text, _ := mustRender(t, tpl, "worksite_join_request", WorksiteJoinRequest{Common: sampleCommon("Dalia"),
		RequesterName: "Sam\nLee", RequesterEmail: "sam@example.org", WorksiteName: "Clinic",
		Comment: "First line.\nSecond line.", RequestURL: "https://mycareconnect.example/requests/1"})
	if !strings.Contains(text, "First line.\nSecond line.") || !strings.Contains(text, "Sam Lee") {
		t.Fatalf("text:\n%s", text)
	}
}

// TestEveryEmailKeepsNamesOnOneLine renders every email of the template
// tests with each of its names (every field ending in "Name") replaced by
// a hostile one, and checks that no email gains a line.
func TestEveryEmailKeepsNamesOnOneLine(t *testing.T) {
	tpl := loadTemplates(t)
	for _, tc := range templateCases() {
		t.Run(tc.name, func(t *testing.T) {
			_, text, html := mustRender(t, tpl, tc.template, tc.data)
			v := reflect.New(reflect.TypeOf(tc.data)).Elem()
			v.Set(reflect.ValueOf(tc.data))
			if n := setNames(v, "Lee\r\nBcc: victim@example.org\n\nPay at https://evil.example"); n == 0 {
				t.Skip("no names")
			}
			evilSubject, evilText, evilHTML := mustRender(t, tpl, tc.template, v.Interface())
			if strings.ContainsAny(evilSubject, "\r\n") || strings.Contains(evilText, "\nBcc:") ||
				strings.Contains(evilText, "\nPay at") {
				t.Errorf("a name added a line:\n%s\n%s", evilSubject, evilText)
			}
			if strings.Count(evilText, "\n") != strings.Count(text, "\n") ||
				strings.Count(evilHTML, "\n") != strings.Count(html, "\n") {
				t.Errorf("the email has more lines with hostile names:\n%s", evilText)
			}
		})
	}
}

// setNames sets every non-empty string field ending in "Name" of the
// struct v, its embedded structs and its slices of structs, and returns how
// many it set.
func setNames(v reflect.Value, name string) int {
	n := 0
	for i := range v.NumField() {
		f, fv := v.Type().Field(i), v.Field(i)
		switch fv.Kind() {
		case reflect.String:
			if strings.HasSuffix(f.Name, "Name") && fv.String() != "" {
				fv.SetString(name)
				n++
			}
		case reflect.Struct:
			n += setNames(fv, name)
		case reflect.Slice:
			if fv.Type().Elem().Kind() == reflect.Struct {
				cp := reflect.MakeSlice(fv.Type(), fv.Len(), fv.Len())
				reflect.Copy(cp, fv)
				for j := range cp.Len() {
					n += setNames(cp.Index(j), name)
				}
				fv.Set(cp)
			}
		}
	}
	return n
}
