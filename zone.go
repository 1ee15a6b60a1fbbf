package portal

import (
	"sync"
	"time"
	_ "time/tzdata" // the zone database, for machines without one
)

// Pacific is British Columbia's time zone, in which dates are shown to
// people and days are counted; the fixed standard offset when the zone
// database is missing.
var Pacific = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("America/Vancouver")
	if err != nil {
		return time.FixedZone("PT", -8*3600)
	}
	return loc
})
