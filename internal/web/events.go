package web

import (
	"io"
	"net/http"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/ingest"
	"github.com/vibereport/vibereport/internal/provider"
)

// canonicalKind labels events sent to the events API in metrics.
const canonicalKind = "canonical"

type ingestResponse struct {
	// Accepted counts the events in the batch.
	Accepted int `json:"accepted"`
	// New counts events not seen before. The rest were replays.
	New int `json:"new"`
	// Parked counts new events whose delivery is not registered yet. They
	// apply when it is.
	Parked int `json:"parked"`
}

// ingestEvents accepts a canonical batch from a system that collects
// provider statuses itself. Each item names its provider connection, which
// must belong to the caller's account.
func (s *Server) ingestEvents(w http.ResponseWriter, r *http.Request, account *domain.Account) error {
	receivedAt := s.now().UTC()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	events, err := provider.ParseCanonical(body)
	if err != nil {
		return badRequest("%v", err)
	}

	owned := map[int64]bool{}
	items := make([]ingest.Item, len(events))
	for i, e := range events {
		if e.ProviderID == 0 {
			return badRequest("item %d: missing provider_id: set the id of the provider connection that sent the message", i)
		}
		if field := eventFieldWithNUL(e.Event); field != "" {
			return badRequest("item %d: %s: %s", i, field, nulFix)
		}
		if !owned[e.ProviderID] {
			_, err := s.db.AccountProviderConnection(r.Context(), account.ID, e.ProviderID)
			if isNotFound(err) {
				return badRequest("item %d: provider_id %d: no provider connection with this id in your account: "+
					"use an id from GET /api/v1/providers", i, e.ProviderID)
			}
			if err != nil {
				return err
			}
			owned[e.ProviderID] = true
		}
		items[i] = ingest.Item{ProviderID: e.ProviderID, Event: e.Event}
	}

	result, err := s.writer.Ingest(r.Context(), &ingest.Batch{
		AccountID:  account.ID,
		Kind:       canonicalKind,
		ReceivedAt: receivedAt,
		Body:       body,
		Events:     items,
	})
	if err != nil {
		return err
	}
	s.metrics.IngestLatency.WithLabelValues(canonicalKind).Observe(s.now().Sub(receivedAt).Seconds())
	writeJSON(w, http.StatusOK, ingestResponse{Accepted: len(items), New: result.New, Parked: result.Parked})
	return nil
}
