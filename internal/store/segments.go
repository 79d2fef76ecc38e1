package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
)

// CreateSegment inserts a segment and sets its id and times. ListID, when
// set, must be a contact list of the same account.
func (db *DB) CreateSegment(ctx context.Context, s *domain.Segment) error {
	if err := db.checkSegment(ctx, s); err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	if s.CreatedAt.IsZero() {
		s.CreatedAt = now
	}
	s.UpdatedAt = s.CreatedAt
	var err error
	s.ID, err = db.insert(ctx, `INSERT INTO segments (account_id, name, list_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
		s.AccountID, s.Name, nullID(s.ListID), s.CreatedAt.UnixMilli(), s.UpdatedAt.UnixMilli())
	if err != nil {
		return fmt.Errorf("create segment: %w", err)
	}
	return nil
}

// Segment loads one segment of the account.
func (db *DB) Segment(ctx context.Context, accountID, id int64) (*domain.Segment, error) {
	var (
		s                domain.Segment
		list             sql.NullInt64
		created, updated int64
	)
	err := db.queryRow(ctx, `SELECT id, account_id, name, list_id, created_at, updated_at FROM segments
		WHERE account_id = ? AND id = ?`, accountID, id).
		Scan(&s.ID, &s.AccountID, &s.Name, &list, &created, &updated)
	if err != nil {
		return nil, notFound(err, "segment", id)
	}
	s.ListID = list.Int64
	s.CreatedAt, s.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	return &s, nil
}

// UpdateSegment saves a segment's name and list and sets UpdatedAt to now,
// the time reports show as the segment's last edit.
func (db *DB) UpdateSegment(ctx context.Context, s *domain.Segment) error {
	if err := db.checkSegment(ctx, s); err != nil {
		return err
	}
	updated := time.Now().UTC().Truncate(time.Millisecond)
	res, err := db.exec(ctx, `UPDATE segments SET name = ?, list_id = ?, updated_at = ? WHERE account_id = ? AND id = ?`,
		s.Name, nullID(s.ListID), updated.UnixMilli(), s.AccountID, s.ID)
	if err != nil {
		return fmt.Errorf("update segment %d: %w", s.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("segment %d: %w", s.ID, ErrNotFound)
	}
	s.UpdatedAt = updated
	return nil
}

// checkSegment trims the name and rejects a missing name or a list of
// another account.
func (db *DB) checkSegment(ctx context.Context, s *domain.Segment) error {
	s.Name = strings.TrimSpace(s.Name)
	if s.Name == "" {
		return &InputError{"name: missing: name the segment, such as \"Kyiv customers\""}
	}
	if s.ListID == 0 {
		return nil
	}
	_, err := db.ContactList(ctx, s.AccountID, s.ListID)
	if isNotFoundErr(err) {
		return &InputError{fmt.Sprintf("list_id: %d: %v: pass the id of one of your contact lists", s.ListID, errNoList)}
	}
	return err
}
