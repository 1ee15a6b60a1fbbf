package portal

import (
	"strings"
	"unicode/utf8"
)

// An address search's cost grows with its length and its words, so a
// query is bounded before it reaches the index. A whole address with its
// unit, city, province and postal code needs far less:
// "101-370 Broadway E Vancouver BC V5T 4G5" is 39 characters and 8 words.
const (
	AddressQueryMaxChars = 200
	AddressQueryMaxWords = 12
)

// CheckAddressQuery refuses a search query too long to be an address, with
// a message to show where the address is typed. Words are counted as the
// search reads them (SearchWords): "370-Broadway-E" is three.
func CheckAddressQuery(q string) error {
	if utf8.RuneCountInString(q) > AddressQueryMaxChars {
		return Errorf(
			EINVALID,
			"Your search is too long. Type at most %d characters of the address, for example 370 Broadway E.",
			AddressQueryMaxChars,
		)
	}
	if len(strings.Fields(FoldSearchText(q))) > AddressQueryMaxWords {
		return Errorf(
			EINVALID,
			"Your search has too many words. Type at most %d words of the address, for example 370 Broadway E.",
			AddressQueryMaxWords,
		)
	}
	return nil
}

// CutAddressQuery returns the first AddressQueryMaxChars characters of q,
// for code that reads a query without refusing it: the index's query
// parsing reads no more, and at most AddressQueryMaxWords of its words.
func CutAddressQuery(q string) string {
	n := 0
	for i := range q {
		if n == AddressQueryMaxChars {
			return q[:i]
		}
		n++
	}
	return q
}
