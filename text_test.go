package portal

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTruncate(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"", 3, ""},
		{"abc", 3, "abc"},
		{"abcd", 3, "abc"},
		{"été", 2, "ét"},
		{"日本語テキスト", 3, "日本語"},
		{"a😀b", 2, "a😀"},
		{"abc", 0, ""},
		{"exactly", 7, "exactly"},
		{"a" + strings.Repeat("é", 30), 20, "a" + strings.Repeat("é", 19)},
		{"🙂🙂", 1, "🙂"},
		{"🙂", 0, ""},
	} {
		got := Truncate(tt.in, tt.n)
		if got != tt.want || !utf8.ValidString(got) {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
