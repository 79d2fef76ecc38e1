package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/ingest"
	"github.com/vibereport/vibereport/internal/provider"
	"github.com/vibereport/vibereport/internal/store"
	"github.com/vibereport/vibereport/internal/web"
)

// testNow is the fixed clock of every test server.
var testNow = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// testServer is one running service with one account.
type testServer struct {
	t   *testing.T
	url string
	db  *store.DB
	key string
}

func newTestServer(t *testing.T, db *store.DB) *testServer {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	writer := ingest.NewWriter(db, log, nil)
	t.Cleanup(writer.Close)

	handler := web.New(web.Config{
		DB:     db,
		Writer: writer,
		Log:    log,
		Now:    func() time.Time { return testNow },
	})
	ts := httptest.NewServer(handler)
	t.Cleanup(ts.Close)

	s := &testServer{t: t, url: ts.URL, db: db}
	s.key = s.newAccount("Shop")
	return s
}

// newAccount creates an account with default country UA and returns its
// API key.
func (s *testServer) newAccount(name string) string {
	s.t.Helper()
	ctx := context.Background()
	account := &domain.Account{Name: name, TimeZone: "UTC", DefaultCountry: "UA"}
	if err := s.db.CreateAccount(ctx, account); err != nil {
		s.t.Fatalf("create account: %v", err)
	}
	key := fmt.Sprintf("vr_test_%s_%d", name, account.ID)
	if _, err := s.db.CreateAPIKey(ctx, account.ID, "test", key); err != nil {
		s.t.Fatalf("create api key: %v", err)
	}
	return key
}

// request sends a request with the given API key ("" for none) and
// returns the status and body.
func (s *testServer) request(method, path, key string, body []byte, header http.Header) (int, []byte) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.url+path, bytes.NewReader(body))
	if err != nil {
		s.t.Fatalf("new request: %v", err)
	}
	for name, values := range header {
		req.Header[name] = values
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp.StatusCode, out
}

// mustCall sends an authenticated JSON request, fails the test unless the
// status is want, and decodes the response body into out (when out is not nil).
func (s *testServer) mustCall(method, path string, body any, want int, out any) {
	s.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			s.t.Fatalf("marshal: %v", err)
		}
	}
	status, got := s.request(method, path, s.key, raw, nil)
	if status != want {
		s.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, status, want, got)
	}
	if out != nil {
		if err := json.Unmarshal(got, out); err != nil {
			s.t.Fatalf("%s %s: decode %s: %v", method, path, got, err)
		}
	}
}

// errorOf returns the "error" field of a JSON error body.
func errorOf(t *testing.T, body []byte) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("decode error body %s: %v", body, err)
	}
	return e.Error
}

type created struct {
	ID         int64  `json:"id"`
	WebhookURL string `json:"webhook_url"`
}

// fixture is a viber_bot connection, a message and a campaign with a
// one-hour TTL.
type fixture struct {
	provider created
	message  created
	campaign created
}

const botToken = "4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51f"

func (s *testServer) newFixture() fixture {
	s.t.Helper()
	var f fixture
	s.mustCall("POST", "/api/v1/providers", map[string]any{
		"kind": "viber_bot", "name": "Shop bot", "secret": botToken,
	}, http.StatusCreated, &f.provider)
	s.mustCall("POST", "/api/v1/messages", map[string]any{
		"name": "Spring sale", "text": "Spring sale: -20% on everything",
		"button_caption": "Shop now", "button_url": "https://shop.example/sale",
		"ttl_seconds": 86400, "tags": []string{"sale"},
	}, http.StatusCreated, &f.message)
	s.mustCall("POST", "/api/v1/campaigns", map[string]any{
		"name": "Spring sale, 1 March", "message_id": f.message.ID, "provider_id": f.provider.ID,
		"tags": []string{"sale", "spring"}, "ttl_seconds": 3600, "launched_by": "anna@shop.example",
		"started_at": "2025-03-01T10:00:00Z",
	}, http.StatusCreated, &f.campaign)
	return f
}

// postViber posts a Viber callback signed with the bot token to the
// connection's webhook.
func (s *testServer) postViber(providerID int64, body string) (int, []byte) {
	s.t.Helper()
	header := http.Header{}
	header.Set("X-Viber-Content-Signature", provider.SignViber(botToken, []byte(body)))
	header.Set("Content-Type", "application/json")
	return s.request("POST", fmt.Sprintf("/webhooks/%d", providerID), "", []byte(body), header)
}

// viberCallback returns a callback body about one message token.
func viberCallback(event string, at time.Time, token, userID, desc string) string {
	body := fmt.Sprintf(`{"event":%q,"timestamp":%d,"chat_hostname":"SN-CHAT-01_","message_token":%s,"user_id":%q`,
		event, at.UnixMilli(), token, userID)
	if desc != "" {
		body += fmt.Sprintf(`,"desc":%q`, desc)
	}
	return body + "}"
}

// report is the part of the report response the tests check.
type report struct {
	Metrics struct {
		Audience int64 `json:"audience"`
		NotSent  struct {
			Inaccessible int64 `json:"inaccessible"`
			Duplicate    int64 `json:"duplicate"`
		} `json:"not_sent"`
		Sent         int64 `json:"sent"`
		Delivered    int64 `json:"delivered"`
		Read         int64 `json:"read"`
		Clicked      int64 `json:"clicked"`
		Undelivered  int64 `json:"undelivered"`
		Expired      int64 `json:"expired"`
		Unsubscribed int64 `json:"unsubscribed"`
		Pending      int64 `json:"pending"`
	} `json:"metrics"`
	UndeliveredReasons map[string]int64 `json:"undelivered_reasons"`
	Rates              map[string]struct {
		Numerator       int64  `json:"numerator"`
		Denominator     int64  `json:"denominator"`
		DenominatorName string `json:"denominator_name"`
	} `json:"rates"`
	Campaign struct {
		ID         int64    `json:"id"`
		Name       string   `json:"name"`
		Tags       []string `json:"tags"`
		TTLSeconds int64    `json:"ttl_seconds"`
		LaunchedBy string   `json:"launched_by"`
	} `json:"campaign"`
}

func (s *testServer) report(campaignID int64) report {
	s.t.Helper()
	var r report
	s.mustCall("GET", fmt.Sprintf("/api/v1/campaigns/%d/report", campaignID), nil, http.StatusOK, &r)
	return r
}

// rawReport returns the report body, for comparing whole reports.
func (s *testServer) rawReport(campaignID int64) string {
	s.t.Helper()
	status, body := s.request("GET", fmt.Sprintf("/api/v1/campaigns/%d/report", campaignID), s.key, nil, nil)
	if status != http.StatusOK {
		s.t.Fatalf("report: status %d: %s", status, body)
	}
	return strings.TrimSpace(string(body))
}

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
