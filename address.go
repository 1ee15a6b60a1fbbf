package portal

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// AddressID identifies an address in the portal's index of validated B.C.
// addresses.
type AddressID int64

// Address is a B.C. civic address, either from the index of validated
// addresses (ID set) or typed by hand (ID 0).
type Address struct {
	ID          AddressID
	Unit        string // suite or unit, e.g. "101A"; "" for the whole building
	CivicNumber string // e.g. "370"
	StreetName  string // e.g. "Broadway"
	StreetType  string // e.g. "St"; "" when the name has none (Broadway, Kingsway)
	Direction   string // e.g. "E"; ""
	City        string
	Province    string // always "BC" once normalised
	PostalCode  string // "V5T 4G5"
}

// Line formats the address on one line, the way the portal shows it:
//
//	101-370 Broadway E Vancouver, BC, V5T 4G5
func (a Address) Line() string {
	if a.Unit == "" {
		return a.BuildingLine()
	}
	return a.Unit + "-" + a.BuildingLine()
}

// BuildingLine is Line without the unit: the building's address.
func (a Address) BuildingLine() string {
	line := a.Street()
	if a.City != "" {
		line += " " + a.City
	}
	for _, part := range []string{a.Province, a.PostalCode} {
		if part != "" {
			line += ", " + part
		}
	}
	return line
}

// Street is the civic number and the street: "370 Broadway E".
func (a Address) Street() string {
	parts := make([]string, 0, 4)
	for _, p := range []string{a.CivicNumber, a.StreetName, a.StreetType, a.Direction} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " ")
}

// Key is the canonical form of the address, unit included: lower case,
// accents and punctuation removed, street types and directions abbreviated.
// Two spellings of one address ("Main Street East" and "Main St E") have
// the same key.
func (a Address) Key() string {
	return strings.Join(SearchWords(a.Unit+" "+a.CivicNumber+" "+a.StreetName+" "+a.StreetType+" "+
		a.Direction+" "+a.City+" "+a.Province+" "+NormalizePostalCode(a.PostalCode)), " ")
}

var (
	unitPattern   = regexp.MustCompile(`^[A-Z0-9]{1,10}$`)
	civicPattern  = regexp.MustCompile(`^[1-9][0-9]{0,5}[A-Z]?$`)
	postalPattern = regexp.MustCompile(`^[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z] [0-9][ABCEGHJ-NPRSTV-Z][0-9]$`)
	unitPrefix    = regexp.MustCompile(`(?i)^(#|unit\s+|suite\s+|ste\.?\s+|apt\.?\s+)`)
)

// Normalize tidies an address typed by hand or read from a file: spaces
// trimmed and collapsed, unit and civic number in capitals ("#101" and
// "Unit 101" become "101"), known street types and directions in their
// standard abbreviation ("Street" becomes "St", "East" "E"), the province
// "BC" and the postal code as "V5T 4G5".
func (a *Address) Normalize() {
	for _, s := range []*string{&a.Unit, &a.CivicNumber, &a.StreetName, &a.StreetType,
		&a.Direction, &a.City, &a.Province} {
		*s = strings.Join(strings.Fields(*s), " ")
	}
	a.Unit = strings.ToUpper(unitPrefix.ReplaceAllString(a.Unit, ""))
	a.CivicNumber = strings.ToUpper(strings.TrimLeft(a.CivicNumber, "0"))
	if t, ok := StreetTypeAbbr(a.StreetType); ok {
		a.StreetType = t
	}
	if d, ok := DirectionAbbr(a.Direction); ok {
		a.Direction = d
	}
	if IsBCProvince(a.Province) {
		a.Province = "BC"
	} else {
		a.Province = strings.ToUpper(a.Province)
	}
	a.PostalCode = NormalizePostalCode(a.PostalCode)
}

// IsBCProvince reports whether a province as typed means British Columbia:
// "BC", "B.C.", "British Columbia", or nothing (the portal serves B.C. only).
func IsBCProvince(p string) bool {
	switch strings.Join(SearchWords(p), " ") {
	case "", "bc", "b c", "british columbia":
		return true
	}
	return false
}

// NormalizePostalCode writes a Canadian postal code as "A1A 1A1": capitals,
// one space. Anything that is not six letters and digits is returned trimmed
// and in capitals, for Validate to reject.
func NormalizePostalCode(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	compact := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, s)
	if len(compact) != 6 {
		return s
	}
	return compact[:3] + " " + compact[3:]
}

// Validate checks an address typed by hand, as Normalize would store it
// (so "v5t4g5" and "#101a" pass). Field keys are those of the address
// form: unit, civic_number, street_name, city, province and postal_code.
func (a Address) Validate() FieldErrors {
	fe := FieldErrors{}
	for _, f := range []struct{ field, v string }{{"unit", a.Unit}, {"civic_number", a.CivicNumber},
		{"street_name", a.StreetName}, {"street_type", a.StreetType}, {"direction", a.Direction}, {"city", a.City},
		{"province", a.Province}, {"postal_code", a.PostalCode}} {
		fe.CheckText(f.field, f.v, false)
	}
	a.Normalize()
	if a.Unit != "" && !unitPattern.MatchString(a.Unit) {
		fe.Add("unit", "Enter the unit as up to 10 letters and digits, for example 101 or 101A.")
	}
	switch {
	case a.CivicNumber == "":
		fe.Add("civic_number", "Enter the street number.")
	case !civicPattern.MatchString(a.CivicNumber):
		fe.Add("civic_number",
			"Enter the street number as digits, optionally followed by one letter, for example 370 or 370A.")
	}
	validateAddressName(fe, "street_name", "street name", a.StreetName, 60)
	validateAddressName(fe, "city", "city", a.City, 50)
	// Street types and directions not in the tables are kept as typed (the
	// tables hold the common ones), so they are held to the same rules.
	if a.StreetType != "" {
		validateAddressName(fe, "street_type", "street type", a.StreetType, AddressPartMax)
	}
	if a.Direction != "" {
		validateAddressName(fe, "direction", "direction", a.Direction, AddressPartMax)
	}
	if a.Province != "BC" {
		fe.Add("province", "The address must be in British Columbia.")
	}
	switch {
	case a.PostalCode == "":
		fe.Add("postal_code", "Enter the postal code.")
	case !postalPattern.MatchString(a.PostalCode):
		fe.Add("postal_code", "Enter the postal code in the format A1A 1A1, for example V5T 4G5.")
	case a.PostalCode[0] != 'V':
		fe.Add("postal_code", "Enter a British Columbia postal code: they start with V.")
	}
	return fe
}

// AddressPartMax bounds a street type or a direction, in characters: the
// longest in the tables ("Northwest") has 9.
const AddressPartMax = 20

func validateAddressName(fe FieldErrors, field, label, v string, max int) {
	switch n := utf8.RuneCountInString(v); {
	case n == 0:
		fe.Add(field, "Enter the "+label+".")
		return
	case n > max:
		fe.Add(field, "Enter a "+label+" of at most "+strconv.Itoa(max)+" characters.")
		return
	}
	for _, r := range v {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune(" '’-.&", r) {
			fe.Add(field, "Use only letters, digits, spaces, apostrophes, hyphens and periods in the "+label+".")
			return
		}
	}
}

// Abbreviation is one entry of an abbreviation table: the short form shown
// in addresses, the word in full, and other spellings people type.
type Abbreviation struct {
	Short string
	Long  string
	Other []string
}

// StreetTypes are the street types the portal recognises, with the
// abbreviations Canada Post uses (or the everyday one where Canada Post
// writes the word in full).
var StreetTypes = []Abbreviation{
	{"St", "Street", []string{"Str"}},
	{"Ave", "Avenue", []string{"Av"}},
	{"Rd", "Road", nil},
	{"Blvd", "Boulevard", []string{"Boul"}},
	{"Dr", "Drive", []string{"Drv"}},
	{"Cres", "Crescent", []string{"Cr"}},
	{"Hwy", "Highway", nil},
	{"Pl", "Place", nil},
	{"Crt", "Court", []string{"Ct"}},
	{"Way", "Way", nil},
	{"Ln", "Lane", nil},
	{"Terr", "Terrace", []string{"Ter"}},
	{"Cir", "Circle", nil},
	{"Sq", "Square", nil},
	{"Pky", "Parkway", []string{"Pkwy"}},
	{"Trail", "Trail", []string{"Trl"}},
	{"Gate", "Gate", nil},
	{"Close", "Close", nil},
	{"Mews", "Mews", nil},
	{"Row", "Row", nil},
	{"Grove", "Grove", nil},
	{"Gdns", "Gardens", nil},
	{"Hts", "Heights", nil},
	{"Pt", "Point", nil},
	{"Rise", "Rise", nil},
	{"Walk", "Walk", nil},
}

// Directions are the street directions, as Canada Post abbreviates them.
var Directions = []Abbreviation{
	{"E", "East", nil},
	{"W", "West", nil},
	{"N", "North", nil},
	{"S", "South", nil},
	{"NE", "Northeast", nil},
	{"NW", "Northwest", nil},
	{"SE", "Southeast", nil},
	{"SW", "Southwest", nil},
}

// searchSynonyms are other words search treats as one.
var searchSynonyms = []Abbreviation{
	{"St", "Saint", nil},
	{"Mt", "Mount", nil},
}

// streetTypeIndex and directionIndex map every lower-case spelling to the
// standard abbreviation.
var streetTypeIndex, directionIndex = abbreviationIndex(StreetTypes), abbreviationIndex(Directions)

// canonicalWords maps every spelling search knows to its canonical search
// word (the lower-case short form); longForms maps each other spelling
// ("road", "east") to its canonical words.
var canonicalWords, longForms = func() (map[string]string, map[string][]string) {
	words := map[string]string{}
	long := map[string][]string{}
	for _, table := range [][]Abbreviation{StreetTypes, Directions, searchSynonyms} {
		for _, e := range table {
			c := strings.ToLower(e.Short)
			for _, f := range append([]string{e.Short, e.Long}, e.Other...) {
				f = strings.ToLower(f)
				words[f] = c
				if f != c {
					long[f] = append(long[f], c)
				}
			}
		}
	}
	return words, long
}()

func abbreviationIndex(table []Abbreviation) map[string]string {
	m := map[string]string{}
	for _, e := range table {
		for _, f := range append([]string{e.Short, e.Long}, e.Other...) {
			m[strings.ToLower(f)] = e.Short
		}
	}
	return m
}

// StreetTypeAbbr returns the standard abbreviation of a street type in any
// known spelling: "street", "Str" and "ST" all give "St".
func StreetTypeAbbr(s string) (string, bool) {
	v, ok := streetTypeIndex[strings.ToLower(strings.Trim(s, ". "))]
	return v, ok
}

// DirectionAbbr returns the standard abbreviation of a direction: "East"
// gives "E", "south west" is not known but "Southwest" and "SW" give "SW".
func DirectionAbbr(s string) (string, bool) {
	v, ok := directionIndex[strings.ToLower(strings.Trim(s, ". "))]
	return v, ok
}

// CanonicalWord maps a lower-case search word to the form search stores and
// compares: known street types, directions and a few common words become
// their abbreviation ("street" -> "st", "east" -> "e", "saint" -> "st");
// other words are returned unchanged.
func CanonicalWord(w string) string {
	if c, ok := canonicalWords[w]; ok {
		return c
	}
	return w
}

// ExpandPrefix returns the canonical words that a partly typed last word
// may stand for although they do not start with it: "ro" may become "road",
// stored as "rd"; "ea" may become "east", stored as "e". Words that are
// that start with every canonical form they may stand for ("av" of
// "avenue", stored as "ave") need no expansion and return nothing.
func ExpandPrefix(w string) []string {
	if w == "" {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for long, cs := range longForms {
		if !strings.HasPrefix(long, w) {
			continue
		}
		for _, c := range cs {
			if !strings.HasPrefix(c, w) && !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	slices.Sort(out)
	return out
}

// IsCanonicalAbbreviation reports whether w is the canonical search form of
// a street type, direction or synonym ("st", "e", "ave").
func IsCanonicalAbbreviation(w string) bool {
	c, ok := canonicalWords[w]
	return ok && c == w
}

var foldAccents = transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)

// FoldSearchText lower-cases s, removes accents and turns every run of
// characters other than ASCII letters and digits into one space.
func FoldSearchText(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if !ascii {
		if folded, _, err := transform.String(foldAccents, s); err == nil {
			s = folded
		}
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
		case r == '\'' || r == '’':
			continue // O'Hare -> ohare
		default:
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// SearchWords splits text into canonical search words: folded by
// FoldSearchText, then each word mapped by CanonicalWord. "370 Broadway
// East" and "370 BROADWAY E" both give [370 broadway e].
func SearchWords(s string) []string {
	words := strings.Fields(FoldSearchText(s))
	for i, w := range words {
		words[i] = CanonicalWord(w)
	}
	return words
}

// UnitSortKey orders units naturally: the building itself first, then
// units by their number, a letter after its number (100, 101, 101A, 102,
// 1001), then units that do not start with a digit (PH1) in alphabetical
// order. It is lower case ASCII, so byte order is the natural order.
func UnitSortKey(unit string) string {
	u := strings.Join(strings.Fields(FoldSearchText(unit)), "")
	if u == "" {
		return ""
	}
	i := 0
	for i < len(u) && u[i] >= '0' && u[i] <= '9' {
		i++
	}
	if i == 0 {
		return "~" + u
	}
	digits := strings.TrimLeft(u[:i], "0")
	if len(digits) > 8 {
		return "~" + u
	}
	return strings.Repeat("0", 8-len(digits)) + digits + u[i:]
}

// CivicSortKey orders civic numbers naturally: 9 < 10 < 370 < 370A < 371.
func CivicSortKey(civic string) int64 {
	c := FoldSearchText(civic)
	i := 0
	for i < len(c) && c[i] >= '0' && c[i] <= '9' && i < 9 {
		i++
	}
	n, _ := strconv.ParseInt(c[:i], 10, 64)
	var suffix int64
	if i < len(c) && c[i] >= 'a' && c[i] <= 'z' {
		suffix = int64(c[i]-'a') + 1
	}
	return n*32 + suffix
}
