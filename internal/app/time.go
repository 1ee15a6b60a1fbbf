package app

import (
	"sync"
	"time"
	_ "time/tzdata" // the zone database, for machines without one
)

var pacificOnce = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("America/Vancouver")
	if err != nil {
		return time.FixedZone("PT", -8*3600)
	}
	return loc
})

// pacific is British Columbia's time zone, for dates shown to people.
func pacific() *time.Location { return pacificOnce() }
