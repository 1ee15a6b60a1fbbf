package portal

import "testing"

func TestDaysBetween(t *testing.T) {
	for _, c := range []struct {
		from, to string
		want     int
	}{
		{"2026-12-01", "2026-12-06", 5},
		{"2026-12-06", "2026-12-06", 0},
		{"2026-02-27", "2026-03-01", 2},  // no leap day in 2026
		{"2028-02-27", "2028-03-01", 3},  // 2028 has one
		{"2026-10-31", "2026-11-02", 2},  // across the autumn clock change in B.C.
		{"2026-12-06", "2026-12-01", -5}, // backwards
		{"2026-12-01", "06/12/2026", 0},  // not a date
		{"", "2026-12-01", 0},
	} {
		if got := DaysBetween(c.from, c.to); got != c.want {
			t.Errorf("DaysBetween(%q, %q) = %d, want %d", c.from, c.to, got, c.want)
		}
	}
	l := &Leave{Start: "2026-12-01", End: "2026-12-15"}
	if got := l.Days(); got != 14 {
		t.Errorf("a leave from 1 to 15 December lasts %d days, want 14", got)
	}
}
