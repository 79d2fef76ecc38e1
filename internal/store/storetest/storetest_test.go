package storetest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/store"
)

func TestOpenMigratesEachEngine(t *testing.T) {
	for _, engine := range Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			dsn := DSN(t, engine)
			db, err := store.Open(context.Background(), dsn, testLogger(t))
			if err != nil {
				t.Fatalf("open %s: %v", engine, err)
			}
			t.Cleanup(func() { db.Close() })

			if got := db.Dialect().String(); got != engine {
				t.Errorf("Dialect() = %q, want %q", got, engine)
			}
			for _, table := range []string{"accounts", "goose_db_version"} {
				if !tableExists(t, engine, dsn, table) {
					t.Errorf("table %s missing after migration on %s", table, engine)
				}
			}
		})
	}
}

func TestOpenStoresAndReadsAccount(t *testing.T) {
	for _, engine := range Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			db := Open(t, engine)
			ctx := context.Background()

			a := &domain.Account{Name: "Acme", TimeZone: "Europe/Kyiv", DefaultCountry: "UA"}
			if err := db.CreateAccount(ctx, a); err != nil {
				t.Fatalf("CreateAccount: %v", err)
			}
			got, err := db.Account(ctx, a.ID)
			if err != nil {
				t.Fatalf("Account(%d): %v", a.ID, err)
			}
			if got.Name != "Acme" {
				t.Errorf("Name = %q, want %q", got.Name, "Acme")
			}
		})
	}
}

func TestOpenIsolatesStores(t *testing.T) {
	for _, engine := range Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			first := Open(t, engine)
			second := Open(t, engine)
			ctx := context.Background()

			a := &domain.Account{Name: "Only in first", TimeZone: "UTC", DefaultCountry: "UA"}
			if err := first.CreateAccount(ctx, a); err != nil {
				t.Fatalf("CreateAccount: %v", err)
			}
			_, err := second.Account(ctx, a.ID)
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("second store Account(%d) error = %v, want store.ErrNotFound", a.ID, err)
			}
		})
	}
}

func TestEachRunsEveryEngine(t *testing.T) {
	var (
		mu   sync.Mutex
		seen []string
	)
	Each(t, func(t *testing.T, db *store.DB) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, db.Dialect().String())
		if !strings.HasSuffix(t.Name(), "/"+db.Dialect().String()) {
			t.Errorf("subtest %s runs on %s", t.Name(), db.Dialect())
		}
	})
	if got, want := fmt.Sprint(seen), fmt.Sprint(Engines()); got != want {
		t.Errorf("Each ran on %s, want %s", got, want)
	}
}

func TestDSNCleanupRemovesData(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		var path string
		t.Run("use", func(t *testing.T) {
			path = DSN(t, "sqlite")
			db, err := store.Open(context.Background(), path, testLogger(t))
			if err != nil {
				t.Fatalf("open %s: %v", path, err)
			}
			db.Close()
		})
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("stat %s after cleanup: %v, want not exist", path, err)
		}
	})

	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		var schema string
		t.Run("use", func(t *testing.T) {
			dsn := DSN(t, "postgres")
			schema = searchPath(t, dsn)
			db, err := store.Open(context.Background(), dsn, testLogger(t))
			if err != nil {
				t.Fatalf("open %s: %v", schema, err)
			}
			db.Close()
		})
		if !strings.HasPrefix(schema, "vr_") {
			t.Fatalf("search_path = %q, want a vr_ schema", schema)
		}
		if schemaExists(t, schema) {
			t.Errorf("schema %s still exists after cleanup", schema)
		}
	})
}

func TestDSNUnknownEngineFails(t *testing.T) {
	msg := runFatal(t, func(tb testing.TB) { DSN(tb, "mysql") })
	if !strings.Contains(msg, `unknown engine "mysql"`) {
		t.Errorf("failure message = %q, want it to name the unknown engine", msg)
	}
}

func TestOpenFailsWithoutPostgres(t *testing.T) {
	// A port that was just free on loopback refuses connections.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	t.Setenv(PostgresEnv, "postgres://postgres@"+addr+"/postgres?sslmode=disable&connect_timeout=5")

	msg := runFatal(t, func(tb testing.TB) { Open(tb, "postgres") })
	for _, want := range []string{"not reachable", addr, PostgresEnv, "./scripts/test"} {
		if !strings.Contains(msg, want) {
			t.Errorf("failure message %q does not contain %q", msg, want)
		}
	}
}

func TestOpenRejectsNonURLPostgresSetting(t *testing.T) {
	t.Setenv(PostgresEnv, "host=127.0.0.1 user=postgres password=secret")

	msg := runFatal(t, func(tb testing.TB) { Open(tb, "postgres") })
	if !strings.Contains(msg, "is not a postgres:// URL") {
		t.Errorf("failure message = %q, want it to ask for a postgres:// URL", msg)
	}
	if strings.Contains(msg, "secret") {
		t.Errorf("failure message %q contains the password", msg)
	}
}

// fatalRecorder is a testing.TB whose Fatal and Fatalf record the message
// and stop the calling goroutine, so a test can check why a helper failed.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Fatal(args ...any) {
	r.msg = fmt.Sprint(args...)
	runtime.Goexit()
}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// runFatal runs fn in its own goroutine and returns the message that fn
// passed to Fatal or Fatalf. It fails t when fn returns without failing.
func runFatal(t *testing.T, fn func(tb testing.TB)) string {
	t.Helper()
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(rec)
	}()
	<-done
	if rec.msg == "" {
		t.Fatal("expected a fatal failure, got none")
	}
	return rec.msg
}

func tableExists(t *testing.T, engine, dsn, table string) bool {
	t.Helper()
	ctx := context.Background()
	if engine == "sqlite" {
		conn, err := sql.Open("sqlite3", "file:"+dsn+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var n int
		err = conn.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, table).Scan(&n)
		if err != nil {
			t.Fatalf("query sqlite_master: %v", err)
		}
		return n == 1
	}

	// A connection with the store's DSN must find the table in the test's
	// own schema, which search_path makes its current_schema.
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var exists bool
	err = conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = $1)`, table).Scan(&exists)
	if err != nil {
		t.Fatalf("query pg_tables: %v", err)
	}
	var schema string
	if err := conn.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		t.Fatalf("query current_schema: %v", err)
	}
	if want := searchPath(t, dsn); schema != want {
		t.Errorf("current_schema() = %q, want %q", schema, want)
	}
	return exists
}

func searchPath(t *testing.T, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("parse DSN: %v", err)
	}
	return u.Query().Get("search_path")
}

func schemaExists(t *testing.T, schema string) bool {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, postgresBaseURL(t).String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var exists bool
	err = conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, schema).Scan(&exists)
	if err != nil {
		t.Fatalf("query pg_namespace: %v", err)
	}
	return exists
}
