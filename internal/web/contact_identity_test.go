package web_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/vibereport/vibereport/internal/store"
	"github.com/vibereport/vibereport/internal/store/storetest"
)

type registeredResponse struct {
	Registered []struct {
		ContactID int64  `json:"contact_id"`
		Outcome   string `json:"outcome"`
	} `json:"registered"`
}

func TestInaccessibleContactWithInvalidPhone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newTestServer(t, db)
		f := s.newFixture()
		path := fmt.Sprintf("/api/v1/campaigns/%d/deliveries", f.campaign.ID)
		body := `[{"phone":"12","external_id":"crm-7","not_sent_reason":"inaccessible"},
			{"external_id":"crm-8","not_sent_reason":"inaccessible"}]`

		var first registeredResponse
		s.mustCall("POST", path, body, http.StatusOK, &first)
		var again registeredResponse
		s.mustCall("POST", path, body, http.StatusOK, &again)

		for i, outcome := range []string{first.Registered[0].Outcome, first.Registered[1].Outcome} {
			if outcome != "created" {
				t.Errorf("first registration %d: outcome %q, want created", i, outcome)
			}
		}
		for i, outcome := range []string{again.Registered[0].Outcome, again.Registered[1].Outcome} {
			if outcome != "existing" {
				t.Errorf("second registration %d: outcome %q, want existing", i, outcome)
			}
		}
		r := s.report(f.campaign.ID)
		if r.Metrics.Audience != 2 {
			t.Errorf("audience = %d, want 2", r.Metrics.Audience)
		}
		if r.Metrics.NotSent.Inaccessible != 2 {
			t.Errorf("not_sent.inaccessible = %d, want 2", r.Metrics.NotSent.Inaccessible)
		}

		status, got := s.request("POST", path, s.key, []byte(`[{"phone":"12","not_sent_reason":"inaccessible"}]`), nil)
		if status != http.StatusBadRequest {
			t.Errorf("invalid phone without external_id: status %d, want 400", status)
		}
		want := `deliveries[0].phone: phone "12": invalid number for region UA: write it in international format, ` +
			`e.g. +380501234567; to count this contact as not_sent.inaccessible, also set external_id`
		if msg := errorOf(t, got); msg != want {
			t.Errorf("invalid phone without external_id: error %q, want %q", msg, want)
		}
	})
}

func TestBotUnsubscribeFindsContactRegisteredByPhone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newTestServer(t, db)
		f := s.newFixture()
		s.mustCall("POST", fmt.Sprintf("/api/v1/campaigns/%d/deliveries", f.campaign.ID),
			fmt.Sprintf(`[{"phone":"+380671110006","provider_message_id":%q,"sent_at":"2025-03-01T10:00:00Z"}]`, token(6)),
			http.StatusOK, nil)

		delivered := viberCallback("delivered", testNow.Add(-time.Minute), token(6), "dXNlcjY=", "")
		if status, body := s.postViber(f.provider.ID, delivered); status != http.StatusOK {
			t.Fatalf("delivered: status %d: %s", status, body)
		}
		// The Bot API's unsubscribe carries a token of its own.
		unsubscribed := viberCallback("unsubscribed", testNow, token(999), "dXNlcjY=", "")
		if status, body := s.postViber(f.provider.ID, unsubscribed); status != http.StatusOK {
			t.Fatalf("unsubscribed: status %d: %s", status, body)
		}

		r := s.report(f.campaign.ID)
		if r.Metrics.Delivered != 1 {
			t.Errorf("delivered = %d, want 1", r.Metrics.Delivered)
		}
		if r.Metrics.Unsubscribed != 1 {
			t.Errorf("unsubscribed = %d, want 1", r.Metrics.Unsubscribed)
		}
	})
}
