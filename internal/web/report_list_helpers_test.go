package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
)

// hyperlinkName is a contact name that a spreadsheet would run as a
// formula unless the export neutralises it.
const hyperlinkName = `=HYPERLINK("http://x.example","a")`

// seeded is a campaign with known figures: 7 contacts in the audience, one
// not sent (inaccessible), 6 sent, 4 delivered, 3 read, 2 clicked, 1
// undelivered (blocked) and 1 pending. The first contact is named
// hyperlinkName and clicked from Android.
type seeded struct {
	fixture
	campaignID int64
	accountID  int64
}

var seededCounts = map[string]int64{
	"audience": 7, "not_sent.inaccessible": 1, "sent": 6, "delivered": 4, "read": 3, "clicked": 2,
	"undelivered": 1, "undelivered.blocked": 1, "pending": 1, "expired": 0, "unsubscribed": 0,
}

// seedCampaign creates a campaign named name with the figures above. Its
// contacts' phones start with phonePrefix, 9 digits after +380, so several
// campaigns of one account can have their own contacts.
func (s *testServer) seedCampaign(f fixture, name, phonePrefix string, started time.Time) seeded {
	s.t.Helper()
	ctx := context.Background()
	accountID, err := s.db.AccountByAPIKey(ctx, s.key)
	if err != nil {
		s.t.Fatalf("AccountByAPIKey: %v", err)
	}
	sd := seeded{fixture: f, accountID: accountID}

	var c created
	s.mustCall("POST", "/api/v1/campaigns", map[string]any{
		"name": name, "message_id": f.message.ID, "provider_id": f.provider.ID,
		"tags": []string{"sale", "Весна"}, "ttl_seconds": 86400, "started_at": started.Format(time.RFC3339),
	}, http.StatusCreated, &c)
	sd.campaignID = c.ID

	phone := func(i int) string { return fmt.Sprintf("+380%s%d", phonePrefix, i) }
	contact := &domain.Contact{AccountID: accountID, Phone: phone(1), FirstName: hyperlinkName, LastName: "Shevchenko"}
	if err := s.db.CreateContact(ctx, contact); err != nil {
		s.t.Fatalf("CreateContact: %v", err)
	}

	var deliveries []map[string]any
	for i := 1; i <= 6; i++ {
		deliveries = append(deliveries, map[string]any{
			"phone": phone(i), "language": []string{"uk", "en"}[i%2],
			"provider_message_id": fmt.Sprintf("%d-msg-%d", c.ID, i), "sent_at": started.Format(time.RFC3339),
		})
	}
	deliveries = append(deliveries, map[string]any{"phone": phone(7), "not_sent_reason": "inaccessible"})
	s.mustCall("POST", fmt.Sprintf("/api/v1/campaigns/%d/deliveries", c.ID), deliveries, http.StatusOK, nil)

	event := func(i int, status string, minutes int, extra map[string]any) map[string]any {
		e := map[string]any{
			"provider_id": f.provider.ID, "provider_message_id": fmt.Sprintf("%d-msg-%d", c.ID, i),
			"status": status, "timestamp": started.Add(time.Duration(minutes) * time.Minute).Format(time.RFC3339),
		}
		for k, v := range extra {
			e[k] = v
		}
		return e
	}
	events := []map[string]any{
		event(1, "delivered", 1, nil), event(1, "read", 2, nil),
		event(1, "clicked", 20, map[string]any{"link": "https://shop.example/a", "device_os": "android"}),
		event(2, "delivered", 1, nil), event(2, "read", 31, nil),
		event(3, "delivered", 2, nil),
		event(4, "failed", 1, map[string]any{"reason": "blocked"}),
		event(5, "delivered", 16, nil),
		event(5, "clicked", 46, map[string]any{"link": "https://shop.example/b"}),
	}
	s.mustCall("POST", "/api/v1/events", events, http.StatusOK, nil)
	return sd
}

// download is a CSV response.
type download struct {
	status int
	header http.Header
	body   []byte
}

// get sends an authenticated GET with key and returns the whole response.
func (s *testServer) get(path, key string) download {
	s.t.Helper()
	req, err := http.NewRequest("GET", s.url+path, nil)
	if err != nil {
		s.t.Fatalf("new request: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("GET %s: read body: %v", path, err)
	}
	return download{status: resp.StatusCode, header: resp.Header, body: body}
}

// records parses a CSV body after its optional byte order mark.
func records(t *testing.T, body []byte) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\xEF\xBB\xBF"))))
	all, err := r.ReadAll()
	if err != nil {
		t.Fatalf("parse CSV: %v\n%s", err, body)
	}
	return all
}

// column returns the index of name in a CSV header.
func column(t *testing.T, header []string, name string) int {
	t.Helper()
	for i, h := range header {
		if h == name {
			return i
		}
	}
	t.Fatalf("column %q missing from header %s", name, strings.Join(header, ","))
	return -1
}

// metricContactIDs pages through a metric's contact list, two contacts a
// page, and returns its delivery ids in order.
func (s *testServer) metricContactIDs(campaignID int64, metric string) []string {
	s.t.Helper()
	ids, cursor := []string{}, ""
	for {
		var page struct {
			Contacts []struct {
				DeliveryID int64 `json:"delivery_id"`
			} `json:"contacts"`
			NextCursor *string `json:"next_cursor"`
		}
		path := fmt.Sprintf("/api/v1/campaigns/%d/contacts?metric=%s&limit=2&cursor=%s", campaignID, metric, cursor)
		s.mustCall("GET", path, nil, http.StatusOK, &page)
		for _, c := range page.Contacts {
			ids = append(ids, fmt.Sprint(c.DeliveryID))
		}
		if page.NextCursor == nil {
			return ids
		}
		cursor = *page.NextCursor
	}
}
