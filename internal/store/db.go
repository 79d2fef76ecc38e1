// Package store keeps vibereport's data in SQLite or PostgreSQL behind one
// Store interface. SQL is written once with ? placeholders and rebound for
// PostgreSQL; times are stored as UTC epoch milliseconds on both engines.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "github.com/mattn/go-sqlite3"    // registers the "sqlite3" database/sql driver
)

// Dialect is the SQL engine behind a DB.
type Dialect int

const (
	SQLite Dialect = iota
	Postgres
)

func (d Dialect) String() string {
	if d == Postgres {
		return "postgres"
	}
	return "sqlite"
}

// ErrNotFound is returned when a row does not exist in the caller's account.
var ErrNotFound = errors.New("not found")

// DB is the store on one engine. Writes go through w and reads through r:
// on SQLite w is a single connection, so writers queue in Go instead of
// failing with SQLITE_BUSY, while WAL lets r read concurrently.
type DB struct {
	dialect Dialect
	w       *sql.DB
	r       *sql.DB
	log     *slog.Logger

	rebound sync.Map // query text -> PostgreSQL form
}

// Open connects to dsn: a postgres:// or postgresql:// URL selects
// PostgreSQL, anything else is a SQLite file path. It applies pending
// migrations before returning.
func Open(ctx context.Context, dsn string, log *slog.Logger) (*DB, error) {
	if log == nil {
		log = slog.Default()
	}
	db, err := connect(dsn, log)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func connect(dsn string, log *slog.Logger) (*DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		pool, err := sql.Open("pgx", withCustomPlans(dsn))
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		pool.SetMaxOpenConns(16)
		pool.SetMaxIdleConns(16)
		pool.SetConnMaxIdleTime(5 * time.Minute)
		return &DB{dialect: Postgres, w: pool, r: pool, log: log}, nil
	}

	path := strings.TrimPrefix(dsn, "file:")
	if path == "" {
		return nil, errors.New("open sqlite: empty database path: pass --db with a file path or a postgres:// URL")
	}
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	params := url.Values{}
	params.Set("_journal_mode", "WAL")
	// FULL syncs the WAL on every commit, so an acknowledged callback
	// survives power loss as well as a killed process.
	params.Set("_synchronous", "FULL")
	params.Set("_busy_timeout", "10000")
	params.Set("_foreign_keys", "on")
	params.Set("_cache_size", "-65536")
	// Each connection keeps its 64 most recently used prepared statements.
	// Ingest runs the same multi-row statements of up to 500 rows in every
	// transaction, and parsing them again took about a fifth of its CPU.
	params.Set("_stmt_cache_size", "64")

	wparams := url.Values{}
	for k, v := range params {
		wparams[k] = v
	}
	wparams.Set("_txlock", "immediate")
	w, err := sql.Open("sqlite3", "file:"+path+"?"+wparams.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)

	r, err := sql.Open("sqlite3", "file:"+path+"?"+params.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)

	// The first write creates the file and switches it to WAL mode before
	// readers open it.
	if err := w.Ping(); err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return &DB{dialect: SQLite, w: w, r: r, log: log}, nil
}

// withCustomPlans makes PostgreSQL plan each execution of a prepared
// statement with its actual parameters. Tables grow from empty within
// seconds during a campaign, and a generic plan cached while a table was
// small keeps scanning it sequentially long after an index fits better.
func withCustomPlans(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	if q.Get("plan_cache_mode") == "" {
		q.Set("plan_cache_mode", "force_custom_plan")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// Dialect returns the engine behind the store.
func (db *DB) Dialect() Dialect { return db.dialect }

// Close closes every connection.
func (db *DB) Close() error {
	err := db.w.Close()
	if db.r != db.w {
		err = errors.Join(err, db.r.Close())
	}
	return err
}

// q returns query in the store's placeholder syntax.
func (db *DB) q(query string) string {
	if db.dialect != Postgres {
		return query
	}
	if v, ok := db.rebound.Load(query); ok {
		return v.(string)
	}
	rebound := rebind(query)
	db.rebound.Store(query, rebound)
	return rebound
}

// rebind turns ? placeholders into PostgreSQL's $1, $2, ... Queries in this
// package never contain a literal question mark.
func rebind(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

func (db *DB) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return db.w.ExecContext(ctx, db.q(query), args...)
}

func (db *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.r.QueryContext(ctx, db.q(query), args...)
}

func (db *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.r.QueryRowContext(ctx, db.q(query), args...)
}

// insert runs an INSERT ... RETURNING id on the write pool.
func (db *DB) insert(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := db.w.QueryRowContext(ctx, db.q(query+" RETURNING id"), args...).Scan(&id)
	return id, err
}

// InTx runs fn in one write transaction, committing when fn returns nil.
func (db *DB) InTx(ctx context.Context, fn func(*Tx) error) error {
	sqlTx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	tx := &Tx{db: db, tx: sqlTx}
	if err := fn(tx); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Tx is a write transaction.
type Tx struct {
	db *DB
	tx *sql.Tx
}

func (tx *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(ctx, tx.db.q(query), args...)
}

func (tx *Tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return tx.tx.QueryContext(ctx, tx.db.q(query), args...)
}

func (tx *Tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(ctx, tx.db.q(query), args...)
}

func (tx *Tx) insert(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := tx.tx.QueryRowContext(ctx, tx.db.q(query+" RETURNING id"), args...).Scan(&id)
	return id, err
}

// placeholders returns "(?, ?, ?), (?, ?, ?)" for rows rows of cols columns.
func placeholders(rows, cols int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ")
}

// ms converts t to epoch milliseconds, or NULL for the zero time.
func ms(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// fromMS converts a nullable epoch-milliseconds column to a UTC time.
func fromMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64).UTC()
}

func notFound(err error, what string, id int64) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s %d: %w", what, id, ErrNotFound)
	}
	return err
}

// ExecContext runs a statement written with ? placeholders in the
// transaction. Benchmarks use it to measure raw inserts through the same
// driver as the store.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return tx.exec(ctx, query, args...)
}

// Placeholders returns "(?, ?), (?, ?)" for rows rows of cols columns.
func Placeholders(rows, cols int) string { return placeholders(rows, cols) }

// inList returns a condition that column is one of values, with its
// arguments. PostgreSQL gets one array parameter: a long IN list of
// parameters makes its cached generic plan fall back to a sequential scan.
func inList[T string | int64](db *DB, column string, values []T) (string, []any) {
	if db.dialect == Postgres {
		return column + " = ANY(?)", []any{values}
	}
	args := make([]any, len(values))
	for i, v := range values {
		args[i] = v
	}
	return column + " IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(values)), ", ") + ")", args
}

// Ping checks that both connection pools reach the database.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.w.PingContext(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	if err := db.r.PingContext(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// PreferIndexScans disables PostgreSQL sequential scans for the rest of the
// transaction. SQLite needs nothing. The ingest writer's statements
// all look rows up by key, and a campaign can grow a table by a million
// rows faster than autovacuum analyzes it. With statistics from when the
// table was small, PostgreSQL 15 chose to filter every delivery of the
// connection for each batch (0.37 s per 500 ids at 1M deliveries).
func (tx *Tx) PreferIndexScans(ctx context.Context) error {
	if tx.db.dialect != Postgres {
		return nil
	}
	if _, err := tx.tx.ExecContext(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
		return fmt.Errorf("prefer index scans: %w", err)
	}
	return nil
}
