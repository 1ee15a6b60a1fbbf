package portal

import (
	"testing"
	"time"
)

func TestReferenceNumber(t *testing.T) {
	for _, c := range []struct {
		id   AccessRequestID
		at   time.Time
		want string
	}{
		{123, time.Date(2026, 12, 4, 18, 0, 0, 0, time.UTC), "CC-2026-000123"},
		{1, time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC), "CC-2026-000001"},
		// 1 January 05:00 UTC is still 31 December in British Columbia.
		{7, time.Date(2027, 1, 1, 5, 0, 0, 0, time.UTC), "CC-2026-000007"},
		{1234567, time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), "CC-2027-1234567"},
	} {
		if got := ReferenceNumber(c.id, c.at); got != c.want {
			t.Errorf("ReferenceNumber(%d, %v) = %q, want %q", c.id, c.at, got, c.want)
		}
	}
}

func TestParseReference(t *testing.T) {
	for in, want := range map[string]string{
		"CC-2026-000123": "CC-2026-000123", " cc-2026-000123 ": "CC-2026-000123", "cc 2026 123": "CC-2026-000123",
		"CC2026000123": "CC-2026-000123", "CC-2025-999999": "CC-2025-999999", "CC-2027-1234567": "CC-2027-1234567",
	} {
		if got, err := ParseReference(in); err != nil || got != want {
			t.Errorf("ParseReference(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "2026-000123", "CC-26-000123", "CC-2026-1234567890", "CC-2026-000000", "CC-2026-12a", "XX-2026-000123"} {
		if got, err := ParseReference(in); ErrorCode(err) != EINVALID ||
			ErrorMessage(
				err,
			) != "Enter a reference number like CC-2026-000123: CC, the year and the request's number." {
			t.Errorf("ParseReference(%q) = %q, %v; want the invalid message", in, got, err)
		}
	}
}
