package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
)

type campaignRequest struct {
	Name       string          `json:"name"`
	MessageID  int64           `json:"message_id"`
	ProviderID int64           `json:"provider_id"`
	Tags       []string        `json:"tags"`
	TTLSeconds *int64          `json:"ttl_seconds"`
	SegmentID  int64           `json:"segment_id"`
	LaunchedBy string          `json:"launched_by"`
	StartedAt  json.RawMessage `json:"started_at"`
}

type campaignResponse struct {
	ID               int64      `json:"id"`
	Name             string     `json:"name"`
	MessageID        int64      `json:"message_id"`
	ProviderID       int64      `json:"provider_id"`
	SegmentID        int64      `json:"segment_id,omitempty"`
	Tags             []string   `json:"tags"`
	TTLSeconds       int64      `json:"ttl_seconds"`
	LaunchedBy       string     `json:"launched_by"`
	SegmentUpdatedAt *time.Time `json:"segment_updated_at"`
	StartedAt        *time.Time `json:"started_at"`
	FinishedAt       *time.Time `json:"finished_at"`
	DeletedAt        *time.Time `json:"deleted_at"`
	CreatedAt        time.Time  `json:"created_at"`
}

func (s *Server) createCampaign(w http.ResponseWriter, r *http.Request, account *domain.Account) error {
	var req campaignRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}

	name := strings.TrimSpace(req.Name)
	if name == "" {
		return badRequest("name: missing: name the campaign, such as \"Spring sale, 1 March\"")
	}
	if req.MessageID <= 0 {
		return badRequest("message_id: missing: create the message with POST /api/v1/messages and pass its id")
	}
	if req.ProviderID <= 0 {
		return badRequest("provider_id: missing: create the connection with POST /api/v1/providers and pass its id")
	}
	message, err := s.db.Message(r.Context(), account.ID, req.MessageID)
	if isNotFound(err) {
		return badRequest("message_id: no message %d in this account: pass the id of one of your messages", req.MessageID)
	}
	if err != nil {
		return err
	}
	_, err = s.db.AccountProviderConnection(r.Context(), account.ID, req.ProviderID)
	if isNotFound(err) {
		return badRequest("provider_id: no provider connection %d in this account: pass the id of one of your connections", req.ProviderID)
	}
	if err != nil {
		return err
	}
	var segment *domain.Segment
	if req.SegmentID != 0 {
		segment, err = s.db.Segment(r.Context(), account.ID, req.SegmentID)
		if isNotFound(err) {
			return badRequest("segment_id: segment %d not found in this account: create it with POST /api/v1/segments", req.SegmentID)
		}
		if err != nil {
			return err
		}
	}

	ttl := message.TTL
	if req.TTLSeconds != nil {
		if ttl, err = parseTTL(*req.TTLSeconds); err != nil {
			return err
		}
	}
	tags, err := cleanTags(req.Tags)
	if err != nil {
		return err
	}
	startedAt, err := parseTime(req.StartedAt, "started_at")
	if err != nil {
		return err
	}

	c := &domain.Campaign{
		AccountID:  account.ID,
		Name:       name,
		MessageID:  message.ID,
		ProviderID: req.ProviderID,
		Tags:       tags,
		TTL:        ttl,
		LaunchedBy: strings.TrimSpace(req.LaunchedBy),
		StartedAt:  startedAt,
	}
	if segment != nil {
		// The report shows when the segment was last edited as of launch.
		c.SegmentID, c.SegmentUpdatedAt = segment.ID, segment.UpdatedAt
	}
	if err := s.db.CreateCampaign(r.Context(), c); err != nil {
		return err
	}
	s.log.Info("campaign created", "account_id", account.ID, "campaign_id", c.ID)
	writeJSON(w, http.StatusCreated, campaignJSON(c))
	return nil
}

func (s *Server) getCampaign(w http.ResponseWriter, r *http.Request, account *domain.Account) error {
	c, err := s.campaign(r, account)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, campaignJSON(c))
	return nil
}

// campaign loads the campaign named by the {id} path value in the
// caller's account; another account's campaign is not found.
func (s *Server) campaign(r *http.Request, account *domain.Account) (*domain.Campaign, error) {
	id, err := pathID(r, "campaign")
	if err != nil {
		return nil, err
	}
	return s.db.Campaign(r.Context(), account.ID, id)
}

func campaignJSON(c *domain.Campaign) campaignResponse {
	tags := c.Tags
	if tags == nil {
		tags = []string{}
	}
	return campaignResponse{
		ID:               c.ID,
		Name:             c.Name,
		MessageID:        c.MessageID,
		ProviderID:       c.ProviderID,
		SegmentID:        c.SegmentID,
		Tags:             tags,
		TTLSeconds:       seconds(c.TTL),
		LaunchedBy:       c.LaunchedBy,
		SegmentUpdatedAt: timeOrNil(c.SegmentUpdatedAt),
		StartedAt:        timeOrNil(c.StartedAt),
		FinishedAt:       timeOrNil(c.FinishedAt),
		DeletedAt:        timeOrNil(c.DeletedAt),
		CreatedAt:        c.CreatedAt.Truncate(time.Millisecond),
	}
}
