package provider

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
)

// MaxCanonicalItems caps the number of items in one canonical batch.
const MaxCanonicalItems = 10_000

// CanonicalEvent is one item of a canonical batch. ProviderID is 0 when the
// item has no provider_id.
type CanonicalEvent struct {
	ProviderID int64
	domain.Event
}

// canonicalStatuses maps each status of the canonical format to its event
// kind. "expired" is a failure with ReasonExpired.
var canonicalStatuses = map[string]domain.EventKind{
	"sent":         domain.EventSent,
	"delivered":    domain.EventDelivered,
	"read":         domain.EventRead,
	"clicked":      domain.EventClicked,
	"failed":       domain.EventFailed,
	"expired":      domain.EventFailed,
	"unsubscribed": domain.EventUnsubscribed,
}

const canonicalStatusList = "sent, delivered, read, clicked, failed, expired, unsubscribed"

// ParseCanonical decodes the product's canonical batch format: a JSON array
// of objects, or NDJSON with one object per line and blank lines skipped.
//
// Required fields of each object:
//   - provider_message_id: a string, or a JSON integer whose digits are
//     kept exactly.
//   - status: one of sent, delivered, read, clicked, failed, expired,
//     unsubscribed. An expired item is a failure with ReasonExpired.
//   - timestamp: RFC 3339, or epoch seconds, or epoch milliseconds when it
//     has 13 or more digits.
//   - reason, for failed items only: a failure reason name.
//
// Optional fields are provider_id (a positive integer), reason_detail (kept
// for failed and expired items), link, device_os, phone and viber_user_id.
// Unknown fields are ignored so that older servers accept newer senders'
// batches.
//
// The whole batch is rejected at the first invalid item. The error names the
// item (its 0-based index in an array, its 1-based line in NDJSON), the
// field, the value and the fix.
func ParseCanonical(body []byte) ([]CanonicalEvent, error) {
	body = bytes.TrimPrefix(body, []byte("\uFEFF"))
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, errors.New("empty batch: send a JSON array of events or NDJSON with one event per line")
	}

	if trimmed[0] == '[' {
		return parseCanonicalArray(trimmed)
	}
	return parseCanonicalLines(body)
}

func parseCanonicalArray(body []byte) ([]CanonicalEvent, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("invalid JSON array: %w", err)
	}

	var events []CanonicalEvent
	for index := 0; dec.More(); index++ {
		if index == MaxCanonicalItems {
			return nil, tooManyItemsError()
		}

		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("item %d: invalid JSON: %w", index, err)
		}

		event, err := parseCanonicalItem(raw)
		if err != nil {
			return nil, fmt.Errorf("item %d: %w", index, err)
		}
		events = append(events, event)
	}

	if _, err := dec.Token(); err != nil {
		if len(events) == 0 {
			return nil, fmt.Errorf("invalid JSON array: %w", err)
		}
		return nil, fmt.Errorf("invalid JSON array after item %d: %w", len(events)-1, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("invalid JSON array: unexpected data after the closing ]")
	}
	return events, nil
}

func parseCanonicalLines(body []byte) ([]CanonicalEvent, error) {
	var events []CanonicalEvent
	for number, line := range bytes.Split(body, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if len(events) == MaxCanonicalItems {
			return nil, tooManyItemsError()
		}

		event, err := parseCanonicalItem(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", number+1, err)
		}
		events = append(events, event)
	}
	return events, nil
}

func tooManyItemsError() error {
	return fmt.Errorf("too many items: a batch may contain at most %d events; split it into smaller batches", MaxCanonicalItems)
}

// canonicalItem keeps every field raw so that each one is type-checked with
// an error naming it.
type canonicalItem struct {
	ProviderID        json.RawMessage `json:"provider_id"`
	ProviderMessageID json.RawMessage `json:"provider_message_id"`
	Status            json.RawMessage `json:"status"`
	Timestamp         json.RawMessage `json:"timestamp"`
	Reason            json.RawMessage `json:"reason"`
	ReasonDetail      json.RawMessage `json:"reason_detail"`
	Link              json.RawMessage `json:"link"`
	DeviceOS          json.RawMessage `json:"device_os"`
	Phone             json.RawMessage `json:"phone"`
	ViberUserID       json.RawMessage `json:"viber_user_id"`
}

func parseCanonicalItem(raw []byte) (CanonicalEvent, error) {
	var out CanonicalEvent

	if trimmed := bytes.TrimSpace(raw); len(trimmed) == 0 || trimmed[0] != '{' {
		return out, fmt.Errorf("invalid item %s: use a JSON object", truncateRaw(trimmed))
	}
	var item canonicalItem
	if err := json.Unmarshal(raw, &item); err != nil {
		return out, fmt.Errorf("invalid JSON: %v: put each object on one line, or send a JSON array", err)
	}

	var err error
	if out.ProviderID, err = canonicalProviderID(item.ProviderID); err != nil {
		return out, err
	}
	if out.ProviderMessageID, err = canonicalMessageID(item.ProviderMessageID); err != nil {
		return out, err
	}
	if out.OccurredAt, err = canonicalTimestamp(item.Timestamp); err != nil {
		return out, err
	}

	status, err := canonicalString(item.Status, "status")
	if err != nil {
		return out, err
	}
	kind, ok := canonicalStatuses[status]
	switch {
	case status == "":
		return out, fmt.Errorf("missing status: use one of %s", canonicalStatusList)
	case !ok:
		return out, fmt.Errorf("invalid status %q: use one of %s", status, canonicalStatusList)
	}
	out.Kind = kind

	if err := setCanonicalReason(&out.Event, status, item); err != nil {
		return out, err
	}

	for _, field := range []struct {
		raw  json.RawMessage
		name string
		dest *string
	}{
		{item.Link, "link", &out.Link},
		{item.DeviceOS, "device_os", &out.DeviceOS},
		{item.Phone, "phone", &out.Phone},
		{item.ViberUserID, "viber_user_id", &out.ViberUserID},
	} {
		if *field.dest, err = canonicalString(field.raw, field.name); err != nil {
			return out, err
		}
	}
	out.Phone = normalizePhone(out.Phone)
	return out, nil
}

// setCanonicalReason sets Reason and ReasonDetail for failed and expired
// items. Other statuses ignore both fields beyond checking that they are
// strings.
func setCanonicalReason(event *domain.Event, status string, item canonicalItem) error {
	reasonName, err := canonicalString(item.Reason, "reason")
	if err != nil {
		return err
	}
	detail, err := canonicalString(item.ReasonDetail, "reason_detail")
	if err != nil {
		return err
	}

	switch status {
	case "expired":
		event.Reason = domain.ReasonExpired
		event.ReasonDetail = detail
	case "failed":
		if reasonName == "" {
			return fmt.Errorf("missing reason: a failed event needs one of %s", failureReasonList())
		}
		reason, err := domain.ParseFailureReason(reasonName)
		if err != nil {
			return fmt.Errorf("invalid reason %q: use one of %s", reasonName, failureReasonList())
		}
		event.Reason = reason
		event.ReasonDetail = detail
	}
	return nil
}

func failureReasonList() string {
	names := make([]string, len(domain.FailureReasons))
	for i, reason := range domain.FailureReasons {
		names[i] = string(reason)
	}
	return strings.Join(names, ", ")
}

// canonicalString returns a string field, or "" when it is absent or null.
func canonicalString(raw json.RawMessage, field string) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}

	var s string
	if raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", fmt.Errorf("invalid %s %s: use a JSON string", field, truncateRaw(raw))
	}
	return s, nil
}

func canonicalProviderID(raw json.RawMessage) (int64, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, nil
	}

	id, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("invalid provider_id %s: use a positive integer", truncateRaw(raw))
	}
	return id, nil
}

// MaxMessageIDLength caps a provider message id. Real ids are UUIDs,
// 64-bit integers or provider tokens well under this length.
const MaxMessageIDLength = 256

func canonicalMessageID(raw json.RawMessage) (string, error) {
	const fix = "use the provider's message id as a JSON string or integer"
	if len(raw) == 0 || string(raw) == "null" {
		return "", fmt.Errorf("missing provider_message_id: %s", fix)
	}
	if len(raw) > MaxMessageIDLength+2 {
		return "", fmt.Errorf("invalid provider_message_id %s: longer than %d characters: %s", truncateRaw(raw), MaxMessageIDLength, fix)
	}

	if raw[0] != '"' {
		if !isDecimalInteger(string(raw)) {
			return "", fmt.Errorf("invalid provider_message_id %s: %s", truncateRaw(raw), fix)
		}
		return string(raw), nil
	}

	var id string
	if err := json.Unmarshal(raw, &id); err != nil {
		return "", fmt.Errorf("invalid provider_message_id %s: %s", truncateRaw(raw), fix)
	}
	if strings.TrimSpace(id) == "" {
		return "", fmt.Errorf("invalid provider_message_id %q: %s", id, fix)
	}
	return id, nil
}

// canonicalTimestamp reads RFC 3339 text or an epoch integer, given as a
// JSON number or a string of digits.
func canonicalTimestamp(raw json.RawMessage) (time.Time, error) {
	const fix = `use RFC 3339 such as "2025-03-01T10:00:04Z", epoch seconds, or epoch milliseconds`
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, fmt.Errorf("missing timestamp: %s", fix)
	}

	text := string(raw)
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &text); err != nil {
			return time.Time{}, fmt.Errorf("invalid timestamp %s: %s", truncateRaw(raw), fix)
		}
		if !isDecimalInteger(text) {
			t, err := parseTimeLayouts(text, time.RFC3339Nano)
			if err != nil {
				return time.Time{}, fmt.Errorf("invalid timestamp %q: %s", text, fix)
			}
			return t, nil
		}
	}

	t, err := epochTime(text)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid timestamp %s: %s", truncateRaw(raw), fix)
	}
	return t, nil
}

// epochTime reads epoch milliseconds when digits has 13 or more digits and
// epoch seconds otherwise. Millisecond epochs have had 13 digits since
// September 2001, and 13 digits of seconds would lie past year 9999, so the
// rule misreads only millisecond times from before September 2001.
func epochTime(digits string) (time.Time, error) {
	if !isDigits(digits) {
		return time.Time{}, errors.New("not a positive integer")
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return time.Time{}, err
	}

	if len(strings.TrimLeft(digits, "0")) >= 13 {
		return unixMillis(n)
	}
	if n <= 0 || n > maxUnixMillis/1000 {
		return time.Time{}, errors.New("epoch seconds out of range")
	}
	return time.Unix(n, 0).UTC(), nil
}
