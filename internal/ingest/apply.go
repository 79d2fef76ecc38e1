package ingest

import (
	"context"
	"sort"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/store"
)

type scope struct{ accountID, providerID int64 }

// applyBatches stores the raw bodies and events of several callbacks and
// applies the new events to their deliveries, all in tx.
func applyBatches(ctx context.Context, tx *store.Tx, batches []*Batch, results []*Result) error {
	var records []*store.EventRecord
	owner := []int{}
	ids := map[scope][]string{}
	seen := map[scope]map[string]bool{}

	var bodies []store.Callback
	bodyOf := make([]int, len(batches))
	for bi, b := range batches {
		bodyOf[bi] = -1
		if b.Body != nil {
			bodyOf[bi] = len(bodies)
			bodies = append(bodies, store.Callback{AccountID: b.AccountID, ProviderID: b.ProviderID,
				Variant: b.Variant, ReceivedAt: b.ReceivedAt, Body: b.Body})
		}
	}
	callbackIDs, err := tx.InsertCallbacks(ctx, bodies)
	if err != nil {
		return err
	}

	for bi, b := range batches {
		var callbackID int64
		if bodyOf[bi] >= 0 {
			callbackID = callbackIDs[bodyOf[bi]]
		}
		for _, item := range b.Events {
			r := &store.EventRecord{
				AccountID:  b.AccountID,
				ProviderID: item.ProviderID,
				CallbackID: callbackID,
				ReceivedAt: b.ReceivedAt,
				Event:      item.Event,
			}
			r.OccurredAt = r.OccurredAt.UTC()
			records = append(records, r)
			owner = append(owner, bi)

			s := scope{b.AccountID, item.ProviderID}
			if r.ProviderMessageID != "" && !seen[s][r.ProviderMessageID] {
				if seen[s] == nil {
					seen[s] = map[string]bool{}
				}
				seen[s][r.ProviderMessageID] = true
				ids[s] = append(ids[s], r.ProviderMessageID)
			}
		}
	}

	found := map[scope]map[string]*domain.Delivery{}
	for s, list := range ids {
		m, err := tx.DeliveriesByProviderMessage(ctx, s.accountID, s.providerID, list)
		if err != nil {
			return err
		}
		found[s] = m
	}

	changes := newChangeSet()
	target := make([]*domain.Delivery, len(records))
	for i, r := range records {
		if d := found[scope{r.AccountID, r.ProviderID}][r.ProviderMessageID]; d != nil {
			r.DeliveryID, target[i] = d.ID, d
			continue
		}
		if r.Kind == domain.EventUnsubscribed && r.ViberUserID != "" {
			// The Bot API's unsubscribe names the user, and its token
			// names the callback itself: attribute it to the latest
			// message that user was sent through this connection.
			d, err := tx.LatestDeliveryByViberUser(ctx, r.AccountID, r.ProviderID, r.ViberUserID)
			if err != nil {
				return err
			}
			if d != nil {
				r.DeliveryID, target[i] = d.ID, d
			} else {
				r.Detached = true
			}
		}
	}

	inserted, err := tx.InsertEvents(ctx, records)
	if err != nil {
		return err
	}

	links := map[int64][]store.ViberUserLink{}
	for i, r := range records {
		if !inserted[i] {
			continue
		}
		res := results[owner[i]]
		res.New++

		if r.Kind == domain.EventUnsubscribed && r.ViberUserID != "" {
			if err := tx.MarkContactUnsubscribed(ctx, r.AccountID, 0, r.ViberUserID, r.OccurredAt); err != nil {
				return err
			}
		}
		if target[i] == nil {
			if !r.Detached {
				res.Parked++
			}
			continue
		}

		d := changes.track(target[i])
		if err := applyRecord(ctx, tx, changes, d, r); err != nil {
			return err
		}
		if r.ViberUserID != "" && r.Kind != domain.EventUnsubscribed {
			links[d.AccountID] = append(links[d.AccountID], store.ViberUserLink{ContactID: d.ContactID, ViberUserID: r.ViberUserID})
		}
	}

	for accountID, list := range links {
		if err := tx.AttachViberUserIDs(ctx, accountID, list); err != nil {
			return err
		}
	}

	return changes.flush(ctx, tx)
}

// applyRecord applies one new event to a tracked delivery, counting a click
// on its link once per contact and link.
func applyRecord(ctx context.Context, tx *store.Tx, changes *changeSet, d *domain.Delivery, r *store.EventRecord) error {
	changes.apply(d, r)
	if r.Kind != domain.EventClicked || r.Link == "" || d.Status == domain.StatusNotSent {
		return nil
	}
	first, err := tx.RecordClick(ctx, d.AccountID, d.ID, r.Link, r.OccurredAt)
	if err != nil {
		return err
	}
	changes.clickedLink(d, r.Link, first)
	return nil
}

// applyParked applies the parked events of deliveries created in this
// transaction and attaches those events to them.
func applyParked(ctx context.Context, tx *store.Tx, changes *changeSet, created []*domain.Delivery) (int, error) {
	byScope := map[scope]map[string]*domain.Delivery{}
	for _, d := range created {
		if d.ProviderMessageID == "" {
			continue
		}
		s := scope{d.AccountID, d.ProviderID}
		if byScope[s] == nil {
			byScope[s] = map[string]*domain.Delivery{}
		}
		byScope[s][d.ProviderMessageID] = d
	}

	applied := 0
	for s, m := range byScope {
		list := make([]string, 0, len(m))
		for id := range m {
			list = append(list, id)
		}
		sort.Strings(list)
		parked, err := tx.ParkedEvents(ctx, s.accountID, s.providerID, list)
		if err != nil {
			return 0, err
		}
		for _, r := range parked {
			d := m[r.ProviderMessageID]
			r.DeliveryID = d.ID
			if err := applyRecord(ctx, tx, changes, d, r); err != nil {
				return 0, err
			}
		}
		if err := tx.UnparkEvents(ctx, s.accountID, parked); err != nil {
			return 0, err
		}
		applied += len(parked)
	}
	return applied, nil
}
