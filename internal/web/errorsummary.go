package web

import (
	"bytes"
	"sort"
	"sync"
)

// The error summary of a refused form lists its problems in the order their
// fields appear on the page, so that reading it top to bottom matches the
// form. The field errors arrive as a map; the template ranges over it in key
// order, and orderErrorSummary, run on every rendered page, puts the entries
// in document order of the ids they link to. Entries whose field is not on
// the page stay last, in key order, and are recorded for the tests.

var (
	summaryOpen  = []byte(`<div class="error-summary" role="alert" aria-labelledby="error-summary-title"`)
	summaryItem  = []byte(`<li><a href="#`)
	summaryClose = []byte(`</ul>`)
)

// unlinkedSummaryEntries records "template#field" for every summary entry
// whose field id the page lacks (for tests).
var unlinkedSummaryEntries sync.Map

// orderErrorSummary returns page with its error summary's entries in the
// order their fields appear. name is the template, for the record.
func orderErrorSummary(name string, page []byte) []byte {
	start := bytes.Index(page, summaryOpen)
	if start < 0 {
		return page
	}
	listStart := bytes.Index(page[start:], summaryItem)
	if listStart < 0 {
		return page
	}
	listStart += start
	listEnd := bytes.Index(page[listStart:], summaryClose)
	if listEnd < 0 {
		return page
	}
	listEnd += listStart
	type entry struct {
		text []byte // the whole <li>…</li> with what precedes it
		pos  int
	}
	var entries []entry
	rest := page[listStart:listEnd]
	for len(rest) > 0 {
		next := bytes.Index(rest[len(summaryItem):], summaryItem)
		var item []byte
		if next < 0 {
			item, rest = rest, nil
		} else {
			next += len(summaryItem)
			item, rest = rest[:next], rest[next:]
		}
		id := item[len(summaryItem):]
		if q := bytes.IndexByte(id, '"'); q >= 0 {
			id = id[:q]
		}
		pos := fieldPosition(page, start, listEnd, id)
		if pos < 0 {
			unlinkedSummaryEntries.Store(name+"#"+string(id), true)
			pos = len(page)
		}
		entries = append(entries, entry{text: item, pos: pos})
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].pos < entries[j].pos })
	out := make([]byte, 0, len(page))
	out = append(out, page[:listStart]...)
	for i, e := range entries {
		t := bytes.TrimRight(e.text, " \t\r\n")
		if i > 0 {
			out = append(out, '\n', ' ', ' ', ' ', ' ')
		}
		out = append(out, t...)
	}
	if len(entries) > 0 {
		out = append(out, '\n', ' ', ' ')
	}
	out = append(out, page[listEnd:]...)
	return out
}

// fieldPosition is the offset of the element with this id, or -1. The
// summary itself (from start to end) is not searched.
func fieldPosition(page []byte, start, end int, id []byte) int {
	needle := make([]byte, 0, len(id)+6)
	needle = append(needle, ` id="`...)
	needle = append(needle, id...)
	needle = append(needle, '"')
	if i := bytes.Index(page[:start], needle); i >= 0 {
		return i
	}
	if i := bytes.Index(page[end:], needle); i >= 0 {
		return end + i
	}
	return -1
}
