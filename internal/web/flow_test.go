package web_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/vibereport/vibereport/internal/store"
	"github.com/vibereport/vibereport/internal/store/storetest"
)

type registered struct {
	Registered []struct {
		DeliveryID int64  `json:"delivery_id"`
		ContactID  int64  `json:"contact_id"`
		Outcome    string `json:"outcome"`
	} `json:"registered"`
}

type contactsPage struct {
	Contacts []struct {
		DeliveryID        int64   `json:"delivery_id"`
		Phone             string  `json:"phone"`
		ViberUserID       string  `json:"viber_user_id"`
		Status            string  `json:"status"`
		ProviderMessageID string  `json:"provider_message_id"`
		ReadAt            *string `json:"read_at"`
		FailureReason     string  `json:"failure_reason"`
	} `json:"contacts"`
	NextCursor *string `json:"next_cursor"`
}

// tokenBase is above 2^53, so a float64 round trip would change its digits.
const tokenBase = 5491838382829109240

func token(i int) string { return fmt.Sprint(tokenBase + i) }

// TestReportOnlyFlow registers ten deliveries of a campaign sent through a
// Viber bot, posts signed callbacks, and checks the report and contact
// lists. Deliveries 0-8 were sent at 10:00 with a one-hour TTL; the server
// clock reads 12:00, so the two without a final status expire.
func TestReportOnlyFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newTestServer(t, db)
		f := s.newFixture()

		sentAt := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
		var deliveries []map[string]any
		for i := range 9 {
			item := map[string]any{
				"viber_user_id":       fmt.Sprintf("user-%d", i),
				"language":            "uk",
				"provider_message_id": rawNumber(token(i)),
				"sent_at":             sentAt.UnixMilli(),
			}
			if i < 2 {
				// A national UA number and an international one.
				item["phone"] = []string{"067 123 45 60", "+380671234561"}[i]
				delete(item, "viber_user_id")
				item["sent_at"] = sentAt.Format(time.RFC3339)
				item["provider_message_id"] = token(i)
			}
			deliveries = append(deliveries, item)
		}
		deliveries = append(deliveries, map[string]any{"phone": "+380671234569", "not_sent_reason": "inaccessible"})

		var reg registered
		s.mustCall("POST", fmt.Sprintf("/api/v1/campaigns/%d/deliveries", f.campaign.ID),
			map[string]any{"deliveries": deliveries}, http.StatusOK, &reg)
		if len(reg.Registered) != 10 {
			t.Fatalf("registered %d deliveries, want 10", len(reg.Registered))
		}
		ids := make([]int64, 10)
		for i, r := range reg.Registered {
			ids[i] = r.DeliveryID
			if r.Outcome != "created" {
				t.Errorf("delivery %d: outcome %q, want created", i, r.Outcome)
			}
		}

		at := func(minutes int) time.Time { return sentAt.Add(time.Duration(minutes) * time.Minute) }
		callbacks := []string{
			viberCallback("delivered", at(1), token(0), "user-0", ""),
			viberCallback("seen", at(2), token(0), "user-0", ""),
			viberCallback("delivered", at(1), token(1), "user-1", ""),
			viberCallback("seen", at(3), token(1), "user-1", ""),
			viberCallback("delivered", at(1), token(2), "user-2", ""),
			viberCallback("seen", at(4), token(2), "user-2", ""),
			viberCallback("delivered", at(1), token(3), "user-3", ""),
			viberCallback("delivered", at(2), token(4), "user-4", ""),
			viberCallback("failed", at(1), token(5), "user-5", "receiver not registered"),
			// A seen report with no delivered report implies delivery.
			viberCallback("seen", at(5), token(6), "user-6", ""),
			// Viber repeats callbacks: the replay must change nothing.
			viberCallback("delivered", at(1), token(0), "user-0", ""),
		}
		for i, body := range callbacks {
			if status, got := s.postViber(f.provider.ID, body); status != http.StatusOK {
				t.Fatalf("callback %d: status %d: %s", i, status, got)
			}
		}

		r := s.report(f.campaign.ID)
		counts := []struct {
			name      string
			got, want int64
		}{
			{"audience", r.Metrics.Audience, 10},
			{"not_sent.inaccessible", r.Metrics.NotSent.Inaccessible, 1},
			{"sent", r.Metrics.Sent, 9},
			{"delivered", r.Metrics.Delivered, 6},
			{"read", r.Metrics.Read, 4},
			{"clicked", r.Metrics.Clicked, 0},
			{"undelivered", r.Metrics.Undelivered, 3},
			{"expired", r.Metrics.Expired, 2},
			{"pending", r.Metrics.Pending, 0},
			{"undelivered.not_viber_user", r.UndeliveredReasons["not_viber_user"], 1},
			{"undelivered.expired", r.UndeliveredReasons["expired"], 2},
			{"rates.delivered.numerator", r.Rates["delivered"].Numerator, 6},
			{"rates.delivered.denominator", r.Rates["delivered"].Denominator, 9},
			{"rates.read.denominator", r.Rates["read"].Denominator, 6},
		}
		for _, c := range counts {
			if c.got != c.want {
				t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
			}
		}
		if r.Campaign.Name != "Spring sale, 1 March" {
			t.Errorf("campaign name = %q", r.Campaign.Name)
		}
		if r.Campaign.TTLSeconds != 3600 {
			t.Errorf("campaign ttl_seconds = %d, want 3600", r.Campaign.TTLSeconds)
		}
		if !slices.Equal(r.Campaign.Tags, []string{"sale", "spring"}) {
			t.Errorf("campaign tags = %q, want [sale spring]", r.Campaign.Tags)
		}

		// Pages of four: every sent delivery once, in delivery order.
		var pages [][]int64
		cursor := ""
		for range 5 {
			var page contactsPage
			s.mustCall("GET", fmt.Sprintf("/api/v1/campaigns/%d/contacts?metric=sent&limit=4&cursor=%s", f.campaign.ID, cursor),
				nil, http.StatusOK, &page)
			var pageIDs []int64
			for _, c := range page.Contacts {
				pageIDs = append(pageIDs, c.DeliveryID)
			}
			pages = append(pages, pageIDs)
			if page.NextCursor == nil {
				break
			}
			cursor = *page.NextCursor
		}
		wantPages := [][]int64{ids[0:4], ids[4:8], ids[8:9]}
		if len(pages) != len(wantPages) {
			t.Fatalf("sent pages = %v, want %v", pages, wantPages)
		}
		for i := range wantPages {
			if !slices.Equal(pages[i], wantPages[i]) {
				t.Errorf("sent page %d = %v, want %v", i, pages[i], wantPages[i])
			}
		}

		var read contactsPage
		s.mustCall("GET", fmt.Sprintf("/api/v1/campaigns/%d/contacts?metric=read", f.campaign.ID), nil, http.StatusOK, &read)
		var readIDs []int64
		for _, c := range read.Contacts {
			readIDs = append(readIDs, c.DeliveryID)
		}
		if want := []int64{ids[0], ids[1], ids[2], ids[6]}; !slices.Equal(readIDs, want) {
			t.Errorf("read contacts = %v, want %v", readIDs, want)
		}
		if read.NextCursor != nil {
			t.Errorf("read next_cursor = %q, want null", *read.NextCursor)
		}
		first := read.Contacts[0]
		if first.Phone != "+380671234560" {
			t.Errorf("read[0].phone = %q, want +380671234560", first.Phone)
		}
		if first.ProviderMessageID != token(0) {
			t.Errorf("read[0].provider_message_id = %q, want %s", first.ProviderMessageID, token(0))
		}
		if first.Status != "read" {
			t.Errorf("read[0].status = %q, want read", first.Status)
		}
		if first.ReadAt == nil || *first.ReadAt != "2025-03-01T10:02:00Z" {
			t.Errorf("read[0].read_at = %v, want 2025-03-01T10:02:00Z", first.ReadAt)
		}
		if read.Contacts[3].ViberUserID != "user-6" {
			t.Errorf("read[3].viber_user_id = %q, want user-6", read.Contacts[3].ViberUserID)
		}

		var expired contactsPage
		s.mustCall("GET", fmt.Sprintf("/api/v1/campaigns/%d/contacts?metric=expired", f.campaign.ID), nil, http.StatusOK, &expired)
		var expiredIDs []int64
		for _, c := range expired.Contacts {
			expiredIDs = append(expiredIDs, c.DeliveryID)
		}
		if want := []int64{ids[7], ids[8]}; !slices.Equal(expiredIDs, want) {
			t.Errorf("expired contacts = %v, want %v", expiredIDs, want)
		}
	})
}

// rawNumber marks a provider message id to be sent as a bare JSON
// integer rather than a string.
type rawNumber string

func (n rawNumber) MarshalJSON() ([]byte, error) { return []byte(n), nil }

func TestEventsAPICountsNewAndParked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newTestServer(t, db)
		f := s.newFixture()
		s.mustCall("POST", fmt.Sprintf("/api/v1/campaigns/%d/deliveries", f.campaign.ID),
			fmt.Sprintf(`[{"viber_user_id":"user-0","provider_message_id":%s,"sent_at":"2025-03-01T11:50:00Z"},`+
				`{"viber_user_id":"user-0","provider_message_id":"repeat","sent_at":"2025-03-01T11:50:00Z"}]`, token(0)),
			http.StatusOK, nil)

		// NDJSON: one event for the registered message, one for a message
		// registered later.
		batch := fmt.Sprintf("{\"provider_id\":%d,\"provider_message_id\":%s,\"status\":\"read\",\"timestamp\":1740830000000}\n"+
			"\n{\"provider_id\":%d,\"provider_message_id\":\"later\",\"status\":\"delivered\",\"timestamp\":\"2025-03-01T11:55:00Z\"}\n",
			f.provider.ID, token(0), f.provider.ID)

		type ingestResult struct {
			Accepted int `json:"accepted"`
			New      int `json:"new"`
			Parked   int `json:"parked"`
		}
		var first, replay ingestResult
		s.mustCall("POST", "/api/v1/events", batch, http.StatusOK, &first)
		s.mustCall("POST", "/api/v1/events", batch, http.StatusOK, &replay)

		if want := (ingestResult{Accepted: 2, New: 2, Parked: 1}); first != want {
			t.Errorf("first post = %+v, want %+v", first, want)
		}
		if want := (ingestResult{Accepted: 2, New: 0, Parked: 0}); replay != want {
			t.Errorf("replay = %+v, want %+v", replay, want)
		}

		r := s.report(f.campaign.ID)
		if r.Metrics.Read != 1 {
			t.Errorf("read = %d, want 1", r.Metrics.Read)
		}
		if r.Metrics.NotSent.Duplicate != 1 {
			t.Errorf("not_sent.duplicate = %d, want 1", r.Metrics.NotSent.Duplicate)
		}
	})
}
