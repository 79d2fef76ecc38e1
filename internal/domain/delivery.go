package domain

import "time"

// Delivery is one message to one contact in one campaign, with the earliest
// known time of each status. A zero time means the status was never reached.
type Delivery struct {
	ID                int64
	AccountID         int64
	CampaignID        int64
	ContactID         int64
	ProviderID        int64
	ProviderMessageID string
	// Language is the message version sent; "" when unknown.
	Language string

	Status        Status
	NotSentReason NotSentReason

	SentAt         time.Time
	DeliveredAt    time.Time
	ReadAt         time.Time
	ClickedAt      time.Time
	FailedAt       time.Time
	ExpiresAt      time.Time
	UnsubscribedAt time.Time

	FailureReason FailureReason
	FailureDetail string
	ClicksTotal   int64
	// ClickOS is the operating system of the first click's device, when known.
	ClickOS string
}

// Apply moves the delivery forward by one event and reports whether any
// stored field changed. The result does not depend on the order in which
// events arrive: statuses only rise, each timestamp keeps its earliest value
// and a status implies the ones below it (a click implies read and delivered).
// Deliveries that were never sent ignore every event.
func (d *Delivery) Apply(e Event) bool {
	if d.Status == StatusNotSent {
		return false
	}
	before := *d
	at := e.OccurredAt.UTC()

	if e.Kind != EventUnsubscribed {
		// An unsubscribe concerns the contact and may be attributed to a
		// message sent after it, so it gives no evidence of the sent time.
		d.keepEarlierSentAt(at)
	}

	switch e.Kind {
	case EventDelivered:
		d.reach(StatusDelivered, at)
	case EventRead:
		d.reach(StatusRead, at)
	case EventClicked:
		firstClick := d.ClickedAt
		d.reach(StatusClicked, at)
		d.ClicksTotal++
		d.keepFirstClickOS(e.DeviceOS, at, firstClick)
	case EventFailed:
		d.fail(at, e.Reason, e.ReasonDetail)
	case EventUnsubscribed:
		setEarliest(&d.UnsubscribedAt, at)
	}

	return *d != before
}

// keepEarlierSentAt moves the sent time (and the expiry derived from it)
// earlier when an event shows the message existed before the known sent time.
// A later "sent" never moves anything back.
func (d *Delivery) keepEarlierSentAt(at time.Time) {
	if !d.SentAt.IsZero() && !at.Before(d.SentAt) {
		return
	}
	if !d.SentAt.IsZero() && !d.ExpiresAt.IsZero() {
		d.ExpiresAt = d.ExpiresAt.Add(at.Sub(d.SentAt))
	}
	d.SentAt = at
}

// reach records status s at time at together with the statuses it implies.
func (d *Delivery) reach(s Status, at time.Time) {
	setEarliest(&d.DeliveredAt, at)
	if s >= StatusRead {
		setEarliest(&d.ReadAt, at)
	}
	if s >= StatusClicked {
		setEarliest(&d.ClickedAt, at)
	}

	if s > d.Status {
		d.Status = s
	}
	if d.Status >= StatusDelivered {
		// Proof of arrival outranks a failure reported or derived earlier.
		d.FailedAt = time.Time{}
		d.FailureReason = ""
		d.FailureDetail = ""
	}
}

// fail records a final failure unless the message is known to have arrived.
// Of two failures the earlier one wins, with its reason.
func (d *Delivery) fail(at time.Time, reason FailureReason, detail string) {
	if d.Status >= StatusDelivered {
		return
	}
	if reason == "" {
		reason = ReasonProviderError
	}
	if d.Status == StatusFailed {
		later := at.After(d.FailedAt)
		// Equal times resolve by reason, then by detail, so that neither
		// depends on which report arrived first.
		tieLost := at.Equal(d.FailedAt) && (reason > d.FailureReason ||
			reason == d.FailureReason && detail >= d.FailureDetail)
		if later || tieLost {
			return
		}
	}
	d.Status = StatusFailed
	d.FailedAt = at
	d.FailureReason = reason
	d.FailureDetail = detail
}

// keepFirstClickOS records the operating system of the earliest click, or ""
// when that click reported none. Clicks at equal times resolve to the
// smallest reported name, so arrival order never changes the result.
func (d *Delivery) keepFirstClickOS(os string, at, firstClick time.Time) {
	switch {
	case firstClick.IsZero(), at.Before(firstClick):
		d.ClickOS = os
	case at.Equal(firstClick) && os != "" && (d.ClickOS == "" || os < d.ClickOS):
		d.ClickOS = os
	}
}

func setEarliest(field *time.Time, at time.Time) {
	if field.IsZero() || at.Before(*field) {
		*field = at
	}
}
