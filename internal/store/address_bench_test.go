package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/address"
	"github.com/bcgov-example/careconnect-portal/internal/store"
	"github.com/bcgov-example/careconnect-portal/internal/store/storetest"
)

// benchAddresses is the size of the generated index the benchmarks search:
// PORTAL_BENCH_ADDRESSES, 20,000 by default so that `go test -bench` stays
// quick. The figures in BENCHMARKS.md come from internal/address/addressbench
// on 2.5 million addresses.
func benchAddresses(b *testing.B) int {
	if v := os.Getenv("PORTAL_BENCH_ADDRESSES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatalf("PORTAL_BENCH_ADDRESSES: %v", err)
		}
		return n
	}
	return 20000
}

func generatedRows(seed int64, n int) func(yield func(portal.Address, error) bool) {
	return func(yield func(portal.Address, error) bool) {
		stop := fmt.Errorf("stop")
		_ = address.Generate(seed, n, func(a portal.Address) error {
			if !yield(a, nil) {
				return stop
			}
			return nil
		})
	}
}

// BenchmarkImportAddresses imports a generated address set into an empty index.
func BenchmarkImportAddresses(b *testing.B) {
	n := benchAddresses(b)
	eachBench(b, func(b *testing.B, db func() *store.DB) {
		d := db()
		for b.Loop() {
			b.StopTimer()
			for _, table := range []string{"addresses", "address_words"} {
				if _, err := d.SQL().Exec("DELETE FROM " + table); err != nil {
					b.Fatal(err)
				}
			}
			b.StartTimer()
			if _, _, err := d.ImportAddresses(context.Background(), generatedRows(1, n), 0, nil); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "addresses/s")
	})
}

// BenchmarkSearchAddresses searches, with limit 20, prefixes of generated addresses.
func BenchmarkSearchAddresses(b *testing.B) {
	n := benchAddresses(b)
	eachBench(b, func(b *testing.B, db func() *store.DB) {
		d := db()
		var addrs []portal.Address
		rows := func(yield func(portal.Address, error) bool) {
			for a, err := range generatedRows(1, n) {
				addrs = append(addrs, a)
				if !yield(a, err) {
					return
				}
			}
		}
		if _, _, err := d.ImportAddresses(context.Background(), rows, 0, nil); err != nil {
			b.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		queries := make([]string, 1000)
		for i := range queries {
			line := addrs[rng.IntN(len(addrs))].Line()
			queries[i] = line[:3+rng.IntN(len(line)-2)]
		}
		i := 0
		for b.Loop() {
			if _, err := d.Read().SearchAddresses(context.Background(), queries[i%len(queries)], 20); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// eachBench runs a benchmark on SQLite and, when configured, PostgreSQL;
// db returns a fresh, migrated database.
func eachBench(b *testing.B, fn func(b *testing.B, db func() *store.DB)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, func() *store.DB { return storetest.Open(b) }) })
	if os.Getenv(storetest.EnvPostgres) != "" {
		b.Run("postgres", func(b *testing.B) { fn(b, func() *store.DB { return storetest.OpenPostgres(b) }) })
	}
}
