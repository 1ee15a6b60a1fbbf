package store

import (
	"fmt"
	"reflect"
	"strings"
)

// scanFunc lets a function stand for a row, so a scan written for one
// table (scanAccount) can fill part of a joined row.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// qualified prefixes every column of a comma-separated list with a table
// alias: qualified("a.", "id, email") is "a.id, a.email".
func qualified(alias, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// zeroOnNull wraps scan destinations on the far side of a LEFT JOIN: a
// NULL leaves the destination at its zero value and sets *null.
func zeroOnNull(dest []any, null *bool) []any {
	out := make([]any, len(dest))
	for i, d := range dest {
		out[i] = nullable{dest: d, null: null}
	}
	return out
}

type nullable struct {
	dest any
	null *bool
}

// Scan assigns the driver values both databases return (database/sql's
// driver.Value: int64, float64, bool, []byte, string) to a destination of
// a matching kind.
func (n nullable) Scan(src any) error {
	if src == nil {
		*n.null = true
		return nil
	}
	v := reflect.ValueOf(n.dest).Elem()
	switch s := src.(type) {
	case string:
		if v.Kind() == reflect.String {
			v.SetString(s)
			return nil
		}
	case []byte:
		if v.Kind() == reflect.String {
			v.SetString(string(s))
			return nil
		}
	case int64:
		switch v.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			v.SetInt(s)
			return nil
		case reflect.Bool:
			v.SetBool(s != 0)
			return nil
		}
	case bool:
		if v.Kind() == reflect.Bool {
			v.SetBool(s)
			return nil
		}
	}
	return fmt.Errorf("store: cannot scan %T into %s", src, v.Type())
}
