package ingest

import (
	"context"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/store"
)

// expiryChunk bounds the deliveries one expiry pass loads at once.
const expiryChunk = 1000

// expireDue fails, as expired, every sent delivery whose TTL ran out before
// now with no final status. Each derived expiry is kept in the event history
// like a provider's report, dated at the moment the TTL ran out.
func expireDue(ctx context.Context, tx *store.Tx, now time.Time, expired *int) error {
	for {
		due, err := tx.DueExpiries(ctx, now, expiryChunk)
		if err != nil {
			return err
		}
		if len(due) == 0 {
			return nil
		}

		changes := newChangeSet()
		records := make([]*store.EventRecord, len(due))
		for i, d := range due {
			records[i] = &store.EventRecord{
				AccountID:  d.AccountID,
				ProviderID: d.ProviderID,
				DeliveryID: d.ID,
				ReceivedAt: now,
				Event: domain.Event{
					ProviderMessageID: d.ProviderMessageID,
					Kind:              domain.EventFailed,
					OccurredAt:        d.ExpiresAt,
					Reason:            domain.ReasonExpired,
					ReasonDetail:      "derived: the TTL ran out with no final status from the provider",
				},
			}
		}
		if _, err := tx.InsertEvents(ctx, records); err != nil {
			return err
		}
		for i, d := range due {
			changes.apply(changes.track(d), records[i])
		}
		if err := changes.flush(ctx, tx); err != nil {
			return err
		}
		*expired += len(due)
		if len(due) < expiryChunk {
			return nil
		}
	}
}
