package store

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// Batch gathers several reads into one statement, so a page that shows
// many small things costs one round trip. Each part is an ordinary query
// with its own scan function; Run sends them as one WITH ... UNION ALL
// whose columns are all text, and hands each row back to its part's scan
// function, which sees the values as if its own query had returned them.
// Each part's rows keep the order its query gives them.
type Batch struct {
	name  string // when set, the statement's text is built once (batchSQL)
	parts []batchPart
}

// batchSQL keeps the text of each named batch: its parts' queries never
// change, only their arguments.
var batchSQL sync.Map // name -> string

type batchPart struct {
	query string
	args  []any
	cols  int
	scan  func(r rowScanner) error
}

// add appends a part: query returns cols columns; scan reads one row.
func (b *Batch) add(query string, args []any, cols int, scan func(r rowScanner) error) {
	b.parts = append(b.parts, batchPart{query: query, args: args, cols: cols, scan: scan})
}

// countColumns counts the columns of a select list: its commas outside
// parentheses, plus one.
func countColumns(list string) int {
	n, depth := 1, 0
	for _, c := range list {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				n++
			}
		}
	}
	return n
}

// sql is the batch's one statement and its arguments; a named batch only
// gathers the arguments once its text is known.
func (b *Batch) sql() (string, []any) {
	if _, ok := batchSQL.Load(b.name); ok && b.name != "" {
		var args []any
		for _, p := range b.parts {
			args = append(args, p.args...)
		}
		return "", args
	}
	width := 0
	for _, p := range b.parts {
		width = max(width, p.cols)
	}
	var with, sel strings.Builder
	var args []any
	for i, p := range b.parts {
		name := "b" + strconv.Itoa(i)
		if i > 0 {
			with.WriteString(", ")
			sel.WriteString(" UNION ALL ")
		}
		with.WriteString(name + "(")
		sel.WriteString("SELECT " + strconv.Itoa(i))
		for c := range width {
			if c < p.cols {
				if c > 0 {
					with.WriteString(", ")
				}
				with.WriteString("c" + strconv.Itoa(c))
				sel.WriteString(", CAST(c" + strconv.Itoa(c) + " AS TEXT)")
			} else {
				sel.WriteString(", CAST(NULL AS TEXT)")
			}
		}
		with.WriteString(") AS (" + p.query + ")")
		sel.WriteString(" FROM " + name)
		args = append(args, p.args...)
	}
	return "WITH " + with.String() + " " + sel.String(), args
}

// Run sends the batch as one statement and scans every row into its part.
func (q Q) Run(ctx context.Context, b *Batch) error {
	if len(b.parts) == 0 {
		return nil
	}
	query, args := b.sql()
	if b.name != "" {
		if cached, ok := batchSQL.Load(b.name); ok {
			query = cached.(string)
		} else {
			batchSQL.Store(b.name, query)
		}
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	width := 0
	for _, p := range b.parts {
		width = max(width, p.cols)
	}
	vals := make([]sql.NullString, width)
	dest := make([]any, width+1)
	var part int
	dest[0] = &part
	for i := range vals {
		dest[i+1] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		if part < 0 || part >= len(b.parts) {
			return fmt.Errorf("store: batch row of unknown part %d", part)
		}
		p := b.parts[part]
		if err := p.scan(textRow(vals[:p.cols])); err != nil {
			return mapError(err)
		}
	}
	return rows.Err()
}

// textRow is one row of a batch: every value as text, or NULL.
type textRow []sql.NullString

// Scan converts the text back to each destination's type.
func (r textRow) Scan(dest ...any) error {
	if len(dest) != len(r) {
		return fmt.Errorf("store: batch row has %d columns, scanned into %d", len(r), len(dest))
	}
	for i, d := range dest {
		if err := assignText(d, r[i]); err != nil {
			return fmt.Errorf("store: batch column %d: %w", i, err)
		}
	}
	return nil
}

func assignText(dest any, v sql.NullString) error {
	if s, ok := dest.(sql.Scanner); ok {
		if !v.Valid {
			return s.Scan(nil)
		}
		return s.Scan(v.String)
	}
	rv := reflect.ValueOf(dest)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("destination %T is not a pointer", dest)
	}
	e := rv.Elem()
	if !v.Valid {
		if e.Kind() == reflect.Pointer || e.Kind() == reflect.Interface {
			e.SetZero()
			return nil
		}
		return fmt.Errorf("NULL into %s", e.Type())
	}
	switch e.Kind() {
	case reflect.String:
		e.SetString(v.String)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(v.String, 10, 64)
		if err != nil {
			return err
		}
		e.SetInt(n)
	case reflect.Bool:
		b, err := strconv.ParseBool(v.String)
		if err != nil {
			return err
		}
		e.SetBool(b)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(v.String, 64)
		if err != nil {
			return err
		}
		e.SetFloat(f)
	case reflect.Interface:
		e.Set(reflect.ValueOf(v.String))
	default:
		return fmt.Errorf("cannot scan text into %s", e.Type())
	}
	return nil
}
