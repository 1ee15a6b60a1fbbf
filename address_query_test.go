package portal

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCheckAddressQuery(t *testing.T) {
	const (
		tooLong  = "Your search is too long. Type at most 200 characters of the address, for example 370 Broadway E."
		tooMany  = "Your search has too many words. Type at most 12 words of the address, for example 370 Broadway E."
		fullAddr = "101-370 Broadway E Vancouver BC V5T 4G5"
	)
	tests := []struct {
		name, q, want string
	}{
		{"a whole address", fullAddr, ""},
		{"200 characters", strings.Repeat("a", 200), ""},
		{"201 characters", strings.Repeat("a", 201), tooLong},
		{"200 characters of two bytes", strings.Repeat("é", 200), ""},
		{"12 words", strings.Repeat("word ", 12), ""},
		{"13 words", strings.Repeat("word ", 13), tooMany},
		{"13 words joined by hyphens", strings.Repeat("w-", 13), tooMany},
		{"40,000 words", strings.Repeat("broadway ", 40000), tooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckAddressQuery(tt.q)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got %v, want none", err)
				}
				return
			}
			if ErrorCode(err) != EINVALID || ErrorMessage(err) != tt.want {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
}

func TestCutAddressQuery(t *testing.T) {
	for _, q := range []string{"370 Broadway E", strings.Repeat("é", 500), strings.Repeat("broadway ", 40000)} {
		got := CutAddressQuery(q)
		if n := utf8.RuneCountInString(got); n > AddressQueryMaxChars || !utf8.ValidString(got) ||
			!strings.HasPrefix(q, got) {
			t.Fatalf("CutAddressQuery gave %d characters (valid %v)", n, utf8.ValidString(got))
		}
		if utf8.RuneCountInString(q) <= AddressQueryMaxChars && got != q {
			t.Fatalf("a short query was cut: %q", got)
		}
	}
}
