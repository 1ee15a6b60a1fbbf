package store

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	portal "github.com/bcgov-example/careconnect-portal"
)

// Address search.
//
// Every address is stored with canonical keys (see migration 0003): words
// lower-cased, accents and punctuation removed, street types and directions
// abbreviated ("East" -> "e", "Street" -> "st"). A query is put in the same
// form, so abbreviations match both ways. The last word of a query may be
// partly typed and matches as a prefix, also of the long forms ("ea" finds
// "e", stored for East); the other words match whole.
//
// A search runs up to three steps, each ordered by an index and stopped at
// the limit, until the limit is filled:
//
//  1. the query as the start of the building address, civic number first
//     ("370 Broadway E Van"): the building's units follow in natural order;
//     "101-370 Broadway" asks for unit 101 of 370 Broadway;
//  2. the query as the start of the street address ("Broadway E Van"), in
//     civic number order;
//  3. every word anywhere in the address, in any order ("Vancouver
//     Broadway 370", "V5T 4G"): full-text search, FTS5 on SQLite and a GIN
//     tsvector index on PostgreSQL. The partly typed last word is first
//     expanded to the whole words it starts (address_words: "vanc" ->
//     "vancouver"), which both engines find much faster than a prefix of a
//     frequent word; a prefix that starts too many words is searched as a
//     prefix. On PostgreSQL a search made only of very common words
//     ("Vancouver M") checks a sample of the table instead (searchSample).
//
// Steps 1 and 2 read at most limit index entries per key range, so they
// take about the same time however large the index is.

// MinAddressQuery is the shortest query, in characters, that SearchAddresses answers.
const MinAddressQuery = 3

// MaxAddressResults caps the limit of SearchAddresses.
const MaxAddressResults = 100

const addressColumns = "id, unit, civic_number, street_name, street_type, direction, city, province, postal_code, building_key, street_key, unit_key, civic_sort"

// addressKeys are the stored search forms of an address.
type addressKeys struct {
	building, street, unit, text string
	civic                        int64
}

func keysOf(a portal.Address) addressKeys {
	civic := strings.ReplaceAll(portal.FoldSearchText(a.CivicNumber), " ", "")
	street := portal.SearchWords(a.StreetName + " " + a.StreetType + " " + a.Direction)
	city := portal.SearchWords(a.City)
	postal := portal.SearchWords(a.PostalCode)
	streetKey := strings.Join(slices.Concat(street, city), " ")
	building := strings.Join(slices.Concat([]string{civic}, street, city, portal.SearchWords(a.Province), postal), " ")
	text := make([]string, 0, 2+len(street)+len(city)+len(postal))
	if u := strings.ReplaceAll(portal.FoldSearchText(a.Unit), " ", ""); u != "" {
		text = append(text, u)
	}
	text = append(text, civic)
	for _, w := range slices.Concat(street, city, postal) {
		if !slices.Contains(text, w) {
			text = append(text, w)
		}
	}
	return addressKeys{
		building: building,
		street:   streetKey,
		unit:     portal.UnitSortKey(a.Unit),
		text:     strings.Join(text, " "),
		civic:    portal.CivicSortKey(a.CivicNumber),
	}
}

// foundAddress is a search result with the keys it is ordered by.
type foundAddress struct {
	portal.Address
	building, street, unit string
	civic                  int64
}

func scanAddresses(rows *sql.Rows) ([]foundAddress, error) {
	defer rows.Close()
	var out []foundAddress
	for rows.Next() {
		var f foundAddress
		var id int64
		if err := rows.Scan(&id, &f.Unit, &f.CivicNumber, &f.StreetName, &f.StreetType, &f.Direction, &f.City,
			&f.Province, &f.PostalCode, &f.building, &f.street, &f.unit, &f.civic); err != nil {
			return nil, err
		}
		f.ID = portal.AddressID(id)
		out = append(out, f)
	}
	return out, rows.Err()
}

// queryAddresses runs a query that selects addressColumns and reads its rows.
func (q Q) queryAddresses(ctx context.Context, query string, args ...any) ([]foundAddress, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return scanAddresses(rows)
}

// queryAddressesByBuilding is queryAddresses with the rows in building
// order (compareBuilding).
func (q Q) queryAddressesByBuilding(ctx context.Context, query string, args ...any) ([]foundAddress, error) {
	found, err := q.queryAddresses(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(found, compareBuilding)
	return found, nil
}

// FindAddressByID returns an address of the index.
func (q Q) FindAddressByID(ctx context.Context, id portal.AddressID) (*portal.Address, error) {
	found, err := q.queryAddresses(ctx, "SELECT "+addressColumns+" FROM addresses WHERE id = ?", int64(id))
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, mapError(sql.ErrNoRows)
	}
	return &found[0].Address, nil
}

// CountAddresses returns the number of addresses in the index.
func (q Q) CountAddresses(ctx context.Context) (int, error) {
	var n int
	err := q.QueryRow(ctx, "SELECT COUNT(*) FROM addresses").Scan(&n)
	return n, mapError(err)
}

// addressQuery is a search query in canonical form.
type addressQuery struct {
	unit     string   // unit sort key when the query starts "101-370 ..."
	unitWord string   // that unit as a search word
	words    []string // complete words, canonical
	last     string   // the partly typed last word as typed (folded); "" after a separator
	alts     []string // whole canonical words the last word may stand for
}

var (
	unitCivicQuery = regexp.MustCompile(`^\s*#?([A-Za-z0-9]{1,10})\s*-\s*([0-9]+[A-Za-z]?)\b`)
	postalWord     = regexp.MustCompile(`^[a-z][0-9][a-z][0-9]([a-z][0-9]?)?$`)
)

// parseAddressQuery puts a query in canonical form. A postal code typed
// without its space ("v5t4g5") is split as stored. It reads at most
// portal.AddressQueryMaxChars characters and portal.AddressQueryMaxWords
// words, so no query makes a search of thousands of words.
func parseAddressQuery(raw string) addressQuery {
	var aq addressQuery
	raw = portal.CutAddressQuery(raw)
	if m := unitCivicQuery.FindStringSubmatchIndex(raw); m != nil {
		unit := raw[m[2]:m[3]]
		aq.unit, aq.unitWord = portal.UnitSortKey(unit), strings.ToLower(unit)
		raw = raw[m[4]:]
	}
	folded := portal.FoldSearchText(raw)
	complete := folded == "" || !isWordByte(raw[len(raw)-1])
	var words []string
	for _, w := range strings.Fields(folded) {
		if postalWord.MatchString(w) {
			words = append(words, w[:3], w[3:])
			continue
		}
		words = append(words, w)
	}
	if len(words) > portal.AddressQueryMaxWords {
		words, complete = words[:portal.AddressQueryMaxWords], true // the last word kept is whole
	}
	if len(words) == 0 {
		return aq
	}
	if !complete {
		aq.last, words = words[len(words)-1], words[:len(words)-1]
		if c := portal.CanonicalWord(aq.last); c != aq.last {
			aq.alts = append(aq.alts, c)
		}
		for _, c := range portal.ExpandPrefix(aq.last) {
			if !slices.Contains(aq.alts, c) {
				aq.alts = append(aq.alts, c)
			}
		}
	}
	for _, w := range words {
		aq.words = append(aq.words, portal.CanonicalWord(w))
	}
	return aq
}

// isWordByte reports whether the query's last byte continues a word: a
// letter, digit or the tail of a multi-byte letter such as "é".
func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= utf8.RuneSelf || c == '\''
}

func (aq addressQuery) empty() bool { return len(aq.words) == 0 && aq.last == "" }

// keyRange is a half-open range of stored keys.
type keyRange struct{ lo, hi string }

// ranges returns the key ranges of the query read as the start of a key:
// the complete words, then the last word as a prefix or any of its
// whole-word alternatives. Keys hold only [a-z0-9 ], so "p" up to "p~"
// holds every key starting with p, and "p" up to "p!" the key p and the
// keys continuing p with a space (p as whole words).
func (aq addressQuery) ranges() []keyRange {
	base := strings.Join(aq.words, " ")
	join := func(w string) string {
		if base == "" {
			return w
		}
		return base + " " + w
	}
	if aq.last == "" {
		return []keyRange{{base, base + "!"}}
	}
	out := []keyRange{{join(aq.last), join(aq.last) + "~"}}
	for _, a := range aq.alts {
		out = append(out, keyRange{join(a), join(a) + "!"})
	}
	return out
}

// SearchAddresses finds up to limit addresses matching a type-ahead query
// (at most MaxAddressResults). Queries shorter than MinAddressQuery
// characters find nothing. Results of one building come together, its
// units in natural order (100, 101, 101A, 102).
func (q Q) SearchAddresses(ctx context.Context, query string, limit int) ([]portal.Address, error) {
	if utf8.RuneCountInString(strings.TrimSpace(query)) < MinAddressQuery {
		return nil, nil
	}
	if limit <= 0 || limit > MaxAddressResults {
		limit = MaxAddressResults
	}
	aq := parseAddressQuery(query)
	if aq.empty() {
		return nil, nil
	}
	var out []portal.Address
	seen := map[portal.AddressID]bool{}
	add := func(found []foundAddress) {
		for _, f := range found {
			if len(out) < limit && !seen[f.ID] {
				seen[f.ID] = true
				out = append(out, f.Address)
			}
		}
	}

	// 1. The start of the building address, civic number first.
	found, err := q.searchByKey(ctx, aq, "building_key", limit)
	if err != nil {
		return nil, err
	}
	add(found)
	// 2. The start of the street address.
	if len(out) < limit && aq.unit == "" {
		found, err := q.searchByKey(ctx, aq, "street_key", limit)
		if err != nil {
			return nil, err
		}
		add(found)
	}
	// 3. Every word, anywhere.
	if len(out) < limit {
		found, err := q.searchFullText(ctx, aq, limit)
		if err != nil {
			return nil, err
		}
		add(found)
	}
	return out, nil
}

// searchByKey reads each key range of the query in index order and merges
// them: building_key ranges by building then unit, street_key ranges by
// street, civic number, unit.
func (q Q) searchByKey(ctx context.Context, aq addressQuery, column string, limit int) ([]foundAddress, error) {
	var sqlText string
	switch {
	case column == "building_key" && aq.unit != "":
		sqlText = "SELECT " + addressColumns + " FROM addresses " +
			"WHERE unit_key = ? AND unit_key <> '' AND building_key >= ? AND building_key < ? ORDER BY building_key LIMIT ?"
	case column == "building_key":
		sqlText = "SELECT " + addressColumns + " FROM addresses WHERE building_key >= ? AND building_key < ? " +
			"ORDER BY building_key, unit_key LIMIT ?"
	case column == "street_key":
		sqlText = "SELECT " + addressColumns + " FROM addresses WHERE street_key >= ? AND street_key < ? " +
			"ORDER BY street_key, civic_sort, unit_key LIMIT ?"
	default:
		return nil, fmt.Errorf("store: no address key %q", column)
	}
	var all []foundAddress
	for _, r := range aq.ranges() {
		args := []any{r.lo, r.hi, limit}
		if aq.unit != "" {
			args = append([]any{aq.unit}, args...)
		}
		found, err := q.queryAddresses(ctx, sqlText, args...)
		if err != nil {
			return nil, err
		}
		all = append(all, found...)
	}
	if column == "street_key" {
		slices.SortStableFunc(all, func(a, b foundAddress) int {
			if c := strings.Compare(a.street, b.street); c != 0 {
				return c
			}
			if a.civic != b.civic {
				return compareInt(a.civic, b.civic)
			}
			return strings.Compare(a.unit, b.unit)
		})
	} else {
		slices.SortStableFunc(all, compareBuilding)
	}
	if len(all) > limit {
		all = all[:limit]
	}
	return all, nil
}

func compareBuilding(a, b foundAddress) int {
	if c := strings.Compare(a.building, b.building); c != 0 {
		return c
	}
	return strings.Compare(a.unit, b.unit)
}

func compareInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// sqlitePrefixIndex is the longest prefix FTS5 answers from its prefix
// indexes (prefix = '1 2 3' in migration 0003).
const sqlitePrefixIndex = 3

// maxWordExpansion is the most words a partly typed last word is expanded to.
const maxWordExpansion = 32

// On PostgreSQL a GIN index scan collects every match before the first row
// is read, so a search made only of words that a large share of the index
// holds ("Vancouver", "Vancouver M") reads hundreds of thousands of entries
// to show 20 rows. Such a search first checks the first sampleRows
// addresses of the table, where its matches are usually dense: a bounded
// cost, and with words so common any 20 matches are as good as others.
// Only when the sample holds fewer than the limit (common words seldom
// found together: "Vancouver Ridge") is the index searched.
const (
	commonWordShare = 0.02  // a word is common when this share of the addresses hold it
	commonWordFloor = 1000  // ... and the index holds at least this many addresses
	sampleRows      = 20000 // addresses checked by a search of common words
)

// lastWordTerms returns the full-text terms for the partly typed last word:
// the whole words it may be, read from address_words with the number of
// addresses holding them, unless it starts more than maxWordExpansion words
// or SQLite has a prefix index for it; prefix then reports that the last
// word must be matched as a prefix. terms always holds the whole-word
// alternatives of parseAddressQuery.
func (q Q) lastWordTerms(ctx context.Context, aq addressQuery) (terms []string,
	counts map[string]int64, prefix bool, err error) {
	terms = slices.Clone(aq.alts)
	if q.dialect == SQLite && len(aq.last) <= sqlitePrefixIndex {
		return terms, nil, true, nil // one prefix index read beats many words
	}
	rows, err := q.Query(ctx,
		"SELECT word, addresses FROM address_words WHERE word >= ? AND word < ? ORDER BY word LIMIT ?",
		aq.last, aq.last+"~", maxWordExpansion+1)
	if err != nil {
		return nil, nil, false, err
	}
	counts, err = scanWordCounts(rows)
	if err != nil {
		return nil, nil, false, err
	}
	if len(counts) > maxWordExpansion {
		return terms, nil, true, nil
	}
	for w := range counts {
		if !slices.Contains(terms, w) {
			terms = append(terms, w)
		}
	}
	slices.Sort(terms)
	return terms, counts, false, nil
}

// wordCounts returns the number of addresses holding each word that
// address_words knows; the empty word counts every address.
func (q Q) wordCounts(ctx context.Context, words []string) (map[string]int64, error) {
	args := make([]any, len(words))
	for i, w := range words {
		args[i] = w
	}
	rows, err := q.Query(ctx, "SELECT word, addresses FROM address_words WHERE word IN ("+
		strings.TrimSuffix(strings.Repeat("?, ", len(words)), ", ")+")", args...)
	if err != nil {
		return nil, err
	}
	return scanWordCounts(rows)
}

func scanWordCounts(rows *sql.Rows) (map[string]int64, error) {
	defer rows.Close()
	counts := map[string]int64{}
	for rows.Next() {
		var w string
		var n int64
		if err := rows.Scan(&w, &n); err != nil {
			return nil, err
		}
		counts[w] = n
	}
	return counts, rows.Err()
}

// searchFullText finds addresses holding every word of the query, in any
// order, and returns them by building and unit.
func (q Q) searchFullText(ctx context.Context, aq addressQuery, limit int) ([]foundAddress, error) {
	var words []string
	if aq.unitWord != "" {
		words = append(words, aq.unitWord)
	}
	for _, w := range aq.words {
		if w != "bc" && !slices.Contains(words, w) { // the province is not indexed: every address has it
			words = append(words, w)
		}
	}
	if aq.last == "bc" {
		aq.last, aq.alts = "", nil
	}
	var last []string
	var lastCounts map[string]int64
	prefix := false
	if aq.last != "" {
		var err error
		if last, lastCounts, prefix, err = q.lastWordTerms(ctx, aq); err != nil {
			return nil, err
		}
		if len(last) == 0 && !prefix {
			return nil, nil // no word starts so
		}
	}
	if len(words) == 0 && aq.last == "" {
		return nil, nil
	}
	var sqlText string
	var args []any
	switch q.dialect {
	case Postgres:
		common, err := q.onlyCommonWords(ctx, aq, words, lastCounts, prefix)
		if err != nil {
			return nil, err
		}
		if common {
			found, err := q.searchSample(ctx, aq, words, limit)
			if err != nil || len(found) == limit {
				return found, err
			}
			// The words are common but seldom together: search them all.
		}
		// GIN answers exact words fast, with a prefix of a few characters
		// (a partial match) somewhat slower; a prefix of one or two
		// characters starts too many words ("1:*"), so when other words
		// narrow the search it is checked on the rows they find instead.
		parts := slices.Clone(words)
		var patterns []string
		switch {
		case aq.last == "":
		case !prefix:
			parts = append(parts, "("+strings.Join(last, " | ")+")")
		case len(aq.last) < 3 && len(words) > 0:
			patterns = lastWordPatterns(aq)
		case len(aq.last) < 3:
			return nil, nil // nothing narrows it: it would read most of the index
		default:
			parts = append(parts, "("+strings.Join(append(slices.Clone(last), aq.last+":*"), " | ")+")")
		}
		sqlText = "SELECT " + addressColumns + " FROM address_fulltext(to_tsquery('simple', ?), ?, ?)"
		args = []any{strings.Join(parts, " & "), patterns}
	default:
		// FTS5 answers prefixes of up to 3 characters from its prefix
		// indexes; a longer prefix of a frequent word ("vanc*") is slow, so
		// it is searched as the words it starts.
		quote := func(w string) string { return `"` + w + `"` }
		var parts []string
		for _, w := range words {
			parts = append(parts, quote(w))
		}
		if aq.last != "" {
			var alt []string
			for _, w := range last {
				alt = append(alt, quote(w))
			}
			if prefix {
				alt = append(alt, quote(aq.last)+"*")
			}
			parts = append(parts, "("+strings.Join(alt, " OR ")+")")
		}
		sqlText = "SELECT " + prefixColumns("a.",
			addressColumns) + " FROM addresses_fts JOIN addresses a ON a.id = addresses_fts.rowid " +
			"WHERE addresses_fts MATCH ? LIMIT ?"
		args = []any{strings.Join(parts, " AND ")}
	}
	return q.queryAddressesByBuilding(ctx, sqlText, append(args, limit)...)
}

// lastWordPatterns are LIKE patterns, over ' ' || search_text || ' ', for
// the last word as a prefix or any of its whole-word alternatives.
func lastWordPatterns(aq addressQuery) []string {
	patterns := []string{"% " + aq.last + "%"}
	for _, w := range aq.alts {
		patterns = append(patterns, "% "+w+" %")
	}
	return patterns
}

// onlyCommonWords reports whether every word of the search is held by more
// than commonWordShare of the addresses (the last word counting as all
// the words it may be; a prefix of too many words as common).
func (q Q) onlyCommonWords(ctx context.Context, aq addressQuery, words []string, lastCounts map[string]int64,
	prefix bool) (bool, error) {
	counts, err := q.wordCounts(ctx, slices.Concat([]string{""}, words, aq.alts))
	if err != nil {
		return false, err
	}
	total := counts[""]
	if total < commonWordFloor {
		return false, nil
	}
	common := func(n int64) bool { return float64(n) > commonWordShare*float64(total) }
	for _, w := range words {
		if !common(counts[w]) {
			return false, nil
		}
	}
	if aq.last != "" && !prefix {
		var n int64
		for _, c := range lastCounts {
			n += c
		}
		for _, w := range aq.alts {
			if _, expanded := lastCounts[w]; !expanded {
				n += counts[w]
			}
		}
		if !common(n) {
			return false, nil
		}
	}
	return true, nil
}

// searchSample finds matches among the first sampleRows addresses of the
// table, comparing words with LIKE (see commonWordShare).
func (q Q) searchSample(ctx context.Context, aq addressQuery, words []string, limit int) ([]foundAddress, error) {
	all := make([]string, len(words))
	for i, w := range words {
		all[i] = "% " + w + " %"
	}
	sqlText := "SELECT " + addressColumns + " FROM (SELECT * FROM addresses LIMIT ?) s " +
		"WHERE (' ' || search_text || ' ') LIKE ALL (?)"
	args := []any{sampleRows, all}
	if aq.last != "" {
		sqlText += " AND (' ' || search_text || ' ') LIKE ANY (?)"
		args = append(args, lastWordPatterns(aq))
	}
	return q.queryAddressesByBuilding(ctx, sqlText+" LIMIT ?", append(args, limit)...)
}

func prefixColumns(prefix, cols string) string {
	parts := strings.Split(cols, ", ")
	for i, p := range parts {
		parts[i] = prefix + p
	}
	return strings.Join(parts, ", ")
}
