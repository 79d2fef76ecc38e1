package provider

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
)

// viberSignatureHeader carries the lowercase hex HMAC-SHA256 of the raw
// body, keyed with the bot's auth token.
const viberSignatureHeader = "X-Viber-Content-Signature"

// viberBot reads Viber REST Bot API callbacks. The stored secret is the
// bot's auth token itself because it keys the HMAC.
//
// Events map as follows: delivered to EventDelivered, seen to EventRead,
// failed to EventFailed with the reason read from desc, and unsubscribed to
// EventUnsubscribed. Every other event (subscribed, conversation_started,
// message, webhook and events Viber adds later) yields no events.
//
// NOTE: in an unsubscribed callback message_token names the callback, not a
// message the bot sent, so the event's ProviderMessageID matches no send.
// Consumers must match an unsubscription on ViberUserID.
type viberBot struct{}

func (viberBot) Kind() Kind { return KindViberBot }

func (viberBot) StoredSecret(secret string) (string, error) {
	token := strings.TrimSpace(secret)
	if token == "" {
		return "", errors.New("missing auth token: set the bot's auth token from its Viber account settings")
	}
	return token, nil
}

func (viberBot) Verify(stored string, req Request) error {
	if stored == "" {
		return fmt.Errorf("%w: no auth token stored for this connection; configure the bot's auth token", ErrUnauthenticated)
	}

	header := req.Header.Get(viberSignatureHeader)
	if header == "" {
		return fmt.Errorf("%w: missing %s header", ErrUnauthenticated, viberSignatureHeader)
	}

	got, err := hex.DecodeString(strings.TrimSpace(header))
	if err != nil {
		return fmt.Errorf("%w: invalid signature in %s header: not hex", ErrUnauthenticated, viberSignatureHeader)
	}

	if !hmac.Equal(got, viberMAC(stored, req.Body)) {
		return fmt.Errorf("%w: invalid signature in %s header; check the configured auth token", ErrUnauthenticated, viberSignatureHeader)
	}
	return nil
}

// SignViber returns the X-Viber-Content-Signature header value that Viber
// sends with body for a bot with the given auth token.
func SignViber(token string, body []byte) string {
	return hex.EncodeToString(viberMAC(token, body))
}

func viberMAC(token string, body []byte) []byte {
	mac := hmac.New(sha256.New, []byte(token))
	mac.Write(body)
	return mac.Sum(nil)
}

// viberCallback holds the callback fields the product reads. message_token
// and timestamp stay raw so that their digits are checked and kept exactly.
type viberCallback struct {
	Event        string          `json:"event"`
	Timestamp    json.RawMessage `json:"timestamp"`
	MessageToken json.RawMessage `json:"message_token"`
	UserID       string          `json:"user_id"`
	Desc         string          `json:"desc"`
}

func (viberBot) Parse(req Request) ([]domain.Event, error) {
	var cb viberCallback
	if err := decodeJSON(req.Body, &cb); err != nil {
		return nil, fmt.Errorf("viber callback: %w", err)
	}
	if cb.Event == "" {
		return nil, errors.New(`viber callback: missing field "event": expected a Viber REST Bot API callback`)
	}

	var kind domain.EventKind
	switch cb.Event {
	case "delivered":
		kind = domain.EventDelivered
	case "seen":
		kind = domain.EventRead
	case "failed":
		kind = domain.EventFailed
	case "unsubscribed":
		kind = domain.EventUnsubscribed
	default:
		return nil, nil
	}

	if len(cb.MessageToken) == 0 || string(cb.MessageToken) == "null" {
		return nil, fmt.Errorf(`viber %s callback: missing field "message_token"`, cb.Event)
	}
	if len(cb.Timestamp) == 0 || string(cb.Timestamp) == "null" {
		return nil, fmt.Errorf(`viber %s callback: missing field "timestamp"`, cb.Event)
	}

	token, err := viberIntegerText(cb.MessageToken)
	if err != nil {
		return nil, fmt.Errorf("viber %s callback: invalid message_token %s: %w", cb.Event, truncateRaw(cb.MessageToken), err)
	}

	occurredAt, err := viberTimestamp(cb.Timestamp)
	if err != nil {
		return nil, fmt.Errorf("viber %s callback: invalid timestamp %s: %w", cb.Event, truncateRaw(cb.Timestamp), err)
	}

	if kind == domain.EventUnsubscribed && cb.UserID == "" {
		return nil, errors.New(`viber unsubscribed callback: missing field "user_id": the unsubscription cannot be matched to a contact without it`)
	}

	event := domain.Event{
		ProviderMessageID: token,
		Kind:              kind,
		OccurredAt:        occurredAt,
		ViberUserID:       cb.UserID,
	}
	if kind == domain.EventFailed {
		event.Reason = classifyFailure(domain.ReasonProviderError, cb.Desc)
		event.ReasonDetail = cb.Desc
	}
	return []domain.Event{event}, nil
}

// viberIntegerText returns the exact digits of an integer sent as a JSON
// number or a JSON string.
func viberIntegerText(raw json.RawMessage) (string, error) {
	text := string(raw)
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &text); err != nil {
			return "", err
		}
	}

	if !isDecimalInteger(text) {
		return "", errors.New("expected an integer as a JSON number or string")
	}
	return text, nil
}

// viberTimestamp converts the callback's epoch-millisecond timestamp to UTC.
func viberTimestamp(raw json.RawMessage) (t time.Time, err error) {
	text, err := viberIntegerText(raw)
	if err != nil {
		return t, err
	}

	ms, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return t, errors.New("expected epoch milliseconds that fit in 64 bits")
	}
	return unixMillis(ms)
}

// truncateRaw returns a raw JSON value for an error message, cut to a
// length that keeps the message readable.
func truncateRaw(raw json.RawMessage) string {
	const maxLen = 40
	if len(raw) == 0 {
		return "(missing)"
	}
	if len(raw) > maxLen {
		return string(raw[:maxLen]) + "..."
	}
	return string(raw)
}
