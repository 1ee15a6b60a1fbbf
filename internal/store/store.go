package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib" // also registers the "pgx" driver
	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect names the SQL flavour of a database.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is the portal's database handle.
type DB struct {
	sql      *sql.DB
	dialect  Dialect
	stmts    *stmtCache
	auditKey *portal.AuditKey // keys the audit rows written; nil: rows are unkeyed
	feed     feedSignal       // wakes change-feed readers of this process after a commit
	count    *atomic.Int64    // statements run, inside transactions or not (Statements)

	beforeCommit func() // tests: runs after a transaction's feed events are written, before COMMIT
}

// Options size the PostgreSQL connection pool and bound how long the
// database may keep a request waiting. Zero fields take the defaults
// below; SQLite ignores them.
type Options struct {
	// MaxConns caps the open connections (default 25); MaxIdleConns is how
	// many stay open when idle, so a burst finds them ready (default 10).
	MaxConns     int
	MaxIdleConns int
	// ConnectTimeout bounds opening a connection (default 5s), so an
	// unreachable server fails a request instead of holding it. A
	// connect_timeout in the DSN takes precedence.
	ConnectTimeout time.Duration
	// StatementTimeout is PostgreSQL's statement_timeout on every connection
	// (default 30s): a statement running longer is cancelled. Negative: none.
	StatementTimeout time.Duration
	// IdleInTxTimeout is idle_in_transaction_session_timeout (default 60s):
	// the server ends a session idle inside a transaction that long, so a
	// stuck transaction cannot hold locks. Negative: none.
	IdleInTxTimeout time.Duration
}

// Defaults of Options.
const (
	DefaultMaxConns         = 25
	DefaultMaxIdleConns     = 10
	DefaultConnectTimeout   = 5 * time.Second
	DefaultStatementTimeout = 30 * time.Second
	DefaultIdleInTxTimeout  = 60 * time.Second
)

func (o Options) withDefaults() Options {
	if o.MaxConns <= 0 {
		o.MaxConns = DefaultMaxConns
	}
	if o.MaxIdleConns <= 0 {
		o.MaxIdleConns = DefaultMaxIdleConns
	}
	o.MaxIdleConns = min(o.MaxIdleConns, o.MaxConns)
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = DefaultConnectTimeout
	}
	if o.StatementTimeout == 0 {
		o.StatementTimeout = DefaultStatementTimeout
	}
	if o.IdleInTxTimeout == 0 {
		o.IdleInTxTimeout = DefaultIdleInTxTimeout
	}
	return o
}

// Open connects to the database named by dsn with the default Options.
func Open(ctx context.Context, dsn string) (*DB, error) {
	return OpenWith(ctx, dsn, Options{})
}

// OpenWith connects to the database named by dsn: "sqlite:PATH" (or a bare
// path ending in .db) for SQLite, "postgres://..." for PostgreSQL. It does
// not migrate; call Migrate.
func OpenWith(ctx context.Context, dsn string, opts Options) (*DB, error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		opts = opts.withDefaults()
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			return nil, fmt.Errorf("store: postgres DSN %s: %w", redactDSN(dsn), err)
		}
		if cfg.ConnectTimeout == 0 {
			cfg.ConnectTimeout = opts.ConnectTimeout
		}
		db := stdlib.OpenDB(*cfg, stdlib.OptionAfterConnect(func(ctx context.Context, c *pgx.Conn) error {
			return setTimeouts(ctx, c, opts)
		}))
		db.SetMaxOpenConns(opts.MaxConns)
		db.SetMaxIdleConns(opts.MaxIdleConns)
		db.SetConnMaxIdleTime(5 * time.Minute)
		if err := db.PingContext(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("store: connect to postgres: %w", err)
		}
		stmts := newStmtCache(db)
		if !namedStatements(dsn) {
			stmts = nil
		}
		return &DB{sql: db, dialect: Postgres, stmts: stmts, count: new(atomic.Int64)}, nil
	case strings.HasPrefix(dsn, "sqlite:"), strings.HasSuffix(dsn, ".db"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			return nil, errors.New("store: sqlite DSN needs a file path")
		}
		if dir := filepath.Dir(path); dir != "." && !strings.HasPrefix(path, ":memory:") {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("store: create database folder: %w", err)
			}
		}
		q := url.Values{}
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
		q.Add("_pragma", "foreign_keys(ON)")
		q.Set("_txlock", "immediate")
		db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(8)
		db.SetMaxIdleConns(8)
		if err := db.PingContext(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("store: open sqlite: %w", err)
		}
		return &DB{sql: db, dialect: SQLite, stmts: newStmtCache(db), count: new(atomic.Int64)}, nil
	}
	return nil, fmt.Errorf("store: unsupported DSN %q: use sqlite:PATH or postgres://", redactDSN(dsn))
}

// setTimeouts sets the session's statement and idle-in-transaction
// timeouts on a new connection. Behind PgBouncer in transaction mode the
// setting lands on whichever server connection runs it; set them on the
// database role there (see docs/operations.md).
func setTimeouts(ctx context.Context, c *pgx.Conn, opts Options) error {
	for name, d := range map[string]time.Duration{"statement_timeout": opts.StatementTimeout,
		"idle_in_transaction_session_timeout": opts.IdleInTxTimeout} {
		if d < 0 {
			d = 0 // none
		}
		if _, err := c.Exec(ctx, "SET "+name+" = "+strconv.FormatInt(d.Milliseconds(), 10)); err != nil {
			return fmt.Errorf("store: set %s: %w", name, err)
		}
	}
	return nil
}

func redactDSN(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		u.User = url.User(u.User.Username())
		return u.String()
	}
	if len(dsn) > 12 {
		return dsn[:12] + "..."
	}
	return dsn
}

// Dialect reports which database this is.
func (db *DB) Dialect() Dialect { return db.dialect }

// Close closes the database.
func (db *DB) Close() error {
	db.stmts.close()
	return db.sql.Close()
}

// Ping checks that the database answers (readiness).
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.sql.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Statements is how many statements this handle has sent to the database
// so far: every Exec, Query and QueryRow, prepared (stmtcache.go) or not,
// inside transactions or outside. Tests take the difference around one
// request to hold a page to its number of round trips.
func (db *DB) Statements() int64 { return db.count.Load() }

// SQL exposes the underlying handle for tests and tools.
func (db *DB) SQL() *sql.DB { return db.sql }

// queryer is what both *sql.DB and *sql.Tx offer.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Q runs queries written with `?` placeholders on either database. Both DB
// (outside a transaction) and Tx embed it, so store functions are written once.
type Q struct {
	q       queryer
	dialect Dialect
	stmts   *stmtCache // outside transactions: reuse prepared statements
	count   *atomic.Int64
}

func (db *DB) q() Q { return Q{q: db.sql, dialect: db.dialect, stmts: db.stmts, count: db.count} }

// Tx is a database transaction. Every use case runs in exactly one.
type Tx struct {
	Q
	tx       *sql.Tx
	auditKey *portal.AuditKey
	events   []pendingEvent       // change-feed events, written just before commit
	audits   []*portal.AuditEvent // audit events, written just before commit (writeAudit)
}

// Read returns a query handle outside any transaction, for reads.
func (db *DB) Read() Q { return db.q() }

// InTx runs fn in a transaction and commits when fn returns nil. On SQLite
// the transaction begins IMMEDIATE, so writers queue instead of failing.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	tx := &Tx{Q: Q{q: sqlTx, dialect: db.dialect, count: db.count}, tx: sqlTx, auditKey: db.auditKey}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := tx.writeAudit(ctx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := tx.writeProvisioningEvents(ctx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if db.beforeCommit != nil && len(tx.events) > 0 {
		db.beforeCommit()
	}
	if err := sqlTx.Commit(); err != nil {
		return mapError(fmt.Errorf("store: commit: %w", err))
	}
	if len(tx.events) > 0 {
		db.feed.notify()
	}
	return nil
}

// Rebind turns `?` placeholders into `$1, $2, ...` for PostgreSQL. A `?`
// inside a single-quoted string literal is left alone.
func Rebind(d Dialect, query string) string {
	if d != Postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	inString := false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			inString = !inString
			b.WriteByte(c)
		case c == '?' && !inString:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// seeStatement, when set (by this package's tests), sees the text of every
// statement before it runs: the guard that no statement carries a number
// formatted into its text, which would give the prepared-statement cache
// one entry per value instead of one per query shape.
var seeStatement func(query string)

// sent counts one statement sent to the database.
func (q Q) sent(query string) {
	if q.count != nil {
		q.count.Add(1)
	}
	if seeStatement != nil {
		seeStatement(query)
	}
}

// Exec runs a statement.
func (q Q) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	q.sent(query)
	if st := q.stmts.get(ctx, q.dialect, query); st != nil {
		res, err := st.ExecContext(ctx, args...)
		return res, mapError(err)
	}
	res, err := q.q.ExecContext(ctx, Rebind(q.dialect, query), args...)
	return res, mapError(err)
}

// Query runs a query returning rows.
func (q Q) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	q.sent(query)
	if st := q.stmts.get(ctx, q.dialect, query); st != nil {
		rows, err := st.QueryContext(ctx, args...)
		return rows, mapError(err)
	}
	rows, err := q.q.QueryContext(ctx, Rebind(q.dialect, query), args...)
	return rows, mapError(err)
}

// QueryRow runs a query returning at most one row.
func (q Q) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	q.sent(query)
	if st := q.stmts.get(ctx, q.dialect, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return q.q.QueryRowContext(ctx, Rebind(q.dialect, query), args...)
}

// Insert runs an INSERT ... RETURNING id and returns the new id.
func (q Q) Insert(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	if err := q.QueryRow(ctx, query+" RETURNING id", args...).Scan(&id); err != nil {
		return 0, mapError(err)
	}
	return id, nil
}

// changed runs an UPDATE meant for one row and reports whether it changed
// it: false when the row is missing or no longer meets the WHERE clause
// (another writer got there first).
func (q Q) changed(ctx context.Context, query string, args ...any) (bool, error) {
	res, err := q.Exec(ctx, query, args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Dialect reports the SQL flavour.
func (q Q) Dialect() Dialect { return q.dialect }

// forUpdate returns " FOR UPDATE" on PostgreSQL; SQLite's IMMEDIATE
// transactions already serialise writers.
func (q Q) forUpdate() string {
	if q.dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// ErrConflict is wrapped by errors from a unique constraint violation; the
// constraint (index) name is in the message so callers can tell which.
var ErrConflict = errors.New("store: unique constraint violated")

// ConflictError tells which unique index was violated.
type ConflictError struct{ Constraint string }

func (e *ConflictError) Error() string { return "store: unique constraint violated: " + e.Constraint }
func (e *ConflictError) Unwrap() error { return ErrConflict }

// mapError turns driver errors into the portal's: no rows -> not found,
// unique violations -> *ConflictError.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &portal.Error{Code: portal.ENOTFOUND, Message: "Not found."}
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return &ConflictError{Constraint: pgErr.ConstraintName}
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		if sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY {
			return &ConflictError{Constraint: sqliteConstraint(sqErr.Error())}
		}
	}
	return err
}

// sqliteConstraint extracts "table.col, table.col2" from SQLite's message
// "UNIQUE constraint failed: accounts.email_key".
func sqliteConstraint(msg string) string {
	if i := strings.Index(msg, "failed: "); i >= 0 {
		rest := msg[i+len("failed: "):]
		if j := strings.Index(rest, " ("); j >= 0 {
			rest = rest[:j]
		}
		return rest
	}
	return msg
}

// IsConflictOn reports whether err is a unique violation whose constraint
// mentions any of the given names (a PostgreSQL index name, or a SQLite
// "table.column").
func IsConflictOn(err error, names ...string) bool {
	var ce *ConflictError
	if !errors.As(err, &ce) {
		return false
	}
	for _, n := range names {
		if strings.Contains(ce.Constraint, n) {
			return true
		}
	}
	return false
}

// ms converts a time to the stored form: Unix milliseconds, UTC.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS converts a stored time back; 0 is the zero time.
func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

func isNotFound(err error) bool { return portal.ErrorCode(err) == portal.ENOTFOUND }
