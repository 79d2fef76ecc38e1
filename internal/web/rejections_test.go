package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vibereport/vibereport/internal/provider"
	"github.com/vibereport/vibereport/internal/store"
	"github.com/vibereport/vibereport/internal/store/storetest"
)

func TestAuthFailures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newTestServer(t, db)
		f := s.newFixture()
		otherKey := s.newAccount("Other")

		const fix = "send the header Authorization: Bearer <api key>; create a key with: vibereport account create"
		cases := []struct {
			name       string
			method     string
			path       string
			key        string
			wantStatus int
			wantError  string
		}{
			{"no key", "GET", "/api/v1/providers", "", http.StatusUnauthorized,
				"missing Authorization header: " + fix},
			{"wrong key", "GET", "/api/v1/providers", "vr_wrong", http.StatusUnauthorized,
				"invalid API key: check the key or create a new one with: vibereport account create"},
			{"other account's campaign", "GET", fmt.Sprintf("/api/v1/campaigns/%d", f.campaign.ID), otherKey,
				http.StatusNotFound, fmt.Sprintf("campaign %d: not found", f.campaign.ID)},
			{"other account's report", "GET", fmt.Sprintf("/api/v1/campaigns/%d/report", f.campaign.ID), otherKey,
				http.StatusNotFound, fmt.Sprintf("campaign %d: not found", f.campaign.ID)},
			{"other account's contacts", "GET", fmt.Sprintf("/api/v1/campaigns/%d/contacts?metric=sent", f.campaign.ID), otherKey,
				http.StatusNotFound, fmt.Sprintf("campaign %d: not found", f.campaign.ID)},
			{"other account's message", "GET", fmt.Sprintf("/api/v1/messages/%d", f.message.ID), otherKey,
				http.StatusNotFound, fmt.Sprintf("message %d: not found", f.message.ID)},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				status, body := s.request(c.method, c.path, c.key, nil, nil)
				if status != c.wantStatus {
					t.Errorf("status = %d, want %d", status, c.wantStatus)
				}
				if got := errorOf(t, body); got != c.wantError {
					t.Errorf("error = %q, want %q", got, c.wantError)
				}
			})
		}

		t.Run("other account's deliveries", func(t *testing.T) {
			body := fmt.Sprintf(`[{"phone":"+380671234560","provider_message_id":"m1","sent_at":%d}]`, testNow.UnixMilli())
			status, _ := s.request("POST", fmt.Sprintf("/api/v1/campaigns/%d/deliveries", f.campaign.ID), otherKey, []byte(body), nil)
			if status != http.StatusNotFound {
				t.Errorf("status = %d, want 404", status)
			}
		})

		t.Run("other account lists no providers", func(t *testing.T) {
			status, body := s.request("GET", "/api/v1/providers", otherKey, nil, nil)
			if status != http.StatusOK {
				t.Fatalf("status = %d, want 200", status)
			}
			if got := strings.TrimSpace(string(body)); got != `{"providers":[]}` {
				t.Errorf("body = %s, want {\"providers\":[]}", got)
			}
		})
	})
}

func TestWebhookRejections(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newTestServer(t, db)
		f := s.newFixture()
		sentAt := testNow.Add(-10 * time.Minute)
		s.mustCall("POST", fmt.Sprintf("/api/v1/campaigns/%d/deliveries", f.campaign.ID),
			fmt.Sprintf(`[{"viber_user_id":"user-0","provider_message_id":%s,"sent_at":%d}]`, token(0), sentAt.UnixMilli()),
			http.StatusOK, nil)
		before := s.rawReport(f.campaign.ID)

		delivered := viberCallback("delivered", sentAt.Add(time.Minute), token(0), "user-0", "")
		webhookPath := fmt.Sprintf("/webhooks/%d", f.provider.ID)
		signed := func(body string) http.Header {
			return http.Header{"X-Viber-Content-Signature": {provider.SignViber(botToken, []byte(body))}}
		}
		oversize := `{"event":"webhook","timestamp":1,"message_token":1,"pad":"` +
			strings.Repeat("x", provider.MaxCallbackBytes) + `"}`
		webhookEvent := `{"event":"webhook","timestamp":1740822000000,"chat_hostname":"SN-CHAT-01_","message_token":5491838382829109999}`

		cases := []struct {
			name       string
			method     string
			path       string
			body       string
			header     http.Header
			wantStatus int
		}{
			{"bad signature", "POST", webhookPath, delivered,
				http.Header{"X-Viber-Content-Signature": {provider.SignViber("wrong token", []byte(delivered))}}, http.StatusUnauthorized},
			{"missing signature", "POST", webhookPath, delivered, nil, http.StatusUnauthorized},
			{"empty GET", "GET", webhookPath, "", nil, http.StatusMethodNotAllowed},
			{"empty GET on seen", "GET", webhookPath + "/seen", "", nil, http.StatusMethodNotAllowed},
			{"oversize body", "POST", webhookPath, oversize, signed(oversize), http.StatusRequestEntityTooLarge},
			{"malformed JSON", "POST", webhookPath, `{"event":"delivered",`, signed(`{"event":"delivered",`), http.StatusBadRequest},
			{"unknown connection", "POST", "/webhooks/999999", delivered, signed(delivered), http.StatusNotFound},
			{"non-numeric connection", "POST", "/webhooks/abc", delivered, signed(delivered), http.StatusNotFound},
			{"seen URL of a viber bot", "POST", webhookPath + "/seen", delivered, signed(delivered), http.StatusNotFound},
			{"signed webhook event", "POST", webhookPath, webhookEvent, signed(webhookEvent), http.StatusOK},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				status, body := s.request(c.method, c.path, "", []byte(c.body), c.header)
				if status != c.wantStatus {
					t.Errorf("status = %d, want %d; body %s", status, c.wantStatus, body)
				}
				if after := s.rawReport(f.campaign.ID); after != before {
					t.Errorf("report changed:\nbefore %s\nafter  %s", before, after)
				}
			})
		}

		t.Run("signed delivered applies", func(t *testing.T) {
			status, body := s.request("POST", webhookPath, "", []byte(delivered), signed(delivered))
			if status != http.StatusOK {
				t.Fatalf("status = %d, want 200; body %s", status, body)
			}
			if got := strings.TrimSpace(string(body)); got != `{"status":"ok"}` {
				t.Errorf("body = %s, want {\"status\":\"ok\"}", got)
			}
			if got := s.report(f.campaign.ID).Metrics.Delivered; got != 1 {
				t.Errorf("delivered = %d, want 1", got)
			}
		})
	})
}

func TestWebhookJSONTypeErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newTestServer(t, db)
		f := s.newFixture()
		cases := []struct {
			name      string
			body      string
			wantError string
		}{
			{"array for the callback", `[]`,
				`viber callback: invalid JSON body: got a JSON array, expected an object`},
			{"number for event", `{"event":5,"timestamp":1740822000000,"message_token":1}`,
				`viber callback: invalid JSON body: field "event": got a JSON number, expected a string`},
			{"object for user_id", `{"event":"seen","timestamp":1740822000000,"message_token":1,"user_id":{"id":"u"}}`,
				`viber callback: invalid JSON body: field "user_id": got a JSON object, expected a string`},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				status, body := s.postViber(f.provider.ID, c.body)
				if status != http.StatusBadRequest {
					t.Errorf("status = %d, want 400", status)
				}
				if got := errorOf(t, body); got != c.wantError {
					t.Errorf("error:\n got  %s\n want %s", got, c.wantError)
				}
			})
		}
	})
}

func TestNULCharacterRejected(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newTestServer(t, db)
		f := s.newFixture()
		const stored = `a string contains the NUL character \u0000, which cannot be stored: remove it`
		sentAt := testNow.Add(-10 * time.Minute)
		s.mustCall("POST", fmt.Sprintf("/api/v1/campaigns/%d/deliveries", f.campaign.ID),
			fmt.Sprintf(`[{"viber_user_id":"user-0","provider_message_id":%s,"sent_at":%d}]`, token(0), sentAt.UnixMilli()),
			http.StatusOK, nil)
		before := s.rawReport(f.campaign.ID)

		cases := []struct {
			name      string
			method    string
			path      string
			body      string
			wantError string
		}{
			{"campaign name", "POST", "/api/v1/campaigns",
				fmt.Sprintf(`{"name":"Sale\u0000","message_id":%d,"provider_id":%d}`, f.message.ID, f.provider.ID),
				"invalid JSON body: " + stored},
			{"message text", "POST", "/api/v1/messages",
				`{"name":"M","text":"Hi\u0000","ttl_seconds":3600}`,
				"invalid JSON body: " + stored},
			{"delivery language", "POST", fmt.Sprintf("/api/v1/campaigns/%d/deliveries", f.campaign.ID),
				`[{"viber_user_id":"user-1","language":"u\u0000k","provider_message_id":"m1","sent_at":1740823200000}]`,
				"invalid JSON body: " + stored},
			{"event message id", "POST", "/api/v1/events",
				fmt.Sprintf(`[{"provider_id":%d,"provider_message_id":"m\u00001","status":"sent","timestamp":1740823200}]`, f.provider.ID),
				"item 0: provider_message_id: contains the NUL character \\u0000, which cannot be stored: remove it"},
			{"search query", "GET", "/api/v1/campaigns?q=Sale%00", "",
				`q: invalid value: the NUL character \u0000 is not allowed: remove it`},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				status, body := s.request(c.method, c.path, s.key, []byte(c.body), nil)
				if status != http.StatusBadRequest {
					t.Errorf("status = %d, want 400", status)
				}
				if got := errorOf(t, body); got != c.wantError {
					t.Errorf("error:\n got  %s\n want %s", got, c.wantError)
				}
			})
		}

		t.Run("viber callback", func(t *testing.T) {
			body := fmt.Sprintf(`{"event":"delivered","timestamp":%d,"message_token":%s,"user_id":"user-0\u0000"}`,
				sentAt.Add(time.Minute).UnixMilli(), token(0))
			status, got := s.postViber(f.provider.ID, body)
			if status != http.StatusBadRequest {
				t.Errorf("status = %d, want 400 so that the provider stops retrying", status)
			}
			want := "invalid callback: the viber_user_id value contains the NUL character \\u0000, which cannot be stored: remove it"
			if errorOf(t, got) != want {
				t.Errorf("error:\n got  %s\n want %s", errorOf(t, got), want)
			}
			if after := s.rawReport(f.campaign.ID); after != before {
				t.Errorf("report changed:\nbefore %s\nafter  %s", before, after)
			}
		})
	})
}

func TestValidationMessages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newTestServer(t, db)
		f := s.newFixture()

		otherKey := s.newAccount("Other")
		var foreign created
		status, body := s.request("POST", "/api/v1/providers", otherKey,
			[]byte(`{"kind":"viber_bot","name":"Other bot","secret":"other-token"}`), nil)
		if status != http.StatusCreated {
			t.Fatalf("create foreign provider: status %d: %s", status, body)
		}
		if err := jsonUnmarshal(body, &foreign); err != nil {
			t.Fatal(err)
		}

		deliveries := fmt.Sprintf("/api/v1/campaigns/%d/deliveries", f.campaign.ID)
		cases := []struct {
			name      string
			method    string
			path      string
			body      string
			wantError string
		}{
			{"bad phone", "POST", deliveries,
				`[{"phone":"12345","provider_message_id":"m1","sent_at":"2025-03-01T10:00:00Z"}]`,
				`deliveries[0].phone: phone "12345": invalid number for region UA: write it in international format, e.g. +380501234567`},
			{"phone with letters", "POST", deliveries,
				`{"deliveries":[{"phone":"+380671234560","provider_message_id":"m1","sent_at":1740823200000},{"phone":"067-FLOWERS","provider_message_id":"m2","sent_at":1740823200000}]}`,
				`deliveries[1].phone: phone "067-FLOWERS": invalid character 'F': write only digits, spaces, dashes, dots, slashes, parentheses and a leading +`},
			{"missing contact", "POST", deliveries,
				`[{"provider_message_id":"m1","sent_at":1740823200000}]`,
				`deliveries[0]: missing phone, viber_user_id and external_id: set the contact's phone, or viber_user_id for a bot subscriber, or external_id for a contact with neither`},
			{"bad sent_at", "POST", deliveries,
				`[{"phone":"+380671234560","provider_message_id":"m1","sent_at":"yesterday"}]`,
				`deliveries[0].sent_at: invalid time "yesterday": use RFC 3339 such as "2025-03-01T10:00:04Z" or epoch milliseconds`},
			{"message ttl too short", "POST", "/api/v1/messages",
				`{"name":"Flash","text":"Hi","ttl_seconds":10}`,
				`ttl_seconds: 10 is out of range: use 30 to 1209600 (14 days)`},
			{"campaign ttl too long", "POST", "/api/v1/campaigns",
				fmt.Sprintf(`{"name":"C","message_id":%d,"provider_id":%d,"ttl_seconds":99999999999}`, f.message.ID, f.provider.ID),
				`ttl_seconds: 99999999999 is out of range: use 30 to 1209600 (14 days)`},
			{"message without text", "POST", "/api/v1/messages",
				`{"name":"Empty","ttl_seconds":3600}`,
				`text: missing: a message needs text, an image or both`},
			{"unknown metric", "GET", fmt.Sprintf("/api/v1/campaigns/%d/contacts?metric=opened", f.campaign.ID), "",
				`metric: invalid metric "opened": use one of audience, sent, delivered, read, clicked, undelivered, expired, unsubscribed, pending, not_sent, ` +
					`not_sent.inaccessible, not_sent.over_plan_limit, not_sent.annoyance_limit, not_sent.duplicate, ` +
					`undelivered.not_viber_user, undelivered.blocked, undelivered.no_device, undelivered.expired, undelivered.rejected, undelivered.provider_error, undelivered.no_balance`},
			{"bad limit", "GET", fmt.Sprintf("/api/v1/campaigns/%d/contacts?metric=sent&limit=5000", f.campaign.ID), "",
				`limit: invalid value "5000": use an integer from 1 to 1000`},
			{"bad cursor", "GET", fmt.Sprintf("/api/v1/campaigns/%d/contacts?metric=sent&cursor=abc", f.campaign.ID), "",
				`cursor: invalid value "abc": pass next_cursor from the previous page unchanged, or omit it for the first page`},
			{"foreign provider in events", "POST", "/api/v1/events",
				fmt.Sprintf(`{"provider_id":%d,"provider_message_id":"m1","status":"delivered","timestamp":"2025-03-01T10:00:00Z"}`, foreign.ID),
				fmt.Sprintf(`item 0: provider_id %d: no provider connection with this id in your account: use an id from GET /api/v1/providers`, foreign.ID)},
			{"missing provider in events", "POST", "/api/v1/events",
				`[{"provider_message_id":"m1","status":"delivered","timestamp":"2025-03-01T10:00:00Z"}]`,
				`item 0: missing provider_id: set the id of the provider connection that sent the message`},
			{"foreign provider in campaign", "POST", "/api/v1/campaigns",
				fmt.Sprintf(`{"name":"C","message_id":%d,"provider_id":%d}`, f.message.ID, foreign.ID),
				fmt.Sprintf(`provider_id: no provider connection %d in this account: pass the id of one of your connections`, foreign.ID)},
			{"unknown provider kind", "POST", "/api/v1/providers",
				`{"kind":"telegram","name":"T","secret":"s"}`,
				`kind: invalid provider kind "telegram": use one of viber_bot, infobip, vonage, sinch, yespo, sandbox`},
			{"unknown field", "POST", "/api/v1/messages",
				`{"name":"M","text":"Hi","ttl_seconds":3600,"ttl":60}`,
				`unknown field "ttl": check the spelling against the API reference`},
			{"malformed JSON", "POST", "/api/v1/messages",
				`{"name":`,
				`invalid JSON body: it ends early: send complete JSON`},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				status, body := s.request(c.method, c.path, s.key, []byte(c.body), nil)
				if status != http.StatusBadRequest {
					t.Errorf("status = %d, want 400", status)
				}
				if got := errorOf(t, body); got != c.wantError {
					t.Errorf("error:\n got  %s\n want %s", got, c.wantError)
				}
			})
		}
	})
}

func TestAPIBodyTooLarge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newTestServer(t, db)
		body := `{"name":"M","text":"` + strings.Repeat("x", 9<<20) + `","ttl_seconds":3600}`
		status, got := s.request("POST", "/api/v1/messages", s.key, []byte(body), nil)
		if status != http.StatusRequestEntityTooLarge {
			t.Errorf("status = %d, want 413", status)
		}
		if want := "request body is larger than the limit of 8388608 bytes: split the request into smaller ones"; errorOf(t, got) != want {
			t.Errorf("error = %q, want %q", errorOf(t, got), want)
		}
	})
}
