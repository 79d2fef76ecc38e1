package provider

import (
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/vibereport/vibereport/internal/domain"
)

func TestInfobipParseDeliveryReports(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []domain.Event
	}{
		{
			name: "pending is sent",
			body: `{"results":[{"bulkId":"b1","messageId":"ib-1","to":"380501234567","sentAt":"2025-03-01T10:00:00.000+0000","doneAt":"2025-03-01T10:00:01.250+0000","status":{"groupId":1,"groupName":"PENDING","id":7,"name":"PENDING_ENROUTE"},"error":{"groupId":0,"groupName":"OK","id":0,"name":"NO_ERROR","permanent":false}}]}`,
			want: []domain.Event{{ProviderMessageID: "ib-1", Kind: domain.EventSent, OccurredAt: utc(2025, 3, 1, 10, 0, 1, 250), Phone: "+380501234567"}},
		},
		{
			name: "accepted is sent",
			body: `{"results":[{"messageId":"ib-2","to":"380501234567","doneAt":"2025-03-01T12:00:01.000+0200","status":{"groupName":"ACCEPTED"}}]}`,
			want: []domain.Event{{ProviderMessageID: "ib-2", Kind: domain.EventSent, OccurredAt: utc(2025, 3, 1, 10, 0, 1, 0), Phone: "+380501234567"}},
		},
		{
			name: "delivered",
			body: `{"results":[{"messageId":"ib-3","to":"380501234567","sentAt":"2025-03-01T10:00:00.000+0000","doneAt":"2025-03-01T10:00:04.512+0000","messageCount":1,"price":{"pricePerMessage":0.01,"currency":"EUR"},"status":{"groupId":3,"groupName":"DELIVERED","id":5,"name":"DELIVERED_TO_HANDSET"},"error":{"groupId":0,"groupName":"OK","id":0,"name":"NO_ERROR"}}]}`,
			want: []domain.Event{{ProviderMessageID: "ib-3", Kind: domain.EventDelivered, OccurredAt: utc(2025, 3, 1, 10, 0, 4, 512), Phone: "+380501234567"}},
		},
		{
			name: "expired",
			body: `{"results":[{"messageId":"ib-4","to":"380501234567","doneAt":"2025-03-03T10:00:00.000+0000","status":{"groupName":"EXPIRED","name":"EXPIRED_EXPIRED"},"error":{"groupName":"OK","id":0,"name":"NO_ERROR"}}]}`,
			want: []domain.Event{{ProviderMessageID: "ib-4", Kind: domain.EventFailed, OccurredAt: utc(2025, 3, 3, 10, 0, 0, 0), Reason: domain.ReasonExpired, ReasonDetail: "EXPIRED_EXPIRED", Phone: "+380501234567"}},
		},
		{
			name: "undeliverable not a viber user",
			body: `{"results":[{"messageId":"ib-5","to":"380501234567","doneAt":"2025-03-01T10:00:02+0000","status":{"groupName":"UNDELIVERABLE","name":"UNDELIVERABLE_NOT_DELIVERED"},"error":{"groupName":"USER_ERRORS","id":7001,"name":"EC_NOT_VIBER_USER","description":"Not a Viber user","permanent":true}}]}`,
			want: []domain.Event{{ProviderMessageID: "ib-5", Kind: domain.EventFailed, OccurredAt: utc(2025, 3, 1, 10, 0, 2, 0), Reason: domain.ReasonNotViberUser, ReasonDetail: "EC_NOT_VIBER_USER", Phone: "+380501234567"}},
		},
		{
			name: "undeliverable blocked",
			body: `{"results":[{"messageId":"ib-6","to":"380501234567","doneAt":"2025-03-01T10:00:02+0000","status":{"groupName":"UNDELIVERABLE"},"error":{"id":7002,"name":"EC_USER_BLOCKED","description":"User blocked the sender"}}]}`,
			want: []domain.Event{{ProviderMessageID: "ib-6", Kind: domain.EventFailed, OccurredAt: utc(2025, 3, 1, 10, 0, 2, 0), Reason: domain.ReasonBlocked, ReasonDetail: "EC_USER_BLOCKED", Phone: "+380501234567"}},
		},
		{
			name: "undeliverable no suitable device",
			body: `{"results":[{"messageId":"ib-7","to":"380501234567","doneAt":"2025-03-01T10:00:02+0000","status":{"groupName":"UNDELIVERABLE"},"error":{"id":"7003","name":"EC_NO_SUITABLE_DEVICE"}}]}`,
			want: []domain.Event{{ProviderMessageID: "ib-7", Kind: domain.EventFailed, OccurredAt: utc(2025, 3, 1, 10, 0, 2, 0), Reason: domain.ReasonNoDevice, ReasonDetail: "EC_NO_SUITABLE_DEVICE", Phone: "+380501234567"}},
		},
		{
			name: "rejected no balance",
			body: `{"results":[{"messageId":"ib-8","to":"380501234567","doneAt":"2025-03-01T10:00:02+0000","status":{"groupName":"REJECTED","name":"REJECTED_NOT_ENOUGH_CREDITS"},"error":{"name":"EC_INSUFFICIENT_BALANCE"}}]}`,
			want: []domain.Event{{ProviderMessageID: "ib-8", Kind: domain.EventFailed, OccurredAt: utc(2025, 3, 1, 10, 0, 2, 0), Reason: domain.ReasonNoBalance, ReasonDetail: "EC_INSUFFICIENT_BALANCE", Phone: "+380501234567"}},
		},
		{
			name: "rejected unknown error is rejected",
			body: `{"results":[{"messageId":"ib-9","to":"380501234567","doneAt":"2025-03-01T10:00:02+0000","status":{"groupName":"REJECTED","name":"REJECTED_SOURCE"},"error":{"name":"EC_INVALID_SENDER"}}]}`,
			want: []domain.Event{{ProviderMessageID: "ib-9", Kind: domain.EventFailed, OccurredAt: utc(2025, 3, 1, 10, 0, 2, 0), Reason: domain.ReasonRejected, ReasonDetail: "EC_INVALID_SENDER", Phone: "+380501234567"}},
		},
		{
			name: "undeliverable unknown error is provider error",
			body: `{"results":[{"messageId":"ib-10","to":"380501234567","doneAt":"2025-03-01T10:00:02+0000","status":{"groupName":"UNDELIVERABLE","name":"UNDELIVERABLE_NOT_DELIVERED"},"error":{"name":"EC_SYSTEM_FAILURE"}}]}`,
			want: []domain.Event{{ProviderMessageID: "ib-10", Kind: domain.EventFailed, OccurredAt: utc(2025, 3, 1, 10, 0, 2, 0), Reason: domain.ReasonProviderError, ReasonDetail: "EC_SYSTEM_FAILURE", Phone: "+380501234567"}},
		},
		{
			name: "undeliverable without error object",
			body: `{"results":[{"messageId":"ib-11","to":"380501234567","doneAt":"2025-03-01T10:00:02+0000","status":{"groupName":"UNDELIVERABLE","name":"UNDELIVERABLE_NOT_DELIVERED"}}]}`,
			want: []domain.Event{{ProviderMessageID: "ib-11", Kind: domain.EventFailed, OccurredAt: utc(2025, 3, 1, 10, 0, 2, 0), Reason: domain.ReasonProviderError, ReasonDetail: "UNDELIVERABLE_NOT_DELIVERED", Phone: "+380501234567"}},
		},
		{
			name: "sentAt when doneAt missing and RFC 3339",
			body: `{"results":[{"messageId":"ib-12","to":"380501234567","sentAt":"2025-03-01T10:00:00.5Z","status":{"groupName":"PENDING"}}]}`,
			want: []domain.Event{{ProviderMessageID: "ib-12", Kind: domain.EventSent, OccurredAt: utc(2025, 3, 1, 10, 0, 0, 500), Phone: "+380501234567"}},
		},
		{
			name: "unknown group is skipped and batch continues",
			body: `{"results":[{"messageId":"ib-13","to":"380501234567","doneAt":"2025-03-01T10:00:02+0000","status":{"groupName":"NEW_GROUP"}},{"messageId":"ib-14","to":"+380501234568","doneAt":"2025-03-01T10:00:03.000+0000","status":{"groupName":"delivered"}}]}`,
			want: []domain.Event{{ProviderMessageID: "ib-14", Kind: domain.EventDelivered, OccurredAt: utc(2025, 3, 1, 10, 0, 3, 0), Phone: "+380501234568"}},
		},
		{
			name: "seen report on the delivery URL",
			body: `{"results":[{"messageId":"ib-15","from":"InfoShop","to":"380501234567","sentAt":"2025-03-01T10:00:00.000+0000","seenAt":"2025-03-01T10:05:00.000+0000"}]}`,
			want: []domain.Event{{ProviderMessageID: "ib-15", Kind: domain.EventRead, OccurredAt: utc(2025, 3, 1, 10, 5, 0, 0), Phone: "+380501234567"}},
		},
		{
			name: "empty results",
			body: `{"results":[]}`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := infobip{}.Parse(Request{Body: []byte(tt.body)})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			assertEvents(t, got, tt.want)
		})
	}
}

func TestInfobipParseSeenReports(t *testing.T) {
	body := `{"results":[
		{"messageId":"ib-20","from":"InfoShop","to":"380501234567","sentAt":"2025-03-01T10:00:00.000+0000","seenAt":"2025-03-01T10:07:30.100+0000"},
		{"messageId":"ib-21","from":"380501234568","to":"InfoShop","sentAt":"2025-03-01T10:00:00.000+0000","seenAt":"2025-03-01T10:08:00.000+0000"}
	]}`
	want := []domain.Event{
		{ProviderMessageID: "ib-20", Kind: domain.EventRead, OccurredAt: utc(2025, 3, 1, 10, 7, 30, 100), Phone: "+380501234567"},
		{ProviderMessageID: "ib-21", Kind: domain.EventRead, OccurredAt: utc(2025, 3, 1, 10, 8, 0, 0), Phone: "+380501234568"},
	}

	got, err := infobip{}.Parse(Request{Body: []byte(body), Variant: "seen"})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	assertEvents(t, got, want)
}

func TestInfobipParseErrors(t *testing.T) {
	tests := []struct {
		name    string
		variant string
		body    string
		want    string
	}{
		{"empty body", "", "", "empty callback body"},
		{"array body", "", `[]`, "invalid JSON body"},
		{"missing results", "", `{"bulkId":"b"}`, `missing field "results"`},
		{"missing messageId", "", `{"results":[{"status":{"groupName":"DELIVERED"}}]}`, `results[0]: missing field "messageId"`},
		{"missing status", "", `{"results":[{"messageId":"m","doneAt":"2025-03-01T10:00:02+0000"}]}`, `missing field "status.groupName"`},
		{"missing times", "", `{"results":[{"messageId":"m","status":{"groupName":"DELIVERED"}}]}`, `missing fields "doneAt" and "sentAt"`},
		{"bad doneAt", "", `{"results":[{"messageId":"m","doneAt":"01.03.2025","status":{"groupName":"DELIVERED"}}]}`, `invalid doneAt "01.03.2025"`},
		{"seen without seenAt", "seen", `{"results":[{"messageId":"m","sentAt":"2025-03-01T10:00:00.000+0000"}]}`, `missing field "seenAt"`},
		{"bad seenAt", "seen", `{"results":[{"messageId":"m","seenAt":"soon"}]}`, `invalid seenAt "soon"`},
		{"unknown variant", "clicks", `{"results":[]}`, `unknown webhook variant "clicks"`},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := infobip{}.Parse(Request{Body: []byte(tt.body), Variant: tt.variant})
			assertParseError(t, err, tt.want)
		})
	}
}

func TestInfobipVerifyBasicAuth(t *testing.T) {
	const secret = "vibereport:s3cret-Пароль"
	stored, err := infobip{}.StoredSecret(secret)
	if err != nil {
		t.Fatalf("StoredSecret: %v", err)
	}
	if stored != sha256Hex(secret) {
		t.Errorf("StoredSecret = %q, want the SHA-256 hex of the credentials", stored)
	}

	body := []byte(`{"results":[]}`)
	t.Run("right credentials", func(t *testing.T) {
		if err := (infobip{}).Verify(stored, Request{Header: basicAuthHeader("vibereport", "s3cret-Пароль"), Body: body}); err != nil {
			t.Fatalf("Verify: %v", err)
		}
	})

	tests := []struct {
		name   string
		header http.Header
		want   string
	}{
		{"wrong password", basicAuthHeader("vibereport", "s3cret-пароль"), "wrong Basic auth user or password"},
		{"wrong user", basicAuthHeader("other", "s3cret-Пароль"), "wrong Basic auth user or password"},
		{"missing authorization", http.Header{}, "missing or malformed Basic auth"},
		{"bearer scheme", headerOf("Authorization", "Bearer abc"), "missing or malformed Basic auth"},
		{"shared secret header instead", headerOf(webhookSecretHeader, "s3cret-Пароль"), "missing or malformed Basic auth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := infobip{}.Verify(stored, Request{Header: tt.header, Body: body})
			assertUnauthenticated(t, err, tt.want)
			assertNoSecret(t, err, "s3cret")
		})
	}
}

func TestInfobipVerifySharedSecretHeader(t *testing.T) {
	stored, err := infobip{}.StoredSecret("header:s3cret")
	if err != nil {
		t.Fatalf("StoredSecret: %v", err)
	}
	if stored != "header:"+sha256Hex("s3cret") {
		t.Errorf("StoredSecret = %q, want header: and the SHA-256 hex of the secret", stored)
	}

	body := []byte(`{"results":[]}`)
	t.Run("right secret", func(t *testing.T) {
		if err := (infobip{}).Verify(stored, Request{Header: headerOf(webhookSecretHeader, "s3cret"), Body: body}); err != nil {
			t.Fatalf("Verify: %v", err)
		}
	})

	tests := []struct {
		name   string
		header http.Header
		want   string
	}{
		{"wrong secret", headerOf(webhookSecretHeader, "s3cres"), "wrong shared secret"},
		{"missing header", http.Header{}, "missing X-Webhook-Secret header"},
		{"basic auth instead", basicAuthHeader("header", "s3cret"), "missing X-Webhook-Secret header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := infobip{}.Verify(stored, Request{Header: tt.header, Body: body})
			assertUnauthenticated(t, err, tt.want)
			assertNoSecret(t, err, "s3cret")
		})
	}
}

func TestInfobipStoredSecretRejectsMalformed(t *testing.T) {
	for _, secret := range []string{"", "nocolon", ":password", "user:", "header:"} {
		if _, err := (infobip{}).StoredSecret(secret); err == nil {
			t.Errorf("StoredSecret(%q) returned no error", secret)
		}
	}
}

func basicAuthHeader(user, password string) http.Header {
	credentials := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	return headerOf("Authorization", "Basic "+credentials)
}

func FuzzInfobipParse(f *testing.F) {
	f.Add([]byte(`{"results":[{"messageId":"ib-3","to":"380501234567","doneAt":"2025-03-01T10:00:04.512+0000","status":{"groupName":"DELIVERED"},"error":{"id":0,"name":"NO_ERROR"}}]}`), "")
	f.Add([]byte(`{"results":[{"messageId":"m","to":"x","seenAt":"2025-03-01T10:00:04Z"}]}`), "seen")
	f.Add([]byte(`{"results":[{"messageId":1,"status":{"groupName":"REJECTED"},"error":null}]}`), "")
	f.Add([]byte(`{"results":null}`), "")

	f.Fuzz(func(t *testing.T, body []byte, variant string) {
		events, err := infobip{}.Parse(Request{Body: body, Variant: variant})
		if err != nil && len(events) > 0 {
			t.Fatalf("Parse returned events and error %v", err)
		}
	})
}

func FuzzInfobipVerify(f *testing.F) {
	stored, _ := infobip{}.StoredSecret("user:password")
	f.Add("Basic dXNlcjpwYXNzd29yZA==", "")
	f.Add("Basic ", "x")
	f.Add("", "password")

	f.Fuzz(func(t *testing.T, authorization, sharedSecret string) {
		header := http.Header{}
		header.Set("Authorization", authorization)
		header.Set(webhookSecretHeader, sharedSecret)

		err := infobip{}.Verify(stored, Request{Header: header, Body: []byte("{}")})
		user, password, ok := (&http.Request{Header: header}).BasicAuth()
		if err == nil && (!ok || user != "user" || password != "password") {
			t.Fatalf("Verify accepted Authorization %q", authorization)
		}
	})
}
