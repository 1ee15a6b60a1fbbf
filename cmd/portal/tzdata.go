package main

// The zone database is built in: the container image has no
// /usr/share/zoneinfo, and the portal shows dates in B.C. time.
import _ "time/tzdata"
