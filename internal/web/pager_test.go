package web

import (
	"strconv"
	"testing"
)

func TestPager(t *testing.T) {
	t.Parallel()
	url := func(p int, sort string) string { return "/x?sort=" + sort + "&page=" + strconv.Itoa(p) }
	tests := []struct {
		total, page           int
		from, to, first, last int
		prev, next            bool
	}{
		{total: 0, page: 1, from: 0, to: 0, first: 1, last: 1},
		{total: 10, page: 1, from: 1, to: 10, first: 1, last: 1},
		{total: 11, page: 2, from: 11, to: 11, first: 1, last: 2, prev: true},
		{total: 1000, page: 50, from: 491, to: 500, first: 47, last: 53, prev: true, next: true},
		{total: 1000, page: 999, from: 991, to: 1000, first: 97, last: 100, prev: true}, // past the end: the last page
	}
	for _, tt := range tests {
		p := newPager(tt.total, tt.page, 10, "asc", url)
		got := [4]int{p.From, p.To, p.Numbers[0].N, p.Numbers[len(p.Numbers)-1].N}
		if want := [4]int{tt.from, tt.to, tt.first, tt.last}; got != want {
			t.Errorf("total %d page %d: from/to/first/last %v, want %v", tt.total, tt.page, got, want)
		}
		if (p.PrevURL != "") != tt.prev || (p.NextURL != "") != tt.next {
			t.Errorf("total %d page %d: prev %q next %q", tt.total, tt.page, p.PrevURL, p.NextURL)
		}
	}
}

func TestSafeReturnTo(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/menu": "/menu", "/worksites/3?tab=members": "/worksites/3?tab=members",
		"": "", "menu": "", "//evil.example": "", "/\\evil.example": "", "/\t/evil.example": "",
		"/\t\\evil.example": "", "/\n/evil.example": "", "https://evil.example/": "", "/%09/x": "/%09/x",
		"/caf\xe9": "", "/café": "/café",
	} {
		if got := safeReturnTo(in); got != want {
			t.Errorf("safeReturnTo(%q) = %q, want %q", in, got, want)
		}
	}
}
