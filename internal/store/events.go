package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
)

// EventRecord is one event as the history keeps it.
type EventRecord struct {
	ID         int64
	AccountID  int64
	ProviderID int64
	// CallbackID is the raw callback the event came in; 0 for events the
	// service derived itself, such as an expiry.
	CallbackID int64
	// DeliveryID is 0 while the event is parked.
	DeliveryID int64
	// Detached marks an event that concerns no single delivery, such as a
	// Viber unsubscribe from a user the connection never messaged. It is
	// kept in the history but never parked.
	Detached   bool
	ReceivedAt time.Time
	domain.Event
}

// DedupeKey identifies an event by everything a replay of the same callback
// repeats, so a replayed callback adds no second event.
func (e *EventRecord) DedupeKey() string {
	h := sha256.New()
	for _, part := range []string{
		e.ProviderMessageID, string(e.Kind), strconv.FormatInt(e.OccurredAt.UnixMilli(), 10),
		string(e.Reason), e.ReasonDetail, e.Link, e.DeviceOS, e.ViberUserID, e.Phone,
	} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Callback is one raw callback body as received.
type Callback struct {
	AccountID int64
	// ProviderID 0 stores NULL, for batches that span connections.
	ProviderID int64
	Variant    string
	ReceivedAt time.Time
	Body       []byte
}

// InsertCallbacks stores raw callback bodies with one statement per chunk
// and returns their ids in order.
// NOTE: ids are matched to rows by position, as in InsertDeliveries.
func (tx *Tx) InsertCallbacks(ctx context.Context, callbacks []Callback) ([]int64, error) {
	ids := make([]int64, 0, len(callbacks))
	const cols = 5
	for start := 0; start < len(callbacks); start += chunkRows {
		chunk := callbacks[start:min(start+chunkRows, len(callbacks))]
		args := make([]any, 0, len(chunk)*cols)
		for _, c := range chunk {
			var provider any
			if c.ProviderID != 0 {
				provider = c.ProviderID
			}
			args = append(args, c.AccountID, provider, c.Variant, c.ReceivedAt.UnixMilli(), c.Body)
		}
		rows, err := tx.query(ctx, `INSERT INTO callbacks (account_id, provider_id, variant, received_at, body)
			VALUES `+placeholders(len(chunk), cols)+` RETURNING id`, args...)
		if err != nil {
			return nil, fmt.Errorf("store callbacks: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store callbacks: %w", err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store callbacks: %w", err)
		}
	}
	if len(ids) != len(callbacks) {
		return nil, fmt.Errorf("store callbacks: %d ids returned for %d bodies", len(ids), len(callbacks))
	}
	return ids, nil
}

// InsertEvents appends events to the history, skipping exact replays, and
// returns for each record whether it was new. New records get their ids.
func (tx *Tx) InsertEvents(ctx context.Context, records []*EventRecord) ([]bool, error) {
	inserted := make([]bool, len(records))
	const cols = 16
	for start := 0; start < len(records); start += chunkRows {
		chunk := records[start:min(start+chunkRows, len(records))]
		index := make(map[string]int, len(chunk))
		args := make([]any, 0, len(chunk)*cols)
		for i, r := range chunk {
			key := r.DedupeKey()
			if _, seen := index[key]; seen {
				// The same event twice in one batch: the second is a replay.
				continue
			}
			index[key] = start + i

			var callback, delivery any
			if r.CallbackID != 0 {
				callback = r.CallbackID
			}
			parked := 1
			if r.DeliveryID != 0 {
				delivery, parked = r.DeliveryID, 0
			}
			if r.Detached {
				parked = 0
			}
			args = append(args, r.AccountID, r.ProviderID, callback, key, r.ProviderMessageID, delivery, parked,
				string(r.Kind), r.OccurredAt.UnixMilli(), r.ReceivedAt.UnixMilli(), string(r.Reason), r.ReasonDetail,
				r.Link, r.DeviceOS, r.ViberUserID, r.Phone)
		}
		rows, err := tx.query(ctx, `INSERT INTO events (account_id, provider_id, callback_id, dedupe_key,
			provider_message_id, delivery_id, parked, kind, occurred_at, received_at, reason, reason_detail,
			link, device_os, viber_user_id, phone)
			VALUES `+placeholders(len(index), cols)+`
			ON CONFLICT (account_id, provider_id, dedupe_key) DO NOTHING
			RETURNING id, dedupe_key`, args...)
		if err != nil {
			return nil, fmt.Errorf("insert events: %w", err)
		}
		for rows.Next() {
			var (
				id  int64
				key string
			)
			if err := rows.Scan(&id, &key); err != nil {
				rows.Close()
				return nil, fmt.Errorf("insert events: %w", err)
			}
			if i, ok := index[key]; ok {
				inserted[i] = true
				records[i].ID = id
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("insert events: %w", err)
		}
	}
	return inserted, nil
}

// ParkedEvents returns the parked events for the given provider message ids.
func (tx *Tx) ParkedEvents(ctx context.Context, accountID, providerID int64, ids []string) ([]*EventRecord, error) {
	var list []*EventRecord
	for start := 0; start < len(ids); start += chunkRows {
		chunk := ids[start:min(start+chunkRows, len(ids))]
		cond, condArgs := inList(tx.db, "provider_message_id", chunk)
		rows, err := tx.query(ctx, `SELECT id, callback_id, provider_message_id, kind, occurred_at, received_at,
			reason, reason_detail, link, device_os, viber_user_id, phone
			FROM events WHERE account_id = ? AND provider_id = ? AND parked = 1 AND `+cond+` ORDER BY id`,
			append([]any{accountID, providerID}, condArgs...)...)
		if err != nil {
			return nil, fmt.Errorf("load parked events: %w", err)
		}
		for rows.Next() {
			r := &EventRecord{AccountID: accountID, ProviderID: providerID}
			var (
				callback           *int64
				kind, reason       string
				occurred, received int64
			)
			if err := rows.Scan(&r.ID, &callback, &r.ProviderMessageID, &kind, &occurred, &received,
				&reason, &r.ReasonDetail, &r.Link, &r.DeviceOS, &r.ViberUserID, &r.Phone); err != nil {
				rows.Close()
				return nil, fmt.Errorf("load parked events: %w", err)
			}
			if callback != nil {
				r.CallbackID = *callback
			}
			r.Kind, r.Reason = domain.EventKind(kind), domain.FailureReason(reason)
			r.OccurredAt, r.ReceivedAt = time.UnixMilli(occurred).UTC(), time.UnixMilli(received).UTC()
			list = append(list, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("load parked events: %w", err)
		}
	}
	return list, nil
}

// UnparkEvents attaches parked events to the delivery that has appeared.
func (tx *Tx) UnparkEvents(ctx context.Context, accountID int64, records []*EventRecord) error {
	for _, r := range records {
		if _, err := tx.exec(ctx, `UPDATE events SET parked = 0, delivery_id = ? WHERE account_id = ? AND id = ?`,
			r.DeliveryID, accountID, r.ID); err != nil {
			return fmt.Errorf("unpark event %d: %w", r.ID, err)
		}
	}
	return nil
}

// MarkContactUnsubscribed records the earliest unsubscribe time on a contact
// found by id or, when contactID is 0, by Viber user id.
func (tx *Tx) MarkContactUnsubscribed(ctx context.Context, accountID, contactID int64, viberUserID string, at time.Time) error {
	const set = `UPDATE contacts SET unsubscribed_at = ?, updated_at = ?
		WHERE account_id = ? AND (unsubscribed_at IS NULL OR unsubscribed_at > ?) AND `
	var err error
	if contactID != 0 {
		_, err = tx.exec(ctx, set+`id = ?`, at.UnixMilli(), time.Now().UnixMilli(), accountID, at.UnixMilli(), contactID)
	} else {
		_, err = tx.exec(ctx, set+`viber_user_id = ?`, at.UnixMilli(), time.Now().UnixMilli(), accountID, at.UnixMilli(), viberUserID)
	}
	if err != nil {
		return fmt.Errorf("mark contact unsubscribed: %w", err)
	}
	return nil
}
