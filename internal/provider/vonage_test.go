package provider

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
)

func TestVonageParse(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []domain.Event
	}{
		{
			name: "submitted is sent",
			body: `{"message_uuid":"aaaaaaaa-bbbb-cccc-dddd-0123456789ab","to":"380501234567","from":"VibeShop","timestamp":"2025-03-01T10:00:00.123Z","status":"submitted","channel":"viber_service","usage":{"currency":"EUR","price":"0.0333"}}`,
			want: []domain.Event{{ProviderMessageID: "aaaaaaaa-bbbb-cccc-dddd-0123456789ab", Kind: domain.EventSent, OccurredAt: utc(2025, 3, 1, 10, 0, 0, 123), Phone: "+380501234567"}},
		},
		{
			name: "delivered without fractions",
			body: `{"message_uuid":"u-2","to":"380501234567","timestamp":"2025-03-01T12:00:05+02:00","status":"delivered","channel":"viber_service"}`,
			want: []domain.Event{{ProviderMessageID: "u-2", Kind: domain.EventDelivered, OccurredAt: utc(2025, 3, 1, 10, 0, 5, 0), Phone: "+380501234567"}},
		},
		{
			name: "read",
			body: `{"message_uuid":"u-3","to":"380501234567","timestamp":"2025-03-01T10:10:00Z","status":"read","channel":"viber_service","client_ref":"c1"}`,
			want: []domain.Event{{ProviderMessageID: "u-3", Kind: domain.EventRead, OccurredAt: utc(2025, 3, 1, 10, 10, 0, 0), Phone: "+380501234567"}},
		},
		{
			name: "rejected with TTL detail is expired",
			body: `{"message_uuid":"u-4","to":"380501234567","timestamp":"2025-03-02T10:00:00Z","status":"rejected","channel":"viber_service","error":{"type":"https://developer.vonage.com/api-errors/messages#1340","title":"1340","detail":"The message was not delivered within its TTL","instance":"bf0ca0bf"}}`,
			want: []domain.Event{{ProviderMessageID: "u-4", Kind: domain.EventFailed, OccurredAt: utc(2025, 3, 2, 10, 0, 0, 0), Reason: domain.ReasonExpired, ReasonDetail: "1340: The message was not delivered within its TTL", Phone: "+380501234567"}},
		},
		{
			name: "rejected with expired detail is expired",
			body: `{"message_uuid":"u-5","to":"380501234567","timestamp":"2025-03-02T10:00:00Z","status":"rejected","error":{"title":1340,"detail":"Message expired"}}`,
			want: []domain.Event{{ProviderMessageID: "u-5", Kind: domain.EventFailed, OccurredAt: utc(2025, 3, 2, 10, 0, 0, 0), Reason: domain.ReasonExpired, ReasonDetail: "1340: Message expired", Phone: "+380501234567"}},
		},
		{
			name: "rejected not a viber user",
			body: `{"message_uuid":"u-6","to":"380501234567","timestamp":"2025-03-02T10:00:00Z","status":"rejected","error":{"title":"1020","detail":"The recipient is not a Viber user"}}`,
			want: []domain.Event{{ProviderMessageID: "u-6", Kind: domain.EventFailed, OccurredAt: utc(2025, 3, 2, 10, 0, 0, 0), Reason: domain.ReasonNotViberUser, ReasonDetail: "1020: The recipient is not a Viber user", Phone: "+380501234567"}},
		},
		{
			name: "rejected other is rejected",
			body: `{"message_uuid":"u-7","to":"380501234567","timestamp":"2025-03-02T10:00:00Z","status":"rejected","error":{"title":"1000","detail":"Throttled"}}`,
			want: []domain.Event{{ProviderMessageID: "u-7", Kind: domain.EventFailed, OccurredAt: utc(2025, 3, 2, 10, 0, 0, 0), Reason: domain.ReasonRejected, ReasonDetail: "1000: Throttled", Phone: "+380501234567"}},
		},
		{
			name: "undeliverable other is provider error",
			body: `{"message_uuid":"u-8","to":"380501234567","timestamp":"2025-03-02T10:00:00.5Z","status":"undeliverable","error":{"title":"1300","detail":"Unknown failure"}}`,
			want: []domain.Event{{ProviderMessageID: "u-8", Kind: domain.EventFailed, OccurredAt: utc(2025, 3, 2, 10, 0, 0, 500), Reason: domain.ReasonProviderError, ReasonDetail: "1300: Unknown failure", Phone: "+380501234567"}},
		},
		{
			name: "undeliverable without error",
			body: `{"message_uuid":"u-9","to":"380501234567","timestamp":"2025-03-02T10:00:00Z","status":"undeliverable"}`,
			want: []domain.Event{{ProviderMessageID: "u-9", Kind: domain.EventFailed, OccurredAt: utc(2025, 3, 2, 10, 0, 0, 0), Reason: domain.ReasonProviderError, Phone: "+380501234567"}},
		},
		{
			name: "unknown status is ignored",
			body: `{"message_uuid":"u-10","timestamp":"2025-03-02T10:00:00Z","status":"accepted"}`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := vonage{}.Parse(Request{Body: []byte(tt.body)})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			assertEvents(t, got, tt.want)
		})
	}
}

func TestVonageParseErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string
	}{
		{"empty body", "", "empty callback body"},
		{"missing status", `{"message_uuid":"u"}`, `missing field "status"`},
		{"missing uuid", `{"status":"delivered","timestamp":"2025-03-02T10:00:00Z"}`, `missing field "message_uuid"`},
		{"missing timestamp", `{"status":"delivered","message_uuid":"u"}`, `missing field "timestamp"`},
		{"bad timestamp", `{"status":"delivered","message_uuid":"u","timestamp":"2025-03-02 10:00"}`, `invalid timestamp "2025-03-02 10:00": expected RFC 3339`},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := vonage{}.Parse(Request{Body: []byte(tt.body)})
			assertParseError(t, err, tt.want)
		})
	}
}

func TestVonageVerify(t *testing.T) {
	const secret = "vonage-signature-secret-0123456789"
	now := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	body := []byte(`{"message_uuid":"u-1","to":"380501234567","status":"read","timestamp":"2025-03-01T10:00:00Z","client_ref":"` + unicodeNote + `"}`)
	valid := SignVonageJWT(secret, body, now.Add(-30*time.Second))

	t.Run("unicode body verifies", func(t *testing.T) {
		req := Request{Header: headerOf("Authorization", valid), Body: body, ReceivedAt: now}
		if err := (vonage{}).Verify(secret, req); err != nil {
			t.Fatalf("Verify: %v", err)
		}
	})

	t.Run("exp in the future verifies", func(t *testing.T) {
		token := signTestJWT(secret, `{"alg":"HS256","typ":"JWT"}`,
			`{"iat":1740823200,"exp":1740826800,"jti":"j1","payload_hash":"`+sha256Hex(string(body))+`"}`)
		req := Request{Header: headerOf("Authorization", "Bearer "+token), Body: body, ReceivedAt: now}
		if err := (vonage{}).Verify(secret, req); err != nil {
			t.Fatalf("Verify: %v", err)
		}
	})

	hashClaim := `"payload_hash":"` + sha256Hex(string(body)) + `"`
	tests := []struct {
		name          string
		authorization string
		body          []byte
		want          string
	}{
		{"one byte changed", valid, flipByte(body, 10), `"payload_hash" does not match`},
		{"payload hash of other body", SignVonageJWT(secret, []byte(`{}`), now), nil, `"payload_hash" does not match`},
		{"missing header", "", body, "missing Authorization header"},
		{"basic scheme", "Basic dXNlcjpwYXNz", body, "malformed Authorization header"},
		{"two parts", "Bearer a.b", body, "malformed JWT"},
		{"wrong secret", SignVonageJWT(secret+"x", body, now), nil, "invalid JWT signature"},
		{"signature changed", valid[:len(valid)-2] + flipBase64(valid[len(valid)-2:]), nil, "invalid JWT signature"},
		{"stale iat", SignVonageJWT(secret, body, now.Add(-6*time.Minute)), nil, "stale timestamp"},
		{"future iat", SignVonageJWT(secret, body, now.Add(6*time.Minute)), nil, "stale timestamp"},
		{"alg none", "Bearer " + unsignedTestJWT(`{"alg":"none","typ":"JWT"}`, `{"iat":1740823200,`+hashClaim+`}`), nil, `JWT alg "none" not accepted`},
		{"alg HS512", "Bearer " + signTestJWT(secret, `{"alg":"HS512"}`, `{"iat":1740823200,`+hashClaim+`}`), nil, `JWT alg "HS512" not accepted`},
		{"no iat", "Bearer " + signTestJWT(secret, `{"alg":"HS256"}`, `{`+hashClaim+`}`), nil, `no "iat" claim`},
		{"no payload hash", "Bearer " + signTestJWT(secret, `{"alg":"HS256"}`, `{"iat":1740823200}`), nil, `no "payload_hash" claim`},
		{"expired", "Bearer " + signTestJWT(secret, `{"alg":"HS256"}`, `{"iat":1740823200,"exp":1740822000,`+hashClaim+`}`), nil, "JWT expired"},
		{"iat as text", "Bearer " + signTestJWT(secret, `{"alg":"HS256"}`, `{"iat":"x",`+hashClaim+`}`), nil, "malformed JWT claims"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reqBody := tt.body
			if reqBody == nil {
				reqBody = body
			}
			header := http.Header{}
			if tt.authorization != "" {
				header.Set("Authorization", tt.authorization)
			}

			err := vonage{}.Verify(secret, Request{Header: header, Body: reqBody, ReceivedAt: now})
			assertUnauthenticated(t, err, tt.want)
			assertNoSecret(t, err, secret)
		})
	}
}

func TestSignVonageJWTClaims(t *testing.T) {
	body := []byte(`{"status":"read"}`)
	header := SignVonageJWT("s", body, time.Unix(1740823200, 0))

	token, ok := strings.CutPrefix(header, "Bearer ")
	if !ok {
		t.Fatalf("SignVonageJWT = %q, want a Bearer value", header)
	}
	claims, err := verifyHS256("s", token)
	if err != nil {
		t.Fatalf("verifyHS256: %v", err)
	}
	if claims.IssuedAt != "1740823200" {
		t.Errorf("iat = %q, want 1740823200", claims.IssuedAt)
	}
	if claims.PayloadHash != sha256Hex(string(body)) {
		t.Errorf("payload_hash = %q, want the body's SHA-256 hex", claims.PayloadHash)
	}
}

// signTestJWT builds an HS256-signed JWT from literal header and claims JSON,
// whatever alg the header names.
func signTestJWT(secret, header, claims string) string {
	input := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString([]byte(claims))
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func unsignedTestJWT(header, claims string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString([]byte(claims)) + "."
}

// flipBase64 changes the first character of a base64url fragment to another
// valid character.
func flipBase64(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}

func FuzzVonageParse(f *testing.F) {
	f.Add([]byte(`{"message_uuid":"u-1","to":"380501234567","timestamp":"2025-03-01T10:00:00.123Z","status":"submitted"}`))
	f.Add([]byte(`{"message_uuid":"u","timestamp":"2025-03-02T10:00:00Z","status":"rejected","error":{"title":1340,"detail":"TTL"}}`))
	f.Add([]byte(`{"status":"read","error":{"title":true}}`))

	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := vonage{}.Parse(Request{Body: body})
		if err != nil && len(events) > 0 {
			t.Fatalf("Parse returned events and error %v", err)
		}
	})
}

func FuzzVonageVerify(f *testing.F) {
	const secret = "fuzz-secret"
	now := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	body := []byte(`{"status":"read"}`)
	f.Add(body, SignVonageJWT(secret, body, now))
	f.Add(body, "Bearer "+unsignedTestJWT(`{"alg":"none"}`, `{"iat":1740823200}`))
	f.Add([]byte{}, "Bearer ...")
	f.Add(body, "Bearer eyJhbGciOiJIUzI1NiJ9.e30.")

	f.Fuzz(func(t *testing.T, body []byte, authorization string) {
		err := vonage{}.Verify(secret, Request{Header: headerOf("Authorization", authorization), Body: body, ReceivedAt: now})
		if err == nil && !strings.Contains(authorization, ".") {
			t.Fatalf("Verify accepted Authorization %q", authorization)
		}
	})
}
