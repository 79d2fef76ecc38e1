package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// HashAPIKey returns the stored form of an API key. Keys carry 256 random
// bits, so a plain SHA-256 resists guessing and allows lookup by hash.
func HashAPIKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// CreateAPIKey stores the hash of key for the account.
func (db *DB) CreateAPIKey(ctx context.Context, accountID int64, name, key string) (int64, error) {
	id, err := db.insert(ctx,
		`INSERT INTO api_keys (account_id, name, key_hash, created_at) VALUES (?, ?, ?, ?)`,
		accountID, name, HashAPIKey(key), time.Now().UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("create api key: %w", err)
	}
	return id, nil
}

// AccountByAPIKey returns the account id the key belongs to, or ErrNotFound.
func (db *DB) AccountByAPIKey(ctx context.Context, key string) (int64, error) {
	var accountID int64
	err := db.queryRow(ctx, `SELECT account_id FROM api_keys WHERE key_hash = ?`, HashAPIKey(key)).Scan(&accountID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("look up api key: %w", err)
	}
	return accountID, nil
}
