package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
)

// ErrEmailTaken is returned by CreateUser when another user, in any
// account, already has the email.
var ErrEmailTaken = errors.New("email already in use")

// User is a person who signs in to the browser report. Role is one of the
// names that package auth defines; the schema rejects any other value.
type User struct {
	ID        int64
	AccountID int64
	// Email is stored lowercased, so lookups ignore case.
	Email string
	Role  string
	// PasswordHash is the encoded hash produced by package auth, never the
	// password itself.
	PasswordHash string
	CreatedAt    time.Time
}

// NormalizeEmail returns the stored form of an email address: trimmed and
// lowercased.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// CreateUser inserts a user, lowercasing its email, and sets its id. It
// returns ErrEmailTaken when the email is in use.
func (db *DB) CreateUser(ctx context.Context, u *User) error {
	u.Email = NormalizeEmail(u.Email)
	if u.Email == "" {
		return errors.New("create user: missing email")
	}
	if u.PasswordHash == "" {
		return fmt.Errorf("create user %s: missing password hash", u.Email)
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = time.Now().UTC()
	}

	var err error
	u.ID, err = db.insert(ctx,
		`INSERT INTO users (account_id, email, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)`,
		u.AccountID, u.Email, u.Role, u.PasswordHash, u.CreatedAt.UnixMilli())
	if isUniqueViolation(err) {
		return fmt.Errorf("create user %s: %w", u.Email, ErrEmailTaken)
	}
	if err != nil {
		return fmt.Errorf("create user %s: %w", u.Email, err)
	}
	return nil
}

const userColumns = `id, account_id, email, role, password_hash, created_at`

// UserByEmail loads the user with the email, compared without case, from
// any account. Sign-in uses it before the account is known.
func (db *DB) UserByEmail(ctx context.Context, email string) (*User, error) {
	email = NormalizeEmail(email)
	u, err := scanUser(db.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, email))
	if err != nil {
		return nil, emailNotFound(err, email)
	}
	return u, nil
}

// User loads one user of the account.
func (db *DB) User(ctx context.Context, accountID, id int64) (*User, error) {
	u, err := scanUser(db.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE account_id = ? AND id = ?`, accountID, id))
	if err != nil {
		return nil, notFound(err, "user", id)
	}
	return u, nil
}

func scanUser(row scanner) (*User, error) {
	var (
		u       User
		created int64
	)
	if err := row.Scan(&u.ID, &u.AccountID, &u.Email, &u.Role, &u.PasswordHash, &created); err != nil {
		return nil, err
	}
	u.CreatedAt = time.UnixMilli(created).UTC()
	return &u, nil
}

func emailNotFound(err error, email string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("user %s: %w", email, ErrNotFound)
	}
	return fmt.Errorf("look up user %s: %w", email, err)
}

// isUniqueViolation reports whether err is a UNIQUE constraint failure on
// either engine.
func isUniqueViolation(err error) bool {
	var sqliteErr sqlite3.Error
	if errors.As(err, &sqliteErr) {
		return sqliteErr.ExtendedCode == sqlite3.ErrConstraintUnique
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505" // unique_violation
	}
	return false
}
