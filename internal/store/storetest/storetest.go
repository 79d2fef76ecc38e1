// Package storetest opens isolated, migrated stores for tests on every
// engine that vibereport supports.
//
// SQLite stores live in a file under t.TempDir. PostgreSQL stores live in a
// fresh schema on the server named by VIBEREPORT_TEST_POSTGRES, so tests can
// run in parallel against one database. A test that needs PostgreSQL fails
// when the server cannot be reached: it is never skipped, so a missing
// server cannot turn into a green run. ./scripts/test starts one.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vibereport/vibereport/internal/store"
)

// PostgresEnv is the environment variable with the postgres:// URL of the
// server that PostgreSQL tests use. The user in it must be allowed to create
// schemas in that database.
const PostgresEnv = "VIBEREPORT_TEST_POSTGRES"

// DefaultPostgresURL is used when PostgresEnv is unset or empty.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

const (
	engineSQLite   = "sqlite"
	enginePostgres = "postgres"

	// adminTimeout bounds each schema create or drop, including the
	// connection attempt.
	adminTimeout = 30 * time.Second
)

// Engines lists the engines tests run on: "sqlite" and "postgres".
func Engines() []string {
	return []string{engineSQLite, enginePostgres}
}

// Open returns a migrated store for the engine, isolated for this test.
// The store is closed and its data removed by t.Cleanup.
func Open(t testing.TB, engine string) *store.DB {
	t.Helper()
	dsn := DSN(t, engine)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := store.Open(ctx, dsn, testLogger(t))
	if err != nil {
		t.Fatalf("storetest: open %s store: %v", engine, err)
	}
	// Cleanups run in reverse order of registration, so the store's
	// connections close before DSN's cleanup drops the schema.
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("storetest: close %s store: %v", engine, err)
		}
	})
	return db
}

// DSN returns a fresh isolated DSN for the engine without opening it, for
// tests that hand it to another process such as the server binary. The data
// behind it is removed by t.Cleanup, so such a test must stop every process
// that uses the DSN before it returns.
func DSN(t testing.TB, engine string) string {
	t.Helper()
	switch engine {
	case engineSQLite:
		return filepath.Join(t.TempDir(), "vibereport.db")
	case enginePostgres:
		return postgresDSN(t)
	default:
		t.Fatalf("storetest: unknown engine %q: use one of %q", engine, Engines())
		return ""
	}
}

// Each runs fn as a subtest per engine, each with its own store.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, engine := range Engines() {
		t.Run(engine, func(t *testing.T) {
			fn(t, Open(t, engine))
		})
	}
}

// postgresDSN creates schema vr_<random hex> and returns the base URL with
// search_path set to it. pgx sends URL query parameters that it does not
// recognise to the server as run-time parameters, so every connection in
// the store's pool, goose's version table included, resolves unqualified
// names in that schema.
func postgresDSN(t testing.TB) string {
	t.Helper()
	base := postgresBaseURL(t)
	schema := "vr_" + randomHex(t, 8)

	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	conn := connectAdmin(ctx, t, base)
	_, err := conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize())
	conn.Close(ctx)
	if err != nil {
		t.Fatalf("storetest: create schema %s on %s: %v", schema, base.Redacted(), err)
	}
	t.Cleanup(func() { dropSchema(t, base, schema) })

	dsn := *base
	query := dsn.Query()
	query.Set("search_path", schema)
	dsn.RawQuery = query.Encode()
	return dsn.String()
}

func dropSchema(t testing.TB, base *url.URL, schema string) {
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, base.String())
	if err != nil {
		t.Errorf("storetest: drop schema %s: connect to %s: %v", schema, base.Redacted(), err)
		return
	}
	defer conn.Close(ctx)
	// DROP waits for locks held by connections that still use the schema,
	// so a process left running past the test ends in this timeout.
	if _, err := conn.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
		t.Errorf("storetest: drop schema %s on %s: %v", schema, base.Redacted(), err)
	}
}

// postgresBaseURL parses PostgresEnv, falling back to DefaultPostgresURL.
func postgresBaseURL(t testing.TB) *url.URL {
	t.Helper()
	raw := os.Getenv(PostgresEnv)
	source := PostgresEnv
	if raw == "" {
		raw, source = DefaultPostgresURL, "default "+PostgresEnv
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		// The raw value is not printed because it may contain a password.
		t.Fatalf("storetest: %s is not a postgres:// URL: set it like %s", source, DefaultPostgresURL)
	}
	return u
}

func connectAdmin(ctx context.Context, t testing.TB, base *url.URL) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(ctx, base.String())
	if err != nil {
		t.Fatalf("storetest: PostgreSQL at %s is not reachable: %v\n"+
			"Tests run on both engines and never skip PostgreSQL. Run ./scripts/test, "+
			"which starts a local server, or set %s to the postgres:// URL of a server "+
			"where this user may create schemas.",
			base.Redacted(), err, PostgresEnv)
	}
	return conn
}

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("storetest: read random bytes: %v", err)
	}
	return hex.EncodeToString(b)
}

// testLogger returns a logger that writes to the test's output, which go
// test prints for failed tests and under -v.
func testLogger(t testing.TB) *slog.Logger {
	w := &testWriter{out: t.Output()}
	// Open registers the store's Close after this, so Close runs first and
	// can still log.
	t.Cleanup(w.stop)
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// testWriter forwards to a test's output until the test ends, then drops
// writes, because the testing package panics on output from a finished
// test and a goroutine started by the code under test may outlive it.
type testWriter struct {
	mu      sync.Mutex
	out     io.Writer
	stopped bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return len(p), nil
	}
	return w.out.Write(p)
}

func (w *testWriter) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopped = true
}
