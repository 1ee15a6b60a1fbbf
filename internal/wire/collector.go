package wire

import (
	"runtime/debug"
	"strconv"
)

// CollectorPercent is the garbage collector's target (GOGC) the portal
// serves with when GOGC is not set. Each password hash allocates about
// 19 MiB that is garbage a moment later, while the heap that stays live
// is a few tens of MiB; at Go's default of 100 nearly every hash starts a
// collection, which cost about a quarter of a sign-up's CPU besides the
// hash itself (BENCHMARKS.md). At 400 the heap may grow to five times what
// is live before a collection; GOMEMLIMIT (set below the container's
// memory limit in deploy/deployment.yaml) still makes the collector work
// harder before memory runs out.
const CollectorPercent = 400

// SetCollector applies CollectorPercent unless the operator set GOGC, and
// returns the target in force ("off" when GOGC=off).
func SetCollector(getenv func(string) string) string {
	if v := getenv("GOGC"); v != "" {
		return v
	}
	debug.SetGCPercent(CollectorPercent)
	return strconv.Itoa(CollectorPercent)
}
