package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
)

// CreateMessage inserts a message with its language versions and sets its id.
func (db *DB) CreateMessage(ctx context.Context, m *domain.Message) error {
	tags, err := json.Marshal(nonNil(m.Tags))
	if err != nil {
		return fmt.Errorf("create message: %w", err)
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = time.Now().UTC()
	}
	return db.InTx(ctx, func(tx *Tx) error {
		m.ID, err = tx.insert(ctx, `INSERT INTO messages (account_id, name, text, image_url, button_caption, button_url,
			ios_expiry_text, ttl_seconds, tags, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			m.AccountID, m.Name, m.Text, m.ImageURL, m.ButtonCaption, m.ButtonURL, m.IOSExpiryText,
			int64(m.TTL/time.Second), string(tags), m.CreatedAt.UnixMilli(), m.CreatedAt.UnixMilli())
		if err != nil {
			return fmt.Errorf("create message: %w", err)
		}
		for _, v := range m.Versions {
			if _, err := tx.exec(ctx, `INSERT INTO message_versions (account_id, message_id, language, text, image_url,
				button_caption, button_url, ios_expiry_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				m.AccountID, m.ID, v.Language, v.Text, v.ImageURL, v.ButtonCaption, v.ButtonURL, v.IOSExpiryText); err != nil {
				return fmt.Errorf("create message version %q: %w", v.Language, err)
			}
		}
		return nil
	})
}

// Message loads one message of the account with its versions.
func (db *DB) Message(ctx context.Context, accountID, id int64) (*domain.Message, error) {
	var (
		m       domain.Message
		ttl     int64
		tags    string
		created int64
	)
	err := db.queryRow(ctx, `SELECT id, account_id, name, text, image_url, button_caption, button_url, ios_expiry_text,
		ttl_seconds, tags, created_at FROM messages WHERE account_id = ? AND id = ?`, accountID, id).
		Scan(&m.ID, &m.AccountID, &m.Name, &m.Text, &m.ImageURL, &m.ButtonCaption, &m.ButtonURL, &m.IOSExpiryText,
			&ttl, &tags, &created)
	if err != nil {
		return nil, notFound(err, "message", id)
	}
	m.TTL = time.Duration(ttl) * time.Second
	m.CreatedAt = time.UnixMilli(created).UTC()
	if err := json.Unmarshal([]byte(tags), &m.Tags); err != nil {
		return nil, fmt.Errorf("message %d: tags: %w", id, err)
	}

	rows, err := db.query(ctx, `SELECT language, text, image_url, button_caption, button_url, ios_expiry_text
		FROM message_versions WHERE account_id = ? AND message_id = ? ORDER BY language`, accountID, id)
	if err != nil {
		return nil, fmt.Errorf("message %d: versions: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var v domain.MessageVersion
		if err := rows.Scan(&v.Language, &v.Text, &v.ImageURL, &v.ButtonCaption, &v.ButtonURL, &v.IOSExpiryText); err != nil {
			return nil, fmt.Errorf("message %d: versions: %w", id, err)
		}
		m.Versions = append(m.Versions, v)
	}
	return &m, rows.Err()
}

func nonNil(tags []string) []string {
	if tags == nil {
		return []string{}
	}
	return tags
}
