package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
)

// CreateAccount inserts an account and sets its id.
func (db *DB) CreateAccount(ctx context.Context, a *domain.Account) error {
	settings, err := json.Marshal(a.Settings)
	if err != nil {
		return fmt.Errorf("create account: %w", err)
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = time.Now().UTC()
	}
	a.ID, err = db.insert(ctx,
		`INSERT INTO accounts (name, time_zone, default_country, settings, created_at) VALUES (?, ?, ?, ?, ?)`,
		a.Name, a.TimeZone, a.DefaultCountry, string(settings), a.CreatedAt.UnixMilli())
	if err != nil {
		return fmt.Errorf("create account: %w", err)
	}
	return nil
}

// Account loads one account.
func (db *DB) Account(ctx context.Context, id int64) (*domain.Account, error) {
	var (
		a        domain.Account
		settings string
		created  int64
	)
	err := db.queryRow(ctx,
		`SELECT id, name, time_zone, default_country, settings, created_at FROM accounts WHERE id = ?`, id).
		Scan(&a.ID, &a.Name, &a.TimeZone, &a.DefaultCountry, &settings, &created)
	if err != nil {
		return nil, notFound(err, "account", id)
	}
	if err := json.Unmarshal([]byte(settings), &a.Settings); err != nil {
		return nil, fmt.Errorf("account %d: settings: %w", id, err)
	}
	if a.Settings.Norms == nil {
		a.Settings.Norms = domain.DefaultNorms()
	}
	a.CreatedAt = time.UnixMilli(created).UTC()
	return &a, nil
}

// UpdateAccountSettings replaces an account's settings.
func (db *DB) UpdateAccountSettings(ctx context.Context, accountID int64, s domain.Settings) error {
	settings, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("update account settings: %w", err)
	}
	res, err := db.exec(ctx, `UPDATE accounts SET settings = ? WHERE id = ?`, string(settings), accountID)
	if err != nil {
		return fmt.Errorf("update account settings: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("account %d: %w", accountID, ErrNotFound)
	}
	return nil
}
