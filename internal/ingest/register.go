package ingest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/store"
)

// Registration records deliveries of a campaign that was sent elsewhere
// (report-only mode) or by the service's own sender.
type Registration struct {
	AccountID  int64
	CampaignID int64
	ProviderID int64
	// TTL is the campaign's time to live. With a TTL of 0, deliveries
	// expire only when the provider reports it.
	TTL        time.Duration
	Deliveries []NewDelivery
}

// NewDelivery is one message handed to a provider, or one contact left out.
type NewDelivery struct {
	Contact           store.ContactRef
	Language          string
	ProviderMessageID string
	// SentAt is when the provider accepted the message. Zero stands for
	// the time of registration.
	SentAt time.Time
	// NotSentReason marks a contact of the audience that was never sent to.
	NotSentReason domain.NotSentReason
}

// Registered is the outcome of one NewDelivery, in request order.
type Registered struct {
	DeliveryID int64
	ContactID  int64
	// Outcome is "created", "existing" or "duplicate". Existing means the
	// same provider message was registered before or, for an entry without
	// a message id, that an earlier request stored the same contact with
	// the same not-sent reason. Duplicate means the contact already has a
	// delivery in this campaign, so this one counts as not_sent.duplicate.
	Outcome string
}

// InputError is a registration the store cannot accept as given. Handlers
// respond to it with 4xx, and the writer retries the other requests of its
// group commit without it.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// IsInputError reports whether err is an InputError.
func IsInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}

func register(ctx context.Context, tx *store.Tx, reg *Registration, out *[]Registered) error {
	refs := make([]store.ContactRef, len(reg.Deliveries))
	pmids := make([]string, 0, len(reg.Deliveries))
	for i, nd := range reg.Deliveries {
		if err := validateNewDelivery(i, nd); err != nil {
			return err
		}
		refs[i] = nd.Contact
		if nd.ProviderMessageID != "" {
			pmids = append(pmids, nd.ProviderMessageID)
		}
	}
	contactIDs, err := tx.EnsureContacts(ctx, reg.AccountID, refs)
	if err != nil {
		return err
	}

	byMessage, err := tx.DeliveriesByProviderMessage(ctx, reg.AccountID, reg.ProviderID, pmids)
	if err != nil {
		return err
	}
	byContact, err := tx.CampaignDeliveriesByContact(ctx, reg.AccountID, reg.CampaignID, contactIDs)
	if err != nil {
		return err
	}

	registeredAt := time.Now().UTC()
	results := make([]Registered, len(reg.Deliveries))
	var created []*domain.Delivery
	createdAt := make([]int, 0, len(reg.Deliveries))
	for i, nd := range reg.Deliveries {
		contactID := contactIDs[i]
		results[i].ContactID = contactID

		if d, ok := byMessage[nd.ProviderMessageID]; ok && nd.ProviderMessageID != "" {
			if d.CampaignID != reg.CampaignID || d.ContactID != contactID {
				return &InputError{fmt.Errorf("deliveries[%d].provider_message_id: %q is already registered for another contact or campaign (delivery %d): provider message ids must be unique per provider connection", i, nd.ProviderMessageID, d.ID)}
			}
			results[i].DeliveryID, results[i].Outcome = d.ID, "existing"
			continue
		}

		// A delivery without a provider message id can only be matched by
		// contact, so a replayed request finds the one it stored before.
		// Deliveries created earlier in this request have no id yet and
		// still count as duplicates.
		if prev := byContact[contactID]; prev != nil && prev.ID != 0 && nd.ProviderMessageID == "" &&
			prev.ProviderMessageID == "" && prev.NotSentReason == nd.NotSentReason {
			results[i].DeliveryID, results[i].Outcome = prev.ID, "existing"
			continue
		}

		d := &domain.Delivery{
			AccountID:         reg.AccountID,
			CampaignID:        reg.CampaignID,
			ContactID:         contactID,
			ProviderID:        reg.ProviderID,
			ProviderMessageID: nd.ProviderMessageID,
			Language:          nd.Language,
		}
		switch {
		case byContact[contactID] != nil:
			d.Status, d.NotSentReason = domain.StatusNotSent, domain.NotSentDuplicate
			results[i].Outcome = "duplicate"
		case nd.NotSentReason != "":
			d.Status, d.NotSentReason = domain.StatusNotSent, nd.NotSentReason
			results[i].Outcome = "created"
		default:
			d.Status = domain.StatusSent
			d.SentAt = nd.SentAt.UTC()
			if d.SentAt.IsZero() {
				// The message was sent no later than now. A zero time would
				// put the expiry in year 1, so the next pass would expire it.
				d.SentAt = registeredAt
			}
			if reg.TTL > 0 {
				d.ExpiresAt = d.SentAt.Add(reg.TTL)
			}
			results[i].Outcome = "created"
		}
		if d.NotSentReason != domain.NotSentDuplicate {
			byContact[contactID] = d
		}
		if nd.ProviderMessageID != "" {
			byMessage[nd.ProviderMessageID] = d
		}
		created = append(created, d)
		createdAt = append(createdAt, i)
	}

	if err := tx.InsertDeliveries(ctx, created); err != nil {
		return err
	}
	for j, d := range created {
		results[createdAt[j]].DeliveryID = d.ID
	}
	for i := range results {
		if results[i].DeliveryID == 0 {
			// A repeat of a provider message created earlier in this request.
			results[i].DeliveryID = byMessage[reg.Deliveries[i].ProviderMessageID].ID
		}
	}

	changes := newChangeSet()
	for _, d := range created {
		changes.created(d)
	}
	if _, err := applyParked(ctx, tx, changes, created); err != nil {
		return err
	}
	if err := changes.flush(ctx, tx); err != nil {
		return err
	}
	*out = results
	return nil
}

// validateNewDelivery rejects, as input errors, an entry without a contact
// and a not-sent reason that no report bucket counts.
func validateNewDelivery(i int, nd NewDelivery) error {
	if nd.Contact.Phone == "" && nd.Contact.ViberUserID == "" && nd.Contact.ExternalID == "" {
		return &InputError{fmt.Errorf("deliveries[%d].contact: missing: give a phone, a viber_user_id or an external_id", i)}
	}
	if nd.NotSentReason != "" {
		if _, err := domain.ParseNotSentReason(string(nd.NotSentReason)); err != nil {
			return &InputError{fmt.Errorf("deliveries[%d].not_sent_reason: %w", i, err)}
		}
	}
	return nil
}
