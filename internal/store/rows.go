package store

import (
	"context"
	"database/sql"
)

// collect reads every row with scan and closes rows: the loop each
// listing would otherwise write out. It returns nil when there are no rows.
func collect[T any](rows *sql.Rows, scan func(rowScanner) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// ids runs a query that selects one integer column, such as ids, and
// returns its values (nil when there are none).
func (q Q) ids(ctx context.Context, query string, args ...any) ([]int64, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanInt64)
}

func scanInt64(r rowScanner) (int64, error) {
	var v int64
	err := r.Scan(&v)
	return v, err
}

// idArgs makes typed ids into query arguments, as for an IN (...) list.
func idArgs[T ~int64](ids []T) []any {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = int64(id)
	}
	return args
}

// idArg makes a typed id into a query argument for a column that may be
// NULL: the zero id, meaning none, is NULL.
func idArg[T ~int64](id T) any {
	if id == 0 {
		return nil
	}
	return int64(id)
}
