// Package address feeds the portal's index of validated B.C. addresses:
// reading and writing address files, generating realistic synthetic address
// sets for development and load tests, and the providers the type-ahead
// search can use (the local index, or Canada Post's AddressComplete).
package address

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"sort"
	"strings"

	portal "github.com/bcgov-example/careconnect-portal"
	"github.com/bcgov-example/careconnect-portal/internal/store"
)

// Columns are the columns of an address file, in the order Writer writes
// them. An address file is CSV (RFC 4180, UTF-8, comma-separated) whose
// first row names the columns; the columns may come in any order, names
// are matched without regard to case, and other columns are ignored:
//
//	unit          suite or unit ("101", "101A", "PH1"); empty for the building
//	civic_number  street number ("370", "370A")
//	street_name   "Broadway", "10th", "Lougheed"
//	street_type   "St", "Ave", "Street"... (abbreviated on import); may be empty
//	direction     "E", "East", "NW"... (abbreviated on import); may be empty
//	city          "Vancouver"
//	province      "BC" (empty is taken as BC; anything else is refused)
//	postal_code   "V5T 4G5" or "v5t4g5"
//
// For example:
//
//	unit,civic_number,street_name,street_type,direction,city,province,postal_code
//	101,370,Broadway,,E,Vancouver,BC,V5T 4G5
var Columns = []string{"unit", "civic_number", "street_name", "street_type", "direction", "city",
	"province", "postal_code"}

// RowError is a row of an address file that was skipped.
type RowError struct {
	Line int   // line number in the file, 1 for the header
	Err  error // a csv.ParseError, a portal.FieldErrors or a column count error
}

func (e *RowError) Error() string {
	var fe portal.FieldErrors
	if errors.As(e.Err, &fe) {
		keys := make([]string, 0, len(fe))
		for k := range fe {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ": " + fe[k]
		}
		return fmt.Sprintf("line %d: %s", e.Line, strings.Join(parts, "; "))
	}
	return fmt.Sprintf("line %d: %v", e.Line, e.Err)
}

func (e *RowError) Unwrap() error { return e.Err }

// Reader streams addresses from an address file.
type Reader struct {
	csv   *csv.Reader
	index []int // position of each of Columns in a row
	width int   // number of columns in the header
}

// NewReader reads the header row and returns a Reader for the rows after it.
func NewReader(r io.Reader) (*Reader, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New(
			"address file is empty: the first row must name the columns " + strings.Join(Columns, ","),
		)
	}
	if err != nil {
		return nil, fmt.Errorf("address file header: %w", err)
	}
	rd := &Reader{csv: cr, width: len(header), index: make([]int, len(Columns))}
	names := make([]string, len(header))
	for i, h := range header {
		names[i] = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
	}
	var missing []string
	for i, c := range Columns {
		rd.index[i] = slices.Index(names, c)
		if rd.index[i] < 0 {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf(
			"address file header (line 1) lacks the column(s) %s: the first row must name the columns %s",
			strings.Join(missing, ", "),
			strings.Join(Columns, ","),
		)
	}
	return rd, nil
}

// Read returns the next address, normalised and valid. A row that cannot be
// used gives a *RowError; reading may go on after it. The end of the file
// gives io.EOF; any other error ends reading.
func (r *Reader) Read() (portal.Address, error) {
	rec, err := r.csv.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return portal.Address{}, &RowError{Line: pe.StartLine, Err: pe.Err}
		}
		return portal.Address{}, err
	}
	line, _ := r.csv.FieldPos(0)
	if len(rec) != r.width {
		return portal.Address{}, &RowError{Line: line,
			Err: fmt.Errorf("has %d fields, the header has %d", len(rec), r.width)}
	}
	f := func(i int) string { return rec[r.index[i]] }
	a := portal.Address{Unit: f(0), CivicNumber: f(1), StreetName: f(2), StreetType: f(3), Direction: f(4),
		City: f(5), Province: f(6), PostalCode: f(7)}
	a.Normalize()
	if fe := a.Validate(); len(fe) > 0 {
		return portal.Address{}, &RowError{Line: line, Err: fe}
	}
	return a, nil
}

// All returns the valid addresses of the file, calling bad (if not nil) for
// each row skipped. It yields an error only when reading fails, and then stops.
func (r *Reader) All(bad func(*RowError)) iter.Seq2[portal.Address, error] {
	return func(yield func(portal.Address, error) bool) {
		for {
			a, err := r.Read()
			var re *RowError
			switch {
			case err == io.EOF:
				return
			case errors.As(err, &re):
				if bad != nil {
					bad(re)
				}
				continue
			case err != nil:
				yield(portal.Address{}, err)
				return
			}
			if !yield(a, nil) {
				return
			}
		}
	}
}

// Writer writes an address file.
type Writer struct {
	csv *csv.Writer
	rec []string
}

// NewWriter writes the header row and returns a Writer for the addresses.
func NewWriter(w io.Writer) (*Writer, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(Columns); err != nil {
		return nil, err
	}
	return &Writer{csv: cw, rec: make([]string, len(Columns))}, nil
}

// Write writes one address.
func (w *Writer) Write(a portal.Address) error {
	w.rec[0], w.rec[1], w.rec[2], w.rec[3] = a.Unit, a.CivicNumber, a.StreetName, a.StreetType
	w.rec[4], w.rec[5], w.rec[6], w.rec[7] = a.Direction, a.City, a.Province, a.PostalCode
	return w.csv.Write(w.rec)
}

// Flush writes any buffered data and reports any error of the writes.
func (w *Writer) Flush() error {
	w.csv.Flush()
	return w.csv.Error()
}

// ImportResult counts the rows of an import.
type ImportResult struct {
	Inserted int // new addresses
	Skipped  int // addresses already in the index
	Bad      int // rows that could not be used
}

// Import reads an address file into the index, in transactions of batch
// rows. bad (if not nil) is told of each row skipped as unusable; progress
// (if not nil) of the number of addresses read after each batch.
func Import(ctx context.Context, db *store.DB, r io.Reader, batch int, progress func(n int),
	bad func(*RowError)) (ImportResult, error) {
	var res ImportResult
	rd, err := NewReader(r)
	if err != nil {
		return res, err
	}
	rows := rd.All(func(e *RowError) {
		res.Bad++
		if bad != nil {
			bad(e)
		}
	})
	res.Inserted, res.Skipped, err = db.ImportAddresses(ctx, rows, batch, progress)
	return res, err
}
