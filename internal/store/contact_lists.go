package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
)

// Contact list member page sizes.
const (
	DefaultListMembersLimit = 100
	MaxListMembersLimit     = 1000
)

// CreateContactList inserts an empty contact list and sets its id.
func (db *DB) CreateContactList(ctx context.Context, l *domain.ContactList) error {
	l.Name = strings.TrimSpace(l.Name)
	if l.Name == "" {
		return &InputError{"name: missing: name the contact list, such as \"Clicked the spring sale\""}
	}
	if l.CreatedAt.IsZero() {
		l.CreatedAt = time.Now().UTC()
	}
	var err error
	l.ID, err = db.insert(ctx, `INSERT INTO contact_lists (account_id, name, created_at) VALUES (?, ?, ?)`,
		l.AccountID, l.Name, l.CreatedAt.UnixMilli())
	if err != nil {
		return fmt.Errorf("create contact list: %w", err)
	}
	l.Size = 0
	return nil
}

// listColumns selects a contact list with its size, counted through the
// primary key of contact_list_members.
const listColumns = `l.id, l.account_id, l.name, l.created_at,
	(SELECT COUNT(*) FROM contact_list_members m WHERE m.account_id = l.account_id AND m.list_id = l.id)`

func scanContactList(row scanner) (*domain.ContactList, error) {
	var (
		l       domain.ContactList
		created int64
	)
	if err := row.Scan(&l.ID, &l.AccountID, &l.Name, &created, &l.Size); err != nil {
		return nil, err
	}
	l.CreatedAt = time.UnixMilli(created).UTC()
	return &l, nil
}

// ContactLists returns the account's contact lists with their sizes, oldest
// first.
func (db *DB) ContactLists(ctx context.Context, accountID int64) ([]domain.ContactList, error) {
	rows, err := db.query(ctx, `SELECT `+listColumns+` FROM contact_lists l WHERE l.account_id = ? ORDER BY l.id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("list contact lists: %w", err)
	}
	defer rows.Close()

	lists := []domain.ContactList{}
	for rows.Next() {
		l, err := scanContactList(rows)
		if err != nil {
			return nil, fmt.Errorf("list contact lists: %w", err)
		}
		lists = append(lists, *l)
	}
	return lists, rows.Err()
}

// ContactList loads one contact list of the account with its size.
func (db *DB) ContactList(ctx context.Context, accountID, id int64) (*domain.ContactList, error) {
	l, err := scanContactList(db.queryRow(ctx, `SELECT `+listColumns+` FROM contact_lists l WHERE l.account_id = ? AND l.id = ?`,
		accountID, id))
	if err != nil {
		return nil, notFound(err, "contact list", id)
	}
	return l, nil
}

// AddMetricContactsToList adds the contacts of a campaign metric to a
// contact list of the same account in one INSERT ... SELECT, and returns
// how many were not members yet. Adding the same metric again adds nobody.
// q.Search narrows the contacts as in MetricContacts; q.AfterID and
// q.Limit are ignored, because the whole metric is added.
func (db *DB) AddMetricContactsToList(ctx context.Context, q ContactQuery, listID int64) (int64, error) {
	filter, filterArgs, err := metricFilter(q.Metric)
	if err != nil {
		return 0, &InputError{err.Error()}
	}
	if _, err := db.ContactList(ctx, q.AccountID, listID); err != nil {
		return 0, err
	}

	// DISTINCT because a not_sent.duplicate delivery shares its contact
	// with another delivery of the campaign. The casts give PostgreSQL the
	// types of the selected parameters.
	query := `INSERT INTO contact_list_members (account_id, list_id, contact_id, added_at)
		SELECT DISTINCT d.account_id, CAST(? AS BIGINT), d.contact_id, CAST(? AS BIGINT)
		FROM deliveries d JOIN contacts c ON c.account_id = d.account_id AND c.id = d.contact_id
		WHERE d.account_id = ? AND d.campaign_id = ? AND ` + filter
	args := append([]any{listID, time.Now().UnixMilli(), q.AccountID, q.CampaignID}, filterArgs...)
	if q.Search != "" {
		search, searchArgs := contactSearchCondition(q.Search)
		query += " AND " + search
		args = append(args, searchArgs...)
	}
	query += ` ON CONFLICT DO NOTHING`

	res, err := db.exec(ctx, query, args...)
	if err != nil {
		return 0, fmt.Errorf("add %s contacts of campaign %d to list %d: %w", q.Metric, q.CampaignID, listID, err)
	}
	added, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("add %s contacts of campaign %d to list %d: %w", q.Metric, q.CampaignID, listID, err)
	}
	return added, nil
}

// contactSearchCondition matches contacts (aliased c) the way
// MetricContacts does: phone, first name, last name or full name contains
// the text, ignoring ASCII case.
func contactSearchCondition(search string) (string, []any) {
	like := "%" + escapeLike(strings.ToLower(search)) + "%"
	return `(LOWER(COALESCE(c.phone, '')) LIKE ? ESCAPE '\' OR LOWER(c.first_name) LIKE ? ESCAPE '\'
		OR LOWER(c.last_name) LIKE ? ESCAPE '\' OR LOWER(c.first_name || ' ' || c.last_name) LIKE ? ESCAPE '\')`,
		[]any{like, like, like, like}
}

// MemberQuery selects one keyset page of a contact list's members, in
// contact id order: AfterContactID is the last id of the previous page.
type MemberQuery struct {
	AccountID      int64
	ListID         int64
	AfterContactID int64
	// Limit is DefaultListMembersLimit when 0, at most MaxListMembersLimit.
	Limit int
}

// ListMembers returns one page of a contact list's members. A list of
// another account is not found.
func (db *DB) ListMembers(ctx context.Context, q MemberQuery) ([]domain.Contact, error) {
	if _, err := db.ContactList(ctx, q.AccountID, q.ListID); err != nil {
		return nil, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultListMembersLimit
	}
	limit = min(limit, MaxListMembersLimit)

	rows, err := db.query(ctx, `SELECT `+prefixed("c.", contactColumns)+`
		FROM contact_list_members m JOIN contacts c ON c.account_id = m.account_id AND c.id = m.contact_id
		WHERE m.account_id = ? AND m.list_id = ? AND m.contact_id > ?
		ORDER BY m.contact_id LIMIT ?`, q.AccountID, q.ListID, q.AfterContactID, limit)
	if err != nil {
		return nil, fmt.Errorf("list members of contact list %d: %w", q.ListID, err)
	}
	defer rows.Close()

	members := []domain.Contact{}
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return nil, fmt.Errorf("list members of contact list %d: %w", q.ListID, err)
		}
		members = append(members, *c)
	}
	return members, rows.Err()
}

// errNoList is wrapped when a segment names a list outside the account.
var errNoList = errors.New("no such contact list in this account")

func isNotFoundErr(err error) bool { return errors.Is(err, ErrNotFound) }
