package provider

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
)

func sinchReportBody(status, reason string) string {
	return `{"app_id":"01EB37HMH1M6SV18ASNS3G135H","accepted_time":"2025-03-01T10:00:00.120Z","event_time":"2025-03-01T10:00:01.123456789Z","project_id":"c36f3d3d-1513-4edd-ae42-11995557ff61","message_delivery_report":{"message_id":"01EQBC1A3BEK731GY4YXEN0C2R","conversation_id":"01EPYATA64TMNZ1FV02JKF12JF","status":"` + status + `","channel_identity":{"channel":"VIBERBM","identity":"380501234567","app_id":""},"contact_id":"01EKA07N79THJ20WSN6AS30TMW"` + reason + `,"metadata":""}}`
}

func TestSinchParse(t *testing.T) {
	at := time.Date(2025, 3, 1, 10, 0, 1, 123456789, time.UTC)
	const id = "01EQBC1A3BEK731GY4YXEN0C2R"
	const phone = "+380501234567"

	tests := []struct {
		name string
		body string
		want []domain.Event
	}{
		{"queued is sent", sinchReportBody("QUEUED_ON_CHANNEL", ""), []domain.Event{{ProviderMessageID: id, Kind: domain.EventSent, OccurredAt: at, Phone: phone}}},
		{"delivered", sinchReportBody("DELIVERED", ""), []domain.Event{{ProviderMessageID: id, Kind: domain.EventDelivered, OccurredAt: at, Phone: phone}}},
		{"read", sinchReportBody("READ", ""), []domain.Event{{ProviderMessageID: id, Kind: domain.EventRead, OccurredAt: at, Phone: phone}}},
		{
			"failed message expired",
			sinchReportBody("FAILED", `,"reason":{"code":"MESSAGE_EXPIRED","description":"The message expired"}`),
			[]domain.Event{{ProviderMessageID: id, Kind: domain.EventFailed, OccurredAt: at, Reason: domain.ReasonExpired, ReasonDetail: "MESSAGE_EXPIRED: The message expired", Phone: phone}},
		},
		{
			"failed delivery timed out",
			sinchReportBody("FAILED", `,"reason":{"code":"DELIVERY_TIMED_OUT"}`),
			[]domain.Event{{ProviderMessageID: id, Kind: domain.EventFailed, OccurredAt: at, Reason: domain.ReasonExpired, ReasonDetail: "DELIVERY_TIMED_OUT", Phone: phone}},
		},
		{
			"failed recipient not reachable",
			sinchReportBody("FAILED", `,"reason":{"code":"RECIPIENT_NOT_REACHABLE","description":"Recipient is not a Viber user"}`),
			[]domain.Event{{ProviderMessageID: id, Kind: domain.EventFailed, OccurredAt: at, Reason: domain.ReasonNotViberUser, ReasonDetail: "RECIPIENT_NOT_REACHABLE: Recipient is not a Viber user", Phone: phone}},
		},
		{
			"failed channel reject",
			sinchReportBody("FAILED", `,"reason":{"code":"CHANNEL_REJECT","description":"Rejected by Viber"}`),
			[]domain.Event{{ProviderMessageID: id, Kind: domain.EventFailed, OccurredAt: at, Reason: domain.ReasonRejected, ReasonDetail: "CHANNEL_REJECT: Rejected by Viber", Phone: phone}},
		},
		{
			"failed unknown code reads description",
			sinchReportBody("FAILED", `,"reason":{"code":"CHANNEL_FAILURE","description":"User blocked the business"}`),
			[]domain.Event{{ProviderMessageID: id, Kind: domain.EventFailed, OccurredAt: at, Reason: domain.ReasonBlocked, ReasonDetail: "CHANNEL_FAILURE: User blocked the business", Phone: phone}},
		},
		{
			"failed internal error",
			sinchReportBody("FAILED", `,"reason":{"code":"INTERNAL_ERROR","description":"Internal error"}`),
			[]domain.Event{{ProviderMessageID: id, Kind: domain.EventFailed, OccurredAt: at, Reason: domain.ReasonProviderError, ReasonDetail: "INTERNAL_ERROR: Internal error", Phone: phone}},
		},
		{
			"failed without reason",
			sinchReportBody("FAILED", ""),
			[]domain.Event{{ProviderMessageID: id, Kind: domain.EventFailed, OccurredAt: at, Reason: domain.ReasonProviderError, Phone: phone}},
		},
		{"switching channel is ignored", sinchReportBody("SWITCHING_CHANNEL", ""), nil},
		{"unknown status is ignored", sinchReportBody("NEW_STATUS", ""), nil},
		{
			"viber bot channel carries user id",
			`{"event_time":"2025-03-01T10:00:01Z","message_delivery_report":{"message_id":"m1","status":"DELIVERED","channel_identity":{"channel":"VIBER","identity":"dGVzdFVzZXIx"}}}`,
			[]domain.Event{{ProviderMessageID: "m1", Kind: domain.EventDelivered, OccurredAt: utc(2025, 3, 1, 10, 0, 1, 0), ViberUserID: "dGVzdFVzZXIx"}},
		},
		{
			"other channel report is accepted",
			`{"event_time":"2025-03-01T12:00:01+02:00","message_delivery_report":{"message_id":"m2","status":"READ","channel_identity":{"channel":"WHATSAPP","identity":"380501234567"}}}`,
			[]domain.Event{{ProviderMessageID: "m2", Kind: domain.EventRead, OccurredAt: utc(2025, 3, 1, 10, 0, 1, 0)}},
		},
		{"message inbound is ignored", `{"app_id":"a","event_time":"2025-03-01T10:00:01Z","message":{"id":"m","direction":"TO_APP","contact_message":{"text_message":{"text":"` + unicodeNote + `"}}}}`, nil},
		{"event delivery report is ignored", `{"app_id":"a","event_time":"2025-03-01T10:00:01Z","event_delivery_report":{"event_id":"e","status":"DELIVERED"}}`, nil},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := newSinch().Parse(Request{Body: []byte(tt.body)})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			assertEvents(t, got, tt.want)
		})
	}
}

func TestSinchParseErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string
	}{
		{"empty body", "", "empty callback body"},
		{"not JSON", "<xml/>", "invalid JSON body"},
		{"missing status", `{"event_time":"2025-03-01T10:00:01Z","message_delivery_report":{"message_id":"m"}}`, `missing field "status"`},
		{"missing message id", `{"event_time":"2025-03-01T10:00:01Z","message_delivery_report":{"status":"READ"}}`, `missing field "message_id"`},
		{"missing event time", `{"message_delivery_report":{"message_id":"m","status":"READ"}}`, `missing field "event_time"`},
		{"bad event time", `{"event_time":"1740823200","message_delivery_report":{"message_id":"m","status":"READ"}}`, `invalid event_time "1740823200": expected RFC 3339`},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newSinch().Parse(Request{Body: []byte(tt.body)})
			assertParseError(t, err, tt.want)
		})
	}
}

func TestSinchVerify(t *testing.T) {
	const secret = "sinch-webhook-secret"
	now := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	body := []byte(`{"event_time":"2025-03-01T10:00:01Z","message":{"contact_message":{"text_message":{"text":"` + unicodeNote + `"}}}}`)

	t.Run("unicode body verifies", func(t *testing.T) {
		adapter := newSinch()
		header := SignSinch(secret, body, "nonce-1", now.Add(-time.Minute))
		if err := adapter.Verify(secret, Request{Header: header, Body: body, ReceivedAt: now}); err != nil {
			t.Fatalf("Verify: %v", err)
		}
	})

	t.Run("lowercase header names verify", func(t *testing.T) {
		signed := SignSinch(secret, body, "nonce-lower", now)
		header := http.Header{}
		for _, name := range []string{"x-sinch-webhook-signature", "x-sinch-webhook-signature-nonce", "x-sinch-webhook-signature-timestamp"} {
			header.Set(name, signed.Get(name))
		}
		if err := newSinch().Verify(secret, Request{Header: header, Body: body, ReceivedAt: now}); err != nil {
			t.Fatalf("Verify: %v", err)
		}
	})

	withoutHeader := func(name string) http.Header {
		header := SignSinch(secret, body, "nonce-2", now)
		header.Del(name)
		return header
	}
	tests := []struct {
		name   string
		header http.Header
		body   []byte
		want   string
	}{
		{"one byte changed", SignSinch(secret, body, "nonce-2", now), flipByte(body, 3), "invalid signature"},
		{"nonce changed", replaceHeader(SignSinch(secret, body, "nonce-2", now), sinchNonceHeader, "nonce-3"), body, "invalid signature"},
		{"wrong secret", SignSinch(secret+"x", body, "nonce-2", now), body, "invalid signature"},
		{"not base64", replaceHeader(SignSinch(secret, body, "nonce-2", now), sinchSignatureHeader, "%%%"), body, "not base64"},
		{"missing signature", withoutHeader(sinchSignatureHeader), body, "missing X-Sinch-Webhook-Signature header"},
		{"missing nonce", withoutHeader(sinchNonceHeader), body, "missing X-Sinch-Webhook-Signature-Nonce header"},
		{"missing timestamp", withoutHeader(sinchTimestampHeader), body, "missing X-Sinch-Webhook-Signature-Timestamp header"},
		{"timestamp in milliseconds", replaceHeader(SignSinch(secret, body, "nonce-2", now), sinchTimestampHeader, "1740823200000"), body, "stale timestamp"},
		{"timestamp not a number", replaceHeader(SignSinch(secret, body, "nonce-2", now), sinchTimestampHeader, "now"), body, "expected unix seconds"},
		{"stale timestamp", SignSinch(secret, body, "nonce-2", now.Add(-5*time.Minute-time.Second)), body, "stale timestamp"},
		{"future timestamp", SignSinch(secret, body, "nonce-2", now.Add(5*time.Minute+time.Second)), body, "stale timestamp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := newSinch().Verify(secret, Request{Header: tt.header, Body: tt.body, ReceivedAt: now})
			assertUnauthenticated(t, err, tt.want)
			assertNoSecret(t, err, secret)
		})
	}
}

func TestSinchVerifyNonceReuse(t *testing.T) {
	const secret = "sinch-webhook-secret"
	now := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	body := []byte(`{"message_delivery_report":{}}`)
	header := SignSinch(secret, body, "nonce-replayed", now)
	adapter := newSinch()

	if err := adapter.Verify(secret, Request{Header: header, Body: body, ReceivedAt: now}); err != nil {
		t.Fatalf("first Verify: %v", err)
	}

	// Sinch retries the identical request after an error response. It must
	// verify again, and storing it twice changes nothing.
	if err := adapter.Verify(secret, Request{Header: header, Body: body, ReceivedAt: now.Add(4 * time.Minute)}); err != nil {
		t.Fatalf("identical retry: %v", err)
	}

	other := SignSinch(secret, []byte(`{}`), "nonce-replayed", now.Add(time.Minute))
	err := adapter.Verify(secret, Request{Header: other, Body: []byte(`{}`), ReceivedAt: now.Add(time.Minute)})
	assertUnauthenticated(t, err, "already used by another request")
}

func TestSinchVerifyForgedRequestDoesNotBurnNonce(t *testing.T) {
	const secret = "sinch-webhook-secret"
	now := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	body := []byte(`{}`)
	adapter := newSinch()

	forged := SignSinch("guessed", body, "nonce-a", now)
	if err := adapter.Verify(secret, Request{Header: forged, Body: body, ReceivedAt: now}); err == nil {
		t.Fatal("Verify accepted a request signed with the wrong secret")
	}

	real := SignSinch(secret, body, "nonce-a", now)
	if err := adapter.Verify(secret, Request{Header: real, Body: body, ReceivedAt: now}); err != nil {
		t.Fatalf("Verify of the real request: %v", err)
	}
}

func TestSinchVerifyAcceptsNonceAfterWindow(t *testing.T) {
	const secret = "sinch-webhook-secret"
	start := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	body := []byte(`{}`)
	adapter := newSinch()

	if err := adapter.Verify(secret, Request{Header: SignSinch(secret, body, "n", start), Body: body, ReceivedAt: start}); err != nil {
		t.Fatalf("first Verify: %v", err)
	}

	later := start.Add(11 * time.Minute)
	if err := adapter.Verify(secret, Request{Header: SignSinch(secret, body, "n", later), Body: body, ReceivedAt: later}); err != nil {
		t.Fatalf("Verify of the nonce after its window: %v", err)
	}
}

func TestNonceCacheStaysBounded(t *testing.T) {
	cache := newNonceCache(100)
	now := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	expires := now.Add(maxClockSkew)

	for i := range 1000 {
		if !cache.add(fmt.Sprintf("n%d", i), "sig", expires, now) {
			t.Fatalf("nonce n%d reported as reused", i)
		}
	}

	if len(cache.expires) > 100 {
		t.Errorf("cache holds %d nonces, want at most 100", len(cache.expires))
	}
	if len(cache.order)-cache.head != len(cache.expires) {
		t.Errorf("order holds %d live entries, map holds %d", len(cache.order)-cache.head, len(cache.expires))
	}
	if cache.add("n999", "other-sig", expires, now) {
		t.Error("newest nonce n999 was evicted")
	}
	if !cache.add("n0", "other-sig", expires, now) {
		t.Error("oldest nonce n0 was not evicted at the cap")
	}
}

func TestNonceCacheConcurrentAddsAcceptOnce(t *testing.T) {
	cache := newNonceCache(maxSinchNonces)
	now := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

	var wg sync.WaitGroup
	var mu sync.Mutex
	accepted := 0
	for i := range 50 {
		wg.Go(func() {
			if cache.add("shared", fmt.Sprintf("sig-%d", i), now.Add(maxClockSkew), now) {
				mu.Lock()
				accepted++
				mu.Unlock()
			}
		})
	}
	wg.Wait()

	if accepted != 1 {
		t.Errorf("nonce accepted %d times, want 1", accepted)
	}
}

func replaceHeader(header http.Header, name, value string) http.Header {
	header.Set(name, value)
	return header
}

func FuzzSinchParse(f *testing.F) {
	f.Add([]byte(sinchReportBody("FAILED", `,"reason":{"code":"MESSAGE_EXPIRED"}`)))
	f.Add([]byte(`{"message_delivery_report":null}`))
	f.Add([]byte(`{"event_time":"2025-03-01T10:00:01Z","message_delivery_report":{"message_id":"m","status":"READ","channel_identity":{"channel":"VIBERBM","identity":"+-"}}}`))

	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := newSinch().Parse(Request{Body: body})
		if err != nil && len(events) > 0 {
			t.Fatalf("Parse returned events and error %v", err)
		}
	})
}

func FuzzSinchVerify(f *testing.F) {
	const secret = "fuzz-secret"
	now := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	body := []byte(`{}`)
	signed := SignSinch(secret, body, "n1", now)
	f.Add(body, signed.Get(sinchSignatureHeader), "n1", signed.Get(sinchTimestampHeader))
	f.Add([]byte{}, "", "", "")
	f.Add(body, "AAAA", "n", "-9223372036854775808")

	adapter := newSinch()
	f.Fuzz(func(t *testing.T, body []byte, signature, nonce, timestamp string) {
		header := http.Header{}
		header.Set(sinchSignatureHeader, signature)
		header.Set(sinchNonceHeader, nonce)
		header.Set(sinchTimestampHeader, timestamp)

		err := adapter.Verify(secret, Request{Header: header, Body: body, ReceivedAt: now})
		if err == nil && signature != SignSinch(secret, body, nonce, now).Get(sinchSignatureHeader) && timestamp == signed.Get(sinchTimestampHeader) {
			t.Fatalf("Verify accepted signature %q", signature)
		}
	})
}
