package web_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/vibereport/vibereport/internal/store"
	"github.com/vibereport/vibereport/internal/store/storetest"
)

func TestCampaignSegment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newTestServer(t, db)
		f := s.newFixture()

		var segment struct {
			ID        int64     `json:"id"`
			UpdatedAt time.Time `json:"updated_at"`
		}
		s.mustCall("POST", "/api/v1/segments", map[string]any{"name": "Kyiv"}, http.StatusCreated, &segment)

		var campaign struct {
			ID               int64     `json:"id"`
			SegmentID        int64     `json:"segment_id"`
			SegmentUpdatedAt time.Time `json:"segment_updated_at"`
		}
		s.mustCall("POST", "/api/v1/campaigns", map[string]any{
			"name": "Kyiv only", "message_id": f.message.ID, "provider_id": f.provider.ID, "segment_id": segment.ID,
		}, http.StatusCreated, &campaign)
		s.mustCall("GET", fmt.Sprintf("/api/v1/campaigns/%d", campaign.ID), nil, http.StatusOK, &campaign)
		if campaign.SegmentID != segment.ID {
			t.Errorf("segment_id = %d, want %d", campaign.SegmentID, segment.ID)
		}
		if !campaign.SegmentUpdatedAt.Equal(segment.UpdatedAt.Truncate(time.Millisecond)) {
			t.Errorf("segment_updated_at = %v, want %v", campaign.SegmentUpdatedAt, segment.UpdatedAt)
		}

		otherKey := s.newAccount("Other")
		var other struct {
			ID int64 `json:"id"`
		}
		status, body := s.request("POST", "/api/v1/segments", otherKey, []byte(`{"name":"Theirs"}`), nil)
		if status != http.StatusCreated {
			t.Fatalf("other account's segment: status %d", status)
		}
		if err := jsonUnmarshal(body, &other); err != nil {
			t.Fatal(err)
		}
		status, body = s.request("POST", "/api/v1/campaigns", s.key, []byte(fmt.Sprintf(
			`{"name":"X","message_id":%d,"provider_id":%d,"segment_id":%d}`, f.message.ID, f.provider.ID, other.ID)), nil)
		if status != http.StatusBadRequest {
			t.Errorf("foreign segment: status %d, want 400", status)
		}
		want := fmt.Sprintf("segment_id: segment %d not found in this account: create it with POST /api/v1/segments", other.ID)
		if got := errorOf(t, body); got != want {
			t.Errorf("foreign segment: error %q, want %q", got, want)
		}
	})
}
