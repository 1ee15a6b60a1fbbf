package portal

import (
	"fmt"
	"sync"
	"time"
)

// ReferenceNumber is the number a person quotes about their access request:
// "CC-", the year it was submitted (in British Columbia) and the request's
// number padded to six digits, for example CC-2026-000123. It is stored with
// the request when it is submitted and never changes.
func ReferenceNumber(id AccessRequestID, submitted time.Time) string {
	return fmt.Sprintf("CC-%04d-%06d", submitted.In(bcZone()).Year(), int64(id))
}

// bcZone is British Columbia's time zone; the fixed standard offset when the
// zone database is missing.
var bcZone = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("America/Vancouver")
	if err != nil {
		return time.FixedZone("PT", -8*3600)
	}
	return loc
})
