package e2e_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "github.com/mattn/go-sqlite3"    // registers the "sqlite3" database/sql driver

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/provider"
	"github.com/vibereport/vibereport/internal/report"
)

// viberTokenBase is above 2^53, so a token that passed through a float64
// anywhere would come back with different digits.
const viberTokenBase uint64 = 5491838382829100000

// viberToken returns the message_token of delivery i.
func viberToken(i int) string {
	return strconv.FormatUint(viberTokenBase+uint64(i), 10)
}

// contactPhone returns the phone of delivery i, a valid Ukrainian mobile
// number that is distinct for every i below 10,000,000.
func contactPhone(i int) string {
	return fmt.Sprintf("+38067%07d", i)
}

// viberBody returns a Viber Bot API callback body. extra, when not empty,
// is one more JSON member such as `"chat_hostname":"SN-CHAT-07_"`, which
// changes the bytes but not the event.
func viberBody(event, token string, at time.Time, userID, extra string) []byte {
	if extra != "" {
		extra = "," + extra
	}
	return fmt.Appendf(nil, `{"event":%q,"timestamp":%d%s,"message_token":%s,"user_id":%q}`,
		event, at.UnixMilli(), extra, token, userID)
}

// newTransport returns a keep-alive transport for clients concurrent
// requests to one loopback host. It never uses a proxy.
func newTransport(clients int) *http.Transport {
	return &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        clients,
		MaxIdleConnsPerHost: clients,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
}

// postCallback posts a signed Viber callback and returns the status code.
// The response body is drained so the connection is reused.
func postCallback(ctx context.Context, client *http.Client, url, authToken string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Viber-Content-Signature", provider.SignViber(authToken, body))
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, err
}

// apiClient calls the JSON API of one running server with one API key.
type apiClient struct {
	base   string
	key    string
	client *http.Client
}

func newAPIClient(base, key string) *apiClient {
	return &apiClient{base: base, key: key, client: &http.Client{Transport: newTransport(4), Timeout: time.Minute}}
}

// call sends in as JSON (nil for no body), expects status want and decodes
// the response into out when out is not nil.
func (c *apiClient) call(t testing.TB, method, path string, in, out any, want int) {
	t.Helper()
	var body io.Reader
	if in != nil {
		encoded, err := json.Marshal(in)
		if err != nil {
			t.Fatalf("%s %s: encode request: %v", method, path, err)
		}
		body = bytes.NewReader(encoded)
	}

	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Content-Type", "application/json")

	resp, err := c.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read response: %v", method, path, err)
	}

	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: decode response %s: %v", method, path, raw, err)
		}
	}
}

// campaignFixture is a Viber bot connection and one campaign through it.
type campaignFixture struct {
	providerID int64
	campaignID int64
	// authToken is the bot's auth token, which keys callback signatures.
	authToken string
}

// webhookURL returns the connection's webhook URL on the client's server.
func (f campaignFixture) webhookURL(c *apiClient) string {
	return fmt.Sprintf("%s/webhooks/%d", c.base, f.providerID)
}

// createCampaign creates a Viber bot connection, a message with a TTL of
// 14 days (so nothing expires during a test) and a campaign of it.
func createCampaign(t testing.TB, c *apiClient, authToken string) campaignFixture {
	t.Helper()
	f := campaignFixture{authToken: authToken}

	var created struct {
		ID int64 `json:"id"`
	}
	c.call(t, http.MethodPost, "/api/v1/providers",
		map[string]any{"kind": "viber_bot", "name": "Bot", "secret": authToken}, &created, http.StatusCreated)
	f.providerID = created.ID

	c.call(t, http.MethodPost, "/api/v1/messages",
		map[string]any{"name": "Sale", "text": "Spring sale", "ttl_seconds": 1209600}, &created, http.StatusCreated)
	messageID := created.ID

	c.call(t, http.MethodPost, "/api/v1/campaigns",
		map[string]any{"name": "Sale", "message_id": messageID, "provider_id": f.providerID}, &created, http.StatusCreated)
	f.campaignID = created.ID
	return f
}

// registerDeliveries registers deliveries first ... first+n-1 as sent at
// sentAt, with their tokens sent as JSON integers, in requests of at most
// 10,000 (the API's limit).
func registerDeliveries(t testing.TB, c *apiClient, campaignID int64, first, n int, sentAt time.Time) {
	t.Helper()
	type item struct {
		Phone             string          `json:"phone"`
		ProviderMessageID json.RawMessage `json:"provider_message_id"`
		SentAt            time.Time       `json:"sent_at"`
	}
	const perRequest = 10_000
	path := fmt.Sprintf("/api/v1/campaigns/%d/deliveries", campaignID)
	for start := first; start < first+n; start += perRequest {
		end := min(start+perRequest, first+n)
		items := make([]item, 0, end-start)
		for i := start; i < end; i++ {
			items = append(items, item{Phone: contactPhone(i), ProviderMessageID: json.RawMessage(viberToken(i)), SentAt: sentAt})
		}
		var out struct {
			Registered []struct {
				Outcome string `json:"outcome"`
			} `json:"registered"`
		}
		c.call(t, http.MethodPost, path, map[string]any{"deliveries": items}, &out, http.StatusOK)
		if len(out.Registered) != len(items) {
			t.Fatalf("register deliveries %d-%d: %d results, want %d", start, end-1, len(out.Registered), len(items))
		}
	}
}

// contactRow is the part of a contact-list row the tests read.
type contactRow struct {
	DeliveryID        int64      `json:"delivery_id"`
	ProviderMessageID string     `json:"provider_message_id"`
	Status            string     `json:"status"`
	SentAt            *time.Time `json:"sent_at"`
	DeliveredAt       *time.Time `json:"delivered_at"`
	ReadAt            *time.Time `json:"read_at"`
}

// metricContacts returns every contact of a metric, following cursors.
func metricContacts(t testing.TB, c *apiClient, campaignID int64, metric domain.Metric) []contactRow {
	t.Helper()
	var all []contactRow
	cursor := ""
	for page := 0; ; page++ {
		if page > 10_000 {
			t.Fatalf("contacts of %s: more than 10,000 pages: the cursor does not advance", metric)
		}
		path := fmt.Sprintf("/api/v1/campaigns/%d/contacts?metric=%s&limit=1000", campaignID, metric)
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		var out struct {
			Contacts   []contactRow `json:"contacts"`
			NextCursor *string      `json:"next_cursor"`
		}
		c.call(t, http.MethodGet, path, nil, &out, http.StatusOK)
		all = append(all, out.Contacts...)
		if out.NextCursor == nil {
			return all
		}
		cursor = *out.NextCursor
	}
}

// reportCount returns a metric's count from a report.
func reportCount(r *report.Report, m domain.Metric) int64 {
	switch m {
	case domain.MetricAudience:
		return r.Metrics.Audience
	case domain.MetricNotSent:
		return r.Metrics.NotSent.Total()
	case domain.MetricSent:
		return r.Metrics.Sent
	case domain.MetricDelivered:
		return r.Metrics.Delivered
	case domain.MetricRead:
		return r.Metrics.Read
	case domain.MetricClicked:
		return r.Metrics.Clicked
	case domain.MetricUndelivered:
		return r.Metrics.Undelivered
	case domain.MetricExpired:
		return r.Metrics.Expired
	case domain.MetricUnsubscribed:
		return r.Metrics.Unsubscribed
	case domain.MetricPending:
		return r.Metrics.Pending
	case domain.NotSentMetric(domain.NotSentInaccessible):
		return r.Metrics.NotSent.Inaccessible
	case domain.NotSentMetric(domain.NotSentOverPlanLimit):
		return r.Metrics.NotSent.OverPlanLimit
	case domain.NotSentMetric(domain.NotSentAnnoyanceLimit):
		return r.Metrics.NotSent.AnnoyanceLimit
	case domain.NotSentMetric(domain.NotSentDuplicate):
		return r.Metrics.NotSent.Duplicate
	}
	if reason, ok := strings.CutPrefix(string(m), "undelivered."); ok {
		return r.UndeliveredReasons[reason]
	}
	return -1
}

// checkReportMatchesLists fetches the campaign's report and checks that
// every metric's count equals the length of its contact list. It returns
// the report.
func checkReportMatchesLists(t testing.TB, c *apiClient, campaignID int64) *report.Report {
	t.Helper()
	var r report.Report
	c.call(t, http.MethodGet, fmt.Sprintf("/api/v1/campaigns/%d/report", campaignID), nil, &r, http.StatusOK)
	for _, m := range domain.AllMetrics() {
		listed := int64(len(metricContacts(t, c, campaignID, m)))
		if got := reportCount(&r, m); got != listed {
			t.Errorf("report %s = %d, but its contact list has %d contacts", m, got, listed)
		}
	}
	return &r
}

// openRawDB opens the store behind dsn with database/sql, for checks that
// read tables the API does not expose.
func openRawDB(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	var (
		db  *sql.DB
		err error
	)
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		db, err = sql.Open("pgx", dsn)
	} else {
		db, err = sql.Open("sqlite3", "file:"+dsn+"?_busy_timeout=10000")
	}
	if err != nil {
		t.Fatalf("open store for checks: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
