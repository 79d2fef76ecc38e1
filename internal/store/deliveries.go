package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
)

// chunkRows bounds the rows of one multi-row statement so its parameters
// stay under SQLite's and PostgreSQL's limits.
const chunkRows = 500

const deliveryColumns = `id, account_id, campaign_id, contact_id, provider_id, provider_message_id, language,
	status, not_sent_reason, sent_at, delivered_at, read_at, clicked_at, failed_at, expires_at,
	unsubscribed_at, failure_reason, failure_detail, clicks_total, click_os`

func scanDelivery(row scanner) (*domain.Delivery, error) {
	var (
		d                                                   domain.Delivery
		pmid                                                sql.NullString
		status                                              int16
		notSent, reason                                     string
		sent, delivered, read, clicked, failed, expires, un sql.NullInt64
	)
	err := row.Scan(&d.ID, &d.AccountID, &d.CampaignID, &d.ContactID, &d.ProviderID, &pmid, &d.Language,
		&status, &notSent, &sent, &delivered, &read, &clicked, &failed, &expires,
		&un, &reason, &d.FailureDetail, &d.ClicksTotal, &d.ClickOS)
	if err != nil {
		return nil, err
	}
	d.ProviderMessageID = pmid.String
	d.Status = domain.Status(status)
	d.NotSentReason = domain.NotSentReason(notSent)
	d.FailureReason = domain.FailureReason(reason)
	d.SentAt, d.DeliveredAt, d.ReadAt = fromMS(sent), fromMS(delivered), fromMS(read)
	d.ClickedAt, d.FailedAt, d.ExpiresAt = fromMS(clicked), fromMS(failed), fromMS(expires)
	d.UnsubscribedAt = fromMS(un)
	return &d, nil
}

func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// DeliveriesByProviderMessage returns the account's deliveries through one
// provider connection, keyed by provider message id. On PostgreSQL it
// relies on the caller's PreferIndexScans: with stale statistics the
// planner may otherwise scan every delivery of the connection.
func (tx *Tx) DeliveriesByProviderMessage(ctx context.Context, accountID, providerID int64, ids []string) (map[string]*domain.Delivery, error) {
	found := make(map[string]*domain.Delivery, len(ids))
	for start := 0; start < len(ids); start += chunkRows {
		chunk := ids[start:min(start+chunkRows, len(ids))]
		cond, condArgs := inList(tx.db, "provider_message_id", chunk)
		rows, err := tx.query(ctx, `SELECT `+deliveryColumns+` FROM deliveries
			WHERE account_id = ? AND provider_id = ? AND `+cond, append([]any{accountID, providerID}, condArgs...)...)
		if err != nil {
			return nil, fmt.Errorf("look up deliveries: %w", err)
		}
		for rows.Next() {
			d, err := scanDelivery(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("look up deliveries: %w", err)
			}
			found[d.ProviderMessageID] = d
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("look up deliveries: %w", err)
		}
	}
	return found, nil
}

// CampaignDeliveriesByContact returns the campaign's counted (non-duplicate)
// deliveries for the given contacts, keyed by contact id.
func (tx *Tx) CampaignDeliveriesByContact(ctx context.Context, accountID, campaignID int64, contactIDs []int64) (map[int64]*domain.Delivery, error) {
	found := make(map[int64]*domain.Delivery, len(contactIDs))
	for start := 0; start < len(contactIDs); start += chunkRows {
		chunk := contactIDs[start:min(start+chunkRows, len(contactIDs))]
		cond, condArgs := inList(tx.db, "contact_id", chunk)
		rows, err := tx.query(ctx, `SELECT `+deliveryColumns+` FROM deliveries
			WHERE account_id = ? AND campaign_id = ? AND not_sent_reason <> 'duplicate' AND `+cond,
			append([]any{accountID, campaignID}, condArgs...)...)
		if err != nil {
			return nil, fmt.Errorf("look up campaign deliveries: %w", err)
		}
		for rows.Next() {
			d, err := scanDelivery(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("look up campaign deliveries: %w", err)
			}
			found[d.ContactID] = d
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("look up campaign deliveries: %w", err)
		}
	}
	return found, nil
}

// InsertDeliveries inserts new deliveries and sets their ids.
// NOTE: ids are matched to rows by position. Both engines return the rows of
// a multi-row INSERT ... RETURNING in VALUES order, though neither documents
// it as a guarantee.
func (tx *Tx) InsertDeliveries(ctx context.Context, ds []*domain.Delivery) error {
	now := time.Now().UnixMilli()
	const cols = 13
	for start := 0; start < len(ds); start += chunkRows {
		chunk := ds[start:min(start+chunkRows, len(ds))]
		args := make([]any, 0, len(chunk)*cols)
		for _, d := range chunk {
			args = append(args, d.AccountID, d.CampaignID, d.ContactID, d.ProviderID, nullText(d.ProviderMessageID),
				d.Language, int16(d.Status), string(d.NotSentReason), ms(d.SentAt), ms(d.ExpiresAt),
				string(d.FailureReason), ms(d.FailedAt), now)
		}
		rows, err := tx.query(ctx, `INSERT INTO deliveries (account_id, campaign_id, contact_id, provider_id,
			provider_message_id, language, status, not_sent_reason, sent_at, expires_at, failure_reason, failed_at, created_at)
			VALUES `+placeholders(len(chunk), cols)+` RETURNING id`, args...)
		if err != nil {
			return fmt.Errorf("insert deliveries: %w", err)
		}
		i := 0
		for rows.Next() {
			if err := rows.Scan(&chunk[i].ID); err != nil {
				rows.Close()
				return fmt.Errorf("insert deliveries: %w", err)
			}
			i++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("insert deliveries: %w", err)
		}
	}
	return nil
}

// UpdateDeliveries writes the state fields of changed deliveries.
func (tx *Tx) UpdateDeliveries(ctx context.Context, ds []*domain.Delivery) error {
	const cols = 13
	for start := 0; start < len(ds); start += chunkRows {
		chunk := ds[start:min(start+chunkRows, len(ds))]
		args := make([]any, 0, len(chunk)*cols+1)
		for _, d := range chunk {
			args = append(args, d.ID, int16(d.Status), ms(d.SentAt), ms(d.DeliveredAt), ms(d.ReadAt),
				ms(d.ClickedAt), ms(d.FailedAt), ms(d.ExpiresAt), ms(d.UnsubscribedAt),
				string(d.FailureReason), d.FailureDetail, d.ClicksTotal, d.ClickOS)
		}
		args = append(args, chunk[0].AccountID)
		// VALUES columns are named column1, column2, ... on both engines;
		// the casts give PostgreSQL their types.
		_, err := tx.exec(ctx, `UPDATE deliveries SET
			status = v.column2, sent_at = v.column3, delivered_at = v.column4, read_at = v.column5,
			clicked_at = v.column6, failed_at = v.column7, expires_at = v.column8, unsubscribed_at = v.column9,
			failure_reason = v.column10, failure_detail = v.column11, clicks_total = v.column12, click_os = v.column13
			FROM (VALUES `+typedRows(len(chunk))+`) AS v
			WHERE deliveries.id = v.column1 AND deliveries.account_id = ?`, args...)
		if err != nil {
			return fmt.Errorf("update deliveries: %w", err)
		}
	}
	return nil
}

// typedRows returns VALUES rows matching UpdateDeliveries' columns.
func typedRows(n int) string {
	const one = "(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), " +
		"CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), " +
		"CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS TEXT))"
	return strings.TrimSuffix(strings.Repeat(one+", ", n), ", ")
}

// DueExpiries returns up to limit sent deliveries whose TTL ran out before
// now with no final status, across all accounts.
func (tx *Tx) DueExpiries(ctx context.Context, now time.Time, limit int) ([]*domain.Delivery, error) {
	rows, err := tx.query(ctx, `SELECT `+deliveryColumns+` FROM deliveries
		WHERE status = 1 AND expires_at <= ? ORDER BY expires_at LIMIT ?`, now.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("find expired deliveries: %w", err)
	}
	defer rows.Close()
	var list []*domain.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("find expired deliveries: %w", err)
		}
		list = append(list, d)
	}
	return list, rows.Err()
}

// RecordClick counts one click on link for the delivery and reports whether
// it was the delivery's first click on that link.
func (tx *Tx) RecordClick(ctx context.Context, accountID, deliveryID int64, link string, at time.Time) (bool, error) {
	var clicks int64
	err := tx.queryRow(ctx, `INSERT INTO delivery_clicks (account_id, delivery_id, link, clicks, first_at)
		VALUES (?, ?, ?, 1, ?)
		ON CONFLICT (account_id, delivery_id, link) DO UPDATE SET clicks = delivery_clicks.clicks + 1,
			first_at = CASE WHEN excluded.first_at < delivery_clicks.first_at THEN excluded.first_at ELSE delivery_clicks.first_at END
		RETURNING clicks`, accountID, deliveryID, link, at.UnixMilli()).Scan(&clicks)
	if err != nil {
		return false, fmt.Errorf("record click: %w", err)
	}
	return clicks == 1, nil
}

// LatestDeliveryByViberUser returns the most recent sent delivery through a
// provider connection to the contact with the given Viber user id, or nil.
func (tx *Tx) LatestDeliveryByViberUser(ctx context.Context, accountID, providerID int64, viberUserID string) (*domain.Delivery, error) {
	d, err := scanDelivery(tx.queryRow(ctx, `SELECT `+prefixed("d.", deliveryColumns)+`
		FROM deliveries d JOIN contacts c ON c.account_id = d.account_id AND c.id = d.contact_id
		WHERE d.account_id = ? AND d.provider_id = ? AND c.viber_user_id = ? AND d.status >= 1
		ORDER BY d.sent_at DESC, d.id DESC LIMIT 1`, accountID, providerID, viberUserID))
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find latest delivery of viber user: %w", err)
	}
	return d, nil
}
