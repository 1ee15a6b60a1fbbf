package store

import (
	"reflect"
	"regexp"
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

var (
	searchWordRe = regexp.MustCompile(`^[a-z0-9]+$`)
	unitKeyRe    = regexp.MustCompile(`^([0-9]{8}[a-z0-9]*|~[a-z0-9]+)$`) // portal.UnitSortKey
	keyBoundRe   = regexp.MustCompile(`^[a-z0-9 ]*[!~]?$`)
)

// FuzzParseAddressQuery: whatever is typed into the address search, the
// query it becomes holds at most portal.AddressQueryMaxWords words, each
// of letters and digits only, so nothing typed reaches a LIKE pattern or a
// key range as a wildcard; and parsing is deterministic.
func FuzzParseAddressQuery(f *testing.F) {
	for _, q := range []string{
		"101-370 Broadway E Vancouver BC V5T 4G5",
		"#101A - 370a broadway east",
		"v5t4g5",
		"370 Broadway Ea",
		"370 Broadway Ea ",
		"Saint-Laurent O'Hare",
		"ro",
		"%_%",
		"100% _under_ score\\",
		strings.Repeat("v5t4g5 ", 13),
		strings.Repeat("broadway ", 40),
		strings.Repeat("é", 250),
		"Kingsgate\x00Clinic",
		"caf\xe9",
		"12345678901-1",
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		aq := parseAddressQuery(raw)
		if again := parseAddressQuery(raw); !reflect.DeepEqual(aq, again) {
			t.Fatalf("not deterministic: %+v, then %+v", aq, again)
		}
		n := len(aq.words)
		if aq.last != "" {
			n++
		}
		if n > portal.AddressQueryMaxWords {
			t.Errorf("%d words, more than %d", n, portal.AddressQueryMaxWords)
		}
		for _, w := range append(append(append([]string(nil), aq.words...), aq.alts...), aq.last) {
			if w != "" && !searchWordRe.MatchString(w) {
				t.Errorf("search word %q is not letters and digits", w)
			}
		}
		if aq.unit != "" &&
			(!searchWordRe.MatchString(aq.unitWord) || len(aq.unitWord) > 10 || !unitKeyRe.MatchString(aq.unit)) {
			t.Errorf("unit %q (%q)", aq.unitWord, aq.unit)
		}
		if aq.empty() {
			return
		}
		for _, r := range aq.ranges() {
			if !keyBoundRe.MatchString(r.lo) || !keyBoundRe.MatchString(r.hi) || r.lo >= r.hi {
				t.Errorf("key range [%q, %q)", r.lo, r.hi)
			}
		}
		if aq.last == "" {
			return
		}
		for _, p := range lastWordPatterns(aq) {
			inner := strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(p, "% "), "%"), " ")
			if strings.ContainsAny(inner, `%_\`) {
				t.Errorf("LIKE pattern %q carries a wildcard from the query", p)
			}
		}
	})
}
