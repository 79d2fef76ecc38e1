package provider

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
)

const (
	sinchSignatureHeader = "X-Sinch-Webhook-Signature"
	sinchNonceHeader     = "X-Sinch-Webhook-Signature-Nonce"
	sinchTimestampHeader = "X-Sinch-Webhook-Signature-Timestamp"
)

// maxSinchNonces caps the nonce cache. A nonce must be kept for up to ten
// minutes (a timestamp may lie five minutes ahead), so the cap holds every
// nonce of a steady 160 callbacks a second. Beyond that the oldest nonce is
// evicted early, and a replay of it inside the freshness window passes.
const maxSinchNonces = 100_000

// sinch reads Sinch Conversation API callbacks. The stored secret is the
// webhook secret itself because it keys the HMAC.
//
// Verify checks the base64 HMAC-SHA256 of body + "." + nonce + "." +
// timestamp, rejects timestamps more than maxClockSkew from the receive time,
// and rejects a nonce already seen within that window with another
// signature. The identical signed request may come again: Sinch retries a
// callback that was answered with an error, and a retry must not be lost.
// Nonces live in memory,
// so after a restart a replay is bounded only by the freshness window, and
// replaying a status callback changes nothing because every write is
// idempotent. Create one sinch per process (see NewAdapters) so that all
// requests share its nonce cache.
//
// Only message_delivery_report callbacks yield events, whatever the channel:
// QUEUED_ON_CHANNEL maps to EventSent, DELIVERED to EventDelivered, READ to
// EventRead and FAILED to EventFailed. SWITCHING_CHANNEL, unknown statuses
// and other triggers such as message_inbound yield no events.
type sinch struct {
	nonces *nonceCache
}

func newSinch() *sinch {
	return &sinch{nonces: newNonceCache(maxSinchNonces)}
}

func (*sinch) Kind() Kind { return KindSinch }

func (*sinch) StoredSecret(secret string) (string, error) {
	if secret == "" {
		return "", errors.New("missing webhook secret: set the secret configured on the Sinch app's webhook")
	}
	return secret, nil
}

func (s *sinch) Verify(stored string, req Request) error {
	if stored == "" {
		return fmt.Errorf("%w: no webhook secret stored for this connection; configure the Sinch webhook secret", ErrUnauthenticated)
	}

	signature := req.Header.Get(sinchSignatureHeader)
	nonce := req.Header.Get(sinchNonceHeader)
	timestamp := req.Header.Get(sinchTimestampHeader)
	for _, h := range []struct{ name, value string }{
		{sinchSignatureHeader, signature},
		{sinchNonceHeader, nonce},
		{sinchTimestampHeader, timestamp},
	} {
		if h.value == "" {
			return fmt.Errorf("%w: missing %s header", ErrUnauthenticated, h.name)
		}
	}

	seconds, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: invalid %s header: expected unix seconds", ErrUnauthenticated, sinchTimestampHeader)
	}
	now := receivedAt(req)
	signedAt := time.Unix(seconds, 0)
	if err := checkFreshness(signedAt, now, "the "+sinchTimestampHeader+" header"); err != nil {
		return fmt.Errorf("%w: %w", ErrUnauthenticated, err)
	}

	got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(signature))
	if err != nil {
		return fmt.Errorf("%w: invalid signature in %s header: not base64", ErrUnauthenticated, sinchSignatureHeader)
	}
	if !hmac.Equal(got, sinchMAC(stored, req.Body, nonce, timestamp)) {
		return fmt.Errorf("%w: invalid signature in %s header; check the configured webhook secret", ErrUnauthenticated, sinchSignatureHeader)
	}

	// The nonce is recorded only after the signature verifies, so that
	// forged requests cannot fill the cache or burn real nonces.
	if !s.nonces.add(nonce, string(got), signedAt.Add(maxClockSkew), now) {
		return fmt.Errorf("%w: nonce in %s header already used by another request", ErrUnauthenticated, sinchNonceHeader)
	}
	return nil
}

func sinchMAC(secret string, body []byte, nonce, timestamp string) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	mac.Write([]byte("." + nonce + "." + timestamp))
	return mac.Sum(nil)
}

// SignSinch returns the three signature headers that Sinch sends with body.
func SignSinch(secret string, body []byte, nonce string, ts time.Time) http.Header {
	timestamp := strconv.FormatInt(ts.Unix(), 10)
	header := http.Header{}
	header.Set(sinchSignatureHeader, base64.StdEncoding.EncodeToString(sinchMAC(secret, body, nonce, timestamp)))
	header.Set(sinchNonceHeader, nonce)
	header.Set(sinchTimestampHeader, timestamp)
	return header
}

type sinchCallback struct {
	EventTime string `json:"event_time"`
	Report    *struct {
		MessageID       string `json:"message_id"`
		Status          string `json:"status"`
		ChannelIdentity struct {
			Channel  string `json:"channel"`
			Identity string `json:"identity"`
		} `json:"channel_identity"`
		Reason *sinchReason `json:"reason"`
	} `json:"message_delivery_report"`
}

func (*sinch) Parse(req Request) ([]domain.Event, error) {
	var cb sinchCallback
	if err := decodeJSON(req.Body, &cb); err != nil {
		return nil, fmt.Errorf("sinch callback: %w", err)
	}
	if cb.Report == nil {
		return nil, nil
	}
	report := cb.Report

	event := domain.Event{ProviderMessageID: report.MessageID}
	switch strings.ToUpper(report.Status) {
	case "QUEUED_ON_CHANNEL":
		event.Kind = domain.EventSent
	case "DELIVERED":
		event.Kind = domain.EventDelivered
	case "READ":
		event.Kind = domain.EventRead
	case "FAILED":
		event.Kind = domain.EventFailed
		event.Reason, event.ReasonDetail = sinchFailure(report.Reason)
	case "":
		return nil, errors.New(`sinch message_delivery_report: missing field "status"`)
	default:
		return nil, nil
	}

	if report.MessageID == "" {
		return nil, errors.New(`sinch message_delivery_report: missing field "message_id"`)
	}
	if cb.EventTime == "" {
		return nil, errors.New(`sinch message_delivery_report: missing field "event_time"`)
	}
	occurredAt, err := parseTimeLayouts(cb.EventTime, time.RFC3339Nano)
	if err != nil {
		return nil, fmt.Errorf("sinch message_delivery_report: invalid event_time %q: expected RFC 3339", cb.EventTime)
	}
	event.OccurredAt = occurredAt

	// VIBERBM identifies the contact by phone number and VIBER (the bot
	// channel) by a bot-scoped user id. Other channels' identities are
	// neither, so they are left out.
	identity := report.ChannelIdentity.Identity
	switch strings.ToUpper(report.ChannelIdentity.Channel) {
	case "VIBERBM":
		event.Phone = normalizePhone(identity)
	case "VIBER":
		event.ViberUserID = identity
	}
	return []domain.Event{event}, nil
}

// sinchReasonCodes maps Sinch reason codes to reasons. A code missing here
// is read by its description's wording, then defaults to ReasonProviderError.
var sinchReasonCodes = map[string]domain.FailureReason{
	"MESSAGE_EXPIRED":                    domain.ReasonExpired,
	"DELIVERY_TIMED_OUT":                 domain.ReasonExpired,
	"RECIPIENT_INVALID_CHANNEL_IDENTITY": domain.ReasonNotViberUser,
	// NOTE: Sinch does not say which Viber failures it reports as
	// RECIPIENT_NOT_REACHABLE. It most often means the number has no Viber
	// account, but it may also cover a missing suitable device.
	"RECIPIENT_NOT_REACHABLE":         domain.ReasonNotViberUser,
	"RECIPIENT_NOT_OPTED_IN":          domain.ReasonRejected,
	"DELIVERY_REJECTED_DUE_TO_POLICY": domain.ReasonRejected,
	"OUTSIDE_ALLOWED_SENDING_WINDOW":  domain.ReasonRejected,
	"CHANNEL_REJECT":                  domain.ReasonRejected,
}

type sinchReason struct {
	Code        string `json:"code"`
	Description string `json:"description"`
}

func sinchFailure(reason *sinchReason) (domain.FailureReason, string) {
	if reason == nil {
		return domain.ReasonProviderError, ""
	}

	detail := joinDetail(reason.Code, reason.Description)
	if mapped, ok := sinchReasonCodes[strings.ToUpper(reason.Code)]; ok {
		return mapped, detail
	}
	return classifyFailure(domain.ReasonProviderError, reason.Description), detail
}

// nonceCache remembers nonces until their expiry. It is safe for concurrent
// use and holds at most max entries.
type nonceCache struct {
	mu      sync.Mutex
	max     int
	expires map[string]time.Time
	// signatures holds the signature each nonce was first accepted with.
	signatures map[string]string
	// order lists nonces in insertion order so that the oldest entries are
	// pruned first. Entries before head are already removed.
	order []string
	head  int
}

func newNonceCache(max int) *nonceCache {
	return &nonceCache{max: max, expires: make(map[string]time.Time), signatures: make(map[string]string)}
}

// add records nonce with its signature until expiresAt. It reports false
// when the nonce is already recorded, unexpired, with another signature: a
// different request reusing it.
func (c *nonceCache) add(nonce, signature string, expiresAt, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()

	if expiry, seen := c.expires[nonce]; seen && expiry.After(now) {
		return c.signatures[nonce] == signature
	}

	c.prune(now)

	if _, seen := c.expires[nonce]; !seen {
		c.order = append(c.order, nonce)
	}
	c.expires[nonce] = expiresAt
	c.signatures[nonce] = signature
	return true
}

// prune drops expired nonces from the front of the insertion order, then
// evicts the oldest ones until there is room for one more.
func (c *nonceCache) prune(now time.Time) {
	for c.head < len(c.order) {
		oldest := c.order[c.head]
		expiry, seen := c.expires[oldest]
		if seen && expiry.After(now) && len(c.expires) < c.max {
			break
		}
		delete(c.expires, oldest)
		delete(c.signatures, oldest)
		c.order[c.head] = ""
		c.head++
	}

	// Compact once the removed prefix outweighs the live entries, so the
	// slice does not grow without bound.
	if c.head > len(c.order)/2 {
		c.order = append(c.order[:0:0], c.order[c.head:]...)
		c.head = 0
	}
}
