//go:build unix

package passwd

import (
	"context"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the CPU time (user and system) this process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkHashCPU is BenchmarkHash reporting the process CPU time per
// hash as well: on a shared machine the wall time per hash grows with the
// other load, the CPU time much less.
func BenchmarkHashCPU(b *testing.B) {
	h := NewHasher(1)
	ctx := context.Background()
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		if _, err := h.Hash(ctx, "Tidal-Orbit-Quince9"); err != nil {
			b.Fatal(err)
		}
	}
	cpu = cpuTime() - cpu
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

// BenchmarkHashParallel is the number of hashes per second the machine
// sustains with as many hashes at once as NewHasher(0) allows (one per CPU),
// as when many people sign in together.
func BenchmarkHashParallel(b *testing.B) {
	h := NewHasher(0)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := h.Hash(ctx, "Tidal-Orbit-Quince9"); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "hashes/s")
}
