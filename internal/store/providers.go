package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
)

// CreateProviderConnection inserts a connection and sets its id.
func (db *DB) CreateProviderConnection(ctx context.Context, p *domain.ProviderConnection) error {
	if p.CreatedAt.IsZero() {
		p.CreatedAt = time.Now().UTC()
	}
	if p.Settings == "" {
		p.Settings = "{}"
	}
	var err error
	p.ID, err = db.insert(ctx,
		`INSERT INTO provider_connections (account_id, kind, name, secret, settings, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		p.AccountID, p.Kind, p.Name, p.Secret, p.Settings, p.CreatedAt.UnixMilli())
	if err != nil {
		return fmt.Errorf("create provider connection: %w", err)
	}
	return nil
}

// ProviderConnection loads a connection by id alone. Webhooks use it: the
// URL names the connection and the connection names the account.
func (db *DB) ProviderConnection(ctx context.Context, id int64) (*domain.ProviderConnection, error) {
	return db.scanProvider(db.queryRow(ctx, providerColumns+` WHERE id = ?`, id), id)
}

// AccountProviderConnection loads a connection that belongs to the account.
func (db *DB) AccountProviderConnection(ctx context.Context, accountID, id int64) (*domain.ProviderConnection, error) {
	return db.scanProvider(db.queryRow(ctx, providerColumns+` WHERE account_id = ? AND id = ?`, accountID, id), id)
}

// ProviderConnections lists the account's connections.
func (db *DB) ProviderConnections(ctx context.Context, accountID int64) ([]domain.ProviderConnection, error) {
	rows, err := db.query(ctx, providerColumns+` WHERE account_id = ? ORDER BY id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("list provider connections: %w", err)
	}
	defer rows.Close()

	var list []domain.ProviderConnection
	for rows.Next() {
		p, err := db.scanProvider(rows, 0)
		if err != nil {
			return nil, err
		}
		list = append(list, *p)
	}
	return list, rows.Err()
}

const providerColumns = `SELECT id, account_id, kind, name, secret, settings, created_at FROM provider_connections`

type scanner interface{ Scan(...any) error }

func (db *DB) scanProvider(row scanner, id int64) (*domain.ProviderConnection, error) {
	var (
		p       domain.ProviderConnection
		created int64
	)
	err := row.Scan(&p.ID, &p.AccountID, &p.Kind, &p.Name, &p.Secret, &p.Settings, &created)
	if err == sql.ErrNoRows {
		return nil, notFound(err, "provider connection", id)
	}
	if err != nil {
		return nil, fmt.Errorf("load provider connection: %w", err)
	}
	p.CreatedAt = time.UnixMilli(created).UTC()
	return &p, nil
}
