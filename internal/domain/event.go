package domain

import "time"

// EventKind is the status a provider callback reports for one message.
type EventKind string

const (
	EventSent         EventKind = "sent"
	EventDelivered    EventKind = "delivered"
	EventRead         EventKind = "read"
	EventClicked      EventKind = "clicked"
	EventFailed       EventKind = "failed"
	EventUnsubscribed EventKind = "unsubscribed"
)

// EventKinds lists every kind that changes or annotates a delivery.
var EventKinds = []EventKind{EventSent, EventDelivered, EventRead, EventClicked, EventFailed, EventUnsubscribed}

// Event is one status report about one provider message, in the provider's
// own terms already mapped onto ours. Provider adapters produce events and
// the ingest writer applies them; an event never carries account data.
type Event struct {
	// ProviderMessageID identifies the message at the provider. It is text
	// because Viber's 64-bit tokens exceed float64 precision.
	ProviderMessageID string

	Kind       EventKind
	OccurredAt time.Time

	// Reason is set for EventFailed; an expiry is a failure with ReasonExpired.
	Reason FailureReason
	// ReasonDetail keeps the provider's own code or text for the failure.
	ReasonDetail string

	// Link is the clicked URL of an EventClicked.
	Link string
	// DeviceOS is the clicking device's operating system, when known.
	DeviceOS string

	// ViberUserID and Phone identify the contact when the provider sends them.
	ViberUserID string
	Phone       string
}
