// Command addressbench measures the address index at scale: the import of a
// generated address file and the latency of type-ahead searches.
//
//	go run ./internal/address/addressbench -db sqlite:/tmp/addressbench/addresses.db -fresh
//	go run ./internal/address/addressbench -db postgres://.../addressbench -fresh
//
// It writes -count generated addresses to -csv (once; the file is reused),
// imports the file into -db when -fresh is given or the index holds fewer
// addresses, then runs -queries searches with limit 20, sampled from the
// data (see sampleQueries), after a warm-up, and prints p50/p90/p99/max
// overall and per kind of query. -fresh empties the database first: for
// PostgreSQL the database name must contain "bench". -q QUERY (repeatable)
// times the given queries on the index instead.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/address"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

func main() {
	dsn := flag.String("db", "sqlite:/tmp/addressbench/addresses.db", "database")
	csvPath := flag.String("csv", "/tmp/addressbench/addresses-2500000.csv", "address file, generated when missing")
	count := flag.Int("count", 2_500_000, "addresses to generate")
	seed := flag.Int64("seed", 1, "generator seed")
	fresh := flag.Bool("fresh", false, "empty the database and import the file")
	reimport := flag.Bool(
		"reimport",
		false,
		"import the file again after the first import, to time an idempotent re-run",
	)
	queries := flag.Int("queries", 2000, "searches to measure")
	warmup := flag.Int("warmup", 200, "searches before measuring")
	limit := flag.Int("limit", 20, "results per search")
	slow := flag.Int("slow", 10, "slowest queries to list")
	var try []string
	flag.Func(
		"q",
		"time this query instead of sampling (repeatable)",
		func(q string) error { try = append(try, q); return nil },
	)
	flag.Parse()
	if len(try) > 0 {
		if err := timeQueries(context.Background(), *dsn, try, *limit); err != nil {
			fmt.Fprintln(os.Stderr, "addressbench:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(context.Background(), *dsn, *csvPath, *count, *seed, *fresh, *reimport, *queries, *warmup, *limit, *slow); err != nil {
		fmt.Fprintln(os.Stderr, "addressbench:", err)
		os.Exit(1)
	}
}

func run(
	ctx context.Context,
	dsn, csvPath string,
	count int,
	seed int64,
	fresh, reimport bool,
	queries, warmup, limit, slow int,
) error {
	if _, err := os.Stat(csvPath); os.IsNotExist(err) {
		if err := generate(csvPath, count, seed); err != nil {
			return err
		}
	}
	if fresh {
		if err := empty(ctx, dsn); err != nil {
			return err
		}
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	n, err := db.Read().CountAddresses(ctx)
	if err != nil {
		return err
	}
	if n < count {
		if err := importFile(ctx, db, csvPath); err != nil {
			return err
		}
		if reimport {
			if err := importFile(ctx, db, csvPath); err != nil {
				return err
			}
		}
	}
	if n, err = db.Read().CountAddresses(ctx); err != nil {
		return err
	}
	fmt.Printf("index: %d addresses on %s\n", n, db.Dialect())
	qs, err := sampleQueries(ctx, db, queries+warmup, seed)
	if err != nil {
		return err
	}
	for _, q := range qs[:warmup] {
		if _, err := db.Read().SearchAddresses(ctx, q.text, limit); err != nil {
			return err
		}
	}
	var all []timed
	byKind := map[string][]timed{}
	empty := 0
	for _, q := range qs[warmup:] {
		start := time.Now()
		res, err := db.Read().SearchAddresses(ctx, q.text, limit)
		d := time.Since(start)
		if err != nil {
			return fmt.Errorf("search %q: %w", q.text, err)
		}
		if len(res) == 0 {
			empty++
		}
		t := timed{q, d, len(res)}
		all = append(all, t)
		byKind[q.kind] = append(byKind[q.kind], t)
	}
	fmt.Printf("%d searches, limit %d, %d with no result\n", len(all), limit, empty)
	fmt.Printf("%-14s %6s %8s %8s %8s %8s %8s\n", "kind", "n", "p50", "p90", "p99", "max", "results")
	report("all", all)
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		report(k, byKind[k])
	}
	slices.SortFunc(all, func(a, b timed) int { return int(b.d - a.d) })
	fmt.Printf("slowest:\n")
	for _, t := range all[:min(slow, len(all))] {
		fmt.Printf("  %8s %3d  %-10s %q\n", round(t.d), t.results, t.q.kind, t.q.text)
	}
	return nil
}

// timeQueries runs each query 5 times and prints the best and worst time.
func timeQueries(ctx context.Context, dsn string, queries []string, limit int) error {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, q := range queries {
		var best, worst time.Duration
		var n int
		for i := range 5 {
			start := time.Now()
			res, err := db.Read().SearchAddresses(ctx, q, limit)
			d := time.Since(start)
			if err != nil {
				return fmt.Errorf("search %q: %w", q, err)
			}
			if i == 0 || d < best {
				best = d
			}
			worst = max(worst, d)
			n = len(res)
		}
		fmt.Printf("%8s %8s %3d  %q\n", round(best), round(worst), n, q)
	}
	return nil
}

type query struct{ kind, text string }

type timed struct {
	q       query
	d       time.Duration
	results int
}

func report(kind string, ts []timed) {
	ds := make([]time.Duration, len(ts))
	results := 0
	for i, t := range ts {
		ds[i] = t.d
		results += t.results
	}
	slices.Sort(ds)
	p := func(q float64) time.Duration { return ds[min(len(ds)-1, int(q*float64(len(ds))))] }
	fmt.Printf("%-14s %6d %8s %8s %8s %8s %8.1f\n", kind, len(ds), round(p(0.50)), round(p(0.90)), round(p(0.99)),
		round(ds[len(ds)-1]), float64(results)/float64(len(ds)))
}

func round(d time.Duration) string {
	return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000)
}

func generate(path string, count int, seed int64) error {
	start := time.Now()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w, err := address.NewWriter(bw)
	if err != nil {
		return err
	}
	if err := address.Generate(seed, count, w.Write); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fi, _ := os.Stat(path)
	fmt.Printf(
		"generated %d addresses into %s (%d MB) in %s\n",
		count,
		path,
		fi.Size()>>20,
		time.Since(start).Round(time.Millisecond),
	)
	return nil
}

func empty(ctx context.Context, dsn string) error {
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(path + suffix); err != nil && !os.IsNotExist(err) {
				return err
			}
		}
		return nil
	}
	if !strings.Contains(dsn, "bench") {
		return fmt.Errorf("refusing to empty %s: the database name must contain \"bench\"", dsn)
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.SQL().ExecContext(ctx, "DROP SCHEMA public CASCADE; CREATE SCHEMA public")
	return err
}

func importFile(ctx context.Context, db *store.DB, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	start := time.Now()
	last := start
	res, err := address.Import(ctx, db, bufio.NewReaderSize(f, 1<<20), 0, func(n int) {
		if time.Since(last) > 10*time.Second {
			last = time.Now()
			fmt.Printf("  %d rows after %s\n", n, time.Since(start).Round(time.Second))
		}
	}, func(e *address.RowError) { fmt.Println("  bad row:", e) })
	if err != nil {
		return err
	}
	d := time.Since(start)
	fmt.Printf(
		"imported %s: %d inserted, %d skipped, %d bad in %s (%.0f rows/s)\n",
		path,
		res.Inserted,
		res.Skipped,
		res.Bad,
		d.Round(time.Millisecond),
		float64(res.Inserted+res.Skipped)/d.Seconds(),
	)
	return nil
}

// sampleQueries draws n queries from the index, of these kinds:
//
//	line      a prefix (3 characters or more) of a random address as the
//	          portal writes it, "101-370 Broadway E Vanc"      (40%)
//	building  a prefix of a random building, civic number first, typed in
//	          lower case with the long forms, "370 broadway east va" (15%)
//	street    a prefix of a random street and city, "Broadway E Van" (15%)
//	common    the most frequent beginnings: a prefix of one of the 20 most
//	          common street names ("Mai"), or a 1-2 digit civic number and
//	          the start of a common street name ("1 Ma", "10 Oak")  (20%)
//	anyorder  the words of an address in another order, or its postal
//	          code: "Broadway E 370", "Vancouver Main", "V5T 4G"  (10%)
func sampleQueries(ctx context.Context, db *store.DB, n int, seed int64) ([]query, error) {
	rng := rand.New(rand.NewPCG(uint64(seed), 42))
	total, err := db.Read().CountAddresses(ctx)
	if err != nil {
		return nil, err
	}
	var maxID int64
	if err := db.Read().QueryRow(ctx, "SELECT MAX(id) FROM addresses").Scan(&maxID); err != nil {
		return nil, err
	}
	if total == 0 {
		return nil, fmt.Errorf("the index is empty")
	}
	random := func() portal.Address {
		for {
			a, err := db.Read().FindAddressByID(ctx, portal.AddressID(1+rng.Int64N(maxID)))
			if err == nil {
				return *a
			}
		}
	}
	common, err := commonStreetNames(ctx, db, 20)
	if err != nil {
		return nil, err
	}
	prefix := func(s string) string {
		if len(s) <= 3 {
			return s
		}
		return strings.TrimRight(s[:3+rng.IntN(len(s)-2)], " ")
	}
	longForms := strings.NewReplacer(" St ", " street ", " Ave ", " avenue ", " Rd ", " road ", " Dr ", " drive ",
		" E ", " east ", " W ", " west ", " N ", " north ", " S ", " south ")
	out := make([]query, 0, n)
	for len(out) < n {
		var q query
		switch r := rng.IntN(100); {
		case r < 40:
			q = query{"line", prefix(random().Line())}
		case r < 55:
			a := random()
			q = query{"building", prefix(strings.ToLower(longForms.Replace(a.BuildingLine() + " ")))}
		case r < 70:
			a := random()
			q = query{
				"street",
				prefix(strings.Join(strings.Fields(a.StreetName+" "+a.StreetType+" "+a.Direction+" "+a.City), " ")),
			}
		case r < 90:
			name := common[rng.IntN(len(common))]
			if rng.IntN(2) == 0 {
				q = query{"common", prefix(name)}
			} else {
				civic := fmt.Sprint(1 + rng.IntN(99))
				if rng.IntN(2) == 0 {
					civic = fmt.Sprint(1 + rng.IntN(9))
				}
				q = query{"common", civic + " " + name[:min(len(name), 1+rng.IntN(3))]}
			}
		default:
			a := random()
			switch rng.IntN(3) {
			case 0:
				q = query{"anyorder", strings.TrimSpace(a.StreetName + " " + a.Direction + " " + a.CivicNumber)}
			case 1:
				q = query{"anyorder", a.City + " " + a.StreetName}
			default:
				q = query{"anyorder", a.PostalCode[:3+rng.IntN(4)]}
			}
		}
		if len([]rune(strings.TrimSpace(q.text))) >= store.MinAddressQuery {
			out = append(out, q)
		}
	}
	return out, nil
}

func commonStreetNames(ctx context.Context, db *store.DB, n int) ([]string, error) {
	rows, err := db.Read().
		Query(ctx, "SELECT street_name FROM addresses GROUP BY street_name ORDER BY COUNT(*) DESC, street_name LIMIT ?", n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
