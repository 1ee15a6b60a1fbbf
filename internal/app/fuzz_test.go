package app_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/app"
)

// filterSeeds are realistic and hostile SCIM filters.
var filterSeeds = []string{
	`userName eq "HXBC\nancy"`,
	`userName eq "HXBC\\nancy"`,
	`USERNAME EQ "hxbc\u005Cnancy"`,
	`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "dalia18"`,
	`meta.lastModified gt "2026-01-31T00:00:00Z"`,
	`meta.lastModified gt "2026-01-31T00:00:00.123456789-08:00" and userName eq "a"`,
	`userName eq "a" and userName eq "b"`,
	`userName eq "a" or meta.lastModified gt "2026-01-31T00:00:00Z"`,
	`userName co "a"`,
	`emails[type eq "work"].value eq "a@example.ca"`,
	`not (userName eq "a")`,
	`userName eq "a\u0000b"`,
	`userName eq "a\x00b"`,
	"userName eq \"caf\xe9\"",
	`userName eq "\uD800"`,
	`userName eq ""`,
	`userName eq "   "`,
	`userName eq 18`,
	`userName eq true`,
	`userName eq null`,
	`userName pr`,
	`userName eq "unterminated`,
	`userName eq "a" and`,
	strings.Repeat(`userName eq "a" and `, 50) + `userName eq "a"`,
	strings.Repeat("(", 100),
	`"`,
	`\`,
	``,
}

// FuzzParseUserFilter: a SCIM filter either is refused with a FilterError
// carrying EINVALID (which the API answers as scimType invalidFilter) or
// yields a filter on the two supported attributes only: a user name in
// its stored form (lower case, no HXBC\ prefix, no control characters),
// a time in UTC. Parsing is deterministic.
func FuzzParseUserFilter(f *testing.F) {
	for _, s := range filterSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := app.ParseUserFilter(s)
		again, err2 := app.ParseUserFilter(s)
		if got != again || (err == nil) != (err2 == nil) || (err != nil && err.Error() != err2.Error()) {
			t.Fatalf("not deterministic: %+v %v, then %+v %v", got, err, again, err2)
		}
		if err != nil {
			var fe *app.FilterError
			if !errors.As(err, &fe) || portal.ErrorCode(err) != portal.EINVALID || portal.ErrorMessage(err) == "" {
				t.Fatalf("refused with %v (%T), not an invalid filter", err, err)
			}
			if got != (app.UserFilter{}) {
				t.Fatalf("refused but returned %+v", got)
			}
			return
		}
		lower := strings.ToLower(s)
		if got.Username != "" {
			if !strings.Contains(lower, "username") || got.Username != strings.ToLower(got.Username) ||
				strings.HasPrefix(got.Username, `hxbc\`) || !portal.ValidText(got.Username, false) ||
				strings.TrimSpace(got.Username) != got.Username {
				t.Errorf("user name %q from %q", got.Username, s)
			}
		}
		if !got.ChangedAfter.IsZero() &&
			(!strings.Contains(lower, "lastmodified") || got.ChangedAfter.Location() != time.UTC) {
			t.Errorf("time %v from %q", got.ChangedAfter, s)
		}
		if strings.TrimSpace(s) != "" && got == (app.UserFilter{}) {
			t.Errorf("%q accepted as no filter", s)
		}
	})
}

// FuzzParseUserFilterValue: any user name written as a JSON string in
// `userName eq "..."` is read back as that name in its stored form, or
// refused when it holds a control character or nothing.
func FuzzParseUserFilterValue(f *testing.F) {
	for _, s := range []string{"nancy", `HXBC\nancy`, "  Dalia.18 ", `hxbc\`, "a\"b\\c", "<&>", "é😀", "a\tb", "\x00",
		"caf\xe9", ""} {
		f.Add(s, int64(1769817600), int32(0))
	}
	f.Fuzz(func(t *testing.T, name string, sec int64, nsec int32) {
		quoted, _ := json.Marshal(name) // invalid UTF-8 becomes U+FFFD, as in any JSON
		var value string
		_ = json.Unmarshal(quoted, &value)
		got, err := app.ParseUserFilter(`userName eq ` + string(quoted))
		want := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(value)), `hxbc\`)
		switch {
		case strings.ContainsFunc(value, func(r rune) bool { return r < 0x20 || r >= 0x7f && r < 0xa0 }) || want == "":
			if err == nil {
				t.Errorf("%s accepted as %q", quoted, got.Username)
			}
		case err != nil:
			t.Errorf("%s refused: %v", quoted, err)
		case got.Username != want:
			t.Errorf("%s read as %q, want %q", quoted, got.Username, want)
		}

		// Any time from year 1 to 9999, in any zone to the minute, as RFC 3339.
		at := time.Unix(sec%253402300799, int64(nsec)%1e9).In(time.FixedZone("", int(nsec%(14*60))*60))
		if at.Year() < 1 || at.Year() > 9999 {
			return
		}
		got, err = app.ParseUserFilter(`meta.lastModified gt "` + at.Format(time.RFC3339Nano) + `"`)
		if err != nil || !got.ChangedAfter.Equal(at) || got.ChangedAfter.Location() != time.UTC {
			t.Errorf("%s read as %v (%v), want %v", at.Format(time.RFC3339Nano), got.ChangedAfter, err, at)
		}
	})
}
