package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
)

// ContactRef identifies a contact by normalised phone, by Viber user id for
// bot subscribers who have no phone, or by the account's own external id
// for contacts with neither (such as those left out for an invalid phone).
type ContactRef struct {
	Phone       string
	ViberUserID string
	ExternalID  string
}

// contactKeyColumns lists the columns that identify a contact, in order of
// precedence: a reference is matched by the first one it sets.
var contactKeyColumns = []string{"phone", "viber_user_id", "external_id"}

// EnsureContacts returns the id of each referenced contact, creating the
// contacts that do not exist yet.
func (tx *Tx) EnsureContacts(ctx context.Context, accountID int64, refs []ContactRef) ([]int64, error) {
	now := time.Now().UnixMilli()
	ids := make([]int64, len(refs))

	for _, column := range contactKeyColumns {
		var values []string
		seen := map[string]bool{}
		for _, r := range refs {
			v := r.key(column)
			if v != "" && !seen[v] {
				seen[v] = true
				values = append(values, v)
			}
		}
		if len(values) == 0 {
			continue
		}

		for start := 0; start < len(values); start += chunkRows {
			chunk := values[start:min(start+chunkRows, len(values))]
			args := make([]any, 0, len(chunk)*4)
			for _, v := range chunk {
				args = append(args, accountID, v, now, now)
			}
			_, err := tx.exec(ctx, `INSERT INTO contacts (account_id, `+column+`, created_at, updated_at)
				VALUES `+placeholders(len(chunk), 4)+` ON CONFLICT DO NOTHING`, args...)
			if err != nil {
				return nil, fmt.Errorf("create contacts: %w", err)
			}
		}

		found := make(map[string]int64, len(values))
		for start := 0; start < len(values); start += chunkRows {
			chunk := values[start:min(start+chunkRows, len(values))]
			cond, condArgs := inList(tx.db, column, chunk)
			rows, err := tx.query(ctx, `SELECT id, `+column+` FROM contacts WHERE account_id = ? AND `+cond,
				append([]any{accountID}, condArgs...)...)
			if err != nil {
				return nil, fmt.Errorf("find contacts: %w", err)
			}
			for rows.Next() {
				var (
					id int64
					v  string
				)
				if err := rows.Scan(&id, &v); err != nil {
					rows.Close()
					return nil, fmt.Errorf("find contacts: %w", err)
				}
				found[v] = id
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, fmt.Errorf("find contacts: %w", err)
			}
		}

		for i, r := range refs {
			if ids[i] == 0 && r.key(column) != "" {
				ids[i] = found[r.key(column)]
			}
		}
	}

	for i := range refs {
		if ids[i] == 0 {
			return nil, fmt.Errorf("contact %d: no phone, viber_user_id or external_id given", i)
		}
	}
	return ids, nil
}

// key returns the reference's value for column when column is the first
// key column the reference sets, and "" otherwise.
func (r ContactRef) key(column string) string {
	values := map[string]string{"phone": r.Phone, "viber_user_id": r.ViberUserID, "external_id": r.ExternalID}
	for _, c := range contactKeyColumns {
		if values[c] != "" {
			if c == column {
				return values[c]
			}
			return ""
		}
	}
	return ""
}

// ViberUserLink names the Viber user id a callback reported for a contact.
type ViberUserLink struct {
	ContactID   int64
	ViberUserID string
}

// AttachViberUserIDs records the Viber user ids callbacks reported for
// contacts that have none yet, so that a user's later unsubscribe, which
// names only the user, finds the contact. A link is skipped when its contact
// already has a user id or another contact of the account has that one. Of
// links sharing a user id, only the first is applied.
func (tx *Tx) AttachViberUserIDs(ctx context.Context, accountID int64, links []ViberUserLink) error {
	seen := make(map[string]bool, len(links))
	unique := links[:0:0]
	for _, l := range links {
		if !seen[l.ViberUserID] {
			seen[l.ViberUserID] = true
			unique = append(unique, l)
		}
	}

	const cols = 2
	now := time.Now().UnixMilli()
	for start := 0; start < len(unique); start += chunkRows {
		chunk := unique[start:min(start+chunkRows, len(unique))]
		args := make([]any, 0, len(chunk)*cols+4)
		args = append(args, now)
		for _, l := range chunk {
			args = append(args, l.ContactID, l.ViberUserID)
		}
		args = append(args, accountID, accountID)
		values := strings.TrimSuffix(strings.Repeat("(CAST(? AS BIGINT), CAST(? AS TEXT)), ", len(chunk)), ", ")
		// VALUES columns are named column1, column2 on both engines.
		_, err := tx.exec(ctx, `UPDATE contacts SET viber_user_id = v.column2, updated_at = ?
			FROM (VALUES `+values+`) AS v
			WHERE contacts.account_id = ? AND contacts.id = v.column1 AND contacts.viber_user_id IS NULL
			AND NOT EXISTS (SELECT 1 FROM contacts other WHERE other.account_id = ? AND other.viber_user_id = v.column2)`,
			args...)
		if err != nil {
			return fmt.Errorf("attach viber user ids: %w", err)
		}
	}
	return nil
}

// CreateContact inserts a contact and sets its id.
func (db *DB) CreateContact(ctx context.Context, c *domain.Contact) error {
	fields, err := json.Marshal(c.CustomFields)
	if err != nil {
		return fmt.Errorf("create contact: %w", err)
	}
	if c.CustomFields == nil {
		fields = []byte("{}")
	}
	now := time.Now().UTC()
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now
	}
	c.ID, err = db.insert(ctx, `INSERT INTO contacts (account_id, phone, viber_user_id, email, external_id,
		first_name, last_name, language, custom_fields, unsubscribed_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.AccountID, nullText(c.Phone), nullText(c.ViberUserID), nullText(c.Email), nullText(c.ExternalID),
		c.FirstName, c.LastName, c.Language, string(fields), ms(c.UnsubscribedAt), c.CreatedAt.UnixMilli(), now.UnixMilli())
	if err != nil {
		return fmt.Errorf("create contact: %w", err)
	}
	return nil
}

const contactColumns = `id, account_id, phone, viber_user_id, email, external_id, first_name, last_name,
	language, custom_fields, unsubscribed_at, created_at`

func scanContact(row scanner) (*domain.Contact, error) {
	var (
		c                               domain.Contact
		phone, viber, email, externalID sql.NullString
		fields                          string
		unsubscribed                    sql.NullInt64
		created                         int64
	)
	if err := row.Scan(&c.ID, &c.AccountID, &phone, &viber, &email, &externalID, &c.FirstName, &c.LastName,
		&c.Language, &fields, &unsubscribed, &created); err != nil {
		return nil, err
	}
	c.Phone, c.ViberUserID, c.Email, c.ExternalID = phone.String, viber.String, email.String, externalID.String
	if err := json.Unmarshal([]byte(fields), &c.CustomFields); err != nil {
		return nil, fmt.Errorf("contact %d: custom fields: %w", c.ID, err)
	}
	c.UnsubscribedAt = fromMS(unsubscribed)
	c.CreatedAt = time.UnixMilli(created).UTC()
	return &c, nil
}

// Contact loads one contact of the account.
func (db *DB) Contact(ctx context.Context, accountID, id int64) (*domain.Contact, error) {
	c, err := scanContact(db.queryRow(ctx, `SELECT `+contactColumns+` FROM contacts WHERE account_id = ? AND id = ?`, accountID, id))
	if err != nil {
		return nil, notFound(err, "contact", id)
	}
	return c, nil
}
