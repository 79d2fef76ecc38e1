package demo

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
)

// filler creates the demo campaigns of one account.
type filler struct {
	cfg     Config
	api     *apiClient
	rng     *rand.Rand
	account *domain.Account
	conn    *domain.ProviderConnection
	log     *slog.Logger
}

// deliveryJSON is one item of a registration request.
type deliveryJSON struct {
	Phone             string `json:"phone"`
	Language          string `json:"language,omitempty"`
	ProviderMessageID string `json:"provider_message_id,omitempty"`
	SentAt            string `json:"sent_at,omitempty"`
	NotSentReason     string `json:"not_sent_reason,omitempty"`
}

// runCampaign creates the message and the campaign through the API,
// registers its deliveries and schedules the sandbox callbacks of those
// that were sent.
func (f *filler) runCampaign(ctx context.Context, index int, spec *campaignSpec, contacts []contactSpec) (CampaignResult, error) {
	var message struct {
		ID int64 `json:"id"`
	}
	if err := f.api.call(ctx, http.MethodPost, "/api/v1/messages", spec.messageRequest(f.cfg.BaseURL), &message); err != nil {
		return CampaignResult{}, fmt.Errorf("demo: create message %q: %w", spec.messageName, err)
	}

	start := spec.startTime(time.Now(), f.account.Location())
	var campaign struct {
		ID int64 `json:"id"`
	}
	err := f.api.call(ctx, http.MethodPost, "/api/v1/campaigns", map[string]any{
		"name":        spec.name,
		"message_id":  message.ID,
		"provider_id": f.conn.ID,
		"tags":        spec.tags,
		"ttl_seconds": int64(spec.ttl / time.Second),
		"launched_by": launchedBy,
		"started_at":  start.UTC().Format(time.RFC3339),
	}, &campaign)
	if err != nil {
		return CampaignResult{}, fmt.Errorf("demo: create campaign %q: %w", spec.name, err)
	}

	items := f.audience(index, spec, contacts, start)
	if err := f.register(ctx, campaign.ID, items); err != nil {
		return CampaignResult{}, err
	}
	f.log.Info("demo campaign registered", "account_id", f.account.ID, "campaign_id", campaign.ID,
		"name", spec.name, "deliveries", len(items))
	return CampaignResult{ID: campaign.ID, Name: spec.name, Tags: spec.tags}, nil
}

// audience picks the campaign's contacts and decides, for each, whether it
// was sent or left out and why. Unsubscribed contacts are inaccessible, and
// a few contacts appear twice so that the report shows duplicates.
func (f *filler) audience(index int, spec *campaignSpec, contacts []contactSpec, start time.Time) []deliveryJSON {
	var items []deliveryJSON
	for i := range contacts {
		c := &contacts[i]
		if f.rng.Float64() >= spec.audience {
			continue
		}
		item := deliveryJSON{Phone: c.Phone, Language: c.Language}
		switch x := f.rng.Float64(); {
		case c.unsubscribed:
			item.NotSentReason = string(domain.NotSentInaccessible)
		case x < spec.overPlanLimit:
			item.NotSentReason = string(domain.NotSentOverPlanLimit)
		case x < spec.overPlanLimit+spec.annoyanceLimit:
			item.NotSentReason = string(domain.NotSentAnnoyanceLimit)
		}
		items = append(items, item)
	}
	for range min(spec.duplicates, len(items)) {
		repeat := items[f.rng.IntN(len(items))]
		repeat.NotSentReason = ""
		items = append(items, repeat)
	}

	// Sent messages leave evenly over the sending spread, in list order.
	for i := range items {
		if items[i].NotSentReason != "" {
			continue
		}
		sentAt := start.Add(sendingSpread * time.Duration(i) / time.Duration(len(items)))
		items[i].SentAt = sentAt.UTC().Format("2006-01-02T15:04:05.000Z07:00")
		items[i].ProviderMessageID = fmt.Sprintf("sbx-%d-%d-%06d", f.conn.ID, index+1, i)
	}
	return items
}

// register posts the deliveries in chunks. The service's deliveries
// handler schedules the sandbox callbacks of those that are new and sent.
func (f *filler) register(ctx context.Context, campaignID int64, items []deliveryJSON) error {
	for start := 0; start < len(items); start += registrationChunk {
		chunk := items[start:min(start+registrationChunk, len(items))]
		var response struct {
			Registered []struct {
				Outcome string `json:"outcome"`
			} `json:"registered"`
		}
		path := fmt.Sprintf("/api/v1/campaigns/%d/deliveries", campaignID)
		if err := f.api.call(ctx, http.MethodPost, path, map[string]any{"deliveries": chunk}, &response); err != nil {
			return fmt.Errorf("demo: register deliveries: %w", err)
		}
		if len(response.Registered) != len(chunk) {
			return fmt.Errorf("demo: register deliveries: sent %d, the service returned %d results", len(chunk), len(response.Registered))
		}
	}
	return nil
}
