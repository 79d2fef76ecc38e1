package provider

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
)

// vonage reads Vonage Messages API status webhooks. The stored secret is
// the account's signature secret itself because it keys the JWT's HMAC.
//
// Every webhook carries "Authorization: Bearer <JWT>". Verify accepts only
// an HS256 token signed with the secret. Its iat must lie within
// maxClockSkew of the receive time, and exp and nbf, when present, get the
// same tolerance. Its payload_hash claim must be the SHA-256 hex of the raw
// body.
//
// Statuses map submitted to EventSent, delivered to EventDelivered, read to
// EventRead, and rejected and undeliverable to EventFailed. Other statuses
// yield no event.
type vonage struct{}

func (vonage) Kind() Kind { return KindVonage }

func (vonage) StoredSecret(secret string) (string, error) {
	if secret == "" {
		return "", errors.New("missing signature secret: set the Vonage account's signature secret")
	}
	return secret, nil
}

func (vonage) Verify(stored string, req Request) error {
	if stored == "" {
		return fmt.Errorf("%w: no signature secret stored for this connection; configure the Vonage signature secret", ErrUnauthenticated)
	}

	authorization := req.Header.Get("Authorization")
	if authorization == "" {
		return fmt.Errorf("%w: missing Authorization header", ErrUnauthenticated)
	}
	scheme, token, _ := strings.Cut(authorization, " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return fmt.Errorf("%w: malformed Authorization header: expected \"Bearer <JWT>\"", ErrUnauthenticated)
	}

	claims, err := verifyHS256(stored, strings.TrimSpace(token))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnauthenticated, err)
	}

	if err := checkVonageClaims(claims, receivedAt(req), req.Body); err != nil {
		return fmt.Errorf("%w: %w", ErrUnauthenticated, err)
	}
	return nil
}

// jwtClaims holds the JWT claims Verify checks. Times stay json.Number
// because the JWT standard allows fractional seconds.
type jwtClaims struct {
	IssuedAt    json.Number `json:"iat"`
	ExpiresAt   json.Number `json:"exp"`
	NotBefore   json.Number `json:"nbf"`
	PayloadHash string      `json:"payload_hash"`
}

// verifyHS256 checks a compact JWT's HS256 signature and returns its claims.
// Any alg other than HS256, "none" included, is rejected before the
// signature is computed.
func verifyHS256(secret, token string) (jwtClaims, error) {
	var claims jwtClaims

	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return claims, errors.New("malformed JWT in Authorization header: expected three dot-separated parts")
	}

	var header struct {
		Alg string `json:"alg"`
	}
	if err := decodeJWTPart(parts[0], &header); err != nil {
		return claims, fmt.Errorf("malformed JWT header: %w", err)
	}
	if header.Alg != "HS256" {
		return claims, fmt.Errorf("JWT alg %q not accepted: Vonage signs webhooks with HS256", header.Alg)
	}

	signature, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[2], "="))
	if err != nil {
		return claims, errors.New("malformed JWT signature: not base64url")
	}
	if !hmac.Equal(signature, jwtMAC(secret, parts[0]+"."+parts[1])) {
		return claims, errors.New("invalid JWT signature; check the configured signature secret")
	}

	if err := decodeJWTPart(parts[1], &claims); err != nil {
		return claims, fmt.Errorf("malformed JWT claims: %w", err)
	}
	return claims, nil
}

func decodeJWTPart(part string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(part, "="))
	if err != nil {
		return errors.New("not base64url")
	}
	return json.Unmarshal(raw, v)
}

func jwtMAC(secret, signingInput string) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(signingInput))
	return mac.Sum(nil)
}

// checkVonageClaims checks the time claims against now and payload_hash
// against body.
func checkVonageClaims(claims jwtClaims, now time.Time, body []byte) error {
	if claims.IssuedAt == "" {
		return errors.New(`JWT has no "iat" claim`)
	}
	issuedAt, err := jwtTime(claims.IssuedAt)
	if err != nil {
		return fmt.Errorf(`invalid JWT "iat" claim %q: %w`, claims.IssuedAt, err)
	}
	if err := checkFreshness(issuedAt, now, `the JWT "iat" claim`); err != nil {
		return err
	}

	if claims.ExpiresAt != "" {
		expiresAt, err := jwtTime(claims.ExpiresAt)
		if err != nil {
			return fmt.Errorf(`invalid JWT "exp" claim %q: %w`, claims.ExpiresAt, err)
		}
		if now.After(expiresAt.Add(maxClockSkew)) {
			return fmt.Errorf("JWT expired at %s", expiresAt.Format(time.RFC3339))
		}
	}

	if claims.NotBefore != "" {
		notBefore, err := jwtTime(claims.NotBefore)
		if err != nil {
			return fmt.Errorf(`invalid JWT "nbf" claim %q: %w`, claims.NotBefore, err)
		}
		if now.Add(maxClockSkew).Before(notBefore) {
			return fmt.Errorf("JWT not valid before %s", notBefore.Format(time.RFC3339))
		}
	}

	if claims.PayloadHash == "" {
		return errors.New(`JWT has no "payload_hash" claim`)
	}
	want := sha256Hex(string(body))
	if subtle.ConstantTimeCompare([]byte(strings.ToLower(claims.PayloadHash)), []byte(want)) != 1 {
		return errors.New(`JWT "payload_hash" does not match the SHA-256 of the body: the body was changed after signing`)
	}
	return nil
}

// jwtTime converts a NumericDate claim (seconds, possibly fractional) to UTC.
func jwtTime(n json.Number) (time.Time, error) {
	seconds, err := n.Float64()
	if err != nil || seconds <= 0 || seconds > float64(maxUnixMillis/1000) {
		return time.Time{}, errors.New("expected a positive number of seconds since 1970")
	}
	return time.UnixMilli(int64(seconds * 1000)).UTC(), nil
}

// SignVonageJWT returns the Authorization header value, "Bearer <JWT>",
// that Vonage sends with body: an HS256 JWT keyed with the signature secret
// whose claims are iat and the body's payload_hash.
func SignVonageJWT(secret string, body []byte, iat time.Time) string {
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

	claims, _ := json.Marshal(map[string]any{
		"iat":          iat.Unix(),
		"payload_hash": sha256Hex(string(body)),
	})
	signingInput := header + "." + base64.RawURLEncoding.EncodeToString(claims)

	signature := base64.RawURLEncoding.EncodeToString(jwtMAC(secret, signingInput))
	return "Bearer " + signingInput + "." + signature
}

type vonageStatus struct {
	MessageUUID string   `json:"message_uuid"`
	To          jsonText `json:"to"`
	Timestamp   string   `json:"timestamp"`
	Status      string   `json:"status"`
	Error       *struct {
		Type   string   `json:"type"`
		Title  jsonText `json:"title"`
		Detail string   `json:"detail"`
	} `json:"error"`
}

func (vonage) Parse(req Request) ([]domain.Event, error) {
	var status vonageStatus
	if err := decodeJSON(req.Body, &status); err != nil {
		return nil, fmt.Errorf("vonage status: %w", err)
	}
	if status.Status == "" {
		return nil, errors.New(`vonage status: missing field "status": expected a Messages API status webhook`)
	}

	event := domain.Event{
		ProviderMessageID: status.MessageUUID,
		Phone:             normalizePhone(string(status.To)),
	}
	switch strings.ToLower(status.Status) {
	case "submitted":
		event.Kind = domain.EventSent
	case "delivered":
		event.Kind = domain.EventDelivered
	case "read":
		event.Kind = domain.EventRead
	case "rejected":
		event.Kind = domain.EventFailed
		event.Reason, event.ReasonDetail = vonageFailure(status, domain.ReasonRejected)
	case "undeliverable":
		event.Kind = domain.EventFailed
		event.Reason, event.ReasonDetail = vonageFailure(status, domain.ReasonProviderError)
	default:
		return nil, nil
	}

	if status.MessageUUID == "" {
		return nil, fmt.Errorf(`vonage %s status: missing field "message_uuid"`, status.Status)
	}
	if status.Timestamp == "" {
		return nil, fmt.Errorf(`vonage %s status: missing field "timestamp"`, status.Status)
	}
	occurredAt, err := parseTimeLayouts(status.Timestamp, time.RFC3339Nano)
	if err != nil {
		return nil, fmt.Errorf("vonage %s status: invalid timestamp %q: expected RFC 3339", status.Status, status.Timestamp)
	}
	event.OccurredAt = occurredAt
	return []domain.Event{event}, nil
}

// vonageFailure reads the reason from the error object. TTL expiry arrives
// as a rejection whose code is not documented, so an error text that speaks
// of TTL or expiry makes it ReasonExpired.
func vonageFailure(status vonageStatus, fallback domain.FailureReason) (domain.FailureReason, string) {
	if status.Error == nil {
		return fallback, ""
	}
	e := status.Error
	reason := classifyFailure(fallback, string(e.Title), e.Detail)
	return reason, joinDetail(string(e.Title), e.Detail)
}
