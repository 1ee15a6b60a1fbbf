package portal

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ReferenceNumber is the number a person quotes about their access request:
// "CC-", the year it was submitted (in British Columbia) and the request's
// number padded to six digits, for example CC-2026-000123. It is stored with
// the request when it is submitted and never changes.
func ReferenceNumber(id AccessRequestID, submitted time.Time) string {
	return fmt.Sprintf("CC-%04d-%06d", submitted.In(Pacific()).Year(), int64(id))
}

// ParseReference reads a reference number as a person may type or read it
// out: in any case, with spaces or without the dashes, and with or without
// the leading zeros ("cc 2026 123" is CC-2026-000123).
func ParseReference(s string) (string, error) {
	m := referenceRe.FindStringSubmatch(strings.ToUpper(strings.TrimSpace(s)))
	if m == nil {
		return "", Errorf(EINVALID,
			"Enter a reference number like CC-2026-000123: CC, the year and the request's number.")
	}
	year, _ := strconv.Atoi(m[1])
	n, _ := strconv.ParseInt(m[2], 10, 64)
	if n == 0 {
		return "", Errorf(EINVALID,
			"Enter a reference number like CC-2026-000123: CC, the year and the request's number.")
	}
	return fmt.Sprintf("CC-%04d-%06d", year, n), nil
}

var referenceRe = regexp.MustCompile(`^CC[\s-]*(\d{4})[\s-]*(\d{1,9})$`)
