package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// sessionTokenBytes is the number of random bytes in a session token. 256
// bits make guessing hopeless, so a plain SHA-256 of the token is a safe
// stored form that still allows lookup by hash.
const sessionTokenBytes = 32

// Session is a signed-in browser. The raw token lives only in the user's
// cookie, and the store keeps its SHA-256 digest.
type Session struct {
	ID        int64
	AccountID int64
	UserID    int64
	// CSRFToken is the token that forms of this session must echo.
	CSRFToken string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// hashSessionToken returns the stored form of a session token.
func hashSessionToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateSession stores a session for s.UserID, which must belong to
// s.AccountID, and returns the raw token for the cookie. The token is not
// stored, so this is the only time it is available. The caller sets
// AccountID, UserID, CSRFToken and ExpiresAt, and CreateSession sets ID and
// CreatedAt. It returns ErrNotFound when the user is not in the account.
func (db *DB) CreateSession(ctx context.Context, s *Session) (string, error) {
	if s.CSRFToken == "" {
		return "", errors.New("create session: missing CSRF token")
	}
	if s.ExpiresAt.IsZero() {
		return "", errors.New("create session: missing expiry time")
	}
	raw := make([]byte, sessionTokenBytes)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("create session: generate token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	if s.CreatedAt.IsZero() {
		s.CreatedAt = time.Now().UTC()
	}

	// Selecting the user row ties the session to an existing user of the
	// same account: the foreign key alone would accept a user of another
	// account.
	id, err := db.insert(ctx, `INSERT INTO sessions (account_id, user_id, token_hash, csrf_token, created_at, expires_at)
		SELECT account_id, id, ?, ?, ?, ? FROM users WHERE account_id = ? AND id = ?`,
		hashSessionToken(token), s.CSRFToken, s.CreatedAt.UnixMilli(), s.ExpiresAt.UnixMilli(), s.AccountID, s.UserID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("create session: user %d of account %d: %w", s.UserID, s.AccountID, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("create session for user %d: %w", s.UserID, err)
	}
	s.ID = id
	return token, nil
}

// SessionByToken loads the session whose raw token is token. It returns
// ErrNotFound for an unknown token and for a session that has expired.
func (db *DB) SessionByToken(ctx context.Context, token string) (*Session, error) {
	var (
		s                  Session
		created, expiresAt int64
	)
	err := db.queryRow(ctx, `SELECT id, account_id, user_id, csrf_token, created_at, expires_at
		FROM sessions WHERE token_hash = ? AND expires_at > ?`,
		hashSessionToken(token), time.Now().UnixMilli()).
		Scan(&s.ID, &s.AccountID, &s.UserID, &s.CSRFToken, &created, &expiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("session: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("look up session: %w", err)
	}
	s.CreatedAt = time.UnixMilli(created).UTC()
	s.ExpiresAt = time.UnixMilli(expiresAt).UTC()
	return &s, nil
}

// DeleteSession removes the session whose raw token is token. Deleting an
// unknown or already deleted session is not an error, so signing out twice
// succeeds.
func (db *DB) DeleteSession(ctx context.Context, token string) error {
	if _, err := db.exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hashSessionToken(token)); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes every session, in all accounts, that
// expired at or before now, and returns how many it removed.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := db.exec(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, now.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return n, nil
}
