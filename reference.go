package portal

import (
	"fmt"
	"time"
)

// ReferenceNumber is the number a person quotes about their access request:
// "CC-", the year it was submitted (in British Columbia) and the request's
// number padded to six digits, for example CC-2026-000123. It is stored with
// the request when it is submitted and never changes.
func ReferenceNumber(id AccessRequestID, submitted time.Time) string {
	return fmt.Sprintf("CC-%04d-%06d", submitted.In(Pacific()).Year(), int64(id))
}
