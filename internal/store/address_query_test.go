package store

import (
	"strings"
	"testing"
	"unicode/utf8"

	portal "github.com/bcgov-example/careconnect-portal"
)

// TestParseAddressQueryIsBounded: however long the query, the search reads
// at most portal.AddressQueryMaxWords words of its first
// portal.AddressQueryMaxChars characters.
func TestParseAddressQueryIsBounded(t *testing.T) {
	tests := []struct {
		name, q string
	}{
		{"40,000 words", strings.Repeat("broadway ", 40000)},
		{"postal codes split in two", strings.Repeat("v5t4g5 ", 30)},
		{"one long word", strings.Repeat("a", 200000)},
		{"hyphenated words", strings.Repeat("e-", 5000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			aq := parseAddressQuery(tt.q)
			n := len(aq.words)
			if aq.last != "" {
				n++
			}
			if n > portal.AddressQueryMaxWords {
				t.Fatalf("%d words read, want at most %d", n, portal.AddressQueryMaxWords)
			}
			if l := utf8.RuneCountInString(aq.last); l > portal.AddressQueryMaxChars {
				t.Fatalf("a last word of %d characters", l)
			}
		})
	}
	if aq := parseAddressQuery("370 Broadway Ea"); strings.Join(aq.words, " ") != "370 broadway" || aq.last != "ea" {
		t.Fatalf("a short query reads %q + %q", aq.words, aq.last)
	}
}
