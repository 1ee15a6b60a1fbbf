package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/bcgov-example/careconnect-portal/internal/address"
	"github.com/bcgov-example/careconnect-portal/internal/store"

	"github.com/schollz/progressbar/v3"
)

// maxBadRowsShown is how many unusable rows an import lists; it counts the rest.
const maxBadRowsShown = 50

// runAddresses manages the index of validated B.C. addresses:
//
//	portal addresses import FILE.csv [-db DSN] [-batch N] [-progress=false]
//	portal addresses generate -count N [-seed S] -out FILE.csv|-
//	portal addresses generate -count N [-seed S] -import [-db DSN]
//
// import adds the addresses of an address file (see internal/address for
// its columns) and skips those already in the index, so it can be run
// again; unusable rows are listed with their line numbers and skipped.
// generate makes a synthetic B.C. address set for development and load
// tests, into a file or straight into the index. The database is migrated
// first. -db defaults from PORTAL_DB.
func runAddresses(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	const usage = "usage: portal addresses import FILE.csv [-db DSN] | generate -count N [-seed S] (-out FILE.csv | -import) [-db DSN]"
	if len(args) == 0 {
		return errors.New(usage)
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("portal addresses "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbDefault := getenv("PORTAL_DB")
	if dbDefault == "" {
		dbDefault = "sqlite:data/portal.db"
	}
	dsn := fs.String("db", dbDefault, "database: sqlite:PATH or postgres://... (PORTAL_DB)")
	batch := fs.Int("batch", store.DefaultImportBatch, "addresses per transaction")
	showProgress := fs.Bool("progress", true, "show a progress bar on standard error")
	var count int
	var seed int64
	var out string
	var toDB bool
	if sub == "generate" {
		fs.IntVar(&count, "count", 0, "number of addresses to generate")
		fs.Int64Var(&seed, "seed", 1, "seed: the same seed gives the same addresses")
		fs.StringVar(&out, "out", "", "write the addresses to this CSV file (- for standard output)")
		fs.BoolVar(&toDB, "import", false, "import the addresses into the database")
	}
	// Flags may come before or after the file name.
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		files, args = append(files, fs.Arg(0)), fs.Args()[1:]
	}

	switch sub {
	case "import":
		if len(files) != 1 {
			return errors.New(usage)
		}
		return importAddresses(ctx, *dsn, files[0], *batch, *showProgress, stdout, stderr)
	case "generate":
		if len(files) != 0 || count <= 0 || (out == "") == !toDB || (out != "" && toDB) {
			return errors.New(usage)
		}
		if out != "" {
			return generateAddressFile(out, count, seed, stdout)
		}
		return generateIntoIndex(ctx, *dsn, count, seed, *batch, *showProgress, stdout, stderr)
	}
	return fmt.Errorf("unknown addresses command %q (import, generate)", sub)
}

func openMigrated(ctx context.Context, dsn string) (*store.DB, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func newBar(stderr io.Writer, show bool, max int64, description string, bytes bool) *progressbar.ProgressBar {
	return progressbar.NewOptions64(max,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetVisibility(show),
		progressbar.OptionSetDescription(description),
		progressbar.OptionShowBytes(bytes),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish(),
	)
}

func importAddresses(ctx context.Context, dsn, path string, batch int, show bool, stdout, stderr io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	db, err := openMigrated(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()

	start := time.Now()
	bar := newBar(stderr, show, info.Size(), "importing addresses", true)
	shown := 0
	res, err := address.Import(ctx, db, bufio.NewReaderSize(io.TeeReader(f, bar), 1<<20), batch, nil,
		func(e *address.RowError) {
			if shown++; shown <= maxBadRowsShown {
				_ = bar.Clear()
				fmt.Fprintf(stderr, "%s: skipped %v\n", path, e)
			}
		})
	_ = bar.Finish()
	if res.Bad > maxBadRowsShown {
		fmt.Fprintf(stderr, "%s: %d more unusable rows skipped\n", path, res.Bad-maxBadRowsShown)
	}
	if err != nil {
		return fmt.Errorf("import %s: %w (%d addresses added before the error)", path, err, res.Inserted)
	}
	fmt.Fprintf(stdout, "%s: %d addresses added, %d already in the index, %d unusable rows skipped (%s)\n",
		path, res.Inserted, res.Skipped, res.Bad, time.Since(start).Round(time.Millisecond))
	return nil
}

func generateAddressFile(path string, count int, seed int64, stdout io.Writer) (err error) {
	var w io.Writer = stdout
	if path != "-" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer func() {
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	cw, err := address.NewWriter(bw)
	if err != nil {
		return err
	}
	if err := address.Generate(seed, count, cw.Write); err != nil {
		return err
	}
	if err := cw.Flush(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if path != "-" {
		fmt.Fprintf(stdout, "%s: %d addresses generated (seed %d)\n", path, count, seed)
	}
	return nil
}

func generateIntoIndex(ctx context.Context, dsn string, count int, seed int64, batch int, show bool,
	stdout, stderr io.Writer) error {
	db, err := openMigrated(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	bar := newBar(stderr, show, int64(count), "importing addresses", false)
	inserted, skipped, err := db.ImportAddresses(ctx, address.Generated(seed, count), batch,
		func(n int) { _ = bar.Set(n) })
	_ = bar.Finish()
	if err != nil {
		return fmt.Errorf("import generated addresses: %w (%d added before the error)", err, inserted)
	}
	fmt.Fprintf(stdout, "%d generated addresses added, %d already in the index (seed %d, %s)\n",
		inserted, skipped, seed, time.Since(start).Round(time.Millisecond))
	return nil
}
