package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
)

// ContactRef identifies a contact by normalised phone or, for bot
// subscribers who have no phone, by Viber user id.
type ContactRef struct {
	Phone       string
	ViberUserID string
}

// EnsureContacts returns the id of each referenced contact, creating the
// contacts that do not exist yet. A phone takes precedence over a user id.
func (tx *Tx) EnsureContacts(ctx context.Context, accountID int64, refs []ContactRef) ([]int64, error) {
	now := time.Now().UnixMilli()
	ids := make([]int64, len(refs))

	for _, column := range []string{"phone", "viber_user_id"} {
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
			if ids[i] == 0 && r.key(column) != "" && (column == "phone" || r.Phone == "") {
				ids[i] = found[r.key(column)]
			}
		}
	}

	for i := range refs {
		if ids[i] == 0 {
			return nil, fmt.Errorf("contact %d: neither phone nor viber_user_id given", i)
		}
	}
	return ids, nil
}

func (r ContactRef) key(column string) string {
	if column == "phone" {
		return r.Phone
	}
	if r.Phone != "" {
		return ""
	}
	return r.ViberUserID
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
