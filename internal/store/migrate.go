package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

//go:embed migrations
var migrations embed.FS

// Migrate applies the dialect's pending numbered migrations, each in its own
// transaction, and logs every one it applies.
func (db *DB) Migrate(ctx context.Context) error {
	dir, gooseDialect := "migrations/sqlite", goose.DialectSQLite3
	if db.dialect == Postgres {
		dir, gooseDialect = "migrations/postgres", goose.DialectPostgres
	}
	fsys, err := fs.Sub(migrations, dir)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}

	provider, err := goose.NewProvider(gooseDialect, db.w, fsys)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	for _, r := range results {
		db.log.Info("migration applied", "engine", db.dialect.String(), "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
	}
	version, err := provider.GetDBVersion(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	db.log.Info("schema ready", "engine", db.dialect.String(), "version", version)
	return nil
}
