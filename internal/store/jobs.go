package store

import (
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// DialectOf returns the engine that Open selects for dsn: PostgreSQL for a
// postgres:// or postgresql:// URL, SQLite for anything else.
func DialectOf(dsn string) Dialect {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return Postgres
	}
	return SQLite
}

// OpenSQLiteJobPool opens a pool of one connection on the SQLite file named
// by dsn, for a job queue that keeps its tables in the store's file but runs
// its own transactions. One connection keeps the queue's writes serial,
// and the busy timeout makes them wait for the store's writer instead of
// failing with SQLITE_BUSY. Call Open on the same dsn first so that the file
// exists in WAL mode.
func OpenSQLiteJobPool(dsn string) (*sql.DB, error) {
	if DialectOf(dsn) != SQLite {
		return nil, errors.New("open sqlite job pool: dsn is a PostgreSQL URL: use a SQLite file path")
	}
	path := strings.TrimPrefix(dsn, "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		return nil, errors.New("open sqlite job pool: empty database path: pass a SQLite file path")
	}

	params := url.Values{}
	params.Set("_journal_mode", "WAL")
	params.Set("_synchronous", "FULL")
	params.Set("_busy_timeout", "10000")
	params.Set("_txlock", "immediate")
	pool, err := sql.Open("sqlite3", "file:"+path+"?"+params.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite job pool %s: %w", path, err)
	}
	pool.SetMaxOpenConns(1)
	pool.SetMaxIdleConns(1)
	pool.SetConnMaxIdleTime(0)
	pool.SetConnMaxLifetime(0)
	if err := pool.Ping(); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open sqlite job pool %s: %w", path, err)
	}
	return pool, nil
}
