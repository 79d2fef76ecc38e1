package domain

import "time"

// Campaign is one send of a message to a segment through a provider
// connection. Campaigns sent by another system are registered for reporting
// with their deliveries.
type Campaign struct {
	ID         int64
	AccountID  int64
	Name       string
	MessageID  int64
	SegmentID  int64
	ProviderID int64
	Tags       []string
	TTL        time.Duration
	// LaunchedBy is the email of the user who started the campaign.
	LaunchedBy       string
	SegmentUpdatedAt time.Time
	StartedAt        time.Time
	FinishedAt       time.Time
	DeletedAt        time.Time
	CreatedAt        time.Time
}

// ProviderConnection is an account's credentials for one provider.
type ProviderConnection struct {
	ID        int64
	AccountID int64
	Kind      string
	Name      string
	// Secret is stored as the provider adapter requires: hashed where the
	// scheme only compares credentials, as is where it keys an HMAC.
	Secret    string
	Settings  string
	CreatedAt time.Time
}
