package store

import (
	"context"
	"database/sql"
	"net/url"
	"sync"
)

// stmtCacheSize bounds how many distinct statements are kept prepared.
// Queries built from filters have a bounded number of shapes; past the
// bound, statements simply run unprepared.
const stmtCacheSize = 512

// stmtCache keeps prepared statements for queries run outside
// transactions, so the hot paths (the session and account look-ups of every
// request, the main menu's queries) are compiled once per connection
// instead of once per call.
type stmtCache struct {
	db    *sql.DB
	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}}
}

// get returns the prepared statement for query, preparing it on first use;
// nil when the cache is off (inside a transaction) or full, or preparing
// failed (the caller then runs the query directly and reports its error).
func (c *stmtCache) get(ctx context.Context, d Dialect, query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.RLock()
	st, ok := c.stmts[query]
	n := len(c.stmts)
	c.mu.RUnlock()
	if ok {
		return st
	}
	if n >= stmtCacheSize {
		return nil
	}
	st, err := c.db.PrepareContext(ctx, Rebind(d, query))
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.stmts[query]; ok {
		st.Close()
		return prev
	}
	c.stmts[query] = st
	return st
}

func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, st := range c.stmts {
		st.Close()
		delete(c.stmts, k)
	}
}

// namedStatements reports whether a PostgreSQL DSN lets the driver keep
// named prepared statements on its connections, as pgx does by default
// (default_query_exec_mode=cache_statement). A pool that hands each
// transaction to any server connection (PgBouncer in transaction mode before
// version 1.21, or without max_prepared_statements) cannot keep them: a DSN
// with default_query_exec_mode=exec (or describe_exec, cache_describe,
// simple_protocol) tells pgx so, and then the store prepares nothing either.
func namedStatements(dsn string) bool {
	u, err := url.Parse(dsn)
	if err != nil {
		return true
	}
	mode := u.Query().Get("default_query_exec_mode")
	return mode == "" || mode == "cache_statement"
}
