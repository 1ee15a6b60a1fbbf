package store

// Address import: loading the address file into the index.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"

	portal "github.com/bcgov-example/careconnect-portal"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// DefaultImportBatch is the number of addresses ImportAddresses writes per transaction.
const DefaultImportBatch = 20000

// countFlush is how many distinct words ImportAddresses counts in memory
// before adding the counts to address_words.
const countFlush = 50000

// ImportAddresses adds addresses to the index in transactions of batch
// rows, skipping those already there, so an import can be run again. Each
// address is normalised and must be valid (portal.Address.Validate); rows
// stops at its first error, which ends the import. progress, if not nil, is
// called after each batch with the number of addresses read so far.
// Batches already committed stay when a later one fails (the word counts
// of address_words, a hint for the search, may then fall short).
func (db *DB) ImportAddresses(ctx context.Context, rows iter.Seq2[portal.Address, error], batch int,
	progress func(n int)) (inserted, skipped int, err error) {
	if batch <= 0 {
		batch = DefaultImportBatch
	}
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close()
	var w addressWriter
	if db.dialect == Postgres {
		w = &pgAddressWriter{conn: conn}
	} else {
		w = &sqliteAddressWriter{conn: conn}
	}
	if err := w.start(ctx); err != nil {
		return 0, 0, err
	}
	defer func() {
		if ferr := w.finish(context.WithoutCancel(ctx)); err == nil {
			err = ferr
		}
	}()

	known, err := knownWords(ctx, conn)
	if err != nil {
		return 0, 0, err
	}
	t := &wordTally{counts: map[string]int64{}}
	pending := make([]importRow, 0, batch)
	read := 0
	flush := func(last bool) error {
		if len(pending) == 0 && len(t.counts) == 0 {
			return nil
		}
		var words []string
		for _, r := range pending {
			for w := range strings.FieldsSeq(r.k.text) {
				if _, ok := known[w]; !ok {
					known[w] = struct{}{}
					words = append(words, w)
				}
			}
		}
		n, err := w.write(ctx, pending, words, t, last || len(t.counts) >= countFlush)
		if err != nil {
			for _, w := range words { // not stored after all
				delete(known, w)
			}
			return err
		}
		inserted += n
		skipped += len(pending) - n
		if progress != nil && len(pending) > 0 {
			progress(read)
		}
		pending = pending[:0]
		return nil
	}
	for a, rerr := range rows {
		if rerr != nil {
			return inserted, skipped, rerr
		}
		read++
		a.Normalize()
		if fe := a.Validate(); len(fe) > 0 {
			return inserted, skipped, fmt.Errorf("store: address %d (%s): %w", read, a.Line(), fe)
		}
		pending = append(pending, importRow{a, keysOf(a)})
		if len(pending) == batch {
			if err := flush(false); err != nil {
				return inserted, skipped, err
			}
		}
	}
	if err := flush(true); err != nil {
		return inserted, skipped, err
	}
	return inserted, skipped, nil
}

// knownWords reads address_words.
func knownWords(ctx context.Context, conn *sql.Conn) (map[string]struct{}, error) {
	rows, err := conn.QueryContext(ctx, "SELECT word FROM address_words")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	known := map[string]struct{}{}
	for rows.Next() {
		var w string
		if err := rows.Scan(&w); err != nil {
			return nil, err
		}
		known[w] = struct{}{}
	}
	return known, rows.Err()
}

// wordTally counts the words of the addresses inserted since the counts
// were last added to address_words; "" counts the addresses.
type wordTally struct {
	counts map[string]int64
}

func (t *wordTally) add(searchText string) {
	t.counts[""]++
	for w := range strings.FieldsSeq(searchText) {
		t.counts[w]++
	}
}

// lists returns the counts as parallel lists, and clears them.
func (t *wordTally) lists() ([]string, []int64) {
	words := make([]string, 0, len(t.counts))
	for w := range t.counts {
		words = append(words, w)
	}
	slices.Sort(words)
	counts := make([]int64, len(words))
	for i, w := range words {
		counts[i] = t.counts[w]
	}
	clear(t.counts)
	return words, counts
}

type importRow struct {
	a portal.Address
	k addressKeys
}

func (r importRow) values() []any {
	return []any{r.a.Unit, r.a.CivicNumber, r.a.StreetName, r.a.StreetType, r.a.Direction, r.a.City, r.a.Province,
		r.a.PostalCode, r.k.building, r.k.street, r.k.unit, r.k.civic, r.k.text}
}

const importColumns = "unit, civic_number, street_name, street_type, direction, city, province, postal_code, building_key, street_key, unit_key, civic_sort, search_text"

var importColumnList = strings.Split(importColumns, ", ")

// addressWriter writes a batch of addresses and their new words in one
// transaction, adds the search text of the addresses inserted to the tally,
// and when told to, the tally's counts to address_words.
type addressWriter interface {
	start(ctx context.Context) error
	write(ctx context.Context, rows []importRow, words []string, t *wordTally,
		flushCounts bool) (inserted int, err error)
	finish(ctx context.Context) error
}

// sqliteAddressWriter writes multi-row INSERT statements on one connection
// with a larger page cache.
type sqliteAddressWriter struct {
	conn      *sql.Conn
	cacheSize int
	stmts     map[int]string
}

// sqliteRowsPerInsert keeps each statement under SQLite's 32766 parameters.
const sqliteRowsPerInsert = 500

func (w *sqliteAddressWriter) start(ctx context.Context) error {
	w.stmts = map[int]string{}
	if err := w.conn.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&w.cacheSize); err != nil {
		return err
	}
	_, err := w.conn.ExecContext(ctx, "PRAGMA cache_size = -262144") // 256 MiB while importing
	return err
}

func (w *sqliteAddressWriter) finish(ctx context.Context) error {
	_, err := w.conn.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = %d", w.cacheSize))
	return err
}

func (w *sqliteAddressWriter) insertSQL(n int) string {
	if s, ok := w.stmts[n]; ok {
		return s
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(importColumnList)), ", ") + ")"
	s := "INSERT INTO addresses (" + importColumns + ") VALUES " +
		strings.TrimSuffix(strings.Repeat(row+", ", n), ", ") + " ON CONFLICT DO NOTHING RETURNING search_text"
	w.stmts[n] = s
	return s
}

func (w *sqliteAddressWriter) write(ctx context.Context, rows []importRow, words []string, t *wordTally,
	flushCounts bool) (int, error) {
	tx, err := w.conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback()
	inserted := 0
	args := make([]any, 0, sqliteRowsPerInsert*len(importColumnList))
	for len(rows) > 0 {
		n := min(len(rows), sqliteRowsPerInsert)
		args = args[:0]
		for _, r := range rows[:n] {
			args = append(args, r.values()...)
		}
		res, err := tx.QueryContext(ctx, w.insertSQL(n), args...)
		if err != nil {
			return 0, mapError(err)
		}
		for res.Next() {
			var text string
			if err := res.Scan(&text); err != nil {
				res.Close()
				return 0, err
			}
			t.add(text)
			inserted++
		}
		if err := res.Close(); err != nil {
			return 0, mapError(err)
		}
		if err := res.Err(); err != nil {
			return 0, mapError(err)
		}
		rows = rows[n:]
	}
	for len(words) > 0 {
		n := min(len(words), sqliteRowsPerInsert)
		args = args[:0]
		for _, w := range words[:n] {
			args = append(args, w)
		}
		stmt := "INSERT INTO address_words (word) VALUES " + strings.TrimSuffix(strings.Repeat("(?), ", n),
			", ") + " ON CONFLICT DO NOTHING"
		if _, err := tx.ExecContext(ctx, stmt, args...); err != nil {
			return 0, mapError(err)
		}
		words = words[n:]
	}
	if flushCounts {
		words, counts := t.lists()
		for len(words) > 0 {
			n := min(len(words), sqliteRowsPerInsert)
			args = args[:0]
			for i := range n {
				args = append(args, words[i], counts[i])
			}
			stmt := "INSERT INTO address_words (word, addresses) " +
				"VALUES " + strings.TrimSuffix(strings.Repeat("(?, ?), ", n), ", ") +
				" ON CONFLICT (word) DO UPDATE SET addresses = addresses + excluded.addresses"
			if _, err := tx.ExecContext(ctx, stmt, args...); err != nil {
				return 0, mapError(err)
			}
			words, counts = words[n:], counts[n:]
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, mapError(err)
	}
	return inserted, nil
}

// pgAddressWriter copies each batch into a temporary table (COPY is the
// fastest way into PostgreSQL), then inserts what is new from there.
type pgAddressWriter struct {
	conn *sql.Conn
}

func (w *pgAddressWriter) raw(ctx context.Context, fn func(c *pgx.Conn) error) error {
	return w.conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return errors.New("store: PostgreSQL connection is not pgx")
		}
		return fn(sc.Conn())
	})
}

func (w *pgAddressWriter) start(ctx context.Context) error {
	return w.raw(ctx, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, "CREATE TEMPORARY TABLE IF NOT EXISTS addresses_import ON COMMIT DELETE ROWS AS SELECT "+
			importColumns+" FROM addresses WITH NO DATA")
		return err
	})
}

// finish drops the temporary table, merges the full-text index's pending
// entries (a GIN index defers them; searches would scan them all) and
// refreshes the planner's statistics.
func (w *pgAddressWriter) finish(ctx context.Context) error {
	return w.raw(ctx, func(c *pgx.Conn) error {
		for _, stmt := range []string{
			"DROP TABLE IF EXISTS addresses_import",
			"SELECT gin_clean_pending_list('addresses_search'::regclass)",
			"ANALYZE addresses, address_words",
		} {
			if _, err := c.Exec(ctx, stmt); err != nil {
				return err
			}
		}
		return nil
	})
}

func (w *pgAddressWriter) write(ctx context.Context, rows []importRow, words []string, t *wordTally,
	flushCounts bool) (int, error) {
	inserted := 0
	err := w.raw(ctx, func(c *pgx.Conn) error {
		return pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
			// A crash may lose the last batches; running the import again restores them.
			if _, err := tx.Exec(ctx, "SET LOCAL synchronous_commit = off"); err != nil {
				return err
			}
			i := 0
			src := pgx.CopyFromFunc(func() ([]any, error) {
				if i == len(rows) {
					return nil, nil
				}
				i++
				return rows[i-1].values(), nil
			})
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"addresses_import"}, importColumnList, src); err != nil {
				return err
			}
			res, err := tx.Query(ctx, "INSERT INTO addresses ("+importColumns+") SELECT "+importColumns+
				" FROM addresses_import ORDER BY ctid ON CONFLICT DO NOTHING RETURNING search_text")
			if err != nil {
				return err
			}
			for res.Next() {
				var text string
				if err := res.Scan(&text); err != nil {
					res.Close()
					return err
				}
				t.add(text)
				inserted++
			}
			res.Close()
			if err := res.Err(); err != nil {
				return err
			}
			if len(words) > 0 {
				if _, err := tx.Exec(ctx,
					"INSERT INTO address_words (word) SELECT unnest($1::text[]) "+
						"ON CONFLICT DO NOTHING", words); err != nil {
					return err
				}
			}
			if flushCounts {
				words, counts := t.lists()
				if _, err := tx.Exec(ctx,
					`INSERT INTO address_words AS w (word, addresses) SELECT * FROM unnest($1::text[], $2::bigint[])
					ON CONFLICT (word) DO UPDATE
						SET addresses = w.addresses + excluded.addresses`, words, counts); err != nil {
					return err
				}
			}
			return nil
		})
	})
	return inserted, mapError(err)
}

// AdoptAddresses adds addresses found by an outside provider to the index
// (those already there are kept) and returns them with their index ids, so
// they can be chosen like any other address.
func (db *DB) AdoptAddresses(ctx context.Context, addrs []portal.Address) ([]portal.Address, error) {
	rows := func(yield func(portal.Address, error) bool) {
		for _, a := range addrs {
			if !yield(a, nil) {
				return
			}
		}
	}
	if _, _, err := db.ImportAddresses(ctx, rows, 0, nil); err != nil {
		return nil, err
	}
	out := make([]portal.Address, 0, len(addrs))
	for _, a := range addrs {
		k := keysOf(a)
		found, err := db.Read().queryAddresses(ctx,
			"SELECT "+addressColumns+" FROM addresses WHERE building_key = ? AND unit_key = ?",
			k.building, k.unit)
		if err != nil {
			return nil, err
		}
		if len(found) == 1 {
			out = append(out, found[0].Address)
		}
	}
	return out, nil
}
