package provider

import (
	"net/http"
	"strings"
	"testing"

	"github.com/vibereport/vibereport/internal/domain"
)

func TestViberParse(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []domain.Event
	}{
		{
			name: "seen keeps 64-bit token exactly",
			body: `{"event":"seen","timestamp":1735689600123,"message_token":5491838382829109249,"user_id":"dGVzdFVzZXIx"}`,
			want: []domain.Event{{
				ProviderMessageID: "5491838382829109249",
				Kind:              domain.EventRead,
				OccurredAt:        utc(2025, 1, 1, 0, 0, 0, 123),
				ViberUserID:       "dGVzdFVzZXIx",
			}},
		},
		{
			name: "delivered with token as string",
			body: `{"event":"delivered","timestamp":"1735689600500","chat_hostname":"SN-372_","message_token":"9223372036854775807","user_id":"abc=="}`,
			want: []domain.Event{{
				ProviderMessageID: "9223372036854775807",
				Kind:              domain.EventDelivered,
				OccurredAt:        utc(2025, 1, 1, 0, 0, 0, 500),
				ViberUserID:       "abc==",
			}},
		},
		{
			name: "failed not subscribed is blocked",
			body: `{"event":"failed","timestamp":1735689601000,"message_token":5491838382829109249,"user_id":"u1","desc":"failed with status: 6, message: Not subscribed"}`,
			want: []domain.Event{{
				ProviderMessageID: "5491838382829109249",
				Kind:              domain.EventFailed,
				OccurredAt:        utc(2025, 1, 1, 0, 0, 1, 0),
				Reason:            domain.ReasonBlocked,
				ReasonDetail:      "failed with status: 6, message: Not subscribed",
				ViberUserID:       "u1",
			}},
		},
		{
			name: "failed receiver not registered",
			body: `{"event":"failed","timestamp":1735689601000,"message_token":1,"user_id":"u1","desc":"Receiver not registered"}`,
			want: []domain.Event{{
				ProviderMessageID: "1",
				Kind:              domain.EventFailed,
				OccurredAt:        utc(2025, 1, 1, 0, 0, 1, 0),
				Reason:            domain.ReasonNotViberUser,
				ReasonDetail:      "Receiver not registered",
				ViberUserID:       "u1",
			}},
		},
		{
			name: "failed no suitable device",
			body: `{"event":"failed","timestamp":1735689601000,"message_token":2,"user_id":"u1","desc":"failed with status: 11, message: No suitable device"}`,
			want: []domain.Event{{
				ProviderMessageID: "2",
				Kind:              domain.EventFailed,
				OccurredAt:        utc(2025, 1, 1, 0, 0, 1, 0),
				Reason:            domain.ReasonNoDevice,
				ReasonDetail:      "failed with status: 11, message: No suitable device",
				ViberUserID:       "u1",
			}},
		},
		{
			name: "failed unknown desc is provider error",
			body: `{"event":"failed","timestamp":1735689601000,"message_token":3,"user_id":"u1","desc":"internal failure"}`,
			want: []domain.Event{{
				ProviderMessageID: "3",
				Kind:              domain.EventFailed,
				OccurredAt:        utc(2025, 1, 1, 0, 0, 1, 0),
				Reason:            domain.ReasonProviderError,
				ReasonDetail:      "internal failure",
				ViberUserID:       "u1",
			}},
		},
		{
			name: "failed without desc is provider error",
			body: `{"event":"failed","timestamp":1735689601000,"message_token":4,"user_id":"u1"}`,
			want: []domain.Event{{
				ProviderMessageID: "4",
				Kind:              domain.EventFailed,
				OccurredAt:        utc(2025, 1, 1, 0, 0, 1, 0),
				Reason:            domain.ReasonProviderError,
				ViberUserID:       "u1",
			}},
		},
		{
			name: "unsubscribed",
			body: `{"event":"unsubscribed","timestamp":1735689602000,"chat_hostname":"SN-CHAT-05_","user_id":"01234567890A=","message_token":4912661846655238145}`,
			want: []domain.Event{{
				ProviderMessageID: "4912661846655238145",
				Kind:              domain.EventUnsubscribed,
				OccurredAt:        utc(2025, 1, 1, 0, 0, 2, 0),
				ViberUserID:       "01234567890A=",
			}},
		},
		{
			name: "subscribed is ignored",
			body: `{"event":"subscribed","timestamp":1735689602000,"user":{"id":"u1","name":"Ім'я"},"message_token":4912661846655238145}`,
		},
		{
			name: "conversation started is ignored",
			body: `{"event":"conversation_started","timestamp":1735689602000,"message_token":4912661846655238145,"type":"open","user":{"id":"u1"},"subscribed":false}`,
		},
		{
			name: "message is ignored",
			body: `{"event":"message","timestamp":1735689602000,"message_token":4912661846655238145,"sender":{"id":"u1"},"message":{"type":"text","text":"` + unicodeNote + `"}}`,
		},
		{
			name: "webhook check is ignored",
			body: `{"event":"webhook","timestamp":1735689602000,"chat_hostname":"SN-CHAT-05_","message_token":4912661846655238145}`,
		},
		{
			name: "unknown event is ignored",
			body: `{"event":"client_status","timestamp":1735689602000}`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := viberBot{}.Parse(Request{Body: []byte(tt.body)})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			assertEvents(t, got, tt.want)
		})
	}
}

func TestViberParseErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string
	}{
		{"empty body", "", "empty callback body"},
		{"whitespace body", " \n", "empty callback body"},
		{"not JSON", "event=seen", "invalid JSON body"},
		{"trailing data", `{"event":"webhook"} {}`, "unexpected data after the first JSON value"},
		{"missing event", `{"timestamp":1735689600123}`, `missing field "event"`},
		{"missing token", `{"event":"seen","timestamp":1735689600123,"user_id":"u"}`, `viber seen callback: missing field "message_token"`},
		{"float token", `{"event":"seen","timestamp":1735689600123,"message_token":5.491838382829109e18}`, "invalid message_token 5.491838382829109e18: expected an integer"},
		{"token object", `{"event":"seen","timestamp":1735689600123,"message_token":{}}`, "invalid message_token {}"},
		{"missing timestamp", `{"event":"seen","message_token":1}`, `viber seen callback: missing field "timestamp"`},
		{"timestamp text", `{"event":"seen","timestamp":"yesterday","message_token":1}`, `invalid timestamp "yesterday"`},
		{"timestamp too large", `{"event":"seen","timestamp":99999999999999999999,"message_token":1}`, "expected epoch milliseconds that fit in 64 bits"},
		{"unsubscribed without user", `{"event":"unsubscribed","timestamp":1735689600123,"message_token":1}`, `missing field "user_id"`},
		{"user id number", `{"event":"seen","timestamp":1735689600123,"message_token":1,"user_id":5}`, "user_id"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := viberBot{}.Parse(Request{Body: []byte(tt.body)})
			assertParseError(t, err, tt.want)
		})
	}
}

func TestViberVerify(t *testing.T) {
	const token = "4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51f"
	body := []byte(`{"event":"message","timestamp":1735689600123,"message_token":5491838382829109249,"message":{"type":"text","text":"` + unicodeNote + `"}}`)
	signed := headerOf(viberSignatureHeader, SignViber(token, body))

	t.Run("unicode body verifies", func(t *testing.T) {
		if err := (viberBot{}).Verify(token, Request{Header: signed, Body: body}); err != nil {
			t.Fatalf("Verify: %v", err)
		}
	})

	t.Run("uppercase hex verifies", func(t *testing.T) {
		upper := headerOf(viberSignatureHeader, toUpperASCII(SignViber(token, body)))
		if err := (viberBot{}).Verify(token, Request{Header: upper, Body: body}); err != nil {
			t.Fatalf("Verify: %v", err)
		}
	})

	tests := []struct {
		name   string
		stored string
		header http.Header
		body   []byte
		want   string
	}{
		{"one byte changed", token, signed, flipByte(body, len(body)/2), "invalid signature"},
		{"last byte changed", token, signed, flipByte(body, len(body)-1), "invalid signature"},
		{"missing header", token, http.Header{}, body, "missing X-Viber-Content-Signature header"},
		{"nil header", token, nil, body, "missing X-Viber-Content-Signature header"},
		{"wrong token", token + "x", signed, body, "invalid signature"},
		{"not hex", token, headerOf(viberSignatureHeader, "zz"), body, "not hex"},
		{"empty stored token", "", signed, body, "no auth token stored"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := viberBot{}.Verify(tt.stored, Request{Header: tt.header, Body: tt.body})
			assertUnauthenticated(t, err, tt.want)
			assertNoSecret(t, err, token)
		})
	}
}

func TestViberStoredSecret(t *testing.T) {
	stored, err := viberBot{}.StoredSecret(" tok-en \n")
	if err != nil {
		t.Fatalf("StoredSecret: %v", err)
	}
	if stored != "tok-en" {
		t.Errorf("StoredSecret = %q, want %q", stored, "tok-en")
	}

	if _, err := (viberBot{}).StoredSecret("  "); err == nil {
		t.Error("StoredSecret accepted a blank token")
	}
}

func toUpperASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func FuzzViberParse(f *testing.F) {
	f.Add([]byte(`{"event":"seen","timestamp":1735689600123,"message_token":5491838382829109249,"user_id":"dGVzdFVzZXIx"}`))
	f.Add([]byte(`{"event":"failed","timestamp":"1","message_token":"-1","desc":"blocked"}`))
	f.Add([]byte(`{"event":"unsubscribed","timestamp":1e3,"message_token":null}`))
	f.Add([]byte(``))

	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := viberBot{}.Parse(Request{Body: body})
		if err != nil && len(events) > 0 {
			t.Fatalf("Parse returned events and error %v", err)
		}
		for _, e := range events {
			if e.ProviderMessageID == "" || e.OccurredAt.IsZero() {
				t.Fatalf("incomplete event %+v", e)
			}
		}
	})
}

func FuzzViberVerify(f *testing.F) {
	const token = "fuzz-token"
	f.Add([]byte(`{"event":"seen"}`), SignViber(token, []byte(`{"event":"seen"}`)))
	f.Add([]byte(``), "")
	f.Add([]byte(unicodeNote), "00ff")

	f.Fuzz(func(t *testing.T, body []byte, signature string) {
		err := viberBot{}.Verify(token, Request{Header: headerOf(viberSignatureHeader, signature), Body: body})
		if err == nil && !strings.EqualFold(strings.TrimSpace(signature), SignViber(token, body)) {
			t.Fatalf("Verify accepted signature %q for body %q", signature, body)
		}
	})
}
