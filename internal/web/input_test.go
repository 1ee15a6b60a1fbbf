package web

import (
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestValidText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in        string
		multiLine bool
		want      bool
	}{
		{"Kingsgate Mall Clinic", false, true},
		{"Zoë Ł’Café 診療所 🙂", false, true},
		{"", false, true},
		{"caf\xe9", false, false},
		{"\xff", true, false},
		{"\xed\xa0\x80", false, false}, // an encoded surrogate
		{"a\x00b", false, false},
		{"a\x00b", true, false},
		{"line\nbreak", false, false},
		{"line\r\nbreak\tand tab", true, true},
		{"tab\t", false, false},
		{"escape\x1b[31m", true, false},
		{"delete\x7f", true, false},
		{"c1\u0085", true, false},
	} {
		if got := validText(tc.in, tc.multiLine); got != tc.want {
			t.Errorf("validText(%q, %v) = %v, want %v", tc.in, tc.multiLine, got, tc.want)
		}
	}
}

// The multi-line fields are exactly the templates' text areas: a new
// text area must be listed to accept line breaks, and a listed name that
// is no text area any more must go.
func TestMultiLineFieldsAreTheTextAreas(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`<textarea[^>]*\sname="([^"]+)"`)
	found := map[string]bool{}
	err := fs.WalkDir(templateFS(""), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS(""), p)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllSubmatch(b, -1) {
			found[string(m[1])] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var missing, stale []string
	for name := range found {
		if !multiLineFields[name] {
			missing = append(missing, name)
		}
	}
	for name := range multiLineFields {
		if !found[name] {
			stale = append(stale, name)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	if len(missing) > 0 || len(stale) > 0 {
		t.Fatalf("text areas not in multiLineFields: %v; multiLineFields that are no text area: %v", missing, stale)
	}
}

func TestCleanUserAgent(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 299) + "é"
	for _, tc := range []struct{ in, want string }{
		{"Mozilla/5.0 (X11; Linux x86_64)", "Mozilla/5.0 (X11; Linux x86_64)"},
		{"Mozilla \xff\xfe", "Mozilla \uFFFD"},
		{"tab\there", "tab here"},
		{long, strings.Repeat("a", 299)},
		{strings.Repeat("é", 200), strings.Repeat("é", 150)},
	} {
		if got := cleanUserAgent(tc.in); got != tc.want || !utf8.ValidString(got) || len(got) > maxUserAgentBytes {
			t.Errorf("cleanUserAgent(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
