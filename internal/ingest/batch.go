// Package ingest applies provider status events to deliveries. One writer
// goroutine commits concurrent requests together (group commit), and every
// change to delivery state moves the campaign rollups in the same
// transaction.
package ingest

import (
	"time"

	"github.com/vibereport/vibereport/internal/domain"
)

// Batch is one received callback: its raw body and the events parsed from it.
type Batch struct {
	AccountID int64
	// ProviderID is the connection whose webhook received the body; 0 when
	// the events name their connections themselves (the events API).
	ProviderID int64
	// Kind is the provider kind, for metrics.
	Kind       string
	Variant    string
	ReceivedAt time.Time
	Body       []byte
	Events     []Item
}

// Item is one event and the provider connection its message id belongs to.
type Item struct {
	ProviderID int64
	domain.Event
}

// Result is the outcome of a committed batch.
type Result struct {
	// New counts events not seen before; the rest were replays.
	New int
	// Parked counts new events whose delivery is not registered yet.
	Parked int
}
